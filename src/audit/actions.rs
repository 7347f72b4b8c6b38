//! The audit log's actions, folded a line at a time (`phonedeck audit`, `retry`): each
//! line is read in place and only what an action's summary and targets need is kept,
//! so a 100 MB log of 300,000 targets is grouped in one pass without holding its lines.
//! An action's `targets` lines name every target before its first request, so a run
//! ended by anything (SIGKILL too) still accounts for each: listed and never sent is
//! `not_sent`, sent and never answered is `unknown`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::action_kind::ActionKind;
use crate::api::outcome::Settled;
use crate::api::{Outcome, TargetOutcome};

use super::event::Event;

/// One audit line as it stands in the file (strings borrowed where they need no
/// unescaping); fields phonedeck does not need here are not read.
#[derive(Deserialize)]
struct Line<'a> {
    time: DateTime<Utc>,
    event: Event,
    #[serde(borrow, default)]
    profile: Cow<'a, str>,
    action: ActionKind,
    #[serde(borrow, default)]
    action_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    retry_of: Option<Cow<'a, str>>,
    /// Every line but `targets` names one target.
    #[serde(borrow, default)]
    target: Cow<'a, str>,
    /// A `targets` line's list.
    #[serde(borrow, default)]
    targets: Vec<Cow<'a, str>>,
    #[serde(default)]
    outcome: Option<Outcome>,
    #[serde(borrow, default)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error_msg: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    request_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    job_id: Option<Cow<'a, str>>,
    #[serde(default)]
    reconciled: Option<Settled>,
}

/// Which lines to fold in.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this action's lines.
    pub action_id: Option<String>,
    /// Only lines written from this time on.
    pub since: Option<DateTime<Utc>>,
}

/// Every action of the log, in the order they started, and the lines that could not
/// be read (line numbers).
#[derive(Debug, Default)]
pub struct Actions {
    pub actions: Vec<ActionTargets>,
    pub skipped: Vec<usize>,
    positions: HashMap<String, usize>,
}

/// One action's targets, each with its settling line (the last one, if several).
#[derive(Debug, Clone)]
pub struct ActionTargets {
    pub action_id: String,
    pub kind: ActionKind,
    pub retry_of: Option<String>,
    /// The profile and time of the action's first line.
    pub profile: String,
    pub started: DateTime<Utc>,
    /// In the order they were first recorded.
    pub targets: Vec<TargetLines>,
    /// Where each target stands in `targets`, once there are more than a few (most
    /// actions have one or a handful: a search is quicker than a map for them).
    positions: Option<HashMap<String, usize>>,
}

/// Targets an action has before its targets are found through a map.
const SEARCHED_TARGETS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetLines {
    pub target: String,
    /// When its request left, if a `sent` line says so.
    pub sent: Option<DateTime<Utc>>,
    /// Its settling line: an outcome, never sent, or what following it through
    /// settled (the last of them).
    pub settled: Option<Settling>,
    /// What reading back settled, when an unknown outcome was read back.
    pub reconciled: Option<Settled>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settling {
    pub outcome: Option<Outcome>,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub request_id: Option<String>,
    pub job_id: Option<String>,
}

/// Why a target listed but never sent is `not_sent`, though no line says so.
pub const INFERRED_NOT_SENT: &str =
    "inferred: listed when its action started, no request recorded (the run ended first)";

impl TargetLines {
    fn listed(target: &str) -> TargetLines {
        TargetLines {
            target: target.to_string(),
            sent: None,
            settled: None,
            reconciled: None,
        }
    }

    /// As its settling line says; without one, unknown when its request left (no
    /// answer was recorded) and not sent when it never did (`INFERRED_NOT_SENT`).
    pub fn outcome(&self) -> Outcome {
        match (&self.settled, self.sent) {
            (Some(settled), _) => settled.outcome.unwrap_or(Outcome::Unknown),
            (None, Some(_)) => Outcome::Unknown,
            (None, None) => Outcome::NotSent,
        }
    }

    /// The target's outcome as the client would have reported it, from its lines.
    pub fn as_outcome(&self) -> TargetOutcome {
        let settled = self.settled.as_ref();
        let text = |field: fn(&Settling) -> &Option<String>| settled.and_then(|s| field(s).clone());
        TargetOutcome {
            target: self.target.clone(),
            outcome: self.outcome(),
            error_code: text(|s| &s.error_code),
            error_msg: text(|s| &s.error_msg).or(self.inferred().map(str::to_string)),
            request_id: text(|s| &s.request_id),
            job_id: text(|s| &s.job_id),
            reconciled: self.reconciled,
            seen: None,
        }
    }

    /// Whether what was asked was done: ok, or no answer but read back as happened.
    /// Never retried.
    pub fn took_effect(&self) -> bool {
        self.outcome() == Outcome::Ok || self.reconciled == Some(Settled::Happened)
    }

    /// Why the outcome is what it is, when no line says: the inference.
    pub fn inferred(&self) -> Option<&'static str> {
        (self.settled.is_none() && self.sent.is_none()).then_some(INFERRED_NOT_SENT)
    }
}

