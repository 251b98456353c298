//! Finding (or making) the ACME account a command acts as.

use crate::acme::{AccountHandle, JwsKey, Registration, Session};
use crate::commands::Config;
use crate::storage::accounts::{self, StoredAccount};
use anyhow::{Context, bail};

/// Log in with a stored account.
pub fn login(session: &Session, stored: &StoredAccount) -> anyhow::Result<AccountHandle> {
    let key = JwsKey::from_jwk_json(&stored.key_json)
        .with_context(|| format!("account {}: private_key.json", stored.id))?;
    Ok(session.login(key, &stored.uri)?)
}

/// The stored account for this server: `--account ID` (which must exist when
/// given now), else the one named by a lineage (`wanted`), else the only one stored
/// (several, none named: asked for); `None` when there is none.
pub fn find(
    config: &Config,
    directory_url: &str,
    wanted: Option<&str>,
) -> anyhow::Result<Option<StoredAccount>> {
    let config_dir = &config.paths.config_dir;
    if let Some(id) = config.account.id.as_deref().or(wanted) {
        match accounts::load(config_dir, directory_url, id) {
            Ok(a) => return Ok(Some(a)),
            Err(e) if config.account.id_required => {
                bail!("--account {id}: no such account for {directory_url} ({e})")
            }
            Err(_) => {}
        }
    }
    let scan = accounts::scan(config_dir, directory_url)?;
    for broken in &scan.broken {
        // Skipped, as Certbot skips it, but said: a half-written account
        // must not block every run, nor vanish silently.
        let line = format!("skipping an account that cannot be read: {broken}");
        crate::log::warning(&line);
        if !config.output.quiet {
            eprintln!("certsmith: warning: {line}");
        }
    }
    let mut found = scan.accounts;
    if found.len() > 1 && config.account.id.is_none() && wanted.is_none() {
        // Several and none named: asked, as Certbot does (`-n`: `--account`).
        let i = super::prompt::choices::account(config, &found)?;
        return Ok(Some(found.swap_remove(i)));
    }
    Ok(found.into_iter().next())
}

/// The oldest stored account for this server, without asking.
pub fn first(config: &Config, directory_url: &str) -> anyhow::Result<Option<StoredAccount>> {
    Ok(accounts::scan(&config.paths.config_dir, directory_url)?
        .accounts
        .into_iter()
        .next())
}

fn prompt(question: &str) -> anyhow::Result<String> {
    Ok(crate::prompt::ask(question)?.trim().to_string())
}

/// What `register` (and a first `certonly`) registers with, from the flags
/// or, at a terminal, from the user.
pub fn registration(config: &Config) -> anyhow::Result<Registration> {
    let mut emails = config.account.emails.clone();
    let unsafe_no_email = config.account.without_email;
    let mut agree_tos = config.account.agree_tos;
    let interactive = config.output.interactive();
    if emails.is_empty() && !unsafe_no_email {
        if !interactive {
            bail!(
                "registering an ACME account needs a contact: give -m EMAIL (or --register-unsafely-without-email) with --agree-tos"
            );
        }
        let answer =
            prompt("Email address for urgent renewal and security notices (empty for none): ")?;
        emails.extend(crate::cli::args::split_list([answer.as_str()]));
    }
    for email in &emails {
        if !email.contains('@') || email.contains(char::is_whitespace) {
            bail!("-m {email:?}: not an email address");
        }
    }
    if !agree_tos && interactive {
        agree_tos = prompt("Do you agree to the ACME server's terms of service? (y/N): ")?
            .to_ascii_lowercase()
            .starts_with('y');
    }
    if !agree_tos {
        bail!("registering needs agreement to the CA's terms of service (--agree-tos)");
    }
    let eab = match (&config.account.eab_kid, &config.account.eab_hmac_key) {
        (Some(k), Some(h)) => Some((k.clone(), h.clone())),
        (None, None) => None,
        _ => bail!("--eab-kid and --eab-hmac-key go together"),
    };
    Ok(Registration {
        emails,
        agree_tos,
        eab,
    })
}

/// Register with the CA and store the account as Certbot would.
pub fn register(
    config: &Config,
    session: &Session,
) -> anyhow::Result<(AccountHandle, StoredAccount)> {
    let registration = registration(config)?;
    let handle = session.register(&registration)?;
    let stored = StoredAccount::new(
        handle.key.certbot_account_id(),
        handle.url.clone(),
        handle.key.private_jwk_json(),
    );
    accounts::save(&config.paths.config_dir, &session.directory_url, &stored)?;
    if !config.output.quiet {
        println!("Account registered.");
    }
    Ok((handle, stored))
}

/// The account to use: stored, or newly registered.
pub fn login_or_register(
    config: &Config,
    session: &Session,
    wanted: Option<&str>,
) -> anyhow::Result<(AccountHandle, StoredAccount)> {
    match find(config, &session.directory_url, wanted)? {
        Some(stored) => Ok((login(session, &stored)?, stored)),
        None => register(config, session),
    }
}
