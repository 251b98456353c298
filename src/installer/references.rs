//! Which configuration files name some files (a lineage's live paths), read
//! through each server's own loader: only what the server reads counts (the
//! files its includes reach; for Apache, sections its conditions keep), and
//! each reference is a directive with its line. The running server is not
//! asked (no `nginx -T`, no `apache2ctl -D DUMP_RUN_CFG`): a listing must
//! not depend on the server being up.

use super::{apache, nginx};
use std::path::{Path, PathBuf};

/// A directive that names one of the files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// The directive's name as written (`ssl_certificate`, `SSLCertificateFile`).
    pub directive: String,
}

/// Whether an argument value is one of `files` (compared as absolute paths:
/// installers write absolute ones).
fn names_one(value: &[u8], files: &[PathBuf]) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let value = Path::new(std::ffi::OsStr::from_bytes(value));
    value.is_absolute() && files.iter().any(|f| f.as_path() == value)
}

/// The files as absolute paths, without resolving links (a config names
/// `live/NAME/fullchain.pem`, never the archive file it points to).
fn absolute_all(files: &[PathBuf]) -> Vec<PathBuf> {
    files.iter().map(|f| super::absolute(f)).collect()
}

/// Directives under nginx's `ROOT/nginx.conf` (and what it includes) with an
/// argument naming one of `files`, in file and line order.
pub fn nginx(root: &Path, files: &[PathBuf]) -> Result<Vec<Reference>, nginx::LoadError> {
    let config = nginx::NginxConfig::load(root)?;
    let files = absolute_all(files);
    let mut nodes: Vec<nginx::NodeRef> = config
        .all()
        .into_iter()
        .filter(|node| {
            config.directive(node).is_some_and(|d| {
                d.block().is_none() && d.arg_values().iter().any(|v| names_one(v, &files))
            })
        })
        .collect();
    // A file included twice is listed once.
    nodes.sort();
    nodes.dedup();
    let refs: Vec<&nginx::NodeRef> = nodes.iter().collect();
    let mut out: Vec<Reference> = config
        .lines_of(&refs)
        .into_iter()
        .zip(&nodes)
        .filter_map(|(at, node)| {
            let (file, line) = at?;
            let name = config.directive(node)?.name();
            Some(Reference {
                file,
                line: line as usize,
                directive: String::from_utf8_lossy(&name).into_owned(),
            })
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Active directives of the Apache configuration under `root` (or the
/// distribution's default root) with an argument naming one of `files`.
pub fn apache(root: Option<&Path>, files: &[PathBuf]) -> Result<Vec<Reference>, apache::LoadError> {
    let layout = apache::detect(root)?;
    let mut options = layout.options()?;
    // As the installer reads it: the root is where the tree is, whatever
    // `ServerRoot` a copied tree names.
    options.follow_server_root = false;
    let loaded = apache::load(&options)?;
    let files = absolute_all(files);
    let mut out = Vec::new();
    apache::query::walk_active(&loaded, &mut |id, node| {
        if node.body().is_some() || !loaded.arg_values(id).iter().any(|v| names_one(v, &files)) {
            return;
        }
        let Some(file) = loaded.file(id.file) else {
            return;
        };
        out.push(Reference {
            file: file.path.clone(),
            line: loaded.line_of(id).unwrap_or(0),
            directive: String::from_utf8_lossy(&node.name_value()).into_owned(),
        });
    });
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_references_follow_includes_and_skip_comments() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("nginx.conf"),
            "events {}\nhttp {\n    # ssl_certificate /le/live/a/fullchain.pem;\n    include sites/*.conf;\n}\n",
        )
        .unwrap();
        std::fs::create_dir(root.join("sites")).unwrap();
        std::fs::write(
            root.join("sites/a.conf"),
            "server {\n    listen 443 ssl;\n    ssl_certificate /le/live/a/fullchain.pem;\n    ssl_certificate_key \"/le/live/a/privkey.pem\";\n    ssl_trusted_certificate /other/chain.pem;\n}\n",
        )
        .unwrap();
        // Not included: nginx does not read it.
        std::fs::write(
            root.join("unused.conf"),
            "ssl_certificate /le/live/a/fullchain.pem;\n",
        )
        .unwrap();
        let files = [
            PathBuf::from("/le/live/a/fullchain.pem"),
            PathBuf::from("/le/live/a/privkey.pem"),
        ];
        let found = nginx(root, &files).unwrap();
        let site = root.join("sites/a.conf");
        assert_eq!(
            found,
            vec![
                Reference {
                    file: site.clone(),
                    line: 3,
                    directive: "ssl_certificate".into()
                },
                Reference {
                    file: site,
                    line: 4,
                    directive: "ssl_certificate_key".into()
                },
            ]
        );
    }

    #[test]
    fn apache_references_are_active_directives_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("httpd.conf"),
            "<VirtualHost *:443>\n  SSLCertificateFile /le/live/a/fullchain.pem\n</VirtualHost>\n<IfDefine NEVER>\n  SSLCertificateKeyFile /le/live/a/privkey.pem\n</IfDefine>\n",
        )
        .unwrap();
        let files = [
            PathBuf::from("/le/live/a/fullchain.pem"),
            PathBuf::from("/le/live/a/privkey.pem"),
        ];
        let found = apache(Some(root), &files).unwrap();
        assert_eq!(
            found,
            vec![Reference {
                file: root.join("httpd.conf"),
                line: 2,
                directive: "SSLCertificateFile".into()
            }]
        );
    }
}
