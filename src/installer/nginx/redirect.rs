//! `--redirect`: plain HTTP answers 301 to HTTPS, for the certificate's
//! names only, in the block nginx uses for each name on the HTTP port.
//!
//! - A plain block whose names are all in the certificate (and that is not
//!   the default server) gets `return 301 https://$host$request_uri;`.
//! - A plain block that also serves other names gets, per name,
//!   `if ($host = NAME) { return 301 ...; }`.
//! - A block serving both HTTP and HTTPS whose names are all in the
//!   certificate is split: its plain `listen`s move to a new block (with the
//!   same `server_name`) that only redirects, so the HTTPS block can never
//!   redirect to itself.
//! - A dual block that also serves other names (or whose plain `listen`s
//!   come from an include) keeps serving them: it gets
//!   `set $certsmith_redirect $scheme://$host;` and, per name,
//!   `if ($certsmith_redirect = http://NAME) { return 301 ...; }`, which
//!   never fires on HTTPS.

use super::build;
use super::error::InstallError;
use super::install::{InstallRequest, Report};
use super::load::NginxConfig;
use super::nodes::NodeRef;
use super::servers::Server;
use super::tls::at;
use super::view::{View, names_covered};
use crate::syntax::nginx::Directive;

/// The variable of the scheme-and-host test in dual blocks.
const VARIABLE: &str = "certsmith_redirect";

pub fn redirect(
    config: &mut NginxConfig,
    request: &InstallRequest,
    report: &mut Report,
) -> Result<(), InstallError> {
    let view = View::new(config);
    // Block -> names it must redirect, from one view; applied back to front
    // so that an edit never shifts a block still to be edited.
    let mut plan: Vec<(usize, Vec<String>)> = Vec::new();
    for name in &request.names {
        if view.tls_winners(name).0.is_empty() {
            return Err(InstallError::NoTls { name: name.clone() });
        }
        let (winners, _) = view.plain_winners(name, request.http_port);
        if winners.is_empty() {
            report.note(format!(
                "{name}: no server block answers it on port {}; nothing to redirect",
                request.http_port
            ));
        }
        for w in winners {
            if already_redirects(config, &view.servers[w], name) {
                report.note(format!(
                    "{name}: http already redirects to https ({})",
                    at(config, &view.servers[w].node)
                ));
                continue;
            }
            match plan.iter_mut().find(|(b, _)| *b == w) {
                Some((_, names)) => names.push(name.clone()),
                None => plan.push((w, vec![name.clone()])),
            }
        }
    }
    plan.sort_by(|a, b| view.servers[b.0].node.cmp(&view.servers[a.0].node));
    for (server, names) in plan {
        redirect_block(config, &view, server, &names, request, report)?;
    }
    Ok(())
}

fn redirect_block(
    config: &mut NginxConfig,
    view: &View,
    server: usize,
    names: &[String],
    request: &InstallRequest,
    report: &mut Report,
) -> Result<(), InstallError> {
    let s = &view.servers[server];
    let plain: Vec<&NodeRef> = s
        .listens
        .iter()
        .filter(|(_, l)| l.as_ref().is_ok_and(|l| !l.ssl))
        .map(|(n, _)| n)
        .collect();
    let default = s
        .listens
        .iter()
        .any(|(_, l)| l.as_ref().is_ok_and(|l| !l.ssl && l.default_server));
    let full = names_covered(s, &request.names) && !default;
    let (exact, wild): (Vec<&String>, Vec<&String>) =
        names.iter().partition(|n| !n.starts_with("*."));
    let port = request.https_port;
    let block = s.node.clone();
    let where_ = at(config, &block);
    if !view.tls[server] {
        if full {
            insert_at_anchor(config, s, vec![build::return_301(port)?])?;
        } else {
            skip_wildcards(&wild, &where_, report);
            let ifs = exact
                .iter()
                .map(|n| build::redirect_if("host", n, port))
                .collect::<Result<Vec<_>, _>>()?;
            insert_at_anchor(config, s, ifs)?;
        }
        report.line(format!(
            "redirect: http://{} -> https in the server block at {where_}",
            names.join(", http://")
        ));
        return Ok(());
    }
    let movable = plain
        .iter()
        .all(|n| n.file == block.file && n.path.len() == block.path.len() + 1);
    if full && movable && !plain.is_empty() {
        split(config, s, &plain, port)?;
        report.line(format!(
            "redirect: split the server block at {where_}: it keeps HTTPS; a new block after it answers http://{} with 301",
            names.join(", http://")
        ));
        return Ok(());
    }
    skip_wildcards(&wild, &where_, report);
    if exact.is_empty() {
        return Ok(());
    }
    let has_set = config.children_named(&block, "set").iter().any(|n| {
        config
            .directive(n)
            .and_then(|d| d.args().next().map(|a| a.is(&format!("${VARIABLE}"))))
            .unwrap_or(false)
    });
    let mut new = Vec::new();
    if !has_set {
        new.push(build::simple(
            "set",
            &[format!("${VARIABLE}").as_bytes(), b"$scheme://$host"],
        )?);
    }
    for n in &exact {
        new.push(build::redirect_if(VARIABLE, &format!("http://{n}"), port)?);
    }
    insert_at_anchor(config, s, new)?;
    report.line(format!(
        "redirect: http://{} -> https in the server block at {where_} (it serves HTTP and HTTPS, and other names too)",
        exact
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(", http://")
    ));
    Ok(())
}

