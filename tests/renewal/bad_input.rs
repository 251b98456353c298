//! Broken lineages and hooks: each fails alone with a message that names
//! the problem, the healthy lineages renew, the exit status says so.

use super::World;
use std::fs;
use std::os::unix::fs::symlink;
use std::time::{Duration, Instant};

#[test]
fn each_broken_lineage_fails_alone_with_a_clear_message() {
    let w = World::new();
    for name in [
        "good1.example.com",
        "corrupt.example.com",
        "missing.example.com",
        "broken.example.com",
        "hang.example.com",
        "noexec.example.com",
        "noinst.example.com",
        "good2.example.com",
    ] {
        w.standalone(&["-d", name]).ok();
    }
    let etc = w.config_dir();
    // A renewal conf that is not ConfigObj.
    fs::write(
        w.conf_path("corrupt.example.com"),
        "version = 2.1.0\n[renewalparams\n",
    )
    .unwrap();
    // An archive file gone.
    fs::remove_file(etc.join("archive/missing.example.com/privkey1.pem")).unwrap();
    // A live link pointing nowhere.
    let link = w.live("broken.example.com", "fullchain.pem");
    fs::remove_file(&link).unwrap();
    symlink("../../archive/broken.example.com/fullchain9.pem", &link).unwrap();
    // A deploy hook that hangs, one that cannot be executed.
    w.append_conf("hang.example.com", "renew_hook = sleep 300\n");
    let noexec = w.script("noexec.sh", "exit 0", 0o644);
    w.append_conf(
        "noexec.example.com",
        &format!("renew_hook = {}\n", noexec.display()),
    );
    // An installer certsmith does not have: checked before anything is ordered.
    w.append_conf("noinst.example.com", "installer = lighttpd\n");

    let post = w.dir.join("post.log");
    let started = Instant::now();
    let run = w
        .renew(&[
            "--force-renewal",
            "--hook-timeout",
            "2",
            "--post-hook",
            &format!(
                "echo \"$RENEWED_DOMAINS|$FAILED_DOMAINS\" > {}",
                post.display()
            ),
        ])
        .failed();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the hanging hook was not killed"
    );
    let err = &run.stderr;
    let expect = [
        format!(
            "certsmith: corrupt.example.com: renewal failed: {}: line 2: malformed section header",
            w.conf_path("corrupt.example.com").display()
        ),
        format!(
            "certsmith: missing.example.com: renewal failed: {}: broken link: its target ../../archive/missing.example.com/privkey1.pem does not exist",
            w.live("missing.example.com", "privkey.pem").display()
        ),
        format!(
            "certsmith: broken.example.com: renewal failed: {}: broken link: its target ../../archive/broken.example.com/fullchain9.pem does not exist",
            link.display()
        ),
        // A failing deploy hook is reported; the renewal stands (Certbot's rule).
        "certsmith: deploy hook \"sleep 300\" was still running after 2 s and was killed (--hook-timeout)".to_string(),
        format!(
            "certsmith: deploy hook {:?}: {} is not executable (chmod +x it)",
            noexec.display().to_string(),
            noexec.display()
        ),
        "certsmith: noinst.example.com: renewal failed: the \"lighttpd\" installer is not available in this version of certsmith".to_string(),
        "certsmith: 4 of 8 renewal(s) failed; 0 certificate(s) not due.".to_string(),
    ];
    for line in &expect {
        assert!(
            err.lines().any(|l| l == line),
            "missing {line:?} in:\n{err}"
        );
    }
    for good in ["good1.example.com", "good2.example.com"] {
        assert_eq!(w.version(good), 2, "{good} was not renewed:\n{err}");
        w.assert_verifies(good);
    }
    // The lineages whose deploy hook failed were renewed and count as renewed.
    assert_eq!(w.version("hang.example.com"), 2);
    assert_eq!(w.version("noexec.example.com"), 2);
    assert_eq!(
        fs::read_to_string(&post).unwrap(),
        "good1.example.com good2.example.com hang.example.com noexec.example.com|\
         broken.example.com corrupt.example.com missing.example.com noinst.example.com\n"
    );
    // The broken ones were left as they were.
    assert_eq!(
        fs::read_to_string(w.conf_path("corrupt.example.com")).unwrap(),
        "version = 2.1.0\n[renewalparams\n"
    );
    assert!(!etc.join("archive/missing.example.com/cert2.pem").exists());
    assert!(!etc.join("archive/broken.example.com/cert2.pem").exists());
    assert!(!etc.join("archive/noinst.example.com/cert2.pem").exists());
}

#[test]
fn bad_renewal_flags_fail_before_any_lineage_naming_the_flag() {
    let w = World::new();
    w.standalone(&["-d", "flags.example.com"]).ok();
    let before = super::snapshot(&w.config_dir());
    for (flag, value) in [("--renew-before-expiry", "soon"), ("--hook-timeout", "-1")] {
        let run = w.renew(&["--force-renewal", flag, value]).failed();
        assert_eq!(run.code, 2, "a usage error");
        assert!(
            run.stderr.contains(flag) && run.stderr.contains(value),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("flags.example.com"), "{}", run.stderr);
        assert_eq!(super::snapshot(&w.config_dir()), before, "nothing renewed");
    }
}

/// A hook value with a line break is stored so that ConfigObj (ours and
/// Python's, which Certbot uses) reads back exactly that value: no line of it
/// becomes a key of its own, and the certificate just issued is kept.
#[test]
fn a_multi_line_hook_is_stored_exactly_and_injects_nothing() {
    let w = World::new();
    let log = w.dir.join("hook.log");
    let hook = format!(
        "echo first >> {0}\nkey_type = rsa\necho second # not a comment >> {0}",
        log.display()
    );
    w.standalone(&["-d", "ml.example.com", "--deploy-hook", &hook])
        .ok();
    assert_eq!(
        w.version("ml.example.com"),
        1,
        "the new certificate is kept"
    );
    let conf = w.conf("ml.example.com");
    // Python's configobj reads the same hook back, and no key_type.
    let script = format!(
        "import configobj,sys\nc=configobj.ConfigObj({:?})\np=c['renewalparams']\n\
         sys.stdout.write(repr((p.get('renew_hook'), p.get('key_type'))))",
        w.conf_path("ml.example.com").display().to_string()
    );
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}{conf}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected_hook = format!("{hook:?}").replace('"', "'");
    assert!(
        seen.starts_with(&format!("({expected_hook}, ")),
        "{seen}\n{conf}"
    );
    assert!(!seen.contains("'rsa'"), "{seen}\n{conf}");
    // Renewal reads it back the same and runs it.
    w.renew(&["--force-renewal"]).ok();
    assert_eq!(w.cert("ml.example.com").key_type, "ECDSA");
    assert_eq!(w.version("ml.example.com"), 2);
}

/// A value no renewal conf can hold (a carriage return) is refused before
/// anything is ordered, naming the flag.
#[test]
fn an_unstorable_hook_is_refused_before_the_order() {
    let w = World::new();
    let run = w
        .standalone(&["-d", "cr.example.com", "--deploy-hook", "echo a\rb"])
        .failed();
    assert!(
        run.stderr.contains("--deploy-hook") && run.stderr.contains("nothing was ordered"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("Requesting a certificate"),
        "{}",
        run.stdout
    );
    assert!(!w.config_dir().join("live/cr.example.com").exists());
    assert!(!w.config_dir().join("archive/cr.example.com").exists());
}
