//! The http-01 edits: token files in a directory under the work dir, and two small
//! configuration files there that every vhost answering a challenged name includes.
//!
//! - `pre.conf`, included first in the vhost: `RewriteEngine on` and a rewrite of
//!   `/.well-known/acme-challenge/TOKEN` to the token file with `[END]`. mod_rewrite
//!   translates URLs before mod_alias, so neither the vhost's own rewrite rules (which
//!   come after) nor its `Redirect`s (mod_alias) can send the challenge elsewhere.
//! - `post.conf`, included last: `<Directory>` and `<Location>` sections granting access,
//!   last so that they win over the vhost's own access rules.
//!
//! The vhosts: those serving a name on the http port; for names none serves, the first
//! vhost of each address on that port (the one Apache answers unknown names with); with
//! no vhost on the port, the main server. The edits are made in a temporary transaction
//! by the solver and undone afterwards.

use super::choose::{Match, listens_on, match_name};
use super::error::{InstallError, edit};
use super::modules::{self, ModulePolicy};
use super::plan::{ExtraFile, Plan};
use super::sites;
use crate::syntax::apache::{Directive, Document, Word};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub use crate::acme::HttpToken as Token;

/// A local request that must answer a token once Apache restarted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub host: String,
    pub port: u16,
    pub path: String,
    pub expected: String,
}

const PRE: &[u8] = b"RewriteEngine on\nRewriteRule ^/\\.well-known/acme-challenge/([A-Za-z0-9_-]+)$ TARGET [END]\n";
const POST: &[u8] = b"<Directory DIR>\n    <IfModule mod_authz_core.c>\n        Require all granted\n    </IfModule>\n</Directory>\n<Location /.well-known/acme-challenge/>\n    <IfModule mod_authz_core.c>\n        Require all granted\n    </IfModule>\n</Location>\n";

/// Where the challenge files live under the work dir.
pub fn challenge_dir(work_dir: &Path) -> PathBuf {
    work_dir.join("apache-http-01")
}

/// Plan the challenge edits for `tokens` (files under `dir`); returns the local probes.
pub fn add(
    plan: &mut Plan,
    tokens: &[Token],
    dir: &Path,
    http_port: u16,
    policy: ModulePolicy,
) -> Result<Vec<Probe>, InstallError> {
    check_dir(dir)?;
    let tokens_dir = dir.join("tokens");
    for t in tokens {
        if t.token.is_empty()
            || !t
                .token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(InstallError::Other(format!(
                "the CA sent a challenge token certsmith cannot serve safely: {:?}",
                t.token
            )));
        }
        plan.extra.push(ExtraFile {
            path: tokens_dir.join(&t.token),
            bytes: t.key_authorization.clone().into_bytes(),
            mode: 0o644,
        });
    }
    modules::ensure(plan, "rewrite", policy)?;
    let (pre, post) = (dir.join("pre.conf"), dir.join("post.conf"));
    plan.extra.push(ExtraFile {
        path: pre.clone(),
        bytes: pre_conf(&tokens_dir)?,
        mode: 0o644,
    });
    plan.extra.push(ExtraFile {
        path: post.clone(),
        bytes: post_conf(&tokens_dir)?,
        mode: 0o644,
    });
    let include = |path: &Path| -> Result<Directive, InstallError> {
        Ok(Directive::new(
            "Include",
            [Word::new(path.as_os_str().as_bytes())?],
        )?)
    };
    let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
    let targets = target_vhosts(plan, &names, http_port);
    if targets.is_empty() {
        let main = plan.loaded.main;
        for path in [&pre, &post] {
            plan.loaded
                .push_to_file(main, include(path)?.into())
                .map_err(edit("the main configuration file"))?;
        }
    }
    for vhost in &targets {
        plan.loaded
            .insert(Some(vhost), 0, include(&pre)?.into())
            .map_err(edit("a challenge include"))?;
        plan.loaded
            .push(Some(vhost), include(&post)?.into())
            .map_err(edit("a challenge include"))?;
    }
    sites::ensure_listen(plan, http_port, false)?;
    Ok(tokens
        .iter()
        .map(|t| Probe {
            host: t.name.clone(),
            port: http_port,
            path: format!("/.well-known/acme-challenge/{}", t.token),
            expected: t.key_authorization.clone(),
        })
        .collect())
}

