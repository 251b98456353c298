//! The command line resolved, once, into typed options per concern. Nothing
//! above `cli` looks a flag up: commands read these fields. Defaults live
//! here, in one place. Plugins that bring flags of their own (registry
//! entries beyond the built-in ones) read them through [`Options::args`] by
//! their `static`, never by name.

use super::args::{RawArgs, UsageError, split_list};
use super::flags::{Flag, FlagSet};
use super::table as t;
use crate::acme::{ChallengeKind, KeySpec};
use std::path::PathBuf;

pub const DEFAULT_CONFIG_DIR: &str = "/etc/letsencrypt";
pub const DEFAULT_WORK_DIR: &str = "/var/lib/certsmith";
pub const DEFAULT_LOGS_DIR: &str = "/var/log/certsmith";
pub const DEFAULT_LOG_FILE: &str = "certsmith.log";
pub const CERTBOT_WORK_DIR: &str = "/var/lib/letsencrypt";
pub const CERTBOT_LOGS_DIR: &str = "/var/log/letsencrypt";
pub const CERTBOT_LOG_FILE: &str = "letsencrypt.log";

/// The defaults that depend on the name certsmith was invoked under: as
/// `certbot` (a symlink replacing Certbot), Certbot's work and logs
/// directories and log file name, so tools that read them keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    pub work_dir: &'static str,
    pub logs_dir: &'static str,
    pub log_file: &'static str,
}

impl Defaults {
    pub const CERTSMITH: Defaults = Defaults {
        work_dir: DEFAULT_WORK_DIR,
        logs_dir: DEFAULT_LOGS_DIR,
        log_file: DEFAULT_LOG_FILE,
    };
    pub const CERTBOT: Defaults = Defaults {
        work_dir: CERTBOT_WORK_DIR,
        logs_dir: CERTBOT_LOGS_DIR,
        log_file: CERTBOT_LOG_FILE,
    };

    /// By the file name of `argv[0]`: `certbot` gets Certbot's defaults.
    pub fn for_program(argv0: &str) -> Defaults {
        match std::path::Path::new(argv0).file_name() {
            Some(name) if name == "certbot" => Defaults::CERTBOT,
            _ => Defaults::CERTSMITH,
        }
    }
}

impl Default for Defaults {
    fn default() -> Defaults {
        Defaults::CERTSMITH
    }
}
pub const DEFAULT_HTTP_PORT: u16 = 80;
pub const DEFAULT_HTTPS_PORT: u16 = 443;
pub const DEFAULT_HOOK_TIMEOUT_SECS: u64 = 600;
pub const DEFAULT_MAX_LOG_BACKUPS: usize = 1000;
pub const DEFAULT_NGINX_ROOT: &str = "/etc/nginx";
pub const DEFAULT_NGINX_CTL: &str = "nginx";

/// Where things are kept.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub work_dir: PathBuf,
    pub logs_dir: PathBuf,
    /// The log file's name in `logs_dir`.
    pub log_file: &'static str,
    pub max_log_backups: usize,
}

/// What is printed and asked.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub quiet: bool,
    pub verbosity: usize,
    /// `-n` (or `-q`, which implies it, as in Certbot): never ask.
    pub non_interactive: bool,
    /// `--force-interactive`: ask even without a terminal.
    pub force_interactive: bool,
    /// `--json`: `certificates` and `checkpoints` print one JSON object
    /// (docs/schema/) instead of their text.
    pub json: bool,
}

impl Output {
    /// No prompts: `-n` (or `-q`), or no terminal to ask on and no
    /// `--force-interactive`.
    pub fn interactive(&self) -> bool {
        use std::io::IsTerminal;
        !self.non_interactive && (self.force_interactive || std::io::stdin().is_terminal())
    }
}

/// The ACME server.
#[derive(Debug, Clone, Default)]
pub struct AcmeServer {
    /// `--server`.
    pub server: Option<String>,
    /// `--staging` / `--test-cert`.
    pub staging: bool,
    pub ca_bundle: Option<PathBuf>,
}

