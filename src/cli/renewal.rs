//! Flags <-> renewal conf, both ways, from the one flag table
//! ([`Flag::conf`]): a lineage's `[renewalparams]` come back as flag
//! occurrences under the command line's (so a renewal is configured by the
//! very code `certonly` uses, and a flag given now wins), and the flags a
//! command was given are kept for the next renewal.
//!
//! A few keys are written by the code that owns their meaning, not from the
//! flag's text ([`WRITTEN_ELSEWHERE`]): the plugins chosen, the server and
//! account used, the key type, the challenge types, the web roots.

use super::args::{Occurrence, RawArgs, Source, UsageError, Value, parse_bool};
use super::flags::{Arity, Flag, FlagSet, Kind};
use super::options::Options;
use super::table as t;
use crate::storage::renewal_conf::{PARAMS, WEBROOT_MAP};
use crate::storage::{RenewalConf, RenewalParams};
use std::path::Path;

/// Flags whose conf value the commands write themselves.
pub static WRITTEN_ELSEWHERE: &[&Flag] = &[
    &t::ACCOUNT,
    &t::AUTHENTICATOR,
    &t::INSTALLER,
    &t::SERVER,
    &t::CA_BUNDLE,
    &t::KEY_TYPE,
    &t::RSA_KEY_SIZE,
    &t::ELLIPTIC_CURVE,
    &t::PREFERRED_CHALLENGES,
    &t::WEBROOT_PATH,
    &t::WEBROOT_MAP,
    // `autorenew = False` (a switch whose off value is the one kept).
    &t::AUTORENEW,
];

/// Keys Certbot may write in `[renewalparams]` that no flag is restored from, and why.
pub static NOT_RESTORED: &[(&str, &str)] = &[
    (
        "config_dir",
        "a renewal works in the directories it is run with (the conf lives in one)",
    ),
    (
        "work_dir",
        "a renewal works in the directories it is run with",
    ),
    (
        "logs_dir",
        "a renewal works in the directories it is run with",
    ),
    ("user_agent", "certsmith names itself"),
    (
        "certbot_route53:auth_propagation_seconds",
        "the option of the old certbot-route53:auth plugin name; its successor is dns-route53",
    ),
];

/// The flags that choose plugins, so that one given now replaces the
/// stored choice whole (from the plugin registry).
#[derive(Debug, Clone, Default)]
pub struct Choosers {
    pub authenticator: Vec<&'static Flag>,
    pub installer: Vec<&'static Flag>,
}

