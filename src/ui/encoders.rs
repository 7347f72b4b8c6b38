//! Pane 3: encode servers, and below them the restart jobs (a spinner while they
//! run, then success or the error code and message).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph};

use crate::api::cph::EncoderStatus;
use crate::api::tolerant::label;
use crate::app::AppState;
use crate::app::rows::{ENCODER_COLUMNS, JobRow, JobState};
use crate::sanitize::sanitize;

use super::format::age_since;
use super::styles::Styles;
use super::table::{self, Column, PaneTable};

const COLUMNS: [Column; 4] = [
    Column {
        title: ENCODER_COLUMNS[0],
        width: 32,
        priority: 1,
    },
    Column {
        title: ENCODER_COLUMNS[1],
        width: 12,
        priority: 0,
    },
    Column {
        title: ENCODER_COLUMNS[2],
        width: 10,
        priority: 0,
    },
    Column {
        title: ENCODER_COLUMNS[3],
        width: 15,
        priority: 2,
    },
];

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, name: String, styles: &Styles) {
    let jobs_height = if state.jobs.is_empty() {
        0
    } else {
        (state.jobs.len() as u16 + 1).min(area.height / 2)
    };
    let [servers_area, jobs_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(jobs_height)]).areas(area);
    let pane = PaneTable {
        name,
        columns: &COLUMNS,
        view: &state.encoders_view,
        rows: &state.encoders,
    };
    table::draw(
        frame,
        servers_area,
        state,
        pane,
        |row| {
            let e = &row.0;
            vec![
                Cell::from(sanitize(&e.encode_server_id)),
                Cell::from(sanitize(&e.encode_server_name)),
                Cell::from(Span::styled(
                    label(e.status, EncoderStatus::name),
                    styles.encoder_status(e.status),
                )),
                Cell::from(sanitize(e.encode_server_ip.as_deref().unwrap_or("-"))),
            ]
        },
        styles,
    );
    if jobs_height > 0 {
        draw_jobs(frame, jobs_area, state, styles);
    }
}

fn encoder_name(state: &AppState, job: &JobRow) -> String {
    state
        .encoders
        .iter()
        .find(|e| e.0.encode_server_id == job.encoder_id)
        .map(|e| e.0.encode_server_name.clone())
        .unwrap_or_else(|| job.encoder_id.clone())
}

fn draw_jobs(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = usize::from(area.height.saturating_sub(1));
    let lines: Vec<Line> = state
        .jobs
        .iter()
        .rev()
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
                Span::raw(format!("{:<12} ", sanitize(&encoder_name(state, job)))),
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
