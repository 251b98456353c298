//! `Include` / `IncludeOptional` targets, as Apache 2.4 expands them
//! (`ap_process_fnmatch_configs`):
//!
//! - a path without wildcards naming a directory includes every entry in it (hidden files
//!   too), recursively, in byte order of the full path; naming a file includes it;
//! - a path with wildcards (`*`, `?`, `[...]`; `\` escapes) is walked one component at a
//!   time: each wildcard component is matched against the directory's entries with
//!   `fnmatch` (a leading `.` must be matched literally), in byte order; inner components
//!   only match directories (not symlinks to them, as Apache reads the entry type);
//! - `Include` fails when a wildcard matches nothing in some directory or a file is missing;
//!   `IncludeOptional` skips both silently.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Apache stops following nested directory includes here.
pub const MAX_DIR_DEPTH: usize = 128;

/// The files an include pattern names, in the order Apache reads them. `pattern` must be
/// absolute (made so against ServerRoot by the caller). Errors are Apache's messages.
pub fn resolve(pattern: &Path, optional: bool) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let bytes = pattern.as_os_str().as_bytes();
    if !has_wildcard(bytes) {
        plain(pattern, optional, 0, &mut out)?;
    } else {
        if !pattern.is_absolute() {
            return Err(format!(
                "Include must have an absolute path, {}",
                pattern.display()
            ));
        }
        let parts: Vec<&[u8]> = bytes
            .split(|&b| b == b'/')
            .filter(|p| !p.is_empty())
            .collect();
        walk(Path::new("/"), &parts, optional, &mut out)?;
    }
    Ok(out)
}

/// A path without wildcards: a file, or a directory read whole.
fn plain(path: &Path, optional: bool, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_dir() {
        if depth >= MAX_DIR_DEPTH {
            return Err(format!(
                "Directory {} exceeds the maximum include directory nesting level of {MAX_DIR_DEPTH}. You have probably a recursion somewhere.",
                path.display()
            ));
        }
        let entries = std::fs::read_dir(path)
            .map_err(|e| format!("Could not open config directory {}: {e}", path.display()))?;
        let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        sort_bytewise(&mut children);
        for child in children {
            plain(&child, optional, depth + 1, out)?;
        }
        return Ok(());
    }
    if optional && std::fs::metadata(path).is_err() {
        return Ok(());
    }
    out.push(path.to_path_buf());
    Ok(())
}

fn walk(
    base: &Path,
    parts: &[&[u8]],
    optional: bool,
    out: &mut Vec<PathBuf>,
) -> Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        return plain(base, optional, 0, out);
    };
    let first_str = std::ffi::OsStr::from_bytes(first);
    if !has_wildcard(first) {
        return walk(&base.join(first_str), rest, optional, out);
    }
    let entries = match std::fs::read_dir(base) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && optional => return Ok(()),
        Err(e) => {
            return Err(format!(
                "Could not open config directory {}: {e}",
                base.display()
            ));
        }
    };
    let mut candidates = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !fnmatch(first, name.as_bytes()) {
            continue;
        }
        if !rest.is_empty() && !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        candidates.push(entry.path());
    }
    if candidates.is_empty() && !optional {
        return Err(format!(
            "No matches for the wildcard '{}' in '{}', failing",
            first_str.to_string_lossy(),
            base.display()
        ));
    }
    sort_bytewise(&mut candidates);
    for c in candidates {
        walk(&c, rest, optional, out)?;
    }
    Ok(())
}

fn sort_bytewise(paths: &mut [PathBuf]) {
    paths.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
}

/// Does the pattern hold a wildcard (`apr_fnmatch_test`)? `[` counts only with a `]` after it.
pub fn has_wildcard(pattern: &[u8]) -> bool {
    let mut open = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'?' | b'*' => return true,
            b'\\' => i += 1,
            b'[' => open = true,
            b']' if open => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// `fnmatch(pattern, name)` with `FNM_PERIOD`: `*`, `?`, `[...]` (`!`/`^` negate, ranges),
/// `\` escapes; a leading `.` in `name` must be matched by a literal `.`.
pub fn fnmatch(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && !(pattern.starts_with(b".") || pattern.starts_with(b"\\.")) {
        return false;
    }
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() {
            let step = match pattern[p] {
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' => (t < name.len()).then_some(1),
                b'[' => match bracket(pattern, p) {
                    Some((set, end)) => (t < name.len() && set.matches(name[t])).then_some(end - p),
                    None => (name.get(t) == Some(&b'[')).then_some(1),
                },
                b'\\' if p + 1 < pattern.len() => {
                    (name.get(t) == Some(&pattern[p + 1])).then_some(2)
                }
                c => (name.get(t) == Some(&c)).then_some(1),
            };
            if let Some(len) = step {
                p += len;
                t += 1;
                continue;
            }
        } else if t == name.len() {
            return true;
        }
        match star {
            Some((sp, st)) if st < name.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

struct Bracket {
    negated: bool,
    ranges: Vec<(u8, u8)>,
}

impl Bracket {
    fn matches(&self, c: u8) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// The bracket expression at `start` (`[`) and the index after its `]`; `None` if unclosed.
fn bracket(pattern: &[u8], start: usize) -> Option<(Bracket, usize)> {
    let mut i = start + 1;
    let negated = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut c = *pattern.get(i)?;
        if c == b']' && !first {
            return Some((Bracket { negated, ranges }, i + 1));
        }
        first = false;
        if c == b'\\' {
            i += 1;
            c = *pattern.get(i)?;
        }
        i += 1;
        if pattern.get(i) == Some(&b'-') && pattern.get(i + 1).is_some_and(|&n| n != b']') {
            let mut hi = pattern[i + 1];
            i += 2;
            if hi == b'\\' {
                hi = *pattern.get(i)?;
                i += 1;
            }
            ranges.push((c, hi));
        } else {
            ranges.push((c, c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_like_apr() {
        assert!(fnmatch(b"*.conf", b"a.conf"));
        assert!(!fnmatch(b"*.conf", b".hidden.conf"));
        assert!(fnmatch(b".*.conf", b".hidden.conf"));
        assert!(!fnmatch(b"*.conf", b"a.conf.bak"));
        assert!(fnmatch(b"*", b"x"));
        assert!(fnmatch(b"a?c", b"abc"));
        assert!(fnmatch(b"[0-9][!a]*", b"0b-x"));
        assert!(!fnmatch(b"[0-9][!a]*", b"0a-x"));
        assert!(fnmatch(b"a\\*", b"a*"));
        assert!(!fnmatch(b"a\\*", b"ab"));
        assert!(fnmatch(b"*a*b*", b"xxaxxbxx"));
        assert!(fnmatch(b"[]]", b"]"));
        assert!(fnmatch(b"[", b"["));
    }

    #[test]
    fn wildcard_test_like_apr() {
        assert!(has_wildcard(b"/etc/*.conf"));
        assert!(has_wildcard(b"a[12]"));
        assert!(!has_wildcard(b"a[12"));
        assert!(!has_wildcard(b"/etc/apache2/ports.conf"));
        assert!(!has_wildcard(b"a\\*"));
    }
}
