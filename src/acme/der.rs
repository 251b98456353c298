//! Just enough DER to move account keys between Certbot's JWK files and the
//! PKCS#8 / SubjectPublicKeyInfo forms the crypto libraries want.

/// Encode a tag-length-value.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let first = magnitude
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(magnitude.len());
        &magnitude[first..]
    };
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    tlv(0x02, &content)
}

/// Read one TLV; returns (tag, content, rest).
pub fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn ec_algorithm(curve: &[u8]) -> Vec<u8> {
    sequence(&[tlv(0x06, OID_EC_PUBLIC_KEY), tlv(0x06, curve)])
}

/// PKCS#8 (RFC 5208 + RFC 5915) for an EC key from its curve, scalar and point.
pub fn ec_pkcs8(curve: &[u8], d: &[u8], point: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(point);
    let ec_private = sequence(&[tlv(0x02, &[1]), tlv(0x04, d), tlv(0xa1, &tlv(0x03, &bits))]);
    sequence(&[tlv(0x02, &[0]), ec_algorithm(curve), tlv(0x04, &ec_private)])
}

/// The private scalar of an EC PKCS#8 key.
pub fn ec_scalar_from_pkcs8(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let (_, outer, _) = read_tlv(pkcs8)?;
    let (_, _version, rest) = read_tlv(outer)?;
    let (_, _algorithm, rest) = read_tlv(rest)?;
    let (_, private_octets, _) = read_tlv(rest)?;
    let (_, ec_private, _) = read_tlv(private_octets)?;
    let (_, _version, rest) = read_tlv(ec_private)?;
    let (tag, scalar, _) = read_tlv(rest)?;
    (tag == 0x04).then(|| scalar.to_vec())
}

/// SubjectPublicKeyInfo for an EC point (0x04 || x || y).
pub fn ec_spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(point);
    sequence(&[ec_algorithm(curve), tlv(0x03, &bits)])
}

/// SubjectPublicKeyInfo for an RSA public key.
pub fn rsa_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
    let public = sequence(&[unsigned_integer(n), unsigned_integer(e)]);
    let mut bits = vec![0u8];
    bits.extend(public);
    sequence(&[
        sequence(&[tlv(0x06, OID_RSA), tlv(0x05, &[])]),
        tlv(0x03, &bits),
    ])
}

/// PEM with 64-column base64 lines, as OpenSSL (and so Certbot) writes it.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_get_sign_padding_and_lose_leading_zeros() {
        assert_eq!(unsigned_integer(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(
            unsigned_integer(&[0x00, 0x01, 0x00, 0x01]),
            vec![0x02, 0x03, 0x01, 0x00, 0x01]
        );
        assert_eq!(unsigned_integer(&[]), vec![0x02, 0x01, 0x00]);
    }

    #[test]
    fn long_lengths_round_trip() {
        let content = vec![7u8; 300];
        let encoded = tlv(0x04, &content);
        assert_eq!(&encoded[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (tag, back, rest) = read_tlv(&encoded).unwrap();
        assert_eq!((tag, back, rest.len()), (0x04, &content[..], 0));
    }

    #[test]
    fn p256_pkcs8_is_accepted_by_ring_and_scalar_comes_back() {
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref(), &rng).unwrap();
        let d = ec_scalar_from_pkcs8(doc.as_ref()).unwrap();
        assert_eq!(d.len(), 32);
        let rebuilt = ec_pkcs8(OID_P256, &d, pair.public_key().as_ref());
        let again =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rebuilt, &rng).unwrap();
        assert_eq!(again.public_key().as_ref(), pair.public_key().as_ref());
    }
}
