//! Reading a configuration as Apache does: the main file, then, in reading order,
//! `Include`/`IncludeOptional` (relative to ServerRoot, globs as in [`super::glob`]),
//! `Define`/`UnDefine`, `LoadModule`, `ServerRoot`, and conditional sections evaluated as
//! they come, so an `Include` inside an inactive `<IfModule>` is not followed.
//! `${VAR}` is expanded in every argument that matters here.

use super::cond::{Modules, Version, if_version, negation};
use super::env::{Variables, expand};
use super::glob;
use super::loaded::{FileId, Loaded, LoadedFile, NodeId};
use crate::installer::read::{self, ReadError};
use crate::syntax::apache::{Document, Node, ParseError};
use crate::syntax::pos::{Position, line_col};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What the caller knows about the server; [`super::Layout::options`] fills in defaults.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// `-d`: where relative paths start.
    pub server_root: PathBuf,
    /// `-f`: the main file, relative to `server_root` or absolute.
    pub config_file: PathBuf,
    /// The environment `${VAR}` falls back on (Debian: the `envvars` file).
    pub variables: Variables,
    /// `-D NAME` / `Define`s from `DUMP_RUN_CFG` (value for `${NAME}`, if any).
    pub defines: BTreeMap<String, Option<String>>,
    /// Loaded modules (from `apache2ctl -M`); `None`: the built-in ones plus each
    /// `LoadModule` as it is read.
    pub modules: Option<Modules>,
    /// For `<IfVersion>`.
    pub version: Version,
    /// Obey `ServerRoot` directives (Apache does; a copy of a tree elsewhere must not).
    pub follow_server_root: bool,
    /// Files to parse for inspection without Apache reading them (disabled sites).
    pub extra_files: Vec<PathBuf>,
}

impl LoadOptions {
    pub fn new(server_root: impl Into<PathBuf>, config_file: impl Into<PathBuf>) -> LoadOptions {
        LoadOptions {
            server_root: server_root.into(),
            config_file: config_file.into(),
            variables: Variables::new(),
            defines: BTreeMap::new(),
            modules: None,
            version: Version {
                major: 2,
                minor: 4,
                patch: 62,
            },
            follow_server_root: true,
            extra_files: Vec::new(),
        }
    }
}

/// Loading failed. Messages say `FILE:LINE:COL: message` for anything inside a file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}:{error}", file.display())]
    Parse { file: PathBuf, error: ParseError },
    #[error("{}:{pos}: {message}", file.display())]
    Directive {
        file: PathBuf,
        pos: Position,
        message: String,
    },
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {error}", path.display())]
    Read { path: PathBuf, error: ReadError },
    #[error("{0}")]
    Layout(String),
}

/// Read the configuration.
pub fn load(options: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut variables = options.variables.clone();
    let mut defines = std::collections::BTreeSet::new();
    for (name, value) in &options.defines {
        defines.insert(name.clone());
        if let Some(v) = value {
            variables.insert(name.clone(), v.clone());
        }
    }
    let mut walker = Walker {
        loaded: Loaded {
            files: Vec::new(),
            main: 0,
            server_root: options.server_root.clone(),
            variables,
            defines,
            modules: options.modules.clone().unwrap_or_else(Modules::builtin),
            warnings: Vec::new(),
            includes: HashMap::new(),
            inactive: Default::default(),
            line_starts: Default::default(),
        },
        by_real: HashMap::new(),
        stack: Vec::new(),
        infer_modules: options.modules.is_none(),
        follow_server_root: options.follow_server_root,
        version: options.version,
    };
    let main_path = options.server_root.join(&options.config_file);
    let bytes = read::as_apache(&main_path).map_err(|error| LoadError::Read {
        path: main_path.clone(),
        error,
    })?;
    let main = walker.register(&main_path, bytes)?;
    walker.loaded.main = main;
    walker.walk(main)?;
    for extra in &options.extra_files {
        walker.inspect(extra);
    }
    Ok(walker.loaded)
}

struct Walker {
    loaded: Loaded,
    by_real: HashMap<PathBuf, FileId>,
    /// Files being read, innermost last: an include of one of them is a cycle.
    stack: Vec<FileId>,
    infer_modules: bool,
    follow_server_root: bool,
    version: Version,
}

impl Walker {
    /// Parse and remember a file Apache reads.
    fn register(&mut self, path: &Path, bytes: Vec<u8>) -> Result<FileId, LoadError> {
        let tree = Document::parse(&bytes).map_err(|error| LoadError::Parse {
            file: path.to_path_buf(),
            error,
        })?;
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let id = self.loaded.files.len();
        self.by_real.insert(real.clone(), id);
        self.loaded.files.push(LoadedFile {
            path: path.to_path_buf(),
            real_path: real,
            original: bytes,
            tree,
            enabled: true,
        });
        Ok(id)
    }

