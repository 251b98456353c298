//! Crash tests. A child process (this test binary, re-run on its ignored
//! `child` test) performs a scenario, a multi-file transaction, a rollback
//! or a recovery, and is SIGKILLed at fail point 1, then 2, ... up to the
//! number the harness counted in a first, uninterrupted run: every step is
//! enumerated. After each kill:
//! - every path is wholly old or wholly new (or, for the file written twice,
//!   wholly the middle version);
//! - the next `Reverter::open` recovers: all paths exactly as before the
//!   transaction (content, mode, owner, mtime), or all as committed;
//! - if committed, `rollback(1)` puts every path back exactly.
//!
//! The same enumeration is repeated in-process with an I/O error injected
//! at each fail point instead of the kill: the error must surface, and the
//! same checks must hold afterwards.

use crate::failpoint::{self, Plan};
use crate::test_support::support::{Item, Scratch, Tree, diff, is_root, snapshot};
use crate::{Kind, Reverter, UndoAction};
use std::fs::{self, FileTimes};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, UNIX_EPOCH};

const SCENARIO_ENV: &str = "REVERTER_CRASH_SCENARIO";
const ROOT_ENV: &str = "REVERTER_CRASH_ROOT";

const A: &[u8] = b"server {\n    listen 80;\n}\n";
const A1: &[u8] = b"server {\n    listen 80;\n}\n# first edit\n";
const A2: &[u8] = b"server {\n    listen 443 ssl;\n}\n";
const B1: &[u8] = b"written through a symbolic link\n";
const N: &[u8] = b"ssl_protocols TLSv1.3;\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// A permanent transaction, committed.
    Commit,
    /// A temporary transaction, rolled back.
    Temporary,
    /// A permanent transaction, dropped without commit.
    Drop,
    /// `rollback(1)` of a committed checkpoint.
    RollbackCheckpoint,
    /// `Reverter::open` recovering a transaction a crash left applied.
    Recovery,
    /// A temporary transaction rolled back keeping its actions pending
    /// (`rollback_keep_actions`); the next open reports them.
    KeepActions,
    /// A permanent transaction committed keeping its actions owed
    /// (`commit_keep_actions`, a deploy's reload).
    CommitKeepActions,
    /// A checkpoint rolled back keeping its actions owed
    /// (`rollback_latest_keep_actions`, `certsmith rollback`).
    RollbackKeepActions,
}

const SCENARIOS: [Scenario; 8] = [
    Scenario::Commit,
    Scenario::Temporary,
    Scenario::Drop,
    Scenario::RollbackCheckpoint,
    Scenario::Recovery,
    Scenario::KeepActions,
    Scenario::CommitKeepActions,
    Scenario::RollbackKeepActions,
];

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Commit => "commit",
            Scenario::Temporary => "temporary",
            Scenario::Drop => "drop",
            Scenario::RollbackCheckpoint => "rollback-checkpoint",
            Scenario::Recovery => "recovery",
            Scenario::KeepActions => "keep-actions",
            Scenario::CommitKeepActions => "commit-keep-actions",
            Scenario::RollbackKeepActions => "rollback-keep-actions",
        }
    }

    fn from_name(name: &str) -> Option<Scenario> {
        SCENARIOS.into_iter().find(|s| s.name() == name)
    }
}

fn live(root: &Path) -> PathBuf {
    root.join("live")
}

fn work(root: &Path) -> PathBuf {
    root.join("work")
}

/// The files before any change, with fixed times and (as root) owners that
/// are not root's, so a restore that loses them shows.
fn setup(root: &Path) {
    let dir = live(root);
    fs::create_dir_all(dir.join("sub")).unwrap();
    let file = |name: &str, content: &[u8], mode: u32| {
        let path = dir.join(name);
        fs::write(&path, content).unwrap();
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
        if is_root() {
            std::os::unix::fs::chown(&path, Some(1234), Some(2345)).unwrap();
        }
        let f = fs::File::open(&path).unwrap();
        f.set_times(FileTimes::new().set_modified(UNIX_EPOCH + Duration::new(1_600_000_000, 5)))
            .unwrap();
    };
    file("a.conf", A, 0o640);
    file("b.conf", b"b before\n", 0o604);
    file("c.conf", b"to be deleted\n", 0o600);
    file("d.conf", b"replaced by a link\n", 0o644);
    file("same.conf", b"unchanged\n", 0o644);
    std::os::unix::fs::symlink("b.conf", dir.join("b-link")).unwrap();
    std::os::unix::fs::symlink("a.conf", dir.join("old-link")).unwrap();
    if is_root() {
        std::os::unix::fs::lchown(dir.join("old-link"), Some(77), Some(88)).unwrap();
    }
}

