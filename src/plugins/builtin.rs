//! certsmith's own plugins: one entry each.

use super::{InstallerEntry, Plugin};
use crate::acme::{ChallengeKind, Solver, check_name};
use crate::auth::{Manual, Standalone, Webroot, dns, webroot};
use crate::cli::{Options, table as t};
use crate::installer::apache::{self as ap, Apache, ApacheSite};
use crate::installer::nginx::{self as ng, NginxSite};
use crate::installer::{self as inst, Deployment, Installer, Request};
use crate::installer::{absolute, apache::choose, references};
use crate::storage::RenewalParams;
use anyhow::bail;
use reverter::Reverter;
use std::path::PathBuf;

pub static ALL: &[&Plugin] = &[
    &STANDALONE,
    &WEBROOT,
    &MANUAL,
    &DNS_RFC2136,
    &super::dns::DNS_CLOUDFLARE,
    &super::dns::DNS_DIGITALOCEAN,
    &super::dns::DNS_DNSIMPLE,
    &super::dns::DNS_DNSMADEEASY,
    &super::dns::DNS_GEHIRN,
    &super::dns::DNS_GOOGLE,
    &super::dns::DNS_LINODE,
    &super::dns::DNS_LUADNS,
    &super::dns::DNS_NSONE,
    &super::dns::DNS_OVH,
    &super::dns::DNS_ROUTE53,
    &super::dns::DNS_SAKURACLOUD,
    &NGINX,
    &APACHE,
    &NULL,
];

type Built<'r> = anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)>;

pub static STANDALONE: Plugin = Plugin {
    name: "standalone",
    description: "Answer challenges with a built-in server",
    selector: Some(&t::STANDALONE),
    flags: &[&t::HTTP_01_ADDRESS],
    authenticator: Some(standalone),
    installer: None,
    hidden: false,
};

/// Binds its ports now, for the kinds this run may use, so a busy port fails first.
fn standalone<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    let wanted = &options.cert.preferred_challenges;
    let kinds: Vec<ChallengeKind> = if wanted.is_empty() {
        vec![ChallengeKind::Http01]
    } else {
        wanted
            .iter()
            .copied()
            .filter(|k| *k != ChallengeKind::Dns01)
            .collect()
    };
    if kinds.is_empty() {
        bail!("the standalone authenticator answers http-01 and tls-alpn-01, not dns-01");
    }
    let ports = options.ports;
    let solver = Standalone::bind(
        ports.http01_address,
        ports.http01_port,
        ports.https_port,
        &kinds,
    )
    .map_err(anyhow::Error::msg)?;
    Ok((Box::new(solver), RenewalParams::default()))
}

pub static WEBROOT: Plugin = Plugin {
    name: "webroot",
    description: "Answer http-01 by writing into a web root",
    selector: Some(&t::WEBROOT),
    flags: &[&t::WEBROOT_PATH, &t::WEBROOT_MAP],
    authenticator: Some(webroot),
    installer: None,
    hidden: false,
};

/// (name, root) pairs and the root for names not listed.
type WebrootMap = (Vec<(String, PathBuf)>, Option<PathBuf>);

/// `-w DIR` applies to the `-d` names after it; names before any `-w` (and
/// names the map lacks) use the last `-w`, as in Certbot.
fn webroot_map(options: &Options) -> anyhow::Result<WebrootMap> {
    let mut map = Vec::new();
    let mut current: Option<PathBuf> = None;
    let mut last = None;
    for occ in options.args().sequence(&[&t::WEBROOT_PATH, &t::DOMAINS]) {
        let Some(text) = occ.text() else { continue };
        if std::ptr::eq(occ.flag, &t::WEBROOT_PATH) {
            current = Some(PathBuf::from(text));
            last = current.clone();
        } else if let Some(root) = &current {
            for raw in crate::cli::args::split_list([text]) {
                map.push((check_name(&raw)?, root.clone()));
            }
        }
    }
    if let Some(json) = &options.webroot.map_json {
        for (name, root) in webroot::parse_map(json).map_err(anyhow::Error::msg)? {
            map.push((check_name(&name)?, root));
        }
    }
    map.extend(options.webroot.asked.iter().cloned());
    Ok((map, last))
}

