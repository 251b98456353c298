//! `certificates --json` and `checkpoints --json` (issue 18 item 5): real
//! output, from lineages Pebble issued and checkpoints `conf set` made, is
//! checked against `docs/schema/*.schema.json` with Debian's
//! python3-jsonschema, and each schema is shown to reject doctored output
//! (so the validation is real).

use super::World;
use super::support::pebble::Pebble;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const DAY: u64 = 86_400;

/// Every error python3-jsonschema finds in `instance` (JSON text) against
/// `docs/schema/NAME.schema.json` (draft 2020-12, formats checked where the
/// library can); empty when it is valid.
pub fn schema_errors(name: &str, instance: &str) -> Vec<String> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(format!("{name}.schema.json"));
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        jsonschema.Draft202012Validator.check_schema(schema)\n\
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())\n\
        for e in v.iter_errors(json.load(sys.stdin)):\n    print('/'.join(map(str, e.absolute_path)) + ': ' + e.message)\n";
    let mut child = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&schema)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(instance.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3-jsonschema failed (apt-get install python3-jsonschema): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[track_caller]
fn assert_valid(name: &str, instance: &str) -> Value {
    let errors = schema_errors(name, instance);
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{instance}");
    serde_json::from_str(instance).unwrap()
}

/// `doctor` applied to a copy of `valid` must make the schema complain, with
/// an error mentioning `expected`.
#[track_caller]
fn assert_rejected(name: &str, valid: &Value, expected: &str, doctor: impl Fn(&mut Value)) {
    let mut bad = valid.clone();
    doctor(&mut bad);
    let errors = schema_errors(name, &bad.to_string());
    assert!(
        errors.iter().any(|e| e.contains(expected)),
        "{name}: doctored output not rejected for {expected:?}: {errors:#?}"
    );
}

/// An nginx tree with one TLS server block and no certificate yet.
fn nginx_tree(w: &World) -> std::path::PathBuf {
    let root = w.dir.join("nginx");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("nginx.conf"),
        "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        server_name json.example.com;\n    }\n}\n",
    )
    .unwrap();
    root
}

#[test]
fn certificates_and_checkpoints_as_json_follow_their_schemas() {
    let w = World::with(Pebble::builder().validity_secs(90 * DAY).start());
    let root = nginx_tree(&w);
    let root_arg = root.display().to_string();
    // An ECDSA lineage recorded as installed with nginx, and an RSA one with
    // no installer.
    w.standalone(&[
        "-d",
        "json.example.com",
        "-i",
        "nginx",
        "--nginx-server-root",
        &root_arg,
    ])
    .ok();
    w.standalone(&[
        "-d",
        "rsa.example.com",
        "-d",
        "www.rsa.example.com",
        "--key-type",
        "rsa",
        "--rsa-key-size",
        "2048",
    ])
    .ok();
    // Two real transactions: the site pointed at the lineage's live files.
    let live = |file| w.live("json.example.com", file).display().to_string();
    for (directive, file) in [
        ("ssl_certificate", "fullchain.pem"),
        ("ssl_certificate_key", "privkey.pem"),
    ] {
        let path = format!("http/server/{directive}");
        w.certsmith(&[
            "conf",
            "set",
            "--nginx-server-root",
            &root_arg,
            &path,
            &live(file),
        ])
        .ok();
    }

    let listing = assert_valid(
        "certificates",
        &w.certsmith(&["certificates", "--json"]).ok().stdout,
    );
    check_listing(&w, &listing, &root);
    check_filters(&w);
    reject_doctored_listings(&listing);

    let checkpoints = assert_valid(
        "checkpoints",
        &w.certsmith(&["checkpoints", "--json"]).ok().stdout,
    );
    check_checkpoints(&checkpoints, &root);
}

