//! Hooks: order, variables, directory hooks, the same file named twice,
//! deploy hooks after certonly, and one failing lineage among several.

use super::World;
use super::pebble;
use std::fs;

/// A hook command that appends its label and the Certbot variables to `log`.
fn recorder(log: &std::path::Path, label: &str) -> String {
    format!(
        "echo \"{label} lineage=$RENEWED_LINEAGE renewed=$RENEWED_DOMAINS failed=$FAILED_DOMAINS\" >> {}",
        log.display()
    )
}

#[test]
fn hooks_run_in_order_with_certbots_variables() {
    let w = World::new();
    w.standalone(&["-d", "h1.example.com"]).ok();
    w.standalone(&["-d", "h2.example.com,www.h2.example.com"])
        .ok();
    let log = w.dir.join("hooks.log");
    let hooks = w.config_dir().join("renewal-hooks");
    // Directory hooks run in the byte order of their names ("B" < "a").
    for (stage, name) in [
        ("pre", "a-pre"),
        ("pre", "B-pre"),
        ("deploy", "a-deploy"),
        ("post", "a-post"),
    ] {
        w.script(
            &format!("etc/renewal-hooks/{stage}/{name}"),
            &recorder(&log, &format!("dir-{name}")),
            0o755,
        );
    }
    // Not executable: skipped with a warning.
    w.script("etc/renewal-hooks/deploy/README", "exit 1", 0o644);
    let shared = hooks.join("deploy/a-deploy").display().to_string();
    let run = w
        .renew(&[
            "--force-renewal",
            "--pre-hook",
            &recorder(&log, "flag-pre"),
            "--deploy-hook",
            &shared,
            "--post-hook",
            &recorder(&log, "flag-post"),
        ])
        .ok();
    assert!(
        run.stderr.contains("skipping") && run.stderr.contains("README"),
        "{}",
        run.stderr
    );
    let live = |n: &str| w.config_dir().join("live").join(n).display().to_string();
    let expected = [
        "dir-B-pre lineage= renewed= failed=".to_string(),
        "dir-a-pre lineage= renewed= failed=".to_string(),
        "flag-pre lineage= renewed= failed=".to_string(),
        // --deploy-hook names the directory hook: it runs once per lineage.
        format!(
            "dir-a-deploy lineage={} renewed=h1.example.com failed=",
            live("h1.example.com")
        ),
        format!(
            "dir-a-deploy lineage={} renewed=h2.example.com www.h2.example.com failed=",
            live("h2.example.com")
        ),
        "dir-a-post lineage= renewed=h1.example.com h2.example.com www.h2.example.com failed="
            .to_string(),
        "flag-post lineage= renewed=h1.example.com h2.example.com www.h2.example.com failed="
            .to_string(),
    ];
    assert_eq!(
        fs::read_to_string(&log)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        expected
    );

    // Nothing due: no hook runs at all.
    fs::remove_file(&log).unwrap();
    w.renew(&["--pre-hook", &recorder(&log, "flag-pre")]).ok();
    assert!(!log.exists(), "a hook ran although nothing was due");

    // --no-directory-hooks: no directory hook, but the hooks the last
    // renewal was given were saved in h1's conf and run again (the deploy
    // hook is the directory file, run as a command this time).
    let conf = w.conf("h1.example.com");
    assert!(conf.contains(&format!("renew_hook = {shared}\n")), "{conf}");
    w.renew(&[
        "--force-renewal",
        "--cert-name",
        "h1.example.com",
        "--no-directory-hooks",
        "--pre-hook",
        &recorder(&log, "pre-now"),
    ])
    .ok();
    assert_eq!(
        fs::read_to_string(&log)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        [
            "pre-now lineage= renewed= failed=".to_string(),
            format!(
                "dir-a-deploy lineage={} renewed=h1.example.com failed=",
                live("h1.example.com")
            ),
            "flag-post lineage= renewed=h1.example.com failed=".to_string(),
        ]
    );
}

