//! One issuance: order, challenges through the solver, validation, cleanup,
//! finalization, download. Cleanup runs on every path once `present` was
//! called, Ctrl-C (SIGINT) and SIGTERM included.

use super::error::{AcmeError, describe_problem, problem_kind};
use super::http::Transport;
use super::raw::{Raw, alternate_links};
use super::solver::{Challenge, ChallengeKind, Solver, choose_kind};
use super::{AccountHandle, CertRequest, Issued, csr};
use crate::log::progress::{Verdict, Wait};
use crate::x509 as certinfo;
use instant_acme::{
    AuthorizationStatus, ChallengeType, Identifier, NewOrder, Order, OrderStatus, RetryPolicy,
};
use std::net::IpAddr;
use std::time::{Duration, Instant};
use tokio::signal::unix::{SignalKind, signal};

pub struct Context<'a> {
    pub account: &'a AccountHandle,
    pub transport: &'a Transport,
    pub directory_url: &'a str,
}

pub enum Failure {
    Acme(AcmeError),
    Api(instant_acme::Error),
}

impl From<AcmeError> for Failure {
    fn from(e: AcmeError) -> Self {
        Failure::Acme(e)
    }
}
impl From<instant_acme::Error> for Failure {
    fn from(e: instant_acme::Error) -> Self {
        Failure::Api(e)
    }
}

/// Validation failed for these names (name, reason).
struct Rejected(Vec<(String, String)>);

fn kind_of(t: &ChallengeType) -> Option<ChallengeKind> {
    match t {
        ChallengeType::Http01 => Some(ChallengeKind::Http01),
        ChallengeType::Dns01 => Some(ChallengeKind::Dns01),
        ChallengeType::TlsAlpn01 => Some(ChallengeKind::TlsAlpn01),
        _ => None,
    }
}

fn wire_type(kind: ChallengeKind) -> ChallengeType {
    match kind {
        ChallengeKind::Http01 => ChallengeType::Http01,
        ChallengeKind::Dns01 => ChallengeType::Dns01,
        ChallengeKind::TlsAlpn01 => ChallengeType::TlsAlpn01,
    }
}

fn identifier(name: &str) -> Identifier {
    match name.parse::<IpAddr>() {
        Ok(ip) => Identifier::Ip(ip),
        Err(_) => Identifier::Dns(name.to_string()),
    }
}

pub async fn obtain(
    ctx: &Context<'_>,
    request: &CertRequest,
    solver: &mut dyn Solver,
) -> Result<Issued, Failure> {
    let signal_err = |e: std::io::Error| AcmeError::Other(format!("cannot watch for Ctrl-C: {e}"));
    let mut interrupt = signal(SignalKind::interrupt()).map_err(signal_err)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(signal_err)?;
    let mut names = match &request.csr_der {
        Some(der) => csr::read_csr(der).map_err(AcmeError::Input)?.1,
        None => request.names.clone(),
    };
    loop {
        let attempt = async {
            let mut order = new_order(ctx, request, &names).await?;
            let validated = authorize(
                ctx,
                &mut order,
                request,
                solver,
                &mut interrupt,
                &mut terminate,
            )
            .await?;
            match validated {
                Ok(()) => Ok(Ok(order)),
                Err(rejected) => Ok(Err(rejected)),
            }
        };
        let order = match attempt.await {
            Ok(Ok(order)) => order,
            Ok(Err(Rejected(failed))) => {
                let ok: Vec<String> = names
                    .iter()
                    .filter(|n| !failed.iter().any(|(f, _)| f == *n))
                    .cloned()
                    .collect();
                if request.allow_subset_of_names && !ok.is_empty() && request.csr_der.is_none() {
                    for (name, why) in &failed {
                        eprintln!("Dropping {name} (--allow-subset-of-names): {why}");
                    }
                    names = ok;
                    continue;
                }
                let lines = failed
                    .into_iter()
                    .map(|(n, why)| format!("{n}: {why}"))
                    .collect();
                return Err(AcmeError::Validation(lines).into());
            }
            Err(e) => return Err(e),
        };
        let finish = finish(ctx, order, request, &names);
        return tokio::select! {
            issued = finish => issued,
            _ = interrupt.recv() => Err(AcmeError::Interrupted.into()),
            _ = terminate.recv() => Err(AcmeError::Interrupted.into()),
        };
    }
}

