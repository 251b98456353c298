//! Integration tests of dns-01: the dns-rfc2136 authenticator against a real
//! BIND 9 (test-made zones and TSIG keys) and Pebble resolving through that
//! BIND, plus `--manual` DNS hooks; the API providers (dns-cloudflare)
//! against their stand-ins inside network namespaces (`api_world`), with
//! Debian's certbot plugins as the check of each stand-in; CNAME delegation.
//! One binary; every test has its own servers on its own ports (or its own
//! namespace), so they run in parallel.

#[path = "support/mod.rs"]
mod support;

#[path = "dns/api_world.rs"]
mod api_world;
#[path = "dns/bad_input.rs"]
mod bad_input;
#[path = "dns/cloudflare.rs"]
mod cloudflare;
#[path = "dns/cname.rs"]
mod cname;
#[path = "dns/digitalocean.rs"]
mod digitalocean;
#[path = "dns/dnsimple.rs"]
mod dnsimple;
#[path = "dns/dnsmadeeasy.rs"]
mod dnsmadeeasy;
#[path = "dns/gehirn.rs"]
mod gehirn;
#[path = "dns/google.rs"]
mod google;
#[path = "dns/interrupt.rs"]
mod interrupt;
#[path = "dns/issue.rs"]
mod issue;
#[path = "dns/linode.rs"]
mod linode;
#[path = "dns/luadns.rs"]
mod luadns;
#[path = "dns/nsone.rs"]
mod nsone;
#[path = "dns/ovh.rs"]
mod ovh;
#[path = "dns/route53.rs"]
mod route53;
#[path = "dns/sakuracloud.rs"]
mod sakuracloud;
#[path = "dns/solver.rs"]
mod solver;
// What a terminal shows while the records propagate (issue 18 item 3).
#[path = "dns/screen.rs"]
mod screen;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::TempDir;
use support::bind::Bind;
use support::pebble::Pebble;
pub use support::run::Run;

/// One test's world: BIND, a Pebble resolving through it, a config dir.
pub struct World {
    pub bind: Bind,
    pub pebble: Pebble,
    pub dir: TempDir,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> World {
        World::with_bind(Bind::start())
    }
    pub fn with_bind(bind: Bind) -> World {
        let pebble = Pebble::builder().dns_server(&bind.addr()).start();
        World {
            bind,
            pebble,
            dir: TempDir::new("dns"),
        }
    }
    pub fn config_dir(&self) -> PathBuf {
        self.dir.join("etc")
    }
    pub fn live(&self, name: &str, file: &str) -> PathBuf {
        self.config_dir().join("live").join(name).join(file)
    }
    /// A credentials file for this world's BIND (see `Bind::credentials`).
    pub fn credentials(&self, overrides: &[(&str, Option<&str>)]) -> PathBuf {
        self.bind.credentials(self.dir.path(), overrides)
    }
    /// `certsmith` with this world's Pebble and dirs, non-interactive.
    pub fn command(&self, args: &[&str]) -> Command {
        certsmith_command(&self.pebble, self.dir.path(), args)
    }
    pub fn certsmith(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }
    /// `certonly --dns-rfc2136 --dns-rfc2136-credentials FILE` + `extra`.
    pub fn rfc2136(&self, credentials: &Path, extra: &[&str]) -> Run {
        let cred = credentials.display().to_string();
        let mut args = vec![
            "certonly",
            "--dns-rfc2136",
            "--dns-rfc2136-credentials",
            &cred,
            "--agree-tos",
            "-m",
            "dns@example.com",
        ];
        args.extend_from_slice(extra);
        self.certsmith(&args)
    }
    /// The chain of lineage `name` verifies against Pebble's root.
    #[track_caller]
    pub fn assert_verifies(&self, name: &str) {
        if let Err(e) = self
            .pebble
            .verify(&self.live(name, "cert.pem"), &self.live(name, "chain.pem"))
        {
            panic!("chain of {name} does not verify: {e}");
        }
    }
}

pub fn certsmith_command(pebble: &Pebble, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
    cmd.args(args)
        .arg("--config-dir")
        .arg(dir.join("etc"))
        .arg("--work-dir")
        .arg(dir.join("work"))
        .arg("--logs-dir")
        .arg(dir.join("logs"))
        .arg("--server")
        .arg(pebble.directory_url())
        .arg("--ca-bundle")
        .arg(&pebble.ca_bundle)
        .arg("-n");
    cmd
}

/// The names in the certificate at `path`.
pub fn cert_names(path: &Path) -> Vec<String> {
    certsmith::x509::parse_pem(&std::fs::read_to_string(path).unwrap())
        .unwrap()
        .names
}
