//! `phonedeck encoders list|restart`, with `--wait` following each restart job.

use std::time::Duration;

use crate::actions::ActionKind;
use crate::api::cph::{EncoderStatus, Job, JobStatus};
use crate::api::tolerant::label;
use crate::api::{ApiError, Outcome, TargetOutcome};
use crate::bulk::run_bounded;
use crate::cli::{OutputFormat, Wait};

use super::confirm::ensure_allowed;
use super::output::{optional, print_outcomes, print_rows, warn_dropped};
use super::{EXIT_OK, Failure, Target};

const JOB_POLL: Duration = Duration::from_millis(500);

pub async fn list(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let servers = target.api.cph().list_encode_servers().await?;
    warn_dropped(&servers, "encode server");
    let rows: Vec<Vec<String>> = servers
        .rows
        .iter()
        .map(|s| {
            vec![
                s.encode_server_id.clone(),
                s.encode_server_name.clone(),
                label(s.status, EncoderStatus::name),
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
    let kind = ActionKind::RestartEncoder;
    ensure_allowed(&target.api, kind.label(), &ids, yes)?;
    let mut outcomes = target.executor()?.run_in_order(kind, ids).await;
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

fn job_outcome(accepted: TargetOutcome, job: Result<Job, ApiError>) -> TargetOutcome {
    match job {
        Ok(job) if job.status == Some(JobStatus::SUCCESS) => accepted,
        Ok(job) => {
            let status = job.status_name();
            TargetOutcome {
                outcome: Outcome::Failed,
                error_code: job.error_code,
                error_msg: Some(job.error_msg.unwrap_or_else(|| format!("job {status}"))),
                ..accepted
            }
        }
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
