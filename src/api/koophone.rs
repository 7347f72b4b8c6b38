//! KooPhone: list instances, batch status (at most 32 ids a call), stop streaming.
//! Every request carries a fresh `x-request-id`, kept in results for support tickets.

use futures::{StreamExt, stream};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::call::Call;
use super::client::Api;
use super::envelope::Head;
use super::error::{ApiError, ErrorKind};
use super::paging;
use super::rate_limits::ApiName;
use super::service::Service;
use super::tolerant::{self, Row, Rows};

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

    /// The name of a status the answer may have left out: then `Unknown`, the word
    /// the header counts it under and a filter finds it by.
    pub fn label(status: Option<PhoneStatus>) -> String {
        status.unwrap_or(PhoneStatus::UNKNOWN).name()
    }
}

impl std::fmt::Display for PhoneStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// One row of the instance list. Every field is optional in the official model
/// (huaweicloud-sdk-java-v3 `InstanceBatchQueryRspDataResult`); a row without an id
/// is dropped, any other gap reads as unknown.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Instance {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub instance_id: String,
    #[serde(default, deserialize_with = "tolerant::text")]
    pub instance_name: String,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub region: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub instance_sku: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub running_status: Option<PhoneStatus>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub frozen_status: Option<i64>,
}

impl Row for Instance {
    fn has_id(&self) -> bool {
        !self.instance_id.is_empty()
    }
}

/// One page of the instance list.
#[derive(Debug, Clone, Deserialize)]
pub struct InstancePage {
    #[serde(default)]
    pub result: Option<Rows<Instance>>,
    #[serde(default)]
    pub total_count: Option<u64>,
    /// The rows a page holds, as the service says: it may be fewer than asked for.
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub page_size: Option<u32>,
}

