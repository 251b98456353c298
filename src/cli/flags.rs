//! Every flag certsmith knows, in one table.
//!
//! The same table drives the command line and `cli.ini` (every long flag is
//! a key there), so a flag is declared once. Flag names are Certbot's where
//! Certbot has the flag, so users' scripts and config files carry over.

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// `--flag` sets true; `--no-flag` (when `negation` is set) sets false.
    Switch,
    /// `--flag VALUE`, `--flag=VALUE`, `-f VALUE`, `-fVALUE`.
    Value(&'static str),
    /// Each occurrence adds one (`-vvv`).
    Count,
}

#[derive(Debug)]
pub struct Flag {
    /// Canonical long name, without dashes; the key used in `cli.ini`.
    pub long: &'static str,
    pub short: Option<char>,
    pub aliases: &'static [&'static str],
    /// Long name that sets a switch to false.
    pub negation: Option<&'static str>,
    pub arity: Arity,
    pub group: &'static str,
    pub help: &'static str,
}

use Arity::*;

macro_rules! flag {
    ($long:literal, $short:expr, $aliases:expr, $neg:expr, $arity:expr, $group:literal, $help:literal) => {
        Flag {
            long: $long,
            short: $short,
            aliases: $aliases,
            negation: $neg,
            arity: $arity,
            group: $group,
            help: $help,
        }
    };
}

pub const NONE: &[&str] = &[];

