//! A bounded load generator for the "no client ever sees an error" tests: threads
//! inside a test's network namespace send requests to a web server on loopback, one
//! request per new connection (so every request also exercises the server accepting
//! it), plain http or https through rustls (the chain verified against the test CA's
//! root), and record every outcome exactly: the status, the `Location` header, the
//! body and, over https, the serial of the certificate the server presented; or the
//! error, classified. No timing is asserted, only what each client saw.
//!
//! A thread enters the namespace with `setns(2)`, which moves only the calling thread:
//! the sockets it opens are the namespace's, the test process stays where it is.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Upper bound per thread, whatever the caller does: a test that forgets to stop
/// its load still ends.
const MAX_REQUESTS: usize = 200_000;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the requests go: `host` in the Host header (and SNI), the connection to
/// 127.0.0.1:`port`.
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub path: String,
    /// `Some`: https, verified against these roots.
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl Target {
    pub fn http(host: &str, port: u16, path: &str) -> Target {
        Target {
            host: host.into(),
            port,
            path: path.into(),
            tls: None,
        }
    }

    /// https, trusting only the PEM root at `root_pem`.
    pub fn https(host: &str, port: u16, path: &str, root_pem: &Path) -> Target {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(root_pem).expect("root PEM") {
            roots.add(cert.expect("root certificate")).expect("root");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Target {
            tls: Some(Arc::new(config)),
            ..Target::http(host, port, path)
        }
    }

    pub fn label(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}:{}{}", self.host, self.port, self.path)
    }
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    /// The serial (lower-case hex) of the certificate the server presented.
    pub serial: Option<String>,
}

/// What went wrong with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing listens on the port (the kernel refused the connection).
    Refused,
    /// Reset before the server sent a single byte: the kernel had completed the
    /// connection into a listening socket's queue and the socket was closed before
    /// the server accepted it (a server dropping a listener). No request was read.
    Unaccepted,
    /// Connected, then anything else: reset, TLS failure, a cut or garbled answer.
    Other(String),
}

#[derive(Debug)]
pub struct Outcome {
    pub started: Instant,
    pub result: Result<Answer, Failure>,
}

/// Load running on one target until [`Load::stop`].
pub struct Load {
    target: String,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<Vec<Outcome>>>,
}

impl Load {
    /// `threads` clients in network namespace `netns` (an `ip netns` name), each
    /// sending one request after the other.
    pub fn start(netns: &str, target: &Target, threads: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let handles = (0..threads)
            .map(|_| {
                let (netns, target, stop) = (netns.to_string(), target.clone(), stop.clone());
                std::thread::spawn(move || {
                    enter_netns(&netns);
                    let mut out = Vec::new();
                    while !stop.load(Ordering::Relaxed) && out.len() < MAX_REQUESTS {
                        let started = Instant::now();
                        let result = request(&target);
                        out.push(Outcome { started, result });
                    }
                    out
                })
            })
            .collect();
        Load {
            target: target.label(),
            stop,
            threads: handles,
        }
    }

    /// Stop the clients; every outcome, in the order the requests started.
    pub fn stop(self) -> (String, Vec<Outcome>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut all: Vec<Outcome> = self
            .threads
            .into_iter()
            .flat_map(|t| t.join().expect("load thread"))
            .collect();
        all.sort_by_key(|o| o.started);
        (self.target, all)
    }
}

/// Move this thread into the named network namespace.
fn enter_netns(name: &str) {
    let ns = std::fs::File::open(Path::new("/var/run/netns").join(name)).expect("netns file");
    rustix::thread::move_into_link_name_space(
        ns.as_fd(),
        Some(rustix::thread::LinkNameSpaceType::Network),
    )
    .expect("setns");
}

fn other(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::Other(format!("{what}: {e}"))
}

/// The connection, counting what the server sent and noting a reset.
struct Counted {
    tcp: TcpStream,
    received: usize,
    reset: bool,
}

impl Counted {
    fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            self.reset |= e.kind() == std::io::ErrorKind::ConnectionReset;
        }
        r
    }
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = self.tcp.read(buf);
        let n = self.note(r)?;
        self.received += n;
        Ok(n)
    }
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.tcp.write(buf);
        self.note(r)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.tcp.flush();
        self.note(r)
    }
}

