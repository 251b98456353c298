//! Apache httpd: loading a config tree (includes, defines, modules), the virtual host model,
//! and the installer (certificates, enhancements, http-01 through Apache).
//!
//! The installer (see `docs/ARCHITECTURE.md`, "Apache installer"):
//!
//! ```no_run
//! use certsmith::installer::apache::{Apache, CertFiles, Enhancements, InstallRequest, Settings, install, no_questions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let apache = Apache::new(None, None)?;            // /etc/apache2 + apache2ctl, /etc/httpd + apachectl ...
//! let info = apache.inspect()?;                     // refuses a configuration that already fails
//! let mut plan = apache.load(&info)?;
//! let report = install(&mut plan, &InstallRequest {
//!     names: vec!["example.com".into()],
//!     cert: Some(CertFiles { fullchain: "/etc/letsencrypt/live/example.com/fullchain.pem".into(),
//!                            key: "/etc/letsencrypt/live/example.com/privkey.pem".into() }),
//!     enhance: Enhancements { redirect: true, hsts: true, ..Default::default() },
//!     config_dir: "/etc/letsencrypt".into(),
//!     settings: Settings::default(),
//! }, &mut no_questions)?;
//! let mut reverter = reverter::Reverter::open("/var/lib/certsmith")?;
//! apache.deploy(&mut reverter, "Installed example.com", &plan, &info)?; // checkpoint, -t, graceful
//! # Ok(()) }
//! ```
//!
//! Loading alone:
//!
//! ```no_run
//! use certsmith::installer::apache::{detect, load};
//!
//! let layout = detect(None)?;                      // /etc/apache2, /etc/httpd, ...
//! let mut options = layout.options()?;             // envvars, sites-available
//! // The installer fills these from `apache2ctl -M`, `-D DUMP_RUN_CFG` and `-v`:
//! // options.modules = Some(dump::parse_modules(&out)); options.defines = ...;
//! let loaded = load(&options)?;
//! for vhost in loaded.vhosts().iter().filter(|v| v.active) {
//!     println!("{} {:?} {:?} ssl={}", vhost.file.display(), vhost.addresses, vhost.name(), vhost.ssl);
//! }
//! # Ok::<(), certsmith::installer::apache::LoadError>(())
//! ```
//!
//! - [`layout`]: Debian, RHEL and plain layouts.
//! - [`load`](load()): reading files as Apache does (includes, `Define`, `LoadModule`,
//!   `ServerRoot`, conditional sections), into a [`Loaded`].
//! - [`Loaded`]: files, spliced path view (`syntax::path::Tree`), edits, changed files.
//! - [`vhost`]: the `<VirtualHost>` model.
//! - [`dump`]: parsers for `apache2ctl -M`, `-D DUMP_RUN_CFG`, `-S`.
//! - Installer: [`Apache`] (layout + [`Ctl`], inspect, load, deploy, restart,
//!   after_rollback), [`Plan`], [`install()`], [`choose`], [`ApacheSolver`], [`challenge`].

pub mod challenge;
pub mod choose;
pub mod cond;
mod ctl;
pub mod dump;
mod enhance;
pub mod env;
mod error;
pub mod glob;
mod install;
pub mod layout;
mod load;
mod loaded;
mod modules;
pub mod options;
mod plan;
mod probe;
pub mod query;
mod server;
mod site;
mod sites;
mod solver;
mod ssl_vhost;
pub mod vhost;

pub use cond::{Modules, Version};
pub use layout::{Distro, Layout, detect};
pub use load::{LoadError, LoadOptions, load};
pub use loaded::{FileId, Loaded, LoadedFile, NodeId};
pub use vhost::{Address, VirtualHost};

pub use choose::{Choice, Match, Purpose};
pub use ctl::{Ctl, CtlError, Restart, ServerInfo};
pub use error::InstallError;
pub use install::{
    Ask, CertFiles, Enhancements, InstallRequest, Report, Settings, install, no_questions,
};
pub use modules::ModulePolicy;
pub use plan::{ExtraFile, Link, Plan, WriteError};
pub use server::{Apache, DeployError, Deployed};
pub use site::{ApacheSite, Asker, after_rollback};
pub use solver::ApacheSolver;
pub use ssl_vhost::FileNaming;
