//! ACME accounts on disk, as Certbot keeps them:
//! `accounts/<host[:port]><path>/<id>/{meta,regr,private_key}.json`,
//! directories 0700, `private_key.json` 0400 (a JWK), `regr.json` with the
//! account URL in `uri`, `meta.json` with `creation_dt` and `creation_host`.
//! The id is what Certbot computes from the key, so Certbot finds it too.

use super::StorageError;
use serde_json::{Value, json};
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredAccount {
    pub id: String,
    /// The account URL (`kid`).
    pub uri: String,
    /// The private key as a JWK JSON text (secret: never print).
    pub key_json: String,
    /// `meta.json` as read (or made), kept whole so unknown fields survive.
    pub meta: Value,
    /// `regr.json` as read (or made).
    pub regr: Value,
}

impl StoredAccount {
    pub fn new(id: String, uri: String, key_json: String) -> StoredAccount {
        let meta = json!({"creation_dt": now_rfc3339(), "creation_host": hostname()});
        let regr = json!({"body": {}, "uri": uri});
        StoredAccount {
            id,
            uri,
            key_json,
            meta,
            regr,
        }
    }

    pub fn creation_dt(&self) -> &str {
        self.meta["creation_dt"].as_str().unwrap_or("")
    }
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let text = crate::x509::format_utc(secs);
    // "YYYY-MM-DD HH:MM:SS+00:00" -> "YYYY-MM-DDTHH:MM:SSZ"
    format!("{}T{}Z", &text[..10], &text[11..19])
}

fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// `host[:port]` + path of a directory URL, as Certbot names the folder.
pub fn server_path(directory_url: &str) -> Result<String, StorageError> {
    let rest = directory_url
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or_else(|| {
            StorageError::Invalid(format!("--server: {directory_url:?} is not a URL"))
        })?;
    let (netloc, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    if netloc.is_empty() || path.split('/').any(|p| p == "..") {
        return Err(StorageError::Invalid(format!(
            "--server: {directory_url:?} is not a usable URL"
        )));
    }
    Ok(format!("{netloc}{path}"))
}

pub fn server_dir(config_dir: &Path, directory_url: &str) -> Result<PathBuf, StorageError> {
    Ok(config_dir
        .join("accounts")
        .join(server_path(directory_url)?.trim_end_matches('/')))
}

fn read_json(path: &Path) -> Result<Value, StorageError> {
    let text = fs::read_to_string(path).map_err(|e| StorageError::io(path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| StorageError::corrupt(path.to_path_buf(), e.to_string()))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub fn load(
    config_dir: &Path,
    directory_url: &str,
    id: &str,
) -> Result<StoredAccount, StorageError> {
    if !valid_id(id) {
        return Err(StorageError::Invalid(format!(
            "{id:?} is not an account id"
        )));
    }
    let dir = server_dir(config_dir, directory_url)?.join(id);
    if !dir.is_dir() {
        return Err(StorageError::NotFound(format!(
            "account {id} for {directory_url} (no {})",
            dir.display()
        )));
    }
    let key_path = dir.join("private_key.json");
    let key_json = fs::read_to_string(&key_path).map_err(|e| StorageError::io(&key_path, e))?;
    let regr = read_json(&dir.join("regr.json"))?;
    let meta = read_json(&dir.join("meta.json"))?;
    let uri = regr["uri"]
        .as_str()
        .ok_or_else(|| StorageError::corrupt(dir.join("regr.json"), "no \"uri\"".into()))?
        .to_string();
    Ok(StoredAccount {
        id: id.to_string(),
        uri,
        key_json,
        meta,
        regr,
    })
}

/// Every account stored for this server, oldest first.
pub fn list(config_dir: &Path, directory_url: &str) -> Result<Vec<StoredAccount>, StorageError> {
    let dir = server_dir(config_dir, directory_url)?;
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StorageError::io(&dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && valid_id(&name) {
            out.push(load(config_dir, directory_url, &name)?);
        }
    }
    out.sort_by(|a, b| a.creation_dt().cmp(b.creation_dt()).then(a.id.cmp(&b.id)));
    Ok(out)
}

fn make_private_dirs(path: &Path) -> Result<(), StorageError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| StorageError::io(path, e))
}

/// Write an account's three files (the key first, readable by root only).
pub fn save(
    config_dir: &Path,
    directory_url: &str,
    account: &StoredAccount,
) -> Result<PathBuf, StorageError> {
    let accounts = config_dir.join("accounts");
    make_private_dirs(&accounts)?;
    let dir = server_dir(config_dir, directory_url)?.join(&account.id);
    make_private_dirs(&dir)?;
    let write = |name: &str, text: &str, mode: u32| -> Result<(), StorageError> {
        let path = dir.join(name);
        reverter::write_atomic(&path, text.as_bytes(), reverter::NewFileMode(mode))
            .map_err(|e| StorageError::io(&path, e))?;
        Ok(())
    };
    write("private_key.json", &account.key_json, 0o400)?;
    write("regr.json", &account.regr.to_string(), 0o644)?;
    write("meta.json", &account.meta.to_string(), 0o644)?;
    let key_path = dir.join("private_key.json");
    fs::set_permissions(&key_path, fs::Permissions::from_mode(0o400))
        .map_err(|e| StorageError::io(&key_path, e))?;
    Ok(dir)
}

pub fn remove(config_dir: &Path, directory_url: &str, id: &str) -> Result<(), StorageError> {
    if !valid_id(id) {
        return Err(StorageError::Invalid(format!(
            "{id:?} is not an account id"
        )));
    }
    let dir = server_dir(config_dir, directory_url)?.join(id);
    fs::remove_dir_all(&dir).map_err(|e| StorageError::io(&dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_paths_match_certbots_folders() {
        assert_eq!(
            server_path("https://acme-v02.api.letsencrypt.org/directory").unwrap(),
            "acme-v02.api.letsencrypt.org/directory"
        );
        assert_eq!(
            server_path("https://127.0.0.1:14000/dir").unwrap(),
            "127.0.0.1:14000/dir"
        );
        assert!(server_path("no-scheme").is_err());
        assert!(server_path("https://x/../../etc").is_err());
    }

    #[test]
    fn save_load_list_remove() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        let url = "https://127.0.0.1:1/dir";
        let account = StoredAccount::new(
            "abc123".into(),
            "https://ca/acct/1".into(),
            "{\"kty\":\"EC\"}".into(),
        );
        let saved = save(&dir, url, &account).unwrap();
        assert_eq!(
            fs::metadata(saved.join("private_key.json"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o400
        );
        assert_eq!(
            fs::metadata(&saved).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(load(&dir, url, "abc123").unwrap(), account);
        assert_eq!(list(&dir, url).unwrap().len(), 1);
        assert!(load(&dir, url, "../x").is_err());
        remove(&dir, url, "abc123").unwrap();
        assert!(list(&dir, url).unwrap().is_empty());
    }
}
