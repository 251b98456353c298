//! Edits on a loaded configuration, addressed by [`NodeRef`] (the file and
//! the index path in it): thin wrappers over `syntax::nginx::Document`'s
//! edits, so callers can go from a query straight to an edit.
//!
//! Query first, then edit back to front within a file: an insertion or a
//! removal shifts the index paths of later siblings.

use super::load::NginxConfig;
use super::nodes::NodeRef;
use crate::syntax::nginx::{Directive, Document, EditError, Word};

impl NginxConfig {
    fn doc_of(&mut self, node: &NodeRef) -> Result<&mut Document, EditError> {
        self.doc_mut(node.file)
            .ok_or_else(|| EditError::NoSuchNode(node.path.clone()))
    }

    /// Append `d` as the last child of the block `parent`; returns the new node.
    pub fn push(&mut self, parent: &NodeRef, d: Directive) -> Result<NodeRef, EditError> {
        let path = self.doc_of(parent)?.push(&parent.path, d)?;
        Ok(NodeRef {
            file: parent.file,
            path,
        })
    }

    /// Append the directive written in `snippet` (a constant template) to the
    /// block `parent`, re-indented for its place.
    pub fn push_template(
        &mut self,
        parent: &NodeRef,
        snippet: &[u8],
    ) -> Result<NodeRef, EditError> {
        self.push(parent, Directive::parse(snippet)?)
    }

    pub fn insert_after(&mut self, node: &NodeRef, d: Directive) -> Result<NodeRef, EditError> {
        let path = self.doc_of(node)?.insert_after(&node.path, d)?;
        Ok(NodeRef {
            file: node.file,
            path,
        })
    }

    pub fn insert_before(&mut self, node: &NodeRef, d: Directive) -> Result<NodeRef, EditError> {
        let path = self.doc_of(node)?.insert_before(&node.path, d)?;
        Ok(NodeRef {
            file: node.file,
            path,
        })
    }

    pub fn remove(&mut self, node: &NodeRef) -> Result<Directive, EditError> {
        self.doc_of(node)?.remove(&node.path)
    }

    pub fn replace(&mut self, node: &NodeRef, d: Directive) -> Result<Directive, EditError> {
        self.doc_of(node)?.replace(&node.path, d)
    }

    pub fn set_args(
        &mut self,
        node: &NodeRef,
        args: impl IntoIterator<Item = Word>,
    ) -> Result<(), EditError> {
        self.doc_of(node)?.set_args(&node.path, args)
    }

    /// Add or replace the same-line comment (`# managed by certsmith`).
    pub fn set_comment(&mut self, node: &NodeRef, text: &str) -> Result<(), EditError> {
        self.doc_of(node)?.set_comment(&node.path, text)
    }
}