async fn new_order(
    ctx: &Context<'_>,
    request: &CertRequest,
    names: &[String],
) -> Result<Order, Failure> {
    let identifiers: Vec<Identifier> = names.iter().map(|n| identifier(n)).collect();
    let replaces = request
        .replaces
        .as_deref()
        .and_then(|id| id.split_once('.'));
    let build = |with_replaces: bool| {
        let mut new = NewOrder::new(&identifiers);
        if let Some(profile) = &request.profile {
            new = new.profile(profile);
        }
        if let Some((aki, serial)) = replaces.filter(|_| with_replaces) {
            new = new.replaces(instant_acme::CertificateIdentifier {
                authority_key_identifier: aki.into(),
                serial: serial.into(),
            });
        }
        new
    };
    let order = match ctx.account.account.new_order(&build(true)).await {
        // A certificate replaced already (by an earlier attempt that failed
        // later, say) cannot be named again: order without `replaces`.
        Err(instant_acme::Error::Api(p))
            if replaces.is_some()
                && p.r#type.as_deref() == Some("urn:ietf:params:acme:error:alreadyReplaced") =>
        {
            crate::log::warning(format!(
                "the CA refused `replaces` ({}); ordering without it",
                p.detail.as_deref().unwrap_or("alreadyReplaced")
            ));
            ctx.account.account.new_order(&build(false)).await?
        }
        other => other?,
    };
    crate::log::info(format!(
        "order for {}{}: {}",
        names.join(", "),
        request
            .replaces
            .as_deref()
            .map(|r| format!(" (replaces {r})"))
            .unwrap_or_default(),
        order.url()
    ));
    Ok(order)
}

/// Collect the challenges to answer, present them, tell the CA, wait for the
/// verdict, clean up. `Ok(Err(..))` is a validation failure (names + reasons).
async fn authorize(
    ctx: &Context<'_>,
    order: &mut Order,
    request: &CertRequest,
    solver: &mut dyn Solver,
    interrupt: &mut tokio::signal::unix::Signal,
    terminate: &mut tokio::signal::unix::Signal,
) -> Result<Result<(), Rejected>, Failure> {
    let challenges = collect(ctx, order, request, solver).await?;
    if challenges.is_empty() {
        return Ok(Ok(()));
    }
    if let Err(e) = solver.present(&challenges) {
        let cleaned = solver.cleanup(&challenges);
        if let Err(c) = &cleaned {
            eprintln!("Warning: cleaning up challenges failed: {c}");
        }
        return Err(match (e, cleaned) {
            (super::SolveError::Interrupted, Ok(())) => AcmeError::Interrupted,
            (e, _) => AcmeError::Solve(e),
        }
        .into());
    }
    let outcome = tokio::select! {
        r = validate(order, &challenges) => r,
        _ = interrupt.recv() => Err(AcmeError::Interrupted.into()),
        _ = terminate.recv() => Err(AcmeError::Interrupted.into()),
    };
    let cleaned = solver.cleanup(&challenges);
    let outcome = outcome?;
    if let Err(e) = cleaned {
        eprintln!("Warning: cleaning up challenges failed: {e}");
    }
    Ok(outcome)
}

