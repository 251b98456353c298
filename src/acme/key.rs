//! Keys that sign ACME requests (JWS): account keys in Certbot's JWK files
//! (RSA as Certbot 2.1 makes them, EC P-256/P-384), and certificate keys for
//! revocation with `--key-path`.

use super::der;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Map, Value, json};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a JSON web key: {0}")]
    Json(String),
    #[error("unsupported key: {0}")]
    Unsupported(String),
    #[error("the key's numbers are inconsistent ({0})")]
    Rejected(String),
}

/// A key that can sign JWS requests, with its public JWK.
pub enum JwsKey {
    Ec {
        pair: EcdsaKeyPair,
        curve: Curve,
        d: Vec<u8>,
    },
    Rsa {
        pair: RsaKeyPair,
        n: Vec<u8>,
        e: Vec<u8>,
        jwk: Option<Map<String, Value>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
}

impl Curve {
    fn jwk_name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
        }
    }
    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => der::OID_P256,
            Curve::P384 => der::OID_P384,
        }
    }
    fn signing(self) -> &'static signature::EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        }
    }
    fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }
}

fn field(map: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    let text = map
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::Json(format!("missing field {name:?}")))?;
    B64.decode(text.trim_end_matches('='))
        .map_err(|_| KeyError::Json(format!("field {name:?} is not base64url")))
}

impl JwsKey {
    /// A fresh P-256 key (what certsmith registers new accounts with).
    pub fn generate_p256() -> Result<JwsKey, KeyError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(Curve::P256.signing(), &rng)
            .map_err(|_| KeyError::Rejected("key generation failed".into()))?;
        JwsKey::from_ec_pkcs8(Curve::P256, doc.as_ref())
    }

    pub fn from_ec_pkcs8(curve: Curve, pkcs8: &[u8]) -> Result<JwsKey, KeyError> {
        let pair = EcdsaKeyPair::from_pkcs8(curve.signing(), pkcs8, &SystemRandom::new())
            .map_err(|e| KeyError::Rejected(e.to_string()))?;
        let d = der::ec_scalar_from_pkcs8(pkcs8)
            .ok_or_else(|| KeyError::Rejected("bad PKCS#8".into()))?;
        Ok(JwsKey::Ec { pair, curve, d })
    }

    /// Read a JWK private key as Certbot stores it in `private_key.json`.
    pub fn from_jwk_json(text: &str) -> Result<JwsKey, KeyError> {
        let value: Value = serde_json::from_str(text).map_err(|e| KeyError::Json(e.to_string()))?;
        let map = value
            .as_object()
            .ok_or_else(|| KeyError::Json("not a JSON object".into()))?;
        match map.get("kty").and_then(Value::as_str) {
            Some("EC") => {
                let curve = match map.get("crv").and_then(Value::as_str) {
                    Some("P-256") => Curve::P256,
                    Some("P-384") => Curve::P384,
                    other => return Err(KeyError::Unsupported(format!("EC curve {other:?}"))),
                };
                let (d, x, y) = (field(map, "d")?, field(map, "x")?, field(map, "y")?);
                let mut point = vec![4u8];
                point.extend(&x);
                point.extend(&y);
                JwsKey::from_ec_pkcs8(curve, &der::ec_pkcs8(curve.oid(), &d, &point))
            }
            Some("RSA") => {
                let n = field(map, "n")?;
                let e = field(map, "e")?;
                let components = ring::rsa::KeyPairComponents {
                    public_key: ring::rsa::PublicKeyComponents { n: &n, e: &e },
                    d: field(map, "d")?,
                    p: field(map, "p")?,
                    q: field(map, "q")?,
                    dP: field(map, "dp")?,
                    dQ: field(map, "dq")?,
                    qInv: field(map, "qi")?,
                };
                let pair = RsaKeyPair::from_components(&components)
                    .map_err(|e| KeyError::Rejected(e.to_string()))?;
                Ok(JwsKey::Rsa {
                    pair,
                    n: n.clone(),
                    e: e.clone(),
                    jwk: Some(map.clone()),
                })
            }
            other => Err(KeyError::Unsupported(format!("key type {other:?}"))),
        }
    }

    /// Read a PEM private key (PKCS#8 EC or RSA, or PKCS#1 RSA), as certificate keys are stored.
    pub fn from_pem(text: &str) -> Result<JwsKey, KeyError> {
        use rustls_pki_types::PrivateKeyDer;
        use rustls_pki_types::pem::PemObject;
        let key = PrivateKeyDer::from_pem_slice(text.as_bytes())
            .map_err(|e| KeyError::Unsupported(format!("not a PEM private key ({e})")))?;
        let der = key.secret_der();
        for curve in [Curve::P256, Curve::P384] {
            if let Ok(k) = JwsKey::from_ec_pkcs8(curve, der) {
                return Ok(k);
            }
        }
        let pair = RsaKeyPair::from_pkcs8(der)
            .or_else(|_| RsaKeyPair::from_der(der))
            .map_err(|_| {
                KeyError::Unsupported("private key is neither EC P-256/P-384 nor RSA".into())
            })?;
        let (n, e) = rsa_public_numbers(&pair)?;
        Ok(JwsKey::Rsa {
            pair,
            n,
            e,
            jwk: None,
        })
    }

    /// The JWS `alg` for this key.
    pub fn alg(&self) -> &'static str {
        match self {
            JwsKey::Ec {
                curve: Curve::P256, ..
            } => "ES256",
            JwsKey::Ec {
                curve: Curve::P384, ..
            } => "ES384",
            JwsKey::Rsa { .. } => "RS256",
        }
    }

    fn point(&self) -> Option<&[u8]> {
        match self {
            JwsKey::Ec { pair, .. } => Some(pair.public_key().as_ref()),
            JwsKey::Rsa { .. } => None,
        }
    }

    /// The public JWK, members in lexicographic order (RFC 7638 thumbprint input).
    pub fn public_jwk(&self) -> Value {
        match self {
            JwsKey::Ec { curve, .. } => {
                let point = self.point().unwrap_or_default();
                let len = curve.coordinate_len();
                let (x, y) = point
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(len.min(point.len().saturating_sub(1)));
                json!({"crv": curve.jwk_name(), "kty": "EC", "x": B64.encode(x), "y": B64.encode(y)})
            }
            JwsKey::Rsa { n, e, .. } => {
                json!({"e": B64.encode(e), "kty": "RSA", "n": B64.encode(n)})
            }
        }
    }

    /// RFC 7638 thumbprint, base64url.
    pub fn thumbprint(&self) -> String {
        let canonical = serde_json::to_vec(&self.public_jwk()).unwrap_or_default();
        B64.encode(ring::digest::digest(&ring::digest::SHA256, &canonical))
    }

    /// The private JWK in Certbot's `private_key.json` form.
    pub fn private_jwk_json(&self) -> String {
        match self {
            JwsKey::Ec { curve, d, .. } => {
                let public = self.public_jwk();
                let mut map = Map::new();
                map.insert("d".into(), Value::String(B64.encode(d)));
                map.insert("x".into(), public["x"].clone());
                map.insert("y".into(), public["y"].clone());
                map.insert("crv".into(), Value::String(curve.jwk_name().into()));
                map.insert("kty".into(), Value::String("EC".into()));
                Value::Object(map).to_string()
            }
            JwsKey::Rsa { jwk, .. } => jwk
                .clone()
                .map(Value::Object)
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// PKCS#8 of a P-256 key (instant-acme signs with these natively).
    pub fn p256_pkcs8(&self) -> Option<Vec<u8>> {
        match self {
            JwsKey::Ec {
                curve: Curve::P256,
                d,
                ..
            } => Some(der::ec_pkcs8(der::OID_P256, d, self.point()?)),
            _ => None,
        }
    }

    /// Certbot's account id: MD5 of the public key as SubjectPublicKeyInfo PEM.
    pub fn certbot_account_id(&self) -> String {
        use md5::Digest;
        let spki = match self {
            JwsKey::Ec { curve, .. } => der::ec_spki(curve.oid(), self.point().unwrap_or_default()),
            JwsKey::Rsa { n, e, .. } => der::rsa_spki(n, e),
        };
        let digest = md5::Md5::digest(der::pem("PUBLIC KEY", &spki).as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match self {
            JwsKey::Ec { pair, .. } => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::Rejected("signing failed".into())),
            JwsKey::Rsa { pair, .. } => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(|_| KeyError::Rejected("signing failed".into()))?;
                Ok(out)
            }
        }
    }
}

