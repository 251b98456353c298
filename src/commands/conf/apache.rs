//! The Apache engine behind `certsmith conf ... --apache`.

use super::Engine;
use crate::installer::apache::{self, Loaded, NodeId};
use crate::syntax::apache::{Directive, Document, Node, Word};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;

pub struct ApacheEngine;

fn words(args: &[String]) -> Result<Vec<Word>> {
    args.iter()
        .map(|a| Word::new(a).with_context(|| format!("argument {a:?}")))
        .collect()
}

impl Engine for ApacheEngine {
    type Loaded = Loaded;
    type Node = NodeId;

    const FLAG: &'static str = "--apache";

    fn given_root(options: &crate::cli::Options) -> Option<PathBuf> {
        options.apache.server_root.clone()
    }

    /// With an explicit root, `ServerRoot` directives are not obeyed: the flag names the
    /// tree to read, wherever it was copied from.
    fn load(root: Option<PathBuf>) -> Result<Loaded> {
        let layout = apache::detect(root.as_deref())?;
        let mut options = layout.options()?;
        options.follow_server_root = root.is_none();
        let loaded = apache::load(&options)?;
        for warning in &loaded.warnings {
            eprintln!("certsmith: warning: {warning}");
        }
        Ok(loaded)
    }

    fn root_dir(root: Option<PathBuf>) -> Result<PathBuf> {
        Ok(apache::detect(root.as_deref())?.server_root)
    }

    fn reprint(file_name: &std::path::Path, bytes: &[u8]) -> Result<Vec<u8>> {
        match Document::parse(bytes) {
            Ok(file) => Ok(file.print()),
            Err(e) => bail!("{}:{e}", file_name.display()),
        }
    }

    fn locations(loaded: &Loaded, nodes: &[&NodeId]) -> Vec<String> {
        // `Loaded::location` caches each file's line starts.
        nodes.iter().map(|n| loaded.location(n)).collect()
    }

    fn raw_args(loaded: &Loaded, node: &NodeId) -> String {
        let Some(n) = loaded.node(node) else {
            return String::new();
        };
        let raw: Vec<String> = n.args().iter().map(|a| a.word.to_string()).collect();
        raw.join(" ")
    }

    fn set_args(loaded: &mut Loaded, node: &NodeId, args: &[String]) -> Result<()> {
        let words = words(args)?;
        loaded
            .set_args(node, words)
            .with_context(|| loaded.location(node))?;
        Ok(())
    }

    fn append(
        loaded: &mut Loaded,
        parent: Option<&NodeId>,
        name: &[u8],
        args: &[String],
    ) -> Result<()> {
        let name = std::str::from_utf8(name).context("directive name is not UTF-8")?;
        let directive = Directive::new(name, words(args)?)?;
        if let Some(p) = parent
            && !matches!(loaded.node(p), Some(Node::Section(_)))
        {
            bail!(
                "{}: not a section; cannot add {name} inside it",
                loaded.location(p)
            );
        }
        loaded.push(parent, directive.into())?;
        Ok(())
    }

    fn remove(loaded: &mut Loaded, node: &NodeId) -> Result<()> {
        loaded.remove(node).with_context(|| loaded.location(node))?;
        Ok(())
    }

    fn changed_files(loaded: &Loaded) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)> {
        loaded.changed_files()
    }
}
