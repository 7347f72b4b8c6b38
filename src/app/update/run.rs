//! A run of an action, from the request to the wrap-up: the confirmation it asks
//! for, its launch, each target's outcome, cancel, quit, and earlier runs' entries.

use crate::action_kind::ActionKind;
use crate::api::{Outcome, TargetOutcome};
use crate::app::run_id::RunId;

use crate::app::activity::{Entry, PROBLEM_LINES_PER_RUN, RunProgress};
use crate::app::applies;
use crate::app::effect::Effect;
use crate::app::follow;
use crate::app::jobs::{JobRow, JobState};
use crate::app::message::EarlierRun;
use crate::app::pane::Pane;
use crate::app::state::{AppState, ConfirmDialog, Focus, Mode, RetryOf};

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

/// The retry key and `:retry`: the latest action again (or the one the activity log's
/// selected entry belongs to), on just its failed, unknown and not-sent targets,
/// through the usual confirmation.
pub(super) fn request_retry(state: &mut AppState, of: Option<RunId>) {
    if state.settings.read_only {
        return state.notify("read-only: retry refused; nothing was sent".into());
    }
    let chosen = match of {
        Some(id) => state.activity.run(id).cloned(),
        None => state.activity.latest().cloned(),
    };
    let Some(action) = chosen else {
        state.flash = Some("nothing to retry: no action there".into());
        return;
    };
    if !action.finished {
        state.flash = Some(format!(
            "action {} is still running: retry once it has finished",
            action.action_id
        ));
        return;
    }
    let left_out = left_out(action.kind, action.uncertain.len());
    if action.retry_targets.is_empty() {
        state.flash = Some(match left_out {
            Some(left_out) => format!(
                "nothing to retry in action {}: {left_out}",
                action.action_id
            ),
            None => format!(
                "nothing to retry: every target of action {} took effect",
                action.action_id
            ),
        });
        return;
    }
    let cannot_apply = applies::warning(state, action.kind, &action.retry_targets);
    let warning = match (cannot_apply, left_out) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    state.mode = Mode::Confirm(ConfirmDialog {
        warning,
        kind: action.kind,
        targets: action.retry_targets,
        hidden: 0,
        typed: String::new(),
        focus: Focus::Cancel,
        retry_of: Some(RetryOf {
            action_id: action.action_id,
            total: action.total,
        }),
    });
}

/// What a retry leaves out, if anything: targets that may have taken effect, of an
/// action not harmless to repeat.
pub(super) fn left_out(kind: ActionKind, uncertain: usize) -> Option<String> {
    (uncertain > 0).then(|| {
        format!(
            "{uncertain} left out: no answer, and reading back could not tell whether the {} happened (phonedeck retry --include-uncertain sends them)",
            kind.label()
        )
    })
}

pub(super) fn launch(state: &mut AppState, dialog: ConfirmDialog, effects: &mut Vec<Effect>) {
    let run = state.next_run;
    state.next_run = run.next();
    state.running.push(run);
    let action_id = format!("{}-{run}", state.settings.session);
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
                dialog.targets.len(),
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
        dialog.targets.len()
    ));
    effects.push(Effect::StartRun {
        run,
        action_id,
        retry_of: dialog.retry_of.map(|r| r.action_id),
        kind: dialog.kind,
        targets: dialog.targets,
    });
}

/// Stops every running action: the targets not yet started are not sent; the
/// requests in flight still record their outcomes.
pub(super) fn cancel_running(state: &mut AppState, effects: &mut Vec<Effect>) {
    for &action in &state.running {
        effects.push(Effect::CancelRun(action));
    }
    for action in state.running.clone() {
        if let Some(progress) = state.activity.run_mut(action) {
            progress.stopping = true;
        }
    }
}

/// Quitting: at once when nothing runs; otherwise running actions stop sending and
/// the dashboard quits when those in flight have answered (a second Ctrl-C quits now).
pub(super) fn request_quit(state: &mut AppState, effects: &mut Vec<Effect>) {
    state.mode = Mode::Normal;
    if state.running.is_empty() {
        state.quit = true;
        return;
    }
    cancel_running(state, effects);
    state.stopping = true;
    state.flash = Some(format!(
        "quitting: no new requests; waiting for those in flight of {} action(s) (Ctrl-C again quits now)",
        state.running.len()
    ));
}

/// The cancel key and `:cancel`: running actions stop sending, the dashboard stays.
pub(super) fn cancel_actions(state: &mut AppState, effects: &mut Vec<Effect>) {
    if state.running.is_empty() {
        state.flash = Some("no action is running".into());
        return;
    }
    cancel_running(state, effects);
    state.notify(format!(
        "cancelling {} action(s): no new requests; those in flight will still answer",
        state.running.len()
    ));
}

/// What an outcome does to its row's LAST ERROR: set it (code first, then the message,
/// and for no answer what reading back settled), clear it, or leave it (not sent).
pub(super) fn last_error(outcome: &TargetOutcome) -> Option<Option<String>> {
    let code = outcome.error_code.as_deref().unwrap_or("");
    let message = outcome.error_msg.as_deref().unwrap_or("");
    match outcome.outcome {
        Outcome::Ok => Some(None),
        Outcome::NotSent => None,
        Outcome::Failed => Some(Some(format!("{code} {message}").trim().to_string())),
        Outcome::Unknown => {
            let settled = outcome
                .reconciled
                .map(|settled| format!(", read back: {settled}"))
                .unwrap_or_default();
            Some(Some(format!("no answer {code} {message}{settled}")))
        }
    }
}