pub static FLAGS: &[Flag] = &[
    // --- general
    flag!(
        "help",
        Some('h'),
        NONE,
        None,
        Switch,
        "general",
        "Print help and exit"
    ),
    flag!(
        "version",
        None,
        NONE,
        None,
        Switch,
        "general",
        "Print the version and exit"
    ),
    flag!(
        "non-interactive",
        Some('n'),
        &["noninteractive"],
        None,
        Switch,
        "general",
        "Never ask; fail where an answer is needed"
    ),
    flag!(
        "quiet",
        Some('q'),
        NONE,
        None,
        Switch,
        "general",
        "Print errors only"
    ),
    flag!(
        "verbose",
        Some('v'),
        NONE,
        None,
        Count,
        "general",
        "More output (repeat for more)"
    ),
    flag!(
        "config",
        Some('c'),
        NONE,
        None,
        Value("FILE"),
        "general",
        "Read flags from this cli.ini file"
    ),
    flag!(
        "config-dir",
        None,
        NONE,
        None,
        Value("DIR"),
        "paths",
        "Certificates, accounts and renewal confs (default /etc/letsencrypt)"
    ),
    flag!(
        "work-dir",
        None,
        NONE,
        None,
        Value("DIR"),
        "paths",
        "Checkpoints and transaction state (default /var/lib/certsmith)"
    ),
    flag!(
        "logs-dir",
        None,
        NONE,
        None,
        Value("DIR"),
        "paths",
        "Log files (default /var/log/certsmith)"
    ),
    flag!(
        "max-log-backups",
        None,
        NONE,
        None,
        Value("N"),
        "paths",
        "Log files to keep (default 1000; 0 = one appended file)"
    ),
    flag!(
        "dry-run",
        None,
        NONE,
        None,
        Switch,
        "general",
        "Test without saving anything (ACME: staging server)"
    ),
    flag!(
        "preconfigured-renewal",
        None,
        NONE,
        None,
        Switch,
        "general",
        "Accepted for compatibility with Debian's cli.ini; no effect"
    ),
    // --- ACME server and account
    flag!(
        "server",
        None,
        NONE,
        None,
        Value("URL"),
        "acme",
        "ACME directory URL (default Let's Encrypt)"
    ),
    flag!(
        "staging",
        None,
        &["test-cert"],
        None,
        Switch,
        "acme",
        "Use Let's Encrypt's staging server"
    ),
    flag!(
        "ca-bundle",
        None,
        NONE,
        None,
        Value("FILE"),
        "acme",
        "Trust these CA certificates for the ACME server's TLS"
    ),
    flag!(
        "email",
        Some('m'),
        NONE,
        None,
        Value("EMAIL"),
        "account",
        "Contact email for the ACME account"
    ),
    flag!(
        "agree-tos",
        None,
        NONE,
        None,
        Switch,
        "account",
        "Agree to the ACME server's terms of service"
    ),
    flag!(
        "register-unsafely-without-email",
        None,
        NONE,
        None,
        Switch,
        "account",
        "Register without a contact email"
    ),
    flag!(
        "eab-kid",
        None,
        NONE,
        None,
        Value("KID"),
        "account",
        "External account binding key id"
    ),
    flag!(
        "eab-hmac-key",
        None,
        NONE,
        None,
        Value("KEY"),
        "account",
        "External account binding HMAC key (base64url)"
    ),
    flag!(
        "eff-email",
        None,
        NONE,
        Some("no-eff-email"),
        Switch,
        "account",
        "Accepted for compatibility; certsmith shares no email"
    ),
    // --- certificate
    flag!(
        "domains",
        Some('d'),
        &["domain"],
        None,
        Value("NAMES"),
        "certificate",
        "Names for the certificate (repeatable, comma-separated)"
    ),
    flag!(
        "cert-name",
        None,
        NONE,
        None,
        Value("NAME"),
        "certificate",
        "Lineage name"
    ),
    flag!(
        "expand",
        None,
        NONE,
        None,
        Switch,
        "certificate",
        "Replace a lineage with one for more names"
    ),
    flag!(
        "duplicate",
        None,
        NONE,
        None,
        Switch,
        "certificate",
        "Make a new lineage even if one matches"
    ),
    flag!(
        "force-renewal",
        None,
        &["renew-by-default"],
        None,
        Switch,
        "certificate",
        "Renew even if not due"
    ),
    flag!(
        "allow-subset-of-names",
        None,
        NONE,
        None,
        Switch,
        "certificate",
        "Drop names that fail authorization"
    ),
    flag!(
        "preferred-chain",
        None,
        NONE,
        None,
        Value("ISSUER"),
        "certificate",
        "Prefer the alternate chain whose top issuer has this common name"
    ),
    flag!(
        "must-staple",
        None,
        NONE,
        None,
        Switch,
        "certificate",
        "Add the OCSP Must-Staple extension"
    ),
    flag!(
        "csr",
        None,
        NONE,
        None,
        Value("FILE"),
        "certificate",
        "Use this CSR (PEM or DER)"
    ),
    flag!(
        "key-type",
        None,
        NONE,
        None,
        Value("ecdsa|rsa"),
        "certificate",
        "Private key type (default ecdsa)"
    ),
    flag!(
        "elliptic-curve",
        None,
        NONE,
        None,
        Value("CURVE"),
        "certificate",
        "secp256r1 (default) or secp384r1"
    ),
    flag!(
        "rsa-key-size",
        None,
        NONE,
        None,
        Value("BITS"),
        "certificate",
        "2048 (default), 3072 or 4096"
    ),
    flag!(
        "reuse-key",
        None,
        NONE,
        Some("new-key"),
        Switch,
        "certificate",
        "Keep the lineage's private key on renewal"
    ),
    flag!(
        "profile",
        None,
        NONE,
        None,
        Value("NAME"),
        "certificate",
        "ACME profile to request"
    ),
    flag!(
        "cert-path",
        None,
        NONE,
        None,
        Value("FILE"),
        "paths",
        "Certificate file (install, revoke)"
    ),
    flag!(
        "key-path",
        None,
        NONE,
        None,
        Value("FILE"),
        "paths",
        "Private key file (install, revoke)"
    ),
    flag!(
        "fullchain-path",
        None,
        NONE,
        None,
        Value("FILE"),
        "paths",
        "Full chain file (install)"
    ),
    flag!(
        "chain-path",
        None,
        NONE,
        None,
        Value("FILE"),
        "paths",
        "Chain file (install)"
    ),
    flag!(
        "reason",
        None,
        NONE,
        None,
        Value("REASON"),
        "certificate",
        "Revocation reason: unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation"
    ),
    flag!(
        "delete-after-revoke",
        None,
        NONE,
        Some("no-delete-after-revoke"),
        Switch,
        "certificate",
        "Delete the lineage after revoking it"
    ),
    flag!(
        "force",
        None,
        NONE,
        None,
        Switch,
        "certificate",
        "delete: even while a server config still uses the lineage"
    ),
    // --- plugins
    flag!(
        "authenticator",
        Some('a'),
        NONE,
        None,
        Value("NAME"),
        "plugins",
        "standalone, webroot, manual, nginx, apache, dns-rfc2136"
    ),
    flag!(
        "installer",
        Some('i'),
        NONE,
        None,
        Value("NAME"),
        "plugins",
        "nginx or apache"
    ),
    flag!(
        "standalone",
        None,
        NONE,
        None,
        Switch,
        "plugins",
        "Answer challenges with a built-in server"
    ),
    flag!(
        "webroot",
        None,
        NONE,
        None,
        Switch,
        "plugins",
        "Answer http-01 by writing into a web root"
    ),
    flag!(
        "manual",
        None,
        NONE,
        None,
        Switch,
        "plugins",
        "Answer challenges by hand or with hooks"
    ),
    flag!(
        "nginx",
        None,
        NONE,
        None,
        Switch,
        "plugins",
        "Authenticate and install with nginx"
    ),
    flag!(
        "apache",
        None,
        NONE,
        None,
        Switch,
        "plugins",
        "Authenticate and install with Apache httpd"
    ),
    flag!(
        "dns-rfc2136",
        None,
        NONE,
        None,
        Switch,
        "plugins",
        "Answer dns-01 with RFC 2136 dynamic updates"
    ),
    flag!(
        "preferred-challenges",
        None,
        NONE,
        None,
        Value("LIST"),
        "plugins",
        "Challenge types in order of preference (http-01, dns-01, tls-alpn-01)"
    ),
    flag!(
        "http-01-address",
        None,
        NONE,
        None,
        Value("ADDR"),
        "standalone",
        "Address the standalone server binds (default all)"
    ),
    flag!(
        "http-01-port",
        None,
        NONE,
        None,
        Value("PORT"),
        "standalone",
        "Port for http-01 (default 80)"
    ),
    flag!(
        "https-port",
        None,
        NONE,
        None,
        Value("PORT"),
        "standalone",
        "Port for tls-alpn-01 (default 443)"
    ),
    flag!(
        "webroot-path",
        Some('w'),
        NONE,
        None,
        Value("DIR"),
        "webroot",
        "Web root for the -d names that follow"
    ),
    flag!(
        "webroot-map",
        None,
        NONE,
        None,
        Value("JSON"),
        "webroot",
        "JSON object mapping names to web roots"
    ),
    flag!(
        "manual-auth-hook",
        None,
        NONE,
        None,
        Value("CMD"),
        "manual",
        "Command that presents a challenge"
    ),
    flag!(
        "manual-cleanup-hook",
        None,
        NONE,
        None,
        Value("CMD"),
        "manual",
        "Command that removes a challenge"
    ),
    flag!(
        "manual-public-ip-logging-ok",
        None,
        NONE,
        None,
        Switch,
        "manual",
        "Accepted for compatibility; no effect"
    ),
    flag!(
        "dns-rfc2136-credentials",
        None,
        NONE,
        None,
        Value("FILE"),
        "dns",
        "Certbot-format RFC 2136 credentials file"
    ),
    flag!(
        "dns-rfc2136-propagation-seconds",
        None,
        NONE,
        None,
        Value("SECONDS"),
        "dns",
        "Fixed wait instead of polling the authoritative servers"
    ),
    // --- nginx
    flag!(
        "nginx-server-root",
        None,
        NONE,
        None,
        Value("DIR"),
        "nginx",
        "nginx configuration root (default /etc/nginx)"
    ),
    flag!(
        "nginx-ctl",
        None,
        NONE,
        None,
        Value("PATH"),
        "nginx",
        "nginx binary (default nginx)"
    ),
    // --- apache
    flag!(
        "apache-server-root",
        None,
        NONE,
        None,
        Value("DIR"),
        "apache",
        "Apache ServerRoot (default per distribution)"
    ),
    flag!(
        "apache-ctl",
        None,
        NONE,
        None,
        Value("PATH"),
        "apache",
        "apachectl binary (default apache2ctl or apachectl)"
    ),
    flag!(
        "apache-enmod",
        None,
        NONE,
        None,
        Value("PATH"),
        "apache",
        "a2enmod binary (accepted; certsmith enables modules itself)"
    ),
    flag!(
        "apache-dismod",
        None,
        NONE,
        None,
        Value("PATH"),
        "apache",
        "a2dismod binary (accepted; certsmith disables modules itself)"
    ),
    flag!(
        "apache-vhost-root",
        None,
        NONE,
        None,
        Value("DIR"),
        "apache",
        "Where new vhost files go"
    ),
    flag!(
        "apache-le-vhost-ext",
        None,
        NONE,
        None,
        Value("EXT"),
        "apache",
        "Suffix of created SSL vhost files (default -le-ssl.conf)"
    ),
    flag!(
        "apache-handle-modules",
        None,
        NONE,
        None,
        Value("BOOL"),
        "apache",
        "Enable needed modules (default true on Debian)"
    ),
    flag!(
        "apache-handle-sites",
        None,
        NONE,
        None,
        Value("BOOL"),
        "apache",
        "Enable created sites (default true on Debian)"
    ),
    // --- enhancements
    flag!(
        "redirect",
        None,
        NONE,
        Some("no-redirect"),
        Switch,
        "enhance",
        "Redirect http to https"
    ),
    flag!(
        "hsts",
        None,
        NONE,
        Some("no-hsts"),
        Switch,
        "enhance",
        "Add Strict-Transport-Security"
    ),
    flag!(
        "uir",
        None,
        NONE,
        Some("no-uir"),
        Switch,
        "enhance",
        "Add Content-Security-Policy upgrade-insecure-requests"
    ),
    flag!(
        "staple-ocsp",
        None,
        NONE,
        Some("no-staple-ocsp"),
        Switch,
        "enhance",
        "Turn on OCSP stapling"
    ),
    // --- rollback
    flag!(
        "checkpoints",
        None,
        NONE,
        None,
        Value("N"),
        "rollback",
        "How many checkpoints to undo (default 1)"
    ),
    // --- renewal and hooks
    flag!(
        "pre-hook",
        None,
        NONE,
        None,
        Value("CMD"),
        "renew",
        "Run before any renewal"
    ),
    flag!(
        "post-hook",
        None,
        NONE,
        None,
        Value("CMD"),
        "renew",
        "Run after renewals"
    ),
    flag!(
        "deploy-hook",
        None,
        &["renew-hook"],
        None,
        Value("CMD"),
        "renew",
        "Run for each renewed lineage"
    ),
    flag!(
        "no-directory-hooks",
        None,
        NONE,
        None,
        Switch,
        "renew",
        "Skip renewal-hooks/ executables"
    ),
    flag!(
        "disable-hook-validation",
        None,
        NONE,
        None,
        Switch,
        "renew",
        "Accepted for compatibility; no effect"
    ),
    flag!(
        "no-random-sleep-on-renew",
        None,
        NONE,
        None,
        Switch,
        "renew",
        "Do not sleep before renewing when not interactive"
    ),
    flag!(
        "hook-timeout",
        None,
        NONE,
        None,
        Value("SECONDS"),
        "renew",
        "Kill a hook that runs longer (default 600)"
    ),
    flag!(
        "renew-before-expiry",
        None,
        NONE,
        None,
        Value("DAYS"),
        "renew",
        "Renew this many days before expiry"
    ),
    // --- install-timer
    flag!(
        "timer",
        None,
        NONE,
        None,
        Value("auto|systemd|cron"),
        "install-timer",
        "Which scheduler to use (default auto: systemd when it runs, else cron)"
    ),
    flag!(
        "systemd-dir",
        None,
        NONE,
        None,
        Value("DIR"),
        "install-timer",
        "Where the systemd units go (default /etc/systemd/system)"
    ),
    flag!(
        "cron-dir",
        None,
        NONE,
        None,
        Value("DIR"),
        "install-timer",
        "Where the cron file goes (default /etc/cron.d)"
    ),
];

