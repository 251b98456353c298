//! The one dns-01 solver, around a [`Provider`]: for all challenges of an
//! order, find where each `_acme-challenge` name's records go (following a
//! CNAME to the zone that holds its target), add the TXT values through the
//! provider, wait until the zone's authoritative servers serve them (or a
//! fixed time), and afterwards delete exactly those values, also after a
//! failed validation or Ctrl-C.
//!
//! The ACME layer calls `present`/`cleanup` from inside its own runtime, so
//! the DNS work runs on a helper thread with a runtime of its own. Ctrl-C
//! and SIGTERM end the work early; `present` then reports `Interrupted` and
//! the ACME layer calls `cleanup`, which deletes what was added.

use super::client::Client;
use super::credentials::Credentials;
use super::error::DnsError;
use super::lookup::{self, Target};
use super::propagation::{self, POLL_TIMEOUT};
use super::providers::rfc2136::Rfc2136Server;
use super::providers::{Added, Provider, Resolver, Zone, outcome_unknown};
use super::update::TxtSet;
use crate::acme::{Challenge, ChallengeKind, SolveError, Solver};
use crate::log::progress;
use hickory_proto::rr::Name;
use std::future::Future;
use std::time::{Duration, Instant};

/// How to wait between adding the records and asking for validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Until every authoritative server serves the records.
    Poll,
    /// A fixed time (`--dns-NAME-propagation-seconds`), as Certbot does.
    Fixed(Duration),
}

/// A dns-01 solver writing through `P`.
pub struct DnsSolver<P: Provider> {
    provider: P,
    wait: Wait,
    quiet: bool,
    /// Records sent to the provider whose outcome was not a clear refusal:
    /// they may be in the zone and are deleted by `cleanup`.
    added: Vec<Added>,
}

/// `--dns-rfc2136`.
pub type Rfc2136 = DnsSolver<Rfc2136Server>;

impl DnsSolver<Rfc2136Server> {
    pub fn new(credentials: Credentials, wait: Wait, quiet: bool) -> Rfc2136 {
        DnsSolver::with_provider(Rfc2136Server::new(credentials), wait, quiet)
    }
}

impl<P: Provider> DnsSolver<P> {
    pub fn with_provider(provider: P, wait: Wait, quiet: bool) -> DnsSolver<P> {
        DnsSolver {
            provider,
            wait,
            quiet,
            added: Vec::new(),
        }
    }
}

/// `_acme-challenge` names with their values, in challenge order; a name and
/// its wildcard share one name and get both values.
fn group(challenges: &[Challenge]) -> Result<Vec<(Name, Vec<String>)>, DnsError> {
    let mut out: Vec<(Name, Vec<String>)> = Vec::new();
    for c in challenges.iter().filter(|c| c.kind == ChallengeKind::Dns01) {
        let mut name = Name::from_ascii(c.dns_name())
            .map_err(|e| DnsError::Internal(format!("{}: {e}", c.dns_name())))?
            .to_lowercase();
        name.set_fqdn(true);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) if !values.contains(&c.dns_value) => values.push(c.dns_value.clone()),
            Some(_) => {}
            None => out.push((name, vec![c.dns_value.clone()])),
        }
    }
    Ok(out)
}

/// Run the future `work` makes to completion on a fresh thread with its own
/// runtime; Ctrl-C or SIGTERM cut it short (when `interruptible`).
fn run_blocking<T: Send, F: Future<Output = Result<T, DnsError>>>(
    interruptible: bool,
    work: impl FnOnce() -> F + Send,
) -> Result<T, DnsError> {
    std::thread::scope(|scope| {
        let handle = scope.spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| DnsError::Internal(format!("cannot start the async runtime: {e}")))?;
            rt.block_on(async move {
                if !interruptible {
                    return work().await;
                }
                use tokio::signal::unix::{SignalKind, signal};
                let watch = |kind| {
                    signal(kind)
                        .map_err(|e| DnsError::Internal(format!("cannot watch for Ctrl-C: {e}")))
                };
                let mut interrupt = watch(SignalKind::interrupt())?;
                let mut terminate = watch(SignalKind::terminate())?;
                tokio::select! {
                    r = work() => r,
                    _ = interrupt.recv() => Err(DnsError::Interrupted),
                    _ = terminate.recv() => Err(DnsError::Interrupted),
                }
            })
        });
        handle
            .join()
            .unwrap_or_else(|_| Err(DnsError::Internal("the DNS thread failed".into())))
    })
}

fn to_solve(plugin: &str, e: DnsError) -> SolveError {
    match e {
        DnsError::Interrupted => SolveError::Interrupted,
        other => SolveError::Message(format!("{plugin}: {other}")),
    }
}