/// One request on a new connection.
fn request(target: &Target) -> Result<Answer, Failure> {
    let addr = SocketAddr::from(([127, 0, 0, 1], target.port));
    let tcp = match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Err(Failure::Refused);
        }
        Err(e) => return Err(other("connect", e)),
    };
    // No Nagle: the request follows the handshake's last flight, and waiting for
    // its ACK (delayed 40 ms) would make each https request take that long.
    tcp.set_nodelay(true)
        .and_then(|()| tcp.set_read_timeout(Some(IO_TIMEOUT)))
        .and_then(|()| tcp.set_write_timeout(Some(IO_TIMEOUT)))
        .map_err(|e| other("socket options", e))?;
    let mut conn = Counted {
        tcp,
        received: 0,
        reset: false,
    };
    match exchange_on(target, &mut conn) {
        Err(Failure::Other(_)) if conn.reset && conn.received == 0 => Err(Failure::Unaccepted),
        result => result,
    }
}

/// The request over `tcp`, through TLS for https.
fn exchange_on(target: &Target, tcp: &mut Counted) -> Result<Answer, Failure> {
    let text = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: certsmith-load\r\n\r\n",
        target.path, target.host
    );
    match &target.tls {
        None => exchange(tcp, text.as_bytes(), None),
        Some(config) => {
            let name = rustls_pki_types::ServerName::try_from(target.host.clone())
                .map_err(|e| other("server name", e))?;
            let conn =
                rustls::ClientConnection::new(config.clone(), name).map_err(|e| other("TLS", e))?;
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            // The handshake completes (and the chain is verified) before the request.
            while tls.conn.is_handshaking() {
                tls.conn
                    .complete_io(&mut tls.sock)
                    .map_err(|e| other("TLS handshake", e))?;
            }
            let serial = tls
                .conn
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|der| certsmith::x509::parse_der(der).map(|i| i.serial_hex))
                .transpose()
                .map_err(|e| other("peer certificate", e.0))?;
            exchange(tls, text.as_bytes(), serial)
        }
    }
}

/// Send the request and read one whole answer: headers, then the body up to its
/// `Content-Length` (to the end of the stream when there is none).
fn exchange(
    mut stream: impl Read + Write,
    text: &[u8],
    serial: Option<String>,
) -> Result<Answer, Failure> {
    stream.write_all(text).map_err(|e| other("write", e))?;
    stream.flush().map_err(|e| other("write", e))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(other("read", format!("closed after {} bytes", buf.len()))),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(other("read", e)),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| other("status line", head.lines().next().unwrap_or("")))?;
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let mut body = buf[head_end..].to_vec();
    match header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        Some(len) => {
            while body.len() < len {
                match stream.read(&mut chunk) {
                    Ok(0) => return Err(other("body", format!("{} of {len} bytes", body.len()))),
                    Ok(n) => body.extend_from_slice(&chunk[..n]),
                    Err(e) => return Err(other("body", e)),
                }
            }
        }
        None => {
            stream
                .read_to_end(&mut body)
                .map_err(|e| other("body", e))?;
        }
    }
    Ok(Answer {
        status,
        location: header("location"),
        body: String::from_utf8_lossy(&body).into_owned(),
        serial,
    })
}

/// Counts of one phase on one target, for the assertions and the record.
#[derive(Debug, Default)]
pub struct Tally {
    pub sent: usize,
    /// Answers by the class the test gave them.
    pub classes: std::collections::BTreeMap<&'static str, usize>,
    /// Requests that failed, and answers of a class the test does not accept: what
    /// a client would have seen, first few kept for the message.
    pub errors: usize,
    pub examples: Vec<String>,
}

impl Tally {
    /// Classify each outcome with `class` (`Err(text)`: not acceptable). `done`:
    /// when the command under test returned; `after` classifies what started later.
    pub fn of(
        outcomes: &[Outcome],
        done: Instant,
        during: impl Fn(&Result<Answer, Failure>) -> Verdict,
        after: impl Fn(&Result<Answer, Failure>) -> Verdict,
    ) -> Tally {
        let mut t = Tally::default();
        for o in outcomes {
            t.sent += 1;
            let verdict = if o.started < done {
                during(&o.result)
            } else {
                after(&o.result).map_err(|e| format!("after the command returned: {e}"))
            };
            match verdict {
                Ok(class) => *t.classes.entry(class).or_default() += 1,
                Err(e) => {
                    t.errors += 1;
                    if t.examples.len() < 5 {
                        t.examples.push(e);
                    }
                }
            }
        }
        t
    }

