//! A private tinyproxy (Debian's `tinyproxy`, an HTTP CONNECT proxy) on a
//! free loopback port, for one test; killed and removed on drop. The
//! package's own service is not used: each test runs its own instance in
//! the foreground with a generated config.
//!
//! ```ignore
//! let proxy = Tinyproxy::builder().connect_port(pebble.acme_port).start();
//! proxy.url();                                  // http://127.0.0.1:PORT
//! proxy.log();                                  // its log: "CONNECT 127.0.0.1:14000 ..."
//! ```

use super::{TempDir, free_port};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Tinyproxy {
    pub port: u16,
    dir: TempDir,
    child: Child,
}

#[derive(Default)]
pub struct Builder {
    connect_ports: Vec<u16>,
    basic_auth: Option<(String, String)>,
}

impl Builder {
    /// Allow CONNECT to this port (with none, tinyproxy allows every port).
    pub fn connect_port(mut self, port: u16) -> Self {
        self.connect_ports.push(port);
        self
    }
    /// Require these credentials (407 without them).
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }
    /// Start it; a port taken between probing and binding is retried.
    pub fn start(self) -> Tinyproxy {
        let mut last = String::new();
        for _ in 0..3 {
            match self.launch() {
                Ok(proxy) => return proxy,
                Err(e) => last = e,
            }
        }
        panic!("tinyproxy did not start: {last}");
    }

    fn config(&self, port: u16, log: &std::path::Path) -> String {
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\n\
             LogFile \"{}\"\nLogLevel Info\nAllow 127.0.0.1\n",
            log.display()
        );
        for p in &self.connect_ports {
            conf.push_str(&format!("ConnectPort {p}\n"));
        }
        if let Some((user, password)) = &self.basic_auth {
            conf.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        conf
    }

    fn launch(&self) -> Result<Tinyproxy, String> {
        let dir = TempDir::new("tinyproxy");
        let port = free_port();
        let conf = dir.write(
            "tinyproxy.conf",
            self.config(port, &dir.join("tinyproxy.log")),
        );
        let child = Command::new("/usr/bin/tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot run /usr/bin/tinyproxy (scripts/setup installs it): {e}")
            })?;
        let mut proxy = Tinyproxy { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                return Err(format!("exited with {status}: {}", proxy.log()));
            }
            if Instant::now() > deadline {
                return Err(format!("not listening after 10 s: {}", proxy.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(proxy)
    }
}

impl Tinyproxy {
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The proxy's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tinyproxy.log")).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
