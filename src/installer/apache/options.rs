//! certsmith's TLS settings file for Apache, written once into the config dir and
//! included by the SSL virtual hosts certsmith creates.
//!
//! Values: Mozilla's "intermediate" recommendation (TLS 1.2 and 1.3, AEAD ciphers with
//! forward secrecy, no session tickets). The file is rewritten only while its content is
//! what certsmith last wrote (a SHA-256 of that is kept beside it): once a user edits it,
//! it is theirs.

use super::plan::ExtraFile;
use crate::digest::sha256_hex;
use std::path::{Path, PathBuf};

pub const OPTIONS_FILE: &str = "certsmith-options-ssl-apache.conf";
const DIGEST_FILE: &str = ".certsmith-options-ssl-apache.conf.sha256";

const CONTENT: &str = "\
# TLS settings written by certsmith (Mozilla \"intermediate\": TLS 1.2 and 1.3).
# Included by the virtual hosts certsmith set up for TLS. certsmith updates this
# file only while it is unchanged: once you edit it, it is yours.
SSLProtocol -all +TLSv1.2 +TLSv1.3
SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305
SSLHonorCipherOrder off
SSLSessionTickets off
";

/// The options file's path and what to write for it.
#[derive(Debug, Clone)]
pub struct OptionsPlan {
    pub path: PathBuf,
    /// Nothing when the file is current or the user's.
    pub files: Vec<ExtraFile>,
    /// Said to the user when the file is left alone.
    pub note: Option<String>,
}

/// Decide what to write under `config_dir`.
pub fn plan(config_dir: &Path) -> OptionsPlan {
    let path = config_dir.join(OPTIONS_FILE);
    let digest_path = config_dir.join(DIGEST_FILE);
    let want = CONTENT.as_bytes();
    let ours = || {
        vec![
            ExtraFile {
                path: path.clone(),
                bytes: want.to_vec(),
                mode: 0o644,
            },
            ExtraFile {
                path: digest_path.clone(),
                bytes: format!("{}\n", sha256_hex(want)).into_bytes(),
                mode: 0o644,
            },
        ]
    };
    let (files, note) = match std::fs::read(&path) {
        Err(_) => (ours(), None),
        Ok(current) if current == want => (Vec::new(), None),
        Ok(current) => {
            let recorded = std::fs::read_to_string(&digest_path).unwrap_or_default();
            if recorded.trim() == sha256_hex(&current) {
                (ours(), None)
            } else {
                let note = format!(
                    "{} was changed by hand; certsmith leaves it as it is",
                    path.display()
                );
                (Vec::new(), Some(note))
            }
        }
    };
    OptionsPlan { path, files, note }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_once_then_left_to_the_user() {
        let tmp_dir = tempfile::tempdir().unwrap();
        let dir = tmp_dir.path().to_path_buf();
        std::fs::create_dir_all(&dir).unwrap();
        let first = plan(&dir);
        assert_eq!(first.files.len(), 2);
        for f in &first.files {
            std::fs::write(&f.path, &f.bytes).unwrap();
        }
        assert!(plan(&dir).files.is_empty(), "current: nothing to write");
        // An older certsmith text, unchanged by the user: updated.
        let old = b"SSLProtocol all\n";
        std::fs::write(&first.path, old).unwrap();
        std::fs::write(dir.join(DIGEST_FILE), format!("{}\n", sha256_hex(old))).unwrap();
        assert_eq!(plan(&dir).files.len(), 2);
        // The user's edit: left alone, with a note.
        std::fs::write(&first.path, b"SSLProtocol +TLSv1.3\n").unwrap();
        let mine = plan(&dir);
        assert!(mine.files.is_empty() && mine.note.is_some());
    }
}
