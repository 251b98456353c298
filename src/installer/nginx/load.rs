//! Loading a config tree from disk: the main file and everything it
//! includes, each file parsed once, edits kept in memory.

use super::glob;
use crate::syntax::nginx::{Document, ParseError};
use crate::syntax::pos::{Position, line_col};
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// nginx's default configuration root on Debian.
pub const DEFAULT_ROOT: &str = "/etc/nginx";

/// Index of a file in [`NginxConfig::files`]; the main file is 0.
pub type FileId = usize;

/// One loaded file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The path the file was reached by (as the include named it, resolved).
    pub path: PathBuf,
    /// The bytes read from disk.
    pub original: Vec<u8>,
    /// The parsed tree, edits included.
    pub doc: Document,
}

/// A loaded nginx configuration: the main file and every file it includes.
#[derive(Debug, Clone)]
pub struct NginxConfig {
    /// The directory relative include paths resolve against (nginx's conf
    /// prefix: the directory of the main file).
    pub conf_prefix: PathBuf,
    pub files: Vec<ConfigFile>,
    /// Include argument (as nginx reads it) -> files, in nginx's order.
    includes: HashMap<Vec<u8>, Vec<FileId>>,
}

/// Options for [`NginxConfig::load_with`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Read paths under `.0` from `.1` instead (for a tree copied elsewhere
    /// that names itself absolutely, e.g. `/etc/nginx` -> `fixtures/...`).
    pub map_prefix: Option<(PathBuf, PathBuf)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}:{error}", file.display())]
    Parse { file: PathBuf, error: ParseError },
    /// An `include` that cannot be followed, at its position.
    #[error("{}:{position}: {message}", file.display())]
    Include {
        file: PathBuf,
        position: Position,
        message: String,
    },
}

impl NginxConfig {
    /// Load `ROOT/nginx.conf` and its includes.
    pub fn load(root: &Path) -> Result<NginxConfig, LoadError> {
        NginxConfig::load_with(&root.join("nginx.conf"), &LoadOptions::default())
    }

    /// Load the main file `conf` and its includes.
    pub fn load_with(conf: &Path, options: &LoadOptions) -> Result<NginxConfig, LoadError> {
        let conf = crate::installer::absolute(conf);
        let conf_prefix = conf
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let mut loader = Loader {
            options,
            config: NginxConfig {
                conf_prefix,
                files: Vec::new(),
                includes: HashMap::new(),
            },
            ids: HashMap::new(),
        };
        loader.file(&conf, &mut Vec::new())?;
        Ok(loader.config)
    }

    pub fn main(&self) -> &ConfigFile {
        &self.files[0]
    }

    pub fn file(&self, id: FileId) -> Option<&ConfigFile> {
        self.files.get(id)
    }

    /// The tree of a file, to edit.
    pub fn doc_mut(&mut self, id: FileId) -> Option<&mut Document> {
        self.files.get_mut(id).map(|f| &mut f.doc)
    }

    /// The files an `include` argument (its value) resolved to at load time.
    pub fn included(&self, pattern: &[u8]) -> Option<&[FileId]> {
        self.includes.get(pattern).map(Vec::as_slice)
    }

    /// Files whose printed bytes differ from what was read: (path, before, after).
    pub fn changed_files(&self) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)> {
        self.files
            .iter()
            .filter_map(|f| {
                let now = f.doc.print();
                (now != f.original).then(|| (f.path.clone(), f.original.clone(), now))
            })
            .collect()
    }

    /// `FILE:LINE:COL` of the directive at `path` in file `id`, in its current (edited) text.
    pub fn position(&self, id: FileId, path: &[usize]) -> Option<(PathBuf, Position)> {
        let f = self.files.get(id)?;
        let printed = f.doc.print();
        let offset = f.doc.offset_of(path)?;
        Some((f.path.clone(), line_col(&printed, offset)))
    }
}