/// Where `name`'s records go. A provider whose server is required fails on
/// a lookup error; through the system resolver, the name itself is used
/// (with a warning) and its zone stays unknown.
async fn target_of(
    resolver: &Resolver,
    name: &Name,
    plugin: &str,
) -> Result<(Name, Option<Name>), DnsError> {
    match lookup::follow(resolver, name).await {
        Ok(Target { name, zone }) => Ok((name, Some(zone))),
        Err(e) if resolver.required || matches!(e, DnsError::CnameChain { .. }) => Err(e),
        Err(e) => {
            eprintln!(
                "Warning: {plugin}: cannot look up {} in the DNS ({e}); writing the TXT records there \
                 without checking for a CNAME",
                name.to_ascii()
            );
            Ok((name.clone(), None))
        }
    }
}

/// The records added so far, as one set per name and zone (what the
/// propagation check asks for), with the DNS zone each is watched in.
fn watched(added: &[Added], zones: &[(Name, Option<Name>)]) -> Vec<(Option<Name>, TxtSet)> {
    let mut out: Vec<(Option<Name>, TxtSet)> = Vec::new();
    for a in added {
        match out.iter_mut().find(|(_, s)| s.name == a.name) {
            Some((_, set)) => set.values.push(a.value.clone()),
            None => {
                let dns_zone = zones
                    .iter()
                    .find(|(n, _)| *n == a.name)
                    .and_then(|(_, z)| z.clone());
                out.push((
                    dns_zone,
                    TxtSet {
                        zone: a.zone.name.clone(),
                        name: a.name.clone(),
                        values: vec![a.value.clone()],
                    },
                ));
            }
        }
    }
    out
}

impl<P: Provider> Solver for DnsSolver<P> {
    fn name(&self) -> &str {
        self.provider.plugin()
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Dns01]
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        let plugin = self.provider.plugin();
        let groups = group(challenges).map_err(|e| to_solve(plugin, e))?;
        let resolver = self.provider.resolver().map_err(|e| to_solve(plugin, e))?;
        let (provider, wait, quiet) = (&self.provider, self.wait, self.quiet);
        let added = &mut self.added;
        // One interruptible run from the first query to the end of the wait.
        run_blocking(true, move || async move {
            let mut zones: Vec<(Name, Option<Name>)> = Vec::new();
            for (challenge_name, values) in groups {
                let (name, dns_zone) = target_of(&resolver, &challenge_name, plugin).await?;
                if name != challenge_name {
                    say(
                        quiet,
                        &format!(
                            "{} is a CNAME: its TXT records go to {}",
                            challenge_name.to_ascii(),
                            name.to_ascii()
                        ),
                    );
                }
                let zone = provider.find_zone(&name, dns_zone.as_ref()).await?;
                zones.push((name.clone(), dns_zone));
                for value in &values {
                    add_one(provider, added, &zone, &name, value).await?;
                }
                say(
                    quiet,
                    &format!(
                        "Added {} TXT record{} {} in zone {} {}",
                        values.len(),
                        if values.len() == 1 { "" } else { "s" },
                        name.to_ascii(),
                        zone.name.to_ascii(),
                        provider.location()
                    ),
                );
            }
            let sets = watched(added, &zones);
            wait_for_propagation(&resolver.client, provider, wait, &sets, quiet).await
        })
        .map_err(|e| to_solve(plugin, e))
    }

    fn cleanup(&mut self, _challenges: &[Challenge]) -> Result<(), SolveError> {
        if self.added.is_empty() {
            return Ok(());
        }
        let plugin = self.provider.plugin();
        let provider = &self.provider;
        let records = std::mem::take(&mut self.added);
        let left = run_blocking(false, move || async move {
            let mut failed = Vec::new();
            for record in records {
                if let Err(e) = provider.delete_txt(&record).await {
                    failed.push((record, e));
                }
            }
            Ok(failed)
        })
        .map_err(|e| to_solve(plugin, e))?;
        let Some((_, first)) = left.first() else {
            return Ok(());
        };
        let mut names: Vec<String> = left.iter().map(|(a, _)| a.name.to_ascii()).collect();
        names.dedup();
        let message = format!(
            "{plugin}: could not delete the TXT records of {}: {first}",
            names.join(", ")
        );
        self.added = left.into_iter().map(|(a, _)| a).collect();
        Err(SolveError::Message(message))
    }
}

