//! The activity log at the bottom: actions with progress, each failed or unknown
//! target with its code, message and request id, and refresh errors.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::AppState;
use crate::app::activity::Entry;
use crate::text::sanitize;

use super::format::clock_time;
use super::theme;

fn entry_line(entry: &Entry) -> Line<'static> {
    match entry {
        Entry::Action(p) => {
            let mut text = format!(
                "{} on {} target(s): {}/{} done",
                p.kind.label(),
                p.total,
                p.done(),
                p.total
            );
            if p.failed > 0 {
                text.push_str(&format!(", {} failed", p.failed));
            }
            if p.unknown > 0 {
                text.push_str(&format!(", {} unknown", p.unknown));
            }
            text.push_str(if p.finished { " — finished" } else { " …" });
            Line::from(Span::styled(text, theme::title()))
        }
        Entry::TargetProblem { action, outcome } => {
            // The request id first: it is what support asks for, and long messages get cut.
            let request = outcome
                .request_id
                .as_deref()
                .map(|id| format!(" [request id {id}]"))
                .unwrap_or_default();
            let text = format!(
                "  {} {} {}{request}: {} {}",
                action.label(),
                outcome.target,
                outcome.outcome,
                outcome.error_code.as_deref().unwrap_or(""),
                outcome.error_msg.as_deref().unwrap_or(""),
            );
            Line::from(Span::styled(sanitize(&text), theme::error()))
        }
        Entry::RefreshError { what, message } => Line::from(Span::styled(
            format!(
                "refresh of {what} failed, last data kept: {}",
                sanitize(message)
            ),
            theme::error(),
        )),
        Entry::Note(note) => Line::from(sanitize(note)),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState) {
    let visible = usize::from(area.height.saturating_sub(1));
    let entries = &state.activity.entries;
    let lines: Vec<Line> = entries[entries.len().saturating_sub(visible)..]
        .iter()
        .map(|(at, entry)| {
            let mut line = entry_line(entry);
            line.spans.insert(
                0,
                Span::styled(
                    format!("{} ", clock_time(*at, state.now, state.wall)),
                    theme::dim(),
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
        Span::styled(" Activity ", theme::title()),
        Span::styled(format!("({hint}) "), theme::dim()),
    ]);
    let block = Block::new().borders(Borders::TOP).title(title);
    let body = if lines.is_empty() {
        Paragraph::new(Span::styled("no actions yet", theme::dim()))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(body.block(block), area);
}
