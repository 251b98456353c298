//! The enhancements: redirect http to https, HSTS, upgrade-insecure-requests and OCSP
//! stapling. Each looks first whether it is already there (in any spelling), so a
//! second run adds nothing.
//!
//! - Redirect, in the plain-http vhost of each name: `RewriteEngine on`, one
//!   `RewriteCond %{SERVER_NAME} =NAME [OR]` per name (the last without `[OR]`) and
//!   `RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]`, placed
//!   before the vhost's own rewrite rules so that none of them answers first. Names no
//!   http vhost serves get a new redirect vhost next to their TLS vhost.
//! - HSTS / UIR: `Header always set Strict-Transport-Security "max-age=31536000"` /
//!   `Header always set Content-Security-Policy "upgrade-insecure-requests"` in the TLS
//!   vhost (mod_headers enabled).
//! - OCSP stapling: `SSLUseStapling on` in the TLS vhost and, when Apache has none,
//!   `SSLStaplingCache` in server scope right before that vhost (it is not allowed inside
//!   one); a warning when the certificate names no OCSP responder.

use super::choose::{self, Choice, Purpose};
use super::error::{InstallError, edit};
use super::install::{Ask, InstallRequest, Report, Settings, VhostKey, resolve};
use super::loaded::NodeId;
use super::modules;
use super::plan::Plan;
use super::query;
use super::sites;
use super::ssl_vhost::redirects_to_https;
use super::vhost::VirtualHost;
use crate::syntax::apache::{Directive, Document, Node, Word, edit::parse_snippet};
use std::path::PathBuf;

const REDIRECT_RULE: &[u8] =
    b"RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n";
const HSTS: &[u8] = b"Header always set Strict-Transport-Security \"max-age=31536000\"\n";
const UIR: &[u8] = b"Header always set Content-Security-Policy \"upgrade-insecure-requests\"\n";

/// Directives named `name` in the vhost's body and in its active conditional sections,
/// in reading order.
pub fn in_vhost(plan: &Plan, vhost: &VirtualHost, name: &str) -> Vec<NodeId> {
    let mut out = Vec::new();
    collect(plan, &vhost.node, name, &mut out);
    out
}

fn collect(plan: &Plan, parent: &NodeId, name: &str, out: &mut Vec<NodeId>) {
    let Some(body) = plan.loaded.node(parent).and_then(Node::body) else {
        return;
    };
    for (i, node) in body.nodes.iter().enumerate() {
        let id = NodeId {
            file: parent.file,
            path: [&parent.path[..], &[i]].concat(),
        };
        match node {
            Node::Directive(_) if node.is_named(name) => out.push(id),
            Node::Section(_)
                if node.name_bytes().len() > 2
                    && node.name_bytes()[..2].eq_ignore_ascii_case(b"if")
                    && (plan.loaded.is_active(&id) || !plan.loaded.is_active(parent)) =>
            {
                collect(plan, &id, name, out)
            }
            _ => {}
        }
    }
}

/// HSTS, UIR and stapling in the TLS vhost `key`.
pub fn on_tls_vhost(
    plan: &mut Plan,
    key: VhostKey,
    request: &InstallRequest,
    report: &mut Report,
) -> Result<(), InstallError> {
    let e = request.enhance;
    let policy = request.settings.modules();
    for (wanted, header, template, what) in [
        (e.hsts, "Strict-Transport-Security", HSTS, "HSTS"),
        (
            e.uir,
            "Content-Security-Policy",
            UIR,
            "upgrade-insecure-requests",
        ),
    ] {
        if !wanted {
            continue;
        }
        let vhost = key.find(plan)?;
        let present = in_vhost(plan, &vhost, "Header").iter().any(|id| {
            plan.loaded
                .arg_values(id)
                .iter()
                .any(|a| a.eq_ignore_ascii_case(header.as_bytes()))
        });
        if present {
            continue;
        }
        modules::ensure(plan, "headers", policy)?;
        plan.loaded
            .push_template(Some(&vhost.node), template)
            .map_err(edit("Header"))?;
        report
            .done
            .push(format!("{what} in {}", choose::describe(&vhost)));
    }
    if e.staple_ocsp {
        staple(plan, key, request, report)?;
    }
    Ok(())
}

