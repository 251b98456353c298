//! nginx: loading a config tree (includes followed), queries over it, and the installer.
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

mod edit;
mod glob;
mod listen;
mod load;
mod names;
mod nodes;
mod servers;

pub use listen::{Listen, ListenAddress, ListenError};
pub use load::{ConfigFile, DEFAULT_ROOT, FileId, LoadError, LoadOptions, NginxConfig};
pub use names::{HostMatch, HostMatcher, MatchKind, ServerName};
pub use nodes::NodeRef;
pub use servers::Server;
