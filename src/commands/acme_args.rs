//! Turning flags into ACME-layer values, checked before anything touches the
//! disk or the network: server URL, names, key type, challenges, solver.

use crate::acme::{self, AcmeOptions, CertRequest, ChallengeKind, KeySpec, Solver};
use crate::auth::{Manual, Standalone, Webroot, dns, webroot};
use crate::cli::Config;
use crate::cli::args::Value;
use crate::storage::RenewalParams;
use anyhow::{Context, bail};
use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;

/// The ACME directory: `--server`, else staging for `--staging` and
/// `--dry-run`, else Let's Encrypt production.
pub fn directory_url(config: &Config) -> String {
    match config.args.value("server") {
        Some(url) => url.to_string(),
        None if config.args.flag("staging") || config.dry_run => {
            acme::LETS_ENCRYPT_STAGING.to_string()
        }
        None => acme::LETS_ENCRYPT.to_string(),
    }
}

pub fn options(config: &Config) -> AcmeOptions {
    AcmeOptions {
        directory_url: directory_url(config),
        ca_bundle: config.args.path("ca-bundle"),
    }
}

/// No prompts: `-n`, or no terminal to ask on.
pub fn non_interactive(config: &Config) -> bool {
    config.non_interactive || !std::io::stdin().is_terminal()
}

/// Check one requested name: an IP address, or a DNS name (optionally
/// `*.` + name) of LDH labels; returned lower-cased without a final dot.
pub fn check_name(raw: &str) -> anyhow::Result<String> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let bad = |why: &str| anyhow::anyhow!("-d {raw:?}: not a valid domain name ({why})");
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    if !raw.is_ascii() {
        return Err(bad(
            "use the punycode (xn--) form of internationalized names",
        ));
    }
    let base = name.strip_prefix("*.").unwrap_or(&name);
    if base.len() > 253 || name.is_empty() {
        return Err(bad("empty or longer than 253 characters"));
    }
    if !base.contains('.') {
        return Err(bad("a certificate name needs at least two labels"));
    }
    for label in base.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("empty label or label longer than 63 characters"));
        }
        if label.contains('*') {
            return Err(bad(
                "a wildcard is only allowed as the whole first label, as in *.example.com",
            ));
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad("only letters, digits, '-' and '.' are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad("a label may not start or end with '-'"));
        }
    }
    Ok(name)
}

