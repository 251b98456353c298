//! Responses built here and signed with ring, to check what `verify`
//! accepts and refuses without a responder (the real one, `openssl ocsp`,
//! is in tests/renewal/ocsp.rs).

use super::request::{CertId, cert_id, encode_cert_id};
use super::response::parse;
use super::verify::verify;
use super::{CertStatus, OcspError};
use crate::acme::der::{sequence, tlv};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use x509_parser::prelude::*;

const NOW: i64 = 1_800_000_000;
const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// A certificate (DER) and the PKCS#8 of its key.
struct Made {
    der: Vec<u8>,
    key: Vec<u8>,
}

fn ca(name: &str) -> (Made, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    let made = Made {
        der: cert.der().to_vec(),
        key: key.serialize_der(),
    };
    (made, Issuer::new(params, key))
}

fn issued(issuer: &Issuer<'static, KeyPair>, name: &str, ocsp_signing: bool) -> Made {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    if ocsp_signing {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    }
    let cert = params.signed_by(&key, issuer).unwrap();
    Made {
        der: cert.der().to_vec(),
        key: key.serialize_der(),
    }
}

fn x509(der: &[u8]) -> X509Certificate<'_> {
    X509Certificate::from_der(der).unwrap().1
}

/// `YYYYMMDDHHMMSSZ`.
fn generalized_time(unix: i64) -> Vec<u8> {
    let digits: String = crate::log::utc_stamp(unix)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    tlv(0x18, format!("{digits}Z").as_bytes())
}

/// What a test response says; each test changes one thing.
struct Spec {
    id: CertId,
    /// The ResponderID element (byName `[1]` or byKey `[2]`).
    responder: Vec<u8>,
    status: Vec<u8>,
    this_update: i64,
    next_update: Option<i64>,
    certs: Vec<Vec<u8>>,
}

fn by_name(cert: &[u8]) -> Vec<u8> {
    tlv(0xa1, x509(cert).subject().as_raw())
}

fn good() -> Vec<u8> {
    tlv(0x80, &[])
}

fn revoked(reason: u8) -> Vec<u8> {
    tlv(
        0xa1,
        &[generalized_time(NOW - 60), tlv(0xa0, &tlv(0x0a, &[reason]))].concat(),
    )
}

fn tbs(spec: &Spec) -> Vec<u8> {
    let mut single = vec![
        encode_cert_id(&spec.id),
        spec.status.clone(),
        generalized_time(spec.this_update),
    ];
    if let Some(next) = spec.next_update {
        single.push(tlv(0xa0, &generalized_time(next)));
    }
    sequence(&[
        spec.responder.clone(),
        generalized_time(spec.this_update),
        sequence(&[sequence(&single)]),
    ])
}

/// The OCSPResponse for `spec`, its tbsResponseData passed through
/// `tamper` after signing with `signer_pkcs8`.
fn response(spec: &Spec, signer_pkcs8: &[u8], tamper: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let rng = SystemRandom::new();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, signer_pkcs8, &rng).unwrap();
    let mut signed = tbs(spec);
    let signature = pair.sign(&rng, &signed).unwrap();
    tamper(&mut signed);
    let mut basic = vec![
        signed,
        sequence(&[tlv(0x06, ECDSA_SHA256)]),
        tlv(0x03, &[&[0u8][..], signature.as_ref()].concat()),
    ];
    if !spec.certs.is_empty() {
        basic.push(tlv(0xa0, &sequence(&spec.certs)));
    }
    let bytes = sequence(&[tlv(0x06, BASIC), tlv(0x04, &sequence(&basic))]);
    sequence(&[tlv(0x0a, &[0]), tlv(0xa0, &bytes)])
}

/// A CA, a leaf it issued, and a spec of a good answer from the CA itself.
struct Fixture {
    ca: Made,
    issuer: Issuer<'static, KeyPair>,
    leaf: Made,
}

impl Fixture {
    fn new() -> Fixture {
        let (ca, issuer) = ca("ocsp test CA");
        let leaf = issued(&issuer, "leaf.example", false);
        Fixture { ca, issuer, leaf }
    }
    fn id(&self) -> CertId {
        cert_id(&x509(&self.leaf.der), &x509(&self.ca.der)).unwrap()
    }
    fn spec(&self) -> Spec {
        Spec {
            id: self.id(),
            responder: by_name(&self.ca.der),
            status: good(),
            this_update: NOW - 3600,
            next_update: Some(NOW + 86_400),
            certs: Vec::new(),
        }
    }
    fn verify(&self, der: &[u8]) -> Result<CertStatus, OcspError> {
        let basic = parse(der)?;
        verify(&basic, &self.id(), &x509(&self.ca.der), NOW)
    }
}

