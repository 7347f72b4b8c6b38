//! Keys and the mouse in a pane: moving, sorting, marking, exporting, asking for
//! an action.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::detail::open_detail;
use super::log_focus::focus_log;
use super::prompt::start_filter;
use super::retry::request_retry;
use super::run::{busy, request_action};
use super::stop::{cancel_actions, request_quit};
use crate::app::effect::Effect;
use crate::app::export::{self, Export};
use crate::app::key_action::{KeyAction, KeyContext};
use crate::app::layout::{self, Hit};
use crate::app::state::{AppState, Mode};
use crate::app::table::window_start;

/// The columns a pane sorts by (LAST ERROR, last, does not).
pub(super) fn sortable_columns(pane: &dyn crate::app::pane::data::AnyPane) -> usize {
    pane.headings()
        .iter()
        .filter(|h| h.sort_key.is_some())
        .count()
}

/// Alt and a column's letter sorts by it; again, the other way.
pub(super) fn sort_by_letter(state: &mut AppState, letter: char) {
    let current = state.current();
    let column = current
        .headings()
        .iter()
        .position(|h| h.sort_key == Some(letter.to_ascii_lowercase()));
    let Some(column) = column else {
        state.flash = Some(format!("no column sorts with Alt-{letter} here"));
        return;
    };
    let view = current.view_mut();
    view.sort = Some(match view.sort {
        Some((c, descending)) if c == column => (c, !descending),
        _ => (column, false),
    });
    current.refresh();
}

/// Rows a page moves: the table's height at the current terminal size.
pub(super) fn page(state: &AppState) -> isize {
    layout::table_rows(state.size, state.log_expanded).max(1) as isize
}

pub(super) fn on_normal_key(state: &mut AppState, key: KeyEvent, effects: &mut Vec<Effect>) {
    if let (KeyCode::Char(letter), true) = (key.code, key.modifiers.contains(KeyModifiers::ALT)) {
        return sort_by_letter(state, letter);
    }
    let Some(action) = state.keymap.action_in(KeyContext::Normal, &key) else {
        return;
    };
    state.flash = None;
    let pane = state.pane;
    match action {
        KeyAction::Quit if busy(state) => state.mode = Mode::ConfirmQuit,
        KeyAction::Quit | KeyAction::ForceQuit => request_quit(state, effects),
        KeyAction::Cancel => cancel_actions(state, effects),
        KeyAction::Retry => request_retry(state, None),
        KeyAction::FocusLog => focus_log(state),
        KeyAction::Details => open_detail(state, effects),
        KeyAction::Help => state.mode = Mode::Help { scroll: 0 },
        KeyAction::NextPane => state.pane = pane.cycle(1),
        KeyAction::PrevPane => state.pane = pane.cycle(-1),
        KeyAction::ShowPane(shown) => state.pane = shown,
        KeyAction::Up => state.current().view_mut().move_by(-1),
        KeyAction::Down => state.current().view_mut().move_by(1),
        KeyAction::PageUp => {
            let page = page(state);
            state.current().view_mut().move_by(-page)
        }
        KeyAction::PageDown => {
            let page = page(state);
            state.current().view_mut().move_by(page)
        }
        KeyAction::Top => state.current().view_mut().top(),
        KeyAction::Bottom => state.current().view_mut().bottom(),
        KeyAction::Filter => start_filter(state),
        KeyAction::CommandLine => state.mode = Mode::Command(String::new()),
        KeyAction::SortNext => {
            let current = state.current();
            let columns = sortable_columns(current);
            current.view_mut().cycle_sort(columns);
            current.refresh();
        }
        KeyAction::SortReverse => {
            let current = state.current();
            current.view_mut().reverse_sort();
            current.refresh();
        }
        KeyAction::Mark => {
            let current = state.current();
            current.toggle_mark();
            current.view_mut().move_by(1);
        }
        KeyAction::MarkAll => state.current().mark_all_visible(),
        KeyAction::UnmarkAll => state.current().view_mut().marks.clear(),
        KeyAction::Stop | KeyAction::Start | KeyAction::Pause | KeyAction::Restart => {
            match pane.spec().action(action) {
                Some(kind) => request_action(state, kind),
                None => {
                    state.flash = Some(format!(
                        "`{}` does nothing in {}",
                        action.describe(),
                        pane.title()
                    ));
                }
            }
        }
        KeyAction::Refresh => {
            if state.credentials_problem().is_some() {
                effects.push(Effect::TryCredentialsAgain);
            }
            state.refresh_all();
            state.flash = Some("refreshing".into());
        }
        KeyAction::Freeze => {
            state.frozen = !state.frozen;
            if !state.frozen {
                state.refresh_all();
            }
        }
        KeyAction::ToggleLog => state.log_expanded = !state.log_expanded,
        KeyAction::ExportCsv => {
            write_export(state, export::pane(state, export::Format::Csv), effects)
        }
        KeyAction::ExportJson => {
            write_export(state, export::pane(state, export::Format::Json), effects)
        }
        KeyAction::SaveLog => write_export(state, Ok(export::activity(state)), effects),
        // Esc in a pane clears its filter, as in k9s.
        KeyAction::ClearFilter => {
            let current = state.current();
            current.view_mut().filter.clear();
            current.refresh();
        }
        // Asked for in dialogs, views and the log only.
        KeyAction::Confirm
        | KeyAction::Decline
        | KeyAction::Close
        | KeyAction::Copy
        | KeyAction::MarkGroup => {}
    }
}

