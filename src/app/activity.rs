//! The activity log: every action with its progress and failures, and every refresh error.

use std::time::Instant;

use crate::action_kind::ActionKind;
use crate::api::{Outcome, TargetOutcome};

/// Entries kept; older ones are dropped (the audit file keeps everything).
pub const MAX_ENTRIES: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Action(ActionProgress),
    /// One target's failed or unknown outcome.
    TargetProblem {
        action: ActionKind,
        outcome: TargetOutcome,
    },
    RefreshError {
        what: &'static str,
        message: String,
    },
    Note(String),
}

impl Entry {
    /// The entry as one line of text (not yet sanitised: the screen and the saved log
    /// each make it safe).
    pub fn text(&self) -> String {
        match self {
            Entry::Action(p) => {
                let mut text = format!(
                    "{} on {} target(s): {}/{} done",
                    p.kind.label(),
                    p.total,
                    p.done(),
                    p.total
                );
                if p.failed > 0 {
                    text.push_str(&format!(", {} failed", p.failed));
                }
                if p.unknown > 0 {
                    text.push_str(&format!(", {} unknown", p.unknown));
                }
                text.push_str(if p.finished { " — finished" } else { " …" });
                text
            }
            Entry::TargetProblem { action, outcome } => {
                // The request id first: it is what support asks for, and long messages get cut.
                let request = outcome
                    .request_id
                    .as_deref()
                    .map(|id| format!(" [request id {id}]"))
                    .unwrap_or_default();
                format!(
                    "  {} {} {}{request}: {} {}",
                    action.label(),
                    outcome.target,
                    outcome.outcome,
                    outcome.error_code.as_deref().unwrap_or(""),
                    outcome.error_msg.as_deref().unwrap_or(""),
                )
            }
            Entry::RefreshError { what, message } => {
                format!("refresh of {what} failed, last data kept: {message}")
            }
            Entry::Note(note) => note.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionProgress {
    pub id: u64,
    pub kind: ActionKind,
    pub total: usize,
    pub ok: usize,
    pub failed: usize,
    pub unknown: usize,
    pub started: Instant,
    pub finished: bool,
}

impl ActionProgress {
    pub fn done(&self) -> usize {
        self.ok + self.failed + self.unknown
    }

    pub fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Unknown => self.unknown += 1,
        }
    }
}

#[derive(Debug, Default)]
pub struct ActivityLog {
    pub entries: Vec<(Instant, Entry)>,
}

impl ActivityLog {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn push(&mut self, at: Instant, entry: Entry) {
        self.entries.push((at, entry));
        if self.entries.len() > MAX_ENTRIES {
            let excess = self.entries.len() - MAX_ENTRIES;
            self.entries.drain(..excess);
        }
    }

    pub fn action_mut(&mut self, id: u64) -> Option<&mut ActionProgress> {
        self.entries.iter_mut().rev().find_map(|(_, e)| match e {
            Entry::Action(progress) if progress.id == id => Some(progress),
            _ => None,
        })
    }
}
