//! Asked on `q` while actions are still running or restart jobs are followed.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::AppState;
use crate::app::key_action::KeyAction;

use super::{popup, styles::Styles};

pub fn draw(frame: &mut Frame, state: &AppState, styles: &Styles) {
    let mut lines = Vec::new();
    if state.running_actions() > 0 {
        lines.push(Line::from(Span::styled(
            format!(" {} action(s) still running.", state.running_actions()),
            styles.title(),
        )));
        lines.push(Line::from(
            " Quitting sends no new request; those in flight",
        ));
        lines.push(Line::from(" are waited for and their outcomes recorded."));
    }
    let jobs = state.running_jobs().len();
    if jobs > 0 {
        lines.push(Line::from(Span::styled(
            format!(" {jobs} restart job(s) still followed."),
            styles.title(),
        )));
        lines.push(Line::from(" They go on; `phonedeck jobs ID` follows them."));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        " Quit anyway?  {} quit · {} stay",
        state.keymap.label(KeyAction::Confirm),
        state.keymap.short_label(KeyAction::Decline)
    )));
    popup::draw(frame, "Quit?", lines, 52, styles);
}
