//! A run of an action, from the request to the wrap-up: the confirmation it asks
//! for, its launch, each target's outcome, cancel, quit, and earlier runs' entries.

use std::cmp::Reverse;
use std::sync::Arc;

use crate::action_kind::ActionKind;
use crate::api::{Outcome, TargetOutcome};
use crate::app::last_error::LastError;
use crate::app::run_id::RunId;

use super::stop::CANCELLING;
use crate::app::activity::{Entry, PROBLEM_LINES_PER_RUN, RunProgress};
use crate::app::applies;
use crate::app::effect::Effect;
use crate::app::follow;
use crate::app::jobs::{JobRow, JobState};
use crate::app::pane::Pane;
use crate::app::state::{AppState, ConfirmDialog, Focus, Mode};

pub(super) fn request_action(state: &mut AppState, kind: ActionKind) {
    if state.settings.read_only {
        return state.notify(format!(
            "read-only: {} refused; nothing was sent",
            kind.label()
        ));
    }
    let (targets, hidden) = state.current().targets();
    if targets.is_empty() {
        state.flash = Some(format!("nothing to {}: no row selected", kind.label()));
        return;
    }
    let warning = applies::warning(state, kind, &targets);
    state.mode = Mode::Confirm(ConfirmDialog {
        kind,
        targets,
        hidden,
        typed: String::new(),
        focus: Focus::Cancel,
        retry_of: None,
        warning,
    });
}

pub(super) fn launch(state: &mut AppState, dialog: ConfirmDialog, effects: &mut Vec<Effect>) {
    let run = state.next_run;
    state.next_run = run.next();
    state.running.push(run);
    let action_id = format!("{}-{run}", state.settings.session);
    let targets: Arc<[String]> = dialog.targets.into();
    let now = state.now;
    state.activity.start(
        now,
        RunProgress {
            retry_of: dialog.retry_of.as_ref().map(|r| r.action_id.clone()),
            pace: state.settings.rate_limits.limit(dialog.kind.api()),
            ..RunProgress::new(
                run,
                action_id.clone(),
                dialog.kind,
                Arc::clone(&targets),
                now,
            )
        },
    );
    // Marks are spent by the action, so the next one cannot hit them by accident (a
    // retry did not use them).
    if dialog.retry_of.is_none() {
        state.current().view_mut().marks.clear();
    }
    state.flash = Some(format!(
        "{} started on {} target(s)",
        dialog.kind.label(),
        targets.len()
    ));
    effects.push(Effect::StartRun {
        run,
        action_id,
        retry_of: dialog.retry_of.map(|r| r.action_id),
        kind: dialog.kind,
        targets,
    });
}

pub(super) fn run_kind(state: &AppState, run: RunId) -> Option<ActionKind> {
    state.activity.run(run).map(|progress| progress.kind)
}

pub(super) fn on_outcome(state: &mut AppState, run: RunId, outcome: TargetOutcome) {
    let Some(kind) = run_kind(state, run) else {
        return;
    };
    if let Some(progress) = state.activity.run_mut(run) {
        progress.count(&outcome);
        follow::accepted(progress, &outcome);
    }
    // The target's row says why the run failed until one on it succeeds.
    if let Some(pane) = Pane::changed_by(kind) {
        let error = LastError::of(&outcome);
        state.pane_mut(pane).action_error(&outcome.target, error);
    }
    // A restart's job is followed once it is known to have started: answered, or
    // found by reading back.
    if let (ActionKind::RestartEncoder, true, Some(job_id)) =
        (kind, outcome.took_effect(), &outcome.job_id)
    {
        let row = JobRow {
            job_id: job_id.clone(),
            request_id: outcome.request_id.clone(),
            run,
            encoder_id: outcome.target.clone(),
            state: JobState::Running,
            started: state.now,
        };
        // Newest run first, then by encoder name: answers arrive in any order.
        let order = |job: &JobRow| (Reverse(job.run), state.encoder_name(&job.encoder_id));
        let at = state.jobs.partition_point(|job| order(job) <= order(&row));
        state.jobs.insert(at, row);
    }
    // Targets not sent are counted in the run's entry, not listed one by one; of
    // the others, the first few get a line, and the entry counts them all by cause.
    if matches!(outcome.outcome, Outcome::Failed | Outcome::Unknown) {
        let has_room = state.activity.run_mut(run).is_some_and(|progress| {
            progress.problem_lines += 1;
            progress.problem_lines <= PROBLEM_LINES_PER_RUN
        });
        if has_room {
            state.log_activity(Entry::TargetProblem {
                of: run,
                kind,
                outcome,
            });
        }
    }
}

