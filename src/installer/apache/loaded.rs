//! [`Loaded`]: every file of a configuration, includes followed, conditions evaluated; the
//! Augeas-style path view ([`path::Tree`]) with included files spliced in place of their
//! `Include` directives; edits kept in memory until the caller writes [`Loaded::changed_files`].

use super::cond::Modules;
use super::env::{Variables, expand};
use crate::syntax::apache::{Document, EditError, Node, Word, names_equal};
use crate::syntax::path;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// Index of a file in [`Loaded::files`].
pub type FileId = usize;

/// A node: its file and its index path in that file. `Ord` is document order within a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    pub file: FileId,
    pub path: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The path as Apache names it (through the include that read it).
    pub path: PathBuf,
    /// Symlinks resolved.
    pub real_path: PathBuf,
    /// The bytes as read.
    pub original: Vec<u8>,
    pub tree: Document,
    /// Read by Apache: the main file or reached through an active `Include`. Files parsed
    /// only for inspection (Debian's `sites-available` without a link) are not.
    pub enabled: bool,
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Private so that every edit goes through a method that keeps the caches right.
    pub(super) files: Vec<LoadedFile>,
    pub main: FileId,
    /// ServerRoot as in force at the end of reading.
    pub server_root: PathBuf,
    /// `${VAR}` values at the end of reading (environment, then `Define`s).
    pub variables: Variables,
    /// `<IfDefine>` names at the end of reading.
    pub defines: BTreeSet<String>,
    /// Loaded modules: as given, or built in plus every `LoadModule` read.
    pub modules: Modules,
    /// Non-fatal findings (an unreadable disabled site, say).
    pub warnings: Vec<String>,
    pub(super) includes: HashMap<NodeId, Vec<FileId>>,
    pub(super) inactive: HashSet<NodeId>,
    /// Per file, the line each top-level node starts on (for `location`); cleared by edits.
    pub(super) line_starts: RefCell<HashMap<FileId, Vec<usize>>>,
}

impl Loaded {
    pub fn file(&self, id: FileId) -> Option<&LoadedFile> {
        self.files.get(id)
    }

    /// Every file read (main first, then in reading order), then files parsed for
    /// inspection only.
    pub fn files(&self) -> &[LoadedFile] {
        &self.files
    }

    /// Add a file that does not exist yet (a vhost file the installer creates): its
    /// `original` is empty, so [`Loaded::changed_files`] lists it with its whole content.
    /// It counts as read by Apache (the installer enables it in the same change).
    pub fn add_file(&mut self, path: PathBuf, tree: Document) -> FileId {
        self.files.push(LoadedFile {
            real_path: path.clone(),
            path,
            original: Vec::new(),
            tree,
            enabled: true,
        });
        self.files.len() - 1
    }

    /// The tree of a file, to edit directly (prefer the `NodeId` methods, which also keep
    /// include and condition records in step).
    pub fn tree_mut(&mut self, file: FileId) -> Result<&mut Document, EditError> {
        self.line_starts.get_mut().clear();
        match self.files.get_mut(file) {
            Some(f) => Ok(&mut f.tree),
            None => Err(EditError::NoSuchNode(Vec::new())),
        }
    }

