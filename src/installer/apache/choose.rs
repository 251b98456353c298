//! Which virtual host serves a name.
//!
//! A vhost matches a name by `ServerName`/`ServerAlias` (exactly, else through a wildcard
//! alias such as `*.example.com`), else by its address (`<VirtualHost 192.0.2.1:80>` for
//! `-d 192.0.2.1`). Vhosts inside conditional sections Apache skips are never candidates;
//! Debian sites that are not enabled are, ranked below enabled ones (installing into one
//! enables it). For installing, a vhost already on TLS is preferred; for the redirect and
//! the http-01 challenge only plain-http vhosts on the http port count.
//!
//! Several equally good candidates on the same addresses are no ambiguity: Apache answers
//! with the first one it read, and so does certsmith. Candidates on different addresses
//! are: the caller lists them and asks, or fails. When no vhost names the name and exactly
//! one ordinary vhost of the right kind exists, it is the one (as on a fresh Debian
//! install, whose single `000-default.conf` has no `ServerName`).

use super::glob::fnmatch;
use super::loaded::Loaded;
use super::vhost::VirtualHost;

/// What the vhost is chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Install a certificate: any vhost, TLS ones first.
    Install,
    /// Redirect or answer http-01: plain-http vhosts on this port.
    Http(u16),
}

/// How a candidate matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The only ordinary vhost of its kind (no name matched).
    Fallback = 0,
    Address = 1,
    Wildcard = 2,
    Exact = 3,
}

/// The outcome for one name.
#[derive(Debug, Clone)]
pub enum Choice {
    One(VirtualHost, Match),
    /// Equally good candidates on different addresses.
    Ambiguous(Vec<VirtualHost>),
    None,
}

/// Does `vhost` serve `name`, and how well?
pub fn match_name(vhost: &VirtualHost, name: &str) -> Option<Match> {
    let name = name.to_ascii_lowercase();
    let names = vhost.names();
    if names.contains(&name) {
        return Some(Match::Exact);
    }
    if names
        .iter()
        .any(|n| (n.contains('*') || n.contains('?')) && fnmatch(n.as_bytes(), name.as_bytes()))
    {
        return Some(Match::Wildcard);
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if vhost
        .addresses
        .iter()
        .any(|a| a.host.trim_start_matches('[').trim_end_matches(']') == bare)
    {
        return Some(Match::Address);
    }
    None
}

/// A vhost Apache may use: read, or a Debian site that is not enabled; not in an
/// inactive conditional section.
fn usable(v: &VirtualHost) -> bool {
    v.active || !v.enabled
}

fn fits(v: &VirtualHost, purpose: Purpose) -> bool {
    match purpose {
        Purpose::Install => true,
        Purpose::Http(port) => !v.ssl && listens_on(v, port),
    }
}

/// Every address of the vhost is on `port` (or on any port).
pub fn listens_on(v: &VirtualHost, port: u16) -> bool {
    v.addresses.iter().any(|a| match a.port.as_deref() {
        None | Some("*") => true,
        Some(_) => a.port_number() == Some(port),
    })
}

/// Choose the vhost for `name` among `vhosts` (in the order Apache reads them).
pub fn choose(vhosts: &[VirtualHost], name: &str, purpose: Purpose) -> Choice {
    let mut best: Vec<(&VirtualHost, Match)> = Vec::new();
    for v in vhosts.iter().filter(|v| usable(v) && fits(v, purpose)) {
        let Some(m) = match_name(v, name) else {
            continue;
        };
        match best.first().map(|(b, bm)| compare(v, m, b, *bm, purpose)) {
            None | Some(std::cmp::Ordering::Equal) => best.push((v, m)),
            Some(std::cmp::Ordering::Greater) => best = vec![(v, m)],
            Some(std::cmp::Ordering::Less) => {}
        }
    }
    if best.is_empty() {
        return fallback(vhosts, purpose);
    }
    let (first, m) = best[0];
    if best.iter().all(|(v, _)| v.addresses == first.addresses) {
        Choice::One(first.clone(), m)
    } else {
        Choice::Ambiguous(best.into_iter().map(|(v, _)| v.clone()).collect())
    }
}

/// Order candidates: better match, then (installing) TLS, then enabled, then on the
/// standard port.
fn compare(
    a: &VirtualHost,
    am: Match,
    b: &VirtualHost,
    bm: Match,
    purpose: Purpose,
) -> std::cmp::Ordering {
    let key = |v: &VirtualHost, m: Match| {
        let tls = purpose == Purpose::Install && v.ssl;
        let standard = match purpose {
            Purpose::Install => listens_on(v, if v.ssl { 443 } else { 80 }),
            Purpose::Http(port) => v.addresses.iter().any(|a| a.port_number() == Some(port)),
        };
        (m, tls, v.active, standard)
    };
    key(a, am).cmp(&key(b, bm))
}

/// No vhost names the name: the single ordinary (not `_default_`-only) active vhost of
/// the right kind, if there is exactly one.
fn fallback(vhosts: &[VirtualHost], purpose: Purpose) -> Choice {
    let ordinary: Vec<&VirtualHost> = vhosts
        .iter()
        .filter(|v| v.active && fits(v, purpose))
        .filter(|v| !v.addresses.iter().all(|a| a.host == "_default_"))
        .collect();
    match ordinary.as_slice() {
        [one] => Choice::One((*one).clone(), Match::Fallback),
        _ => Choice::None,
    }
}

/// `Use MACRO ... name ...` directives Apache applies that mention `name`: a vhost made
/// by mod_macro, which certsmith does not edit. (`FILE:LINE`, the directive's words.)
pub fn macro_uses(loaded: &Loaded, name: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, f) in loaded.files().iter().enumerate() {
        if !f.enabled {
            continue;
        }
        for (path, node) in f.tree.walk() {
            if !node.is_named("Use") {
                continue;
            }
            let id = super::NodeId { file, path };
            let args = loaded.arg_values(&id);
            let mentions = args
                .iter()
                .skip(1)
                .any(|a| String::from_utf8_lossy(a).eq_ignore_ascii_case(name));
            if mentions && loaded.is_active(&id) {
                let words: Vec<String> = args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                out.push((loaded.location(&id), format!("Use {}", words.join(" "))));
            }
        }
    }
    out
}

