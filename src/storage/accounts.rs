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

/// The accounts stored for a server, and the account dirs that could not
/// be read.
#[derive(Debug, Default)]
pub struct Scan {
    /// Oldest first.
    pub accounts: Vec<StoredAccount>,
    /// Why each unreadable account dir was skipped (a missing or broken
    /// `regr.json`, `private_key.json` or `meta.json`).
    pub broken: Vec<StorageError>,
}

/// Every account stored for this server, oldest first; an account dir
/// that cannot be read is skipped (as Certbot skips it), and named in
/// [`Scan::broken`] so the caller can say so. Entries that are no account
/// id (a `.ID.new` a killed [`save`] left) are ignored.
pub fn scan(config_dir: &Path, directory_url: &str) -> Result<Scan, StorageError> {
    let dir = server_dir(config_dir, directory_url)?;
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Scan::default()),
        Err(e) => return Err(StorageError::io(&dir, e)),
    };
    let mut scan = Scan::default();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && valid_id(&name) {
            match load(config_dir, directory_url, &name) {
                Ok(account) => scan.accounts.push(account),
                Err(e) => scan.broken.push(e),
            }
        }
    }
    scan.accounts
        .sort_by(|a, b| a.creation_dt().cmp(b.creation_dt()).then(a.id.cmp(&b.id)));
    Ok(scan)
}

/// The readable accounts of [`scan`], oldest first.
pub fn list(config_dir: &Path, directory_url: &str) -> Result<Vec<StoredAccount>, StorageError> {
    Ok(scan(config_dir, directory_url)?.accounts)
}

fn make_private_dirs(path: &Path) -> Result<(), StorageError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| StorageError::io(path, e))?;
    super::fsutil::fail_point("account: private dirs made", path)
}

/// The name an account dir is built under before it is renamed into place:
/// a leading dot, which no account id has, so [`scan`] never takes it for an
/// account. (Certbot's loader tries every entry, but skips one without all
/// three files; a temp dir has them only just before its rename.)
fn temp_dir_for(dir: &Path, id: &str) -> PathBuf {
    dir.with_file_name(format!(".{id}.new"))
}

/// Write an account: its three files (the key first, readable by root
/// only) go into a temporary dir beside the final one, which is renamed
/// into place once all are written and synced, so a failure (a full disk)
/// or a kill never leaves a half-written account dir that later runs would
/// take for an account. A temporary dir a killed save left is removed.
pub fn save(
    config_dir: &Path,
    directory_url: &str,
    account: &StoredAccount,
) -> Result<PathBuf, StorageError> {
    if !valid_id(&account.id) {
        return Err(StorageError::Invalid(format!(
            "{:?} is not an account id",
            account.id
        )));
    }
    make_private_dirs(&config_dir.join("accounts"))?;
    let server = server_dir(config_dir, directory_url)?;
    make_private_dirs(&server)?;
    remove_stale_temps(&server)?;
    let dir = server.join(&account.id);
    let tmp = temp_dir_for(&dir, &account.id);
    let written =
        write_account_files(&tmp, account).and_then(|()| super::fsutil::rename_new(&tmp, &dir));
    if written.is_err() {
        let _ = remove_temp(&tmp);
    }
    written.map(|()| dir)
}

/// Remove the `.ID.new` dirs killed saves left in `server` (the caller
/// holds the config dir's lock, so no save is running).
fn remove_stale_temps(server: &Path) -> Result<(), StorageError> {
    let entries = fs::read_dir(server).map_err(|e| StorageError::io(server, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.strip_prefix('.').and_then(|n| n.strip_suffix(".new"));
        if id.is_some_and(valid_id) {
            remove_temp(&entry.path())?;
        }
    }
    Ok(())
}

fn remove_temp(tmp: &Path) -> Result<(), StorageError> {
    match fs::remove_dir_all(tmp) {
        Ok(()) => super::fsutil::fail_point("account: temp dir removed", tmp),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StorageError::io(tmp, e)),
    }
}

