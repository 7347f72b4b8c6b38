//! OpenStack Keystone v3, for compute clouds found in `clouds.yaml`: a password login
//! scoped to a project (`POST {auth_url}/auth/tokens`), whose token serves compute and
//! whose catalog gives the compute URL (type `compute`, the cloud's interface and region).

use chrono::{DateTime, Utc};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{ApiError, ErrorKind};
use super::service::Service;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectScope {
    Id(String),
    Name { name: String, domain: String },
}

/// A cloud of `clouds.yaml`, ready to log in to.
#[derive(Debug, Clone)]
pub struct KeystoneLogin {
    pub cloud: String,
    pub auth_url: Url,
    pub user: String,
    pub user_domain: String,
    pub password: SecretString,
    pub project: ProjectScope,
    pub region: Option<String>,
    pub interface: String,
}

impl KeystoneLogin {
    /// `{auth_url}/auth/tokens` (auth_url ends in `/v3`, with or without a slash).
    pub fn tokens_url(&self) -> Result<Url, ApiError> {
        let joined = format!(
            "{}/auth/tokens",
            self.auth_url.as_str().trim_end_matches('/')
        );
        Url::parse(&joined).map_err(|e| {
            ApiError::new(
                Service::Compute,
                ErrorKind::Credentials,
                format!("bad auth_url {joined}: {e}"),
            )
        })
    }

    pub fn body(&self) -> Value {
        let project = match &self.project {
            ProjectScope::Id(id) => json!({ "id": id }),
            ProjectScope::Name { name, domain } => {
                json!({ "name": name, "domain": { "name": domain } })
            }
        };
        json!({ "auth": {
            "identity": { "methods": ["password"], "password": { "user": {
                "name": self.user,
                "domain": { "name": self.user_domain },
                "password": self.password.expose_secret(),
            } } },
            "scope": { "project": project },
        } })
    }
}

/// A logged-in session: the token, when it expires, and the compute URL.
#[derive(Clone)]
pub struct Session {
    pub token: SecretString,
    pub expires_at: Option<DateTime<Utc>>,
    pub compute: Url,
}

#[derive(Deserialize)]
struct TokenBody {
    token: Token,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    catalog: Vec<CatalogEntry>,
}

#[derive(Deserialize)]
struct CatalogEntry {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    endpoints: Vec<CatalogEndpoint>,
}

#[derive(Deserialize)]
struct CatalogEndpoint {
    #[serde(default)]
    interface: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    region_id: Option<String>,
    #[serde(default)]
    url: String,
}

/// The session from a login's answer: the `X-Subject-Token` header and the body.
pub fn session(
    login: &KeystoneLogin,
    token: Option<&str>,
    body: &[u8],
) -> Result<Session, ApiError> {
    let fail = |message: String| ApiError::new(Service::Compute, ErrorKind::Credentials, message);
    let token = token.ok_or_else(|| {
        fail(format!(
            "Keystone of cloud {} answered without X-Subject-Token",
            login.cloud
        ))
    })?;
    let body: TokenBody = super::decode::decode(Service::Compute, body)?;
    let region_matches = |e: &CatalogEndpoint| {
        login.region.as_deref().is_none_or(|region| {
            e.region.as_deref() == Some(region) || e.region_id.as_deref() == Some(region)
        })
    };
    let url = body
        .token
        .catalog
        .iter()
        .filter(|entry| entry.kind == "compute")
        .flat_map(|entry| &entry.endpoints)
        .find(|e| e.interface == login.interface && region_matches(e))
        .map(|e| e.url.clone())
        .ok_or_else(|| {
            fail(format!(
                "the catalog of cloud {} has no compute endpoint for interface {} in region {}",
                login.cloud,
                login.interface,
                login.region.as_deref().unwrap_or("(any)")
            ))
        })?;
    let compute = Url::parse(&url).map_err(|e| {
        fail(format!(
            "the catalog's compute URL {url} is not a URL ({e})"
        ))
    })?;
    Ok(Session {
        token: SecretString::from(token.to_string()),
        expires_at: body.token.expires_at,
        compute,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(region: Option<&str>) -> KeystoneLogin {
        KeystoneLogin {
            cloud: "lab".into(),
            auth_url: Url::parse("https://k.example:5000/v3/").expect("url"),
            user: "oncall".into(),
            user_domain: "Default".into(),
            password: SecretString::from("pw"),
            project: ProjectScope::Name {
                name: "phones".into(),
                domain: "Default".into(),
            },
            region: region.map(str::to_string),
            interface: "public".into(),
        }
    }

    #[test]
    fn the_compute_url_comes_from_the_catalog_by_interface_and_region() {
        let body = br#"{"token":{"expires_at":"2030-01-01T00:00:00.000000Z","catalog":[
            {"type":"identity","endpoints":[{"interface":"public","region":"RegionOne","url":"https://k.example/v3"}]},
            {"type":"compute","endpoints":[
                {"interface":"internal","region":"RegionOne","url":"http://10.0.0.1:8774/v2.1"},
                {"interface":"public","region":"RegionOne","url":"https://nova.one.example/v2.1"},
                {"interface":"public","region_id":"RegionTwo","url":"https://nova.two.example/v2.1/p"}]}]}}"#;
        let one = session(&login(Some("RegionOne")), Some("tok"), body).expect("session");
        assert_eq!(one.compute.as_str(), "https://nova.one.example/v2.1");
        assert!(one.expires_at.is_some());
        let two = session(&login(Some("RegionTwo")), Some("tok"), body).expect("session");
        assert_eq!(two.compute.as_str(), "https://nova.two.example/v2.1/p");
        let err = session(&login(Some("RegionNine")), Some("tok"), body)
            .err()
            .expect("no such region");
        assert!(err.message.contains("RegionNine"), "{}", err.message);
        assert!(
            session(&login(None), None, body).is_err(),
            "no token header"
        );
        assert_eq!(
            login(None).tokens_url().expect("url").as_str(),
            "https://k.example:5000/v3/auth/tokens"
        );
        assert_eq!(
            login(None).body()["auth"]["scope"]["project"]["name"],
            "phones"
        );
    }
}