/// The verbs. `run` is the default when none is given.
pub static VERBS: &[(&str, &str)] = &[
    ("run", "Obtain a certificate and install it (default)"),
    ("certonly", "Obtain a certificate without installing it"),
    ("install", "Install an existing certificate"),
    (
        "enhance",
        "Add redirect, HSTS, UIR or OCSP stapling to an installed site",
    ),
    ("renew", "Renew every certificate that is due"),
    (
        "reconfigure",
        "Change a lineage's renewal options (checked by a dry run)",
    ),
    ("certificates", "List certificates"),
    ("delete", "Delete a lineage"),
    ("revoke", "Revoke a certificate"),
    ("rollback", "Undo the last configuration checkpoints"),
    ("checkpoints", "List configuration checkpoints"),
    ("register", "Create an ACME account"),
    ("update_account", "Change the account's contact email"),
    ("unregister", "Deactivate the ACME account"),
    ("show_account", "Show the ACME account"),
    (
        "conf",
        "Inspect and edit configs: conf get|match|set|rm|check|print",
    ),
    (
        "install-timer",
        "Install a systemd timer (or cron entry) for renew",
    ),
];

/// Look a flag up by a long name, an alias or a negation. Returns the flag and
/// whether the name was the negation. `_` is accepted for `-` (cli.ini habit).
pub fn by_long(name: &str) -> Option<(&'static Flag, bool)> {
    let name = name.replace('_', "-");
    FLAGS.iter().find_map(|f| {
        if f.long == name || f.aliases.contains(&name.as_str()) {
            Some((f, false))
        } else if f.negation == Some(name.as_str()) {
            Some((f, true))
        } else {
            None
        }
    })
}