    /// The 1-based line of a node's name (fast on repeated calls: top-level line starts
    /// are computed once per file until the next edit).
    pub fn line_of(&self, id: &NodeId) -> Option<usize> {
        let tree = &self.files.get(id.file)?.tree;
        let (&first, rest) = id.path.split_first()?;
        let mut cache = self.line_starts.borrow_mut();
        let starts = cache
            .entry(id.file)
            .or_insert_with(|| tree.body.line_starts(1));
        Some(*starts.get(first)? + tree.body.nodes.get(first)?.lines_to(rest)?)
    }

    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.files.get(id.file)?.tree.get(&id.path)
    }

    /// The files an active `Include` directive read, in order.
    pub fn included_by(&self, id: &NodeId) -> Option<&[FileId]> {
        self.includes.get(id).map(Vec::as_slice)
    }

    /// Does Apache apply this node? Its file is read, and no enclosing conditional section
    /// (`<IfModule>`, `<IfDefine>`, `<IfVersion>`, `<IfFile>`) evaluated false, and it is not
    /// inside a `<Macro>` body. (A file is read only through active includes.)
    pub fn is_active(&self, id: &NodeId) -> bool {
        let Some(file) = self.files.get(id.file) else {
            return false;
        };
        if !file.enabled {
            return false;
        }
        // Few sections are inactive: scan them rather than probing every prefix.
        !self
            .inactive
            .iter()
            .any(|k| k.file == id.file && id.path.starts_with(&k.path))
    }

    /// `FILE:LINE` of a node.
    pub fn location(&self, id: &NodeId) -> String {
        let Some(file) = self.files.get(id.file) else {
            return format!("(no file {})", id.file);
        };
        let line = self.line_of(id).unwrap_or(0);
        format!("{}:{line}", file.path.display())
    }

    /// The node's arguments with `${VAR}` expanded.
    pub fn arg_values(&self, id: &NodeId) -> Vec<Vec<u8>> {
        match self.node(id) {
            Some(n) => n
                .args()
                .iter()
                .map(|a| expand(&a.word.value(), &self.variables).into_owned())
                .collect(),
            None => Vec::new(),
        }
    }

    /// The children of a body with includes spliced in: `Include` directives that read
    /// files are replaced by those files' top-level nodes (recursively).
    pub fn spliced_children(&self, parent: Option<&NodeId>) -> Vec<NodeId> {
        let mut out = Vec::new();
        match parent {
            None => self.splice(self.main, &[], &mut out),
            Some(p) => self.splice(p.file, &p.path, &mut out),
        }
        out
    }

    fn splice(&self, file: FileId, prefix: &[usize], out: &mut Vec<NodeId>) {
        self.walk_spliced(file, prefix, &mut |file, path, _| {
            out.push(NodeId {
                file,
                path: path.to_vec(),
            })
        });
    }

    /// Call `visit(file, path, node)` for each child of the body at `prefix` in `file`, with
    /// the files an `Include` read in its place (to any depth: an explicit stack, not
    /// recursion). An include of a file already being spliced (a cycle: loading refuses
    /// them, so only an edit made since can create one) is visited as itself.
    pub(super) fn walk_spliced(
        &self,
        file: FileId,
        prefix: &[usize],
        visit: &mut dyn FnMut(FileId, &[usize], &Node),
    ) {
        let mut walk = Walk::new(file, prefix);
        while let Some((id, node)) = walk.next(self) {
            match self.includes_to_splice(&id, node, &walk) {
                Some(files) => walk.include(files),
                None => visit(id.file, &id.path, node),
            }
        }
    }

    /// The files an `Include` node read, unless one of them is being walked.
    fn includes_to_splice(&self, id: &NodeId, node: &Node, walk: &Walk<'_>) -> Option<&[FileId]> {
        if !is_include(node) {
            return None;
        }
        let files = self.includes.get(id)?;
        (!files.iter().any(|f| walk.is_open(*f))).then_some(files.as_slice())
    }

    // ---- edits (in memory; see `changed_files`) ----

    /// Replace the arguments of a directive or section header.
    pub fn set_args(&mut self, id: &NodeId, args: Vec<Word>) -> Result<(), EditError> {
        self.tree_mut(id.file)?.set_args(&id.path, args)
    }

    /// Insert `node` as child `index` of `parent` (`None`: the main file's top level).
    pub fn insert(
        &mut self,
        parent: Option<&NodeId>,
        index: usize,
        node: Node,
    ) -> Result<NodeId, EditError> {
        match parent {
            Some(p) => self.insert_at(p.file, &p.path.clone(), index, node),
            None => self.insert_at(self.main, &[], index, node),
        }
    }

    /// Append `node` as the last child of `parent` (`None`: the main file's top level).
    pub fn push(&mut self, parent: Option<&NodeId>, node: Node) -> Result<NodeId, EditError> {
        match parent {
            Some(p) => self.push_at(p.file, &p.path.clone(), node),
            None => self.push_at(self.main, &[], node),
        }
    }

    /// Append the nodes of a constant template to `parent` (re-indented); returns them.
    pub fn push_template(
        &mut self,
        parent: Option<&NodeId>,
        snippet: &[u8],
    ) -> Result<Vec<NodeId>, EditError> {
        let nodes = crate::syntax::apache::edit::parse_snippet(snippet)?;
        nodes
            .into_iter()
            .map(|node| self.push(parent, node))
            .collect()
    }

    /// Put a full-line comment `# text` above a node (see [`Document::set_comment`]).
    pub fn set_comment(&mut self, id: &NodeId, text: &str) -> Result<(), EditError> {
        self.tree_mut(id.file)?.set_comment(&id.path, text)
    }

    /// Append `node` at the top level of `file`.
    pub fn push_to_file(&mut self, file: FileId, node: Node) -> Result<NodeId, EditError> {
        self.push_at(file, &[], node)
    }

    /// Insert `node` right after `id`, in the same body.
    pub fn insert_after(&mut self, id: &NodeId, node: Node) -> Result<NodeId, EditError> {
        let (&index, prefix) = id
            .path
            .split_last()
            .ok_or_else(|| EditError::NoSuchNode(Vec::new()))?;
        self.insert_at(id.file, prefix, index + 1, node)
    }

    /// Insert `node` right before `id`, in the same body.
    pub fn insert_before(&mut self, id: &NodeId, node: Node) -> Result<NodeId, EditError> {
        let (&index, prefix) = id
            .path
            .split_last()
            .ok_or_else(|| EditError::NoSuchNode(Vec::new()))?;
        self.insert_at(id.file, prefix, index, node)
    }

    fn push_at(&mut self, file: FileId, prefix: &[usize], node: Node) -> Result<NodeId, EditError> {
        let body = self.tree_mut(file)?.body.body_at(prefix);
        let len = body
            .ok_or_else(|| EditError::NotASection(prefix.to_vec()))?
            .nodes
            .len();
        self.insert_at(file, prefix, len, node)
    }

    fn insert_at(
        &mut self,
        file: FileId,
        prefix: &[usize],
        index: usize,
        node: Node,
    ) -> Result<NodeId, EditError> {
        let path = self.tree_mut(file)?.insert(prefix, index, node)?;
        self.shift(file, prefix, index, 1);
        Ok(NodeId { file, path })
    }

    pub fn remove(&mut self, id: &NodeId) -> Result<Node, EditError> {
        let removed = self.tree_mut(id.file)?.remove(&id.path)?;
        self.forget_under(id);
        if let Some((&index, prefix)) = id.path.split_last() {
            self.shift(id.file, prefix, index + 1, -1);
        }
        Ok(removed)
    }

    pub fn replace(&mut self, id: &NodeId, node: Node) -> Result<Node, EditError> {
        let old = self.tree_mut(id.file)?.replace(&id.path, node)?;
        self.forget_under(id);
        Ok(old)
    }

    /// Files whose bytes changed: (path as Apache names it, before, after).
    pub fn changed_files(&self) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)> {
        self.files
            .iter()
            .filter_map(|f| {
                let now = f.tree.print();
                (now != f.original).then(|| (f.path.clone(), f.original.clone(), now))
            })
            .collect()
    }

    /// Drop include and condition facts about `id` and everything under it.
    fn forget_under(&mut self, id: &NodeId) {
        let under = |k: &NodeId| k.file == id.file && k.path.starts_with(&id.path);
        self.includes.retain(|k, _| !under(k));
        self.inactive.retain(|k| !under(k));
    }

    /// Keep node keys valid after an insert (`delta` 1) or a removal (-1) among the children
    /// of `prefix`: keys at or after `from` move.
    fn shift(&mut self, file: FileId, prefix: &[usize], from: usize, delta: isize) {
        let depth = prefix.len();
        let moves = |k: &NodeId| {
            k.file == file
                && k.path.len() > depth
                && k.path.starts_with(prefix)
                && k.path[depth] >= from
        };
        let moved = |mut k: NodeId| {
            k.path[depth] = k.path[depth].wrapping_add_signed(delta);
            k
        };
        let keys: Vec<NodeId> = self.includes.keys().filter(|k| moves(k)).cloned().collect();
        let entries: Vec<(NodeId, Vec<FileId>)> = keys
            .into_iter()
            .filter_map(|k| self.includes.remove_entry(&k))
            .collect();
        self.includes
            .extend(entries.into_iter().map(|(k, v)| (moved(k), v)));
        let keys: Vec<NodeId> = self.inactive.iter().filter(|k| moves(k)).cloned().collect();
        for k in keys {
            self.inactive.remove(&k);
            self.inactive.insert(moved(k));
        }
    }
}

