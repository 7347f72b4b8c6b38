//! KooPhone: list instances, batch status (at most 32 ids a call), stop streaming.
//! Every request carries a fresh `x-request-id`, kept in results for support tickets.

use futures::{StreamExt, stream};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::error::{ApiError, ErrorKind, Service};
use super::transport::provider_error;
use super::{Api, Call};

/// The most ids one batch-status call may carry (safe under both doc readings).
pub const STATUS_BATCH_LIMIT: usize = 32;
pub const LIST_PAGE_SIZE: u32 = 100;

/// A phone status: 0 Unknown, 1 Stopped, 2 Running, 3 Offline, 4 Starting, 5 Shut down;
/// any other value is kept raw and shown as `Unknown(N)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneStatus(pub i64);

impl PhoneStatus {
    pub const UNKNOWN: PhoneStatus = PhoneStatus(0);
    pub const STOPPED: PhoneStatus = PhoneStatus(1);
    pub const RUNNING: PhoneStatus = PhoneStatus(2);
    pub const OFFLINE: PhoneStatus = PhoneStatus(3);
    pub const STARTING: PhoneStatus = PhoneStatus(4);
    pub const SHUT_DOWN: PhoneStatus = PhoneStatus(5);

    /// The documented statuses' names (None for an undocumented value).
    pub fn known_name(self) -> Option<&'static str> {
        match self.0 {
            0 => Some("Unknown"),
            1 => Some("Stopped"),
            2 => Some("Running"),
            3 => Some("Offline"),
            4 => Some("Starting"),
            5 => Some("Shut down"),
            _ => None,
        }
    }

    pub fn name(self) -> String {
        match self.known_name() {
            Some(name) => name.to_string(),
            None => format!("Unknown({})", self.0),
        }
    }
}

impl std::fmt::Display for PhoneStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Instance {
    pub instance_id: String,
    #[serde(default)]
    pub instance_name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub instance_sku: Option<String>,
    pub running_status: PhoneStatus,
    #[serde(default)]
    pub frozen_status: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstancePage {
    #[serde(default)]
    pub result: Vec<Instance>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct StatusResult {
    pub instance_id: String,
    pub status: PhoneStatus,
}

#[derive(Deserialize)]
struct StatusResults {
    status_results: Vec<StatusResult>,
}

/// A batch-status chunk that failed, with its ids, so the caller can keep the
/// previous data for exactly those phones.
#[derive(Debug, Clone)]
pub struct ChunkFailure {
    pub ids: Vec<String>,
    pub error: ApiError,
}

#[derive(Debug, Clone, Default)]
pub struct BatchStatus {
    /// How many batch requests the poll took.
    pub chunks: usize,
    pub results: Vec<StatusResult>,
    pub failures: Vec<ChunkFailure>,
}

/// The top level of an answer, read without building the payload: the error fields
/// and where the payload is.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(default, borrow)]
    error_code: Option<&'a RawValue>,
    #[serde(default, borrow)]
    code: Option<&'a RawValue>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

/// Unwraps a KooPhone answer: checks `error_code` (a 200 can carry a failure), then
/// takes the payload from `data` when that wrapper is present, or from the top level.
/// The usual answer (no error, or `"0"`) is decoded straight into `T`; anything else
/// takes the thorough path that names the error.
pub fn parse_envelope<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if let Ok(head) = serde_json::from_slice::<Head>(body) {
        let code = head.error_code.or(head.code).map(RawValue::get);
        if code.is_none_or(|c| matches!(c, "\"0\"" | "0")) {
            let payload = match head.data.map(RawValue::get) {
                Some(data) if data.starts_with('{') => serde_json::from_str::<T>(data),
                _ => serde_json::from_slice::<T>(body),
            };
            if let Ok(payload) = payload {
                return Ok(payload);
            }
        }
    }
    parse_envelope_thoroughly(body)
}

fn parse_envelope_thoroughly<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: Value = super::decode(Service::KooPhone, body)?;
    let (code, message) = provider_error(&value);
    if let Some(code) = code.filter(|c| c != "0") {
        return Err(ApiError::new(
            Service::KooPhone,
            ErrorKind::Service,
            message.unwrap_or_else(|| "request failed".into()),
        )
        .with_code(Some(code)));
    }
    let payload = match value.get("data") {
        Some(data) if data.is_object() => data.clone(),
        _ => value,
    };
    serde_json::from_value(payload).map_err(|e| {
        ApiError::new(
            Service::KooPhone,
            ErrorKind::Decode,
            format!("unexpected response: {e}"),
        )
    })
}

pub fn parse_status_results(body: &[u8]) -> Result<Vec<StatusResult>, ApiError> {
    parse_envelope::<StatusResults>(body).map(|r| r.status_results)
}

/// A chunk of ids and what the service answered for it.
type ChunkAnswer = (Vec<String>, Result<Vec<StatusResult>, ApiError>);

pub struct KooPhone<'a> {
    api: &'a Api,
}

