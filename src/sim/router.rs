//! The simulator's HTTP surface: a gateway layer (request log, latency, throttling,
//! auth, injected errors) in front of one handler per API, each answering in its
//! service's own shapes.

// Handlers answer refusals with ready-made responses, which are large by nature.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fleet::{Fleet, Refusal};
use super::guard::{self, Incoming};
use super::{LiveOffset, LoggedRequest, Shared, faults, sparse};
use crate::api::koophone::{LIST_PAGE_SIZE, STATUS_BATCH_LIMIT};

type Sim = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    let compute = Router::new()
        .route("/servers/detail", get(list_servers))
        .route("/servers/{server_id}", get(show_server))
        .route("/servers/{server_id}/action", post(server_action));
    Router::new()
        .route("/v1/instances/batch-query", get(list_instances))
        .route("/v1/instances/batch-query-status", post(batch_status))
        .route("/v1/instances/streaming/stop", post(stop_streaming))
        .route("/v1/{project_id}/realtime/streams", get(list_streams))
        .route("/v1/{project_id}/stream/block-once", post(block_once))
        .nest("/v2/{project_id}", compute.clone())
        .nest("/v2.1/{project_id}", compute)
        .route(
            "/v1/{project_id}/cloud-phone/encode-servers",
            get(list_encoders),
        )
        .route(
            "/v1/{project_id}/cloud-phone/encode-servers/batch-restart",
            post(restart_encoders),
        )
        .route("/v1/{project_id}/cloud-phone/jobs/{job_id}", get(show_job))
        .route("/v3/auth/tokens", post(iam_token))
        .route("/v3", get(iam_version))
        .route("/v3/projects", get(iam_projects))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), gateway))
        .with_state(shared)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    KooPhone,
    Live,
    Compute,
    Cph,
    Iam,
}

fn api_of(path: &str) -> Option<Api> {
    if path.starts_with("/v1/instances/") {
        Some(Api::KooPhone)
    } else if path.starts_with("/v3/") {
        Some(Api::Iam)
    } else if path.starts_with("/v2/") || path.starts_with("/v2.1/") {
        Some(Api::Compute)
    } else if path.contains("/cloud-phone/") {
        Some(Api::Cph)
    } else if path.starts_with("/v1/") {
        Some(Api::Live)
    } else {
        None
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// `{"error_code","error_msg"}`: KooPhone, Live and the gateway.
fn coded_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, json!({ "error_code": code, "error_msg": message }))
}

/// CPH errors also carry a request id.
fn cph_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        json!({ "request_id": new_request_id(), "error_code": code, "error_msg": message }),
    )
}

