//! `plugins [--authenticators] [--installers] [--init] [--prepare]`: the
//! registry's plugins in Certbot's layout (`* NAME`, description, interfaces,
//! entry point), sorted by name, hidden ones left out. `--init` sets each up
//! from the options; `--prepare` also prepares each (an installer tests its
//! server's configuration as it is, changing nothing) and lists only the
//! available ones: prepared, or misconfigured with the reason. A plugin that
//! is not installed is left out; none of this is an error exit, as in Certbot.

use super::Config;
use crate::cli::table as t;
use crate::installer::{self as inst, Installer};
use crate::plugins::Plugin;
use std::process::ExitCode;

/// What `--prepare` found.
enum Prepared {
    Ready,
    /// Installed, but its configuration is refused: listed with the reason.
    Misconfigured(String),
    /// Not installed here (no server, no configuration): not listed.
    Missing,
}

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let args = config.args();
    let prepare = args.flag(&t::PLUGINS_PREPARE);
    let init = prepare || args.flag(&t::PLUGINS_INIT);
    let mut blocks: Vec<String> = Vec::new();
    for plugin in chosen(config) {
        let mut lines = describe(plugin);
        if init {
            let (line, installer) = initialise(plugin, config);
            lines.push(line);
            if prepare {
                match prepare_one(installer) {
                    Prepared::Ready => lines.push("Prep: ready".into()),
                    Prepared::Misconfigured(why) => lines.push(format!("Prep: {why}")),
                    Prepared::Missing => continue,
                }
            }
        }
        blocks.push(lines.join("\n"));
    }
    if blocks.is_empty() {
        println!("No plugins");
    } else {
        println!("{}", blocks.join("\n\n"));
    }
    Ok(ExitCode::SUCCESS)
}

/// The visible plugins `--authenticators`/`--installers` select (either
/// kind with both, every kind with neither), by name.
fn chosen(config: &Config) -> Vec<&'static Plugin> {
    let args = config.args();
    let auths = args.flag(&t::PLUGINS_AUTHENTICATORS);
    let installers = args.flag(&t::PLUGINS_INSTALLERS);
    let mut list: Vec<&'static Plugin> = config
        .registry
        .iter()
        .filter(|p| !p.hidden)
        .filter(|p| {
            (!auths && !installers)
                || (auths && p.authenticator.is_some())
                || (installers && p.installer.is_some())
        })
        .collect();
    list.sort_by_key(|p| p.name);
    list
}

/// `* NAME`, `Description:`, `Interfaces:`, `Entry point:`.
fn describe(plugin: &Plugin) -> Vec<String> {
    let mut interfaces = Vec::new();
    if plugin.authenticator.is_some() {
        interfaces.push("Authenticator");
    }
    if plugin.installer.is_some() {
        interfaces.push("Installer");
    }
    interfaces.push("Plugin");
    vec![
        format!("* {}", plugin.name),
        format!("Description: {}", plugin.description),
        format!("Interfaces: {}", interfaces.join(", ")),
        format!(
            "Entry point: {} = certsmith's built-in plugin registry",
            plugin.name
        ),
    ]
}

/// The `Initialized:` line, and the installer built from the options.
fn initialise(
    plugin: &Plugin,
    config: &Config,
) -> (String, Option<anyhow::Result<Box<dyn Installer>>>) {
    let Some(entry) = &plugin.installer else {
        return (
            format!(
                "Initialized: {} authenticator (it sets up its challenges when a certificate is requested)",
                plugin.name
            ),
            None,
        );
    };
    let built = (entry.build)(config);
    let line = match &built {
        Ok(installer) => format!(
            "Initialized: {} installer for {}",
            installer.label(),
            installer.location().display()
        ),
        Err(e) => format!("Initialized: no: {e:#}"),
    };
    (line, Some(built))
}

/// Prepare one plugin: an authenticator needs nothing before a run; an
/// installer opens and tests its server's configuration.
fn prepare_one(installer: Option<anyhow::Result<Box<dyn Installer>>>) -> Prepared {
    let mut installer = match installer {
        None => return Prepared::Ready,
        Some(Ok(i)) => i,
        Some(Err(_)) => return Prepared::Missing,
    };
    match installer.prepare() {
        Ok(()) => Prepared::Ready,
        Err(e) if not_installed(&e) => Prepared::Missing,
        Err(e) => Prepared::Misconfigured(e.to_string()),
    }
}

/// An error that means the server is not installed here, not misconfigured.
fn not_installed(e: &inst::Error) -> bool {
    matches!(
        e,
        inst::Error::NoMainFile { .. }
            | inst::Error::NginxCtl(inst::nginx::CtlError::NotFound { .. })
    )
}
