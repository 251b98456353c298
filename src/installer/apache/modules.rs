//! Making sure a module is loaded: on Debian, as `a2enmod` does it (links in
//! `mods-enabled` to the module's `.load` and `.conf` in `mods-available`, modules named
//! on its `# Depends:` line first), elsewhere a `LoadModule` line after the last one
//! Apache reads. The links are part of the plan (so rollback removes them) and each
//! module enabled is recorded as an undo action.

use super::NodeId;
use super::error::{InstallError, edit};
use super::layout::Distro;
use super::plan::Plan;
use super::query;
use crate::syntax::apache::{Directive, Word};
use reverter::UndoAction;
use std::path::{Path, PathBuf};

/// Dependencies Debian's current `.load` files declare, for older trees whose files lack
/// the `# Depends:` line (mod_ssl's default `SSLSessionCache` needs socache_shmcb). Ones
/// without a `.load` file are skipped.
const KNOWN_DEPENDS: &[(&str, &[&str])] = &[("ssl", &["setenvif", "mime", "socache_shmcb"])];

/// How modules may be handled (`--apache-handle-modules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModulePolicy {
    pub handle: bool,
}

/// Make sure module `name` (`ssl`, `rewrite`, `headers`) is loaded once the plan is
/// applied; `Ok(true)` when the plan now enables it.
pub fn ensure(plan: &mut Plan, name: &str, policy: ModulePolicy) -> Result<bool, InstallError> {
    ensure_depth(plan, name, policy, 0)
}

fn ensure_depth(
    plan: &mut Plan,
    name: &str,
    policy: ModulePolicy,
    depth: usize,
) -> Result<bool, InstallError> {
    let identifier = format!("{name}_module");
    if plan.loaded.modules.contains(&identifier) {
        return Ok(false);
    }
    if !policy.handle {
        return Err(InstallError::ModuleMissing {
            module: format!("mod_{name}"),
            detail:
                "Apache does not load it and --apache-handle-modules is off: enable it yourself"
                    .into(),
        });
    }
    if depth > 8 {
        return Err(InstallError::ModuleMissing {
            module: format!("mod_{name}"),
            detail: "its `# Depends:` lines loop".into(),
        });
    }
    let debian = (
        plan.layout.distro,
        plan.layout.mods_available.clone(),
        plan.layout.mods_enabled.clone(),
    );
    match debian {
        (Distro::Debian, Some(available), Some(enabled)) => {
            enable_debian(plan, name, &available, &enabled, policy, depth)?
        }
        _ => add_load_module(plan, name)?,
    }
    Ok(true)
}

fn enable_debian(
    plan: &mut Plan,
    name: &str,
    available: &Path,
    enabled: &Path,
    policy: ModulePolicy,
    depth: usize,
) -> Result<(), InstallError> {
    let load = available.join(format!("{name}.load"));
    let text = std::fs::read_to_string(&load).map_err(|e| InstallError::ModuleMissing {
        module: format!("mod_{name}"),
        detail: format!(
            "{}: {e} (it comes with Apache's package; reinstall it, or enable the module yourself)",
            load.display()
        ),
    })?;
    let (identifier, depends) = read_load_file(&text);
    // Mark it first: a dependency naming it back must not recurse.
    plan.loaded
        .modules
        .insert(identifier.as_deref().unwrap_or(&format!("{name}_module")));
    for dep in depends {
        ensure_depth(plan, &dep, policy, depth + 1)?;
    }
    let known = KNOWN_DEPENDS
        .iter()
        .filter(|(m, _)| *m == name)
        .flat_map(|(_, deps)| deps.iter());
    for dep in known {
        if available.join(format!("{dep}.load")).is_file() {
            ensure_depth(plan, dep, policy, depth + 1)?;
        }
    }
    let relative = available.parent() == enabled.parent();
    for ext in ["load", "conf"] {
        let file = format!("{name}.{ext}");
        if !available.join(&file).exists() {
            continue;
        }
        let target = if relative {
            PathBuf::from("..")
                .join(available.file_name().unwrap_or_default())
                .join(&file)
        } else {
            available.join(&file)
        };
        let link = enabled.join(&file);
        if std::fs::read_link(&link).ok().as_deref() != Some(target.as_path()) {
            plan.add_link(link, target);
        }
    }
    plan.add_action(UndoAction::ModuleEnabled {
        server: "apache".into(),
        module: name.into(),
    });
    Ok(())
}

