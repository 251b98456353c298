//! Where the TXT records of a challenge go: `_acme-challenge.NAME` itself,
//! or, when it is a CNAME (delegating the challenge to another zone, often
//! one with an API or a key of its own), the end of its CNAME chain, as the
//! CA follows it when it validates. And the resolver the API providers ask:
//! the system's, from `/etc/resolv.conf`.

use super::client::Client;
use super::error::DnsError;
use super::propagation::authoritative_servers;
use super::providers::Resolver;
use super::zone::{self, Found, cname_of};
use hickory_proto::rr::{Name, RecordType};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

/// More CNAMEs in a row than this is a misconfiguration (or a loop).
pub const MAX_HOPS: usize = 8;

/// The name the records go to, and the zone the DNS puts it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: Name,
    pub zone: Name,
}

/// Follow CNAMEs from `name`. Each step is decided by the zone's
/// authoritative servers: dns-rfc2136's server is one; through a recursive
/// resolver, the zone's NS servers are asked directly (a resolver's cache
/// may be older than the zone).
pub async fn follow(resolver: &Resolver, name: &Name) -> Result<Target, DnsError> {
    let client = &resolver.client;
    let mut chain = vec![name.clone()];
    let mut current = name.clone();
    loop {
        let next = match zone::find_zone(client, &current).await? {
            Found::Cname(target) => target,
            Found::Zone(zone) => {
                if !client.recursive {
                    return Ok(Target {
                        name: current,
                        zone,
                    });
                }
                let servers = authoritative_servers(client, &zone).await;
                match cname_at(client, &servers, &current).await {
                    Some(target) => target,
                    None => {
                        return Ok(Target {
                            name: current,
                            zone,
                        });
                    }
                }
            }
        };
        let looped = chain.contains(&next);
        chain.push(next.clone());
        if looped || chain.len() > MAX_HOPS + 1 {
            return Err(DnsError::CnameChain {
                name: name.to_ascii(),
                hops: MAX_HOPS,
                chain: chain
                    .iter()
                    .map(Name::to_ascii)
                    .collect::<Vec<_>>()
                    .join(" -> "),
            });
        }
        current = next;
    }
}

/// The CNAME target at `name` according to the first of `servers` that
/// answers with authority.
async fn cname_at(client: &Client, servers: &[SocketAddr], name: &Name) -> Option<Name> {
    for server in servers {
        let Ok(answer) = client.query(Some(*server), name, RecordType::CNAME).await else {
            continue;
        };
        if answer.metadata.authoritative {
            return cname_of(&answer, name);
        }
    }
    None
}

/// The system's resolver: the first `nameserver` of `/etc/resolv.conf`
/// (inside `ip netns exec`, the namespace's own file), else 127.0.0.1, as
/// the C library does.
pub fn system_resolver() -> Client {
    let text = std::fs::read_to_string(Path::new("/etc/resolv.conf")).unwrap_or_default();
    let ip = first_nameserver(&text).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    Client {
        server: SocketAddr::new(ip, 53),
        key: None,
        sign_queries: false,
        recursive: true,
        timeout: Duration::from_secs(5),
    }
}

fn first_nameserver(text: &str) -> Option<IpAddr> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            return None;
        }
        // A link-local IPv6 address may carry its interface (`fe80::1%eth0`).
        let address = words.next()?.split('%').next()?;
        address.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_usable_nameserver_line_counts() {
        let text = "# generated\nsearch example.com\nnameserver bogus\n\
                    nameserver 192.0.2.53\nnameserver 192.0.2.54\n";
        assert_eq!(first_nameserver(text), Some("192.0.2.53".parse().unwrap()));
        assert_eq!(
            first_nameserver("nameserver fe80::1%eth0\n"),
            Some("fe80::1".parse().unwrap())
        );
        assert_eq!(first_nameserver("options ndots:2\n"), None);
    }
}
