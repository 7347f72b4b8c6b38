//! Retrying: the latest run (or a chosen one) again on just the targets that did not
//! take effect, and the earlier sessions' runs listed so they can be retried too.

use crate::action_kind::ActionKind;
use crate::app::activity::{PROBLEM_LINES_PER_RUN, RunProgress};
use crate::app::applies;
use crate::app::message::EarlierRun;
use crate::app::run_id::RunId;
use crate::app::state::{AppState, ConfirmDialog, Focus, Mode, RetryOf};

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
    let Some(run) = chosen else {
        state.flash = Some("nothing to retry: no action there".into());
        return;
    };
    if !run.finished {
        state.flash = Some(format!(
            "action {} is still running: retry once it has finished",
            run.action_id
        ));
        return;
    }
    let left_out = left_out(run.kind, run.uncertain.len());
    if run.retry_targets.is_empty() {
        state.flash = Some(match left_out {
            Some(left_out) => format!("nothing to retry in action {}: {left_out}", run.action_id),
            None => format!(
                "nothing to retry: every target of action {} took effect",
                run.action_id
            ),
        });
        return;
    }
    let cannot_apply = applies::warning(state, run.kind, &run.retry_targets);
    let warning = match (cannot_apply, left_out) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    state.mode = Mode::Confirm(ConfirmDialog {
        warning,
        kind: run.kind,
        targets: run.retry_targets,
        hidden: 0,
        typed: String::new(),
        focus: Focus::Cancel,
        retry_of: Some(RetryOf {
            action_id: run.action_id,
            total: run.total,
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
        let targets = run.targets.iter().map(|t| t.target.clone()).collect();
        let mut progress = RunProgress {
            finished: true,
            earlier: Some(run.started),
            ..RunProgress::new(id, run.action_id, run.kind, targets, state.now)
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

#[cfg(test)]
mod tests {
    use super::super::run::launch;
    use super::super::test_support::launched;
    use super::super::update;
    use super::request_retry;
    use crate::api::TargetOutcome;
    use crate::app::clock::Clock;
    use crate::app::effect::Effect;
    use crate::app::message::Msg;
    use crate::app::state::Mode;

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
        assert_eq!(
            state.activity.exit_summary(8).as_deref(),
            Some("2 action(s) on 5 target(s): 3 done, 0 failed, 2 unknown, 0 not sent"),
            "quitting now: the retried targets stand as the retry left them (in flight), once"
        );
        for target in targets.iter() {
            let outcome = TargetOutcome::ok(target.clone(), None);
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
}
