//! Driving the fail points of a debug certsmith binary
//! (`CERTSMITH_FAILPOINT`, `reverter/src/failpoint.rs`): list the points a
//! command passes, or run it until it reaches point N and SIGKILL it there.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Instant;

pub const ENV: &str = "CERTSMITH_FAILPOINT";

/// The names of the fail points an uninterrupted run of `cmd` passes, in
/// order; panics when the run fails.
pub fn list(mut cmd: Command) -> Vec<String> {
    let out = cmd.env(ENV, "list").stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the listing run failed: {}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("failpoint "))
        .map(|rest| {
            rest.split_once(' ')
                .map_or("", |(_, name)| name)
                .to_string()
        })
        .collect()
}

/// What a run meant to be killed at one fail point did.
pub enum Kill {
    /// It reached the point and the SIGKILL landed there (the report line).
    Reached(String),
    /// It succeeded without passing that many points: this run took a
    /// shorter path than the listing run (see [`kill_at_every_point`]).
    EndedBefore,
}

/// Run `cmd` until it reports reaching fail point `k`, then SIGKILL it.
/// What it did, or what went wrong (it failed before the point, or was not
/// killed by the signal).
pub fn kill_at(mut cmd: Command, k: usize) -> Result<Kill, String> {
    let mut child = cmd
        .env(ENV, format!("kill:{k}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
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
    // The child stops at the point and sleeps: the kill lands there.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    match reached {
        Some(line) if status.signal() == Some(9) => Ok(Kill::Reached(line)),
        Some(line) => Err(format!("{line}: ended with {status}, not SIGKILL")),
        None if status.success() => Ok(Kill::EndedBefore),
        None => Err(format!("never reached fail point {k}: {status}\n{output}")),
    }
}

/// Run `cmd` with an I/O error injected at fail point `k`: its exit code
/// and stderr.
pub fn error_at(mut cmd: Command, k: usize) -> (i32, String) {
    let out = cmd
        .env(ENV, format!("error:{k}"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// How many points of each name `points` holds, for the test's report.
pub fn summary(points: &[String]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for p in points {
        match counts.iter_mut().find(|(n, _)| *n == p) {
            Some((_, c)) => *c += 1,
            None => counts.push((p, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(n, c)| format!("{c}x {n}")).collect();
    parts.join(", ")
}

/// Kill `command()` at each of its fail points in turn, each time from
/// the state `reset()` makes, then run `next()` and gather what `check()`
/// finds wrong. The points are counted by a listing run from the same
/// state. A run that succeeds before reaching point `k` (seen once in the
/// `--nginx` run: one run passed fewer points than the listing, a path that
/// depends on timing) is checked as a finished run and counted; more than
/// one in ten such runs is a problem, since the loop would then prove
/// little. Returns the number of points and every problem.
pub fn kill_at_every_point(
    reset: impl Fn(),
    command: impl Fn() -> Command,
    next: impl Fn(),
    check: impl Fn() -> Vec<String>,
) -> (usize, Vec<String>) {
    reset();
    let points = list(command());
    // A command passing no point would make the loop prove nothing.
    assert!(!points.is_empty(), "no fail points passed");
    eprintln!("{} fail points: {}", points.len(), summary(&points));
    let began = Instant::now();
    let mut problems = Vec::new();
    let mut ended_before = 0;
    for k in 1..=points.len() {
        reset();
        let at = match kill_at(command(), k) {
            Ok(Kill::Reached(line)) => line,
            Ok(Kill::EndedBefore) => {
                ended_before += 1;
                format!("a run that ended before point {k}")
            }
            Err(problem) => {
                problems.push(format!("kill {k}: {problem}"));
                continue;
            }
        };
        next();
        problems.extend(check().into_iter().map(|p| format!("killed at {at}: {p}")));
    }
    eprintln!(
        "{} kills in {:.0?} ({ended_before} runs ended before their point)",
        points.len() - ended_before,
        began.elapsed()
    );
    if ended_before * 10 > points.len() {
        problems.push(format!(
            "{ended_before} of {} runs ended before their fail point",
            points.len()
        ));
    }
    (points.len(), problems)
}

#[track_caller]
pub fn assert_none(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Run `command()` with an I/O error injected at each of its fail points
/// in turn, each time from the state `reset()` makes: the command must
/// fail naming the injected error, and `check()` (run right after, with
/// no other command between) must find nothing wrong. Returns the number
/// of points and every problem.
pub fn error_at_every_point(
    reset: impl Fn(),
    command: impl Fn() -> Command,
    check: impl Fn() -> Vec<String>,
) -> (usize, Vec<String>) {
    reset();
    let n = list(command()).len();
    let began = Instant::now();
    let mut problems = Vec::new();
    for k in 1..=n {
        reset();
        let (code, stderr) = error_at(command(), k);
        if code == 0 || !stderr.contains("injected I/O error") {
            problems.push(format!("error {k}: exit {code}, not named: {stderr}"));
        }
        problems.extend(check().into_iter().map(|p| format!("error {k}: {p}")));
    }
    eprintln!("{n} injected errors in {:.0?}", began.elapsed());
    (n, problems)
}
