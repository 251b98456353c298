//! Every wait as one status line, on a terminal: what is awaited and for how
//! long, redrawn in place, then replaced by its outcome line
//! (`a.example: validated (1.2 s)`). The one API for every wait in the crate:
//! the CA validating names, DNS records appearing on authoritative servers,
//! the web server's configuration test and reload, hooks.
//!
//! Where it shows, decided once per wait:
//! - stderr is a terminal (and not `-q`): the status line is drawn on stderr
//!   once the wait passes [`FIRST_DRAW`] (a quicker wait shows only its
//!   outcome), dim unless `NO_COLOR`; the outcome line stays, its verdict in
//!   green or red unless `NO_COLOR`.
//! - anywhere else (cron, pipes, files) and under `-q`: nothing on the
//!   console. Certbot prints no such lines, and cron mail and scripts that
//!   read the output keep seeing exactly what they saw before.
//!
//! Every outcome line goes to the log file, in every mode. Output that
//! passes through while a status line is drawn (a hook's) goes through
//! [`pass_through`], which erases the line first. This module, like its
//! parent, uses nothing of the crate.

use std::io::{self, IsTerminal, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A wait shorter than this never draws a status line, only its outcome
/// (no flicker for a 20 ms `nginx -t`).
const FIRST_DRAW: Duration = Duration::from_millis(150);
/// How often a status line is looked at again (redrawn only when its text changed).
const TICK: Duration = Duration::from_millis(100);

const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

/// What stderr shows now. One for the process: there is one stderr.
struct Screen {
    /// The status line drawn (its text), if one is.
    drawn: Option<String>,
    /// Output passed through ended without a newline: the cursor is mid-line,
    /// so no status line is drawn and an outcome line starts a new line.
    mid_line: bool,
}

static SCREEN: Mutex<Screen> = Mutex::new(Screen {
    drawn: None,
    mid_line: false,
});

/// How a wait is shown on the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Console {
    Terminal {
        colour: bool,
    },
    /// Not a terminal, or `-q`: the log only.
    Silent,
}

impl Console {
    fn now() -> Console {
        if super::QUIET.load(Ordering::Relaxed) || !io::stderr().is_terminal() {
            return Console::Silent;
        }
        // The rule of `diff.rs` (a sibling leaf, so not imported): NO_COLOR
        // set and not empty means no colour (no-color.org).
        let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Console::Terminal { colour }
    }
}

/// Whether the outcome is good news (green) or bad (red).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Done,
    Failed,
}

/// What the status line says: `SUBJECT: DOING... N s`.
struct Label {
    subject: String,
    doing: String,
}

/// One wait in progress. Ends with [`Wait::done`] or [`Wait::failed`]
/// (the outcome line); dropped without either (an error follows), its
/// status line is just erased.
pub struct Wait {
    label: Mutex<Label>,
    started: Instant,
    console: Console,
}

impl Wait {
    /// Start waiting: `subject` is what is waited on (`a.example`, `nginx`,
    /// `deploy hook "..."`), `doing` what happens meanwhile.
    pub fn start(subject: impl Into<String>, doing: impl Into<String>) -> Wait {
        Wait::on(Console::now(), subject.into(), doing.into())
    }

    fn on(console: Console, subject: String, doing: String) -> Wait {
        Wait {
            label: Mutex::new(Label { subject, doing }),
            started: Instant::now(),
            console,
        }
    }

    /// Say what is being waited on now (the clock keeps running).
    pub fn set(&self, subject: impl Into<String>, doing: impl Into<String>) {
        if let Ok(mut label) = self.label.lock() {
            label.subject = subject.into();
            label.doing = doing.into();
        }
        self.tick();
    }

    /// Say what happens now, for the same subject.
    pub fn set_doing(&self, doing: impl Into<String>) {
        if let Ok(mut label) = self.label.lock() {
            label.doing = doing.into();
        }
        self.tick();
    }

    /// Redraw the status line if its text changed ([`Wait::during`] and
    /// [`Wait::blocking`] call this every [`TICK`]).
    fn tick(&self) {
        let Console::Terminal { colour } = self.console else {
            return;
        };
        let waited = self.started.elapsed();
        if waited < FIRST_DRAW {
            return;
        }
        let Ok(label) = self.label.lock() else {
            return;
        };
        let text = status_text(&label.subject, &label.doing, waited);
        drop(label);
        draw(&fit(&text, columns()), colour);
    }

