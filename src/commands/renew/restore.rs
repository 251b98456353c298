//! A lineage's stored options back into flags. `[renewalparams]` (and
//! `[[webroot_map]]`) become flag occurrences placed under the command
//! line's, so the authenticator, installer and ACME options are rebuilt by
//! the very code `certonly` uses, and a flag given now wins over the stored
//! value (and is saved when the renewal succeeds).

use crate::acme;
use crate::cli::args::{Occurrence, Source, Value, parse_bool};
use crate::cli::flags::{self, Arity};
use crate::cli::{Config, RawArgs};
use crate::storage::Lineage;
use crate::storage::renewal_conf::{PARAMS, WEBROOT_MAP};
use anyhow::{Context, bail};

/// Keys whose flag has another name.
const RENAMED: &[(&str, &str)] = &[
    ("http01_port", "http-01-port"),
    ("http01_address", "http-01-address"),
    ("pref_challs", "preferred-challenges"),
    ("renew_hook", "deploy-hook"),
];

/// Keys restored under their own name (`_` read as `-`).
const RESTORED: &[&str] = &[
    "authenticator",
    "installer",
    "server",
    "ca_bundle",
    "key_type",
    "rsa_key_size",
    "elliptic_curve",
    "https_port",
    "must_staple",
    "reuse_key",
    "allow_subset_of_names",
    "preferred_chain",
    "profile",
    "manual_auth_hook",
    "manual_cleanup_hook",
    "pre_hook",
    "post_hook",
    "deploy_hook",
];

/// A plugin's options come back whole, whatever the plugin stores, as long
/// as each key is one of its flags.
const PLUGIN_PREFIXES: &[&str] = &["nginx_", "apache_", "dns_rfc2136_"];

/// Flags that choose the authenticator or the installer: one given now
/// replaces the stored choice entirely.
const AUTHENTICATOR_FLAGS: &[&str] = &[
    "authenticator",
    "standalone",
    "webroot",
    "manual",
    "nginx",
    "apache",
    "dns-rfc2136",
];
const INSTALLER_FLAGS: &[&str] = &["installer", "nginx", "apache"];
/// `--staging` given now replaces the stored server as `--server` does.
const SERVER_FLAGS: &[&str] = &["server", "staging"];

fn flag_for(key: &str) -> Option<&'static flags::Flag> {
    if let Some((_, long)) = RENAMED.iter().find(|(k, _)| *k == key) {
        return flags::by_long(long).map(|(f, _)| f);
    }
    let restorable = RESTORED.contains(&key) || PLUGIN_PREFIXES.iter().any(|p| key.starts_with(p));
    if !restorable {
        return None;
    }
    flags::by_long(key)
        .filter(|(_, negated)| !negated)
        .map(|(f, _)| f)
}

fn given_now(args: &RawArgs, longs: &[&str]) -> bool {
    longs
        .iter()
        .any(|l| args.switch(l).is_some() || args.value(l).is_some())
}

/// The stored options as flag occurrences (the command line not yet applied).
fn stored_occurrences(config: &Config, lineage: &Lineage) -> anyhow::Result<Vec<Occurrence>> {
    let conf = &lineage.conf;
    let source = |key: &str, section| Source::File {
        path: lineage.conf_path.clone(),
        line: conf.line_of(section, key).unwrap_or(0),
    };
    let mut out = Vec::new();
    for (key, _) in conf.entries(PARAMS) {
        let Some(flag) = flag_for(&key) else {
            continue;
        };
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
                None => bail!(
                    "{}: {key} = {text}: expected True or False",
                    source(&key, PARAMS)
                ),
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
        out.push(occurrence(
            "webroot-map",
            serde_json::Value::Object(json).to_string(),
            source("webroot_map", PARAMS),
        )?);
    }
    if let Some(root) = conf.get_list(PARAMS, "webroot_path").pop() {
        out.push(occurrence(
            "webroot-path",
            root,
            source("webroot_path", PARAMS),
        )?);
    }
    // Let's Encrypt's production server is swapped for its staging server in
    // a dry run; any other CA has no known test server and is used as it is.
    if config.dry_run {
        for occ in &mut out {
            if occ.flag.long == "server" && occ.text() == Some(acme::LETS_ENCRYPT) {
                occ.value = Value::Text(acme::LETS_ENCRYPT_STAGING.to_string());
            }
        }
    }
    Ok(out)
}

