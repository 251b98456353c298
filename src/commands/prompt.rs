//! Questions the web-server verbs ask a user at a terminal, and the answers
//! `-n` stands for. Shared by `--nginx` and `--apache`.

use crate::commands::Config;
use anyhow::{Context, Result, bail};

/// Print `prompt` and read one line from stdin.
pub fn ask(prompt: &str) -> Result<String> {
    Ok(crate::prompt::ask(prompt)?)
}

/// With no `-d`, the names `server` serves (`offered`, in config order) to
/// pick from; under `-n` an error that lists them. `where_names` says where
/// the names come from, for the message when there are none.
pub fn choose_names(
    config: &Config,
    server: &str,
    where_names: &str,
    offered: Vec<String>,
) -> Result<Vec<String>> {
    if offered.is_empty() {
        bail!(
            "no names given: use -d NAME (no {where_names} in the {server} configuration names a domain)"
        );
    }
    if !config.output.interactive() {
        bail!(
            "no names given: use -d NAME (repeatable); names {server} serves here: {}",
            offered.join(", ")
        );
    }
    println!("Names found in the {server} configuration:");
    for (i, n) in offered.iter().enumerate() {
        println!("  {}: {n}", i + 1);
    }
    let answer = ask("Numbers of the names to get a certificate for (blank: all, c: cancel): ")?;
    pick(&offered, answer.trim())
}

/// The names an answer like `1, 3` picks (blank: all; `c`: cancel).
fn pick(offered: &[String], answer: &str) -> Result<Vec<String>> {
    if answer.eq_ignore_ascii_case("c") {
        bail!("cancelled");
    }
    if answer.is_empty() {
        return Ok(offered.to_vec());
    }
    let mut chosen = Vec::new();
    for part in answer.split(|c: char| c == ',' || c.is_whitespace()) {
        if part.is_empty() {
            continue;
        }
        let i: usize = part
            .parse()
            .ok()
            .filter(|&i| (1..=offered.len()).contains(&i))
            .with_context(|| format!("{part:?} is not one of the numbers shown"))?;
        if !chosen.contains(&offered[i - 1]) {
            chosen.push(offered[i - 1].clone());
        }
    }
    Ok(chosen)
}

/// Whether to redirect http to https. `default`: what holds when neither
/// `--redirect` nor `--no-redirect` is given (`run`, `install`: ask, or yes
/// under `-n`, as Certbot does; `enhance`: no).
pub fn redirect(config: &Config, default: bool) -> Result<bool> {
    Ok(match config.enhance.redirect {
        Some(v) => v,
        None if !default => false,
        None if !config.output.interactive() => true,
        None => {
            let a = ask("Redirect http:// to https:// for these names? [Y/n] ")?;
            !a.trim().to_ascii_lowercase().starts_with('n')
        }
    })
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn picks_by_number_without_duplicates() {
        let offered = vec!["a.test".to_string(), "b.test".into(), "c.test".into()];
        assert_eq!(pick(&offered, "3, 1 3").unwrap(), ["c.test", "a.test"]);
        assert_eq!(pick(&offered, "").unwrap(), offered);
        assert_eq!(pick(&offered, "C").unwrap_err().to_string(), "cancelled");
        let e = pick(&offered, "4").unwrap_err().to_string();
        assert_eq!(e, "\"4\" is not one of the numbers shown");
    }
}
