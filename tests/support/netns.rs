//! A throw-away network namespace with Pebble (validating http-01 on port 80) and
//! pebble-challtestsrv (every name is 127.0.0.1) inside, the Rust twin of
//! `scripts/lib/testbed.sh`: a web server started in it binds 80 and 443 without
//! touching the host. Each has its own namespace; dropping it kills what runs inside
//! (Pebble, the server a test started) and deletes the namespace.
//!
//! `Netns::for_dns(&["api.cloudflare.com"])` is the DNS providers' world instead: no
//! challtestsrv; Pebble resolves through 127.0.0.1:53 (a `Bind` the test starts there
//! with `.netns(&ns.name)`), which is also the namespace's resolver
//! (`/etc/netns/NAME/resolv.conf`), and the API host names given are 127.0.0.1
//! (`/etc/netns/NAME/hosts`), where the test's stand-in listens.

use super::{TempDir, unique_name};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACME_URL: &str = "https://127.0.0.1:14000/dir";

pub struct Netns {
    pub name: String,
    pub dir: TempDir,
    /// Trust this for Pebble's own HTTPS listener.
    pub ca_bundle: PathBuf,
    /// Pebble's issuing root (new at every start).
    pub root_pem: PathBuf,
    children: Vec<Child>,
}

impl Netns {
    pub fn up() -> Netns {
        Netns::start(None)
    }

    /// A namespace whose DNS is the test's BIND on 127.0.0.1:53 and where `api_hosts`
    /// are 127.0.0.1.
    pub fn for_dns(api_hosts: &[&str]) -> Netns {
        Netns::start(Some(api_hosts))
    }

    fn start(api_hosts: Option<&[&str]>) -> Netns {
        let name = unique_name("csap");
        if let Some(hosts) = api_hosts {
            let etc = netns_etc(&name);
            std::fs::create_dir_all(&etc).unwrap();
            std::fs::write(
                etc.join("hosts"),
                format!("127.0.0.1 localhost {}\n", hosts.join(" ")),
            )
            .unwrap();
            std::fs::write(etc.join("resolv.conf"), "nameserver 127.0.0.1\n").unwrap();
        }
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .expect("ip (iproute2) must be installed");
        assert!(ok.success(), "ip netns add {name} failed (root needed)");
        let dir = TempDir::new("netns");
        let mut ns = Netns {
            name,
            ca_bundle: dir.join("ca.pem"),
            root_pem: dir.join("pebble-root.pem"),
            dir,
            children: Vec::new(),
        };
        assert!(
            ns.cmd("ip")
                .args(["link", "set", "lo", "up"])
                .status()
                .unwrap()
                .success()
        );
        let (cert, key) = ns.listener_certificate();
        let config = serde_json::json!({"pebble": {
            "listenAddress": "127.0.0.1:14000",
            "managementListenAddress": "127.0.0.1:15000",
            "certificate": cert, "privateKey": key,
            "httpPort": 80, "tlsPort": 5001,
            "ocspResponderURL": "", "externalAccountBindingRequired": false,
        }});
        let config_path = ns.dir.join("pebble.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let log = |d: &TempDir, name: &str| std::fs::File::create(d.join(name)).unwrap();
        if api_hosts.is_some() {
            ns.start_pebble(&config_path, "127.0.0.1:53");
            return ns;
        }
        let dns = ns
            .cmd("pebble-challtestsrv")
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .args(["-dns01", "127.0.0.1:8053", "-management", "127.0.0.1:8055"])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .stdout(log(&ns.dir, "challtestsrv.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble-challtestsrv must be installed");
        ns.children.push(dns);
        ns.wait_log("challtestsrv.log", "Starting management server");
        ns.start_pebble(&config_path, "127.0.0.1:8053");
        ns
    }

    fn start_pebble(&mut self, config_path: &std::path::Path, dns_server: &str) {
        let ns = self;
        let log = |d: &TempDir, name: &str| std::fs::File::create(d.join(name)).unwrap();
        let pebble = ns
            .cmd("pebble")
            .arg("-config")
            .arg(config_path)
            .args(["-dnsserver", dns_server])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_AUTHZREUSE", "0")
            // As in support/pebble.rs: Pebble rejects 5% of good nonces by
            // default, and three in a row fail a request (seen once here).
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(log(&ns.dir, "pebble.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble must be installed");
        ns.children.push(pebble);
        ns.wait_log("pebble.log", "ACME directory available");
        // Pebble logs that before it binds its ports: ask until both answer.
        let deadline = Instant::now() + Duration::from_secs(20);
        let root = loop {
            let get = |url: &str| {
                ns.cmd("curl")
                    .args(["-fsS", "--cacert"])
                    .arg(&ns.ca_bundle)
                    .arg(url)
                    .output()
                    .unwrap()
            };
            let dir = get(ACME_URL);
            let root = get("https://127.0.0.1:15000/roots/0");
            if dir.status.success() && root.status.success() {
                break root.stdout;
            }
            assert!(Instant::now() < deadline, "Pebble does not answer");
            std::thread::sleep(Duration::from_millis(20));
        };
        std::fs::write(&ns.root_pem, root).unwrap();
    }

    /// A command run inside the namespace.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).arg(program);
        c
    }

    /// `curl -sS` inside the namespace, every name resolved to 127.0.0.1 by
    /// `--resolve` for `host:port`; (success, stdout + stderr).
    pub fn curl_at(&self, host: &str, port: u16, args: &[&str]) -> (bool, String) {
        let out = self
            .cmd("curl")
            .args(["-sS", "--max-time", "10", "--resolve"])
            .arg(format!("{host}:{port}:127.0.0.1"))
            .args(args)
            .env_remove("SSL_CERT_FILE")
            .output()
            .expect("curl must be installed");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
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

    /// A small CA and the `localhost` certificate it signs, for Pebble's listener.
    fn listener_certificate(&self) -> (PathBuf, PathBuf) {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "certsmith test CA");
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
}

impl Drop for Netns {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        // What else runs inside was started by the test (Apache): asked to stop first,
        // so it releases what it holds, then killed.
        let pids = || -> Vec<String> {
            Command::new("ip")
                .args(["netns", "pids", &self.name])
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .split_whitespace()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        for pid in pids() {
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while !pids().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        for pid in pids() {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        let _ = std::fs::remove_dir_all(netns_etc(&self.name));
    }
}

/// Where `ip netns exec` finds a namespace's own `/etc` files.
fn netns_etc(name: &str) -> PathBuf {
    PathBuf::from("/etc/netns").join(name)
}
