//! AWS credentials and request signing for `--dns-route53`.
//!
//! - Credentials, in the order of the AWS SDKs' standard chain (what
//!   Certbot's plugin gets from boto3): the environment
//!   (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the
//!   shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
//!   `~/.aws/credentials`), then the config file (`AWS_CONFIG_FILE`, else
//!   `~/.aws/config`, section `[profile NAME]` or `[default]`), the profile
//!   being `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`, else `default`).
//!   Instance roles, SSO and credential processes are not read.
//! - Signing: Signature Version 4, written here over `hmac`/`sha2` (already
//!   in the tree for TSIG) rather than the `aws-sigv4` crate, which brings
//!   the AWS SDK's runtime crates for one HMAC chain.

use super::super::error::DnsError;
use super::api::Signer;
use hmac::{Hmac, Mac};
use http::{HeaderName, Method};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// AWS credentials and where they were found.
pub struct AwsCredentials {
    pub access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    /// How messages name their source: a file and profile, or the
    /// environment; never a secret.
    pub source: String,
}

/// The environment variables the chain reads (a function, for tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl AwsCredentials {
    /// The first credentials of the chain; an error naming every place
    /// looked at when there are none.
    pub fn find(env: Env, home: Option<&Path>) -> Result<AwsCredentials, DnsError> {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            return Ok(AwsCredentials {
                access_key_id: id.trim().to_string(),
                secret_access_key: secret.trim().to_string(),
                session_token: var("AWS_SESSION_TOKEN").or_else(|| var("AWS_SECURITY_TOKEN")),
                source: "the environment (AWS_ACCESS_KEY_ID)".into(),
            });
        }
        let profile = var("AWS_PROFILE")
            .or_else(|| var("AWS_DEFAULT_PROFILE"))
            .unwrap_or_else(|| "default".into());
        let in_home = |file: &str| home.map(|h| h.join(".aws").join(file));
        let shared = var("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| in_home("credentials"));
        let config = var("AWS_CONFIG_FILE")
            .map(PathBuf::from)
            .or_else(|| in_home("config"));
        let config_section = match profile.as_str() {
            "default" => "default".to_string(),
            name => format!("profile {name}"),
        };
        let places = [(shared, profile.clone()), (config, config_section)];
        for (path, section) in places.iter() {
            let Some(path) = path else { continue };
            if let Some(found) = from_file(path, section)? {
                return Ok(found);
            }
        }
        let looked: Vec<String> = places
            .iter()
            .filter_map(|(p, s)| p.as_ref().map(|p| format!("{} [{s}]", p.display())))
            .collect();
        Err(DnsError::Credentials(format!(
            "dns-route53: no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not \
             set and no aws_access_key_id is in {}",
            looked.join(" or ")
        )))
    }

    /// The source as the path the API errors name.
    pub fn source_path(&self) -> PathBuf {
        PathBuf::from(&self.source)
    }
}

/// The credentials in `section` of the INI file at `path`, if it has them;
/// a missing file is no error.
fn from_file(path: &Path, section: &str) -> Result<Option<AwsCredentials>, DnsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(DnsError::Credentials(format!(
                "dns-route53: cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let values = section_values(&text, section);
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let source = format!("{} [{section}]", path.display());
    match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(id), Some(secret)) => Ok(Some(AwsCredentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: get("aws_session_token"),
            source,
        })),
        (Some(_), None) => Err(DnsError::Credentials(format!(
            "dns-route53: {source} has aws_access_key_id but no aws_secret_access_key"
        ))),
        _ => Ok(None),
    }
}

/// The `key = value` lines of `[section]` (keys lower-cased).
fn section_values(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut values = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == section;
            continue;
        }
        if let (true, Some((key, value))) = (inside, line.split_once('=')) {
            values.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    values
}

/// Signs requests to one AWS service in one region (SigV4).
pub struct SigV4 {
    pub credentials: AwsCredentials,
    pub region: &'static str,
    pub service: &'static str,
}

impl Signer for SigV4 {
    fn headers(&self, method: &Method, url: &str, body: &[u8]) -> Vec<(HeaderName, String)> {
        let now = time::OffsetDateTime::now_utc();
        self.headers_at(method, url, body, &amz_date(now))
    }
}

