//! The three Debian trees load with includes followed, and the virtual hosts we find are the
//! ones Apache listed for that tree (`vhosts`, the output of `apache2ctl -S` on its host).

use super::common::*;
use certsmith::installer::apache::{self, Loaded, Version, dump};
use std::collections::BTreeSet;
use std::path::Path;

const TREES: &[&str] = &["simple_vhost", "two_vhost_80", "vhost_with_tls"];

fn load_tree(tree: &str, with_modules_file: bool) -> Loaded {
    let dir = corpus().join("trees").join(tree);
    let layout = apache::detect(Some(&dir.join("apache2"))).unwrap();
    assert_eq!(layout.distro, apache::Distro::Debian);
    let mut options = layout.options().unwrap();
    options.follow_server_root = false;
    if with_modules_file {
        options.modules = Some(dump::parse_modules(
            &std::fs::read_to_string(dir.join("modules")).unwrap(),
        ));
    }
    let version = std::fs::read_to_string(dir.join("version")).unwrap();
    options.version = Version::parse(&version).unwrap();
    apache::load(&options).unwrap_or_else(|e| panic!("{tree}: {e}"))
}

/// A path as Apache printed it (`/etc/apache2/...`) relative to the ServerRoot.
fn relative_to_root(path: &Path, root: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .or_else(|_| path.strip_prefix("/etc/apache2"))
        .unwrap_or(path);
    rel.display().to_string()
}