/// The transaction under test: every kind of change, one file twice.
fn apply(tx: &mut crate::Transaction<'_>, root: &Path) -> Result<(), crate::Error> {
    let dir = live(root);
    tx.write(dir.join("a.conf"), A1)?;
    tx.write(dir.join("a.conf"), A2)?;
    tx.write(dir.join("b-link"), B1)?;
    tx.write(dir.join("same.conf"), b"unchanged\n")?;
    tx.create(dir.join("new/deeper/n.conf"), N, 0o600)?;
    tx.delete(dir.join("c.conf"))?;
    tx.delete(dir.join("old-link"))?;
    tx.symlink(dir.join("d.conf"), "a.conf")?;
    tx.symlink(dir.join("sub/e-link"), "../a.conf")?;
    tx.record(UndoAction::ModuleEnabled {
        server: "apache".into(),
        module: "ssl".into(),
    })?;
    Ok(())
}

/// State a scenario starts from, made without fail points.
fn prepare(scenario: Scenario, root: &Path) {
    setup(root);
    match scenario {
        Scenario::RollbackCheckpoint | Scenario::RollbackKeepActions => {
            let mut r = Reverter::open(work(root)).unwrap();
            let mut tx = r.begin(Kind::Permanent, "crash test").unwrap();
            apply(&mut tx, root).unwrap();
            tx.commit().unwrap();
        }
        Scenario::Recovery => {
            let mut r = Reverter::open(work(root)).unwrap();
            let mut tx = r.begin(Kind::Permanent, "crash test").unwrap();
            apply(&mut tx, root).unwrap();
            // What a kill leaves: the transaction applied, never finished.
            std::mem::forget(tx);
        }
        _ => {}
    }
}

/// The part that runs with fail points armed.
fn run(scenario: Scenario, root: &Path) -> Result<(), crate::Error> {
    let mut r = Reverter::open(work(root))?;
    let kind = match scenario {
        Scenario::Temporary | Scenario::KeepActions => Kind::Temporary,
        _ => Kind::Permanent,
    };
    match scenario {
        Scenario::Commit
        | Scenario::Temporary
        | Scenario::Drop
        | Scenario::KeepActions
        | Scenario::CommitKeepActions => {
            let mut tx = r.begin(kind, "crash test")?;
            apply(&mut tx, root)?;
            match scenario {
                Scenario::Commit => drop(tx.commit()?),
                Scenario::Temporary => drop(tx.rollback()?),
                Scenario::KeepActions => drop(tx.rollback_keep_actions("owed").0?),
                Scenario::CommitKeepActions => drop(tx.commit_keep_actions("owed")?),
                _ => drop(tx),
            }
        }
        Scenario::RollbackCheckpoint => drop(r.rollback(1)?),
        Scenario::RollbackKeepActions => drop(r.rollback_latest_keep_actions("owed")?),
        Scenario::Recovery => {}
    }
    Ok(())
}

#[test]
#[ignore = "entry point of the crash tests' child processes"]
fn child() {
    let scenario = std::env::var(SCENARIO_ENV)
        .ok()
        .and_then(|s| Scenario::from_name(&s));
    let root = std::env::var_os(ROOT_ENV).map(PathBuf::from);
    let (Some(scenario), Some(root)) = (scenario, root) else {
        panic!("run by the crash tests only ({SCENARIO_ENV}, {ROOT_ENV})");
    };
    run(scenario, &root).expect("scenario");
}

/// Trees every path may be taken from while a change is under way.
struct Expected {
    old: Tree,
    mid: Tree,
    new: Tree,
}

