//! More of Certbot's rules a switching user relies on (issue 14):
//! `--new-key` with and without `--reuse-key`.

use super::World;
use std::fs;

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