fn occurrence(long: &str, text: String, source: Source) -> anyhow::Result<Occurrence> {
    let (flag, _) = flags::by_long(long).context("internal error: unknown flag")?;
    Ok(Occurrence {
        flag,
        value: Value::Text(text),
        source,
    })
}

/// The configuration one lineage renews with: the command line (and
/// cli.ini) over its stored options. `key_type` is the current
/// certificate's (`ECDSA`/`RSA`): a conf from before Certbot stored
/// `key_type` keeps its key type instead of getting the new default.
pub fn lineage_config(
    config: &Config,
    lineage: &Lineage,
    key_type: &str,
) -> anyhow::Result<Config> {
    let now = &config.args;
    let mut stored = stored_occurrences(config, lineage)?;
    let webroot_now = given_now(now, &["webroot-path", "webroot-map"]);
    stored.retain(|o| {
        let long = o.flag.long;
        !(AUTHENTICATOR_FLAGS.contains(&long) && given_now(now, AUTHENTICATOR_FLAGS)
            || INSTALLER_FLAGS.contains(&long) && given_now(now, INSTALLER_FLAGS)
            // The stored bundle was trusted for the stored server only.
            || matches!(long, "server" | "ca-bundle") && given_now(now, SERVER_FLAGS)
            || matches!(long, "webroot-path" | "webroot-map") && webroot_now)
    });
    let has_key_type =
        given_now(now, &["key-type"]) || stored.iter().any(|o| o.flag.long == "key-type");
    if !has_key_type && key_type == "RSA" {
        stored.push(occurrence(
            "key-type",
            "rsa".into(),
            Source::File {
                path: lineage.conf_path.clone(),
                line: 0,
            },
        )?);
    }
    let mut merged = config.clone();
    merged.args = now.clone().with_file_defaults(stored);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::RenewalConf;

    fn lineage(conf: &str) -> Lineage {
        Lineage {
            name: "a.example".into(),
            config_dir: "/etc/le".into(),
            conf_path: "/etc/le/renewal/a.example.conf".into(),
            conf: RenewalConf::parse(conf).unwrap(),
        }
    }

    fn config(argv: &[&str]) -> Config {
        let raw = crate::cli::args::parse(argv.iter().map(|s| s.to_string())).unwrap();
        Config::from_args(raw).unwrap()
    }

    const CONF: &str = "version = 2.1.0
cert = /etc/le/live/a.example/cert.pem

[renewalparams]
account = 0123abcd
authenticator = webroot
installer = None
server = https://acme-v02.api.letsencrypt.org/directory
webroot_path = /srv/a, /srv/b
http01_port = 8080
pref_challs = http-01,
must_staple = True
renew_hook = /usr/local/bin/reload
config_dir = /somewhere/else
nginx_server_root = /opt/nginx
[[webroot_map]]
a.example = /srv/a
b.example = /srv/b
";

    #[test]
    fn stored_options_come_back_as_flags() {
        let c = lineage_config(&config(&["renew"]), &lineage(CONF), "ECDSA").unwrap();
        let a = &c.args;
        assert_eq!(a.value("authenticator"), Some("webroot"));
        assert_eq!(a.value("installer"), None);
        assert_eq!(a.value("server"), Some(acme::LETS_ENCRYPT));
        assert_eq!(a.value("http-01-port"), Some("8080"));
        assert_eq!(a.value("preferred-challenges"), Some("http-01,"));
        assert!(a.flag("must-staple"));
        assert_eq!(a.value("deploy-hook"), Some("/usr/local/bin/reload"));
        assert_eq!(a.value("nginx-server-root"), Some("/opt/nginx"));
        assert_eq!(a.value("webroot-path"), Some("/srv/b"));
        let map: serde_json::Value = serde_json::from_str(a.value("webroot-map").unwrap()).unwrap();
        assert_eq!(map["a.example"], "/srv/a");
        assert_eq!(
            a.value("config-dir"),
            None,
            "config_dir is not an option to restore"
        );
        assert_eq!(a.value("key-type"), None);
        let occ = a.occurrences.iter().find(|o| o.flag.long == "http-01-port");
        let Some(Source::File { line, .. }) = occ.map(|o| &o.source) else {
            panic!("not from the conf")
        };
        assert_eq!(*line, 10);
    }

    #[test]
    fn a_stored_ca_bundle_comes_back_unless_the_server_changes() {
        let conf = CONF.replace(
            "server = https://acme-v02",
            "ca_bundle = /etc/private-ca.pem\nserver = https://acme-v02",
        );
        let c = lineage_config(&config(&["renew"]), &lineage(&conf), "ECDSA").unwrap();
        assert_eq!(c.args.value("ca-bundle"), Some("/etc/private-ca.pem"));
        for now in [
            &["renew", "--staging"][..],
            &["renew", "--server", "https://ca.test/dir"],
        ] {
            let c = lineage_config(&config(now), &lineage(&conf), "ECDSA").unwrap();
            assert_eq!(c.args.value("ca-bundle"), None, "{now:?}");
        }
        let c = lineage_config(
            &config(&["renew", "--ca-bundle", "/new.pem"]),
            &lineage(&conf),
            "ECDSA",
        )
        .unwrap();
        assert_eq!(c.args.value("ca-bundle"), Some("/new.pem"));
    }

    #[test]
    fn the_command_line_wins_and_replaces_the_authenticator() {
        let c = lineage_config(&config(&["renew", "--standalone"]), &lineage(CONF), "RSA").unwrap();
        assert_eq!(c.args.value("authenticator"), None);
        assert!(c.args.flag("standalone"));
        assert_eq!(c.args.value("key-type"), Some("rsa"));
        let c = lineage_config(
            &config(&["renew", "--http-01-port", "9", "-w", "/new"]),
            &lineage(CONF),
            "ECDSA",
        )
        .unwrap();
        assert_eq!(c.args.value("http-01-port"), Some("9"));
        assert_eq!(c.args.value("webroot-map"), None);
        assert_eq!(c.args.values("webroot-path"), ["/new"]);
    }

    #[test]
    fn dry_run_goes_to_staging_only_for_lets_encrypt() {
        let c = lineage_config(&config(&["renew", "--dry-run"]), &lineage(CONF), "ECDSA").unwrap();
        assert_eq!(c.args.value("server"), Some(acme::LETS_ENCRYPT_STAGING));
        let pebble = CONF.replace(acme::LETS_ENCRYPT, "https://127.0.0.1:14000/dir");
        let c =
            lineage_config(&config(&["renew", "--dry-run"]), &lineage(&pebble), "ECDSA").unwrap();
        assert_eq!(c.args.value("server"), Some("https://127.0.0.1:14000/dir"));
        let c =
            lineage_config(&config(&["renew", "--staging"]), &lineage(&pebble), "ECDSA").unwrap();
        assert_eq!(c.args.value("server"), None);
        assert_eq!(
            crate::commands::acme_args::directory_url(&c),
            acme::LETS_ENCRYPT_STAGING
        );
    }

    #[test]
    fn a_bad_boolean_names_the_conf_line() {
        let bad = CONF.replace("must_staple = True", "must_staple = perhaps");
        let err = lineage_config(&config(&["renew"]), &lineage(&bad), "ECDSA")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "/etc/le/renewal/a.example.conf:12: must_staple = perhaps: expected True or False"
        );
    }
}
