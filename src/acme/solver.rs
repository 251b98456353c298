//! The interface between the ACME layer and whatever proves control of a
//! name: standalone servers, web roots, manual hooks, web-server installers,
//! DNS updaters.
//!
//! A solver sees all the challenges of one order at once, so an installer can
//! make one config change and one reload for every name, and a DNS solver can
//! add all TXT records before waiting once for propagation.

use std::fmt;

/// The challenge types certsmith can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeKind {
    Http01,
    Dns01,
    TlsAlpn01,
}

impl ChallengeKind {
    /// The name used on the wire and in `--preferred-challenges` (`http-01`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeKind::Http01 => "http-01",
            ChallengeKind::Dns01 => "dns-01",
            ChallengeKind::TlsAlpn01 => "tls-alpn-01",
        }
    }

    /// Parse a name as Certbot's `--preferred-challenges` accepts it:
    /// `http-01`, `http`, `dns-01`, `dns`, `tls-alpn-01`, `tls-alpn`.
    pub fn parse(text: &str) -> Option<ChallengeKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "http-01" | "http" => Some(ChallengeKind::Http01),
            "dns-01" | "dns" => Some(ChallengeKind::Dns01),
            "tls-alpn-01" | "tls-alpn" => Some(ChallengeKind::TlsAlpn01),
            _ => None,
        }
    }
}

impl fmt::Display for ChallengeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One challenge to answer, with every value a solver may need precomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The name (or IP address) being validated, without any `*.` prefix.
    pub identifier: String,
    /// True when the order asked for `*.identifier`.
    pub wildcard: bool,
    pub kind: ChallengeKind,
    /// The challenge token (the http-01 file name).
    pub token: String,
    /// `token.thumbprint`: the http-01 file content.
    pub key_authorization: String,
    /// base64url(SHA-256(key_authorization)): the dns-01 TXT value.
    pub dns_value: String,
    /// SHA-256(key_authorization): the tls-alpn-01 acmeIdentifier value.
    pub digest: [u8; 32],
}

impl Challenge {
    /// The name as it was ordered (`*.example.com` for a wildcard).
    pub fn ordered_name(&self) -> String {
        if self.wildcard {
            format!("*.{}", self.identifier)
        } else {
            self.identifier.clone()
        }
    }

    /// `/.well-known/acme-challenge/TOKEN`
    pub fn http_path(&self) -> String {
        format!("/.well-known/acme-challenge/{}", self.token)
    }

    /// `_acme-challenge.NAME` (for a wildcard, of the base name).
    pub fn dns_name(&self) -> String {
        format!("_acme-challenge.{}", self.identifier)
    }
}

/// One http-01 token, as a web server answers it: a request for
/// `http://NAME/.well-known/acme-challenge/TOKEN` gets the key authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpToken {
    pub name: String,
    pub token: String,
    pub key_authorization: String,
}

impl HttpToken {
    pub fn path(&self) -> String {
        format!("/.well-known/acme-challenge/{}", self.token)
    }
}

/// The tokens of an order for an authenticator that answers http-01 only;
/// any other challenge is an error naming `authenticator`.
pub fn http01_tokens(
    challenges: &[Challenge],
    authenticator: &str,
) -> Result<Vec<HttpToken>, SolveError> {
    challenges
        .iter()
        .map(|c| match c.kind {
            ChallengeKind::Http01 => Ok(HttpToken {
                name: c.identifier.clone(),
                token: c.token.clone(),
                key_authorization: c.key_authorization.clone(),
            }),
            _ => Err(SolveError::Message(format!(
                "the {authenticator} authenticator answers http-01 challenges only \
                 (wildcard names need a DNS authenticator)"
            ))),
        })
        .collect()
}

/// Why a solver could not present or clean up.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// A user-facing explanation (already says what and where).
    #[error("{0}")]
    Message(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The user interrupted (Ctrl-C or end of input at a prompt).
    #[error("interrupted")]
    Interrupted,
}

impl SolveError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> SolveError {
        SolveError::Io {
            context: context.into(),
            source,
        }
    }
}

/// Something that proves control of names for an order.
///
/// `present` gets every challenge the ACME layer chose for the order (one per
/// identifier, of a kind from `preferred`); `cleanup` gets the same slice and
/// is called on every path after `present` was called (success, validation
/// failure, error, Ctrl-C), even when `present` failed half-way, so it must
/// tolerate challenges that were never presented.
pub trait Solver {
    /// Short name for messages and the renewal conf (`standalone`, `webroot`).
    fn name(&self) -> &str;
    /// Challenge kinds this solver can answer, best first.
    fn preferred(&self) -> Vec<ChallengeKind>;
    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError>;
    fn cleanup(&mut self, challenges: &[Challenge]) -> Result<(), SolveError>;
}

/// Choose the challenge kind for one authorization: the first kind in the
/// user's preference (or the solver's order when none is given) that the
/// solver supports and the CA offers. Wildcards only ever get dns-01.
pub fn choose_kind(
    offered: &[ChallengeKind],
    solver: &[ChallengeKind],
    user: &[ChallengeKind],
    wildcard: bool,
) -> Option<ChallengeKind> {
    let order: Vec<ChallengeKind> = if user.is_empty() {
        solver.to_vec()
    } else {
        user.iter()
            .copied()
            .filter(|k| solver.contains(k))
            .collect()
    };
    order
        .into_iter()
        .filter(|k| !wildcard || *k == ChallengeKind::Dns01)
        .find(|k| offered.contains(k))
}

#[cfg(test)]
mod tests {
    use super::ChallengeKind::*;
    use super::*;

    #[test]
    fn user_preference_wins_among_supported() {
        let offered = [Http01, Dns01, TlsAlpn01];
        assert_eq!(
            choose_kind(&offered, &[Http01, TlsAlpn01], &[TlsAlpn01], false),
            Some(TlsAlpn01)
        );
        assert_eq!(
            choose_kind(&offered, &[Http01, TlsAlpn01], &[], false),
            Some(Http01)
        );
        assert_eq!(choose_kind(&offered, &[Http01], &[Dns01], false), None);
    }

    #[test]
    fn wildcards_need_dns() {
        let offered = [Dns01];
        assert_eq!(choose_kind(&offered, &[Http01], &[], true), None);
        assert_eq!(
            choose_kind(&offered, &[Http01, Dns01], &[], true),
            Some(Dns01)
        );
    }

    #[test]
    fn parse_names() {
        assert_eq!(ChallengeKind::parse("http"), Some(Http01));
        assert_eq!(ChallengeKind::parse(" DNS-01 "), Some(Dns01));
        assert_eq!(ChallengeKind::parse("tls-alpn-01"), Some(TlsAlpn01));
        assert_eq!(ChallengeKind::parse("ftp"), None);
    }
}
