//! The nginx engine behind `certsmith conf`: [`NginxConfig`] trees with
//! includes spliced in, edits through `syntax::nginx`.

use super::Engine;
use crate::installer::nginx::{DEFAULT_ROOT, NginxConfig, NodeRef};
use crate::syntax::nginx::{Directive, Document, Word};
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};

pub struct NginxEngine;

fn words(args: &[String]) -> Result<Vec<Word>> {
    args.iter()
        .map(|a| Word::new(a).with_context(|| format!("argument {a:?}")))
        .collect()
}

fn doc_mut<'a>(loaded: &'a mut NginxConfig, node: &NodeRef) -> Result<&'a mut Document> {
    loaded
        .doc_mut(node.file)
        .ok_or_else(|| anyhow!("no file #{}", node.file))
}

impl Engine for NginxEngine {
    type Loaded = NginxConfig;
    type Node = NodeRef;
    const FLAG: &'static str = "--nginx";

    fn given_root(options: &crate::cli::Options) -> Option<PathBuf> {
        options
            .nginx
            .root_given
            .then(|| options.nginx.server_root.clone())
    }

    fn load(root: Option<PathBuf>) -> Result<NginxConfig> {
        let root = root.unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT));
        Ok(NginxConfig::load(&root)?)
    }

    fn root_dir(root: Option<PathBuf>) -> Result<PathBuf> {
        Ok(root.unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT)))
    }

    fn reprint(file_name: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
        let doc = Document::parse(bytes).map_err(|e| anyhow!("{}:{e}", file_name.display()))?;
        Ok(doc.print())
    }

    fn locations(loaded: &NginxConfig, nodes: &[&NodeRef]) -> Vec<String> {
        loaded
            .lines_of(nodes)
            .into_iter()
            .map(|at| match at {
                Some((file, line)) => format!("{}:{line}", file.display()),
                None => String::from("?"),
            })
            .collect()
    }

    fn raw_args(loaded: &NginxConfig, node: &NodeRef) -> String {
        loaded
            .directive(node)
            .map(|d| String::from_utf8_lossy(&d.raw_args()).into_owned())
            .unwrap_or_default()
    }

    fn set_args(loaded: &mut NginxConfig, node: &NodeRef, args: &[String]) -> Result<()> {
        let words = words(args)?;
        doc_mut(loaded, node)?.set_args(&node.path, words)?;
        Ok(())
    }

    fn append(
        loaded: &mut NginxConfig,
        parent: Option<&NodeRef>,
        name: &[u8],
        args: &[String],
    ) -> Result<()> {
        let name = std::str::from_utf8(name).map_err(|_| anyhow!("directive name is not UTF-8"))?;
        let directive = Directive::new(name, words(args)?)?;
        match parent {
            None => doc_mut(
                loaded,
                &NodeRef {
                    file: 0,
                    path: Vec::new(),
                },
            )?
            .push(&[], directive)?,
            Some(p) => doc_mut(loaded, p)?.push(&p.path, directive)?,
        };
        Ok(())
    }

    fn remove(loaded: &mut NginxConfig, node: &NodeRef) -> Result<()> {
        doc_mut(loaded, node)?.remove(&node.path)?;
        Ok(())
    }

    fn changed_files(loaded: &NginxConfig) -> Vec<(PathBuf, Vec<u8>, Vec<u8>)> {
        loaded.changed_files()
    }
}
