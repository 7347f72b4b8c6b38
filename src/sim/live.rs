//! Live as the simulator serves it: online streams (offset read as `--live-offset` says) and block-once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{Value, json};

use super::reply::*;
use super::shared::{Shared, Sim, check_project};
use super::{LiveOffset, sparse};
use crate::api::ApiName;

/// Live's routes, under `/v1/{project_id}`.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/{project_id}/realtime/streams", get(list_streams))
        .route("/v1/{project_id}/stream/block-once", post(block_once))
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
    if let Some(throttled) = shared.over_rate_limit(ApiName::LiveStreamsOnline) {
        return throttled;
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
    if let Some(throttled) = shared.over_rate_limit(ApiName::LiveBlockOnce) {
        return throttled;
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
