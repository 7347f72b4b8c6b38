//! The confirmation dialog every action goes through: the action, the number of
//! targets, the first few, the marked ones the filter hides; Cancel has the focus.
//! From 10 targets up, the count must be typed.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::key_action::KeyAction;
use crate::app::state::{ConfirmDialog, Focus};
use crate::app::{AppState, Pane};
use crate::sanitize::sanitize;

use super::{popup, styles::Styles};

const SHOWN_TARGETS: usize = 5;

/// "encode-02       e8c71343-…": the name people think in, beside the id.
fn target_line(state: &AppState, dialog: &ConfirmDialog, target: &str) -> String {
    let name = Pane::changed_by(dialog.kind).and_then(|pane| state.pane(pane).name_of(target));
    match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("   {:<16} {}", sanitize(&name), sanitize(target)),
        None => format!("   {}", sanitize(target)),
    }
}

pub fn draw(frame: &mut Frame, state: &AppState, dialog: &ConfirmDialog, styles: &Styles) {
    let count = dialog.targets.len();
    let label = dialog.kind.label();
    let heading = match &dialog.retry_of {
        Some(retry) => format!(
            " {label}, retry of action {}: {count} of {} targets:",
            sanitize(&retry.action_id),
            retry.total
        ),
        None => format!(" {label} on {count} target(s):"),
    };
    let mut lines = vec![Line::from(Span::styled(heading, styles.title()))];
    for target in dialog.targets.iter().take(SHOWN_TARGETS) {
        lines.push(Line::from(target_line(state, dialog, target)));
    }
    if count > SHOWN_TARGETS {
        lines.push(Line::from(format!(
            "   … and {} more",
            count - SHOWN_TARGETS
        )));
    }
    if dialog.hidden > 0 {
        let verb = if dialog.hidden == 1 { "is" } else { "are" };
        lines.push(Line::from(Span::styled(
            format!(
                " {} of them {verb} marked but hidden by the filter",
                dialog.hidden
            ),
            styles.warning(),
        )));
    }
    if let Some(warning) = &dialog.warning {
        lines.push(Line::from(Span::styled(
            format!(" {}", sanitize(warning)),
            styles.warning(),
        )));
    }
    lines.push(Line::from(""));
    let mut actions = Vec::new();
    if dialog.needs_typed_count() {
        actions.push(Line::from(vec![
            Span::raw(format!(" Type {count} and press Enter to confirm: ")),
            Span::styled(format!("{}▏", dialog.typed), styles.title()),
        ]));
        actions.push(Line::from(Span::styled(
            format!(" {} cancels", state.keymap.label(KeyAction::Decline)),
            styles.dim(),
        )));
    } else {
        let button = |text: String, focused: bool| {
            Span::styled(
                text,
                if focused {
                    styles.cursor()
                } else {
                    Style::new()
                },
            )
        };
        actions.push(Line::from(vec![
            Span::raw(" "),
            button(
                format!(
                    " Cancel ({}) ",
                    state.keymap.short_label(KeyAction::Decline)
                ),
                dialog.focus == Focus::Cancel,
            ),
            Span::raw("   "),
            button(
                format!(" {label} ({}) ", state.keymap.label(KeyAction::Confirm)),
                dialog.focus == Focus::Confirm,
            ),
        ]));
    }
    let title = format!("Confirm: {label}");
    popup::draw_dialog(frame, &title, lines, actions, 64, styles);
}
