//! A small HTTPS server for the DNS providers' stand-ins: its own test CA and
//! a certificate for the API's host name, one request per connection (the
//! answer closes it), requests handed to a function. Started inside a
//! test's network namespace (a thread enters it with `setns(2)` only to
//! bind; the listening socket stays the namespace's) or on the host.
//!
//! ```ignore
//! let server = HttpsServer::start(Some(&ns.name), 443, &["api.example.com"], handler);
//! server.ca_pem;    // trust this (REQUESTS_CA_BUNDLE)
//! ```

use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
    /// The query's `key=value` pairs, percent-decoded.
    pub fn query(&self) -> Vec<(String, String)> {
        let Some((_, q)) = self.target.split_once('?') else {
            return Vec::new();
        };
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect()
    }
    pub fn param(&self, key: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// `text` percent-decoded (`+` as a space, as a form query).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

pub struct HttpsServer {
    pub addr: SocketAddr,
    /// The test CA that signed the server's certificate (PEM).
    pub ca_pem: String,
    stop: Arc<AtomicBool>,
    netns: Option<String>,
}

impl HttpsServer {
    /// Listen on 127.0.0.1:`port` (0: any) inside `netns` (or here), with a
    /// certificate for `names`.
    pub fn start(netns: Option<&str>, port: u16, names: &[&str], handler: Handler) -> HttpsServer {
        let (ca_pem, config) = tls_config(names);
        let listener = bind_in(netns, port);
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (config, handler) = (config.clone(), handler.clone());
                std::thread::spawn(move || serve(config, conn, &*handler));
            }
        });
        HttpsServer {
            addr,
            ca_pem,
            stop,
            netns: netns.map(str::to_string),
        }
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop with a connection made where it listens.
        let addr = self.addr;
        let netns = self.netns.clone();
        let _ = std::thread::spawn(move || {
            if let Some(ns) = &netns {
                enter_netns(ns);
            }
            let _ = std::net::TcpStream::connect(addr);
        })
        .join();
    }
}

/// Bind on a thread that entered `netns`: the socket is the namespace's.
fn bind_in(netns: Option<&str>, port: u16) -> TcpListener {
    let netns = netns.map(str::to_string);
    std::thread::spawn(move || {
        if let Some(ns) = &netns {
            enter_netns(ns);
        }
        TcpListener::bind(("127.0.0.1", port)).expect("bind the stand-in's port")
    })
    .join()
    .unwrap()
}

fn enter_netns(name: &str) {
    let ns = std::fs::File::open(std::path::Path::new("/var/run/netns").join(name)).unwrap();
    rustix::thread::move_into_link_name_space(
        ns.as_fd(),
        Some(rustix::thread::LinkNameSpaceType::Network),
    )
    .expect("setns");
}

/// A new CA (PEM) and a server config with its certificate for `names`.
fn tls_config(names: &[&str]) -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "certsmith stand-in CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut sans: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    sans.push("127.0.0.1".into());
    let leaf = CertificateParams::new(sans).unwrap();
    let leaf_cert = leaf.signed_by(&key, &issuer).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf_cert.der().to_vec())],
            PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    (ca_cert.pem(), Arc::new(config))
}

fn serve(
    config: Arc<rustls::ServerConfig>,
    tcp: std::net::TcpStream,
    handler: &dyn Fn(&Request) -> Response,
) {
    let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let Ok(Some(request)) = read_request(&mut tls) else {
        return;
    };
    let response = handler(&request);
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(&response.body);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Status",
    }
}

fn read_request(stream: &mut impl Read) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let first = lines.next().unwrap_or_default().to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let body_at = end + 4;
            while buf.len() < body_at + length {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let mut parts = first.split(' ');
            return Ok(Some(Request {
                method: parts.next().unwrap_or_default().to_string(),
                target: parts.next().unwrap_or_default().to_string(),
                headers,
                body: buf[body_at..body_at + length].to_vec(),
            }));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