impl Actions {
    /// Reads the log at `path` (a missing file is an empty log), one line at a time.
    pub fn read(path: &Path, filter: &Filter) -> std::io::Result<Actions> {
        match std::fs::File::open(path) {
            Ok(file) => Actions::fold(std::io::BufReader::with_capacity(1 << 16, file), filter),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Actions::default()),
            Err(error) => Err(error),
        }
    }

    /// Folds every line of `input` in; a line that is not a record, or not UTF-8, is
    /// skipped and counted.
    pub fn fold(input: impl std::io::BufRead, filter: &Filter) -> std::io::Result<Actions> {
        let mut actions = Actions::default();
        super::read::for_each_line(input, |number, line| {
            match serde_json::from_slice::<Line>(line) {
                Ok(line) => actions.add(line, filter),
                Err(_) => actions.skipped.push(number),
            }
        })?;
        Ok(actions)
    }

    pub fn find(&self, action_id: &str) -> Option<&ActionTargets> {
        self.positions.get(action_id).map(|&i| &self.actions[i])
    }

    /// The actions of `profile` (not retries themselves) that left targets undone,
    /// each target as the latest of the action and its retries left it.
    pub fn undone(&self, profile: &str) -> Vec<(&ActionTargets, Vec<TargetOutcome>)> {
        let retries = self.retries_by_first();
        self.actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.profile == profile && a.retry_of.is_none())
            .filter_map(|(index, action)| {
                let retried_by = retries.get(&index).map_or(&[][..], Vec::as_slice);
                let latest = action.latest_after(retried_by);
                let undone = latest.iter().any(|t| !t.took_effect());
                undone.then(|| (action, latest.iter().map(|t| t.as_outcome()).collect()))
            })
            .collect()
    }

    /// Every action's retries (directly, or retries of its retries), in one pass, by
    /// the index of each chain's first action; the retries in the order they started.
    pub fn retries_by_first(&self) -> HashMap<usize, Vec<&ActionTargets>> {
        let mut first: Vec<usize> = Vec::with_capacity(self.actions.len());
        let mut retries: HashMap<usize, Vec<&ActionTargets>> = HashMap::new();
        for (index, action) in self.actions.iter().enumerate() {
            let retried = action
                .retry_of
                .as_deref()
                .and_then(|of| self.positions.get(of))
                .filter(|&&at| at < index)
                .map(|&at| first[at]);
            match retried {
                Some(chain) => {
                    first.push(chain);
                    retries.entry(chain).or_default().push(action);
                }
                None => first.push(index),
            }
        }
        retries
    }

    /// The actions that retry `action_id`, directly or by retrying one of its retries,
    /// in the order they started.
    pub fn retries_of(&self, action_id: &str) -> Vec<&ActionTargets> {
        let mut chain: Vec<&str> = vec![action_id];
        let mut retries = Vec::new();
        for action in &self.actions {
            if action
                .retry_of
                .as_deref()
                .is_some_and(|of| chain.contains(&of))
            {
                chain.push(&action.action_id);
                retries.push(action);
            }
        }
        retries
    }

    /// Each target of `action_id` as the latest action of its chain (the action, then
    /// its retries) that names it says; None when there is no such action.
    pub fn latest(&self, action_id: &str) -> Option<Vec<&TargetLines>> {
        let action = self.find(action_id)?;
        Some(action.latest_after(&self.retries_of(action_id)))
    }

    fn add(&mut self, line: Line, filter: &Filter) {
        let Some(id) = line.action_id.as_deref() else {
            return;
        };
        let wanted = filter.action_id.as_deref().is_none_or(|want| want == id)
            && filter.since.is_none_or(|since| line.time >= since);
        if !wanted {
            return;
        }
        let position = match self.positions.get(id) {
            Some(&position) => position,
            None => {
                self.positions.insert(id.to_string(), self.actions.len());
                self.actions.push(ActionTargets::starting_with(id, &line));
                self.actions.len() - 1
            }
        };
        self.actions[position].add(line);
    }
}

