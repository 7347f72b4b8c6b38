//! The simulated API gateway's checks: tokens (with expiry) and AK/SK signatures.

use std::time::Instant;

use axum::http::HeaderMap;
use chrono::NaiveDateTime;

use super::shared::{Shared, lock};
use crate::api::signer::{self, SignableRequest};

/// The gateway's refusal: 401 with an `APIGW.` code.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
}

fn refused(code: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        code,
        message: message.into(),
    }
}

/// The parts of a request the gateway looks at.
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The project in the path of a project-scoped call (Live, CPH, compute).
    pub project: Option<&'a str>,
}

/// Accepts a valid signature (when `allow_signature`) or a valid, unexpired token.
pub fn authorize(
    shared: &Shared,
    request: &Incoming,
    allow_signature: bool,
) -> Result<(), Refused> {
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
    match (header("authorization"), header("x-auth-token")) {
        (Some(authorization), _)
            if allow_signature && authorization.starts_with(signer::ALGORITHM) =>
        {
            verify_signature(shared, request, authorization)
        }
        (_, Some(token)) => check_token(shared, token),
        _ => Err(refused(
            "APIGW.0301",
            "Incorrect IAM authentication information: token or signature missing",
        )),
    }
}

fn check_token(shared: &Shared, token: &str) -> Result<(), Refused> {
    let mut book = lock(&shared.tokens);
    if book.revoked.iter().any(|t| t == token) {
        return Err(refused("APIGW.0307", "The token must be updated."));
    }
    let known = token == shared.credentials.token || book.issued.iter().any(|t| t == token);
    if !known {
        return Err(refused(
            "APIGW.0301",
            "Incorrect IAM authentication information: token is invalid",
        ));
    }
    let now = Instant::now();
    let first_use = *book.first_use.entry(token.to_string()).or_insert(now);
    if let Some(ttl) = shared.faults().token_ttl {
        if now.duration_since(first_use) > ttl {
            return Err(refused("APIGW.0307", "The token must be updated."));
        }
    }
    Ok(())
}

fn verify_signature(
    shared: &Shared,
    request: &Incoming,
    authorization: &str,
) -> Result<(), Refused> {
    let fail = |why: &str| {
        refused(
            "APIGW.0301",
            format!("Incorrect IAM authentication information: verify aksk signature fail ({why})"),
        )
    };
    let parsed = signer::parse_authorization(authorization)
        .ok_or_else(|| fail("malformed Authorization"))?;
    if parsed.access_key != shared.credentials.access_key {
        return Err(fail("unknown access key"));
    }
    let signed = |name: &str| parsed.signed_headers.iter().any(|h| h == name);
    if !signed("host") || !signed(signer::DATE_HEADER) {
        return Err(fail("host and x-sdk-date must be signed"));
    }
    // Content-Type may go unsigned: the Java (`AKSKSigner`) and Go (`signer.go`) SDKs
    // send it without signing it, only the Python SDK signs it.
    if let Some(project) = request.project {
        let named = request
            .headers
            .get("x-project-id")
            .and_then(|v| v.to_str().ok());
        if named != Some(project) || !signed("x-project-id") {
            return Err(fail(
                "a project-scoped call must sign X-Project-Id naming the path's project",
            ));
        }
    }
    if let Some(expected) = &shared.credentials.security_token {
        let sent = request
            .headers
            .get(signer::SECURITY_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok());
        if sent != Some(expected.as_str()) || !signed(signer::SECURITY_TOKEN_HEADER) {
            return Err(fail("temporary credentials need a signed X-Security-Token"));
        }
    }
    let date = request
        .headers
        .get(signer::DATE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| fail("x-sdk-date missing"))?;
    let signed_at = NaiveDateTime::parse_from_str(date, signer::DATE_FORMAT)
        .map_err(|_| fail("x-sdk-date malformed"))?
        .and_utc();
    if (shared.now() - signed_at).num_minutes().abs() > 15 {
        return Err(fail(
            "signature expired: x-sdk-date more than 15 minutes off",
        ));
    }
    let headers: Vec<(String, String)> = parsed
        .signed_headers
        .iter()
        .map(|name| {
            let value = request
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            (name.clone(), value.to_string())
        })
        .collect();
    let signable = SignableRequest {
        method: request.method,
        path: request.path,
        query: request.query,
        headers: &headers,
        body: request.body,
    };
    if signer::signature(&signable, date, &shared.credentials.secret_key) == parsed.signature {
        Ok(())
    } else {
        Err(fail("signature mismatch"))
    }
}
