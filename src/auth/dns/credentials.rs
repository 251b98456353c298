//! Certbot's RFC 2136 credentials file (`dns_rfc2136_server`, `_port`,
//! `_name`, `_secret`, `_algorithm`, `_sign_query`): a flat ConfigObj file
//! (`key = value` lines, `#` comments, optional quotes; see
//! [`crate::configobj`]). certsmith also reads `dns_rfc2136_zone`
//! (skip zone discovery). The file holds a shared secret: one that group or
//! others may access is read with Certbot's warning. [`read_file`] and
//! [`entries`] read the API providers' files (`dns_NAME_*` keys) too.

use super::error::DnsError;
use super::tsig::{Algorithm, Secret, TsigKey};
use crate::configobj::{self, ErrorKind, FlatRules};
use hickory_proto::rr::Name;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

const PREFIX: &str = "dns_rfc2136_";
const KEYS: [&str; 7] = [
    "server",
    "port",
    "name",
    "secret",
    "algorithm",
    "sign_query",
    "zone",
];

/// Everything needed to update a zone (the secret stays hidden in `Debug`).
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The file it came from (for messages and the renewal conf).
    pub path: PathBuf,
    pub server: SocketAddr,
    pub key: TsigKey,
    /// Sign the SOA and TXT queries sent to `server` too.
    pub sign_query: bool,
    /// Use this zone instead of looking for it with SOA queries.
    pub zone: Option<Name>,
}

/// One `key = value` line, with where its value starts.
pub struct Entry {
    pub value: String,
    pub line: usize,
    pub col: usize,
}

/// An error at `path:line:col`.
pub fn at(path: &Path, line: usize, col: usize, msg: impl std::fmt::Display) -> DnsError {
    DnsError::Credentials(format!("{}:{line}:{col}: {msg}", path.display()))
}

impl Credentials {
    /// Read `path`. A file that group or others may access is read with a
    /// warning (returned, for the caller to show), as Certbot does
    /// (`dns_common.validate_file_permissions`): `Unsafe permissions on
    /// credentials configuration file: PATH`.
    pub fn load(path: &Path) -> Result<(Credentials, Option<String>), DnsError> {
        let (text, warning) = read_file(path, "--dns-rfc2136-credentials", "a TSIG secret")?;
        Ok((Credentials::parse(path, &text)?, warning))
    }

    /// Parse the file's text; `path` is for messages only.
    pub fn parse(path: &Path, text: &str) -> Result<Credentials, DnsError> {
        let entries = entries(path, text, PREFIX, &KEYS)?;
        let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, e)| e);
        let missing = |k: &str| {
            DnsError::Credentials(format!(
                "{}: {PREFIX}{k} is missing (needed: {PREFIX}server, {PREFIX}name, {PREFIX}secret)",
                path.display()
            ))
        };
        let server_entry = get("server").ok_or_else(|| missing("server"))?;
        let ip: IpAddr = server_entry.value.parse().map_err(|_| {
            at(
                path,
                server_entry.line,
                server_entry.col,
                format!(
                    "{PREFIX}server must be an IPv4 or IPv6 address (not a host name), not {:?}",
                    server_entry.value
                ),
            )
        })?;
        let port = match get("port") {
            None => 53,
            Some(e) => match e.value.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => {
                    return Err(at(
                        path,
                        e.line,
                        e.col,
                        format!(
                            "{PREFIX}port must be a number from 1 to 65535, not {:?}",
                            e.value
                        ),
                    ));
                }
            },
        };
        let name_entry = get("name").ok_or_else(|| missing("name"))?;
        let name = dns_name(&name_entry.value).ok_or_else(|| {
            at(
                path,
                name_entry.line,
                name_entry.col,
                format!(
                    "{PREFIX}name is not a valid key name: {:?}",
                    name_entry.value
                ),
            )
        })?;
        let secret_entry = get("secret").ok_or_else(|| missing("secret"))?;
        let secret = decode_secret(&secret_entry.value).ok_or_else(|| {
            // The value itself is never repeated: it may be a real secret.
            at(
                path,
                secret_entry.line,
                secret_entry.col,
                format!(
                    "{PREFIX}secret is not a non-empty base64 string (as tsig-keygen writes it)"
                ),
            )
        })?;
        let algorithm = match get("algorithm") {
            None => Algorithm::HmacMd5,
            Some(e) => Algorithm::from_name(&e.value).ok_or_else(|| {
                let known: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
                at(
                    path,
                    e.line,
                    e.col,
                    format!(
                        "{PREFIX}algorithm {:?} is not one of {}",
                        e.value,
                        known.join(", ")
                    ),
                )
            })?,
        };
        let sign_query = match get("sign_query") {
            None => false,
            Some(e) => match e.value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(at(
                        path,
                        e.line,
                        e.col,
                        format!(
                            "{PREFIX}sign_query must be true or false, not {:?}",
                            e.value
                        ),
                    ));
                }
            },
        };
        let zone = match get("zone") {
            None => None,
            Some(e) => Some(dns_name(&e.value).ok_or_else(|| {
                at(
                    path,
                    e.line,
                    e.col,
                    format!("{PREFIX}zone is not a valid domain name: {:?}", e.value),
                )
            })?),
        };
        Ok(Credentials {
            path: path.to_path_buf(),
            server: SocketAddr::new(ip, port),
            key: TsigKey {
                name,
                algorithm,
                secret: Secret::new(secret),
            },
            sign_query,
            zone,
        })
    }
}

