//! Finding (or making) the ACME account a command acts as.

use super::acme_args::non_interactive;
use crate::acme::{AccountHandle, JwsKey, Registration, Session};
use crate::cli::Config;
use crate::storage::accounts::{self, StoredAccount};
use anyhow::{Context, bail};

/// Log in with a stored account.
pub fn login(session: &Session, stored: &StoredAccount) -> anyhow::Result<AccountHandle> {
    let key = JwsKey::from_jwk_json(&stored.key_json)
        .with_context(|| format!("account {}: private_key.json", stored.id))?;
    Ok(session.login(key, &stored.uri)?)
}

/// The stored account for this server: the one named by a lineage, else the
/// oldest one stored; `None` when there is none.
pub fn find(
    config: &Config,
    directory_url: &str,
    wanted: Option<&str>,
) -> anyhow::Result<Option<StoredAccount>> {
    if let Some(id) = wanted
        && let Ok(a) = accounts::load(&config.config_dir, directory_url, id)
    {
        return Ok(Some(a));
    }
    Ok(accounts::list(&config.config_dir, directory_url)?
        .into_iter()
        .next())
}

fn prompt(question: &str) -> anyhow::Result<String> {
    Ok(super::prompt::ask(question)?.trim().to_string())
}

/// What `register` (and a first `certonly`) registers with, from the flags
/// or, at a terminal, from the user.
pub fn registration(config: &Config) -> anyhow::Result<Registration> {
    let mut emails = crate::cli::args::split_list(config.args.values("email"));
    let unsafe_no_email = config.args.flag("register-unsafely-without-email");
    let mut agree_tos = config.args.flag("agree-tos");
    let interactive = !non_interactive(config);
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
    let eab = match (
        config.args.value("eab-kid"),
        config.args.value("eab-hmac-key"),
    ) {
        (Some(k), Some(h)) => Some((k.to_string(), h.to_string())),
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
    accounts::save(&config.config_dir, &session.directory_url, &stored)?;
    if !config.quiet {
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