struct Loader<'a> {
    options: &'a LoadOptions,
    config: NginxConfig,
    /// Canonical path -> id, so a file included twice is parsed once.
    ids: HashMap<PathBuf, FileId>,
}

impl Loader<'_> {
    /// Where to read a path nginx would open.
    fn on_disk(&self, path: &Path) -> PathBuf {
        match &self.options.map_prefix {
            Some((from, to)) => match path.strip_prefix(from) {
                Ok(rest) => to.join(rest),
                Err(_) => path.to_path_buf(),
            },
            None => path.to_path_buf(),
        }
    }

    /// Load one file (already mapped to disk) and what it includes;
    /// `stack` holds the canonical paths of the files including it.
    fn file(&mut self, path: &Path, stack: &mut Vec<PathBuf>) -> Result<FileId, LoadError> {
        let canonical = std::fs::canonicalize(path).map_err(|error| LoadError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        if let Some(&id) = self.ids.get(&canonical) {
            return Ok(id);
        }
        let original = std::fs::read(path).map_err(|error| LoadError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let doc = Document::parse(&original).map_err(|error| LoadError::Parse {
            file: path.to_path_buf(),
            error,
        })?;
        let id = self.config.files.len();
        self.config.files.push(ConfigFile {
            path: path.to_path_buf(),
            original,
            doc,
        });
        stack.push(canonical.clone());
        let result = self.includes_of(id, stack);
        stack.pop();
        result?;
        // Registered only once complete: a file reached again while still
        // on the stack is a cycle, not a repeat.
        self.ids.insert(canonical, id);
        Ok(id)
    }

    fn includes_of(&mut self, id: FileId, stack: &mut Vec<PathBuf>) -> Result<(), LoadError> {
        let includes: Vec<(Vec<usize>, Vec<Vec<u8>>)> = self.config.files[id]
            .doc
            .walk()
            .into_iter()
            .filter(|(_, d)| d.is("include") && d.block().is_none() && d.raw_block().is_none())
            .map(|(path, d)| {
                (
                    path,
                    d.arg_values().into_iter().map(|v| v.into_owned()).collect(),
                )
            })
            .collect();
        for (at, args) in includes {
            let [pattern] = args.as_slice() else {
                return Err(self.include_error(
                    id,
                    &at,
                    "invalid number of arguments in \"include\" directive".into(),
                ));
            };
            if self.config.includes.contains_key(pattern) {
                continue; // resolved before (its files are complete, so not on the stack)
            }
            let target = self
                .config
                .conf_prefix
                .join(std::ffi::OsStr::from_bytes(pattern));
            let disk = self.on_disk(&target);
            let paths = if glob::is_glob(pattern) {
                glob::expand(&disk)
            } else {
                if let Err(e) = std::fs::metadata(&disk) {
                    return Err(self.include_error(
                        id,
                        &at,
                        format!(
                            "include {}: cannot open {}: {e}",
                            show(pattern),
                            disk.display()
                        ),
                    ));
                }
                vec![disk]
            };
            let mut ids = Vec::with_capacity(paths.len());
            for p in paths {
                let canonical = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
                if let Some(i) = stack.iter().position(|s| *s == canonical) {
                    let chain: Vec<String> = stack[i..]
                        .iter()
                        .chain([&canonical])
                        .map(|s| s.display().to_string())
                        .collect();
                    return Err(self.include_error(
                        id,
                        &at,
                        format!("include cycle: {}", chain.join(" -> ")),
                    ));
                }
                ids.push(self.file(&p, stack)?);
            }
            self.config.includes.insert(pattern.clone(), ids);
        }
        Ok(())
    }

    fn include_error(&self, id: FileId, at: &[usize], message: String) -> LoadError {
        let f = &self.config.files[id];
        let position = f
            .doc
            .offset_of(at)
            .map_or(Position { line: 1, col: 1 }, |o| line_col(&f.original, o));
        LoadError::Include {
            file: f.path.clone(),
            position,
            message,
        }
    }
}

fn show(pattern: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(pattern))
}
