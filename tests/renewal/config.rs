//! cli.ini locations, log files, `reconfigure`, `install-timer`.

use super::pebble;
use super::support::TempDir;
use super::{Run, World, snapshot};
use std::fs;
use std::path::Path;
use std::process::Command;

/// The log files in `dir` (not the directory's lock file), sorted.
fn log_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("certsmith.log"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn default_cli_ini_applies_and_the_command_line_wins() {
    let w = World::new();
    w.standalone(&["-d", "ini.example.com"]).ok();
    let home = TempDir::new("xdg");
    let ini_logs = home.join("ini-logs");
    fs::create_dir_all(home.join("letsencrypt")).unwrap();
    fs::write(
        home.join("letsencrypt/cli.ini"),
        format!(
            "# Options certsmith does not know (a third-party plugin's) are skipped with a warning\n\
             dns-hetzner-credentials = /etc/letsencrypt/hetzner.ini\n\
             logs-dir = {}\nmax-log-backups = 0\nno-random-sleep-on-renew\n",
            ini_logs.display()
        ),
    )
    .unwrap();
    let with_home = |args: &[&str]| {
        let mut cmd = w.bare_command(args);
        cmd.env("XDG_CONFIG_HOME", home.path());
        Run::from(cmd.output().unwrap())
    };
    // No --logs-dir: the file's, appended to (max-log-backups = 0); its
    // no-random-sleep-on-renew keeps this run from sleeping.
    for _ in 0..2 {
        let run = with_home(&["renew"]).ok();
        assert!(
            run.stderr.contains(
                "unknown option \"dns-hetzner-credentials\" (not a certsmith flag; ignored)"
            ),
            "{}",
            run.stderr
        );
    }
    assert_eq!(log_names(&ini_logs), ["certsmith.log"]);
    let log = fs::read_to_string(ini_logs.join("certsmith.log")).unwrap();
    assert_eq!(log.matches(" INFO    certsmith ").count(), 2, "{log}");
    assert!(
        log.contains(&format!(
            "read flags from {}",
            home.join("letsencrypt/cli.ini").display()
        )),
        "{log}"
    );
    // The command line wins over the file.
    let own = w.dir.join("own-logs");
    with_home(&["renew", "--logs-dir", own.to_str().unwrap()]).ok();
    assert_eq!(log_names(&own), ["certsmith.log"]);
    // -c FILE replaces the default locations.
    let explicit = w.dir.join("explicit.ini");
    let explicit_logs = w.dir.join("explicit-logs");
    fs::write(
        &explicit,
        format!("logs-dir = {}\n", explicit_logs.display()),
    )
    .unwrap();
    with_home(&[
        "renew",
        "-c",
        explicit.to_str().unwrap(),
        "--no-random-sleep-on-renew",
    ])
    .ok();
    assert_eq!(log_names(&explicit_logs), ["certsmith.log"]);
    assert_eq!(
        fs::read_to_string(ini_logs.join("certsmith.log")).unwrap(),
        log
    );
    // CERTSMITH_NO_DEFAULT_CLI_INI=1 skips them: no warning about the file.
    let mut cmd = w.bare_command(&[
        "renew",
        "--no-random-sleep-on-renew",
        "--logs-dir",
        own.to_str().unwrap(),
    ]);
    cmd.env("XDG_CONFIG_HOME", home.path())
        .env("CERTSMITH_NO_DEFAULT_CLI_INI", "1");
    let run = Run::from(cmd.output().unwrap()).ok();
    assert_eq!(run.stderr, "");
    // An unknown key in -c FILE is an error naming the file and line.
    fs::write(&explicit, "\nbogus-option = 1\n").unwrap();
    let run = w
        .certsmith(&["renew", "-c", explicit.to_str().unwrap()])
        .failed();
    assert!(
        run.stderr.contains(&format!(
            "{}:2: unknown option \"bogus-option\"",
            explicit.display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn logs_rotate_and_never_hold_secrets() {
    let hmac = "c2VjcmV0LWhtYWMta2V5LWZvci1lYWItMTIzNDU2Nzg";
    let w = World::with(pebble().eab("kid-1", hmac).start());
    w.standalone(&[
        "-d",
        "log.example.com",
        "--eab-kid",
        "kid-1",
        "--eab-hmac-key",
        hmac,
        "--max-log-backups",
        "2",
    ])
    .ok();
    for _ in 0..3 {
        w.renew(&["--force-renewal", "--max-log-backups", "2"]).ok();
    }
    assert_eq!(
        log_names(&w.logs_dir()),
        ["certsmith.log", "certsmith.log.1", "certsmith.log.2"]
    );
    let newest = fs::read_to_string(w.logs_dir().join("certsmith.log")).unwrap();
    assert!(
        newest.contains("renew --no-random-sleep-on-renew --force-renewal"),
        "{newest}"
    );
    assert!(
        newest.contains("log.example.com: due (--force-renewal); renewing"),
        "{newest}"
    );
    assert!(
        newest.contains(&format!(
            "order for log.example.com: {}",
            "https://127.0.0.1:"
        )),
        "{newest}"
    );
    // The oldest kept is the second renew; certonly's log (with the EAB key
    // on its command line) has rotated away: check one that still has it.
    w.standalone(&[
        "-d",
        "log2.example.com",
        "--eab-kid",
        "kid-1",
        "--eab-hmac-key",
        hmac,
    ])
    .ok();
    let mut all = String::new();
    for name in log_names(&w.logs_dir()) {
        all.push_str(&fs::read_to_string(w.logs_dir().join(name)).unwrap());
    }
    assert!(all.contains("--eab-hmac-key ***"), "{all}");
    assert!(!all.contains(hmac), "the EAB key was logged");
    assert!(!all.contains("PRIVATE KEY"), "key material was logged");
    let key = fs::read_to_string(w.live("log.example.com", "privkey.pem")).unwrap();
    let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!all.contains(&body[..40]), "the certificate key was logged");
    let mode = fs::metadata(w.logs_dir().join("certsmith.log")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
}

#[test]
fn reconfigure_saves_only_what_a_dry_run_proved() {
    // Pebble would reuse half of the valid authorizations, skipping validation.
    let w = World::with(pebble().env("PEBBLE_AUTHZREUSE", "0").start());
    w.standalone(&["-d", "rc.example.com"]).ok();
    let before = snapshot(&w.config_dir());
    // A port where Pebble will not find the challenge: the trial fails.
    let wrong = super::support::free_port().to_string();
    let run = w
        .certsmith(&[
            "reconfigure",
            "--cert-name",
            "rc.example.com",
            "--http-01-port",
            &wrong,
        ])
        .failed();
    assert!(
        run.stderr
            .contains("the dry run with the new options failed; nothing was changed"),
        "{}",
        run.stderr
    );
    assert!(
        snapshot(&w.config_dir()) == before,
        "a failed reconfigure changed files"
    );
    // Good options: saved, shown as a diff, no new certificate.
    let run = w
        .certsmith(&[
            "reconfigure",
            "--cert-name",
            "rc.example.com",
            "--deploy-hook",
            "echo deployed",
            "--key-type",
            "rsa",
        ])
        .ok();
    assert!(
        run.stdout.contains("+renew_hook = echo deployed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("+key_type = rsa"), "{}", run.stdout);
    assert!(
        !run.stdout.lines().any(|l| l == "deployed"),
        "a deploy hook ran in the trial"
    );
    let conf = w.conf("rc.example.com");
    assert!(conf.contains(&format!("server = {}\n", w.server)), "{conf}");
    assert_eq!(w.version("rc.example.com"), 1);
    assert!(
        !w.config_dir()
            .join("archive/rc.example.com/cert2.pem")
            .exists()
    );
    // The next renewal uses them.
    let run = w.renew(&["--force-renewal"]).ok();
    assert!(run.stdout.contains("deployed"), "{}", run.stdout);
    assert_eq!(w.cert("rc.example.com").key_type, "RSA");
    let run = w.certsmith(&["reconfigure"]).failed();
    assert!(run.stderr.contains("--cert-name:"), "{}", run.stderr);
}

#[test]
fn install_timer_writes_systemd_units_or_a_cron_file() {
    let w = World::new();
    let units = TempDir::new("units");
    let rotate = TempDir::new("logrotate");
    let etc = w.config_dir();
    let run = w
        .certsmith(&[
            "install-timer",
            "--timer",
            "systemd",
            "--systemd-dir",
            units.path().to_str().unwrap(),
            "--logrotate-dir",
            rotate.path().to_str().unwrap(),
        ])
        .ok();
    assert!(
        run.stdout.contains("To start it: systemctl daemon-reload"),
        "{}",
        run.stdout
    );
    let service = fs::read_to_string(units.join("certsmith.service")).unwrap();
    let exe = env!("CARGO_BIN_EXE_certsmith");
    let exec = format!(
        "ExecStart={exe} renew -q --no-random-sleep-on-renew --config-dir {} --work-dir {} --logs-dir {}\n",
        etc.display(),
        w.dir.join("work").display(),
        w.logs_dir().display()
    );
    assert!(service.contains(&exec), "{service}");
    assert!(service.contains("Type=oneshot\n"), "{service}");
    let timer = fs::read_to_string(units.join("certsmith.timer")).unwrap();
    for line in [
        "OnCalendar=*-*-* 00,12:00:00",
        "RandomizedDelaySec=43200",
        "Persistent=true",
        "WantedBy=timers.target",
    ] {
        assert!(timer.lines().any(|l| l == line), "{line} missing:\n{timer}");
    }
    // systemd's own checker, where it exists.
    if let Ok(out) = Command::new("systemd-analyze")
        .arg("verify")
        .arg(units.join("certsmith.timer"))
        .arg(units.join("certsmith.service"))
        .output()
    {
        assert!(
            out.status.success(),
            "systemd-analyze verify: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let cron = TempDir::new("cron");
    w.certsmith(&[
        "install-timer",
        "--timer",
        "cron",
        "--cron-dir",
        cron.path().to_str().unwrap(),
        "--logrotate-dir",
        rotate.path().to_str().unwrap(),
    ])
    .ok();
    let text = fs::read_to_string(cron.join("certsmith")).unwrap();
    let line = text.lines().last().unwrap();
    let fields: Vec<&str> = line.splitn(7, ' ').collect();
    assert_eq!(fields.len(), 7, "{line}");
    assert!(fields[0].parse::<u32>().unwrap() < 60, "{line}");
    assert_eq!(&fields[1..6], ["*/12", "*", "*", "*", "root"], "{line}");
    assert_eq!(
        fields[6],
        format!(
            "test -x {exe} && {exe} renew -q --config-dir {} --work-dir {} --logs-dir {}",
            etc.display(),
            w.dir.join("work").display(),
            w.logs_dir().display()
        )
    );
    // --dry-run writes nothing.
    let dry = TempDir::new("cron-dry");
    let run = w
        .certsmith(&[
            "install-timer",
            "--timer",
            "cron",
            "--dry-run",
            "--cron-dir",
            dry.path().to_str().unwrap(),
            "--logrotate-dir",
            dry.path().to_str().unwrap(),
        ])
        .ok();
    assert!(run.stdout.contains("renew -q"), "{}", run.stdout);
    assert!(fs::read_dir(dry.path()).unwrap().next().is_none());
    let run = w
        .certsmith(&["install-timer", "--timer", "launchd"])
        .failed();
    assert!(
        run.stderr.contains("--timer: \"launchd\""),
        "{}",
        run.stderr
    );
}

#[test]
fn install_timer_adds_a_logrotate_rule_unless_one_covers_the_logs() {
    let w = World::new();
    let rules = TempDir::new("logrotate");
    let cron = TempDir::new("cron");
    let install = |rules: &Path| {
        w.certsmith(&[
            "install-timer",
            "--timer",
            "cron",
            "--cron-dir",
            cron.path().to_str().unwrap(),
            "--logrotate-dir",
            rules.to_str().unwrap(),
        ])
        .ok()
    };
    install(rules.path());
    let rule = rules.join("certsmith");
    let text = fs::read_to_string(&rule).unwrap();
    assert!(
        text.contains(&format!("\"{}/*.log\" {{", w.logs_dir().display())),
        "{text}"
    );

    // logrotate itself accepts the rule, and rotates the log to a dated name
    // that cannot collide with certsmith's own numbered backups.
    let log = w.logs_dir().join("certsmith.log");
    assert!(log.exists(), "the runs above logged");
    let state = rules.join("state");
    let out = Command::new("/usr/sbin/logrotate")
        .arg("-f")
        .arg("-s")
        .arg(&state)
        .arg(&rule)
        .output()
        .expect("logrotate (Debian package logrotate)");
    assert!(
        out.status.success(),
        "logrotate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rotated: Vec<String> = fs::read_dir(w.logs_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("certsmith.log-") && n.ends_with(".gz"))
        .collect();
    assert_eq!(rotated.len(), 1, "{rotated:?}");

    // A rule that already covers the logs dir (Debian's certbot package
    // rotates /var/log/letsencrypt/*.log): logrotate refuses a second rule
    // for the same file, so none is added.
    let debian = TempDir::new("logrotate-debian");
    debian.write(
        "certbot",
        format!(
            "{}/*.log {{\n    rotate 12\n    weekly\n    compress\n    missingok\n}}\n",
            w.logs_dir().display()
        ),
    );
    let run = install(debian.path());
    assert!(
        run.stdout.contains("is already rotated by") && run.stdout.contains("certbot"),
        "{}",
        run.stdout
    );
    assert!(!debian.join("certsmith").exists());
}
