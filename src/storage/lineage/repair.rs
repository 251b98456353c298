//! Repairing live links that a crash left pointing at different versions.
//!
//! Renewal writes every file of the new version first, then switches the
//! four live links one by one (each switch atomic). A process killed between
//! two switches leaves, say, `fullchain -> v2` and `privkey -> v1`: a key that
//! does not match its certificate, which the server refuses. Every version a
//! link points at was complete before the first switch, so the newest of them
//! whose four archive files all exist is what the interrupted run meant: the
//! repair points every link there.

use super::{KINDS, Lineage, Version, relative_target, version_of};
use crate::storage::StorageError;
use crate::storage::fsutil::replace_symlink;
use std::fs;

/// What [`Lineage::repair_links`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRepair {
    /// Each kind and the version its link pointed at before.
    pub before: Vec<(&'static str, Version)>,
    /// The version every link points at now.
    pub to: Version,
}

impl std::fmt::Display for LinkRepair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let before: Vec<String> = self
            .before
            .iter()
            .map(|(kind, v)| format!("{kind}: {v}"))
            .collect();
        write!(
            f,
            "the live links pointed at different versions ({}), as an interrupted renewal leaves them; all now point at version {}",
            before.join(", "),
            self.to
        )
    }
}

impl Lineage {
    /// The version each live link points at, or `None` when a link is not a
    /// symlink to an existing numbered archive file (then there is nothing
    /// to repair from: [`Lineage::check_links`] names the problem).
    fn link_versions(&self) -> Option<Vec<(&'static str, Version)>> {
        KINDS
            .iter()
            .map(|kind| {
                let link = self.path(kind);
                let target = fs::read_link(&link).ok()?;
                // A dangling link is damage, not an interrupted switch
                // (which never links a file before it is written).
                link.parent()?.join(&target).is_file().then_some(())?;
                Some((*kind, version_of(&target)?))
            })
            .collect()
    }

    /// Whether all four archive files of `version` exist.
    fn complete(&self, version: Version) -> bool {
        let archive = self.archive_dir();
        KINDS
            .iter()
            .all(|kind| archive.join(format!("{kind}{version}.pem")).is_file())
    }

    /// When the live links point at different versions, point them all at
    /// the newest complete one of those; `None` when they already agree (or
    /// cannot be repaired, which [`Lineage::check_links`] then reports).
    pub fn repair_links(&self) -> Result<Option<LinkRepair>, StorageError> {
        let Some(before) = self.link_versions() else {
            return Ok(None);
        };
        if before.iter().all(|(_, v)| *v == before[0].1) {
            return Ok(None);
        }
        let mut candidates: Vec<Version> = before.iter().map(|(_, v)| *v).collect();
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        let Some(to) = candidates.into_iter().find(|v| self.complete(*v)) else {
            return Ok(None);
        };
        let archive = self.archive_dir();
        for (kind, version) in &before {
            if *version == to {
                continue;
            }
            let link = self.path(kind);
            let target = relative_target(&link, &archive.join(format!("{kind}{to}.pem")));
            replace_symlink(&target, &link)?;
        }
        Ok(Some(LinkRepair { before, to }))
    }
}
