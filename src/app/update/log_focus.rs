//! The activity log focused: moving through its entries, a run's targets by
//! outcome and cause, marking a group into its pane.

use crate::app::run_id::RunId;
use crossterm::event::KeyEvent;

use super::retry::request_retry;
use crate::app::activity::Entry;
use crate::app::key_action::{KeyAction, KeyContext};
use crate::app::pane::Pane;
use crate::app::state::{AppState, Mode};

/// Focuses the activity log on its latest entry.
pub(super) fn focus_log(state: &mut AppState) {
    match state.activity.entries.len() {
        0 => state.flash = Some("the activity log is empty".into()),
        n => state.mode = Mode::Activity { selected: n - 1 },
    }
}

pub(super) fn on_activity_key(state: &mut AppState, selected: usize, key: KeyEvent) {
    let last = state.activity.entries.len().saturating_sub(1);
    let selected = match state.keymap.action_in(KeyContext::Log, &key) {
        Some(KeyAction::Close | KeyAction::FocusLog) => {
            state.mode = Mode::Normal;
            return;
        }
        // An action's entry opens its targets by outcome and cause; another, the line.
        Some(KeyAction::Details) => {
            state.mode = match state.activity.entries.get(selected) {
                Some((_, Entry::Run(action))) => Mode::RunTargets {
                    entry: selected,
                    action: *action,
                    group: 0,
                },
                _ => Mode::LogLine { selected },
            };
            return;
        }
        Some(KeyAction::Retry) => {
            state.mode = Mode::Normal;
            return match state.activity.run_of(selected) {
                Some(action) => request_retry(state, Some(action)),
                None => state.flash = Some("not an action's entry: nothing to retry".into()),
            };
        }
        Some(KeyAction::Up) => selected.saturating_sub(1),
        Some(KeyAction::Down) => selected + 1,
        Some(KeyAction::Top) => 0,
        Some(KeyAction::Bottom) => last,
        _ => selected,
    };
    state.mode = Mode::Activity {
        selected: selected.min(last),
    };
}

/// In an action's targets: move between groups, `m` marks the selected group's
/// targets in the action's pane (to act on them again), Esc goes back to the log.
pub(super) fn on_run_targets_key(
    state: &mut AppState,
    entry: usize,
    action: RunId,
    group: usize,
    key: KeyEvent,
) {
    let groups = state.activity.run(action).map_or(0, |p| p.groups().len());
    let group = match state.keymap.action_in(KeyContext::Log, &key) {
        Some(KeyAction::Close) => {
            state.mode = Mode::Activity { selected: entry };
            return;
        }
        Some(KeyAction::MarkGroup) => {
            state.mode = Mode::Normal;
            return mark_group(state, action, group);
        }
        Some(KeyAction::Up) => group.saturating_sub(1),
        Some(KeyAction::Down) => (group + 1).min(groups.saturating_sub(1)),
        _ => group,
    };
    state.mode = Mode::RunTargets {
        entry,
        action,
        group,
    };
}

/// Marks one group of an action's targets in its pane, showing that pane: the rows
/// still listed are marked, and the footer says how many.
pub(super) fn mark_group(state: &mut AppState, action: RunId, group: usize) {
    let Some(progress) = state.activity.run(action) else {
        return;
    };
    let Some(pane) = Pane::changed_by(progress.kind) else {
        return;
    };
    let groups = progress.groups();
    let Some((label, targets)) = groups.get(group) else {
        return;
    };
    let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
    let label = label.clone();
    state.pane = pane;
    let data = state.pane_mut(pane);
    let listed: std::collections::HashSet<String> = data.keys().into_iter().collect();
    let marked: Vec<String> = targets.into_iter().filter(|t| listed.contains(t)).collect();
    let count = marked.len();
    data.view_mut().marks.extend(marked);
    state.flash = Some(format!("marked {count} target(s): {label}"));
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use crate::app::key_action::KeyAction;
    use crate::app::state::Mode;
    use crate::app::update::test_support::*;

    #[test]
    fn l_focuses_the_log_and_leaves_it_and_a_rebound_key_does_instead() {
        let mut state = with_phones(5);
        state.notify("a note".into());
        press_char(&mut state, 'L');
        assert!(matches!(state.mode, Mode::Activity { .. }));
        press_char(&mut state, 'L');
        assert_eq!(state.mode, Mode::Normal);

        rebind(&mut state, KeyAction::FocusLog, &["f2"]);
        press(&mut state, KeyCode::F(2));
        assert!(matches!(state.mode, Mode::Activity { .. }));
        press_char(&mut state, 'L');
        assert!(
            matches!(state.mode, Mode::Activity { .. }),
            "L no longer leaves"
        );
        press(&mut state, KeyCode::F(2));
        assert_eq!(state.mode, Mode::Normal);
    }

    #[test]
    fn an_actions_entry_opens_its_targets_and_m_marks_a_group_in_its_pane() {
        let mut state = with_phones(5);
        press_char(&mut state, ' ');
        press_char(&mut state, ' ');
        press_char(&mut state, 's');
        let run = runs(&press_char(&mut state, 'y'))[0];
        let outcome = crate::api::TargetOutcome::ok(phone_id(0), None);
        let clock = crate::app::clock::Clock::system();
        let msg = crate::app::message::Msg::RunOutcome { run, outcome };
        crate::app::update::update(&mut state, msg, clock);
        press_char(&mut state, 'L');
        let Mode::Activity { selected } = state.mode else {
            panic!("log focused");
        };
        let entry = (0..=selected)
            .rev()
            .find(|&i| state.activity.run_of(i) == Some(run))
            .expect("the action's entry");
        state.mode = Mode::Activity { selected: entry };
        press(&mut state, KeyCode::Enter);
        assert!(
            matches!(state.mode, Mode::RunTargets { .. }),
            "{:?}",
            state.mode
        );
        press_char(&mut state, 'm');
        assert_eq!(state.mode, Mode::Normal);
        assert!(
            !state.panes.phones.table.view.marks.is_empty(),
            "a group marked"
        );
    }

    #[test]
    fn t_in_the_log_on_a_note_retries_nothing_and_says_why() {
        let mut state = with_phones(3);
        state.notify("just a note".into());
        press_char(&mut state, 'L');
        let effects = press_char(&mut state, 't');
        assert!(runs(&effects).is_empty());
        assert_eq!(state.mode, Mode::Normal);
        assert!(
            state
                .flash
                .as_deref()
                .unwrap_or("")
                .contains("nothing to retry")
        );
    }
}
