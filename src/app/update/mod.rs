//! `update(state, msg, clock) -> effects`: the dashboard's only way to change state.
//! Pure: no I/O, no clock reads, no sleeping; the shell runs the returned effects.

mod confirm;
mod detail;
mod help;
mod log_focus;
mod normal;
mod polling;
mod profile;
mod prompt;
mod retry;
mod run;
mod stop;

use crossterm::event::KeyEvent;

use crate::app::clock::Clock;
use crate::app::effect::Effect;
use crate::app::follow;
use crate::app::key_action::{KeyAction, KeyContext};
use crate::app::last_error::LastError;
use crate::app::message::Msg;
use crate::app::pane::Pane;
use crate::app::poll_result::apply_refresh;
use crate::app::state::{AppState, Mode};
use confirm::on_confirm_key;
use detail::{on_audit_read, on_detail_key, on_phone_record_read};
use help::on_help_key;
use log_focus::{on_activity_key, on_run_targets_key};
use normal::{on_file_written, on_mouse, on_normal_key};
use polling::{on_jobs, schedule_polls};
use profile::on_profile_switched;
use prompt::{on_command_key, on_filter_key};
use retry::on_earlier_runs;
use run::{on_outcome, on_run_finished};
use stop::request_quit;

pub fn update(state: &mut AppState, msg: Msg, clock: Clock) -> Vec<Effect> {
    state.now = clock.now;
    state.wall = clock.wall;
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => on_key(state, key, &mut effects),
        Msg::Mouse(event) => on_mouse(state, event),
        Msg::Resize { width, height } => state.size = (width, height),
        Msg::Tick => {
            if !std::mem::replace(&mut state.earlier_runs_asked, true) {
                effects.push(Effect::ReadEarlierRuns {
                    profile: state.settings.profile.clone(),
                });
            }
        }
        Msg::EarlierRuns(runs) => on_earlier_runs(state, runs),
        Msg::Terminate => request_quit(state, &mut effects),
        Msg::GraceOver => state.quit = true,
        Msg::Listed(listing) => {
            let (pane, refresh) = state.panes.listed(listing, clock);
            apply_refresh(state, pane, refresh);
            follow::after_poll(state);
            for settled in follow::overdue(state) {
                let error = LastError::of(&settled.outcome);
                (state.pane_mut(Pane::Servers)).action_error(&settled.outcome.target, error);
                effects.push(Effect::RecordSettled(settled));
            }
        }
        Msg::StatusPolled(batch) => {
            let refresh = state.panes.phones.status_answered(batch, clock);
            apply_refresh(state, Pane::Phones, refresh);
        }
        Msg::JobsPolled(jobs) => on_jobs(state, jobs, &mut effects),
        Msg::RunOutcome { run, outcome } => on_outcome(state, run, outcome),
        Msg::RunFinished { run } => on_run_finished(state, run),
        Msg::FileWritten { what, result } => on_file_written(state, what, result),
        Msg::ProfileSwitched(result) => on_profile_switched(state, result, clock),
        Msg::Note(note) => state.notify(note),
        Msg::AuditRead { target, result } => on_audit_read(state, target, result),
        Msg::PhoneRecordRead { id, result } => on_phone_record_read(state, id, result),
    }
    if !state.quit {
        schedule_polls(state, &mut effects);
    }
    effects
}

fn on_key(state: &mut AppState, key: KeyEvent, effects: &mut Vec<Effect>) {
    if state.quit {
        return;
    }
    // Ctrl-C (force-quit) works wherever it is pressed, the prompts included.
    if state.keymap.action_in(KeyContext::Normal, &key) == Some(KeyAction::ForceQuit) {
        // The second Ctrl-C while stopping quits now (the shell records what is still
        // unanswered as unknown).
        if state.stopping {
            state.quit = true;
        } else {
            request_quit(state, effects);
        }
        return;
    }
    // The dialog is moved, not cloned: it can hold 100,000 targets, and every typed
    // digit comes here.
    if matches!(state.mode, Mode::Confirm(_)) {
        if let Mode::Confirm(dialog) = std::mem::replace(&mut state.mode, Mode::Normal) {
            on_confirm_key(state, dialog, key, effects);
        }
        return;
    }
    match state.mode.clone() {
        Mode::Normal => on_normal_key(state, key, effects),
        Mode::Filtering => on_filter_key(state, key),
        Mode::Command(input) => on_command_key(state, input, key, effects),
        Mode::Help { scroll } => on_help_key(state, scroll, key),
        Mode::Confirm(_) => {} // moved out above
        Mode::Detail(detail) => on_detail_key(state, detail, key, effects),
        Mode::Activity { selected } => on_activity_key(state, selected, key),
        Mode::RunTargets {
            entry,
            action,
            group,
        } => on_run_targets_key(state, entry, action, group, key),
        Mode::LogLine { selected } => {
            let asked = state.keymap.action_in(KeyContext::Detail, &key);
            if matches!(asked, Some(KeyAction::Close | KeyAction::Details)) {
                state.mode = Mode::Activity { selected };
            }
        }
        Mode::ConfirmQuit => match state.keymap.action_in(KeyContext::Dialog, &key) {
            Some(KeyAction::Confirm) => request_quit(state, effects),
            Some(KeyAction::Decline) => state.mode = Mode::Normal,
            _ => {}
        },
    }
}

#[cfg(test)]
mod test_support;
