//! IAM: `POST /v3/auth/tokens` with a password; the token is the `X-Subject-Token` header.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::auth::{IssuedToken, PasswordLogin};
use super::error::{ApiError, ErrorKind, Service};
use super::{Api, Call};

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

pub(super) async fn password_token(
    api: &Api,
    login: PasswordLogin,
) -> Result<IssuedToken, ApiError> {
    let call = Call::read_post(Service::Iam, "/v3/auth/tokens".into(), login_body(&login));
    // Boxed: send -> authenticate -> login -> send would otherwise be an infinite future.
    let reply = Box::pin(api.send(&call)).await.map_err(|e| ApiError {
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
    let body: TokenBody = super::decode(Service::Iam, &reply.body)?;
    Ok(IssuedToken {
        value: SecretString::from(token),
        expires_at: body.token.expires_at,
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
