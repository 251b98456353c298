//! Reading an OCSP response (RFC 6960 §4.2.1) with the DER parser
//! x509-parser already brings (`asn1-rs`'s `Any`): each element is read as
//! tag + content, and the shapes below are checked field by field. Nothing
//! here decides whether the response is to be believed (`verify.rs` does).

use super::{CertStatus, OcspError};
use x509_parser::asn1_rs::{Any, FromDer, Oid};
use x509_parser::time::ASN1Time;

/// id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1), the only response type there is.
const BASIC_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// Identifier octets (class, constructed bit, low tag number) of the
/// elements an OCSP response is made of.
const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const ENUMERATED: u8 = 0x0a;
const GENERALIZED_TIME: u8 = 0x18;
/// `[n]` context-specific: constructed (EXPLICIT or SEQUENCE) and primitive.
const fn context(n: u8) -> u8 {
    0xa0 | n
}
const fn context_primitive(n: u8) -> u8 {
    0x80 | n
}

/// One DER element: its identifier octet, its content, and its whole
/// encoding (what a signature covers).
#[derive(Clone, Copy)]
struct Element<'a> {
    ident: u8,
    content: &'a [u8],
    raw: &'a [u8],
}

/// The elements of one SEQUENCE's content, in order.
struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(content: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader {
            rest: content,
            what,
        }
    }

    fn malformed(&self, detail: &str) -> OcspError {
        OcspError::Malformed(format!("{}: {detail}", self.what))
    }

    fn next(&mut self) -> Result<Element<'a>, OcspError> {
        let input = self.rest;
        let (rest, any) = Any::from_der(input).map_err(|e| self.malformed(&e.to_string()))?;
        self.rest = rest;
        Ok(Element {
            // Low tag numbers only (all OCSP uses): the first octet is the
            // identifier; a high-tag form (0x1f) never equals an expected one.
            ident: input[0],
            content: any.data,
            raw: &input[..input.len() - rest.len()],
        })
    }

    fn expect(&mut self, ident: u8, name: &str) -> Result<Element<'a>, OcspError> {
        let element = self.next()?;
        if element.ident != ident {
            return Err(self.malformed(&format!(
                "{name}: tag 0x{:02x} where 0x{ident:02x} was expected",
                element.ident
            )));
        }
        Ok(element)
    }

    /// The next element if it has this tag (an OPTIONAL field).
    fn optional(&mut self, ident: u8) -> Result<Option<Element<'a>>, OcspError> {
        if self.rest.first() == Some(&ident) {
            return self.next().map(Some);
        }
        Ok(None)
    }

    fn finished(&self) -> bool {
        self.rest.is_empty()
    }
}

/// One element that must be all of `input`.
fn whole<'a>(input: &'a [u8], ident: u8, what: &'static str) -> Result<Element<'a>, OcspError> {
    let mut reader = Reader::new(input, what);
    let element = reader.expect(ident, what)?;
    if !reader.finished() {
        return Err(reader.malformed("bytes after the end"));
    }
    Ok(element)
}

/// A CertID as the responder wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertIdRef<'a> {
    /// The hash algorithm's OID (content octets).
    pub hash_oid: &'a [u8],
    pub issuer_name_hash: &'a [u8],
    pub issuer_key_hash: &'a [u8],
    pub serial: &'a [u8],
}

/// RFC 6960 ResponderID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderId<'a> {
    /// The responder's subject Name (its whole DER encoding).
    ByName(&'a [u8]),
    /// SHA-1 of the responder's public key bits.
    ByKey(&'a [u8]),
}

#[derive(Debug, Clone)]
pub struct SingleResponse<'a> {
    pub cert_id: CertIdRef<'a>,
    pub status: CertStatus,
    pub this_update: i64,
    pub next_update: Option<i64>,
}