#[test]
fn trees_list_the_vhosts_apache_saw() {
    let mut failures = Vec::new();
    for tree in TREES {
        let loaded = load_tree(tree, true);
        let root = loaded.server_root.clone();
        let dumped = dump::parse_vhosts(
            &std::fs::read_to_string(corpus().join("trees").join(tree).join("vhosts")).unwrap(),
        );
        assert!(!dumped.is_empty(), "{tree}: vhosts file parsed to nothing");
        let ours: Vec<_> = loaded.vhosts().into_iter().filter(|v| v.active).collect();
        let key = |file: &str, line: usize| format!("{file}:{line}");
        let ours_keys: BTreeSet<String> = ours
            .iter()
            .map(|v| key(&relative_to_root(&v.file, &root), v.line))
            .collect();
        let theirs_keys: BTreeSet<String> = dumped
            .iter()
            .map(|d| key(&relative_to_root(&d.file, &root), d.line))
            .collect();
        if ours_keys != theirs_keys {
            failures.push(format!(
                "{tree}: vhosts at {ours_keys:?}, Apache saw {theirs_keys:?}"
            ));
            continue;
        }
        for d in &dumped {
            let v = ours
                .iter()
                .find(|v| {
                    key(&relative_to_root(&v.file, &root), v.line)
                        == key(&relative_to_root(&d.file, &root), d.line)
                })
                .unwrap();
            let addresses: Vec<String> = v.addresses.iter().map(|a| a.to_string()).collect();
            if addresses != [d.address.clone()] {
                failures.push(format!(
                    "{tree}: {}:{} addresses {addresses:?}, Apache: {}",
                    d.file.display(),
                    d.line,
                    d.address
                ));
            }
            // Without a ServerName Apache prints the host's name; with one, it must match.
            if let Some(name) = v.name()
                && name != d.name.to_ascii_lowercase()
            {
                failures.push(format!(
                    "{tree}: {}:{} name {name}, Apache: {}",
                    d.file.display(),
                    d.line,
                    d.name
                ));
            }
            if d.name_based && v.aliases != d.aliases {
                failures.push(format!(
                    "{tree}: {}:{} aliases {:?}, Apache: {:?}",
                    d.file.display(),
                    d.line,
                    v.aliases,
                    d.aliases
                ));
            }
            assert!(v.enabled);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn trees_follow_includes_in_apache_order() {
    let loaded = load_tree("simple_vhost", true);
    let names: Vec<String> = loaded
        .files()
        .iter()
        .filter(|f| f.enabled)
        .map(|f| relative_to_root(&f.path, &loaded.server_root))
        .collect();
    assert_eq!(names[0], "apache2.conf");
    let pos = |n: &str| {
        names
            .iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n} not read: {names:?}"))
    };
    // apache2.conf reads mods-enabled/*.load, then *.conf, ports.conf, conf-enabled, sites-enabled.
    assert!(pos("mods-enabled/alias.load") < pos("mods-enabled/status.load"));
    assert!(pos("mods-enabled/status.load") < pos("mods-enabled/alias.conf"));
    assert!(pos("mods-enabled/setenvif.conf") < pos("ports.conf"));
    assert!(pos("ports.conf") < pos("conf-enabled/charset.conf"));
    assert!(pos("conf-enabled/serve-cgi-bin.conf") < pos("sites-enabled/000-default.conf"));
    assert!(pos("sites-enabled/000-default.conf") < pos("sites-enabled/example.conf"));
    // Disabled sites are parsed for inspection, not read.
    let disabled: Vec<_> = loaded
        .files()
        .iter()
        .filter(|f| !f.enabled)
        .map(|f| relative_to_root(&f.path, &loaded.server_root))
        .collect();
    assert_eq!(disabled, ["sites-available/default-ssl.conf"]);
    let ssl = loaded
        .vhosts()
        .into_iter()
        .find(|v| v.file.ends_with("default-ssl.conf"))
        .unwrap();
    assert!(!ssl.enabled && !ssl.active && ssl.ssl);
    assert_eq!(ssl.addresses[0].to_string(), "_default_:443");
}

#[test]
fn modules_from_load_module_match_what_apache_listed() {
    for tree in TREES {
        let inferred = load_tree(tree, false);
        let listed = dump::parse_modules(
            &std::fs::read_to_string(corpus().join("trees").join(tree).join("modules")).unwrap(),
        );
        let a: Vec<&str> = inferred.modules.identifiers().collect();
        let b: Vec<&str> = listed.identifiers().collect();
        assert_eq!(a, b, "{tree}");
    }
}

#[test]
fn variables_come_from_envvars() {
    let loaded = load_tree("vhost_with_tls", true);
    assert_eq!(
        loaded.variables.get("APACHE_LOG_DIR").map(String::as_str),
        Some("/var/log/apache2")
    );
    let v = loaded.vhosts().into_iter().find(|v| v.ssl).unwrap();
    assert_eq!(v.name().as_deref(), Some("example.com"));
    assert_eq!(v.document_root.as_deref(), Some("/var/www/html"));
}

#[test]
fn path_queries_splice_included_files() {
    use certsmith::syntax::path::{Path as P, select};
    let loaded = load_tree("simple_vhost", true);
    let q = |p: &str| select(&loaded, &P::parse(p).unwrap());
    let roots = q("VirtualHost[ServerName=\"www.example.com\"]/DocumentRoot");
    assert_eq!(roots.len(), 1);
    assert_eq!(
        loaded.arg_values(&roots[0].node),
        [b"/var/www/html".to_vec()]
    );
    // Names are case-insensitive; Include directives are replaced by what they read.
    assert_eq!(q("virtualhost").len(), 2);
    assert!(q("Include").is_empty() && q("IncludeOptional").is_empty());
    // ports.conf: Listen 80 at top level, two more inside IfModule sections.
    assert_eq!(q("Listen").len(), 1);
    assert_eq!(q("//Listen").len(), 3);
}

#[test]
fn edits_keep_include_and_condition_facts_in_place() {
    use certsmith::syntax::apache::{Directive, Word};
    use certsmith::syntax::path::{Path as P, select};
    let mut loaded = load_tree("simple_vhost", true);
    let before = select(&loaded, &P::parse("//VirtualHost").unwrap()).len();
    let inactive_before = select(&loaded, &P::parse("IfModule").unwrap())
        .iter()
        .filter(|m| !loaded.is_active(&m.node))
        .count();
    // Remove the first top-level node of apache2.conf and add two: every Include and
    // inactive section after them moves.
    let first = loaded.spliced_children(None)[0].clone();
    assert_eq!(first.file, loaded.main);
    loaded.remove(&first).unwrap();
    let d = |v: &str| {
        Directive::new("Define", vec![Word::new(v).unwrap()])
            .unwrap()
            .into()
    };
    loaded.insert(None, 0, d("A")).unwrap();
    loaded.insert(None, 0, d("B")).unwrap();
    assert_eq!(
        select(&loaded, &P::parse("//VirtualHost").unwrap()).len(),
        before
    );
    let inactive_after = select(&loaded, &P::parse("IfModule").unwrap())
        .iter()
        .filter(|m| !loaded.is_active(&m.node))
        .count();
    assert_eq!(inactive_after, inactive_before);
    assert!(inactive_before > 0);
    assert_eq!(loaded.changed_files().len(), 1);
}
