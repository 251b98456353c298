//! Installing a certificate (and the enhancements asked for) into an Apache
//! configuration: every edit goes into a [`Plan`], which the caller writes as one
//! checkpoint ([`super::Apache::deploy`]).
//!
//! For each name: the vhost that serves it ([`super::choose`]). A TLS vhost gets its
//! `SSLCertificateFile` (the full chain) and `SSLCertificateKeyFile` replaced
//! (`SSLCertificateChainFile` goes: the full chain holds it); a plain-http vhost gets an
//! SSL twin ([`super::ssl_vhost`]) with `SSLEngine on`, the certificate lines and an
//! `Include` of certsmith's TLS settings, enabled in Apache. Then mod_ssl is enabled and
//! the https port listened on, and the enhancements are made ([`super::enhance`]). Each
//! step first looks whether its result is already there, so a second run plans nothing.

use super::choose::{self, Choice, Match, Purpose};
use super::enhance;
use super::error::{InstallError, edit};
use super::loaded::FileId;
use super::modules::{self, ModulePolicy};
use super::options;
use super::plan::Plan;
use super::sites;
use super::ssl_vhost::{self, FileNaming};
use super::vhost::VirtualHost;
use crate::syntax::apache::{Directive, Node, Word};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub use crate::installer::CertFiles;

pub use crate::installer::Enhancements;

/// The Apache flags that shape an install.
#[derive(Debug, Clone)]
pub struct Settings {
    pub naming: FileNaming,
    /// `--apache-handle-modules`
    pub handle_modules: bool,
    /// `--apache-handle-sites`
    pub handle_sites: bool,
    pub http_port: u16,
    pub https_port: u16,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            naming: FileNaming::default(),
            handle_modules: true,
            handle_sites: true,
            http_port: 80,
            https_port: 443,
        }
    }
}

impl Settings {
    pub fn modules(&self) -> ModulePolicy {
        ModulePolicy {
            handle: self.handle_modules,
        }
    }
}

#[derive(Debug, Clone)]
pub struct InstallRequest {
    pub names: Vec<String>,
    /// `None`: enhancements only (`enhance`).
    pub cert: Option<CertFiles>,
    pub enhance: Enhancements,
    /// Where certsmith's TLS settings file lives (the config dir).
    pub config_dir: PathBuf,
    pub settings: Settings,
}

/// Asked when several vhosts fit a name equally: the index of the one to use, or `None`
/// to give up (non-interactive: [`no_questions`]).
pub type Ask<'a> = dyn FnMut(&str, &[VirtualHost]) -> Option<usize> + 'a;

/// The answer of a run without a terminal (`-n`): ambiguity is an error.
pub fn no_questions(_name: &str, _candidates: &[VirtualHost]) -> Option<usize> {
    None
}

/// What an install did (or, for a plan not yet written, will do).
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub done: Vec<String>,
    pub notes: Vec<String>,
}

/// A vhost by something edits do not change: its file and its rank among that file's
/// vhosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VhostKey {
    file: FileId,
    ordinal: usize,
}

impl VhostKey {
    pub(crate) fn of(plan: &Plan, vhost: &VirtualHost) -> VhostKey {
        let ordinal = plan
            .loaded
            .vhosts()
            .iter()
            .filter(|v| v.node.file == vhost.node.file)
            .position(|v| v.node == vhost.node)
            .unwrap_or(0);
        VhostKey {
            file: vhost.node.file,
            ordinal,
        }
    }

    pub(crate) fn find(self, plan: &Plan) -> Result<VirtualHost, InstallError> {
        plan.loaded
            .vhosts()
            .into_iter()
            .filter(|v| v.node.file == self.file)
            .nth(self.ordinal)
            .ok_or_else(|| InstallError::Other("internal error: a virtual host vanished".into()))
    }
}

/// Refuse a file path Apache would not read as written (see
/// [`InstallError::Variable`]): checked before anything is planned, and (with
/// the certificate's future paths) before a certificate is ordered.
fn check_paths(request: &InstallRequest) -> Result<(), InstallError> {
    let options = options::plan(&request.config_dir).path;
    let cert = request
        .cert
        .iter()
        .flat_map(|c| [c.fullchain.clone(), c.key.clone()]);
    let has_variable = |p: &PathBuf| p.as_os_str().as_bytes().windows(2).any(|w| w == b"${");
    match cert.chain([options]).find(has_variable) {
        Some(path) => Err(InstallError::Variable { path }),
        None => Ok(()),
    }
}

