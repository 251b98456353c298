//! Lineages: the versions of one certificate under `archive/NAME`, the
//! `live/NAME` symlinks to the newest, and `renewal/NAME.conf`.

use super::StorageError;
use super::fsutil::{fail_point, make_dir, rename_new, replace_symlink, write_file};
use super::renewal_conf::{PARAMS, RenewalConf, WEBROOT_MAP};
use crate::x509::{self as certinfo, CertInfo};
use std::fs;
use std::path::{Path, PathBuf};

pub type Version = u32;

/// The four files of a version, in the order they are written.
pub const KINDS: [&str; 4] = ["cert", "chain", "fullchain", "privkey"];

const LIVE_README: &str = "\
certsmith (and Certbot) keep one folder here per certificate; each holds
symlinks to the newest version of its files under ../archive:

  privkey.pem    the private key
  fullchain.pem  the certificate followed by its intermediates (what servers want)
  chain.pem      the intermediates alone
  cert.pem       the certificate alone (most servers need fullchain.pem instead)

Point server configs at these paths, never at ../archive, and do not move or
rename them: renewal replaces the link targets in place.
";

/// Values for `[renewalparams]` to write (others in the conf are kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenewalParams {
    pub values: Vec<(String, ParamValue)>,
    /// `Some`: replace the `[[webroot_map]]` section with these entries.
    pub webroot_map: Option<Vec<(String, String)>>,
    /// Keys to drop from `[renewalparams]`.
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    Scalar(String),
    List(Vec<String>),
    /// Already in ConfigObj syntax (carried over from an existing conf).
    Raw(String),
}

impl RenewalParams {
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.put(key, ParamValue::Scalar(value.into()))
    }
    pub fn set_list(&mut self, key: &str, values: Vec<String>) -> &mut Self {
        self.put(key, ParamValue::List(values))
    }
    fn put(&mut self, key: &str, value: ParamValue) -> &mut Self {
        self.values.retain(|(k, _)| k != key);
        self.values.push((key.to_string(), value));
        self
    }
    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The first value no renewal conf can hold, with its key: checked
    /// before a certificate is ordered, since failing at the save would
    /// throw away the certificate just issued.
    pub fn unstorable(&self) -> Option<(String, crate::configobj::WriteError)> {
        let mut scratch = RenewalConf::parse("").ok()?;
        for (key, value) in &self.values {
            let result = match value {
                ParamValue::Scalar(v) => scratch.try_set(PARAMS, key, v),
                ParamValue::List(v) => scratch.try_set_list(PARAMS, key, v),
                ParamValue::Raw(v) => scratch.try_set_raw(PARAMS, key, v),
            };
            if let Err(e) = result {
                return Some((key.clone(), e));
            }
        }
        for (key, value) in self.webroot_map.iter().flatten() {
            if let Err(e) = scratch.try_set(WEBROOT_MAP, key, value) {
                return Some(("webroot_map".into(), e));
            }
        }
        None
    }

    /// Write the values into `conf`; one configobj cannot hold (say a hook
    /// with both `'''` and `"""`) is refused before anything is saved.
    fn apply(&self, conf: &mut RenewalConf) -> Result<(), StorageError> {
        let refused = |key: &str, e: crate::configobj::WriteError| {
            StorageError::Invalid(format!("renewal conf option {key}: {e}"))
        };
        for key in &self.remove {
            conf.remove(PARAMS, key);
        }
        for (key, value) in &self.values {
            match value {
                ParamValue::Scalar(v) => conf.try_set(PARAMS, key, v),
                ParamValue::List(v) => conf.try_set_list(PARAMS, key, v),
                ParamValue::Raw(v) => conf.try_set_raw(PARAMS, key, v),
            }
            .map_err(|e| refused(key, e))?;
        }
        if let Some(map) = &self.webroot_map {
            conf.try_replace_entries(WEBROOT_MAP, map)
                .map_err(|e| refused("webroot_map", e))?;
        }
        Ok(())
    }
}

/// Refuse names that would escape `live/`, `archive/` or `renewal/`.
pub fn validate_name(name: &str) -> Result<(), StorageError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.starts_with('.')
        || name.chars().any(char::is_control);
    if bad {
        return Err(StorageError::Invalid(format!(
            "--cert-name: {name:?} is not a usable certificate name (no path separators, no leading dot)"
        )));
    }
    Ok(())
}

/// Whether a lineage `name` exists: its renewal conf does (Certbot's rule,
/// `util.unique_lineage_name`). Directories left without a conf are not a
/// lineage; [`check_new_lineage`] names them before an order.
fn exists(config_dir: &Path, name: &str) -> bool {
    config_dir
        .join("renewal")
        .join(format!("{name}.conf"))
        .exists()
}