    pub fn line(&self, phase: &str, target: &str) -> String {
        format!(
            "{phase}: {target}: {} requests, {} errors, {:?}",
            self.sent, self.errors, self.classes
        )
    }
}

/// Run `f` while `targets` are under load (`threads` clients each): load starts
/// `lead` before `f` and goes on for `tail` after it returned. Returns what `f`
/// returned, when it returned, and each target's outcomes.
pub fn during<R>(
    netns: &str,
    targets: &[&Target],
    threads: usize,
    (lead, tail): (Duration, Duration),
    f: impl FnOnce() -> R,
) -> (R, Instant, Vec<(String, Vec<Outcome>)>) {
    let loads: Vec<Load> = targets
        .iter()
        .map(|t| Load::start(netns, t, threads))
        .collect();
    std::thread::sleep(lead);
    let r = f();
    let done = Instant::now();
    std::thread::sleep(tail);
    let outcomes = loads.into_iter().map(Load::stop).collect();
    (r, done, outcomes)
}

/// A verdict on one outcome: its class, or why a client would call it an error.
pub type Verdict = Result<&'static str, String>;

/// The page `body` with status 200 (over http, or https with any certificate).
pub fn page(body: &str) -> impl Fn(&Result<Answer, Failure>) -> Verdict + '_ {
    move |r| match r {
        Ok(a) if a.status == 200 && a.body == body => Ok("200 page"),
        other => Err(format!("not the page: {other:?}")),
    }
}

/// A 301 to `location`.
pub fn redirect_to(location: &str) -> impl Fn(&Result<Answer, Failure>) -> Verdict + '_ {
    move |r| match r {
        Ok(a) if a.status == 301 && a.location.as_deref() == Some(location) => Ok("301 to https"),
        other => Err(format!("not the redirect to {location}: {other:?}")),
    }
}

/// The page `body` over https from a certificate whose serial is one of `serials`
/// (classed by which).
pub fn page_with<'a>(
    body: &'a str,
    serials: &'a [&'a str],
) -> impl Fn(&Result<Answer, Failure>) -> Verdict + 'a {
    const CLASSES: [&str; 2] = ["200 page, old certificate", "200 page, new certificate"];
    move |r| match r {
        Ok(a) if a.status == 200 && a.body == body => {
            let i = serials.iter().position(|s| a.serial.as_deref() == Some(*s));
            match i.and_then(|i| CLASSES.get(i + CLASSES.len() - serials.len())) {
                Some(class) => Ok(class),
                None => Err(format!(
                    "served certificate {:?}, not {serials:?}",
                    a.serial
                )),
            }
        }
        other => Err(format!("not the page over https: {other:?}")),
    }
}

/// Nothing listens on the port any more: the kernel refuses the connection.
pub fn refused(r: &Result<Answer, Failure>) -> Verdict {
    match r {
        Err(Failure::Refused) => Ok("refused: no https"),
        other => Err(format!("still answers: {other:?}")),
    }
}

/// While a command removes the listener: refused, or reset unaccepted in the closing
/// socket's queue (the server never read the request: the TCP-level form of
/// "refused", which no server can avoid when it closes a listening socket).
pub fn listener_closing(r: &Result<Answer, Failure>) -> Verdict {
    match r {
        Err(Failure::Unaccepted) => Ok("reset unaccepted as the listener closed"),
        _ => refused(r),
    }
}

/// Assert one target's outcomes of one phase: `during` for requests started before
/// `done`, `after` for the rest; zero errors. Prints and returns the figures line.
#[track_caller]
pub fn check(
    phase: &str,
    (target, outcomes): &(String, Vec<Outcome>),
    done: Instant,
    during: impl Fn(&Result<Answer, Failure>) -> Verdict,
    after: impl Fn(&Result<Answer, Failure>) -> Verdict,
) -> String {
    let tally = Tally::of(outcomes, done, during, after);
    let line = tally.line(phase, target);
    println!("{line}");
    assert!(tally.sent > 0, "{line}: no requests");
    assert_eq!(tally.errors, 0, "{line}\n{}", tally.examples.join("\n"));
    line
}
