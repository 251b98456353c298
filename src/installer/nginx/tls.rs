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
use std::path::{Path, PathBuf};

/// The certificate files a server block names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    /// Certificate and chain (`ssl_certificate`).
    pub fullchain: PathBuf,
    /// Private key (`ssl_certificate_key`).
    pub key: PathBuf,
}

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
pub fn set_certificate(
    config: &mut NginxConfig,
    view: &View,
    server: usize,
    cert: &CertFiles,
    name: &str,
    report: &mut Report,
) -> Result<bool, InstallError> {
    let block = view.servers[server].node.clone();
    let mut changed = false;
    for (directive, path) in [
        ("ssl_certificate", &cert.fullchain),
        ("ssl_certificate_key", &cert.key),
    ] {
        let found = config.children_named(&block, directive);
        let Some(node) = found.first().cloned() else {
            build::add_to_server(config, &block, build::with_path(directive, path)?)?;
            changed = true;
            continue;
        };
        if found.len() > 1 {
            report.warn(format!(
                "{} has {} `{directive}` lines; certsmith replaced the first one only",
                at(config, &block),
                found.len()
            ));
        }
        let (same, commented) = match config.directive(&node) {
            Some(d) => (
                d.args().len() == 1
                    && d.args()
                        .next()
                        .is_some_and(|a| *a.value() == *path.as_os_str().as_bytes()),
                d.comment().is_some(),
            ),
            None => (false, false),
        };
        if same {
            continue;
        }
        if node.file != block.file && view.is_shared(node.file) {
            return Err(InstallError::Shared {
                what: format!("`{directive}`"),
                name: name.to_string(),
                at: at(config, &node),
            });
        }
        config.set_args(&node, [build::path_word(path)?])?;
        if !commented {
            config.set_comment(&node, MARK)?;
        }
        changed = true;
    }
    Ok(changed)
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
    set_certificate(config, view, server, cert, name, report)?;
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
        Some(d) => (d.args().cloned().collect::<Vec<_>>(), d.comment().is_some()),
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
