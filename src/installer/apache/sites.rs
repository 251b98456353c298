//! Making Apache read a file (a new vhost file, a Debian site that is not enabled) and
//! listen on a port.
//!
//! A file already matched by an active `Include`/`IncludeOptional` needs nothing. On
//! Debian a file in `sites-available` is enabled as `a2ensite` does it (a relative link in
//! `sites-enabled`); anywhere else an `Include` of it is appended to the main file.
//! A port is listened on when an active `Listen` names it, or one inside an `<IfModule>`
//! for a module the plan loads (Debian's `ports.conf` has `Listen 443` inside
//! `<IfModule ssl_module>`).

use super::cond::negation;
use super::error::{InstallError, edit};
use super::glob::{fnmatch, has_wildcard};
use super::layout::Distro;
use super::loaded::{FileId, NodeId};
use super::plan::Plan;
use super::query::{self, listen_port};
use crate::syntax::apache::{Directive, Node, Word, edit::parse_snippet};
use reverter::UndoAction;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Does an active include read `path`?
pub fn covered_by_include(plan: &Plan, path: &Path) -> bool {
    let loaded = &plan.loaded;
    let mut covered = false;
    query::walk_active(loaded, &mut |id, node| {
        if covered || !matches!(node, Node::Directive(_)) {
            return;
        }
        if !(node.is_named("Include") || node.is_named("IncludeOptional")) {
            return;
        }
        let Some(arg) = loaded.arg_values(id).into_iter().next() else {
            return;
        };
        let pattern = loaded.server_root.join(std::ffi::OsStr::from_bytes(&arg));
        covered = matches_include(&pattern, path);
    });
    covered
}

fn matches_include(pattern: &Path, path: &Path) -> bool {
    let bytes = pattern.as_os_str().as_bytes();
    if !has_wildcard(bytes) {
        return pattern == path || (pattern.is_dir() && path.starts_with(pattern));
    }
    let parts = |p: &Path| -> Vec<Vec<u8>> {
        p.as_os_str()
            .as_bytes()
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    };
    let (want, have) = (parts(pattern), parts(path));
    want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| fnmatch(w, h))
}

/// Make Apache read `file` (a file this plan creates, or a site that is not enabled).
pub fn enable_file(plan: &mut Plan, file: FileId, handle_sites: bool) -> Result<(), InstallError> {
    let Some(f) = plan.loaded.file(file) else {
        return Ok(());
    };
    let path = f.real_path.clone();
    if covered_by_include(plan, &f.path.clone()) || covered_by_include(plan, &path) {
        return Ok(());
    }
    let layout = plan.layout.clone();
    if let (Distro::Debian, Some(available), Some(enabled)) = (
        layout.distro,
        &layout.sites_available,
        &layout.sites_enabled,
    ) && path.parent() == Some(available.as_path())
        && let Some(name) = path.file_name()
    {
        let link = enabled.join(name);
        if !handle_sites {
            return Err(InstallError::Other(format!(
                "{} must be enabled (a2ensite) and --apache-handle-sites is off: enable it yourself",
                path.display()
            )));
        }
        if covered_by_include(plan, &link) {
            let target = if available.parent() == enabled.parent() {
                PathBuf::from("..")
                    .join(available.file_name().unwrap_or_default())
                    .join(name)
            } else {
                path.clone()
            };
            plan.add_link(link, target);
            plan.add_action(UndoAction::SiteEnabled {
                server: "apache".into(),
                site: name.to_string_lossy().into_owned(),
            });
            return Ok(());
        }
    }
    let include = Directive::new("Include", [Word::new(path.as_os_str().as_bytes())?])?;
    let main = plan.loaded.main;
    plan.loaded
        .push_to_file(main, include.into())
        .map_err(edit("the main configuration file"))?;
    Ok(())
}

/// Make Apache listen on `port` (`https`: the TLS port, which mod_ssl serves).
pub fn ensure_listen(plan: &mut Plan, port: u16, https: bool) -> Result<bool, InstallError> {
    if query::listen_ports(&plan.loaded).contains(&port) || listen_in_module_section(plan, port) {
        return Ok(false);
    }
    let ports_conf = plan
        .loaded
        .files()
        .iter()
        .position(|f| f.enabled && f.path.file_name().is_some_and(|n| n == "ports.conf"));
    let file = match (plan.layout.distro, ports_conf) {
        (Distro::Debian, Some(f)) => f,
        _ => plan.loaded.main,
    };
    let snippet: &[u8] = match (https, port) {
        (true, 443) if plan.layout.distro == Distro::Debian => {
            b"<IfModule ssl_module>\n\tListen 443\n</IfModule>\n"
        }
        (true, 443) => b"Listen 443\n",
        (true, _) => b"Listen 0 https\n",
        (false, _) => b"Listen 0\n",
    };
    let mut nodes = parse_snippet(snippet).map_err(|e| InstallError::Other(e.to_string()))?;
    set_listen_port(&mut nodes, port)?;
    // After the last top-level Listen of that file, else at its end.
    let last_listen = plan
        .loaded
        .file(file)
        .and_then(|f| f.tree.body.nodes.iter().rposition(|n| n.is_named("Listen")));
    for node in nodes {
        match last_listen {
            Some(i) => plan
                .loaded
                .insert_after(
                    &NodeId {
                        file,
                        path: vec![i],
                    },
                    node,
                )
                .map_err(edit("Listen"))?,
            None => plan
                .loaded
                .push_to_file(file, node)
                .map_err(edit("Listen"))?,
        };
    }
    Ok(true)
}

fn set_listen_port(nodes: &mut [Node], port: u16) -> Result<(), InstallError> {
    for node in nodes {
        if node.is_named("Listen") {
            let word = Word::new(port.to_string())?;
            let mut args = node.args().to_vec();
            if let Some(first) = args.first_mut() {
                first.word = word;
                *node.args_mut() = args.into();
            }
        }
        if let Some(body) = node.body_mut() {
            set_listen_port(&mut body.nodes, port)?;
        }
    }
    Ok(())
}

/// A `Listen port` in an enabled file whose only inactive enclosing sections are
/// `<IfModule>`s for modules the plan now loads.
fn listen_in_module_section(plan: &Plan, port: u16) -> bool {
    let loaded = &plan.loaded;
    loaded.files().iter().enumerate().any(|(file, f)| {
        f.enabled
            && f.tree.walk().iter().any(|(path, node)| {
                node.is_named("Listen")
                    && loaded
                        .arg_values(&NodeId {
                            file,
                            path: path.clone(),
                        })
                        .first()
                        .and_then(|a| listen_port(&String::from_utf8_lossy(a)))
                        == Some(port)
                    && (1..path.len()).all(|depth| {
                        let id = NodeId {
                            file,
                            path: path[..depth].to_vec(),
                        };
                        loaded.is_active(&id) || module_section_now_true(plan, &id)
                    })
            })
    })
}

fn module_section_now_true(plan: &Plan, id: &NodeId) -> bool {
    let Some(node) = plan.loaded.node(id) else {
        return false;
    };
    if !node.is_named("IfModule") {
        return false;
    }
    let args = plan.loaded.arg_values(id);
    let Some(arg) = args.first() else {
        return false;
    };
    let arg = String::from_utf8_lossy(arg);
    let (negated, module) = negation(&arg);
    plan.loaded.modules.contains(module) != negated
}
