//! Where a distribution keeps Apache's configuration.
//!
//! | layout | ServerRoot | main file | also |
//! |---|---|---|---|
//! | Debian/Ubuntu | `/etc/apache2` | `apache2.conf` | `envvars`, `ports.conf`, `sites-available` + `sites-enabled`, `mods-available` + `mods-enabled`, `conf-available` + `conf-enabled` |
//! | RHEL/Fedora/CentOS | `/etc/httpd` | `conf/httpd.conf` | `conf.d`, `conf.modules.d` |
//! | plain | any | `httpd.conf` (or `conf/httpd.conf`) | |

use super::env::parse_envvars;
use super::load::{LoadError, LoadOptions};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    Debian,
    Rhel,
    Plain,
}

/// A detected layout: the files and directories that matter to an installer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub distro: Distro,
    pub server_root: PathBuf,
    /// The main file, absolute.
    pub config_file: PathBuf,
    /// Debian's `envvars`.
    pub envvars: Option<PathBuf>,
    pub sites_available: Option<PathBuf>,
    pub sites_enabled: Option<PathBuf>,
    pub mods_available: Option<PathBuf>,
    pub mods_enabled: Option<PathBuf>,
    /// RHEL's `conf.d` (where new vhost files go there).
    pub conf_d: Option<PathBuf>,
    pub conf_modules_d: Option<PathBuf>,
}

/// Server roots tried, in order, when none is given.
pub const DEFAULT_ROOTS: &[&str] = &[
    "/etc/apache2",
    "/etc/httpd",
    "/usr/local/apache2",
    "/usr/local/etc/apache24",
];

/// Detect the layout under `root` (the `--apache-server-root` value), or under the first
/// of [`DEFAULT_ROOTS`] that holds a configuration.
pub fn detect(root: Option<&Path>) -> Result<Layout, LoadError> {
    match root {
        Some(r) => detect_at(r).ok_or_else(|| {
            LoadError::Layout(format!(
                "--apache-server-root {}: no apache2.conf, conf/httpd.conf or httpd.conf there",
                r.display()
            ))
        }),
        None => DEFAULT_ROOTS
            .iter()
            .find_map(|r| detect_at(Path::new(r)))
            .ok_or_else(|| {
                LoadError::Layout(format!(
                    "no Apache configuration found in {}; give --apache-server-root",
                    DEFAULT_ROOTS.join(", ")
                ))
            }),
    }
}

fn detect_at(root: &Path) -> Option<Layout> {
    // Wildcard includes must be absolute, as in Apache.
    let root = &std::path::absolute(root).ok()?;
    let dir = |name: &str| Some(root.join(name)).filter(|p| p.is_dir());
    let layout = |distro, config_file: PathBuf| Layout {
        distro,
        server_root: root.to_path_buf(),
        config_file,
        envvars: None,
        sites_available: None,
        sites_enabled: None,
        mods_available: None,
        mods_enabled: None,
        conf_d: None,
        conf_modules_d: None,
    };
    if root.join("apache2.conf").is_file() {
        return Some(Layout {
            envvars: Some(root.join("envvars")).filter(|p| p.is_file()),
            sites_available: dir("sites-available"),
            sites_enabled: dir("sites-enabled"),
            mods_available: dir("mods-available"),
            mods_enabled: dir("mods-enabled"),
            ..layout(Distro::Debian, root.join("apache2.conf"))
        });
    }
    if root.join("conf/httpd.conf").is_file() {
        let distro = if dir("conf.d").is_some() || dir("conf.modules.d").is_some() {
            Distro::Rhel
        } else {
            Distro::Plain
        };
        return Some(Layout {
            conf_d: dir("conf.d"),
            conf_modules_d: dir("conf.modules.d"),
            ..layout(distro, root.join("conf/httpd.conf"))
        });
    }
    if root.join("httpd.conf").is_file() {
        return Some(layout(Distro::Plain, root.join("httpd.conf")));
    }
    None
}

impl Layout {
    /// Loading options for this layout: the `envvars` variables, and Debian's
    /// `sites-available` files parsed for inspection (disabled vhosts).
    pub fn options(&self) -> Result<LoadOptions, LoadError> {
        let relative = self
            .config_file
            .strip_prefix(&self.server_root)
            .unwrap_or(&self.config_file);
        let mut options = LoadOptions::new(&self.server_root, relative);
        if let Some(envvars) = &self.envvars {
            let text = std::fs::read(envvars).map_err(|error| LoadError::Io {
                path: envvars.clone(),
                error,
            })?;
            options.variables = parse_envvars(&String::from_utf8_lossy(&text));
        }
        if let Some(dir) = &self.sites_available {
            let entries = std::fs::read_dir(dir).map_err(|error| LoadError::Io {
                path: dir.clone(),
                error,
            })?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            options.extra_files = files;
        }
        Ok(options)
    }
}
