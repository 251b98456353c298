//! Golden edit tests: `fixtures/apache/edits/<case>/before.conf` is put into a copy of a
//! corpus Debian tree (as `target`, linked from `sites-enabled`), the whole tree is loaded,
//! the case's edit is applied through the library, the file must then equal `after.conf`
//! (no other file may change), and the real `apache2 -t` must accept the edited tree.
//!
//! `UPDATE_GOLDEN=1 cargo test --test apache edits` rewrites the `after.conf` files
//! (review the diff before committing).

use super::common::*;
use certsmith::installer::apache::{self, FileId, Loaded, NodeId};
use certsmith::syntax::apache::{Directive, Word, edit::parse_snippet};
use certsmith::syntax::path::{Path as AugPath, select};
use std::path::Path;

struct Case {
    name: &'static str,
    tree: &'static str,
    target: &'static str,
    edit: fn(&mut Loaded, FileId),
}

fn words(values: &[&str]) -> Vec<Word> {
    values.iter().map(|v| Word::new(v).unwrap()).collect()
}

fn directive(name: &str, values: &[&str]) -> certsmith::syntax::apache::Node {
    Directive::new(name, words(values)).unwrap().into()
}

/// The first node reached from the top of `file` by following `names` (case-insensitive).
fn find(loaded: &Loaded, file: FileId, names: &[&str]) -> NodeId {
    let mut path = Vec::new();
    for name in names {
        let body = loaded.files()[file].tree.body.body_at(&path).unwrap();
        let i = body
            .nodes
            .iter()
            .position(|n| n.is_named(name))
            .unwrap_or_else(|| panic!("no {name} in {path:?}"));
        path.push(i);
    }
    NodeId { file, path }
}

const CASES: &[Case] = &[
    Case {
        name: "push-tabbed",
        tree: "vhost_with_tls",
        target: "sites-available/example.conf",
        edit: |l, f| {
            let vhost = find(l, f, &["VirtualHost"]);
            l.push(
                Some(&vhost),
                directive("Redirect", &["permanent", "/", "https://example.com/"]),
            )
            .unwrap();
        },
    },
    Case {
        name: "insert-after-spaces",
        tree: "vhost_with_tls",
        target: "sites-available/example-ssl.conf",
        edit: |l, f| {
            let engine = find(l, f, &["VirtualHost", "SSLEngine"]);
            l.insert_after(
                &engine,
                directive("SSLProtocol", &["-all", "+TLSv1.2", "+TLSv1.3"]),
            )
            .unwrap();
        },
    },
    Case {
        name: "remove-keeps-comments",
        tree: "simple_vhost",
        target: "sites-available/example.conf",
        edit: |l, f| {
            // Back to front: ErrorLog (comments above it stay), then ServerAdmin.
            let error_log = find(l, f, &["VirtualHost", "ErrorLog"]);
            let admin = find(l, f, &["VirtualHost", "ServerAdmin"]);
            l.remove(&error_log).unwrap();
            l.remove(&admin).unwrap();
        },
    },
    Case {
        name: "replace-quoted",
        tree: "two_vhost_80",
        target: "sites-available/encryption-example.conf",
        edit: |l, f| {
            let root = find(l, f, &["VirtualHost", "DocumentRoot"]);
            l.replace(&root, directive("DocumentRoot", &["/var/www/my site"]))
                .unwrap();
        },
    },
    Case {
        name: "remove-section",
        tree: "two_vhost_80",
        target: "sites-available/encryption-example.conf",
        edit: |l, f| {
            let vhost = find(l, f, &["VirtualHost"]);
            let body = &l.node(&vhost).unwrap().body().unwrap().nodes;
            let i = body.iter().rposition(|n| n.is_named("Directory")).unwrap();
            let mut path = vhost.path.clone();
            path.push(i);
            l.remove(&NodeId { file: f, path }).unwrap();
        },
    },
    Case {
        name: "set-args-continuation",
        tree: "vhost_with_tls",
        target: "sites-available/default-ssl.conf",
        edit: |l, f| {
            let browser = find(l, f, &["IfModule", "VirtualHost", "BrowserMatch"]);
            l.set_args(
                &browser,
                words(&[
                    "MSIE [2-5]",
                    "nokeepalive",
                    "downgrade-1.0",
                    "force-response-1.0",
                    "ssl-unclean-shutdown",
                ]),
            )
            .unwrap();
        },
    },
    Case {
        name: "ssl-vhost-template",
        tree: "vhost_with_tls",
        target: "sites-available/example.conf",
        edit: |l, f| {
            // What the installer will do: a constant template, user values through Word::new.
            const TEMPLATE: &[u8] = b"<IfModule mod_ssl.c>\n<VirtualHost *:443>\n    ServerName placeholder\n    DocumentRoot placeholder\n\n    SSLEngine on\n    SSLCertificateFile placeholder\n    SSLCertificateKeyFile placeholder\n</VirtualHost>\n</IfModule>\n";
            let vhost = find(l, f, &["VirtualHost"]);
            let [node] = <[_; 1]>::try_from(parse_snippet(TEMPLATE).unwrap()).unwrap();
            let ifmod = l.insert_after(&vhost, node).unwrap();
            let values = [
                ("ServerName", "example.com"),
                ("DocumentRoot", "/var/www/html"),
                ("SSLCertificateFile", "/etc/ssl/certs/ssl-cert-snakeoil.pem"),
                (
                    "SSLCertificateKeyFile",
                    "/etc/ssl/private/ssl-cert-snakeoil.key",
                ),
            ];
            for (name, value) in values {
                let node = find(l, f, &["IfModule", "VirtualHost", name]);
                assert_eq!(node.path[0], ifmod.path[0]);
                l.set_args(&node, words(&[value])).unwrap();
            }
        },
    },
    Case {
        name: "crlf",
        tree: "vhost_with_tls",
        target: "sites-available/crlf.conf",
        edit: |l, f| {
            let vhost = find(l, f, &["VirtualHost"]);
            l.push(
                Some(&vhost),
                directive("ServerAlias", &["www.crlf.example"]),
            )
            .unwrap();
            let admin = find(l, f, &["VirtualHost", "ServerAdmin"]);
            l.remove(&admin).unwrap();
        },
    },
    Case {
        name: "two-closing-tags",
        tree: "vhost_with_tls",
        target: "sites-available/two-blocks.conf",
        edit: |l, f| {
            let ifmod = find(l, f, &["IfModule"]);
            l.push(Some(&ifmod), directive("Listen", &["8443", "https"]))
                .unwrap();
            let vhost = find(l, f, &["IfModule", "VirtualHost"]);
            l.push(
                Some(&vhost),
                directive("ServerAlias", &["www.somethingnewentertainment.com"]),
            )
            .unwrap();
        },
    },
    Case {
        name: "no-final-newline",
        tree: "simple_vhost",
        target: "sites-available/no-eol.conf",
        edit: |l, f| {
            let vhost = find(l, f, &["VirtualHost"]);
            l.push(Some(&vhost), directive("ServerAlias", &["b.example"]))
                .unwrap();
            l.push_to_file(f, directive("Define", &["CERTSMITH_TEST"]))
                .unwrap();
        },
    },
    Case {
        name: "continued-header",
        tree: "simple_vhost",
        target: "sites-available/continued.conf",
        edit: |l, f| {
            let vhost = find(l, f, &["VirtualHost"]);
            l.set_args(&vhost, words(&["127.0.0.1:80", "[::1]:80"]))
                .unwrap();
            l.push(Some(&vhost), directive("ServerAlias", &["www.default"]))
                .unwrap();
        },
    },
    Case {
        name: "path-in-included-file",
        tree: "simple_vhost",
        target: "sites-available/example.conf",
        edit: |l, _| {
            let path =
                AugPath::parse("VirtualHost[ServerName=\"www.example.com\"]/DocumentRoot").unwrap();
            let found = select(&*l, &path);
            assert_eq!(found.len(), 1);
            l.set_args(&found[0].node, words(&["/srv/www.example.com"]))
                .unwrap();
        },
    },
];

