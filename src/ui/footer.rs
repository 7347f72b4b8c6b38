//! The footer: the latest notice, or the keys that matter in the current mode and pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::command_line;
use crate::app::keymap::Action;
use crate::app::{AppState, Mode};

use super::styles::Styles;

/// The keys that matter in this pane, as bound now (rebinding changes the hints).
fn hints(state: &AppState) -> String {
    use Action::*;
    let pane_actions = state.pane.spec().hints;
    if state.mode == Mode::Filtering {
        return "type to filter · Enter keep · Esc clear".into();
    }
    if let Mode::Activity { .. } | Mode::LogLine { .. } = state.mode {
        return "j/k move · Enter the whole line · t retry its action · Esc back".into();
    }
    if let Mode::Detail(_) = state.mode {
        let copy = if state.settings.clipboard {
            "y copy the id"
        } else {
            "y copy the id (needs clipboard = true)"
        };
        return format!("Esc close · j/k scroll · {copy}");
    }
    [(Help, "help"), (Filter, "filter"), (Mark, "mark")]
        .iter()
        .chain(pane_actions)
        .chain(&[(Quit, "quit")])
        .filter_map(|(action, what)| {
            let key = state.keymap.first_key(*action)?;
            Some(format!("{} {what}", key.label()))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    if let Some(problem) = state.credentials_problem() {
        let banner = format!(
            " CREDENTIALS REJECTED: {} — fix the token source (auth.token_env, token_command or password) and press R; the data shown is the last known.",
            crate::sanitize::sanitize(problem)
        );
        frame.render_widget(
            Paragraph::new(Span::styled(banner, styles.alarm_badge())),
            area,
        );
        return;
    }
    if let Mode::Command(input) = &state.mode {
        frame.render_widget(Paragraph::new(command_line(state, input, styles)), area);
        return;
    }
    let line = match &state.flash {
        Some(notice) => Line::from(Span::styled(
            format!(" {}", crate::sanitize::sanitize(notice)),
            styles.title(),
        )),
        None => Line::from(Span::styled(format!(" {}", hints(state)), styles.dim())),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// ":profile pro▏   prod-eu prod-us" — what is typed, then what Tab can complete to.
fn command_line(state: &AppState, input: &str, styles: &Styles) -> Line<'static> {
    let candidates = command_line::candidates(input, &state.settings.profiles);
    let mut spans = vec![
        Span::styled(
            format!(":{}▏", crate::sanitize::sanitize(input)),
            styles.title(),
        ),
        Span::raw("   "),
    ];
    let shown: Vec<String> = candidates
        .iter()
        .take(8)
        .map(|c| crate::sanitize::sanitize(c))
        .collect();
    spans.push(Span::styled(shown.join("  "), styles.dim()));
    Line::from(spans)
}