fn given_now(args: &RawArgs, flags: &[&'static Flag]) -> bool {
    flags.iter().any(|f| args.given(f))
}

/// A lineage's stored options as flag occurrences (the command line not
/// yet applied). `conf_path` is for messages.
pub fn stored_occurrences(
    set: &FlagSet,
    conf: &RenewalConf,
    conf_path: &Path,
    dry_run: bool,
) -> Result<Vec<Occurrence>, UsageError> {
    let source = |key: &str, section| Source::File {
        path: conf_path.to_path_buf(),
        line: conf.line_of(section, key).unwrap_or(0),
    };
    let mut out = Vec::new();
    for (key, _) in conf.entries(PARAMS) {
        let Some(flag) = set.by_conf_key(&key) else {
            continue;
        };
        // The web roots come back from the map and the list below.
        if std::ptr::eq(flag, &t::WEBROOT_PATH) {
            continue;
        }
        let Some(text) = conf.get(PARAMS, &key) else {
            continue;
        };
        // Certbot writes `installer = None` for "no installer".
        if text == "None" || text.is_empty() {
            continue;
        }
        let value = match flag.arity {
            Arity::Value(_) => Value::Text(text),
            Arity::Switch | Arity::Count => match parse_bool(&text) {
                Some(true) => Value::On,
                Some(false) => Value::Off,
                None => {
                    return Err(UsageError(format!(
                        "{}: {key} = {text}: expected True or False",
                        source(&key, PARAMS)
                    )));
                }
            },
        };
        out.push(Occurrence {
            flag,
            value,
            source: source(&key, PARAMS),
        });
    }
    // Webroot: the per-name map, and the last root for names not in it.
    let map = conf.entries(WEBROOT_MAP);
    if !map.is_empty() {
        let json: serde_json::Map<String, serde_json::Value> = map
            .into_iter()
            .map(|(name, root)| (name, serde_json::Value::String(root)))
            .collect();
        out.push(Occurrence {
            flag: &t::WEBROOT_MAP,
            value: Value::Text(serde_json::Value::Object(json).to_string()),
            source: source("webroot_map", PARAMS),
        });
    }
    if let Some(root) = conf.get_list(PARAMS, "webroot_path").pop() {
        out.push(Occurrence {
            flag: &t::WEBROOT_PATH,
            value: Value::Text(root),
            source: source("webroot_path", PARAMS),
        });
    }
    // Let's Encrypt's production server is swapped for its staging server in
    // a dry run; any other CA has no known test server and is used as it is.
    if dry_run {
        for occ in &mut out {
            if std::ptr::eq(occ.flag, &t::SERVER) && occ.text() == Some(crate::acme::LETS_ENCRYPT) {
                occ.value = Value::Text(crate::acme::LETS_ENCRYPT_STAGING.to_string());
            }
        }
    }
    Ok(out)
}

/// The options one lineage renews with: `now` (the command line and
/// cli.ini) over its stored options. `key_type` is the current
/// certificate's (`ECDSA`/`RSA`): a conf from before Certbot stored
/// `key_type` keeps its key type instead of getting the new default.
pub fn lineage_options(
    now: &Options,
    conf: &RenewalConf,
    conf_path: &Path,
    key_type: &str,
    choosers: &Choosers,
) -> Result<Options, UsageError> {
    let args = now.args();
    let mut stored = stored_occurrences(now.flag_set(), conf, conf_path, now.dry_run)?;
    let authenticator_now = given_now(args, &choosers.authenticator);
    let installer_now = given_now(args, &choosers.installer);
    let server_now = given_now(args, &[&t::SERVER, &t::STAGING]);
    let webroot_now = given_now(args, &[&t::WEBROOT_PATH, &t::WEBROOT_MAP]);
    let is =
        |o: &Occurrence, flags: &[&'static Flag]| flags.iter().any(|f| std::ptr::eq(o.flag, *f));
    stored.retain(|o| {
        !(is(o, &choosers.authenticator) && authenticator_now
            || is(o, &choosers.installer) && installer_now
            // The stored bundle was trusted for the stored server only.
            || is(o, &[&t::SERVER, &t::CA_BUNDLE]) && server_now
            || is(o, &[&t::WEBROOT_PATH, &t::WEBROOT_MAP]) && webroot_now)
    });
    let has_key_type = args.given(&t::KEY_TYPE) || stored.iter().any(|o| is(o, &[&t::KEY_TYPE]));
    if !has_key_type && key_type == "RSA" {
        stored.push(Occurrence {
            flag: &t::KEY_TYPE,
            value: Value::Text("rsa".into()),
            source: Source::File {
                path: conf_path.to_path_buf(),
                line: 0,
            },
        });
    }
    now.under(stored)
}

/// The renewal conf values of the flags `options` carries (given now or
/// restored from the conf), from the table: switches as `True` (turned off
/// now: the stored value goes), values as given, paths absolute. Flags of
/// `unused` plugins are dropped from the conf; [`WRITTEN_ELSEWHERE`] are
/// left to their owners.
pub fn conf_values(options: &Options, unused: &[&'static Flag], params: &mut RenewalParams) {
    let args = options.args();
    for flag in options.flag_set().iter() {
        let Some(key) = flag.conf else {
            continue;
        };
        if unused.iter().any(|f| std::ptr::eq(*f, flag)) {
            if std::ptr::eq(flag, &t::WEBROOT_MAP) {
                // A section, not a key: emptied.
                params.webroot_map.get_or_insert_with(Vec::new);
            } else {
                params.remove.push(key.to_string());
            }
            continue;
        }
        if WRITTEN_ELSEWHERE.iter().any(|f| std::ptr::eq(*f, flag)) {
            continue;
        }
        match flag.arity {
            // `--no-reuse-key` is a flag of its own: the resolved value says.
            Arity::Switch | Arity::Count if std::ptr::eq(flag, &t::REUSE_KEY) => {
                match options.cert.reuse_key {
                    Some(true) => {
                        params.set(key, "True");
                    }
                    Some(false) => params.remove.push(key.to_string()),
                    None => {}
                }
            }
            Arity::Switch | Arity::Count => match args.switch(flag) {
                Some(true) => {
                    params.set(key, "True");
                }
                Some(false) => params.remove.push(key.to_string()),
                None => {}
            },
            Arity::Value(_) => {
                if let Some(value) = args.value(flag) {
                    params.set(key, conf_text(flag, value));
                }
            }
        }
    }
}

/// A value as the conf keeps it: paths absolute (renewal runs from another
/// directory); a program named bare stays bare (looked up in `PATH`).
fn conf_text(flag: &Flag, value: &str) -> String {
    let path = Path::new(value);
    let absolute = || {
        std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string()
    };
    match flag.kind {
        Kind::Path => absolute(),
        Kind::Program if path.components().count() > 1 => absolute(),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests;
