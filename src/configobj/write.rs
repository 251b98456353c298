//! Writing: the quoting configobj's `_quote` picks, made exact where it is
//! not (it leaves a value bare whose ends are Unicode spaces, which it then
//! reads back trimmed), and refusing what its reader cannot get back.

use super::WriteError;
use super::read::is_space;

/// A value alone on its line is safe bare: no outer space or quote, no
/// comma (a list), no `#` (a comment).
fn bare_ok(value: &str) -> bool {
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().last()) else {
        return false;
    };
    let edge = |c: char| is_space(c) || c == '"' || c == '\'';
    !edge(first) && !edge(last) && !value.contains([',', '#'])
}

fn refuse(value: &str, why: &'static str) -> WriteError {
    WriteError {
        value: value.to_string(),
        why,
    }
}

/// A carriage return is lost to line splitting (as `\r\n`), so never kept.
fn check_cr(value: &str) -> Result<(), WriteError> {
    if value.contains('\r') {
        return Err(refuse(value, "it holds a carriage return"));
    }
    Ok(())
}

/// One-line quoting: bare (when `bare` allows it), `"..."` or `'...'`.
fn single(value: &str, bare: bool) -> Result<String, WriteError> {
    check_cr(value)?;
    if value.contains('\n') {
        return Err(refuse(value, "a list item or key cannot span lines"));
    }
    if bare && bare_ok(value) {
        Ok(value.to_string())
    } else if !value.contains('"') {
        Ok(format!("\"{value}\""))
    } else if !value.contains('\'') {
        Ok(format!("'{value}'"))
    } else {
        Err(refuse(
            value,
            "a list item or key cannot hold both ' and \"",
        ))
    }
}

/// A scalar value as configobj reads it back unchanged: bare, `"..."`,
/// `'...'`, or `'''...'''` / `"""..."""` (over several lines if it has
/// newlines). Refused: both `'''` and `"""`, or a carriage return.
pub fn quote_value(value: &str) -> Result<String, WriteError> {
    check_cr(value)?;
    let needs_triple = value.contains('\n') || (value.contains('"') && value.contains('\''));
    if !needs_triple {
        return single(value, true);
    }
    if !value.contains("'''") {
        Ok(format!("'''{value}'''"))
    } else if !value.contains("\"\"\"") {
        Ok(format!("\"\"\"{value}\"\"\""))
    } else {
        Err(refuse(value, "it holds both ''' and \"\"\""))
    }
}

/// A list in Certbot's spelling: `a, b`, `a,` for one item, `,` for none.
/// Items are quoted on one line (configobj has no triple quotes in lists).
pub fn quote_list(items: &[String]) -> Result<String, WriteError> {
    let quoted = items
        .iter()
        .map(|i| single(i, true))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match quoted.as_slice() {
        [] => ",".to_string(),
        [one] => format!("{one},"),
        _ => quoted.join(", "),
    })
}

/// A key (or section name): bare when safe, else quoted on one line.
pub fn quote_key(key: &str) -> Result<String, WriteError> {
    if key.trim_matches(is_space).is_empty() {
        return Err(refuse(key, "a key cannot be empty"));
    }
    single(key, !key.contains(['=', '[', ']']))
}
