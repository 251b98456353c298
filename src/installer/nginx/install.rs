//! Installing a certificate and enhancements into a loaded configuration
//! (in memory; [`super::Nginx::deploy`] writes, tests and reloads).
//!
//! Which blocks get the certificate, per name, as nginx would serve it:
//! 1. the blocks that answer the name over TLS (by name, on each TLS
//!    address): only their certificate lines change;
//! 2. else the blocks that answer it over plain HTTP on the HTTP port (else
//!    on any port): they get TLS added;
//! 3. else a new block for the name, modelled on the `default_server` block
//!    of the HTTP port, inserted after it (and said so); without one, a
//!    clear error.
//!
//! Then `--redirect`, `--hsts`, `--uir`, `--staple-ocsp` (see `redirect.rs`,
//! `headers.rs`). Every line added carries `# managed by certsmith`. The
//! same request on the result changes nothing.

use super::build;
use super::error::InstallError;
use super::headers::{self, Header};
use super::load::NginxConfig;
use super::names::ServerName;
use super::redirect;
use super::tls::{self, CertFiles, at};
use super::view::{Endpoint, Unsure, View, own_children};
use crate::syntax::nginx::Directive;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

pub use crate::installer::Enhancements;

/// What to install.
#[derive(Debug, Clone)]
pub struct InstallRequest {
    /// The certificate's names (lower case; `*.example.com` for wildcards).
    pub names: Vec<String>,
    /// `None`: enhancements only (`enhance`), into blocks already on TLS.
    pub cert: Option<CertFiles>,
    /// The chain for `ssl_trusted_certificate` (OCSP stapling).
    pub chain: Option<PathBuf>,
    /// certsmith's TLS settings file, included in blocks that get TLS.
    pub options: Option<PathBuf>,
    pub https_port: u16,
    pub http_port: u16,
    pub enhance: Enhancements,
}

/// What was done, for the user.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// One line per change.
    pub lines: Vec<String>,
    /// Things left as they were, and why.
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn line(&mut self, s: String) {
        self.lines.push(s);
    }
    pub fn note(&mut self, s: String) {
        self.notes.push(s);
    }
    pub fn warn(&mut self, s: String) {
        self.warnings.push(s);
    }
}

/// Refuse a file path nginx would not read as written (see
/// [`InstallError::Variable`]): checked before anything is edited, and (with
/// the certificate's future paths) before a certificate is ordered.
fn check_paths(request: &InstallRequest) -> Result<(), InstallError> {
    let cert = request.cert.iter().flat_map(|c| [&c.fullchain, &c.key]);
    let others = request.chain.iter().chain(&request.options);
    match cert
        .chain(others)
        .find(|p| p.as_os_str().as_bytes().contains(&b'$'))
    {
        Some(path) => Err(InstallError::Variable { path: path.clone() }),
        None => Ok(()),
    }
}

/// Install into `config` (in memory).
pub fn install(config: &mut NginxConfig, request: &InstallRequest) -> Result<Report, InstallError> {
    check_paths(request)?;
    let mut report = Report::default();
    if let Some(cert) = &request.cert {
        deploy_certificate(config, request, cert, &mut report)?;
    }
    let e = request.enhance;
    if e.redirect {
        redirect::redirect(config, request, &mut report)?;
    }
    if e.hsts || e.uir || e.staple_ocsp {
        let view = View::new(config);
        let mut blocks: Vec<usize> = Vec::new();
        for name in &request.names {
            let (found, _) = view.tls_winners(name);
            if found.is_empty() {
                return Err(InstallError::NoTls { name: name.clone() });
            }
            for b in found {
                if !blocks.contains(&b) {
                    blocks.push(b);
                }
            }
        }
        for b in blocks {
            if e.hsts {
                headers::add_header(config, &view, b, Header::Hsts, &mut report)?;
            }
            if e.uir {
                headers::add_header(config, &view, b, Header::Uir, &mut report)?;
            }
            if e.staple_ocsp {
                headers::staple(config, &view, b, request.chain.as_deref(), &mut report)?;
            }
        }
    }
    Ok(report)
}

/// Where each name's certificate goes.
enum Target {
    /// Blocks already on TLS (their certificate lines change).
    Tls(Vec<usize>),
    /// Plain blocks that get TLS.
    Plain(Vec<usize>),
    None(Vec<Unsure>),
}

fn target(view: &View, name: &str, http_port: u16) -> Target {
    let (tls, mut unsure) = view.tls_winners(name);
    if !tls.is_empty() {
        return Target::Tls(tls);
    }
    let (plain, u1) = view.plain_winners(name, http_port);
    if !plain.is_empty() {
        return Target::Plain(plain);
    }
    let (plain, u2) = view.plain_winners_any_port(name);
    if !plain.is_empty() {
        return Target::Plain(plain);
    }
    unsure.extend(u1);
    unsure.extend(u2);
    Target::None(unsure)
}