/// How an ACME account is registered.
#[derive(Debug, Clone, Default)]
pub struct AccountOptions {
    /// `--account ID` (a lineage's stored account comes back as this).
    pub id: Option<String>,
    /// The account was named now (not restored from a renewal conf): it must exist.
    pub id_required: bool,
    pub emails: Vec<String>,
    pub agree_tos: bool,
    pub without_email: bool,
    pub eab_kid: Option<String>,
    pub eab_hmac_key: Option<String>,
}

/// The certificate asked for, and the lineage it goes to.
#[derive(Debug, Clone)]
pub struct CertOptions {
    /// `-d` names as given (split on commas), not yet checked.
    pub domains: Vec<String>,
    pub cert_name: Option<String>,
    pub expand: bool,
    pub duplicate: bool,
    /// `--keep-until-expiring`: keep a same-names certificate without asking.
    pub keep_until_expiring: bool,
    /// `--renew-with-new-domains`: change a `--cert-name` certificate's names
    /// without asking.
    pub renew_with_new_domains: bool,
    pub force_renewal: bool,
    /// Switches as set (`Some(false)`: turned off now, e.g. `--no-reuse-key`).
    pub allow_subset_of_names: Option<bool>,
    pub must_staple: Option<bool>,
    pub reuse_key: Option<bool>,
    /// `--new-key`: a new private key this once; `reuse_key` is left as it is.
    pub new_key: bool,
    pub csr: Option<PathBuf>,
    /// `--key-type`, `--elliptic-curve`, `--rsa-key-size`.
    pub key: KeySpec,
    pub preferred_chain: Option<String>,
    pub profile: Option<String>,
    /// `--preferred-challenges`, in order, without repeats.
    pub preferred_challenges: Vec<ChallengeKind>,
}

/// Certificate files named directly (`install`, `revoke`, `certonly --csr`).
#[derive(Debug, Clone, Default)]
pub struct CertFileOptions {
    pub cert_path: Option<PathBuf>,
    pub key_path: Option<PathBuf>,
    pub fullchain_path: Option<PathBuf>,
    pub chain_path: Option<PathBuf>,
}

/// `revoke` and `delete`.
#[derive(Debug, Clone, Default)]
pub struct RevokeOptions {
    pub reason: Option<String>,
    pub delete_after_revoke: Option<bool>,
    /// `delete`: even while a server config uses the lineage.
    pub force: bool,
}

/// The plugins named: `-a`, `-i` (the switches that choose a plugin,
/// `--standalone` and the like, are the registry's to read).
#[derive(Debug, Clone, Default)]
pub struct PluginNames {
    pub authenticator: Option<String>,
    pub installer: Option<String>,
}

/// Ports and addresses the http-01 / tls-alpn-01 answerers and the
/// installers use.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub http01_port: u16,
    pub https_port: u16,
    pub http01_address: Option<std::net::IpAddr>,
}

/// `--webroot` options: `-w` order matters (see [`RawArgs::sequence`]).
#[derive(Debug, Clone, Default)]
pub struct WebrootOptions {
    pub map_json: Option<String>,
    /// (name, root) pairs answered at the terminal (no `-w` for the name).
    pub asked: Vec<(String, PathBuf)>,
}

/// `--manual` options.
#[derive(Debug, Clone, Default)]
pub struct ManualOptions {
    pub auth_hook: Option<String>,
    pub cleanup_hook: Option<String>,
}

/// `--dns-rfc2136` options.
#[derive(Debug, Clone, Default)]
pub struct Rfc2136Options {
    pub credentials: Option<PathBuf>,
    pub propagation_seconds: Option<u64>,
}

/// `--nginx` options.
#[derive(Debug, Clone)]
pub struct NginxOptions {
    pub server_root: PathBuf,
    pub ctl: PathBuf,
    /// Whether `--nginx-server-root` was given (not the default).
    pub root_given: bool,
}

/// `--apache` options.
#[derive(Debug, Clone, Default)]
pub struct ApacheOptions {
    pub server_root: Option<PathBuf>,
    pub ctl: Option<PathBuf>,
    pub vhost_root: Option<PathBuf>,
    pub le_vhost_ext: Option<String>,
    pub handle_modules: bool,
    pub handle_sites: bool,
}

/// Redirect, HSTS, UIR, OCSP stapling, as set (`None`: not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct EnhanceOptions {
    pub redirect: Option<bool>,
    pub hsts: bool,
    pub uir: bool,
    pub staple_ocsp: bool,
}

