//! The providers' error shapes, on any status: an error answer names its code and
//! message in one of them, and a 2xx answer that carries one is a failure all the same
//! (Live's block-once, Nova's actions, CPH's batch-restart and KooPhone all answer
//! 200 with an error body at times).
//!
//! Shapes: `{"error_code","error_msg"}` (KooPhone, Live, CPH, the gateway),
//! `{"code","message"}`, `{"error":{"code","message"}}` (IAM), Nova's one-key fault
//! `{"conflictingRequest":{"message","code"}}`, and KooPhone's
//! `{"data":{"error_code","error_msg"}}` (huaweicloud-sdk-java-v3
//! `InstanceBatchQueryRspData` declares the error fields inside `data`).

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;

use super::error::{ApiError, ErrorKind};
use super::service::Service;

/// The one code that means success where a success body carries one (KooPhone's
/// `"error_code":"0"`, `"error_msg":"OK"`).
const SUCCESS_CODE: &str = "0";

/// The names Nova wraps a fault in (nova `api/openstack/wsgi.py`, `Fault._fault_names`,
/// and `computeFault` for any other status).
const NOVA_FAULTS: [&str; 11] = [
    "badRequest",
    "unauthorized",
    "forbidden",
    "itemNotFound",
    "badMethod",
    "conflictingRequest",
    "overLimit",
    "badMediaType",
    "notImplemented",
    "serviceUnavailable",
    "computeFault",
];

/// The error fields of one level of an answer, read without building the rest of it
/// (a list's rows are skipped, not parsed).
#[derive(Deserialize, Default)]
pub struct Head<'a> {
    #[serde(default, borrow)]
    error_code: Option<&'a RawValue>,
    #[serde(default, borrow)]
    code: Option<&'a RawValue>,
    #[serde(default, borrow)]
    error_msg: Option<&'a RawValue>,
    #[serde(default, borrow)]
    message: Option<&'a RawValue>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

impl<'a> Head<'a> {
    /// KooPhone's payload wrapper, when it is an object.
    pub fn data_object(&self) -> Option<&'a str> {
        self.data.map(RawValue::get).filter(|d| d.starts_with('{'))
    }

    /// A code other than success, or a message standing without any code.
    fn says_failure(&self) -> bool {
        let codes = [self.error_code, self.code].map(|c| c.and_then(text));
        if codes.iter().flatten().any(|code| code != SUCCESS_CODE) {
            return true;
        }
        let no_code = codes.iter().all(Option::is_none);
        let message = self.error_msg.or(self.message).and_then(text);
        no_code
            && message.is_some_and(|m| {
                !m.eq_ignore_ascii_case("ok") && !m.eq_ignore_ascii_case("success")
            })
    }
}

