//! Installers: load a server's config files (following includes as the server does), pick
//! server blocks or virtual hosts, make TLS and enhancement edits, answer http-01 through the
//! web server, configtest and reload. Certbot-specific policy lives here, I/O included;
//! the syntax layer below stays pure.
//!
//! [`Installer`] is the one seam the verbs are written against: nginx and Apache each
//! implement it (`nginx::NginxSite`, `apache::ApacheSite`), with the same concepts under
//! the same names.

pub mod apache;
pub mod nginx;
pub mod read;
pub mod references;
pub mod temp_edits;

use crate::acme::Solver;
use crate::log::progress::Wait;
use reverter::Reverter;
use std::path::{Path, PathBuf};

/// The certificate files a site is pointed at (Certbot's `live/NAME/` links
/// for a lineage), absolute: the server may run from any directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFiles {
    /// Certificate and chain (nginx `ssl_certificate`, Apache `SSLCertificateFile`).
    pub fullchain: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// The enhancements every installer offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enhancements {
    /// Redirect http to https.
    pub redirect: bool,
    /// Strict-Transport-Security.
    pub hsts: bool,
    /// Content-Security-Policy: upgrade-insecure-requests.
    pub uir: bool,
    pub staple_ocsp: bool,
}

impl Enhancements {
    pub fn any(&self) -> bool {
        self.redirect || self.hsts || self.uir || self.staple_ocsp
    }

    /// Enhancements made in the TLS sites (all but the redirect).
    pub fn on_tls_vhost(&self) -> bool {
        self.hsts || self.uir || self.staple_ocsp
    }

    /// What is asked for, for messages and checkpoint titles.
    pub fn labels(&self) -> Vec<&'static str> {
        [
            (self.redirect, "redirect"),
            (self.hsts, "HSTS"),
            (self.uir, "upgrade-insecure-requests"),
            (self.staple_ocsp, "OCSP stapling"),
        ]
        .into_iter()
        .filter_map(|(on, label)| on.then_some(label))
        .collect()
    }
}

/// What to install, whatever the server.
#[derive(Debug, Clone)]
pub struct Request {
    /// The certificate's names (lower case; `*.example.com` for wildcards).
    pub names: Vec<String>,
    /// `None`: enhancements only (`enhance`), into sites already on TLS.
    pub cert: Option<CertFiles>,
    /// The chain (OCSP stapling's trusted certificates).
    pub chain: Option<PathBuf>,
    pub enhance: Enhancements,
}

/// What a deploy did and has to say.
#[derive(Debug, Default)]
pub struct Deployment {
    /// Whether a checkpoint was made (`false`: nothing needed changing, or a dry run).
    pub changed: bool,
    /// Lines for stdout (not shown with `-q`).
    pub lines: Vec<String>,
    /// Warnings and notes for stderr (always shown).
    pub warnings: Vec<String>,
    /// `--dry-run`: the unified diff of what would change (stdout, not with `-q`).
    pub diff: Vec<u8>,
}

