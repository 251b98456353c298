//! Reading a configuration as Apache does: the main file, then, in reading order,
//! `Include`/`IncludeOptional` (relative to ServerRoot, globs as in [`super::glob`]),
//! `Define`/`UnDefine`, `LoadModule`, `ServerRoot`, and conditional sections evaluated as
//! they come, so an `Include` inside an inactive `<IfModule>` is not followed.
//! `${VAR}` is expanded in every argument that matters here.

use super::cond::{Modules, Version, if_version, negation};
use super::env::{Variables, expand};
use super::glob;
use super::loaded::{FileId, Loaded, LoadedFile, NodeId};
use crate::syntax::apache::{Body, Document, Node, ParseError};
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
    let bytes = std::fs::read(&main_path).map_err(|error| LoadError::Io {
        path: main_path.clone(),
        error,
    })?;
    let main = walker.register(&main_path, bytes)?;
    walker.loaded.main = main;
    walker.walk_file(main)?;
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
        match std::fs::read(path) {
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

    fn walk_file(&mut self, id: FileId) -> Result<(), LoadError> {
        let tree = std::mem::take(&mut self.loaded.files[id].tree);
        self.stack.push(id);
        let result = self.walk_body(id, &tree, &mut Vec::new());
        self.stack.pop();
        self.loaded.files[id].tree = tree;
        result
    }

    fn walk_body(
        &mut self,
        file: FileId,
        tree: &Document,
        prefix: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        let Some(body) = tree.body.body_at(prefix) else {
            return Ok(());
        };
        let body: &Body = body;
        for (i, node) in body.nodes.iter().enumerate() {
            prefix.push(i);
            let result = self.walk_node(file, tree, prefix, node);
            prefix.pop();
            result?;
        }
        Ok(())
    }

    fn walk_node(
        &mut self,
        file: FileId,
        tree: &Document,
        path: &mut Vec<usize>,
        node: &Node,
    ) -> Result<(), LoadError> {
        let name = node.name_bytes();
        // Only names starting with these letters matter while reading (Include, Define,
        // UnDefine, LoadModule, ServerRoot, Macro, If...): skip the rest cheaply.
        if !matches!(
            name.first().map(u8::to_ascii_lowercase),
            Some(b'i' | b'd' | b'u' | b'l' | b's' | b'm')
        ) {
            return match node {
                Node::Section(_) => self.walk_body(file, tree, path),
                Node::Directive(_) => Ok(()),
            };
        }
        let name = node.name_bytes();
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let args = |this: &Walker| -> Vec<String> {
            node.args()
                .iter()
                .map(|a| {
                    String::from_utf8_lossy(&expand(&a.word.value(), &this.loaded.variables))
                        .into_owned()
                })
                .collect()
        };
        match node {
            Node::Directive(_) => {
                if is("Include") || is("IncludeOptional") {
                    self.include(file, tree, path, &args(self), is("IncludeOptional"))?;
                } else if is("Define") {
                    if let [n, rest @ ..] = args(self).as_slice() {
                        self.loaded.defines.insert(n.clone());
                        if let Some(v) = rest.first() {
                            self.loaded.variables.insert(n.clone(), v.clone());
                        }
                    }
                } else if is("UnDefine") {
                    if let Some(n) = args(self).first() {
                        self.loaded.defines.remove(n);
                        self.loaded.variables.remove(n);
                    }
                } else if is("LoadModule") && self.infer_modules {
                    if let Some(m) = args(self).first() {
                        self.loaded.modules.insert(m);
                    }
                } else if is("ServerRoot")
                    && self.follow_server_root
                    && let Some(r) = args(self).first()
                {
                    self.loaded.server_root = PathBuf::from(r);
                }
            }
            Node::Section(_) => {
                let active = if is("Macro") {
                    // A template, read only where `Use` expands it.
                    false
                } else if name.len() > 2 && name[..2].eq_ignore_ascii_case(b"if") {
                    self.condition(&name.to_ascii_lowercase(), &args(self)) != Some(false)
                } else {
                    true
                };
                if active {
                    self.walk_body(file, tree, path)?;
                } else {
                    self.loaded.inactive.insert(NodeId {
                        file,
                        path: path.clone(),
                    });
                }
            }
        }
        Ok(())
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

    fn include(
        &mut self,
        file: FileId,
        tree: &Document,
        path: &[usize],
        args: &[String],
        optional: bool,
    ) -> Result<(), LoadError> {
        let directive_error = |this: &Walker, message: String| {
            let offset = tree.body.offset_of(path).unwrap_or(0);
            let f = &this.loaded.files[file];
            LoadError::Directive {
                file: f.path.clone(),
                pos: line_col(&f.original, offset),
                message,
            }
        };
        let [target] = args else {
            let word = if optional {
                "IncludeOptional"
            } else {
                "Include"
            };
            return Err(directive_error(self, format!("{word} takes one argument")));
        };
        let pattern = self.loaded.server_root.join(target);
        let targets = glob::resolve(&pattern, optional).map_err(|m| directive_error(self, m))?;
        let mut ids = Vec::with_capacity(targets.len());
        for target in targets {
            let real = std::fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
            let id = match self.by_real.get(&real) {
                Some(&id) => id,
                None => {
                    let bytes = std::fs::read(&target).map_err(|e| {
                        directive_error(
                            self,
                            format!(
                                "Could not open configuration file {}: {e}",
                                target.display()
                            ),
                        )
                    })?;
                    self.register(&target, bytes)?
                }
            };
            if self.stack.contains(&id) {
                let chain: Vec<String> = self
                    .stack
                    .iter()
                    .map(|&f| self.loaded.files[f].path.display().to_string())
                    .collect();
                return Err(directive_error(
                    self,
                    format!(
                        "include cycle: {} -> {}",
                        chain.join(" -> "),
                        target.display()
                    ),
                ));
            }
            self.walk_file(id)?;
            ids.push(id);
        }
        self.loaded.includes.insert(
            NodeId {
                file,
                path: path.to_vec(),
            },
            ids,
        );
        Ok(())
    }
}
