//! The built-in flags, one `static` each (code names a flag by its static,
//! so a misspelt flag does not compile). Certbot's names; `conf` is the key
//! Certbot keeps the value under in `[renewalparams]`.

mod compat;
mod dns;
mod plugins;

pub use compat::*;
pub use dns::*;
pub use plugins::*;

use super::flags::{Flag, Kind, count, switch, value};

pub static HELP: Flag = switch(
    "help",
    "options",
    "Print this overview; -h TOPIC: help on a topic, verb or plugin",
)
.short('h');
pub static VERSION: Flag = switch("version", "automation", "Print the version and exit");
pub static NON_INTERACTIVE: Flag = switch(
    "non-interactive",
    "options",
    "Never ask; fail where an answer is needed",
)
.short('n')
.aliases(&["noninteractive"])
.topics(&["automation", "run", "certonly", "enhance"]);
pub static QUIET: Flag = switch("quiet", "automation", "Print errors only")
    .short('q')
    .topics(&["run", "certonly", "renew"]);
pub static JSON: Flag = switch(
    "json",
    "options",
    "certificates, checkpoints: print one JSON object instead (schemas: docs/schema/ in the source)",
)
.topics(&["certificates", "checkpoints", "manage"]);
pub static VERBOSE: Flag = count("verbose", "options", "More output (repeat for more)").short('v');
pub static CONFIG: Flag = value(
    "config",
    "FILE",
    "options",
    "Read flags from this cli.ini file",
)
.kind(Kind::Path)
.short('c');
pub static CONFIG_DIR: Flag = value(
    "config-dir",
    "DIR",
    "paths",
    "Certificates, accounts and renewal confs (default /etc/letsencrypt)",
)
.kind(Kind::Path);
pub static WORK_DIR: Flag = value(
    "work-dir",
    "DIR",
    "paths",
    "Checkpoints and transaction state (default /var/lib/certsmith)",
)
.kind(Kind::Path);
pub static LOGS_DIR: Flag = value(
    "logs-dir",
    "DIR",
    "paths",
    "Log files (default /var/log/certsmith)",
)
.kind(Kind::Path);
pub static MAX_LOG_BACKUPS: Flag = value(
    "max-log-backups",
    "N",
    "options",
    "Log files to keep (default 1000; 0 = one appended file)",
)
.kind(Kind::Number);
pub static DRY_RUN: Flag = switch(
    "dry-run",
    "options",
    "Test without saving anything (ACME: staging server)",
)
.topics(&["testing", "certonly", "renew"]);
pub static PRECONFIGURED_RENEWAL: Flag = switch(
    "preconfigured-renewal",
    "options",
    "Debian's packaged cli.ini sets it",
)
.no_op();
pub static SERVER: Flag = value(
    "server",
    "URL",
    "paths",
    "ACME directory URL (default Let's Encrypt)",
)
.conf("server")
.topics(&["show_account"]);
pub static STAGING: Flag =
    switch("staging", "testing", "Use Let's Encrypt's staging server").aliases(&["test-cert"]);
pub static CA_BUNDLE: Flag = value(
    "ca-bundle",
    "FILE",
    "security",
    "Trust these CA certificates for the ACME server's TLS",
)
.kind(Kind::Path)
.conf("ca_bundle");
pub static EMAIL: Flag = value(
    "email",
    "EMAIL",
    "register",
    "Contact email for the ACME account",
)
.short('m')
.topics(&["automation", "update_account", "unregister"]);
pub static ACCOUNT: Flag = value(
    "account",
    "ACCOUNT_ID",
    "unregister",
    "Use this stored account (its id, as accounts/SERVER/ID)",
)
.conf("account")
.topics(&["automation"]);
pub static AGREE_TOS: Flag = switch(
    "agree-tos",
    "automation",
    "Agree to the ACME server's terms of service",
);
pub static REGISTER_UNSAFELY_WITHOUT_EMAIL: Flag = switch(
    "register-unsafely-without-email",
    "register",
    "Register without a contact email",
)
.topics(&["automation"]);
pub static EAB_KID: Flag = value(
    "eab-kid",
    "KID",
    "options",
    "External account binding key id",
)
.topics(&["run", "certonly", "register"]);
pub static EAB_HMAC_KEY: Flag = value(
    "eab-hmac-key",
    "KEY",
    "options",
    "External account binding HMAC key (base64url)",
)
.secret()
.topics(&["run", "certonly", "register"]);
pub static EFF_EMAIL: Flag = switch("eff-email", "register", "certsmith shares no email")
    .negation("no-eff-email")
    .topics(&["automation", "update_account"])
    .no_op();
