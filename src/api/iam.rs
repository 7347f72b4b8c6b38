//! IAM: `POST /v3/auth/tokens` with a password (the token is the `X-Subject-Token`
//! header), the project id by region name (`GET /v3/projects?name=`), and the server's
//! clock (`GET /v3`, no credentials, its `Date` header).

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::auth::{IssuedToken, PasswordLogin};
use super::call::Call;
use super::decode::decode;
use super::error::{ApiError, ErrorKind};
use super::rate_limits::ApiName;
use super::service::Service;
use super::transport::Reply;

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInfo,
}

#[derive(Deserialize)]
struct TokenInfo {
    expires_at: Option<DateTime<Utc>>,
}

fn is_project_id(project: &str) -> bool {
    project.len() == 32 && project.chars().all(|c| c.is_ascii_hexdigit())
}

pub(super) fn login_body(login: &PasswordLogin) -> serde_json::Value {
    let project = if is_project_id(&login.project) {
        json!({ "id": login.project })
    } else {
        json!({ "name": login.project })
    };
    json!({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": { "user": {
                    "name": login.user,
                    "password": login.password.expose_secret(),
                    "domain": { "name": login.domain },
                } },
            },
            "scope": { "project": project },
        }
    })
}

/// The login a password token comes from (sent without credentials).
pub(crate) fn login_call(login: &PasswordLogin) -> Call {
    Call::read_post(
        ApiName::IamToken,
        "/v3/auth/tokens".into(),
        login_body(login),
    )
    .anonymous()
}

/// The token a login's answer issued: its `X-Subject-Token` header, expiring when
/// the body says.
pub fn issued_token(
    login: &PasswordLogin,
    reply: Result<Reply, ApiError>,
) -> Result<IssuedToken, ApiError> {
    let reply = reply.map_err(|e| ApiError {
        kind: ErrorKind::Credentials,
        message: format!(
            "IAM password login for user {} failed: {}; check auth.user, auth.domain, auth.password_env and endpoints.iam",
            login.user, e.message
        ),
        ..e
    })?;
    let token = reply
        .headers
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let token = token.ok_or_else(|| {
        ApiError::new(
            Service::Iam,
            ErrorKind::Credentials,
            "IAM answered without an X-Subject-Token header",
        )
        .with_status(reply.status)
    })?;
    let body: TokenBody = decode(Service::Iam, &reply.body)?;
    Ok(IssuedToken {
        value: SecretString::from(token),
        expires_at: body.token.expires_at,
    })
}

#[derive(Deserialize)]
pub struct ProjectList {
    #[serde(default)]
    projects: Vec<ProjectEntry>,
}

#[derive(Deserialize)]
struct ProjectEntry {
    #[serde(default)]
    id: String,
}

fn no_project(message: String) -> ApiError {
    ApiError::new(Service::Iam, ErrorKind::Credentials, message)
}

/// The project list of a region, as the official SDKs ask for it when no project id
/// is configured: a signed `GET {iam}/v3/projects?name={region}`.
pub(crate) fn projects_call(region: Option<&str>) -> Result<Call, ApiError> {
    let region = region.ok_or_else(|| no_project(
        "no project_id configured and no region to find it by: set project_id or region in the profile (or HUAWEICLOUD_SDK_PROJECT_ID)".into(),
    ))?;
    Ok(Call::read(ApiName::IamProjects, "/v3/projects".into()).query("name", region))
}

pub fn read_projects(body: &[u8]) -> Result<ProjectList, ApiError> {
    decode::<ProjectList>(Service::Iam, body)
}

/// The region's project id: the list must hold exactly one project.
pub fn only_project(
    region: &str,
    answer: Result<(ProjectList, Option<String>), ApiError>,
) -> Result<String, ApiError> {
    let (list, _) = answer.map_err(|e| ApiError {
        message: format!(
            "cannot find the project of region {region} through IAM ({}); set project_id in the profile",
            e.message
        ),
        ..e
    })?;
    match list.projects.as_slice() {
        [only] if !only.id.is_empty() => Ok(only.id.clone()),
        [] => Err(no_project(format!(
            "IAM knows no project named {region}: check the profile's region, or set project_id"
        ))),
        many => Err(no_project(format!(
            "IAM has {} projects named {region}; exactly one is needed: set project_id in the profile",
            many.len()
        ))),
    }
}

/// IAM's version document (`GET /v3`, no credentials), for its `Date` header.
pub(crate) fn version_call() -> Call {
    Call::read(ApiName::IamVersion, "/v3".into()).anonymous()
}

/// The IAM server's clock, from the `Date` header of its answer; the gateway refuses
/// signatures more than 15 minutes off it.
pub fn clock_of(reply: &Reply) -> Result<DateTime<Utc>, ApiError> {
    let date = reply
        .headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                Service::Iam,
                ErrorKind::Decode,
                "IAM's answer has no Date header",
            )
        })?;
    DateTime::parse_from_rfc2822(date)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| {
            ApiError::new(
                Service::Iam,
                ErrorKind::Decode,
                format!(
                    "IAM's Date header `{}` is not a date ({e})",
                    crate::sanitize::sanitize(date)
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_scope_uses_id_or_name() {
        let mut login = PasswordLogin {
            user: "u".into(),
            domain: "d".into(),
            password: SecretString::from("p"),
            project: "cn-north-4".into(),
        };
        assert_eq!(
            login_body(&login)["auth"]["scope"]["project"]["name"],
            "cn-north-4"
        );
        login.project = "b72dc11461c84102b97576ae24d2b88c".into();
        assert_eq!(
            login_body(&login)["auth"]["scope"]["project"]["id"],
            "b72dc11461c84102b97576ae24d2b88c"
        );
    }
}