impl InstancePage {
    /// The page's rows, unless the answer contradicts itself: a list that claims
    /// phones beyond this page's start but carries no rows, or one with neither rows
    /// nor a count, is an error, never an empty fleet.
    fn into_rows(self, page_no: u32, page_size: u32) -> Result<Rows<Instance>, ApiError> {
        let starts_at = u64::from(page_no.saturating_sub(1)) * u64::from(page_size);
        let complaint = match (&self.result, self.total_count) {
            (None, None) => Some("has neither a result list nor a total_count".to_string()),
            (rows, Some(total))
                if total > starts_at
                    && rows.as_ref().is_none_or(|r| r.is_empty() && r.dropped == 0) =>
            {
                Some(format!(
                    "claims total_count {total} but page {page_no} has no rows"
                ))
            }
            _ => None,
        };
        match complaint {
            Some(complaint) => Err(ApiError::new(
                Service::KooPhone,
                ErrorKind::Decode,
                format!("the instance list answer {complaint}; the fleet is not shown as empty"),
            )),
            None => Ok(self.result.unwrap_or_default()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct StatusResult {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub instance_id: String,
    /// None when the answer gave no readable status for this phone.
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub status: Option<PhoneStatus>,
}

impl Row for StatusResult {
    fn has_id(&self) -> bool {
        !self.instance_id.is_empty()
    }
}

#[derive(Deserialize)]
struct StatusResults {
    status_results: Rows<StatusResult>,
}

/// A read `status_and_list` makes: a page of the list, or a batch of statuses.
enum Read {
    ListPage(u32),
    Status(Vec<String>),
}

/// A read's answer.
enum Done {
    ListPage(u32, Result<ListedPage, ApiError>),
    Status(Vec<String>, Result<Rows<StatusResult>, ApiError>),
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
    /// Results without an instance id, left out.
    pub dropped: usize,
}

/// Unwraps a KooPhone answer: the payload is `data` when that wrapper is present (the
/// documented shape), else the top level (the seed's example). An error the answer
/// carries, at either level, was found before (`envelope::failure_in_success`).
pub fn parse_envelope<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let head: Head = super::decode::decode(Service::KooPhone, body)?;
    let payload = match head.data_object() {
        Some(data) => serde_json::from_str::<T>(data),
        None => serde_json::from_slice::<T>(body),
    };
    payload.map_err(|e| {
        ApiError::new(
            Service::KooPhone,
            ErrorKind::Decode,
            format!(
                "unexpected response ({e}): {}",
                crate::sanitize::excerpt(body, 120)
            ),
        )
    })
}

pub fn parse_status_results(body: &[u8]) -> Result<Rows<StatusResult>, ApiError> {
    parse_envelope::<StatusResults>(body).map(|r| r.status_results)
}

/// A page's rows, the list's `total_count`, and the rows a page holds.
#[derive(Debug)]
pub struct ListedPage {
    pub rows: Rows<Instance>,
    pub total: Option<u64>,
    /// What the answer's `page_size` says, else the page size asked for.
    pub page_size: u32,
}

impl ListedPage {
    /// The pages the whole list takes, as this page's answer says (bounded).
    fn pages(&self, what: &str) -> Result<u32, ApiError> {
        let total = self.total.unwrap_or(self.rows.len() as u64);
        let pages =
            paging::pages_for_total(Service::KooPhone, what, total, u64::from(self.page_size))?;
        Ok(u32::try_from(pages).unwrap_or(u32::MAX))
    }
}

/// One page of the instance list, checked (see `InstancePage::into_rows`). A service
/// may hold fewer rows a page than `page_size` asks: its answer's `page_size` counts.
pub fn parse_instance_page(
    body: &[u8],
    page_no: u32,
    page_size: u32,
) -> Result<ListedPage, ApiError> {
    let page = parse_envelope::<InstancePage>(body)?;
    let total = page.total_count;
    let page_size = page
        .page_size
        .filter(|size| (1..page_size).contains(size))
        .unwrap_or(page_size);
    Ok(ListedPage {
        rows: page.into_rows(page_no, page_size)?,
        total,
        page_size,
    })
}

/// The instance `id` from a list answer, whole: every field under its own name. None
/// when the answer does not list it.
pub fn parse_instance_record(
    body: &[u8],
    id: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ApiError> {
    #[derive(Deserialize)]
    struct RawPage {
        #[serde(default)]
        result: Option<Vec<serde_json::Value>>,
    }
    let page = parse_envelope::<RawPage>(body)?;
    Ok(page
        .result
        .unwrap_or_default()
        .into_iter()
        .filter_map(|row| match row {
            serde_json::Value::Object(fields) => Some(fields),
            _ => None,
        })
        .find(|fields| fields.get("instance_id").and_then(|v| v.as_str()) == Some(id)))
}

/// The first page of the instance list filtered by one of the Java SDK's
/// ListInstancesRequest query parameters (`instance_id`, `instance_name`).
fn filtered_list(filter: &'static str, value: &str, page_no: u32) -> Call {
    Call::read(
        ApiName::KooPhoneListInstances,
        "/v1/instances/batch-query".into(),
    )
    .query("page_no", page_no)
    .query("page_size", LIST_PAGE_SIZE)
    .query(filter, value)
    .request_id_in_query()
}

/// Pages of a name lookup read at most: past them the name is not checked, it is
/// refused (a name must be unique to stand for an id).
const NAME_LOOKUP_PAGES: u32 = 20;

/// A chunk of ids and what the service answered for it.
type ChunkAnswer = (Vec<String>, Result<Rows<StatusResult>, ApiError>);

pub struct KooPhone<'a> {
    api: &'a Api,
}

impl Api {
    pub fn koophone(&self) -> KooPhone<'_> {
        KooPhone::new(self)
    }
}

impl<'a> KooPhone<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        KooPhone { api }
    }

    /// One page of the instance list. The official Java SDK (KooPhoneMeta
    /// `listInstances`) declares `x-request-id` a required query parameter; it goes
    /// there as well as in the header.
    pub async fn list_page(&self, page_no: u32, page_size: u32) -> Result<ListedPage, ApiError> {
        let call = Call::read(
            ApiName::KooPhoneListInstances,
            "/v1/instances/batch-query".into(),
        )
        .query("page_no", page_no)
        .query("page_size", page_size)
        .request_id_in_query();
        self.api
            .send_parsed(&call, |body| parse_instance_page(body, page_no, page_size))
            .await
            .map(|(page, _)| page)
    }

