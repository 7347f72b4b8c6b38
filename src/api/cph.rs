//! CPH: list encode servers, batch-restart them, and follow the returned jobs.

use super::tolerant::MISSING;
use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::call::Call;
use super::client::Api;
use super::error::{ApiError, ErrorKind};
use super::paging;
use super::path;
use super::rate_limits::ApiName;
use super::service::Service;
use super::tolerant::{self, Row, Rows};

pub const PAGE_LIMIT: u32 = 100;

/// ListJobs takes at most 20 request ids in `request_ids` (huaweicloud-sdk-python-v3
/// `cph/v1/model/list_jobs_request.py`).
pub const REQUEST_IDS_PER_CALL: usize = 20;

/// Pages of one ListJobs read: a restart request starts a job per encoder (at most
/// `ActionKind::targets_per_request`), so 20 requests fill at most 20 pages of 100.
const MAX_JOB_PAGES: usize = 25;

/// The ids of some requests, and their jobs (or why they could not be read).
type JobsOfRequests = (Vec<String>, Result<Vec<Job>, ApiError>);

/// A job to follow, and the id of the request whose answer named it: ListJobs finds
/// it by that id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRef {
    pub job_id: String,
    pub request_id: Option<String>,
}

impl JobRef {
    fn missing_from_its_request(&self) -> ApiError {
        ApiError::new(
            Service::Cph,
            ErrorKind::Service,
            format!(
                "job {} is not in the job list of request {}",
                self.job_id,
                self.request_id.as_deref().unwrap_or(MISSING)
            ),
        )
    }
}

/// Encode server status, kept raw. The official sources disagree on 4 and 5:
/// huaweicloud-sdk-python-v3 3.1.219 `cph/v1/model/encode_server.py` (the response
/// model) says "1 running, 2 abnormal, 3 restarting, 0/4/5 creating", while
/// `list_encode_servers_request.py` (the `status` filter) says "4 frozen, 5 powered
/// off, 100/1014/0 creating". The response model's labels are used, and 0, 4 and 5
/// carry their raw code beside the label (`Creating (4)`) so the engineer sees which
/// it was; JSON and CSV keep the raw number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EncoderStatus(pub i64);

impl EncoderStatus {
    pub const RUNNING: EncoderStatus = EncoderStatus(1);
    pub const ABNORMAL: EncoderStatus = EncoderStatus(2);
    pub const RESTARTING: EncoderStatus = EncoderStatus(3);

    pub fn name(self) -> String {
        match self.0 {
            1 => "Running".into(),
            2 => "Abnormal".into(),
            3 => "Restarting".into(),
            code @ (0 | 4 | 5) => format!("Creating ({code})"),
            other => format!("Unknown({other})"),
        }
    }
}

/// Job status: 1 running, 2 success, -1 failed; other values kept raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobStatus(pub i64);

impl JobStatus {
    pub const RUNNING: JobStatus = JobStatus(1);
    pub const SUCCESS: JobStatus = JobStatus(2);
    pub const FAILED: JobStatus = JobStatus(-1);

    pub fn name(self) -> String {
        match self.0 {
            1 => "Running".into(),
            2 => "Success".into(),
            -1 => "Failed".into(),
            other => format!("Unknown({other})"),
        }
    }

    pub fn is_finished(self) -> bool {
        self == JobStatus::SUCCESS || self == JobStatus::FAILED
    }
}

/// One encode server. Every field is optional in the official model
/// (huaweicloud-sdk-python-v3 `cph/v1/model/encode_server.py`); a row without an id
/// is dropped, any other gap reads as unknown.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct EncodeServer {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub encode_server_id: String,
    #[serde(default, deserialize_with = "tolerant::text")]
    pub encode_server_name: String,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub encode_server_ip: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub server_id: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "tolerant::lenient")]
    pub kind: Option<i64>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub status: Option<EncoderStatus>,
    /// Every other field the service returned, kept under its own name for the
    /// detail view and `-o json`.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Row for EncodeServer {
    fn has_id(&self) -> bool {
        !self.encode_server_id.is_empty()
    }
}

#[derive(Deserialize)]
struct EncodeServerList {
    #[serde(default)]
    encode_servers: Rows<EncodeServer>,
}

