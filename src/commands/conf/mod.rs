//! `certsmith conf get|match|set|rm|check|print`: the config engine on the
//! command line.
//!
//! ```text
//! certsmith conf get   --nginx-server-root DIR  PATH
//! certsmith conf match --apache-server-root DIR PATH
//! certsmith conf set   --nginx-server-root DIR  PATH ARG...   [--dry-run]
//! certsmith conf rm    --nginx-server-root DIR  PATH          [--dry-run]
//! certsmith conf check --nginx|--apache FILE...
//! certsmith conf print --nginx|--apache FILE
//! ```
//!
//! The verbs are written once here, against [`Engine`]; each server's engine
//! implements it (`nginx.rs`, `apache.rs`).

use super::session::Session;
use crate::cli::UsageError;
use crate::commands::Config;
use crate::syntax::path::{self, Path};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod apache;
mod nginx;

/// What the `conf` verbs need from a server's config engine.
pub trait Engine {
    /// The loaded configuration: every file, includes followed, with edits
    /// kept in memory until written.
    type Loaded: path::Tree<Node = Self::Node>;
    /// A node handle; `Ord` must be document order within a file, so edits
    /// can be applied back to front.
    type Node: Clone + Ord;

    /// `--nginx` or `--apache`, for messages.
    const FLAG: &'static str;

    /// The server root given on the command line, if any.
    fn given_root(options: &crate::cli::Options) -> Option<PathBuf>;

    /// Load the configuration under `root` (the server root flag's value or
    /// the engine's default).
    fn load(root: Option<PathBuf>) -> Result<Self::Loaded>;

    /// The server root `load` reads (`root`, or the engine's default): the
    /// directory a writer locks, as the installers do.
    fn root_dir(root: Option<PathBuf>) -> Result<PathBuf>;

    /// Parse one file on its own (includes not followed) and print it back;
    /// the error is already `FILE:LINE:COL: message`.
    fn reprint(file_name: &std::path::Path, bytes: &[u8]) -> Result<Vec<u8>>;

    /// `FILE:LINE` of each node, for `match` (all at once: files are indexed once).
    fn locations(loaded: &Self::Loaded, nodes: &[&Self::Node]) -> Vec<String>;
    /// The node's arguments as written (quotes kept).
    fn raw_args(loaded: &Self::Loaded, node: &Self::Node) -> String;
    /// Replace the node's arguments (each one quoted as needed; unsafe values refused).
    fn set_args(loaded: &mut Self::Loaded, node: &Self::Node, args: &[String]) -> Result<()>;
    /// Append a new directive `name args...` as the last child of `parent`
    /// (`None`: the main file's top level).
    fn append(
        loaded: &mut Self::Loaded,
        parent: Option<&Self::Node>,
        name: &[u8],
        args: &[String],
    ) -> Result<()>;
    fn remove(loaded: &mut Self::Loaded, node: &Self::Node) -> Result<()>;
    /// Files whose bytes changed: (path, before, after).
    fn changed_files(loaded: &Self::Loaded) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)>;
}

/// The command line's shape, checked before the session creates or locks
/// any directory: a usage error leaves the machine as it was and exits 2,
/// like any other command-line error.
pub fn check_usage(config: &Config) -> Result<(), UsageError> {
    let usage = |text: String| Err(UsageError(text));
    server_choice(config).map_err(|e| UsageError(e.to_string()))?;
    let Some((sub, rest)) = config.positionals.split_first() else {
        return usage("conf: expected get, match, set, rm, check or print".into());
    };
    let needs_path = |rest: &[String]| match rest.first() {
        None => usage(format!("conf {sub}: expected a PATH")),
        Some(text) => Path::parse(text)
            .map(|_| ())
            .map_err(|e| UsageError(format!("conf {sub}: {text:?}: {e}"))),
    };
    match sub.as_str() {
        "check" if rest.is_empty() => usage("conf check: expected one or more FILE".into()),
        "print" if rest.len() != 1 => usage("conf print: expected exactly one FILE".into()),
        "check" | "print" => Ok(()),
        "get" | "match" if rest.len() > 1 => usage(format!(
            "conf {sub}: expected one PATH, got {} words",
            rest.len()
        )),
        "rm" if rest.len() > 1 => usage("conf rm: expected only a PATH".into()),
        "set" if rest.len() < 2 => usage("conf set: expected a PATH and one or more ARG".into()),
        "get" | "match" | "rm" | "set" => needs_path(rest),
        other => usage(format!(
            "conf: unknown subcommand {other:?} (expected get, match, set, rm, check or print)"
        )),
    }
}