pub fn by_short(c: char) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.short == Some(c))
}

/// Canonical verb for a word, accepting `-` and `_` spellings.
pub fn verb(word: &str) -> Option<&'static str> {
    let norm = word.replace('-', "_");
    VERBS
        .iter()
        .map(|(v, _)| *v)
        .find(|v| v.replace('-', "_") == norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut all: Vec<&str> = Vec::new();
        for f in FLAGS {
            all.push(f.long);
            all.extend(f.aliases);
            all.extend(f.negation);
        }
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len(), "duplicate flag name");
        let mut shorts: Vec<char> = FLAGS.iter().filter_map(|f| f.short).collect();
        let n = shorts.len();
        shorts.sort();
        shorts.dedup();
        assert_eq!(shorts.len(), n, "duplicate short flag");
    }

    #[test]
    fn lookups() {
        assert_eq!(
            by_long("no-redirect").map(|(f, neg)| (f.long, neg)),
            Some(("redirect", true))
        );
        assert_eq!(by_long("test_cert").map(|(f, _)| f.long), Some("staging"));
        assert_eq!(by_short('d').map(|f| f.long), Some("domains"));
        assert_eq!(verb("update-account"), Some("update_account"));
        assert_eq!(verb("install_timer"), Some("install-timer"));
        assert_eq!(verb("example.com"), None);
    }
}
