//! The restart jobs being followed, below the Encoders pane: a spinner while they
//! run, then success or the error code and message.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::AppState;
use crate::app::format::age_since;
use crate::app::jobs::JobState;
use crate::sanitize::sanitize;

use super::styles::Styles;

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// Splits the Encoders pane's area: the table above, the jobs (when there are any)
/// below, at most half the height.
pub fn split(area: Rect, state: &AppState) -> (Rect, Option<Rect>) {
    if state.jobs.is_empty() {
        return (area, None);
    }
    let height = (state.jobs.len() as u16 + 1).min(area.height / 2);
    let [table, jobs] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(area);
    (table, (height > 0).then_some(jobs))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = usize::from(area.height.saturating_sub(1));
    let lines: Vec<Line> = state
        .jobs
        .iter()
        .take(visible)
        .map(|job| {
            let frame_no =
                state.now.saturating_duration_since(job.started).as_secs() as usize % SPINNER.len();
            let (mark, text, style) = match &job.state {
                JobState::Running => (
                    SPINNER[frame_no].to_string(),
                    "running".to_string(),
                    styles.title(),
                ),
                JobState::Succeeded => ("✓".into(), "success".into(), styles.success()),
                JobState::Failed { code, message } => (
                    "✗".into(),
                    format!("failed {} {}", code.as_deref().unwrap_or(""), message),
                    styles.error(),
                ),
                JobState::Unreadable(error) => (
                    "?".into(),
                    format!("status unreadable: {error}"),
                    styles.error(),
                ),
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::raw(format!(
                    "{:<12} ",
                    sanitize(&state.encoder_name(&job.encoder_id))
                )),
                Span::styled(sanitize(&text), style),
                Span::styled(
                    format!(
                        "  job {} · {}",
                        sanitize(&job.job_id),
                        age_since(job.started, state.now)
                    ),
                    styles.dim(),
                ),
            ])
        })
        .collect();
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Restart jobs ", styles.title()));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