/// Which engine the options choose: `--nginx` or `--apache` (or a server root).
fn server_choice(config: &Config) -> Result<bool> {
    use crate::cli::table::{APACHE, NGINX};
    let nginx = config.args().flag(&NGINX) || config.nginx.root_given;
    let apache = config.args().flag(&APACHE) || config.apache.server_root.is_some();
    match (nginx, apache) {
        (true, false) => Ok(true),
        (false, true) => Ok(false),
        (true, true) => bail!("conf: give --nginx or --apache, not both"),
        (false, false) => bail!(
            "conf: say which server: --nginx (or --nginx-server-root DIR) or --apache (or --apache-server-root DIR)"
        ),
    }
}

pub fn run(config: &Config, session: &mut Session) -> Result<ExitCode> {
    if server_choice(config)? {
        run_with::<nginx::NginxEngine>(config, session)
    } else {
        run_with::<apache::ApacheEngine>(config, session)
    }
}

fn run_with<E: Engine>(config: &Config, session: &mut Session) -> Result<ExitCode> {
    let (sub, rest) = match config.positionals.split_first() {
        Some((s, r)) => (s.as_str(), r),
        None => bail!("conf: expected get, match, set, rm, check or print"),
    };
    match sub {
        "check" => check::<E>(config, rest),
        "print" => print::<E>(rest),
        "get" | "match" => query::<E>(config, sub, rest),
        "set" | "rm" => edit::<E>(config, session, sub, rest),
        other => bail!(
            "conf: unknown subcommand {other:?} (expected get, match, set, rm, check or print)"
        ),
    }
}

fn server_root<E: Engine>(config: &Config) -> Option<PathBuf> {
    E::given_root(config)
}

fn one_path(sub: &str, rest: &[String]) -> Result<Path> {
    let text = rest
        .first()
        .with_context(|| format!("conf {sub}: expected a PATH"))?;
    Path::parse(text).with_context(|| format!("conf {sub}: {text:?}"))
}