/// One line per candidate, for messages and prompts.
pub fn describe(v: &VirtualHost) -> String {
    let addresses: Vec<String> = v.addresses.iter().map(|a| a.to_string()).collect();
    let names = v.names();
    format!(
        "{}:{} <VirtualHost {}>{}{}{}",
        v.file.display(),
        v.line,
        addresses.join(" "),
        if names.is_empty() {
            String::new()
        } else {
            format!(" {}", names.join(" "))
        },
        if v.ssl { " (TLS)" } else { "" },
        if v.enabled { "" } else { " (site not enabled)" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::installer::apache::{Address, NodeId};

    fn vhost(addr: &str, name: Option<&str>, aliases: &[&str], ssl: bool) -> VirtualHost {
        VirtualHost {
            node: NodeId {
                file: 0,
                path: vec![0],
            },
            file: "/x.conf".into(),
            line: 1,
            addresses: addr.split(' ').map(Address::parse).collect(),
            server_name: name.map(str::to_string),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ssl,
            document_root: None,
            enabled: true,
            active: true,
        }
    }

    fn chosen(c: Choice) -> Option<(String, Match)> {
        match c {
            Choice::One(v, m) => Some((v.addresses[0].to_string(), m)),
            _ => None,
        }
    }

    #[test]
    fn exact_beats_wildcard_and_tls_wins_for_installing() {
        let vhosts = vec![
            vhost("*:80", Some("other.org"), &["*.example.com"], false),
            vhost("*:80", Some("www.example.com"), &[], false),
            vhost("*:443", Some("www.example.com"), &[], true),
        ];
        assert_eq!(
            chosen(choose(&vhosts, "www.example.com", Purpose::Install)),
            Some(("*:443".into(), Match::Exact))
        );
        let http = choose(&vhosts, "WWW.example.com", Purpose::Http(80));
        assert!(
            matches!(http, Choice::One(ref v, Match::Exact) if v.name().as_deref() == Some("www.example.com"))
        );
        let wild = choose(&vhosts, "a.example.com", Purpose::Http(80));
        assert!(
            matches!(wild, Choice::One(ref v, Match::Wildcard) if v.name().as_deref() == Some("other.org"))
        );
    }

    #[test]
    fn same_addresses_take_the_first_different_ones_are_ambiguous() {
        let mut second = vhost("*:80", Some("a.com"), &[], false);
        second.line = 9;
        let vhosts = vec![vhost("*:80", Some("a.com"), &[], false), second];
        assert!(
            matches!(choose(&vhosts, "a.com", Purpose::Http(80)), Choice::One(ref v, _) if v.line == 1)
        );
        let vhosts = vec![
            vhost("*:80", Some("a.com"), &[], false),
            vhost("*:8080", Some("a.com"), &[], false),
        ];
        // On the http port the port-80 vhost is better; for installing both are plain.
        assert!(matches!(
            choose(&vhosts, "a.com", Purpose::Http(80)),
            Choice::One(..)
        ));
        let vhosts = vec![
            vhost("192.0.2.1:80", Some("a.com"), &[], false),
            vhost("192.0.2.2:80", Some("a.com"), &[], false),
        ];
        assert!(matches!(
            choose(&vhosts, "a.com", Purpose::Install),
            Choice::Ambiguous(ref c) if c.len() == 2
        ));
    }

    #[test]
    fn inactive_vhosts_are_never_chosen_and_the_single_ordinary_one_is_the_fallback() {
        let mut inactive = vhost("*:80", Some("a.com"), &[], false);
        inactive.active = false; // enabled file, inactive <IfModule>
        let default = vhost("*:80", None, &[], false);
        let vhosts = vec![inactive.clone(), default];
        assert_eq!(
            chosen(choose(&vhosts, "a.com", Purpose::Install)),
            Some(("*:80".into(), Match::Fallback))
        );
        let vhosts = vec![inactive, vhost("_default_:443", None, &[], true)];
        assert!(matches!(
            choose(&vhosts, "a.com", Purpose::Install),
            Choice::None
        ));
    }

    #[test]
    fn addresses_match_ip_names() {
        let vhosts = [vhost("[2001:db8::1]:80", None, &[], false)];
        assert!(matches!(
            match_name(&vhosts[0], "2001:db8::1"),
            Some(Match::Address)
        ));
    }
}
