//! A private Pebble ACME server (plus pebble-challtestsrv as its DNS) on free
//! loopback ports, for one test. Everything is killed and removed on drop, so
//! tests can run in parallel.
//!
//! ```ignore
//! let pebble = Pebble::start();                 // or Pebble::builder().nonce_reject(5).start()
//! pebble.directory_url();                       // https://127.0.0.1:PORT/dir
//! pebble.ca_bundle;                             // trust this for Pebble's own TLS
//! pebble.http_port / pebble.tls_port;           // where Pebble validates http-01 / tls-alpn-01
//! pebble.set_txt("_acme-challenge.a.example.", "value");
//! pebble.verify(&cert_pem, &chain_pem);         // openssl verify against Pebble's root
//! pebble.cert_status(&serial_hex);              // "Valid" / "Revoked"
//! ```

use super::{TempDir, free_port};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Pebble {
    pub dir: TempDir,
    pub acme_port: u16,
    pub management_port: u16,
    pub http_port: u16,
    pub tls_port: u16,
    pub dns_port: u16,
    pub dns_management_port: u16,
    /// CA certificate (PEM file) that signed Pebble's listener certificate.
    pub ca_bundle: PathBuf,
    children: Vec<Child>,
}

pub struct Builder {
    /// External account binding keys (kid, base64url HMAC); makes EAB required.
    eab: Vec<(String, String)>,
    nonce_reject: Option<u8>,
    http_port: Option<u16>,
    dns_server: Option<String>,
    env: Vec<(String, String)>,
    /// Extra keys of Pebble's JSON config (`certificateValidityPeriod`...).
    config: Vec<(String, serde_json::Value)>,
}

impl Builder {
    /// Percentage of good nonces Pebble rejects (its default is 5).
    pub fn nonce_reject(mut self, percent: u8) -> Self {
        self.nonce_reject = Some(percent);
        self
    }
    /// Validate http-01 on this port (e.g. a test nginx's).
    pub fn http_port(mut self, port: u16) -> Self {
        self.http_port = Some(port);
        self
    }
    /// Require external account binding, accepting this key.
    pub fn eab(mut self, kid: &str, hmac_b64url: &str) -> Self {
        self.eab.push((kid.into(), hmac_b64url.into()));
        self
    }
    /// Resolve through this DNS server (`127.0.0.1:PORT`, e.g. a test
    /// BIND) instead of a pebble-challtestsrv, which is then not started
    /// (`set_txt` is unavailable; `dns_port` is this server's port).
    pub fn dns_server(mut self, addr: &str) -> Self {
        self.dns_server = Some(addr.into());
        self
    }
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
    /// Issue certificates valid for this many seconds (Pebble 2.4's
    /// `certificateValidityPeriod`; its default is 5 years).
    pub fn validity_secs(mut self, secs: u64) -> Self {
        self.config
            .push(("certificateValidityPeriod".into(), secs.into()));
        self
    }
    /// Name this OCSP responder in the certificates Pebble issues
    /// (Authority Information Access; Pebble has no responder of its own).
    pub fn ocsp_url(mut self, url: &str) -> Self {
        self.config.push(("ocspResponderURL".into(), url.into()));
        self
    }
    /// Start Pebble; a port taken by another process between probing and
    /// binding makes Pebble exit, so that is retried on new ports.
    pub fn start(self) -> Pebble {
        let mut last = String::new();
        for _ in 0..3 {
            match Pebble::launch(&self) {
                Ok(p) => return p,
                Err(e) => last = e,
            }
        }
        panic!("Pebble did not start: {last}");
    }
}

