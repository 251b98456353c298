//! An ACME Renewal Information front for Pebble (Debian's Pebble 2.4 has no
//! ARI): an HTTPS proxy on its own loopback port that forwards everything to
//! Pebble and adds what an ARI CA does:
//! - `renewalInfo` in the directory, served by the proxy with the window the
//!   test sets ([`AriProxy::set_window`]);
//! - `replaces` echoed in the newOrder response (RFC 9773 §5), and the
//!   payload of every newOrder the CA accepted recorded ([`AriProxy::new_orders`]).
//!
//! The `Host` header is passed through unchanged, so Pebble builds every URL
//! (and checks every JWS `url`) against the proxy's address, and clients
//! never see Pebble's own port.
//!
//! ```ignore
//! let proxy = AriProxy::start(&pebble);
//! proxy.set_window("2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z");
//! proxy.directory_url();   // give clients this instead of pebble.directory_url()
//! proxy.new_orders();      // decoded newOrder payloads (JSON)
//! proxy.queried();         // certificate ids asked for at renewalInfo
//! ```

use super::pebble::Pebble;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct State {
    window: (String, String),
    new_order_path: Option<String>,
    orders: Vec<Value>,
    queried: Vec<String>,
}

struct Shared {
    state: Mutex<State>,
    pebble_port: u16,
    server: Arc<rustls::ServerConfig>,
    client: Arc<rustls::ClientConfig>,
}

pub struct AriProxy {
    pub port: u16,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

const RENEWAL_INFO: &str = "/renewal-info";

impl AriProxy {
    pub fn start(pebble: &Pebble) -> AriProxy {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(pebble.dir.join("listener.pem"))
                .unwrap()
                .map(Result::unwrap)
                .collect();
        let key = PrivateKeyDer::from_pem_file(pebble.dir.join("listener.key")).unwrap();
        let server = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&pebble.ca_bundle).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                window: (
                    "2000-01-01T00:00:00Z".to_string(),
                    "2000-01-02T00:00:00Z".to_string(),
                ),
                ..State::default()
            }),
            pebble_port: pebble.acme_port,
            server: Arc::new(server),
            client: Arc::new(client),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (shared.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = serve(&s, conn);
                });
            }
        });
        AriProxy { port, shared, stop }
    }

    pub fn directory_url(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.port)
    }

    /// The suggested window (RFC 3339 times) served for every certificate.
    pub fn set_window(&self, start: &str, end: &str) {
        self.shared.state.lock().unwrap().window = (start.to_string(), end.to_string());
    }

    /// The JSON payloads of the newOrder requests Pebble accepted so far.
    pub fn new_orders(&self) -> Vec<Value> {
        self.shared.state.lock().unwrap().orders.clone()
    }

    /// The certificate ids asked for at renewalInfo so far.
    pub fn queried(&self) -> Vec<String> {
        self.shared.state.lock().unwrap().queried.clone()
    }
}

impl Drop for AriProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct Response {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A request or status line, the headers, and where the body starts.
type Head = (String, Vec<(String, String)>, usize);

/// Split `head\r\n\r\nbody` and parse the head's lines after the first.
fn parse_head(bytes: &[u8]) -> Option<Head> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next()?.to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some((first, headers, end + 4))
}

