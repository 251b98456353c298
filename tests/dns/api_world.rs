//! The world of the DNS API providers' tests: a network namespace whose
//! resolver is a real BIND on 127.0.0.1:53, Pebble validating through it, and
//! a provider's stand-in on 127.0.0.1:443 under the provider's real API host
//! name. certsmith and Debian's certbot both run inside, with the real API
//! URL, trusting the stand-in's and Pebble's test CAs (`REQUESTS_CA_BUNDLE`).

use super::Run;
use super::support::TempDir;
use super::support::bind::{self, Bind};
use super::support::netns::{ACME_URL, Netns};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct ApiWorld {
    pub ns: Netns,
    pub bind: Bind,
    pub dir: TempDir,
    /// Pebble's listener CA and the stand-in's CA, one file.
    pub bundle: PathBuf,
}

impl ApiWorld {
    /// `zones` in BIND (besides example.test), `api_host` pointing here.
    pub fn new(api_host: &str, zones: &[&str]) -> ApiWorld {
        ApiWorld::with_bind(api_host, |mut b| {
            for z in zones {
                b = b.zone(z);
            }
            b
        })
    }

    /// With the BIND `setup` makes of the builder (zones, recursion).
    pub fn with_bind(
        api_host: &str,
        setup: impl FnOnce(bind::Builder) -> bind::Builder,
    ) -> ApiWorld {
        ApiWorld::with_hosts(&[api_host], setup)
    }

    /// With several API host names pointing here (an API, its token and
    /// discovery endpoints).
    pub fn with_hosts(
        api_hosts: &[&str],
        setup: impl FnOnce(bind::Builder) -> bind::Builder,
    ) -> ApiWorld {
        let ns = Netns::for_dns(api_hosts);
        let bind = setup(Bind::builder().netns(&ns.name)).start();
        let dir = TempDir::new("dns-api");
        let bundle = dir.join("bundle.pem");
        std::fs::copy(&ns.ca_bundle, &bundle).unwrap();
        ApiWorld {
            ns,
            bind,
            dir,
            bundle,
        }
    }

    /// Trust the stand-in's CA too.
    pub fn trust(&self, ca_pem: &str) {
        let mut text = std::fs::read_to_string(&self.bundle).unwrap();
        text.push_str(ca_pem);
        std::fs::write(&self.bundle, text).unwrap();
    }

    /// A credentials file (mode 0600) holding `text`.
    pub fn credentials(&self, text: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self
            .dir
            .join(format!("creds-{}.ini", super::support::unique()));
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.join("etc")
    }

    pub fn live(&self, name: &str, file: &str) -> PathBuf {
        self.config_dir().join("live").join(name).join(file)
    }

    fn inside(&self, program: &str) -> Command {
        let mut cmd = self.ns.cmd(program);
        cmd.env("REQUESTS_CA_BUNDLE", &self.bundle)
            // botocore (certbot-dns-route53) reads its own variable.
            .env("AWS_CA_BUNDLE", &self.bundle)
            // httplib2 (certbot-dns-google) too.
            .env("HTTPLIB2_CA_CERTS", &self.bundle)
            .env_remove("SSL_CERT_FILE")
            .env("HOME", self.dir.join("home"))
            .arg("--config-dir")
            .arg(self.config_dir())
            .arg("--work-dir")
            .arg(self.dir.join("work"))
            .arg("--logs-dir")
            .arg(self.dir.join("logs"))
            .arg("--server")
            .arg(ACME_URL)
            .arg("-n");
        cmd
    }

    /// certsmith inside the namespace.
    pub fn certsmith(&self, args: &[&str]) -> Run {
        Run::from(
            self.inside(env!("CARGO_BIN_EXE_certsmith"))
                .args(args)
                .output()
                .unwrap(),
        )
    }

    /// Debian's certbot inside the namespace.
    pub fn certbot(&self, args: &[&str]) -> Run {
        let out = self
            .inside("certbot")
            .args(["--no-random-sleep-on-renew"])
            .args(args)
            .output()
            .expect("certbot (Debian's package) must be installed");
        Run::from(out)
    }

    /// The chain of lineage `name` verifies against Pebble's root.
    #[track_caller]
    pub fn assert_verifies(&self, name: &str) {
        verify(
            &self.ns.root_pem,
            &self.live(name, "cert.pem"),
            &self.live(name, "chain.pem"),
        );
    }
}

#[track_caller]
fn verify(root: &Path, cert: &Path, chain: &Path) {
    let out = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(root)
        .arg("-untrusted")
        .arg(chain)
        .arg(cert)
        .output()
        .expect("openssl must be installed");
    assert!(
        out.status.success(),
        "{} does not verify: {}",
        cert.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
