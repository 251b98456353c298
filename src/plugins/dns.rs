//! The DNS API plugins: one entry each, built by [`api_solver`] from the
//! plugin's flags (`--dns-NAME-credentials`, `--dns-NAME-propagation-seconds`)
//! and its provider's credentials reader. A new provider is one entry here
//! (and its module in `auth/dns/providers/`).

use super::Plugin;
use crate::acme::Solver;
use crate::auth::dns::{self, DnsError, DnsSolver, Provider, Wait};
use crate::cli::Options;
use crate::cli::table::{self as t, DnsPluginFlags};
use crate::storage::RenewalParams;
use anyhow::bail;
use reverter::Reverter;
use std::path::Path;

type Built<'r> = anyhow::Result<(Box<dyn Solver + 'r>, RenewalParams)>;

/// A provider's credentials reader: the provider, and Certbot's warning for
/// a file others may read.
type Load<P> = fn(&Path) -> Result<(P, Option<String>), DnsError>;

pub static DNS_CLOUDFLARE: Plugin = Plugin {
    name: "dns-cloudflare",
    description: "Answer dns-01 through the Cloudflare API",
    selector: Some(&t::DNS_CLOUDFLARE.selector),
    flags: &[
        &t::DNS_CLOUDFLARE.credentials,
        &t::DNS_CLOUDFLARE.propagation_seconds,
    ],
    authenticator: Some(cloudflare),
    installer: None,
    hidden: false,
};

fn cloudflare<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_CLOUDFLARE, dns::Cloudflare::load)
}

pub static DNS_DIGITALOCEAN: Plugin = Plugin {
    name: "dns-digitalocean",
    description: "Answer dns-01 through the DigitalOcean API",
    selector: Some(&t::DNS_DIGITALOCEAN.selector),
    flags: &[
        &t::DNS_DIGITALOCEAN.credentials,
        &t::DNS_DIGITALOCEAN.propagation_seconds,
    ],
    authenticator: Some(digitalocean),
    installer: None,
    hidden: false,
};

fn digitalocean<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_DIGITALOCEAN, dns::DigitalOcean::load)
}

pub static DNS_DNSIMPLE: Plugin = Plugin {
    name: "dns-dnsimple",
    description: "Answer dns-01 through the DNSimple API",
    selector: Some(&t::DNS_DNSIMPLE.selector),
    flags: &[
        &t::DNS_DNSIMPLE.credentials,
        &t::DNS_DNSIMPLE.propagation_seconds,
    ],
    authenticator: Some(dnsimple),
    installer: None,
    hidden: false,
};

fn dnsimple<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_DNSIMPLE, dns::Dnsimple::load)
}

pub static DNS_DNSMADEEASY: Plugin = Plugin {
    name: "dns-dnsmadeeasy",
    description: "Answer dns-01 through the DNS Made Easy API",
    selector: Some(&t::DNS_DNSMADEEASY.selector),
    flags: &[
        &t::DNS_DNSMADEEASY.credentials,
        &t::DNS_DNSMADEEASY.propagation_seconds,
    ],
    authenticator: Some(dnsmadeeasy),
    installer: None,
    hidden: false,
};

fn dnsmadeeasy<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_DNSMADEEASY, dns::DnsMadeEasy::load)
}

pub static DNS_GEHIRN: Plugin = Plugin {
    name: "dns-gehirn",
    description: "Answer dns-01 through the Gehirn API",
    selector: Some(&t::DNS_GEHIRN.selector),
    flags: &[
        &t::DNS_GEHIRN.credentials,
        &t::DNS_GEHIRN.propagation_seconds,
    ],
    authenticator: Some(gehirn),
    installer: None,
    hidden: false,
};

fn gehirn<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_GEHIRN, dns::Gehirn::load)
}

pub static DNS_GOOGLE: Plugin = Plugin {
    name: "dns-google",
    description: "Answer dns-01 through the Google Cloud DNS API",
    selector: Some(&t::DNS_GOOGLE.selector),
    flags: &[
        &t::DNS_GOOGLE.credentials,
        &t::DNS_GOOGLE.propagation_seconds,
    ],
    authenticator: Some(google),
    installer: None,
    hidden: false,
};

fn google<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_GOOGLE, dns::Google::load)
}