/// Nova's one-key fault body.
fn nova_fault(status: StatusCode, fault: &str, message: &str) -> Response {
    json_response(
        status,
        json!({ fault: { "message": message, "code": status.as_u16() } }),
    )
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn not_found(request: Request) -> Response {
    let message = format!("no route for {} {}", request.method(), request.uri().path());
    coded_error(StatusCode::NOT_FOUND, "APIGW.0101", &message)
}

const GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Logs the request, then stages latency, throttling, auth and injected errors,
/// in the order a real gateway meets them.
async fn gateway(State(shared): Sim, request: Request, next: Next) -> Response {
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
    let api = api_of(&path);
    let mut response = if shared.chance(faults.throttle_rate) {
        coded_error(
            StatusCode::TOO_MANY_REQUESTS,
            "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit, limit:100, time:1 minute",
        )
    } else if let Some(refused) = check_auth(&shared, api, &parts, &body) {
        coded_error(StatusCode::UNAUTHORIZED, refused.code, &refused.message)
    } else if api.is_some_and(|a| a != Api::Iam) && shared.chance(faults.forbidden_rate) {
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
    } else if api == Some(Api::Compute) && shared.chance(faults.over_limit_rate) {
        over_limit()
    } else if shared.chance(faults.error_rate) {
        injected_server_error(&shared, api)
    } else if let Some(broken) = broken_answer(&shared, &faults).await {
        broken
    } else {
        next.run(Request::from_parts(parts, Body::from(body))).await
    };
    let id = request_id.unwrap_or_else(new_request_id);
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

fn check_auth(
    shared: &Shared,
    api: Option<Api>,
    parts: &axum::http::request::Parts,
    body: &Bytes,
) -> Option<guard::Refused> {
    let api = api.filter(|a| *a != Api::Iam)?;
    let path = parts.uri.path();
    let project_scoped = matches!(api, Api::Live | Api::Cph | Api::Compute);
    let incoming = Incoming {
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
async fn broken_answer(shared: &Shared, faults: &super::Faults) -> Option<Response> {
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

/// Nova's rate limit: 413 `overLimit`, with how long to wait in `Retry-After`.
fn over_limit() -> Response {
    let mut response = nova_fault(
        StatusCode::PAYLOAD_TOO_LARGE,
        "overLimit",
        "This request was rate-limited.",
    );
    response
        .headers_mut()
        .insert("retry-after", HeaderValue::from_static("1"));
    response
}

fn injected_server_error(shared: &Shared, api: Option<Api>) -> Response {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    match api {
        Some(Api::KooPhone) => koophone_error(
            shared,
            status,
            "KOOPHONE.API.9999",
            "Internal service error.",
        ),
        Some(Api::Compute) => nova_fault(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceUnavailable",
            "The server is currently unavailable. Please try again later.",
        ),
        Some(Api::Cph) => cph_error(status, "CPS.0001", "Internal error, please retry later."),
        _ => coded_error(status, "LIVE.100011005", "System error"),
    }
}

// ---- KooPhone -------------------------------------------------------------

fn koophone_ok(data: Value) -> Response {
    json_response(
        StatusCode::OK,
        json!({ "error_code": "0", "error_msg": "OK", "data": data }),
    )
}

/// A KooPhone error: at the top level as the API pages show it, or inside `data`
/// (as the Java SDK's list model declares it) under `--faults sparse`.
fn koophone_error(shared: &Shared, status: StatusCode, code: &str, message: &str) -> Response {
    if shared.faults().sparse {
        json_response(status, sparse::error_inside_data(code, message))
    } else {
        coded_error(status, code, message)
    }
}

fn bad_parameter(shared: &Shared, message: &str) -> Response {
    koophone_error(
        shared,
        StatusCode::BAD_REQUEST,
        "KOOPHONE.API.1000",
        message,
    )
}

fn require_request_id(shared: &Shared, headers: &axum::http::HeaderMap) -> Result<(), Response> {
    if headers.contains_key("x-request-id") {
        Ok(())
    } else {
        Err(bad_parameter(shared, "x-request-id is required"))
    }
}

#[derive(Deserialize)]
struct PageQuery {
    page_no: Option<usize>,
    page_size: Option<usize>,
    /// huaweicloud-sdk-java-v3 KooPhoneMeta `listInstances` declares it a required
    /// query parameter.
    #[serde(rename = "x-request-id")]
    request_id: Option<String>,
}

async fn list_instances(State(shared): Sim, Query(query): Query<PageQuery>) -> Response {
    if query.request_id.as_deref().is_none_or(str::is_empty) {
        return bad_parameter(&shared, "x-request-id (query) is required");
    }
    let page_no = query.page_no.unwrap_or(1).max(1);
    let page_size = query
        .page_size
        .unwrap_or(LIST_PAGE_SIZE as usize)
        .clamp(1, 100);
    let fleet = shared.fleet();
    let first = (page_no - 1) * page_size;
    let mut result: Vec<Value> = fleet
        .phones
        .iter()
        .skip(first)
        .take(page_size)
        .map(|p| {
            json!({
                "instance_id": p.id, "instance_name": p.name, "region": p.region,
                "instance_sku": "kp.standard.2", "running_status": p.status.0, "frozen_status": 0,
            })
        })
        .collect();
    if shared.faults().sparse {
        sparse::thin_rows(&mut result, first, &["instance_id"]);
        sparse::add_row_without_id(&mut result, first, json!({ "instance_name": "no-id" }));
    }
    koophone_ok(json!({
        "result": result, "page_no": page_no, "page_size": page_size, "total_count": fleet.phones.len(),
    }))
}

#[derive(Deserialize)]
struct StatusQuery {
    instance_ids: Vec<String>,
}

async fn batch_status(State(shared): Sim, headers: axum::http::HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = require_request_id(&shared, &headers) {
        return refused;
    }
    let Ok(query) = serde_json::from_slice::<StatusQuery>(&body) else {
        return bad_parameter(&shared, "instance_ids is required");
    };
    if query.instance_ids.len() > STATUS_BATCH_LIMIT {
        return bad_parameter(&shared, "instance_ids: at most 32 ids per request");
    }
    let fleet = shared.fleet();
    let mut results: Vec<Value> = query
        .instance_ids
        .iter()
        .filter_map(|id| fleet.phone(id))
        .map(|p| json!({ "instance_id": p.id, "status": p.status.0 }))
        .collect();
    if shared.faults().sparse {
        sparse::thin_rows(&mut results, 0, &["instance_id"]);
    }
    if shared.faults().bare_status {
        json_response(StatusCode::OK, json!({ "status_results": results }))
    } else {
        koophone_ok(json!({ "status_results": results }))
    }
}

#[derive(Deserialize)]
struct StopStreaming {
    instance_id: String,
}

async fn stop_streaming(
    State(shared): Sim,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = require_request_id(&shared, &headers) {
        return refused;
    }
    let Ok(request) = serde_json::from_slice::<StopStreaming>(&body) else {
        return bad_parameter(&shared, "instance_id is required");
    };
    if faults::is_denied(&request.instance_id, shared.faults().deny_rate) {
        return koophone_error(
            &shared,
            StatusCode::BAD_REQUEST,
            "KOOPHONE.API.1001",
            "Insufficient instance permissions.",
        );
    }
    match shared
        .fleet()
        .stop_streaming(&request.instance_id, Instant::now())
    {
        Ok(()) => coded_error(StatusCode::OK, "0", "OK"),
        Err(refusal) => bad_parameter(&shared, refusal_text(&refusal)),
    }
}

fn refusal_text(refusal: &Refusal) -> &str {
    match refusal {
        Refusal::NotFound(text) | Refusal::Conflict(text) => text,
    }
}

// ---- Live -------------------------------------------------------------------

fn check_project(shared: &Shared, project_id: &str) -> Result<(), String> {
    if project_id == shared.credentials.project_id {
        Ok(())
    } else {
        Err(format!(
            "project {project_id} does not match the token's project"
        ))
    }
}

fn illegal(message: &str) -> Response {
    coded_error(StatusCode::BAD_REQUEST, "LIVE.100011001", message)
}

async fn list_streams(
    State(shared): Sim,
    Path(project_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(message) = check_project(&shared, &project_id) {
        return illegal(&message);
    }
    let Some(domain) = query.get("publish_domain") else {
        return illegal("Request Illegal: publish_domain is required");
    };
    let number = |name: &str, default: usize| {
        query
            .get(name)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let (offset, limit) = (number("offset", 0), number("limit", 10).clamp(1, 100));
    let fleet = shared.fleet();
    if !fleet.streams.iter().any(|s| &s.domain == domain) {
        return coded_error(
            StatusCode::NOT_FOUND,
            "LIVE.103011019",
            "Domain name not found",
        );
    }
    let app = query.get("app");
    let mut online: Vec<Value> = fleet
        .online_streams()
        .filter(|s| &s.domain == domain && app.is_none_or(|a| &s.app == a))
        .map(|s| {
            json!({
                "publish_domain": s.domain, "app": s.app, "stream": s.stream,
                "video_codec": "H264", "audio_codec": "AAC",
                "video_frame_rate": s.video_frame_rate, "audio_frame_rate": 44,
                "video_bitrate": s.video_bitrate, "audio_bitrate": 128,
                "resolution": s.resolution, "client_ip": s.client_ip,
                "start_time": s.start_time.to_rfc3339_opts(SecondsFormat::Secs, true),
            })
        })
        .collect();
    let total = online.len();
    let first = match shared.live_offset {
        LiveOffset::Pages => offset.saturating_mul(limit),
        LiveOffset::Items => offset,
    };
    if shared.faults().sparse {
        sparse::thin_rows(&mut online, 0, &["app", "stream"]);
    }
    let page: Vec<Value> = online.into_iter().skip(first).take(limit).collect();
    json_response(
        StatusCode::OK,
        json!({
            "total_page": total.div_ceil(limit), "total_num": total, "offset": offset,
            "limit": limit, "request_id": new_request_id(), "streams": page,
        }),
    )
}

#[derive(Deserialize)]
struct BlockOnce {
    domain: String,
    app_name: String,
    stream_name: String,
}

async fn block_once(State(shared): Sim, Path(project_id): Path<String>, body: Bytes) -> Response {
    if let Err(message) = check_project(&shared, &project_id) {
        return illegal(&message);
    }
    let Ok(request) = serde_json::from_slice::<BlockOnce>(&body) else {
        return illegal("Request Illegal");
    };
    let mut fleet = shared.fleet();
    if !fleet.streams.iter().any(|s| s.domain == request.domain) {
        return coded_error(
            StatusCode::NOT_FOUND,
            "LIVE.103011019",
            "Domain name not found",
        );
    }
    match fleet.block_once(
        &request.domain,
        &request.app_name,
        &request.stream_name,
        Instant::now(),
    ) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal) => illegal(refusal_text(&refusal)),
    }
}

// ---- Compute -------------------------------------------------------------------

fn server_json(server: &super::fleet::Server) -> Value {
    json!({
        "id": server.id, "name": server.name, "status": server.status,
        "OS-EXT-STS:task_state": server.task_state, "OS-EXT-STS:vm_state": server.vm_state,
        "OS-EXT-STS:power_state": server.power_state,
        "tenant_id": "", "user_id": "", "metadata": {}, "addresses": {}, "links": [],
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
    })
}

fn compute_project(shared: &Shared, project_id: &str) -> Result<(), Response> {
    check_project(shared, project_id).map_err(|message| {
        nova_fault(
            StatusCode::BAD_REQUEST,
            "badRequest",
            &format!("Malformed request URL: {message}"),
        )
    })
}

#[derive(Deserialize)]
struct ServerQuery {
    limit: Option<usize>,
    marker: Option<String>,
}

/// Nova's `max_limit`: a longer list is cut, with a `next` link to the rest.
const SERVERS_MAX_LIMIT: usize = 1000;

async fn list_servers(
    State(shared): Sim,
    Path(project_id): Path<String>,
    Query(query): Query<ServerQuery>,
) -> Response {
    if let Err(refused) = compute_project(&shared, &project_id) {
        return refused;
    }
    let fleet = shared.fleet();
    let start = match &query.marker {
        None => 0,
        Some(marker) => match fleet.servers.iter().position(|s| &s.id == marker) {
            Some(i) => i + 1,
            None => {
                return nova_fault(
                    StatusCode::BAD_REQUEST,
                    "badRequest",
                    &format!("marker [{marker}] not found"),
                );
            }
        },
    };
    let limit = query
        .limit
        .unwrap_or(SERVERS_MAX_LIMIT)
        .clamp(1, SERVERS_MAX_LIMIT);
    let page = &fleet.servers[start.min(fleet.servers.len())..];
    let mut servers: Vec<Value> = page.iter().take(limit).map(server_json).collect();
    if shared.faults().sparse {
        sparse::thin_rows(&mut servers, start, &["id", "links"]);
        sparse::add_row_without_id(&mut servers, start, json!({ "status": "ACTIVE" }));
    }
    let mut body = json!({ "servers": servers });
    if let (true, Some(last)) = (page.len() > limit, page.get(limit - 1)) {
        let href = format!(
            "/v2/{project_id}/servers/detail?limit={limit}&marker={}",
            last.id
        );
        body["servers_links"] = json!([{ "rel": "next", "href": href }]);
    }
    json_response(StatusCode::OK, body)
}

async fn show_server(
    State(shared): Sim,
    Path((project_id, server_id)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = compute_project(&shared, &project_id) {
        return refused;
    }
    let fleet = shared.fleet();
    match fleet.servers.iter().find(|s| s.id == server_id) {
        Some(server) => json_response(StatusCode::OK, json!({ "server": server_json(server) })),
        None => nova_fault(
            StatusCode::NOT_FOUND,
            "itemNotFound",
            &format!("Instance {server_id} could not be found."),
        ),
    }
}

async fn server_action(
    State(shared): Sim,
    Path((project_id, server_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(refused) = compute_project(&shared, &project_id) {
        return refused;
    }
    let action = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.keys().next().cloned()));
    let mut fleet = shared.fleet();
    let now = Instant::now();
    let result = match action.as_deref() {
        Some("os-stop") => fleet.stop_server(&server_id, now),
        Some("os-start") => fleet.start_server(&server_id, now),
        _ => {
            return nova_fault(
                StatusCode::BAD_REQUEST,
                "badRequest",
                "Malformed request body: expected os-stop or os-start",
            );
        }
    };
    match result {
        Ok(()) => (
            StatusCode::ACCEPTED,
            [("content-type", "text/html; charset=UTF-8")],
        )
            .into_response(),
        Err(Refusal::NotFound(message)) => {
            nova_fault(StatusCode::NOT_FOUND, "itemNotFound", &message)
        }
        Err(Refusal::Conflict(message)) => {
            nova_fault(StatusCode::CONFLICT, "conflictingRequest", &message)
        }
    }
}

// ---- CPH -------------------------------------------------------------------------

fn cph_project(shared: &Shared, project_id: &str) -> Result<(), Response> {
    check_project(shared, project_id)
        .map_err(|message| cph_error(StatusCode::BAD_REQUEST, "CPS.0003", &message))
}

async fn list_encoders(
    State(shared): Sim,
    Path(project_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = cph_project(&shared, &project_id) {
        return refused;
    }
    let number = |name: &str| query.get(name).and_then(|v| v.parse::<i64>().ok());
    let offset = number("offset").unwrap_or(0).max(0) as usize;
    let limit = number("limit").unwrap_or(100).clamp(1, 100) as usize;
    let status = number("status");
    let fleet = shared.fleet();
    let mut servers: Vec<Value> = fleet
        .encoders
        .iter()
        .filter(|e| status.is_none_or(|s| s == e.status))
        .skip(offset)
        .take(limit)
        .map(|e| {
            json!({
                "encode_server_name": e.name, "encode_server_id": e.id, "encode_server_ip": e.ip,
                "server_id": e.server_id, "keypair_name": "cph-key", "type": 1, "status": e.status,
                "access_infos": [{ "listen_port": 26000, "public_ip": e.ip, "server_ip": e.ip }],
            })
        })
        .collect();
    if shared.faults().sparse {
        // No extra id-less row here: CPH pages by offset, so a row that is not part of
        // the list would shift the next page.
        sparse::thin_rows(&mut servers, offset, &["encode_server_id"]);
    }
    json_response(
        StatusCode::OK,
        json!({ "request_id": new_request_id(), "encode_servers": servers }),
    )
}

#[derive(Deserialize)]
struct RestartRequest {
    encode_server_ids: Vec<String>,
}

async fn restart_encoders(
    State(shared): Sim,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(refused) = cph_project(&shared, &project_id) {
        return refused;
    }
    let request = match serde_json::from_slice::<RestartRequest>(&body) {
        Ok(r) if !r.encode_server_ids.is_empty() => r,
        _ => {
            return cph_error(
                StatusCode::BAD_REQUEST,
                "CPS.0002",
                "encode_server_ids is required",
            );
        }
    };
    let mut fleet = shared.fleet();
    let jobs: Vec<Value> = request
        .encode_server_ids
        .iter()
        .map(|id| restart_one(&mut fleet, id))
        .collect();
    json_response(
        StatusCode::OK,
        json!({ "request_id": new_request_id(), "jobs": jobs }),
    )
}

fn restart_one(fleet: &mut Fleet, id: &str) -> Value {
    match fleet.restart_encoder(id, Instant::now()) {
        Ok(job_id) => json!({ "encode_server_id": id, "job_id": job_id }),
        Err(Refusal::NotFound(message)) => {
            json!({ "encode_server_id": id, "error_code": "CPS.0005", "error_msg": message })
        }
        Err(Refusal::Conflict(message)) => {
            json!({ "encode_server_id": id, "error_code": "CPS.0045", "error_msg": message })
        }
    }
}

async fn show_job(
    State(shared): Sim,
    Path((project_id, job_id)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = cph_project(&shared, &project_id) {
        return refused;
    }
    let fleet = shared.fleet();
    let Some(job) = fleet.jobs.get(&job_id) else {
        return cph_error(
            StatusCode::NOT_FOUND,
            "CPS.0015",
            &format!("job {job_id} does not exist"),
        );
    };
    let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (error_code, error_msg) = job.error.clone().unzip();
    let mut body = json!({
        "request_id": new_request_id(), "job_id": job.id, "status": job.status,
        "begin_time": time(job.begin_time), "end_time": job.end_time.map(time),
        "server_id": job.server_id, "phone_id": null, "encode_server_id": job.encoder_id,
        "error_code": error_code, "error_msg": error_msg, "execute_msg": null,
    });
    if shared.faults().sparse {
        // The job's own fields stay: without its status no one could follow it.
        sparse::thin(
            &mut body,
            2,
            &["job_id", "status", "error_code", "error_msg"],
        );
    }
    json_response(StatusCode::OK, body)
}

// ---- IAM --------------------------------------------------------------------------

/// The service catalog of a token, as Keystone gives it: the simulator's own address
/// (as the client reached it) for compute, under `/v2.1/{project_id}`.
fn catalog(shared: &Shared, headers: &axum::http::HeaderMap) -> Value {
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let endpoint = |interface: &str, url: String| json!({ "interface": interface, "region": shared.region, "region_id": shared.region, "url": url, "id": new_request_id() });
    json!([
        { "type": "identity", "name": "keystone", "endpoints": [endpoint("public", format!("http://{host}/v3"))] },
        { "type": "compute", "name": "nova", "endpoints": [
            endpoint("internal", format!("http://{host}/internal-only/v2.1/{}", shared.credentials.project_id)),
            endpoint("public", format!("http://{host}/v2.1/{}", shared.credentials.project_id)),
        ] },
    ])
}

/// `GET /v3`: Keystone's version document; no credentials needed. Its `Date` header
/// is what clients read the server's clock from.
async fn iam_version() -> Response {
    let base = "/v3/";
    json_response(
        StatusCode::OK,
        json!({ "version": {
            "id": "v3.0", "status": "stable", "updated": "2020-01-01T00:00:00Z",
            "links": [{ "rel": "self", "href": base }],
            "media-types": [{ "base": "application/json", "type": "application/vnd.openstack.identity-v3+json" }],
        } }),
    )
}

/// `GET /v3/projects?name=REGION`: the projects visible to the caller (a token or an
/// AK/SK signature), filtered by name; the simulator has one, named after its region.
async fn iam_projects(
    State(shared): Sim,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or_default(),
        headers: &parts.headers,
        body: &[],
        project: None,
    };
    if let Err(refused) = guard::authorize(&shared, &incoming, true) {
        return coded_error(StatusCode::UNAUTHORIZED, refused.code, &refused.message);
    }
    let project = json!({
        "id": shared.credentials.project_id, "name": shared.region, "enabled": true,
        "domain_id": "0123456789abcdef0123456789abcdef", "is_domain": false,
        "parent_id": "0123456789abcdef0123456789abcdef", "description": "",
    });
    let projects: Vec<Value> = match query.get("name") {
        Some(name) if name != &shared.region => Vec::new(),
        _ => vec![project],
    };
    json_response(
        StatusCode::OK,
        json!({ "projects": projects, "links": { "self": "/v3/projects", "next": null, "previous": null } }),
    )
}

async fn iam_token(State(shared): Sim, headers: axum::http::HeaderMap, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let password = request
        .pointer("/auth/identity/password/user/password")
        .and_then(Value::as_str);
    if password != Some(shared.credentials.password.as_str()) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({ "error": { "code": 401, "message": "The username or password is wrong.", "title": "Unauthorized" } }),
        );
    }
    let token = shared.issue_token();
    let expires_at = Utc::now() + chrono::TimeDelta::hours(24);
    let mut response = json_response(
        StatusCode::CREATED,
        json!({ "token": {
            "methods": ["password"],
            "expires_at": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "issued_at": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            "project": { "id": shared.credentials.project_id, "name": shared.region },
            "catalog": catalog(&shared, &headers),
        } }),
    );
    if let Ok(value) = HeaderValue::from_str(&token) {
        response.headers_mut().insert("x-subject-token", value);
    }
    response
}