fn run_case(case: &Case) -> Result<(), String> {
    let dir = repo().join("fixtures/apache/edits").join(case.name);
    let before = std::fs::read(dir.join("before.conf")).map_err(|e| format!("before.conf: {e}"))?;
    let tmp = TempDir::new(case.name);
    let root = tmp.path().join("apache2");
    copy_tree(
        &corpus().join("trees").join(case.tree).join("apache2"),
        &root,
    );
    let target = root.join(case.target);
    std::fs::write(&target, &before).unwrap();
    let file_name = Path::new(case.target).file_name().unwrap();
    let link = root.join("sites-enabled").join(file_name);
    if !link.exists() {
        std::os::unix::fs::symlink(Path::new("../sites-available").join(file_name), &link).unwrap();
    }
    let layout = apache::detect(Some(&root)).unwrap();
    let mut options = layout.options().unwrap();
    options.follow_server_root = false;
    let mut loaded = apache::load(&options).map_err(|e| e.to_string())?;
    let real = std::fs::canonicalize(&target).unwrap();
    let file = loaded
        .files()
        .iter()
        .position(|f| f.real_path == real && f.enabled)
        .ok_or("target not read by the tree")?;
    (case.edit)(&mut loaded, file);
    let changed = loaded.changed_files();
    if changed.len() != 1 || std::fs::canonicalize(&changed[0].0).unwrap() != real {
        return Err(format!(
            "changed files: {:?}",
            changed.iter().map(|c| &c.0).collect::<Vec<_>>()
        ));
    }
    std::fs::write(&real, &changed[0].2).unwrap();
    let after = &changed[0].2;
    let want = crate::support::golden(&dir.join("after.conf"), after)?;
    if *after != want {
        return Err(format!(
            "result differs from after.conf:\n{}",
            String::from_utf8_lossy(after)
        ));
    }
    let (ok, out) = apache_configtest(
        &root,
        &root.join("apache2.conf"),
        &tmp.path().join("scratch"),
        &[],
    );
    if !ok {
        return Err(format!("apache2 -t rejected the edited tree:\n{out}"));
    }
    Ok(())
}

#[test]
fn golden_edits_pass_apache_configtest() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| run_case(c).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}