/// A walk through bodies and the files includes read, in reading order, on an explicit
/// stack (an include chain may be as long as the server allows, and recursion per level
/// would exhaust the call stack first).
pub(super) struct Walk<'a> {
    frames: Vec<Frame<'a>>,
    /// Files whose bodies are on the stack: an include of one of them is a cycle.
    open: HashSet<FileId>,
}

enum Frame<'a> {
    /// The body at this index path of a file, and its next child.
    Body(FileId, Vec<usize>, usize),
    /// The files of an include still to walk.
    Files(&'a [FileId]),
}

impl<'a> Walk<'a> {
    pub(super) fn new(file: FileId, prefix: &[usize]) -> Walk<'a> {
        Walk {
            frames: vec![Frame::Body(file, prefix.to_vec(), 0)],
            open: HashSet::from([file]),
        }
    }

    pub(super) fn is_open(&self, file: FileId) -> bool {
        self.open.contains(&file)
    }

    /// Walk these files (each from its top) before the rest of the current body.
    pub(super) fn include(&mut self, files: &'a [FileId]) {
        self.frames.push(Frame::Files(files));
    }

    /// Walk the body of the section `id` before the rest of the current body.
    pub(super) fn enter(&mut self, id: NodeId) {
        self.frames.push(Frame::Body(id.file, id.path, 0));
    }

    /// The next node in reading order.
    pub(super) fn next(&mut self, loaded: &'a Loaded) -> Option<(NodeId, &'a Node)> {
        loop {
            match self.frames.last_mut()? {
                // None of these files was open when the include was met, and each is
                // closed again before the next starts (a glob may name one file twice).
                Frame::Files(files) => match files.split_first() {
                    Some((&f, rest)) => {
                        *files = rest;
                        self.open.insert(f);
                        self.frames.push(Frame::Body(f, Vec::new(), 0));
                    }
                    None => {
                        self.frames.pop();
                    }
                },
                Frame::Body(file, prefix, next) => {
                    let (file, i) = (*file, *next);
                    let body = loaded
                        .files
                        .get(file)
                        .and_then(|f| f.tree.body.body_at(prefix));
                    let Some(node) = body.and_then(|b| b.nodes.get(i)) else {
                        if prefix.is_empty() {
                            self.open.remove(&file);
                        }
                        self.frames.pop();
                        continue;
                    };
                    *next += 1;
                    let mut path = prefix.clone();
                    path.push(i);
                    return Some((NodeId { file, path }, node));
                }
            }
        }
    }
}

fn is_include(node: &Node) -> bool {
    let name = node.name_bytes();
    matches!(node, Node::Directive(_))
        && (names_equal(name, b"Include") || names_equal(name, b"IncludeOptional"))
}

impl path::Tree for Loaded {
    type Node = NodeId;

    fn top(&self) -> Vec<NodeId> {
        self.spliced_children(None)
    }

    fn children(&self, node: &NodeId) -> Vec<NodeId> {
        match self.node(node) {
            Some(Node::Section(_)) => self.spliced_children(Some(node)),
            _ => Vec::new(),
        }
    }

    fn name<'a>(&'a self, node: &NodeId) -> &'a [u8] {
        self.node(node).map_or(&[], |n| n.name_bytes())
    }

    fn args(&self, node: &NodeId) -> Vec<Vec<u8>> {
        self.arg_values(node)
    }

    fn names_equal(&self, a: &[u8], b: &[u8]) -> bool {
        names_equal(a, b)
    }
}
