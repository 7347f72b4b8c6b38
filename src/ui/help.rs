//! The `?` overlay: every action, the keys in force for it, and what it does.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::AppState;

use super::{popup, styles::Styles};

const KEYS_WIDTH: usize = 11;
const ENTRY_WIDTH: usize = 36;

pub fn draw(frame: &mut Frame, state: &AppState, styles: &Styles) {
    let entries: Vec<(String, String)> = state
        .keymap
        .by_action()
        .into_iter()
        .map(|(action, keys)| {
            let keys: Vec<String> = keys.iter().map(|k| k.label()).collect();
            let keys = if keys.is_empty() {
                "(none)".to_string()
            } else {
                keys.join(" ")
            };
            (keys, action.describe())
        })
        .collect();
    let columns = if frame.area().width >= 2 * ENTRY_WIDTH as u16 + 4 {
        2
    } else {
        1
    };
    let rows = entries.len().div_ceil(columns);
    let mut lines: Vec<Line> = (0..rows)
        .map(|row| {
            let mut spans = Vec::new();
            for column in 0..columns {
                if let Some((keys, what)) = entries.get(column * rows + row) {
                    spans.push(Span::styled(
                        format!(" {keys:<KEYS_WIDTH$}"),
                        styles.title(),
                    ));
                    spans.push(Span::raw(format!(
                        "{what:<width$}",
                        width = ENTRY_WIDTH - KEYS_WIDTH - 1
                    )));
                }
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Actions act on the marked rows, or on the cursor row when none is marked.",
        styles.dim(),
    )));
    lines.push(Line::from(Span::styled(
        format!(
            " In a row's details, y copies its id (OSC 52): {}.",
            if state.settings.clipboard {
                "on"
            } else {
                "off, set clipboard = true"
            }
        ),
        styles.dim(),
    )));
    popup::draw(
        frame,
        "Keys · Esc, q or ? closes",
        lines,
        (columns * ENTRY_WIDTH + 4) as u16,
        styles,
    );
}
