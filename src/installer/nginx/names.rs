//! `server_name` entries and nginx's choice of server block for a Host.
//!
//! nginx picks, among the servers listening on the address a request came
//! in on: an exact name; else the longest leading wildcard (`*.example.com`,
//! `.example.com`); else the longest trailing wildcard (`www.example.*`);
//! else the first regex (`~...`) that matches, in configuration order; else
//! the default server of that address. Names are compared in lower case.
//!
//! Regexes are matched with the `regex` crate, where nginx uses PCRE. The
//! differences that matter here: no look-around and no back-references
//! (such a regex is reported as unsupported and never matches), and `\d`,
//! `\w` are Unicode-aware (PCRE's are ASCII-only; host names are ASCII).
//! As nginx does, a regex is case-insensitive when it contains an upper-case
//! letter (hosts are lower-cased before matching).

use regex::{Regex, RegexBuilder};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerName {
    /// `example.com`, `_`, `localhost` (lower-cased).
    Exact(String),
    /// `.example.com`: both `example.com` and `*.example.com` (stored without the dot).
    Dot(String),
    /// `*.example.com` (stored as `.example.com`).
    LeadingWildcard(String),
    /// `www.example.*` (stored as `www.example.`).
    TrailingWildcard(String),
    /// `~^www\d+\.example\.com$` (stored without `~`).
    Regex(String),
    /// `""`: requests without a Host header.
    Empty,
    /// A `*` anywhere else: nginx refuses these.
    Invalid(String),
}

impl ServerName {
    pub fn parse(value: &str) -> ServerName {
        if let Some(re) = value.strip_prefix('~') {
            return ServerName::Regex(re.to_string());
        }
        let v = value.to_ascii_lowercase();
        let stars = v.matches('*').count();
        if v.is_empty() {
            ServerName::Empty
        } else if stars == 0 {
            match v.strip_prefix('.') {
                Some(rest) if !rest.is_empty() => ServerName::Dot(rest.to_string()),
                _ => ServerName::Exact(v),
            }
        } else if stars == 1 && v.starts_with("*.") && v.len() > 2 {
            ServerName::LeadingWildcard(v[1..].to_string())
        } else if stars == 1 && v.ends_with(".*") && v.len() > 2 {
            ServerName::TrailingWildcard(v[..v.len() - 1].to_string())
        } else {
            ServerName::Invalid(value.to_string())
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    Exact,
    LeadingWildcard,
    TrailingWildcard,
    Regex,
}

/// Which server answers a Host, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostMatch {
    /// Index of the server in the list given to [`HostMatcher::new`].
    pub server: usize,
    pub kind: MatchKind,
}

/// Servers' names prepared for matching (regexes compiled once).
pub struct HostMatcher {
    servers: Vec<Vec<ServerName>>,
    regexes: Vec<(usize, Regex)>,
    /// Regexes the `regex` crate cannot run (PCRE-only features), as written.
    pub unsupported: Vec<(usize, String)>,
}

impl HostMatcher {
    pub fn new(servers: Vec<Vec<ServerName>>) -> HostMatcher {
        let mut regexes = Vec::new();
        let mut unsupported = Vec::new();
        for (i, names) in servers.iter().enumerate() {
            for n in names {
                let ServerName::Regex(re) = n else { continue };
                let caseless = re.bytes().any(|b| b.is_ascii_uppercase());
                match RegexBuilder::new(re).case_insensitive(caseless).build() {
                    Ok(r) => regexes.push((i, r)),
                    Err(_) => unsupported.push((i, re.clone())),
                }
            }
        }
        HostMatcher {
            servers,
            regexes,
            unsupported,
        }
    }

