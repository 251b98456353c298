//! Signed requests instant-acme has no call for: POST-as-GET of an arbitrary
//! resource (the account object, alternate certificate chains).

use super::http::Transport;
use super::key::JwsKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use bytes::Bytes;
use http::Request;
use instant_acme::{BodyWrapper, Error, HttpClient};
use serde_json::{Value, json};

pub struct Raw<'a> {
    pub transport: &'a Transport,
    pub directory_url: &'a str,
}

impl Raw<'_> {
    async fn new_nonce(&self) -> Result<String, Error> {
        let (status, body) = self.transport.get(self.directory_url).await?;
        if !status.is_success() {
            return Err(Error::Str("directory request failed"));
        }
        let directory: Value = serde_json::from_slice(&body)?;
        let url = directory["newNonce"]
            .as_str()
            .ok_or(Error::Str("directory has no newNonce"))?;
        let request = Request::builder()
            .method(http::Method::HEAD)
            .uri(url)
            .body(BodyWrapper::default())?;
        let response = self.transport.request(request).await?;
        response
            .parts
            .headers
            .get("replay-nonce")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or(Error::Str("no nonce in newNonce response"))
    }

    /// POST-as-GET `url` signed by `key` as account `kid`; returns the response
    /// body (JSON or text) and its headers.
    pub async fn post_as_get_raw(
        &self,
        key: &JwsKey,
        kid: &str,
        url: &str,
    ) -> Result<(http::HeaderMap, Bytes), Error> {
        let mut retries = 3;
        loop {
            let nonce = self.new_nonce().await?;
            let header = json!({"alg": key.alg(), "kid": kid, "nonce": nonce, "url": url});
            let protected = B64.encode(serde_json::to_vec(&header)?);
            let signature = key
                .sign(format!("{protected}.").as_bytes())
                .map_err(|e| Error::Other(Box::new(e)))?;
            let body =
                json!({"protected": protected, "payload": "", "signature": B64.encode(signature)});
            let request = Request::builder()
                .method(http::Method::POST)
                .uri(url)
                .header(http::header::CONTENT_TYPE, "application/jose+json")
                .body(BodyWrapper::from(serde_json::to_vec(&body)?))?;
            let response = self.transport.request(request).await?;
            let status = response.parts.status;
            let headers = response.parts.headers.clone();
            let mut body = response.body;
            let bytes = body.into_bytes().await.map_err(Error::Other)?;
            if status.is_success() {
                return Ok((headers, bytes));
            }
            let problem: instant_acme::Problem = serde_json::from_slice(&bytes)?;
            retries -= 1;
            if problem.r#type.as_deref() == Some("urn:ietf:params:acme:error:badNonce")
                && retries > 0
            {
                continue;
            }
            return Err(Error::Api(problem));
        }
    }

    pub async fn post_as_get(&self, key: &JwsKey, kid: &str, url: &str) -> Result<Value, Error> {
        let (_, bytes) = self.post_as_get_raw(key, kid, url).await?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

/// The `rel="alternate"` targets of `Link` headers.
pub fn alternate_links(headers: &http::HeaderMap) -> Vec<String> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter(|link| link.contains("rel=\"alternate\"") || link.contains("rel=alternate"))
        .filter_map(|link| {
            let start = link.find('<')? + 1;
            let end = link[start..].find('>')? + start;
            Some(link[start..end].to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn alternate_links_are_found() {
        let mut headers = http::HeaderMap::new();
        headers.append(
            http::header::LINK,
            "<https://ca/cert/1/1>;rel=\"alternate\"".parse().unwrap(),
        );
        headers.append(
            http::header::LINK,
            "<https://ca/dir>;rel=\"index\", <https://ca/cert/1/2>; rel=\"alternate\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            super::alternate_links(&headers),
            vec!["https://ca/cert/1/1", "https://ca/cert/1/2"]
        );
    }
}
