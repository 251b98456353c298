//! One DNS exchange at a time with a server: queries over UDP (TCP when the
//! answer is truncated), updates over TCP, TSIG-signed when asked, answers
//! checked against the request (ID, signature). The server is either an
//! authoritative one (dns-rfc2136's configured server, with its key) or the
//! system's recursive resolver (`/etc/resolv.conf`, for the API providers).

use super::error::{DnsError, tsig_hint};
use super::tsig::{TsigKey, Verdict, error_name};
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How long one exchange may take.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server questions go to, and the key when there is one.
#[derive(Debug, Clone)]
pub struct Client {
    pub server: SocketAddr,
    /// dns-rfc2136's TSIG key (updates need it); `None` for a resolver.
    pub key: Option<TsigKey>,
    pub sign_queries: bool,
    /// `server` is a recursive resolver: questions to it ask for recursion,
    /// and its answers are not authoritative.
    pub recursive: bool,
    pub timeout: Duration,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `REFUSED`, `NXDOMAIN`... as the DNS calls them.
pub fn rcode_name(code: ResponseCode) -> String {
    format!("{code:?}").to_uppercase()
}

impl Client {
    /// Ask `server` (the configured one when `None`) for `name`/`rtype`
    /// without recursion; signed when the credentials say so and the server
    /// is the configured one.
    pub async fn query(
        &self,
        server: Option<SocketAddr>,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Message, DnsError> {
        let target = server.unwrap_or(self.server);
        let mut message = Message::query();
        message.metadata.recursion_desired = self.recursive && server.is_none();
        message.add_query(Query::query(name.clone(), rtype));
        let key = self
            .key
            .as_ref()
            .filter(|_| self.sign_queries && target == self.server);
        self.exchange(target, &message, key, false).await
    }

    /// Send a (signed) UPDATE to the configured server over TCP.
    pub async fn update(&self, message: &Message) -> Result<Message, DnsError> {
        let Some(key) = &self.key else {
            return Err(DnsError::Internal("an update needs a TSIG key".into()));
        };
        self.exchange(self.server, message, Some(key), true).await
    }

    async fn exchange(
        &self,
        server: SocketAddr,
        message: &Message,
        key: Option<&TsigKey>,
        tcp: bool,
    ) -> Result<Message, DnsError> {
        let id = message.metadata.id;
        let unsigned = message
            .to_vec()
            .map_err(|e| DnsError::Internal(format!("cannot encode a DNS message: {e}")))?;
        let (wire, request_mac) = match key {
            Some(k) => {
                let (signed, mac) = k.sign(&unsigned, id, now())?;
                (signed, Some(mac))
            }
            None => (unsigned, None),
        };
        let shown = server.to_string();
        let send = async {
            if tcp {
                return exchange_tcp(server, &wire).await;
            }
            let answer = exchange_udp(server, &wire, id).await?;
            if answer.get(2).is_some_and(|flags| flags & 0x02 != 0) {
                return exchange_tcp(server, &wire).await;
            }
            Ok(answer)
        };
        let raw = match tokio::time::timeout(self.timeout, send).await {
            Err(_) => {
                return Err(DnsError::Timeout {
                    server: shown,
                    seconds: self.timeout.as_secs(),
                });
            }
            Ok(Err(e)) => {
                return Err(DnsError::Unreachable {
                    server: shown,
                    reason: e.to_string(),
                });
            }
            Ok(Ok(raw)) => raw,
        };
        let answer = Message::from_vec(&raw).map_err(|e| DnsError::Malformed {
            server: shown.clone(),
            why: e.to_string(),
        })?;
        if answer.metadata.id != id || answer.metadata.message_type != MessageType::Response {
            return Err(DnsError::Malformed {
                server: shown,
                why: "the answer does not belong to the request".into(),
            });
        }
        if let (Some(key), Some(mac)) = (key, request_mac) {
            check_signature(key, &shown, &raw, &mac, &answer)?;
        }
        Ok(answer)
    }
}

/// A signed request needs a correctly signed answer; a TSIG error from the
/// server (sent unsigned, by the RFC) is reported as such.
fn check_signature(
    key: &TsigKey,
    server: &str,
    raw: &[u8],
    request_mac: &[u8],
    answer: &Message,
) -> Result<(), DnsError> {
    match key.verify(raw, request_mac, now()) {
        Verdict::Valid => Ok(()),
        Verdict::ServerError(code) => Err(DnsError::Tsig {
            server: server.to_string(),
            code: error_name(code),
            hint: tsig_hint(code, &key.name.to_ascii(), key.algorithm.name()),
        }),
        // A server that does not do TSIG (or rejects the request before
        // looking at it) answers unsigned: report its RCODE.
        Verdict::Unsigned if answer.metadata.response_code != ResponseCode::NoError => Ok(()),
        Verdict::Unsigned => Err(DnsError::BadAnswerSignature {
            server: server.to_string(),
            why: "the answer is not signed".into(),
        }),
        Verdict::Forged(why) => Err(DnsError::BadAnswerSignature {
            server: server.to_string(),
            why: why.into(),
        }),
    }
}

async fn exchange_udp(server: SocketAddr, wire: &[u8], id: u16) -> io::Result<Vec<u8>> {
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().map_err(io::Error::other)?
    } else {
        "[::]:0".parse().map_err(io::Error::other)?
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    socket.send(wire).await?;
    let mut buf = vec![0u8; 65_535];
    loop {
        let n = socket.recv(&mut buf).await?;
        // Stray datagrams (an earlier request's late answer) are skipped.
        if n >= 12 && u16::from_be_bytes([buf[0], buf[1]]) == id {
            buf.truncate(n);
            return Ok(buf);
        }
    }
}

async fn exchange_tcp(server: SocketAddr, wire: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(server).await?;
    let len = u16::try_from(wire.len()).map_err(io::Error::other)?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(wire);
    stream.write_all(&framed).await?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await?;
    let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut answer).await?;
    Ok(answer)
}

/// An UPDATE message for `zone` (its ID random, as for queries).
pub fn update_message(zone: &Name) -> Message {
    let mut message = Message::query();
    message.metadata.op_code = OpCode::Update;
    message.metadata.recursion_desired = false;
    let mut q = Query::new();
    q.set_name(zone.clone()).set_query_type(RecordType::SOA);
    message.add_query(q);
    message
}
