//! Whether an OCSP response is to be believed, by Certbot's checks (its
//! `_check_ocsp_response`): the answer is about the certificate asked
//! about, it is signed by the issuer or by a responder the issuer
//! delegated (id-kp-OCSPSigning), and it is current (thisUpdate not in the
//! future, nextUpdate not past, five minutes' grace for clocks, OpenSSL's).

use super::request::{CertId, SHA1_OID, key_hash};
use super::response::{Basic, ResponderId, SingleResponse};
use super::{CertStatus, OcspError};
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::asn1_rs::Oid;
use x509_parser::oid_registry as oids;
use x509_parser::prelude::*;

/// Clock skew allowed around thisUpdate and nextUpdate, in seconds.
const SKEW: i64 = 300;

/// The status the response gives for `id`, once everything checks out.
pub fn verify(
    basic: &Basic,
    id: &CertId,
    issuer: &X509Certificate,
    now: i64,
) -> Result<CertStatus, OcspError> {
    let single = matching(basic, id)?;
    check_signed(basic, issuer, now)?;
    check_times(single, now)?;
    Ok(single.status.clone())
}

/// The SingleResponse about our certificate: same hash algorithm (the
/// SHA-1 we asked with), issuer hashes and serial.
fn matching<'b>(basic: &'b Basic, id: &CertId) -> Result<&'b SingleResponse<'b>, OcspError> {
    basic
        .responses
        .iter()
        .find(|r| {
            r.cert_id.hash_oid == SHA1_OID
                && r.cert_id.issuer_name_hash == id.issuer_name_hash.as_slice()
                && r.cert_id.issuer_key_hash == id.issuer_key_hash.as_slice()
                && r.cert_id.serial == id.serial.as_slice()
        })
        .ok_or(OcspError::WrongCertificate)
}

fn names(responder: &ResponderId, cert: &X509Certificate) -> bool {
    match responder {
        ResponderId::ByName(name) => *name == cert.subject().as_raw(),
        ResponderId::ByKey(hash) => *hash == key_hash(cert.public_key()).as_slice(),
    }
}

/// The signature is the issuer's own, or a delegated responder's whose
/// certificate the issuer signed for OCSP signing.
fn check_signed(basic: &Basic, issuer: &X509Certificate, now: i64) -> Result<(), OcspError> {
    if names(&basic.responder, issuer) {
        return check_signature(
            issuer.public_key(),
            &basic.signature_algorithm,
            basic.signed,
            basic.signature,
        );
    }
    // As Certbot: the first certificate sent along that the responder ID names.
    let delegate = basic
        .certs
        .iter()
        .filter_map(|der| X509Certificate::from_der(der).ok().map(|(_, c)| c))
        .find(|c| names(&basic.responder, c))
        .ok_or_else(|| {
            OcspError::Responder("no matching responder certificate could be found".into())
        })?;
    check_delegate(&delegate, issuer, now)?;
    check_signature(
        delegate.public_key(),
        &basic.signature_algorithm,
        basic.signed,
        basic.signature,
    )
}

/// RFC 6960 §4.2.2.2: issued by the certificate's issuer, with
/// id-kp-OCSPSigning, and (OpenSSL's check, not Certbot's) within its
/// validity period.
fn check_delegate(
    delegate: &X509Certificate,
    issuer: &X509Certificate,
    now: i64,
) -> Result<(), OcspError> {
    let refuse = |why: &str| Err(OcspError::Responder(why.to_string()));
    if delegate.issuer().as_raw() != issuer.subject().as_raw() {
        return refuse("the responder certificate is not signed by the certificate's issuer");
    }
    let authorized =
        matches!(delegate.extended_key_usage(), Ok(Some(eku)) if eku.value.ocsp_signing);
    if !authorized {
        return refuse("the responder is not authorized by the issuer to sign OCSP responses");
    }
    let validity = delegate.validity();
    if now < validity.not_before.timestamp() || now > validity.not_after.timestamp() {
        return refuse("the responder certificate is outside its validity period");
    }
    check_signature(
        issuer.public_key(),
        &delegate.signature_algorithm.algorithm,
        delegate.tbs_certificate.as_ref(),
        &delegate.signature_value.data,
    )
    .map_err(|e| match e {
        OcspError::BadSignature => {
            OcspError::Responder("the responder certificate's signature is not the issuer's".into())
        }
        other => other,
    })
}

