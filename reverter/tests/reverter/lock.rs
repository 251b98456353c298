//! Two processes racing for a directory lock.

use super::support::Scratch;
use reverter::lock::{DirLock, LOCK_FILE};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

const DIR_ENV: &str = "REVERTER_TEST_LOCK_DIR";

/// The child: lock the directory; on success say so and hold the lock until
/// stdin closes; on failure print the error and exit 1.
pub fn child_main() {
    let dir = std::env::var_os(DIR_ENV).expect("run by the lock tests only");
    match DirLock::acquire(&dir) {
        Ok(_lock) => {
            let mut err = std::io::stderr();
            let _ = writeln!(err, "acquired {}", std::process::id());
            let _ = std::io::stdin().read_line(&mut String::new());
            let _ = writeln!(err, "released");
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            std::process::exit(1);
        }
    }
}

fn spawn(dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DIR_ENV, dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The child's first line that says how locking went.
fn outcome(child: &mut Child) -> (String, BufReader<ChildStderr>) {
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            return (String::new(), reader);
        }
        if line.starts_with("acquired ") || line.starts_with("error: ") {
            return (line.trim_end().to_string(), reader);
        }
    }
}

#[test]
fn exactly_one_of_two_racing_processes_gets_the_lock() {
    let s = Scratch::new("lock-race");
    let dir = s.join("work");
    let canonical_parent = std::fs::canonicalize(&s.path).unwrap();
    for round in 0..5 {
        let mut children = [spawn(&dir), spawn(&dir)];
        let outcomes: Vec<_> = children.iter_mut().map(outcome).collect();
        let winners: Vec<usize> = (0..2)
            .filter(|&i| outcomes[i].0.starts_with("acquired "))
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {:?}",
            outcomes.iter().map(|o| &o.0).collect::<Vec<_>>()
        );
        let (w, l) = (winners[0], 1 - winners[0]);
        let loser_status = children[l].wait().unwrap();
        assert_eq!(
            loser_status.code(),
            Some(1),
            "round {round}: the loser exits non-zero"
        );
        let message = &outcomes[l].0;
        let winner_pid = children[w].id();
        assert!(
            message.contains(&canonical_parent.join("work").display().to_string()),
            "names the directory: {message}"
        );
        assert!(
            message.contains(&format!("pid {winner_pid}")),
            "names the holder: {message}"
        );

        // The holder finishes normally: nothing is left locked.
        drop(children[w].stdin.take());
        assert!(children[w].wait().unwrap().success());
        let lock = DirLock::acquire(&dir).expect("free after the holder exited");
        drop(lock);
    }
    assert!(
        !dir.join(LOCK_FILE).exists(),
        "released locks leave no file behind"
    );
}

#[test]
fn a_killed_holder_leaves_no_lock_behind() {
    let s = Scratch::new("lock-kill");
    let dir = s.join("work");
    let mut holder = spawn(&dir);
    let (first, _reader) = outcome(&mut holder);
    assert!(first.starts_with("acquired "), "{first}");
    let mut contender = spawn(&dir);
    let (message, _) = outcome(&mut contender);
    assert!(
        message.contains(&format!("pid {}", holder.id())),
        "{message}"
    );
    assert_eq!(contender.wait().unwrap().code(), Some(1));

    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();
    let mut after = spawn(&dir);
    let (line, _reader) = outcome(&mut after);
    assert!(
        line.starts_with("acquired "),
        "the lock died with its holder: {line}"
    );
    drop(after.stdin.take());
    assert!(after.wait().unwrap().success());
}