/// A BasicOCSPResponse, the signed part kept as its bytes.
#[derive(Debug, Clone)]
pub struct Basic<'a> {
    /// `tbsResponseData`, whole: what the signature is over.
    pub signed: &'a [u8],
    pub responder: ResponderId<'a>,
    pub responses: Vec<SingleResponse<'a>>,
    pub signature_algorithm: Oid<'a>,
    pub signature: &'a [u8],
    /// Certificates the responder sent along (a delegated responder's).
    pub certs: Vec<&'a [u8]>,
}

fn response_status_name(code: u8) -> &'static str {
    match code {
        1 => "malformedRequest",
        2 => "internalError",
        3 => "tryLater",
        5 => "sigRequired",
        6 => "unauthorized",
        _ => "not a status RFC 6960 defines",
    }
}

/// Read an OCSPResponse: its status must be `successful` and its type basic.
pub fn parse(der: &[u8]) -> Result<Basic<'_>, OcspError> {
    let outer = whole(der, SEQUENCE, "OCSPResponse")?;
    let mut fields = Reader::new(outer.content, "OCSPResponse");
    let status = fields.expect(ENUMERATED, "responseStatus")?;
    if status.content != [0] {
        let code = status.content.first().copied().unwrap_or(u8::MAX);
        return Err(OcspError::ResponseStatus(response_status_name(code)));
    }
    let bytes = fields.expect(context(0), "responseBytes")?;
    let bytes = whole(bytes.content, SEQUENCE, "ResponseBytes")?;
    let mut bytes = Reader::new(bytes.content, "ResponseBytes");
    let kind = bytes.expect(OID, "responseType")?;
    if kind.content != BASIC_OID {
        return Err(bytes.malformed("not a basic OCSP response"));
    }
    let basic = bytes.expect(OCTET_STRING, "response")?;
    parse_basic(basic.content)
}

fn parse_basic(der: &[u8]) -> Result<Basic<'_>, OcspError> {
    let basic = whole(der, SEQUENCE, "BasicOCSPResponse")?;
    let mut fields = Reader::new(basic.content, "BasicOCSPResponse");
    let tbs = fields.expect(SEQUENCE, "tbsResponseData")?;
    let algorithm = fields.expect(SEQUENCE, "signatureAlgorithm")?;
    let algorithm_oid =
        Reader::new(algorithm.content, "signatureAlgorithm").expect(OID, "algorithm")?;
    let signature = fields.expect(BIT_STRING, "signature")?;
    // A signature is whole bytes: the "unused bits" octet must be 0.
    let Some((&0, signature)) = signature.content.split_first() else {
        return Err(fields.malformed("signature: not a whole number of bytes"));
    };
    let mut certs = Vec::new();
    if let Some(wrapped) = fields.optional(context(0))? {
        let list = whole(wrapped.content, SEQUENCE, "certs")?;
        let mut list = Reader::new(list.content, "certs");
        while !list.finished() {
            certs.push(list.expect(SEQUENCE, "Certificate")?.raw);
        }
    }
    let (responder, responses) = parse_tbs(tbs.content)?;
    Ok(Basic {
        signed: tbs.raw,
        responder,
        responses,
        signature_algorithm: Oid::new(algorithm_oid.content.into()),
        signature,
        certs,
    })
}

type Tbs<'a> = (ResponderId<'a>, Vec<SingleResponse<'a>>);

fn parse_tbs(content: &[u8]) -> Result<Tbs<'_>, OcspError> {
    let mut fields = Reader::new(content, "ResponseData");
    if let Some(version) = fields.optional(context(0))? {
        // v1 (0) is the only version; DER leaves the default out, but
        // some responders write it.
        let number = whole(version.content, INTEGER, "version")?;
        if number.content != [0] {
            return Err(fields.malformed("unknown version"));
        }
    }
    let responder = match fields.next()? {
        e if e.ident == context(1) => {
            ResponderId::ByName(whole(e.content, SEQUENCE, "byName")?.raw)
        }
        e if e.ident == context(2) => {
            ResponderId::ByKey(whole(e.content, OCTET_STRING, "byKey")?.content)
        }
        _ => return Err(fields.malformed("responderID is neither byName nor byKey")),
    };
    fields.expect(GENERALIZED_TIME, "producedAt")?;
    let list = fields.expect(SEQUENCE, "responses")?;
    let mut list = Reader::new(list.content, "responses");
    let mut responses = Vec::new();
    while !list.finished() {
        responses.push(parse_single(
            list.expect(SEQUENCE, "SingleResponse")?.content,
        )?);
    }
    Ok((responder, responses))
}

