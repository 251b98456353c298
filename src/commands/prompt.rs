//! Questions a command asks a user at a terminal, where Certbot asks them, and the
//! flag that answers each under `-n` (or without a terminal). Library code never
//! asks: it returns what is missing, and the command asks here. The questions about
//! plugins, accounts, certificates and web roots are in `prompt/choices.rs`.

pub mod choices;

use crate::commands::Config;
use anyhow::{Context, Result, anyhow, bail};

/// Print `prompt` and read one line from stdin.
pub fn ask(prompt: &str) -> Result<String> {
    Ok(crate::prompt::ask(prompt)?)
}

/// The error for a question that cannot be asked (`-n`, or no terminal): `what` is
/// missing, `flag` gives it.
pub fn unanswered(what: &str, flag: &str) -> anyhow::Error {
    anyhow!("{what}: give {flag} (certsmith asks only at a terminal, and not with -n)")
}

/// Fails with [`unanswered`] unless the command may ask.
pub fn require_terminal(config: &Config, what: &str, flag: &str) -> Result<()> {
    match config.output.interactive() {
        true => Ok(()),
        false => Err(unanswered(what, flag)),
    }
}

/// Whether an answer means "cancel".
fn is_cancel(answer: &str) -> bool {
    answer.eq_ignore_ascii_case("c")
}

/// A numbered menu: the index of the one choice picked. Asks again after an answer
/// that is not a number shown; `c` (or end of input) cancels.
pub fn menu(question: &str, choices: &[String]) -> Result<usize> {
    println!("{question}");
    for (i, c) in choices.iter().enumerate() {
        println!("  {}: {c}", i + 1);
    }
    loop {
        let answer = ask(&format!("Number (1-{}, c: cancel): ", choices.len()))?;
        let answer = answer.trim();
        if is_cancel(answer) {
            bail!("cancelled");
        }
        match answer.parse::<usize>() {
            Ok(n) if (1..=choices.len()).contains(&n) => return Ok(n - 1),
            _ => println!("{answer:?} is not one of the numbers shown."),
        }
    }
}

/// A numbered list to pick several from: blank picks all, `c` cancels. Asks again
/// after an answer with a number not shown.
pub fn checklist(question: &str, choices: &[String]) -> Result<Vec<String>> {
    println!("{question}");
    for (i, c) in choices.iter().enumerate() {
        println!("  {}: {c}", i + 1);
    }
    loop {
        let answer = ask("Numbers, separated by commas or spaces (blank: all, c: cancel): ")?;
        match pick(choices, answer.trim()) {
            Ok(picked) => return Ok(picked),
            Err(e) if e.to_string() == "cancelled" => return Err(e),
            Err(e) => println!("{e}."),
        }
    }
}

/// A yes/no question; a blank answer is `default`.
pub fn yes_no(question: &str, default: bool) -> Result<bool> {
    let hint = if default { "[Y/n]" } else { "[y/N]" };
    let answer = ask(&format!("{question} {hint} "))?;
    let answer = answer.trim().to_ascii_lowercase();
    Ok(match answer.chars().next() {
        None => default,
        Some(c) => c == 'y',
    })
}

/// Domain names typed at the terminal (comma and/or space separated), checked;
/// asks again after a name that is not valid. `c` cancels.
pub fn type_names() -> Result<Vec<String>> {
    loop {
        let answer =
            ask("Domain names for the certificate, separated by commas or spaces (c: cancel): ")?;
        let answer = answer.trim();
        if is_cancel(answer) {
            bail!("cancelled");
        }
        let typed = crate::cli::args::split_list(answer.split_whitespace());
        match crate::acme::check_names(&typed) {
            Ok(names) if !names.is_empty() => return Ok(names),
            Ok(_) => println!("No name given."),
            Err(e) => println!("{e}"),
        }
    }
}

/// The names to get a certificate for when no `-d` is given and no web server
/// offers any (standalone, webroot, manual, dns): typed at the terminal.
pub fn names_without_server(config: &Config) -> Result<Vec<String>> {
    require_terminal(
        config,
        "no names given",
        "-d NAME (repeatable, or comma-separated)",
    )?;
    type_names()
}

/// With no `-d`, the names `server` serves (`offered`) to pick from, sorted as
/// Certbot sorts them (by their labels from the right, the top-level domain aside);
/// none found: typed at the terminal. Under `-n` an error that lists them.
/// `where_names` says where the names come from, for the message when there are none.
pub fn choose_names(
    config: &Config,
    server: &str,
    where_names: &str,
    mut offered: Vec<String>,
) -> Result<Vec<String>> {
    sort_names(&mut offered);
    if !config.output.interactive() {
        if offered.is_empty() {
            bail!(
                "no names given: use -d NAME (no {where_names} in the {server} configuration names a domain)"
            );
        }
        bail!(
            "no names given: use -d NAME (repeatable); names {server} serves here: {}",
            offered.join(", ")
        );
    }
    if offered.is_empty() {
        println!("No {where_names} in the {server} configuration names a domain.");
        return type_names();
    }
    checklist(
        &format!(
            "Which names would you like a certificate for? (found in the {server} configuration)"
        ),
        &offered,
    )
}

/// Certbot's order: by the labels read from the right, the last (the top-level
/// domain) left out; ties keep their order.
fn sort_names(names: &mut [String]) {
    let key =
        |n: &String| -> Vec<String> { n.split('.').rev().skip(1).map(str::to_string).collect() };
    names.sort_by_key(key);
}

/// The choices an answer like `1, 3` picks (blank: all; `c`: cancel).
fn pick(offered: &[String], answer: &str) -> Result<Vec<String>> {
    if is_cancel(answer) {
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
        None => yes_no("Redirect http:// to https:// for these names?", true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::{pick, sort_names};

    #[test]
    fn picks_by_number_without_duplicates() {
        let offered = vec!["a.test".to_string(), "b.test".into(), "c.test".into()];
        assert_eq!(pick(&offered, "3, 1 3").unwrap(), ["c.test", "a.test"]);
        assert_eq!(pick(&offered, "").unwrap(), offered);
        assert_eq!(pick(&offered, "C").unwrap_err().to_string(), "cancelled");
        let e = pick(&offered, "4").unwrap_err().to_string();
        assert_eq!(e, "\"4\" is not one of the numbers shown");
    }

    #[test]
    fn sorts_names_as_certbot_does() {
        let mut names: Vec<String> = ["www.b.test", "a.test", "b.test", "x.a.test", "c.example"]
            .map(String::from)
            .to_vec();
        sort_names(&mut names);
        assert_eq!(
            names,
            ["a.test", "x.a.test", "b.test", "www.b.test", "c.example"]
        );
    }
}
