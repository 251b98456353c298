//! Conditional sections: `<IfModule>`, `<IfDefine>`, `<IfVersion>`, `<IfFile>`, evaluated
//! against what the caller knows about the server (loaded modules, defines, version).

use std::collections::BTreeSet;
use std::fmt;

/// Loaded modules under both names `<IfModule>` accepts: the module identifier
/// (`ssl_module`, what `apache2ctl -M` lists) and the source file (`mod_ssl.c`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Modules {
    names: BTreeSet<String>,
    identifiers: BTreeSet<String>,
}

/// Modules compiled into Debian's and Fedora's `httpd` (what `-M` lists as static).
pub const STATIC_MODULES: &[&str] = &[
    "core_module",
    "so_module",
    "watchdog_module",
    "http_module",
    "log_config_module",
    "logio_module",
    "version_module",
    "unixd_module",
];

impl Modules {
    pub fn new() -> Modules {
        Modules::default()
    }

    /// The modules every Debian/Fedora build has without `LoadModule`.
    pub fn builtin() -> Modules {
        let mut m = Modules::new();
        for id in STATIC_MODULES {
            m.insert(id);
        }
        m
    }

    /// Add a module by identifier (`ssl_module`); its source-file name comes along.
    pub fn insert(&mut self, identifier: &str) {
        self.names.insert(identifier.to_string());
        self.names.insert(source_file(identifier));
        self.identifiers.insert(identifier.to_string());
    }

    /// `<IfModule name>`: an identifier or a source-file name (case-sensitive, as Apache).
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Identifiers, sorted.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> {
        self.identifiers.iter().map(String::as_str)
    }
}

/// The source file a module identifier comes from (`ssl_module` -> `mod_ssl.c`).
fn source_file(identifier: &str) -> String {
    let stem = identifier.strip_suffix("_module").unwrap_or(identifier);
    match stem {
        "core" => "core.c".into(),
        "http" => "http_core.c".into(),
        "mpm_event" => "event.c".into(),
        "mpm_worker" => "worker.c".into(),
        "mpm_prefork" => "prefork.c".into(),
        _ => format!("mod_{stem}.c"),
    }
}

/// A server version, for `<IfVersion>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    /// `2.4.62`, `Apache/2.4.62 (Debian)` or a whole `apache2 -v` output. Missing parts are 0.
    pub fn parse(text: &str) -> Option<Version> {
        let start = text
            .find("Apache/")
            .map(|i| i + "Apache/".len())
            .unwrap_or(0);
        let digits: String = text[start..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let mut parts = digits.split('.').map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().and_then(Result::ok).unwrap_or(0);
        let patch = parts.next().and_then(Result::ok).unwrap_or(0);
        Some(Version {
            major,
            minor,
            patch,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// `!name` -> (true, name).
pub(crate) fn negation(arg: &str) -> (bool, &str) {
    match arg.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, arg),
    }
}

/// `<IfVersion [[!]op] version>`. `None`: a regular-expression form this engine does not
/// evaluate (the section is then treated as active).
pub fn if_version(args: &[String], server: Version) -> Option<bool> {
    let (op, version) = match args {
        [v] => ("=", v.as_str()),
        [op, v] => (op.as_str(), v.as_str()),
        _ => return None,
    };
    let (negated, op) = negation(op);
    if op == "~" || version.starts_with('/') {
        return None;
    }
    let wanted = Version::parse(version)?;
    let result = match op {
        "=" | "==" => server == wanted,
        ">" => server > wanted,
        ">=" => server >= wanted,
        "<" => server < wanted,
        "<=" => server <= wanted,
        _ => return None,
    };
    Some(result != negated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_both_ways() {
        let mut m = Modules::builtin();
        m.insert("ssl_module");
        m.insert("mpm_event_module");
        for name in [
            "ssl_module",
            "mod_ssl.c",
            "event.c",
            "mod_version.c",
            "core.c",
            "http_core.c",
        ] {
            assert!(m.contains(name), "{name}");
        }
        assert!(!m.contains("mod_rewrite.c"));
        assert!(!m.contains("MOD_SSL.C"));
    }

    #[test]
    fn versions() {
        assert_eq!(
            Version::parse("Server version: Apache/2.4.10 (Debian)\n"),
            Some(Version {
                major: 2,
                minor: 4,
                patch: 10
            })
        );
        assert_eq!(
            Version::parse("2.4"),
            Some(Version {
                major: 2,
                minor: 4,
                patch: 0
            })
        );
        assert_eq!(Version::parse("x"), None);
        let v = Version::parse("2.4.10").unwrap();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(if_version(&args(&[">=", "2.4"]), v), Some(true));
        assert_eq!(if_version(&args(&["<", "2.4"]), v), Some(false));
        assert_eq!(if_version(&args(&["!<", "2.4"]), v), Some(true));
        assert_eq!(if_version(&args(&["2.4.10"]), v), Some(true));
        assert_eq!(if_version(&args(&["=", "2.4"]), v), Some(false));
        assert_eq!(if_version(&args(&["~", "^2"]), v), None);
    }
}
