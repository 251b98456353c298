//! `--hsts`, `--uir` and `--staple-ocsp` in the TLS blocks of the names.
//!
//! nginx's `add_header` is inherited all or nothing: a level (server,
//! location, `if` in a location) with any `add_header` of its own inherits
//! none from above. So a header added at server level must also be added
//! to every location inside that has `add_header`s of its own; and a server
//! that had none of its own, but inherited some from `http`, gets copies of
//! those next to the new one, or it would stop sending them.

use super::build::{self, MARK};
use super::error::InstallError;
use super::install::Report;
use super::load::NginxConfig;
use super::nodes::NodeRef;
use super::tls::at;
use super::view::View;
use crate::syntax::nginx::{Directive, EditError};
use std::path::Path;

/// Which header an enhancement adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Hsts,
    Uir,
}

impl Header {
    fn name(self) -> &'static str {
        match self {
            Header::Hsts => "Strict-Transport-Security",
            Header::Uir => "Content-Security-Policy",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Header::Hsts => "HSTS",
            Header::Uir => "upgrade-insecure-requests",
        }
    }

    fn directive(self) -> Result<Directive, EditError> {
        match self {
            Header::Hsts => build::hsts_header(),
            Header::Uir => build::uir_header(),
        }
    }

    /// Whether an `add_header` already does this header's job.
    fn done_by(self, d: &Directive) -> bool {
        let args: Vec<String> = d.args().map(|a| a.value_str().into_owned()).collect();
        let Some(name) = args.first() else {
            return false;
        };
        if !name.eq_ignore_ascii_case(self.name()) {
            return false;
        }
        match self {
            Header::Hsts => true,
            Header::Uir => args
                .get(1)
                .is_some_and(|v| v.contains("upgrade-insecure-requests")),
        }
    }
}

/// Add `header` to the TLS block `server` and to its locations that have
/// `add_header`s of their own.
pub fn add_header(
    config: &mut NginxConfig,
    view: &View,
    server: usize,
    header: Header,
    report: &mut Report,
) -> Result<(), InstallError> {
    let block = view.servers[server].node.clone();
    let where_ = at(config, &block);
    // Deepest first: insertions inside a location never shift its ancestors.
    let mut levels = header_levels(config, &block);
    levels.sort();
    let mut added_in = 0;
    for level in levels.into_iter().rev() {
        if has_header(config, &level, header) {
            continue;
        }
        if view.is_shared(level.file) {
            report.warn(format!(
                "{}: {} not added here: the location is in a file included in several places",
                at(config, &level),
                header.label()
            ));
            continue;
        }
        let n = config.push(&level, header.directive()?)?;
        build::mark(config, &n)?;
        added_in += 1;
    }
    if has_header(config, &block, header) {
        if added_in > 0 {
            report.line(format!(
                "{}: added to {added_in} location(s) with their own add_header in the server block at {where_}",
                header.label()
            ));
        } else {
            report.note(format!(
                "{}: already set in the server block at {where_}",
                header.label()
            ));
        }
        return Ok(());
    }
    let inherited = inherited_headers(config, &block);
    for d in &inherited {
        build::add_to_server(config, &block, build::bare_copy(d)?)?;
    }
    if !inherited.is_empty() {
        report.note(format!(
            "{where_}: copied {} add_header line(s) from the http block, which the server block would stop inheriting",
            inherited.len()
        ));
    }
    build::add_to_server(config, &block, header.directive()?)?;
    report.line(format!(
        "{}: added to the server block at {where_}{}",
        header.label(),
        if added_in > 0 {
            format!(" and {added_in} location(s) with their own add_header")
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// Every `location` (and `if` inside one) under `block` that has an
/// `add_header` of its own.
fn header_levels(config: &NginxConfig, block: &NodeRef) -> Vec<NodeRef> {
    let mut out = Vec::new();
    let mut stack: Vec<NodeRef> = config.children(block);
    while let Some(n) = stack.pop() {
        let Some(d) = config.directive(&n) else {
            continue;
        };
        if d.block().is_none() || !(d.is("location") || d.is("if")) {
            continue;
        }
        let children = config.children(&n);
        if children
            .iter()
            .any(|c| config.directive(c).is_some_and(|d| d.is("add_header")))
        {
            out.push(n.clone());
        }
        stack.extend(children);
    }
    out
}

fn has_header(config: &NginxConfig, level: &NodeRef, header: Header) -> bool {
    config
        .children_named(level, "add_header")
        .iter()
        .any(|n| config.directive(n).is_some_and(|d| header.done_by(d)))
}

/// The `add_header`s of the `http` block around `server`, when the server
/// has none of its own (it inherits those).
fn inherited_headers(config: &NginxConfig, server: &NodeRef) -> Vec<Directive> {
    if !config.children_named(server, "add_header").is_empty() {
        return Vec::new();
    }
    for http in config.top() {
        let is_http = config
            .directive(&http)
            .is_some_and(|d| d.is("http") && d.block().is_some());
        if !is_http || !config.children(&http).contains(server) {
            continue;
        }
        return config
            .children_named(&http, "add_header")
            .iter()
            .filter_map(|n| config.directive(n).cloned())
            .collect();
    }
    Vec::new()
}

/// `ssl_stapling on; ssl_stapling_verify on;` and, when the block names no
/// trusted certificates, `ssl_trusted_certificate CHAIN;`.
pub fn staple(
    config: &mut NginxConfig,
    view: &View,
    server: usize,
    chain: Option<&Path>,
    report: &mut Report,
) -> Result<(), InstallError> {
    let block = view.servers[server].node.clone();
    let mut changed = false;
    for name in ["ssl_stapling", "ssl_stapling_verify"] {
        let found = config.children_named(&block, name);
        match found.first() {
            Some(n) => {
                let (on, commented) = config.directive(n).map_or((false, false), |d| {
                    (
                        d.args().next().is_some_and(|a| a.is("on")),
                        d.comment().is_some(),
                    )
                });
                if !on {
                    config.set_args(n, [build::word("on")?])?;
                    if !commented {
                        config.set_comment(n, MARK)?;
                    }
                    changed = true;
                }
            }
            None => {
                build::add_to_server(config, &block, build::simple(name, &[b"on"])?)?;
                changed = true;
            }
        }
    }
    if let Some(chain) = chain
        && config
            .children_named(&block, "ssl_trusted_certificate")
            .is_empty()
    {
        build::add_to_server(
            config,
            &block,
            build::with_path("ssl_trusted_certificate", chain)?,
        )?;
        changed = true;
    }
    let where_ = at(config, &block);
    if changed {
        report.line(format!(
            "OCSP stapling: enabled in the server block at {where_}"
        ));
    } else {
        report.note(format!(
            "OCSP stapling: already on in the server block at {where_}"
        ));
    }
    Ok(())
}
