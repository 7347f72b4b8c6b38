//! `phonedeck encoders list|restart`, with `--wait` following each restart job.

use std::time::Duration;

use crate::action_kind::ActionKind;
use crate::api::cph::{Job, JobRef, JobStatus};
use crate::api::{ApiError, Outcome, TargetOutcome};
use crate::cli::{OutputFormat, Wait};

use super::confirm::ensure_allowed;
use super::output::{print_list, warn_dropped};
use super::progress::Progress;
use super::{EXIT_OK, Failure, Target};
use crate::app::pane::encoders::EncoderRow;

const JOB_POLL: Duration = Duration::from_millis(500);

pub async fn list(target: &Target, format: OutputFormat) -> Result<u8, Failure> {
    let servers = target.api.cph().list_encode_servers().await?;
    warn_dropped(&servers, "encode server");
    let rows: Vec<EncoderRow> = servers.rows.iter().cloned().map(EncoderRow).collect();
    print_list(format, &rows)?;
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
    super::check_ids(&ids, "encode server id or name")?;
    let known = super::names::listed(
        target.api.cph().list_encode_servers().await,
        "encode servers",
        |e| (e.encode_server_id.clone(), e.encode_server_name.clone()),
    );
    let ids = super::names::resolve_listed(ids, known.as_deref(), "encode server")?;
    let names = super::names::names_of(known.as_deref());
    ensure_allowed(&target.api, kind.label(), &ids, &names, yes)?;
    let mut performed = super::interrupt::perform(target, kind, ids, None).await?;
    performed.names = names;
    if wait.wait {
        let api = &target.api;
        let wanted: Vec<JobRef> = performed
            .outcomes
            .iter()
            .filter(|o| o.took_effect())
            .filter_map(|o| {
                Some(JobRef {
                    job_id: o.job_id.clone()?,
                    request_id: o.request_id.clone(),
                })
            })
            .collect();
        let progress = Progress::new();
        let total = wanted.len();
        progress.show(&format!("restart jobs: 0 of {total} ended"));
        let jobs = api
            .cph()
            .wait_jobs(wanted, JOB_POLL, wait.timeout, &|count| {
                progress.show(&format!("restart jobs: {count} of {total} ended"));
            })
            .await;
        progress.finish();
        for (job_id, job) in jobs {
            let followed = performed
                .outcomes
                .iter_mut()
                .find(|o| o.job_id.as_deref() == Some(job_id.as_str()) && o.took_effect());
            if let Some(outcome) = followed {
                *outcome = job_outcome(outcome.clone(), job);
            }
        }
        // A restart whose job failed is failed: the audit log says so too.
        for failed in performed.outcomes.clone() {
            if failed.outcome == Outcome::Failed && failed.job_id.is_some() {
                performed.record_settled(&failed).await;
            }
        }
    }
    performed.print(format)
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