#[test]
fn the_issuers_own_answers_verify() {
    let f = Fixture::new();
    let der = response(&f.spec(), &f.ca.key, |_| {});
    assert_eq!(f.verify(&der).unwrap(), CertStatus::Good);
    let spec = Spec {
        status: revoked(1),
        ..f.spec()
    };
    let der = response(&spec, &f.ca.key, |_| {});
    let status = f.verify(&der).unwrap();
    assert_eq!(
        status,
        CertStatus::Revoked {
            at: NOW - 60,
            reason: Some(1)
        }
    );
    // byKey names the issuer as well as byName does; no nextUpdate is fine.
    let key_hash = super::request::key_hash(x509(&f.ca.der).public_key());
    let spec = Spec {
        responder: tlv(0xa2, &tlv(0x04, &key_hash)),
        next_update: None,
        status: tlv(0x82, &[]),
        ..f.spec()
    };
    let der = response(&spec, &f.ca.key, |_| {});
    assert_eq!(f.verify(&der).unwrap(), CertStatus::Unknown);
}

#[test]
fn a_response_whose_signature_does_not_verify_is_refused() {
    let f = Fixture::new();
    // "good" turned into "unknown" after signing (0x80 0x00 -> 0x82 0x00).
    let flip = |tbs: &mut Vec<u8>| {
        let at = tbs.windows(2).rposition(|w| w == [0x80, 0x00]).unwrap();
        tbs[at] = 0x82;
    };
    let der = response(&f.spec(), &f.ca.key, flip);
    assert!(matches!(f.verify(&der), Err(OcspError::BadSignature)));
    // Signed by a key that is not the issuer's, under the issuer's name.
    let (stranger, _) = ca("ocsp test CA");
    let spec = Spec {
        status: revoked(1),
        ..f.spec()
    };
    let der = response(&spec, &stranger.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::BadSignature)));
}

#[test]
fn an_answer_about_another_certificate_is_refused() {
    let f = Fixture::new();
    let mut spec = f.spec();
    spec.id.serial = vec![0x01];
    let der = response(&spec, &f.ca.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::WrongCertificate)));
    // Same serial, another issuer key.
    let mut spec = f.spec();
    spec.id.issuer_key_hash[0] ^= 1;
    let der = response(&spec, &f.ca.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::WrongCertificate)));
}

#[test]
fn stale_answers_are_refused() {
    let f = Fixture::new();
    let future = Spec {
        this_update: NOW + 3600,
        next_update: None,
        ..f.spec()
    };
    let der = response(&future, &f.ca.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::Stale(m)) if m.contains("future")));
    let expired = Spec {
        next_update: Some(NOW - 3600),
        ..f.spec()
    };
    let der = response(&expired, &f.ca.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::Stale(m)) if m.contains("past")));
    // Within the five minutes' grace.
    let close = Spec {
        this_update: NOW + 200,
        next_update: Some(NOW - 200),
        ..f.spec()
    };
    let der = response(&close, &f.ca.key, |_| {});
    assert_eq!(f.verify(&der).unwrap(), CertStatus::Good);
}

#[test]
fn a_delegated_responder_needs_the_issuers_ocsp_signing_certificate() {
    let f = Fixture::new();
    let delegate = issued(&f.issuer, "ocsp responder", true);
    let spec = Spec {
        responder: by_name(&delegate.der),
        certs: vec![delegate.der.clone()],
        status: revoked(4),
        ..f.spec()
    };
    let der = response(&spec, &delegate.key, |_| {});
    assert!(matches!(f.verify(&der), Ok(CertStatus::Revoked { .. })));

    // Without id-kp-OCSPSigning.
    let plain = issued(&f.issuer, "not a responder", false);
    let spec = Spec {
        responder: by_name(&plain.der),
        certs: vec![plain.der.clone()],
        ..f.spec()
    };
    let der = response(&spec, &plain.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::Responder(m)) if m.contains("not authorized")));

    // An OCSP-signing certificate from another CA.
    let (_, other) = ca("another CA");
    let foreign = issued(&other, "ocsp responder", true);
    let spec = Spec {
        responder: by_name(&foreign.der),
        certs: vec![foreign.der.clone()],
        ..f.spec()
    };
    let der = response(&spec, &foreign.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::Responder(m)) if m.contains("not signed")));

    // A responder ID with no certificate to match it.
    let spec = Spec {
        responder: by_name(&delegate.der),
        ..f.spec()
    };
    let der = response(&spec, &delegate.key, |_| {});
    assert!(matches!(f.verify(&der), Err(OcspError::Responder(m)) if m.contains("no matching")));
}

#[test]
fn the_chains_first_certificate_must_be_the_issuer() {
    let f = Fixture::new();
    let (other, _) = ca("another CA");
    let err = cert_id(&x509(&f.leaf.der), &x509(&other.der)).unwrap_err();
    assert!(err.to_string().contains("is not the issuer"), "{err}");
}
