use super::*;
use crate::cli::table::*;

fn p(args: &[&str]) -> Result<RawArgs, UsageError> {
    parse(args.iter().map(|s| s.to_string()))
}

#[test]
fn verb_may_stand_anywhere() {
    let a = p(&["-d", "a.com", "certonly", "--standalone"]).unwrap();
    assert_eq!(a.verb, Some("certonly"));
    assert!(a.flag(&STANDALONE));
    assert_eq!(a.domains(), ["a.com"]);
}

#[test]
fn domains_repeat_and_split_on_commas() {
    let a = p(&[
        "-d",
        "a.com, b.com",
        "--domains=c.com",
        "-dd.com",
        "--domain",
        "e.com",
    ])
    .unwrap();
    assert_eq!(a.domains(), ["a.com", "b.com", "c.com", "d.com", "e.com"]);
}

#[test]
fn switches_last_one_wins() {
    let a = p(&["--redirect", "--no-redirect"]).unwrap();
    assert_eq!(a.switch(&REDIRECT), Some(false));
    let a = p(&["--no-redirect", "--redirect=true"]).unwrap();
    assert_eq!(a.switch(&REDIRECT), Some(true));
    assert_eq!(a.switch(&HSTS), None);
}

#[test]
fn short_clusters_and_counts() {
    let a = p(&["-nvvq"]).unwrap();
    assert!(a.flag(&NON_INTERACTIVE));
    assert!(a.flag(&QUIET));
    assert_eq!(a.count(&VERBOSE), 2);
}

#[test]
fn positionals_after_the_verb() {
    let a = p(&[
        "conf",
        "get",
        "--nginx-server-root",
        "/x",
        "http/server",
        "--",
        "--weird",
    ])
    .unwrap();
    assert_eq!(a.verb, Some("conf"));
    assert_eq!(a.positionals, ["get", "http/server", "--weird"]);
    assert_eq!(a.value(&NGINX_SERVER_ROOT), Some("/x"));
}

#[test]
fn errors_name_the_flag() {
    assert_eq!(
        p(&["--bogus"]).unwrap_err().0,
        "--bogus: unknown flag (see certsmith --help)"
    );
    assert!(
        p(&["--email"])
            .unwrap_err()
            .0
            .starts_with("--email: needs a value")
    );
    assert!(p(&["-d"]).unwrap_err().0.starts_with("-d: needs a value"));
    assert!(
        p(&["example.com"])
            .unwrap_err()
            .0
            .contains("unknown command")
    );
    assert!(
        p(&["--no-redirect=yes"])
            .unwrap_err()
            .0
            .contains("takes no value")
    );
}

#[test]
fn parsed_values_report_bad_input() {
    let a = p(&["--rsa-key-size", "big"]).unwrap();
    let e = a.parsed::<u32>(&RSA_KEY_SIZE).unwrap_err();
    assert!(
        e.0.starts_with("--rsa-key-size: invalid value \"big\""),
        "{}",
        e.0
    );
    let a = p(&["--rsa-key-size", "4096"]).unwrap();
    assert_eq!(a.parsed::<u32>(&RSA_KEY_SIZE).unwrap(), Some(4096));
}

#[test]
fn ini_defaults_lose_to_the_command_line() {
    let ini =
        "# comment\nemail = file@example.com\nredirect = false\nrsa_key_size = 3072\nagree-tos\n";
    let file = parse_ini(&FlagSet::builtin(), Path::new("cli.ini"), ini).unwrap();
    let a = p(&["-m", "cli@example.com"])
        .unwrap()
        .with_file_defaults(file);
    assert_eq!(a.value(&EMAIL), Some("cli@example.com"));
    assert_eq!(a.switch(&REDIRECT), Some(false));
    assert_eq!(a.value(&RSA_KEY_SIZE), Some("3072"));
    assert!(a.flag(&AGREE_TOS));
}