pub(super) fn run_kind(state: &AppState, run: RunId) -> Option<ActionKind> {
    state.activity.run(run).map(|progress| progress.kind)
}

/// The last day's actions of this profile that left targets undone, listed so that
/// `t` on one (or `:retry ID`) picks up after a dropped session.
pub(super) fn on_earlier_runs(state: &mut AppState, runs: Result<Vec<EarlierRun>, String>) {
    let runs = match runs {
        Ok(runs) => runs,
        Err(problem) => return state.notify(format!("earlier runs not listed: {problem}")),
    };
    for run in runs {
        let id = state.next_run;
        state.next_run = id.next();
        let mut progress = RunProgress {
            finished: true,
            earlier: Some(run.started),
            ..RunProgress::new(id, run.action_id, run.kind, run.targets.len(), state.now)
        };
        for outcome in &run.targets {
            progress.count(outcome);
        }
        // The earlier run's own failures were said then; here its line counts them.
        progress.problem_lines = PROBLEM_LINES_PER_RUN;
        let now = state.now;
        state.activity.start(now, progress);
    }
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
        if let Some(error) = last_error(&outcome) {
            state.pane_mut(pane).action_error(&outcome.target, error);
        }
    }
    // A restart's job is followed once it is known to have started: answered, or
    // found by reading back.
    if let (ActionKind::RestartEncoder, true, Some(job_id)) =
        (kind, outcome.took_effect(), &outcome.job_id)
    {
        state.jobs.push(JobRow {
            job_id: job_id.clone(),
            request_id: outcome.request_id.clone(),
            run,
            encoder_id: outcome.target.clone(),
            state: JobState::Running,
            started: state.now,
        });
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
    use super::*;
    use crate::app::activity::MAX_ENTRIES;
    use crate::app::clock::Clock;
    use crate::app::message::Msg;
    use crate::app::settings::Settings;
    use crate::app::state::Focus;
    use crate::app::update;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    /// An action of `total` stop-streaming targets, launched as `launch` does.
    fn launched(total: usize) -> (AppState, RunId) {
        let clock = Clock::system();
        let mut state = AppState::new(Settings::default(), clock);
        let targets: Vec<String> = (0..total).map(|i| format!("phone-{i:05}")).collect();
        let dialog = ConfirmDialog {
            kind: ActionKind::StopStreaming,
            targets,
            hidden: 0,
            typed: String::new(),
            focus: Focus::Confirm,
            retry_of: None,
            warning: None,
        };
        let mut effects = Vec::new();
        launch(&mut state, dialog, &mut effects);
        let Some(Effect::StartRun { run, .. }) = effects.first() else {
            panic!("the action is run");
        };
        (state, *run)
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
    fn quitting_before_all_answered_counts_at_most_a_slot_each_unknown_and_the_rest_not_sent() {
        let (mut state, run) = launched(40);
        let clock = Clock::system();
        for i in 0..2 {
            let outcome = TargetOutcome::ok(format!("phone-{i:05}"), None);
            update(&mut state, Msg::RunOutcome { run, outcome }, clock);
        }
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some("1 action(s) on 40 target(s): 2 done, 0 failed, 8 unknown, 30 not sent")
        );
    }

    #[test]
    fn quitting_with_actions_running_waits_then_the_grace_ends_it() {
        let (mut state, _) = launched(40);
        let clock = Clock::system();
        update(&mut state, Msg::Terminate, clock);
        assert!(state.stopping && !state.quit, "waits for those in flight");
        let effects = update(&mut state, Msg::GraceOver, clock);
        assert!(state.quit);
        assert!(
            effects.is_empty(),
            "nothing new once the grace is over: {effects:?}"
        );
    }

    #[test]
    fn the_wrap_up_counts_a_target_once_by_its_latest_outcome_across_a_retry() {
        let (mut state, first) = launched(5);
        let clock = Clock::system();
        for i in 0..5 {
            let target = format!("phone-{i:05}");
            let outcome = if i < 3 {
                TargetOutcome::ok(target, None)
            } else {
                TargetOutcome::failed(target, Some("E1".into()), "denied", None)
            };
            update(
                &mut state,
                Msg::RunOutcome {
                    run: first,
                    outcome,
                },
                clock,
            );
        }
        update(&mut state, Msg::RunFinished { run: first }, clock);
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some(
                "1 action(s) on 5 target(s): 3 done, 2 failed, 0 unknown, 0 not sent (E1 denied ×2)"
            )
        );
        let mut effects = Vec::new();
        request_retry(&mut state, None);
        let Mode::Confirm(dialog) = std::mem::replace(&mut state.mode, Mode::Normal) else {
            panic!("a retry dialog");
        };
        launch(&mut state, dialog, &mut effects);
        let Some(Effect::StartRun {
            run: retry,
            targets,
            ..
        }) = effects.first().cloned()
        else {
            panic!("the retry runs");
        };
        for target in targets {
            let outcome = TargetOutcome::ok(target, None);
            update(
                &mut state,
                Msg::RunOutcome {
                    run: retry,
                    outcome,
                },
                clock,
            );
        }
        update(&mut state, Msg::RunFinished { run: retry }, clock);
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some("2 action(s) on 5 target(s): 5 done, 0 failed, 0 unknown, 0 not sent")
        );
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