/// A scalar's text, if it has any (`null`, `""` and non-scalars have none).
fn text(raw: &RawValue) -> Option<String> {
    match serde_json::from_str::<Value>(raw.get()).ok()? {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The failure a 2xx `body` from `service` carries, if it carries one: an error code
/// other than success at its top level or inside `data`, a message with no code, or a
/// Nova fault. A body that is not a JSON object carries none (its parser judges it).
pub fn failure_in_success(service: Service, status: u16, body: &[u8]) -> Option<ApiError> {
    let head: Head = serde_json::from_slice(body).ok()?;
    let inside = head
        .data_object()
        .and_then(|data| serde_json::from_str::<Head>(data).ok())
        .unwrap_or_default();
    let failed = head.says_failure() || inside.says_failure() || is_nova_fault(service, body);
    if !failed {
        return None;
    }
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (code, message) = provider_error(&value);
    let message = message.unwrap_or_else(|| format!("HTTP {status} carrying an error code"));
    Some(
        ApiError::new(service, ErrorKind::Service, message)
            .with_status(status)
            .with_code(code),
    )
}

/// Nova answers a fault as one key naming it; only Nova's names count, so a success
/// such as `{"server":{…}}` is never taken for one.
fn is_nova_fault(service: Service, body: &[u8]) -> bool {
    if service != Service::Compute {
        return false;
    }
    // The keys only: a server list's rows are skipped, not built.
    let Ok(object) = serde_json::from_slice::<HashMap<String, IgnoredAny>>(body) else {
        return false;
    };
    object.len() == 1 && object.keys().all(|key| NOVA_FAULTS.contains(&key.as_str()))
}

/// Finds the code and message in any of the providers' error shapes (above).
pub fn provider_error(value: &Value) -> (Option<String>, Option<String>) {
    let Some(object) = value.as_object() else {
        return (None, None);
    };
    let top = error_fields(object);
    let inside_data = object
        .get("data")
        .and_then(Value::as_object)
        .map(error_fields)
        .unwrap_or_default();
    let failure = |code: &Option<String>| code.as_deref().is_some_and(|c| c != SUCCESS_CODE);
    match (top, inside_data) {
        // A failure code wins over a success code ("0") wherever each one stands.
        (top, _) if failure(&top.0) => top,
        (_, inside) if failure(&inside.0) => inside,
        (top @ ((Some(_), _) | (_, Some(_))), _) => top,
        (_, inside) => inside,
    }
}

fn error_fields(object: &serde_json::Map<String, Value>) -> (Option<String>, Option<String>) {
    let codes = [object.get("error_code"), object.get("code")].map(|c| c.and_then(scalar_text));
    // `{"error_code":"0","code":"KOOPHONE.API.1001"}`: the failure is the code to name.
    let code = codes
        .iter()
        .flatten()
        .find(|c| *c != SUCCESS_CODE)
        .or(codes.iter().flatten().next())
        .cloned();
    let message = object
        .get("error_msg")
        .or_else(|| object.get("message"))
        .and_then(scalar_text);
    if code.is_some() || message.is_some() {
        return (code, message);
    }
    if object.len() == 1 {
        // `data` is KooPhone's payload wrapper, never a Nova fault name.
        if let Some((fault, inner)) = object.iter().next().filter(|(key, _)| *key != "data") {
            if let Some(inner) = inner.as_object() {
                let message = inner.get("message").and_then(scalar_text);
                let code = inner
                    .get("code")
                    .and_then(scalar_text)
                    .map(|c| format!("{fault} ({c})"))
                    .or_else(|| Some(fault.clone()));
                return (code, message);
            }
        }
    }
    (None, None)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(service: Service, body: &str) -> Option<ApiError> {
        failure_in_success(service, 200, body.as_bytes())
    }

    #[test]
    fn success_bodies_carry_no_failure() {
        for (service, body) in [
            (
                Service::KooPhone,
                r#"{ "error_code" : "0", "error_msg" : "OK" }"#,
            ),
            (
                Service::KooPhone,
                r#"{"error_code":"0","data":{"total_count":1,"result":[{"error_code":"x"}]}}"#,
            ),
            (Service::Live, r#"{"request_id":"r","streams":[]}"#),
            (
                Service::Cph,
                r#"{"request_id":"r","jobs":[{"encode_server_id":"e","error_code":"CPS.0005"}]}"#,
            ),
            (
                Service::Compute,
                r#"{"server":{"id":"s","fault":{"message":"m","code":500}}}"#,
            ),
            (Service::Compute, ""),
            (Service::Live, "[]"),
        ] {
            assert!(failure(service, body).is_none(), "{body}");
        }
    }

    #[test]
    fn a_200_with_an_error_body_is_a_failure_naming_code_and_message() {
        for (service, body, code, message) in [
            (
                Service::Live,
                r#"{"error_code":"LIVE.100011001","error_msg":"Request Illegal"}"#,
                Some("LIVE.100011001"),
                "Request Illegal",
            ),
            (
                Service::Cph,
                r#"{"request_id":"r","error_code":"CPS.0001","error_msg":"bad"}"#,
                Some("CPS.0001"),
                "bad",
            ),
            (
                Service::Compute,
                r#"{"conflictingRequest":{"message":"busy","code":409}}"#,
                Some("conflictingRequest (409)"),
                "busy",
            ),
            (
                Service::KooPhone,
                r#"{"error_code":null,"error_msg":"instance not found"}"#,
                None,
                "instance not found",
            ),
            (
                Service::KooPhone,
                r#"{"code":"KOOPHONE.API.1001","error_code":"0"}"#,
                Some("KOOPHONE.API.1001"),
                "HTTP 200 carrying an error code",
            ),
            (
                Service::KooPhone,
                r#"{"error_code":"0","data":{"error_code":"KOOPHONE.API.1004","error_msg":"not subscribed"}}"#,
                Some("KOOPHONE.API.1004"),
                "not subscribed",
            ),
        ] {
            let error = failure(service, body).unwrap_or_else(|| panic!("a failure: {body}"));
            assert_eq!(error.kind, ErrorKind::Service, "{body}");
            assert_eq!(error.code.as_deref(), code, "{body}");
            assert_eq!(error.message, message, "{body}");
            assert!(
                !error.outcome_unknown(),
                "the service said it failed: {body}"
            );
        }
    }
}
