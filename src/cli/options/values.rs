//! Resolving the values that take more than a look-up: checked against each flag's
//! kind, names, plugins, challenge types, key reuse.

use super::super::args::{RawArgs, UsageError, split_list};
use super::super::flags::{Arity, Flag, FlagSet, Kind};
use super::super::table as t;
use super::PluginNames;
use crate::acme::ChallengeKind;

/// `-d` names, then those of `--webroot-map` not already there: as in
/// Certbot, the map implies `-d` for each name it lists.
pub(super) fn domains(args: &RawArgs) -> Result<Vec<String>, UsageError> {
    let mut out = args.domains();
    if let Some(json) = args.value(&t::WEBROOT_MAP) {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
            .map_err(|e| UsageError(format!("--webroot-map: not a JSON object: {e}")))?;
        for name in split_list(map.keys().map(String::as_str)) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    Ok(out)
}

/// `--reuse-key`, `--no-reuse-key`: the last one given wins. `--new-key` is
/// not one of them (Certbot: it replaces the key once, reuse is unchanged).
pub(super) fn reuse_key(args: &RawArgs) -> Option<bool> {
    args.sequence(&[&t::REUSE_KEY, &t::NO_REUSE_KEY])
        .last()
        .map(|o| std::ptr::eq(o.flag, &t::REUSE_KEY) && o.value != super::super::args::Value::Off)
}

/// `-a`, `-i`, and Certbot's `--configurator NAME` (both of them, as long as
/// neither names another plugin).
pub(super) fn plugin_names(args: &RawArgs) -> Result<PluginNames, UsageError> {
    let configurator = args.value(&t::CONFIGURATOR);
    let pick = |flag: &'static Flag| -> Result<Option<String>, UsageError> {
        match (args.value(flag), configurator) {
            (Some(a), Some(c)) if a != c => Err(UsageError(format!(
                "--configurator {c} conflicts with {} {a}",
                flag.display()
            ))),
            (Some(v), _) | (None, Some(v)) => Ok(Some(v.to_string())),
            (None, None) => Ok(None),
        }
    };
    Ok(PluginNames {
        authenticator: pick(&t::AUTHENTICATOR)?,
        installer: pick(&t::INSTALLER)?,
    })
}

/// `--preferred-challenges` (repeatable, comma-separated), in order, once each.
pub(super) fn preferred_challenges(args: &RawArgs) -> Result<Vec<ChallengeKind>, UsageError> {
    let mut out = Vec::new();
    for item in split_list(args.values(&t::PREFERRED_CHALLENGES)) {
        let kind = ChallengeKind::parse(&item).ok_or_else(|| {
            UsageError(format!(
                "--preferred-challenges: unknown challenge type {item:?} (http-01, dns-01, tls-alpn-01)"
            ))
        })?;
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    Ok(out)
}

/// Every value checked against its flag's kind before any verb runs, so a
/// typo fails as a usage error before a directory is made or a lock taken.
pub(super) fn check_values(args: &RawArgs, set: &FlagSet) -> Result<(), UsageError> {
    for flag in set.iter() {
        if !matches!(flag.arity, Arity::Value(_)) {
            continue;
        }
        match flag.kind {
            Kind::Choice(choices) => {
                args.one_of(flag, choices)?;
            }
            Kind::Port => {
                args.parsed::<u16>(flag)?;
            }
            Kind::Number => {
                args.parsed::<u64>(flag)?;
            }
            Kind::Bool => {
                args.boolean(flag)?;
            }
            Kind::Text | Kind::Path | Kind::Program => {}
        }
    }
    Ok(())
}
