//! TSIG (RFC 8945): signing requests and checking the signature of answers,
//! for every algorithm Certbot's RFC 2136 plugin accepts (HMAC-MD5 through
//! HMAC-SHA512). hickory-proto encodes the TSIG record and the variables the
//! MAC covers; the MACs are computed here (RustCrypto `hmac`) because
//! hickory's own signer only knows the SHA-2 algorithms of 256 bits and more.

use super::error::DnsError;
use hickory_proto::op::Header;
use hickory_proto::rr::rdata::TSIG;
use hickory_proto::rr::rdata::tsig::{TsigAlgorithm, make_tsig_record};
use hickory_proto::rr::{Name, RData, Record};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use std::fmt;

/// Seconds of clock difference a signature tolerates (the usual value).
pub const FUDGE: u16 = 300;

/// The HMAC algorithms, by the names Certbot's credentials file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    HmacMd5,
    HmacSha1,
    HmacSha224,
    HmacSha256,
    HmacSha384,
    HmacSha512,
}

impl Algorithm {
    pub const ALL: [Algorithm; 6] = [
        Algorithm::HmacMd5,
        Algorithm::HmacSha1,
        Algorithm::HmacSha224,
        Algorithm::HmacSha256,
        Algorithm::HmacSha384,
        Algorithm::HmacSha512,
    ];

    /// `HMAC-SHA256` (any case; BIND's `hmac-sha256` is the same word).
    pub fn from_name(text: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(text.trim()))
    }

    /// The name in Certbot's spelling (`HMAC-SHA256`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacMd5 => "HMAC-MD5",
            Algorithm::HmacSha1 => "HMAC-SHA1",
            Algorithm::HmacSha224 => "HMAC-SHA224",
            Algorithm::HmacSha256 => "HMAC-SHA256",
            Algorithm::HmacSha384 => "HMAC-SHA384",
            Algorithm::HmacSha512 => "HMAC-SHA512",
        }
    }

    /// The algorithm's domain name on the wire.
    fn wire(self) -> TsigAlgorithm {
        match self {
            Algorithm::HmacMd5 => TsigAlgorithm::HmacMd5,
            Algorithm::HmacSha1 => TsigAlgorithm::HmacSha1,
            Algorithm::HmacSha224 => TsigAlgorithm::HmacSha224,
            Algorithm::HmacSha256 => TsigAlgorithm::HmacSha256,
            Algorithm::HmacSha384 => TsigAlgorithm::HmacSha384,
            Algorithm::HmacSha512 => TsigAlgorithm::HmacSha512,
        }
    }

    /// The MAC of `data` under `key`.
    pub fn mac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        fn tag<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
            keyed::<M>(key, data).finalize().into_bytes().to_vec()
        }
        match self {
            Algorithm::HmacMd5 => tag::<Hmac<Md5>>(key, data),
            Algorithm::HmacSha1 => tag::<Hmac<Sha1>>(key, data),
            Algorithm::HmacSha224 => tag::<Hmac<Sha224>>(key, data),
            Algorithm::HmacSha256 => tag::<Hmac<Sha256>>(key, data),
            Algorithm::HmacSha384 => tag::<Hmac<Sha384>>(key, data),
            Algorithm::HmacSha512 => tag::<Hmac<Sha512>>(key, data),
        }
    }

    /// Whether `mac` is the MAC of `data` under `key` (compared in constant time).
    pub fn verify_mac(self, key: &[u8], data: &[u8], mac: &[u8]) -> bool {
        fn check<M: Mac + KeyInit>(key: &[u8], data: &[u8], mac: &[u8]) -> bool {
            keyed::<M>(key, data).verify_slice(mac).is_ok()
        }
        match self {
            Algorithm::HmacMd5 => check::<Hmac<Md5>>(key, data, mac),
            Algorithm::HmacSha1 => check::<Hmac<Sha1>>(key, data, mac),
            Algorithm::HmacSha224 => check::<Hmac<Sha224>>(key, data, mac),
            Algorithm::HmacSha256 => check::<Hmac<Sha256>>(key, data, mac),
            Algorithm::HmacSha384 => check::<Hmac<Sha384>>(key, data, mac),
            Algorithm::HmacSha512 => check::<Hmac<Sha512>>(key, data, mac),
        }
    }
}

