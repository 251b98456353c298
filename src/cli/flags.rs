//! What a flag is, and the set of flags one run knows.
//!
//! Every flag is a `static` [`Flag`] (the built-in ones in `table.rs`, a
//! plugin's own in its registry entry); code refers to a flag by that static,
//! never by its name, so a misspelt flag is a compile error. One [`FlagSet`]
//! drives the command line, `cli.ini` (every long name is a key there),
//! `--help`, and the renewal conf keys ([`Flag::conf`]). Names are Certbot's
//! where Certbot has the flag, so users' scripts and config files carry over.

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// `--flag` sets true; `--no-flag` (when `negation` is set) sets false.
    Switch,
    /// `--flag VALUE`, `--flag=VALUE`, `-f VALUE`, `-fVALUE`; the metavar.
    Value(&'static str),
    /// Each occurrence adds one (`-vvv`).
    Count,
}

/// What a value must look like; checked for every flag before any verb runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A file or directory (kept absolute in renewal confs).
    Path,
    /// A program: a bare name is looked up in `PATH`, anything else is a
    /// path (kept absolute in renewal confs).
    Program,
    /// 0 to 65535.
    Port,
    /// A non-negative integer.
    Number,
    /// `true`/`false` (also yes/no, on/off, 1/0).
    Bool,
    /// One of these words.
    Choice(&'static [&'static str]),
}

#[derive(Debug)]
pub struct Flag {
    /// Canonical long name, without dashes; the key used in `cli.ini`.
    pub long: &'static str,
    pub short: Option<char>,
    pub aliases: &'static [&'static str],
    /// Long name that sets a switch to false.
    pub negation: Option<&'static str>,
    pub arity: Arity,
    pub kind: Kind,
    /// `--help` section: Certbot's help topic the flag is listed under in
    /// `--help all` (`options` for Certbot's untitled first section).
    pub group: &'static str,
    /// Further help topics that list it (`--help renew`, `--help nginx`).
    pub topics: &'static [&'static str],
    pub help: &'static str,
    /// Accepted so Certbot's command lines and cli.ini files keep working,
    /// but it changes nothing in certsmith; `--help` and the user guide say so.
    pub no_op: bool,
    /// The key under `[renewalparams]` this flag is kept as for renewal
    /// (Certbot's key), if it is kept.
    pub conf: Option<&'static str>,
    /// Its value is a secret: never logged.
    pub secret: bool,
}

const fn new(long: &'static str, arity: Arity, group: &'static str, help: &'static str) -> Flag {
    Flag {
        long,
        short: None,
        aliases: &[],
        negation: None,
        arity,
        kind: Kind::Text,
        group,
        topics: &[],
        help,
        no_op: false,
        conf: None,
        secret: false,
    }
}

/// `--long` (true) and, with [`Flag::negation`], `--no-long` (false).
pub const fn switch(long: &'static str, group: &'static str, help: &'static str) -> Flag {
    new(long, Arity::Switch, group, help)
}

/// `--long VALUE`.
pub const fn value(
    long: &'static str,
    metavar: &'static str,
    group: &'static str,
    help: &'static str,
) -> Flag {
    new(long, Arity::Value(metavar), group, help)
}

/// `-v -v` counts.
pub const fn count(long: &'static str, group: &'static str, help: &'static str) -> Flag {
    new(long, Arity::Count, group, help)
}

