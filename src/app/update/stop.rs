//! Stopping: cancelling the running actions, and quitting, which waits for the
//! requests in flight (within the shell's grace) before it leaves.

use crate::app::effect::Effect;
use crate::app::state::{AppState, Mode};

/// Stops every running action: the targets not yet started are not sent; the
/// requests in flight still record their outcomes.
pub(super) fn cancel_running(state: &mut AppState, effects: &mut Vec<Effect>) {
    for &run in &state.running {
        effects.push(Effect::CancelRun(run));
    }
    for run in state.running.clone() {
        if let Some(progress) = state.activity.run_mut(run) {
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

/// How the footer says a cancel is under way (cleared when the last run ends).
pub(super) const CANCELLING: &str = "cancelling ";

/// The cancel key and `:cancel`: running actions stop sending, the dashboard stays.
pub(super) fn cancel_actions(state: &mut AppState, effects: &mut Vec<Effect>) {
    if state.running.is_empty() {
        state.flash = Some("no action is running".into());
        return;
    }
    cancel_running(state, effects);
    state.notify(format!(
        "{CANCELLING}{} action(s): no new requests; those in flight will still answer",
        state.running.len()
    ));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{launched, press_char};
    use super::super::update;
    use crate::api::TargetOutcome;
    use crate::app::clock::Clock;
    use crate::app::message::Msg;

    #[test]
    fn a_cancelled_run_says_cancelled_and_the_footer_stops_saying_cancelling() {
        let (mut state, run) = launched(40);
        let clock = Clock::system();
        let answer = |state: &mut _, outcome| {
            update(state, Msg::RunOutcome { run, outcome }, clock);
        };
        answer(&mut state, TargetOutcome::ok("phone-00000", None));
        press_char(&mut state, 'c');
        assert!(
            state
                .flash
                .as_deref()
                .unwrap_or("")
                .starts_with("cancelling 1 action(s)")
        );
        for i in 1..40 {
            answer(&mut state, TargetOutcome::not_sent(format!("phone-{i:05}")));
        }
        update(&mut state, Msg::RunFinished { run }, clock);
        let text = state.activity.run(run).expect("kept").text();
        assert!(text.contains("1 done, 39 not sent — cancelled"), "{text}");
        assert_eq!(state.flash, None, "nothing is being cancelled any more");
    }

    #[test]
    fn a_stop_after_every_request_left_changes_nothing_and_the_run_finished() {
        let (mut state, run) = launched(2);
        let clock = Clock::system();
        press_char(&mut state, 'c');
        for i in 0..2 {
            let outcome = TargetOutcome::ok(format!("phone-{i:05}"), None);
            update(&mut state, Msg::RunOutcome { run, outcome }, clock);
        }
        update(&mut state, Msg::RunFinished { run }, clock);
        let text = state.activity.run(run).expect("kept").text();
        assert!(text.contains("2 done — finished"), "{text}");
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
}
