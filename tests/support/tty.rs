//! A command run in a real pseudo-terminal: a detached tmux session on its own
//! server socket, read with `capture-pane`, answered with `send-keys`. Every wait
//! has a deadline and fails showing the screen.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a question (or the exit) may take to appear.
const DEADLINE: Duration = Duration::from_secs(90);

pub struct Tty {
    socket: String,
    /// The screen text already matched by [`Tty::wait_for`].
    seen: usize,
}

/// `text` quoted for `sh`.
fn quote(text: &OsStr) -> String {
    let text = String::from_utf8_lossy(text.as_bytes());
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `cmd` (its program, arguments, environment and directory) as one `sh` line.
fn shell_line(cmd: &Command) -> String {
    let mut line = String::new();
    if let Some(dir) = cmd.get_current_dir() {
        line.push_str(&format!("cd {} && ", quote(dir.as_os_str())));
    }
    line.push_str("env");
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            let pair = [key, OsStr::new("="), value].map(|s| s.as_bytes()).concat();
            line.push(' ');
            line.push_str(&quote(OsStr::from_bytes(&pair)));
        }
    }
    for part in std::iter::once(cmd.get_program()).chain(cmd.get_args()) {
        line.push(' ');
        line.push_str(&quote(part));
    }
    line
}

impl Tty {
    /// Start `cmd` in a 200x50 terminal. Its exit status is shown as `EXIT=N`
    /// and the pane stays open a minute after it, for [`Tty::wait_exit`].
    pub fn start(cmd: &Command) -> Tty {
        let socket = format!("certsmith-tty-{}-{}", std::process::id(), super::unique());
        let script = format!("{}; echo EXIT=$?; sleep 60", shell_line(cmd));
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "200", "-y", "50", &script])
            .status()
            .expect("tmux must be installed");
        assert!(status.success(), "tmux new-session failed");
        let tty = Tty { socket, seen: 0 };
        tty.tmux(&["set-option", "-g", "history-limit", "10000"]);
        tty
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux must be installed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Everything the terminal showed so far (scrollback included, wrapped
    /// lines joined).
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-10000"])
    }

    /// The screen with its colours and attributes as escape sequences.
    pub fn screen_with_escapes(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-J", "-S", "-10000"])
    }

    /// Wait until `text` appears after what was matched before; returns the
    /// screen. Fails at the deadline (or when the command exits first) with the
    /// screen.
    #[track_caller]
    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait_until(text, |rest| rest.find(text).map(|at| at + text.len()))
    }

    /// Like [`Tty::wait_for`], for the regular expression `pattern` (a status
    /// line whose seconds go on counting, say).
    #[track_caller]
    pub fn wait_for_match(&mut self, pattern: &str) -> String {
        let re = regex::Regex::new(pattern).expect("a valid pattern");
        self.wait_until(pattern, |rest| re.find(rest).map(|m| m.end()))
    }

    /// Wait until `end_of` finds the end of what is awaited (`what`, for
    /// messages) in the screen after what was matched before.
    #[track_caller]
    fn wait_until(&mut self, what: &str, end_of: impl Fn(&str) -> Option<usize>) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            let rest = screen.get(self.seen..).unwrap_or("");
            if let Some(end) = end_of(rest) {
                self.seen += end;
                return screen;
            }
            if rest.contains("EXIT=") {
                panic!("the command exited before showing {what:?}; screen:\n{screen}");
            }
            if Instant::now() > deadline {
                panic!("{what:?} did not appear within {DEADLINE:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Type `answer` and press Enter.
    pub fn answer(&self, answer: &str) {
        if !answer.is_empty() {
            self.tmux(&["send-keys", "-t", "0", "-l", answer]);
        }
        self.tmux(&["send-keys", "-t", "0", "Enter"]);
    }

    /// Wait for the command to end: its exit status and the whole screen.
    #[track_caller]
    pub fn wait_exit(&mut self) -> (i32, String) {
        let screen = self.wait_for("EXIT=");
        let rest = &screen[self.seen..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let code = digits
            .parse()
            .unwrap_or_else(|_| panic!("no exit status; screen:\n{screen}"));
        (code, screen)
    }

    /// The number a menu on `screen` shows for the choice containing `label`
    /// (lines like `  3: label`; the last such line).
    #[track_caller]
    pub fn number_of(&self, screen: &str, label: &str) -> String {
        let line = screen
            .lines()
            .rev()
            .find(|l| {
                l.contains(label)
                    && l.trim_start()
                        .split(':')
                        .next()
                        .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .unwrap_or_else(|| panic!("no menu line with {label:?}; screen:\n{screen}"));
        line.trim_start().split(':').next().unwrap().to_string()
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// A screen as a fixture under `fixtures/screens/` keeps it: what differs
/// between two runs of the same command replaced by a fixed placeholder, and
/// nothing else touched.
///
/// - each `(path, placeholder)` of `paths` (temporary directories), longest
///   first, e.g. the site's directory by `$SITE`;
/// - durations: `(1.2 s)` by `(#.# s)`, the seconds of a status line
///   (`... 3 s`) by `... # s`, `after 0.52 s` by `after #.## s`;
/// - dates (`2027-03-07`) by `YYYY-MM-DD`, times of day (`12:04:05`) by
///   `hh:mm:ss`;
/// - serial numbers (16 or more hex digits, with or without colons) by
///   `SERIAL`;
/// - blanks at the ends of lines, and blank lines at the end, dropped (the
///   rest of the pane).
pub fn normalize(screen: &str, paths: &[(&std::path::Path, &str)]) -> String {
    let mut text = screen.to_string();
    let mut paths = paths.to_vec();
    paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.as_os_str().len()));
    for (path, placeholder) in paths {
        text = text.replace(&path.display().to_string(), placeholder);
    }
    let rules = [
        (r"\(\d+\.\d s\)", "(#.# s)"),
        (r"\.\.\. \d+ s\b", "... # s"),
        (r"after \d+\.\d+ s", "after #.## s"),
        (r"\b\d{4}-\d{2}-\d{2}\b", "YYYY-MM-DD"),
        (r"\b\d{2}:\d{2}:\d{2}\b", "hh:mm:ss"),
        (r"\b[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){7,}\b", "SERIAL"),
        (r"\b[0-9a-fA-F]{16,}\b", "SERIAL"),
    ];
    for (pattern, placeholder) in rules {
        let re = regex::Regex::new(pattern).expect("a valid pattern");
        text = re.replace_all(&text, placeholder).into_owned();
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let mut out = lines[..end].join("\n");
    out.push('\n');
    out
}
