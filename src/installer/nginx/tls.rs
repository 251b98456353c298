//! Certificates into server blocks: an existing TLS block gets only its
//! `ssl_certificate`/`ssl_certificate_key` lines replaced; a plain block
//! gets `listen ... ssl` next to each address it listens on, the
//! certificate lines and the include of certsmith's TLS settings file.

use super::build::{self, MARK};
use super::error::InstallError;
use super::install::{InstallRequest, Report};
use super::listen::Listen;
use super::load::NginxConfig;
use super::nodes::NodeRef;
use super::view::{Endpoint, View};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

pub use crate::installer::CertFiles;

/// The directives certsmith's TLS settings file sets: a block that sets
/// any of them itself does not get the include (nginx refuses duplicates).
pub const OPTION_DIRECTIVES: &[&str] = &[
    "ssl_session_cache",
    "ssl_session_timeout",
    "ssl_session_tickets",
    "ssl_protocols",
    "ssl_ecdh_curve",
    "ssl_ciphers",
    "ssl_prefer_server_ciphers",
    "ssl_dhparam",
];

/// `FILE:LINE` of a node, for messages.
pub fn at(config: &NginxConfig, node: &NodeRef) -> String {
    match config.position(node.file, &node.path) {
        Some((file, pos)) => format!("{}:{}", file.display(), pos.line),
        None => "?".to_string(),
    }
}

/// Replace (or add) the certificate lines of a server block that already
/// runs TLS. Returns whether anything changed.
///
/// nginx pairs the n-th `ssl_certificate` with the n-th
/// `ssl_certificate_key` and, of several certificates of one key type,
/// serves the last: so the last pair is the one replaced. When that pair
/// comes from a file other sites include too, it stays as it is (it is
/// theirs as well) and certsmith's own pair goes at the end of the block,
/// after it, where it wins.
pub fn set_certificate(
    config: &mut NginxConfig,
    view: &View,
    server: usize,
    cert: &CertFiles,
    report: &mut Report,
) -> Result<bool, InstallError> {
    let block = view.servers[server].node.clone();
    let certs = config.children_named(&block, "ssl_certificate");
    let keys = config.children_named(&block, "ssl_certificate_key");
    let pair = [
        (certs.last().cloned(), &cert.fullchain, "ssl_certificate"),
        (keys.last().cloned(), &cert.key, "ssl_certificate_key"),
    ];
    let editable = |n: &Option<NodeRef>| {
        n.as_ref()
            .is_some_and(|n| n.file == block.file || !view.is_shared(n.file))
    };
    if pair.iter().all(|(n, _, _)| n.is_none()) {
        for (_, path, directive) in &pair {
            build::add_to_server(config, &block, build::with_path(directive, path)?)?;
        }
        return Ok(true);
    }
    if !pair.iter().all(|(n, _, _)| editable(n)) || certs.len() != keys.len() {
        if pair.iter().all(|(n, path, _)| names_path(config, n, path)) {
            return Ok(false);
        }
        for (_, path, directive) in &pair {
            let added = config.push(&block, build::with_path(directive, path)?)?;
            build::mark(config, &added)?;
        }
        report.note(format!(
            "{}: its certificate lines come from a file other sites include too; certsmith added its own after them (nginx serves the last certificate of each key type)",
            at(config, &block)
        ));
        return Ok(true);
    }
    if certs.len() > 1 {
        report.note(format!(
            "{} has {} certificates; certsmith replaced the last one",
            at(config, &block),
            certs.len()
        ));
    }
    let mut changed = false;
    for (node, path, _) in pair {
        let Some(node) = node else { continue };
        if names_path(config, &Some(node.clone()), path) {
            continue;
        }
        let commented = config
            .directive(&node)
            .is_some_and(|d| d.comment().is_some());
        config.set_args(&node, [build::path_word(path)?])?;
        if !commented {
            config.set_comment(&node, MARK)?;
        }
        changed = true;
    }
    Ok(changed)
}

