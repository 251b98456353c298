//! A throw-away nginx serving one directory on a loopback port (single
//! process, killed on drop).

use super::TempDir;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nginx {
    pub dir: TempDir,
    pub port: u16,
    pub root: PathBuf,
    child: Child,
}

impl Nginx {
    /// Serve `root` on 127.0.0.1:`port`.
    pub fn serve(root: &Path, port: u16) -> Nginx {
        Nginx::serve_hosts(root, &[], port)
    }

    /// Serve `root` by default and each (server_name, root) of `hosts` by name.
    pub fn serve_hosts(root: &Path, hosts: &[(&str, &Path)], port: u16) -> Nginx {
        let dir = TempDir::new("nginx");
        let named: String = hosts
            .iter()
            .map(|(name, r)| format!("  server {{\n    listen 127.0.0.1:{port};\n    server_name {name};\n    root {};\n  }}\n", r.display()))
            .collect();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\nevents {{}}\n\
             http {{\n  access_log {p}/access.log;\n  default_type text/plain;\n  client_body_temp_path {p};\n\
             proxy_temp_path {p};\n  fastcgi_temp_path {p};\n  uwsgi_temp_path {p};\n  scgi_temp_path {p};\n\
             server {{\n    listen 127.0.0.1:{port} default_server;\n    root {r};\n  }}\n{named}}}\n",
            p = dir.path().display(),
            r = root.display()
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx must be installed");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx {
            dir,
            port,
            root: root.to_path_buf(),
            child,
        }
    }

    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
