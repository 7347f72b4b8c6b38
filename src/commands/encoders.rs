//! `phonedeck encoders list|restart`, with `--wait` following each restart job.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::{StreamExt, stream};

use crate::action_kind::ActionKind;
use crate::api::cph::{Job, JobStatus};
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
    let ids = super::names::resolve(ids, &known, "encode server")?;
    ensure_allowed(&target.api, kind.label(), &ids, yes)?;
    let mut performed = super::interrupt::perform(target, kind, ids, None).await?;
    if wait.wait {
        let outcomes = std::mem::take(&mut performed.outcomes);
        let api = &target.api;
        let jobs = outcomes.iter().filter(|o| o.job_id.is_some()).count();
        let (progress, ended) = (Progress::new(), AtomicUsize::new(0));
        progress.show(&format!("restart jobs: 0 of {jobs} ended"));
        performed.outcomes = run_bounded(outcomes, api.max_in_flight(), |outcome| {
            let (progress, ended) = (&progress, &ended);
            async move {
                match outcome.job_id.clone() {
                    Some(job_id) if outcome.took_effect() => {
                        let job = api.cph().wait_job(&job_id, JOB_POLL, wait.timeout).await;
                        let count = ended.fetch_add(1, Ordering::SeqCst) + 1;
                        progress.show(&format!("restart jobs: {count} of {jobs} ended"));
                        job_outcome(outcome, job)
                    }
                    _ => outcome,
                }
            }
        })
        .await;
        progress.finish();
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

/// Runs `action` over `targets`, at most `concurrency` at once; one outcome per
/// target, in input order, and one failure never stops the rest.
async fn run_bounded<T, F, Fut>(
    targets: Vec<T>,
    concurrency: usize,
    action: F,
) -> Vec<TargetOutcome>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = TargetOutcome>,
{
    stream::iter(targets)
        .map(action)
        .buffered(concurrency.max(1))
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn keeps_order_and_bounds_concurrency() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let targets: Vec<u64> = (0..20).collect();
        let outcomes = run_bounded(targets, 3, |n| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20 - n)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                TargetOutcome::ok(n.to_string(), None)
            }
        })
        .await;
        let order: Vec<String> = outcomes.into_iter().map(|o| o.target).collect();
        assert_eq!(order, (0..20).map(|n| n.to_string()).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
