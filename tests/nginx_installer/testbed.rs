//! The shared network-namespace test bed (`tests/support/netns.rs`), with
//! the curl helpers the nginx tests use.

pub use crate::support::netns::{ACME_URL, Netns as Testbed};
use std::time::{Duration, Instant};

impl Testbed {
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
        super::util::Run::from_command(
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