impl Flag {
    pub const fn short(mut self, c: char) -> Flag {
        self.short = Some(c);
        self
    }
    pub const fn aliases(mut self, names: &'static [&'static str]) -> Flag {
        self.aliases = names;
        self
    }
    pub const fn negation(mut self, name: &'static str) -> Flag {
        self.negation = Some(name);
        self
    }
    pub const fn kind(mut self, kind: Kind) -> Flag {
        self.kind = kind;
        self
    }
    /// Kept in renewal confs under `key`.
    pub const fn conf(mut self, key: &'static str) -> Flag {
        self.conf = Some(key);
        self
    }
    pub const fn secret(mut self) -> Flag {
        self.secret = true;
        self
    }
    /// Also listed under these help topics.
    pub const fn topics(mut self, topics: &'static [&'static str]) -> Flag {
        self.topics = topics;
        self
    }
    /// Accepted for compatibility only: no effect in certsmith.
    pub const fn no_op(mut self) -> Flag {
        self.no_op = true;
        self
    }

    /// Whether `--help TOPIC` lists this flag.
    pub fn in_topic(&self, topic: &str) -> bool {
        self.group == topic || self.topics.contains(&topic)
    }

    /// `--long` or `-s`, for messages.
    pub fn display(&self) -> String {
        format!("--{}", self.long)
    }

    /// Whether this flag was the one named `key` in a renewal conf: its
    /// conf key, or its long name spelt with `_` (an older spelling).
    pub fn is_conf_key(&self, key: &str) -> bool {
        self.conf == Some(key)
            || (self.conf.is_some()
                && self.long.len() == key.len()
                && self
                    .long
                    .bytes()
                    .zip(key.bytes())
                    .all(|(a, b)| a == b || (a == b'-' && b == b'_')))
    }
}

/// The flags one run knows: the built-in table plus the flags plugin
/// registry entries bring.
#[derive(Debug, Clone)]
pub struct FlagSet {
    flags: Vec<&'static Flag>,
}

impl Default for FlagSet {
    fn default() -> FlagSet {
        FlagSet::builtin()
    }
}

impl FlagSet {
    /// The built-in table only.
    pub fn builtin() -> FlagSet {
        FlagSet {
            flags: super::table::CORE.to_vec(),
        }
    }

    /// The built-in table plus `extra` (a flag already known is not added
    /// twice).
    pub fn with(mut self, extra: impl IntoIterator<Item = &'static Flag>) -> FlagSet {
        for flag in extra {
            if !self.flags.iter().any(|f| std::ptr::eq(*f, flag)) {
                self.flags.push(flag);
            }
        }
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static Flag> + '_ {
        self.flags.iter().copied()
    }

    /// A flag by a long name, an alias or a negation, with whether the name
    /// was the negation. `_` is accepted for `-` (cli.ini habit).
    pub fn by_long(&self, name: &str) -> Option<(&'static Flag, bool)> {
        let name = name.replace('_', "-");
        self.iter().find_map(|f| {
            if f.long == name || f.aliases.contains(&name.as_str()) {
                Some((f, false))
            } else if f.negation == Some(name.as_str()) {
                Some((f, true))
            } else {
                None
            }
        })
    }

    /// A flag as the command line and cli.ini name it: by [`FlagSet::by_long`],
    /// else, as Certbot's argparse does, by an unambiguous prefix of a long
    /// name, alias or negation (`--force-renew`, `--non-inter`). A prefix of
    /// several names of one flag and sense is not ambiguous.
    pub fn lookup(&self, name: &str) -> Lookup {
        if let Some(found) = self.by_long(name) {
            return Lookup::Found(found.0, found.1);
        }
        let prefix = name.replace('_', "-");
        if prefix.is_empty() {
            return Lookup::Unknown;
        }
        let mut hits: Vec<(&'static Flag, bool, &'static str)> = Vec::new();
        for f in self.iter() {
            let names = std::iter::once((f.long, false))
                .chain(f.aliases.iter().map(|a| (*a, false)))
                .chain(f.negation.map(|n| (n, true)));
            for (n, negated) in names {
                if n.starts_with(&prefix) {
                    hits.push((f, negated, n));
                }
            }
        }
        let (flag, negated, _) = match hits.first() {
            None => return Lookup::Unknown,
            Some(first) => *first,
        };
        if hits
            .iter()
            .all(|(f, neg, _)| std::ptr::eq(*f, flag) && *neg == negated)
        {
            Lookup::Found(flag, negated)
        } else {
            Lookup::Ambiguous(hits.iter().map(|(_, _, n)| format!("--{n}")).collect())
        }
    }

    pub fn by_short(&self, c: char) -> Option<&'static Flag> {
        self.iter().find(|f| f.short == Some(c))
    }

    /// The flag kept in renewal confs under `key`.
    pub fn by_conf_key(&self, key: &str) -> Option<&'static Flag> {
        self.iter()
            .find(|f| f.conf == Some(key))
            .or_else(|| self.iter().find(|f| f.is_conf_key(key)))
    }
}

