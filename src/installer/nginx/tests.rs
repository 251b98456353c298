//! Unit tests of the installer's choices on small configurations (the
//! corpus, golden diffs and real nginx are in tests/nginx_installer/).

use super::challenge::{self, Token};
use super::redirect::already_redirects;
use super::view::View;
use super::*;
use std::path::Path;

struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new(conf: &str) -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        Scratch(dir)
    }
    fn load(&self) -> NginxConfig {
        NginxConfig::load(self.0.path()).unwrap()
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
}

fn request(names: &[&str], enhance: Enhancements) -> InstallRequest {
    InstallRequest {
        names: names.iter().map(|n| n.to_string()).collect(),
        cert: Some(CertFiles {
            fullchain: "/le/live/a/fullchain.pem".into(),
            key: "/le/live/a/privkey.pem".into(),
        }),
        chain: Some("/le/live/a/chain.pem".into()),
        options: Some("/le/certsmith-options-ssl-nginx.conf".into()),
        https_port: 443,
        http_port: 80,
        enhance,
    }
}

fn main_after(config: &NginxConfig) -> String {
    String::from_utf8(config.main().doc.print()).unwrap()
}

#[test]
fn a_server_on_a_specific_address_answers_there_alone() {
    // nginx sends connections to 192.0.2.1:80 to the servers listening on
    // exactly that address; the `*:80` server answers everywhere else.
    let s = Scratch::new(
        "events {}\nhttp {\n  server { listen 192.0.2.1:80; server_name a.example; }\n  server { listen 80; server_name a.example; }\n  server { listen 80; server_name *.example; }\n}\n",
    );
    let config = s.load();
    let view = View::new(&config);
    assert_eq!(view.plain_winners("a.example", 80).0, vec![0, 1]);
    // The wildcard only wins where no exact name does.
    assert_eq!(view.plain_winners("b.example", 80).0, vec![2]);
    assert!(view.tls_winners("a.example").0.is_empty());
}

#[test]
fn install_prefers_the_block_already_on_tls() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name a.example;\n        return 301 https://$host$request_uri;\n    }\n    server {\n        listen 443 ssl;\n        server_name a.example;\n        ssl_certificate /old.pem;\n        ssl_certificate_key /old.key;\n    }\n}\n",
    );
    let mut config = s.load();
    let report = install(
        &mut config,
        &request(&["a.example"], Enhancements::default()),
    )
    .unwrap();
    let out = main_after(&config);
    assert!(
        out.contains("ssl_certificate /le/live/a/fullchain.pem; # managed by certsmith"),
        "{out}"
    );
    assert!(!out.contains("/old.pem"));
    // The plain block is left alone: no second `listen 443`.
    assert_eq!(out.matches("listen 443").count(), 1, "{out}");
    assert_eq!(report.lines.len(), 1, "{report:?}");
}

#[test]
fn redirect_is_found_where_it_already_is() {
    let s = Scratch::new(
        "events {}\nhttp {\n  server { listen 80; server_name a.example; return 301 https://$host$request_uri; }\n  server { listen 80; server_name b.example c.example; if ($host = b.example) { return 301 https://$host$request_uri; } }\n  server { listen 80; server_name d.example; if ($scheme != \"https\") { return 302 https://d.example$request_uri; } }\n  server { listen 80; server_name e.example; return 404; }\n}\n",
    );
    let config = s.load();
    let servers = config.servers();
    assert!(already_redirects(&config, &servers[0], "a.example"));
    assert!(already_redirects(&config, &servers[1], "b.example"));
    assert!(!already_redirects(&config, &servers[1], "c.example"));
    assert!(already_redirects(&config, &servers[2], "d.example"));
    assert!(!already_redirects(&config, &servers[3], "e.example"));
}

#[test]
fn a_name_nobody_serves_without_a_default_server_is_an_error_listing_blocks() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name a.example;\n    }\n}\n",
    );
    let mut config = s.load();
    let err = install(
        &mut config,
        &request(&["z.example"], Enhancements::default()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("no nginx server block serves z.example"),
        "{err}"
    );
    assert!(err.contains("nginx.conf:3 (a.example)"), "{err}");
    assert!(config.changed_files().is_empty());
}

#[test]
fn a_regex_certsmith_cannot_evaluate_stops_the_install() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name ~^(?!www)\\w+\\.a\\.example$;\n    }\n}\n",
    );
    let mut config = s.load();
    let err = install(
        &mut config,
        &request(&["shop.a.example"], Enhancements::default()),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("cannot tell which server block"), "{err}");
    assert!(err.contains("nginx.conf:3"), "{err}");
}

#[test]
fn enhance_needs_a_tls_block() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name a.example;\n    }\n}\n",
    );
    let mut config = s.load();
    let mut r = request(
        &["a.example"],
        Enhancements {
            hsts: true,
            ..Default::default()
        },
    );
    r.cert = None;
    let err = install(&mut config, &r).unwrap_err().to_string();
    assert!(
        err.contains("no nginx server block serves a.example over TLS"),
        "{err}"
    );
}