/// Add one value, recorded in `added` *before* it is sent (an interrupted
/// or unanswered request may still have been carried out) and dropped again
/// only on a clear refusal.
async fn add_one<P: Provider>(
    provider: &P,
    added: &mut Vec<Added>,
    zone: &Zone,
    name: &Name,
    value: &str,
) -> Result<(), DnsError> {
    added.push(Added {
        zone: zone.clone(),
        name: name.clone(),
        value: value.to_string(),
        id: None,
    });
    match provider.add_txt(zone, name, value).await {
        Ok(id) => {
            if let Some(last) = added.last_mut() {
                last.id = id;
            }
            Ok(())
        }
        Err(e) => {
            if !outcome_unknown(&e) {
                added.pop();
            }
            Err(e)
        }
    }
}

fn say(quiet: bool, text: &str) {
    if !quiet {
        println!("{text}");
    }
}

async fn wait_for_propagation<P: Provider>(
    client: &Client,
    provider: &P,
    wait: Wait,
    sets: &[(Option<Name>, TxtSet)],
    quiet: bool,
) -> Result<(), DnsError> {
    let d = match wait {
        Wait::Fixed(d) => d,
        Wait::Poll => match poll_until_visible(client, sets, quiet).await {
            Some(()) => return Ok(()),
            None => provider.default_wait(),
        },
    };
    say(
        quiet,
        &format!(
            "Waiting {} seconds for DNS changes to propagate",
            d.as_secs()
        ),
    );
    let wait = progress::Wait::start(
        provider.plugin(),
        "waiting for the DNS changes to propagate",
    );
    wait.during(tokio::time::sleep(d)).await;
    wait.done("waited the propagation time");
    Ok(())
}

/// Poll the authoritative servers of every zone (the DNS's zone of each
/// name, else the provider's); `None` when no server is known to ask (the
/// caller waits a fixed time instead).
async fn poll_until_visible(
    client: &Client,
    sets: &[(Option<Name>, TxtSet)],
    quiet: bool,
) -> Option<()> {
    let started = Instant::now();
    let mut servers = Vec::new();
    for zone in unique_zones(sets) {
        for s in propagation::authoritative_servers(client, &zone).await {
            if !servers.contains(&s) {
                servers.push(s);
            }
        }
    }
    if servers.is_empty() {
        eprintln!(
            "Warning: the authoritative DNS servers of the challenge names are not known; \
             waiting a fixed time instead of asking them"
        );
        return None;
    }
    // Short per-query timeouts: a silent server must not stall the others.
    let poller = Client {
        timeout: Duration::from_secs(2),
        ..client.clone()
    };
    let txt_sets: Vec<TxtSet> = sets.iter().map(|(_, s)| s.clone()).collect();
    let shown: Vec<String> = servers.iter().map(ToString::to_string).collect();
    let wait = progress::Wait::start(shown.join(", "), propagation::VISIBLE);
    let visible = propagation::wait_visible(&poller, &servers, &txt_sets, POLL_TIMEOUT, &wait);
    let visible = wait.during(visible).await;
    drop(wait);
    match visible {
        Ok(()) => say(
            quiet,
            &format!(
                "The records are visible on {} authoritative server{} (after {:.2} s)",
                servers.len(),
                if servers.len() == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64()
            ),
        ),
        Err(missing) => eprintln!(
            "Warning: after {} s the TXT records are still not visible on {}; \
             asking the CA to validate anyway",
            POLL_TIMEOUT.as_secs(),
            missing.0.join(", ")
        ),
    }
    Some(())
}

/// The DNS zones to watch (the sets' own zones when the DNS named none).
fn unique_zones(sets: &[(Option<Name>, TxtSet)]) -> Vec<Name> {
    let mut zones: Vec<Name> = Vec::new();
    for (dns_zone, set) in sets {
        let zone = dns_zone.clone().unwrap_or_else(|| set.zone.clone());
        if !zones.contains(&zone) {
            zones.push(zone);
        }
    }
    zones
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(identifier: &str, wildcard: bool, value: &str) -> Challenge {
        Challenge {
            identifier: identifier.into(),
            wildcard,
            kind: ChallengeKind::Dns01,
            token: String::new(),
            key_authorization: String::new(),
            dns_value: value.into(),
            digest: [0; 32],
        }
    }

    #[test]
    fn a_name_and_its_wildcard_share_one_txt_name() {
        let groups = group(&[
            challenge("Example.com", false, "v1"),
            challenge("www.example.com", false, "v2"),
            challenge("example.com", true, "v3"),
        ])
        .unwrap();
        let shown: Vec<(String, Vec<String>)> =
            groups.into_iter().map(|(n, v)| (n.to_ascii(), v)).collect();
        assert_eq!(
            shown,
            vec![
                (
                    "_acme-challenge.example.com.".to_string(),
                    vec!["v1".to_string(), "v3".to_string()]
                ),
                (
                    "_acme-challenge.www.example.com.".to_string(),
                    vec!["v2".to_string()]
                ),
            ]
        );
    }
}
