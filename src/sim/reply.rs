//! The simulator's answers in each service's own error shapes, and the small checks
//! every service makes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::fleet::Refusal;

pub fn json_response(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// `{"error_code","error_msg"}`: KooPhone, Live and the gateway.
pub fn coded_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, json!({ "error_code": code, "error_msg": message }))
}

/// CPH errors also carry a request id.
pub fn cph_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        json!({ "request_id": new_request_id(), "error_code": code, "error_msg": message }),
    )
}

/// Nova's one-key fault body.
pub fn nova_fault(status: StatusCode, fault: &str, message: &str) -> Response {
    json_response(
        status,
        json!({ fault: { "message": message, "code": status.as_u16() } }),
    )
}

pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub fn refusal_text(refusal: &Refusal) -> &str {
    match refusal {
        Refusal::NotFound(text) | Refusal::Conflict(text) => text,
    }
}
