//! `phonedeck jobs JOB_ID...`: the state of CPH jobs.

use crate::api::tolerant::MISSING;
use futures::{StreamExt, stream};
use serde::Serialize;

use crate::api::cph::{Job, JobStatus};
use crate::cli::OutputFormat;

use super::output::{optional, print_rows};
use super::{EXIT_FAILED, EXIT_OK, Failure, Target};

/// A job, or why it could not be read.
#[derive(Serialize)]
#[serde(untagged)]
enum JobReport {
    Found(Job),
    Missing {
        job_id: String,
        error_code: Option<String>,
        error_msg: String,
    },
}

pub async fn run(
    target: &Target,
    job_ids: Vec<String>,
    format: OutputFormat,
) -> Result<u8, Failure> {
    super::check_ids(&job_ids, "job id")?;
    let api = &target.api;
    let reports: Vec<JobReport> = stream::iter(job_ids)
        .map(|id| async move {
            match api.cph().job(&id).await {
                Ok(job) => JobReport::Found(job),
                Err(e) => JobReport::Missing {
                    job_id: id,
                    error_code: e.code.clone(),
                    error_msg: e.to_string(),
                },
            }
        })
        .buffered(api.max_in_flight())
        .collect()
        .await;
    let ok = reports
        .iter()
        .all(|r| matches!(r, JobReport::Found(job) if job.status != Some(JobStatus::FAILED)));
    let rows: Vec<Vec<String>> = reports.iter().map(row).collect();
    print_rows(
        format,
        &reports,
        &["JOB ID", "STATUS", "BEGIN", "END", "ERROR"],
        &rows,
    )?;
    Ok(if ok { EXIT_OK } else { EXIT_FAILED })
}

fn row(report: &JobReport) -> Vec<String> {
    match report {
        JobReport::Found(job) => vec![
            job.job_id.clone(),
            job.status_name(),
            optional(job.begin_time.as_ref()),
            optional(job.end_time.as_ref()),
            match (&job.error_code, &job.error_msg) {
                (None, None) => MISSING.into(),
                (code, msg) => format!("{} {}", optional(code.as_ref()), optional(msg.as_ref())),
            },
        ],
        JobReport::Missing {
            job_id, error_msg, ..
        } => {
            vec![
                job_id.clone(),
                "?".into(),
                MISSING.into(),
                MISSING.into(),
                error_msg.clone(),
            ]
        }
    }
}
