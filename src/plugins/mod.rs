//! The plugin registry: every authenticator and installer by the name Certbot gives it
//! (`-a NAME`, `-i NAME`, `authenticator = NAME` in renewal confs), with the switch that
//! chooses it, the flags it owns (kept in renewal confs by their conf keys, dropped from
//! a conf whose lineage no longer uses the plugin) and its constructors. The command
//! line and renewal both go through it, so a plugin joins certsmith as one entry.

mod builtin;
mod dns;

pub use builtin::webroot_gaps;

/// What the webroot plugin lacks to answer for some names: the names no `-w` or
/// `--webroot-map` entry covers, and the roots it was given (the command may ask
/// for the missing ones).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebrootGaps {
    pub names: Vec<String>,
    pub known: Vec<PathBuf>,
}

use crate::acme::Solver;
use crate::cli::renewal::Choosers;
use crate::cli::{Flag, FlagSet, Options, table};
use crate::installer::Installer;
use crate::installer::references::Reference;
use crate::storage::RenewalParams;
use anyhow::bail;
use reverter::Reverter;
use std::path::{Path, PathBuf};

/// Builds an authenticator for `names`. Web-server authenticators make their challenge
/// edits as a temporary transaction of the command's reverter, hence the borrow. The
/// renewal conf values returned are those its flags do not carry (a webroot map).
pub type BuildSolver = for<'r> fn(
    &Options,
    &[String],
    &'r mut Reverter,
) -> anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)>;

/// Builds an installer from the options.
pub type BuildInstaller = fn(&Options) -> anyhow::Result<Box<dyn Installer>>;

/// After `rollback` undid changes to a server whose main config file is the path: test
/// and reload it if it runs. One line saying what was done, or (`Err`) what failed.
pub type AfterRollback = fn(&Options, &Path) -> Result<String, String>;

/// The directives of the server's configuration (its root from the options) that name
/// one of the files (`certificates --json`: where a lineage is installed), or why the
/// configuration cannot be read.
pub type FindReferences = fn(&Options, &[PathBuf]) -> Result<Vec<Reference>, String>;

pub struct InstallerEntry {
    pub build: BuildInstaller,
    /// The flag naming its configuration root (`delete` looks for the lineage there);
    /// `None` for an installer with no configuration (`null`).
    pub root_flag: Option<&'static Flag>,
    /// The default root, when the flag is not given.
    pub default_roots: &'static [&'static str],
    pub after_rollback: AfterRollback,
    pub references: FindReferences,
}

pub struct Plugin {
    pub name: &'static str,
    pub description: &'static str,
    /// The switch that chooses it (`--standalone`), besides `-a NAME` / `-i NAME`.
    pub selector: Option<&'static Flag>,
    /// The flags only this plugin uses.
    pub flags: &'static [&'static Flag],
    pub authenticator: Option<BuildSolver>,
    pub installer: Option<InstallerEntry>,
    /// Left out of `plugins`' list, as Certbot leaves out its hidden plugins
    /// (`manual`, `null`); still chosen by name.
    pub hidden: bool,
}

/// The plugins one run knows.
pub struct Registry {
    plugins: Vec<&'static Plugin>,
}

impl Default for Registry {
    fn default() -> Registry {
        Registry::builtin()
    }
}

impl Registry {
    /// certsmith's own plugins.
    pub fn builtin() -> Registry {
        Registry {
            plugins: builtin::ALL.to_vec(),
        }
    }

    /// One more plugin (a test's, say): this entry is all it takes.
    pub fn with(mut self, plugin: &'static Plugin) -> Registry {
        self.plugins.push(plugin);
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static Plugin> + '_ {
        self.plugins.iter().copied()
    }

    /// The built-in flags plus every plugin's.
    pub fn flag_set(&self) -> FlagSet {
        FlagSet::builtin().with(
            self.iter()
                .flat_map(|p| p.selector.into_iter().chain(p.flags.iter().copied())),
        )
    }