    /// The server nginx would pick for `host` by name (`None`: the default
    /// server of the address would answer).
    pub fn find(&self, host: &str) -> Option<HostMatch> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let exact = self.servers.iter().position(|names| {
            names
                .iter()
                .any(|n| matches!(n, ServerName::Exact(e) | ServerName::Dot(e) if *e == host))
        });
        if let Some(server) = exact {
            return Some(HostMatch {
                server,
                kind: MatchKind::Exact,
            });
        }
        let leading = self.longest(|n| match n {
            ServerName::LeadingWildcard(suffix)
                if host.len() > suffix.len() && host.ends_with(suffix.as_str()) =>
            {
                Some(suffix.len())
            }
            ServerName::Dot(base)
                if host.len() > base.len() + 1
                    && host.ends_with(base.as_str())
                    && host.as_bytes()[host.len() - base.len() - 1] == b'.' =>
            {
                Some(base.len() + 1)
            }
            _ => None,
        });
        if let Some(server) = leading {
            return Some(HostMatch {
                server,
                kind: MatchKind::LeadingWildcard,
            });
        }
        let trailing = self.longest(|n| match n {
            ServerName::TrailingWildcard(prefix)
                if host.len() > prefix.len() && host.starts_with(prefix.as_str()) =>
            {
                Some(prefix.len())
            }
            _ => None,
        });
        if let Some(server) = trailing {
            return Some(HostMatch {
                server,
                kind: MatchKind::TrailingWildcard,
            });
        }
        self.regexes
            .iter()
            .find(|(_, r)| r.is_match(&host))
            .map(|&(server, _)| HostMatch {
                server,
                kind: MatchKind::Regex,
            })
    }

    /// The first server with the longest match length `len_of` reports.
    fn longest(&self, len_of: impl Fn(&ServerName) -> Option<usize>) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (i, names) in self.servers.iter().enumerate() {
            for len in names.iter().filter_map(&len_of) {
                if best.is_none_or(|(_, l)| len > l) {
                    best = Some((i, len));
                }
            }
        }
        best.map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<ServerName> {
        list.iter().map(|n| ServerName::parse(n)).collect()
    }

    #[test]
    fn classifies() {
        assert_eq!(
            ServerName::parse("Example.COM"),
            ServerName::Exact("example.com".into())
        );
        assert_eq!(ServerName::parse(".a.com"), ServerName::Dot("a.com".into()));
        assert_eq!(
            ServerName::parse("*.a.com"),
            ServerName::LeadingWildcard(".a.com".into())
        );
        assert_eq!(
            ServerName::parse("www.a.*"),
            ServerName::TrailingWildcard("www.a.".into())
        );
        assert_eq!(
            ServerName::parse("~^(?<x>.+)\\.a$"),
            ServerName::Regex("^(?<x>.+)\\.a$".into())
        );
        assert_eq!(ServerName::parse(""), ServerName::Empty);
        assert_eq!(ServerName::parse("_"), ServerName::Exact("_".into()));
        assert!(matches!(
            ServerName::parse("www.*.com"),
            ServerName::Invalid(_)
        ));
    }

    #[test]
    fn nginx_order() {
        let m = HostMatcher::new(vec![
            names(&["~^www\\d+\\.a\\.com$"]),
            names(&["*.a.com"]),
            names(&["*.b.a.com"]),
            names(&["www.a.*"]),
            names(&["www.a.com"]),
            names(&[".c.org"]),
            names(&["~^(?=x)"]),
        ]);
        let f = |h: &str| m.find(h).map(|x| (x.server, x.kind));
        assert_eq!(f("www.a.com"), Some((4, MatchKind::Exact)));
        assert_eq!(f("WWW.A.COM."), Some((4, MatchKind::Exact)));
        assert_eq!(f("x.b.a.com"), Some((2, MatchKind::LeadingWildcard)));
        assert_eq!(f("www1.a.com"), Some((1, MatchKind::LeadingWildcard)));
        assert_eq!(f("www.a.net"), Some((3, MatchKind::TrailingWildcard)));
        assert_eq!(f("c.org"), Some((5, MatchKind::Exact)));
        assert_eq!(f("x.c.org"), Some((5, MatchKind::LeadingWildcard)));
        assert_eq!(f("www7.a.com.x"), None);
        assert_eq!(m.unsupported.len(), 1, "look-ahead is PCRE-only");
        let r = HostMatcher::new(vec![names(&["~^www\\d+\\.a\\.com$"])]);
        assert_eq!(
            r.find("www12.a.com").map(|x| x.kind),
            Some(MatchKind::Regex)
        );
    }
}