fn check_listing(w: &World, listing: &Value, root: &Path) {
    assert_eq!(listing["version"], 1);
    let certs = listing["certificates"].as_array().unwrap();
    let names: Vec<&str> = certs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["json.example.com", "rsa.example.com"]);
    assert_eq!(listing["invalid"], serde_json::json!([]));

    let ec = &certs[0];
    let (_, serial) = super::cert_names_and_serial(&w.live("json.example.com", "cert.pem"));
    assert_eq!(ec["serial"], serial.as_str());
    assert_eq!(ec["domains"], serde_json::json!(["json.example.com"]));
    assert_eq!(
        ec["key"],
        serde_json::json!({"type": "ECDSA", "bits": 256, "curve": "secp256r1"})
    );
    assert_eq!(ec["status"]["valid"], true);
    assert_eq!(ec["status"]["text"], "VALID: 89 days");
    assert_eq!(ec["days_left"], 89);
    assert_eq!(
        ec["paths"]["fullchain"],
        w.live("json.example.com", "fullchain.pem")
            .display()
            .to_string()
    );
    let renewal = &ec["renewal"];
    assert_eq!(
        (&renewal["source"], &renewal["rule"], &renewal["due"]),
        (&"local".into(), &"lifetime".into(), &false.into())
    );
    assert_eq!(renewal["end"], ec["not_after"]);
    assert!(
        renewal["ari_cert_id"]
            .as_str()
            .is_some_and(|id| id.contains('.'))
    );
    let conf = root.join("nginx.conf").display().to_string();
    assert_eq!(
        ec["installed"],
        serde_json::json!({
            "installer": "nginx",
            "references": [
                {"file": conf, "line": 6, "directive": "ssl_certificate"},
                {"file": conf, "line": 7, "directive": "ssl_certificate_key"},
            ],
            "error": null,
        })
    );

    let rsa = &certs[1];
    assert_eq!(
        rsa["key"],
        serde_json::json!({"type": "RSA", "bits": 2048, "curve": null})
    );
    assert_eq!(
        rsa["domains"],
        serde_json::json!(["rsa.example.com", "www.rsa.example.com"])
    );
    assert_eq!(
        rsa["installed"],
        serde_json::json!({"installer": null, "references": [], "error": null})
    );
}

/// `--cert-name` and `-d` choose the same lineages as in the text listing.
fn check_filters(w: &World) {
    // The names `certificates ARGS --json` lists, after checking the text
    // listing with the same ARGS lists exactly those.
    let names = |args: &[&str]| -> Vec<String> {
        let text_args = [&["certificates"], args].concat();
        let text = w.certsmith(&text_args).ok().stdout;
        let json_args = [&text_args[..], &["--json"]].concat();
        let listing = assert_valid("certificates", &w.certsmith(&json_args).ok().stdout);
        let names: Vec<String> = listing["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        let in_text: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  Certificate Name: "))
            .collect();
        assert_eq!(in_text, names, "{text}");
        names
    };
    assert_eq!(
        names(&["--cert-name", "rsa.example.com"]),
        ["rsa.example.com"]
    );
    assert_eq!(names(&["-d", "www.rsa.example.com"]), ["rsa.example.com"]);
    assert_eq!(names(&["-d", "json.example.com"]), ["json.example.com"]);
    assert!(names(&["--cert-name", "none.example.com"]).is_empty());
}

fn reject_doctored_listings(listing: &Value) {
    let name = "certificates";
    assert_rejected(name, listing, "'version' is a required property", |v| {
        v.as_object_mut().unwrap().remove("version");
    });
    assert_rejected(
        name,
        listing,
        "Additional properties are not allowed",
        |v| {
            v["certificates"][0]["colour"] = "green".into();
        },
    );
    // Certbot's text date is not RFC 3339.
    assert_rejected(name, listing, "does not match", |v| {
        v["certificates"][0]["not_after"] = "2027-03-07 21:44:06+00:00".into();
    });
    assert_rejected(name, listing, "'installed' is a required property", |v| {
        v["certificates"][1]
            .as_object_mut()
            .unwrap()
            .remove("installed");
    });
    assert_rejected(name, listing, "is not one of", |v| {
        v["certificates"][0]["status"]["reasons"] = serde_json::json!(["STALE"]);
    });
}

fn check_checkpoints(listing: &Value, root: &Path) {
    assert_eq!(listing["version"], 1);
    let list = listing["checkpoints"].as_array().unwrap();
    let ids: Vec<u64> = list.iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [2, 1], "newest first");
    let conf = root.join("nginx.conf").display().to_string();
    for checkpoint in list {
        assert_eq!(
            checkpoint["files"],
            serde_json::json!([{"path": conf, "change": "modified"}])
        );
        assert!(
            checkpoint["title"]
                .as_str()
                .unwrap()
                .starts_with("conf set http/server/ssl_certificate")
        );
    }
    let name = "checkpoints";
    assert_rejected(name, listing, "is not one of", |v| {
        v["checkpoints"][0]["files"][0]["change"] = "touched".into();
    });
    assert_rejected(name, listing, "'committed' is a required property", |v| {
        v["checkpoints"][1]
            .as_object_mut()
            .unwrap()
            .remove("committed");
    });
    assert_rejected(name, listing, "is less than the minimum", |v| {
        v["checkpoints"][0]["id"] = 0.into();
    });
}

