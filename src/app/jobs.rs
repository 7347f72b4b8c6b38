//! The encoder restart jobs the dashboard follows until they end (drawn below the
//! Encoders pane, polled by their own feed).

use crate::app::run_id::RunId;
use std::time::Instant;

use crate::api::cph::JobStatus;

/// An encoder restart job the dashboard follows until it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub job_id: String,
    /// The id of the restart request's answer: the job is polled by it (ListJobs).
    pub request_id: Option<String>,
    /// The run that started it.
    pub run: RunId,
    pub encoder_id: String,
    pub state: JobState,
    pub started: Instant,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Running,
    Succeeded,
    Failed {
        code: Option<String>,
        message: String,
    },
    /// The job's status could not be read (last error kept; polling goes on).
    Unreadable(String),
}

impl JobState {
    /// A job with no readable status is still running, as far as anyone can tell.
    pub fn from_status(
        status: Option<JobStatus>,
        code: Option<String>,
        message: Option<String>,
    ) -> Self {
        match status {
            Some(JobStatus::SUCCESS) => JobState::Succeeded,
            Some(JobStatus::FAILED) => JobState::Failed {
                code,
                message: message.unwrap_or_else(|| "job failed".into()),
            },
            _ => JobState::Running,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed { .. })
    }
}