async fn collect(
    ctx: &Context<'_>,
    order: &mut Order,
    request: &CertRequest,
    solver: &dyn Solver,
) -> Result<Vec<Challenge>, Failure> {
    let supported = solver.preferred();
    let thumbprint = ctx.account.key.thumbprint();
    let mut out = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let authz = authz?;
        let ident = authz.identifier();
        let name = ident.to_string();
        match authz.status {
            AuthorizationStatus::Valid => continue,
            AuthorizationStatus::Pending => {}
            other => {
                return Err(AcmeError::Other(format!(
                    "the CA says the authorization for {name} is {other:?}"
                ))
                .into());
            }
        }
        let value = match ident.identifier {
            Identifier::Dns(d) => d.clone(),
            Identifier::Ip(ip) => ip.to_string(),
            _ => return Err(AcmeError::Other(format!("unsupported identifier {name}")).into()),
        };
        let offered: Vec<ChallengeKind> = authz
            .challenges
            .iter()
            .filter_map(|c| kind_of(&c.r#type))
            .collect();
        let kind = choose_kind(
            &offered,
            &supported,
            &request.preferred_challenges,
            ident.wildcard,
        )
        .ok_or_else(|| no_challenge(&name, ident.wildcard, &offered, &supported, solver.name()))?;
        let Some(chosen) = authz
            .challenges
            .iter()
            .find(|c| kind_of(&c.r#type) == Some(kind))
        else {
            continue;
        };
        let key_authorization = format!("{}.{}", chosen.token, thumbprint);
        let digest_bytes =
            ring::digest::digest(&ring::digest::SHA256, key_authorization.as_bytes());
        let mut digest = [0u8; 32];
        digest.copy_from_slice(digest_bytes.as_ref());
        use base64::Engine;
        out.push(Challenge {
            identifier: value,
            wildcard: ident.wildcard,
            kind,
            token: chosen.token.clone(),
            dns_value: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest),
            key_authorization,
            digest,
        });
    }
    Ok(out)
}

/// Refuse, before anything is ordered, wildcard names the solver cannot
/// prove (only dns-01 can); the CA would say the same after an order.
pub fn check_wildcards(names: &[String], solver: &dyn Solver) -> Result<(), AcmeError> {
    let supported = solver.preferred();
    match names.iter().find(|n| n.starts_with("*.")) {
        Some(name) if !supported.contains(&ChallengeKind::Dns01) => {
            Err(no_challenge(name, true, &[], &supported, solver.name()))
        }
        _ => Ok(()),
    }
}

fn no_challenge(
    name: &str,
    wildcard: bool,
    offered: &[ChallengeKind],
    supported: &[ChallengeKind],
    solver: &str,
) -> AcmeError {
    let list = |k: &[ChallengeKind]| k.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
    if wildcard && !supported.contains(&ChallengeKind::Dns01) {
        return AcmeError::NoChallenge(format!(
            "{name}: wildcard names need dns-01, which the {solver} authenticator cannot answer \
             (use --manual --preferred-challenges dns or --dns-rfc2136)"
        ));
    }
    AcmeError::NoChallenge(format!(
        "{name}: no usable challenge (the CA offers {}; the {solver} authenticator answers {}; \
         check --preferred-challenges)",
        list(offered),
        list(supported)
    ))
}

async fn validate(
    order: &mut Order,
    challenges: &[Challenge],
) -> Result<Result<(), Rejected>, Failure> {
    let mut asked = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz?;
        if authz.status != AuthorizationStatus::Pending {
            continue;
        }
        let ident = authz.identifier();
        let (value, wildcard, shown) =
            (ident.identifier.clone(), ident.wildcard, ident.to_string());
        let Some(c) = challenges
            .iter()
            .find(|c| identifier(&c.identifier) == value && c.wildcard == wildcard)
        else {
            continue;
        };
        let kind = c.kind;
        if let Some(mut handle) = authz.challenge(wire_type(kind)) {
            handle.set_ready().await?;
            asked.push(shown);
        }
    }
    let wait = Wait::start(asked.join(", "), VALIDATING);
    wait.during(each_verdict(order, &wait, asked)).await?;
    drop(wait);
    let policy = RetryPolicy::new()
        .initial_delay(Duration::from_millis(100))
        .backoff(1.5)
        .timeout(Duration::from_secs(30));
    let status = match order.poll_ready(&policy).await {
        Ok(status) => status,
        Err(instant_acme::Error::Api(_)) => OrderStatus::Invalid,
        Err(instant_acme::Error::Timeout(_)) => {
            return Err(AcmeError::Timeout("validation did not finish").into());
        }
        Err(e) => return Err(e.into()),
    };
    if status != OrderStatus::Invalid {
        return Ok(Ok(()));
    }
    Ok(Err(Rejected(failures(order).await?)))
}

const VALIDATING: &str = "waiting for the CA to validate";
/// How long the CA may take to decide every name.
const VALIDATION_TIMEOUT: Duration = Duration::from_secs(180);

/// Poll the authorizations of the names in `asked` (as shown: `*.` for a
/// wildcard) until the CA has decided each, saying each verdict on `wait`
/// as it comes (why a name failed is read afterwards, by [`failures`]).
async fn each_verdict(
    order: &mut Order,
    wait: &Wait,
    mut asked: Vec<String>,
) -> Result<(), Failure> {
    let deadline = Instant::now() + VALIDATION_TIMEOUT;
    let mut pause = Duration::from_millis(100);
    while !asked.is_empty() {
        if Instant::now() > deadline {
            return Err(AcmeError::Timeout("validation did not finish").into());
        }
        tokio::time::sleep(pause).await;
        pause = pause.mul_f64(1.5).min(Duration::from_secs(2));
        let mut authorizations = order.authorizations();
        while let Some(authz) = authorizations.next().await {
            let mut authz = authz?;
            let name = authz.identifier().to_string();
            let Some(at) = asked.iter().position(|a| *a == name) else {
                continue;
            };
            let (verdict, outcome) = match authz.refresh().await?.status {
                AuthorizationStatus::Pending => continue,
                AuthorizationStatus::Valid => (Verdict::Done, "validated"),
                _ => (Verdict::Failed, "not validated"),
            };
            asked.remove(at);
            if !asked.is_empty() {
                wait.set(asked.join(", "), VALIDATING);
            }
            wait.report(&name, verdict, outcome);
        }
    }
    Ok(())
}

/// Which names failed and what the CA said about each.
async fn failures(order: &mut Order) -> Result<Vec<(String, String)>, Failure> {
    let mut failed = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz?;
        let state = authz.refresh().await?;
        if state.status == AuthorizationStatus::Valid {
            continue;
        }
        let name = state.identifier().to_string();
        let why = state
            .challenges
            .iter()
            .find_map(|c| {
                c.error
                    .as_ref()
                    .map(|p| format!("{} ({})", describe_problem(p), problem_kind(p)))
            })
            .unwrap_or_else(|| format!("authorization is {:?}", state.status).to_lowercase());
        failed.push((name, why));
    }
    if failed.is_empty() {
        let why = order
            .state()
            .error
            .as_ref()
            .map(describe_problem)
            .unwrap_or_else(|| "the order became invalid".into());
        failed.push(("order".into(), why));
    }
    Ok(failed)
}