pub static DOMAINS: Flag = value(
    "domains",
    "NAMES",
    "options",
    "Names for the certificate (repeatable, comma-separated)",
)
.short('d')
.aliases(&["domain"])
.topics(&["run", "certonly", "certificates", "enhance"]);
pub static CERT_NAME: Flag = value("cert-name", "NAME", "options", "Lineage name").topics(&[
    "manage",
    "run",
    "certonly",
    "renew",
    "certificates",
    "delete",
    "enhance",
]);
pub static EXPAND: Flag = switch(
    "expand",
    "automation",
    "Replace a lineage with one for more names",
);
pub static DUPLICATE: Flag = switch(
    "duplicate",
    "automation",
    "Make a new lineage even if one matches",
);
pub static FORCE_RENEWAL: Flag = switch("force-renewal", "automation", "Renew even if not due")
    .aliases(&["renew-by-default"])
    .topics(&["renew"]);
pub static ALLOW_SUBSET_OF_NAMES: Flag = switch(
    "allow-subset-of-names",
    "automation",
    "Drop names that fail authorization",
)
.conf("allow_subset_of_names")
.topics(&["certonly", "renew"]);
pub static PREFERRED_CHAIN: Flag = value(
    "preferred-chain",
    "ISSUER",
    "options",
    "Prefer the alternate chain whose top issuer has this common name",
)
.conf("preferred_chain")
.topics(&["run", "certonly", "renew"]);
pub static MUST_STAPLE: Flag = switch(
    "must-staple",
    "security",
    "Add the OCSP Must-Staple extension",
)
.conf("must_staple");
pub static CSR: Flag =
    value("csr", "FILE", "certonly", "Use this CSR (PEM or DER)").kind(Kind::Path);
pub static KEY_TYPE: Flag = value(
    "key-type",
    "ecdsa|rsa",
    "security",
    "Private key type (default ecdsa)",
)
.kind(Kind::Choice(&["ecdsa", "rsa"]))
.conf("key_type");
pub static ELLIPTIC_CURVE: Flag = value(
    "elliptic-curve",
    "CURVE",
    "security",
    "secp256r1 (default) or secp384r1",
)
.conf("elliptic_curve");
pub static RSA_KEY_SIZE: Flag = value(
    "rsa-key-size",
    "BITS",
    "security",
    "2048 (default), 3072 or 4096",
)
.kind(Kind::Number)
.conf("rsa_key_size");
pub static REUSE_KEY: Flag = switch(
    "reuse-key",
    "automation",
    "Keep the lineage's private key on renewal",
)
.conf("reuse_key");
pub static NEW_KEY: Flag = switch(
    "new-key",
    "automation",
    "Make a new private key this once, even if the lineage reuses its key (with --reuse-key: reuse the new key afterwards)",
);
pub static PROFILE: Flag = value("profile", "NAME", "certonly", "ACME profile to request")
    .conf("profile")
    .topics(&["renew"]);
pub static CERT_PATH: Flag = value(
    "cert-path",
    "FILE",
    "paths",
    "Certificate file (install, revoke)",
)
.kind(Kind::Path)
.topics(&["manage", "certonly", "revoke", "install"]);
pub static KEY_PATH: Flag = value(
    "key-path",
    "FILE",
    "paths",
    "Private key file (install, revoke)",
)
.kind(Kind::Path)
.topics(&["revoke", "install"]);
pub static FULLCHAIN_PATH: Flag = value(
    "fullchain-path",
    "FILE",
    "paths",
    "Full chain file (install)",
)
.kind(Kind::Path)
.topics(&["install"]);
pub static CHAIN_PATH: Flag = value("chain-path", "FILE", "paths", "Chain file (install)")
    .kind(Kind::Path)
    .topics(&["install"]);
pub static REASON: Flag = value(
    "reason",
    "REASON",
    "revoke",
    "Revocation reason: unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation",
);
pub static DELETE_AFTER_REVOKE: Flag = switch(
    "delete-after-revoke",
    "revoke",
    "Delete the lineage after revoking it",
)
.negation("no-delete-after-revoke");
pub static FORCE: Flag = switch(
    "force",
    "delete",
    "delete: even while a server config still uses the lineage",
);
pub static REDIRECT: Flag = switch("redirect", "security", "Redirect http to https")
    .negation("no-redirect")
    .topics(&["enhance"]);
pub static HSTS: Flag = switch("hsts", "security", "Add Strict-Transport-Security")
    .negation("no-hsts")
    .topics(&["enhance"]);
pub static UIR: Flag = switch(
    "uir",
    "security",
    "Add Content-Security-Policy upgrade-insecure-requests",
)
.negation("no-uir")
.topics(&["enhance"]);
pub static STAPLE_OCSP: Flag =
    switch("staple-ocsp", "security", "Turn on OCSP stapling").negation("no-staple-ocsp");
