//! `register`, `update_account`, `unregister`, `show_account`.

use super::{Config, account, issue};
use crate::acme::Session;
use crate::storage::{self, accounts};
use anyhow::bail;
use std::process::ExitCode;

fn session(config: &Config) -> anyhow::Result<Session> {
    Ok(Session::new(&issue::acme_options(config))?)
}

fn existing(config: &Config, session: &Session) -> anyhow::Result<accounts::StoredAccount> {
    match account::find(config, &session.directory_url, None)? {
        Some(a) => Ok(a),
        None => bail!(
            "there is no account for {} in {}",
            session.directory_url,
            config.paths.config_dir.display()
        ),
    }
}

pub fn register(config: &Config) -> anyhow::Result<ExitCode> {
    account::registration(config)?;
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    let session = session(config)?;
    if let Some(a) = account::first(config, &session.directory_url)? {
        bail!(
            "an account for {} already exists ({}); use update_account to change it, or unregister it first",
            session.directory_url,
            a.id
        );
    }
    account::register(config, &session)?;
    // Certbot makes the directory hooks' folders whatever the verb.
    storage::make_hook_dirs(&config.paths.config_dir)?;
    Ok(ExitCode::SUCCESS)
}

pub fn update(config: &Config) -> anyhow::Result<ExitCode> {
    let emails = config.account.emails.clone();
    if emails.is_empty() && !config.account.without_email {
        bail!(
            "give the new contact with -m EMAIL (or --register-unsafely-without-email to remove it)"
        );
    }
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    let session = session(config)?;
    let stored = existing(config, &session)?;
    let handle = account::login(&session, &stored)?;
    session.update_contacts(&handle, &emails)?;
    if !config.output.quiet {
        match emails.is_empty() {
            true => println!("Removed the account's contact addresses."),
            false => println!("Updated the account's contact to {}.", emails.join(", ")),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn unregister(config: &Config) -> anyhow::Result<ExitCode> {
    let _lock = storage::lock_config_dir(&config.paths.config_dir)?;
    let session = session(config)?;
    let stored = existing(config, &session)?;
    if config.output.interactive()
        && !super::delete::confirm(&format!(
            "Deactivate account {} at {}?",
            stored.id, session.directory_url
        ))?
    {
        bail!("not deactivated");
    }
    let handle = account::login(&session, &stored)?;
    session.deactivate(handle)?;
    accounts::remove(&config.paths.config_dir, &session.directory_url, &stored.id)?;
    if !config.output.quiet {
        println!("Account {} deactivated and removed.", stored.id);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(config: &Config) -> anyhow::Result<ExitCode> {
    let session = session(config)?;
    let stored = existing(config, &session)?;
    let handle = account::login(&session, &stored)?;
    let remote = session.fetch_account(&handle)?;
    println!("Account details for server {}:", session.directory_url);
    println!("  Account URL: {}", stored.uri);
    println!("  Account ID (local): {}", stored.id);
    println!("  Account Thumbprint: {}", handle.key.thumbprint());
    println!(
        "  Status: {}",
        remote["status"].as_str().unwrap_or("unknown")
    );
    let contacts: Vec<&str> = remote["contact"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str())
                .map(|c| c.trim_start_matches("mailto:"))
                .collect()
        })
        .unwrap_or_default();
    match contacts.is_empty() {
        true => println!("  Email contact: none"),
        false => println!("  Email contact: {}", contacts.join(", ")),
    }
    Ok(ExitCode::SUCCESS)
}
