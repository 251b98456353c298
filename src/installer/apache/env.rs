//! Variables: `${VAR}` expansion and Debian's `envvars` file.
//!
//! Apache replaces `${NAME}` with a `Define`d value or, failing that, the process
//! environment (`ap_resolve_env`); an unknown name stays as written (Apache warns). On
//! Debian, `apache2ctl` sources `/etc/apache2/envvars` first, so `${APACHE_LOG_DIR}` and
//! friends come from there.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Names to values, for `${NAME}` expansion.
pub type Variables = BTreeMap<String, String>;

/// Replace every `${NAME}` whose name is known; leave the others as written.
pub fn expand<'a>(value: &'a [u8], vars: &Variables) -> Cow<'a, [u8]> {
    if !value.windows(2).any(|w| w == b"${") {
        return Cow::Borrowed(value);
    }
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i..].starts_with(b"${")
            && let Some(len) = value[i + 2..].iter().position(|&b| b == b'}')
        {
            let name = String::from_utf8_lossy(&value[i + 2..i + 2 + len]);
            if let Some(v) = vars.get(name.as_ref()) {
                out.extend_from_slice(v.as_bytes());
                i += 2 + len + 1;
                continue;
            }
        }
        out.push(value[i]);
        i += 1;
    }
    Cow::Owned(out)
}

/// The variables a Debian-style `envvars` file exports.
///
/// Reads `NAME=value` and `export NAME=value` lines (any indentation, so both branches of an
/// `if` are read in order and the later assignment wins, which for Debian's file gives the
/// default instance), `$NAME`/`${NAME}` references to earlier assignments, and single or
/// double quotes. `export NAME` exports an earlier assignment. Everything else (conditions,
/// commands, `${X##pattern}`) is ignored: this is not a shell.
pub fn parse_envvars(text: &str) -> Variables {
    let mut shell: Variables = BTreeMap::new();
    let mut exported: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let (is_export, rest) = match line.strip_prefix("export ") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, line),
        };
        match rest.split_once('=') {
            Some((name, value)) if is_name(name) => {
                let value = shell_value(value, &shell);
                shell.insert(name.to_string(), value);
                if is_export {
                    exported.push(name.to_string());
                }
            }
            None if is_export => exported.extend(
                rest.split_whitespace()
                    .filter(|n| is_name(n))
                    .map(str::to_string),
            ),
            _ => {}
        }
    }
    exported
        .into_iter()
        .filter_map(|n| shell.get(&n).map(|v| (n, v.clone())))
        .collect()
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// One shell word: quotes removed, `$NAME` and `${NAME}` substituted (unknown: empty).
fn shell_value(raw: &str, vars: &Variables) -> String {
    let raw = raw.split(" #").next().unwrap_or(raw).trim();
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' if quote.is_none() => quote = Some(c),
            c if Some(c) == quote => quote = None,
            '$' if quote != Some('\'') => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if braced {
                    // `${X##...}` and other expansions: skip to the brace, substitute nothing.
                    for n in chars.by_ref() {
                        if n == '}' {
                            break;
                        }
                    }
                }
                if name.is_empty() && !braced {
                    out.push('$');
                } else if let Some(v) = vars.get(&name) {
                    out.push_str(v);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN: &str = r#"
unset HOME
if [ "${APACHE_CONFDIR##/etc/apache2-}" != "${APACHE_CONFDIR}" ] ; then
	SUFFIX="-${APACHE_CONFDIR##/etc/apache2-}"
else
	SUFFIX=
fi
export APACHE_RUN_USER=www-data
export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid
export APACHE_LOG_DIR=/var/log/apache2$SUFFIX
export LANG=C
export LANG
#export APACHE_LYNX='www-browser -dump'
"#;

    #[test]
    fn debian_envvars() {
        let vars = parse_envvars(DEBIAN);
        assert_eq!(
            vars.get("APACHE_LOG_DIR").map(String::as_str),
            Some("/var/log/apache2")
        );
        assert_eq!(
            vars.get("APACHE_PID_FILE").map(String::as_str),
            Some("/var/run/apache2/apache2.pid")
        );
        assert_eq!(
            vars.get("APACHE_RUN_USER").map(String::as_str),
            Some("www-data")
        );
        assert_eq!(vars.get("LANG").map(String::as_str), Some("C"));
        assert!(!vars.contains_key("SUFFIX"), "not exported");
        assert!(!vars.contains_key("APACHE_LYNX"), "commented out");
    }

    #[test]
    fn expansion_keeps_unknown_names() {
        let vars: Variables = [("A".to_string(), "/x".to_string())].into();
        assert_eq!(&*expand(b"${A}/log ${B} ${A", &vars), b"/x/log ${B} ${A");
        assert!(matches!(
            expand(b"plain", &vars),
            std::borrow::Cow::Borrowed(b"plain")
        ));
    }
}
