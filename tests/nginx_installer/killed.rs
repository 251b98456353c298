//! Real SIGKILLs of the debug certsmith binary at every fail point of a
//! `--nginx` run (the challenge edits and their undo, the new lineage, the
//! install's checkpoint: reverter and lineage store alike) and of the
//! `rollback` that undoes it (`CERTSMITH_FAILPOINT`, see
//! `reverter/src/failpoint.rs`). After each kill the next run of the same
//! command must leave a whole lineage and a configuration that nginx
//! accepts (`nginx -t`) and serves: the live certificate after an
//! install, the original site after a rollback.

use super::e2e::{DEMO, Site};
use super::util::{Run, differing, snapshot};
use crate::support::failpoints::{assert_none, kill_at_every_point};
use crate::support::whole::{copy_tree, lineage_problems};
use std::collections::BTreeMap;
use std::path::PathBuf;

const NAME: &str = "demo.example";
const INSTALL: [&str; 7] = [
    "--nginx",
    "-d",
    NAME,
    "-n",
    "--agree-tos",
    "-m",
    "a@b.example",
];

/// The site's directories certsmith and nginx keep state in.
fn state_dirs(site: &Site) -> [PathBuf; 3] {
    ["nginx", "letsencrypt", "work"].map(|d| site.dir.join(d))
}

/// Save the site's state as the starting point of every kill.
fn save_start(site: &Site) {
    for dir in state_dirs(site) {
        copy_tree(&dir, &start_copy(site, &dir));
    }
}

fn start_copy(site: &Site, dir: &std::path::Path) -> PathBuf {
    let name = dir.file_name().unwrap().to_string_lossy();
    site.dir.join(format!("start-{name}"))
}

/// Put the saved state back and have nginx run its configuration again.
fn reset(site: &Site) {
    for dir in state_dirs(site) {
        copy_tree(&start_copy(site, &dir), &dir);
    }
    let conf = site.root.join("nginx.conf");
    Run::from_command(
        site.tb
            .cmd("nginx")
            .arg("-c")
            .arg(&conf)
            .args(["-s", "reload"]),
    )
    .ok();
}

/// `nginx -t` on the site's configuration; its complaint when it fails.
fn config_test(site: &Site) -> Option<String> {
    let conf = site.root.join("nginx.conf");
    let run = Run::from_command(site.tb.cmd("nginx").arg("-t").arg("-c").arg(&conf));
    (run.code != 0).then(|| format!("nginx -t fails: {}", run.stderr))
}

/// The serial nginx serves on 443 for the site, once it is the live
/// certificate's (nginx's old workers answer for ~100 ms after a reload).
fn serving_problem(site: &Site) -> Option<String> {
    let live = std::fs::read_to_string(site.live(NAME, "cert.pem")).ok()?;
    let serial = certsmith::x509::parse_pem(&live)
        .ok()?
        .serial_hex
        .to_ascii_lowercase();
    let served = || {
        let out = site
            .tb
            .cmd("sh")
            .arg("-c")
            .arg("openssl s_client -connect 127.0.0.1:443 -servername demo.example </dev/null 2>/dev/null | openssl x509 -noout -serial")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .to_ascii_lowercase()
    };
    // Generous: the test runs beside others on a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut last = served();
    while !last.ends_with(&serial) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        last = served();
    }
    (!last.ends_with(&serial)).then(|| format!("nginx serves {last:?}, not serial {serial}"))
}

fn pending_transaction(site: &Site) -> Option<String> {
    let pending = site.dir.join("work/reverter/in-progress");
    pending
        .exists()
        .then(|| format!("{} is left", pending.display()))
}

#[test]
fn an_nginx_run_killed_at_every_fail_point_is_retried_to_a_served_whole_lineage() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.start_nginx();
    site.certsmith(&["register", "-n", "--agree-tos", "-m", "a@b.example"])
        .ok();
    save_start(&site);
    let etc = site.dir.join("letsencrypt");
    let (n, problems) = kill_at_every_point(
        || reset(&site),
        || site.command(&INSTALL),
        || {
            let run = site.certsmith(&INSTALL);
            assert_eq!(run.code, 0, "the retry failed: {}", run.stderr);
        },
        || {
            let mut problems = lineage_problems(&etc, NAME).err().unwrap_or_default();
            problems.extend(config_test(&site));
            problems.extend(serving_problem(&site));
            problems.extend(pending_transaction(&site));
            problems
        },
    );
    eprintln!("--nginx run: {n} kill points");
    assert_none(problems);
}

/// The site's files without nginx's own and certsmith's lock.
fn site_files(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(&site.root);
    files.remove(".certsmith.lock");
    files
}

#[test]
fn a_rollback_killed_at_every_fail_point_is_retried_to_the_original_site() {
    let site = Site::new(&[("demo.conf", DEMO)]);
    site.start_nginx();
    let original = site_files(&site);
    site.certsmith(&INSTALL).ok();
    save_start(&site);
    let (n, problems) = kill_at_every_point(
        || reset(&site),
        || site.command(&["rollback"]),
        || {
            // Whether the killed rollback was finished or undone by the
            // recovery, this one leaves it done.
            let run = site.certsmith(&["rollback"]);
            assert!(
                run.code == 0 || run.stdout.contains("No checkpoints to roll back"),
                "the retry failed: {}{}",
                run.stdout,
                run.stderr
            );
        },
        || {
            let mut problems = Vec::new();
            let now = site_files(&site);
            if now != original {
                problems.push(format!(
                    "not the original site: {:?}",
                    differing(&original, &now)
                ));
            }
            problems.extend(config_test(&site));
            problems.extend(pending_transaction(&site));
            let page = site.tb.curl(&format!("http://{NAME}/"), &[]);
            if !page.stdout.contains("hello from nginx") {
                problems.push(format!("the site does not answer: {}", page.stdout));
            }
            problems
        },
    );
    eprintln!("rollback: {n} kill points");
    assert_none(problems);
}
