//! The footer: the latest notice, or the keys that matter in the current mode and pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{AppState, Mode, Pane};

use super::theme;

fn hints(state: &AppState) -> &'static str {
    match (&state.mode, state.pane) {
        (Mode::Filtering, _) => "type to filter · Enter keep · Esc clear",
        (_, Pane::Phones) => "? help  / filter  Space mark  A mark shown  s stop streaming  q quit",
        (_, Pane::Streams) => "? help  / filter  Space mark  A mark shown  p pause stream  q quit",
        (_, Pane::Encoders) => {
            "? help  / filter  Space mark  A mark shown  r restart encoder  q quit"
        }
        (_, Pane::Servers) => "? help  / filter  Space mark  s stop  S start server  q quit",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState) {
    if let Some(problem) = state.credentials_problem() {
        let banner = format!(
            " CREDENTIALS REJECTED: {} — fix the token source (auth.token_env, token_command or password) and press R; the data shown is the last known.",
            crate::text::sanitize(problem)
        );
        frame.render_widget(
            Paragraph::new(Span::styled(
                banner,
                theme::badge(ratatui::style::Color::Red),
            )),
            area,
        );
        return;
    }
    let line = match &state.flash {
        Some(notice) => Line::from(Span::styled(
            format!(" {}", crate::text::sanitize(notice)),
            theme::title(),
        )),
        None => Line::from(Span::styled(format!(" {}", hints(state)), theme::dim())),
    };
    frame.render_widget(Paragraph::new(line), area);
}