/// A lineage recorded as installed with Apache: its tree is read through
/// the Apache loader (a section Apache skips does not count).
#[test]
fn installed_where_reads_an_apache_tree_through_its_loader() {
    let w = World::new();
    let root = w.dir.join("apache");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("httpd.conf"),
        "Listen 443\n<VirtualHost *:443>\n    ServerName web.example.com\n</VirtualHost>\n<IfDefine NEVER_DEFINED>\n</IfDefine>\n",
    )
    .unwrap();
    let root_arg = root.display().to_string();
    w.standalone(&[
        "-d",
        "web.example.com",
        "-i",
        "apache",
        "--apache-server-root",
        &root_arg,
    ])
    .ok();
    let fullchain = w
        .live("web.example.com", "fullchain.pem")
        .display()
        .to_string();
    for path in [
        "VirtualHost/SSLCertificateFile",
        "IfDefine/SSLCertificateFile",
    ] {
        w.certsmith(&[
            "conf",
            "set",
            "--apache-server-root",
            &root_arg,
            path,
            &fullchain,
        ])
        .ok();
    }
    let text = std::fs::read_to_string(root.join("httpd.conf")).unwrap();
    assert_eq!(text.matches("SSLCertificateFile").count(), 2, "{text}");
    let listing = assert_valid(
        "certificates",
        &w.certsmith(&["certificates", "--json"]).ok().stdout,
    );
    let conf = root.join("httpd.conf").display().to_string();
    assert_eq!(
        listing["certificates"][0]["installed"],
        serde_json::json!({
            "installer": "apache",
            "references": [{"file": conf, "line": 4, "directive": "SSLCertificateFile"}],
            "error": null,
        })
    );
    // The tree gone: the listing says why, and still lists the lineage.
    std::fs::remove_dir_all(&root).unwrap();
    let listing = assert_valid(
        "certificates",
        &w.certsmith(&["certificates", "--json"]).ok().stdout,
    );
    let installed = &listing["certificates"][0]["installed"];
    assert_eq!(installed["references"], serde_json::json!([]));
    assert!(
        installed["error"].as_str().unwrap().contains(&root_arg),
        "{installed}"
    );
}

/// `certsmith VERB --json` on the scratch dirs of `t`; its stdout.
fn json_of(t: &super::support::TempDir, verb: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .args([verb, "--json", "--config-dir"])
        .arg(t.join("etc"))
        .arg("--work-dir")
        .arg(t.join("work"))
        .arg("--logs-dir")
        .arg(t.join("logs"))
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A lineage that cannot be read is listed under `invalid` with the reason,
/// as the text lists it apart.
#[test]
fn an_unreadable_lineage_is_listed_as_invalid() {
    let t = super::support::TempDir::new("json-invalid");
    let conf = t.write("etc/renewal/broken.example.com.conf", "version = 2.1.0\n");
    let listing = assert_valid("certificates", &json_of(&t, "certificates"));
    assert_eq!(listing["certificates"], serde_json::json!([]));
    let invalid = listing["invalid"].as_array().unwrap();
    assert_eq!(invalid.len(), 1, "{listing}");
    assert_eq!(invalid[0]["renewal_conf"], conf.display().to_string());
    assert!(!invalid[0]["error"].as_str().unwrap().is_empty());
}

#[test]
fn no_checkpoints_and_no_certificates_are_empty_arrays() {
    let t = super::support::TempDir::new("json-empty");
    let run = |verb: &str| json_of(&t, verb);
    let certs = assert_valid("certificates", &run("certificates"));
    assert_eq!(certs["certificates"], serde_json::json!([]));
    let checkpoints = assert_valid("checkpoints", &run("checkpoints"));
    assert_eq!(checkpoints["checkpoints"], serde_json::json!([]));
    assert_eq!(
        checkpoints["work_dir"],
        t.join("work").display().to_string()
    );
}