fn read_request(stream: &mut impl Read) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some((first, headers, body_at)) = parse_head(&buf) {
            let length: usize = header(&headers, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < body_at + length {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let mut parts = first.split(' ');
            let method = parts.next().unwrap_or_default().to_string();
            let path = parts.next().unwrap_or_default().to_string();
            return Ok(Some(Request {
                method,
                path,
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

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&body[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}

/// Send the request to Pebble on a fresh TLS connection and read the whole answer.
fn forward(shared: &Shared, req: &Request) -> std::io::Result<Response> {
    let tcp = TcpStream::connect(("127.0.0.1", shared.pebble_port))?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(shared.client.clone(), name)
        .map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut out = format!("{} {} HTTP/1.1\r\n", req.method, req.path).into_bytes();
    for (k, v) in &req.headers {
        if !k.eq_ignore_ascii_case("connection") {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(&req.body);
    tls.write_all(&out)?;
    let mut raw = Vec::new();
    // Go closes without close_notify now and then: take what came.
    let _ = tls.read_to_end(&mut raw);
    let (status, headers, body_at) =
        parse_head(&raw).ok_or_else(|| std::io::Error::other("no HTTP response from Pebble"))?;
    let mut body = raw[body_at..].to_vec();
    if header(&headers, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = dechunk(&body);
    }
    let headers = headers
        .into_iter()
        .filter(|(k, _)| {
            !["content-length", "transfer-encoding", "connection"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h))
        })
        .collect();
    Ok(Response {
        status: status
            .split_once(' ')
            .map_or("502 Bad Gateway", |(_, rest)| rest)
            .to_string(),
        headers,
        body,
    })
}

fn json_response(status: &str, value: &Value, extra: Vec<(String, String)>) -> Response {
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    headers.extend(extra);
    Response {
        status: status.to_string(),
        headers,
        body: serde_json::to_vec_pretty(value).unwrap(),
    }
}

fn handle(shared: &Shared, req: &Request) -> std::io::Result<Response> {
    if let Some(id) = req.path.strip_prefix(&format!("{RENEWAL_INFO}/")) {
        let mut state = shared.state.lock().unwrap();
        state.queried.push(id.to_string());
        let (start, end) = state.window.clone();
        let body = serde_json::json!({"suggestedWindow": {"start": start, "end": end}});
        return Ok(json_response(
            "200 OK",
            &body,
            vec![("Retry-After".into(), "21600".into())],
        ));
    }
    let mut response = forward(shared, req)?;
    let ok = response.status.starts_with('2');
    if req.method == "GET" && req.path == "/dir" && ok {
        let mut dir: Value =
            serde_json::from_slice(&response.body).map_err(std::io::Error::other)?;
        let host = header(&req.headers, "host").unwrap_or("127.0.0.1");
        dir["renewalInfo"] = Value::String(format!("https://{host}{RENEWAL_INFO}"));
        let new_order = dir["newOrder"].as_str().unwrap_or_default();
        let path = new_order.splitn(4, '/').nth(3).map(|p| format!("/{p}"));
        shared.state.lock().unwrap().new_order_path = path;
        response.body = serde_json::to_vec_pretty(&dir).unwrap();
    }
    let is_new_order = shared.state.lock().unwrap().new_order_path.as_deref() == Some(&req.path);
    if req.method == "POST" && is_new_order {
        let jws: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let payload = jws["payload"]
            .as_str()
            .and_then(|p| B64.decode(p).ok())
            .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
            .unwrap_or_default();
        if ok && let Some(replaces) = payload.get("replaces") {
            let mut order: Value =
                serde_json::from_slice(&response.body).map_err(std::io::Error::other)?;
            order["replaces"] = replaces.clone();
            response.body = serde_json::to_vec_pretty(&order).unwrap();
        }
        // A refused attempt (Pebble rejects some nonces; clients retry) is no order.
        if ok {
            shared.state.lock().unwrap().orders.push(payload);
        }
    }
    Ok(response)
}

fn serve(shared: &Shared, tcp: TcpStream) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let conn =
        rustls::ServerConnection::new(shared.server.clone()).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let Some(req) = read_request(&mut tls)? else {
        return Ok(());
    };
    let response = handle(shared, &req).unwrap_or_else(|e| Response {
        status: "502 Bad Gateway".into(),
        headers: Vec::new(),
        body: e.to_string().into_bytes(),
    });
    let mut out = format!("HTTP/1.1 {}\r\n", response.status).into_bytes();
    for (k, v) in &response.headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            response.body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&response.body);
    tls.write_all(&out)?;
    tls.flush()?;
    tls.conn.send_close_notify();
    let _ = tls.flush();
    Ok(())
}
