//! Include resolution against the real Apache (`-D DUMP_INCLUDES` lists what it read), and
//! the loader's errors: missing targets, cycles, bad files, all positioned.

use super::common::*;
use certsmith::installer::apache::{self, LoadOptions, Loaded};

fn load(dir: &TempDir, main: &str) -> Result<Loaded, apache::LoadError> {
    let mut options = LoadOptions::new(dir.path(), main);
    options.follow_server_root = false;
    apache::load(&options)
}

/// The files `apache2 -t -D DUMP_INCLUDES` says it read, in order.
fn apache_includes(dir: &TempDir, main: &str) -> Vec<String> {
    let scratch = TempDir::new("scratch");
    let (ok, out) = apache_configtest(
        dir.path(),
        &dir.path().join(main),
        scratch.path(),
        &["-D", "DUMP_INCLUDES"],
    );
    assert!(ok, "apache2 rejected the test tree:\n{out}");
    out.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.starts_with('(')
                .then(|| l.split_once(") ").map(|(_, p)| p.to_string()))
                .flatten()
        })
        .collect()
}

const MPM: &str = "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n";

#[test]
fn includes_are_read_in_apache_order() {
    let dir = TempDir::new("order");
    let main = format!(
        "{MPM}Include conf.d/*.conf\nIncludeOptional nothere/*.conf\nIncludeOptional missing.conf\nInclude dir\n\
         Include sub/*/x*.conf\nDefine FOO\n<IfDefine FOO>\n  Include ifdef.conf\n</IfDefine>\n<IfDefine !FOO>\n  Include never.conf\n</IfDefine>\n\
         <IfModule mod_nonexistent.c>\n  Include missing.conf\n</IfModule>\n<IfModule !mod_nonexistent.c>\n  Include ifmod.conf\n</IfModule>\n\
         Define DIRNAME dir2\nInclude ${{DIRNAME}}/a.conf\nUnDefine FOO\n<IfDefine FOO>\n  Include never.conf\n</IfDefine>\n\
         <IfVersion >= 2.4>\n  Include ver.conf\n</IfVersion>\n<IfVersion < 2.4>\n  Include never.conf\n</IfVersion>\n"
    );
    dir.write("httpd.conf", &main);
    for f in [
        "conf.d/b.conf",
        "conf.d/a.conf",
        "conf.d/.hidden.conf",
        "conf.d/c.txt",
        "conf.d/Z.conf",
        "conf.d/a.conf.d/x.conf",
    ] {
        dir.write(f, "# x\n");
    }
    for f in [
        "dir/x.conf",
        "dir/.h",
        "dir/sub/y",
        "dir/sub/a-b",
        "dir2/a.conf",
        "ifdef.conf",
        "ifmod.conf",
        "ver.conf",
    ] {
        dir.write(f, "ServerAdmin a@b\n");
    }
    for f in [
        "sub/one/x1.conf",
        "sub/one/x2.conf",
        "sub/two/x3.conf",
        "sub/two/y.conf",
        "sub/file.conf",
    ] {
        dir.write(f, "# x\n");
    }
    // A symlink to a directory is not walked into by an inner wildcard (Apache reads the
    // entry's type), but a directory include follows it.
    std::os::unix::fs::symlink(dir.path().join("sub/one"), dir.path().join("sub/link")).unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap(); // for Apache's default ErrorLog
    let theirs = apache_includes(&dir, "httpd.conf");
    let loaded = load(&dir, "httpd.conf").unwrap();
    let ours: Vec<String> = loaded
        .files()
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    assert_eq!(ours, theirs);
    assert!(
        ours.iter().any(|p| p.ends_with("/dir/.h")),
        "directory includes read hidden files"
    );
}

#[test]
fn missing_include_is_a_positioned_error_optional_is_not() {
    let dir = TempDir::new("missing");
    dir.write("httpd.conf", "ServerAdmin a@b\n\n  Include missing.conf\n");
    let e = load(&dir, "httpd.conf").unwrap_err().to_string();
    let main = dir.path().join("httpd.conf");
    assert!(
        e.starts_with(&format!(
            "{}:3:3: Could not open configuration file",
            main.display()
        )),
        "{e}"
    );

    dir.write("httpd.conf", "Include conf.d/*.conf\n");
    std::fs::create_dir_all(dir.path().join("conf.d")).unwrap();
    let e = load(&dir, "httpd.conf").unwrap_err().to_string();
    assert!(
        e.contains(":1:1: No matches for the wildcard '*.conf'"),
        "{e}"
    );

    dir.write(
        "httpd.conf",
        "IncludeOptional conf.d/*.conf\nIncludeOptional nope/*.conf\nIncludeOptional nope.conf\n",
    );
    let loaded = load(&dir, "httpd.conf").unwrap();
    assert_eq!(loaded.files().len(), 1);
}

