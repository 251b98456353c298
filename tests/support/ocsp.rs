//! OCSP for tests: a throwaway CA made with `openssl`, certificates whose
//! Authority Information Access names a loopback responder, lineages made
//! of them, and the responder itself: OpenSSL's (`openssl ocsp -index ...
//! -rsigner ... -rkey ... -CA ...`) answering every request.
//!
//! OpenSSL 3.0's `openssl ocsp -port` takes a bare port number and listens
//! on every address; these tests listen on 127.0.0.1 only. So the HTTP
//! side is a small loopback server here, and each request it receives is
//! answered by `openssl ocsp` in responder mode (`-reqin`/`-respout`, the
//! same index and signer options): OpenSSL still decides and signs every
//! answer.
//!
//! ```ignore
//! let ca = TestCa::new(dir);                        // root: ca.pem, ca.key
//! let responder = Responder::start(&ca.dir, Signer::ca(&ca.dir)); // http://127.0.0.1:PORT/
//! let leaf = ca.issue("a.example", &responder.url());
//! ca.record(&leaf, true);                           // an R line in index.txt
//! place_lineage(&config, "a.example", &leaf.cert, &ca.cert_pem(), &leaf.key, server);
//! ```

use super::unique;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

#[track_caller]
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A root CA in `dir` (ca.pem, ca.key) with an empty index.txt.
pub struct TestCa {
    pub dir: PathBuf,
}

/// An end-entity certificate: PEM texts and the serial as OpenSSL's index
/// writes it (upper-case hex).
pub struct Leaf {
    pub cert: String,
    pub key: String,
    pub serial: String,
    pub name: String,
}

const EC: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

impl TestCa {
    pub fn new(dir: &Path) -> TestCa {
        std::fs::create_dir_all(dir).unwrap();
        let mut args = vec![
            "req", "-x509", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        ];
        args.extend(EC);
        args.extend([
            "-subj",
            "/CN=certsmith OCSP test root",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        ]);
        openssl(dir, &args);
        std::fs::write(dir.join("index.txt"), "").unwrap();
        TestCa {
            dir: dir.to_path_buf(),
        }
    }

    pub fn cert_pem(&self) -> String {
        std::fs::read_to_string(self.dir.join("ca.pem")).unwrap()
    }

    /// A certificate signed by this CA, valid 30 days, with `extensions`
    /// (openssl extfile lines).
    fn sign(&self, stem: &str, subject: &str, extensions: &str) -> (String, String, String) {
        // Positive, 8 bytes, no leading zero byte; unique per test process.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos() as u64;
        let mixed = (nanos << 24) | ((std::process::id() as u64 & 0xffff) << 8) | unique() as u64;
        let serial = format!(
            "{:016X}",
            0x4000_0000_0000_0000 | (mixed & 0x3fff_ffff_ffff_ffff)
        );
        std::fs::write(self.dir.join(format!("{stem}.ext")), extensions).unwrap();
        let (key, csr, cert) = (
            format!("{stem}.key"),
            format!("{stem}.csr"),
            format!("{stem}.pem"),
        );
        let mut args = vec![
            "req", "-new", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
        ];
        args.extend([subject]);
        args.extend(EC);
        openssl(&self.dir, &args);
        let serial_arg = format!("0x{serial}");
        let ext = format!("{stem}.ext");
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                &serial_arg,
                "-days",
                "30",
                "-extfile",
                &ext,
                "-out",
                &cert,
            ],
        );
        let read = |f: &str| std::fs::read_to_string(self.dir.join(f)).unwrap();
        (read(&cert), read(&key), serial)
    }

    /// A server certificate for `name` whose AIA names `ocsp_url`.
    pub fn issue(&self, name: &str, ocsp_url: &str) -> Leaf {
        let ext = format!(
            "subjectAltName=DNS:{name}\nauthorityInfoAccess=OCSP;URI:{ocsp_url}\n\
             basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        );
        let (cert, key, serial) = self.sign(name, &format!("/CN={name}"), &ext);
        Leaf {
            cert,
            key,
            serial,
            name: name.to_string(),
        }
    }

    /// A delegated responder certificate (id-kp-OCSPSigning), as files
    /// `responder.pem`, `responder.key` in the CA's directory.
    pub fn delegate(&self) {
        let ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=OCSPSigning\n";
        self.sign("responder", "/CN=certsmith OCSP test responder", ext);
    }

    /// An index.txt line: `V` (valid) or `R` (revoked yesterday).
    pub fn record(&self, leaf: &Leaf, revoked: bool) {
        record(&self.dir, &leaf.serial, &leaf.name, revoked);
    }
}

