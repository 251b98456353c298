//! The TCP connector under the ACME client: straight to the CA, or through
//! the HTTP proxy the environment names for it ([`super::proxy`]).
//!
//! `https://` URLs go through a CONNECT tunnel (hyper-util's [`Tunnel`]), so
//! TLS stays end to end with the CA. `http://` URLs are sent to the proxy
//! itself in absolute form, as requests (urllib3) does; the transport adds
//! `Proxy-Authorization` to those requests ([`forwarding_auth`]).

use super::proxy::{ProxyEnv, ProxyUrl};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a connection through a proxy failed. Each names the proxy as
/// `http://host:port (VARIABLE)`, never with its credentials.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot connect to the proxy {proxy}")]
    Unreachable {
        proxy: String,
        #[source]
        source: BoxError,
    },
    #[error(
        "the proxy {proxy} wants credentials to CONNECT to {target} (407); give them in the proxy URL: http://USER:PASSWORD@HOST:PORT"
    )]
    AuthRequired { proxy: String, target: String },
    #[error("the proxy {proxy} did not accept the credentials in its URL (407)")]
    AuthRejected { proxy: String },
    #[error("the proxy {proxy} refused to CONNECT to {target}")]
    Refused { proxy: String, target: String },
    #[error("the proxy {proxy} broke off the CONNECT to {target}")]
    Broken {
        proxy: String,
        target: String,
        #[source]
        source: BoxError,
    },
    #[error(transparent)]
    Config(#[from] super::proxy::ProxyUrlError),
}

impl ProxyError {
    /// Classify a failed CONNECT (the TCP connection to the proxy is made
    /// before, so it is not one of these). hyper-util 0.1 does not export
    /// its `TunnelError`, so its message is the only handle; an unknown
    /// message is kept as the cause.
    fn from_tunnel(e: BoxError, proxy: &ProxyUrl, target: String) -> ProxyError {
        let name = proxy.to_string();
        match e.to_string().as_str() {
            "tunnel error: proxy authorization required" if proxy.auth().is_some() => {
                ProxyError::AuthRejected { proxy: name }
            }
            "tunnel error: proxy authorization required" => ProxyError::AuthRequired {
                proxy: name,
                target,
            },
            "tunnel error: unsuccessful" => ProxyError::Refused {
                proxy: name,
                target,
            },
            _ => ProxyError::Broken {
                proxy: name,
                target,
                source: e,
            },
        }
    }
}

/// Connects to the CA, through a proxy when the environment says so.
#[derive(Clone)]
pub struct ProxyConnector {
    tcp: HttpConnector,
    proxies: Arc<ProxyEnv>,
}

impl ProxyConnector {
    pub fn new(tcp: HttpConnector, proxies: Arc<ProxyEnv>) -> ProxyConnector {
        ProxyConnector { tcp, proxies }
    }
}

/// `Proxy-Authorization` for a request forwarded (not tunnelled) to a proxy:
/// an `http://` URL whose proxy has credentials.
pub fn forwarding_auth(proxies: &ProxyEnv, uri: &http::Uri) -> Option<http::HeaderValue> {
    if uri.scheme() != Some(&http::uri::Scheme::HTTP) {
        return None;
    }
    match proxies.select(uri)? {
        Ok(proxy) => proxy.auth().cloned(),
        Err(_) => None,
    }
}

/// `host:port` of a CONNECT target, for messages.
fn target(dst: &http::Uri) -> String {
    let host = dst.host().unwrap_or_default();
    format!("{host}:{}", dst.port_u16().unwrap_or(443))
}

/// The TCP connection to the proxy, as a typed error when it fails.
async fn reach(mut tcp: HttpConnector, proxy: &ProxyUrl) -> Result<TokioIo<TcpStream>, ProxyError> {
    tcp.call(proxy.uri())
        .await
        .map_err(|e| ProxyError::Unreachable {
            proxy: proxy.to_string(),
            source: e.into(),
        })
}

async fn tunnel(tcp: HttpConnector, proxy: ProxyUrl, dst: http::Uri) -> Result<Conn, BoxError> {
    let stream = reach(tcp, &proxy).await?;
    let mut tunnel = Tunnel::new(proxy.uri(), Connected1(Some(stream)));
    if let Some(auth) = proxy.auth() {
        tunnel = tunnel.with_auth(auth.clone());
    }
    let target = target(&dst);
    match tunnel.call(dst).await {
        Ok(io) => Ok(Conn::new(io, false)),
        Err(e) => Err(ProxyError::from_tunnel(e.into(), &proxy, target).into()),
    }
}

async fn forward(tcp: HttpConnector, proxy: ProxyUrl) -> Result<Conn, BoxError> {
    Ok(Conn::new(reach(tcp, &proxy).await?, true))
}

/// A "connector" handing [`Tunnel`] the connection already made to the
/// proxy, so that failing to reach the proxy stays a typed error.
struct Connected1(Option<TokioIo<TcpStream>>);

impl Service<http::Uri> for Connected1 {
    type Response = TokioIo<TcpStream>;
    type Error = io::Error;
    type Future = std::future::Ready<io::Result<TokioIo<TcpStream>>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Uri) -> Self::Future {
        std::future::ready(
            self.0
                .take()
                .ok_or_else(|| io::Error::other("proxy connection already used")),
        )
    }
}

type Connecting = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

impl Service<http::Uri> for ProxyConnector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Connecting {
        let mut tcp = self.tcp.clone();
        let https = dst.scheme() == Some(&http::uri::Scheme::HTTPS);
        match self.proxies.select(&dst).cloned() {
            None => Box::pin(async move {
                let io = tcp.call(dst).await?;
                Ok(Conn::new(io, false))
            }),
            Some(Err(e)) => Box::pin(async move { Err(ProxyError::Config(e).into()) }),
            Some(Ok(proxy)) if https => Box::pin(tunnel(tcp, proxy, dst)),
            Some(Ok(proxy)) => Box::pin(forward(tcp, proxy)),
        }
    }
}

/// A TCP connection, to the CA or to a proxy; `forwarding` makes hyper
/// write absolute-form request targets, as a forwarding proxy needs.
pub struct Conn {
    io: TokioIo<TcpStream>,
    forwarding: bool,
}

impl Conn {
    fn new(io: TokioIo<TcpStream>, forwarding: bool) -> Conn {
        Conn { io, forwarding }
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarding)
    }
}

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
#[path = "connect_tests.rs"]
mod tests;
