//! The two line prompts: `/` (the filter) and `:` (the command line).

use crossterm::event::KeyEvent;

use super::retry::request_retry;
use super::run::busy;
use super::stop::{cancel_actions, request_quit};
use crate::app::command_line::{self, Command};
use crate::app::effect::Effect;
use crate::app::line_editor::{LineKey, line_key};
use crate::app::state::{AppState, Mode};

/// `/`: an empty prompt, as in k9s; the filter in force is remembered for ↑.
pub(super) fn start_filter(state: &mut AppState) {
    let current = state.current();
    let kept = std::mem::take(&mut current.view_mut().filter);
    current.refresh();
    if !kept.is_empty() {
        state.remember_filter(kept);
    }
    state.filter_recall = 0;
    state.mode = Mode::Filtering;
}

pub(super) fn on_filter_key(state: &mut AppState, key: KeyEvent) {
    let typed = state.current().view().filter.clone();
    let filter = match line_key(&typed, &key) {
        LineKey::Edited(line) => line,
        LineKey::BackspaceOnEmpty | LineKey::Complete | LineKey::Ignored => return,
        LineKey::Submit => {
            state.mode = Mode::Normal;
            if !typed.is_empty() {
                state.remember_filter(typed);
            }
            return;
        }
        LineKey::Cancel => {
            state.mode = Mode::Normal;
            String::new()
        }
        // ↑ recalls earlier filters, the latest first.
        LineKey::Recall => match state.recalled_filter() {
            Some(earlier) => earlier,
            None => return,
        },
    };
    let current = state.current();
    current.view_mut().filter = filter;
    current.refresh();
}

pub(super) fn on_command_key(
    state: &mut AppState,
    input: String,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let profiles = &state.settings.profiles;
    match line_key(&input, &key) {
        LineKey::Edited(line) => state.mode = Mode::Command(line),
        LineKey::Cancel | LineKey::BackspaceOnEmpty => state.mode = Mode::Normal,
        LineKey::Complete => {
            let actions = state.activity.action_ids();
            let known = command_line::Known {
                profiles,
                actions: &actions,
            };
            let completed = command_line::complete(&input, known).unwrap_or(input);
            state.mode = Mode::Command(completed);
        }
        LineKey::Submit => {
            state.mode = Mode::Normal;
            match command_line::parse(&input, profiles) {
                Ok(command) => run_command(state, command, effects),
                Err(problem) => state.flash = Some(problem),
            }
        }
        LineKey::Recall | LineKey::Ignored => {}
    }
}

pub(super) fn run_command(state: &mut AppState, command: Command, effects: &mut Vec<Effect>) {
    match command {
        Command::Pane(pane) => state.pane = pane,
        Command::Filter(text) => {
            let current = state.current();
            current.view_mut().filter = text;
            current.refresh();
        }
        Command::Help => state.mode = Mode::Help { scroll: 0 },
        Command::Quit if busy(state) => state.mode = Mode::ConfirmQuit,
        Command::Quit => request_quit(state, effects),
        Command::Cancel => cancel_actions(state, effects),
        Command::Retry(None) => request_retry(state, None),
        Command::Retry(Some(action_id)) => {
            let run = state
                .activity
                .runs()
                .rev()
                .find(|r| r.action_id == action_id);
            match run.map(|r| r.id) {
                Some(id) => request_retry(state, Some(id)),
                None => {
                    state.flash = Some(format!(
                        "no action {} in this session or among the last day's undone ones; phonedeck audit lists them all",
                        crate::sanitize::sanitize(&action_id)
                    ))
                }
            }
        }
        Command::Profile(name) if name == state.settings.profile => {
            state.flash = Some(format!("already on profile {name}"));
        }
        Command::Profile(_) if !state.running.is_empty() => {
            state.flash =
                Some("actions are running on this profile: switch once they have finished".into());
        }
        Command::Profile(name) => {
            state.flash = Some(format!("connecting to profile {name}…"));
            effects.push(Effect::SwitchProfile(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use crate::app::effect::Effect;
    use crate::app::pane::Pane;
    use crate::app::state::Mode;
    use crate::app::update::test_support::*;

    #[test]
    fn the_filter_finds_a_rows_last_error_as_the_table_shows_it() {
        use crate::api::TargetOutcome;
        let mut state = with_phones(30);
        let run = launch_on(
            &mut state,
            crate::action_kind::ActionKind::StopStreaming,
            vec![phone_id(3)],
        );
        let refused = TargetOutcome::failed(
            phone_id(3),
            Some("KOOPHONE.API.9999".into()),
            "Internal service error",
            None,
        );
        let msg = crate::app::message::Msg::RunOutcome {
            run,
            outcome: refused,
        };
        crate::app::update::update(&mut state, msg, crate::app::clock::Clock::system());
        press_char(&mut state, '/');
        type_text(&mut state, "koophone.api");
        assert_eq!(state.shown_and_total(Pane::Phones), (1, 30));
        type_text(&mut state, " !internal");
        assert_eq!(
            state.shown_and_total(Pane::Phones),
            (0, 30),
            "!word excludes it"
        );
    }

    #[test]
    fn a_filter_typed_narrows_the_rows_enter_keeps_it_and_up_recalls_it() {
        let mut state = with_phones(30);
        press_char(&mut state, '/');
        type_text(&mut state, "offline");
        assert_eq!(state.shown_and_total(Pane::Phones), (3, 30));
        press(&mut state, KeyCode::Enter);
        assert_eq!(state.mode, Mode::Normal);
        press_char(&mut state, '/');
        assert_eq!(
            state.shown_and_total(Pane::Phones),
            (30, 30),
            "a new, empty prompt"
        );
        press(&mut state, KeyCode::Up);
        assert_eq!(state.current().view().filter, "offline");
        press(&mut state, KeyCode::Esc);
        assert_eq!(state.current().view().filter, "");
    }

    #[test]
    fn the_command_line_switches_pane_completes_and_closes_on_backspace() {
        let mut state = with_phones(3);
        press_char(&mut state, ':');
        type_text(&mut state, "serv");
        press(&mut state, KeyCode::Tab);
        assert_eq!(state.mode, Mode::Command("servers ".into()));
        press(&mut state, KeyCode::Enter);
        assert_eq!(state.pane, Pane::Servers);
        press_char(&mut state, ':');
        press(&mut state, KeyCode::Backspace);
        assert_eq!(
            state.mode,
            Mode::Normal,
            "Backspace on an empty line leaves it"
        );
    }

    #[test]
    fn profile_switches_ask_the_shell_and_are_refused_while_actions_run() {
        let mut state = with_phones(3);
        state.settings.profiles = vec!["default".into(), "prod-eu".into()];
        press_char(&mut state, ':');
        type_text(&mut state, "profile prod-eu");
        let effects = press(&mut state, KeyCode::Enter);
        assert!(effects.contains(&Effect::SwitchProfile("prod-eu".into())));
        press_char(&mut state, 's');
        press_char(&mut state, 'y');
        press_char(&mut state, ':');
        type_text(&mut state, "profile prod-eu");
        let effects = press(&mut state, KeyCode::Enter);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::SwitchProfile(_)))
        );
        assert!(
            state
                .flash
                .as_deref()
                .unwrap_or("")
                .contains("actions are running")
        );
    }
}