fn check<E: Engine>(config: &Config, files: &[String]) -> Result<ExitCode> {
    if files.is_empty() {
        bail!("conf check: expected one or more FILE");
    }
    let mut failed = 0usize;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for name in files {
        let file = std::path::Path::new(name);
        let verdict = std::fs::read(file)
            .with_context(|| format!("{name}: cannot read"))
            .and_then(|bytes| {
                let printed = E::reprint(file, &bytes)?;
                if printed != bytes {
                    bail!("{name}: round trip changed the file (please report this bug)");
                }
                Ok(())
            });
        match verdict {
            Ok(()) if !config.output.quiet => writeln!(out, "{name}: ok")?,
            Ok(()) => {}
            Err(e) => {
                failed += 1;
                writeln!(out, "{e:#}")?;
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print<E: Engine>(files: &[String]) -> Result<ExitCode> {
    let [name] = files else {
        bail!("conf print: expected exactly one FILE")
    };
    let file = std::path::Path::new(name);
    let bytes = std::fs::read(file).with_context(|| format!("{name}: cannot read"))?;
    let printed = E::reprint(file, &bytes)?;
    std::io::stdout().write_all(&printed)?;
    Ok(ExitCode::SUCCESS)
}

fn query<E: Engine>(config: &Config, sub: &str, rest: &[String]) -> Result<ExitCode> {
    let path = one_path(sub, rest)?;
    if rest.len() > 1 {
        bail!("conf {sub}: expected one PATH, got {} words", rest.len());
    }
    let loaded = E::load(server_root::<E>(config))?;
    let matches = path::select(&loaded, &path);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if sub == "get" {
        for m in &matches {
            writeln!(out, "{}", E::raw_args(&loaded, &m.node))?;
        }
    } else {
        let nodes: Vec<&E::Node> = matches.iter().map(|m| &m.node).collect();
        for (m, location) in matches.iter().zip(E::locations(&loaded, &nodes)) {
            writeln!(out, "{}\t{location}", m.canonical)?;
        }
    }
    // Like grep: no match is not an error, but scripts can tell.
    Ok(if matches.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn edit<E: Engine>(
    config: &Config,
    session: &mut Session,
    sub: &str,
    rest: &[String],
) -> Result<ExitCode> {
    let path = one_path(sub, rest)?;
    let values = &rest[1..];
    if sub == "rm" && !values.is_empty() {
        bail!("conf rm: expected only a PATH");
    }
    if sub == "set" && values.is_empty() {
        bail!("conf set: expected a PATH and one or more ARG");
    }
    // Installers lock the server root; an edit here must not interleave with
    // theirs. Locked before loading, so what is edited is what is written
    // over; a missing root is left for `load` to report (a lock would make it).
    let given = server_root::<E>(config);
    let root = E::root_dir(given.clone())?;
    if root.is_dir() {
        session.lock(&root)?;
    }
    let mut loaded = E::load(given)?;
    let mut nodes: Vec<E::Node> = path::select(&loaded, &path)
        .into_iter()
        .map(|m| m.node)
        .collect();
    // Back to front, so earlier handles stay valid.
    nodes.sort();
    nodes.dedup();
    nodes.reverse();
    match (sub, nodes.is_empty()) {
        ("rm", true) => bail!("conf rm: {path} matches nothing"),
        ("rm", false) => {
            for node in &nodes {
                E::remove(&mut loaded, node)?;
            }
        }
        (_, false) => {
            for node in &nodes {
                E::set_args(&mut loaded, node, values)?;
            }
        }
        (_, true) => create::<E>(&mut loaded, &path, values)?,
    }
    let title = format!("conf {sub} {}", rest.join(" "));
    write_or_diff::<E>(config, session, &title, &loaded)
}

/// `set` on a path that matches nothing creates the last step under the
/// parent, when the parent is exactly one node and the step is a plain name.
fn create<E: Engine>(loaded: &mut E::Loaded, path: &Path, values: &[String]) -> Result<()> {
    let (parent_path, last) = path.split_last().context("empty path")?;
    let name = match (&last.label, last.descendant, last.predicates.is_empty()) {
        (Some(name), false, true) => name.clone(),
        _ => bail!(
            "conf set: {path} matches nothing, and its last step is not a plain name to create"
        ),
    };
    let parent = if parent_path.steps.is_empty() {
        None
    } else {
        let parents = path::select(&*loaded, &parent_path);
        match parents.as_slice() {
            [one] => Some(one.node.clone()),
            [] => bail!("conf set: {path} matches nothing, and neither does {parent_path}"),
            many => bail!(
                "conf set: {path} matches nothing, and {parent_path} matches {} nodes; make it name one",
                many.len()
            ),
        }
    };
    E::append(loaded, parent.as_ref(), &name, values)
}

/// Print the diff; unless `--dry-run`, write the changed files as one
/// checkpoint, so `certsmith rollback` undoes a `conf` edit like any other.
fn write_or_diff<E: Engine>(
    config: &Config,
    session: &mut Session,
    title: &str,
    loaded: &E::Loaded,
) -> Result<ExitCode> {
    let changed = E::changed_files(loaded);
    if !config.output.quiet || config.dry_run {
        for (file, before, after) in &changed {
            crate::diff::print(&crate::diff::unified(file, before, after))?;
        }
    }
    if config.dry_run || changed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut tx = session
        .reverter()?
        .begin(reverter::Kind::Permanent, title)?;
    for (file, _, after) in &changed {
        tx.write(file, after)
            .with_context(|| format!("{}: cannot write", file.display()))?;
    }
    tx.commit()?;
    Ok(ExitCode::SUCCESS)
}