/// `base`, or `base-0001`, `base-0002`... whichever is free.
pub fn available_name(config_dir: &Path, base: &str) -> String {
    if !exists(config_dir, base) {
        return base.to_string();
    }
    (1..10_000)
        .map(|n| format!("{base}-{n:04}"))
        .find(|n| !exists(config_dir, n))
        .unwrap_or_else(|| format!("{base}-{}", std::process::id()))
}

/// `renewal-hooks/{pre,deploy,post}` (0755), which Certbot makes in every
/// config dir it uses, so users find where directory hooks go.
pub fn make_hook_dirs(config_dir: &Path) -> Result<(), StorageError> {
    make_dir(&config_dir.join("renewal-hooks"), 0o755)?;
    for hook in ["pre", "deploy", "post"] {
        make_dir(&config_dir.join("renewal-hooks").join(hook), 0o755)?;
    }
    Ok(())
}

/// Names of every lineage with a renewal conf, sorted.
pub fn list(config_dir: &Path) -> Result<Vec<String>, StorageError> {
    let dir = config_dir.join("renewal");
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StorageError::io(&dir, e)),
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".conf")
                .map(str::to_string)
        })
        .filter(|n| validate_name(n).is_ok())
        .collect();
    names.sort();
    Ok(names)
}

#[derive(Debug, Clone)]
pub struct Lineage {
    pub name: String,
    pub config_dir: PathBuf,
    pub conf_path: PathBuf,
    pub conf: RenewalConf,
}

