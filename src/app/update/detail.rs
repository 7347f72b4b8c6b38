//! One row, whole (Enter): opening it, what the shell read for it, its keys.

use crossterm::event::KeyEvent;

use crate::app::effect::Effect;
use crate::app::key_action::{KeyAction, KeyContext};
use crate::app::pane::Pane;
use crate::app::state::{AppState, AuditHistory, Detail, Mode, WholeRecord};

/// Enter: the cursor row's detail view; its audit lines are read by the shell.
pub(super) fn open_detail(state: &mut AppState, effects: &mut Vec<Effect>) {
    let Some(key) = state.pane(state.pane).cursor_key().map(str::to_string) else {
        state.flash = Some("no row to show".into());
        return;
    };
    effects.push(Effect::ReadAudit {
        target: key.clone(),
    });
    // Quitting sends nothing new, this read included.
    let record = match (state.pane, state.stopping) {
        (Pane::Phones, false) => {
            effects.push(Effect::ReadPhoneRecord { id: key.clone() });
            WholeRecord::Reading
        }
        (Pane::Phones, true) => WholeRecord::Unavailable("not read: phonedeck is stopping".into()),
        _ => WholeRecord::InRow,
    };
    state.mode = Mode::Detail(Detail {
        pane: state.pane,
        key,
        audit: AuditHistory::Reading,
        record,
        scroll: 0,
    });
}

pub(super) fn on_phone_record_read(
    state: &mut AppState,
    id: String,
    result: Result<Vec<(String, String)>, String>,
) {
    if let Mode::Detail(detail) = &mut state.mode {
        if detail.pane == Pane::Phones && detail.key == id {
            detail.record = match result {
                Ok(fields) => WholeRecord::Read(fields),
                Err(problem) => WholeRecord::Unavailable(problem),
            };
        }
    }
}

pub(super) fn on_audit_read(
    state: &mut AppState,
    target: String,
    result: Result<Vec<crate::audit::read::Record>, String>,
) {
    if let Mode::Detail(detail) = &mut state.mode {
        if detail.key == target {
            detail.audit = match result {
                Ok(records) => AuditHistory::Read(records),
                Err(problem) => AuditHistory::Unavailable(problem),
            };
        }
    }
}

pub(super) fn on_detail_key(
    state: &mut AppState,
    mut detail: Detail,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) {
    match state.keymap.action_in(KeyContext::Detail, &key) {
        Some(KeyAction::Close | KeyAction::Details) => {
            state.mode = Mode::Normal;
            return;
        }
        Some(KeyAction::Down) => detail.scroll = detail.scroll.saturating_add(1),
        Some(KeyAction::Up) => detail.scroll = detail.scroll.saturating_sub(1),
        Some(KeyAction::Top) => detail.scroll = 0,
        Some(KeyAction::Copy) if state.settings.clipboard => {
            effects.push(Effect::Clipboard(detail.key.clone()));
            state.flash = Some(format!(
                "copied {} to the clipboard (through the terminal, OSC 52)",
                detail.key
            ));
        }
        Some(KeyAction::Copy) => {
            state.flash = Some(
                "copying is off: set clipboard = true in the config (the terminal must allow OSC 52)"
                    .into(),
            );
        }
        _ => {}
    }
    state.mode = Mode::Detail(detail);
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::super::test_support::{phone_id, press, press_char, rebind, with_phones};
    use super::super::update;
    use crate::app::clock::Clock;
    use crate::app::effect::Effect;
    use crate::app::key_action::KeyAction;
    use crate::app::message::Msg;
    use crate::app::state::{AuditHistory, Mode, WholeRecord};

    fn detail_of(mode: &Mode) -> &crate::app::state::Detail {
        match mode {
            Mode::Detail(detail) => detail,
            other => panic!("expected the detail view, got {other:?}"),
        }
    }

    #[test]
    fn enter_opens_the_cursor_row_and_asks_for_its_audit_and_whole_record() {
        let mut state = with_phones(3);
        let effects = press(&mut state, KeyCode::Enter);
        let id = phone_id(0);
        assert!(effects.contains(&Effect::ReadAudit { target: id.clone() }));
        assert!(effects.contains(&Effect::ReadPhoneRecord { id: id.clone() }));
        let detail = detail_of(&state.mode);
        assert_eq!(detail.key, id);
        assert_eq!(detail.record, WholeRecord::Reading);
    }

    #[test]
    fn a_stopping_dashboard_opens_the_row_without_reading_the_service() {
        let mut state = with_phones(3);
        state.stopping = true;
        let effects = press(&mut state, KeyCode::Enter);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::ReadPhoneRecord { .. }))
        );
        assert!(matches!(
            detail_of(&state.mode).record,
            WholeRecord::Unavailable(_)
        ));
    }

    #[test]
    fn answers_for_another_row_are_ignored_and_its_own_are_kept() {
        let mut state = with_phones(3);
        press(&mut state, KeyCode::Enter);
        let read = |id: String, fields: Vec<(String, String)>| Msg::PhoneRecordRead {
            id,
            result: Ok(fields),
        };
        update(&mut state, read(phone_id(1), vec![]), Clock::system());
        assert_eq!(detail_of(&state.mode).record, WholeRecord::Reading);
        let fields = vec![("instance_id".to_string(), phone_id(0))];
        update(
            &mut state,
            read(phone_id(0), fields.clone()),
            Clock::system(),
        );
        assert_eq!(detail_of(&state.mode).record, WholeRecord::Read(fields));
        let audit = Msg::AuditRead {
            target: phone_id(0),
            result: Err("no audit file".into()),
        };
        update(&mut state, audit, Clock::system());
        assert!(matches!(
            detail_of(&state.mode).audit,
            AuditHistory::Unavailable(_)
        ));
    }

    #[test]
    fn keys_scroll_copy_only_when_allowed_and_close() {
        let mut state = with_phones(3);
        press(&mut state, KeyCode::Enter);
        press_char(&mut state, 'j');
        press_char(&mut state, 'j');
        press_char(&mut state, 'k');
        assert_eq!(detail_of(&state.mode).scroll, 1);
        press_char(&mut state, 'g');
        assert_eq!(detail_of(&state.mode).scroll, 0);
        let effects = press_char(&mut state, 'y');
        assert!(!effects.iter().any(|e| matches!(e, Effect::Clipboard(_))));
        assert!(
            state
                .flash
                .as_deref()
                .unwrap_or("")
                .contains("clipboard = true")
        );
        state.settings.clipboard = true;
        let effects = press_char(&mut state, 'y');
        assert!(effects.contains(&Effect::Clipboard(phone_id(0))));
        press_char(&mut state, 'q');
        assert_eq!(state.mode, Mode::Normal);
    }

    #[test]
    fn a_rebound_close_key_is_the_way_out() {
        let mut state = with_phones(3);
        rebind(&mut state, KeyAction::Close, &["x"]);
        press(&mut state, KeyCode::Enter);
        press_char(&mut state, 'q');
        assert!(
            matches!(state.mode, Mode::Detail(_)),
            "q is no longer Close"
        );
        press_char(&mut state, 'x');
        assert_eq!(state.mode, Mode::Normal);
    }
}
