//! Certbot's options certsmith accepts so that command lines and cli.ini
//! files written for Certbot keep working; each says what it does here, and
//! those that do nothing are marked [`Flag::no_op`].

use crate::cli::flags::Kind;
use crate::cli::flags::{Flag, switch, value};

pub static FORCE_INTERACTIVE: Flag = switch(
    "force-interactive",
    "options",
    "Ask questions even without a terminal on stdin",
)
.topics(&["run", "certonly", "register", "enhance"]);
pub static DEBUG: Flag = switch(
    "debug",
    "testing",
    "the log file has the details of an error",
)
.no_op();
pub static DEBUG_CHALLENGES: Flag = switch(
    "debug-challenges",
    "options",
    "Certbot pauses after setting up the challenges",
)
.topics(&["run", "certonly"])
.no_op();
pub static NO_VERIFY_SSL: Flag = switch(
    "no-verify-ssl",
    "testing",
    "certsmith always verifies the ACME server (trust a private CA with --ca-bundle)",
)
.no_op();
pub static BREAK_MY_CERTS: Flag = switch(
    "break-my-certs",
    "testing",
    "Allow replacing a certificate from a production server with one from a staging server (\"staging\" in its URL)",
);
pub static ISSUANCE_TIMEOUT: Flag = value(
    "issuance-timeout",
    "SECONDS",
    "options",
    "certsmith's own timeouts apply",
)
.kind(Kind::Number)
.topics(&["run", "certonly"])
.no_op();
pub static USER_AGENT: Flag = value(
    "user-agent",
    "USER_AGENT",
    "options",
    "certsmith names itself certsmith/VERSION",
)
.no_op();
pub static USER_AGENT_COMMENT: Flag = value(
    "user-agent-comment",
    "COMMENT",
    "options",
    "certsmith sends no comment",
)
.no_op();
pub static KEEP_UNTIL_EXPIRING: Flag = switch(
    "keep-until-expiring",
    "automation",
    "Keep a certificate with the same names until it is due, without asking (run: install it again)",
)
.aliases(&["keep", "reinstall"])
.topics(&["run", "certonly"]);
pub static RENEW_WITH_NEW_DOMAINS: Flag = switch(
    "renew-with-new-domains",
    "automation",
    "Replace a --cert-name certificate with other names without asking",
);
pub static NO_REUSE_KEY: Flag = switch(
    "no-reuse-key",
    "automation",
    "Do not keep the lineage's private key on renewal (unsets --reuse-key)",
);
pub static STRICT_PERMISSIONS: Flag = switch(
    "strict-permissions",
    "security",
    "Certbot's check of its directories' owners and modes",
)
.no_op();
pub static AUTO_HSTS: Flag = switch("auto-hsts", "security", "use --hsts")
    .topics(&["enhance"])
    .no_op();
pub static DISABLE_RENEW_UPDATES: Flag = switch(
    "disable-renew-updates",
    "renew",
    "renew makes no configuration updates",
)
.no_op();
