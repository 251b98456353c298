//! Small pieces the API providers added after Linode share: reading a
//! required credential, choosing the account's zone that holds a name,
//! naming a record relative to its zone, HTTP Basic credentials.

use super::super::credentials::{self, Entry};
use super::super::error::DnsError;
use super::{Zone, plain};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hickory_proto::rr::Name;
use serde_json::Value;
use std::path::Path;

/// The non-empty value of `key` (without the prefix) among `entries`.
pub fn value<'a>(entries: &'a [(String, Entry)], key: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, e)| e.value.trim())
        .filter(|v| !v.is_empty())
}

/// The value of `PREFIX` + `key`, or the error naming the file and the key.
pub fn required(
    path: &Path,
    entries: &[(String, Entry)],
    prefix: &str,
    key: &str,
) -> Result<String, DnsError> {
    value(entries, key).map(str::to_string).ok_or_else(|| {
        DnsError::Credentials(format!("{}: {prefix}{key} is missing", path.display()))
    })
}

/// Read the credentials file `path` given to `flag` (`holds`: what it
/// holds, for messages) and `parse` it; also Certbot's warning for a file
/// others may read.
pub fn load<T>(
    path: &Path,
    flag: &str,
    holds: &str,
    parse: fn(&Path, &str) -> Result<T, DnsError>,
) -> Result<(T, Option<String>), DnsError> {
    let (text, warning) = credentials::read_file(path, flag, holds)?;
    Ok((parse(path, &text)?, warning))
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// Of the account's zones (`(name, id)`), the longest that holds `name`;
/// else the error saying how many zones were looked at.
pub fn holding_zone(
    api: &'static str,
    file: &Path,
    name: &Name,
    zones: Vec<(String, String)>,
) -> Result<Zone, DnsError> {
    holding_zone_among(api, file, name, zones, "zones")
}

/// [`holding_zone`] for an API whose zones have another name in messages
/// (Route 53's "public hosted zones").
pub fn holding_zone_among(
    api: &'static str,
    file: &Path,
    name: &Name,
    mut zones: Vec<(String, String)>,
    what: &str,
) -> Result<Zone, DnsError> {
    let full = plain(name);
    for (zone, _) in zones.iter_mut() {
        *zone = zone.trim_end_matches('.').to_ascii_lowercase();
    }
    zones.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    let found = zones
        .iter()
        .find(|(z, _)| full == *z || full.ends_with(&format!(".{z}")));
    let Some((zone, id)) = found else {
        return Err(DnsError::ApiUnknownZone {
            api,
            file: file.to_path_buf(),
            name: full,
            tried: format!("the account's {} {what}", zones.len()),
        });
    };
    let mut zone_name =
        Name::from_ascii(zone).map_err(|e| DnsError::Internal(format!("{zone}: {e}")))?;
    zone_name.set_fqdn(true);
    Ok(Zone {
        name: zone_name,
        id: id.clone(),
    })
}

/// `name` relative to `zone`: empty at the zone's apex.
pub fn relative(name: &Name, zone: &Name) -> String {
    let (full, apex) = (plain(name), plain(zone));
    match full.strip_suffix(&format!(".{apex}")) {
        Some(label) => label.to_string(),
        None => String::new(),
    }
}

/// An id as text (APIs send numbers or strings).
pub fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        Name::from_ascii(text).unwrap()
    }

    #[test]
    fn the_longest_zone_holding_the_name_is_chosen() {
        let zones = vec![
            ("example.test".to_string(), "1".to_string()),
            ("sub.example.test.".to_string(), "2".to_string()),
            ("ample.test".to_string(), "3".to_string()),
        ];
        let zone = holding_zone(
            "the API",
            Path::new("c.ini"),
            &name("a.sub.example.test."),
            zones.clone(),
        )
        .unwrap();
        assert_eq!(
            (plain(&zone.name).as_str(), zone.id.as_str()),
            ("sub.example.test", "2")
        );
        let err =
            holding_zone("the API", Path::new("c.ini"), &name("x.other.test."), zones).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the API has no zone for x.other.test in the account of c.ini (looked for the account's 3 zones)"
        );
    }

    #[test]
    fn names_are_relative_and_basic_credentials_are_encoded() {
        let zone = name("example.test.");
        assert_eq!(
            relative(&name("_acme-challenge.www.example.test."), &zone),
            "_acme-challenge.www"
        );
        assert_eq!(relative(&zone, &zone), "");
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