fn version_of(file: &Path) -> Option<Version> {
    let stem = file.file_name()?.to_str()?.strip_suffix(".pem")?;
    let digits: String = stem
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

impl Lineage {
    pub fn load(config_dir: &Path, name: &str) -> Result<Lineage, StorageError> {
        validate_name(name)?;
        let conf_path = config_dir.join("renewal").join(format!("{name}.conf"));
        let text = match fs::read_to_string(&conf_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::NotFound(format!(
                    "no certificate named {name:?} in {}",
                    config_dir.display()
                )));
            }
            Err(e) => return Err(StorageError::io(&conf_path, e)),
        };
        let conf = RenewalConf::parse(&text).map_err(|e| {
            StorageError::corrupt(conf_path.clone(), format!("line {}: {}", e.line, e.message))
        })?;
        for key in KINDS {
            if conf.get(&[], key).is_none_or(|v| v.is_empty()) {
                return Err(StorageError::corrupt(
                    conf_path.clone(),
                    format!("missing `{key} = PATH`"),
                ));
            }
        }
        Ok(Lineage {
            name: name.to_string(),
            config_dir: config_dir.to_path_buf(),
            conf_path,
            conf,
        })
    }

    /// The live path of `cert`, `chain`, `fullchain` or `privkey`.
    pub fn path(&self, kind: &str) -> PathBuf {
        self.conf
            .get(&[], kind)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                self.config_dir
                    .join("live")
                    .join(&self.name)
                    .join(format!("{kind}.pem"))
            })
    }

    pub fn archive_dir(&self) -> PathBuf {
        self.conf
            .get(&[], "archive_dir")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.config_dir.join("archive").join(&self.name))
    }

    /// The version `live/NAME/cert.pem` points at.
    pub fn current_version(&self) -> Result<Version, StorageError> {
        let link = self.path("cert");
        let target = fs::read_link(&link).map_err(|e| StorageError::io(&link, e))?;
        version_of(&target)
            .ok_or_else(|| StorageError::corrupt(link, format!("points at {}", target.display())))
    }

    /// The highest version present in the archive.
    pub fn latest_archived(&self) -> Version {
        let dir = self.archive_dir();
        fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| version_of(&e.path()))
            .max()
            .unwrap_or(0)
    }

    pub fn read(&self, kind: &str) -> Result<String, StorageError> {
        let path = self.path(kind);
        fs::read_to_string(&path).map_err(|e| StorageError::io(&path, e))
    }

    pub fn cert_info(&self) -> Result<CertInfo, StorageError> {
        let path = self.path("cert");
        certinfo::parse_pem(&self.read("cert")?).map_err(|e| StorageError::corrupt(path, e.0))
    }

    /// Store a new version, switch the live links to it, update the conf.
    pub fn save_renewal(
        &mut self,
        issued: &crate::x509::Issued,
        params: &RenewalParams,
    ) -> Result<Version, StorageError> {
        let key = issued
            .key_pem
            .as_deref()
            .ok_or_else(|| StorageError::Invalid("renewal produced no private key".into()))?;
        // A crash in an earlier switch must not decide which key is "the
        // previous one" below.
        if let Some(repair) = self.repair_links()? {
            crate::log::warning(format!("{}: {repair}", self.name));
        }
        let archive = self.archive_dir();
        let version = self.latest_archived() + 1;
        // The key being replaced (the live link's target) sets the new one's
        // group and group/other bits, as in Certbot.
        let previous = fs::metadata(self.path("privkey")).ok();
        write_version(&archive, version, issued, key)?;
        if let Some(previous) = previous
            && let Err(e) =
                keep_key_access(&archive.join(format!("privkey{version}.pem")), &previous)
        {
            for kind in KINDS {
                let _ = fs::remove_file(archive.join(format!("{kind}{version}.pem")));
            }
            return Err(e);
        }
        self.switch_links(&archive, version)?;
        params.apply(&mut self.conf)?;
        self.conf.set(&[], "version", env!("CARGO_PKG_VERSION"));
        write_file(&self.conf_path, self.conf.render().as_bytes(), 0o644)?;
        Ok(version)
    }

    /// Point every live link at `version` in `archive`. When a switch
    /// fails (a full disk, say), the links already switched are pointed
    /// back, so the lineage is left on its previous version rather than
    /// mixed (a key that does not match its certificate).
    fn switch_links(&self, archive: &Path, version: Version) -> Result<(), StorageError> {
        let mut switched: Vec<(PathBuf, PathBuf)> = Vec::new();
        for kind in KINDS {
            let link = self.path(kind);
            let before = fs::read_link(&link).map_err(|e| StorageError::io(&link, e))?;
            let target = relative_target(&link, &archive.join(format!("{kind}{version}.pem")));
            // Listed first: a switch that failed after its rename is undone too.
            switched.push((link.clone(), before));
            if let Err(e) = replace_symlink(&target, &link) {
                for (link, before) in switched.iter().rev() {
                    if let Err(back) = replace_symlink(before, link) {
                        return Err(StorageError::Invalid(format!(
                            "{e}; pointing {} back at {} failed too ({back}): the next renew repairs the links",
                            link.display(),
                            before.display()
                        )));
                    }
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// Write new renewal options without a new version (`reconfigure`).
    pub fn save_params(&mut self, params: &RenewalParams) -> Result<(), StorageError> {
        params.apply(&mut self.conf)?;
        write_file(&self.conf_path, self.conf.render().as_bytes(), 0o644)
    }

    /// Every live file must be a symlink to an existing file of one version,
    /// as Certbot checks before it renews; a broken lineage is named exactly.
    pub fn check_links(&self) -> Result<Version, StorageError> {
        let mut versions = Vec::new();
        for kind in KINDS {
            let link = self.path(kind);
            let target = fs::read_link(&link).map_err(|e| {
                let why = if e.kind() == std::io::ErrorKind::InvalidInput {
                    "is not a symlink (live files must link into the archive)".to_string()
                } else {
                    e.to_string()
                };
                StorageError::corrupt(link.clone(), why)
            })?;
            let resolved = link.parent().unwrap_or(Path::new(".")).join(&target);
            if !resolved.is_file() {
                return Err(StorageError::corrupt(
                    link,
                    format!(
                        "broken link: its target {} does not exist",
                        target.display()
                    ),
                ));
            }
            versions.push((kind, version_of(&target)));
        }
        match versions.as_slice() {
            [(_, Some(v)), rest @ ..] if rest.iter().all(|(_, w)| *w == Some(*v)) => Ok(*v),
            _ => Err(StorageError::corrupt(
                self.path("cert")
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                format!(
                    "the live links point at different versions ({})",
                    versions
                        .iter()
                        .map(|(k, v)| format!("{k}: {}", v.map_or("?".into(), |v| v.to_string())))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// Withdraw the conf, then remove the live folder, the archive and the
    /// withdrawn conf. The conf is withdrawn by renaming it to the pending
    /// name a new lineage is built under: the lineage stops existing at
    /// once, and a delete killed before the end is finished by
    /// [`recover_interrupted`] instead of leaving an orphan that blocks the
    /// name.
    pub fn delete(self) -> Result<(), StorageError> {
        let live_dir = self.path("cert").parent().map(Path::to_path_buf);
        let archive = self.archive_dir();
        let withdrawn = create::Staging::new(&self.config_dir, &self.name).conf_tmp;
        // A stale one beside a conf is no unfinished save: the conf exists.
        leftovers::remove_path(&withdrawn)?;
        rename_new(&self.conf_path, &withdrawn)?;
        if let Some(dir) = live_dir.filter(|d| d.ends_with(&self.name)) {
            fs::remove_dir_all(&dir).map_err(|e| StorageError::io(&dir, e))?;
            fail_point("delete: live removed", &dir)?;
        }
        if archive.ends_with(&self.name) && archive.is_dir() {
            fs::remove_dir_all(&archive).map_err(|e| StorageError::io(&archive, e))?;
            fail_point("delete: archive removed", &archive)?;
        }
        leftovers::remove_path(&withdrawn)?;
        Ok(())
    }

    /// Every `[renewalparams]` entry as it is written (for carrying options over).
    pub fn params(&self) -> RenewalParams {
        let mut params = RenewalParams::default();
        for (key, _) in self.conf.entries(PARAMS) {
            if let Some(raw) = self.conf.get_raw(PARAMS, &key) {
                params.put(&key, ParamValue::Raw(raw.to_string()));
            }
        }
        let map = self.conf.entries(WEBROOT_MAP);
        if !map.is_empty() {
            params.webroot_map = Some(map);
        }
        params
    }
}

fn write_version(
    archive: &Path,
    version: Version,
    issued: &crate::x509::Issued,
    key: &str,
) -> Result<(), StorageError> {
    let files = [
        ("cert", issued.cert_pem.as_str(), 0o644),
        ("chain", issued.chain_pem.as_str(), 0o644),
        ("fullchain", issued.fullchain_pem.as_str(), 0o644),
        ("privkey", key, 0o600),
    ];
    for (kind, text, mode) in files {
        let path = archive.join(format!("{kind}{version}.pem"));
        if path.exists() {
            return Err(StorageError::Invalid(format!(
                "{} already exists; refusing to overwrite it",
                path.display()
            )));
        }
        write_file(&path, text.as_bytes(), mode)?;
    }
    Ok(())
}

/// Certbot's base mode of a private key.
const PRIVKEY_MODE: u32 = 0o600;
/// What a new private key keeps of the previous key's mode (Certbot's rule):
/// the group's read, write and execute bits and the others' read bit.
const PRIVKEY_KEPT_BITS: u32 = 0o074;

/// The mode a new private key gets after a key with mode `previous`.
fn private_key_mode(previous: u32) -> u32 {
    PRIVKEY_MODE | (previous & PRIVKEY_KEPT_BITS)
}

/// Give the new key at `path` the group of the previous key and the mode
/// [`private_key_mode`] says (the group first, so the bits never apply to
/// another group). The owner stays the one writing it, as in Certbot.
fn keep_key_access(path: &Path, previous: &fs::Metadata) -> Result<(), StorageError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mode = private_key_mode(previous.mode());
    if mode == PRIVKEY_MODE && previous.gid() == fs::metadata(path).map_or(0, |m| m.gid()) {
        return Ok(());
    }
    std::os::unix::fs::chown(path, None, Some(previous.gid())).map_err(|e| {
        StorageError::Invalid(format!(
            "{}: cannot give the new private key the group (gid {}) of the previous one: {e}",
            path.display(),
            previous.gid()
        ))
    })?;
    fail_point("new private key: group set", path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| StorageError::io(path, e))?;
    fail_point("new private key: mode set", path)
}

fn new_conf(
    config_dir: &Path,
    name: &str,
    params: &RenewalParams,
) -> Result<RenewalConf, StorageError> {
    let live = config_dir.join("live").join(name);
    let mut conf = RenewalConf::parse("# renew_before_expiry = 30 days\n").unwrap_or_default();
    conf.set(&[], "version", env!("CARGO_PKG_VERSION"));
    let archive = config_dir.join("archive").join(name);
    let paths = std::iter::once(("archive_dir", archive)).chain(
        ["cert", "privkey", "chain", "fullchain"].map(|k| (k, live.join(format!("{k}.pem")))),
    );
    for (key, path) in paths {
        conf.try_set(&[], key, &path.to_string_lossy())
            .map_err(|e| StorageError::Invalid(format!("renewal conf {key}: {e}")))?;
    }
    // Keep `[renewalparams]` after a blank line, as Certbot lays it out.
    let mut with_header =
        RenewalConf::parse(&format!("{}\n[renewalparams]\n", conf.render())).unwrap_or(conf);
    params.apply(&mut with_header)?;
    Ok(with_header)
}

mod create;
mod leftovers;
mod links;
mod preflight;
mod repair;
mod target;
pub use leftovers::{Recovered, recover_interrupted};
pub use preflight::{NewLineageError, check_name_fits, check_new_lineage};
pub use repair::LinkRepair;
use target::relative_target;

#[cfg(test)]
mod create_tests;
#[cfg(test)]
mod tests;