/// The names (wildcards aside) that neither `-w` nor the map gives a web root, and
/// the roots given, to choose from.
pub fn webroot_gaps(options: &Options, names: &[String]) -> anyhow::Result<super::WebrootGaps> {
    let (map, fallback) = webroot_map(options)?;
    let mut known: Vec<PathBuf> = Vec::new();
    for root in map.iter().map(|(_, r)| r) {
        if !known.contains(root) {
            known.push(root.clone());
        }
    }
    let names = match fallback {
        Some(_) => Vec::new(),
        None => names
            .iter()
            .filter(|n| !n.starts_with("*."))
            .filter(|n| !map.iter().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .cloned()
            .collect(),
    };
    Ok(super::WebrootGaps { names, known })
}

fn webroot<'r>(options: &Options, names: &[String], _: &'r mut Reverter) -> Built<'r> {
    let (map, fallback) = webroot_map(options)?;
    let solver = Webroot::new(map, fallback).map_err(anyhow::Error::msg)?;
    for n in names.iter().filter(|n| !n.starts_with("*.")) {
        if solver.root_for(n).is_none() {
            bail!("no web root for {n}: give -w DIR before -d {n}, or --webroot-map");
        }
    }
    let mut roots: Vec<String> = Vec::new();
    for (_, r) in solver.mapping(names) {
        if !roots.contains(&r) {
            roots.push(r);
        }
    }
    let mut params = RenewalParams::default();
    params.set_list("webroot_path", roots);
    params.webroot_map = Some(solver.mapping(names));
    Ok((Box::new(solver), params))
}

pub static MANUAL: Plugin = Plugin {
    name: "manual",
    description: "Answer challenges by hand or with hooks",
    selector: Some(&t::MANUAL),
    flags: &[
        &t::MANUAL_AUTH_HOOK,
        &t::MANUAL_CLEANUP_HOOK,
        &t::MANUAL_PUBLIC_IP_LOGGING_OK,
    ],
    authenticator: Some(manual),
    installer: None,
    hidden: true,
};

fn manual<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    let solver = Manual::new(
        options.manual.auth_hook.clone(),
        options.manual.cleanup_hook.clone(),
        options.output.interactive(),
    )
    .map_err(anyhow::Error::msg)?;
    Ok((Box::new(solver), RenewalParams::default()))
}

pub static DNS_RFC2136: Plugin = Plugin {
    name: "dns-rfc2136",
    description: "Answer dns-01 with RFC 2136 dynamic updates",
    selector: Some(&t::DNS_RFC2136),
    flags: &[
        &t::DNS_RFC2136_CREDENTIALS,
        &t::DNS_RFC2136_PROPAGATION_SECONDS,
    ],
    authenticator: Some(rfc2136),
    installer: None,
    hidden: false,
};

/// The RFC 2136 solver from `--dns-rfc2136-credentials` (read and checked now, before
/// the CA is contacted) and `--dns-rfc2136-propagation-seconds`.
fn rfc2136<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    let Some(path) = &options.rfc2136.credentials else {
        bail!(
            "--dns-rfc2136 needs --dns-rfc2136-credentials FILE (Certbot's RFC 2136 credentials format)"
        );
    };
    let (credentials, warning) = dns::Credentials::load(path)?;
    if let Some(warning) = warning
        && !options.output.quiet
    {
        eprintln!("Warning: {warning}");
    }
    let wait = match options.rfc2136.propagation_seconds {
        Some(seconds) => dns::Wait::Fixed(std::time::Duration::from_secs(seconds)),
        None => dns::Wait::Poll,
    };
    let solver = dns::Rfc2136::new(credentials, wait, options.output.quiet);
    Ok((Box::new(solver), RenewalParams::default()))
}