#[test]
fn certonly_runs_the_deploy_hook_and_renewal_reuses_the_stored_one() {
    let w = World::new();
    let log = w.dir.join("deploy.log");
    w.standalone(&[
        "-d",
        "c.example.com",
        "--deploy-hook",
        &recorder(&log, "deploy"),
    ])
    .ok();
    let live = w
        .config_dir()
        .join("live/c.example.com")
        .display()
        .to_string();
    let line = format!("deploy lineage={live} renewed=c.example.com failed=\n");
    assert_eq!(fs::read_to_string(&log).unwrap(), line);
    assert!(
        w.conf("c.example.com").contains("renew_hook = "),
        "{}",
        w.conf("c.example.com")
    );
    // Directory hooks run for certonly too (issue 14: the user guide's
    // Certbot runs them for any subcommand since 3.2).
    w.script("etc/renewal-hooks/deploy/x", &recorder(&log, "dir"), 0o755);
    w.standalone(&["-d", "d.example.com"]).ok();
    let live_d = w
        .config_dir()
        .join("live/d.example.com")
        .display()
        .to_string();
    let dir_d = format!("dir lineage={live_d} renewed=d.example.com failed=\n");
    assert_eq!(fs::read_to_string(&log).unwrap(), format!("{line}{dir_d}"));
    // renew runs the stored deploy hook for c (after the directory's).
    w.renew(&["--force-renewal", "--cert-name", "c.example.com"])
        .ok();
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!("{line}{dir_d}dir lineage={live} renewed=c.example.com failed=\n{line}")
    );
}

#[test]
fn one_failing_lineage_does_not_stop_the_others() {
    // Pebble would reuse half of the valid authorizations, skipping validation.
    let w = World::with(pebble().env("PEBBLE_AUTHZREUSE", "0").start());
    for name in ["a.example.com", "b.example.com", "c.example.com"] {
        w.standalone(&["-d", name]).ok();
    }
    // b answers http-01 on a port where Pebble does not look: validation fails.
    let conf = w.conf("b.example.com");
    let port = w.pebble.http_port.to_string();
    let wrong = super::support::free_port().to_string();
    fs::write(
        w.conf_path("b.example.com"),
        conf.replace(
            &format!("http01_port = {port}"),
            &format!("http01_port = {wrong}"),
        ),
    )
    .unwrap();
    let log = w.dir.join("post.log");
    let run = w
        .renew(&["--force-renewal", "--post-hook", &recorder(&log, "post")])
        .failed();
    assert_eq!(run.code, 1);
    assert_eq!(
        (
            w.version("a.example.com"),
            w.version("b.example.com"),
            w.version("c.example.com")
        ),
        (2, 1, 2)
    );
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "post lineage= renewed=a.example.com c.example.com failed=b.example.com\n"
    );
    assert!(
        run.stderr
            .contains("certsmith: b.example.com: renewal failed: validation failed: b.example.com"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 of 3 renewal(s) failed"),
        "{}",
        run.stderr
    );
    w.assert_verifies("a.example.com");
    w.assert_verifies("c.example.com");
}

#[test]
fn ctrl_c_during_a_deploy_hook_stops_the_run_after_that_certificate() {
    let w = World::new();
    for name in ["a.example.com", "b.example.com", "c.example.com"] {
        w.standalone(&["-d", name]).ok();
    }
    let marks = w.dir.join("deployed");
    fs::create_dir_all(&marks).unwrap();
    // The hook outlives the signal: it goes to certsmith alone.
    let hook = format!(
        "touch {}/$(basename \"$RENEWED_LINEAGE\"); sleep 1",
        marks.display()
    );
    let child = w
        .command(&[
            "renew",
            "--force-renewal",
            "--no-random-sleep-on-renew",
            "--deploy-hook",
            &hook,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !marks.join("a.example.com").exists() {
        assert!(std::time::Instant::now() < deadline, "no deploy hook ran");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("were not looked at"), "{stderr}");
    assert_eq!(
        (
            w.version("a.example.com"),
            w.version("b.example.com"),
            w.version("c.example.com")
        ),
        (2, 1, 1)
    );
}
