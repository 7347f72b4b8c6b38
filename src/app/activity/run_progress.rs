//! One run of an action as the log shows it: its tally, its phase, what a later
//! poll confirmed and what a retry would send.

use std::sync::Arc;
use std::time::Instant;

use crate::action_kind::{ActionKind, Retry};
use crate::api::outcome::Settled;
use crate::api::rate_limits::pace_note;
use crate::api::{Outcome, Rate, TargetOutcome};
use crate::app::causes::{Causes, cause_of};
use crate::app::run_id::RunId;

#[derive(Debug, Clone, PartialEq)]
pub struct RunProgress {
    pub id: RunId,
    /// Its id in the audit log.
    pub action_id: String,
    pub kind: ActionKind,
    pub total: usize,
    pub ok: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Of the unknown, those reading back settled: happened, did not happen.
    pub read_back: (usize, usize),
    pub not_sent: usize,
    pub started: Instant,
    /// Told to stop: the targets not yet started will not be sent.
    pub stopping: bool,
    pub finished: bool,
    /// The action this one retries.
    pub retry_of: Option<String>,
    /// Its targets that did not take effect (failed, not sent, unknown and not read
    /// back as done): what a retry sends.
    pub retry_targets: Vec<String>,
    /// Targets that may have taken effect, of an action not harmless to repeat: a
    /// retry leaves them out and says so.
    pub uncertain: Vec<String>,
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
    /// Failed and unknown targets by cause (code and message).
    pub causes: Causes,
    /// Lines it added to the log for failed or unknown targets.
    pub problem_lines: usize,
    /// An action of an earlier run (when it started), from the audit log: listed so
    /// that its undone targets can be retried, not counted in this session's tally.
    pub earlier: Option<String>,
    /// Each answered target's outcome and cause, so the session's tally can count a
    /// target once across an action and its retries, by its latest outcome.
    pub results: Vec<TargetResult>,
    /// The rate limit of its API, which paces it.
    pub pace: Option<Rate>,
    /// Its targets: one not answered yet stands as this run left it (in flight or not
    /// sent), not as an earlier run of its chain did.
    pub targets: Arc<[String]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    pub target: String,
    pub outcome: Outcome,
    pub cause: Option<String>,
}

impl RunProgress {
    /// A just-launched action on `targets`: nothing answered yet.
    pub fn new(
        id: RunId,
        action_id: String,
        kind: ActionKind,
        targets: Arc<[String]>,
        started: Instant,
    ) -> Self {
        RunProgress {
            id,
            action_id,
            kind,
            total: targets.len(),
            targets,
            ok: 0,
            failed: 0,
            unknown: 0,
            read_back: (0, 0),
            not_sent: 0,
            started,
            stopping: false,
            finished: false,
            retry_of: None,
            retry_targets: Vec::new(),
            uncertain: Vec::new(),
            awaiting: Vec::new(),
            confirmed: 0,
            went_wrong: 0,
            dropped: Vec::new(),
            pushed_again: 0,
            causes: Causes::default(),
            problem_lines: 0,
            earlier: None,
            results: Vec::new(),
            pace: None,
        }
    }

    /// The run as one line: what was done and what failed, counted apart (never
    /// "3/3 done, 1 failed"), its phase, its id, and its failures by cause.
    pub fn text(&self) -> String {
        let mut text = format!(
            "{} on {} target(s): {} done",
            self.kind.label(),
            self.total,
            self.ok
        );
        // What reading the unanswered back settled, beside them.
        let settled: Vec<String> = [
            (self.read_back.0, "happened"),
            (self.read_back.1, "did not"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, verdict)| format!("{n} {verdict}"))
        .collect();
        let unknown = if settled.is_empty() {
            "unknown".to_string()
        } else {
            format!("unknown → {}", settled.join(", "))
        };
        for (count, what) in [
            (self.failed, "failed"),
            (self.unknown, unknown.as_str()),
            (self.not_sent, "not sent"),
        ] {
            if count > 0 {
                text.push_str(&format!(", {count} {what}"));
            }
        }
        if self.confirmed > 0 || !self.awaiting.is_empty() {
            text.push_str(&format!(", {} confirmed", self.confirmed));
        }
        if self.went_wrong > 0 {
            text.push_str(&format!(", {} went wrong after", self.went_wrong));
        }
        if self.pushed_again > 0 {
            text.push_str(&format!(", {} pushed again", self.pushed_again));
        }
        // Cancelled only when the stop held targets back; one that came after every
        // request had left changed nothing.
        let cancelled = self.stopping && self.not_sent > 0;
        text.push_str(&match (self.finished, cancelled, self.awaiting.len()) {
            (true, false, 0) => " — finished".to_string(),
            (true, true, 0) => " — cancelled".to_string(),
            (true, false, awaiting) => format!(" — awaiting {awaiting}…"),
            (true, true, awaiting) => format!(" — cancelled, awaiting {awaiting}…"),
            (false, _, _) if self.stopping => " — stopping…".to_string(),
            (false, _, _) => {
                let mut running = format!(" … {}/{} answered", self.done(), self.total);
                if let Some(rate) = self.pace {
                    let remaining = self.total.saturating_sub(self.done());
                    let note = pace_note(self.kind.api(), rate, remaining);
                    running.push_str(&format!(", {note}"));
                }
                running
            }
        });
        text.push_str(&format!(" · action {}", self.action_id));
        if let Some(started) = &self.earlier {
            text.push_str(&format!(" from an earlier run at {started}"));
        }
        if let Some(retried) = &self.retry_of {
            text.push_str(&format!(", retry of {retried}"));
        }
        if let Some(causes) = self.causes.text() {
            text.push_str(&format!(" · {causes}"));
        }
        text
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
        match (outcome.outcome, outcome.reconciled) {
            (Outcome::Unknown, Some(Settled::Happened)) => self.read_back.0 += 1,
            (Outcome::Unknown, Some(Settled::DidNotHappen)) => self.read_back.1 += 1,
            _ => {}
        }
        // What happened (ok, or no answer but read back as done) is never retried;
        // what may have happened is left out unless doing it twice is harmless.
        match self.kind.retry(outcome) {
            Retry::Send => self.retry_targets.push(outcome.target.clone()),
            Retry::Uncertain => self.uncertain.push(outcome.target.clone()),
            Retry::Done => {}
        }
        self.causes.note(outcome);
        self.results.push(TargetResult {
            target: outcome.target.clone(),
            outcome: outcome.outcome,
            cause: cause_of(outcome),
        });
    }