/// Hooks given now (a lineage's stored ones come back through renewal).
#[derive(Debug, Clone)]
pub struct HookOptions {
    pub pre: Option<String>,
    pub post: Option<String>,
    pub deploy: Option<String>,
    pub timeout_secs: u64,
    pub no_directory_hooks: bool,
}

/// `renew`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenewOptions {
    pub renew_before_expiry_days: Option<u64>,
    pub no_random_sleep: bool,
    /// `--autorenew`/`--no-autorenew` (or the lineage's `autorenew`):
    /// `Some(false)`: `renew` renews it only when forced.
    pub autorenew: Option<bool>,
}

/// `install-timer`.
#[derive(Debug, Clone, Default)]
pub struct TimerOptions {
    /// `auto`, `systemd` or `cron` (checked).
    pub kind: String,
    pub systemd_dir: Option<PathBuf>,
    pub cron_dir: Option<PathBuf>,
    pub logrotate_dir: Option<PathBuf>,
}

/// Everything a command needs from the command line and cli.ini, typed.
#[derive(Debug, Clone)]
pub struct Options {
    pub verb: &'static str,
    /// Words after the verb (`conf get PATH` -> `["get", "PATH"]`).
    pub positionals: Vec<String>,
    pub dry_run: bool,
    /// `--break-my-certs`: a staging server's certificate may replace a
    /// production one (`--dry-run` implies it, as in Certbot).
    pub break_my_certs: bool,
    pub paths: Paths,
    pub output: Output,
    pub acme: AcmeServer,
    pub account: AccountOptions,
    pub cert: CertOptions,
    pub files: CertFileOptions,
    pub revoke: RevokeOptions,
    pub plugins: PluginNames,
    pub ports: Ports,
    pub webroot: WebrootOptions,
    pub manual: ManualOptions,
    pub rfc2136: Rfc2136Options,
    pub nginx: NginxOptions,
    pub apache: ApacheOptions,
    pub enhance: EnhanceOptions,
    pub hooks: HookOptions,
    pub renew: RenewOptions,
    pub rollback_checkpoints: usize,
    pub timer: TimerOptions,
    pub help: bool,
    pub version: bool,
    /// The raw flags these were resolved from (renewal puts a lineage's
    /// stored flags under them and resolves again) and the flags known.
    args: RawArgs,
    set: FlagSet,
    defaults: Defaults,
}

impl Options {
    /// Check every value against its flag's kind, then resolve.
    pub fn resolve(args: RawArgs, set: FlagSet) -> Result<Options, UsageError> {
        Options::resolve_with(args, set, Defaults::CERTSMITH)
    }