pub(super) fn on_run_finished(state: &mut AppState, run: RunId) {
    state.running.retain(|&running| running != run);
    // The footer's "started on…" is over once the run is: its entry says the rest.
    if let Some(kind) = run_kind(state, run) {
        let started = format!("{} started on ", kind.label());
        if state
            .flash
            .as_deref()
            .is_some_and(|f| f.starts_with(&started))
        {
            state.flash = None;
        }
    }
    // "cancelling…" is over once nothing runs: each run's entry says "cancelled".
    let cancelling = (state.flash.as_deref()).is_some_and(|f| f.starts_with(CANCELLING));
    if cancelling && state.running.is_empty() {
        state.flash = None;
    }
    if state.stopping && state.running.is_empty() {
        state.quit = true;
    }
    let kind = run_kind(state, run);
    if let Some(progress) = state.activity.run_mut(run) {
        progress.finished = true;
    }
    // Show the effect at once: refresh what the run changed (and the jobs it
    // may have started).
    let now = state.now;
    if let Some(pane) = kind.and_then(Pane::changed_by) {
        state.pane_mut(pane).feed_mut().next_due = now;
        state.jobs_feed.next_due = now;
    }
}

/// Actions running or restart jobs being followed: `q` asks first.
pub(super) fn busy(state: &AppState) -> bool {
    !state.running.is_empty() || !state.running_jobs().is_empty()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{launch_on, launched};
    use super::*;
    use crate::app::activity::MAX_ENTRIES;
    use crate::app::clock::Clock;
    use crate::app::message::Msg;

    use crate::app::update;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn restart_jobs_are_listed_newest_run_first_then_by_encoder_name() {
        use crate::api::tolerant::Rows;
        use crate::app::pane::listing::Listing;
        use crate::app::settings::Settings;
        let clock = Clock::system();
        let mut state = AppState::new(Settings::default(), clock);
        let encoders = [("e1", "cph-c"), ("e2", "cph-a"), ("e3", "cph-b")].map(|(id, name)| {
            let json = serde_json::json!({ "encode_server_id": id, "encode_server_name": name });
            serde_json::from_str(&json.to_string()).expect("an encoder")
        });
        let listed = Listing::Encoders(Ok(Rows::new(encoders.to_vec())));
        update(&mut state, Msg::Listed(listed), clock);
        let started = |state: &mut AppState, run, target: &str, job: &str| {
            let outcome = TargetOutcome {
                job_id: Some(job.into()),
                ..TargetOutcome::ok(target, Some("req".into()))
            };
            update(state, Msg::RunOutcome { run, outcome }, clock);
        };
        let all = ["e1", "e2", "e3"].map(String::from).to_vec();
        let first = launch_on(&mut state, ActionKind::RestartEncoder, all);
        for (target, job) in [("e1", "j1"), ("e3", "j3"), ("e2", "j2")] {
            started(&mut state, first, target, job);
        }
        let second = launch_on(&mut state, ActionKind::RestartEncoder, vec!["e1".into()]);
        started(&mut state, second, "e1", "j4");
        let order: Vec<&str> = state.jobs.iter().map(|j| j.job_id.as_str()).collect();
        assert_eq!(order, ["j4", "j2", "j3", "j1"]);
    }

    #[test]
    fn ten_thousand_failures_keep_their_run_its_retry_and_an_exact_summary() {
        let (mut state, run) = launched(12_000);
        let clock = Clock::system();
        for i in 0..12_000 {
            let target = format!("phone-{i:05}");
            let outcome = if i % 6 == 0 {
                TargetOutcome::ok(target, None)
            } else {
                TargetOutcome::failed(
                    target,
                    Some("KOOPHONE.API.1001".into()),
                    "Insufficient instance permissions",
                    None,
                )
            };
            update(&mut state, Msg::RunOutcome { run, outcome }, clock);
        }
        update(&mut state, Msg::RunFinished { run }, clock);
        assert!(state.activity.entries.len() <= MAX_ENTRIES);
        let progress = state.activity.run(run).expect("the run is kept");
        assert_eq!((progress.ok, progress.failed), (2_000, 10_000));
        assert!(
            progress
                .text()
                .contains("KOOPHONE.API.1001 Insufficient instance permissions ×10000"),
            "{}",
            progress.text()
        );
        let problem_lines = state
            .activity
            .entries
            .iter()
            .filter(|(_, e)| matches!(e, Entry::TargetProblem { .. }))
            .count();
        assert_eq!(
            problem_lines, PROBLEM_LINES_PER_RUN,
            "one action cannot flood the log"
        );
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some(
                "1 action(s) on 12000 target(s): 2000 done, 10000 failed, 0 unknown, 0 not sent \
                 (KOOPHONE.API.1001 Insufficient instance permissions ×10000)"
            )
        );
        update(&mut state, key('t'), clock);
        let Mode::Confirm(dialog) = &state.mode else {
            panic!("t offers the retry: {:?}", state.flash);
        };
        assert_eq!(dialog.targets.len(), 10_000);
    }

    #[test]
    fn a_run_outlives_the_log_lines_that_push_its_entry_out() {
        let (mut state, run) = launched(3);
        let clock = Clock::system();
        for i in 0..MAX_ENTRIES + 10 {
            update(&mut state, Msg::Note(format!("note {i}")), clock);
        }
        assert!(state.activity.run(run).is_some(), "the run is kept");
        assert!(
            state
                .activity
                .exit_summary(8)
                .is_some_and(|s| s.contains("on 3 target(s)")),
            "the exit still accounts for it"
        );
    }
}
