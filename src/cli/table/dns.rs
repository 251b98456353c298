//! Certbot's DNS plugins' flags: for each, its switch (`--dns-NAME`),
//! `--dns-NAME-credentials FILE` and `--dns-NAME-propagation-seconds N`,
//! kept in renewal confs under Certbot's keys (`dns_NAME_credentials`,
//! `dns_NAME_propagation_seconds`). The plugins certsmith lacks keep their
//! names so a cli.ini or command line written for Certbot parses; choosing
//! one is refused with a pointer.

use crate::cli::flags::{Flag, Kind, switch, value};

/// One DNS plugin's flags.
pub struct DnsPluginFlags {
    pub selector: Flag,
    pub credentials: Flag,
    pub propagation_seconds: Flag,
}

/// The flags of the DNS plugin `$name` (Certbot's spelling, no `dns-`),
/// about `$title`'s API.
macro_rules! dns_plugin_flags {
    ($name:literal, $title:literal) => {
        DnsPluginFlags {
            selector: switch(
                concat!("dns-", $name),
                "plugins",
                concat!("Answer dns-01 through the ", $title, " API"),
            )
            .topics(&["certonly"]),
            credentials: value(
                concat!("dns-", $name, "-credentials"),
                "FILE",
                concat!("dns-", $name),
                concat!($title, " credentials INI file (Certbot's format)"),
            )
            .kind(Kind::Path)
            .conf(concat!("dns_", $name, "_credentials")),
            propagation_seconds: value(
                concat!("dns-", $name, "-propagation-seconds"),
                "SECONDS",
                concat!("dns-", $name),
                "Fixed wait instead of polling the authoritative servers",
            )
            .kind(Kind::Number)
            .conf(concat!("dns_", $name, "_propagation_seconds")),
        }
    };
}

pub static DNS_CLOUDFLARE: DnsPluginFlags = dns_plugin_flags!("cloudflare", "Cloudflare");
pub static DNS_DIGITALOCEAN: DnsPluginFlags = dns_plugin_flags!("digitalocean", "DigitalOcean");
pub static DNS_DNSIMPLE: DnsPluginFlags = dns_plugin_flags!("dnsimple", "DNSimple");
pub static DNS_DNSMADEEASY: DnsPluginFlags = dns_plugin_flags!("dnsmadeeasy", "DNS Made Easy");
pub static DNS_GEHIRN: DnsPluginFlags = dns_plugin_flags!("gehirn", "Gehirn");
pub static DNS_LINODE: DnsPluginFlags = dns_plugin_flags!("linode", "Linode");
pub static DNS_LUADNS: DnsPluginFlags = dns_plugin_flags!("luadns", "LuaDNS");
pub static DNS_NSONE: DnsPluginFlags = dns_plugin_flags!("nsone", "NS1");
pub static DNS_SAKURACLOUD: DnsPluginFlags = dns_plugin_flags!("sakuracloud", "Sakura Cloud");

/// A Certbot DNS plugin certsmith does not have: its switch is refused when
/// given, its options (`$options`: Certbot's names) are accepted and unused.
macro_rules! missing_dns_plugin {
    ($name:ident, $long:literal) => {
        pub static $name: Flag = switch(
            $long,
            "plugins",
            "Not available in certsmith: an error if given (use another --dns-NAME plugin or --manual hooks)",
        )
        .topics(&["certonly"]);
    };
}
missing_dns_plugin!(DNS_GOOGLE, "dns-google");
missing_dns_plugin!(DNS_OVH, "dns-ovh");
missing_dns_plugin!(DNS_ROUTE53, "dns-route53");

/// [`missing_dns_plugin`]'s switches.
pub static MISSING_DNS_PLUGINS: &[&Flag] = &[
    // One a line: branches add and take out plugins here.
    &DNS_GOOGLE,
    &DNS_OVH,
    &DNS_ROUTE53,
];

/// An option of a plugin certsmith lacks: accepted, unused (kept in a
/// renewal conf under Certbot's key), shown under the plugin's own name in
/// `--help all`, as Certbot shows it.
macro_rules! unused_option {
    ($name:ident, $long:expr, $group:expr, $conf:expr, $metavar:literal, $kind:expr) => {
        pub static $name: Flag = value(
            $long,
            $metavar,
            $group,
            "An option of a DNS plugin certsmith does not have (unused)",
        )
        .kind($kind)
        .conf($conf);
    };
}
macro_rules! unused_dns_options {
    ($($credentials:ident $propagation:ident $name:literal),* $(,)?) => {
        $(
            unused_option!(
                $credentials,
                concat!("dns-", $name, "-credentials"),
                concat!("dns-", $name),
                concat!("dns_", $name, "_credentials"),
                "FILE",
                Kind::Path
            );
            unused_option!(
                $propagation,
                concat!("dns-", $name, "-propagation-seconds"),
                concat!("dns-", $name),
                concat!("dns_", $name, "_propagation_seconds"),
                "SECONDS",
                Kind::Number
            );
        )*
        /// The options of the DNS plugins certsmith lacks.
        pub static MISSING_DNS_OPTIONS: &[&Flag] = &[$(&$credentials, &$propagation,)* &DNS_ROUTE53_PROPAGATION_SECONDS];
    };
}
unused_dns_options!(
    DNS_GOOGLE_CREDENTIALS DNS_GOOGLE_PROPAGATION_SECONDS "google",
    DNS_OVH_CREDENTIALS DNS_OVH_PROPAGATION_SECONDS "ovh",
);
unused_option!(
    DNS_ROUTE53_PROPAGATION_SECONDS,
    "dns-route53-propagation-seconds",
    "dns-route53",
    "dns_route53_propagation_seconds",
    "SECONDS",
    Kind::Number
);
