//! A throw-away network namespace with Pebble and pebble-challtestsrv inside
//! (the Rust twin of `scripts/lib/testbed.sh`): ports 80 and 443 are free
//! there and every name resolves to 127.0.0.1, so a real nginx started in
//! it can answer http-01 without touching the host. Each testbed has its
//! own namespace; dropping it kills what runs inside and deletes it.

use super::util::{TempDir, unique};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACME_URL: &str = "https://127.0.0.1:14000/dir";

pub struct Testbed {
    pub ns: String,
    pub dir: TempDir,
    /// Trust this for Pebble's own HTTPS listener.
    pub ca_bundle: PathBuf,
    /// Pebble's issuing root: certificates it issues verify against it.
    pub root_pem: PathBuf,
    children: Vec<Child>,
}

impl Testbed {
    pub fn up() -> Testbed {
        let ns = format!("csni-{}-{}", std::process::id(), unique());
        let status = Command::new("ip")
            .args(["netns", "add", &ns])
            .status()
            .expect("ip (iproute2) must be installed");
        assert!(status.success(), "ip netns add {ns} failed (root needed)");
        let dir = TempDir::new("testbed");
        let mut tb = Testbed {
            ns,
            ca_bundle: dir.join("ca.pem"),
            root_pem: dir.join("pebble-root.pem"),
            dir,
            children: Vec::new(),
        };
        assert!(
            tb.cmd("ip")
                .args(["link", "set", "lo", "up"])
                .status()
                .unwrap()
                .success()
        );
        let (cert, key) = tb.listener_certificate();
        let config = serde_json::json!({"pebble": {
            "listenAddress": "127.0.0.1:14000",
            "managementListenAddress": "127.0.0.1:15000",
            "certificate": cert, "privateKey": key,
            "httpPort": 80, "tlsPort": 5001,
            "ocspResponderURL": "", "externalAccountBindingRequired": false,
        }});
        let config_path = tb.dir.join("pebble.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let log = |name: &str| std::fs::File::create(tb.dir.join(name)).unwrap();
        let dns = tb
            .cmd("pebble-challtestsrv")
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .args(["-dns01", "127.0.0.1:8053", "-management", "127.0.0.1:8055"])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .stdout(log("challtestsrv.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble-challtestsrv must be installed");
        tb.children.push(dns);
        tb.wait_log("challtestsrv.log", "Starting management server");
        let pebble = tb
            .cmd("pebble")
            .arg("-config")
            .arg(&config_path)
            .args(["-dnsserver", "127.0.0.1:8053"])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdout(log("pebble.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble must be installed");
        tb.children.push(pebble);
        tb.wait_log("pebble.log", "ACME directory available");
        let out = tb
            .cmd("curl")
            .args(["-fsS", "--cacert"])
            .arg(&tb.ca_bundle)
            .arg("https://127.0.0.1:15000/roots/0")
            .output()
            .unwrap();
        assert!(out.status.success(), "cannot fetch Pebble's root");
        std::fs::write(&tb.root_pem, &out.stdout).unwrap();
        tb
    }

    /// A command run inside the namespace.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns]).arg(program);
        c
    }

    fn wait_log(&self, file: &str, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let log = std::fs::read_to_string(self.dir.join(file)).unwrap_or_default();
            if log.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{file}: no {needle:?} after 20 s:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A small CA and a `localhost` certificate it signs, for Pebble's listener.
    fn listener_certificate(&self) -> (PathBuf, PathBuf) {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "certsmith testbed CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let mut leaf =
            CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()])
                .unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        let leaf_cert = leaf.signed_by(&key, &issuer).unwrap();
        let (cert, key_path) = (self.dir.join("listener.pem"), self.dir.join("listener.key"));
        std::fs::write(&self.ca_bundle, ca_cert.pem()).unwrap();
        std::fs::write(&cert, leaf_cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert, key_path)
    }

    /// `curl` inside the namespace with `NAME:PORT` resolved to 127.0.0.1.
    pub fn curl(&self, url: &str, extra: &[&str]) -> super::util::Run {
        let host_port = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        let (host, port) = match host_port.split_once(':') {
            Some((h, p)) => (h.to_string(), p.to_string()),
            None if url.starts_with("https") => (host_port.to_string(), "443".into()),
            None => (host_port.to_string(), "80".into()),
        };
        super::util::Run::of(
            self.cmd("curl")
                .args(["-sS", "--max-time", "10", "--resolve"])
                .arg(format!("{host}:{port}:127.0.0.1"))
                .args(extra)
                .arg(url),
        )
    }
}

impl Testbed {
    /// [`Testbed::curl`] until `ready` holds (at most 3 s): after a reload
    /// nginx keeps its old workers accepting for about 100 ms.
    pub fn curl_until(
        &self,
        url: &str,
        extra: &[&str],
        ready: impl Fn(&super::util::Run) -> bool,
    ) -> super::util::Run {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let run = self.curl(url, extra);
            if ready(&run) || Instant::now() > deadline {
                return run;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Whatever else runs inside was started by the test (nginx).
        if let Ok(out) = Command::new("ip")
            .args(["netns", "pids", &self.ns])
            .output()
        {
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", pid]).status();
            }
        }
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
    }
}
