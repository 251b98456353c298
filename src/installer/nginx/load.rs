//! Loading a config tree from disk: the main file and everything it
//! includes, each file parsed once, edits kept in memory.

use super::glob;
use super::nodes::NodeRef;
use crate::installer::read::{self, ReadError};
use crate::syntax::nginx::{Document, ParseError};
use crate::syntax::pos::{Lines, Position, line_col};
use std::collections::{HashMap, HashSet};
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
    Read { path: PathBuf, error: ReadError },
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
            open: HashSet::new(),
        };
        loader.run(&conf)?;
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

    /// `FILE:LINE` of many directives (as [`NginxConfig::position`] gives, line only):
    /// each file is printed and indexed once for all of them.
    pub fn lines_of(&self, nodes: &[&NodeRef]) -> Vec<Option<(PathBuf, u32)>> {
        let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
        for (k, n) in nodes.iter().enumerate() {
            by_file.entry(n.file).or_default().push(k);
        }
        let mut out = vec![None; nodes.len()];
        for (id, ks) in by_file {
            let Some(f) = self.files.get(id) else {
                continue;
            };
            let lines = Lines::new(&f.doc.print());
            let paths: Vec<&[usize]> = ks.iter().map(|&k| nodes[k].path.as_slice()).collect();
            for (k, offset) in ks.into_iter().zip(f.doc.offsets_of(&paths)) {
                out[k] = offset.map(|o| (f.path.clone(), lines.line_of(o)));
            }
        }
        out
    }
}

struct Loader<'a> {
    options: &'a LoadOptions,
    config: NginxConfig,
    /// Canonical path -> id of each file read completely, so a file included twice is
    /// parsed once.
    ids: HashMap<PathBuf, FileId>,
    /// Canonical paths of the files being read (the frames of the walk): an include of
    /// one of them is a cycle.
    open: HashSet<PathBuf>,
}

/// A file being read: its `include` directives and how far the walk through them has come.
/// The walk keeps these on an explicit stack, not the call stack, since nginx follows an
/// include chain of any length (a chain of ten thousand files passes `nginx -t`).
struct Frame {
    id: FileId,
    canonical: PathBuf,
    /// Index path and argument values of each `include`, in document order.
    includes: Vec<(Vec<usize>, Vec<Vec<u8>>)>,
    next: usize,
    /// The include being followed.
    pending: Option<Pending>,
}

/// An `include` whose files are being read, in nginx's order.
struct Pending {
    at: Vec<usize>,
    pattern: Vec<u8>,
    paths: std::vec::IntoIter<PathBuf>,
    /// The files read for it so far.
    ids: Vec<FileId>,
}

/// What a frame needs next.
enum Step {
    /// Read this file (a path an include resolved to, mapped to disk).
    Read(PathBuf),
    /// The file is complete.
    Done,
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

    /// Read the main file (already mapped to disk) and everything it includes, depth
    /// first in nginx's order.
    fn run(&mut self, main: &Path) -> Result<(), LoadError> {
        let canonical = canonical_path(main)?;
        let mut stack = vec![self.read(main, canonical)?];
        while let Some(top) = stack.last_mut() {
            let path = match self.advance(top)? {
                Step::Read(path) => path,
                Step::Done => {
                    let done = stack.pop().expect("the stack has a top");
                    self.open.remove(&done.canonical);
                    // Registered only once complete: a file reached again while still
                    // open is a cycle, not a repeat.
                    self.ids.insert(done.canonical, done.id);
                    continue;
                }
            };
            let canonical = canonical_path(&path)?;
            if let Some(&id) = self.ids.get(&canonical) {
                push_id(&mut stack, id);
            } else if self.open.contains(&canonical) {
                return Err(self.cycle(&stack, &canonical));
            } else {
                let frame = self
                    .read(&path, canonical)
                    .map_err(|e| self.at_include(&stack, e))?;
                push_id(&mut stack, frame.id);
                stack.push(frame);
            }
        }
        Ok(())
    }

