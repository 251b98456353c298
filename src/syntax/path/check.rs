//! The invariants the `path` fuzz target checks (`fuzz/fuzz_targets/path.rs`): parsing never
//! panics and its error positions fall inside the text; a parsed path prints (`Display`) as
//! text that parses back to the same path; and over a small tree, every node a path selects
//! is selected alone by its canonical path.

use super::{Path, Tree, select};

/// A fixed tree with repeated names (so canonical paths need their indices): (name, args,
/// children).
struct Sample(Vec<Item>);
struct Item(&'static str, &'static [&'static str], Vec<Item>);

fn sample() -> Sample {
    let leaf = |name, args| Item(name, args, Vec::new());
    let server = |name: &'static [&'static str], port| {
        Item(
            "server",
            &[],
            vec![
                leaf("listen", port),
                leaf("server_name", name),
                Item("location", &["/"], vec![leaf("root", &["/srv"])]),
            ],
        )
    };
    Sample(vec![
        leaf("user", &["www-data"]),
        Item(
            "http",
            &[],
            vec![
                server(&["a.com", "www.a.com"], &["80"]),
                server(&["b.com"], &["443", "ssl"]),
                leaf("include", &["x y"]),
            ],
        ),
        Item("http", &[], vec![server(&["c.com"], &["80"])]),
    ])
}

impl Sample {
    fn get(&self, path: &[usize]) -> &Item {
        let mut item = &self.0[path[0]];
        for &i in &path[1..] {
            item = &item.2[i];
        }
        item
    }
}

impl Tree for Sample {
    type Node = Vec<usize>;
    fn top(&self) -> Vec<Vec<usize>> {
        (0..self.0.len()).map(|i| vec![i]).collect()
    }
    fn children(&self, node: &Vec<usize>) -> Vec<Vec<usize>> {
        (0..self.get(node).2.len())
            .map(|i| [&node[..], &[i]].concat())
            .collect()
    }
    fn name<'a>(&'a self, node: &Vec<usize>) -> &'a [u8] {
        self.get(node).0.as_bytes()
    }
    fn args(&self, node: &Vec<usize>) -> Vec<Vec<u8>> {
        self.get(node)
            .1
            .iter()
            .map(|a| a.as_bytes().to_vec())
            .collect()
    }
}

/// Why [`check`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("error position {at} is outside the path ({len} characters)")]
    Position { at: usize, len: usize },
    #[error("{text:?} prints as {printed:?}, which reads back differently ({reread})")]
    Display {
        text: String,
        printed: String,
        reread: String,
    },
    #[error("canonical path {canonical:?} selects {got} nodes, not the one it names")]
    Canonical { canonical: String, got: usize },
}

/// Check the path invariants on `text`. `Ok(false)`: refused with a positioned error.
pub fn check(text: &str) -> Result<bool, CheckError> {
    let path = match Path::parse(text) {
        Ok(path) => path,
        Err(e) => {
            let len = text.chars().count();
            if e.at == 0 || e.at > len + 1 {
                return Err(CheckError::Position { at: e.at, len });
            }
            return Ok(false);
        }
    };
    let printed = path.to_string();
    match Path::parse(&printed) {
        Ok(again) if again == path => {}
        other => {
            return Err(CheckError::Display {
                text: text.to_string(),
                printed,
                reread: format!("{other:?}"),
            });
        }
    }
    let tree = sample();
    for found in select(&tree, &path) {
        let canonical = Path::parse(&found.canonical).map(|p| select(&tree, &p));
        match canonical {
            Ok(got) if got.len() == 1 && got[0].node == found.node => {}
            other => {
                return Err(CheckError::Canonical {
                    canonical: found.canonical,
                    got: other.map_or(0, |g| g.len()),
                });
            }
        }
    }
    Ok(true)
}