fn staple(
    plan: &mut Plan,
    key: VhostKey,
    request: &InstallRequest,
    report: &mut Report,
) -> Result<(), InstallError> {
    let vhost = key.find(plan)?;
    let on = Word::new("on")?;
    match in_vhost(plan, &vhost, "SSLUseStapling").last() {
        Some(id)
            if plan
                .loaded
                .arg_values(id)
                .first()
                .is_some_and(|v| v.eq_ignore_ascii_case(b"on")) => {}
        Some(id) => plan
            .loaded
            .set_args(id, vec![on])
            .map_err(edit("SSLUseStapling"))?,
        None => {
            plan.loaded
                .push(
                    Some(&vhost.node),
                    Directive::new("SSLUseStapling", [on])?.into(),
                )
                .map_err(edit("SSLUseStapling"))?;
        }
    }
    if query::active_named(&plan.loaded, "SSLStaplingCache").is_empty() {
        modules::ensure(plan, "socache_shmcb", request.settings.modules())?;
        let cache = if plan.loaded.variables.contains_key("APACHE_RUN_DIR") {
            "shmcb:${APACHE_RUN_DIR}/certsmith_stapling(128000)".to_string()
        } else {
            "shmcb:logs/certsmith_stapling(128000)".to_string()
        };
        let directive = Directive::new("SSLStaplingCache", [Word::new(cache)?])?;
        plan.loaded
            .insert_before(&vhost.node, directive.into())
            .map_err(edit("SSLStaplingCache"))?;
    }
    report.done.push(format!(
        "OCSP stapling in {}",
        choose::describe(&key.find(plan)?)
    ));
    if let Some(cert) = &request.cert {
        let pem = std::fs::read_to_string(&cert.fullchain).unwrap_or_default();
        let ocsp = crate::x509::parse_pem(&pem).ok().and_then(|i| i.ocsp_url);
        if ocsp.is_none() {
            report.notes.push(format!(
                "{} names no OCSP responder: Apache has nothing to staple (the CA may have stopped OCSP)",
                cert.fullchain.display()
            ));
        }
    }
    Ok(())
}

/// Redirect each name's plain-http vhost to https; names without one get a redirect
/// vhost next to their TLS vhost (`tls`, the TLS vhosts of this install, if any).
pub fn redirect(
    plan: &mut Plan,
    names: &[String],
    tls: &[VhostKey],
    settings: &Settings,
    ask: &mut Ask<'_>,
    report: &mut Report,
) -> Result<(), InstallError> {
    let vhosts = plan.loaded.vhosts();
    let mut groups: Vec<(VirtualHost, Vec<String>)> = Vec::new();
    let mut homeless: Vec<String> = Vec::new();
    for name in names {
        let choice = choose::choose(&vhosts, name, Purpose::Http(settings.http_port));
        let choice = match choice {
            // A redirect must never loop: a catch-all vhost chosen only because it is the
            // only one is fine, since the rule tests the name.
            c @ (Choice::One(..) | Choice::Ambiguous(_)) => c,
            Choice::None => {
                homeless.push(name.clone());
                continue;
            }
        };
        if let Some((vhost, _)) = resolve(name, choice, ask)? {
            match groups.iter_mut().find(|(v, _)| v.node == vhost.node) {
                Some((_, list)) => list.push(name.clone()),
                None => groups.push((vhost, vec![name.clone()])),
            }
        }
    }
    let keys: Vec<(VhostKey, Vec<String>)> = groups
        .iter()
        .map(|(v, n)| (VhostKey::of(plan, v), n.clone()))
        .collect();
    for (key, names) in keys {
        let vhost = key.find(plan)?;
        if add_redirect(plan, &vhost, &names, settings, report)? {
            report.done.push(format!(
                "redirect to https in {}",
                choose::describe(&key.find(plan)?)
            ));
        }
    }
    if !homeless.is_empty() {
        redirect_vhost(plan, &homeless, tls, settings, report)?;
    }
    Ok(())
}

/// `Ok(false)` when the vhost already redirects these names.
fn add_redirect(
    plan: &mut Plan,
    vhost: &VirtualHost,
    names: &[String],
    settings: &Settings,
    report: &mut Report,
) -> Result<bool, InstallError> {
    let Some(body) = plan.loaded.node(&vhost.node).and_then(Node::body) else {
        return Ok(false);
    };
    let nodes = &body.nodes;
    // An existing redirect to https: ours (extended with missing names) or the user's.
    if let Some(rule) = nodes.iter().position(redirects_to_https) {
        let ours = nodes[rule].is_named("RewriteRule") && is_our_rule(&nodes[rule]);
        if !ours {
            report.notes.push(format!(
                "{} already redirects to https ({}); left as it is",
                choose::describe(vhost),
                super::ssl_vhost::node_text(&nodes[rule])
            ));
            return Ok(false);
        }
        let mut first = rule;
        while first > 0 && nodes[first - 1].is_named("RewriteCond") {
            first -= 1;
        }
        if first == rule {
            return Ok(false); // unconditional: every name is redirected
        }
        let covered: Vec<String> = nodes[first..rule]
            .iter()
            .filter_map(server_name_condition)
            .collect();
        let missing: Vec<&String> = names
            .iter()
            .filter(|n| !covered.iter().any(|c| c.eq_ignore_ascii_case(n)))
            .collect();
        for (i, name) in missing.iter().enumerate() {
            let at = NodeId {
                file: vhost.node.file,
                path: [&vhost.node.path[..], &[first + i]].concat(),
            };
            plan.loaded
                .insert_before(&at, condition(name, true)?.into())
                .map_err(edit("RewriteCond"))?;
        }
        return Ok(!missing.is_empty());
    }
    modules::ensure(plan, "rewrite", settings.modules())?;
    let engine_on = in_vhost(plan, vhost, "RewriteEngine")
        .last()
        .is_some_and(|id| {
            plan.loaded
                .arg_values(id)
                .first()
                .is_some_and(|v| v.eq_ignore_ascii_case(b"on"))
        });
    let mut new: Vec<Node> = Vec::new();
    if !engine_on {
        new.extend(
            parse_snippet(b"RewriteEngine on\n").map_err(|e| InstallError::Other(e.to_string()))?,
        );
    }
    for (i, name) in names.iter().enumerate() {
        new.push(condition(name, i + 1 < names.len())?.into());
    }
    new.extend(parse_snippet(REDIRECT_RULE).map_err(|e| InstallError::Other(e.to_string()))?);
    // Before the vhost's own rewrite rules, else at its end.
    let body = plan.loaded.node(&vhost.node).and_then(Node::body);
    let first_rule = body.and_then(|b| {
        b.nodes
            .iter()
            .position(|n| n.is_named("RewriteCond") || n.is_named("RewriteRule"))
    });
    let start = first_rule.unwrap_or_else(|| body.map_or(0, |b| b.nodes.len()));
    for (index, node) in (start..).zip(new) {
        plan.loaded
            .insert(Some(&vhost.node), index, node)
            .map_err(edit("the redirect"))?;
    }
    Ok(true)
}