/// Read a credentials file for `flag` (`--dns-NAME-credentials`): its text,
/// and Certbot's warning (`dns_common.validate_file_permissions`: `Unsafe
/// permissions on credentials configuration file: PATH`) when group or
/// others may access it; `holds` says what it holds ("a TSIG secret").
/// Certbot warns for rights of others only; group access is as unsafe for a
/// secret, so it is named too (a warning, not a refusal).
pub fn read_file(
    path: &Path,
    flag: &str,
    holds: &str,
) -> Result<(String, Option<String>), DnsError> {
    let shown = path.display();
    let cannot =
        |e: std::io::Error| DnsError::Credentials(format!("{flag}: cannot read {shown}: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(DnsError::Credentials(format!(
            "{flag}: {shown} is not a file"
        )));
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    let warning = (mode & 0o077 != 0).then(|| {
        format!(
            "Unsafe permissions on credentials configuration file: {shown} (mode {mode:04o}; \
             it holds {holds}: chmod 600 {shown})"
        )
    });
    let bytes = std::fs::read(path).map_err(cannot)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| DnsError::Credentials(format!("{shown}: not a UTF-8 text file")))?;
    Ok((text, warning))
}

/// A fully qualified, lower-case name of at least one label.
fn dns_name(text: &str) -> Option<Name> {
    let text = text.trim();
    if text.is_empty() || text == "." || !text.is_ascii() || text.contains(char::is_whitespace) {
        return None;
    }
    let mut name = Name::from_ascii(text).ok()?.to_lowercase();
    name.set_fqdn(true);
    Some(name)
}

/// A key as it may be shown in an error: whole when it could be a typo of
/// a known key (no longer than the longest one plus two, name characters
/// only), else only its first characters. A line such as
/// `dns_rfc2136_secretSECRET` (the `=` lost) makes a key that holds the
/// secret; its position in the error still says which line it is.
fn shown_key(key: &str, prefix: &str, keys: &[&str]) -> String {
    let longest = keys
        .iter()
        .map(|k| prefix.len() + k.len())
        .max()
        .unwrap_or(0);
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if key.len() <= longest + 2 && key.chars().all(name_char) {
        return key.to_string();
    }
    let shown: String = key.chars().take(prefix.len()).collect();
    format!("{shown}…")
}

fn decode_secret(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(text.trim()).ok()?;
    (!bytes.is_empty()).then_some(bytes)
}

/// The check the `credentials` fuzz target runs: [`Credentials::parse`] never panics, and a
/// positioned error (`FILE:LINE:COL: ...`) points inside the text. `Ok(true)`: the text is a
/// usable credentials file; `Err`: what is wrong with the error it gave.
pub fn check(text: &str) -> Result<bool, String> {
    const FILE: &str = "credentials.ini";
    let Err(e) = Credentials::parse(Path::new(FILE), text) else {
        return Ok(true);
    };
    let message = e.to_string();
    let Some(rest) = message.strip_prefix(&format!("{FILE}:")) else {
        return Ok(false);
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(line), Some(col)) = (parts.next(), parts.next()) else {
        return Ok(false);
    };
    let (Ok(line), Ok(col)) = (line.parse::<usize>(), col.parse::<usize>()) else {
        return Ok(false);
    };
    if line == 0 || col == 0 || line > text.split('\n').count() {
        return Err(format!(
            "position {line}:{col} is outside the text: {message}"
        ));
    }
    Ok(false)
}