/// `-d` names, checked and de-duplicated, in order.
pub fn names(config: &Config) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in config.args.domains() {
        let name = check_name(&raw)?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

pub fn preferred_challenges(config: &Config) -> anyhow::Result<Vec<ChallengeKind>> {
    let mut out = Vec::new();
    for item in crate::cli::args::split_list(config.args.values("preferred-challenges")) {
        let kind = ChallengeKind::parse(&item).with_context(|| {
            format!("--preferred-challenges: unknown challenge type {item:?} (http-01, dns-01, tls-alpn-01)")
        })?;
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    Ok(out)
}

pub fn key_spec(config: &Config) -> anyhow::Result<KeySpec> {
    let bits = config.args.parsed::<u32>("rsa-key-size")?;
    KeySpec::from_flags(
        config.args.value("key-type"),
        config.args.value("elliptic-curve"),
        bits,
    )
    .map_err(anyhow::Error::msg)
}

pub fn cert_request(config: &Config, names: Vec<String>) -> anyhow::Result<CertRequest> {
    let csr_der = match config.args.path("csr") {
        Some(path) => {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("--csr: cannot read {}", path.display()))?;
            Some(
                acme::csr::read_csr(&bytes)
                    .map_err(|e| anyhow::anyhow!("--csr {}: {e}", path.display()))?
                    .0,
            )
        }
        None => None,
    };
    Ok(CertRequest {
        names,
        key: key_spec(config)?,
        reuse_key_pem: None,
        csr_der,
        must_staple: config.args.flag("must-staple"),
        profile: config.args.value("profile").map(str::to_string),
        preferred_challenges: preferred_challenges(config)?,
        allow_subset_of_names: config.args.flag("allow-subset-of-names"),
        preferred_chain: config.args.value("preferred-chain").map(str::to_string),
        replaces: None,
    })
}

/// The authenticator named by `-a` or `--standalone`/`--webroot`/`--manual`.
pub fn authenticator_name(config: &Config) -> anyhow::Result<Option<String>> {
    let mut chosen: Vec<String> = Vec::new();
    for (flag, name) in [
        ("standalone", "standalone"),
        ("webroot", "webroot"),
        ("manual", "manual"),
        ("nginx", "nginx"),
        ("apache", "apache"),
        ("dns-rfc2136", "dns-rfc2136"),
    ] {
        if config.args.flag(flag) {
            chosen.push(name.into());
        }
    }
    if let Some(a) = config.args.value("authenticator") {
        chosen.push(a.to_string());
    }
    chosen.dedup();
    match chosen.len() {
        0 | 1 => Ok(chosen.pop()),
        _ => bail!("choose one authenticator, not {}", chosen.join(" and ")),
    }
}

fn port(config: &Config, flag: &str, default: u16) -> anyhow::Result<u16> {
    Ok(config.args.parsed::<u16>(flag)?.unwrap_or(default))
}

/// (name, root) pairs and the root for names not listed.
pub type WebrootMap = (Vec<(String, PathBuf)>, Option<PathBuf>);

/// `-w DIR` applies to the `-d` names after it; names before any `-w` (and
/// names the map lacks) use the last `-w`, as in Certbot.
pub fn webroot_map(config: &Config) -> anyhow::Result<WebrootMap> {
    let mut map = Vec::new();
    let mut current: Option<PathBuf> = None;
    let mut last = None;
    for occ in &config.args.occurrences {
        match (occ.flag.long, &occ.value) {
            ("webroot-path", Value::Text(dir)) => {
                current = Some(PathBuf::from(dir));
                last = current.clone();
            }
            ("domains", Value::Text(list)) => {
                if let Some(root) = &current {
                    for raw in crate::cli::args::split_list([list.as_str()]) {
                        map.push((check_name(&raw)?, root.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(json) = config.args.value("webroot-map") {
        for (name, root) in webroot::parse_map(json).map_err(anyhow::Error::msg)? {
            map.push((check_name(&name)?, root));
        }
    }
    Ok((map, last))
}

/// Build the solver for a non-installer authenticator, and the renewal conf
/// values that let renewal build it again.
pub fn solver(
    config: &Config,
    name: &str,
    names: &[String],
) -> anyhow::Result<(Box<dyn Solver>, RenewalParams)> {
    let mut params = RenewalParams::default();
    params.set("authenticator", name);
    let solver: Box<dyn Solver> = match name {
        "standalone" => {
            let address = match config.args.value("http-01-address") {
                Some(a) if !a.is_empty() => Some(a.parse::<IpAddr>().map_err(|_| {
                    anyhow::anyhow!("--http-01-address: {a:?} is not an IP address")
                })?),
                _ => None,
            };
            let http = port(config, "http-01-port", 80)?;
            let https = port(config, "https-port", 443)?;
            if let Some(a) = address {
                params.set("http01_address", a.to_string());
            }
            if config.args.value("http-01-port").is_some() {
                params.set("http01_port", http.to_string());
            }
            if config.args.value("https-port").is_some() {
                params.set("https_port", https.to_string());
            }
            // Bind now for the kinds this run may use, so a busy port fails first.
            let wanted = preferred_challenges(config)?;
            let kinds: Vec<ChallengeKind> = if wanted.is_empty() {
                vec![ChallengeKind::Http01]
            } else {
                wanted
                    .into_iter()
                    .filter(|k| *k != ChallengeKind::Dns01)
                    .collect()
            };
            if kinds.is_empty() {
                bail!("the standalone authenticator answers http-01 and tls-alpn-01, not dns-01");
            }
            Box::new(Standalone::bind(address, http, https, &kinds).map_err(anyhow::Error::msg)?)
        }
        "webroot" => {
            let (map, fallback) = webroot_map(config)?;
            let solver = Webroot::new(map, fallback.clone()).map_err(anyhow::Error::msg)?;
            for n in names.iter().filter(|n| !n.starts_with("*.")) {
                if solver.root_for(n).is_none() {
                    bail!("no web root for {n}: give -w DIR before -d {n}, or --webroot-map");
                }
            }
            let mut roots: Vec<String> = Vec::new();
            for (_, r) in solver.mapping(names) {
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
            params.set_list("webroot_path", roots);
            params.webroot_map = Some(solver.mapping(names));
            Box::new(solver)
        }
        "manual" => {
            let auth = config.args.value("manual-auth-hook").map(str::to_string);
            let cleanup = config.args.value("manual-cleanup-hook").map(str::to_string);
            if let Some(h) = &auth {
                params.set("manual_auth_hook", h.clone());
            }
            if let Some(h) = &cleanup {
                params.set("manual_cleanup_hook", h.clone());
            }
            Box::new(
                Manual::new(auth, cleanup, !non_interactive(config)).map_err(anyhow::Error::msg)?,
            )
        }
        "dns-rfc2136" => Box::new(dns_rfc2136(config, &mut params)?),
        other => bail!("the {other} authenticator is not available in this version of certsmith"),
    };
    Ok((solver, params))
}

/// The RFC 2136 solver from `--dns-rfc2136-credentials` (read and checked
/// now, before the CA is contacted) and `--dns-rfc2136-propagation-seconds`.
fn dns_rfc2136(config: &Config, params: &mut RenewalParams) -> anyhow::Result<dns::Rfc2136> {
    let Some(path) = config.args.path("dns-rfc2136-credentials") else {
        bail!(
            "--dns-rfc2136 needs --dns-rfc2136-credentials FILE (Certbot's RFC 2136 credentials format)"
        );
    };
    let credentials = dns::Credentials::load(&path)?;
    let absolute = std::path::absolute(&path).unwrap_or(path);
    params.set("dns_rfc2136_credentials", absolute.display().to_string());
    let wait = match config
        .args
        .parsed::<u64>("dns-rfc2136-propagation-seconds")?
    {
        Some(seconds) => {
            params.set("dns_rfc2136_propagation_seconds", seconds.to_string());
            dns::Wait::Fixed(std::time::Duration::from_secs(seconds))
        }
        None => dns::Wait::Poll,
    };
    Ok(dns::Rfc2136::new(credentials, wait, config.quiet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("Example.COM.").unwrap(), "example.com");
        assert_eq!(check_name("*.example.com").unwrap(), "*.example.com");
        assert_eq!(check_name("127.0.0.1").unwrap(), "127.0.0.1");
        assert_eq!(check_name("::1").unwrap(), "::1");
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.com",
            "a-.com",
            "a_b.com",
            "*a.com",
            "a.*.com",
            "ex ample.com",
            "bücher.de",
            &format!("{}.com", "a".repeat(64)),
        ] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.starts_with("-d "), "{bad:?}: {err}");
        }
    }
}