    /// A file Apache does not read, parsed for the vhost model; problems become warnings.
    fn inspect(&mut self, path: &Path) {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.by_real.contains_key(&real) {
            return;
        }
        match read::as_apache(path) {
            Ok(bytes) => match self.register(path, bytes) {
                Ok(id) => self.loaded.files[id].enabled = false,
                Err(e) => self.loaded.warnings.push(e.to_string()),
            },
            Err(e) => self
                .loaded
                .warnings
                .push(format!("{}: {e}", path.display())),
        }
    }

    /// Read `main` and, in Apache's order, everything it includes. The walk keeps its own
    /// stack of frames rather than recursing, so neither a long include chain nor deep
    /// sections can exhaust the call stack; the only limit is Apache's own include depth.
    fn walk(&mut self, main: FileId) -> Result<(), LoadError> {
        let mut frames = Vec::new();
        self.enter(main, &mut frames);
        while let Some(top) = frames.last_mut() {
            match top {
                Frame::Body { file, prefix, next } => {
                    let (file, i) = (*file, *next);
                    *next += 1;
                    let mut path = prefix.clone();
                    path.push(i);
                    let Some(node) = self.node_facts(file, &path) else {
                        frames.pop();
                        continue;
                    };
                    if let Some(frame) = self.visit(file, path, node, &frames)? {
                        frames.push(frame);
                    }
                }
                Frame::Include { at, targets, ids } => match targets.next() {
                    Some(target) => {
                        let id = self.included_file(at, &target)?;
                        ids.push(id);
                        self.enter(id, &mut frames);
                    }
                    None => {
                        let Some(Frame::Include { at, ids, .. }) = frames.pop() else {
                            unreachable!("the top frame is this include")
                        };
                        self.loaded.includes.insert(at, ids);
                    }
                },
                Frame::EndOfFile => {
                    frames.pop();
                    self.stack.pop();
                }
            }
        }
        Ok(())
    }

    /// Start reading a file: it is open (an include of it now is a cycle) until its
    /// `EndOfFile` frame is reached.
    fn enter(&mut self, id: FileId, frames: &mut Vec<Frame>) {
        self.stack.push(id);
        frames.push(Frame::EndOfFile);
        frames.push(Frame::Body {
            file: id,
            prefix: Vec::new(),
            next: 0,
        });
    }

    /// What the walk needs of the node at `path` (`None` past the end of its body). Only
    /// names starting with these letters matter while reading (Include, Define, UnDefine,
    /// LoadModule, ServerRoot, Macro, If...): the others' arguments are not expanded.
    fn node_facts(&self, file: FileId, path: &[usize]) -> Option<NodeFacts> {
        let node = self.loaded.files[file].tree.get(path)?;
        let section = matches!(node, Node::Section(_));
        let name = node.name_bytes();
        if !matches!(
            name.first().map(u8::to_ascii_lowercase),
            Some(b'i' | b'd' | b'u' | b'l' | b's' | b'm')
        ) {
            // Most nodes: nothing to copy (an unnamed section is walked, a directive skipped).
            return Some(NodeFacts {
                section,
                name: Vec::new(),
                args: Vec::new(),
            });
        }
        let args = node
            .args()
            .iter()
            .map(|a| {
                String::from_utf8_lossy(&expand(&a.word.value(), &self.loaded.variables))
                    .into_owned()
            })
            .collect();
        Some(NodeFacts {
            section,
            name: name.to_ascii_lowercase(),
            args,
        })
    }

    /// Apply one node as Apache reads it; the frame to walk next, if any (an active
    /// section's body, an include's files).
    fn visit(
        &mut self,
        file: FileId,
        path: Vec<usize>,
        node: NodeFacts,
        frames: &[Frame],
    ) -> Result<Option<Frame>, LoadError> {
        let NodeFacts {
            section,
            name,
            args,
        } = node;
        let is = |n: &[u8]| name == n;
        if section {
            let active = if is(b"macro") {
                false // a template, read only where `Use` expands it
            } else if name.len() > 2 && name.starts_with(b"if") {
                self.condition(&name, &args) != Some(false)
            } else {
                true
            };
            if !active {
                self.loaded.inactive.insert(NodeId { file, path });
                return Ok(None);
            }
            return Ok(Some(Frame::Body {
                file,
                prefix: path,
                next: 0,
            }));
        }
        let at = NodeId { file, path };
        if is(b"include") || is(b"includeoptional") {
            let depth = frames
                .iter()
                .filter(|f| matches!(f, Frame::Include { .. }))
                .count();
            return self
                .include(at, &args, is(b"includeoptional"), depth)
                .map(Some);
        }
        self.directive(&name, args);
        Ok(None)
    }

