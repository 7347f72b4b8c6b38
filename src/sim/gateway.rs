//! The simulated API gateway in front of every service: request log, latency,
//! throttling, auth, injected errors and broken answers, in the order a real gateway
//! meets them.

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::faults::Faults;
use super::guard;
use super::koophone;
use super::reply::*;
use super::shared::{LoggedRequest, Shared, Sim};
use crate::api::Service;

const GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Logs the request, then stages latency, throttling, auth and injected errors,
/// in the order a real gateway meets them.
pub async fn gateway(State(shared): Sim, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return coded_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "APIGW.0201",
            "request body too large",
        );
    };
    let path = parts.uri.path().to_string();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let request_id = header("x-request-id").map(str::to_string);
    shared.record(LoggedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        body: String::from_utf8_lossy(&body).into_owned(),
        request_id: request_id.clone(),
        signed_headers: header("authorization")
            .and_then(crate::api::signer::parse_authorization)
            .map(|parsed| parsed.signed_headers)
            .unwrap_or_default(),
        project_header: header("x-project-id").map(str::to_string),
    });
    let faults = shared.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let api = Service::of_sim_path(&path);
    let mut response = if shared.chance(faults.throttle_rate) {
        coded_error(
            StatusCode::TOO_MANY_REQUESTS,
            "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit, limit:100, time:1 minute",
        )
    } else if let Some(refused) = check_auth(&shared, api, &parts, &body) {
        coded_error(StatusCode::UNAUTHORIZED, refused.code, &refused.message)
    } else if api.is_some_and(|a| a != Service::Iam) && shared.chance(faults.forbidden_rate) {
        coded_error(
            StatusCode::FORBIDDEN,
            "APIGW.0302",
            "The IAM or ACL authentication failed: the user has no permission for this action.",
        )
    } else if shared.chance(faults.html_rate) {
        (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            GATEWAY_PAGE,
        )
            .into_response()
    } else if is_mutation(api, &parts) && shared.chance(faults.ok_error_rate) {
        let mut failed = injected_server_error(&shared, api);
        *failed.status_mut() = StatusCode::OK;
        failed
    } else if shared.chance(faults.error_rate) {
        injected_server_error(&shared, api)
    } else if let Some(broken) = broken_answer(&shared, &faults).await {
        broken
    } else if let (true, Some(held)) = (is_mutation(api, &parts), faults.lost_actions) {
        tokio::time::sleep(held).await;
        injected_server_error(&shared, api)
    } else if let (true, Some(late)) = (is_mutation(api, &parts), faults.slow_actions) {
        let answer = next.run(Request::from_parts(parts, Body::from(body))).await;
        tokio::time::sleep(late).await;
        answer
    } else {
        next.run(Request::from_parts(parts, Body::from(body))).await
    };
    // Only KooPhone knows a request by the id the client sent; the others name their own.
    let id = request_id
        .filter(|_| api == Some(Service::KooPhone))
        .unwrap_or_else(new_request_id);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    // Every answer carries the simulator's clock, skewed as staged (IAM's is read).
    let date = shared.now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert("date", value);
    }
    response
}

/// A request that changes something: every mutation is a POST, but not every POST is
/// one (IAM's token, KooPhone's batch status query).
fn is_mutation(api: Option<Service>, parts: &axum::http::request::Parts) -> bool {
    parts.method == axum::http::Method::POST
        && api.is_some_and(|a| a != Service::Iam)
        && !parts.uri.path().ends_with("/batch-query-status")
}

fn check_auth(
    shared: &Shared,
    api: Option<Service>,
    parts: &axum::http::request::Parts,
    body: &Bytes,
) -> Option<guard::Refused> {
    let api = api.filter(|a| *a != Service::Iam)?;
    let path = parts.uri.path();
    let project_scoped = api.is_project_scoped();
    let incoming = guard::Incoming {
        method: parts.method.as_str(),
        path,
        query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
        body,
        project: path.split('/').nth(2).filter(|_| project_scoped),
    };
    // Every service takes a token or an AK/SK signature (the Java SDK signs KooPhone).
    guard::authorize(shared, &incoming, true).err()
}

/// An answer broken in one of the ways a real network or gateway breaks them.
async fn broken_answer(shared: &Shared, faults: &Faults) -> Option<Response> {
    if shared.chance(faults.hang_rate) {
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
    let ok = |body: String| {
        (StatusCode::OK, [("content-type", "application/json")], body).into_response()
    };
    if shared.chance(faults.truncated_rate) {
        return Some(ok(TRUNCATED.to_string()));
    }
    if shared.chance(faults.wrong_types_rate) {
        return Some(ok(WRONG_TYPES.to_string()));
    }
    if shared.chance(faults.oversize_rate) {
        return Some(ok(format!(
            "{{\"padding\":\"{}\"}}",
            " ".repeat(OVERSIZE_BYTES)
        )));
    }
    if shared.chance(faults.empty_rate) {
        return Some(StatusCode::SERVICE_UNAVAILABLE.into_response());
    }
    None
}

const TRUNCATED: &str = r#"{"error_code":"0","data":{"status_results":[{"instance_id":"#;

/// Valid JSON in which every field a client reads has the wrong type.
const WRONG_TYPES: &str = r#"{"error_code":"0","data":{"status_results":"none","result":7,"total_count":"many"},
"streams":{"a":1},"total_page":"x","servers":"none","encode_servers":5,"jobs":"x","job_id":3,"status":"done"}"#;

/// Larger than the clients' default 16 MiB cap.
const OVERSIZE_BYTES: usize = 17 * 1024 * 1024;

fn injected_server_error(shared: &Shared, api: Option<Service>) -> Response {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    match api {
        Some(Service::KooPhone) => koophone::koophone_error(
            shared,
            status,
            "KOOPHONE.API.9999",
            "Internal service error.",
        ),
        Some(Service::Compute) => nova_fault(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceUnavailable",
            "The server is currently unavailable. Please try again later.",
        ),
        Some(Service::Cph) => cph_error(status, "CPS.0001", "Internal error, please retry later."),
        Some(Service::Live | Service::Iam) | None => {
            coded_error(status, "LIVE.100011005", "System error")
        }
    }
}