#[test]
fn include_cycles_are_positioned_errors() {
    let dir = TempDir::new("cycle");
    dir.write("httpd.conf", "Include a.conf\n");
    dir.write("a.conf", "# a\nInclude b.conf\n");
    dir.write(
        "b.conf",
        "<IfModule !nothing.c>\n\tInclude a.conf\n</IfModule>\n",
    );
    let e = load(&dir, "httpd.conf").unwrap_err().to_string();
    let b = dir.path().join("b.conf");
    assert!(
        e.starts_with(&format!("{}:2:2: include cycle: ", b.display())),
        "{e}"
    );
    assert!(e.ends_with("a.conf"), "{e}");

    dir.write("httpd.conf", "Include httpd.conf\n");
    let e = load(&dir, "httpd.conf").unwrap_err().to_string();
    assert!(e.contains(":1:1: include cycle"), "{e}");

    // A directory that includes itself through a link: the same file twice in one chain.
    dir.write("httpd.conf", "Include loop\n");
    dir.write("loop/a.conf", "# a\n");
    std::os::unix::fs::symlink(dir.path().join("loop"), dir.path().join("loop/again")).unwrap();
    let e = load(&dir, "httpd.conf").unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}:1:1: ",
            dir.path().join("httpd.conf").display()
        )),
        "{e}"
    );
    assert!(e.contains("Too many levels of symbolic links"), "{e}");
}

#[test]
fn syntax_errors_in_included_files_name_the_file() {
    let dir = TempDir::new("bad");
    dir.write("httpd.conf", "Include sites/*.conf\n");
    dir.write(
        "sites/a.conf",
        "<VirtualHost *:80>\n  ServerName a\n</Virtualhost>\n",
    );
    dir.write(
        "sites/b.conf",
        "<VirtualHost *:80>\n  ServerName b\n</Directory>\n",
    );
    let e = load(&dir, "httpd.conf").unwrap_err().to_string();
    let b = dir.path().join("sites/b.conf");
    assert_eq!(
        e,
        format!(
            "{}:3:1: expected </VirtualHost> (for <VirtualHost> at 1:1) but saw </Directory>",
            b.display()
        )
    );
}

#[test]
fn bad_input_gives_positioned_errors() {
    let deep = "<A>\n".repeat(200) + &"</A>\n".repeat(200);
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "truncated",
            b"<VirtualHost *:80>\n  <Directory /x>\n    Require all granted\n",
            ":2:3: <Directory> is not closed",
        ),
        (
            "mismatched",
            b"<IfModule x>\n</IfDefine>\n",
            ":2:1: expected </IfModule>",
        ),
        (
            "binary",
            b"\x7fELF\x02\x01\x01\x00\x00",
            ":1:8: binary data",
        ),
        (
            "deep",
            deep.as_bytes(),
            ":129:1: sections nested more than 128 deep",
        ),
        (
            "unmatched",
            b"ServerName a\n</VirtualHost>\n",
            ":2:1: </VirtualHost> without matching",
        ),
        (
            "header",
            b"<VirtualHost *:80\n</VirtualHost>\n",
            ":1:1: <VirtualHost> directive missing closing '>'",
        ),
    ];
    let dir = TempDir::new("badinput");
    let mut files = Vec::new();
    for (name, bytes, _) in cases {
        let p = dir.path().join(format!("{name}.conf"));
        std::fs::write(&p, bytes).unwrap();
        files.push(p);
    }
    // The library, through the loader.
    for ((name, _, want), file) in cases.iter().zip(&files) {
        dir.write("httpd.conf", format!("Include {name}.conf\n"));
        let e = load(&dir, "httpd.conf").unwrap_err().to_string();
        assert!(
            e.starts_with(&file.display().to_string()) && e.contains(want),
            "{name}: {e}"
        );
    }
    // The command line: `conf check` reports each file and fails.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .args(["conf", "check", "--apache"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for ((name, _, want), file) in cases.iter().zip(&files) {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&file.display().to_string()) && l.contains(want)),
            "{name}: {text}"
        );
    }
}
