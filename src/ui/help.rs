//! The `?` overlay: every action, the keys in force for it, and what it does.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::AppState;
use crate::app::key_action::KeyAction;

use super::{popup, styles::Styles};

const KEYS_WIDTH: usize = 11;
const ENTRY_WIDTH: usize = 36;

pub fn draw(frame: &mut Frame, state: &AppState, scroll: u16, styles: &Styles) {
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
    // No blank line: on an 80x24 terminal every key and this note just fit. Copying
    // says itself whether it is on (the clipboard setting) when pressed.
    lines.push(Line::from(Span::styled(
        " Actions act on the marked rows, or on the cursor row when none is marked.",
        styles.dim(),
    )));
    let width = (columns * ENTRY_WIDTH + 4) as u16;
    let mut closing = state.keymap.labels(KeyAction::Close);
    closing.extend(state.keymap.labels(KeyAction::Help));
    let closes = match closing.split_last() {
        Some((last, [])) => format!("{last} closes"),
        Some((last, rest)) => format!("{} or {last} closes", rest.join(", ")),
        None => String::new(),
    };
    // Taller than the screen: say how to see the rest.
    let inner = width.min(frame.area().width).saturating_sub(2);
    let overflows = popup::wrapped_rows(&lines, inner) + 2 > frame.area().height;
    let scrolls = overflows.then(|| {
        let key = |action| state.keymap.label(action);
        format!("{}/{} scroll", key(KeyAction::Down), key(KeyAction::Up))
    });
    let title = ["Keys".to_string()]
        .into_iter()
        .chain(scrolls)
        .chain((!closes.is_empty()).then_some(closes))
        .collect::<Vec<_>>()
        .join(" · ");
    popup::draw_scrolled(frame, &title, lines, width, scroll, styles);
}
