use super::*;
use crate::test_support::support::Rng;
use std::time::{Duration, UNIX_EPOCH};

fn sample() -> Manifest {
    let path = |s: &[u8]| PathBuf::from(OsString::from_vec(s.to_vec()));
    Manifest {
        kind: Kind::Permanent,
        title: "Deployed certificate for example.com; 100% \"quoted\"\nnew line".into(),
        started: UNIX_EPOCH + Duration::new(1_732_871_000, 123_456_789),
        committed: Some(UNIX_EPOCH + Duration::new(1_732_871_002, 0)),
        entries: vec![
            Entry::CreatedDir(path(b"/etc/nginx/snip pets")),
            Entry::Path {
                path: path(b"/etc/nginx/caf\xe9 %41.conf"),
                original: Original::File(FileBackup {
                    id: 0,
                    len: 1234,
                    hash: 0x9f3a_0000_0000_00c2,
                    mode: 0o4750,
                    uid: 4321,
                    gid: 0,
                    mtime: (-5, 999_999_999),
                }),
                after: Some(After::File { len: 7, hash: 1 }),
            },
            Entry::Path {
                path: path(b"/x/link"),
                original: Original::Link {
                    target: path(b"after"),
                    uid: 1,
                    gid: 2,
                },
                after: Some(After::Link(path(b"../after"))),
            },
            Entry::Path {
                path: path(b"/x/new"),
                original: Original::Absent,
                after: None,
            },
            Entry::Action(UndoAction::Note("after".into())),
            Entry::Action(UndoAction::Note(String::new())),
            Entry::Action(UndoAction::ModuleEnabled {
                server: "apache".into(),
                module: "ssl".into(),
            }),
            Entry::Action(UndoAction::SiteEnabled {
                server: "nginx".into(),
                site: "default-ssl".into(),
            }),
            Entry::Action(UndoAction::ReloadServer {
                server: "nginx".into(),
                config: path(b"/etc/nginx dir/nginx.conf"),
            }),
        ],
    }
}

#[test]
fn round_trips_every_record_kind() {
    let m = sample();
    let bytes = m.encode();
    assert_eq!(Manifest::decode(&bytes), Ok(m));
    assert!(
        bytes.is_ascii(),
        "escaped: {}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn escaping_round_trips_random_bytes() {
    let mut rng = Rng::new(7);
    for _ in 0..2000 {
        let bytes = rng.bytes(40);
        let field = escape(&bytes);
        assert!(
            !field.is_empty() && !field.contains([' ', '\n']),
            "{field:?}"
        );
        assert_eq!(unescape(&field), Ok(bytes));
    }
}

#[test]
fn every_truncation_is_detected() {
    let bytes = sample().encode();
    for len in 0..bytes.len() {
        assert!(
            Manifest::decode(&bytes[..len]).is_err(),
            "truncated to {len} bytes was accepted"
        );
    }
}

#[test]
fn every_single_byte_change_is_detected() {
    let bytes = sample().encode();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            assert!(
                Manifest::decode(&damaged).is_err(),
                "byte {i} ^ {flip:#x} was accepted: {}",
                String::from_utf8_lossy(&damaged)
            );
        }
    }
}

#[test]
fn errors_give_the_line() {
    let mut m = sample();
    m.entries.clear();
    let mut text = String::from_utf8(m.encode()).unwrap();
    // Re-seal a manifest with a bad record so only the record is wrong.
    let body_end = text.rfind("end ").unwrap();
    text.truncate(body_end);
    text.push_str("bogus record\n");
    let lines = text.lines().count();
    let hash = Fnv::of(text.as_bytes());
    text.push_str(&format!("end {lines} {hash:016x}\n"));
    let (line, reason) = Manifest::decode(text.as_bytes()).unwrap_err();
    assert_eq!(line, lines);
    assert!(reason.contains("bogus"), "{reason}");
}

#[test]
fn read_falls_back_to_the_mirror_and_says_why() {
    let scratch = crate::test_support::support::Scratch::new("manifest");
    let dir = &scratch.path;
    let m = sample();
    write(dir, &m).unwrap();
    let bytes = fs::read(dir.join(MANIFEST)).unwrap();
    fs::write(dir.join(MANIFEST), &bytes[..bytes.len() / 2]).unwrap();
    let loaded = read(dir).unwrap().unwrap();
    assert_eq!(loaded.manifest, m);
    assert!(loaded.notes[0].contains("truncated"), "{:?}", loaded.notes);
    fs::write(dir.join(MIRROR), b"garbage").unwrap();
    let err = read(dir).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:", dir.join(MANIFEST).display())),
        "{err}"
    );
    fs::remove_file(dir.join(MANIFEST)).unwrap();
    assert!(read(dir).unwrap_err().to_string().contains(MIRROR));
    fs::remove_file(dir.join(MIRROR)).unwrap();
    assert!(read(dir).unwrap().is_none());
}