pub static DNS_LINODE: Plugin = Plugin {
    name: "dns-linode",
    description: "Answer dns-01 through the Linode API",
    selector: Some(&t::DNS_LINODE.selector),
    flags: &[
        &t::DNS_LINODE.credentials,
        &t::DNS_LINODE.propagation_seconds,
    ],
    authenticator: Some(linode),
    installer: None,
    hidden: false,
};

fn linode<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_LINODE, dns::Linode::load)
}

pub static DNS_LUADNS: Plugin = Plugin {
    name: "dns-luadns",
    description: "Answer dns-01 through the LuaDNS API",
    selector: Some(&t::DNS_LUADNS.selector),
    flags: &[
        &t::DNS_LUADNS.credentials,
        &t::DNS_LUADNS.propagation_seconds,
    ],
    authenticator: Some(luadns),
    installer: None,
    hidden: false,
};

fn luadns<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_LUADNS, dns::LuaDns::load)
}

pub static DNS_NSONE: Plugin = Plugin {
    name: "dns-nsone",
    description: "Answer dns-01 through the NS1 API",
    selector: Some(&t::DNS_NSONE.selector),
    flags: &[&t::DNS_NSONE.credentials, &t::DNS_NSONE.propagation_seconds],
    authenticator: Some(nsone),
    installer: None,
    hidden: false,
};

fn nsone<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_NSONE, dns::Nsone::load)
}

pub static DNS_OVH: Plugin = Plugin {
    name: "dns-ovh",
    description: "Answer dns-01 through the OVH API",
    selector: Some(&t::DNS_OVH.selector),
    flags: &[&t::DNS_OVH.credentials, &t::DNS_OVH.propagation_seconds],
    authenticator: Some(ovh),
    installer: None,
    hidden: false,
};

fn ovh<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_OVH, dns::Ovh::load)
}

pub static DNS_ROUTE53: Plugin = Plugin {
    name: "dns-route53",
    description: "Answer dns-01 through the Route 53 API",
    selector: Some(&t::DNS_ROUTE53),
    flags: &[&t::DNS_ROUTE53_PROPAGATION_SECONDS],
    authenticator: Some(route53),
    installer: None,
    hidden: false,
};

/// No credentials file: the AWS credential chain, read now.
fn route53<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    let provider = dns::Route53::from_environment()?;
    solver_of(options, provider, &t::DNS_ROUTE53_PROPAGATION_SECONDS)
}

pub static DNS_SAKURACLOUD: Plugin = Plugin {
    name: "dns-sakuracloud",
    description: "Answer dns-01 through the Sakura Cloud API",
    selector: Some(&t::DNS_SAKURACLOUD.selector),
    flags: &[
        &t::DNS_SAKURACLOUD.credentials,
        &t::DNS_SAKURACLOUD.propagation_seconds,
    ],
    authenticator: Some(sakuracloud),
    installer: None,
    hidden: false,
};

fn sakuracloud<'r>(options: &Options, _: &[String], _: &'r mut Reverter) -> Built<'r> {
    api_solver(options, &t::DNS_SAKURACLOUD, dns::SakuraCloud::load)
}

/// The solver of a DNS plugin: its credentials file read and checked now,
/// before the CA is contacted; polling unless a fixed wait is given.
fn api_solver<'r, P: Provider + 'static>(
    options: &Options,
    flags: &'static DnsPluginFlags,
    load: Load<P>,
) -> Built<'r> {
    let Some(path) = options.args().path(&flags.credentials) else {
        bail!(
            "{} needs {} FILE (Certbot's credentials INI file for the plugin)",
            flags.selector.display(),
            flags.credentials.display()
        );
    };
    let (provider, warning) = load(&path)?;
    if let Some(warning) = warning
        && !options.output.quiet
    {
        eprintln!("Warning: {warning}");
    }
    solver_of(options, provider, &flags.propagation_seconds)
}

/// The solver of `provider`: polling unless `propagation_seconds` is given.
fn solver_of<'r, P: Provider + 'static>(
    options: &Options,
    provider: P,
    propagation_seconds: &'static crate::cli::flags::Flag,
) -> Built<'r> {
    let wait = match options.args().parsed::<u64>(propagation_seconds)? {
        Some(seconds) => Wait::Fixed(std::time::Duration::from_secs(seconds)),
        None => Wait::Poll,
    };
    let solver = DnsSolver::with_provider(provider, wait, options.output.quiet);
    Ok((Box::new(solver), RenewalParams::default()))
}