    /// Its answered targets grouped by outcome and cause, the largest group first:
    /// ("failed: KOOPHONE.API.1001 Insufficient instance permissions", targets).
    pub fn groups(&self) -> Vec<(String, Vec<&str>)> {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for result in &self.results {
            let label = match &result.cause {
                Some(cause) if result.outcome == Outcome::Failed => format!("failed: {cause}"),
                Some(cause) => cause.clone(),
                None => result.outcome.to_string(),
            };
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, targets)) => targets.push(&result.target),
                None => groups.push((label, vec![&result.target])),
            }
        }
        groups.sort_by_key(|(_, targets)| std::cmp::Reverse(targets.len()));
        groups
    }

    /// A target accepted, then found to have failed (its restart job): failed now.
    pub fn went_wrong(&mut self, target: &str, cause: Option<String>) {
        self.went_wrong += 1;
        self.ok = self.ok.saturating_sub(1);
        self.failed += 1;
        if !self.retry_targets.iter().any(|t| t == target) {
            self.retry_targets.push(target.to_string());
        }
        if let Some(cause) = &cause {
            self.causes.note_cause(cause);
        }
        if let Some(result) = self.results.iter_mut().find(|r| r.target == target) {
            result.outcome = Outcome::Failed;
            result.cause = cause;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::outcome::Settled;

    #[test]
    fn a_paced_action_says_its_pace_and_time_left_while_it_runs() {
        let mut progress = RunProgress {
            pace: Some(Rate::per_minute(300)),
            ..RunProgress::new(
                RunId(1),
                "a1".into(),
                ActionKind::PauseStream,
                (0..1000).map(|n| format!("s{n}")).collect(),
                Instant::now(),
            )
        };
        for n in 0..400 {
            progress.count(&TargetOutcome::ok(format!("s{n}"), None));
        }
        let text = progress.text();
        assert!(
            text.contains(
                "400/1000 answered, paced at 5/s by live.block_once's limit (300/min), ~2m 1s left"
            ),
            "{text}"
        );
        progress.finished = true;
        assert!(!progress.text().contains("paced"), "{}", progress.text());
    }

    #[test]
    fn what_happened_is_never_kept_for_a_retry() {
        let mut progress = RunProgress::new(
            RunId(1),
            "a1".into(),
            ActionKind::RestartEncoder,
            ["done", "happened", "did-not", "refused"]
                .map(String::from)
                .into(),
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
        let text = progress.text();
        assert!(
            text.contains("1 done, 1 failed, 2 unknown → 1 happened, 1 did not"),
            "the read-back verdicts beside the unknown: {text}"
        );
    }

    #[test]
    fn what_may_have_happened_is_retried_only_where_twice_is_harmless() {
        let unclear = TargetOutcome {
            outcome: Outcome::Unknown,
            reconciled: Some(Settled::CannotTell),
            ..TargetOutcome::ok("t", None)
        };
        let mut restart = RunProgress::new(
            RunId(1),
            "a1".into(),
            ActionKind::RestartEncoder,
            vec!["t".to_string()].into(),
            Instant::now(),
        );
        restart.count(&unclear);
        assert!(restart.retry_targets.is_empty());
        assert_eq!(restart.uncertain, ["t"]);
        let mut stop = RunProgress::new(
            RunId(2),
            "a2".into(),
            ActionKind::StopServer,
            vec!["t".to_string()].into(),
            Instant::now(),
        );
        stop.count(&unclear);
        assert_eq!(stop.retry_targets, ["t"]);
        assert!(stop.uncertain.is_empty());
    }
}