    /// One instance whole, as the list gives it filtered by `instance_id` (a query
    /// parameter of the Java SDK's ListInstancesRequest): the detail view's fields.
    pub async fn instance_record(
        &self,
        id: &str,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ApiError> {
        let call = filtered_list("instance_id", id, 1);
        self.api
            .send_parsed(&call, |body| parse_instance_record(body, id))
            .await
            .map(|(record, _)| record)
    }

    /// The instances named exactly `name`: every page of the list filtered by
    /// `instance_name` (its `total_count` says how many), matched exactly here,
    /// whatever matching the service applies. A filter matching more than
    /// `NAME_LOOKUP_PAGES` pages is refused rather than half read.
    pub async fn instances_named(&self, name: &str) -> Result<Vec<Instance>, ApiError> {
        let named_page = |page_no: u32| async move {
            let call = filtered_list("instance_name", name, page_no);
            self.api
                .send_parsed(&call, |body| {
                    parse_instance_page(body, page_no, LIST_PAGE_SIZE)
                })
                .await
                .map(|(page, _)| page)
        };
        let first = named_page(1).await?;
        let pages = first.pages("instance name filter")?;
        if pages > NAME_LOOKUP_PAGES {
            return Err(ApiError::new(
                Service::KooPhone,
                ErrorKind::InvalidInput,
                format!(
                    "the name filter `{name}` matches {} instances, too many to check that the name is unique; give the instance id",
                    first.total.unwrap_or_default()
                ),
            ));
        }
        let mut rows = first.rows;
        for page_no in 2..=pages {
            rows.append(named_page(page_no).await?.rows);
        }
        Ok(rows
            .into_iter()
            .filter(|instance| instance.instance_name == name)
            .collect())
    }

    /// Every instance: the first page gives `total_count`, the rest are fetched
    /// concurrently (at most `max_in_flight` at once), then put back in page order.
    pub async fn list_instances(&self) -> Result<Rows<Instance>, ApiError> {
        let first = self.list_page(1, LIST_PAGE_SIZE).await?;
        let pages = first.pages("instance")?;
        let mut instances = first.rows;
        let rest: Vec<Result<ListedPage, ApiError>> = stream::iter(2..=pages)
            .map(|page| self.list_page(page, LIST_PAGE_SIZE))
            .buffered(self.api.max_in_flight())
            .collect()
            .await;
        for page in rest {
            instances.append(page?.rows);
        }
        Ok(instances)
    }

    /// Status of at most 32 instances in one call.
    pub async fn batch_status_chunk(&self, ids: &[String]) -> Result<Rows<StatusResult>, ApiError> {
        if ids.len() > STATUS_BATCH_LIMIT {
            return Err(ApiError::new(
                Service::KooPhone,
                ErrorKind::InvalidInput,
                format!(
                    "{} ids in one batch; at most {STATUS_BATCH_LIMIT}",
                    ids.len()
                ),
            ));
        }
        let call = Call::read_post(
            ApiName::KooPhoneBatchQueryStatus,
            "/v1/instances/batch-query-status".into(),
            json!({ "instance_ids": ids }),
        );
        self.api
            .send_parsed(&call, parse_status_results)
            .await
            .map(|(results, _)| results)
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
                Ok(results) => {
                    status.dropped += results.dropped;
                    status.results.extend(results.rows);
                }
                Err(error) => status.failures.push(ChunkFailure { ids, error }),
            }
        }
        status
    }

    /// The status of `ids` and the whole instance list (for their names), asked
    /// together: list pages and status batches share `max_in_flight`, so the list
    /// costs only its own requests, never a round trip of its own before the first
    /// status.
    pub async fn status_and_list(
        &self,
        ids: &[String],
    ) -> (BatchStatus, Result<Rows<Instance>, ApiError>) {
        let mut queue: std::collections::VecDeque<Read> = std::iter::once(Read::ListPage(1))
            .chain(
                ids.chunks(STATUS_BATCH_LIMIT)
                    .map(|c| Read::Status(c.to_vec())),
            )
            .collect();
        let mut running = futures::stream::FuturesUnordered::new();
        let mut status = BatchStatus::default();
        let mut pages: Vec<(u32, Rows<Instance>)> = Vec::new();
        let mut list_error = None;
        loop {
            while running.len() < self.api.max_in_flight() {
                let Some(read) = queue.pop_front() else { break };
                running.push(self.read(read));
            }
            let Some(done) = running.next().await else {
                break;
            };
            match done {
                Done::Status(_, Ok(results)) => {
                    status.chunks += 1;
                    status.dropped += results.dropped;
                    status.results.extend(results.rows);
                }
                Done::Status(ids, Err(error)) => {
                    status.chunks += 1;
                    status.failures.push(ChunkFailure { ids, error });
                }
                Done::ListPage(page_no, Ok(page)) => {
                    if page_no == 1 {
                        match page.pages("instance") {
                            // The other pages go first: the names are wanted as soon
                            // as the statuses.
                            Ok(count) => (2..=count)
                                .rev()
                                .for_each(|n| queue.push_front(Read::ListPage(n))),
                            Err(error) => list_error = Some(error),
                        }
                    }
                    pages.push((page_no, page.rows));
                }
                Done::ListPage(_, Err(error)) => {
                    list_error.get_or_insert(error);
                }
            }
        }
        let list = match list_error {
            Some(error) => Err(error),
            None => {
                pages.sort_by_key(|(page_no, _)| *page_no);
                let mut instances = Rows::default();
                for (_, rows) in pages {
                    instances.append(rows);
                }
                Ok(instances)
            }
        };
        (status, list)
    }

    /// One read of `status_and_list`.
    async fn read(&self, read: Read) -> Done {
        match read {
            Read::ListPage(page_no) => {
                Done::ListPage(page_no, self.list_page(page_no, LIST_PAGE_SIZE).await)
            }
            Read::Status(chunk) => {
                let answer = self.batch_status_chunk(&chunk).await;
                Done::Status(chunk, answer)
            }
        }
    }

    /// Stops streaming of one instance, sent with `request_id`; returns the request id.
    pub async fn stop_streaming(
        &self,
        instance_id: &str,
        request_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let call = Call::mutation(
            ApiName::KooPhoneStopStreaming,
            "/v1/instances/streaming/stop".into(),
            json!({ "instance_id": instance_id }),
            request_id,
        );
        self.api
            .send_parsed(&call, parse_envelope::<Value>)
            .await
            .map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::envelope::failure_in_success;
    use super::*;

    fn statuses(body: &[u8]) -> Vec<StatusResult> {
        parse_status_results(body).expect("parses").rows
    }

    #[test]
    fn seed_example_without_data_wrapper() {
        let body = br#"{ "status_results" : [ { "instance_id" : "a44uhlf7", "status" : 0 } ] }"#;
        assert_eq!(
            statuses(body),
            [StatusResult {
                instance_id: "a44uhlf7".into(),
                status: Some(PhoneStatus::UNKNOWN)
            }]
        );
    }

    #[test]
    fn documented_shape_with_data_wrapper_and_unknown_status() {
        let body = br#"{"error_code":"0","error_msg":"ok","data":{"status_results":[{"instance_id":"x","status":7}]}}"#;
        assert_eq!(
            statuses(body)[0].status.map(PhoneStatus::name).as_deref(),
            Some("Unknown(7)")
        );
    }

    #[test]
    fn error_code_on_http_200_is_an_error() {
        let body = br#"{"error_code":"KOOPHONE.API.0000","error_msg":"tenant is not exist"}"#;
        let err = failure_in_success(Service::KooPhone, 200, body).expect("fails");
        assert_eq!(err.code.as_deref(), Some("KOOPHONE.API.0000"));
        assert_eq!(err.message, "tenant is not exist");
    }

    #[test]
    fn error_inside_data_is_an_error_not_an_empty_fleet() {
        let body = br#"{"data":{"error_code":"KOOPHONE.API.1001","error_msg":"Insufficient instance permissions"}}"#;
        let err = failure_in_success(Service::KooPhone, 200, body).expect("fails");
        assert_eq!(err.code.as_deref(), Some("KOOPHONE.API.1001"));
        assert_eq!(err.message, "Insufficient instance permissions");
        let beside_success = br#"{"error_code":"0","data":{"error_code":"KOOPHONE.API.1004","error_msg":"not subscribed","result":[]}}"#;
        let err = failure_in_success(Service::KooPhone, 200, beside_success).expect("fails");
        assert_eq!(err.code.as_deref(), Some("KOOPHONE.API.1004"));
    }

    #[test]
    fn stop_streaming_seed_response_is_success() {
        let body = br#"{ "error_code" : "0", "error_msg" : "OK" }"#;
        assert!(parse_envelope::<Value>(body).is_ok());
    }

    #[test]
    fn a_list_that_contradicts_itself_is_an_error() {
        for body in [
            &br#"{"error_code":"0","data":{"total_count":3,"result":[]}}"#[..],
            br#"{"error_code":"0","data":{"total_count":3}}"#,
            br#"{"error_code":"0","data":{"page_no":1}}"#,
            br#"{"error_code":"0","data":{}}"#,
        ] {
            let err = parse_instance_page(body, 1, 100).expect_err("an error");
            assert_eq!(
                err.kind,
                ErrorKind::Decode,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let empty = br#"{"error_code":"0","data":{"total_count":0,"result":[]}}"#;
        assert!(
            parse_instance_page(empty, 1, 100)
                .expect("empty fleet")
                .rows
                .is_empty()
        );
        let past_the_end = br#"{"error_code":"0","data":{"total_count":100,"result":[]}}"#;
        assert!(parse_instance_page(past_the_end, 2, 100).is_ok());
    }

    #[test]
    fn the_answers_page_size_counts_when_it_holds_fewer_rows_than_asked() {
        let body = br#"{"error_code":"0","data":{"total_count":250,"page_size":50,"page_no":1,
            "result":[{"instance_id":"a"}]}}"#;
        let page = parse_instance_page(body, 1, 100).expect("parses");
        assert_eq!(page.page_size, 50);
        assert_eq!(page.pages("instance").ok(), Some(5));
        let bigger = br#"{"error_code":"0","data":{"total_count":250,"page_size":500,"result":[{"instance_id":"a"}]}}"#;
        assert_eq!(
            parse_instance_page(bigger, 1, 100)
                .expect("parses")
                .page_size,
            100
        );
    }

    #[test]
    fn sparse_rows_are_kept_and_rows_without_ids_counted() {
        let body = br#"{"error_code":"0","data":{"total_count":4,"result":[
            {"instance_id":"a","instance_name":null},
            {"instance_id":"b","running_status":"two"},
            {"instance_name":"no-id","running_status":2},
            {"instance_id":"c","instance_name":"phone-c","running_status":3}]}}"#;
        let page = parse_instance_page(body, 1, 100).expect("parses");
        let (rows, total) = (page.rows, page.total);
        assert_eq!(total, Some(4));
        assert_eq!(rows.dropped, 1);
        let shown: Vec<(&str, &str, Option<PhoneStatus>)> = rows
            .rows
            .iter()
            .map(|i| {
                (
                    i.instance_id.as_str(),
                    i.instance_name.as_str(),
                    i.running_status,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("a", "", None),
                ("b", "", None),
                ("c", "phone-c", Some(PhoneStatus::OFFLINE))
            ]
        );
    }

    #[test]
    fn wrong_shapes_and_truncated_json_are_errors() {
        for body in [
            &br#"{"status_results":"nope"}"#[..],
            br#"{"status_results":[{"instance_id":"x","sta"#,
            b"",
            b"[]",
        ] {
            assert!(
                parse_status_results(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