#[test]
fn ini_errors_have_file_and_line() {
    let e = parse_ini(
        &FlagSet::builtin(),
        Path::new("/etc/x/cli.ini"),
        "\n\nbogus = 1\n",
    )
    .unwrap_err();
    assert_eq!(e.0, "/etc/x/cli.ini:3: unknown option \"bogus\"");
    let e = parse_ini(
        &FlagSet::builtin(),
        Path::new("c.ini"),
        "redirect = maybe\n",
    )
    .unwrap_err();
    assert!(e.0.starts_with("c.ini:1: redirect: expected true or false"));
}

#[test]
fn enumerated_values_name_the_flag_and_the_file() {
    let a = p(&["--key-type", "rsa"]).unwrap();
    assert_eq!(a.one_of(&KEY_TYPE, &["ecdsa", "rsa"]).unwrap(), Some("rsa"));
    let file = parse_ini(
        &FlagSet::builtin(),
        Path::new("/etc/x/cli.ini"),
        "key-type = dsa\n",
    )
    .unwrap();
    let a = p(&[]).unwrap().with_file_defaults(file);
    let e = a.one_of(&KEY_TYPE, &["ecdsa", "rsa"]).unwrap_err();
    assert_eq!(
        e.0,
        "--key-type: \"dsa\" (from /etc/x/cli.ini:1) is not one of ecdsa, rsa"
    );
}

#[test]
fn unambiguous_prefixes_name_their_flag() {
    let a = p(&[
        "--force-renew",
        "--non-inter",
        "--no-redir",
        "--webroot-m={}",
    ])
    .unwrap();
    assert!(a.flag(&FORCE_RENEWAL));
    assert!(a.flag(&NON_INTERACTIVE));
    assert_eq!(a.switch(&REDIRECT), Some(false));
    assert_eq!(a.value(&WEBROOT_MAP), Some("{}"));
    // A prefix of two names of one flag (`--renew-by-default` is an alias
    // of --force-renewal, and --keep/--keep-until-expiring) is that flag.
    let a = p(&["--kee"]).unwrap();
    assert!(a.flag(&KEEP_UNTIL_EXPIRING));
    // The value may follow as the next word, and cli.ini keys work alike.
    let a = p(&["--rsa-key", "4096"]).unwrap();
    assert_eq!(a.value(&RSA_KEY_SIZE), Some("4096"));
    let file = parse_ini(
        &FlagSet::builtin(),
        Path::new("cli.ini"),
        "rsa_key = 3072\n",
    )
    .unwrap();
    assert!(std::ptr::eq(file[0].flag, &RSA_KEY_SIZE));
}

#[test]
fn an_exact_name_beats_a_longer_one_it_prefixes() {
    // --keep is an exact alias, though --keep-until-expiring starts with it;
    // --expand is exact; --hsts is exact though --auto-hsts is not a prefix.
    let a = p(&["--keep", "--expand", "--staging"]).unwrap();
    assert!(a.flag(&KEEP_UNTIL_EXPIRING));
    assert!(a.flag(&EXPAND));
    assert!(a.flag(&STAGING));
    let a = p(&["--installer", "null", "--debug"]).unwrap();
    assert_eq!(a.value(&INSTALLER), Some("null"));
    assert!(a.flag(&DEBUG));
    assert!(!a.flag(&DEBUG_CHALLENGES));
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates() {
    let e = p(&["--cert", "x"]).unwrap_err();
    assert_eq!(
        e.0,
        "--cert: ambiguous option: could match --cert-name, --cert-path"
    );
    let e = p(&["--renew=x"]).unwrap_err();
    assert!(
        e.0.starts_with("--renew: ambiguous option: could match "),
        "{}",
        e.0
    );
    for name in [
        "--renew-before-expiry",
        "--renew-with-new-domains",
        "--renew-by-default",
        "--renew-hook",
    ] {
        assert!(e.0.contains(name), "{name} missing from {}", e.0);
    }
    let e = parse_ini(
        &FlagSet::builtin(),
        Path::new("c.ini"),
        "apache_handle = true\n",
    )
    .unwrap_err();
    assert_eq!(
        e.0,
        "c.ini:1: apache_handle: ambiguous option: could match --apache-handle-modules, --apache-handle-sites"
    );
}
