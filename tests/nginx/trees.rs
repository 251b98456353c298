//! Whole trees: the corpus trees load with includes followed; include
//! resolution (globs, relative paths, cycles, missing files) as nginx does.
//!
//! The corpus trees name their files as `/etc/nginx/...`; they are loaded
//! with `LoadOptions::map_prefix` = (`/etc/nginx`, the tree's directory),
//! which reads those paths from the tree instead (no mount namespace needed).

use crate::util::{TempDir, repo};
use certsmith::installer::nginx::{ListenAddress, LoadError, LoadOptions, MatchKind, NginxConfig};
use certsmith::syntax::path::{self, Path as TreePath};
use std::path::{Path, PathBuf};

fn load_tree(dir: &Path) -> Result<NginxConfig, LoadError> {
    let options = LoadOptions {
        map_prefix: Some((PathBuf::from("/etc/nginx"), dir.to_path_buf())),
    };
    NginxConfig::load_with(&dir.join("nginx.conf"), &options)
}

#[test]
fn corpus_trees_load_with_includes() {
    let trees = [
        ("great-nginx-config/stuff", 1),
        ("lots/nginx", 40),
        ("site-10033/nginx", 1),
        ("site-14402/nginx", 1),
    ];
    let mut failures = Vec::new();
    for (tree, min_servers) in trees {
        let dir = repo().join("fixtures/corpus/nginx/trees").join(tree);
        match load_tree(&dir) {
            Ok(config) => {
                let servers = config.servers();
                if servers.len() < min_servers {
                    failures.push(format!("{tree}: {} servers", servers.len()));
                }
                if config.files.len() < 3 {
                    failures.push(format!("{tree}: only {} files loaded", config.files.len()));
                }
                for f in &config.files {
                    if f.doc.print() != f.original {
                        failures.push(format!("{}: round trip", f.path.display()));
                    }
                }
                // mime.types is spliced into http: `types` is visible under it.
                let types = path::select(&config, &TreePath::parse("http/types").expect("path"));
                if types.len() != 1 {
                    failures.push(format!("{tree}: http/types found {} times", types.len()));
                }
            }
            Err(e) => failures.push(format!("{tree}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn servers_listens_and_names_from_a_corpus_tree() {
    let config = load_tree(&repo().join("fixtures/corpus/nginx/trees/great-nginx-config/stuff"))
        .expect("load");
    let servers = config.servers();
    let default = &servers[0];
    assert!(default.file.ends_with("sites-enabled/default"));
    let listens = default.effective_listens();
    assert!(
        listens
            .iter()
            .any(|l| l.default_server && l.port == Some(80) && l.address == ListenAddress::Any)
    );
    assert!(listens.iter().any(|l| l.is_ipv6() && l.port == Some(80)));
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn includes_resolve_like_nginx() {
    let t = TempDir::new("includes");
    let d = t.path();
    write(
        d,
        "nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n    include 'sites/x y';\n    include \"none/*.conf\";\n}\n",
    );
    // Relative includes resolve against the main file's directory, even from conf.d/.
    write(
        d,
        "conf.d/b.conf",
        "server { listen 81; server_name b.test; include snippets/common; }\n",
    );
    write(
        d,
        "conf.d/a.conf",
        "server { listen 80; server_name a.test *.a.test; }\n",
    );
    write(d, "conf.d/.hidden.conf", "server { listen 99; }\n");
    write(d, "conf.d/c.txt", "this is not included\n");
    write(d, "snippets/common", "root /srv;\n");
    write(
        d,
        "sites/x y",
        "server { listen [::]:443 ssl; server_name ~^www\\d+\\.c\\.test$; }\n",
    );
    let config = NginxConfig::load(d).expect("load");
    let servers = config.servers();
    let names: Vec<String> = servers
        .iter()
        .map(|s| config.file_of(&s.node).expect("file").display().to_string())
        .collect();
    assert!(
        names[0].ends_with("conf.d/a.conf")
            && names[1].ends_with("conf.d/b.conf")
            && names[2].ends_with("sites/x y"),
        "{names:?}"
    );
    let root = path::select(
        &config,
        &TreePath::parse("http/server[2]/root").expect("path"),
    );
    assert_eq!(root.len(), 1, "snippet spliced into the server");
    assert_eq!(
        config
            .server_for_host("x.a.test")
            .map(|(s, m)| (s.node, m.kind)),
        Some((servers[0].node.clone(), MatchKind::LeadingWildcard))
    );
    assert_eq!(
        config.server_for_host("www3.c.test").map(|(_, m)| m.kind),
        Some(MatchKind::Regex)
    );
}

#[test]
fn missing_include_is_a_positioned_error() {
    let t = TempDir::new("missing");
    write(
        t.path(),
        "nginx.conf",
        "events {}\nhttp {\n    include  missing.conf;\n}\n",
    );
    let e = NginxConfig::load(t.path())
        .expect_err("missing include")
        .to_string();
    assert!(
        e.contains("nginx.conf:3:5: include \"missing.conf\": cannot open"),
        "{e}"
    );
}

#[test]
fn include_cycles_are_errors() {
    let t = TempDir::new("cycle");
    write(t.path(), "nginx.conf", "http { include a.conf; }\n");
    write(t.path(), "a.conf", "include b.conf;\n");
    write(t.path(), "b.conf", "\n  include a.conf;\n");
    let e = NginxConfig::load(t.path()).expect_err("cycle").to_string();
    assert!(
        e.contains("b.conf:2:3: include cycle:") && e.contains("a.conf -> "),
        "{e}"
    );
}

#[test]
fn parse_errors_name_the_file() {
    let t = TempDir::new("parse-error");
    write(t.path(), "nginx.conf", "http { include x.conf; }\n");
    write(t.path(), "x.conf", "server {\n  listen 80\n}\n");
    let e = NginxConfig::load(t.path())
        .expect_err("parse error")
        .to_string();
    assert!(e.ends_with("x.conf:3:1: unexpected \"}\""), "{e}");
}

#[test]
fn a_file_included_twice_is_parsed_once_and_edited_once() {
    let t = TempDir::new("twice");
    write(
        t.path(),
        "nginx.conf",
        "http {\n    server { include common.conf; }\n    server { include common.conf; }\n}\n",
    );
    write(t.path(), "common.conf", "listen 80;\n");
    let mut config = NginxConfig::load(t.path()).expect("load");
    assert_eq!(config.files.len(), 2);
    let listens = path::select(
        &config,
        &TreePath::parse("http/server/listen").expect("path"),
    );
    assert_eq!(listens.len(), 2, "seen under both servers");
    assert_eq!(listens[0].node, listens[1].node, "one directive");
    let node = listens[0].node.clone();
    config
        .doc_mut(node.file)
        .expect("doc")
        .set_args(
            &node.path,
            [certsmith::syntax::nginx::Word::new("8080").expect("word")],
        )
        .expect("set");
    let changed = config.changed_files();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].2, b"listen 8080;\n");
}

#[test]
fn installer_style_edit_through_node_refs() {
    use certsmith::syntax::nginx::{Directive, Word};
    let t = TempDir::new("node-edits");
    write(
        t.path(),
        "nginx.conf",
        "error_log error.log;\npid nginx.pid;\nevents {}\nhttp {\n\tinclude sites/*;\n}\n",
    );
    write(
        t.path(),
        "sites/a",
        "server {\n\tlisten 80;\n\tserver_name a.test;\n}\n",
    );
    let mut config = NginxConfig::load(t.path()).expect("load");
    let (server, how) = config.server_for_host("a.test").expect("server");
    assert_eq!(how.kind, MatchKind::Exact);
    let listen = Directive::new(
        "listen",
        [Word::new("8443").expect("w"), Word::new("ssl").expect("w")],
    )
    .expect("d");
    let at = config.push(&server.node, listen).expect("push");
    config
        .set_comment(&at, "managed by certsmith")
        .expect("comment");
    for (name, file) in [
        ("ssl_certificate", "cert.pem"),
        ("ssl_certificate_key", "key.pem"),
    ] {
        let d = Directive::new(name, [Word::new(file).expect("w")]).expect("d");
        config.push(&server.node, d).expect("push");
        std::fs::copy(
            repo().join("fixtures/nginx/tls").join(file),
            t.path().join(file),
        )
        .expect("copy");
    }
    let http = config
        .top()
        .into_iter()
        .find(|n| config.directive(n).is_some_and(|d| d.is("http")))
        .expect("http");
    let redirect = config
        .push_template(
            &http,
            b"server {\n    listen 8080;\n    return 301 https://$host$request_uri;\n}",
        )
        .expect("template");
    config
        .set_comment(&redirect, "managed by certsmith")
        .expect("comment");
    let changed = config.changed_files();
    assert_eq!(changed.len(), 2);
    for (file, _, after) in &changed {
        std::fs::write(file, after).expect("write");
    }
    assert_eq!(
        std::fs::read_to_string(t.path().join("sites/a")).expect("read"),
        "server {\n\tlisten 80;\n\tserver_name a.test;\n\tlisten 8443 ssl; # managed by certsmith\n\tssl_certificate cert.pem;\n\tssl_certificate_key key.pem;\n}\n"
    );
    assert!(std::fs::read_to_string(t.path().join("nginx.conf")).expect("read").ends_with(
        "\tinclude sites/*;\n\tserver { # managed by certsmith\n\t\tlisten 8080;\n\t\treturn 301 https://$host$request_uri;\n\t}\n}\n"
    ));
    crate::util::nginx_t(t.path()).expect("nginx -t accepts the result");
}