    /// [`Options::resolve`] with the defaults of the name certsmith runs as.
    pub fn resolve_with(
        args: RawArgs,
        set: FlagSet,
        defaults: Defaults,
    ) -> Result<Options, UsageError> {
        check_values(&args, &set)?;
        let a = &args;
        let text = |f: &'static Flag| a.value(f).map(str::to_string);
        let port = |f: &'static Flag, default: u16| -> Result<u16, UsageError> {
            Ok(a.parsed::<u16>(f)?.unwrap_or(default))
        };
        let http01_address = match a.value(&t::HTTP_01_ADDRESS) {
            Some(s) if !s.is_empty() => Some(s.parse().map_err(|_| {
                UsageError(format!("--http-01-address: {s:?} is not an IP address"))
            })?),
            _ => None,
        };
        let options = Options {
            verb: args.verb.unwrap_or("run"),
            positionals: args.positionals.clone(),
            dry_run: a.flag(&t::DRY_RUN),
            break_my_certs: a.flag(&t::BREAK_MY_CERTS) || a.flag(&t::DRY_RUN),
            paths: Paths {
                config_dir: a
                    .path(&t::CONFIG_DIR)
                    .unwrap_or_else(|| DEFAULT_CONFIG_DIR.into()),
                work_dir: a
                    .path(&t::WORK_DIR)
                    .unwrap_or_else(|| defaults.work_dir.into()),
                logs_dir: a
                    .path(&t::LOGS_DIR)
                    .unwrap_or_else(|| defaults.logs_dir.into()),
                log_file: defaults.log_file,
                max_log_backups: a
                    .parsed::<usize>(&t::MAX_LOG_BACKUPS)?
                    .unwrap_or(DEFAULT_MAX_LOG_BACKUPS),
            },
            output: Output {
                quiet: a.flag(&t::QUIET),
                verbosity: a.count(&t::VERBOSE),
                non_interactive: a.flag(&t::NON_INTERACTIVE) || a.flag(&t::QUIET),
                force_interactive: a.flag(&t::FORCE_INTERACTIVE),
                json: a.flag(&t::JSON),
            },
            acme: AcmeServer {
                server: text(&t::SERVER),
                staging: a.flag(&t::STAGING),
                ca_bundle: a.path(&t::CA_BUNDLE),
            },
            account: AccountOptions {
                id: text(&t::ACCOUNT),
                id_required: a.given(&t::ACCOUNT),
                emails: split_list(a.values(&t::EMAIL)),
                agree_tos: a.flag(&t::AGREE_TOS),
                without_email: a.flag(&t::REGISTER_UNSAFELY_WITHOUT_EMAIL),
                eab_kid: text(&t::EAB_KID),
                eab_hmac_key: text(&t::EAB_HMAC_KEY),
            },
            cert: CertOptions {
                domains: domains(a)?,
                cert_name: text(&t::CERT_NAME),
                expand: a.flag(&t::EXPAND),
                duplicate: a.flag(&t::DUPLICATE),
                keep_until_expiring: a.flag(&t::KEEP_UNTIL_EXPIRING),
                renew_with_new_domains: a.flag(&t::RENEW_WITH_NEW_DOMAINS),
                force_renewal: a.flag(&t::FORCE_RENEWAL),
                allow_subset_of_names: a.switch(&t::ALLOW_SUBSET_OF_NAMES),
                must_staple: a.switch(&t::MUST_STAPLE),
                reuse_key: reuse_key(a),
                new_key: a.flag(&t::NEW_KEY),
                csr: a.path(&t::CSR),
                key: KeySpec::from_flags(
                    a.value(&t::KEY_TYPE),
                    a.value(&t::ELLIPTIC_CURVE),
                    a.parsed::<u32>(&t::RSA_KEY_SIZE)?,
                )
                .map_err(UsageError)?,
                preferred_chain: text(&t::PREFERRED_CHAIN),
                profile: text(&t::PROFILE),
                preferred_challenges: preferred_challenges(a)?,
            },
            files: CertFileOptions {
                cert_path: a.path(&t::CERT_PATH),
                key_path: a.path(&t::KEY_PATH),
                fullchain_path: a.path(&t::FULLCHAIN_PATH),
                chain_path: a.path(&t::CHAIN_PATH),
            },
            revoke: RevokeOptions {
                reason: text(&t::REASON),
                delete_after_revoke: a.switch(&t::DELETE_AFTER_REVOKE),
                force: a.flag(&t::FORCE),
            },
            plugins: plugin_names(a)?,
            ports: Ports {
                http01_port: port(&t::HTTP_01_PORT, DEFAULT_HTTP_PORT)?,
                https_port: port(&t::HTTPS_PORT, DEFAULT_HTTPS_PORT)?,
                http01_address,
            },
            webroot: WebrootOptions {
                map_json: text(&t::WEBROOT_MAP),
                asked: Vec::new(),
            },
            manual: ManualOptions {
                auth_hook: text(&t::MANUAL_AUTH_HOOK),
                cleanup_hook: text(&t::MANUAL_CLEANUP_HOOK),
            },
            rfc2136: Rfc2136Options {
                credentials: a.path(&t::DNS_RFC2136_CREDENTIALS),
                propagation_seconds: a.parsed::<u64>(&t::DNS_RFC2136_PROPAGATION_SECONDS)?,
            },
            nginx: NginxOptions {
                server_root: a
                    .path(&t::NGINX_SERVER_ROOT)
                    .unwrap_or_else(|| DEFAULT_NGINX_ROOT.into()),
                ctl: a
                    .path(&t::NGINX_CTL)
                    .unwrap_or_else(|| DEFAULT_NGINX_CTL.into()),
                root_given: a.given(&t::NGINX_SERVER_ROOT),
            },
            apache: ApacheOptions {
                server_root: a.path(&t::APACHE_SERVER_ROOT),
                ctl: a.path(&t::APACHE_CTL),
                vhost_root: a.path(&t::APACHE_VHOST_ROOT),
                le_vhost_ext: text(&t::APACHE_LE_VHOST_EXT),
                handle_modules: a.boolean(&t::APACHE_HANDLE_MODULES)?.unwrap_or(true),
                handle_sites: a.boolean(&t::APACHE_HANDLE_SITES)?.unwrap_or(true),
            },
            enhance: EnhanceOptions {
                redirect: a.switch(&t::REDIRECT),
                hsts: a.flag(&t::HSTS),
                uir: a.flag(&t::UIR),
                staple_ocsp: a.flag(&t::STAPLE_OCSP),
            },
            hooks: HookOptions {
                pre: text(&t::PRE_HOOK),
                post: text(&t::POST_HOOK),
                deploy: text(&t::DEPLOY_HOOK),
                timeout_secs: a
                    .parsed::<u64>(&t::HOOK_TIMEOUT)?
                    .unwrap_or(DEFAULT_HOOK_TIMEOUT_SECS),
                no_directory_hooks: a.flag(&t::NO_DIRECTORY_HOOKS),
            },
            renew: RenewOptions {
                renew_before_expiry_days: a.parsed::<u64>(&t::RENEW_BEFORE_EXPIRY)?,
                no_random_sleep: a.flag(&t::NO_RANDOM_SLEEP_ON_RENEW),
                autorenew: a.switch(&t::AUTORENEW),
            },
            rollback_checkpoints: a.parsed::<usize>(&t::CHECKPOINTS)?.unwrap_or(1),
            timer: TimerOptions {
                kind: text(&t::TIMER).unwrap_or_else(|| "auto".into()),
                systemd_dir: a.path(&t::SYSTEMD_DIR),
                cron_dir: a.path(&t::CRON_DIR),
                logrotate_dir: a.path(&t::LOGROTATE_DIR),
            },
            help: a.flag(&t::HELP),
            version: a.flag(&t::VERSION),
            args: RawArgs::default(),
            set,
            defaults,
        };
        Ok(Options { args, ..options })
    }

    /// The raw flags (for plugins' own flags, read by their `static`).
    pub fn args(&self) -> &RawArgs {
        &self.args
    }

    /// The flags this run knows.
    pub fn flag_set(&self) -> &FlagSet {
        &self.set
    }

    /// The ACME directory: `--server`, else staging for `--staging` and
    /// `--dry-run`, else Let's Encrypt production.
    pub fn directory_url(&self) -> String {
        match &self.acme.server {
            Some(url) => url.clone(),
            None if self.acme.staging || self.dry_run => {
                crate::acme::LETS_ENCRYPT_STAGING.to_string()
            }
            None => crate::acme::LETS_ENCRYPT.to_string(),
        }
    }

    /// `--config`, `--config-dir`, `--work-dir`, `--logs-dir` as given, as
    /// command-line words (what a scheduled `renew` needs to find what this
    /// run found).
    pub fn path_flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for flag in [&t::CONFIG, &t::CONFIG_DIR, &t::WORK_DIR, &t::LOGS_DIR] {
            if let Some(value) = self.args.value(flag) {
                out.push(flag.display());
                out.push(value.to_string());
            }
        }
        out
    }

    /// These options with `stored` flag occurrences (a lineage's renewal
    /// conf) placed under them: a flag given now wins. Resolved again.
    pub fn under(&self, stored: Vec<super::args::Occurrence>) -> Result<Options, UsageError> {
        let merged = self.args.clone().with_file_defaults(stored);
        let mut options = Options::resolve_with(merged, self.set.clone(), self.defaults)?;
        // The names asked for are the command line's (a stored web root map
        // names the lineage's, which are not a request).
        options.cert.domains = self.cert.domains.clone();
        // The trial run of `reconfigure` forces a dry run the flags lack.
        options.dry_run = self.dry_run;
        options.break_my_certs = self.break_my_certs || self.dry_run;
        // A stored account is a preference: a dry run may go to another server.
        options.account.id_required = self.account.id_required;
        Ok(options)
    }
}

mod values;

use values::{check_values, domains, plugin_names, preferred_challenges, reuse_key};

#[cfg(test)]
mod tests;
