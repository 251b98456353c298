//! Every input a fuzz target ever crashed on, replayed through the same check the target
//! runs (`fuzz/checks.rs`): `fuzz/regressions/<target>/<name>`. A new crash found by
//! `scripts/fuzz` is fixed in the library and its input copied there.
//!
//! `cargo test --test fuzz_regressions` (one test per target, e.g. `regressions_nginx_roundtrip`).

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// Replay every file of `fuzz/regressions/<target>/`; returns how many there were.
fn replay(target: &str) -> usize {
    let check = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, check)| *check)
        .unwrap_or_else(|| panic!("no fuzz target {target}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut files: Vec<_> = entries.map(|e| e.expect("read_dir").path()).collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).expect("read a regression input");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails again", file.display());
    }
    files.len()
}

macro_rules! regressions {
    ($($name:ident => $target:literal,)*) => {$(
        #[test]
        fn $name() {
            replay($target);
        }
    )*};
}

regressions! {
    regressions_nginx_roundtrip => "nginx_roundtrip",
    regressions_apache_roundtrip => "apache_roundtrip",
    regressions_path => "path",
    regressions_configobj => "configobj",
    regressions_cli_ini => "cli_ini",
    regressions_credentials => "credentials",
    regressions_x509 => "x509",
    regressions_ocsp_response => "ocsp_response",
}

#[test]
fn every_regression_directory_is_a_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries {
        let name = entry.expect("read_dir").file_name();
        let name = name.to_string_lossy();
        assert!(
            checks::TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/regressions/{name} names no fuzz target"
        );
    }
}
