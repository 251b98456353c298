//! Apache httpd: loading a config tree (includes, defines, modules), the virtual host model,
//! and (next) the installer.
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

pub mod cond;
pub mod dump;
pub mod env;
pub mod glob;
pub mod layout;
mod load;
mod loaded;
pub mod vhost;

pub use cond::{Modules, Version};
pub use layout::{Distro, Layout, detect};
pub use load::{LoadError, LoadOptions, load};
pub use loaded::{FileId, Loaded, LoadedFile, NodeId};
pub use vhost::{Address, VirtualHost};
