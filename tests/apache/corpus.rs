//! Every corpus file round-trips byte for byte; failing cases behave as Apache does.

use super::common::*;
use certsmith::syntax::apache::Document;

#[test]
fn every_corpus_file_round_trips() {
    let mut files = files_under(&corpus().join("trees"));
    files.extend(files_under(&corpus().join("cases/passing")));
    assert!(
        files.len() > 400,
        "corpus incomplete: {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        match Document::parse(&bytes) {
            Ok(f) if f.print() == bytes => {}
            Ok(_) => failures.push(format!("{}: round trip changed the file", path.display())),
            Err(e) => failures.push(format!("{}:{e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Apache's own verdict on each `cases/failing` file (included from a minimal server
/// config with the modules the cases use), and ours: none is a syntax error.
#[test]
fn failing_cases_are_handled_as_apache_does() {
    let expected: &[(&str, Option<&str>, usize)] = &[
        // (file, what makes apache2 -t fail (None: it accepts the file), vhosts in it)
        ("missing-double-quote-1724.conf", None, 1),
        (
            "multivhost-1093.conf",
            Some("Invalid command 'FCGIWrapper'"),
            2,
        ),
        (
            "multivhost-1093b.conf",
            Some("Invalid command 'FCGIWrapper'"),
            4,
        ),
    ];
    let dir = corpus().join("cases/failing");
    let mut listed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        expected.iter().map(|e| e.0).collect::<Vec<_>>(),
        "a new failing case needs its verdict recorded"
    );
    let tmp = TempDir::new("failing");
    let mut failures = Vec::new();
    for (name, apache_error, vhosts) in expected {
        let case = dir.join(name);
        let modules = [
            "mpm_event",
            "authz_core",
            "authz_host",
            "access_compat",
            "alias",
            "mime",
            "socache_shmcb",
            "ssl",
        ];
        let mut base = String::new();
        for m in modules {
            base += &format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n");
        }
        base += &format!(
            "ErrorLog {}/error.log\nServerName localhost\nListen 127.0.0.1:18443\nInclude {}\n",
            tmp.path().display(),
            case.display()
        );
        let main = tmp.write("httpd.conf", &base);
        let (ok, out) = apache_configtest(tmp.path(), &main, &tmp.path().join("scratch"), &[]);
        match apache_error {
            None if !ok => failures.push(format!("{name}: Apache now rejects it:\n{out}")),
            Some(e) if ok || !out.contains(e) => {
                failures.push(format!("{name}: expected Apache to say {e:?}, got:\n{out}"))
            }
            _ => {}
        }
        let bytes = std::fs::read(&case).unwrap();
        match Document::parse(&bytes) {
            Ok(f) if f.print() != bytes => failures.push(format!("{name}: round trip changed it")),
            Ok(f) => {
                let n = f
                    .body
                    .nodes
                    .iter()
                    .filter(|n| n.is_named("VirtualHost"))
                    .count();
                if n != *vhosts {
                    failures.push(format!("{name}: {n} vhosts, expected {vhosts}"));
                }
            }
            Err(e) => failures.push(format!("{name}:{e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
