//! certsmith stopped while nginx answers its challenge: SIGKILL (the next
//! run undoes the temporary edits) and Ctrl-C (it cleans up itself); SIGKILL
//! while the reload that undoes them is owed to the install (the next run
//! reloads); an install nginx rejects after the challenge (`run` reloads itself).

use super::e2e::{DEMO, Site};
use super::util::{Run, differing, snapshot};

/// Start `certsmith --nginx` and wait until its temporary challenge edits
/// are in place (the reverter's in-progress transaction exists and nginx
/// answers a token); returns the running child.
fn until_challenge_is_served(site: &Site, name: &str) -> std::process::Child {
    let mut child = site
        .command(&[
            "--nginx",
            "-d",
            name,
            "-n",
            "--agree-tos",
            "-m",
            "a@b.example",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pending = site.dir.join("work/reverter/in-progress");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let edited = std::fs::read_dir(site.root.join("sites"))
            .unwrap()
            .flatten()
            .any(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap_or_default()
                    .contains("acme-challenge")
            });
        if pending.exists() && edited {
            return child;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "certsmith ended before the challenge"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "no challenge edits seen"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[test]
fn killed_during_validation_the_next_run_undoes_the_challenge_and_reloads() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.start_nginx();
    let before = snapshot(&site.root);
    let mut child = until_challenge_is_served(&site, "demo.example");
    // SIGKILL: no cleanup can run.
    Run::from_command(std::process::Command::new("kill").args(["-KILL", &child.id().to_string()]))
        .ok();
    let _ = child.wait();
    assert_ne!(
        snapshot(&site.root),
        before,
        "the challenge edits should still be there"
    );
    // Any command that writes recovers first, and reloads nginx as recorded.
    let next = site.certsmith(&["rollback"]).ok();
    assert!(
        next.stderr.contains("rolled back the temporary checkpoint"),
        "{}",
        next.stderr
    );
    assert!(next.stderr.contains("reloaded"), "{}", next.stderr);
    let after = snapshot(&site.root);
    assert!(after == before, "left: {:?}", differing(&before, &after));
    let token = site
        .tb
        .curl("http://demo.example/.well-known/acme-challenge/x", &["-i"]);
    assert!(!token.stdout.contains("200 OK"), "{}", token.stdout);
}

#[test]
fn interrupted_during_validation_cleans_up() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.start_nginx();
    let before = snapshot(&site.root);
    let mut child = until_challenge_is_served(&site, "demo.example");
    Run::from_command(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]))
        .ok();
    let status = child.wait().unwrap();
    assert!(!status.success(), "Ctrl-C must fail the command");
    let after = snapshot(&site.root);
    assert!(after == before, "left: {:?}", differing(&before, &after));
    assert!(!site.dir.join("work/reverter/in-progress").exists());
}

/// Whether the reverter's pending transaction is the reload `run`'s challenge
/// cleanup left owed to the install (its title, escaped in the manifest).
fn reload_owed(site: &Site) -> bool {
    std::fs::read_to_string(site.dir.join("work/reverter/in-progress/manifest"))
        .is_ok_and(|m| m.contains("reload%20owed"))
}

#[test]
fn killed_while_the_reload_is_owed_the_next_run_reloads() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    let conf = site.root.join("nginx.conf");
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, text.replace("error.log;", "error.log notice;")).unwrap();
    site.start_nginx();
    let before = snapshot(&site.root);
    let mut child = site
        .command(&[
            "--nginx",
            "-d",
            "demo.example",
            "-n",
            "--agree-tos",
            "-m",
            "a@b.example",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let signal = |s: &str| {
        Run::from_command(std::process::Command::new("kill").args([s, &pid])).ok();
    };
    // Between the challenge cleanup and the install: stop certsmith there (checked
    // once it is stopped), then kill it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if reload_owed(&site) {
            signal("-STOP");
            if reload_owed(&site) {
                break;
            }
            signal("-CONT");
        }
        assert!(child.try_wait().unwrap().is_none(), "certsmith ended first");
        assert!(std::time::Instant::now() < deadline, "no owed reload seen");
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    signal("-KILL");
    let _ = child.wait();
    // The challenge edits are already undone (only the killed run's lock file
    // is left, cleared by the next run); nginx still runs them.
    let mut after = snapshot(&site.root);
    after.remove(".certsmith.lock");
    assert!(after == before, "left: {:?}", differing(&before, &after));
    let reloaded = site.reloads();
    let next = site.certsmith(&["rollback"]).ok();
    assert!(
        next.stderr.contains("rolled back the temporary checkpoint"),
        "{}",
        next.stderr
    );
    assert!(next.stderr.contains("reloaded"), "{}", next.stderr);
    assert_eq!(site.reloads(), reloaded + 1, "{}", next.stderr);
    assert!(!site.dir.join("work/reverter/in-progress").exists());
    let after = snapshot(&site.root);
    assert!(after == before, "left: {:?}", differing(&before, &after));
}

#[test]
fn an_install_nginx_rejects_after_the_challenge_still_reloads_nginx() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    // certsmith's TLS settings file, edited by the user (so kept as it is) into
    // something nginx rejects: only the install, after the challenge, includes it.
    super::util::write(
        &site
            .dir
            .join("letsencrypt/certsmith-options-ssl-nginx.conf"),
        "ssl_no_such_directive on;\n",
    );
    site.log_notices();
    site.start_nginx();
    let before = snapshot(&site.root);
    let reloaded = site.reloads();
    let run = site
        .certsmith(&[
            "--nginx",
            "-d",
            "demo.example",
            "-n",
            "--agree-tos",
            "-m",
            "a@b.example",
        ])
        .failed();
    assert!(
        run.stderr
            .contains("nginx rejects the changed configuration"),
        "{}",
        run.stderr
    );
    // Challenge edits in, then (the install undone) out: nginx runs the
    // original configuration again.
    assert_eq!(site.reloads(), reloaded + 2, "{}", run.stderr);
    let after = snapshot(&site.root);
    assert!(after == before, "left: {:?}", differing(&before, &after));
    assert!(!site.dir.join("work/reverter/in-progress").exists());
}
