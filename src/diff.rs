//! Unified diffs of file contents, for `--dry-run`, and how they are shown:
//! coloured on a terminal (unless `NO_COLOR`), plain anywhere else.

use similar::TextDiff;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

const RED: &[u8] = b"\x1b[31m";
const GREEN: &[u8] = b"\x1b[32m";
const CYAN: &[u8] = b"\x1b[36m";
const BOLD: &[u8] = b"\x1b[1m";
const RESET: &[u8] = b"\x1b[0m";

/// A unified diff (`--- a/FILE`, `+++ b/FILE`, 3 lines of context) of two
/// versions of one file; empty when they are equal. Works on bytes, so files
/// that are not UTF-8 diff too.
pub fn unified(file: &Path, before: &[u8], after: &[u8]) -> Vec<u8> {
    if before == after {
        return Vec::new();
    }
    let name = file.display().to_string();
    let diff = TextDiff::from_lines(before, after);
    let mut out = Vec::new();
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("a{name}"), &format!("b{name}"))
        .to_writer(&mut out)
        .expect("writing to a Vec cannot fail");
    out
}

/// `diff` with each line coloured as `git diff` colours it: file headers
/// bold, hunk headers cyan, removed lines red, added lines green.
pub fn coloured(diff: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(diff.len() + diff.len() / 8);
    for line in diff.split_inclusive(|&b| b == b'\n') {
        let colour = if line.starts_with(b"---") || line.starts_with(b"+++") {
            Some(BOLD)
        } else if line.starts_with(b"@@") {
            Some(CYAN)
        } else if line.starts_with(b"-") {
            Some(RED)
        } else if line.starts_with(b"+") {
            Some(GREEN)
        } else {
            None
        };
        let Some(colour) = colour else {
            out.extend_from_slice(line);
            continue;
        };
        // The reset goes before the line break, so a pager's line stays whole.
        let (text, end) = match line.strip_suffix(b"\n") {
            Some(text) => (text, &b"\n"[..]),
            None => (line, &b""[..]),
        };
        out.extend_from_slice(colour);
        out.extend_from_slice(text);
        out.extend_from_slice(RESET);
        out.extend_from_slice(end);
    }
    out
}

/// Whether output to a terminal may be coloured: it is a terminal, and
/// `NO_COLOR` (no-color.org) is unset or empty.
pub fn colour_wanted(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Write `diff` to stdout: coloured on a terminal, plain through a pipe or
/// a file (no control characters at all).
pub fn print(diff: &[u8]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if colour_wanted(out.is_terminal()) {
        out.write_all(&coloured(diff))
    } else {
        out.write_all(diff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_changed_lines_with_context() {
        let before = b"a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = b"a\nb\nc\nd\nE\nf\ng\nh\n";
        let text = String::from_utf8(unified(Path::new("/etc/x.conf"), before, after)).unwrap();
        assert!(
            text.starts_with("--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -2,7 +2,7 @@\n"),
            "{text}"
        );
        assert!(text.contains("\n-e\n+E\n"));
    }

    #[test]
    fn equal_is_empty() {
        assert!(unified(Path::new("x"), b"same\n", b"same\n").is_empty());
    }

    #[test]
    fn colours_follow_the_line_kinds_and_keep_the_text() {
        let diff = unified(Path::new("/x"), b"a\nb\nc\n", b"a\nB\nc\n");
        let shown = coloured(&diff);
        let text = String::from_utf8(shown.clone()).unwrap();
        assert!(
            text.starts_with("\x1b[1m--- a/x\x1b[0m\n\x1b[1m+++ b/x\x1b[0m\n\x1b[36m@@"),
            "{text:?}"
        );
        assert!(
            text.contains("\n\x1b[31m-b\x1b[0m\n\x1b[32m+B\x1b[0m\n c\n"),
            "{text:?}"
        );
        // Without the escapes, the diff itself.
        let plain = text
            .replace("\x1b[1m", "")
            .replace("\x1b[36m", "")
            .replace("\x1b[31m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain.as_bytes(), diff);
        assert!(!colour_wanted(false));
    }
}
