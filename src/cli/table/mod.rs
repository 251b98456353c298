//! The built-in flags, one `static` each (code names a flag by its static,
//! so a misspelt flag does not compile). Certbot's names; `conf` is the key
//! Certbot keeps the value under in `[renewalparams]`.

mod plugins;

pub use plugins::*;

use super::flags::{Flag, Kind, count, switch, value};

pub static HELP: Flag = switch("help", "general", "Print help and exit").short('h');
pub static VERSION: Flag = switch("version", "general", "Print the version and exit");
pub static NON_INTERACTIVE: Flag = switch(
    "non-interactive",
    "general",
    "Never ask; fail where an answer is needed",
)
.short('n')
.aliases(&["noninteractive"]);
pub static QUIET: Flag = switch("quiet", "general", "Print errors only").short('q');
pub static VERBOSE: Flag = count("verbose", "general", "More output (repeat for more)").short('v');
pub static CONFIG: Flag = value(
    "config",
    "FILE",
    "general",
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
    "paths",
    "Log files to keep (default 1000; 0 = one appended file)",
)
.kind(Kind::Number);
pub static DRY_RUN: Flag = switch(
    "dry-run",
    "general",
    "Test without saving anything (ACME: staging server)",
);
pub static PRECONFIGURED_RENEWAL: Flag = switch(
    "preconfigured-renewal",
    "general",
    "Accepted for compatibility with Debian's cli.ini; no effect",
);
pub static SERVER: Flag = value(
    "server",
    "URL",
    "acme",
    "ACME directory URL (default Let's Encrypt)",
)
.conf("server");
pub static STAGING: Flag =
    switch("staging", "acme", "Use Let's Encrypt's staging server").aliases(&["test-cert"]);
pub static CA_BUNDLE: Flag = value(
    "ca-bundle",
    "FILE",
    "acme",
    "Trust these CA certificates for the ACME server's TLS",
)
.kind(Kind::Path)
.conf("ca_bundle");
pub static EMAIL: Flag = value(
    "email",
    "EMAIL",
    "account",
    "Contact email for the ACME account",
)
.short('m');
pub static ACCOUNT: Flag = value(
    "account",
    "ACCOUNT_ID",
    "account",
    "Use this stored account (its id, as accounts/SERVER/ID)",
)
.conf("account");
pub static AGREE_TOS: Flag = switch(
    "agree-tos",
    "account",
    "Agree to the ACME server's terms of service",
);
pub static REGISTER_UNSAFELY_WITHOUT_EMAIL: Flag = switch(
    "register-unsafely-without-email",
    "account",
    "Register without a contact email",
);
pub static EAB_KID: Flag = value(
    "eab-kid",
    "KID",
    "account",
    "External account binding key id",
);
pub static EAB_HMAC_KEY: Flag = value(
    "eab-hmac-key",
    "KEY",
    "account",
    "External account binding HMAC key (base64url)",
)
.secret();
pub static EFF_EMAIL: Flag = switch(
    "eff-email",
    "account",
    "Accepted for compatibility; certsmith shares no email",
)
.negation("no-eff-email");
pub static DOMAINS: Flag = value(
    "domains",
    "NAMES",
    "certificate",
    "Names for the certificate (repeatable, comma-separated)",
)
.short('d')
.aliases(&["domain"]);
pub static CERT_NAME: Flag = value("cert-name", "NAME", "certificate", "Lineage name");
pub static EXPAND: Flag = switch(
    "expand",
    "certificate",
    "Replace a lineage with one for more names",
);
pub static DUPLICATE: Flag = switch(
    "duplicate",
    "certificate",
    "Make a new lineage even if one matches",
);
pub static FORCE_RENEWAL: Flag =
    switch("force-renewal", "certificate", "Renew even if not due").aliases(&["renew-by-default"]);
pub static ALLOW_SUBSET_OF_NAMES: Flag = switch(
    "allow-subset-of-names",
    "certificate",
    "Drop names that fail authorization",
)
.conf("allow_subset_of_names");
pub static PREFERRED_CHAIN: Flag = value(
    "preferred-chain",
    "ISSUER",
    "certificate",
    "Prefer the alternate chain whose top issuer has this common name",
)
.conf("preferred_chain");
pub static MUST_STAPLE: Flag = switch(
    "must-staple",
    "certificate",
    "Add the OCSP Must-Staple extension",
)
.conf("must_staple");
pub static CSR: Flag =
    value("csr", "FILE", "certificate", "Use this CSR (PEM or DER)").kind(Kind::Path);
pub static KEY_TYPE: Flag = value(
    "key-type",
    "ecdsa|rsa",
    "certificate",
    "Private key type (default ecdsa)",
)
.kind(Kind::Choice(&["ecdsa", "rsa"]))
.conf("key_type");
pub static ELLIPTIC_CURVE: Flag = value(
    "elliptic-curve",
    "CURVE",
    "certificate",
    "secp256r1 (default) or secp384r1",
)
.conf("elliptic_curve");
pub static RSA_KEY_SIZE: Flag = value(
    "rsa-key-size",
    "BITS",
    "certificate",
    "2048 (default), 3072 or 4096",
)
.kind(Kind::Number)
.conf("rsa_key_size");
pub static REUSE_KEY: Flag = switch(
    "reuse-key",
    "certificate",
    "Keep the lineage's private key on renewal",
)
.conf("reuse_key");
pub static NEW_KEY: Flag = switch(
    "new-key",
    "certificate",
    "Make a new private key this once, even if the lineage reuses its key (with --reuse-key: reuse the new key afterwards)",
);
pub static PROFILE: Flag =
    value("profile", "NAME", "certificate", "ACME profile to request").conf("profile");