impl SigV4 {
    /// The headers of a request sent at `amz_date` (`20150830T123600Z`):
    /// `host`, `x-amz-date`, the session token and `authorization`.
    pub fn headers_at(
        &self,
        method: &Method,
        url: &str,
        body: &[u8],
        amz_date: &str,
    ) -> Vec<(HeaderName, String)> {
        let uri: http::Uri = url.parse().unwrap_or_default();
        let host = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        let mut signed = vec![
            ("host".to_string(), host.to_string()),
            ("x-amz-date".to_string(), amz_date.to_string()),
        ];
        if let Some(token) = &self.credentials.session_token {
            signed.push(("x-amz-security-token".into(), token.clone()));
        }
        let scope = format!(
            "{}/{}/{}/aws4_request",
            &amz_date[..8],
            self.region,
            self.service
        );
        let (names, request) = canonical_request(method.as_str(), &uri, &signed, body);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(&Sha256::digest(request.as_bytes()))
        );
        let key = self.signing_key(&amz_date[..8]);
        let signature = hex(&hmac(&key, to_sign.as_bytes()));
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={names}, Signature={signature}",
            self.credentials.access_key_id
        );
        signed
            .into_iter()
            .map(|(n, v)| {
                (
                    HeaderName::from_bytes(n.as_bytes()).expect("a header name"),
                    v,
                )
            })
            .chain([(http::header::AUTHORIZATION, authorization)])
            .collect()
    }

    fn signing_key(&self, date: &str) -> Vec<u8> {
        let secret = format!("AWS4{}", self.credentials.secret_access_key);
        let k = hmac(secret.as_bytes(), date.as_bytes());
        let k = hmac(&k, self.region.as_bytes());
        let k = hmac(&k, self.service.as_bytes());
        hmac(&k, b"aws4_request")
    }
}

/// The signed header names (`host;x-amz-date`) and the canonical request.
fn canonical_request(
    method: &str,
    uri: &http::Uri,
    headers: &[(String, String)],
    body: &[u8],
) -> (String, String) {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    headers.sort();
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let lines: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let names = names.join(";");
    let request = format!(
        "{method}\n{}\n{}\n{lines}\n{names}\n{}",
        canonical_path(uri.path()),
        canonical_query(uri.query().unwrap_or_default()),
        hex(&Sha256::digest(body))
    );
    (names, request)
}

/// The path as sent, encoded once more (SigV4 for every service but S3).
fn canonical_path(path: &str) -> String {
    match path {
        "" => "/".into(),
        p => p
            .split('/')
            .map(super::api::encode)
            .collect::<Vec<_>>()
            .join("/"),
    }
}

/// The query's pairs decoded, re-encoded and sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                super::api::encode(&decode(k)),
                super::api::encode(&decode(v)),
            )
        })
        .collect();
    pairs.sort();
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    joined.join("&")
}

/// `%XX` escapes undone.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `20150830T123600Z`.
fn amz_date(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(id: &str, secret: &str) -> AwsCredentials {
        AwsCredentials {
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: None,
            source: "test".into(),
        }
    }

    /// AWS's documented example (the SigV4 test suite's "get-vanilla-query").
    #[test]
    fn the_documented_example_signature_is_reproduced() {
        let signer = SigV4 {
            credentials: creds("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1",
            service: "service",
        };
        let headers = signer.headers_at(
            &Method::GET,
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            b"",
            "20150830T123600Z",
        );
        let auth = &headers.last().unwrap().1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    #[test]
    fn the_environment_comes_first_then_the_profile_in_the_shared_file() {
        let dir = std::env::temp_dir().join(format!("aws-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        std::fs::write(
            dir.join(".aws/credentials"),
            "[default]\naws_access_key_id = D\naws_secret_access_key = d\n\
             [work]\naws_access_key_id = W\naws_secret_access_key = w\n",
        )
        .unwrap();
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let both = env(&[("AWS_ACCESS_KEY_ID", "E"), ("AWS_SECRET_ACCESS_KEY", "e")]);
        let found = AwsCredentials::find(&both, Some(&dir)).unwrap();
        assert_eq!(
            (found.access_key_id.as_str(), found.source.as_str()),
            ("E", "the environment (AWS_ACCESS_KEY_ID)")
        );
        let work = env(&[("AWS_PROFILE", "work")]);
        let found = AwsCredentials::find(&work, Some(&dir)).unwrap();
        assert_eq!(found.access_key_id, "W");
        assert!(
            found.source.ends_with(".aws/credentials [work]"),
            "{}",
            found.source
        );
        let none = env(&[("AWS_PROFILE", "absent")]);
        let err = AwsCredentials::find(&none, Some(&dir))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("credentials [absent] or ") && err.contains("config [profile absent]"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
