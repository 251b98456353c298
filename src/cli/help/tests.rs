use super::*;

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

const PLUGINS: &[PluginTopic] = &[PluginTopic {
    name: "nginx",
    description: "nginx",
    selector: None,
}];

#[test]
fn certbot_prescan() {
    let ask = |line: &str| requested(&words(line), PLUGINS);
    assert_eq!(ask("certonly -d a.example"), None);
    assert_eq!(ask("--help").unwrap().0, Request::Overview);
    assert_eq!(ask("help").unwrap().0, Request::Overview);
    assert_eq!(ask("help badtopic").unwrap().0, Request::Overview);
    assert_eq!(ask("--help all").unwrap().0, Request::Topic("all".into()));
    assert_eq!(ask("-h nginx").unwrap().0, Request::Topic("nginx".into()));
    assert_eq!(
        ask("help auth").unwrap().0,
        Request::Topic("certonly".into())
    );
    assert_eq!(
        ask("help update_symlinks").unwrap().0,
        Request::Topic("update_symlinks".into())
    );
    // The rest still names the directories.
    let (request, rest) = ask("--config-dir /x --help paths -q").unwrap();
    assert_eq!(request, Request::Topic("paths".into()));
    assert_eq!(rest, words("--config-dir /x -q"));
    let (request, rest) = ask("-h nosuchtopic -q").unwrap();
    assert_eq!((request, rest), (Request::Overview, words("-q")));
    // `help` is a help word only first, as in Certbot.
    assert_eq!(ask("certonly help"), None);
}

#[test]
fn all_lists_every_flag_once_under_its_group() {
    let set = FlagSet::builtin();
    let text = render(&set, PLUGINS, &Request::Topic("all".into()));
    for flag in set.iter() {
        let line = format!("--{}", flag.long);
        let n = text
            .lines()
            .filter(|l| {
                l.trim_start()
                    .split(", ")
                    .any(|n| n.split(' ').next() == Some(line.as_str()))
            })
            .count();
        // The overview at the top repeats a few common flags.
        assert!(n >= 1, "{line} missing from --help all");
    }
}

#[test]
fn compatibility_only_flags_say_so() {
    let set = FlagSet::builtin();
    let text = render(&set, PLUGINS, &Request::Topic("all".into()));
    let no_ops: Vec<&Flag> = set.iter().filter(|f| f.no_op).collect();
    assert!(no_ops.len() > 10);
    for flag in no_ops {
        assert!(flag_help(flag).starts_with(NO_OP));
        assert!(
            text.contains(&flag_help(flag)),
            "--{}'s help not shown",
            flag.long
        );
    }
    for flag in set.iter().filter(|f| !f.no_op) {
        assert!(
            !flag.help.to_lowercase().contains("no effect"),
            "--{} says it has no effect but is not marked no_op",
            flag.long
        );
    }
}

#[test]
fn a_topic_shows_its_flags_and_not_others() {
    let set = FlagSet::builtin();
    let text = render(&set, PLUGINS, &Request::Topic("nginx".into()));
    assert!(text.contains("--nginx-server-root DIR"), "{text}");
    assert!(text.contains("--https-port PORT"), "{text}");
    assert!(!text.contains("--apache-ctl"), "{text}");
    let renew = render(&set, PLUGINS, &Request::Topic("renew".into()));
    assert!(renew.contains("--deploy-hook"), "{renew}");
    assert!(renew.contains("certsmith renew"), "{renew}");
    let commands = render(&set, PLUGINS, &Request::Topic("commands".into()));
    for (verb, _) in VERBS {
        assert!(commands.contains(verb), "{verb} not in --help commands");
    }
    assert!(commands.contains("auth"));
}

/// The user guide's list of compatibility-only options is the table's: each
/// `no_op` flag is there, and each option a list item names (before its
/// colon) is a `no_op` flag.
#[test]
fn the_user_guide_lists_the_compatibility_only_options() {
    let guide = include_str!("../../../docs/user-guide.md");
    let section = guide
        .split_once("#### Options accepted for compatibility only")
        .expect("the user guide has the section")
        .1;
    let section = section.split("\n#").next().unwrap();
    let set = FlagSet::builtin();
    for flag in set.iter().filter(|f| f.no_op) {
        assert!(
            section.contains(&format!("`--{}`", flag.long)),
            "--{} is not in the user guide's list",
            flag.long
        );
    }
    for item in section.lines().filter_map(|l| l.strip_prefix("- ")) {
        let named = item.split(':').next().unwrap();
        for name in named.split('`').filter_map(|w| w.strip_prefix("--")) {
            let found = set.by_long(name).map(|(f, _)| f.no_op);
            assert_eq!(found, Some(true), "--{name} is listed but not no_op");
        }
    }
}
