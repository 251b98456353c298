//! One check per fuzz target, shared by the targets (`fuzz_targets/*.rs`, through
//! `#[path]`) and by the replay of kept crash inputs in the normal test suite
//! (`tests/fuzz_regressions.rs`). Each calls the library's own check function and panics on
//! a broken invariant; an input that is merely refused (a positioned error) is fine.
#![allow(dead_code)]

use certsmith::configobj::{self, FlatRules};

/// One target's check: panics on a broken invariant.
pub type Check = fn(&[u8]);

/// The targets by name (the directory names under `fuzz/regressions/` and `fuzz/corpus/`).
pub const TARGETS: &[(&str, Check)] = &[
    ("nginx_roundtrip", nginx_roundtrip),
    ("apache_roundtrip", apache_roundtrip),
    ("path", path),
    ("configobj", configobj),
    ("cli_ini", cli_ini),
    ("credentials", credentials),
    ("x509", x509),
    ("ocsp_response", ocsp_response),
];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// nginx: round trip, then remove / comment / insert / append / set_args on sampled directives.
pub fn nginx_roundtrip(data: &[u8]) {
    certsmith::syntax::nginx::check_roundtrip(data);
}

/// Apache: round trip, stable re-parse, then the same edits on sampled nodes.
pub fn apache_roundtrip(data: &[u8]) {
    if let Err(e) = certsmith::syntax::apache::check_roundtrip(data) {
        panic!("{e}");
    }
}

/// Augeas-style paths: error positions, Display round trip, canonical paths.
pub fn path(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Err(e) = certsmith::syntax::path::check(text) {
        panic!("{e}");
    }
}

/// Renewal confs (sectioned ConfigObj): positions, render round trip, set / set_list / remove.
pub fn configobj(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Err(e) = configobj::check_document(text) {
        panic!("{e}");
    }
}

thread_local! {
    static FLAGS: certsmith::cli::FlagSet = certsmith::plugins::Registry::builtin().flag_set();
}

/// cli.ini: the flat reader's positions, then the whole reading against every built-in flag.
pub fn cli_ini(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Err(e) = configobj::check_flat(text, FlatRules::CLI_INI) {
        panic!("{e}");
    }
    let path = std::path::Path::new("cli.ini");
    FLAGS.with(|set| {
        let _ = certsmith::cli::args::parse_ini_lenient(set, path, text);
    });
}

/// dns-rfc2136 credentials: the flat reader, then `Credentials::parse` and its positions.
pub fn credentials(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Err(e) = configobj::check_flat(text, FlatRules::CREDENTIALS) {
        panic!("{e}");
    }
    if let Err(e) = certsmith::auth::dns::credentials::check(text) {
        panic!("{e}");
    }
}

/// PEM bundles and DER certificates: reading never panics; dates always format.
pub fn x509(data: &[u8]) {
    use certsmith::x509::{format_utc, parse_der, parse_pem, pem_blocks};
    let mut infos = Vec::new();
    infos.extend(parse_der(data).ok());
    if let Some(text) = text(data) {
        infos.extend(parse_pem(text).ok());
        for block in pem_blocks(text) {
            infos.extend(parse_pem(&block).ok());
        }
    }
    for info in infos {
        let _ = (format_utc(info.not_before), format_utc(info.not_after));
    }
}

/// OCSP responses: any bytes are read or refused with an error.
pub fn ocsp_response(data: &[u8]) {
    let _ = certsmith::ocsp::check_response(data);
}
