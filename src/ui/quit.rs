//! Asked on `q` while actions are still running or restart jobs are followed.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::AppState;
use crate::app::key_action::KeyAction;
use crate::sanitize::sanitize;

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
        lines.push(Line::from(" They go on; to see them later:"));
        lines.push(Line::from(format!(" {}", jobs_command(state))));
    }
    lines.push(Line::from(""));
    let actions = vec![Line::from(format!(
        " Quit anyway?  {} quit · {} stay",
        state.keymap.label(KeyAction::Confirm),
        state.keymap.short_label(KeyAction::Decline)
    ))];
    popup::draw_dialog(frame, "Quit?", lines, actions, 52, styles);
}

/// The command that shows the followed jobs: their ids, the first few of them.
fn jobs_command(state: &AppState) -> String {
    const SHOWN: usize = 3;
    let running = state.running_jobs();
    let ids: Vec<String> = (running.iter().take(SHOWN))
        .map(|job| sanitize(&job.job_id))
        .collect();
    let more = match running.len().saturating_sub(SHOWN) {
        0 => String::new(),
        hidden => format!(" (+{hidden} more)"),
    };
    format!("phonedeck jobs {}{more}", ids.join(" "))
}