fn expected() -> Expected {
    let reference = Scratch::new("crash-reference");
    setup(&reference.path);
    let old = snapshot(&live(&reference.path));
    let mut mid = old.clone();
    if let Some(Item::File { content, .. }) = mid.get_mut(Path::new("a.conf")) {
        *content = A1.to_vec();
    }
    let mut r = Reverter::open(work(&reference.path)).unwrap();
    let mut tx = r.begin(Kind::Permanent, "reference").unwrap();
    apply(&mut tx, &reference.path).unwrap();
    tx.commit().unwrap();
    let new = snapshot(&live(&reference.path));
    Expected { old, mid, new }
}

fn is_temp(path: &Path) -> bool {
    path.to_string_lossy().contains(".certsmith-tmp.")
}

/// Every path wholly as in one of the expected trees (temp files aside).
fn check_wholly_old_or_new(actual: &Tree, e: &Expected) -> Vec<String> {
    let trees = [&e.old, &e.mid, &e.new];
    let mut paths: Vec<&PathBuf> = trees
        .iter()
        .flat_map(|t| t.keys())
        .chain(actual.keys())
        .collect();
    paths.sort();
    paths.dedup();
    let mut problems = Vec::new();
    for path in paths.into_iter().filter(|p| !is_temp(p)) {
        let now = actual.get(path);
        let fits = trees.iter().any(|t| match (t.get(path), now) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same_content(b),
            _ => false,
        });
        if !fits {
            problems.push(format!("{}: neither old nor new: {now:?}", path.display()));
        }
    }
    problems
}

fn same_content_trees(expected: &Tree, actual: &Tree) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, item) in expected {
        if !actual.get(path).is_some_and(|a| a.same_content(item)) {
            problems.push(format!(
                "{}: expected {item:?}, found {:?}",
                path.display(),
                actual.get(path)
            ));
        }
    }
    for path in actual.keys().filter(|p| !expected.contains_key(*p)) {
        problems.push(format!("{}: unexpected", path.display()));
    }
    problems
}

/// The keep-actions scenarios' promise: once the checkpoint is committed
/// (or, for a rollback, gone), the next open reports its actions.
fn owed_actions_lost(scenario: Scenario, r: &Reverter, committed: bool) -> Option<String> {
    let owed = match scenario {
        Scenario::CommitKeepActions => committed,
        Scenario::RollbackKeepActions => !committed,
        _ => false,
    };
    let reported = r
        .recovery()
        .is_some_and(|rec| !rec.summary.actions.is_empty());
    (owed && !reported).then(|| "the owed actions were not reported at the next open".into())
}

