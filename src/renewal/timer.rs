//! The scheduler entries `install-timer` writes: a systemd service + timer
//! pair (twice a day, `RandomizedDelaySec` spreading the load over 12 hours,
//! catching up missed runs), or, without systemd, a cron file that runs at a
//! fixed minute twice a day and relies on `renew`'s own random sleep.
//! Also the logrotate rule for the logs dir.

use std::path::{Path, PathBuf};

pub const SERVICE: &str = "certsmith.service";
pub const TIMER: &str = "certsmith.timer";
pub const CRON: &str = "certsmith";
pub const LOGROTATE: &str = "certsmith";

/// Who wrote a scheduler file, for its first comment line: `install-timer`
/// or the Debian package (`scripts/package` asks the binary for the same
/// texts through `certsmith --generate`, so there is one source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenBy {
    InstallTimer,
    Package,
}

impl WrittenBy {
    fn comment(self) -> &'static str {
        match self {
            WrittenBy::InstallTimer => "# Written by certsmith install-timer",
            WrittenBy::Package => "# Installed by the certsmith Debian package",
        }
    }

    /// The package installs the man page with the units; `install-timer`
    /// cannot count on one (`systemd-analyze verify` checks it exists).
    fn documentation(self) -> &'static str {
        match self {
            WrittenBy::InstallTimer => "",
            WrittenBy::Package => "Documentation=man:certsmith(1)\n",
        }
    }
}

/// A command word that needs no quoting in a unit file or a crontab line.
pub fn check_word(word: &str) -> Result<(), String> {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if safe {
        Ok(())
    } else {
        Err(format!(
            "{word:?}: only letters, digits and / . _ - + = : , @ can go into a scheduled command"
        ))
    }
}

/// `EXE renew -q [extra...]`, each word checked by [`check_word`].
pub fn renew_command(exe: &Path, extra: &[String], random_sleep: bool) -> Result<String, String> {
    let exe = exe.to_string_lossy().into_owned();
    let mut words = vec![exe, "renew".into(), "-q".into()];
    if !random_sleep {
        words.push("--no-random-sleep-on-renew".into());
    }
    words.extend(extra.iter().cloned());
    for w in &words {
        check_word(w)?;
    }
    Ok(words.join(" "))
}

pub fn systemd_service(command: &str, by: WrittenBy) -> String {
    format!(
        "{}.\n\
         [Unit]\n\
         Description=Renew certificates that are due (certsmith)\n\
         {}\
         Wants=network-online.target\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={command}\n\
         PrivateTmp=true\n",
        by.comment(),
        by.documentation()
    )
}

pub fn systemd_timer(by: WrittenBy) -> String {
    format!(
        "{}.\n\
         [Unit]\n\
         Description=Run certsmith renew twice a day\n\
         {}\
         \n\
         [Timer]\n\
         OnCalendar=*-*-* 00,12:00:00\n\
         RandomizedDelaySec=43200\n\
         Persistent=true\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n",
        by.comment(),
        by.documentation()
    )
}

/// `/etc/cron.d` format (with the user field). The minute is fixed per
/// machine (from `minute_seed`) so that not every server asks at :00;
/// `renew` adds its own random sleep of up to 8 minutes.
pub fn cron_file(command: &str, minute_seed: u32) -> String {
    let minute = minute_seed % 60;
    let exe = command.split(' ').next().unwrap_or_default();
    format!(
        "# Written by certsmith install-timer: renew certificates twice a day.\n\
         SHELL=/bin/sh\n\
         PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\
         \n\
         {minute} */12 * * * root test -x {exe} && {command}\n"
    )
}

/// A logrotate rule for the log files in `logs_dir`: weekly, twelve kept,
/// compressed. Dated names (`dateext`) keep logrotate's copies apart from the
/// numbered backups certsmith keeps itself (`--max-log-backups`), so neither
/// renames the other's files; with `--max-log-backups 0` (Debian's cli.ini)
/// certsmith appends and this rule is what bounds the log.
pub fn logrotate_rule(logs_dir: &Path, by: WrittenBy) -> Result<String, String> {
    let dir = logs_dir.to_str().filter(|d| !d.contains(['"', '\n', '\r']));
    let Some(dir) = dir else {
        return Err(format!(
            "{}: logrotate cannot name this directory (quote or line break in it, or not UTF-8)",
            logs_dir.display()
        ));
    };
    Ok(format!(
        "{}: rotate certsmith's log.\n\
         \"{dir}/*.log\" {{\n\
         \x20   weekly\n\
         \x20   rotate 12\n\
         \x20   dateext\n\
         \x20   compress\n\
         \x20   missingok\n\
         \x20   notifempty\n\
         }}\n",
        by.comment()
    ))
}

/// Whether a logrotate rule in `rules` other than the one install-timer
/// writes already names files in `logs_dir` (Debian's certbot package
/// rotates /var/log/letsencrypt): logrotate refuses two rules for one file,
/// so ours must then stay out. The certsmith package's rule counts as
/// another's: it is a conffile of dpkg's, which install-timer must not
/// rewrite (dpkg would ask about it at every upgrade).
pub fn rotated_elsewhere(rules: &Path, logs_dir: &Path) -> Option<PathBuf> {
    let prefix = format!("{}/", logs_dir.display());
    let entries = std::fs::read_dir(rules).ok()?;
    entries.flatten().map(|e| e.path()).find(|path| {
        let Ok(text) = std::fs::read_to_string(path) else {
            return false;
        };
        let install_timers = path.file_name().is_some_and(|n| n == LOGROTATE)
            && !text.starts_with(WrittenBy::Package.comment());
        !install_timers
            && text
                .split_whitespace()
                .map(|word| word.trim_matches('"'))
                .any(|word| word.starts_with(&prefix))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_checked_words() {
        let cmd = renew_command(
            Path::new("/usr/bin/certsmith"),
            &["--config-dir".into(), "/srv/le".into()],
            false,
        )
        .unwrap();
        assert_eq!(
            cmd,
            "/usr/bin/certsmith renew -q --no-random-sleep-on-renew --config-dir /srv/le"
        );
        assert!(renew_command(Path::new("/opt/my tools/certsmith"), &[], true).is_err());
        assert!(renew_command(Path::new("/usr/bin/certsmith"), &["100%".into()], true).is_err());
    }

    #[test]
    fn the_packaged_rule_is_another_rule() {
        let rules = tempfile::tempdir().unwrap();
        let logs = Path::new("/var/log/certsmith");
        let ours = rules.path().join(LOGROTATE);
        std::fs::write(
            &ours,
            logrotate_rule(logs, WrittenBy::InstallTimer).unwrap(),
        )
        .unwrap();
        assert_eq!(rotated_elsewhere(rules.path(), logs), None);
        std::fs::write(&ours, logrotate_rule(logs, WrittenBy::Package).unwrap()).unwrap();
        assert_eq!(rotated_elsewhere(rules.path(), logs), Some(ours));
    }

    #[test]
    fn cron_line_runs_twice_a_day() {
        let text = cron_file("/usr/bin/certsmith renew -q", 75);
        assert!(
            text.ends_with(
                "15 */12 * * * root test -x /usr/bin/certsmith && /usr/bin/certsmith renew -q\n"
            ),
            "{text}"
        );
    }
}
