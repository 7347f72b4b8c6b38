//! `phonedeck encoders list|restart`, with `--wait` following each restart job.

use std::time::Duration;

use crate::api::cph::{Job, JobStatus, RestartJob};
use crate::api::{ApiError, Outcome, TargetOutcome};
use crate::bulk::run_bounded;
use crate::cli::{OutputFormat, Wait};

use super::confirm::ensure_allowed;
use super::output::{optional, print_outcomes, print_rows};
use super::{EXIT_OK, Failure, Target};

/// Encode servers per batch-restart call.
const RESTART_BATCH: usize = 32;
const JOB_POLL: Duration = Duration::from_millis(500);

pub async fn list(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let servers = target.api.cph().list_encode_servers().await?;
    let rows: Vec<Vec<String>> = servers
        .iter()
        .map(|s| {
            vec![
                s.encode_server_id.clone(),
                s.encode_server_name.clone(),
                s.status.name(),
                optional(s.encode_server_ip.as_ref()),
            ]
        })
        .collect();
    print_rows(format, &servers, &["ID", "NAME", "STATUS", "IP"], &rows)?;
    Ok(EXIT_OK)
}

pub async fn restart(
    target: &Target,
    ids: Vec<String>,
    yes: bool,
    wait: &Wait,
    format: OutputFormat,
) -> Result<u8, Failure> {
    ensure_allowed(&target.api, "restart encoder", &ids, yes)?;
    let mut outcomes = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(RESTART_BATCH) {
        let answer = target.api.cph().batch_restart(chunk).await;
        outcomes.extend(restart_outcomes(chunk, answer));
    }
    if wait.wait {
        let api = &target.api;
        outcomes = run_bounded(outcomes, api.max_in_flight(), |outcome| async move {
            match (&outcome.outcome, outcome.job_id.clone()) {
                (Outcome::Ok, Some(job_id)) => {
                    let job = api.cph().wait_job(&job_id, JOB_POLL, wait.timeout).await;
                    job_outcome(outcome, job)
                }
                _ => outcome,
            }
        })
        .await;
    }
    print_outcomes(format, &outcomes)
}

/// One outcome per requested id: a job, an error of its own, the whole call's error,
/// or unknown when the answer does not mention it.
fn restart_outcomes(
    ids: &[String],
    answer: Result<crate::api::cph::RestartReply, ApiError>,
) -> Vec<TargetOutcome> {
    let reply = match answer {
        Ok(reply) => reply,
        Err(error) => {
            return ids
                .iter()
                .map(|id| TargetOutcome::from_error(id, &error))
                .collect();
        }
    };
    ids.iter()
        .map(|id| {
            let entry = reply.jobs.iter().find(|j| &j.encode_server_id == id);
            entry_outcome(id, entry, reply.request_id.clone())
        })
        .collect()
}

fn entry_outcome(
    id: &str,
    entry: Option<&RestartJob>,
    request_id: Option<String>,
) -> TargetOutcome {
    match entry {
        Some(RestartJob {
            job_id: Some(job_id),
            ..
        }) => TargetOutcome {
            job_id: Some(job_id.clone()),
            ..TargetOutcome::ok(id, request_id)
        },
        Some(job) => TargetOutcome::failed(
            id,
            job.error_code.clone(),
            job.error_msg
                .clone()
                .unwrap_or_else(|| "restart refused".into()),
            request_id,
        ),
        None => TargetOutcome {
            outcome: Outcome::Unknown,
            error_msg: Some("the answer has no entry for this encode server".into()),
            ..TargetOutcome::ok(id, request_id)
        },
    }
}

fn job_outcome(accepted: TargetOutcome, job: Result<Job, ApiError>) -> TargetOutcome {
    match job {
        Ok(job) if job.status == JobStatus::SUCCESS => accepted,
        Ok(job) => TargetOutcome {
            outcome: Outcome::Failed,
            error_code: job.error_code,
            error_msg: Some(
                job.error_msg
                    .unwrap_or_else(|| format!("job {}", job.status.name())),
            ),
            ..accepted
        },
        Err(error) => TargetOutcome {
            outcome: Outcome::Unknown,
            error_code: error.code.clone(),
            error_msg: Some(format!(
                "restart accepted; job not followed to its end: {}",
                error.message
            )),
            ..accepted
        },
    }
}