/// The checks after an interruption (kill or injected error).
fn verify_after_interruption(scenario: Scenario, root: &Path, e: &Expected) -> Vec<String> {
    let mut problems = check_wholly_old_or_new(&snapshot(&live(root)), e);
    let mut r = match Reverter::open(work(root)) {
        Ok(r) => r,
        Err(err) => {
            problems.push(format!("recovery failed: {err}"));
            return problems;
        }
    };
    // Once retitled, the pending transaction must still carry its action.
    if let Some(rec) = r.recovery()
        && rec.summary.title == "owed"
        && rec.summary.actions.is_empty()
    {
        problems.push("the kept transaction lost its action".into());
    }
    let committed = match r.checkpoints() {
        Ok(list) => !list.is_empty(),
        Err(err) => {
            problems.push(format!("listing checkpoints failed: {err}"));
            return problems;
        }
    };
    problems.extend(owed_actions_lost(scenario, &r, committed));
    let after_recovery = snapshot(&live(root));
    if committed {
        if scenario == Scenario::Temporary
            || scenario == Scenario::Drop
            || scenario == Scenario::Recovery
            || scenario == Scenario::KeepActions
        {
            problems.push("a checkpoint exists although nothing was committed".into());
        }
        problems.extend(
            same_content_trees(&e.new, &after_recovery)
                .into_iter()
                .map(|p| format!("committed: {p}")),
        );
        match r.rollback(1) {
            Ok(done) if done.len() == 1 => {}
            Ok(done) => problems.push(format!("rollback undid {} checkpoints", done.len())),
            Err(err) => problems.push(format!("rollback failed: {err}")),
        }
    } else if scenario == Scenario::Commit && r.recovery().is_none() && !problems.is_empty() {
        problems.push("nothing recovered".into());
    }
    let restored = snapshot(&live(root));
    problems.extend(
        diff(&e.old, &restored)
            .into_iter()
            .map(|p| format!("not restored: {p}")),
    );
    let leftovers: Vec<String> = fs::read_dir(work(root).join("reverter"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if leftovers.iter().any(|name| name != "checkpoints") {
        problems.push(format!("left behind in the work dir: {leftovers:?}"));
    }
    problems
}

/// How many fail points an uninterrupted run of `scenario` passes.
fn count_fail_points(scenario: Scenario) -> usize {
    let scratch = Scratch::new("crash-count");
    prepare(scenario, &scratch.path);
    let out = child_command(scenario, &scratch.path, "list")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines().filter(|l| l.starts_with("failpoint ")).count()
}

fn child_command(scenario: Scenario, root: &Path, plan: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "crash_tests::child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(SCENARIO_ENV, scenario.name())
    .env(ROOT_ENV, root)
    .env(failpoint::ENV, plan)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

/// Run the child until it reaches fail point `k`, then SIGKILL it.
fn kill_at(scenario: Scenario, root: &Path, k: usize) -> Result<String, String> {
    let mut child = child_command(scenario, root, &format!("kill:{k}"))
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut reached = None;
    let mut output = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap_or_default();
        if line.starts_with("failpoint-reached ") {
            reached = Some(line);
            break;
        }
        output.push_str(&line);
        output.push('\n');
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    match reached {
        Some(line) if status.signal() == Some(9) => Ok(line),
        Some(line) => Err(format!("{line}: child ended with {status}, not SIGKILL")),
        None => Err(format!("never reached fail point {k}: {status}\n{output}")),
    }
}

/// Run `check(k)` for k in 1..=n on two threads; gather every failure.
fn for_each_point(n: usize, check: impl Fn(usize) -> Vec<String> + Sync) -> Vec<String> {
    let next = AtomicUsize::new(1);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k > n {
                        break;
                    }
                    let problems = check(k);
                    failures.lock().unwrap().extend(problems);
                }
            });
        }
    });
    let mut all = failures.into_inner().unwrap();
    all.sort();
    all
}

#[test]
fn sigkill_at_every_fail_point_leaves_files_wholly_old_or_new_and_restorable() {
    let e = expected();
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let n = count_fail_points(scenario);
        assert!(n > 10, "{scenario:?}: only {n} fail points counted");
        eprintln!("{}: {n} fail points, each one killed", scenario.name());
        failures.extend(for_each_point(n, |k| {
            let scratch = Scratch::new("crash-kill");
            prepare(scenario, &scratch.path);
            let at = match kill_at(scenario, &scratch.path, k) {
                Ok(line) => line,
                Err(problem) => return vec![format!("{} kill {k}: {problem}", scenario.name())],
            };
            verify_after_interruption(scenario, &scratch.path, &e)
                .into_iter()
                .map(|p| format!("{} killed at {at}: {p}", scenario.name()))
                .collect()
        }));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn an_io_error_at_every_fail_point_surfaces_and_loses_nothing() {
    let e = expected();
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        // Count in-process, with the same fail points as the child.
        let scratch = Scratch::new("crash-error-count");
        prepare(scenario, &scratch.path);
        failpoint::set(Plan::Count);
        run(scenario, &scratch.path).unwrap();
        let n = failpoint::hits();
        failpoint::set(Plan::Off);
        assert!(n > 10, "{scenario:?}: only {n} fail points counted");
        eprintln!(
            "{}: {n} fail points, an error injected at each",
            scenario.name()
        );
        failures.extend(for_each_point(n, |k| {
            let scratch = Scratch::new("crash-error");
            prepare(scenario, &scratch.path);
            failpoint::set(Plan::Error(k));
            let result = run(scenario, &scratch.path);
            failpoint::set(Plan::Off);
            let mut problems = Vec::new();
            match result {
                Err(err) if err.to_string().contains("injected I/O error") => {}
                // Dropping swallows errors by design: the next start retries.
                Ok(()) if scenario == Scenario::Drop => {}
                other => problems.push(format!("the injected error did not surface: {other:?}")),
            }
            problems.extend(verify_after_interruption(scenario, &scratch.path, &e));
            problems
                .into_iter()
                .map(|p| format!("{} error at {k}: {p}", scenario.name()))
                .collect()
        }));
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