impl ActionTargets {
    fn starting_with(id: &str, line: &Line) -> ActionTargets {
        ActionTargets {
            action_id: id.to_string(),
            kind: line.action,
            retry_of: line.retry_of.as_deref().map(str::to_string),
            profile: line.profile.to_string(),
            started: line.time,
            targets: Vec::new(),
            positions: None,
        }
    }

    fn position(&self, target: &str) -> Option<usize> {
        match &self.positions {
            Some(positions) => positions.get(target).copied(),
            None => self.targets.iter().position(|t| t.target == target),
        }
    }

    /// Where `target` stands, added (listed, nothing known yet) if it is new.
    fn entry(&mut self, target: &str) -> &mut TargetLines {
        let at = match self.position(target) {
            Some(at) => at,
            None => {
                let at = self.targets.len();
                self.targets.push(TargetLines::listed(target));
                match &mut self.positions {
                    Some(positions) => {
                        positions.insert(target.to_string(), at);
                    }
                    None if self.targets.len() > SEARCHED_TARGETS => {
                        let positions = self.targets.iter().enumerate();
                        self.positions =
                            Some(positions.map(|(i, t)| (t.target.clone(), i)).collect());
                    }
                    None => {}
                }
                at
            }
        };
        &mut self.targets[at]
    }

    fn add(&mut self, line: Line) {
        if line.event == Event::Targets {
            for target in &line.targets {
                self.entry(target);
            }
            return;
        }
        let entry = self.entry(&line.target);
        let owned = |text: Option<Cow<str>>| text.map(Cow::into_owned);
        match line.event {
            Event::Sent => {
                entry.sent.get_or_insert(line.time);
            }
            Event::Outcome | Event::NotSent | Event::Settled => {
                entry.settled = Some(Settling {
                    outcome: line.outcome,
                    error_code: owned(line.error_code),
                    error_msg: owned(line.error_msg),
                    request_id: owned(line.request_id),
                    job_id: owned(line.job_id),
                });
            }
            Event::Reconciled => entry.reconciled = line.reconciled,
            Event::Targets | Event::Unrecognised => {}
        }
    }

