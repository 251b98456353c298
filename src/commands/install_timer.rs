//! `install-timer`: schedule `certsmith renew -q` twice a day. With systemd
//! running (or `--timer systemd`): `certsmith.service` + `certsmith.timer`
//! in `--systemd-dir` (default /etc/systemd/system), enabled when they went
//! to the system's own directory; else (or `--timer cron`) a cron file in
//! `--cron-dir` (default /etc/cron.d). The paths given to install-timer
//! (`--config-dir`, `--work-dir`, `--logs-dir`, `--config`) are passed on to
//! the scheduled command. A logrotate rule for the logs dir goes to
//! `--logrotate-dir` (default /etc/logrotate.d) unless a rule there already
//! covers it. `--dry-run` prints the files instead.

use crate::commands::Config;
use crate::renewal::timer::{self, WrittenBy};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const SYSTEMD_DIR: &str = "/etc/systemd/system";
const CRON_DIR: &str = "/etc/cron.d";
const LOGROTATE_DIR: &str = "/etc/logrotate.d";

fn systemd_running() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

/// A per-machine minute for cron, so that machines do not all run at :00.
fn minute_seed() -> u32 {
    let id = std::fs::read("/etc/machine-id").unwrap_or_default();
    if id.is_empty() {
        return (super::renew::random_fraction() * 60.0) as u32;
    }
    id.iter()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(*b)))
}

fn write(config: &Config, path: &Path, text: &str) -> anyhow::Result<()> {
    if config.dry_run {
        println!("--- {} (not written: --dry-run)\n{text}", path.display());
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!("{}: no such directory", dir.display());
    }
    reverter::write_atomic(path, text.as_bytes(), reverter::NewFileMode(0o644))
        .with_context(|| format!("cannot write {}", path.display()))?;
    crate::log::info(format!("wrote {}", path.display()));
    if !config.output.quiet {
        println!("Wrote {}", path.display());
    }
    Ok(())
}

pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let use_systemd = match config.timer.kind.as_str() {
        "auto" => systemd_running(),
        "systemd" => true,
        "cron" => false,
        other => bail!("--timer: {other:?} is not auto, systemd or cron"),
    };
    let exe = std::env::current_exe().context("cannot find certsmith's own path")?;
    // The flags the scheduled `renew` needs to find what this run found.
    let extra = config.path_flags();
    if use_systemd {
        // The timer spreads the runs itself: no sleep inside renew.
        let command = timer::renew_command(&exe, &extra, false).map_err(anyhow::Error::msg)?;
        let dir = config
            .timer
            .systemd_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(SYSTEMD_DIR));
        write(
            config,
            &dir.join(timer::SERVICE),
            &timer::systemd_service(&command, WrittenBy::InstallTimer),
        )?;
        write(
            config,
            &dir.join(timer::TIMER),
            &timer::systemd_timer(WrittenBy::InstallTimer),
        )?;
        if !config.dry_run {
            enable(config, &dir)?;
        }
    } else {
        let command = timer::renew_command(&exe, &extra, true).map_err(anyhow::Error::msg)?;
        let dir = config
            .timer
            .cron_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(CRON_DIR));
        write(
            config,
            &dir.join(timer::CRON),
            &timer::cron_file(&command, minute_seed()),
        )?;
    }
    logrotate(config)?;
    Ok(ExitCode::SUCCESS)
}

/// The logrotate rule for the logs dir, unless another rule (Debian's
/// certbot package's, for /var/log/letsencrypt) already rotates it.
fn logrotate(config: &Config) -> anyhow::Result<()> {
    let dir = config
        .timer
        .logrotate_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(LOGROTATE_DIR));
    let logs = &config.paths.logs_dir;
    let say = |line: String| {
        crate::log::info(&line);
        if !config.output.quiet {
            println!("{line}");
        }
    };
    if !dir.is_dir() {
        say(format!(
            "No {} (is logrotate installed?): {} is not rotated by logrotate",
            dir.display(),
            logs.display()
        ));
        return Ok(());
    }
    if let Some(other) = timer::rotated_elsewhere(&dir, logs) {
        say(format!(
            "{} is already rotated by {}; no rule of certsmith's added",
            logs.display(),
            other.display()
        ));
        return Ok(());
    }
    let rule = timer::logrotate_rule(logs, WrittenBy::InstallTimer).map_err(anyhow::Error::msg)?;
    write(config, &dir.join(timer::LOGROTATE), &rule)
}

/// Enable the timer when the units went where systemd reads them, and
/// systemd runs; otherwise say how.
fn enable(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let how = "systemctl daemon-reload && systemctl enable --now certsmith.timer";
    if dir != Path::new(SYSTEMD_DIR) || !systemd_running() {
        if !config.output.quiet {
            println!("To start it: {how}");
        }
        return Ok(());
    }
    for args in [
        &["daemon-reload"][..],
        &["enable", "--now", timer::TIMER][..],
    ] {
        let status = Command::new("systemctl")
            .args(args)
            .status()
            .context("cannot run systemctl")?;
        if !status.success() {
            bail!("systemctl {} failed ({status}); run: {how}", args.join(" "));
        }
    }
    if !config.output.quiet {
        println!("Enabled {}.", timer::TIMER);
    }
    Ok(())
}
