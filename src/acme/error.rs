//! ACME failures as a user should read them: one line that says what went
//! wrong, with the CA's own words and what to do, never a debug dump.

use super::solver::SolveError;
use instant_acme::Problem;

const URN: &str = "urn:ietf:params:acme:error:";

#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("cannot reach the ACME server at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error(
        "the ACME server at {url} answered with something that is not an ACME directory ({detail})"
    )]
    NotAcme { url: String, detail: String },
    #[error("rate limited by the CA: {detail}{}", retry_after.as_ref().map(|r| format!(" (retry after {r})")).unwrap_or_default())]
    RateLimited {
        detail: String,
        retry_after: Option<String>,
    },
    #[error("the CA refused the account: {detail}")]
    Account { detail: String },
    #[error("the CA rejected the request: {detail} ({kind})")]
    Rejected { kind: String, detail: String },
    #[error("validation failed: {}", .0.join("; "))]
    Validation(Vec<String>),
    #[error("{0}")]
    NoChallenge(String),
    // Transparent: the solver's message once (its own Display is the whole
    // line; as a source too it was printed twice by `{:#}`).
    #[error(transparent)]
    Solve(#[from] SolveError),
    #[error("interrupted; challenges cleaned up")]
    Interrupted,
    #[error("{0}")]
    Input(String),
    #[error("timed out waiting for the CA ({0})")]
    Timeout(&'static str),
    #[error("{0}")]
    Other(String),
}

impl AcmeError {
    /// Translate an instant-acme error seen while talking to `url`.
    pub fn from_acme(e: instant_acme::Error, url: &str, retry_after: Option<String>) -> AcmeError {
        match e {
            instant_acme::Error::Api(problem) => from_problem(&problem, retry_after),
            instant_acme::Error::Other(inner) => {
                if let Some(c) = inner.downcast_ref::<super::http::ConnectError>() {
                    let mut detail = c.0.clone();
                    if detail.contains("UnknownIssuer")
                        || detail.contains("invalid peer certificate")
                    {
                        detail.push_str(" (to trust the CA's certificate, give --ca-bundle FILE)");
                    }
                    AcmeError::Unreachable {
                        url: url.to_string(),
                        detail,
                    }
                } else {
                    AcmeError::Other(inner.to_string())
                }
            }
            instant_acme::Error::Json(j) => AcmeError::NotAcme {
                url: url.to_string(),
                detail: j.to_string(),
            },
            instant_acme::Error::InvalidUri(u) => {
                AcmeError::Input(format!("--server: invalid URL {url:?}: {u}"))
            }
            instant_acme::Error::Timeout(_) => AcmeError::Timeout("order did not become ready"),
            other => AcmeError::Other(other.to_string()),
        }
    }
}

/// The short name of an ACME problem type (`rateLimited`).
pub fn problem_kind(problem: &Problem) -> String {
    let t = problem.r#type.as_deref().unwrap_or("unknown");
    t.strip_prefix(URN).unwrap_or(t).to_string()
}

/// One line for a problem document, subproblems included.
pub fn describe_problem(problem: &Problem) -> String {
    let mut text = problem
        .detail
        .clone()
        .unwrap_or_else(|| "no detail given".into());
    for sub in &problem.subproblems {
        let who = sub
            .identifier
            .as_ref()
            .map(|i| i.authorized(false).to_string())
            .unwrap_or_default();
        let what = sub.detail.as_deref().unwrap_or("");
        text.push_str(&format!("; {who}: {what}"));
    }
    text
}

fn from_problem(problem: &Problem, retry_after: Option<String>) -> AcmeError {
    let kind = problem_kind(problem);
    let detail = describe_problem(problem);
    match kind.as_str() {
        "rateLimited" => AcmeError::RateLimited {
            detail,
            retry_after,
        },
        "accountDoesNotExist"
        | "externalAccountRequired"
        | "invalidContact"
        | "unsupportedContact" => AcmeError::Account {
            detail: format!("{detail} ({kind})"),
        },
        _ => AcmeError::Rejected { kind, detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(json: &str) -> Problem {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn rate_limit_names_retry_after() {
        let p = problem(
            r#"{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates"}"#,
        );
        let e = AcmeError::from_acme(
            instant_acme::Error::Api(p),
            "https://ca/dir",
            Some("120".into()),
        );
        assert_eq!(
            e.to_string(),
            "rate limited by the CA: too many certificates (retry after 120)"
        );
    }

    #[test]
    fn subproblems_are_listed() {
        let p = problem(
            r#"{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"bad names",
            "subproblems":[{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"no","identifier":{"type":"dns","value":"x.test"}}]}"#,
        );
        let e = AcmeError::from_acme(instant_acme::Error::Api(p), "u", None);
        assert_eq!(
            e.to_string(),
            "the CA rejected the request: bad names; x.test: no (rejectedIdentifier)"
        );
    }
}
