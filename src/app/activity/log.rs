//! The log's lines and its store of runs, both bounded, with an exact tally of the
//! runs it no longer keeps.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crate::api::Outcome;
use crate::app::causes::Causes;
use crate::app::run_id::RunId;

use super::{Entry, MAX_ENTRIES, MAX_RUNS, RunProgress, TargetResult};

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
        // Targets a run has not answered yet, by the run: its latest word on them.
        let mut unanswered: HashMap<(usize, &str), usize> = HashMap::new();
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
            let answered: HashSet<&str> = run.results.iter().map(|r| r.target.as_str()).collect();
            for target in run
                .targets
                .iter()
                .filter(|t| !answered.contains(t.as_str()))
            {
                latest.remove(&(chain, target.as_str()));
                unanswered.insert((chain, target), index);
            }
            for result in &run.results {
                latest.insert((chain, &result.target), result);
                unanswered.remove(&(chain, result.target.as_str()));
            }
            tally.runs += 1;
        }
        tally.total += targets_of_chain.values().sum::<usize>();
        // Targets with no outcome yet: in flight (unknown, at most a slot each of a
        // run's) or never started.
        let mut unanswered_by_run: HashMap<usize, usize> = HashMap::new();
        for run in unanswered.into_values() {
            *unanswered_by_run.entry(run).or_default() += 1;
        }
        for count in unanswered_by_run.into_values() {
            let in_flight = count.min(max_in_flight);
            tally.unknown += in_flight;
            tally.not_sent += count - in_flight;
        }
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
    use crate::action_kind::ActionKind;
    use crate::api::TargetOutcome;

    fn run(id: u64, total: usize) -> RunProgress {
        let action_id = format!("a{id}");
        let targets = (0..total).map(|n| format!("s{id}-{n}")).collect();
        RunProgress::new(
            RunId(id),
            action_id,
            ActionKind::StopServer,
            targets,
            Instant::now(),
        )
    }

    #[test]
    fn a_flood_of_lines_evicts_old_lines_but_never_the_run_they_belong_to() {
        let mut log = ActivityLog::default();
        let now = Instant::now();
        log.start(now, run(1, 1));
        for i in 0..MAX_ENTRIES + 10 {
            log.push(now, Entry::Note(format!("noise {i}")));
        }
        assert_eq!(log.entries.len(), MAX_ENTRIES);
        assert!(log.run(RunId(1)).is_some(), "the run outlives its line");
        assert_eq!(log.run_of(0), None, "its line is gone");
    }

    #[test]
    fn runs_beyond_the_store_retire_finished_ones_and_the_summary_still_counts_them() {
        let mut log = ActivityLog::default();
        let now = Instant::now();
        let running = run(1, 3);
        log.start(now, running);
        for id in 2..=(MAX_RUNS as u64 + 5) {
            let mut finished = run(id, 1);
            finished.count(&TargetOutcome::ok(format!("s{id}-0"), None));
            finished.finished = true;
            log.start(now, finished);
        }
        assert_eq!(log.runs().count(), MAX_RUNS);
        assert!(
            log.run(RunId(1)).is_some(),
            "a running run is never retired"
        );
        let summary = log.exit_summary(8).expect("runs were made");
        let runs = MAX_RUNS + 5;
        let targets = runs - 1 + 3;
        assert_eq!(
            summary,
            format!(
                "{runs} action(s) on {targets} target(s): {} done, 0 failed, 3 unknown, 0 not sent",
                runs - 1
            )
        );
    }
}
