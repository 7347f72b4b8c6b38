//! The `?` overlay: it scrolls where the terminal is too small to show it whole.

use crossterm::event::KeyEvent;

use crate::app::key_action::{KeyAction, KeyContext};
use crate::app::state::{AppState, Mode};

/// Lines a page key moves: the terminal's height less the overlay's frame.
fn page(state: &AppState) -> u16 {
    state.size.1.saturating_sub(4).max(1)
}

/// The view keys scroll (the drawing stops at the last line); close, `?` or Enter
/// leave.
pub(super) fn on_help_key(state: &mut AppState, scroll: u16, key: KeyEvent) {
    let scroll = match state.keymap.action_in(KeyContext::Detail, &key) {
        Some(KeyAction::Close | KeyAction::Help | KeyAction::Details) => {
            state.mode = Mode::Normal;
            return;
        }
        Some(KeyAction::Down) => scroll.saturating_add(1),
        Some(KeyAction::Up) => scroll.saturating_sub(1),
        Some(KeyAction::PageDown) => scroll.saturating_add(page(state)),
        Some(KeyAction::PageUp) => scroll.saturating_sub(page(state)),
        Some(KeyAction::Top) => 0,
        Some(KeyAction::Bottom) => u16::MAX,
        _ => scroll,
    };
    state.mode = Mode::Help { scroll };
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::test_support::{press, press_char, with_phones};
    use crate::app::state::Mode;

    #[test]
    fn the_help_scrolls_by_line_and_page_and_closes() {
        let mut state = with_phones(3);
        state.size = (50, 12);
        press_char(&mut state, '?');
        press_char(&mut state, 'j');
        press_char(&mut state, 'j');
        press_char(&mut state, 'k');
        assert_eq!(state.mode, Mode::Help { scroll: 1 });
        press(&mut state, KeyCode::PageDown);
        assert_eq!(state.mode, Mode::Help { scroll: 9 });
        press_char(&mut state, 'g');
        assert_eq!(state.mode, Mode::Help { scroll: 0 });
        press_char(&mut state, '?');
        assert_eq!(state.mode, Mode::Normal);
    }
}
