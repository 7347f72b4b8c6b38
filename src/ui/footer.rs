//! The footer: the latest notice, or the keys that matter in the current mode and pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::command_line;
use crate::app::key_action::KeyAction;
use crate::app::{AppState, Mode};

use super::fit::{Item, fit};
use super::styles::Styles;

/// The keys that matter in this mode and pane, as bound now (rebinding changes the
/// hints), each ranked: on a narrow terminal whole hints go, help and quit last.
fn hints(state: &AppState) -> Vec<(u8, String)> {
    use KeyAction::*;
    let fixed = |hints: Vec<String>| {
        hints
            .into_iter()
            .enumerate()
            .map(|(rank, hint)| (rank as u8, hint))
            .collect()
    };
    let key = |action| state.keymap.label(action);
    let moves = format!("{}/{}", key(Down), key(Up));
    match state.mode {
        Mode::Filtering => {
            let line = ["type to filter", "Enter keep", "Esc clear", "↑ previous"];
            return fixed(line.map(String::from).to_vec());
        }
        Mode::Activity { .. } | Mode::LogLine { .. } => {
            return fixed(vec![
                format!("{} back", key(Close)),
                format!("{} whole line (an action: its targets)", key(Details)),
                format!("{} retry its action", key(Retry)),
                format!("{moves} move"),
            ]);
        }
        Mode::RunTargets { .. } => {
            return fixed(vec![
                format!("{} back", key(Close)),
                format!("{} mark these in the pane", key(MarkGroup)),
                format!("{moves} move"),
            ]);
        }
        Mode::Detail(_) => {
            let needs = if state.settings.clipboard {
                ""
            } else {
                " (needs clipboard = true)"
            };
            return fixed(vec![
                format!("{} close", key(Close)),
                format!("{} copy the id{needs}", key(Copy)),
                format!("{moves} scroll"),
            ]);
        }
        _ => {}
    }
    // Read-only: the action keys refuse, so they are not offered.
    let spec = state.pane.spec();
    let offered = |(action, _): &&(KeyAction, &str)| {
        !(state.settings.read_only && spec.actions.iter().any(|(key, _)| key == action))
    };
    let pane_actions = spec.hints.iter().filter(offered).map(|hint| (2, hint));
    [
        (0, &(Help, "help")),
        (3, &(Filter, "filter")),
        (4, &(Mark, "mark")),
    ]
    .into_iter()
    .chain(pane_actions)
    .chain([(1, &(Quit, "quit"))])
    .filter_map(|(rank, (action, what))| {
        let key = state.keymap.first_key(*action)?;
        Some((rank, format!("{} {what}", key.label())))
    })
    .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    if let Some(problem) = state.credentials_problem() {
        let banner = format!(
            " CREDENTIALS REJECTED: {} — nothing more is sent with it: fix the credential (auth.token_env, token_command, password or the access key) and press R to try it once more; the data shown is the last known.",
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
        None => {
            let items = hints(state)
                .into_iter()
                .map(|(rank, hint)| {
                    Item::new(rank, vec![Span::styled(format!(" {hint} "), styles.dim())])
                })
                .collect();
            Line::from(fit(items, area.width))
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// ":profile pro▏   prod-eu prod-us" — what is typed, then what Tab can complete to.
fn command_line(state: &AppState, input: &str, styles: &Styles) -> Line<'static> {
    let actions = state.activity.action_ids();
    let known = command_line::Known {
        profiles: &state.settings.profiles,
        actions: &actions,
    };
    let candidates = command_line::candidates(input, known);
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
