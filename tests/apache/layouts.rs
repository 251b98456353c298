//! Layout detection (Debian, RHEL, plain) and `--apache-server-root` on the command line.

use super::common::*;
use certsmith::installer::apache::{self, Distro};

#[test]
fn rhel_layout_with_conf_d_and_modules_d() {
    let dir = TempDir::new("rhel");
    dir.write(
        "conf/httpd.conf",
        "ServerRoot \"/etc/httpd\"\nListen 80\nInclude conf.modules.d/*.conf\nIncludeOptional conf.d/*.conf\n",
    );
    dir.write(
        "conf.modules.d/00-ssl.conf",
        "LoadModule ssl_module modules/mod_ssl.so\n",
    );
    dir.write(
        "conf.d/ssl.conf",
        "<IfModule mod_ssl.c>\nListen 443 https\n<VirtualHost _default_:443>\nServerName secure.example\nSSLEngine on\n</VirtualHost>\n</IfModule>\n",
    );
    dir.write("conf.d/site.conf", "<VirtualHost *:80>\n  ServerName www.example\n  <IfModule mod_nope.c>\n    ServerAlias hidden.example\n  </IfModule>\n</VirtualHost>\n");
    let layout = apache::detect(Some(dir.path())).unwrap();
    assert_eq!(layout.distro, Distro::Rhel);
    assert!(layout.conf_d.is_some() && layout.sites_enabled.is_none());
    let mut options = layout.options().unwrap();
    options.follow_server_root = false; // the tree is a copy: /etc/httpd is not it
    let loaded = apache::load(&options).unwrap();
    let vhosts = loaded.vhosts();
    let names: Vec<_> = vhosts
        .iter()
        .map(|v| (v.name().unwrap(), v.ssl, v.active, v.aliases.clone()))
        .collect();
    assert_eq!(
        names,
        // conf.d is read in byte order: site.conf before ssl.conf.
        [
            ("www.example".to_string(), false, true, vec![]),
            ("secure.example".to_string(), true, true, vec![])
        ]
    );
    // Obeying ServerRoot sends the includes to /etc/httpd, which is not this tree.
    let mut obey = layout.options().unwrap();
    obey.follow_server_root = true;
    let other = apache::load(&obey);
    assert!(other.map(|l| l.vhosts().len() != 2).unwrap_or(true));
}

#[test]
fn plain_layout_and_missing_root() {
    let dir = TempDir::new("plain");
    dir.write(
        "httpd.conf",
        "<VirtualHost *:8080>\nServerName plain.example\n</VirtualHost>\n",
    );
    let layout = apache::detect(Some(dir.path())).unwrap();
    assert_eq!(layout.distro, Distro::Plain);
    let loaded = apache::load(&layout.options().unwrap()).unwrap();
    assert_eq!(loaded.vhosts()[0].addresses[0].port_number(), Some(8080));
    let e = apache::detect(Some(&dir.path().join("nothing")))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--apache-server-root") && e.contains("nothing"),
        "{e}"
    );
}

#[test]
fn command_line_get_set_rm_on_a_copied_tree() {
    let tmp = TempDir::new("cli");
    let root = tmp.path().join("apache2");
    copy_tree(&corpus().join("trees/simple_vhost/apache2"), &root);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_certsmith"))
            .args(["conf"])
            .args(args)
            .arg("--apache-server-root")
            .arg(&root)
            // Edits are checkpoints: keep them in this test's own work dir.
            .arg("--work-dir")
            .arg(tmp.path().join("work"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let path = "VirtualHost[ServerName=\"www.example.com\"]/DocumentRoot";
    assert_eq!(
        run(&["get", path]),
        (Some(0), "/var/www/html\n".into(), String::new())
    );
    let (code, out, _) = run(&["match", "//ServerAlias"]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("VirtualHost[2]/ServerAlias[1]\t")
            && out.trim_end().ends_with("sites-enabled/example.conf:10"),
        "{out}"
    );
    // --dry-run prints a diff and writes nothing.
    let before = std::fs::read(root.join("sites-available/example.conf")).unwrap();
    let (code, diff, _) = run(&["set", "--dry-run", path, "/srv/my site"]);
    assert_eq!(code, Some(0));
    assert!(
        diff.contains("-\tDocumentRoot /var/www/html\n+\tDocumentRoot \"/srv/my site\"\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read(root.join("sites-available/example.conf")).unwrap(),
        before
    );
    // set writes through the sites-enabled link; rm removes; unsafe values are refused.
    assert_eq!(run(&["set", path, "/srv/my site"]).0, Some(0));
    assert_eq!(run(&["get", path]).1, "\"/srv/my site\"\n");
    assert!(
        std::fs::symlink_metadata(root.join("sites-enabled/example.conf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(run(&["rm", path]).0, Some(0));
    assert_eq!(run(&["get", path]).0, Some(1));
    let (code, _, err) = run(&[
        "set",
        "VirtualHost[ServerName=\"www.example.com\"]/ServerAdmin",
        "a\nb",
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("line break"), "{err}");
    // A missing directive is created in the vhost, with its siblings' indentation.
    assert_eq!(
        run(&[
            "set",
            "VirtualHost[ServerName=\"www.example.com\"]/ServerSignature",
            "Off"
        ])
        .0,
        Some(0)
    );
    let text = std::fs::read_to_string(root.join("sites-available/example.conf")).unwrap();
    assert!(
        text.contains("\tCustomLog ${APACHE_LOG_DIR}/access.log combined\n\tServerSignature Off\n"),
        "{text}"
    );
}

#[test]
fn macro_templates_iffile_and_defines_from_the_caller() {
    let dir = TempDir::new("macro");
    dir.write(
        "httpd.conf",
        "<Macro VHost $host>\n<VirtualHost *:80>\n  ServerName $host\n</VirtualHost>\n</Macro>\nUse VHost a.example\n\
         <IfFile extra.conf>\n  Include extra.conf\n</IfFile>\n<IfFile !missing.conf>\n  Include ${SITE}.conf\n</IfFile>\n\
         <IfDefine FROM_CALLER>\n  <VirtualHost *:8080>\n    ServerName caller.example\n  </VirtualHost>\n</IfDefine>\n",
    );
    dir.write(
        "extra.conf",
        "<VirtualHost *:81>\nServerName extra.example\n</VirtualHost>\n",
    );
    dir.write(
        "site.conf",
        "<VirtualHost *:82>\nServerName site.example\n</VirtualHost>\n",
    );
    let mut options = apache::LoadOptions::new(dir.path(), "httpd.conf");
    options.variables.insert("SITE".into(), "site".into());
    let names = |loaded: &apache::Loaded| -> Vec<(String, bool)> {
        loaded
            .vhosts()
            .iter()
            .map(|v| (v.name().unwrap_or_default(), v.active))
            .collect()
    };
    let loaded = apache::load(&options).unwrap();
    // The vhost inside <Macro> is a template (`Use` is not expanded), not a vhost.
    assert_eq!(
        names(&loaded),
        [
            ("caller.example".into(), false),
            ("extra.example".into(), true),
            ("site.example".into(), true)
        ]
    );
    options.defines.insert("FROM_CALLER".into(), None);
    let loaded = apache::load(&options).unwrap();
    assert!(names(&loaded).contains(&("caller.example".into(), true)));
}