/// n and e of an RSA key pair, from its DER public key (RSAPublicKey).
fn rsa_public_numbers(pair: &RsaKeyPair) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let public = pair.public_key().as_ref();
    let bad = || KeyError::Rejected("unreadable RSA public key".into());
    let (_, seq, _) = der::read_tlv(public).ok_or_else(bad)?;
    let (_, n, rest) = der::read_tlv(seq).ok_or_else(bad)?;
    let (_, e, _) = der::read_tlv(rest).ok_or_else(bad)?;
    let strip = |v: &[u8]| {
        v.iter()
            .skip_while(|b| **b == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    Ok((strip(n), strip(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p256_jwk_round_trip_keeps_identity() {
        let key = JwsKey::generate_p256().unwrap();
        let text = key.private_jwk_json();
        let back = JwsKey::from_jwk_json(&text).unwrap();
        assert_eq!(back.thumbprint(), key.thumbprint());
        assert_eq!(back.certbot_account_id(), key.certbot_account_id());
        assert_eq!(back.certbot_account_id().len(), 32);
        assert_eq!(back.alg(), "ES256");
        assert_eq!(key.sign(b"x").unwrap().len(), 64);
    }

    #[test]
    fn certbots_rsa_account_key_loads_with_certbots_id() {
        // Made by Debian's certbot 2.1 against Pebble; the folder name is its id.
        let jwk = include_str!("../../fixtures/acme/certbot-account/private_key.json");
        let id = include_str!("../../fixtures/acme/certbot-account/ID").trim();
        let key = JwsKey::from_jwk_json(jwk).unwrap();
        assert_eq!(key.alg(), "RS256");
        assert_eq!(key.certbot_account_id(), id);
        assert_eq!(key.sign(b"payload").unwrap().len(), 256);
        // Written back unchanged (certbot must still read it).
        let back: Value = serde_json::from_str(&key.private_jwk_json()).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(jwk).unwrap());
    }

    #[test]
    fn rsa_pem_key_signs_rs256() {
        use rsa::pkcs8::EncodePrivateKey;
        let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pem = private.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let key = JwsKey::from_pem(&pem).unwrap();
        assert_eq!(key.alg(), "RS256");
        assert_eq!(key.sign(b"x").unwrap().len(), 256);
        assert_eq!(key.public_jwk()["e"], "AQAB");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "{}",
            "[]",
            r#"{"kty":"EC","crv":"P-256","d":"AA","x":"AA","y":"AA"}"#,
            r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#,
            r#"{"kty":"oct"}"#,
        ] {
            assert!(JwsKey::from_jwk_json(text).is_err(), "{text}");
        }
        assert!(
            JwsKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
    }
}