/// The vhosts (by node) that get the includes.
fn target_vhosts(plan: &Plan, names: &[&str], port: u16) -> Vec<super::NodeId> {
    let http: Vec<_> = plan
        .loaded
        .vhosts()
        .into_iter()
        .filter(|v| v.active && !v.ssl && listens_on(v, port))
        .collect();
    let mut out: Vec<super::NodeId> = Vec::new();
    let mut add = |id: &super::NodeId| {
        if !out.contains(id) {
            out.push(id.clone());
        }
    };
    let mut unserved = false;
    for name in names {
        let serving: Vec<_> = http
            .iter()
            .filter(|v| match_name(v, name).is_some_and(|m| m >= Match::Address))
            .collect();
        unserved |= serving.is_empty();
        for v in serving {
            add(&v.node);
        }
    }
    if unserved {
        let mut seen: Vec<&Vec<super::Address>> = Vec::new();
        for v in &http {
            if !seen.contains(&&v.addresses) {
                seen.push(&v.addresses);
                add(&v.node);
            }
        }
    }
    out
}

fn pre_conf(tokens_dir: &Path) -> Result<Vec<u8>, InstallError> {
    let mut doc = Document::parse(PRE).map_err(|e| InstallError::Other(e.to_string()))?;
    let mut target = tokens_dir.as_os_str().as_bytes().to_vec();
    target.extend_from_slice(b"/$1");
    // The pattern and flags stay as the template spells them; the target is the user's.
    let mut args: Vec<Word> = doc
        .get(&[1])
        .map(|rule| rule.args().iter().map(|a| a.word.clone()).collect())
        .unwrap_or_default();
    if let Some(slot) = args.get_mut(1) {
        *slot = Word::new(target)?;
    }
    doc.set_args(&[1], args)
        .map_err(edit("the challenge rule"))?;
    Ok(doc.print())
}

fn post_conf(tokens_dir: &Path) -> Result<Vec<u8>, InstallError> {
    let mut doc = Document::parse(POST).map_err(|e| InstallError::Other(e.to_string()))?;
    doc.set_args(&[0], vec![Word::new(tokens_dir.as_os_str().as_bytes())?])
        .map_err(edit("the challenge directory"))?;
    Ok(doc.print())
}

/// The directory must be absolute, hold nothing mod_rewrite would read as syntax, and be
/// reachable by Apache's user (every existing directory above it searchable by others).
fn check_dir(dir: &Path) -> Result<(), InstallError> {
    let bytes = dir.as_os_str().as_bytes();
    let unsafe_byte = bytes
        .iter()
        .any(|&b| b.is_ascii_whitespace() || b.is_ascii_control() || b"$%\\\"'".contains(&b));
    if !dir.is_absolute() || unsafe_byte {
        return Err(InstallError::Other(format!(
            "{}: Apache cannot serve challenges from here (use a --work-dir with an absolute path without spaces, quotes, '$', '%' or '\\')",
            dir.display()
        )));
    }
    for ancestor in dir.ancestors() {
        let Ok(meta) = std::fs::metadata(ancestor) else {
            continue;
        };
        if meta.is_dir() && meta.permissions().mode() & 0o001 == 0 {
            return Err(InstallError::Other(format!(
                "{}: Apache's user cannot reach {} (mode {:o}); use a --work-dir it can reach, or `chmod o+x {}`",
                dir.display(),
                ancestor.display(),
                meta.permissions().mode() & 0o7777,
                ancestor.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_points_at_the_tokens() {
        let pre = String::from_utf8(
            pre_conf(Path::new("/var/lib/certsmith/apache-http-01/tokens")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            pre,
            "RewriteEngine on\nRewriteRule ^/\\.well-known/acme-challenge/([A-Za-z0-9_-]+)$ /var/lib/certsmith/apache-http-01/tokens/$1 [END]\n"
        );
        let post = String::from_utf8(post_conf(Path::new("/w/t")).unwrap()).unwrap();
        assert!(post.starts_with("<Directory /w/t>\n"), "{post}");
    }

    #[test]
    fn unsafe_dirs_are_refused() {
        for bad in ["relative/dir", "/a b", "/a$x", "/a%x", "/a\\b"] {
            assert!(check_dir(Path::new(bad)).is_err(), "{bad}");
        }
    }
}
