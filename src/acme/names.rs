//! The identifiers a certificate may be requested for.

use std::net::IpAddr;

/// A requested name that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("-d {raw:?}: not a valid domain name ({why})")]
pub struct NameError {
    pub raw: String,
    pub why: &'static str,
}

/// Check one requested name: an IP address, or a DNS name (optionally
/// `*.` + name) of LDH labels; returned lower-cased without a final dot.
pub fn check_name(raw: &str) -> Result<String, NameError> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let bad = |why: &'static str| NameError {
        raw: raw.to_string(),
        why,
    };
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    if !raw.is_ascii() {
        return Err(bad(
            "use the punycode (xn--) form of internationalized names",
        ));
    }
    let base = name.strip_prefix("*.").unwrap_or(&name);
    if base.len() > 253 || name.is_empty() {
        return Err(bad("empty or longer than 253 characters"));
    }
    if !base.contains('.') {
        return Err(bad("a certificate name needs at least two labels"));
    }
    for label in base.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("empty label or label longer than 63 characters"));
        }
        if label.contains('*') {
            return Err(bad(
                "a wildcard is only allowed as the whole first label, as in *.example.com",
            ));
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad("only letters, digits, '-' and '.' are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad("a label may not start or end with '-'"));
        }
    }
    Ok(name)
}

/// Checked names, lower-cased, each once, in order.
pub fn check_names<'a>(
    raw: impl IntoIterator<Item = &'a String>,
) -> Result<Vec<String>, NameError> {
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let name = check_name(r)?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("Example.COM.").unwrap(), "example.com");
        assert_eq!(check_name("*.example.com").unwrap(), "*.example.com");
        assert_eq!(check_name("127.0.0.1").unwrap(), "127.0.0.1");
        assert_eq!(check_name("::1").unwrap(), "::1");
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.com",
            "a-.com",
            "a_b.com",
            "*a.com",
            "a.*.com",
            "ex ample.com",
            "bücher.de",
            &format!("{}.com", "a".repeat(64)),
        ] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.starts_with("-d "), "{bad:?}: {err}");
        }
    }
}