fn time(element: Element) -> Result<i64, OcspError> {
    let (_, t) = ASN1Time::from_der(element.raw)
        .map_err(|e| OcspError::Malformed(format!("bad time ({e})")))?;
    Ok(t.timestamp())
}

fn parse_single(content: &[u8]) -> Result<SingleResponse<'_>, OcspError> {
    let mut fields = Reader::new(content, "SingleResponse");
    let id = fields.expect(SEQUENCE, "certID")?;
    let cert_id = parse_cert_id(id.content)?;
    let status = fields.next()?;
    let status = match status.ident {
        i if i == context_primitive(0) => CertStatus::Good,
        i if i == context(1) => parse_revoked(status.content)?,
        i if i == context_primitive(2) => CertStatus::Unknown,
        _ => return Err(fields.malformed("certStatus is not good, revoked or unknown")),
    };
    let this_update = time(fields.expect(GENERALIZED_TIME, "thisUpdate")?)?;
    let next_update = match fields.optional(context(0))? {
        Some(e) => Some(time(whole(e.content, GENERALIZED_TIME, "nextUpdate")?)?),
        None => None,
    };
    Ok(SingleResponse {
        cert_id,
        status,
        this_update,
        next_update,
    })
}

fn parse_revoked(content: &[u8]) -> Result<CertStatus, OcspError> {
    let mut fields = Reader::new(content, "RevokedInfo");
    let at = time(fields.expect(GENERALIZED_TIME, "revocationTime")?)?;
    let reason = match fields.optional(context(0))? {
        Some(e) => whole(e.content, ENUMERATED, "revocationReason")?
            .content
            .first()
            .copied(),
        None => None,
    };
    Ok(CertStatus::Revoked { at, reason })
}

fn parse_cert_id(content: &[u8]) -> Result<CertIdRef<'_>, OcspError> {
    let mut fields = Reader::new(content, "CertID");
    let algorithm = fields.expect(SEQUENCE, "hashAlgorithm")?;
    let hash_oid = Reader::new(algorithm.content, "hashAlgorithm").expect(OID, "algorithm")?;
    Ok(CertIdRef {
        hash_oid: hash_oid.content,
        issuer_name_hash: fields.expect(OCTET_STRING, "issuerNameHash")?.content,
        issuer_key_hash: fields.expect(OCTET_STRING, "issuerKeyHash")?.content,
        serial: fields.expect(INTEGER, "serialNumber")?.content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acme::der::{sequence, tlv};

    #[test]
    fn an_unsuccessful_status_is_named() {
        let der = sequence(&[tlv(ENUMERATED, &[3])]);
        match parse(&der) {
            Err(OcspError::ResponseStatus(name)) => assert_eq!(name, "tryLater"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_and_truncation_are_malformed() {
        for der in [
            &b""[..],
            &b"\x30\x03\x0a\x01"[..],
            &b"\x30\x03\x0a\x01\x00trailing"[..],
            &b"\x04\x00"[..],
        ] {
            assert!(
                matches!(parse(der), Err(OcspError::Malformed(_))),
                "{der:?}"
            );
        }
        // Successful, but of another response type.
        let other = sequence(&[
            tlv(ENUMERATED, &[0]),
            tlv(
                context(0),
                &sequence(&[tlv(OID, &[0x2a, 0x03]), tlv(OCTET_STRING, &[])]),
            ),
        ]);
        assert!(matches!(parse(&other), Err(OcspError::Malformed(m)) if m.contains("basic")));
    }
}
