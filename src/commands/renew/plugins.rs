//! Authenticators and installers by the names renewal confs store
//! (`authenticator = standalone`, `installer = nginx`). Renewal rebuilds a
//! lineage's solver and reaches its installer through these tables only, so
//! a plugin joins renewal with one line here.
//!
//! An authenticator's `build` gets the lineage's configuration (stored
//! options under the command line's, see `restore`) and the names to
//! validate, exactly as `certonly` calls it, and returns the solver plus the
//! renewal values that let the next renewal build it again.

use crate::acme::Solver;
use crate::cli::Config;
use crate::commands::acme_args;
use crate::storage::RenewalParams;
use anyhow::bail;
use reverter::Reverter;

/// Builds a lineage's solver. Web-server authenticators make their challenge
/// edits as a temporary transaction of the command's reverter, hence the
/// borrow.
pub type BuildSolver = for<'r> fn(
    &Config,
    &str,
    &[String],
    &'r mut Reverter,
) -> anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)>;

/// Make the server use the renewed files (the live paths do not change, so
/// a configuration reload is all it takes).
pub type Reload = fn(&Config) -> anyhow::Result<()>;

pub struct Authenticator {
    pub name: &'static str,
    pub build: BuildSolver,
}

pub struct Installer {
    pub name: &'static str,
    pub reload: Reload,
}

pub static AUTHENTICATORS: &[Authenticator] = &[
    Authenticator {
        name: "standalone",
        build: standalone_kind,
    },
    Authenticator {
        name: "webroot",
        build: standalone_kind,
    },
    Authenticator {
        name: "manual",
        build: standalone_kind,
    },
    Authenticator {
        name: "dns-rfc2136",
        build: standalone_kind,
    },
    Authenticator {
        name: "nginx",
        build: nginx,
    },
    Authenticator {
        name: "apache",
        build: apache,
    },
];

pub static INSTALLERS: &[Installer] = &[
    Installer {
        name: "nginx",
        reload: crate::commands::nginx::reload_for_renewal,
    },
    Installer {
        name: "apache",
        reload: crate::commands::apache::reload_for_renewal,
    },
];

/// Authenticators that touch no server config: built as `certonly` builds them.
fn standalone_kind<'r>(
    config: &Config,
    name: &str,
    names: &[String],
    _: &'r mut Reverter,
) -> anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)> {
    acme_args::solver(config, name, names)
}

fn nginx<'r>(
    config: &Config,
    _: &str,
    _: &[String],
    reverter: &'r mut Reverter,
) -> anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)> {
    let (solver, params) = crate::commands::nginx::solver(config, reverter)?;
    Ok((Box::new(solver), params))
}

fn apache<'r>(
    config: &Config,
    _: &str,
    _: &[String],
    reverter: &'r mut Reverter,
) -> anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)> {
    let (solver, params) = crate::commands::apache::solver(config, None, reverter)?;
    Ok((Box::new(solver), params))
}

pub fn authenticator(name: &str) -> anyhow::Result<&'static Authenticator> {
    match AUTHENTICATORS.iter().find(|a| a.name == name) {
        Some(a) => Ok(a),
        None => bail!(
            "the {name:?} authenticator is not available in this version of certsmith (available: {})",
            AUTHENTICATORS
                .iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn installer(name: &str) -> anyhow::Result<&'static Installer> {
    match INSTALLERS.iter().find(|i| i.name == name) {
        Some(i) => Ok(i),
        None => bail!("the {name:?} installer is not available in this version of certsmith"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_plugins_are_named() {
        assert!(super::authenticator("webroot").is_ok());
        let err = super::authenticator("dns-cloudflare")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("the \"dns-cloudflare\" authenticator is not available")
                && err.contains("standalone, webroot, manual, dns-rfc2136, nginx"),
            "{err}"
        );
        let err = super::installer("lighttpd").err().unwrap().to_string();
        assert!(
            err.contains("\"lighttpd\" installer is not available"),
            "{err}"
        );
    }
}