pub static NGINX: Plugin = Plugin {
    name: "nginx",
    description: "Authenticate and install with nginx",
    selector: Some(&t::NGINX),
    flags: &[
        &t::NGINX_SERVER_ROOT,
        &t::NGINX_CTL,
        &t::NGINX_SLEEP_SECONDS,
    ],
    authenticator: Some(through_installer::<NginxSite>),
    installer: Some(InstallerEntry {
        build: |o| Ok(Box::new(nginx_site(o))),
        root_flag: Some(&t::NGINX_SERVER_ROOT),
        default_roots: &["/etc/nginx"],
        after_rollback: |o, conf| ng::after_rollback(&o.nginx.ctl, conf),
        references: |o, files| {
            references::nginx(&o.nginx.server_root, files).map_err(|e| e.to_string())
        },
    }),
    hidden: false,
};

fn nginx_site(options: &Options) -> NginxSite {
    NginxSite::new(ng::Settings {
        server_root: options.nginx.server_root.clone(),
        ctl: options.nginx.ctl.clone(),
        http_port: options.ports.http01_port,
        https_port: options.ports.https_port,
        config_dir: options.paths.config_dir.clone(),
        quiet: options.output.quiet,
        verbose: options.output.verbosity > 0,
    })
}

/// A web server's own authenticator, for `certonly` and renewal (the verbs that also
/// install use the server they opened).
trait Site: Installer + Sized + 'static {
    /// The registry name (`-i NAME`).
    const NAME: &'static str;
    fn build(options: &Options) -> anyhow::Result<Self>;
}

impl Site for NginxSite {
    const NAME: &'static str = "nginx";
    fn build(options: &Options) -> anyhow::Result<Self> {
        Ok(nginx_site(options))
    }
}

impl Site for ApacheSite {
    const NAME: &'static str = "apache";
    fn build(options: &Options) -> anyhow::Result<Self> {
        apache_site(options)
    }
}

fn through_installer<'r, S: Site>(
    options: &Options,
    _: &[String],
    reverter: &'r mut Reverter,
) -> Built<'r> {
    let mut site = S::build(options)?;
    if options.verb == "renew"
        && !options.dry_run
        && options.plugins.installer.as_deref() == Some(S::NAME)
    {
        // Renewal reloads this same server (the lineage's installer, built from
        // the same options) once the certificate is saved: that reload also takes
        // the challenge edits out (`commands::renew` takes the owed reload).
        site.owe_challenge_reload();
    }
    let solver = site.solver(reverter)?;
    Ok((solver, RenewalParams::default()))
}

pub static APACHE: Plugin = Plugin {
    name: "apache",
    description: "Authenticate and install with Apache httpd",
    selector: Some(&t::APACHE),
    flags: &[
        &t::APACHE_SERVER_ROOT,
        &t::APACHE_CTL,
        &t::APACHE_ENMOD,
        &t::APACHE_DISMOD,
        &t::APACHE_BIN,
        &t::APACHE_CHALLENGE_LOCATION,
        &t::APACHE_LOGS_ROOT,
        &t::APACHE_VHOST_ROOT,
        &t::APACHE_LE_VHOST_EXT,
        &t::APACHE_HANDLE_MODULES,
        &t::APACHE_HANDLE_SITES,
    ],
    authenticator: Some(through_installer::<ApacheSite>),
    installer: Some(InstallerEntry {
        build: |o| Ok(Box::new(apache_site(o)?)),
        root_flag: Some(&t::APACHE_SERVER_ROOT),
        default_roots: &["/etc/apache2", "/etc/httpd"],
        after_rollback: |o, conf| ap::after_rollback(o.apache.ctl.as_deref(), conf),
        references: |o, files| {
            references::apache(o.apache.server_root.as_deref(), files).map_err(|e| e.to_string())
        },
    }),
    hidden: false,
};

/// The Apache flags that shape an install.
fn apache_settings(options: &Options) -> anyhow::Result<ap::Settings> {
    let a = &options.apache;
    let mut naming = ap::FileNaming {
        vhost_root: a.vhost_root.as_deref().map(absolute),
        ..ap::FileNaming::default()
    };
    if let Some(ext) = &a.le_vhost_ext {
        if ext.contains('/') || ext.is_empty() {
            bail!("--apache-le-vhost-ext {ext:?}: a file name suffix, such as -le-ssl.conf");
        }
        naming.ssl_ext = ext.clone();
    }
    Ok(ap::Settings {
        naming,
        handle_modules: a.handle_modules,
        handle_sites: a.handle_sites,
        http_port: options.ports.http01_port,
        https_port: options.ports.https_port,
    })
}