/// One entry of a batch-restart answer: a job id, or an error for that target.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RestartJob {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub encode_server_id: String,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub error_code: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub error_msg: Option<String>,
}

impl Row for RestartJob {
    fn has_id(&self) -> bool {
        !self.encode_server_id.is_empty()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct RestartReply {
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub request_id: Option<String>,
    #[serde(default)]
    pub jobs: Rows<RestartJob>,
}

/// A job as ShowJob returns it; the documented example has explicit nulls, and
/// every field is optional in the official model (`cph/v1/model/show_job_response.py`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Job {
    #[serde(default, deserialize_with = "tolerant::text")]
    pub job_id: String,
    /// None while the answer gives no readable status (the job is followed on).
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub status: Option<JobStatus>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub begin_time: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub end_time: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub server_id: Option<String>,
    /// Named in the 2023 ListJobs reference, absent from the SDK's `job.py`.
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub encode_server_id: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub error_code: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub error_msg: Option<String>,
    #[serde(default, deserialize_with = "tolerant::lenient")]
    pub execute_msg: Option<String>,
}

impl Row for Job {
    fn has_id(&self) -> bool {
        !self.job_id.is_empty()
    }
}

/// A ListJobs answer: the jobs one request started.
#[derive(Deserialize)]
struct JobList {
    #[serde(default)]
    jobs: Rows<Job>,
}

impl Job {
    pub fn is_finished(&self) -> bool {
        self.status.is_some_and(JobStatus::is_finished)
    }

    pub fn status_name(&self) -> String {
        self.status.map_or_else(|| MISSING.into(), JobStatus::name)
    }
}

pub fn parse_encode_servers(body: &[u8]) -> Result<Rows<EncodeServer>, ApiError> {
    super::decode::decode::<EncodeServerList>(Service::Cph, body).map(|l| l.encode_servers)
}

pub fn parse_restart_reply(body: &[u8]) -> Result<RestartReply, ApiError> {
    super::decode::decode(Service::Cph, body)
}

/// A ShowJob answer; one with neither a readable job id nor a readable status is
/// not a job at all.
pub fn parse_job(body: &[u8]) -> Result<Job, ApiError> {
    let job: Job = super::decode::decode(Service::Cph, body)?;
    if job.job_id.is_empty() && job.status.is_none() {
        return Err(ApiError::new(
            Service::Cph,
            ErrorKind::Decode,
            format!(
                "the job answer has neither a job_id nor a status: {}",
                crate::sanitize::excerpt(body, 120)
            ),
        ));
    }
    Ok(job)
}

pub fn parse_jobs(body: &[u8]) -> Result<Rows<Job>, ApiError> {
    super::decode::decode::<JobList>(Service::Cph, body).map(|l| l.jobs)
}

pub struct Cph<'a> {
    api: &'a Api,
}

impl Api {
    pub fn cph(&self) -> Cph<'_> {
        Cph::new(self)
    }
}

