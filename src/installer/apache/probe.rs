//! Asking the local Apache for each challenge token (plain HTTP/1.0 over loopback), so
//! the CA is contacted only once Apache answers, instead of after a fixed sleep.

use super::challenge::Probe;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Wait until every probe is answered with its token, or `timeout` passes: `Err` lists
/// what was not answered (and what came instead).
pub fn check(probes: &[Probe], timeout: Duration) -> Result<(), Vec<String>> {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<&Probe> = probes.iter().collect();
    let mut last: Vec<String> = Vec::new();
    loop {
        last.clear();
        pending.retain(|p| match fetch(p) {
            Ok(body) if body.trim_end() == p.expected => false,
            Ok(body) => {
                last.push(format!(
                    "http://{}:{}{}: answered {:?}",
                    p.host,
                    p.port,
                    p.path,
                    body.chars().take(80).collect::<String>()
                ));
                true
            }
            Err(e) => {
                last.push(format!("http://{}:{}{}: {e}", p.host, p.port, p.path));
                true
            }
        });
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(last);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The body of a 200 answer; anything else is an error naming the status line.
fn fetch(p: &Probe) -> Result<String, String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], p.port));
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: certsmith\r\nConnection: close\r\n\r\n",
        p.path, p.host
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| "no HTTP answer".to_string())?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(status.to_string());
    }
    Ok(body.to_string())
}
