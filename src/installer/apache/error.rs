//! Why installing, enhancing or answering a challenge through Apache failed. Every
//! message says what and where, and (for the user's mistakes) what to do.

use super::ctl::CtlError;
use super::load::LoadError;
use super::plan::WriteError;
use crate::syntax::apache::{EditError, ValueError};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Ctl(#[from] CtlError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Reverter(#[from] reverter::Error),
    /// An edit certsmith built is invalid: a bug, reported with where it happened.
    #[error("internal error while editing {what}: {error}")]
    Edit { what: String, error: EditError },
    #[error(transparent)]
    Value(#[from] ValueError),
    /// A path Apache would change when it reads it: `${NAME}` is a `Define`
    /// (or environment) variable there, and Apache has no escape for it.
    #[error(
        "{}: Apache reads `${{...}}` in a file path as a variable; use a --config-dir and --cert-name (or \
         --cert-path/--key-path) without `${{`",
        path.display()
    )]
    Variable { path: PathBuf },
    #[error("no virtual host serves {name}:{}", list(candidates))]
    NoVhost {
        name: String,
        candidates: Vec<String>,
    },
    #[error(
        "several virtual hosts serve {name}; choose one by giving it alone the name (ServerName/ServerAlias), or run without -n to be asked:{}",
        list(candidates)
    )]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    #[error(
        "{name} is served by a virtual host made with mod_macro ({}); certsmith does not edit macros: write the TLS virtual host yourself, then use `certsmith install`",
        uses.join("; ")
    )]
    Macro { name: String, uses: Vec<String> },
    #[error("{module} is not available: {detail}")]
    ModuleMissing { module: String, detail: String },
    #[error("{}: {detail}", path.display())]
    File { path: PathBuf, detail: String },
    #[error(
        "Apache's configuration test fails before certsmith changed anything; fix that first (nothing was changed):\n{output}"
    )]
    BrokenBefore { output: String },
    #[error("{0}")]
    Other(String),
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        " (there is no virtual host Apache reads)".into()
    } else {
        items.iter().map(|c| format!("\n  {c}")).collect()
    }
}

/// `.map_err(edit("the SSL vhost"))`
pub(crate) fn edit(what: &str) -> impl Fn(EditError) -> InstallError + '_ {
    move |error| InstallError::Edit {
        what: what.to_string(),
        error,
    }
}