/// What can go wrong behind the seam: each server's own errors, and the few the seam
/// itself finds.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Nginx(#[from] nginx::InstallError),
    #[error(transparent)]
    NginxLoad(#[from] nginx::LoadError),
    #[error(transparent)]
    NginxCtl(#[from] nginx::CtlError),
    #[error(transparent)]
    NginxDeploy(#[from] nginx::DeployError),
    #[error(transparent)]
    Apache(#[from] apache::InstallError),
    #[error(transparent)]
    ApacheDeploy(#[from] apache::DeployError),
    #[error(transparent)]
    ApacheWrite(#[from] apache::WriteError),
    /// The configuration fails the server's test before anything was changed.
    #[error(
        "{test} already fails, before certsmith changed anything (nothing was changed); fix this first:\n{output}"
    )]
    BrokenBefore { test: &'static str, output: String },
    #[error("{flag} {}: no {file} there (give the directory holding {file})", .root.display())]
    NoMainFile {
        flag: &'static str,
        root: PathBuf,
        file: &'static str,
    },
    #[error("no names to install the certificate for")]
    NoNames,
    /// An installer that cannot answer challenges was asked to (`-i null` without `-a`).
    #[error(
        "the {0} installer cannot prove control of the names: choose an authenticator (--standalone, --webroot -w DIR, --manual, --dns-rfc2136, ...)"
    )]
    NotAnAuthenticator(&'static str),
    /// A verb used the seam out of order (a bug).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// One web server, as every verb sees it. Order of use: [`Installer::open`] (after the
/// caller locked [`Installer::root`]), then any of the rest.
pub trait Installer {
    /// The server's name in messages: `nginx`, `Apache`.
    fn label(&self) -> &'static str;
    /// Where its configuration is, for messages (nginx.conf, the ServerRoot).
    fn location(&self) -> PathBuf;
    /// The directory to lock while changing the configuration.
    fn root(&self) -> PathBuf;
    /// Test the configuration as it is (a configuration the server already rejects is
    /// refused: nothing is changed) and load it.
    fn open(&mut self) -> Result<(), Error>;
    /// The names the configuration serves, to offer when none are given, and where
    /// they were found (`server_name`), for messages.
    fn offered_names(&self) -> Result<(Vec<String>, &'static str), Error>;
    /// Plan `request` without writing (a name no site serves fails now, before a
    /// certificate is ordered) and check the files it would change can be written.
    fn check(&mut self, request: &Request) -> Result<(), Error>;
    /// Install `request` as one checkpoint titled `title`: write, test the
    /// configuration (undone if rejected), reload. A dry run writes nothing and returns
    /// the diff.
    fn deploy(
        &mut self,
        reverter: Option<&mut Reverter>,
        request: &Request,
        title: &str,
        dry_run: bool,
    ) -> Result<Deployment, Error>;
    /// The http-01 authenticator through this server (temporary edits in `reverter`).
    fn solver<'r>(&mut self, reverter: &'r mut Reverter) -> Result<Box<dyn Solver + 'r>, Error>;
    /// For a caller that reloads the server right after the challenge (it installs
    /// the certificate next): solvers built from now on undo their challenge edits
    /// without reloading and leave that reload owed, recorded on disk
    /// ([`temp_edits`]); the caller takes it with [`temp_edits::take_owed_reload`]
    /// just before its own reload, which then serves both. A server that does not
    /// do this reloads as usual.
    fn owe_challenge_reload(&mut self) {}
    /// Test the configuration and reload (start the server when not running): new
    /// files at unchanged paths. Says what was done (`nginx -t: ok; nginx reloaded`).
    fn restart(&self) -> Result<String, Error>;
    /// Whether a deploy makes a server serve the certificate (`false`: the null
    /// installer, which installs nothing).
    fn serves(&self) -> bool {
        true
    }
    /// `plugins --prepare`: [`Installer::open`] and the server's own verdict on
    /// its configuration as it is, changing nothing.
    fn prepare(&mut self) -> Result<(), Error> {
        self.open()
    }
}

/// The line a deploy that made a checkpoint ends with: `test` passed, `how` the
/// server took the change.
pub(crate) fn checkpoint_line(test: &str, how: &str, id: impl std::fmt::Display) -> String {
    format!("{test}: ok; {how}. Checkpoint {id} (`certsmith rollback` undoes it).")
}

/// What the status line says while a server tests its configuration.
pub(crate) const TESTING: &str = "testing the configuration";

/// End the wait for a server's configuration test and reload: `done` says
/// what the server did (`reloaded`), or which step failed; `tested`: a
/// configuration test passed first (`nginx: configuration test passed,
/// reloaded (0.3 s)`).
pub(crate) fn end_restart(wait: Wait, done: Result<&str, &str>, tested: bool) {
    match (done, tested) {
        (Ok(done), true) => wait.done(&format!("configuration test passed, {done}")),
        (Ok(done), false) => wait.done(done),
        (Err(failed), _) => wait.failed(failed),
    }
}

/// `p` made absolute against the current directory, without resolving links
/// (the server, and renewal, may run from another directory).
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