fn is_our_rule(node: &Node) -> bool {
    let want = Document::parse(REDIRECT_RULE)
        .ok()
        .and_then(|d| d.body.nodes.first().map(Node::arg_values));
    Some(node.arg_values()) == want
}

/// `RewriteCond %{SERVER_NAME} =NAME [...]` -> NAME.
fn server_name_condition(node: &Node) -> Option<String> {
    let args = node.arg_values();
    if args.first().map(Vec::as_slice) != Some(b"%{SERVER_NAME}") {
        return None;
    }
    let value = args.get(1)?.strip_prefix(b"=")?;
    Some(String::from_utf8_lossy(value).into_owned())
}

fn condition(name: &str, or: bool) -> Result<Directive, InstallError> {
    let mut words = vec![Word::new("%{SERVER_NAME}")?, Word::new(format!("={name}"))?];
    if or {
        words.push(Word::new("[OR]")?);
    }
    Ok(Directive::new("RewriteCond", words)?)
}

/// A new `<VirtualHost *:HTTP>` that only redirects `names`, in `le-redirect-NAME.conf`
/// next to the first TLS vhost of this install (or in the vhost root / main file's dir).
fn redirect_vhost(
    plan: &mut Plan,
    names: &[String],
    tls: &[VhostKey],
    settings: &Settings,
    report: &mut Report,
) -> Result<(), InstallError> {
    modules::ensure(plan, "rewrite", settings.modules())?;
    let near = match tls.first() {
        Some(key) => {
            let v = key.find(plan)?;
            plan.loaded.file(v.node.file).map(|f| f.real_path.clone())
        }
        None => None,
    };
    let dir: PathBuf = settings
        .naming
        .vhost_root
        .clone()
        .or_else(|| near.and_then(|p| p.parent().map(PathBuf::from)))
        .or_else(|| plan.layout.sites_available.clone())
        .or_else(|| plan.layout.conf_d.clone())
        .unwrap_or_else(|| plan.layout.server_root.clone());
    let path = dir.join(format!(
        "le-redirect-{}.conf",
        names[0].trim_start_matches("*.")
    ));
    let mut doc = Document::parse(
        b"<VirtualHost *:80>\n\tServerName x\n\tRewriteEngine on\n\tRewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n</VirtualHost>\n",
    )
    .map_err(|e| InstallError::Other(e.to_string()))?;
    doc.set_args(&[0], vec![Word::new(format!("*:{}", settings.http_port))?])
        .map_err(edit("the redirect vhost"))?;
    doc.set_args(&[0, 0], vec![Word::new(&names[0])?])
        .map_err(edit("the redirect vhost"))?;
    if names.len() > 1 {
        let aliases = names[1..]
            .iter()
            .map(Word::new)
            .collect::<Result<Vec<_>, _>>()?;
        doc.insert_after(&[0, 0], Directive::new("ServerAlias", aliases)?.into())
            .map_err(edit("the redirect vhost"))?;
    }
    if plan.plans_path(&path) || std::fs::symlink_metadata(&path).is_ok() {
        return Err(InstallError::File {
            path,
            detail: "exists, but serves none of the names; move it away".into(),
        });
    }
    let file = plan.create_file(path.clone(), doc);
    sites::enable_file(plan, file, settings.handle_sites)?;
    sites::ensure_listen(plan, settings.http_port, false)?;
    report.done.push(format!(
        "created {} (redirects {} to https)",
        path.display(),
        names.join(", ")
    ));
    Ok(())
}
