use super::*;

fn resolve(words: &[&str]) -> Result<Options, UsageError> {
    let args = super::super::args::parse(words.iter().map(|w| w.to_string()))?;
    Options::resolve(args, FlagSet::builtin())
}

#[test]
fn quiet_implies_non_interactive() {
    let o = resolve(&["-q", "renew"]).unwrap();
    assert!(o.output.quiet && o.output.non_interactive);
    assert!(!o.output.interactive());
    let o = resolve(&["renew"]).unwrap();
    assert!(!o.output.non_interactive);
    let o = resolve(&["--quiet", "--force-interactive"]).unwrap();
    assert!(!o.output.interactive(), "-q wins over --force-interactive");
}

#[test]
fn webroot_map_names_are_domains() {
    let o = resolve(&["--webroot-map", r#"{"a.com,b.com": "/w", "c.com": "/v"}"#]).unwrap();
    assert_eq!(o.cert.domains, ["a.com", "b.com", "c.com"]);
    // As in Certbot, the map adds its names after -d's, once each.
    let o = resolve(&[
        "-d",
        "c.com,z.com",
        "--webroot-map",
        r#"{"a.com":"/w","c.com":"/w"}"#,
    ])
    .unwrap();
    assert_eq!(o.cert.domains, ["c.com", "z.com", "a.com"]);
    let e = resolve(&["--webroot-map", "[1]"]).unwrap_err();
    assert!(
        e.0.starts_with("--webroot-map: not a JSON object"),
        "{}",
        e.0
    );
    // A lineage's stored map (renewal) asks for no names.
    let renew = resolve(&["renew"]).unwrap();
    let stored = vec![super::super::args::Occurrence {
        flag: &t::WEBROOT_MAP,
        value: super::super::args::Value::Text(r#"{"a.com": "/w"}"#.into()),
        source: super::super::args::Source::File {
            path: "x.conf".into(),
            line: 1,
        },
    }];
    assert!(renew.under(stored).unwrap().cert.domains.is_empty());
}

#[test]
fn no_reuse_key_turns_reuse_off_and_new_key_leaves_it() {
    assert_eq!(
        resolve(&["--reuse-key"]).unwrap().cert.reuse_key,
        Some(true)
    );
    assert_eq!(
        resolve(&["--no-reuse-key"]).unwrap().cert.reuse_key,
        Some(false)
    );
    let new_key = resolve(&["--new-key"]).unwrap();
    assert_eq!(new_key.cert.reuse_key, None, "--new-key leaves reuse alone");
    assert!(new_key.cert.new_key);
    let both = resolve(&["--new-key", "--reuse-key"]).unwrap();
    assert_eq!((both.cert.reuse_key, both.cert.new_key), (Some(true), true));
    assert_eq!(
        resolve(&["--no-reuse-key", "--reuse-key"])
            .unwrap()
            .cert
            .reuse_key,
        Some(true)
    );
    assert_eq!(resolve(&[]).unwrap().cert.reuse_key, None);
}

#[test]
fn configurator_names_both_plugins() {
    let o = resolve(&["--configurator", "nginx"]).unwrap();
    assert_eq!(o.plugins.authenticator.as_deref(), Some("nginx"));
    assert_eq!(o.plugins.installer.as_deref(), Some("nginx"));
    let o = resolve(&["--configurator", "nginx", "-i", "nginx"]).unwrap();
    assert_eq!(o.plugins.installer.as_deref(), Some("nginx"));
    let e = resolve(&["--configurator", "nginx", "-a", "webroot"]).unwrap_err();
    assert_eq!(
        e.0,
        "--configurator nginx conflicts with --authenticator webroot"
    );
}

#[test]
fn invoked_as_certbot_certbots_dirs_and_log_name() {
    assert_eq!(Defaults::for_program("/usr/bin/certbot"), Defaults::CERTBOT);
    assert_eq!(Defaults::for_program("certbot"), Defaults::CERTBOT);
    assert_eq!(
        Defaults::for_program("/usr/bin/certsmith"),
        Defaults::CERTSMITH
    );
    assert_eq!(Defaults::for_program("certbot-auto"), Defaults::CERTSMITH);
    let args = super::super::args::parse(["renew".to_string()]).unwrap();
    let o = Options::resolve_with(args, FlagSet::builtin(), Defaults::CERTBOT).unwrap();
    assert_eq!(o.paths.work_dir, PathBuf::from("/var/lib/letsencrypt"));
    assert_eq!(o.paths.logs_dir, PathBuf::from("/var/log/letsencrypt"));
    assert_eq!(o.paths.log_file, "letsencrypt.log");
    assert_eq!(o.paths.config_dir, PathBuf::from("/etc/letsencrypt"));
    // Kept through a lineage's options; a flag still wins.
    let again = o.under(Vec::new()).unwrap();
    assert_eq!(again.paths.work_dir, PathBuf::from("/var/lib/letsencrypt"));
    let args =
        super::super::args::parse(["--work-dir", "/w", "--logs-dir", "/l"].map(String::from))
            .unwrap();
    let o = Options::resolve_with(args, FlagSet::builtin(), Defaults::CERTBOT).unwrap();
    assert_eq!(o.paths.work_dir, PathBuf::from("/w"));
    assert_eq!(o.paths.logs_dir, PathBuf::from("/l"));
    let o = resolve(&[]).unwrap();
    assert_eq!(o.paths.work_dir, PathBuf::from("/var/lib/certsmith"));
    assert_eq!(o.paths.log_file, "certsmith.log");
}
