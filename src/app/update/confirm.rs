//! The confirmation dialog's keys: confirm and decline (bound in the key map), the
//! typed count, Tab and Enter.

use crossterm::event::{KeyCode, KeyEvent};

use super::run::launch;
use crate::app::effect::Effect;
use crate::app::key_action::{KeyAction, KeyContext};
use crate::app::state::{AppState, ConfirmDialog, Focus, Mode};

pub(super) fn on_confirm_key(
    state: &mut AppState,
    mut dialog: ConfirmDialog,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    let typed_count = dialog.needs_typed_count();
    // Confirm and decline are bound keys; the typed count, focus and Enter are the
    // dialog's own editing.
    match (state.keymap.action_in(KeyContext::Dialog, &key), key.code) {
        (Some(KeyAction::Decline), _) => {
            state.mode = Mode::Normal;
            state.flash = Some(format!(
                "{} cancelled; nothing was sent",
                dialog.kind.label()
            ));
            return;
        }
        (Some(KeyAction::Confirm), _) if !typed_count => {
            state.mode = Mode::Normal;
            return launch(state, dialog, effects);
        }
        (_, KeyCode::Char(c)) if typed_count && c.is_ascii_digit() && dialog.typed.len() < 9 => {
            dialog.typed.push(c)
        }
        (_, KeyCode::Backspace) => {
            dialog.typed.pop();
        }
        (_, KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right) if !typed_count => {
            dialog.focus = match dialog.focus {
                Focus::Cancel => Focus::Confirm,
                Focus::Confirm => Focus::Cancel,
            };
        }
        (_, KeyCode::Enter) => {
            let confirmed = if typed_count {
                dialog.typed == dialog.targets.len().to_string()
            } else {
                dialog.focus == Focus::Confirm
            };
            state.mode = Mode::Normal;
            if confirmed {
                return launch(state, dialog, effects);
            }
            if typed_count && !dialog.typed.is_empty() {
                state.flash = Some(format!(
                    "typed {} but there are {} targets; nothing was sent",
                    dialog.typed,
                    dialog.targets.len()
                ));
            } else {
                state.flash = Some(format!(
                    "{} cancelled; nothing was sent",
                    dialog.kind.label()
                ));
            }
            return;
        }
        _ => {}
    }
    state.mode = Mode::Confirm(dialog);
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use crate::app::key_action::KeyAction;
    use crate::app::state::Mode;
    use crate::app::update::test_support::*;

    /// Marks the first `n` phones and asks to stop their streaming.
    fn asked(n: usize) -> crate::app::state::AppState {
        let mut state = with_phones(20);
        for _ in 0..n {
            press_char(&mut state, ' ');
        }
        press_char(&mut state, 's');
        assert!(matches!(state.mode, Mode::Confirm(_)), "{:?}", state.mode);
        state
    }

    #[test]
    fn y_confirms_a_small_action_and_it_runs_on_the_marked_targets() {
        let mut state = asked(3);
        let effects = press_char(&mut state, 'y');
        assert_eq!(runs(&effects).len(), 1);
        assert_eq!(state.mode, Mode::Normal);
    }

    #[test]
    fn declining_sends_nothing_and_says_so() {
        for key in [KeyCode::Esc, KeyCode::Char('n'), KeyCode::Char('q')] {
            let mut state = asked(3);
            let effects = press(&mut state, key);
            assert!(runs(&effects).is_empty(), "{key:?}");
            assert!(
                state
                    .flash
                    .as_deref()
                    .unwrap_or("")
                    .contains("nothing was sent")
            );
        }
    }

    #[test]
    fn from_ten_targets_the_count_must_be_typed_and_y_does_nothing() {
        let mut state = asked(12);
        assert!(
            runs(&press_char(&mut state, 'y')).is_empty(),
            "y is not enough"
        );
        type_text(&mut state, "11");
        let effects = press(&mut state, KeyCode::Enter);
        assert!(runs(&effects).is_empty(), "a wrong count sends nothing");
        let mut state = asked(12);
        type_text(&mut state, "12");
        assert_eq!(runs(&press(&mut state, KeyCode::Enter)).len(), 1);
    }

    #[test]
    fn confirm_and_decline_follow_their_bindings() {
        let mut state = asked(2);
        rebind(&mut state, KeyAction::Confirm, &["f2"]);
        assert!(
            runs(&press_char(&mut state, 'y')).is_empty(),
            "y is no longer confirm"
        );
        assert!(matches!(state.mode, Mode::Confirm(_)));
        assert_eq!(runs(&press(&mut state, KeyCode::F(2))).len(), 1);
    }
}
