//! KooPhone as the simulator serves it: the instance list, batch status, stop streaming.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fleet::Phone;
use super::reply::*;
use super::shared::{Shared, Sim};
use super::{faults, sparse};
use crate::api::koophone::{LIST_PAGE_SIZE, STATUS_BATCH_LIMIT};

/// KooPhone's routes (no project in its paths).
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/instances/batch-query", get(list_instances))
        .route("/v1/instances/batch-query-status", post(batch_status))
        .route("/v1/instances/streaming/stop", post(stop_streaming))
}

fn koophone_ok(data: Value) -> Response {
    json_response(
        StatusCode::OK,
        json!({ "error_code": "0", "error_msg": "OK", "data": data }),
    )
}

/// A KooPhone error: at the top level as the API pages show it, or inside `data`
/// (as the Java SDK's list model declares it) under `--faults sparse`.
pub fn koophone_error(shared: &Shared, status: StatusCode, code: &str, message: &str) -> Response {
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

#[allow(clippy::result_large_err)] // a refusal is a ready-made response, large by nature
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
    /// Filters of the same call (ListInstancesRequest `instance_id`, `instance_name`).
    instance_id: Option<String>,
    instance_name: Option<String>,
}

async fn list_instances(State(shared): Sim, Query(query): Query<PageQuery>) -> Response {
    if query.request_id.as_deref().is_none_or(str::is_empty) {
        return bad_parameter(&shared, "x-request-id (query) is required");
    }
    let page_no = query.page_no.unwrap_or(1).max(1);
    let page_size = query
        .page_size
        .unwrap_or(LIST_PAGE_SIZE as usize)
        .clamp(1, shared.koophone_page_cap);
    let fleet = shared.fleet();
    let first = (page_no - 1) * page_size;
    // The whole fleet is one slice: an unfiltered page is taken from it directly, so
    // listing 100,000 phones does not scan them once a page.
    let matching = filtered_phones(&fleet.phones, &query);
    let phones = matching.as_deref().unwrap_or(&fleet.phones);
    let total = phones.len();
    // Some of the fields the Java SDK's model has beyond what the table shows, so the
    // detail view's "every field" is seen to be every field.
    let mut result: Vec<Value> = phones
        .iter()
        .skip(first)
        .take(page_size)
        .map(|p| {
            json!({
                "instance_id": p.id, "instance_name": p.name, "region": p.region,
                "instance_sku": "kp.standard.2", "running_status": p.status.0, "frozen_status": 0,
                "login_status": 0, "billing_mode": "PERIOD",
            })
        })
        .collect();
    if shared.faults().sparse {
        sparse::thin_rows(&mut result, first, &["instance_id"]);
        sparse::add_row_without_id(&mut result, first, json!({ "instance_name": "no-id" }));
    }
    koophone_ok(json!({
        "result": result, "page_no": page_no, "page_size": page_size, "total_count": total,
    }))
}

/// The phones the list's `instance_id` / `instance_name` filters keep, or None when
/// neither is given. No source says how the name filter matches: it matches any part
/// here, so a client must pick the exact name itself.
fn filtered_phones(phones: &[Phone], query: &PageQuery) -> Option<Vec<Phone>> {
    if query.instance_id.is_none() && query.instance_name.is_none() {
        return None;
    }
    let wanted = |p: &&Phone| {
        query.instance_id.as_deref().is_none_or(|id| id == p.id)
            && query
                .instance_name
                .as_deref()
                .is_none_or(|name| p.name.contains(name))
    };
    Some(phones.iter().filter(wanted).cloned().collect())
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