impl<'a> KooPhone<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        KooPhone { api }
    }

    async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<(T, Option<String>), ApiError> {
        self.api.send_parsed(&call, parse_envelope::<T>).await
    }

    pub async fn list_page(&self, page_no: u32, page_size: u32) -> Result<InstancePage, ApiError> {
        let call = Call::read(Service::KooPhone, "/v1/instances/batch-query".into())
            .query("page_no", page_no)
            .query("page_size", page_size);
        self.call(call).await.map(|(page, _)| page)
    }

    /// Every instance: the first page gives `total_count`, the rest are fetched
    /// concurrently (at most `max_in_flight` at once), then put back in page order.
    pub async fn list_instances(&self) -> Result<Vec<Instance>, ApiError> {
        let first = self.list_page(1, LIST_PAGE_SIZE).await?;
        let mut instances = first.result;
        let total = first.total_count.unwrap_or(instances.len() as u64);
        let pages = total.div_ceil(u64::from(LIST_PAGE_SIZE)).max(1) as u32;
        let rest: Vec<Result<InstancePage, ApiError>> = stream::iter(2..=pages)
            .map(|page| self.list_page(page, LIST_PAGE_SIZE))
            .buffered(self.api.max_in_flight())
            .collect()
            .await;
        for page in rest {
            instances.extend(page?.result);
        }
        Ok(instances)
    }

    /// Status of at most 32 instances in one call.
    pub async fn batch_status_chunk(&self, ids: &[String]) -> Result<Vec<StatusResult>, ApiError> {
        if ids.len() > STATUS_BATCH_LIMIT {
            return Err(ApiError::new(
                Service::KooPhone,
                ErrorKind::Decode,
                format!(
                    "{} ids in one batch; at most {STATUS_BATCH_LIMIT}",
                    ids.len()
                ),
            ));
        }
        let call = Call::read_post(
            Service::KooPhone,
            "/v1/instances/batch-query-status".into(),
            json!({ "instance_ids": ids }),
        );
        self.call::<StatusResults>(call)
            .await
            .map(|(r, _)| r.status_results)
    }

    /// Status of any number of instances: chunks of 32, `max_in_flight` chunks at
    /// once. A failed chunk is reported with its ids; the others still count.
    pub async fn batch_status(&self, ids: &[String]) -> BatchStatus {
        let chunks: Vec<Vec<String>> = ids
            .chunks(STATUS_BATCH_LIMIT)
            .map(<[String]>::to_vec)
            .collect();
        let answers: Vec<ChunkAnswer> = stream::iter(chunks)
            .map(|chunk| async move {
                let answer = self.batch_status_chunk(&chunk).await;
                (chunk, answer)
            })
            .buffer_unordered(self.api.max_in_flight())
            .collect()
            .await;
        let mut status = BatchStatus {
            chunks: answers.len(),
            ..BatchStatus::default()
        };
        for (ids, answer) in answers {
            match answer {
                Ok(results) => status.results.extend(results),
                Err(error) => status.failures.push(ChunkFailure { ids, error }),
            }
        }
        status
    }

    /// Stops streaming of one instance, sent with `request_id`; returns the request id.
    pub async fn stop_streaming(
        &self,
        instance_id: &str,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let call = Call::mutation(
            Service::KooPhone,
            "/v1/instances/streaming/stop".into(),
            json!({ "instance_id": instance_id }),
            request_id,
        );
        self.call::<Value>(call).await.map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_example_without_data_wrapper() {
        let body = br#"{ "status_results" : [ { "instance_id" : "a44uhlf7", "status" : 0 } ] }"#;
        let results = parse_status_results(body).expect("parses");
        assert_eq!(
            results,
            [StatusResult {
                instance_id: "a44uhlf7".into(),
                status: PhoneStatus::UNKNOWN
            }]
        );
    }

    #[test]
    fn documented_shape_with_data_wrapper_and_unknown_status() {
        let body = br#"{"error_code":"0","error_msg":"ok","data":{"status_results":[{"instance_id":"x","status":7}]}}"#;
        let results = parse_status_results(body).expect("parses");
        assert_eq!(results[0].status.name(), "Unknown(7)");
    }

    #[test]
    fn error_code_on_http_200_is_an_error() {
        let body = br#"{"error_code":"KOOPHONE.API.0000","error_msg":"tenant is not exist"}"#;
        let err = parse_status_results(body).expect_err("fails");
        assert_eq!(err.code.as_deref(), Some("KOOPHONE.API.0000"));
        assert_eq!(err.message, "tenant is not exist");
    }

    #[test]
    fn stop_streaming_seed_response_is_success() {
        let body = br#"{ "error_code" : "0", "error_msg" : "OK" }"#;
        assert!(parse_envelope::<Value>(body).is_ok());
    }

    #[test]
    fn the_quick_path_agrees_with_the_thorough_one() {
        let bodies: [&[u8]; 9] = [
            br#"{"status_results":[{"instance_id":"a","status":2}]}"#,
            br#"{"error_code":"0","error_msg":"ok","data":{"status_results":[{"instance_id":"a","status":3}]}}"#,
            br#"{"error_code":0,"data":{"status_results":[]}}"#,
            br#"{"error_code":"","status_results":[]}"#,
            br#"{"code":"KOOPHONE.API.0001","message":"no","status_results":[]}"#,
            br#"{"data":null,"status_results":[{"instance_id":"b","status":7}]}"#,
            br#"{"data":{"other":1},"status_results":[]}"#,
            br#"{"status_results":"nope"}"#,
            b"[]",
        ];
        for body in bodies {
            let quick = parse_envelope::<StatusResults>(body).map(|r| r.status_results);
            let thorough =
                parse_envelope_thoroughly::<StatusResults>(body).map(|r| r.status_results);
            match (quick, thorough) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", String::from_utf8_lossy(body)),
                (Err(a), Err(b)) => assert_eq!(a.code, b.code),
                (a, b) => panic!("{}: {a:?} vs {b:?}", String::from_utf8_lossy(body)),
            }
        }
    }

    #[test]
    fn wrong_types_and_truncated_json_are_errors() {
        for body in [
            &br#"{"status_results":[{"instance_id":"x","status":"two"}]}"#[..],
            br#"{"status_results":[{"instance_id":"x","sta"#,
            b"",
            b"[]",
        ] {
            assert!(parse_status_results(body).is_err());
        }
    }
}
