//! The activity log: every action with its progress and failures, and every refresh
//! error. An action's run (its tally, phase, follow-through and failures by cause)
//! lives in a store of runs, bounded by runs; the log's lines only refer to it, so a
//! mass failure's lines can never evict the action they belong to.

use crate::app::run_id::RunId;
use std::time::Instant;

use crate::action_kind::{ActionKind, Retry};
use crate::api::rate_limits::pace_note;
use crate::api::{Outcome, Rate, TargetOutcome};

use std::collections::HashMap;

use super::causes::{Causes, cause_of};

/// Entries kept; older ones are dropped (the audit file keeps everything).
pub const MAX_ENTRIES: usize = 2000;
/// Action runs kept; the oldest finished one goes first.
pub const MAX_RUNS: usize = 200;
/// Lines one run adds for its failed or unknown targets; the rest are counted in its
/// entry, by cause.
pub const PROBLEM_LINES_PER_RUN: usize = 20;

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
    fn text(&self) -> String {
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    pub target: String,
    pub outcome: Outcome,
    pub cause: Option<String>,
}

impl RunProgress {
    /// A just-launched action: nothing answered yet.
    pub fn new(
        id: RunId,
        action_id: String,
        kind: ActionKind,
        total: usize,
        started: Instant,
    ) -> Self {
        RunProgress {
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
        for (count, what) in [
            (self.failed, "failed"),
            (self.unknown, "unknown"),
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
        text.push_str(&match (self.finished, self.stopping, self.awaiting.len()) {
            (true, _, 0) => " — finished".to_string(),
            (true, _, awaiting) => format!(" — awaiting {awaiting}…"),
            (false, true, _) => " — stopping…".to_string(),
            (false, false, _) => {
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
        // What happened (ok, or no answer but read back as done) is never retried;
        // what may have happened is left out unless doing it twice is harmless.
        let uncertain = outcome.outcome == Outcome::Unknown
            && outcome.reconciled != Some(crate::api::outcome::Settled::DidNotHappen);
        match self.kind.retry(outcome.took_effect(), uncertain) {
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

#[derive(Debug, Default)]
pub struct ActivityLog {
    pub entries: Vec<(Instant, Entry)>,
    /// Action runs, oldest first, bounded by `MAX_RUNS`.
    runs: Vec<RunProgress>,
    /// What the runs no longer kept did, for an exact exit summary.
    retired: Retired,
}

/// The tally of finished runs dropped from the store.
#[derive(Debug, Default)]
struct Retired {
    runs: usize,
    total: usize,
    ok: usize,
    failed: usize,
    unknown: usize,
    not_sent: usize,
    causes: Causes,
}

impl Retired {
    /// Adds a run. Targets it has no outcome for yet (quitting did not wait for them)
    /// were in flight, at most `max_in_flight` of them (unknown), or never started
    /// (not sent): an action starts a target only when a request slot frees.
    fn add(&mut self, run: &RunProgress, max_in_flight: usize) {
        let unanswered = run.total.saturating_sub(run.done());
        let in_flight = unanswered.min(max_in_flight);
        self.runs += 1;
        self.total += run.total;
        self.ok += run.ok;
        self.failed += run.failed;
        self.unknown += run.unknown + in_flight;
        self.not_sent += run.not_sent + (unanswered - in_flight);
        self.causes.merge(&run.causes);
    }
}

impl Retired {
    fn add_all(&mut self, other: &Retired) {
        self.runs += other.runs;
        self.total += other.total;
        self.ok += other.ok;
        self.failed += other.failed;
        self.unknown += other.unknown;
        self.not_sent += other.not_sent;
        self.causes.merge(&other.causes);
    }
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

    /// Starts an action's run and its line in the log.
    pub fn start(&mut self, at: Instant, progress: RunProgress) {
        let id = progress.id;
        self.runs.push(progress);
        if self.runs.len() > MAX_RUNS {
            if let Some(oldest) = self.runs.iter().position(|run| run.finished) {
                let run = self.runs.remove(oldest);
                self.retired.add(&run, 0);
            }
        }
        self.push(at, Entry::Run(id));
    }

    /// The action runs kept, oldest first.
    pub fn runs(&self) -> impl DoubleEndedIterator<Item = &RunProgress> {
        self.runs.iter()
    }

    pub fn runs_mut(&mut self) -> impl Iterator<Item = &mut RunProgress> {
        self.runs.iter_mut()
    }

    /// An entry as one line of text (not yet sanitised).
    pub fn text(&self, entry: &Entry) -> String {
        match entry {
            Entry::Run(id) => self
                .run(*id)
                .map_or_else(|| entry.text(), RunProgress::text),
            other => other.text(),
        }
    }

    /// One line for the terminal at exit: this session's targets by outcome (those
    /// without an outcome as `Retired::add` says), and their failures by cause. None
    /// when no action was run.
    pub fn exit_summary(&self, max_in_flight: usize) -> Option<String> {
        let mut tally = Retired::default();
        tally.add_all(&self.retired);
        self.add_latest(&mut tally, max_in_flight);
        if tally.runs == 0 {
            return None;
        }
        let mut summary = format!(
            "{} action(s) on {} target(s): {} done, {} failed, {} unknown, {} not sent",
            tally.runs, tally.total, tally.ok, tally.failed, tally.unknown, tally.not_sent,
        );
        if let Some(causes) = tally.causes.text() {
            summary.push_str(&format!(" ({causes})"));
        }
        Some(summary)
    }

    /// Adds this session's runs, each target once across an action and its retries,
    /// by its latest outcome (a retry that fixed two failures leaves none).
    fn add_latest(&self, tally: &mut Retired, max_in_flight: usize) {
        let session: Vec<&RunProgress> = self
            .runs
            .iter()
            .filter(|run| run.earlier.is_none())
            .collect();
        // The run each one retries, back to the first: its chain.
        let mut chain_of: HashMap<&str, usize> = HashMap::new();
        let mut latest: HashMap<(usize, &str), &TargetResult> = HashMap::new();
        let mut targets_of_chain: HashMap<usize, usize> = HashMap::new();
        for (index, run) in session.iter().enumerate() {
            let chain = run
                .retry_of
                .as_deref()
                .and_then(|of| chain_of.get(of).copied())
                .unwrap_or(index);
            chain_of.insert(&run.action_id, chain);
            if chain == index {
                targets_of_chain.insert(chain, run.total);
            }
            for result in &run.results {
                latest.insert((chain, &result.target), result);
            }
            // Targets with no outcome yet: in flight (unknown) or never started.
            let unanswered = run.total.saturating_sub(run.results.len());
            let in_flight = unanswered.min(max_in_flight);
            tally.unknown += in_flight;
            tally.not_sent += unanswered - in_flight;
            tally.runs += 1;
        }
        tally.total += targets_of_chain.values().sum::<usize>();
        for result in latest.values() {
            match result.outcome {
                Outcome::Ok => tally.ok += 1,
                Outcome::Failed => tally.failed += 1,
                Outcome::Unknown => tally.unknown += 1,
                Outcome::NotSent => tally.not_sent += 1,
            }
            if let Some(cause) = &result.cause {
                tally.causes.note_cause(cause);
            }
        }
    }

    /// The action an entry belongs to (its number), if any.
    pub fn run_of(&self, index: usize) -> Option<RunId> {
        match self.entries.get(index).map(|(_, e)| e) {
            Some(Entry::Run(id)) => Some(*id),
            Some(Entry::TargetProblem { of, .. }) => Some(*of),
            _ => None,
        }
    }

    pub fn run(&self, id: RunId) -> Option<&RunProgress> {
        self.runs.iter().rev().find(|run| run.id == id)
    }

    pub fn run_mut(&mut self, id: RunId) -> Option<&mut RunProgress> {
        self.runs.iter_mut().rev().find(|run| run.id == id)
    }

    /// The ids of the runs kept, newest first (what `:retry` completes).
    pub fn action_ids(&self) -> Vec<String> {
        self.runs
            .iter()
            .rev()
            .map(|r| r.action_id.clone())
            .collect()
    }

    /// The latest action run, if any.
    pub fn latest(&self) -> Option<&RunProgress> {
        self.runs.last()
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
                1000,
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
            1,
            Instant::now(),
        );
        restart.count(&unclear);
        assert!(restart.retry_targets.is_empty());
        assert_eq!(restart.uncertain, ["t"]);
        let mut stop = RunProgress::new(
            RunId(2),
            "a2".into(),
            ActionKind::StopServer,
            1,
            Instant::now(),
        );
        stop.count(&unclear);
        assert_eq!(stop.retry_targets, ["t"]);
        assert!(stop.uncertain.is_empty());
    }
}