    /// Read and parse one file; its frame lists its includes.
    fn read(&mut self, path: &Path, canonical: PathBuf) -> Result<Frame, LoadError> {
        let original = read::as_nginx(path).map_err(|error| LoadError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let doc = Document::parse(&original).map_err(|error| LoadError::Parse {
            file: path.to_path_buf(),
            error,
        })?;
        let includes = include_directives(&doc);
        let id = self.config.files.len();
        self.config.files.push(ConfigFile {
            path: path.to_path_buf(),
            original,
            doc,
        });
        self.open.insert(canonical.clone());
        Ok(Frame {
            id,
            canonical,
            includes,
            next: 0,
            pending: None,
        })
    }

    /// The next file `frame` includes, resolving its next `include` when the current one
    /// is complete.
    fn advance(&mut self, frame: &mut Frame) -> Result<Step, LoadError> {
        loop {
            if let Some(pending) = &mut frame.pending {
                if let Some(path) = pending.paths.next() {
                    return Ok(Step::Read(path));
                }
                let done = frame.pending.take().expect("pending is set");
                self.config.includes.insert(done.pattern, done.ids);
                continue;
            }
            let Some((at, args)) = frame.includes.get(frame.next) else {
                return Ok(Step::Done);
            };
            frame.next += 1;
            let [pattern] = args.as_slice() else {
                return Err(self.include_error(
                    frame.id,
                    at,
                    "invalid number of arguments in \"include\" directive".into(),
                ));
            };
            if self.config.includes.contains_key(pattern) {
                continue; // resolved before (its files are complete, so not open)
            }
            let paths = self.resolve(frame.id, at, pattern)?;
            frame.pending = Some(Pending {
                at: at.clone(),
                pattern: pattern.clone(),
                paths: paths.into_iter(),
                ids: Vec::new(),
            });
        }
    }

    /// The files an include pattern names, mapped to disk: a glob's matches, or the one
    /// path (which must exist).
    fn resolve(&self, id: FileId, at: &[usize], pattern: &[u8]) -> Result<Vec<PathBuf>, LoadError> {
        let target = self
            .config
            .conf_prefix
            .join(std::ffi::OsStr::from_bytes(pattern));
        let disk = self.on_disk(&target);
        if glob::is_glob(pattern) {
            return Ok(glob::expand(&disk));
        }
        if let Err(e) = std::fs::metadata(&disk) {
            return Err(self.include_error(
                id,
                at,
                format!(
                    "include {}: cannot open {}: {e}",
                    show(pattern),
                    disk.display()
                ),
            ));
        }
        Ok(vec![disk])
    }

    /// A file an include names that cannot be read: the error is the include's, at its
    /// position (parse errors keep their own file's position).
    fn at_include(&self, stack: &[Frame], error: LoadError) -> LoadError {
        let LoadError::Read { path, error } = error else {
            return error;
        };
        let Some((top, pending)) = stack.last().and_then(|f| Some((f, f.pending.as_ref()?))) else {
            return LoadError::Read { path, error };
        };
        let message = format!(
            "include {}: cannot read {}: {error}",
            show(&pending.pattern),
            path.display()
        );
        self.include_error(top.id, &pending.at, message)
    }

    /// The cycle error, at the include (in the innermost open file) that reached `canonical`.
    fn cycle(&self, stack: &[Frame], canonical: &Path) -> LoadError {
        let top = stack.last().expect("a cycle needs an open file");
        let from = stack
            .iter()
            .position(|f| f.canonical == canonical)
            .unwrap_or(0);
        let chain: Vec<String> = stack[from..]
            .iter()
            .map(|f| f.canonical.as_path())
            .chain([canonical])
            .map(|s| s.display().to_string())
            .collect();
        let at = top.pending.as_ref().map_or(&[][..], |p| &p.at);
        self.include_error(top.id, at, format!("include cycle: {}", chain.join(" -> ")))
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

fn canonical_path(path: &Path) -> Result<PathBuf, LoadError> {
    std::fs::canonicalize(path).map_err(|error| LoadError::Read {
        path: path.to_path_buf(),
        error: error.into(),
    })
}

/// Record a file read for the include the innermost open file is following.
fn push_id(stack: &mut [Frame], id: FileId) {
    if let Some(pending) = stack.last_mut().and_then(|f| f.pending.as_mut()) {
        pending.ids.push(id);
    }
}

/// The `include` directives of a file (at any depth), with their argument values.
fn include_directives(doc: &Document) -> Vec<(Vec<usize>, Vec<Vec<u8>>)> {
    doc.walk()
        .into_iter()
        .filter(|(_, d)| d.is("include") && d.block().is_none() && d.raw_block().is_none())
        .map(|(path, d)| {
            (
                path,
                d.arg_values().into_iter().map(|v| v.into_owned()).collect(),
            )
        })
        .collect()
}

fn show(pattern: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(pattern))
}