    /// Await `future`, ticking meanwhile.
    pub async fn during<F: std::future::Future>(&self, future: F) -> F::Output {
        if self.console == Console::Silent {
            return future.await;
        }
        let mut future = std::pin::pin!(future);
        let mut ticks = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                out = &mut future => return out,
                _ = ticks.tick() => self.tick(),
            }
        }
    }

    /// Run `work` (which blocks: a child process, say), ticking meanwhile
    /// from a second thread.
    pub fn blocking<T>(&self, work: impl FnOnce() -> T) -> T {
        if self.console == Console::Silent {
            return work();
        }
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    self.tick();
                }
            });
            let out = work();
            // Dropping the sender ends the ticking thread (on a panic too).
            drop(stop);
            out
        })
    }

    /// [`Wait::set_doing`], then [`Wait::blocking`]: one step of a wait made
    /// of several (a configuration test, then a reload).
    pub fn step<T>(&self, doing: impl Into<String>, work: impl FnOnce() -> T) -> T {
        self.set_doing(doing);
        self.blocking(work)
    }

    /// The outcome line for `subject`, timed from the start: in the log
    /// always, on the terminal in place of the status line. For one part of
    /// the wait (one name of several) the status line comes back below it at
    /// the next tick.
    pub fn report(&self, subject: &str, verdict: Verdict, outcome: &str) {
        let waited = self.started.elapsed();
        let text = outcome_text(subject, outcome, waited);
        super::info(&text);
        if let Console::Terminal { colour } = self.console {
            line(&match colour {
                true => outcome_text(subject, &paint(verdict, outcome), waited),
                false => text,
            });
        }
    }

    /// The wait ended well: its outcome line replaces the status line.
    pub fn done(self, outcome: &str) {
        self.end(Verdict::Done, outcome);
    }

    /// The wait ended badly: its outcome line replaces the status line (the
    /// error itself is reported by the caller).
    pub fn failed(self, outcome: &str) {
        self.end(Verdict::Failed, outcome);
    }

    /// The wait for a child process ended with `status`: `exit 0` (done),
    /// `exit 3`, `killed by signal 9` (failed).
    pub fn exited(self, status: ExitStatus) {
        match status.success() {
            true => self.done("exit 0"),
            false => self.failed(&exit_text(status)),
        }
    }

    fn end(self, verdict: Verdict, outcome: &str) {
        let subject = match self.label.lock() {
            Ok(label) => label.subject.clone(),
            Err(_) => return,
        };
        self.report(&subject, verdict, outcome);
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if self.console != Console::Silent {
            with_screen(erase);
        }
    }
}

/// Copy `bytes` (output of a program run meanwhile) to stderr or stdout,
/// erasing the status line first; it is drawn again at the next tick.
pub fn pass_through(to_stderr: bool, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    with_screen(|screen, err| {
        erase(screen, err);
        let on_terminal = if to_stderr {
            let _ = err.write_all(bytes);
            err.is_terminal()
        } else {
            let mut out = io::stdout().lock();
            let _ = out.write_all(bytes).and_then(|()| out.flush());
            out.is_terminal()
        };
        // Only a line left unfinished on the terminal matters to the lines
        // drawn there.
        screen.mid_line = on_terminal && !bytes.ends_with(b"\n");
    });
}

/// Copy all that `pipe` (a child's output) gives, as it comes, to stderr or
/// stdout through [`pass_through`]; `shown` false reads it to the end
/// without showing it (the child must not block on a full pipe).
pub fn relay(pipe: &mut dyn io::Read, to_stderr: bool, shown: bool) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf) {
        if n == 0 {
            break;
        }
        if shown {
            pass_through(to_stderr, &buf[..n]);
        }
    }
}

/// `exit 3`, `killed by signal 9`: how a child process ended, in a few words.
fn exit_text(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => status.to_string(),
    }
}

