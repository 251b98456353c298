use super::*;
use crate::acme;
use crate::cli::table::{self as t, *};

const CONF_PATH: &str = "/etc/le/renewal/a.example.conf";

fn conf(text: &str) -> RenewalConf {
    RenewalConf::parse(text).unwrap()
}

fn options(argv: &[&str]) -> Options {
    crate::cli::load(argv.iter().map(|s| s.to_string()).collect()).unwrap()
}

/// The built-in choosers, as the registry lists them.
fn choosers() -> Choosers {
    Choosers {
        authenticator: vec![
            &AUTHENTICATOR,
            &STANDALONE,
            &WEBROOT,
            &MANUAL,
            &NGINX,
            &APACHE,
            &DNS_RFC2136,
        ],
        installer: vec![&INSTALLER, &NGINX, &APACHE],
    }
}

fn restore(argv: &[&str], text: &str, key_type: &str) -> Result<Options, UsageError> {
    lineage_options(
        &options(argv),
        &conf(text),
        Path::new(CONF_PATH),
        key_type,
        &choosers(),
    )
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
    let c = restore(&["renew"], CONF, "ECDSA").unwrap();
    let a = c.args();
    assert_eq!(c.plugins.authenticator.as_deref(), Some("webroot"));
    assert_eq!(c.plugins.installer, None);
    assert_eq!(c.acme.server.as_deref(), Some(acme::LETS_ENCRYPT));
    assert_eq!(c.ports.http01_port, 8080);
    assert_eq!(c.cert.preferred_challenges, [acme::ChallengeKind::Http01]);
    assert_eq!(c.cert.must_staple, Some(true));
    assert_eq!(c.hooks.deploy.as_deref(), Some("/usr/local/bin/reload"));
    assert_eq!(c.nginx.server_root, Path::new("/opt/nginx"));
    assert_eq!(a.value(&WEBROOT_PATH), Some("/srv/b"));
    let map: serde_json::Value = serde_json::from_str(a.value(&t::WEBROOT_MAP).unwrap()).unwrap();
    assert_eq!(map["a.example"], "/srv/a");
    assert_eq!(
        a.value(&CONFIG_DIR),
        None,
        "config_dir is not an option to restore"
    );
    assert_eq!(c.cert.key, acme::KeySpec::Ecdsa { p384: false });
    let occ = a
        .occurrences
        .iter()
        .find(|o| std::ptr::eq(o.flag, &HTTP_01_PORT));
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
    let c = restore(&["renew"], &conf, "ECDSA").unwrap();
    assert_eq!(
        c.acme.ca_bundle.as_deref(),
        Some(Path::new("/etc/private-ca.pem"))
    );
    for now in [
        &["renew", "--staging"][..],
        &["renew", "--server", "https://ca.test/dir"],
    ] {
        let c = restore(now, &conf, "ECDSA").unwrap();
        assert_eq!(c.acme.ca_bundle, None, "{now:?}");
    }
    let c = restore(&["renew", "--ca-bundle", "/new.pem"], &conf, "ECDSA").unwrap();
    assert_eq!(c.acme.ca_bundle.as_deref(), Some(Path::new("/new.pem")));
}

#[test]
fn the_command_line_wins_and_replaces_the_authenticator() {
    let c = restore(&["renew", "--standalone"], CONF, "RSA").unwrap();
    assert_eq!(c.plugins.authenticator, None);
    assert!(c.args().flag(&STANDALONE));
    assert_eq!(c.cert.key, acme::KeySpec::Rsa { bits: 2048 });
    let c = restore(
        &["renew", "--http-01-port", "9", "-w", "/new"],
        CONF,
        "ECDSA",
    )
    .unwrap();
    assert_eq!(c.ports.http01_port, 9);
    assert_eq!(c.args().value(&t::WEBROOT_MAP), None);
    assert_eq!(c.args().values(&WEBROOT_PATH), ["/new"]);
}

#[test]
fn dry_run_goes_to_staging_only_for_lets_encrypt() {
    let c = restore(&["renew", "--dry-run"], CONF, "ECDSA").unwrap();
    assert_eq!(c.acme.server.as_deref(), Some(acme::LETS_ENCRYPT_STAGING));
    let pebble = CONF.replace(acme::LETS_ENCRYPT, "https://127.0.0.1:14000/dir");
    let c = restore(&["renew", "--dry-run"], &pebble, "ECDSA").unwrap();
    assert_eq!(
        c.acme.server.as_deref(),
        Some("https://127.0.0.1:14000/dir")
    );
    let c = restore(&["renew", "--staging"], &pebble, "ECDSA").unwrap();
    assert_eq!(c.acme.server, None);
    assert_eq!(c.directory_url(), acme::LETS_ENCRYPT_STAGING);
}

