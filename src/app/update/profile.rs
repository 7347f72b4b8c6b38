//! Switching to another profile (`:profile NAME`).

use crate::app::clock::Clock;
use crate::app::pane::Pane;
use crate::app::settings::Settings;
use crate::app::state::AppState;

/// A new profile starts afresh (its own fleet, feeds, filters and marks); the pane,
/// the key map, the terminal size and the activity log carry over, with a note.
pub(super) fn on_profile_switched(
    state: &mut AppState,
    result: Result<Settings, String>,
    clock: Clock,
) {
    let settings = match result {
        Ok(settings) => settings,
        Err(problem) => return state.notify(format!("could not switch profile: {problem}")),
    };
    let mut fresh = AppState::new(settings, clock);
    fresh.keymap = std::mem::take(&mut state.keymap);
    fresh.size = state.size;
    fresh.pane = state.pane;
    fresh.log_expanded = state.log_expanded;
    fresh.activity = std::mem::take(&mut state.activity);
    fresh.next_run = state.next_run;
    fresh.filter_history = std::mem::take(&mut state.filter_history);
    // "Is the other region hit too?" is one command: the filters carry over.
    for &pane in Pane::ALL {
        let filter = state.pane(pane).view().filter.clone();
        let view = fresh.pane_mut(pane);
        view.view_mut().filter = filter;
        view.refresh();
    }
    *state = fresh;
    let read_only = if state.settings.read_only {
        " (read-only)"
    } else {
        ""
    };
    state.notify(format!(
        "switched to profile {}{read_only}",
        state.settings.profile
    ));
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::test_support::{log_lines, press, press_char, type_text, with_phones};
    use super::super::update;
    use crate::app::clock::Clock;
    use crate::app::message::Msg;
    use crate::app::pane::Pane;
    use crate::app::settings::Settings;

    #[test]
    fn a_new_profile_starts_afresh_but_keeps_the_pane_filters_and_log() {
        let mut state = with_phones(20);
        press_char(&mut state, '/');
        type_text(&mut state, "offline");
        press(&mut state, KeyCode::Enter);
        state.notify("before the switch".into());
        let settings = Settings {
            profile: "eu".into(),
            read_only: true,
            ..Settings::default()
        };
        update(
            &mut state,
            Msg::ProfileSwitched(Ok(settings)),
            Clock::system(),
        );
        assert_eq!(state.settings.profile, "eu");
        assert_eq!(state.shown_and_total(Pane::Phones), (0, 0), "its own fleet");
        assert_eq!(state.pane(Pane::Phones).view().filter, "offline");
        let log = log_lines(&state);
        assert!(
            log.iter().any(|line| line == "before the switch"),
            "{log:?}"
        );
        assert!(
            log.iter()
                .any(|line| line == "switched to profile eu (read-only)"),
            "{log:?}"
        );
    }

    #[test]
    fn a_failed_switch_keeps_everything_and_says_why() {
        let mut state = with_phones(20);
        let problem = Err("no profile named eu".to_string());
        update(&mut state, Msg::ProfileSwitched(problem), Clock::system());
        assert_eq!(state.shown_and_total(Pane::Phones), (20, 20));
        let (_, last) = state.activity.entries.last().expect("a note");
        assert_eq!(
            state.activity.text(last),
            "could not switch profile: no profile named eu"
        );
    }
}