pub static CERT_PATH: Flag = value(
    "cert-path",
    "FILE",
    "paths",
    "Certificate file (install, revoke)",
)
.kind(Kind::Path);
pub static KEY_PATH: Flag = value(
    "key-path",
    "FILE",
    "paths",
    "Private key file (install, revoke)",
)
.kind(Kind::Path);
pub static FULLCHAIN_PATH: Flag = value(
    "fullchain-path",
    "FILE",
    "paths",
    "Full chain file (install)",
)
.kind(Kind::Path);
pub static CHAIN_PATH: Flag =
    value("chain-path", "FILE", "paths", "Chain file (install)").kind(Kind::Path);
pub static REASON: Flag = value(
    "reason",
    "REASON",
    "certificate",
    "Revocation reason: unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation",
);
pub static DELETE_AFTER_REVOKE: Flag = switch(
    "delete-after-revoke",
    "certificate",
    "Delete the lineage after revoking it",
)
.negation("no-delete-after-revoke");
pub static FORCE: Flag = switch(
    "force",
    "certificate",
    "delete: even while a server config still uses the lineage",
);
pub static REDIRECT: Flag =
    switch("redirect", "enhance", "Redirect http to https").negation("no-redirect");
pub static HSTS: Flag =
    switch("hsts", "enhance", "Add Strict-Transport-Security").negation("no-hsts");
pub static UIR: Flag = switch(
    "uir",
    "enhance",
    "Add Content-Security-Policy upgrade-insecure-requests",
)
.negation("no-uir");
pub static STAPLE_OCSP: Flag =
    switch("staple-ocsp", "enhance", "Turn on OCSP stapling").negation("no-staple-ocsp");
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
    "Accepted for compatibility; no effect",
);
pub static NO_RANDOM_SLEEP_ON_RENEW: Flag = switch(
    "no-random-sleep-on-renew",
    "renew",
    "Do not sleep before renewing when not interactive",
);
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

// Certbot's options certsmith accepts so that command lines and cli.ini
// files written for Certbot keep working; each says what it does here.
pub static FORCE_INTERACTIVE: Flag = switch(
    "force-interactive",
    "general",
    "Ask questions even without a terminal on stdin",
);
pub static DEBUG: Flag = switch(
    "debug",
    "testing",
    "Accepted for compatibility; no effect (the log file has the details of an error)",
);
pub static DEBUG_CHALLENGES: Flag = switch(
    "debug-challenges",
    "testing",
    "Accepted for compatibility; no effect",
);
pub static NO_VERIFY_SSL: Flag = switch(
    "no-verify-ssl",
    "testing",
    "Accepted for compatibility; no effect: certsmith always verifies the ACME server (trust a private CA with --ca-bundle)",
);
pub static BREAK_MY_CERTS: Flag = switch(
    "break-my-certs",
    "testing",
    "Allow replacing a certificate from a production server with one from a staging server (\"staging\" in its URL)",
);
pub static ISSUANCE_TIMEOUT: Flag = value(
    "issuance-timeout",
    "SECONDS",
    "acme",
    "Accepted for compatibility; no effect (certsmith's own timeouts apply)",
)
.kind(Kind::Number);
pub static USER_AGENT: Flag = value(
    "user-agent",
    "USER_AGENT",
    "acme",
    "Accepted for compatibility; no effect (certsmith names itself certsmith/VERSION)",
);
pub static USER_AGENT_COMMENT: Flag = value(
    "user-agent-comment",
    "COMMENT",
    "acme",
    "Accepted for compatibility; no effect",
);
pub static KEEP_UNTIL_EXPIRING: Flag = switch(
    "keep-until-expiring",
    "certificate",
    "Accepted for compatibility; no effect: certsmith keeps a matching certificate until it is due unless --force-renewal",
)
.aliases(&["keep", "reinstall"]);
pub static RENEW_WITH_NEW_DOMAINS: Flag = switch(
    "renew-with-new-domains",
    "certificate",
    "Accepted for compatibility; no effect",
);
pub static NO_REUSE_KEY: Flag = switch(
    "no-reuse-key",
    "certificate",
    "Do not keep the lineage's private key on renewal (unsets --reuse-key)",
);
pub static STRICT_PERMISSIONS: Flag = switch(
    "strict-permissions",
    "security",
    "Accepted for compatibility; no effect",
);
pub static AUTO_HSTS: Flag = switch(
    "auto-hsts",
    "enhance",
    "Accepted for compatibility; no effect (use --hsts)",
);
pub static DISABLE_RENEW_UPDATES: Flag = switch(
    "disable-renew-updates",
    "renew",
    "Accepted for compatibility; no effect (renew makes no configuration updates)",
);
pub static PLUGINS_INIT: Flag = switch(
    "init",
    "plugins verb",
    "Accepted for compatibility; no effect",
);
pub static PLUGINS_PREPARE: Flag = switch(
    "prepare",
    "plugins verb",
    "Accepted for compatibility; no effect",
);
pub static PLUGINS_AUTHENTICATORS: Flag = switch(
    "authenticators",
    "plugins verb",
    "Accepted for compatibility; no effect",
);
pub static PLUGINS_INSTALLERS: Flag = switch(
    "installers",
    "plugins verb",
    "Accepted for compatibility; no effect",
);

pub static CORE: &[&Flag] = &[
    &HELP,
    &VERSION,
    &NON_INTERACTIVE,
    &QUIET,
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