/// The `PREFIX*` entries (without the prefix) of a credentials file, checked
/// for syntax (configobj's, as Certbot reads the file), unknown names and
/// duplicates. Other keys are left to other tools, as Certbot does.
pub fn entries(
    path: &Path,
    text: &str,
    prefix: &str,
    keys: &[&str],
) -> Result<Vec<(String, Entry)>, DnsError> {
    let found = configobj::flat_entries(text, FlatRules::CREDENTIALS).map_err(|e| {
        let msg = match e.kind {
            ErrorKind::SectionNotAllowed => {
                "sections are not used in a credentials file".to_string()
            }
            ErrorKind::ExpectedEntry => "expected `key = value` (or a # comment)".to_string(),
            other => other.to_string(),
        };
        at(path, e.line, e.col, msg)
    })?;
    let mut out: Vec<(String, Entry)> = Vec::new();
    for entry in found {
        let key = entry.key.as_str();
        let Some(short) = key.strip_prefix(prefix) else {
            continue;
        };
        if !keys.contains(&short) {
            let known: Vec<String> = keys.iter().map(|k| format!("{prefix}{k}")).collect();
            return Err(at(
                path,
                entry.line,
                entry.key_col,
                format!(
                    "unknown key {} (known: {})",
                    shown_key(key, prefix, keys),
                    known.join(", ")
                ),
            ));
        }
        if let Some((_, first)) = out.iter().find(|(k, _)| k == short) {
            return Err(at(
                path,
                entry.line,
                entry.key_col,
                format!("{key} is given twice (first on line {})", first.line),
            ));
        }
        out.push((
            short.to_string(),
            Entry {
                value: entry.value.unwrap_or_default(),
                line: entry.line,
                col: entry.col,
            },
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Credentials, String> {
        Credentials::parse(Path::new("c.ini"), text).map_err(|e| e.to_string())
    }

    const GOOD: &str = "# Target DNS server\n\
        dns_rfc2136_server = 192.0.2.1\n\
        dns_rfc2136_port = 5353\n\
        dns_rfc2136_name = keyname.\n\
        dns_rfc2136_secret = \"c2VjcmV0LWtleS1ieXRlcw==\"   # quoted\n\
        dns_rfc2136_algorithm = hmac-sha512\n\
        dns_rfc2136_sign_query = TRUE\n\
        dns_other_plugin_key = ignored\n";

    #[test]
    fn certbots_format_parses() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.server, "192.0.2.1:5353".parse().unwrap());
        assert_eq!(c.key.name.to_ascii(), "keyname.");
        assert_eq!(c.key.algorithm, Algorithm::HmacSha512);
        assert!(c.sign_query);
        assert_eq!(c.zone, None);
        assert_eq!(c.key.secret, Secret::new(b"secret-key-bytes".to_vec()));
    }

    #[test]
    fn defaults_are_certbots_port_53_and_hmac_md5() {
        let c = parse(
            "dns_rfc2136_server=::1\ndns_rfc2136_name=k\ndns_rfc2136_secret=c2VjcmV0\n\
             dns_rfc2136_zone = Example.COM\n",
        )
        .unwrap();
        assert_eq!(c.server, "[::1]:53".parse().unwrap());
        assert_eq!(c.key.algorithm, Algorithm::HmacMd5);
        assert_eq!(c.key.name.to_ascii(), "k.");
        assert!(!c.sign_query);
        assert_eq!(c.zone.unwrap().to_ascii(), "example.com.");
    }

    #[test]
    fn errors_have_positions_and_never_show_the_secret() {
        let base = "dns_rfc2136_server = 192.0.2.1\ndns_rfc2136_name = k.\n";
        let cases = [
            (
                "dns_rfc2136_secret = not*base64!\n",
                "c.ini:3:22: dns_rfc2136_secret is not",
            ),
            (
                "dns_rfc2136_secret = c2Vj\ndns_rfc2136_port = 0\n",
                "c.ini:4:20: dns_rfc2136_port must",
            ),
            (
                "dns_rfc2136_secret = c2Vj\ndns_rfc2136_algorithm = HMAC-SHA3\n",
                "c.ini:4:25: dns_rfc2136_algorithm \"HMAC-SHA3\" is not one of HMAC-MD5",
            ),
            (
                "dns_rfc2136_secret = c2Vj\n  just words\n",
                "c.ini:4:3: expected `key = value`",
            ),
            (
                "dns_rfc2136_secret = c2Vj\ndns_rfc2136_secret = c2Vj\n",
                "c.ini:4:1: dns_rfc2136_secret is given twice (first on line 3)",
            ),
            (
                "dns_rfc2136_secret = c2Vj\ndns_rfc2136_secrets = x\n",
                "c.ini:4:1: unknown key dns_rfc2136_secrets",
            ),
            (
                "dns_rfc2136_secret = 'c2Vj\n",
                "c.ini:3:22: unterminated quoted value",
            ),
            (
                "dns_rfc2136_secret = c2Vj\ndns_rfc2136_sign_query = maybe\n",
                "c.ini:4:26: dns_rfc2136_sign_query must be true or false",
            ),
            ("[section]\n", "c.ini:3:1: sections are not used"),
            ("", "c.ini: dns_rfc2136_secret is missing"),
        ];
        for (tail, want) in cases {
            let err = parse(&format!("{base}{tail}")).unwrap_err();
            assert!(err.starts_with(want), "{tail:?}: {err}");
            assert!(
                !err.contains("c2Vj") && !err.contains("not*base64"),
                "{err}"
            );
        }
        let err = parse("dns_rfc2136_server = ns1.example.com\n").unwrap_err();
        assert!(
            err.contains(
                "c.ini:1:22: dns_rfc2136_server must be an IPv4 or IPv6 address (not a host name)"
            ),
            "{err}"
        );
    }

    #[test]
    fn load_warns_about_files_others_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rfc2136.ini");
        std::fs::write(&file, GOOD).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            // Certbot reads such a file with a warning; so does certsmith
            // (it used to refuse it).
            let (_, warning) = Credentials::load(&file).unwrap();
            let warning = warning.expect("a warning");
            assert!(
                warning.starts_with(&format!(
                    "Unsafe permissions on credentials configuration file: {}",
                    file.display()
                )) && warning.contains(&format!("mode {mode:04o}"))
                    && warning.contains("chmod 600"),
                "{warning}"
            );
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(Credentials::load(&file).unwrap().1, None);
        let err = Credentials::load(&dir.join("absent.ini"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--dns-rfc2136-credentials: cannot read"),
            "{err}"
        );
    }

    /// Damaged credentials files (a seeded mix of the ways a line breaks)
    /// never show the secret, or any 6-character piece of it, in an error.
    #[test]
    fn no_damaged_file_echoes_the_secret() {
        const SECRET: &str = "TUFSS0VSLXNlY3JldC1ieXRlcw==";
        let lines = [
            "dns_rfc2136_server = 192.0.2.1".to_string(),
            "dns_rfc2136_name = keyname.".to_string(),
            format!("dns_rfc2136_secret = {SECRET}"),
            "dns_rfc2136_algorithm = HMAC-SHA512".to_string(),
        ];
        let damage: [fn(&str) -> String; 9] = [
            |l| l.replacen(" = ", " ", 1),
            |l| l.replacen(" = ", " : ", 1),
            |l| l.replacen(" = ", "", 1),
            |l| l.replacen(" = ", " = '", 1),
            |l| l.replacen(" = ", " = \"\"\"", 1),
            |l| l.replacen(" = ", " x = ", 1),
            |l| format!("[{l}]"),
            |l| format!("{l}\n{l}"),
            |l| l.replacen("dns_rfc2136_", "dns_rfc2136_x", 1),
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let mut file = lines.clone();
            for _ in 0..=(next() % 3) {
                let i = (next() % file.len() as u64) as usize;
                let d = damage[(next() % damage.len() as u64) as usize];
                file[i] = d(&file[i]);
            }
            let text = file.join("\n") + "\n";
            if let Err(err) = parse(&text) {
                for start in 0..SECRET.len() - 6 {
                    let piece = &SECRET[start..start + 6];
                    assert!(!err.contains(piece), "{err}\nfrom:\n{text}");
                }
            }
        }
    }
}
