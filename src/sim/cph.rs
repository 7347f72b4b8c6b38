//! CPH as the simulator serves it: encode servers, batch restart, jobs (one, or those
//! of a request).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fleet::{Fleet, Job, Refusal};
use super::reply::*;
use super::shared::{Shared, Sim, check_project};
use super::sparse;

/// CPH's routes, under `/v1/{project_id}/cloud-phone`.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v1/{project_id}/cloud-phone/encode-servers",
            get(list_encoders),
        )
        .route(
            "/v1/{project_id}/cloud-phone/encode-servers/batch-restart",
            post(restart_encoders),
        )
        .route("/v1/{project_id}/cloud-phone/jobs", get(list_jobs))
        .route("/v1/{project_id}/cloud-phone/jobs/{job_id}", get(show_job))
}

#[allow(clippy::result_large_err)] // a refusal is a ready-made response, large by nature
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
    let request_id = new_request_id();
    let unlisted_rate = shared.faults().unlisted_restarts_rate;
    let mut fleet = shared.fleet();
    let jobs: Vec<Value> = request
        .encode_server_ids
        .iter()
        .map(|id| restart_one(&mut fleet, id, &request_id))
        .filter(|_| !shared.chance(unlisted_rate))
        .collect();
    json_response(
        StatusCode::OK,
        json!({ "request_id": request_id, "jobs": jobs }),
    )
}

fn restart_one(fleet: &mut Fleet, id: &str, request_id: &str) -> Value {
    match fleet.restart_encoder(id, request_id, Instant::now()) {
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
    let mut body = job_fields(job);
    body["request_id"] = json!(new_request_id());
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

/// A job as ShowJob and ListJobs describe it.
fn job_fields(job: &Job) -> Value {
    let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (error_code, error_msg) = job.error.clone().unzip();
    json!({
        "job_id": job.id, "status": job.status,
        "begin_time": time(job.begin_time), "end_time": job.end_time.map(time),
        "server_id": job.server_id, "phone_id": null, "encode_server_id": job.encoder_id,
        "error_code": error_code, "error_msg": error_msg, "execute_msg": null,
    })
}

/// ListJobs: the jobs started by the requests named in `request_ids` (comma-separated,
/// at most 20, and preferred) or `request_id`.
async fn list_jobs(
    State(shared): Sim,
    Path(project_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = cph_project(&shared, &project_id) {
        return refused;
    }
    let wanted: Vec<&str> = match (query.get("request_ids"), query.get("request_id")) {
        (Some(ids), _) => ids.split(',').filter(|id| !id.is_empty()).collect(),
        (None, Some(id)) => vec![id.as_str()],
        (None, None) => Vec::new(),
    };
    if wanted.is_empty() || wanted.len() > 20 {
        return cph_error(
            StatusCode::BAD_REQUEST,
            "CPS.0002",
            "give request_id, or request_ids with 1 to 20 ids",
        );
    }
    let number = |name: &str| query.get(name).and_then(|v| v.parse::<usize>().ok());
    let offset = number("offset").unwrap_or(0);
    let limit = number("limit").unwrap_or(100).clamp(1, 100);
    let fleet = shared.fleet();
    let mut jobs: Vec<&Job> = fleet
        .jobs
        .values()
        .filter(|job| wanted.contains(&job.request_id.as_str()))
        .collect();
    jobs.sort_by(|a, b| (a.begin_time, &a.id).cmp(&(b.begin_time, &b.id)));
    let jobs: Vec<Value> = jobs
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(job_fields)
        .collect();
    json_response(
        StatusCode::OK,
        json!({ "request_id": new_request_id(), "jobs": jobs }),
    )
}