/// What a long name on the command line or in cli.ini names.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The flag, and whether the name was its negation.
    Found(&'static Flag, bool),
    Unknown,
    /// A prefix of these names (of different flags).
    Ambiguous(Vec<String>),
}

/// The verbs. `run` is the default when none is given.
pub static VERBS: &[(&str, &str)] = &[
    ("run", "Obtain a certificate and install it (default)"),
    ("certonly", "Obtain a certificate without installing it"),
    ("install", "Install an existing certificate"),
    (
        "enhance",
        "Add redirect, HSTS, UIR or OCSP stapling to an installed site",
    ),
    ("renew", "Renew every certificate that is due"),
    (
        "reconfigure",
        "Change a lineage's renewal options (checked by a dry run)",
    ),
    ("certificates", "List certificates"),
    (
        "update_symlinks",
        "Re-point each lineage's live links into its archive directory",
    ),
    ("delete", "Delete a lineage"),
    ("revoke", "Revoke a certificate"),
    ("rollback", "Undo the last configuration checkpoints"),
    ("checkpoints", "List configuration checkpoints"),
    ("register", "Create an ACME account"),
    ("update_account", "Change the account's contact email"),
    ("unregister", "Deactivate the ACME account"),
    ("show_account", "Show the ACME account"),
    (
        "plugins",
        "List the plugins (--authenticators, --installers, --init, --prepare)",
    ),
    (
        "conf",
        "Inspect and edit configs: conf get|match|set|rm|check|print",
    ),
    (
        "install-timer",
        "Install a systemd timer (or cron entry) for renew",
    ),
];

/// Certbot's other names for verbs: `auth` is `certonly`, `everything` is `run`.
pub static VERB_ALIASES: &[(&str, &str)] = &[("auth", "certonly"), ("everything", "run")];

/// Canonical verb for a word, accepting `-` and `_` spellings and
/// [`VERB_ALIASES`].
pub fn verb(word: &str) -> Option<&'static str> {
    let norm = word.replace('-', "_");
    let norm = VERB_ALIASES
        .iter()
        .find(|(alias, _)| *alias == norm)
        .map_or(norm.as_str(), |(_, verb)| verb);
    VERBS
        .iter()
        .map(|(v, _)| *v)
        .find(|v| v.replace('-', "_") == norm)
}

#[cfg(test)]
mod tests {
    use super::super::table::*;
    use super::*;

    #[test]
    fn names_are_unique() {
        let set = FlagSet::builtin();
        let mut all: Vec<&str> = Vec::new();
        for f in set.iter() {
            all.push(f.long);
            all.extend(f.aliases);
            all.extend(f.negation);
        }
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len(), "duplicate flag name");
        let mut shorts: Vec<char> = set.iter().filter_map(|f| f.short).collect();
        let n = shorts.len();
        shorts.sort();
        shorts.dedup();
        assert_eq!(shorts.len(), n, "duplicate short flag");
        let mut keys: Vec<&str> = set.iter().filter_map(|f| f.conf).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "two flags kept under one renewal conf key");
    }

    #[test]
    fn lookups() {
        let set = FlagSet::builtin();
        assert_eq!(
            set.by_long("no-redirect").map(|(f, neg)| (f.long, neg)),
            Some(("redirect", true))
        );
        assert_eq!(
            set.by_long("test_cert").map(|(f, _)| f.long),
            Some("staging")
        );
        assert_eq!(set.by_short('d').map(|f| f.long), Some("domains"));
        assert!(std::ptr::eq(
            set.by_conf_key("renew_hook").unwrap(),
            &DEPLOY_HOOK
        ));
        assert!(std::ptr::eq(
            set.by_conf_key("deploy_hook").unwrap(),
            &DEPLOY_HOOK
        ));
        assert!(std::ptr::eq(
            set.by_conf_key("http01_port").unwrap(),
            &HTTP_01_PORT
        ));
        assert!(set.by_conf_key("config_dir").is_none());
        assert_eq!(verb("update-account"), Some("update_account"));
        assert_eq!(verb("install_timer"), Some("install-timer"));
        assert_eq!(verb("example.com"), None);
        assert_eq!(verb("auth"), Some("certonly"));
        assert_eq!(verb("everything"), Some("run"));
    }
}
