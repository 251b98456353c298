//! Real SIGKILLs of the debug certsmith binary at every fail point of the
//! lineage and account stores (`CERTSMITH_FAILPOINT`, see
//! `reverter/src/failpoint.rs`: every write, fsync, rename, symlink and
//! removal, the reverter's own included), then the next run: it must end
//! in a complete old or complete new state. One Pebble per flow; the kill
//! points run one after the other (the standalone port is shared), each
//! from a fresh copy of the flow's starting config dir.

use super::World;
use crate::support::failpoints::{assert_none, error_at_every_point, kill_at_every_point};
use crate::support::whole::{copy_tree, lineage_problems};
use std::fs;

/// A flow's starting point: the config dir saved once, copied back before
/// every kill.
struct Start<'w> {
    w: &'w World,
}

impl<'w> Start<'w> {
    /// Save the world's config dir as the starting point of every run.
    fn save(w: &'w World) -> Start<'w> {
        copy_tree(&w.config_dir(), &w.dir.join("start"));
        Start { w }
    }

    /// Put the config dir back as it was saved; the work dir goes (a
    /// killed run's locks die with it, its other leftovers are not
    /// under test here).
    fn reset(&self) {
        let _ = fs::remove_dir_all(self.w.config_dir());
        let _ = fs::remove_dir_all(self.w.dir.join("work"));
        copy_tree(&self.w.dir.join("start"), &self.w.config_dir());
    }
}

/// The account dirs of the world's server: `(complete, partial)` names,
/// temporaries (a leading dot) in neither.
fn accounts(w: &World) -> (Vec<String>, Vec<String>, Vec<String>) {
    let server = format!("127.0.0.1:{}/dir", w.pebble.acme_port);
    let dir = w.config_dir().join("accounts").join(server);
    let (mut complete, mut partial, mut temps) = (Vec::new(), Vec::new(), Vec::new());
    for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let whole = ["private_key.json", "regr.json", "meta.json"]
            .iter()
            .all(|f| fs::read(entry.path().join(f)).is_ok_and(|t| !t.is_empty()));
        if name.starts_with('.') {
            temps.push(name);
        } else if whole {
            complete.push(name);
        } else {
            partial.push(name);
        }
    }
    (complete, partial, temps)
}

#[test]
fn a_new_lineage_killed_at_every_fail_point_is_whole_or_absent_and_the_retry_gets_its_name() {
    let w = World::new();
    w.certsmith(&["register", "--agree-tos", "-m", "test@example.com"])
        .ok();
    let start = Start::save(&w);
    let name = "killed.example.com";
    let etc = w.config_dir();
    let (n, problems) = kill_at_every_point(
        || start.reset(),
        || w.standalone_command(&["-d", name]),
        || {
            let run = w.standalone(&["-d", name]);
            assert_eq!(run.code, 0, "the retry failed: {}", run.stderr);
        },
        || lineage_problems(&etc, name).err().unwrap_or_default(),
    );
    eprintln!("new lineage: {n} kill points");
    assert_none(problems);
}

/// Issue lineage `name`, its conf stamped by an older version, so that a
/// renewal rewrites the conf too (with the same options it would not).
fn issue_stamped_older(w: &World, name: &str) {
    w.standalone(&["-d", name]).ok();
    let conf = w.config_dir().join(format!("renewal/{name}.conf"));
    let text = fs::read_to_string(&conf).unwrap();
    let stamp = format!("version = {}", env!("CARGO_PKG_VERSION"));
    let older = text.replacen(&stamp, "version = 0.0.1", 1);
    assert_ne!(older, text);
    fs::write(&conf, older).unwrap();
}

#[test]
fn a_renewal_killed_at_every_fail_point_leaves_the_old_or_the_new_version() {
    let w = World::new();
    let name = "renewed.example.com";
    issue_stamped_older(&w, name);
    let start = Start::save(&w);
    let etc = w.config_dir();
    let (n, problems) = kill_at_every_point(
        || start.reset(),
        || w.command(&["renew", "--no-random-sleep-on-renew", "--force-renewal"]),
        || {
            // The next renew: not due, so it renews nothing, but it must
            // find (or make) a whole lineage.
            let run = w.certsmith(&["renew", "--no-random-sleep-on-renew"]);
            assert_eq!(run.code, 0, "the next renew failed: {}", run.stderr);
        },
        || match lineage_problems(&etc, name) {
            Ok(1 | 2) => Vec::new(),
            Ok(v) => vec![format!("version {v}: neither the old nor the new")],
            Err(problems) => problems,
        },
    );
    eprintln!("renewal: {n} kill points");
    assert_none(problems);
}

