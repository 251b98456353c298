//! nginx: loading a config tree (includes followed), queries over it, and the installer.
//!
//! The installer (see `docs/ARCHITECTURE.md`, "nginx installer"):
//!
//! ```no_run
//! use certsmith::installer::nginx::{CertFiles, Enhancements, InstallRequest, Nginx};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let nginx = Nginx::new("/etc/nginx".as_ref(), "nginx".as_ref());
//! let warnings = nginx.ctl.configtest()?;            // refuse to start on a broken config
//! let mut config = nginx.load()?;
//! let _report = certsmith::installer::nginx::install(&mut config, &InstallRequest {
//!     names: vec!["example.com".into()],
//!     cert: Some(CertFiles { fullchain: "/etc/letsencrypt/live/example.com/fullchain.pem".into(),
//!                            key: "/etc/letsencrypt/live/example.com/privkey.pem".into() }),
//!     chain: None, options: None, https_port: 443, http_port: 80,
//!     enhance: Enhancements { redirect: true, hsts: true, ..Default::default() },
//! })?;
//! let mut reverter = reverter::Reverter::open("/var/lib/certsmith")?;
//! nginx.deploy(&mut reverter, "Installed example.com", &config, &[], &warnings)?; // checkpoint, -t, reload
//! # Ok(()) }
//! ```
//!
//! ```no_run
//! use certsmith::installer::nginx::NginxConfig;
//! use certsmith::syntax::nginx::{Directive, Word};
//!
//! let mut config = NginxConfig::load("/etc/nginx".as_ref()).unwrap();
//! let (server, _) = config.server_for_host("example.com").unwrap();
//! let listen = Directive::new("listen", [Word::new("443").unwrap(), Word::new("ssl").unwrap()]).unwrap();
//! let at = config.push(&server.node, listen).unwrap();
//! config.set_comment(&at, "managed by certsmith").unwrap();
//! for (path, _before, _after) in config.changed_files() { println!("{}", path.display()); }
//! ```
//!
//! Include resolution follows nginx: a relative path is relative to the
//! directory of the main file (nginx's conf prefix), not to the including
//! file; an argument with `*`, `?` or `[` is a glob (sorted, hidden files
//! skipped, no match is fine); a missing plain path is an error at the
//! `include`'s position; a file included twice is parsed once; a cycle is
//! an error. Queries see included files spliced in where `include` stands.

mod build;
mod challenge;
mod ctl;
mod edit;
mod error;
mod glob;
mod headers;
mod install;
mod listen;
mod load;
mod names;
mod nodes;
mod options;
mod redirect;
mod server;
mod servers;
mod site;
mod solver;
mod tls;
mod view;

pub use listen::{Listen, ListenAddress, ListenError};
pub use load::{ConfigFile, DEFAULT_ROOT, FileId, LoadError, LoadOptions, NginxConfig};
pub use names::{HostMatch, HostMatcher, MatchKind, ServerName};
pub use nodes::NodeRef;
pub use servers::Server;

pub use build::MARK;
pub use challenge::{Probe, Token};
pub use ctl::{BuildInfo, Ctl, CtlError, PendingTest, Restart};
pub use error::InstallError;
pub use install::{Enhancements, InstallRequest, Report, install};
pub use options::{DHPARAM_FILE, ExtraFile, OPTIONS_FILE, OptionsPlan};
pub use server::{DeployError, Deployed, Nginx, reload};
pub use site::{NginxSite, Settings, after_rollback};
pub use solver::NginxSolver;
pub use tls::CertFiles;
pub use view::{Endpoint, Group, View};

/// certsmith's TLS settings file for nginx under a config dir: its path and
/// what to write (see `options.rs`).
pub fn tls_options(config_dir: &std::path::Path) -> Result<OptionsPlan, InstallError> {
    Ok(options::plan(config_dir)?)
}

/// The temporary challenge edits (for tests and `--dry-run` previews).
pub fn add_challenges(
    config: &mut NginxConfig,
    tokens: &[Token],
    http_port: u16,
) -> Result<Vec<Probe>, InstallError> {
    challenge::add(config, tokens, http_port)
}

#[cfg(test)]
mod tests;
