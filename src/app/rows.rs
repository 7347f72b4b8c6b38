//! The rows of the four panes, as the dashboard keeps them between refreshes.

use std::cmp::Ordering;
use std::time::Instant;

use crate::api::compute::Server;
use crate::api::cph::{EncodeServer, EncoderStatus, JobStatus};
use crate::api::koophone::PhoneStatus;
use crate::api::live::Stream;
use crate::api::tolerant::label;

use super::clock::Clock;
use super::table::TableRow;

pub const PHONE_COLUMNS: [&str; 5] = ["INSTANCE ID", "NAME", "STATUS", "SINCE", "LAST ERROR"];
pub const STREAM_COLUMNS: [&str; 6] = [
    "STREAM",
    "BITRATE",
    "FPS",
    "RESOLUTION",
    "CLIENT IP",
    "SINCE",
];
pub const ENCODER_COLUMNS: [&str; 4] = ["ENCODE SERVER ID", "NAME", "STATUS", "IP"];
pub const SERVER_COLUMNS: [&str; 4] = ["SERVER ID", "NAME", "STATUS", "TASK STATE"];

#[derive(Debug, Clone)]
pub struct PhoneRow {
    pub id: String,
    pub name: String,
    /// None when the service gave no readable status (shown as `–`).
    pub status: Option<PhoneStatus>,
    /// When phonedeck saw the status change to what it is now; None while it has
    /// not changed since phonedeck started (how long it has been so is not known).
    pub since: Option<Instant>,
    /// The poll that last changed the status (highlighted while it is the latest).
    pub changed_in_poll: Option<u64>,
    /// When the service last confirmed the status (listing or status poll).
    pub refreshed: Instant,
    pub error: Option<String>,
}

impl TableRow for PhoneRow {
    fn key(&self) -> &str {
        &self.id
    }

    fn texts(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            PhoneStatus::label(self.status),
            self.error.clone().unwrap_or_default(),
        ]
    }

    fn compare(&self, other: &Self, column: usize) -> Ordering {
        match column {
            0 => self.id.cmp(&other.id),
            1 => self.name.cmp(&other.name),
            // By name, as shown; without allocating for the documented ones (sorting
            // 100,000 rows compares a couple of million times).
            2 => match (
                self.status.and_then(PhoneStatus::known_name),
                other.status.and_then(PhoneStatus::known_name),
            ) {
                (Some(a), Some(b)) => a.cmp(b),
                _ => PhoneStatus::label(self.status).cmp(&PhoneStatus::label(other.status)),
            },
            // Shortest time in its status first; unknown (unchanged since start) last.
            3 => other.since.cmp(&self.since),
            _ => self.error.cmp(&other.error),
        }
    }

    fn record(&self, clock: &Clock) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            PhoneStatus::label(self.status),
            self.since.map(|at| clock.wall_time(at)).unwrap_or_default(),
            self.error.clone().unwrap_or_default(),
        ]
    }
}

#[derive(Debug, Clone)]
pub struct StreamRow {
    pub key: String,
    pub stream: Stream,
}

impl StreamRow {
    pub fn new(stream: Stream) -> Self {
        StreamRow {
            key: stream.key().to_string(),
            stream,
        }
    }
}

fn compare_numbers(a: Option<f64>, b: Option<f64>) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

impl TableRow for StreamRow {
    fn key(&self) -> &str {
        &self.key
    }

    fn texts(&self) -> Vec<String> {
        let s = &self.stream;
        vec![
            self.key.clone(),
            s.resolution.clone().unwrap_or_default(),
            s.client_ip.clone().unwrap_or_default(),
        ]
    }

    fn compare(&self, other: &Self, column: usize) -> Ordering {
        let (a, b) = (&self.stream, &other.stream);
        match column {
            0 => self.key.cmp(&other.key),
            1 => compare_numbers(a.video_bitrate, b.video_bitrate),
            2 => compare_numbers(a.video_frame_rate, b.video_frame_rate),
            3 => a.resolution.cmp(&b.resolution),
            4 => a.client_ip.cmp(&b.client_ip),
            _ => b.start_time.cmp(&a.start_time),
        }
    }

    fn record(&self, _clock: &Clock) -> Vec<String> {
        let s = &self.stream;
        let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.key.clone(),
            number(s.video_bitrate),
            number(s.video_frame_rate),
            s.resolution.clone().unwrap_or_default(),
            s.client_ip.clone().unwrap_or_default(),
            s.start_time.clone().unwrap_or_default(),
        ]
    }
}

#[derive(Debug, Clone)]
pub struct EncoderRow(pub EncodeServer);

impl TableRow for EncoderRow {
    fn key(&self) -> &str {
        &self.0.encode_server_id
    }

    fn texts(&self) -> Vec<String> {
        let e = &self.0;
        vec![
            e.encode_server_id.clone(),
            e.encode_server_name.clone(),
            label(e.status, EncoderStatus::name),
            e.encode_server_ip.clone().unwrap_or_default(),
        ]
    }

    fn compare(&self, other: &Self, column: usize) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        match column {
            0 => a.encode_server_id.cmp(&b.encode_server_id),
            1 => a.encode_server_name.cmp(&b.encode_server_name),
            2 => label(a.status, EncoderStatus::name).cmp(&label(b.status, EncoderStatus::name)),
            _ => a.encode_server_ip.cmp(&b.encode_server_ip),
        }
    }

    fn record(&self, _clock: &Clock) -> Vec<String> {
        self.texts()
    }
}

#[derive(Debug, Clone)]
pub struct ServerRow(pub Server);

impl TableRow for ServerRow {
    fn key(&self) -> &str {
        &self.0.id
    }

    fn texts(&self) -> Vec<String> {
        let s = &self.0;
        vec![
            s.id.clone(),
            s.name.clone(),
            label(s.status.clone(), |s| s),
            s.task_state.clone().unwrap_or_default(),
        ]
    }

    fn compare(&self, other: &Self, column: usize) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        match column {
            0 => a.id.cmp(&b.id),
            1 => a.name.cmp(&b.name),
            2 => a.status.cmp(&b.status),
            _ => a.task_state.cmp(&b.task_state),
        }
    }

    fn record(&self, _clock: &Clock) -> Vec<String> {
        self.texts()
    }
}

/// An encoder restart job the dashboard follows until it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub job_id: String,
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
