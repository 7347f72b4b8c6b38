//! What `update` asks the shell to do: requests to start. Each runs as a task and
//! answers with messages.

use std::sync::Arc;

use crate::action_kind::ActionKind;
use crate::api::TargetOutcome;
use crate::api::cph::JobRef;
use crate::app::run_id::RunId;

use super::pane::Pane;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Lists a pane's rows afresh (answered with `Msg::Listed`).
    List(Pane),
    /// Polls these phones' status.
    PollStatus(Vec<String>),
    /// Polls these restart jobs (by their requests' ids where known).
    PollJobs(Vec<JobRef>),
    /// Connects to another profile of the configuration (the shell swaps clients).
    SwitchProfile(String),
    /// Writes an export file into the export directory.
    WriteFile {
        path: std::path::PathBuf,
        contents: String,
        what: String,
    },
    /// Runs an action on its targets (`run` numbers it in this session,
    /// `action_id` names it in the audit log).
    StartRun {
        run: RunId,
        action_id: String,
        retry_of: Option<String>,
        kind: ActionKind,
        /// Shared with the run's record in the activity log (no copy per launch).
        targets: Arc<[String]>,
    },
    /// Stops a running action: targets not yet started are not sent.
    CancelRun(RunId),
    /// Reads one target's lines from the audit log (answered with `Msg::AuditRead`).
    ReadAudit { target: String },
    /// Reads one phone whole, every field the service returns (answered with
    /// `Msg::PhoneRecordRead`): phone rows keep only what the table shows.
    ReadPhoneRecord { id: String },
    /// Puts text on the clipboard through the terminal (OSC 52).
    Clipboard(String),
    /// The engineer asks to try refused credentials once more (`R`).
    TryCredentialsAgain,
    /// Writes what following a target through settled to the audit log.
    RecordSettled(SettledTarget),
    /// Reads this profile's actions of the last day that left targets undone
    /// (answered with `Msg::EarlierRuns`).
    ReadEarlierRuns { profile: String },
}

/// An accepted target whose outcome following it through changed (its restart job
/// failed): the audit log's `settled` line, its outcome from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledTarget {
    pub kind: ActionKind,
    pub action_id: String,
    pub retry_of: Option<String>,
    pub outcome: TargetOutcome,
}