/// Add a line to `dir/index.txt` (OpenSSL's CA database) for `serial`.
pub fn record(dir: &Path, serial: &str, name: &str, revoked: bool) {
    let line = if revoked {
        format!("R\t491231000000Z\t260101000000Z,keyCompromise\t{serial}\tunknown\t/CN={name}\n")
    } else {
        format!("V\t491231000000Z\t\t{serial}\tunknown\t/CN={name}\n")
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join("index.txt"))
        .unwrap();
    file.write_all(line.as_bytes()).unwrap();
}

/// Who signs the responses: a certificate and its key (PEM files).
pub struct Signer {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Signer {
    /// The CA in `dir` itself (ca.pem, ca.key).
    pub fn ca(dir: &Path) -> Signer {
        Signer {
            cert: dir.join("ca.pem"),
            key: dir.join("ca.key"),
        }
    }
    /// The delegated responder [`TestCa::delegate`] made in `dir`.
    pub fn delegate(dir: &Path) -> Signer {
        Signer {
            cert: dir.join("responder.pem"),
            key: dir.join("responder.key"),
        }
    }
}

/// The loopback OCSP responder; stopped on drop.
pub struct Responder {
    pub port: u16,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Responder {
    /// Answer with `openssl ocsp -index dir/index.txt -CA dir/ca.pem` and
    /// `signer`'s files (read at each request, so they may come later).
    pub fn start(dir: &Path, signer: Signer) -> Responder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (requests, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (count, stopping, dir) = (requests.clone(), stop.clone(), dir.to_path_buf());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let n = count.fetch_add(1, Ordering::SeqCst);
                answer(stream, &dir, &signer, n);
            }
        });
        Responder {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Read one HTTP POST, have OpenSSL answer its body, send that back.
fn answer(stream: TcpStream, dir: &Path, signer: &Signer, n: usize) {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (request, response) = (format!("req-{n}.der"), format!("resp-{n}.der"));
    std::fs::write(dir.join(&request), &body).unwrap();
    let ok = Command::new("openssl")
        .args(["ocsp", "-index", "index.txt", "-CA", "ca.pem", "-rsigner"])
        .arg(&signer.cert)
        .arg("-rkey")
        .arg(&signer.key)
        .args(["-ndays", "1", "-reqin", &request, "-respout", &response])
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success());
    let mut stream = reader.into_inner();
    let reply = match std::fs::read(dir.join(&response)) {
        Ok(der) if ok => [
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                der.len()
            )
            .into_bytes(),
            der,
        ]
        .concat(),
        _ => {
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec()
        }
    };
    let _ = stream.write_all(&reply);
}

/// A lineage `name` under `config` in Certbot's layout (archive version 1,
/// relative live links, a renewal conf naming `server`).
pub fn place_lineage(config: &Path, name: &str, cert: &str, chain: &str, key: &str, server: &str) {
    let archive = config.join("archive").join(name);
    let live = config.join("live").join(name);
    for dir in [&archive, &live, &config.join("renewal")] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let fullchain = format!("{cert}{chain}");
    for (kind, text) in [
        ("cert", cert),
        ("chain", chain),
        ("fullchain", &fullchain),
        ("privkey", key),
    ] {
        std::fs::write(archive.join(format!("{kind}1.pem")), text).unwrap();
        std::os::unix::fs::symlink(
            format!("../../archive/{name}/{kind}1.pem"),
            live.join(format!("{kind}.pem")),
        )
        .unwrap();
    }
    let live_path = |kind: &str| live.join(format!("{kind}.pem")).display().to_string();
    let conf = format!(
        "version = 2.1.0\narchive_dir = {}\ncert = {}\nprivkey = {}\nchain = {}\nfullchain = {}\n\n\
         [renewalparams]\nauthenticator = standalone\nserver = {server}\n",
        archive.display(),
        live_path("cert"),
        live_path("privkey"),
        live_path("chain"),
        live_path("fullchain"),
    );
    std::fs::write(config.join("renewal").join(format!("{name}.conf")), conf).unwrap();
}
