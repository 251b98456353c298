//! A private BIND 9 (`named -g`, foreground) on a free loopback port, with
//! test-made zones and TSIG keys, for one test; killed and removed on drop.
//!
//! ```ignore
//! let bind = Bind::start();                    // zone example.test, key "certsmith-key" (hmac-sha256)
//! let bind = Bind::builder().zone("sub.example.test").locked_zone("locked.test")
//!     .key("md5key", "hmac-md5").start();
//! bind.addr();                                 // "127.0.0.1:PORT" (Pebble's -dnsserver)
//! bind.credentials(&dir, &[]);                 // Certbot-format file (mode 0600) for the first key
//! bind.txt("_acme-challenge.example.test");    // TXT values, asked with dig
//! bind.nsupdate(&["update add x.example.test. 60 TXT \"v\""]);
//! ```
//!
//! Every zone holds `* A 127.0.0.1` and an NS record pointing at 127.0.0.1,
//! so Pebble and the propagation check only ever talk to this server.
//! `Bind::builder().netns(NAME)` runs it inside a test's network namespace on
//! port 53 (the namespace's resolver, as the API providers' tests need);
//! `txt` and `nsupdate` then run there too.

use super::{TempDir, free_port};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Bind {
    pub dir: TempDir,
    pub port: u16,
    /// The network namespace it runs in, if not the test's own.
    pub netns: Option<String>,
    /// (name, algorithm as BIND spells it, base64 secret), first is the default.
    pub keys: Vec<(String, String, String)>,
    child: Child,
}

pub struct Builder {
    /// Zones every key may update.
    zones: Vec<String>,
    /// Zones no key may update (updates get REFUSED).
    locked: Vec<String>,
    keys: Vec<(String, String)>,
    netns: Option<String>,
    recursive: bool,
}

impl Builder {
    /// Answer recursive queries too, as the CA's resolver does: a CNAME into
    /// another of its zones is then followed in the answer (an authoritative
    /// only server stops at the zone's edge, and Pebble does not follow
    /// CNAMEs itself). Names outside its zones would go to the root servers:
    /// only for tests that ask for none.
    pub fn recursive(mut self) -> Self {
        self.recursive = true;
        self
    }
    /// Run inside the network namespace `name`, on 127.0.0.1:53.
    pub fn netns(mut self, name: &str) -> Self {
        self.netns = Some(name.into());
        self
    }
    pub fn zone(mut self, name: &str) -> Self {
        self.zones.push(name.into());
        self
    }
    pub fn locked_zone(mut self, name: &str) -> Self {
        self.locked.push(name.into());
        self
    }
    /// Another key (`tsig-keygen -a ALGORITHM NAME`) allowed to update.
    pub fn key(mut self, name: &str, algorithm: &str) -> Self {
        self.keys.push((name.into(), algorithm.into()));
        self
    }
    /// Start named; a port taken between probing and binding is retried.
    pub fn start(self) -> Bind {
        let mut last = String::new();
        for _ in 0..3 {
            match Bind::launch(&self) {
                Ok(b) => return b,
                Err(e) => last = e,
            }
        }
        panic!("named did not start: {last}");
    }
}