fn skip_wildcards(wild: &[&String], where_: &str, report: &mut Report) {
    for w in wild {
        report.warn(format!(
            "{w}: no redirect added in the server block at {where_}: it also serves names outside the certificate"
        ));
    }
}

/// Add `new` (in order) next to the block's identity lines (see
/// [`build::add_to_server`]), each marked.
fn insert_at_anchor(
    config: &mut NginxConfig,
    server: &Server,
    new: Vec<Directive>,
) -> Result<(), InstallError> {
    for d in new {
        build::add_to_server(config, &server.node, d)?;
    }
    Ok(())
}

/// Move the plain `listen`s of a dual block into a new block after it that
/// only redirects.
fn split(
    config: &mut NginxConfig,
    server: &Server,
    plain: &[&NodeRef],
    https_port: u16,
) -> Result<(), InstallError> {
    let mut children = Vec::new();
    for n in plain {
        if let Some(d) = config.directive(n) {
            children.push(build::bare_copy(d)?);
        }
    }
    for n in config.children_named(&server.node, "server_name") {
        if let Some(d) = config.directive(&n) {
            children.push(build::bare_copy(d)?);
        }
    }
    children.push(build::return_301(https_port)?);
    let block = Directive::with_block("server", [], children)?;
    let added = config.insert_after(&server.node, block)?;
    build::mark(config, &added)?;
    let mut gone: Vec<&NodeRef> = plain.to_vec();
    gone.sort();
    for n in gone.into_iter().rev() {
        config.remove(n)?;
    }
    Ok(())
}

/// Whether the block already sends `name` from http to https: a
/// server-level `return 30x https://...` or `rewrite ... https://...`, or
/// an `if` on the scheme, or on the host being `name`, that does.
pub fn already_redirects(config: &NginxConfig, server: &Server, name: &str) -> bool {
    config.children(&server.node).iter().any(|child| {
        let Some(d) = config.directive(child) else {
            return false;
        };
        if d.block().is_none() {
            return redirects_to_https(d);
        }
        if !d.is("if") {
            return false;
        }
        let inside = config
            .children(child)
            .iter()
            .any(|n| config.directive(n).is_some_and(redirects_to_https));
        inside && condition_covers(d, name)
    })
}

fn redirects_to_https(d: &Directive) -> bool {
    let args: Vec<String> = d.args().map(|a| a.value_str().into_owned()).collect();
    if d.is("return") {
        return matches!(
            args.as_slice(),
            [code, url] if matches!(code.as_str(), "301" | "302" | "303" | "307" | "308") && url.starts_with("https://")
        ) || matches!(args.as_slice(), [url] if url.starts_with("https://"));
    }
    d.is("rewrite") && args.get(1).is_some_and(|u| u.starts_with("https://"))
}

/// Does an `if` condition hold for http requests to `name`?
fn condition_covers(d: &Directive, name: &str) -> bool {
    let args: Vec<String> = d.args().map(|a| a.value_str().into_owned()).collect();
    let joined = args.join(" ");
    let inner = joined
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    let mut parts = inner.splitn(3, ' ');
    let (Some(var), op, value) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let value = value
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .trim_matches('\'');
    let host_var = matches!(var, "$host" | "$http_host" | "$server_name");
    match (op, var) {
        (Some("="), _) if var == format!("${VARIABLE}") => {
            value.eq_ignore_ascii_case(&format!("http://{name}"))
        }
        (Some("="), _) if host_var => value.eq_ignore_ascii_case(name),
        (Some("~" | "~*"), _) if host_var => regex::RegexBuilder::new(value)
            .case_insensitive(op == Some("~*"))
            .build()
            .is_ok_and(|r| r.is_match(name)),
        // Conditions on the scheme (`$scheme != "https"`, `$https = ""`) hold for every name.
        _ => matches!(var, "$scheme" | "$https" | "$server_port"),
    }
}