/// Plan the install and enhancements for `request` into `plan`.
pub fn install(
    plan: &mut Plan,
    request: &InstallRequest,
    ask: &mut Ask<'_>,
) -> Result<Report, InstallError> {
    check_paths(request)?;
    let mut report = Report::default();
    let settings = &request.settings;
    let mut tls: Vec<(VhostKey, Vec<String>)> = Vec::new();
    if let Some(cert) = &request.cert {
        let options = options::plan(&request.config_dir);
        let mut created_any = false;
        for (vhost, names) in pick(plan, &request.names, Purpose::Install, ask)? {
            let (key, created) = tls_vhost(plan, &vhost, &names, settings, &mut report)?;
            let target = key.find(plan)?;
            set_certificate(plan, &target, cert, created.then_some(&options.path))?;
            created_any |= created;
            report.done.push(format!(
                "certificate {} in {}",
                cert.fullchain.display(),
                choose::describe(&key.find(plan)?)
            ));
            tls.push((key, names.into_iter().map(|(n, _)| n).collect()));
        }
        if modules::ensure(plan, "ssl", settings.modules())? {
            report.done.push("enabled mod_ssl".into());
        }
        if sites::ensure_listen(plan, settings.https_port, true)? {
            report
                .done
                .push(format!("Apache listens on port {}", settings.https_port));
        }
        if created_any {
            plan.extra.extend(options.files);
            report.notes.extend(options.note);
        }
    } else if request.enhance.on_tls_vhost() {
        for (vhost, names) in pick(plan, &request.names, Purpose::Install, ask)? {
            if !vhost.ssl {
                return Err(InstallError::Other(format!(
                    "no TLS virtual host serves {}: install a certificate first (the best match is {})",
                    names[0].0,
                    choose::describe(&vhost)
                )));
            }
            let key = VhostKey::of(plan, &vhost);
            tls.push((key, names.into_iter().map(|(n, _)| n).collect()));
        }
    }
    for (key, _) in &tls {
        enhance::on_tls_vhost(plan, *key, request, &mut report)?;
    }
    if request.enhance.redirect {
        let keys: Vec<VhostKey> = tls.iter().map(|(k, _)| *k).collect();
        enhance::redirect(plan, &request.names, &keys, settings, ask, &mut report)?;
    }
    report.notes.append(&mut plan.notes);
    Ok(report)
}

/// Vhosts with the names each serves and how they matched.
pub(crate) type Picks = Vec<(VirtualHost, Vec<(String, Match)>)>;

/// The vhost for each name, grouped: vhosts in the order first chosen, each with its
/// names and how they matched. No vhost for a name is an error.
pub(crate) fn pick(
    plan: &Plan,
    names: &[String],
    purpose: Purpose,
    ask: &mut Ask<'_>,
) -> Result<Picks, InstallError> {
    let vhosts = plan.loaded.vhosts();
    let mut out: Picks = Vec::new();
    for name in names {
        let Some((vhost, m)) = resolve(name, choose::choose(&vhosts, name, purpose), ask)? else {
            let macros = choose::macro_uses(&plan.loaded, name);
            if !macros.is_empty() {
                return Err(InstallError::Macro {
                    name: name.clone(),
                    uses: macros
                        .into_iter()
                        .map(|(at, text)| format!("{at}: {text}"))
                        .collect(),
                });
            }
            return Err(InstallError::NoVhost {
                name: name.clone(),
                candidates: vhosts
                    .iter()
                    .filter(|v| v.active || !v.enabled)
                    .map(choose::describe)
                    .collect(),
            });
        };
        match out.iter_mut().find(|(v, _)| v.node == vhost.node) {
            Some((_, list)) => list.push((name.clone(), m)),
            None => out.push((vhost, vec![(name.clone(), m)])),
        }
    }
    Ok(out)
}

/// One name's choice made final: ambiguity goes to `ask`, or fails.
pub(crate) fn resolve(
    name: &str,
    choice: Choice,
    ask: &mut Ask<'_>,
) -> Result<Option<(VirtualHost, Match)>, InstallError> {
    match choice {
        Choice::One(v, m) => Ok(Some((v, m))),
        Choice::None => Ok(None),
        Choice::Ambiguous(candidates) => {
            let picked = ask(name, &candidates);
            match picked.and_then(|i| candidates.get(i)) {
                Some(v) => Ok(Some((v.clone(), Match::Exact))),
                None => Err(InstallError::Ambiguous {
                    name: name.to_string(),
                    candidates: candidates.iter().map(choose::describe).collect(),
                }),
            }
        }
    }
}

