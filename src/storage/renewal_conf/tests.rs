use super::*;

const CERTBOT: &str = "# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/a.example
cert = /etc/letsencrypt/live/a.example/cert.pem
privkey = /etc/letsencrypt/live/a.example/privkey.pem
chain = /etc/letsencrypt/live/a.example/chain.pem
fullchain = /etc/letsencrypt/live/a.example/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 12767fd4d7124742b5c0832cdad3936e
authenticator = webroot
webroot_path = /var/www/a, /var/www/b
server = https://acme-v02.api.letsencrypt.org/directory
key_type = ecdsa
pref_challs = http-01,
manual_auth_hook = \"echo 'a, b' # not a comment\"
some_future_option = keep me  # a comment
[[webroot_map]]
a.example = /var/www/a
www.a.example = /var/www/b
";

#[test]
fn unchanged_conf_renders_byte_for_byte() {
    let conf = RenewalConf::parse(CERTBOT).unwrap();
    assert_eq!(conf.render(), CERTBOT);
}

#[test]
fn values_lists_and_sections_are_read() {
    let conf = RenewalConf::parse(CERTBOT).unwrap();
    assert_eq!(conf.get(&[], "version").as_deref(), Some("2.1.0"));
    assert_eq!(
        conf.get(PARAMS, "authenticator").as_deref(),
        Some("webroot")
    );
    assert_eq!(
        conf.get_list(PARAMS, "webroot_path"),
        vec!["/var/www/a", "/var/www/b"]
    );
    assert_eq!(conf.get_list(PARAMS, "pref_challs"), vec!["http-01"]);
    assert_eq!(
        conf.get(PARAMS, "manual_auth_hook").as_deref(),
        Some("echo 'a, b' # not a comment")
    );
    assert_eq!(
        conf.get(PARAMS, "some_future_option").as_deref(),
        Some("keep me")
    );
    assert_eq!(
        conf.entries(WEBROOT_MAP),
        vec![
            ("a.example".into(), "/var/www/a".into()),
            ("www.a.example".into(), "/var/www/b".into())
        ]
    );
    assert_eq!(
        conf.get(PARAMS, "a.example"),
        None,
        "subsection keys are not the parent's"
    );
}

#[test]
fn set_touches_only_its_line_and_new_keys_go_before_subsections() {
    let mut conf = RenewalConf::parse(CERTBOT).unwrap();
    conf.set(PARAMS, "authenticator", "standalone");
    conf.set(PARAMS, "http01_port", "8080");
    conf.set(&[], "version", "0.1.0");
    let text = conf.render();
    let before: Vec<&str> = CERTBOT.lines().collect();
    let after: Vec<&str> = text.lines().collect();
    assert_eq!(after.len(), before.len() + 1);
    assert!(text.contains("authenticator = standalone\n"));
    assert!(text.contains(
        "some_future_option = keep me  # a comment\nhttp01_port = 8080\n[[webroot_map]]"
    ));
    let back = RenewalConf::parse(&text).unwrap();
    assert_eq!(back.get(PARAMS, "http01_port").as_deref(), Some("8080"));
    assert_eq!(back.entries(WEBROOT_MAP).len(), 2);
}

#[test]
fn quoting_round_trips_awkward_values() {
    let mut conf = RenewalConf::default();
    for value in [
        "plain",
        "a, b",
        "has # hash",
        " padded ",
        "say \"hi\"",
        "both ' and \"",
        "",
    ] {
        conf.set(PARAMS, "k", value);
        let back = RenewalConf::parse(&conf.render()).unwrap();
        assert_eq!(back.get(PARAMS, "k").as_deref(), Some(value), "{value:?}");
    }
    conf.set_list(PARAMS, "l", &["x".into(), "y, z".into()]);
    let back = RenewalConf::parse(&conf.render()).unwrap();
    assert_eq!(back.get_list(PARAMS, "l"), vec!["x", "y, z"]);
}

#[test]
fn new_sections_are_created_in_order() {
    let mut conf = RenewalConf::parse("version = 1\n").unwrap();
    conf.replace_entries(WEBROOT_MAP, &[("a".into(), "/w".into())]);
    conf.set(PARAMS, "authenticator", "webroot");
    assert_eq!(
        conf.render(),
        "version = 1\n[renewalparams]\nauthenticator = webroot\n[[webroot_map]]\na = /w\n"
    );
    conf.replace_entries(WEBROOT_MAP, &[("b".into(), "/v".into())]);
    assert_eq!(
        conf.entries(WEBROOT_MAP),
        vec![("b".to_string(), "/v".to_string())]
    );
}

#[test]
fn malformed_lines_name_the_line() {
    let err = RenewalConf::parse("version = 1\nthis is not valid\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(RenewalConf::parse("[renewalparams\n").is_err());
    assert!(RenewalConf::parse(" = x\n").is_err());
}
