//! A plugin joins certsmith as one registry entry: flags, cli.ini keys, `--help`,
//! choosing it, building it, and its renewal conf keys both ways all follow.

use super::*;
use crate::acme::{Challenge, ChallengeKind, SolveError};
use crate::cli::flags::{switch, value};
use crate::storage::{ParamValue, RenewalConf};
use std::path::Path;

static FAKE_SWITCH: Flag = switch("fake", "plugins", "Answer challenges with the fake plugin");
static FAKE_TOKEN: Flag =
    value("fake-token", "TOKEN", "fake", "The fake plugin's token").conf("fake_token");

/// The one entry a new authenticator needs.
static FAKE: Plugin = Plugin {
    name: "fake",
    description: "A test authenticator",
    selector: Some(&FAKE_SWITCH),
    flags: &[&FAKE_TOKEN],
    authenticator: Some(fake_solver),
    installer: None,
    hidden: false,
};

struct FakeSolver(String);

impl Solver for FakeSolver {
    fn name(&self) -> &str {
        "fake"
    }
    fn preferred(&self) -> Vec<ChallengeKind> {
        vec![ChallengeKind::Dns01]
    }
    fn present(&mut self, _: &[Challenge]) -> Result<(), SolveError> {
        Err(SolveError::Message(format!("fake token {}", self.0)))
    }
    fn cleanup(&mut self, _: &[Challenge]) -> Result<(), SolveError> {
        Ok(())
    }
}

fn fake_solver<'r>(
    options: &Options,
    _: &[String],
    _: &'r mut Reverter,
) -> anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)> {
    let Some(token) = options.args().value(&FAKE_TOKEN) else {
        bail!("--fake needs --fake-token");
    };
    Ok((
        Box::new(FakeSolver(token.to_string())),
        RenewalParams::default(),
    ))
}

fn configure(registry: &Registry, words: &[&str]) -> Options {
    let argv = words.iter().map(|w| w.to_string()).collect();
    crate::cli::load_with(&registry.flag_set(), argv).unwrap().0
}

#[test]
fn a_fake_authenticator_is_one_registry_entry() {
    let registry = Registry::builtin().with(&FAKE);
    // The command line knows its flags, and so does --help.
    let config = configure(
        &registry,
        &[
            "certonly",
            "--fake",
            "--fake-token",
            "t0k",
            "-d",
            "a.example",
        ],
    );
    assert_eq!(
        registry.chosen_authenticator(&config).unwrap().as_deref(),
        Some("fake")
    );
    let help = crate::cli::help::render(
        config.flag_set(),
        &registry.help_topics(),
        &crate::cli::help::Request::Topic("fake".into()),
    );
    assert!(help.contains("--fake-token TOKEN"), "{help}");
    // -a NAME chooses it too, and two choices are refused.
    let by_name = configure(&registry, &["certonly", "-a", "fake"]);
    assert_eq!(
        registry.chosen_authenticator(&by_name).unwrap().as_deref(),
        Some("fake")
    );
    let both = configure(&registry, &["certonly", "--fake", "--standalone"]);
    let err = registry
        .chosen_authenticator(&both)
        .unwrap_err()
        .to_string();
    assert!(err.contains("choose one authenticator"), "{err}");

    // Built through the registry as `certonly` and renewal build it.
    let plugin = registry.authenticator("fake").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reverter = Reverter::open(dir.path().join("work")).unwrap();
    let (mut solver, extra) =
        (plugin.authenticator.unwrap())(&config, &["a.example".into()], &mut reverter).unwrap();
    let err = solver.present(&[]).unwrap_err().to_string();
    assert!(err.contains("fake token t0k"), "{err}");

    // Its flag is kept in the renewal conf under its key...
    let params = registry.renewal_params(&config, "fake", None, extra);
    let scalar = |key: &str| match params.get(key) {
        Some(ParamValue::Scalar(v)) => Some(v.clone()),
        _ => None,
    };
    assert_eq!(scalar("authenticator").as_deref(), Some("fake"));
    assert_eq!(scalar("fake_token").as_deref(), Some("t0k"));
    // ... and comes back from it at renewal.
    let conf = RenewalConf::parse(
        "[renewalparams]\nauthenticator = fake\nfake_token = t0k\nserver = https://ca.test/dir\n",
    )
    .unwrap();
    let renew = configure(&registry, &["renew"]);
    let restored = crate::cli::renewal::lineage_options(
        &renew,
        &conf,
        Path::new("/c/renewal/a.conf"),
        "ECDSA",
        &registry.choosers(),
    )
    .unwrap();
    assert_eq!(restored.plugins.authenticator.as_deref(), Some("fake"));
    assert_eq!(restored.args().value(&FAKE_TOKEN), Some("t0k"));
    // A switch given now replaces the stored choice, and another plugin's use
    // drops the fake plugin's key from the conf.
    let now = configure(&registry, &["renew", "--standalone"]);
    let restored = crate::cli::renewal::lineage_options(
        &now,
        &conf,
        Path::new("/c/renewal/a.conf"),
        "ECDSA",
        &registry.choosers(),
    )
    .unwrap();
    assert_eq!(
        registry.chosen_authenticator(&restored).unwrap().as_deref(),
        Some("standalone")
    );
    let params = registry.renewal_params(&restored, "standalone", None, RenewalParams::default());
    assert!(params.remove.contains(&"fake_token".to_string()));

    // The built-in registry does not know it.
    let err = Registry::builtin()
        .authenticator("fake")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("\"fake\" authenticator is not available"),
        "{err}"
    );
}

#[test]
fn unknown_plugins_are_named() {
    let registry = Registry::builtin();
    assert!(registry.authenticator("webroot").is_ok());
    let err = registry
        .authenticator("dns-gandi")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("the \"dns-gandi\" authenticator is not available")
            && err.contains(
                "standalone, webroot, manual, dns-rfc2136, dns-cloudflare, dns-digitalocean, dns-dnsimple, dns-dnsmadeeasy, dns-gehirn, dns-google, dns-linode, dns-luadns, dns-nsone, dns-ovh, dns-route53, dns-sakuracloud, nginx"
            ),
        "{err}"
    );
    let err = registry.installer("lighttpd").err().unwrap().to_string();
    assert!(
        err.contains("\"lighttpd\" installer is not available"),
        "{err}"
    );
}