/// Whether the directive at `node` names exactly `path`.
fn names_path(config: &NginxConfig, node: &Option<NodeRef>, path: &Path) -> bool {
    node.as_ref()
        .and_then(|n| config.directive(n))
        .is_some_and(|d| {
            d.args().len() == 1
                && d.args()
                    .next()
                    .is_some_and(|a| *a.value() == *path.as_os_str().as_bytes())
        })
}

/// Make a plain server block serve TLS too: `listen ... ssl` for each
/// address it listens on, the certificate, and the include of `options`
/// (certsmith's TLS settings) unless the block sets such settings itself.
pub fn convert(
    config: &mut NginxConfig,
    view: &View,
    server: usize,
    request: &InstallRequest,
    cert: &CertFiles,
    name: &str,
    report: &mut Report,
) -> Result<(), InstallError> {
    let https_port = request.https_port;
    let s = &view.servers[server];
    let block = s.node.clone();
    let listens: Vec<(NodeRef, Listen)> = s
        .listens
        .iter()
        .filter_map(|(n, l)| l.as_ref().ok().map(|l| (n.clone(), l.clone())))
        .collect();
    if s.listens.is_empty() {
        // Adding a `listen` ends nginx's implicit `listen 80`: keep it, in writing.
        let implicit = Endpoint {
            address: "*".into(),
            port: 80,
        };
        build::add_to_server(config, &block, build::listen(&implicit, false)?)?;
    }
    let mut wanted: Vec<Endpoint> = Vec::new();
    for (_, l) in &listens {
        if let Some(mut e) = Endpoint::of(l) {
            e.port = https_port;
            if !wanted.contains(&e) {
                wanted.push(e);
            }
        }
    }
    if wanted.is_empty() {
        wanted.push(Endpoint {
            address: "*".into(),
            port: https_port,
        });
    }
    for endpoint in &wanted {
        let existing = listens
            .iter()
            .find(|(_, l)| Endpoint::of(l).as_ref() == Some(endpoint));
        match existing {
            // `listen 443;` (plain HTTP on the TLS port): it gains `ssl`.
            Some((node, _)) => add_ssl_param(config, view, node, name)?,
            None => {
                build::add_to_server(config, &block, build::listen(endpoint, true)?)?;
            }
        }
    }
    set_certificate(config, view, server, cert, report)?;
    if let Some(options) = &request.options {
        include_options(config, &block, options, report)?;
    }
    Ok(())
}

fn add_ssl_param(
    config: &mut NginxConfig,
    view: &View,
    node: &NodeRef,
    name: &str,
) -> Result<(), InstallError> {
    if view.is_shared(node.file) {
        return Err(InstallError::Shared {
            what: "`listen`".into(),
            name: name.to_string(),
            at: at(config, node),
        });
    }
    let (mut words, commented) = match config.directive(node) {
        Some(d) => (d.args().collect::<Vec<_>>(), d.comment().is_some()),
        None => return Ok(()),
    };
    words.push(build::word("ssl")?);
    config.set_args(node, words)?;
    if !commented {
        config.set_comment(node, MARK)?;
    }
    Ok(())
}

fn include_options(
    config: &mut NginxConfig,
    block: &NodeRef,
    options: &Path,
    report: &mut Report,
) -> Result<(), InstallError> {
    let children = config.children(block);
    let mut own_settings = Vec::new();
    for child in &children {
        let Some(d) = config.directive(child) else {
            continue;
        };
        if d.is("include")
            && d.args()
                .next()
                .is_some_and(|a| *a.value() == *options.as_os_str().as_bytes())
        {
            return Ok(());
        }
        if let Some(name) = OPTION_DIRECTIVES.iter().find(|n| d.is(n)) {
            own_settings.push(format!("{name} ({})", at(config, child)));
        }
    }
    if !own_settings.is_empty() {
        report.note(format!(
            "{}: not including {} because the block sets {} itself",
            at(config, block),
            options.display(),
            own_settings.join(", ")
        ));
        return Ok(());
    }
    build::add_to_server(config, block, build::with_path("include", options)?)?;
    Ok(())
}