    /// `Define`, `UnDefine`, `LoadModule`, `ServerRoot`: what changes how the rest reads.
    fn directive(&mut self, name: &[u8], args: Vec<String>) {
        let mut args = args.into_iter();
        match name {
            b"define" => {
                if let Some(n) = args.next() {
                    self.loaded.defines.insert(n.clone());
                    if let Some(v) = args.next() {
                        self.loaded.variables.insert(n, v);
                    }
                }
            }
            b"undefine" => {
                if let Some(n) = args.next() {
                    self.loaded.defines.remove(&n);
                    self.loaded.variables.remove(&n);
                }
            }
            b"loadmodule" if self.infer_modules => {
                if let Some(m) = args.next() {
                    self.loaded.modules.insert(&m);
                }
            }
            b"serverroot" if self.follow_server_root => {
                if let Some(r) = args.next() {
                    self.loaded.server_root = PathBuf::from(r);
                }
            }
            _ => {}
        }
    }

    /// `Some(active)` for a conditional section, `None` for any other (or one this engine
    /// cannot evaluate, such as `<IfDirective>`: treated as active).
    fn condition(&self, name: &[u8], args: &[String]) -> Option<bool> {
        let first = args.first().map(String::as_str).unwrap_or("");
        let (negated, what) = negation(first);
        let found = match name {
            b"ifmodule" => self.loaded.modules.contains(what),
            b"ifdefine" => self.loaded.defines.contains(what),
            b"iffile" => self.loaded.server_root.join(what).exists(),
            b"ifversion" => return if_version(args, self.version),
            _ => return None,
        };
        Some(found != negated)
    }

    /// `FILE:LINE:COL: message` at the node `at`.
    fn error_at(&self, at: &NodeId, message: String) -> LoadError {
        let f = &self.loaded.files[at.file];
        let offset = f.tree.body.offset_of(&at.path).unwrap_or(0);
        LoadError::Directive {
            file: f.path.clone(),
            pos: line_col(&f.original, offset),
            message,
        }
    }

    /// The frame reading the files of an `Include` at `at`, met with `depth` includes
    /// already being read.
    fn include(
        &mut self,
        at: NodeId,
        args: &[String],
        optional: bool,
        depth: usize,
    ) -> Result<Frame, LoadError> {
        let [target] = args else {
            let word = if optional {
                "IncludeOptional"
            } else {
                "Include"
            };
            return Err(self.error_at(&at, format!("{word} takes one argument")));
        };
        // Apache counts nested includes and refuses the one past its limit, whatever it
        // names (it has no other cycle check).
        if depth >= MAX_INCLUDE_DEPTH {
            return Err(self.error_at(
                &at,
                format!(
                    "Exceeded maximum include depth of {MAX_INCLUDE_DEPTH}, \
                     There appears to be a recursion."
                ),
            ));
        }
        let pattern = self.loaded.server_root.join(target);
        let targets = glob::resolve(&pattern, optional).map_err(|m| self.error_at(&at, m))?;
        Ok(Frame::Include {
            at,
            targets: targets.into_iter(),
            ids: Vec::new(),
        })
    }

    /// The file an include at `at` reads (parsed once, whatever path reaches it); a file
    /// still being read is a cycle.
    fn included_file(&mut self, at: &NodeId, target: &Path) -> Result<FileId, LoadError> {
        let real = std::fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        let id = match self.by_real.get(&real) {
            Some(&id) => id,
            None => {
                let bytes = read::as_apache(target).map_err(|e| {
                    let message = format!(
                        "Could not open configuration file {}: {e}",
                        target.display()
                    );
                    self.error_at(at, message)
                })?;
                self.register(target, bytes)?
            }
        };
        if self.stack.contains(&id) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .map(|&f| self.loaded.files[f].path.display().to_string())
                .collect();
            let message = format!(
                "include cycle: {} -> {}",
                chain.join(" -> "),
                target.display()
            );
            return Err(self.error_at(at, message));
        }
        Ok(id)
    }
}

/// Apache's `AP_MAX_INCLUDE_DEPTH`.
const MAX_INCLUDE_DEPTH: usize = 128;

/// A frame of [`Walker::walk`].
enum Frame {
    /// The children of the body at `prefix` in `file`; `next` is the next to visit.
    Body {
        file: FileId,
        prefix: Vec<usize>,
        next: usize,
    },
    /// An `Include` at `at` reading `targets` in order; `ids`: the files it read so far.
    Include {
        at: NodeId,
        targets: std::vec::IntoIter<PathBuf>,
        ids: Vec<FileId>,
    },
    /// The end of a file: it is no longer open.
    EndOfFile,
}

/// What the walk reads of a node, copied out of the tree so that applying it may change
/// the loader's state.
struct NodeFacts {
    section: bool,
    /// Lowercase (Apache's names are case-insensitive); empty for names the walk ignores.
    name: Vec<u8>,
    /// With `${VAR}` expanded; empty for names the walk ignores.
    args: Vec<String>,
}
