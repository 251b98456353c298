//! Unified diffs of file contents, for `--dry-run`.

use similar::TextDiff;
use std::path::Path;

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
}
