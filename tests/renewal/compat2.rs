//! More of Certbot's rules a switching user relies on (issue 14):
//! `--break-my-certs`, `--new-key` with and without `--reuse-key`, and the
//! `renewal-hooks/` executables for `certonly`.

use super::World;
use std::fs;

/// Pebble's directory under a URL with "staging" in it (Pebble ignores the
/// query; the account directory does too): a staging server by Certbot's rule.
fn staging_url(w: &World) -> String {
    format!("{}?staging", w.pebble.directory_url())
}

const REFUSAL: &str = "You've asked to renew/replace a seemingly valid certificate with a test certificate (domains: prod.example.com). We will not do that unless you use the --break-my-certs flag!";

#[test]
fn compat2_a_staging_certificate_replaces_a_production_one_only_with_break_my_certs() {
    let mut w = World::new();
    w.standalone(&["-d", "prod.example.com"]).ok();
    let staging = staging_url(&w);

    // renew against a staging server: refused before the CA is contacted.
    let run = w.renew(&["--force-renewal", "--server", &staging]).failed();
    assert!(run.stderr.contains(REFUSAL), "{}", run.stderr);
    assert_eq!(w.version("prod.example.com"), 1);
    // Let's Encrypt's staging directory is refused the same way (never reached).
    let run = w.renew(&["--force-renewal", "--staging"]).failed();
    assert!(run.stderr.contains(REFUSAL), "{}", run.stderr);

    // certonly replacing the lineage: the same.
    w.server = staging.clone();
    let run = w
        .standalone(&["-d", "prod.example.com", "--force-renewal"])
        .failed();
    assert!(run.stderr.contains(REFUSAL), "{}", run.stderr);
    assert_eq!(w.version("prod.example.com"), 1);

    // --break-my-certs lets both through.
    w.standalone(&[
        "-d",
        "prod.example.com",
        "--force-renewal",
        "--break-my-certs",
    ])
    .ok();
    assert_eq!(w.version("prod.example.com"), 2);
    let conf = w.conf("prod.example.com");
    let prod = w.pebble.directory_url();
    fs::write(
        w.conf_path("prod.example.com"),
        conf.replace(
            &format!("server = {staging}\n"),
            &format!("server = {prod}\n"),
        ),
    )
    .unwrap();
    w.renew(&["--force-renewal", "--server", &staging, "--break-my-certs"])
        .ok();
    assert_eq!(w.version("prod.example.com"), 3);
    w.assert_verifies("prod.example.com");
}

fn key(w: &World, name: &str, version: u32) -> Vec<u8> {
    fs::read(
        w.config_dir()
            .join(format!("archive/{name}/privkey{version}.pem")),
    )
    .unwrap()
}

#[test]
fn compat2_new_key_replaces_the_key_once_and_leaves_reuse_key() {
    let w = World::new();
    let name = "key.example.com";
    w.standalone(&["-d", name, "--reuse-key"]).ok();
    assert!(
        w.conf(name).contains("reuse_key = True\n"),
        "{}",
        w.conf(name)
    );

    // --new-key: a new key now; the conf still reuses it afterwards.
    w.renew(&["--force-renewal", "--new-key"]).ok();
    assert_ne!(key(&w, name, 2), key(&w, name, 1));
    assert!(
        w.conf(name).contains("reuse_key = True\n"),
        "{}",
        w.conf(name)
    );
    w.renew(&["--force-renewal"]).ok();
    assert_eq!(key(&w, name, 3), key(&w, name, 2), "reused after --new-key");

    // --new-key --reuse-key on certonly: replace now, reuse afterwards.
    w.standalone(&["-d", name, "--force-renewal", "--new-key", "--reuse-key"])
        .ok();
    assert_ne!(key(&w, name, 4), key(&w, name, 3));
    w.renew(&["--force-renewal"]).ok();
    assert_eq!(key(&w, name, 5), key(&w, name, 4));

    // --no-reuse-key turns reuse off in the conf.
    w.renew(&["--force-renewal", "--no-reuse-key"]).ok();
    assert_ne!(key(&w, name, 6), key(&w, name, 5));
    assert!(
        !w.conf(name).contains("reuse_key = True"),
        "{}",
        w.conf(name)
    );
    w.renew(&["--force-renewal"]).ok();
    assert_ne!(key(&w, name, 7), key(&w, name, 6));
}

#[test]
fn compat2_certonly_runs_the_directory_hooks_as_the_seeds_certbot() {
    let w = World::new();
    let name = "hooks.example.com";
    let log = w.dir.join("hooks.log");
    for stage in ["pre", "deploy", "post"] {
        w.script(
            &format!("etc/renewal-hooks/{stage}/10-log"),
            &format!(
                "echo \"{stage} ${{RENEWED_LINEAGE:-}}\" >> {}",
                log.display()
            ),
            0o755,
        );
    }
    let read = || fs::read_to_string(&log).unwrap_or_default();
    let live = w.config_dir().join("live").join(name).display().to_string();
    let all_three = format!("pre \ndeploy {live}\npost \n");

    // A new lineage: the user guide's Certbot (3.2 and later) runs the hook
    // directories for any subcommand, not only for renew.
    w.standalone(&["-d", name]).ok();
    assert_eq!(read(), all_three);

    // Replacing it: the same three.
    w.standalone(&["-d", name, "--force-renewal"]).ok();
    assert_eq!(read(), all_three.repeat(2));

    // --no-directory-hooks: none.
    w.standalone(&["-d", name, "--force-renewal", "--no-directory-hooks"])
        .ok();
    assert_eq!(read(), all_three.repeat(2));
    assert_eq!(w.version(name), 3);

    // renew runs all three too.
    w.renew(&["--force-renewal"]).ok();
    assert_eq!(read(), all_three.repeat(3));
}
