//! Waiting until the CA can see the records: instead of a fixed sleep, ask
//! every authoritative server of the zone (its NS set, plus dns-rfc2136's
//! configured server) until each one serves every value just added.

use super::client::Client;
use super::update::TxtSet;
use crate::log::progress::{Verdict, Wait};
use hickory_proto::rr::{Name, RData, RecordType};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Give up waiting after this long (the CA is asked to validate anyway).
pub const POLL_TIMEOUT: Duration = Duration::from_secs(120);

/// The servers to watch for `zone`: the addresses of the zone's NS names
/// (looked up at the client's server, else through the system resolver) on
/// port 53, and an authoritative client's server itself (dns-rfc2136's
/// configured one): an NS address equal to its address is that server, on
/// its configured port. A recursive resolver is not one of them.
pub async fn authoritative_servers(client: &Client, zone: &Name) -> Vec<SocketAddr> {
    let mut out = if client.recursive {
        Vec::new()
    } else {
        vec![client.server]
    };
    let Ok(answer) = client.query(None, zone, RecordType::NS).await else {
        return out;
    };
    let hosts: Vec<Name> = answer
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::NS(ns) => Some(ns.0.clone()),
            _ => None,
        })
        .collect();
    for host in hosts {
        for ip in addresses(client, &host).await {
            let addr = if ip == client.server.ip() && !client.recursive {
                client.server
            } else {
                SocketAddr::new(ip, 53)
            };
            if !out.contains(&addr) {
                out.push(addr);
            }
        }
    }
    out
}

async fn addresses(client: &Client, host: &Name) -> Vec<IpAddr> {
    let mut ips = Vec::new();
    for rtype in [RecordType::A, RecordType::AAAA] {
        if let Ok(answer) = client.query(None, host, rtype).await {
            ips.extend(answer.answers.iter().filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            }));
        }
    }
    if ips.is_empty() {
        let lookup =
            tokio::net::lookup_host((host.to_ascii().trim_end_matches('.').to_string(), 53));
        if let Ok(Ok(found)) = tokio::time::timeout(client.timeout, lookup).await {
            ips.extend(found.map(|a| a.ip()));
        }
    }
    ips
}

/// Servers that had not shown every record when the time ran out.
#[derive(Debug)]
pub struct NotVisible(pub Vec<String>);

/// Poll until every server serves every value of every set. Each server
/// and set is asked again only until it has been seen complete once; each
/// server's verdict is said on `wait` as it comes.
pub async fn wait_visible(
    client: &Client,
    servers: &[SocketAddr],
    sets: &[TxtSet],
    timeout: Duration,
    wait: &Wait,
) -> Result<(), NotVisible> {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<(SocketAddr, &TxtSet)> = servers
        .iter()
        .flat_map(|s| sets.iter().map(move |set| (*s, set)))
        .collect();
    let mut waiting = servers.to_vec();
    let mut pause = Duration::from_millis(50);
    loop {
        let mut still = Vec::new();
        for (server, set) in pending {
            if !serves_all(client, server, set).await {
                still.push((server, set));
            }
        }
        waiting = report_visible(wait, waiting, &still);
        pending = still;
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() + pause > deadline {
            let mut names: Vec<String> = pending
                .iter()
                .map(|(s, set)| format!("{s} ({})", set.name.to_ascii()))
                .collect();
            names.dedup();
            for server in &waiting {
                wait.report(
                    &server.to_string(),
                    Verdict::Failed,
                    "TXT records not visible",
                );
            }
            return Err(NotVisible(names));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

/// Report the servers of `waiting` that `still` no longer names (they serve
/// everything now), and leave the others on the status line; returns those.
fn report_visible(
    wait: &Wait,
    waiting: Vec<SocketAddr>,
    still: &[(SocketAddr, &TxtSet)],
) -> Vec<SocketAddr> {
    let (left, visible): (Vec<SocketAddr>, Vec<SocketAddr>) = waiting
        .into_iter()
        .partition(|s| still.iter().any(|(p, _)| p == s));
    if !left.is_empty() {
        let names: Vec<String> = left.iter().map(ToString::to_string).collect();
        wait.set(names.join(", "), VISIBLE);
    }
    for server in visible {
        wait.report(&server.to_string(), Verdict::Done, "TXT records visible");
    }
    left
}

/// What the status line says while the records are awaited.
pub const VISIBLE: &str = "waiting for the TXT records to appear";

async fn serves_all(client: &Client, server: SocketAddr, set: &TxtSet) -> bool {
    let Ok(answer) = client.query(Some(server), &set.name, RecordType::TXT).await else {
        return false;
    };
    let present: Vec<Vec<u8>> = answer
        .answers
        .iter()
        .filter(|r| r.name == set.name)
        .filter_map(|r| match &r.data {
            RData::TXT(t) => Some(t.txt_data.iter().flat_map(|s| s.iter().copied()).collect()),
            _ => None,
        })
        .collect();
    set.values
        .iter()
        .all(|v| present.iter().any(|p| p.as_slice() == v.as_bytes()))
}
