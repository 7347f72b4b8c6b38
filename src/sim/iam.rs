//! IAM (Keystone v3) as the simulator serves it: the version document, projects by name, password logins with a catalog.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::guard::{self, Incoming};
use super::reply::*;
use super::shared::{Shared, Sim};

/// IAM's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v3/auth/tokens", post(iam_token))
        .route("/v3", get(iam_version))
        .route("/v3/projects", get(iam_projects))
}

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
