//! Parsers for what `apache2ctl` prints: `-M` / `-t -D DUMP_MODULES`, `-t -D DUMP_RUN_CFG`,
//! `-S` / `-t -D DUMP_VHOSTS`. The installer runs the binary; these only read text.

use super::cond::Modules;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `Loaded Modules:` then ` name_module (static|shared)` lines; other lines are ignored.
pub fn parse_modules(text: &str) -> Modules {
    let mut modules = Modules::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if let (Some(id), Some(kind)) = (words.next(), words.next())
            && id.ends_with("_module")
            && (kind == "(static)" || kind == "(shared)")
        {
            modules.insert(id);
        }
    }
    modules
}

/// What `-D DUMP_RUN_CFG` tells the loader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunConfig {
    pub server_root: Option<PathBuf>,
    /// `Define: NAME` (value `None`) and `Define: NAME=value`, without the `DUMP_*` ones
    /// the dump itself sets.
    pub defines: BTreeMap<String, Option<String>>,
}

pub fn parse_run_cfg(text: &str) -> RunConfig {
    let mut cfg = RunConfig::default();
    for line in text.lines() {
        if let Some(root) = line.strip_prefix("ServerRoot: ") {
            cfg.server_root = Some(PathBuf::from(root.trim().trim_matches('"')));
        } else if let Some(def) = line.strip_prefix("Define: ") {
            let (name, value) = match def.trim().split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (def.trim(), None),
            };
            if !name.starts_with("DUMP_") {
                cfg.defines.insert(name.to_string(), value);
            }
        }
    }
    cfg
}

/// One virtual host as `-S` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpedVhost {
    /// `*:80`, `[::]:443`, `_default_:443` ...
    pub address: String,
    /// The ServerName (or the server's host name when the vhost has none).
    pub name: String,
    pub file: PathBuf,
    pub line: usize,
    /// Listed under `ADDR is a NameVirtualHost` (only then does `-S` print aliases).
    pub name_based: bool,
    pub aliases: Vec<String>,
}

/// The vhost lines of `-S`. A name-based address prints `ADDR is a NameVirtualHost`, then a
/// `default server` line (a repeat of the first vhost, skipped) and `port N namevhost NAME
/// (FILE:LINE)` lines, each followed by its `alias` lines; an address with one vhost prints
/// `ADDR NAME (FILE:LINE)`.
pub fn parse_vhosts(text: &str) -> Vec<DumpedVhost> {
    let mut out: Vec<DumpedVhost> = Vec::new();
    let mut address = String::new();
    for line in text.lines() {
        let indented = line.starts_with(char::is_whitespace);
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [addr, "is", "a", "NameVirtualHost"] if !indented => address = addr.to_string(),
            ["port", _, "namevhost", name, place] if indented => {
                push(&mut out, &address, name, place, true)
            }
            ["alias", alias] | ["wild", "alias", alias] if indented => {
                if let Some(last) = out.last_mut() {
                    last.aliases.push(alias.to_string());
                }
            }
            [addr, name, place] if !indented && place.starts_with('(') => {
                push(&mut out, addr, name, place, false)
            }
            _ => {}
        }
    }
    out
}

fn push(out: &mut Vec<DumpedVhost>, address: &str, name: &str, place: &str, name_based: bool) {
    let place = place.trim_start_matches('(').trim_end_matches(')');
    let Some((file, line)) = place.rsplit_once(':') else {
        return;
    };
    let Ok(line) = line.parse() else { return };
    out.push(DumpedVhost {
        address: address.to_string(),
        name: name.to_string(),
        file: PathBuf::from(file),
        line,
        name_based,
        aliases: Vec::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vhosts_both_forms() {
        let text = "VirtualHost configuration:\n*:443                  example.com (/etc/apache2/sites-enabled/example-ssl.conf:1)\n*:80                   is a NameVirtualHost\n         default server 127.0.1.1 (/etc/apache2/sites-enabled/000-default.conf:1)\n         port 80 namevhost 127.0.1.1 (/etc/apache2/sites-enabled/000-default.conf:1)\n         port 80 namevhost example.com (/etc/apache2/sites-enabled/example.conf:3)\n                 alias www.example.com\nServerRoot: \"/etc/apache2\"\n";
        let v = parse_vhosts(text);
        assert_eq!(v.len(), 3);
        assert_eq!(
            (v[0].address.as_str(), v[0].name.as_str(), v[0].line),
            ("*:443", "example.com", 1)
        );
        assert_eq!(v[2].address, "*:80");
        assert_eq!(
            v[2].file,
            PathBuf::from("/etc/apache2/sites-enabled/example.conf")
        );
        assert_eq!(
            (v[2].line, v[2].aliases.clone()),
            (3, vec!["www.example.com".to_string()])
        );
    }

    #[test]
    fn run_cfg() {
        let cfg = parse_run_cfg(
            "ServerRoot: \"/etc/apache2\"\nDefine: DUMP_RUN_CFG\nDefine: BAR=baz\nDefine: QUX\n",
        );
        assert_eq!(cfg.server_root, Some(PathBuf::from("/etc/apache2")));
        assert_eq!(cfg.defines.get("BAR"), Some(&Some("baz".to_string())));
        assert_eq!(cfg.defines.get("QUX"), Some(&None));
        assert!(!cfg.defines.contains_key("DUMP_RUN_CFG"));
    }
}