fn apache_site(options: &Options) -> anyhow::Result<ApacheSite> {
    let apache = Apache::new(
        options.apache.server_root.as_deref(),
        options.apache.ctl.as_deref(),
    )?;
    let ask: Option<ap::Asker> = options.output.interactive().then_some(ask_vhost);
    Ok(ApacheSite::new(
        apache,
        apache_settings(options)?,
        &options.paths.config_dir,
        &options.paths.work_dir,
        options.output.quiet,
        ask,
    ))
}

/// Which of several vhosts serving `name` to use, asked at the terminal.
fn ask_vhost(name: &str, candidates: &[ap::VirtualHost]) -> Option<usize> {
    println!("Several virtual hosts serve {name}:");
    for (i, v) in candidates.iter().enumerate() {
        println!("  {}: {}", i + 1, choose::describe(v));
    }
    let answer = crate::prompt::ask("Number of the one to use (c: cancel): ").ok()?;
    let i: usize = answer.trim().parse().ok()?;
    (1..=candidates.len()).contains(&i).then(|| i - 1)
}

/// Certbot's `null` installer (`-i null`, `installer = null` in renewal confs): an
/// installer that installs nothing, so a certificate obtained by `run` or kept by
/// `renew` is left in `live/` for the user's own deploy hooks. No authenticator.
pub static NULL: Plugin = Plugin {
    name: "null",
    description: "Installs nothing (Certbot's null installer)",
    selector: None,
    flags: &[],
    authenticator: None,
    installer: Some(InstallerEntry {
        build: |o| Ok(Box::new(NullInstaller(o.paths.work_dir.clone()))),
        root_flag: None,
        default_roots: &[],
        after_rollback: |_, conf| {
            Ok(format!(
                "null installer: nothing to reload for {}",
                conf.display()
            ))
        },
        // It configures no server, so no server names the files.
        references: |_, _| Ok(Vec::new()),
    }),
    hidden: true,
};

/// The null installer: every step succeeds and changes nothing. Its root is the work
/// dir, which the command holds locked already.
struct NullInstaller(PathBuf);

const NULL_LABEL: &str = "null installer";

impl Installer for NullInstaller {
    fn label(&self) -> &'static str {
        NULL_LABEL
    }
    fn location(&self) -> PathBuf {
        self.0.clone()
    }
    fn root(&self) -> PathBuf {
        self.0.clone()
    }
    fn open(&mut self) -> Result<(), inst::Error> {
        Ok(())
    }
    fn offered_names(&self) -> Result<(Vec<String>, &'static str), inst::Error> {
        Ok((Vec::new(), NULL_LABEL))
    }
    fn check(&mut self, _: &Request) -> Result<(), inst::Error> {
        Ok(())
    }
    fn deploy(
        &mut self,
        _: Option<&mut Reverter>,
        request: &Request,
        _: &str,
        _: bool,
    ) -> Result<Deployment, inst::Error> {
        let line = match &request.cert {
            Some(files) => format!(
                "The null installer installs nothing: the certificate is {} and its key {}",
                files.fullchain.display(),
                files.key.display()
            ),
            None => "The null installer installs nothing: no enhancement made".to_string(),
        };
        Ok(Deployment {
            changed: false,
            lines: vec![line],
            ..Deployment::default()
        })
    }
    fn solver<'r>(&mut self, _: &'r mut Reverter) -> Result<Box<dyn Solver + 'r>, inst::Error> {
        Err(inst::Error::NotAnAuthenticator("null"))
    }
    fn restart(&self) -> Result<String, inst::Error> {
        Ok("null installer: nothing to reload".to_string())
    }
    fn serves(&self) -> bool {
        false
    }
}