/// The three files into the new dir `dir` (0700), then the dir synced.
fn write_account_files(dir: &Path, account: &StoredAccount) -> Result<(), StorageError> {
    fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(|e| StorageError::io(dir, e))?;
    super::fsutil::fail_point("account: temp dir created", dir)?;
    let files = [
        ("private_key.json", account.key_json.clone(), 0o400),
        ("regr.json", account.regr.to_string(), 0o644),
        ("meta.json", account.meta.to_string(), 0o644),
    ];
    for (name, text, mode) in files {
        let path = dir.join(name);
        reverter::write_atomic(&path, text.as_bytes(), reverter::NewFileMode(mode))
            .map_err(|e| StorageError::io(&path, e))?;
        fail_point(name)?;
    }
    // Exactly Certbot's modes, whatever the umask did to the dir's.
    for (path, mode) in [
        (dir.to_path_buf(), 0o700),
        (dir.join("private_key.json"), 0o400),
    ] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))
            .map_err(|e| StorageError::io(&path, e))?;
        super::fsutil::fail_point("account: mode set", &path)?;
    }
    super::fsutil::sync_dir(dir)
}

#[cfg(not(test))]
fn fail_point(_: &str) -> Result<(), StorageError> {
    Ok(())
}

/// Tests fail the write after the file they name, as a full disk would.
#[cfg(test)]
fn fail_point(name: &str) -> Result<(), StorageError> {
    tests::FAIL_AFTER.with(|f| match f.borrow().as_deref() {
        Some(after) if after == name => Err(StorageError::io(
            Path::new(name),
            std::io::Error::from_raw_os_error(28), // ENOSPC
        )),
        _ => Ok(()),
    })
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
    use std::cell::RefCell;

    thread_local! {
        /// The file after which [`fail_point`] fails the account write.
        pub(super) static FAIL_AFTER: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    fn account(id: &str) -> StoredAccount {
        StoredAccount::new(
            id.into(),
            format!("https://ca/acct/{id}"),
            "{\"kty\":\"EC\"}".into(),
        )
    }

    #[test]
    fn a_failed_save_leaves_no_account_dir_and_the_next_save_works() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path();
        let url = "https://127.0.0.1:1/dir";
        for after in ["private_key.json", "regr.json", "meta.json"] {
            FAIL_AFTER.with(|f| *f.borrow_mut() = Some(after.into()));
            let err = save(dir, url, &account("abc123")).unwrap_err().to_string();
            FAIL_AFTER.with(|f| *f.borrow_mut() = None);
            assert!(err.contains("No space left on device"), "{err}");
            let server = server_dir(dir, url).unwrap();
            let left: Vec<_> = fs::read_dir(&server).unwrap().flatten().collect();
            assert!(left.is_empty(), "after {after}: {left:?}");
        }
        save(dir, url, &account("abc123")).unwrap();
        assert_eq!(list(dir, url).unwrap(), vec![account_as_loaded(dir, url)]);
    }

    fn account_as_loaded(dir: &Path, url: &str) -> StoredAccount {
        load(dir, url, "abc123").unwrap()
    }

    #[test]
    fn a_half_written_account_dir_is_skipped_and_named() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path();
        let url = "https://127.0.0.1:1/dir";
        let server = server_dir(dir, url).unwrap();
        // What an older certsmith left on a full disk: the key alone.
        fs::create_dir_all(server.join("broken1")).unwrap();
        fs::write(server.join("broken1/private_key.json"), "{}").unwrap();
        // What a killed save leaves now: a temporary dir, ignored.
        fs::create_dir_all(server.join(".good2.new")).unwrap();
        save(dir, url, &account("good2")).unwrap();
        assert!(
            !server.join(".good2.new").exists(),
            "the stale temp is removed"
        );
        fs::create_dir_all(server.join(".other.new")).unwrap();
        let scan = scan(dir, url).unwrap();
        let ids: Vec<&str> = scan.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["good2"]);
        let broken: Vec<String> = scan.broken.iter().map(ToString::to_string).collect();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(
            broken[0].starts_with(&server.join("broken1/regr.json").display().to_string()),
            "{broken:?}"
        );
    }

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
