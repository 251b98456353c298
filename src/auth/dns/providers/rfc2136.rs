//! `--dns-rfc2136`: TSIG-signed RFC 2136 updates to the server the
//! credentials file names. That server is also where the solver asks its
//! questions (zones, CNAMEs, the NS set), signed when `dns_rfc2136_sign_query`
//! says so.

use super::super::client::{Client, EXCHANGE_TIMEOUT};
use super::super::credentials::Credentials;
use super::super::error::DnsError;
use super::super::update::{self, TxtSet};
use super::super::zone::{self, Found};
use super::{Added, Provider, Resolver, Zone};
use hickory_proto::rr::Name;
use std::time::Duration;

/// Certbot's default `--dns-rfc2136-propagation-seconds`.
const CERTBOT_WAIT: Duration = Duration::from_secs(60);

pub struct Rfc2136Server {
    credentials: Credentials,
}

impl Rfc2136Server {
    pub fn new(credentials: Credentials) -> Rfc2136Server {
        Rfc2136Server { credentials }
    }

    fn client(&self) -> Client {
        Client {
            server: self.credentials.server,
            key: Some(self.credentials.key.clone()),
            sign_queries: self.credentials.sign_query,
            recursive: false,
            timeout: EXCHANGE_TIMEOUT,
        }
    }

    fn set(added: &Added) -> TxtSet {
        TxtSet {
            zone: added.zone.name.clone(),
            name: added.name.clone(),
            values: vec![added.value.clone()],
        }
    }
}

impl Provider for Rfc2136Server {
    fn plugin(&self) -> &'static str {
        "dns-rfc2136"
    }

    fn location(&self) -> String {
        format!("on {}", self.credentials.server)
    }

    fn resolver(&self) -> Result<Resolver, DnsError> {
        Ok(Resolver {
            client: self.client(),
            // With `dns_rfc2136_zone` the zone is known without asking (a
            // server may refuse SOA queries and still take updates): a
            // failed lookup is then a warning, as before CNAMEs were followed.
            required: self.credentials.zone.is_none(),
        })
    }

    fn default_wait(&self) -> Duration {
        CERTBOT_WAIT
    }

    async fn find_zone(&self, name: &Name, dns_zone: Option<&Name>) -> Result<Zone, DnsError> {
        let zone = match (&self.credentials.zone, dns_zone) {
            (Some(configured), _) => {
                zone::check_configured(configured, name)?;
                configured.clone()
            }
            (None, Some(found)) => found.clone(),
            (None, None) => match zone::find_zone(&self.client(), name).await? {
                Found::Zone(z) => z,
                Found::Cname(target) => {
                    return Err(DnsError::Internal(format!(
                        "{} became a CNAME to {} while adding records",
                        name.to_ascii(),
                        target.to_ascii()
                    )));
                }
            },
        };
        Ok(Zone {
            name: zone,
            id: String::new(),
        })
    }

    async fn add_txt(
        &self,
        zone: &Zone,
        name: &Name,
        value: &str,
    ) -> Result<Option<String>, DnsError> {
        let set = TxtSet {
            zone: zone.name.clone(),
            name: name.clone(),
            values: vec![value.to_string()],
        };
        update::add(&self.client(), &set).await?;
        Ok(None)
    }

    async fn delete_txt(&self, added: &Added) -> Result<(), DnsError> {
        update::delete(&self.client(), &Self::set(added)).await
    }
}
