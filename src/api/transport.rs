//! One HTTP exchange: send, read the body up to a cap, and turn every failure
//! (status, provider error body, HTML page, timeout, broken connection) into an `ApiError`.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::{Method, Url};
use serde_json::Value;

use super::envelope::{failure_in_success, provider_error};
use super::error::{ApiError, ErrorKind};
use super::service::Service;
use crate::sanitize::{excerpt, mask_url_secrets, sanitize};

/// Limits on every exchange.
#[derive(Debug, Clone)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_response_bytes: usize,
    /// Extra trusted roots (a private CA), added to the platform's; verification stays on.
    pub ca_certificates: Vec<reqwest::Certificate>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            max_response_bytes: 16 * 1024 * 1024,
            ca_certificates: Vec::new(),
        }
    }
}

/// A complete, successful (2xx) answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Bytes,
    /// The request id the service knows it by: the one it returned, else (KooPhone,
    /// which adopts it) the one we sent. Never one the service did not hear of.
    pub request_id: Option<String>,
}

/// One request, fully prepared (URL, headers, body).
pub struct Exchange {
    pub service: Service,
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub request_id: Option<String>,
}

/// Installs rustls' ring provider once; reqwest's `rustls-no-provider` needs it.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means another part of the process installed one first: that one is used.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub fn build_http_client(limits: &Limits) -> Result<reqwest::Client, ApiError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.request_timeout)
        .user_agent(concat!("phonedeck/", env!("CARGO_PKG_VERSION")))
        // Credentials go only to the configured host: reqwest would follow a redirect
        // to another host (or from https to http) with X-Auth-Token, the signature's
        // headers and a 307's body, password logins included.
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_merge(limits.ca_certificates.iter().cloned())
        .build()
        .map_err(|e| {
            ApiError::new(
                Service::Iam,
                ErrorKind::Connect,
                format!("cannot build the HTTP client: {e}"),
            )
        })
}

pub async fn execute(
    client: &reqwest::Client,
    limits: &Limits,
    exchange: Exchange,
) -> Result<Reply, ApiError> {
    let service = exchange.service;
    let mut request = client.request(exchange.method, exchange.url);
    for (name, value) in &exchange.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if let Some(body) = exchange.body {
        request = request.body(body);
    }
    // The id the service knows this request by: ours only where it adopts it.
    let our_id = exchange
        .request_id
        .filter(|_| service.adopts_client_request_id());
    let mut response = request
        .send()
        .await
        .map_err(|e| transport_error(service, &e).with_request_id(our_id.clone()))?;
    let status = response.status().as_u16();
    let request_id = response_request_id(response.headers()).or(our_id);
    let headers = response.headers().clone();
    let body = read_capped(&mut response, limits.max_response_bytes)
        .await
        .map_err(|e| {
            let e = if e.kind == ErrorKind::TooLarge {
                ApiError { service, ..e }
            } else {
                ApiError { service, ..e }.with_status(status)
            };
            e.with_request_id(request_id.clone())
        })?;
    if (300..400).contains(&status) {
        return Err(redirect_error(service, status, &headers).with_request_id(request_id));
    }
    if (200..300).contains(&status) {
        if let Some(error) = failure_in_success(service, status, &body) {
            return Err(error.with_request_id(request_id));
        }
        Ok(Reply {
            status,
            headers,
            body,
            request_id,
        })
    } else {
        let mut error = error_from_body(service, status, &body).with_request_id(request_id);
        error.retry_after = retry_after(&headers);
        Err(error)
    }
}

/// A 30x is never followed: the request went to the configured host only, and the
/// service there did not act on it (so a mutation is `failed`, not unknown).
fn redirect_error(service: Service, status: u16, headers: &reqwest::header::HeaderMap) -> ApiError {
    let location = headers
        .get(reqwest::header::LOCATION)
        .map(|value| mask_url_secrets(&String::from_utf8_lossy(value.as_bytes())))
        .unwrap_or_else(|| "nowhere (no Location header)".into());
    ApiError::new(
        service,
        ErrorKind::Service,
        format!(
            "the endpoint redirects (HTTP {status}) to {location}; phonedeck follows no redirect, so \
             neither the request nor its credentials went there: set the endpoint to the address \
             that serves the API"
        ),
    )
    .with_status(status)
}

/// `Retry-After` in seconds (Nova's `overLimit`, gateways' 429/503); an HTTP date is
/// not used by these services and is ignored.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A bare GET: the status of any answer, or why there was none.
pub async fn reach(client: &reqwest::Client, service: Service, url: &Url) -> Result<u16, ApiError> {
    client
        .get(url.clone())
        .send()
        .await
        .map(|response| response.status().as_u16())
        .map_err(|e| transport_error(service, &e))
}

