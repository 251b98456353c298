use super::man::escape;
use super::*;

#[test]
fn roff_escapes() {
    assert_eq!(escape("--dry-run"), "\\-\\-dry\\-run");
    assert_eq!(escape(".conf files"), "\\&.conf files");
    assert_eq!(escape("'quoted'"), "\\&'quoted'");
    assert_eq!(escape("a\\b"), "a\\eb");
}

#[test]
fn negations_take_no_value_and_names_are_complete() {
    let set = FlagSet::builtin();
    let (redirect, _) = set.by_long("redirect").unwrap();
    assert_eq!(long_names(redirect), ["redirect", "no-redirect"]);
    let (domains, _) = set.by_long("domains").unwrap();
    assert!(takes_value(domains, "domain"));
    assert_eq!(value_hint(domains), ValueHint::Any);
    let (key_type, _) = set.by_long("key-type").unwrap();
    assert_eq!(value_hint(key_type), ValueHint::Words(&["ecdsa", "rsa"]));
    let (config_dir, _) = set.by_long("config-dir").unwrap();
    assert_eq!(value_hint(config_dir), ValueHint::Dir);
    assert!(verb_words().iter().any(|(w, _)| w == "update-symlinks"));
    assert_eq!(Artifact::from_name("zsh"), Some(Artifact::Zsh));
    assert_eq!(Artifact::from_name("csh"), None);
}
