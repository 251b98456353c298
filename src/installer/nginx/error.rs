//! The installer's errors: each says what could not be done, where, and what
//! the user can do about it.

use super::ctl::CtlError;
use super::load::LoadError;
use crate::syntax::nginx::{EditError, WordError};

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// No block serves the name and there is none to model a new one on.
    #[error(
        "no nginx server block serves {name}, and there is no `listen ... default_server` block to model a new one on; \
         add `server_name {name};` to the server block that should serve it{candidates}"
    )]
    NoBlock { name: String, candidates: String },
    /// A regex nginx may use for the name that certsmith cannot evaluate.
    #[error(
        "cannot tell which server block nginx uses for {name}: it may match {regexes}, which use regex features certsmith \
         does not evaluate; add `server_name {name};` to the intended block"
    )]
    Unsure { name: String, regexes: String },
    /// The directive to change sits in a file included in several places.
    #[error(
        "{what} for {name} is set at {at}, a file included in several places; changing it would change the other \
         sites too. Move it into the server block, then run certsmith again"
    )]
    Shared {
        what: String,
        name: String,
        at: String,
    },
    /// `enhance` (or a redirect) for a name nginx does not serve over TLS.
    #[error(
        "no nginx server block serves {name} over TLS; install a certificate first (certsmith install --nginx --cert-name NAME)"
    )]
    NoTls { name: String },
    /// A path nginx would read as a template: `$name` is a variable there,
    /// filled in per TLS handshake, and nginx has no escape for `$`.
    #[error(
        "{}: nginx reads `$` in a file path as a variable (the path would be built per connection, and every handshake \
         would fail); use a --config-dir and --cert-name (or --cert-path/--key-path) without `$`",
        path.display()
    )]
    Variable { path: std::path::PathBuf },
    #[error("{0}")]
    Edit(#[from] EditError),
    #[error("{0}")]
    Word(#[from] WordError),
    #[error("{0}")]
    Load(#[from] LoadError),
    #[error("{0}")]
    Ctl(#[from] CtlError),
    #[error("{0}")]
    Io(String),
}