fn deploy_certificate(
    config: &mut NginxConfig,
    request: &InstallRequest,
    cert: &CertFiles,
    report: &mut Report,
) -> Result<(), InstallError> {
    let mut view = View::new(config);
    let unmatched = unmatched_names(&view, config, request)?;
    if !unmatched.is_empty() {
        create_from_default(config, &view, &unmatched, request.http_port, report)?;
        view = View::new(config);
        let still = unmatched_names(&view, config, request)?;
        if let Some(name) = still.first() {
            return Err(no_block(config, &view, name));
        }
    }
    // (block, is TLS already, first name it serves), back to front.
    let mut jobs: Vec<(usize, bool, String)> = Vec::new();
    for name in &request.names {
        let (blocks, tls) = match target(&view, name, request.http_port) {
            Target::Tls(b) => (b, true),
            Target::Plain(b) => (b, false),
            Target::None(_) => continue,
        };
        for b in blocks {
            if !jobs.iter().any(|(j, _, _)| *j == b) {
                jobs.push((b, tls || view.tls[b], name.clone()));
            }
        }
    }
    jobs.sort_by(|a, b| view.servers[b.0].node.cmp(&view.servers[a.0].node));
    for (b, is_tls, name) in jobs {
        let where_ = at(config, &view.servers[b].node);
        if is_tls {
            if tls::set_certificate(config, &view, b, cert, report)? {
                report.line(format!(
                    "certificate: set in the TLS server block at {where_}"
                ));
            } else {
                report.note(format!(
                    "certificate: already in the TLS server block at {where_}"
                ));
            }
        } else {
            tls::convert(config, &view, b, request, cert, &name, report)?;
            report.line(format!(
                "certificate: TLS added to the server block at {where_}"
            ));
        }
    }
    Ok(())
}

/// Names no block serves by name (checking regexes certsmith cannot evaluate).
fn unmatched_names(
    view: &View,
    config: &NginxConfig,
    request: &InstallRequest,
) -> Result<Vec<String>, InstallError> {
    let mut out = Vec::new();
    for name in &request.names {
        if let Target::None(unsure) = target(view, name, request.http_port) {
            if !unsure.is_empty() {
                let regexes: Vec<String> = unsure
                    .iter()
                    .map(|u| {
                        format!(
                            "~{} ({})",
                            u.regex,
                            at(config, &view.servers[u.server].node)
                        )
                    })
                    .collect();
                return Err(InstallError::Unsure {
                    name: name.clone(),
                    regexes: regexes.join(", "),
                });
            }
            out.push(name.clone());
        }
    }
    Ok(out)
}

fn no_block(config: &NginxConfig, view: &View, name: &str) -> InstallError {
    let listed: Vec<String> = view
        .servers
        .iter()
        .take(12)
        .map(|s| {
            let names: Vec<String> = s.names.iter().map(show_name).collect();
            format!(
                "{} ({})",
                at(config, &s.node),
                if names.is_empty() {
                    "no server_name".to_string()
                } else {
                    names.join(" ")
                }
            )
        })
        .collect();
    let candidates = if listed.is_empty() {
        " (the configuration has no server blocks)".to_string()
    } else {
        let more = view.servers.len().saturating_sub(listed.len());
        format!(
            ". Server blocks: {}{}",
            listed.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        )
    };
    InstallError::NoBlock {
        name: name.to_string(),
        candidates,
    }
}

fn show_name(n: &ServerName) -> String {
    match n {
        ServerName::Exact(e) => e.clone(),
        ServerName::Dot(d) => format!(".{d}"),
        ServerName::LeadingWildcard(s) => format!("*{s}"),
        ServerName::TrailingWildcard(p) => format!("{p}*"),
        ServerName::Regex(r) => format!("~{r}"),
        ServerName::Empty => "\"\"".to_string(),
        ServerName::Invalid(v) => v.clone(),
    }
}

/// A new block for `names`, modelled on the HTTP port's `default_server`
/// block: its directives (comments dropped) with `server_name` set to the
/// names and its `listen`s without `default_server` and other options that
/// may appear only once per address. Inserted right after the model.
fn create_from_default(
    config: &mut NginxConfig,
    view: &View,
    names: &[String],
    http_port: u16,
    report: &mut Report,
) -> Result<(), InstallError> {
    let Some(model) = view.plain_default(http_port) else {
        return Err(no_block(config, view, &names[0]));
    };
    let model_node = view.servers[model].node.clone();
    let mut children: Vec<Directive> = Vec::new();
    let words: Vec<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
    let mut endpoints: Vec<Endpoint> = Vec::new();
    for (endpoint, is_tls) in view.endpoints_of(model) {
        if !is_tls && endpoint.port == http_port && !endpoints.contains(&endpoint) {
            endpoints.push(endpoint);
        }
    }
    for endpoint in &endpoints {
        children.push(build::listen(endpoint, false)?);
    }
    children.push(build::simple("server_name", &words)?);
    for child in own_children(config, &model_node) {
        let Some(d) = config.directive(&child) else {
            continue;
        };
        let name = d.name_word().value_str();
        if matches!(name.as_ref(), "listen" | "server_name") || name.starts_with("ssl") {
            continue;
        }
        children.push(build::bare_copy(d)?);
    }
    let block = Directive::with_block("server", [], children)?;
    let added = config.insert_after(&model_node, block)?;
    build::mark(config, &added)?;
    report.line(format!(
        "created a server block for {} at {}, modelled on the default server block at {} (no block served {})",
        names.join(", "),
        at(config, &added),
        at(config, &model_node),
        if names.len() == 1 { "it" } else { "them" }
    ));
    Ok(())
}
