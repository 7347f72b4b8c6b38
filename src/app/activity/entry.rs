//! One line of the activity log: a run (by its number), a target's problem, a
//! failing refresh or a note.

use crate::action_kind::ActionKind;
use crate::api::TargetOutcome;
use crate::app::run_id::RunId;

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// An action run, by its number (see `ActivityLog::run`).
    Run(RunId),
    /// One target's failed or unknown outcome, in the run `of`.
    TargetProblem {
        of: RunId,
        kind: ActionKind,
        outcome: TargetOutcome,
    },
    /// A feed's failed refreshes in a row (`failures`), with the latest error.
    RefreshError {
        what: &'static str,
        message: String,
        failures: u32,
    },
    Note(String),
}

impl Entry {
    /// The entry as one line of text (not yet sanitised: the screen and the saved log
    /// each make it safe); an action's line comes from its run (`ActivityLog::text`).
    pub(super) fn text(&self) -> String {
        match self {
            Entry::Run(id) => format!("action {id} (no longer kept)"),
            Entry::TargetProblem { kind, outcome, .. } => {
                // What went wrong first; the request id (for support) last, where a
                // narrow screen cuts it (Enter on the focused log shows it whole).
                let why: Vec<&str> = [&outcome.error_code, &outcome.error_msg]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let mut text = format!(
                    "  {} {} {}: {}",
                    kind.label(),
                    outcome.target,
                    outcome.outcome,
                    why.join(" "),
                );
                if let (Some(settled), Some(seen)) = (outcome.reconciled, &outcome.seen) {
                    text.push_str(&format!(", read back: {settled} ({seen})"));
                }
                if let Some(id) = &outcome.request_id {
                    text.push_str(&format!(" [request id {id}]"));
                }
                text
            }
            Entry::RefreshError {
                what,
                message,
                failures,
            } => {
                let times = if *failures > 1 {
                    format!(" {failures} times in a row")
                } else {
                    String::new()
                };
                format!("refresh of {what} failed{times}, last data kept: {message}")
            }
            Entry::Note(note) => note.clone(),
        }
    }
}