#[test]
fn stapling_lines_are_added_once() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        server_name a.example;\n        ssl_stapling off;\n    }\n}\n",
    );
    let mut config = s.load();
    let r = request(
        &["a.example"],
        Enhancements {
            staple_ocsp: true,
            ..Default::default()
        },
    );
    install(&mut config, &r).unwrap();
    let out = main_after(&config);
    assert!(
        out.contains("ssl_stapling on; # managed by certsmith"),
        "{out}"
    );
    assert!(
        out.contains("ssl_stapling_verify on; # managed by certsmith"),
        "{out}"
    );
    assert!(out.contains("ssl_trusted_certificate /le/live/a/chain.pem; # managed by certsmith"));
    std::fs::write(s.path().join("nginx.conf"), &out).unwrap();
    let mut again = s.load();
    install(&mut again, &r).unwrap();
    assert!(again.changed_files().is_empty(), "{}", main_after(&again));
}

fn token(name: &str) -> Token {
    Token {
        name: name.into(),
        token: format!("tok-{name}"),
        key_authorization: format!("tok-{name}.thumb"),
    }
}

#[test]
fn challenges_go_into_the_serving_blocks_or_a_temporary_block() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:80;\n        server_name a.example;\n        return 301 https://$host$request_uri;\n    }\n    server {\n        listen 80;\n        server_name b.example;\n    }\n}\n",
    );
    let mut config = s.load();
    let probes = challenge::add(
        &mut config,
        &[token("a.example"), token("b.example"), token("c.example")],
        80,
    )
    .unwrap();
    let out = main_after(&config);
    // The redirecting block lets challenge paths through first.
    assert!(
        out.contains("server {\n        rewrite ^(/\\.well-known/acme-challenge/.*)$ $1 break;\n        listen 127.0.0.1:80;"),
        "{out}"
    );
    assert!(out.contains(
        "location = /.well-known/acme-challenge/tok-a.example {\n            default_type text/plain;\n            return 200 tok-a.example.thumb;\n        }"
    ));
    // The block without server-level rewrites gets no rewrite.
    assert_eq!(out.matches("rewrite ").count(), 1, "{out}");
    // c.example: a temporary block on every address port 80 is used on.
    assert!(
        out.contains("server {\n        listen 127.0.0.1:80;\n        listen 80;\n        server_name c.example;"),
        "{out}"
    );
    let hosts: Vec<(&str, &str)> = probes
        .iter()
        .map(|p| (p.host.as_str(), p.address.as_str()))
        .collect();
    assert!(hosts.contains(&("a.example", "127.0.0.1")));
    assert!(hosts.contains(&("c.example", "127.0.0.1")));
    assert_eq!(probes.len(), 3);
}

#[test]
fn challenge_values_are_quoted_or_refused() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name a.example;\n    }\n}\n",
    );
    let mut config = s.load();
    let mut bad = token("a.example");
    bad.key_authorization = "x; return 500;\n".into();
    assert!(challenge::add(&mut config, &[bad], 80).is_err());
    let mut config = s.load();
    let mut odd = token("a.example");
    odd.key_authorization = "x; }".into();
    challenge::add(&mut config, &[odd], 80).unwrap();
    let reparsed = crate::syntax::nginx::Document::parse(&config.main().doc.print()).unwrap();
    let all = reparsed.walk();
    let ret = all
        .iter()
        .find(|(_, d)| d.is("return") && d.args().next().is_some_and(|a| a.is("200")))
        .unwrap();
    assert_eq!(ret.1.args().nth(1).unwrap().value_str(), "x; }");
}

#[test]
fn the_options_file_is_written_once_and_never_over_a_users_edit() {
    let s = Scratch::new("");
    let dir = s.path();
    let plan = options::plan(dir).unwrap();
    assert_eq!(plan.files.len(), 3, "options, its digest, dhparams");
    for f in &plan.files {
        std::fs::write(&f.path, &f.bytes).unwrap();
    }
    let text = std::fs::read_to_string(&plan.path).unwrap();
    assert!(text.contains("ssl_protocols TLSv1.2 TLSv1.3;"));
    assert!(text.contains(&format!("ssl_dhparam {}/{DHPARAM_FILE};", dir.display())));
    assert!(
        options::plan(dir).unwrap().files.is_empty(),
        "current: nothing to write"
    );
    // Ours but outdated (the digest matches): brought up to date.
    std::fs::write(&plan.path, "ssl_protocols TLSv1.2;\n").unwrap();
    let digest = plan
        .files
        .iter()
        .find(|f| f.path.to_string_lossy().ends_with(".sha256"))
        .unwrap();
    let sha = ring::digest::digest(&ring::digest::SHA256, b"ssl_protocols TLSv1.2;\n");
    let hex: String = sha.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&digest.path, format!("{hex}\n")).unwrap();
    let update = options::plan(dir).unwrap();
    assert_eq!(update.files.len(), 2, "{update:?}");
    assert!(update.note.is_none());
    // Changed by hand: left alone, and said so.
    std::fs::write(&plan.path, "ssl_protocols TLSv1.3;\n").unwrap();
    let mine = options::plan(dir).unwrap();
    assert!(mine.files.is_empty());
    assert!(mine.note.unwrap().contains("changed by hand"));
}

#[test]
fn wildcard_blocks_covered_by_the_certificate_are_split() {
    let s = Scratch::new(
        "events {}\nhttp {\n    server {\n        listen 80;\n        server_name *.w.example;\n    }\n}\n",
    );
    let mut config = s.load();
    install(
        &mut config,
        &request(
            &["*.w.example"],
            Enhancements {
                redirect: true,
                ..Default::default()
            },
        ),
    )
    .unwrap();
    let out = main_after(&config);
    assert!(
        out.contains("server { # managed by certsmith\n        listen 80; # managed by certsmith\n        server_name *.w.example; # managed by certsmith\n        return 301 https://$host$request_uri;"),
        "{out}"
    );
}
