//! Compute (Nova-style) as the simulator serves it: servers with `marker` paging, os-stop and os-start.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fleet::Refusal;
use super::reply::*;
use super::shared::{Shared, Sim, check_project};
use super::sparse;

/// Compute's routes, under both `/v2/{project_id}` and `/v2.1/{project_id}` (ECS
/// serves both).
pub fn routes() -> Router<Arc<Shared>> {
    let servers = Router::new()
        .route("/servers/detail", get(list_servers))
        .route("/servers/{server_id}", get(show_server))
        .route("/servers/{server_id}/action", post(server_action));
    Router::new()
        .nest("/v2/{project_id}", servers.clone())
        .nest("/v2.1/{project_id}", servers)
}

fn server_json(server: &super::fleet::Server) -> Value {
    json!({
        "id": server.id, "name": server.name, "status": server.status,
        "OS-EXT-STS:task_state": server.task_state, "OS-EXT-STS:vm_state": server.vm_state,
        "OS-EXT-STS:power_state": server.power_state,
        "tenant_id": "", "user_id": "", "metadata": {}, "addresses": {}, "links": [],
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
    })
}

#[allow(clippy::result_large_err)] // a refusal is a ready-made response, large by nature
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