fn keygen(name: &str, algorithm: &str) -> (String, String) {
    let out = Command::new(sbin("tsig-keygen"))
        .args(["-a", algorithm, name])
        .output()
        .expect("tsig-keygen (Debian package bind9-utils) must be installed");
    assert!(out.status.success(), "tsig-keygen -a {algorithm} failed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let secret = text
        .split("secret \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("tsig-keygen printed no secret")
        .to_string();
    (text, secret)
}

/// A system binary that may live in /usr/sbin (not on every PATH).
fn sbin(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    PathBuf::from(name)
}

fn zone_file(zone: &str) -> String {
    format!(
        "$TTL 60\n@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n\
         @ IN NS ns.{zone}.\nns IN A 127.0.0.1\n@ IN A 127.0.0.1\n* IN A 127.0.0.1\n"
    )
}

impl Bind {
    pub fn builder() -> Builder {
        Builder {
            zones: vec!["example.test".into()],
            locked: Vec::new(),
            keys: vec![("certsmith-key".into(), "hmac-sha256".into())],
            netns: None,
            recursive: false,
        }
    }

    pub fn start() -> Bind {
        Bind::builder().start()
    }

    fn launch(b: &Builder) -> Result<Bind, String> {
        let dir = TempDir::new("bind");
        let port = if b.netns.is_some() { 53 } else { free_port() };
        let mut conf = String::new();
        let mut keys = Vec::new();
        for (name, algorithm) in &b.keys {
            let (text, secret) = keygen(name, algorithm);
            conf.push_str(&text);
            keys.push((name.clone(), algorithm.clone(), secret));
        }
        let d = dir.path().display();
        let recursion = match b.recursive {
            true => "recursion yes; allow-recursion { any; }; dnssec-validation no;",
            false => "recursion no;",
        };
        conf.push_str(&format!(
            "options {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n  \
             session-keyfile \"{d}/session.key\";\n  listen-on port {port} {{ 127.0.0.1; }};\n  \
             listen-on-v6 {{ none; }};\n  {recursion}\n  notify no;\n}};\n"
        ));
        let allowed: Vec<String> = b
            .keys
            .iter()
            .map(|(n, _)| format!("key \"{n}\";"))
            .collect();
        for (zone, update) in b
            .zones
            .iter()
            .map(|z| (z, allowed.join(" ")))
            .chain(b.locked.iter().map(|z| (z, "none;".to_string())))
        {
            let file = dir.join(format!("{zone}.zone"));
            std::fs::write(&file, zone_file(zone)).unwrap();
            conf.push_str(&format!(
                "zone \"{zone}\" {{\n  type primary;\n  file \"{}\";\n  allow-update {{ {update} }};\n}};\n",
                file.display()
            ));
        }
        let conf_path = dir.join("named.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let log = std::fs::File::create(dir.join("named.log")).unwrap();
        let child = in_netns(b.netns.as_deref(), sbin("named"))
            .arg("-g")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("named (Debian package bind9) must be installed");
        let mut bind = Bind {
            dir,
            port,
            netns: b.netns.clone(),
            keys,
            child,
        };
        bind.wait_ready()?;
        Ok(bind)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let log = std::fs::read_to_string(self.dir.join("named.log")).unwrap_or_default();
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("named exited ({status}): {log}"));
            }
            if log.contains("could not listen") || log.contains("address in use") {
                return Err(format!("port {} is taken: {log}", self.port));
            }
            // Not "running as: named ..." at the start: the final "running".
            if log.lines().any(|l| l.ends_with(" running")) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not ready after 20 s: {log}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `127.0.0.1:PORT`
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Write a Certbot-format credentials file (mode 0600) for the first key,
    /// or for the key named by `("dns_rfc2136_name", NAME)` in `overrides`;
    /// `overrides` replace or add `dns_rfc2136_*` lines (`None` drops one).
    pub fn credentials(&self, dir: &Path, overrides: &[(&str, Option<&str>)]) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let wanted = overrides
            .iter()
            .find(|(k, _)| *k == "dns_rfc2136_name")
            .and_then(|(_, v)| *v);
        let (name, algorithm, secret) = self
            .keys
            .iter()
            .find(|(n, _, _)| Some(n.as_str()) == wanted)
            .unwrap_or(&self.keys[0]);
        let mut lines: Vec<(String, Option<String>)> = vec![
            ("dns_rfc2136_server".into(), Some("127.0.0.1".into())),
            ("dns_rfc2136_port".into(), Some(self.port.to_string())),
            ("dns_rfc2136_name".into(), Some(name.clone())),
            ("dns_rfc2136_secret".into(), Some(secret.clone())),
            // Certbot's files spell it HMAC-SHA256, BIND hmac-sha256.
            (
                "dns_rfc2136_algorithm".into(),
                Some(algorithm.to_uppercase()),
            ),
        ];
        for (k, v) in overrides {
            match lines.iter_mut().find(|(key, _)| key == k) {
                Some(line) => line.1 = v.map(str::to_string),
                None => lines.push((k.to_string(), v.map(str::to_string))),
            }
        }
        let text: String = lines
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}\n")))
            .collect();
        let path = dir.join(format!("rfc2136-{}.ini", super::unique()));
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    /// The TXT values at `name`, as `dig` sees them on this server.
    pub fn txt(&self, name: &str) -> Vec<String> {
        let out = in_netns(self.netns.as_deref(), "dig")
            .args(["+short", "+norecurse", "+time=2", "+tries=1", "-p"])
            .arg(self.port.to_string())
            .arg("@127.0.0.1")
            .arg(name)
            .arg("TXT")
            .output()
            .expect("dig (Debian package bind9-dnsutils) must be installed");
        assert!(out.status.success(), "dig failed");
        let mut values: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().trim_matches('"').to_string())
            .filter(|l| !l.is_empty())
            .collect();
        values.sort();
        values
    }

    /// (name, value) of every TXT record at these names.
    pub fn txt_at(&self, names: &[&str]) -> Vec<(String, String)> {
        names
            .iter()
            .flat_map(|n| self.txt(n).into_iter().map(move |v| (n.to_string(), v)))
            .collect()
    }

    /// Run `nsupdate` commands (signed with the first key) against this server.
    pub fn nsupdate(&self, commands: &[&str]) {
        let commands: Vec<String> = commands.iter().map(|c| c.to_string()).collect();
        if let Err(e) = self.updater().apply(&commands) {
            panic!("{e}");
        }
    }

    /// What applies updates to this server from another thread (a stand-in's).
    pub fn updater(&self) -> Updater {
        let (name, algorithm, secret) = self.keys[0].clone();
        Updater {
            netns: self.netns.clone(),
            port: self.port,
            key: format!("{algorithm}:{name}:{secret}"),
        }
    }
}

/// `nsupdate` against one BIND, signed with its first key.
#[derive(Clone)]
pub struct Updater {
    netns: Option<String>,
    port: u16,
    key: String,
}

impl Updater {
    /// Send `commands` (`update add ...`) as one update.
    pub fn apply(&self, commands: &[String]) -> Result<(), String> {
        let mut script = format!("server 127.0.0.1 {}\n", self.port);
        for c in commands {
            script.push_str(c);
            script.push('\n');
        }
        script.push_str("send\n");
        let mut child = in_netns(self.netns.as_deref(), "nsupdate")
            .arg("-y")
            .arg(&self.key)
            .stdin(Stdio::piped())
            .spawn()
            .expect("nsupdate (Debian package bind9-dnsutils) must be installed");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        match child.wait().unwrap().success() {
            true => Ok(()),
            false => Err(format!("nsupdate failed: {script}")),
        }
    }
}

/// `program`, run inside `netns` when there is one.
fn in_netns(netns: Option<&str>, program: impl AsRef<std::ffi::OsStr>) -> Command {
    match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
