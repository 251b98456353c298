//! Listening sockets for the standalone servers, bound as Certbot binds them:
//! with no address, the IPv6 wildcard (dual-stack on Linux) plus the IPv4
//! wildcard where that is a separate socket; with an address, that address only.
//! Each listener runs an accept loop on its own thread until stopped.

use crate::acme::SolveError;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Servers {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

fn bind_error(addr: SocketAddr, what: &str, e: &io::Error) -> SolveError {
    let hint = match e.kind() {
        io::ErrorKind::AddrInUse => {
            " (another program, often a web server, is using that port: stop it, or use --webroot, --nginx or --apache)"
        }
        io::ErrorKind::PermissionDenied => " (ports below 1024 need root)",
        _ => "",
    };
    SolveError::Message(format!("cannot listen on {addr} for {what}: {e}{hint}"))
}

/// Bind the listeners for `port` (on `address`, else everywhere).
pub fn bind(
    address: Option<IpAddr>,
    port: u16,
    what: &str,
) -> Result<Vec<TcpListener>, SolveError> {
    if let Some(ip) = address {
        let addr = SocketAddr::new(ip, port);
        return TcpListener::bind(addr)
            .map(|l| vec![l])
            .map_err(|e| bind_error(addr, what, &e));
    }
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
    let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
    let mut listeners = Vec::new();
    let v6_result = TcpListener::bind(v6);
    let v6_ok = v6_result.is_ok();
    if let Ok(l) = v6_result {
        listeners.push(l);
    }
    match TcpListener::bind(v4) {
        Ok(l) => listeners.push(l),
        // A dual-stack IPv6 socket already covers IPv4.
        Err(e) if v6_ok && e.kind() == io::ErrorKind::AddrInUse => {}
        Err(e) => return Err(bind_error(v4, what, &e)),
    }
    Ok(listeners)
}

impl Servers {
    /// Serve each accepted connection with `handle` on a thread of its own.
    pub fn start<F>(listeners: Vec<TcpListener>, handle: F) -> Result<Servers, SolveError>
    where
        F: Fn(TcpStream) + Send + Sync + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = Arc::new(handle);
        let mut threads = Vec::new();
        for listener in listeners {
            listener
                .set_nonblocking(true)
                .map_err(|e| SolveError::io("listener setup", e))?;
            let stop = stop.clone();
            let handle = handle.clone();
            threads.push(std::thread::spawn(move || {
                accept_loop(listener, &stop, handle)
            }));
        }
        Ok(Servers { stop, threads })
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop<F>(listener: TcpListener, stop: &AtomicBool, handle: Arc<F>)
where
    F: Fn(TcpStream) + Send + Sync + 'static,
{
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let handle = handle.clone();
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
                std::thread::spawn(move || handle(stream));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binding_answers_on_ipv4_and_ipv6_loopback() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listeners = bind(None, port, "http-01").unwrap();
        assert!(!listeners.is_empty());
        let mut servers = Servers::start(listeners, |_| {}).unwrap();
        assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
        // IPv6 may be disabled on a machine; when ::1 exists it must be served too.
        if TcpListener::bind("[::1]:0").is_ok() {
            assert!(TcpStream::connect(("::1", port)).is_ok());
        }
        servers.stop();
    }
}
