//! A Google service account for `--dns-google`: the JSON key file Certbot's
//! `--dns-google-credentials` names, and the OAuth 2.0 access token it is
//! exchanged for (a JWT signed RS256 with the account's key, posted to the
//! file's `token_uri` as a `jwt-bearer` grant). The RSA signature is ring's
//! (PKCS#1 v1.5, SHA-256, from the PKCS#8 key), already in the tree.

use super::super::error::DnsError;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde::Deserialize;
use serde_json::json;
use std::path::Path;

/// The scope Certbot's plugin asks for.
pub const SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// How long the signed assertion is valid (Google's most).
const ASSERTION_LIFETIME: u64 = 3600;

/// The fields of a service account key file that are used.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    project_id: Option<String>,
    private_key_id: Option<String>,
    private_key: Option<String>,
    client_email: Option<String>,
    token_uri: Option<String>,
}

pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    pub token_uri: String,
    key_id: Option<String>,
    key: RsaKeyPair,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .finish_non_exhaustive()
    }
}

impl ServiceAccount {
    /// The account in the key file `text` (`path` names it in messages).
    pub fn parse(path: &Path, text: &str) -> Result<ServiceAccount, DnsError> {
        let bad = |what: &str| {
            DnsError::Credentials(format!(
                "{}: not a Google service account key file: {what}",
                path.display()
            ))
        };
        let file: KeyFile = serde_json::from_str(text)
            .map_err(|e| bad(&format!("JSON error at line {}", e.line())))?;
        if file.kind.as_deref() != Some("service_account") {
            return Err(bad("\"type\" is not \"service_account\""));
        }
        let field = |value: Option<String>, name: &str| {
            value
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| bad(&format!("\"{name}\" is missing")))
        };
        let pem = field(file.private_key, "private_key")?;
        let key = pkcs8_of(&pem)
            .and_then(|der| RsaKeyPair::from_pkcs8(&der).ok())
            .ok_or_else(|| bad("\"private_key\" is not a PEM PKCS#8 RSA key"))?;
        Ok(ServiceAccount {
            project_id: field(file.project_id, "project_id")?,
            client_email: field(file.client_email, "client_email")?,
            token_uri: file.token_uri.unwrap_or_else(|| DEFAULT_TOKEN_URI.into()),
            key_id: file.private_key_id,
            key,
        })
    }

    /// The signed JWT asking for `scope`, issued at `now` (Unix seconds).
    pub fn assertion(&self, scope: &str, now: u64) -> Result<String, DnsError> {
        let mut header = json!({"alg": "RS256", "typ": "JWT"});
        if let Some(kid) = &self.key_id {
            header["kid"] = json!(kid);
        }
        let claims = json!({
            "iss": self.client_email,
            "scope": scope,
            "aud": self.token_uri,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .map_err(|_| DnsError::Internal("cannot sign the service account's JWT".into()))?;
        Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// The DER of a `-----BEGIN PRIVATE KEY-----` block.
fn pkcs8_of(pem: &str) -> Option<Vec<u8>> {
    let body = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)?
        .split("-----END PRIVATE KEY-----")
        .next()?;
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(base64).ok()
}

/// The `application/x-www-form-urlencoded` body of the token request.
pub fn token_request(assertion: &str) -> String {
    format!(
        "grant_type={}&assertion={}",
        super::api::encode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        super::api::encode(assertion)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_service_account_key_is_named() {
        let parse = |text: &str| {
            ServiceAccount::parse(Path::new("g.json"), text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            parse("{\"type\": \"authorized_user\"}"),
            "g.json: not a Google service account key file: \"type\" is not \"service_account\""
        );
        assert_eq!(
            parse("{\"type\": \"service_account\", \"private_key\": \"SECRET\"}"),
            "g.json: not a Google service account key file: \"private_key\" is not a PEM PKCS#8 RSA key"
        );
        assert!(parse("[").contains("JSON error at line 1"));
    }

    #[test]
    fn the_token_request_is_form_encoded() {
        assert_eq!(
            token_request("a.b-c_d"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b-c_d"
        );
    }
}
