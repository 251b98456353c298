//! The `dns-rfc2136` authenticator: for all challenges of an order, find
//! each `_acme-challenge` name's zone, add its TXT values with one signed
//! update per name, wait until the authoritative servers serve them (or a
//! fixed time), and afterwards delete exactly those values, also after a
//! failed validation or Ctrl-C.
//!
//! The ACME layer calls `present`/`cleanup` from inside its own runtime, so
//! the DNS work runs on a helper thread with a runtime of its own. Ctrl-C
//! and SIGTERM end the wait early; `present` then reports `Interrupted` and
//! the ACME layer calls `cleanup`, which deletes what was added.

use super::client::{Client, EXCHANGE_TIMEOUT};
use super::credentials::Credentials;
use super::error::DnsError;
use super::propagation::{self, POLL_TIMEOUT};
use super::update::{self, TxtSet};
use super::zone;
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
    /// A fixed time (`--dns-rfc2136-propagation-seconds`), as Certbot does.
    Fixed(Duration),
}

pub struct Rfc2136 {
    credentials: Credentials,
    wait: Wait,
    quiet: bool,
    /// Sets sent to the server whose outcome was not a clear refusal: they
    /// may be in the zone and are deleted by `cleanup`.
    added: Vec<TxtSet>,
}

impl Rfc2136 {
    pub fn new(credentials: Credentials, wait: Wait, quiet: bool) -> Rfc2136 {
        Rfc2136 {
            credentials,
            wait,
            quiet,
            added: Vec::new(),
        }
    }

    fn client(&self) -> Client {
        Client {
            server: self.credentials.server,
            key: self.credentials.key.clone(),
            sign_queries: self.credentials.sign_query,
            timeout: EXCHANGE_TIMEOUT,
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

/// Run `work` to completion on a fresh thread with its own runtime; Ctrl-C
/// or SIGTERM cut it short (when `interruptible`).
fn run_blocking<T: Send>(
    interruptible: bool,
    work: impl Future<Output = Result<T, DnsError>> + Send,
) -> Result<T, DnsError> {
    std::thread::scope(|scope| {
        let handle = scope.spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| DnsError::Internal(format!("cannot start the async runtime: {e}")))?;
            rt.block_on(async move {
                if !interruptible {
                    return work.await;
                }
                use tokio::signal::unix::{SignalKind, signal};
                let watch = |kind| {
                    signal(kind)
                        .map_err(|e| DnsError::Internal(format!("cannot watch for Ctrl-C: {e}")))
                };
                let mut interrupt = watch(SignalKind::interrupt())?;
                let mut terminate = watch(SignalKind::terminate())?;
                tokio::select! {
                    r = work => r,
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

fn to_solve(e: DnsError) -> SolveError {
    match e {
        DnsError::Interrupted => SolveError::Interrupted,
        other => SolveError::Message(format!("dns-rfc2136: {other}")),
    }
}

/// Whether an error leaves the update's outcome unknown (so the records may
/// be in the zone): no answer, or an answer we could not trust.
fn outcome_unknown(e: &DnsError) -> bool {
    matches!(
        e,
        DnsError::Timeout { .. }
            | DnsError::Interrupted
            | DnsError::Malformed { .. }
            | DnsError::BadAnswerSignature { .. }
    )
}

impl Solver for Rfc2136 {
    fn name(&self) -> &str {
        "dns-rfc2136"
    }

    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Dns01]
    }

    fn present(&mut self, challenges: &[Challenge]) -> Result<(), SolveError> {
        let groups = group(challenges).map_err(to_solve)?;
        let client = self.client();
        let (configured, wait, quiet) = (self.credentials.zone.clone(), self.wait, self.quiet);
        let added = &mut self.added;
        // One interruptible run from the first query to the end of the wait.
        run_blocking(true, async {
            for (name, values) in groups {
                let zone = match &configured {
                    Some(z) => {
                        zone::check_configured(z, &name)?;
                        z.clone()
                    }
                    None => zone::find_zone(&client, &name).await?,
                };
                let set = TxtSet { zone, name, values };
                // Recorded before sending: an interrupted or unanswered
                // update may still have been applied.
                added.push(set.clone());
                if let Err(e) = update::add(&client, &set).await {
                    if !outcome_unknown(&e) {
                        added.pop();
                    }
                    return Err(e);
                }
                say(
                    quiet,
                    &format!(
                        "Added {} TXT record{} {} in zone {} on {}",
                        set.values.len(),
                        if set.values.len() == 1 { "" } else { "s" },
                        set.name.to_ascii(),
                        set.zone.to_ascii(),
                        client.server
                    ),
                );
            }
            wait_for_propagation(&client, wait, added, quiet).await
        })
        .map_err(to_solve)
    }

    fn cleanup(&mut self, _challenges: &[Challenge]) -> Result<(), SolveError> {
        if self.added.is_empty() {
            return Ok(());
        }
        let client = self.client();
        let sets = std::mem::take(&mut self.added);
        let left = run_blocking(false, async {
            let mut failed = Vec::new();
            for set in sets {
                if let Err(e) = update::delete(&client, &set).await {
                    failed.push((set, e));
                }
            }
            Ok(failed)
        })
        .map_err(to_solve)?;
        let Some((_, first)) = left.first() else {
            return Ok(());
        };
        let message = format!(
            "dns-rfc2136: could not delete the TXT records of {}: {first}",
            left.iter()
                .map(|(s, _)| s.name.to_ascii())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.added = left.into_iter().map(|(s, _)| s).collect();
        Err(SolveError::Message(message))
    }
}

fn say(quiet: bool, text: &str) {
    if !quiet {
        println!("{text}");
    }
}

async fn wait_for_propagation(
    client: &Client,
    wait: Wait,
    sets: &[TxtSet],
    quiet: bool,
) -> Result<(), DnsError> {
    let d = match wait {
        Wait::Fixed(d) => d,
        Wait::Poll => return poll_until_visible(client, sets, quiet).await,
    };
    say(
        quiet,
        &format!(
            "Waiting {} seconds for DNS changes to propagate",
            d.as_secs()
        ),
    );
    let wait = progress::Wait::start("dns-rfc2136", "waiting for the DNS changes to propagate");
    wait.during(tokio::time::sleep(d)).await;
    wait.done("waited the propagation time");
    Ok(())
}

async fn poll_until_visible(client: &Client, sets: &[TxtSet], quiet: bool) -> Result<(), DnsError> {
    let started = Instant::now();
    let mut servers = Vec::new();
    for zone in unique_zones(sets) {
        for s in propagation::authoritative_servers(client, &zone).await {
            if !servers.contains(&s) {
                servers.push(s);
            }
        }
    }
    // Short per-query timeouts: a silent server must not stall the others.
    let poller = Client {
        timeout: Duration::from_secs(2),
        ..client.clone()
    };
    let shown: Vec<String> = servers.iter().map(ToString::to_string).collect();
    let wait = progress::Wait::start(shown.join(", "), propagation::VISIBLE);
    let visible = propagation::wait_visible(&poller, &servers, sets, POLL_TIMEOUT, &wait);
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
    Ok(())
}

fn unique_zones(sets: &[TxtSet]) -> Vec<Name> {
    let mut zones: Vec<Name> = Vec::new();
    for s in sets {
        if !zones.contains(&s.zone) {
            zones.push(s.zone.clone());
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
