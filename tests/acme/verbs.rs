//! Certbot's verbs and help that certsmith gained (issue 14): every verb the
//! machine's `certbot --help commands` lists is accepted, `auth` is
//! `certonly` (against Pebble), `plugins` and its filters, `update_symlinks`
//! (side by side with Debian's certbot on the same hand-built lineages), and
//! `help TOPIC` / `--help all` / `-h nginx`.

use super::support::{TempDir, golden};
use super::{Run, World};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/verbs")
        .join(name)
}

/// certsmith with scratch dirs under `dir`, no default cli.ini.
fn certsmith(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
    cmd.args(args)
        .arg("--config-dir")
        .arg(dir.join("etc"))
        .arg("--work-dir")
        .arg(dir.join("work"))
        .arg("--logs-dir")
        .arg(dir.join("logs"))
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1");
    Run::from_command(&mut cmd)
}

/// Debian's certbot, reading nothing of the machine's user.
fn certbot_output(args: &[&str]) -> String {
    let home = TempDir::new("certbot-home");
    let out = Command::new("certbot")
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .output()
        .expect("certbot (Debian's package) must be installed for this test");
    assert!(out.status.success(), "certbot {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The verbs of `certbot --help commands` ("The full list of available
/// SUBCOMMANDS"): the first word of each line that starts in column 0 after
/// that heading, up to the footer.
fn certbot_verbs() -> Vec<String> {
    let text = certbot_output(&["--help", "commands"]);
    let body = text
        .split_once("SUBCOMMANDS is:")
        .expect("certbot --help commands has its verb list")
        .1;
    body.lines()
        .take_while(|l| !l.starts_with("You can get more help"))
        // A verb's line has its description after a gap; a wrapped line has none.
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()) && l.contains("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_certbot_verb_is_accepted() {
    let verbs = certbot_verbs();
    for known in ["certonly", "plugins", "update_symlinks", "run", "renew"] {
        assert!(verbs.iter().any(|v| v == known), "{known} not in {verbs:?}");
    }
    // Each is also a section of `certbot --help all`.
    let all = certbot_output(&["--help", "all"]);
    let dir = TempDir::new("verbs");
    let server_root = dir.join("no-server");
    for verb in &verbs {
        assert!(all.contains(&format!("\n{verb}:\n")), "{verb}");
        // Run for real on empty dirs, a CA that does not answer and no web
        // server: whatever the verb then says, it is not a usage error.
        let run = certsmith(
            dir.path(),
            &[
                verb,
                "-n",
                "--server",
                "http://127.0.0.1:9/directory",
                "--nginx-server-root",
                server_root.to_str().unwrap(),
                "--apache-server-root",
                server_root.to_str().unwrap(),
            ],
        );
        assert_ne!(run.code, 2, "certsmith {verb}: {}", run.stderr);
        for refusal in ["unknown command", "not available yet"] {
            assert!(
                !run.stderr.contains(refusal),
                "certsmith {verb}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn auth_is_certonly() {
    let w = World::new();
    let port = w.pebble.http_port.to_string();
    let args = [
        "auth",
        "--standalone",
        "--agree-tos",
        "-m",
        "t@example.com",
        "--http-01-address",
        "127.0.0.1",
        "--http-01-port",
        &port,
        "-d",
        "auth.example.com",
    ];
    w.certsmith(&args).ok();
    w.assert_verifies("auth.example.com");
    let conf = fs::read_to_string(w.config_dir().join("renewal/auth.example.com.conf")).unwrap();
    assert!(conf.contains("authenticator = standalone"), "{conf}");
    // As certonly: the same request again keeps the certificate (not due).
    let before = fs::read(w.live("auth.example.com", "cert.pem")).unwrap();
    let again = w.certsmith(&args).ok();
    assert_eq!(
        fs::read(w.live("auth.example.com", "cert.pem")).unwrap(),
        before,
        "{}",
        again.stdout
    );
    // And `auth --dry-run` saves nothing, as certonly's.
    let dry = [
        &args[..args.len() - 2],
        &["--dry-run", "-d", "dry.example.com"],
    ]
    .concat();
    w.certsmith(&dry).ok();
    assert!(!w.config_dir().join("live/dry.example.com").exists());
}

/// The `* NAME` headings of a `plugins` listing.
fn plugin_names(out: &str) -> Vec<&str> {
    out.lines().filter_map(|l| l.strip_prefix("* ")).collect()
}

#[test]
fn plugins_lists_filters_and_prepares() {
    let dir = TempDir::new("plugins");
    let plain = certsmith(dir.path(), &["plugins"]).ok();
    let expected = golden(&fixture("plugins.txt"), plain.stdout.as_bytes()).unwrap();
    assert_eq!(plain.stdout.as_bytes(), expected);
    // Certbot's layout for each: four lines, a blank line between plugins.
    for block in plain.stdout.trim_end().split("\n\n") {
        let keys: Vec<&str> = block
            .lines()
            .map(|l| l.split([' ', ':']).next().unwrap())
            .collect();
        assert_eq!(keys, ["*", "Description", "Interfaces", "Entry"], "{block}");
    }
    let names = plugin_names(&plain.stdout);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Hidden as in Certbot.
    assert!(!names.contains(&"manual") && !names.contains(&"null"));

    let installers = certsmith(dir.path(), &["plugins", "--installers"]).ok();
    assert_eq!(plugin_names(&installers.stdout), ["apache", "nginx"]);
    let auths = certsmith(dir.path(), &["plugins", "--authenticators"]).ok();
    assert_eq!(
        plugin_names(&auths.stdout),
        [
            "apache",
            "dns-cloudflare",
            "dns-digitalocean",
            "dns-dnsimple",
            "dns-dnsmadeeasy",
            "dns-gehirn",
            "dns-google",
            "dns-linode",
            "dns-luadns",
            "dns-nsone",
            "dns-ovh",
            "dns-rfc2136",
            "dns-route53",
            "dns-sakuracloud",
            "nginx",
            "standalone",
            "webroot"
        ]
    );
    let both = certsmith(dir.path(), &["plugins", "--authenticators", "--installers"]).ok();
    assert_eq!(both.stdout, plain.stdout);

    // --init says how each is set up.
    let ng = dir.join("nginx");
    let root = ng.to_str().unwrap();
    let init = certsmith(
        dir.path(),
        &[
            "plugins",
            "--init",
            "--installers",
            "--nginx-server-root",
            root,
        ],
    )
    .ok();
    assert!(
        init.stdout.contains(&format!(
            "Initialized: nginx installer for {root}/nginx.conf"
        )),
        "{}",
        init.stdout
    );
    // --prepare: no nginx.conf there means not installed: left out, exit 0.
    let prep = [
        "plugins",
        "--prepare",
        "--installers",
        "--nginx-server-root",
        root,
    ];
    let missing = certsmith(dir.path(), &prep).ok();
    assert!(!plugin_names(&missing.stdout).contains(&"nginx"));
    // A configuration nginx refuses: listed, with nginx's reason.
    fs::create_dir_all(&ng).unwrap();
    fs::write(
        ng.join("nginx.conf"),
        "events {}\nhttp { server { listen 8; no_such_directive on; } }\n",
    )
    .unwrap();
    let broken = certsmith(dir.path(), &prep).ok();
    let block = nginx_block(&broken.stdout);
    assert!(
        block.contains("Prep: ") && block.contains("no_such_directive"),
        "{block}"
    );
    // A good one: ready.
    fs::write(
        ng.join("nginx.conf"),
        "events {}\nhttp { server { listen 8; } }\n",
    )
    .unwrap();
    let good = certsmith(dir.path(), &prep).ok();
    assert!(
        nginx_block(&good.stdout).ends_with("Prep: ready"),
        "{}",
        good.stdout
    );
}

fn nginx_block(out: &str) -> &str {
    out.split("\n\n")
        .find(|b| b.starts_with("* nginx"))
        .unwrap_or_else(|| panic!("no nginx in:\n{out}"))
        .trim_end()
}

/// A lineage by hand: versions 1..=`versions` of each file in `archive`,
/// live links to `linked` in `link_dir` (relative to the live folder), and a
/// renewal conf naming `archive`.
fn lineage(config: &Path, name: &str, archive: &Path, versions: u32, link_dir: &str, linked: u32) {
    let live = config.join("live").join(name);
    fs::create_dir_all(&live).unwrap();
    fs::create_dir_all(archive).unwrap();
    fs::create_dir_all(config.join("renewal")).unwrap();
    let mut conf = format!("version = 2.1.0\narchive_dir = {}\n", archive.display());
    for kind in ["cert", "chain", "fullchain", "privkey"] {
        for v in 1..=versions {
            fs::write(
                archive.join(format!("{kind}{v}.pem")),
                format!("{kind} {v}\n"),
            )
            .unwrap();
        }
        std::os::unix::fs::symlink(
            format!("{link_dir}/{kind}{linked}.pem"),
            live.join(format!("{kind}.pem")),
        )
        .unwrap();
        conf.push_str(&format!("{kind} = {}/{kind}.pem\n", live.display()));
    }
    conf.push_str("\n[renewalparams]\nauthenticator = standalone\n");
    fs::write(config.join(format!("renewal/{name}.conf")), conf).unwrap();
}

/// `live/NAME/KIND.pem -> target` for every link under `config/live`, sorted.
fn links(config: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for lineage in fs::read_dir(config.join("live")).unwrap().flatten() {
        for file in fs::read_dir(lineage.path()).unwrap().flatten() {
            if let Ok(target) = fs::read_link(file.path()) {
                let name = file
                    .path()
                    .strip_prefix(config)
                    .unwrap()
                    .display()
                    .to_string();
                out.push((name, target));
            }
        }
    }
    out.sort();
    out
}

/// Three lineages: `moved` (archive moved to a new directory the conf now
/// names, links still into the old one, at version 2 of 3), `older` (links
/// at version 1 of 2 in the right directory), `fine`.
fn three_lineages(dir: &Path) -> PathBuf {
    let config = dir.join("etc");
    let new_archive = dir.join("archive-new/moved.example");
    lineage(
        &config,
        "moved.example",
        &new_archive,
        3,
        "../../archive/moved.example",
        2,
    );
    let older = config.join("archive/older.example");
    lineage(
        &config,
        "older.example",
        &older,
        2,
        "../../archive/older.example",
        1,
    );
    let fine = config.join("archive/fine.example");
    lineage(
        &config,
        "fine.example",
        &fine,
        1,
        "../../archive/fine.example",
        1,
    );
    config
}

#[test]
fn update_symlinks_repoints_links_as_certbot_does() {
    let dir = TempDir::new("symlinks");
    let config = three_lineages(dir.path());
    // Before: moved.example's links point into a directory that is not there.
    let run = certsmith(dir.path(), &["update_symlinks"]).ok();
    assert!(
        run.stdout
            .contains("moved.example: 4 live link(s) re-pointed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("older.example: the live links already point"),
        "{}",
        run.stdout
    );
    let ours = links(&config);
    for (link, target) in &ours {
        let live = config.join(link);
        assert!(live.is_file(), "{link} -> {} is broken", target.display());
        assert!(target.is_relative(), "{link} -> {}", target.display());
    }
    let moved: Vec<_> = ours.iter().filter(|(l, _)| l.contains("moved")).collect();
    assert!(
        moved
            .iter()
            .all(|(_, t)| t.starts_with("../../../archive-new/moved.example")
                && t.to_str().unwrap().ends_with("2.pem")),
        "{moved:?}"
    );
    // An older version stays linked (Certbot keeps each link's version).
    assert!(
        ours.iter()
            .filter(|(l, _)| l.contains("older"))
            .all(|(_, t)| t.to_str().unwrap().ends_with("1.pem")),
        "{ours:?}"
    );

    // Debian's certbot on the same tree makes the same links.
    let theirs_dir = TempDir::new("symlinks-certbot");
    let theirs_config = three_lineages(theirs_dir.path());
    let home = theirs_dir.join("home");
    let out = Command::new("certbot")
        .args(["update_symlinks", "-n", "--config-dir"])
        .arg(&theirs_config)
        .arg("--work-dir")
        .arg(theirs_dir.join("work"))
        .arg("--logs-dir")
        .arg(theirs_dir.join("logs"))
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .output()
        .expect("certbot must be installed");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(ours, links(&theirs_config));
}

#[test]
fn update_symlinks_honours_cert_name_and_reports_a_broken_lineage() {
    let dir = TempDir::new("symlinks-name");
    let config = three_lineages(dir.path());
    let before = links(&config);
    // Only the lineage named changes.
    certsmith(
        dir.path(),
        &["update_symlinks", "--cert-name", "older.example"],
    )
    .ok();
    assert_eq!(links(&config), before);
    // A lineage whose archive lacks the linked version: reported, its links
    // left alone, the others mended, exit 1.
    fs::remove_file(dir.join("archive-new/moved.example/chain2.pem")).unwrap();
    lineage(
        &config,
        "second.example",
        &dir.join("archive-second"),
        1,
        "../../archive/second.example",
        1,
    );
    let run = certsmith(dir.path(), &["update_symlinks"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("moved.example") && run.stderr.contains("chain2.pem"),
        "{}",
        run.stderr
    );
    let after = links(&config);
    let moved = |l: &[(String, PathBuf)]| -> Vec<(String, PathBuf)> {
        l.iter()
            .filter(|(n, _)| n.contains("moved"))
            .cloned()
            .collect()
    };
    assert_eq!(moved(&after), moved(&before));
    assert!(
        after
            .iter()
            .filter(|(l, _)| l.contains("second"))
            .all(|(_, t)| t.starts_with("../../../archive-second"))
    );
}

#[test]
fn help_topics_as_certbot() {
    let dir = TempDir::new("help");
    let overview = certsmith(dir.path(), &["--help"]).ok();
    // Certbot: `help`, `help BADTOPIC` and `--help` all print the overview, exit 0.
    for args in [&["help"][..], &["help", "badtopic"], &["-h", "nosuchthing"]] {
        let run = certsmith(dir.path(), args).ok();
        assert_eq!(run.stdout, overview.stdout, "{args:?}");
    }
    for topic in [
        "all",
        "automation",
        "commands",
        "paths",
        "security",
        "testing",
    ] {
        assert!(overview.stdout.contains(topic), "overview lacks {topic}");
    }
    // --help all: every flag of the table, and a section per topic, verb and plugin.
    let all = certsmith(dir.path(), &["--help", "all"]).ok();
    for flag in certsmith::cli::FlagSet::builtin().iter() {
        assert!(
            all.stdout.contains(&format!("--{}", flag.long)),
            "--{}",
            flag.long
        );
        if flag.no_op {
            assert!(
                all.stdout.contains(&certsmith::cli::help::flag_help(flag)),
                "--{} not marked as compatibility only",
                flag.long
            );
        }
    }
    let sections = [
        "automation",
        "security",
        "testing",
        "paths",
        "manage",
        "plugins",
    ];
    let plugins = [
        "standalone",
        "webroot",
        "manual",
        "dns-rfc2136",
        "dns-cloudflare",
        "dns-digitalocean",
        "dns-dnsimple",
        "dns-dnsmadeeasy",
        "dns-gehirn",
        "dns-google",
        "dns-linode",
        "dns-luadns",
        "dns-nsone",
        "dns-ovh",
        "dns-route53",
        "dns-sakuracloud",
        "nginx",
        "apache",
        "null",
    ];
    for section in sections
        .iter()
        .chain(&plugins)
        .chain(&["certonly", "update_symlinks"])
    {
        assert!(all.stdout.contains(&format!("\n{section}:\n")), "{section}");
    }
    // `help TOPIC`, `--help TOPIC` and `-h TOPIC` agree; the topic texts are golden.
    for topic in ["nginx", "commands", "renew", "security", "plugins"] {
        let run = certsmith(dir.path(), &["help", topic]).ok();
        assert_eq!(
            certsmith(dir.path(), &["-h", topic]).ok().stdout,
            run.stdout
        );
        let text = run.stdout.replace(dir.path().to_str().unwrap(), "DIR");
        let path = fixture(&format!("help-{topic}.txt"));
        assert_eq!(
            text.as_bytes(),
            golden(&path, text.as_bytes()).unwrap(),
            "{topic}"
        );
    }
    // Every verb Certbot lists is a topic, `auth` too (certonly's).
    for verb in certbot_verbs().iter().map(String::as_str).chain(["auth"]) {
        let run = certsmith(dir.path(), &["--help", verb]).ok();
        assert_ne!(run.stdout, overview.stdout, "--help {verb} is the overview");
    }
    assert_eq!(
        certsmith(dir.path(), &["help", "auth"]).ok().stdout,
        certsmith(dir.path(), &["help", "certonly"]).ok().stdout
    );
}