/// (`LoadModule` identifier, modules named on `# Depends:` lines) of a Debian `.load` file.
fn read_load_file(text: &str) -> (Option<String>, Vec<String>) {
    let mut identifier = None;
    let mut depends = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('#') {
            if let Some(list) = rest.trim().strip_prefix("Depends:") {
                depends.extend(
                    list.split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|d| !d.is_empty())
                        .map(str::to_string),
                );
            }
        } else if let Some(rest) = line
            .split_once(char::is_whitespace)
            .filter(|(w, _)| w.eq_ignore_ascii_case("LoadModule"))
            .map(|(_, rest)| rest)
        {
            identifier = rest.split_whitespace().next().map(str::to_string);
        }
    }
    (identifier, depends)
}

/// Elsewhere: `LoadModule NAME_module DIR/mod_NAME.so` after the last `LoadModule` Apache
/// reads, with `DIR` as that one has it, when the shared object exists.
fn add_load_module(plan: &mut Plan, name: &str) -> Result<(), InstallError> {
    let last = last_load_module(plan);
    let file = format!("mod_{name}.so");
    let (dir_as_written, anchor) = match &last {
        Some((id, path)) => (
            Path::new(path).parent().map(Path::to_path_buf),
            Some(id.clone()),
        ),
        None => (None, None),
    };
    let root = plan.loaded.server_root.clone();
    let mut candidates: Vec<PathBuf> = dir_as_written.iter().map(|d| d.join(&file)).collect();
    for dir in [
        "modules",
        "/usr/lib/apache2/modules",
        "/usr/lib64/httpd/modules",
        "/usr/lib/httpd/modules",
        "/usr/libexec/apache2",
    ] {
        candidates.push(Path::new(dir).join(&file));
    }
    let found = candidates.into_iter().find(|p| root.join(p).is_file());
    let Some(so) = found else {
        return Err(InstallError::ModuleMissing {
            module: format!("mod_{name}"),
            detail: format!(
                "no {file} next to the modules Apache loads (install the package that provides it)"
            ),
        });
    };
    let identifier = format!("{name}_module");
    let directive = Directive::new(
        "LoadModule",
        [
            Word::new(&identifier)?,
            Word::new(so.as_os_str().as_encoded_bytes())?,
        ],
    )?;
    match anchor {
        Some(id) => plan
            .loaded
            .insert_after(&id, directive.into())
            .map_err(edit("LoadModule"))?,
        None => plan
            .loaded
            .insert(None, 0, directive.into())
            .map_err(edit("LoadModule"))?,
    };
    plan.loaded.modules.insert(&identifier);
    plan.add_action(UndoAction::ModuleEnabled {
        server: "apache".into(),
        module: name.into(),
    });
    Ok(())
}

/// The last active `LoadModule` in reading order, and its path argument.
fn last_load_module(plan: &Plan) -> Option<(NodeId, String)> {
    let loaded = &plan.loaded;
    let mut last = None;
    query::walk_active(loaded, &mut |id, node| {
        if node.is_named("LoadModule")
            && let Some(p) = loaded.arg_values(id).get(1)
        {
            last = Some((id.clone(), String::from_utf8_lossy(p).into_owned()));
        }
    });
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_load_files() {
        let (id, deps) = read_load_file(
            "# Depends: setenvif mime socache_shmcb\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n",
        );
        assert_eq!(id.as_deref(), Some("ssl_module"));
        assert_eq!(deps, ["setenvif", "mime", "socache_shmcb"]);
        let (id, deps) = read_load_file("LoadModule\trewrite_module x.so");
        assert_eq!((id.as_deref(), deps.len()), (Some("rewrite_module"), 0));
    }
}