fn response_request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    [
        "x-request-id",
        "x-compute-request-id",
        "x-openstack-request-id",
    ]
    .iter()
    .find_map(|name| headers.get(*name)?.to_str().ok())
    .map(sanitize)
}

async fn read_capped(response: &mut reqwest::Response, cap: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > cap {
                    return Err(ApiError::new(
                        Service::Iam,
                        ErrorKind::TooLarge,
                        format!("response larger than the {cap}-byte cap; the answer was dropped"),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body.freeze()),
            Err(e) => return Err(transport_error(Service::Iam, &e)),
        }
    }
}

fn transport_error(service: Service, error: &reqwest::Error) -> ApiError {
    let (kind, what) = if error.is_builder() {
        (ErrorKind::Unsendable, "cannot send this request")
    } else if error.is_connect() {
        (ErrorKind::Connect, "cannot connect")
    } else if error.is_timeout() {
        (ErrorKind::Timeout, "no answer in time")
    } else {
        (ErrorKind::Network, "connection failed")
    };
    ApiError::new(service, kind, format!("{what}: {}", root_cause(error)))
}

/// The innermost cause ("Connection refused", "dns error: ...", "operation timed out"):
/// reqwest's own top-level text only repeats the URL.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Builds the error for a non-2xx answer, whatever shape its body has.
pub fn error_from_body(service: Service, status: u16, body: &[u8]) -> ApiError {
    let (code, message) = match serde_json::from_slice::<Value>(body) {
        Ok(value) => provider_error(&value),
        Err(_) => (None, None),
    };
    let message = message.unwrap_or_else(|| {
        if body.iter().all(u8::is_ascii_whitespace) {
            format!("HTTP {status} with an empty body")
        } else {
            format!("HTTP {status}: {}", excerpt(body, 120))
        }
    });
    ApiError::new(service, ErrorKind::Service, message)
        .with_status(status)
        .with_code(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nova_fault_body() {
        let body = br#"{"conflictingRequest": {"message": "Cannot 'stop' instance while it is in vm_state stopped", "code": 409}}"#;
        let err = error_from_body(Service::Compute, 409, body);
        assert_eq!(err.code.as_deref(), Some("conflictingRequest (409)"));
        assert!(err.message.starts_with("Cannot 'stop'"));
    }

    #[test]
    fn gateway_and_provider_codes() {
        for (body, code) in [
            (
                r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
                "APIGW.0308",
            ),
            (
                r#"{"request_id":"r","error_code":"CPS.0005","error_msg":"bad"}"#,
                "CPS.0005",
            ),
            (
                r#"{"error_code":"LIVE.100011001","error_msg":"Request Illegal"}"#,
                "LIVE.100011001",
            ),
            (r#"{"error":{"code":"401","message":"x"}}"#, "error (401)"),
        ] {
            let err = error_from_body(Service::Live, 400, body.as_bytes());
            assert_eq!(err.code.as_deref(), Some(code), "{body}");
        }
    }

    #[test]
    fn koophone_error_inside_data_is_found_on_any_status() {
        let body = br#"{"data":{"error_code":"KOOPHONE.API.1001","error_msg":"Insufficient instance permissions"}}"#;
        for status in [200, 400, 401] {
            let err = error_from_body(Service::KooPhone, status, body);
            assert_eq!(err.code.as_deref(), Some("KOOPHONE.API.1001"));
            assert_eq!(err.message, "Insufficient instance permissions");
        }
        let mixed = br#"{"error_code":"0","data":{"error_code":"KOOPHONE.API.1004","error_msg":"not subscribed"}}"#;
        let value: Value = serde_json::from_slice(mixed).expect("json");
        assert_eq!(
            provider_error(&value).0.as_deref(),
            Some("KOOPHONE.API.1004")
        );
    }

    #[test]
    fn a_redirect_is_a_failure_naming_its_location_without_its_password() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::LOCATION,
            "http://mallory:pw-S3cret@other.example/v1/instances"
                .parse()
                .expect("header"),
        );
        let err = redirect_error(Service::KooPhone, 307, &headers);
        assert!(
            err.message
                .contains("http://mallory:***@other.example/v1/instances"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("pw-S3cret"));
        assert!(!err.outcome_unknown(), "the service did not act: failed");
    }

    #[test]
    fn html_and_empty_bodies_give_status_and_excerpt() {
        let html = error_from_body(
            Service::Cph,
            502,
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        );
        assert_eq!(html.status, Some(502));
        assert!(html.message.contains("502 Bad Gateway"), "{}", html.message);
        assert!(html.outcome_unknown());
        let empty = error_from_body(Service::Cph, 503, b"");
        assert_eq!(empty.message, "HTTP 503 with an empty body");
    }
}