/// The TLS vhost for `vhost`'s names: itself (enabled if it is a site that is not), or
/// its new SSL twin. Names it does not carry are added to it. (key, created)
fn tls_vhost(
    plan: &mut Plan,
    vhost: &VirtualHost,
    names: &[(String, Match)],
    settings: &Settings,
    report: &mut Report,
) -> Result<(VhostKey, bool), InstallError> {
    let (target, created) = if vhost.ssl {
        if !vhost.enabled {
            sites::enable_file(plan, vhost.node.file, settings.handle_sites)?;
            report
                .done
                .push(format!("enabled site {}", vhost.file.display()));
        }
        (vhost.clone(), false)
    } else {
        let twin = ssl_vhost::create(plan, vhost, &settings.naming, settings.https_port)?;
        if plan.is_created(twin.node.file) {
            sites::enable_file(plan, twin.node.file, settings.handle_sites)?;
        }
        report.done.push(format!(
            "created {} (TLS copy of {}:{})",
            twin.file.display(),
            vhost.file.display(),
            vhost.line
        ));
        (twin, true)
    };
    let key = VhostKey::of(plan, &target);
    let missing: Vec<&str> = names
        .iter()
        .filter(|(n, _)| choose::match_name(&target, n).is_none_or(|m| m < Match::Wildcard))
        .map(|(n, _)| n.as_str())
        .collect();
    if !missing.is_empty() {
        add_names(plan, &target, &missing)?;
    }
    Ok((key, created))
}

/// `ServerName` (when the vhost has none) and `ServerAlias` for `names`.
fn add_names(plan: &mut Plan, vhost: &VirtualHost, names: &[&str]) -> Result<(), InstallError> {
    let mut directives = Vec::new();
    let mut rest = names;
    if vhost.server_name.is_none()
        && let Some((first, others)) = names.split_first()
    {
        directives.push(Directive::new("ServerName", [Word::new(first)?])?);
        rest = others;
    }
    if !rest.is_empty() {
        let words = rest.iter().map(Word::new).collect::<Result<Vec<_>, _>>()?;
        directives.push(Directive::new("ServerAlias", words)?);
    }
    // After the vhost's own names, else first in it.
    let body = plan
        .loaded
        .node(&vhost.node)
        .and_then(Node::body)
        .map(|b| {
            b.nodes
                .iter()
                .rposition(|n| n.is_named("ServerName") || n.is_named("ServerAlias"))
        })
        .unwrap_or(None);
    let start = body.map_or(0, |i| i + 1);
    for (index, d) in (start..).zip(directives) {
        plan.loaded
            .insert(Some(&vhost.node), index, d.into())
            .map_err(edit("ServerName"))?;
    }
    Ok(())
}

/// Point the vhost at the certificate: replace the last `SSLCertificateFile` and
/// `SSLCertificateKeyFile` in its body (and its conditional sections), drop
/// `SSLCertificateChainFile`; add what is missing. A vhost certsmith created also gets
/// `SSLEngine on` and the TLS settings include (`options`).
fn set_certificate(
    plan: &mut Plan,
    vhost: &VirtualHost,
    cert: &CertFiles,
    options: Option<&PathBuf>,
) -> Result<(), InstallError> {
    let mut lines: Vec<(&str, &Path)> = vec![
        ("SSLCertificateFile", &cert.fullchain),
        ("SSLCertificateKeyFile", &cert.key),
    ];
    if let Some(options) = options {
        lines.insert(0, ("Include", options));
    }
    for chain in enhance::in_vhost(plan, vhost, "SSLCertificateChainFile")
        .into_iter()
        .rev()
    {
        plan.loaded
            .remove(&chain)
            .map_err(edit("SSLCertificateChainFile"))?;
    }
    if options.is_some() && enhance::in_vhost(plan, vhost, "SSLEngine").is_empty() {
        plan.loaded
            .push_template(Some(&vhost.node), b"SSLEngine on\n")
            .map_err(edit("SSLEngine"))?;
    }
    for (name, path) in lines {
        let value = path.as_os_str().as_bytes();
        let found = if name == "Include" {
            enhance::in_vhost(plan, vhost, name)
                .into_iter()
                .filter(|id| plan.loaded.arg_values(id).first().map(Vec::as_slice) == Some(value))
                .collect()
        } else {
            enhance::in_vhost(plan, vhost, name)
        };
        match found.last() {
            Some(id) if plan.loaded.arg_values(id).first().map(Vec::as_slice) == Some(value) => {}
            Some(id) => plan
                .loaded
                .set_args(id, vec![Word::new(value)?])
                .map_err(edit(name))?,
            None => {
                let directive = Directive::new(name, [Word::new(value)?])?;
                plan.loaded
                    .push(Some(&vhost.node), directive.into())
                    .map_err(edit(name))?;
            }
        }
    }
    Ok(())
}