impl<'a> Cph<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Cph { api }
    }

    /// `/v1/{project_id}/cloud-phone/{rest}`, the project id checked and encoded.
    async fn path(&self, rest: &str) -> Result<String, ApiError> {
        Ok(format!(
            "{}/{rest}",
            self.api.project_base(Service::Cph).await?
        ))
    }

    /// Every encode server: pages of 100 until a short page (the answer says no
    /// total). A page that repeats the one before, or a list past the hard caps, is
    /// an error.
    pub async fn list_encode_servers(&self) -> Result<Rows<EncodeServer>, ApiError> {
        let what = "encode server";
        let mut servers: Rows<EncodeServer> = Rows::default();
        let mut previous_first: Option<String> = None;
        for page_no in 1.. {
            let read = (servers.len() + servers.dropped) as u64;
            paging::check_progress(Service::Cph, what, page_no - 1, read)?;
            let call = Call::read(
                ApiName::CphListEncodeServers,
                self.path("encode-servers").await?,
            )
            .query("offset", read)
            .query("limit", PAGE_LIMIT);
            let (page, _) = self.api.send_parsed(&call, parse_encode_servers).await?;
            let first = page.rows.first().map(|e| e.encode_server_id.clone());
            if first.is_some() && first == previous_first {
                return Err(paging::repeated_page(Service::Cph, what, page_no));
            }
            previous_first = first;
            let done = page.len() + page.dropped < PAGE_LIMIT as usize;
            servers.append(page);
            if done {
                break;
            }
        }
        Ok(servers)
    }

    /// One encode server at most: the cheapest read (`phonedeck doctor`).
    pub async fn probe(&self) -> Result<Rows<EncodeServer>, ApiError> {
        let call = Call::read(
            ApiName::CphListEncodeServers,
            self.path("encode-servers").await?,
        )
        .query("offset", 0)
        .query("limit", 1);
        let (page, _) = self.api.send_parsed(&call, parse_encode_servers).await?;
        Ok(page)
    }

    /// Restarts encode servers in one call; each target gets a job id or its own error.
    pub async fn batch_restart(
        &self,
        ids: &[String],
        request_id: &str,
    ) -> Result<RestartReply, ApiError> {
        let call = Call::mutation(
            ApiName::CphBatchRestart,
            self.path("encode-servers/batch-restart").await?,
            json!({ "encode_server_ids": ids }),
            request_id,
        );
        let (mut parsed, request_id) = self.api.send_parsed(&call, parse_restart_reply).await?;
        parsed.request_id = parsed.request_id.or(request_id);
        Ok(parsed)
    }

    pub async fn job(&self, job_id: &str) -> Result<Job, ApiError> {
        let job = path::segment(Service::Cph, "job id", job_id)?;
        let call = Call::read(
            ApiName::CphShowJob,
            self.path(&format!("jobs/{job}")).await?,
        );
        self.api
            .send_parsed(&call, parse_job)
            .await
            .map(|(job, _)| job)
    }

    /// The jobs a task request started (ListJobs), found by the `request_id` its
    /// answer carried.
    pub async fn jobs_of_request(&self, request_id: &str) -> Result<Rows<Job>, ApiError> {
        let call = Call::read(ApiName::CphListJobs, self.path("jobs").await?)
            .query("request_id", request_id)
            .query("limit", PAGE_LIMIT);
        let (jobs, _) = self.api.send_parsed(&call, parse_jobs).await?;
        Ok(jobs)
    }

    /// The jobs `wanted`, read with ListJobs by the ids of the requests that started
    /// them (`REQUEST_IDS_PER_CALL` requests a call, every page); a job known by no
    /// request id is read with ShowJob. A job its request's list lacks is an error for
    /// that job. One answer per job, in no particular order.
    pub async fn jobs(&self, wanted: &[JobRef]) -> Vec<(String, Result<Job, ApiError>)> {
        let mut requests: Vec<String> =
            wanted.iter().filter_map(|j| j.request_id.clone()).collect();
        requests.sort_unstable();
        requests.dedup();
        let calls: Vec<Vec<String>> = requests
            .chunks(REQUEST_IDS_PER_CALL)
            .map(<[String]>::to_vec)
            .collect();
        let listed: Vec<JobsOfRequests> = futures::stream::iter(calls)
            .map(|requests: Vec<String>| async move {
                let jobs = self.jobs_of_requests(&requests).await;
                (requests, jobs)
            })
            .buffer_unordered(self.api.max_in_flight())
            .collect()
            .await;
        let mut answers = Vec::with_capacity(wanted.len());
        for (requests, result) in &listed {
            let of_these = wanted
                .iter()
                .filter(|j| j.request_id.as_ref().is_some_and(|r| requests.contains(r)));
            for job in of_these {
                let answer = match result {
                    Ok(jobs) => jobs
                        .iter()
                        .find(|listed| listed.job_id == job.job_id)
                        .cloned()
                        .ok_or_else(|| job.missing_from_its_request()),
                    Err(error) => Err(error.clone()),
                };
                answers.push((job.job_id.clone(), answer));
            }
        }
        let alone: Vec<String> = wanted
            .iter()
            .filter(|j| j.request_id.is_none())
            .map(|j| j.job_id.clone())
            .collect();
        let shown: Vec<(String, Result<Job, ApiError>)> = futures::stream::iter(alone)
            .map(|job_id: String| async move {
                let job = self.job(&job_id).await;
                (job_id, job)
            })
            .buffer_unordered(self.api.max_in_flight())
            .collect()
            .await;
        answers.extend(shown);
        answers
    }

    /// Every job of up to `REQUEST_IDS_PER_CALL` requests, page by page; at most
    /// `MAX_JOB_PAGES` pages, so a server that always answers a full page ends.
    async fn jobs_of_requests(&self, requests: &[String]) -> Result<Vec<Job>, ApiError> {
        let mut jobs = Vec::new();
        let mut offset = 0;
        for _ in 0..MAX_JOB_PAGES {
            let call = Call::read(ApiName::CphListJobs, self.path("jobs").await?)
                .query("request_ids", requests.join(","))
                .query("offset", offset)
                .query("limit", PAGE_LIMIT);
            let (page, _) = self.api.send_parsed(&call, parse_jobs).await?;
            offset += page.rows.len() + page.dropped;
            let full = page.rows.len() + page.dropped >= PAGE_LIMIT as usize;
            jobs.extend(page.rows);
            if !full {
                return Ok(jobs);
            }
        }
        Err(ApiError::new(
            Service::Cph,
            ErrorKind::Service,
            format!(
                "the job list of {} request(s) went on past {MAX_JOB_PAGES} pages of {PAGE_LIMIT}; it was not read to its end",
                requests.len()
            ),
        ))
    }

    /// Follows `wanted` with `jobs` every `interval` until each has ended, its read
    /// failed, or `deadline` passed (a job still running then is a Timeout error);
    /// `ended(count)` hears how many are done after each round.
    pub async fn wait_jobs(
        &self,
        mut wanted: Vec<JobRef>,
        interval: Duration,
        deadline: Duration,
        ended: &(dyn Fn(usize) + Sync),
    ) -> Vec<(String, Result<Job, ApiError>)> {
        let started = tokio::time::Instant::now();
        let mut done = Vec::with_capacity(wanted.len());
        loop {
            let out_of_time = started.elapsed() >= deadline;
            for (job_id, answer) in self.jobs(&wanted).await {
                let answer = match answer {
                    Ok(job) if !job.is_finished() && !out_of_time => continue,
                    Ok(job) if !job.is_finished() => Err(ApiError::new(
                        Service::Cph,
                        ErrorKind::Timeout,
                        format!(
                            "job {job_id} still {} after {}",
                            job.status_name(),
                            humantime::format_duration(deadline)
                        ),
                    )),
                    answer => answer,
                };
                wanted.retain(|j| j.job_id != job_id);
                done.push((job_id, answer));
            }
            ended(done.len());
            if wanted.is_empty() {
                return done;
            }
            tokio::time::sleep(interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_restart_example_parses() {
        let body = br#"{ "jobs" : [ { "job_id" : "e9d7b1a2572c4f2c9bf056a3d1b35e39", "encode_server_id" : "d5cfa92995da40168c39b38d2aa478b3" },
            { "job_id" : "4d0a42447cac4c9697b97f07934b74bd", "encode_server_id" : "00b00d1b35094f13b360cdfe15a9bfee" } ],
            "request_id" : "c775bdf09bc0400a9138199b346cab62" }"#;
        let reply = parse_restart_reply(body).expect("parses");
        assert_eq!(reply.jobs.len(), 2);
        assert_eq!(
            reply.jobs.rows[1].job_id.as_deref(),
            Some("4d0a42447cac4c9697b97f07934b74bd")
        );
    }

    #[test]
    fn restart_entry_may_carry_an_error_instead_of_a_job() {
        let body = br#"{"request_id":"r","jobs":[{"encode_server_id":"x","error_code":"CPS.0005","error_msg":"not found"}]}"#;
        let reply = parse_restart_reply(body).expect("parses");
        assert_eq!(reply.jobs.rows[0].job_id, None);
        assert_eq!(reply.jobs.rows[0].error_code.as_deref(), Some("CPS.0005"));
    }

    #[test]
    fn unknown_statuses_are_kept_raw() {
        assert_eq!(EncoderStatus(9).name(), "Unknown(9)");
        assert_eq!(EncoderStatus(4).name(), "Creating (4)");
        assert_eq!(EncoderStatus(1).name(), "Running");
        assert_eq!(JobStatus(7).name(), "Unknown(7)");
        assert!(JobStatus::FAILED.is_finished());
    }
}
