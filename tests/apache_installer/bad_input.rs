//! Bad input: no Apache, a configuration that already fails, mod_ssl missing, unwritable
//! directories, a change Apache rejects. Each gives a clear error and changes nothing.

use super::common::*;
use certsmith::installer::apache::{Apache, DeployError, InstallError, install, no_questions};
use reverter::Reverter;
use std::path::Path;
use std::process::Command;

/// A tree with one plain-http site.
fn site_tree(label: &str) -> Tree {
    Tree::debian(
        label,
        &[(
            "sites-available/site.conf",
            "<VirtualHost *:80>\n\tServerName bad.example.org\n\tDocumentRoot /var/www/html\n</VirtualHost>\n",
        )],
    )
}

#[track_caller]
fn assert_unchanged(tree: &Tree, before: &std::collections::BTreeMap<std::path::PathBuf, Entry>) {
    let diff: Vec<String> = snapshot_diff(before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/live/"))
        .collect();
    assert!(diff.is_empty(), "files changed: {diff:?}");
}

#[test]
fn apache_not_installed() {
    let tree = site_tree("no-apache");
    let apache = Apache::new(Some(&tree.root), Some(Path::new("/nonexistent/apache2ctl"))).unwrap();
    let err = apache.inspect().unwrap_err().to_string();
    assert!(
        err.contains("cannot run /nonexistent/apache2ctl")
            && err.contains("is Apache installed?")
            && err.contains("--apache-ctl"),
        "{err}"
    );
}

#[test]
fn no_configuration_at_the_server_root() {
    let tree = Tree::plain("no-config", &[("README", "nothing here\n")]);
    let err = Apache::new(Some(&tree.root), None).unwrap_err().to_string();
    assert!(
        err.contains("--apache-server-root") && err.contains("no apache2.conf"),
        "{err}"
    );
}

#[test]
fn configuration_already_failing_is_refused() {
    let tree = site_tree("broken");
    tree.write(
        "sites-available/site.conf",
        "<VirtualHost *:80>\n\tServerName bad.example.org\n\tNoSuchDirective on\n</VirtualHost>\n",
    );
    let before = tree.snapshot();
    let err = tree.apache().inspect().unwrap_err();
    assert!(matches!(err, InstallError::BrokenBefore { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("fails before certsmith changed anything")
            && text.contains("Invalid command 'NoSuchDirective'")
            && text.contains("site.conf"),
        "{text}"
    );
    assert_unchanged(&tree, &before);
}

#[test]
fn mod_ssl_missing() {
    let tree = site_tree("no-ssl");
    std::fs::remove_file(tree.root.join("mods-available/ssl.load")).unwrap();
    let before = tree.snapshot();
    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let mut plan = apache.load(&info).unwrap();
    let cert = tree.test_cert(&["bad.example.org"]);
    let err = install(
        &mut plan,
        &tree.request(&["bad.example.org"], &cert),
        &mut no_questions,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, InstallError::ModuleMissing { .. })
            && text.contains("mod_ssl is not available")
            && text.contains("mods-available/ssl.load"),
        "{text}"
    );
    assert_unchanged(&tree, &before);
}

#[test]
fn modules_not_handled_when_told_not_to() {
    let tree = site_tree("no-handle");
    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let mut plan = apache.load(&info).unwrap();
    let cert = tree.test_cert(&["bad.example.org"]);
    let mut request = tree.request(&["bad.example.org"], &cert);
    request.settings.handle_modules = false;
    let err = install(&mut plan, &request, &mut no_questions)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--apache-handle-modules is off"), "{err}");
}

/// `certsmith install --apache` of a test certificate with `dir` mounted read-only, in
/// private mount, network and pid namespaces (nothing leaks to the host): (exit ok,
/// stderr). The tree must be unchanged and no checkpoint made.
fn install_with_read_only(tree: &Tree, dir: &Path) -> (bool, String) {
    let cert = tree.test_cert(&["bad.example.org"]);
    let before = tree.snapshot();
    let prelude = format!(
        "mount --bind '{0}' '{0}' && mount -o remount,ro,bind '{0}' || exit 90",
        dir.display()
    );
    let out = Command::new("unshare")
        .args(["-m", "-n", "-p", "--fork", "--mount-proc", "sh", "-c"])
        .arg(format!("{prelude}\nexec \"$BIN\" \"$@\""))
        .arg("sh")
        .args([
            "install",
            "--apache",
            "-d",
            "bad.example.org",
            "--redirect",
            "--hsts",
            "-n",
        ])
        .arg("--apache-server-root")
        .arg(&tree.root)
        .arg("--cert-path")
        .arg(&cert.fullchain)
        .arg("--fullchain-path")
        .arg(&cert.fullchain)
        .arg("--key-path")
        .arg(&cert.key)
        .arg("--config-dir")
        .arg(tree.config())
        .arg("--work-dir")
        .arg(tree.work())
        .arg("--logs-dir")
        .arg(tree.dir.join("logs"))
        .env("BIN", env!("CARGO_BIN_EXE_certsmith"))
        .env("PATH", "/usr/sbin:/sbin:/usr/bin:/bin")
        .output()
        .expect("unshare (util-linux) must be installed");
    assert_ne!(out.status.code(), Some(90), "the read-only mount failed");
    assert_unchanged(tree, &before);
    let checkpoints = tree.work().join("reverter/checkpoints");
    let none = std::fs::read_dir(&checkpoints).map_or(true, |mut d| d.next().is_none());
    assert!(none, "a checkpoint was made");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unwritable_sites_directory() {
    let tree = site_tree("ro-sites");
    let (ok, err) = install_with_read_only(&tree, &tree.root.join("sites-available"));
    assert!(!ok);
    assert!(
        err.contains("site.conf: cannot write there: Read-only file system")
            && err.matches("Read-only").count() == 1,
        "{err}"
    );
}

#[test]
fn unwritable_config_dir() {
    let tree = site_tree("ro-config");
    let (ok, err) = install_with_read_only(&tree, &tree.config());
    assert!(!ok);
    assert!(
        err.contains(&tree.config().display().to_string()) && err.contains("Read-only file system"),
        "{err}"
    );
}

#[test]
fn a_change_apache_rejects_is_undone_with_its_message() {
    let tree = site_tree("rejected");
    let before = tree.snapshot();
    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let mut plan = apache.load(&info).unwrap();
    let cert = tree.test_cert(&["bad.example.org"]);
    let mut request = tree.request(&["bad.example.org"], &cert);
    if let Some(c) = request.cert.as_mut() {
        c.fullchain = tree.dir.join("missing/fullchain.pem");
    }
    install(&mut plan, &request, &mut no_questions).unwrap();
    let mut reverter = Reverter::open(tree.work()).unwrap();
    let err = apache
        .deploy(&mut reverter, "install", &plan, &info)
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, DeployError::Rejected { .. }), "{text}");
    assert!(
        text.contains("certsmith undid the change") && text.contains("missing/fullchain.pem"),
        "{text}"
    );
    assert_unchanged(&tree, &before);
    assert!(reverter.checkpoints().unwrap().is_empty());
}

#[test]
fn a_name_no_vhost_serves_lists_the_candidates() {
    let tree = site_tree("no-vhost");
    tree.write(
        "sites-available/other.conf",
        "<VirtualHost *:80>\n\tServerName other.example.org\n</VirtualHost>\n",
    );
    std::os::unix::fs::symlink(
        "../sites-available/other.conf",
        tree.root.join("sites-enabled/other.conf"),
    )
    .unwrap();
    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let mut plan = apache.load(&info).unwrap();
    let cert = tree.test_cert(&["nowhere.example.org"]);
    let err = install(
        &mut plan,
        &tree.request(&["nowhere.example.org"], &cert),
        &mut no_questions,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("no virtual host serves nowhere.example.org:")
            && err.contains("other.conf:1 <VirtualHost *:80> other.example.org")
            && err.contains("site.conf:1 <VirtualHost *:80> bad.example.org"),
        "{err}"
    );
}

#[test]
fn ambiguous_names_fail_without_a_terminal_and_are_asked_with_one() {
    let tree = Tree::debian(
        "ambiguous",
        &[(
            "sites-available/two.conf",
            "<VirtualHost 127.0.0.2:80>\n\tServerName twice.example.org\n</VirtualHost>\n<VirtualHost 127.0.0.3:80>\n\tServerName twice.example.org\n</VirtualHost>\n",
        )],
    );
    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let cert = tree.test_cert(&["twice.example.org"]);
    let request = tree.request(&["twice.example.org"], &cert);
    let mut plan = apache.load(&info).unwrap();
    let err = install(&mut plan, &request, &mut no_questions)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("several virtual hosts serve twice.example.org")
            && err.contains("two.conf:1 <VirtualHost 127.0.0.2:80>")
            && err.contains("two.conf:4 <VirtualHost 127.0.0.3:80>"),
        "{err}"
    );
    let mut plan = apache.load(&info).unwrap();
    let mut asked = Vec::new();
    let mut ask = |name: &str, candidates: &[certsmith::installer::apache::VirtualHost]| {
        asked.push((name.to_string(), candidates.len()));
        Some(1)
    };
    let report = install(&mut plan, &request, &mut ask).unwrap();
    assert_eq!(asked[0], ("twice.example.org".to_string(), 2));
    assert!(
        report.done[0].contains("TLS copy of") && report.done[0].contains("two.conf:4"),
        "{:?}",
        report.done
    );
}

/// `${NAME}` in a certificate path would be read by Apache as a variable:
/// refused before anything is planned, naming the path.
#[test]
fn a_certificate_path_apache_would_expand_is_refused() {
    let tree = site_tree("variable");
    let before = tree.snapshot();
    let apache = tree.apache();
    let info = apache.inspect().unwrap();
    let mut plan = apache.load(&info).unwrap();
    let mut cert = tree.test_cert(&["bad.example.org"]);
    cert.fullchain = cert
        .fullchain
        .with_file_name("${APACHE_LOG_DIR}-fullchain.pem");
    let err = install(
        &mut plan,
        &tree.request(&["bad.example.org"], &cert),
        &mut no_questions,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, InstallError::Variable { .. })
            && text.contains("${APACHE_LOG_DIR}-fullchain.pem")
            && text.contains("as a variable"),
        "{text}"
    );
    assert_unchanged(&tree, &before);
}
