//! The activity log at the bottom: actions with progress, each failed or unknown
//! target with its code, message and request id, and refresh errors.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::AppState;
use crate::app::activity::Entry;
use crate::sanitize::sanitize;

use super::styles::Styles;
use crate::app::format::clock_time;

fn entry_line(entry: &Entry, styles: &Styles) -> Line<'static> {
    let style = match entry {
        Entry::Action(_) => styles.title(),
        Entry::TargetProblem { .. } | Entry::RefreshError { .. } => styles.error(),
        Entry::Note(_) => Style::new(),
    };
    Line::from(Span::styled(sanitize(&entry.text()), style))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = usize::from(area.height.saturating_sub(1));
    let entries = &state.activity.entries;
    let lines: Vec<Line> = entries[entries.len().saturating_sub(visible)..]
        .iter()
        .map(|(at, entry)| {
            let mut line = entry_line(entry, styles);
            line.spans.insert(
                0,
                Span::styled(
                    format!("{} ", clock_time(*at, state.now, state.wall)),
                    styles.dim(),
                ),
            );
            line
        })
        .collect();
    let hint = if state.log_expanded {
        "l: smaller"
    } else {
        "l: larger"
    };
    let title = Line::from(vec![
        Span::styled(" Activity ", styles.title()),
        Span::styled(format!("({hint}) "), styles.dim()),
    ]);
    let block = Block::new().borders(Borders::TOP).title(title);
    let body = if lines.is_empty() {
        Paragraph::new(Span::styled("no actions yet", styles.dim()))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(body.block(block), area);
}