pub(super) fn write_export(
    state: &mut AppState,
    export: Result<Export, String>,
    effects: &mut Vec<Effect>,
) {
    match export {
        Ok(export) => effects.push(Effect::WriteFile {
            path: state.settings.export_dir.join(export.file_name),
            contents: export.contents,
            what: export.what,
        }),
        Err(problem) => state.flash = Some(format!("cannot export: {problem}")),
    }
}

pub(super) fn on_file_written(
    state: &mut AppState,
    what: String,
    result: Result<std::path::PathBuf, String>,
) {
    let note = match result {
        Ok(path) => format!("wrote {what} to {}", path.display()),
        Err(problem) => format!("could not write {what}: {problem}; set export_dir in the config"),
    };
    state.notify(note);
}

/// Rows one turn of the wheel moves.
const WHEEL_ROWS: isize = 3;

/// The wheel moves the cursor; a click picks a tab or a row. Only in the normal
/// view: dialogs are answered with keys.
pub(super) fn on_mouse(state: &mut AppState, event: MouseEvent) {
    if !state.settings.mouse || state.mode != Mode::Normal {
        return;
    }
    match event.kind {
        MouseEventKind::ScrollDown => state.current().view_mut().move_by(WHEEL_ROWS),
        MouseEventKind::ScrollUp => state.current().view_mut().move_by(-WHEEL_ROWS),
        MouseEventKind::Down(MouseButton::Left) => {
            match layout::hit(state.size, state.log_expanded, event.column, event.row) {
                Hit::Tab(pane) => state.pane = pane,
                Hit::Row(offset) => {
                    let height = layout::table_rows(state.size, state.log_expanded);
                    let view = state.current().view_mut();
                    let row = window_start(view.cursor, height) + offset;
                    if row < view.visible.len() {
                        view.cursor = row;
                    }
                }
                Hit::Nothing => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::clock::Clock;
    use crate::app::key_action::KeyAction;
    use crate::app::message::Msg;
    use crate::app::pane::Pane;
    use crate::app::update::test_support::*;
    use crate::app::update::update;

    #[test]
    fn moving_and_marking_go_through_the_cursor() {
        let mut state = with_phones(30);
        press_char(&mut state, 'j');
        press_char(&mut state, 'j');
        assert_eq!(state.panes.phones.table.view.cursor, 2);
        press_char(&mut state, ' ');
        assert_eq!(
            state.panes.phones.table.view.cursor, 3,
            "marking moves down"
        );
        press_char(&mut state, 'G');
        assert_eq!(state.panes.phones.table.view.cursor, 29);
        press_char(&mut state, 'A');
        assert_eq!(state.panes.phones.table.view.marks.len(), 30);
        press_char(&mut state, 'U');
        assert!(state.panes.phones.table.view.marks.is_empty());
    }

    #[test]
    fn esc_clears_the_pane_filter_unless_clear_filter_is_rebound() {
        let mut state = with_phones(30);
        state.current().view_mut().filter = "offline".into();
        state.current().refresh();
        assert_eq!(state.shown_and_total(Pane::Phones), (3, 30));
        press(&mut state, KeyCode::Esc);
        assert_eq!(state.shown_and_total(Pane::Phones), (30, 30));

        rebind(&mut state, KeyAction::ClearFilter, &["f3"]);
        state.current().view_mut().filter = "offline".into();
        state.current().refresh();
        press(&mut state, KeyCode::Esc);
        assert_eq!(
            state.shown_and_total(Pane::Phones),
            (3, 30),
            "Esc is free now"
        );
        press(&mut state, KeyCode::F(3));
        assert_eq!(state.shown_and_total(Pane::Phones), (30, 30));
    }

    #[test]
    fn alt_and_a_columns_letter_sorts_by_it_then_the_other_way() {
        let mut state = with_phones(30);
        let alt_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT);
        update(&mut state, Msg::Key(alt_s), Clock::system());
        let status_column = 2;
        assert_eq!(
            state.panes.phones.table.view.sort,
            Some((status_column, false))
        );
        update(&mut state, Msg::Key(alt_s), Clock::system());
        assert_eq!(
            state.panes.phones.table.view.sort,
            Some((status_column, true))
        );
    }

    #[test]
    fn an_action_key_a_pane_does_not_offer_sends_nothing_and_says_so() {
        let mut state = with_phones(3);
        let effects = press_char(&mut state, 'r');
        assert!(runs(&effects).is_empty());
        assert!(
            state
                .flash
                .as_deref()
                .unwrap_or("")
                .contains("does nothing in Phones")
        );
        press_char(&mut state, '3');
        assert_eq!(state.pane, Pane::Encoders);
        press(&mut state, KeyCode::BackTab);
        assert_eq!(state.pane, Pane::Streams);
    }

    #[test]
    fn q_while_an_action_runs_asks_first() {
        let mut state = with_phones(3);
        press_char(&mut state, 's');
        assert_eq!(runs(&press_char(&mut state, 'y')).len(), 1);
        press_char(&mut state, 'q');
        assert_eq!(state.mode, crate::app::state::Mode::ConfirmQuit);
        press_char(&mut state, 'n');
        assert_eq!(state.mode, crate::app::state::Mode::Normal);
        assert!(!state.stopping, "staying sends the stop to nothing");
    }
}