/// `SUBJECT: DOING...`, then the whole seconds waited once there is one.
fn status_text(subject: &str, doing: &str, waited: Duration) -> String {
    match waited.as_secs() {
        0 => format!("{subject}: {doing}..."),
        secs => format!("{subject}: {doing}... {secs} s"),
    }
}

/// `SUBJECT: OUTCOME (1.2 s)`.
fn outcome_text(subject: &str, outcome: &str, waited: Duration) -> String {
    format!("{subject}: {outcome} ({:.1} s)", waited.as_secs_f64())
}

fn paint(verdict: Verdict, outcome: &str) -> String {
    let colour = match verdict {
        Verdict::Done => GREEN,
        Verdict::Failed => RED,
    };
    format!("{colour}{outcome}{RESET}")
}

/// `text` cut to fit one row of `columns` (a status line that wrapped could
/// not be erased in place), with `...` where it was cut.
fn fit(text: &str, columns: usize) -> String {
    let room = columns.saturating_sub(1).max(4);
    if text.chars().count() <= room {
        return text.to_string();
    }
    let kept: String = text.chars().take(room - 3).collect();
    format!("{kept}...")
}

/// The terminal's width (80 when it cannot be told).
fn columns() -> usize {
    rustix::termios::tcgetwinsize(io::stderr())
        .ok()
        .map(|size| usize::from(size.ws_col))
        .filter(|&cols| cols > 0)
        .unwrap_or(80)
}

fn with_screen(act: impl FnOnce(&mut Screen, &mut io::StderrLock<'_>)) {
    let Ok(mut screen) = SCREEN.lock() else {
        return;
    };
    let mut err = io::stderr().lock();
    act(&mut screen, &mut err);
    let _ = err.flush();
}

fn draw(text: &str, colour: bool) {
    with_screen(|screen, err| {
        if screen.mid_line || screen.drawn.as_deref() == Some(text) {
            return;
        }
        let _ = match colour {
            true => write!(err, "\r\x1b[K{DIM}{text}{RESET}"),
            false => write!(err, "\r\x1b[K{text}"),
        };
        screen.drawn = Some(text.to_string());
    });
}

fn erase(screen: &mut Screen, err: &mut io::StderrLock<'_>) {
    if screen.drawn.take().is_some() {
        let _ = write!(err, "\r\x1b[K");
    }
}

/// A permanent line in place of the status line.
fn line(text: &str) {
    with_screen(|screen, err| {
        erase(screen, err);
        if std::mem::take(&mut screen.mid_line) {
            let _ = writeln!(err);
        }
        let _ = writeln!(err, "{text}");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_outcome_texts() {
        let half = Duration::from_millis(400);
        assert_eq!(
            status_text("a.example", "waiting for the CA to validate", half),
            "a.example: waiting for the CA to validate..."
        );
        assert_eq!(
            status_text("nginx", "reloading", Duration::from_millis(3_900)),
            "nginx: reloading... 3 s"
        );
        assert_eq!(
            outcome_text("a.example", "validated", Duration::from_millis(1_234)),
            "a.example: validated (1.2 s)"
        );
    }

    #[test]
    fn how_a_child_ended_in_a_few_words() {
        assert_eq!(exit_text(ExitStatus::from_raw(0)), "exit 0");
        assert_eq!(exit_text(ExitStatus::from_raw(3 << 8)), "exit 3");
        assert_eq!(exit_text(ExitStatus::from_raw(9)), "killed by signal 9");
    }

    #[test]
    fn a_long_status_is_cut_to_one_row() {
        assert_eq!(fit("short", 80), "short");
        assert_eq!(fit("0123456789", 8), "0123...");
        assert_eq!(fit("0123456789", 8).chars().count(), 7);
        // Multi-byte characters are cut between characters, not bytes.
        assert_eq!(fit("ééééééééé", 8), "éééé...");
    }

    #[test]
    fn silent_waits_pass_their_results_through() {
        let wait = Wait::on(Console::Silent, "x".into(), "waiting".into());
        assert_eq!(wait.blocking(|| 7), 7);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        assert_eq!(runtime.block_on(wait.during(async { 8 })), 8);
        wait.done("done");
        assert!(SCREEN.lock().unwrap().drawn.is_none());
    }
}