fn check_times(single: &SingleResponse, now: i64) -> Result<(), OcspError> {
    if single.this_update > now + SKEW {
        return Err(OcspError::Stale("thisUpdate is in the future".into()));
    }
    if single.next_update.is_some_and(|next| next < now - SKEW) {
        return Err(OcspError::Stale("nextUpdate is in the past".into()));
    }
    Ok(())
}

/// The named curve of an EC key (its AlgorithmIdentifier's parameters).
fn curve<'k>(key: &'k SubjectPublicKeyInfo) -> Option<Oid<'k>> {
    key.algorithm.parameters.as_ref()?.as_oid().ok()
}

/// ring's verifier for a signature algorithm and a key. SHA-1 RSA is
/// accepted (as Certbot's `cryptography` does) for old responders: a forged
/// response could at worst say "revoked", and that only renews early.
/// RSA-PSS is not supported (no responder in use signs with it).
fn algorithm(
    key: &SubjectPublicKeyInfo,
    signature_oid: &Oid,
) -> Result<&'static dyn VerificationAlgorithm, OcspError> {
    let key_oid = &key.algorithm.algorithm;
    let unsupported = || {
        Err(OcspError::Unsupported(format!(
            "signature {signature_oid} with a key of type {key_oid}"
        )))
    };
    if *key_oid == oids::OID_PKCS1_RSAENCRYPTION {
        return Ok(match signature_oid {
            o if *o == oids::OID_PKCS1_SHA1WITHRSA => {
                &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
            }
            o if *o == oids::OID_PKCS1_SHA256WITHRSA => &signature::RSA_PKCS1_2048_8192_SHA256,
            o if *o == oids::OID_PKCS1_SHA384WITHRSA => &signature::RSA_PKCS1_2048_8192_SHA384,
            o if *o == oids::OID_PKCS1_SHA512WITHRSA => &signature::RSA_PKCS1_2048_8192_SHA512,
            _ => return unsupported(),
        });
    }
    if *key_oid == oids::OID_KEY_TYPE_EC_PUBLIC_KEY {
        let p256 = curve(key).is_some_and(|c| c == oids::OID_EC_P256);
        let p384 = curve(key).is_some_and(|c| c == oids::OID_NIST_EC_P384);
        let sha256 = *signature_oid == oids::OID_SIG_ECDSA_WITH_SHA256;
        let sha384 = *signature_oid == oids::OID_SIG_ECDSA_WITH_SHA384;
        return Ok(match (p256, p384, sha256, sha384) {
            (true, _, true, _) => &signature::ECDSA_P256_SHA256_ASN1,
            (true, _, _, true) => &signature::ECDSA_P256_SHA384_ASN1,
            (_, true, true, _) => &signature::ECDSA_P384_SHA256_ASN1,
            (_, true, _, true) => &signature::ECDSA_P384_SHA384_ASN1,
            _ => return unsupported(),
        });
    }
    if *key_oid == oids::OID_SIG_ED25519 && *signature_oid == oids::OID_SIG_ED25519 {
        return Ok(&signature::ED25519);
    }
    unsupported()
}

/// `signature` over `message` by `key`, with the algorithm the signer named.
fn check_signature(
    key: &SubjectPublicKeyInfo,
    signature_oid: &Oid,
    message: &[u8],
    signature: &[u8],
) -> Result<(), OcspError> {
    let algorithm = algorithm(key, signature_oid)?;
    UnparsedPublicKey::new(algorithm, &key.subject_public_key.data)
        .verify(message, signature)
        .map_err(|_| OcspError::BadSignature)
}
