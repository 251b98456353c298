//! Which key a replacing certificate gets, and how that is stored.

use super::Config;
use crate::acme::csr::KeySpec;
use crate::cli::table as t;
use crate::storage::{Lineage, RenewalParams};

/// The key type and size of the certificate's public key.
fn lineage_key(lineage: &Lineage) -> Option<KeySpec> {
    use x509_parser::public_key::PublicKey;
    let info = lineage.cert_info().ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&info.der).ok()?;
    match cert.public_key().parsed().ok()? {
        PublicKey::RSA(rsa) => Some(KeySpec::Rsa {
            bits: u32::try_from(rsa.key_size()).ok()?,
        }),
        PublicKey::EC(ec) => Some(KeySpec::Ecdsa {
            p384: ec.key_size() == 384,
        }),
        _ => None,
    }
}

/// The key a certificate replacing `lineage` gets: without `--key-type`,
/// the lineage's type (as Certbot keeps it) and size (`--rsa-key-size` or
/// `--elliptic-curve` given now still choose the size within that type).
pub(super) fn replacement_key(config: &Config, lineage: &Lineage) -> KeySpec {
    let args = config.args();
    if args.given(&t::KEY_TYPE) {
        return config.cert.key;
    }
    let kept = match lineage_key(lineage) {
        Some(KeySpec::Rsa { bits }) => {
            let bits = args
                .value(&t::RSA_KEY_SIZE)
                .and_then(|b| b.parse().ok())
                .unwrap_or(bits);
            KeySpec::from_flags(Some("rsa"), None, Some(bits))
        }
        Some(KeySpec::Ecdsa { p384 }) => {
            let curve = args.value(&t::ELLIPTIC_CURVE).unwrap_or(if p384 {
                "secp384r1"
            } else {
                "secp256r1"
            });
            KeySpec::from_flags(Some("ecdsa"), Some(curve), None)
        }
        None => return config.cert.key,
    };
    kept.unwrap_or(config.cert.key)
}

/// Store `used` when it is not the key the options named (which
/// [`common_params`] stored): the lineage's kept key type.
pub(super) fn key_params(named: KeySpec, used: KeySpec, params: &mut RenewalParams) {
    if named == used {
        return;
    }
    let (_, (stale, _)) = named.conf_values();
    params.values.retain(|(k, _)| k != stale);
    let (key_type, (size_key, size)) = used.conf_values();
    params.set("key_type", key_type).set(size_key, size);
}