    /// Each of its targets as the latest of `retries` (its own, in order) that names
    /// it says, else as its own lines say.
    pub fn latest_after<'a>(&'a self, retries: &[&'a ActionTargets]) -> Vec<&'a TargetLines> {
        self.targets
            .iter()
            .map(|first| {
                retries
                    .iter()
                    .rev()
                    .find_map(|retry| retry.target(&first.target))
                    .unwrap_or(first)
            })
            .collect()
    }

    /// One target's lines, if the action names it.
    pub fn target(&self, target: &str) -> Option<&TargetLines> {
        self.position(target).map(|at| &self.targets[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"{"time":"2026-11-23T10:00:00.000Z","event":"sent","profile":"p","action":"stop-server","action_id":"a1","target":"s1","client_request_id":"c1"}
{"time":"2026-11-23T10:00:00.000Z","event":"sent","profile":"p","action":"stop-server","action_id":"a1","target":"s2","client_request_id":"c2"}
{"time":"2026-11-23T10:00:01.000Z","event":"outcome","profile":"p","action":"stop-server","action_id":"a1","target":"s1","client_request_id":"c1","outcome":"ok"}
{"time":"2026-11-23T10:00:01.000Z","event":"not_sent","profile":"p","action":"stop-server","action_id":"a1","target":"s3","outcome":"not_sent"}
{"time":"2026-11-23T11:00:00.000Z","event":"sent","profile":"p","action":"stop-server","action_id":"a2","retry_of":"a1","target":"s\"2","client_request_id":"c3"}
{"time":"2026-11-23T11:00:01.000Z","event":"outcome","profile":"p","action":"stop-server","action_id":"a2","target":"s\"2","outcome":"failed","error_code":"E1","error_msg":"no"}
{"time":"2026-11-23T10:00:02.000Z","event":"outc"#;

    fn fold(filter: &Filter) -> Actions {
        Actions::fold(LOG.as_bytes(), filter).expect("reads")
    }

    #[test]
    fn actions_group_targets_with_their_settling_line() {
        let actions = fold(&Filter::default());
        assert_eq!(actions.skipped, [7]);
        assert_eq!(actions.actions.len(), 2);
        let first = actions.find("a1").expect("a1");
        let outcomes: Vec<(&str, Outcome)> = first
            .targets
            .iter()
            .map(|t| (t.target.as_str(), t.outcome()))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("s1", Outcome::Ok),
                ("s2", Outcome::Unknown),
                ("s3", Outcome::NotSent)
            ]
        );
        assert!(first.targets[0].sent.is_some());
        assert!(first.targets[2].sent.is_none(), "never sent");
        let retry = actions.find("a2").expect("a2");
        assert_eq!(retry.retry_of.as_deref(), Some("a1"));
        let failed = &retry.targets[0];
        assert_eq!(failed.target, "s\"2", "an escaped string is read whole");
        assert_eq!(
            failed
                .settled
                .as_ref()
                .and_then(|s| s.error_code.as_deref()),
            Some("E1")
        );
    }

    #[test]
    fn listed_targets_without_lines_are_not_sent_and_sent_ones_without_outcome_unknown() {
        let log = r#"{"time":"2026-11-23T10:00:00.000Z","event":"targets","profile":"p","action":"stop-streaming","action_id":"k1","targets":["a","b","c"]}
{"time":"2026-11-23T10:00:00.100Z","event":"sent","profile":"p","action":"stop-streaming","action_id":"k1","target":"a","client_request_id":"c1"}
{"time":"2026-11-23T10:00:00.200Z","event":"sent","profile":"p","action":"stop-streaming","action_id":"k1","target":"b","client_request_id":"c2"}
{"time":"2026-11-23T10:00:01.000Z","event":"outcome","profile":"p","action":"stop-streaming","action_id":"k1","target":"a","client_request_id":"c1","outcome":"ok"}
"#;
        let actions = Actions::fold(log.as_bytes(), &Filter::default()).expect("reads");
        assert!(actions.skipped.is_empty(), "{:?}", actions.skipped);
        let action = actions.find("k1").expect("k1");
        assert_eq!(action.profile, "p");
        let outcomes: Vec<(&str, Outcome, Option<&str>)> = action
            .targets
            .iter()
            .map(|t| (t.target.as_str(), t.outcome(), t.inferred()))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("a", Outcome::Ok, None),
                ("b", Outcome::Unknown, None),
                ("c", Outcome::NotSent, Some(INFERRED_NOT_SENT))
            ]
        );
        assert!(action.targets[1].sent.is_some());
    }

    #[test]
    fn a_target_counts_by_its_latest_outcome_across_the_retries() {
        let line = |action: &str, retry_of: Option<&str>, target: &str, outcome: &str| {
            let retry = retry_of.map_or(String::new(), |of| format!(r#","retry_of":"{of}""#));
            format!(
                r#"{{"time":"2026-11-23T10:00:00Z","event":"outcome","action":"stop-server","action_id":"{action}"{retry},"target":"{target}","outcome":"{outcome}"}}"#
            ) + "\n"
        };
        let log = [
            line("a", None, "t1", "failed"),
            line("a", None, "t2", "failed"),
            line("a", None, "t3", "ok"),
            line("r1", Some("a"), "t1", "ok"),
            line("r1", Some("a"), "t2", "failed"),
            line("r2", Some("r1"), "t2", "ok"),
            line("x", None, "t2", "failed"),
        ]
        .concat();
        let actions = Actions::fold(log.as_bytes(), &Filter::default()).expect("reads");
        let retries: Vec<&str> = actions
            .retries_of("a")
            .iter()
            .map(|r| r.action_id.as_str())
            .collect();
        assert_eq!(retries, ["r1", "r2"]);
        let latest: Vec<(&str, bool)> = actions
            .latest("a")
            .expect("a")
            .iter()
            .map(|t| (t.target.as_str(), t.took_effect()))
            .collect();
        assert_eq!(latest, [("t1", true), ("t2", true), ("t3", true)]);
    }

    #[test]
    fn a_large_action_finds_its_targets_again() {
        let mut log = String::new();
        for event in ["sent", "outcome"] {
            for target in 0..100 {
                log.push_str(&format!(
                    r#"{{"time":"2026-11-23T10:00:00Z","event":"{event}","action":"stop-server","action_id":"big","target":"t{target}","outcome":"ok"}}"#
                ));
                log.push('\n');
            }
        }
        let actions = Actions::fold(log.as_bytes(), &Filter::default()).expect("reads");
        let big = actions.find("big").expect("big");
        assert_eq!(big.targets.len(), 100);
        assert!(big.targets.iter().all(|t| t.outcome() == Outcome::Ok));
    }

    #[test]
    fn a_filter_keeps_one_action_or_the_lines_since_a_time() {
        let one = fold(&Filter {
            action_id: Some("a2".into()),
            since: None,
        });
        assert_eq!(one.actions.len(), 1);
        let since = "2026-11-23T10:30:00Z".parse().ok();
        let recent = fold(&Filter {
            action_id: None,
            since,
        });
        assert_eq!(recent.actions.len(), 1);
        assert_eq!(recent.actions[0].action_id, "a2");
    }
}