#[test]
fn a_bad_boolean_names_the_conf_line() {
    let bad = CONF.replace("must_staple = True", "must_staple = perhaps");
    let err = restore(&["renew"], &bad, "ECDSA").unwrap_err().to_string();
    assert_eq!(
        err,
        "/etc/le/renewal/a.example.conf:12: must_staple = perhaps: expected True or False"
    );
}

#[test]
fn given_flags_are_kept_by_their_conf_key() {
    let c = options(&[
        "certonly",
        "--must-staple",
        "--http-01-port",
        "8080",
        "--deploy-hook",
        "reload it",
        "--nginx-server-root",
        "relative/nginx",
        "--nginx-ctl",
        "nginx",
        "--manual-auth-hook",
        "auth.sh",
        "--new-key",
    ]);
    let mut params = RenewalParams::default();
    conf_values(&c, &[&MANUAL_AUTH_HOOK], &mut params);
    let get = |k: &str| match params.get(k) {
        Some(crate::storage::ParamValue::Scalar(v)) => Some(v.clone()),
        _ => None,
    };
    assert_eq!(get("must_staple").as_deref(), Some("True"));
    assert_eq!(get("http01_port").as_deref(), Some("8080"));
    assert_eq!(get("renew_hook").as_deref(), Some("reload it"));
    assert_eq!(get("nginx_ctl").as_deref(), Some("nginx"));
    let root = get("nginx_server_root").unwrap();
    assert!(
        root.starts_with('/') && root.ends_with("/relative/nginx"),
        "{root}"
    );
    assert_eq!(get("manual_auth_hook"), None, "an unused plugin's flag");
    assert!(params.remove.contains(&"manual_auth_hook".to_string()));
    assert!(
        !params.remove.contains(&"reuse_key".to_string()) && get("reuse_key").is_none(),
        "--new-key leaves reuse_key as it is"
    );
    assert_eq!(get("key_type"), None, "written by the certificate request");
}

/// Every key Debian's certbot may write in `[renewalparams]` (its CONFIG_ITEMS and each
/// installed plugin's options, asked from certbot itself) has its flag in the table,
/// or a stated reason not to be restored.
#[test]
fn every_key_certbot_writes_is_in_the_table() {
    let script = r#"
from certbot._internal import renewal
from certbot._internal.plugins import disco
keys = set(renewal.CONFIG_ITEMS)
for name, ep in disco.PluginsRegistry.find_all().items():
    ns = name.replace('-', '_') + '_'
    ep.plugin_cls.add_parser_arguments(lambda arg, *a, **k: keys.add(ns + arg.replace('-', '_')))
print('\n'.join(sorted(keys)))
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script])
        .output()
        .expect("python3 runs (scripts/setup installs certbot)");
    assert!(
        out.status.success(),
        "certbot's modules are needed (scripts/setup installs certbot): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = String::from_utf8(out.stdout).unwrap();
    assert!(keys.lines().count() > 30, "too few keys: {keys}");
    let set = FlagSet::builtin();
    let missing: Vec<&str> = keys
        .lines()
        .filter(|k| set.by_conf_key(k).is_none() && !NOT_RESTORED.iter().any(|(n, _)| n == k))
        .collect();
    assert!(
        missing.is_empty(),
        "certbot's keys without a flag: {missing:?}"
    );
}

#[test]
fn no_reuse_key_unsets_reuse_key_and_new_key_reuse_key_sets_it() {
    let get_params = |args: &[&str]| {
        let c = options(args);
        let mut params = RenewalParams::default();
        conf_values(&c, &[], &mut params);
        params
    };
    let off = get_params(&["certonly", "--reuse-key", "--no-reuse-key"]);
    assert!(off.remove.contains(&"reuse_key".to_string()));
    assert!(off.get("reuse_key").is_none());
    let on = get_params(&["certonly", "--new-key", "--reuse-key"]);
    assert!(matches!(
        on.get("reuse_key"),
        Some(crate::storage::ParamValue::Scalar(v)) if v == "True"
    ));
    assert!(!on.remove.contains(&"reuse_key".to_string()));
}
