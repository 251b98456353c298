//! A script written for Certbot, run unchanged against a `certbot` symlink to
//! certsmith and against Debian's real certbot, side by side: a cli.ini with
//! `keep-until-expiring`, a deploy hook reading `RENEWED_LINEAGE`, and the
//! cron line `certbot -q renew --no-random-sleep-on-renew`. Both must give the
//! same exit statuses, output and effects.

use super::World;
use super::support::TempDir;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The admin's script: obtain, run again (kept: not yet due), then the cron
/// line (due by the conf's `renew_before_expiry`, which the script sets as
/// an admin would by editing the renewal conf).
const SCRIPT: &str = r#"#!/bin/sh
set -u
certbot certonly --standalone -d script.example.com --deploy-hook "$HOOK"
echo "certonly=$?"
certbot certonly --standalone -d script.example.com
echo "again=$?"
sed -i 's/^# renew_before_expiry = .*/renew_before_expiry = 2000 days/' "$CONFIG/renewal/script.example.com.conf"
certbot -q renew --no-random-sleep-on-renew > "$WORK/cron.out" 2>&1
echo "cron=$?"
"#;

/// What a deploy hook for Certbot typically does with its variables.
const HOOK: &str = r#"#!/bin/sh
test -f "$RENEWED_LINEAGE/fullchain.pem" || exit 3
echo "$RENEWED_LINEAGE $RENEWED_DOMAINS" >> "$HOOK_LOG"
"#;

struct Observed {
    statuses: String,
    cron_output: String,
    hook_lines: Vec<String>,
    versions: usize,
    log_file: bool,
}

fn executable(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// Run [`SCRIPT`] with `certbot` on PATH resolving to `program`, its
/// directories given in a cli.ini (`$XDG_CONFIG_HOME/letsencrypt/cli.ini`,
/// where Certbot reads it), trusting Pebble through `REQUESTS_CA_BUNDLE`.
fn run_script(w: &World, label: &str, program: &Path) -> Observed {
    let home = TempDir::new(label);
    let (config, work, logs) = (home.join("etc"), home.join("work"), home.join("logs"));
    let bin = home.join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(program, bin.join("certbot")).unwrap();
    let ini = home.join("xdg/letsencrypt/cli.ini");
    fs::create_dir_all(ini.parent().unwrap()).unwrap();
    fs::write(
        &ini,
        format!(
            "# as an admin writes it\nconfig-dir = {}\nwork-dir = {}\nlogs-dir = {}\n\
             server = {}\nagree-tos = True\nemail = admin@example.com\nnon-interactive = True\n\
             keep-until-expiring = True\nhttp-01-address = 127.0.0.1\nhttp-01-port = {}\n",
            config.display(),
            work.display(),
            logs.display(),
            w.pebble.directory_url(),
            w.pebble.http_port
        ),
    )
    .unwrap();
    let hook = home.join("hook.sh");
    executable(&hook, HOOK);
    let script = home.join("script.sh");
    executable(&script, SCRIPT);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = Command::new(&script)
        .env("PATH", path)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .env("REQUESTS_CA_BUNDLE", &w.pebble.ca_bundle)
        .env("HOOK", &hook)
        .env("HOOK_LOG", home.join("hook.log"))
        .env("CONFIG", &config)
        .env("WORK", &work)
        .env_remove("CERTSMITH_NO_DEFAULT_CLI_INI")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let statuses: String = stdout
        .lines()
        .filter(|l| l.contains('='))
        .collect::<Vec<_>>()
        .join(" ");
    let hook_lines = fs::read_to_string(home.join("hook.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.replace(&config.display().to_string(), "CONFIG"))
        .collect();
    let archive: PathBuf = config.join("archive/script.example.com");
    let versions = fs::read_dir(&archive)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("cert"))
                .count()
        })
        .unwrap_or(0);
    Observed {
        statuses,
        cron_output: fs::read_to_string(work.join("cron.out")).unwrap_or_default(),
        hook_lines,
        versions,
        log_file: logs.join("letsencrypt.log").is_file(),
    }
}

#[test]
fn a_certbot_script_runs_unchanged_through_a_certbot_symlink() {
    let w = World::new();
    let ours = run_script(
        &w,
        "script-certsmith",
        Path::new(env!("CARGO_BIN_EXE_certsmith")),
    );
    let theirs = run_script(&w, "script-certbot", Path::new("/usr/bin/certbot"));
    for (who, o) in [("certsmith", &ours), ("certbot", &theirs)] {
        assert_eq!(o.statuses, "certonly=0 again=0 cron=0", "{who}");
        assert_eq!(o.cron_output, "", "{who}: -q renew prints nothing");
        // Obtained, kept (keep-until-expiring from cli.ini), renewed by cron.
        assert_eq!(o.versions, 2, "{who}");
        // The deploy hook (saved in the renewal conf) ran for the first
        // certonly and for the renewal, with Certbot's variables.
        assert_eq!(
            o.hook_lines,
            vec!["CONFIG/live/script.example.com script.example.com"; 2],
            "{who}"
        );
        assert!(o.log_file, "{who}: logs to letsencrypt.log");
    }
}