async fn finish(
    ctx: &Context<'_>,
    mut order: Order,
    request: &CertRequest,
    names: &[String],
) -> Result<Issued, Failure> {
    let (csr_der, key_pem) = match &request.csr_der {
        Some(der) => (der.clone(), None),
        None => {
            let key = match &request.reuse_key_pem {
                Some(pem) => pem.clone(),
                None => request.key.generate()?,
            };
            (csr::build_csr(names, &key, request.must_staple)?, Some(key))
        }
    };
    let policy = RetryPolicy::new()
        .initial_delay(Duration::from_millis(100))
        .backoff(1.5)
        .timeout(Duration::from_secs(120));
    // A status line without an outcome line: the caller's "Successfully
    // received certificate." (or the error) says how it ended.
    let wait = Wait::start(
        names.join(", "),
        "waiting for the CA to issue the certificate",
    );
    let issued = wait
        .during(async {
            order.finalize_csr(&csr_der).await?;
            order.poll_certificate(&policy).await
        })
        .await;
    drop(wait);
    let mut fullchain = issued?;
    if let Some(url) = &order.state().certificate {
        crate::log::info(format!("certificate: {url}"));
    }
    if let Some(wanted) = &request.preferred_chain
        && let Some(cert_url) = order.state().certificate.clone()
        && let Some(alternate) = preferred_chain(ctx, &cert_url, &fullchain, wanted).await?
    {
        fullchain = alternate;
    }
    let blocks = certinfo::pem_blocks(&fullchain);
    let Some((cert, chain)) = blocks.split_first() else {
        return Err(AcmeError::Other("the CA sent no certificate".into()).into());
    };
    Ok(Issued {
        cert_pem: cert.clone(),
        chain_pem: chain.concat(),
        fullchain_pem: blocks.concat(),
        key_pem,
        names: names.to_vec(),
    })
}

/// The topmost issuer's common name of a chain.
fn top_issuer(fullchain: &str) -> Option<String> {
    let blocks = certinfo::pem_blocks(fullchain);
    certinfo::parse_pem(blocks.last()?).ok()?.issuer_cn
}

/// Fetch the alternate chains and return the first whose top issuer matches
/// (`None`: the default chain matches, or nothing does).
async fn preferred_chain(
    ctx: &Context<'_>,
    cert_url: &str,
    default: &str,
    wanted: &str,
) -> Result<Option<String>, Failure> {
    if top_issuer(default).as_deref() == Some(wanted) {
        return Ok(None);
    }
    let raw = Raw {
        transport: ctx.transport,
        directory_url: ctx.directory_url,
    };
    let key = &ctx.account.key;
    let (headers, _) = raw.post_as_get_raw(key, &ctx.account.url, cert_url).await?;
    for url in alternate_links(&headers) {
        let (_, body) = raw.post_as_get_raw(key, &ctx.account.url, &url).await?;
        let text = String::from_utf8_lossy(&body).into_owned();
        if top_issuer(&text).as_deref() == Some(wanted) {
            return Ok(Some(text));
        }
    }
    Ok(None)
}
