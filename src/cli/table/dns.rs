//! Certbot's DNS plugins' flags: for each, its switch (`--dns-NAME`),
//! `--dns-NAME-credentials FILE` and `--dns-NAME-propagation-seconds N`,
//! kept in renewal confs under Certbot's keys (`dns_NAME_credentials`,
//! `dns_NAME_propagation_seconds`). Route 53 has no credentials flag (Certbot's
//! plugin reads the AWS credential chain).

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
        dns_plugin_flags!(
            $name,
            $title,
            concat!($title, " credentials INI file (Certbot's format)")
        )
    };
    ($name:literal, $title:literal, $credentials:expr) => {
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
                $credentials,
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
pub static DNS_GOOGLE: DnsPluginFlags = dns_plugin_flags!(
    "google",
    "Google Cloud DNS",
    "A Google service account's JSON key file"
);
pub static DNS_LINODE: DnsPluginFlags = dns_plugin_flags!("linode", "Linode");
pub static DNS_LUADNS: DnsPluginFlags = dns_plugin_flags!("luadns", "LuaDNS");
pub static DNS_NSONE: DnsPluginFlags = dns_plugin_flags!("nsone", "NS1");
pub static DNS_OVH: DnsPluginFlags = dns_plugin_flags!("ovh", "OVH");

/// `--dns-route53`: no credentials flag (Certbot's plugin reads the AWS
/// credential chain), only the fixed wait.
pub static DNS_ROUTE53: Flag = switch(
    "dns-route53",
    "plugins",
    "Answer dns-01 through the Route 53 API (AWS credentials from the environment or ~/.aws)",
)
.topics(&["certonly"]);
pub static DNS_ROUTE53_PROPAGATION_SECONDS: Flag = value(
    "dns-route53-propagation-seconds",
    "SECONDS",
    "dns-route53",
    "Fixed wait instead of polling the authoritative servers",
)
.kind(Kind::Number)
.conf("dns_route53_propagation_seconds");
pub static DNS_SAKURACLOUD: DnsPluginFlags = dns_plugin_flags!("sakuracloud", "Sakura Cloud");