    /// The flags that choose an authenticator, and an installer.
    pub fn choosers(&self) -> Choosers {
        let selectors = |installer: bool| {
            self.iter()
                .filter(move |p| {
                    if installer {
                        p.installer.is_some()
                    } else {
                        p.authenticator.is_some()
                    }
                })
                .filter_map(|p| p.selector)
        };
        Choosers {
            authenticator: std::iter::once(&table::AUTHENTICATOR)
                .chain(selectors(false))
                .collect(),
            installer: std::iter::once(&table::INSTALLER)
                .chain(selectors(true))
                .collect(),
        }
    }

    /// Each plugin as a `--help` topic.
    pub fn help_topics(&self) -> Vec<crate::cli::help::PluginTopic> {
        self.iter()
            .map(|p| crate::cli::help::PluginTopic {
                name: p.name,
                description: p.description,
                selector: p.selector,
            })
            .collect()
    }

    pub fn by_name(&self, name: &str) -> Option<&'static Plugin> {
        self.iter().find(|p| p.name == name)
    }

    /// The authenticator `name` (renewal's `authenticator = NAME`).
    pub fn authenticator(&self, name: &str) -> anyhow::Result<&'static Plugin> {
        match self.by_name(name).filter(|p| p.authenticator.is_some()) {
            Some(p) => Ok(p),
            None => bail!(
                "the {name:?} authenticator is not available in this version of certsmith (available: {})",
                self.iter()
                    .filter(|p| p.authenticator.is_some())
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The installer `name`.
    pub fn installer(&self, name: &str) -> anyhow::Result<&'static Plugin> {
        match self.by_name(name).filter(|p| p.installer.is_some()) {
            Some(p) => Ok(p),
            None => bail!("the {name:?} installer is not available in this version of certsmith"),
        }
    }

    /// The authenticator chosen by `-a NAME` or a plugin's switch; two different ones
    /// are an error.
    pub fn chosen_authenticator(&self, options: &Options) -> anyhow::Result<Option<String>> {
        self.chosen(options, options.plugins.authenticator.as_deref(), |p| {
            p.authenticator.is_some()
        })
        .map_err(|names| anyhow::anyhow!("choose one authenticator, not {}", names.join(" and ")))
    }

    /// The installer chosen by `-i NAME` or a plugin's switch (`--nginx`).
    pub fn chosen_installer(&self, options: &Options) -> anyhow::Result<Option<String>> {
        self.chosen(options, options.plugins.installer.as_deref(), |p| {
            p.installer.is_some()
        })
        .map_err(|names| anyhow::anyhow!("choose one installer, not {}", names.join(" and ")))
    }

    fn chosen(
        &self,
        options: &Options,
        named: Option<&str>,
        kind: fn(&Plugin) -> bool,
    ) -> Result<Option<String>, Vec<String>> {
        let mut chosen: Vec<String> = self
            .iter()
            .filter(|p| kind(p))
            .filter(|p| p.selector.is_some_and(|s| options.args().flag(s)))
            .map(|p| p.name.to_string())
            .collect();
        chosen.extend(named.map(str::to_string));
        chosen.dedup();
        match chosen.len() {
            0 | 1 => Ok(chosen.pop()),
            _ => Err(chosen),
        }
    }

    /// The renewal conf values of the plugins a lineage uses: `authenticator`,
    /// `installer` (when there is one), and every flag the options carry, from the flag table;
    /// the flags of plugins it does not use are dropped from the conf.
    pub fn renewal_params(
        &self,
        options: &Options,
        authenticator: &str,
        installer: Option<&str>,
        mut extra: RenewalParams,
    ) -> RenewalParams {
        extra.set("authenticator", authenticator);
        if let Some(i) = installer {
            extra.set("installer", i);
        }
        let unused: Vec<&'static Flag> = self
            .iter()
            .filter(|p| p.name != authenticator && Some(p.name) != installer)
            .flat_map(|p| p.flags.iter().copied())
            .collect();
        crate::cli::renewal::conf_values(options, &unused, &mut extra);
        extra
    }
}

#[cfg(test)]
mod tests;
