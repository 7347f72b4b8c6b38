//! Everything that can happen to the dashboard, as a message to `update`.

use crate::app::run_id::RunId;
use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::cph::Job;
use crate::api::koophone::BatchStatus;
use crate::api::{ApiError, TargetOutcome};

use super::pane::listing::Listing;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// A click or a wheel turn (only with `mouse = true`).
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock: polls fall due, ages move on.
    Tick,
    /// SIGTERM or SIGHUP: leave now, restoring the terminal.
    Terminate,
    /// Quitting waited its grace for the requests in flight: leave with those still
    /// unanswered (the shell records them unknown).
    GraceOver,
    /// A pane's fresh listing (or why there is none).
    Listed(Listing),
    StatusPolled(BatchStatus),
    JobsPolled(Vec<(String, Result<Job, ApiError>)>),
    RunOutcome {
        run: RunId,
        outcome: TargetOutcome,
    },
    RunFinished {
        run: RunId,
    },
    /// The shell connected to another profile (its settings), or could not (why).
    ProfileSwitched(Result<crate::app::Settings, String>),
    /// An export file was written (its path) or could not be (why).
    FileWritten {
        what: String,
        result: Result<std::path::PathBuf, String>,
    },
    /// A target's audit lines, or why they cannot be read.
    AuditRead {
        target: String,
        result: Result<Vec<crate::audit::read::Record>, String>,
    },
    /// A phone's whole record as the service returned it (field, value), or why not.
    PhoneRecordRead {
        id: String,
        result: Result<Vec<(String, String)>, String>,
    },
    /// Something the engineer should know in passing (e.g. a token was renewed).
    Note(String),
    /// This profile's actions of the last day, from the audit log, that left targets
    /// undone (or why the log could not be read).
    EarlierRuns(Result<Vec<EarlierRun>, String>),
}

/// An action of an earlier run, from the audit log: each of its targets as the latest
/// of the action and its retries left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierRun {
    pub action_id: String,
    pub kind: crate::action_kind::ActionKind,
    /// When it started, as the engineer's clock shows it ("14:02").
    pub started: String,
    pub targets: Vec<TargetOutcome>,
}