pub static CHECKPOINTS: Flag = value(
    "checkpoints",
    "N",
    "rollback",
    "How many checkpoints to undo (default 1)",
)
.kind(Kind::Number);
pub static PRE_HOOK: Flag =
    value("pre-hook", "CMD", "renew", "Run before any renewal").conf("pre_hook");
pub static POST_HOOK: Flag =
    value("post-hook", "CMD", "renew", "Run after renewals").conf("post_hook");
pub static DEPLOY_HOOK: Flag = value(
    "deploy-hook",
    "CMD",
    "renew",
    "Run for each renewed lineage",
)
.aliases(&["renew-hook"])
.conf("renew_hook");
pub static NO_DIRECTORY_HOOKS: Flag = switch(
    "no-directory-hooks",
    "renew",
    "Skip renewal-hooks/ executables",
);
pub static DISABLE_HOOK_VALIDATION: Flag = switch(
    "disable-hook-validation",
    "renew",
    "Certbot's check of hook commands",
)
.no_op();
pub static NO_RANDOM_SLEEP_ON_RENEW: Flag = switch(
    "no-random-sleep-on-renew",
    "renew",
    "Do not sleep before renewing when not interactive",
)
.topics(&["automation"]);
pub static AUTORENEW: Flag = switch(
    "autorenew",
    "renew",
    "renew renews this certificate when due (the default); --no-autorenew: only with --force-renewal (kept in its renewal conf)",
)
.negation("no-autorenew")
.conf("autorenew");
pub static HOOK_TIMEOUT: Flag = value(
    "hook-timeout",
    "SECONDS",
    "renew",
    "Kill a hook that runs longer (default 600)",
)
.kind(Kind::Number);
pub static RENEW_BEFORE_EXPIRY: Flag = value(
    "renew-before-expiry",
    "DAYS",
    "renew",
    "Renew this many days before expiry",
)
.kind(Kind::Number);
pub static TIMER: Flag = value(
    "timer",
    "auto|systemd|cron",
    "install-timer",
    "Which scheduler to use (default auto: systemd when it runs, else cron)",
)
.kind(Kind::Choice(&["auto", "systemd", "cron"]));
pub static SYSTEMD_DIR: Flag = value(
    "systemd-dir",
    "DIR",
    "install-timer",
    "Where the systemd units go (default /etc/systemd/system)",
)
.kind(Kind::Path);
pub static CRON_DIR: Flag = value(
    "cron-dir",
    "DIR",
    "install-timer",
    "Where the cron file goes (default /etc/cron.d)",
)
.kind(Kind::Path);
pub static LOGROTATE_DIR: Flag = value(
    "logrotate-dir",
    "DIR",
    "install-timer",
    "Where the logrotate rule for the logs dir goes (default /etc/logrotate.d)",
)
.kind(Kind::Path);

pub static PLUGINS_INIT: Flag = switch(
    "init",
    "plugins",
    "plugins: set each plugin up from the options and say how",
);
pub static PLUGINS_PREPARE: Flag = switch(
    "prepare",
    "plugins",
    "plugins: also prepare each one (an installer tests its server's configuration); list only those available",
);
pub static PLUGINS_AUTHENTICATORS: Flag = switch(
    "authenticators",
    "plugins",
    "plugins: list authenticators only",
);
pub static PLUGINS_INSTALLERS: Flag =
    switch("installers", "plugins", "plugins: list installers only");