fn write_listener_cert(dir: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "certsmith test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let (ca, cert, key) = (
        dir.join("ca.pem"),
        dir.join("listener.pem"),
        dir.join("listener.key"),
    );
    std::fs::write(&ca, ca_cert.pem()).unwrap();
    std::fs::write(&cert, leaf_cert.pem()).unwrap();
    std::fs::write(&key, leaf_key.serialize_pem()).unwrap();
    (ca, cert, key)
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Pebble {
    pub fn builder() -> Builder {
        Builder {
            eab: Vec::new(),
            nonce_reject: None,
            http_port: None,
            dns_server: None,
            env: Vec::new(),
            config: Vec::new(),
        }
    }

    pub fn start() -> Pebble {
        Pebble::builder().start()
    }

    fn launch(b: &Builder) -> Result<Pebble, String> {
        let dir = TempDir::new("pebble");
        let (ca_bundle, cert, key) = write_listener_cert(dir.path());
        let (acme_port, management_port, dns_port, dns_management_port, tls_port) = (
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            free_port(),
        );
        let http_port = b.http_port.unwrap_or_else(free_port);
        let eab: serde_json::Map<String, serde_json::Value> = b
            .eab
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let mut config = serde_json::json!({"pebble": {
            "listenAddress": format!("127.0.0.1:{acme_port}"),
            "managementListenAddress": format!("127.0.0.1:{management_port}"),
            "certificate": cert, "privateKey": key,
            "httpPort": http_port, "tlsPort": tls_port,
            "ocspResponderURL": "", "externalAccountBindingRequired": !eab.is_empty(),
            "externalAccountMACKeys": eab,
        }});
        for (key, value) in &b.config {
            config["pebble"][key] = value.clone();
        }
        let config_path = dir.path().join("pebble.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let log = |name: &str| std::fs::File::create(dir.path().join(name)).unwrap();
        let mut children = Vec::new();
        let (dns_addr, dns_port, dns_management_port) = match &b.dns_server {
            Some(addr) => {
                let port = addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
                (addr.clone(), port, 0)
            }
            None => {
                let dns = Command::new("pebble-challtestsrv")
                    .args([
                        "-defaultIPv4",
                        "127.0.0.1",
                        "-defaultIPv6",
                        "",
                        "-http01",
                        "",
                        "-https01",
                        "",
                        "-tlsalpn01",
                        "",
                    ])
                    .arg("-dns01")
                    .arg(format!("127.0.0.1:{dns_port}"))
                    .arg("-management")
                    .arg(format!("127.0.0.1:{dns_management_port}"))
                    .stdout(log("challtestsrv.log"))
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("pebble-challtestsrv (Debian package pebble) must be installed");
                children.push(dns);
                (
                    format!("127.0.0.1:{dns_port}"),
                    dns_port,
                    dns_management_port,
                )
            }
        };
        let mut pebble = Command::new("pebble");
        pebble
            .arg("-config")
            .arg(&config_path)
            .arg("-dnsserver")
            .arg(&dns_addr)
            .env("PEBBLE_VA_NOSLEEP", "1")
            .stdout(log("pebble.log"))
            .stderr(Stdio::null());
        // Pebble rejects 5% of good nonces by default; clients retry a few
        // times (instant-acme: 3), so a whole test suite of issuances would
        // fail now and then. Tests of the retry opt in with `nonce_reject`.
        pebble.env(
            "PEBBLE_WFE_NONCEREJECT",
            b.nonce_reject.unwrap_or(0).to_string(),
        );
        // Pebble reuses half of an account's valid authorizations by default:
        // a test that expects a challenge (a hook, a TXT record, a failure)
        // would then pass or fail by chance. Tests may turn it back on.
        pebble.env("PEBBLE_AUTHZREUSE", "0");
        for (k, v) in &b.env {
            pebble.env(k, v);
        }
        let pebble_child = pebble
            .spawn()
            .expect("pebble (Debian package pebble) must be installed");
        children.insert(0, pebble_child);
        let this = Pebble {
            dir,
            acme_port,
            management_port,
            http_port,
            tls_port,
            dns_port,
            dns_management_port,
            ca_bundle,
            children,
        };
        let mut this = this;
        this.wait_ready()?;
        Ok(this)
    }

    /// Both servers running and Pebble announcing its directory (another
    /// process on one of our ports would make a child exit instead).
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for child in &mut self.children {
                if let Ok(Some(status)) = child.try_wait() {
                    let log =
                        std::fs::read_to_string(self.dir.join("pebble.log")).unwrap_or_default();
                    return Err(format!("a test server exited ({status}): {log}"));
                }
            }
            let log = std::fs::read_to_string(self.dir.join("pebble.log")).unwrap_or_default();
            let dns_up = self.dns_management_port == 0
                || TcpStream::connect(("127.0.0.1", self.dns_management_port)).is_ok();
            // Pebble logs its directory before it binds the port: connect too.
            let acme_up = TcpStream::connect(("127.0.0.1", self.acme_port)).is_ok();
            if log.contains("ACME directory available") && dns_up && acme_up {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not ready after 20 s: {log}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn directory_url(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.acme_port)
    }

    fn management(&self, path: &str) -> String {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "10", "--cacert"])
            .arg(&self.ca_bundle)
            .arg(format!("https://127.0.0.1:{}{path}", self.management_port))
            .output()
            .expect("curl must be installed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Pebble's current issuing root (new at every start).
    pub fn root_pem(&self) -> String {
        self.management("/roots/0")
    }

    /// The private key (PEM) of Pebble's current intermediate, which
    /// signs the certificates it issues (for a test OCSP responder).
    pub fn intermediate_key_pem(&self) -> String {
        self.management("/intermediate-keys/0")
    }

    /// The `index`th root (alternate chains: `PEBBLE_ALTERNATE_ROOTS`).
    pub fn root_pem_at(&self, index: usize) -> String {
        self.management(&format!("/roots/{index}"))
    }

    /// Pebble's revocation status for a serial (lower-case hex): the JSON it returns.
    pub fn cert_status(&self, serial_hex: &str) -> String {
        self.management(&format!("/cert-status-by-serial/{serial_hex}"))
    }

    /// Ask pebble-challtestsrv to serve a TXT record (name with final dot).
    pub fn set_txt(&self, name: &str, value: &str) {
        let body = serde_json::json!({"host": name, "value": value}).to_string();
        let status = Command::new("curl")
            .args(["-sS", "--max-time", "10", "-d", &body])
            .arg(format!(
                "http://127.0.0.1:{}/set-txt",
                self.dns_management_port
            ))
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// `openssl verify` of `cert` with `chain` as untrusted intermediates,
    /// against Pebble's root; returns openssl's output on failure.
    pub fn verify(&self, cert: &std::path::Path, chain: &std::path::Path) -> Result<(), String> {
        let root = self
            .dir
            .path()
            .join(format!("root-{}.pem", super::unique()));
        std::fs::write(&root, self.root_pem()).unwrap();
        let out = Command::new("openssl")
            .arg("verify")
            .arg("-CAfile")
            .arg(&root)
            .arg("-untrusted")
            .arg(chain)
            .arg(cert)
            .output()
            .expect("openssl must be installed");
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Environment for clients that must trust Pebble (certbot, lego, curl).
    pub fn client_env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("REQUESTS_CA_BUNDLE", self.ca_bundle.clone()),
            ("SSL_CERT_FILE", self.ca_bundle.clone()),
            ("LEGO_CA_CERTIFICATES", self.ca_bundle.clone()),
        ]
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