#[test]
fn an_account_registration_killed_at_every_fail_point_leaves_a_whole_account_or_none() {
    let w = World::new();
    let start = Start::save(&w);
    let etc = w.config_dir();
    let (n, problems) = kill_at_every_point(
        || start.reset(),
        || w.command(&["register", "--agree-tos", "-m", "test@example.com"]),
        || {
            let (_, partial, _) = accounts(&w);
            assert!(
                partial.is_empty(),
                "a partial account after the kill: {partial:?}"
            );
            let run = w.standalone(&["-d", "account.example.com"]);
            assert_eq!(run.code, 0, "the next run failed: {}", run.stderr);
        },
        || {
            let mut problems = lineage_problems(&etc, "account.example.com")
                .err()
                .unwrap_or_default();
            match accounts(&w) {
                (complete, partial, temps)
                    if complete.len() == 1 && partial.is_empty() && temps.is_empty() => {}
                other => problems.push(format!(
                    "accounts (complete, partial, temporary): {other:?}"
                )),
            }
            problems
        },
    );
    eprintln!("account registration: {n} kill points");
    assert_none(problems);
}

#[test]
fn an_io_error_at_every_fail_point_of_a_new_lineage_or_a_renewal_is_named_and_loses_nothing() {
    let w = World::new();
    w.certsmith(&["register", "--agree-tos", "-m", "test@example.com"])
        .ok();
    let etc = w.config_dir();
    let new = "failed.example.com";
    let start = Start::save(&w);
    // A failed new lineage leaves no trace of itself, unless it failed
    // after its commit (the conf renamed into place): then it is whole.
    let (n_new, mut problems) = error_at_every_point(
        || start.reset(),
        || w.standalone_command(&["-d", new]),
        || {
            if lineage_problems(&etc, new).is_ok() {
                return Vec::new();
            }
            let mut left = Vec::new();
            for sub in ["archive", "live", "renewal"] {
                for entry in fs::read_dir(etc.join(sub)).into_iter().flatten().flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.contains(new) {
                        left.push(format!("left: {sub}/{name}"));
                    }
                }
            }
            left
        },
    );
    // A failed renewal leaves the lineage whole, on the old version or
    // the new one, at once (before any other command repairs anything).
    let renewed = "renewed.example.com";
    start.reset();
    issue_stamped_older(&w, renewed);
    let start = Start::save(&w);
    let (n_renew, renew_problems) = error_at_every_point(
        || start.reset(),
        || w.command(&["renew", "--no-random-sleep-on-renew", "--force-renewal"]),
        || match lineage_problems(&etc, renewed) {
            Ok(1 | 2) => Vec::new(),
            Ok(v) => vec![format!("version {v}")],
            Err(p) => p,
        },
    );
    problems.extend(renew_problems);
    eprintln!("injected errors: new lineage {n_new}, renewal {n_renew}");
    assert_none(problems);
}

#[test]
fn a_delete_killed_at_every_fail_point_leaves_the_lineage_whole_or_its_name_free() {
    let w = World::new();
    let name = "deleted.example.com";
    w.standalone(&["-d", name]).ok();
    let start = Start::save(&w);
    let etc = w.config_dir();
    let (n, problems) = kill_at_every_point(
        || start.reset(),
        || w.command(&["delete", "--cert-name", name]),
        || {
            // Deleted or not, the same name is issued (or kept) again.
            let run = w.standalone(&["-d", name]);
            assert_eq!(run.code, 0, "the next run failed: {}", run.stderr);
        },
        || lineage_problems(&etc, name).err().unwrap_or_default(),
    );
    eprintln!("delete: {n} kill points");
    assert_none(problems);
}