/// An HMAC keyed with `key` (any length: HMAC hashes long keys) over `data`.
fn keyed<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> M {
    let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    m.update(data);
    m
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Key material; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

/// A TSIG key: its name, algorithm and shared secret.
#[derive(Debug, Clone)]
pub struct TsigKey {
    pub name: Name,
    pub algorithm: Algorithm,
    pub secret: Secret,
}

/// What the TSIG record of an answer says.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Signed with our key, MAC and time correct.
    Valid,
    /// The server reports a TSIG error (BADSIG, BADKEY, BADTIME...).
    ServerError(u16),
    /// No TSIG record on the answer.
    Unsigned,
    /// The answer's signature does not verify (or is not ours).
    Forged(&'static str),
}

/// The name of a TSIG error code (RFC 8945 and the DNS RCODE registry).
pub fn error_name(code: u16) -> String {
    match code {
        16 => "BADSIG".into(),
        17 => "BADKEY".into(),
        18 => "BADTIME".into(),
        19 => "BADMODE".into(),
        20 => "BADNAME".into(),
        21 => "BADALG".into(),
        22 => "BADTRUNC".into(),
        other => format!("TSIG error {other}"),
    }
}

fn proto(e: impl fmt::Display) -> DnsError {
    DnsError::Internal(format!("cannot encode a DNS message: {e}"))
}

impl TsigKey {
    /// Append a TSIG record to `unsigned` (a whole encoded message whose ID
    /// is `id`); returns the signed message and its MAC (which the answer's
    /// signature covers).
    pub fn sign(&self, unsigned: &[u8], id: u16, now: u64) -> Result<(Vec<u8>, Vec<u8>), DnsError> {
        let stub = TSIG::new(
            self.algorithm.wire(),
            now,
            FUDGE,
            Vec::new(),
            id,
            None,
            Vec::new(),
        );
        let mut tbs = unsigned.to_vec();
        tbs.extend(tsig_variables(&stub, &self.name).map_err(proto)?);
        let mac = self.algorithm.mac(self.secret.bytes(), &tbs);
        let record = make_tsig_record(self.name.clone(), stub.set_mac(mac.clone()));
        let mut encoded = Vec::new();
        record
            .emit(&mut BinEncoder::new(&mut encoded))
            .map_err(proto)?;
        let mut signed = unsigned.to_vec();
        signed.extend(encoded);
        bump_additional_count(&mut signed, 1)?;
        Ok((signed, mac))
    }

    /// Check the TSIG record of `answer` (raw bytes) against the request MAC.
    pub fn verify(&self, answer: &[u8], request_mac: &[u8], now: u64) -> Verdict {
        let Some((start, tsig_name, tsig)) = find_tsig(answer) else {
            return Verdict::Unsigned;
        };
        if let Some(err) = tsig.error {
            return Verdict::ServerError(u16::from(err));
        }
        if tsig_name != self.name {
            return Verdict::Forged("signed with another key");
        }
        // Names compare case-insensitively (BIND answers `hmac-md5.sig-alg.reg.int.`).
        if tsig.algorithm.to_name() != self.algorithm.wire().to_name() {
            return Verdict::Forged("signed with another algorithm");
        }
        let mut tbs = Vec::with_capacity(answer.len() + 64);
        tbs.extend_from_slice(&(request_mac.len() as u16).to_be_bytes());
        tbs.extend_from_slice(request_mac);
        let mut body = answer[..start].to_vec();
        body[0..2].copy_from_slice(&tsig.oid.to_be_bytes());
        if bump_additional_count(&mut body, -1).is_err() {
            return Verdict::Forged("malformed header");
        }
        tbs.extend_from_slice(&body);
        match tsig_variables(&tsig, &tsig_name) {
            Ok(vars) => tbs.extend(vars),
            Err(_) => return Verdict::Forged("malformed TSIG record"),
        }
        if !self
            .algorithm
            .verify_mac(self.secret.bytes(), &tbs, &tsig.mac)
        {
            return Verdict::Forged("the MAC does not verify");
        }
        if now.abs_diff(tsig.time) > u64::from(tsig.fudge) {
            return Verdict::Forged("signed at a time outside the allowed clock difference");
        }
        Verdict::Valid
    }
}

/// The TSIG fields a MAC covers (key name, class, TTL, algorithm, times,
/// error, other data), encoded on their own.
fn tsig_variables(tsig: &TSIG, key_name: &Name) -> Result<Vec<u8>, hickory_proto::ProtoError> {
    let mut out = Vec::new();
    tsig.emit_tsig_for_mac(&mut BinEncoder::new(&mut out), key_name)?;
    Ok(out)
}

/// Add `delta` to the header's additional-record count (bytes 10-11).
fn bump_additional_count(message: &mut [u8], delta: i32) -> Result<(), DnsError> {
    let bad = || DnsError::Internal("DNS message shorter than its header".into());
    let field = message.get_mut(10..12).ok_or_else(bad)?;
    let count = i32::from(u16::from_be_bytes([field[0], field[1]])) + delta;
    let count = u16::try_from(count).map_err(|_| bad())?;
    field.copy_from_slice(&count.to_be_bytes());
    Ok(())
}

/// The offset where the final TSIG record of a message starts, with its
/// owner name and data; `None` when the message ends in no TSIG record.
fn find_tsig(message: &[u8]) -> Option<(usize, Name, TSIG)> {
    let mut decoder = BinDecoder::new(message);
    let header = Header::read(&mut decoder).ok()?;
    let counts = header.counts;
    for _ in 0..counts.queries {
        hickory_proto::op::Query::read(&mut decoder).ok()?;
    }
    let records =
        u32::from(counts.answers) + u32::from(counts.authorities) + u32::from(counts.additionals);
    let mut last = None;
    for _ in 0..records {
        let start = decoder.index();
        let record = Record::<RData>::read(&mut decoder).ok()?;
        last = Some((start, record));
    }
    let (start, record) = last?;
    match record.data {
        RData::TSIG(tsig) => Some((start, record.name, tsig)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmacs_match_rfc_test_vectors() {
        // RFC 2202 (MD5, SHA-1) and RFC 4231 (SHA-2) test case 2.
        let (key, data) = (
            b"Jefe".as_slice(),
            b"what do ya want for nothing?".as_slice(),
        );
        let cases = [
            (Algorithm::HmacMd5, "750c783e6ab0b503eaa86e310a5db738"),
            (
                Algorithm::HmacSha1,
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                Algorithm::HmacSha224,
                "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            ),
            (
                Algorithm::HmacSha256,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
        ];
        for (alg, want) in cases {
            assert_eq!(hex(&alg.mac(key, data)), want, "{alg}");
        }
        // A key longer than the block is hashed first (RFC 4231 test case 6).
        let long_key = [0xaau8; 131];
        assert_eq!(
            hex(&Algorithm::HmacSha224.mac(
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e"
        );
    }

    #[test]
    fn sha384_and_sha512_match_rfc_4231_and_every_mac_verifies() {
        let (key, data) = (
            b"Jefe".as_slice(),
            b"what do ya want for nothing?".as_slice(),
        );
        assert_eq!(
            hex(&Algorithm::HmacSha384.mac(key, data)),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"
        );
        assert_eq!(
            hex(&Algorithm::HmacSha512.mac(key, data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        for alg in Algorithm::ALL {
            let mac = alg.mac(key, data);
            assert!(alg.verify_mac(key, data, &mac), "{alg}");
            let mut flipped = mac.clone();
            flipped[0] ^= 0x80;
            assert!(!alg.verify_mac(key, data, &flipped), "{alg}");
            assert!(!alg.verify_mac(key, data, &mac[..mac.len() - 1]), "{alg}");
            assert!(!alg.verify_mac(b"other", data, &mac), "{alg}");
        }
    }

    #[test]
    fn names_parse_in_any_case() {
        assert_eq!(
            Algorithm::from_name("hmac-sha512"),
            Some(Algorithm::HmacSha512)
        );
        assert_eq!(Algorithm::from_name("HMAC-MD5"), Some(Algorithm::HmacMd5));
        assert_eq!(Algorithm::from_name("HMAC-SHA3"), None);
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let key = TsigKey {
            name: Name::from_ascii("k.").unwrap(),
            algorithm: Algorithm::HmacSha256,
            secret: Secret::new(b"very secret bytes".to_vec()),
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains("very") && !shown.contains("118"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn a_signed_answer_verifies_and_a_tampered_one_does_not() {
        use hickory_proto::op::{Message, MessageType, OpCode};
        let key = TsigKey {
            name: Name::from_ascii("key.").unwrap(),
            algorithm: Algorithm::HmacSha256,
            secret: Secret::new(vec![7; 32]),
        };
        let request = Message::new(0x1234, MessageType::Query, OpCode::Update)
            .to_vec()
            .unwrap();
        let (signed, request_mac) = key.sign(&request, 0x1234, 1_000_000).unwrap();
        assert_eq!(find_tsig(&signed).map(|(s, _, _)| s), Some(request.len()));
        // Sign an "answer" the way a server does: request MAC first.
        let answer = Message::new(0x1234, MessageType::Response, OpCode::Update)
            .to_vec()
            .unwrap();
        let stub = TSIG::new(
            key.algorithm.wire(),
            1_000_001,
            FUDGE,
            Vec::new(),
            0x1234,
            None,
            Vec::new(),
        );
        let mut tbs = (request_mac.len() as u16).to_be_bytes().to_vec();
        tbs.extend_from_slice(&request_mac);
        tbs.extend_from_slice(&answer);
        tbs.extend(tsig_variables(&stub, &key.name).unwrap());
        let mac = key.algorithm.mac(&[7; 32], &tbs);
        let mut record = Vec::new();
        make_tsig_record(key.name.clone(), stub.set_mac(mac))
            .emit(&mut BinEncoder::new(&mut record))
            .unwrap();
        let mut signed_answer = answer.clone();
        signed_answer.extend(record);
        bump_additional_count(&mut signed_answer, 1).unwrap();
        assert_eq!(
            key.verify(&signed_answer, &request_mac, 1_000_002),
            Verdict::Valid
        );
        assert!(matches!(
            key.verify(&signed_answer, &request_mac, 1_000_002 + 900),
            Verdict::Forged(_)
        ));
        let mut tampered = signed_answer.clone();
        tampered[3] ^= 0x01;
        assert!(matches!(
            key.verify(&tampered, &request_mac, 1_000_002),
            Verdict::Forged(_)
        ));
        assert_eq!(key.verify(&answer, &request_mac, 0), Verdict::Unsigned);
    }
}