pub static CORE: &[&Flag] = &[
    &HELP,
    &VERSION,
    &NON_INTERACTIVE,
    &QUIET,
    &JSON,
    &VERBOSE,
    &CONFIG,
    &CONFIG_DIR,
    &WORK_DIR,
    &LOGS_DIR,
    &MAX_LOG_BACKUPS,
    &DRY_RUN,
    &PRECONFIGURED_RENEWAL,
    &SERVER,
    &STAGING,
    &CA_BUNDLE,
    &EMAIL,
    &ACCOUNT,
    &AGREE_TOS,
    &REGISTER_UNSAFELY_WITHOUT_EMAIL,
    &EAB_KID,
    &EAB_HMAC_KEY,
    &EFF_EMAIL,
    &DOMAINS,
    &CERT_NAME,
    &EXPAND,
    &DUPLICATE,
    &FORCE_RENEWAL,
    &ALLOW_SUBSET_OF_NAMES,
    &PREFERRED_CHAIN,
    &MUST_STAPLE,
    &CSR,
    &KEY_TYPE,
    &ELLIPTIC_CURVE,
    &RSA_KEY_SIZE,
    &REUSE_KEY,
    &NEW_KEY,
    &PROFILE,
    &CERT_PATH,
    &KEY_PATH,
    &FULLCHAIN_PATH,
    &CHAIN_PATH,
    &REASON,
    &DELETE_AFTER_REVOKE,
    &FORCE,
    &AUTHENTICATOR,
    &INSTALLER,
    &STANDALONE,
    &WEBROOT,
    &MANUAL,
    &NGINX,
    &APACHE,
    &DNS_RFC2136,
    &PREFERRED_CHALLENGES,
    &HTTP_01_ADDRESS,
    &HTTP_01_PORT,
    &HTTPS_PORT,
    &WEBROOT_PATH,
    &WEBROOT_MAP,
    &MANUAL_AUTH_HOOK,
    &MANUAL_CLEANUP_HOOK,
    &MANUAL_PUBLIC_IP_LOGGING_OK,
    &DNS_RFC2136_CREDENTIALS,
    &DNS_RFC2136_PROPAGATION_SECONDS,
    &DNS_CLOUDFLARE.selector,
    &DNS_CLOUDFLARE.credentials,
    &DNS_CLOUDFLARE.propagation_seconds,
    &DNS_DIGITALOCEAN.selector,
    &DNS_DIGITALOCEAN.credentials,
    &DNS_DIGITALOCEAN.propagation_seconds,
    &DNS_DNSIMPLE.selector,
    &DNS_DNSIMPLE.credentials,
    &DNS_DNSIMPLE.propagation_seconds,
    &DNS_DNSMADEEASY.selector,
    &DNS_DNSMADEEASY.credentials,
    &DNS_DNSMADEEASY.propagation_seconds,
    &DNS_GEHIRN.selector,
    &DNS_GEHIRN.credentials,
    &DNS_GEHIRN.propagation_seconds,
    &DNS_GOOGLE.selector,
    &DNS_GOOGLE.credentials,
    &DNS_GOOGLE.propagation_seconds,
    &DNS_LINODE.selector,
    &DNS_LINODE.credentials,
    &DNS_LINODE.propagation_seconds,
    &DNS_LUADNS.selector,
    &DNS_LUADNS.credentials,
    &DNS_LUADNS.propagation_seconds,
    &DNS_NSONE.selector,
    &DNS_NSONE.credentials,
    &DNS_NSONE.propagation_seconds,
    &DNS_OVH.selector,
    &DNS_OVH.credentials,
    &DNS_OVH.propagation_seconds,
    &DNS_ROUTE53,
    &DNS_ROUTE53_PROPAGATION_SECONDS,
    &DNS_SAKURACLOUD.selector,
    &DNS_SAKURACLOUD.credentials,
    &DNS_SAKURACLOUD.propagation_seconds,
    &NGINX_SERVER_ROOT,
    &NGINX_CTL,
    &APACHE_SERVER_ROOT,
    &APACHE_CTL,
    &APACHE_ENMOD,
    &APACHE_DISMOD,
    &APACHE_BIN,
    &APACHE_CHALLENGE_LOCATION,
    &APACHE_LOGS_ROOT,
    &NGINX_SLEEP_SECONDS,
    &APACHE_VHOST_ROOT,
    &APACHE_LE_VHOST_EXT,
    &APACHE_HANDLE_MODULES,
    &APACHE_HANDLE_SITES,
    &REDIRECT,
    &HSTS,
    &UIR,
    &STAPLE_OCSP,
    &CHECKPOINTS,
    &PRE_HOOK,
    &POST_HOOK,
    &DEPLOY_HOOK,
    &NO_DIRECTORY_HOOKS,
    &DISABLE_HOOK_VALIDATION,
    &NO_RANDOM_SLEEP_ON_RENEW,
    &AUTORENEW,
    &HOOK_TIMEOUT,
    &RENEW_BEFORE_EXPIRY,
    &TIMER,
    &SYSTEMD_DIR,
    &CRON_DIR,
    &LOGROTATE_DIR,
    &FORCE_INTERACTIVE,
    &DEBUG,
    &DEBUG_CHALLENGES,
    &NO_VERIFY_SSL,
    &BREAK_MY_CERTS,
    &ISSUANCE_TIMEOUT,
    &USER_AGENT,
    &USER_AGENT_COMMENT,
    &KEEP_UNTIL_EXPIRING,
    &RENEW_WITH_NEW_DOMAINS,
    &NO_REUSE_KEY,
    &STRICT_PERMISSIONS,
    &AUTO_HSTS,
    &DISABLE_RENEW_UPDATES,
    &PLUGINS_INIT,
    &PLUGINS_PREPARE,
    &PLUGINS_AUTHENTICATORS,
    &PLUGINS_INSTALLERS,
    &CONFIGURATOR,
];
