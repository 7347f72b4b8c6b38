//! The activity log: every action with its progress and failures, and every refresh error.

use std::time::Instant;

use crate::action_kind::ActionKind;
use crate::api::{Outcome, TargetOutcome};

/// Entries kept; older ones are dropped (the audit file keeps everything).
pub const MAX_ENTRIES: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Action(ActionProgress),
    /// One target's failed or unknown outcome, in the action numbered `of`.
    TargetProblem {
        of: u64,
        action: ActionKind,
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
    /// each make it safe).
    pub fn text(&self) -> String {
        match self {
            Entry::Action(p) => {
                // What was done and what failed, counted apart: never "3/3 done, 1 failed".
                let mut text =
                    format!("{} on {} target(s): {} done", p.kind.label(), p.total, p.ok);
                if p.failed > 0 {
                    text.push_str(&format!(", {} failed", p.failed));
                }
                if p.unknown > 0 {
                    text.push_str(&format!(", {} unknown", p.unknown));
                }
                if p.not_sent > 0 {
                    text.push_str(&format!(", {} not sent", p.not_sent));
                }
                if p.confirmed > 0 || !p.awaiting.is_empty() {
                    text.push_str(&format!(", {} confirmed", p.confirmed));
                }
                if p.went_wrong > 0 {
                    text.push_str(&format!(", {} went wrong after", p.went_wrong));
                }
                if p.pushed_again > 0 {
                    text.push_str(&format!(", {} pushed again", p.pushed_again));
                }
                text.push_str(&match (p.finished, p.stopping, p.awaiting.len()) {
                    (true, _, 0) => " — finished".to_string(),
                    (true, _, awaiting) => format!(" — awaiting {awaiting}…"),
                    (false, true, _) => " — stopping…".to_string(),
                    (false, false, _) => format!(" … {}/{} answered", p.done(), p.total),
                });
                text.push_str(&format!(" · action {}", p.action_id));
                if let Some(retried) = &p.retry_of {
                    text.push_str(&format!(", retry of {retried}"));
                }
                text
            }
            Entry::TargetProblem {
                action, outcome, ..
            } => {
                // What went wrong first; the request id (for support) last, where a
                // narrow screen cuts it (Enter on the focused log shows it whole).
                let why: Vec<&str> = [&outcome.error_code, &outcome.error_msg]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let mut text = format!(
                    "  {} {} {}: {}",
                    action.label(),
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

#[derive(Debug, Clone, PartialEq)]
pub struct ActionProgress {
    pub id: u64,
    /// Its id in the audit log.
    pub action_id: String,
    pub kind: ActionKind,
    pub total: usize,
    pub ok: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_sent: usize,
    pub started: Instant,
    /// Told to stop: the targets not yet started will not be sent.
    pub stopping: bool,
    pub finished: bool,
    /// The action this one retries.
    pub retry_of: Option<String>,
    /// Its targets that did not end ok (failed, unknown, not sent): what a retry sends.
    pub retry_targets: Vec<String>,
    /// Accepted targets whose expected state a later poll has not shown yet.
    pub awaiting: Vec<String>,
    /// Accepted targets a later poll showed in the expected state (a server SHUTOFF, a
    /// job succeeded, a stream gone).
    pub confirmed: usize,
    /// Accepted targets that then went wrong (their restart job failed).
    pub went_wrong: usize,
    /// Streams seen dropped, and when: block-once lets a publisher push again, and
    /// the engineer wants to know when one did.
    pub dropped: Vec<(String, Instant)>,
    /// Dropped streams seen online again.
    pub pushed_again: usize,
}

impl ActionProgress {
    /// A just-launched action: nothing answered yet.
    pub fn new(
        id: u64,
        action_id: String,
        kind: ActionKind,
        total: usize,
        started: Instant,
    ) -> Self {
        ActionProgress {
            id,
            action_id,
            kind,
            total,
            ok: 0,
            failed: 0,
            unknown: 0,
            not_sent: 0,
            started,
            stopping: false,
            finished: false,
            retry_of: None,
            retry_targets: Vec::new(),
            awaiting: Vec::new(),
            confirmed: 0,
            went_wrong: 0,
            dropped: Vec::new(),
            pushed_again: 0,
        }
    }

    /// Targets accounted for, whatever their outcome.
    pub fn done(&self) -> usize {
        self.ok + self.failed + self.unknown + self.not_sent
    }

    /// Counts a target's outcome; one that did not end ok is kept for a retry.
    pub fn count(&mut self, outcome: &TargetOutcome) {
        match outcome.outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Unknown => self.unknown += 1,
            Outcome::NotSent => self.not_sent += 1,
        }
        // What happened (ok, or no answer but read back as done) is never retried.
        if !outcome.took_effect() {
            self.retry_targets.push(outcome.target.clone());
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

    /// One line for the terminal at exit: this session's targets by outcome (those
    /// still unanswered count as unknown). None when no action was run.
    pub fn exit_summary(&self) -> Option<String> {
        let actions: Vec<&ActionProgress> = self
            .entries
            .iter()
            .filter_map(|(_, e)| match e {
                Entry::Action(progress) => Some(progress),
                _ => None,
            })
            .collect();
        if actions.is_empty() {
            return None;
        }
        let sum =
            |count: fn(&ActionProgress) -> usize| actions.iter().map(|p| count(p)).sum::<usize>();
        let unanswered = sum(|p| p.total.saturating_sub(p.done()));
        Some(format!(
            "{} action(s) on {} target(s): {} done, {} failed, {} unknown, {} not sent",
            actions.len(),
            sum(|p| p.total),
            sum(|p| p.ok),
            sum(|p| p.failed),
            sum(|p| p.unknown) + unanswered,
            sum(|p| p.not_sent),
        ))
    }

    /// The action an entry belongs to (its number), if any.
    pub fn action_of(&self, index: usize) -> Option<u64> {
        match self.entries.get(index).map(|(_, e)| e) {
            Some(Entry::Action(progress)) => Some(progress.id),
            Some(Entry::TargetProblem { of, .. }) => Some(*of),
            _ => None,
        }
    }

    pub fn action(&self, id: u64) -> Option<&ActionProgress> {
        self.entries.iter().rev().find_map(|(_, e)| match e {
            Entry::Action(progress) if progress.id == id => Some(progress),
            _ => None,
        })
    }

    pub fn action_mut(&mut self, id: u64) -> Option<&mut ActionProgress> {
        self.entries.iter_mut().rev().find_map(|(_, e)| match e {
            Entry::Action(progress) if progress.id == id => Some(progress),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::outcome::Settled;

    #[test]
    fn what_happened_is_never_kept_for_a_retry() {
        let mut progress = ActionProgress::new(
            1,
            "a1".into(),
            ActionKind::RestartEncoder,
            4,
            Instant::now(),
        );
        let unknown = |target: &str, settled: Option<Settled>| TargetOutcome {
            outcome: Outcome::Unknown,
            reconciled: settled,
            ..TargetOutcome::ok(target, None)
        };
        progress.count(&TargetOutcome::ok("done", None));
        progress.count(&unknown("happened", Some(Settled::Happened)));
        progress.count(&unknown("did-not", Some(Settled::DidNotHappen)));
        progress.count(&TargetOutcome::failed("refused", None, "no", None));
        assert_eq!(progress.retry_targets, ["did-not", "refused"]);
        assert_eq!(progress.done(), 4);
    }
}
