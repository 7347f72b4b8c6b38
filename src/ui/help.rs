//! The `?` overlay: every key in force and what it does.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::AppState;

use super::{popup, theme};

pub fn draw(frame: &mut Frame, state: &AppState) {
    let mut lines: Vec<Line> = state
        .keymap
        .bindings()
        .iter()
        .map(|(binding, action)| {
            Line::from(vec![
                Span::styled(format!(" {:<10}", binding.label()), theme::title()),
                Span::raw(action.describe()),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Actions act on marked rows, or on the cursor row when none is marked.",
        theme::dim(),
    )));
    lines.push(Line::from(Span::styled(
        " Esc, q or ? closes this help.",
        theme::dim(),
    )));
    popup::draw(frame, "Keys", lines, 74);
}
