//! The header: profile, SIMULATOR / READ-ONLY / FROZEN badges, phone counts by status,
//! freshness (and the oldest row's age when a budget splits polls), slow requests, a
//! STALE mark, and the Offline trend of the last hour. One line on
//! small terminals, three on large ones (with the pane tabs).

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use crate::api::koophone::PhoneStatus;
use crate::app::{AppState, Pane, poll_plan};

use super::styles::Styles;
use crate::app::format::{age, age_since};

fn badges(state: &AppState, styles: &Styles) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if state.settings.simulator {
        spans.push(Span::styled(" SIMULATOR ", styles.simulator_badge()));
        spans.push(Span::raw(" "));
    }
    if state.settings.read_only {
        spans.push(Span::styled(" READ-ONLY ", styles.read_only_badge()));
        spans.push(Span::raw(" "));
    }
    if state.frozen {
        spans.push(Span::styled(" FROZEN ", styles.frozen_badge()));
        spans.push(Span::raw(" "));
    }
    spans
}

/// "live, every 5s" while polls keep up; "refreshed 40s ago" (ticking) once they are
/// late or failing, with STALE; "loading…" at first; and slow requests in flight.
/// A healthy screen stays still: nothing here changes from one poll to the next.
fn freshness(state: &AppState, compact: bool, styles: &Styles) -> Vec<Span<'static>> {
    let feed = &state.panes.phones.feed;
    let mut spans = Vec::new();
    let stale = state.feeds().any(|f| f.is_stale());
    let interval = state.settings.poll_interval;
    let late = |at: Instant| state.now.saturating_duration_since(at) > interval * 2;
    match feed.last_ok {
        None => spans.push(Span::raw("loading…")),
        Some(at) if !stale && !late(at) => spans.push(Span::raw(if compact {
            "live".to_string()
        } else {
            format!("live, every {}", age(interval))
        })),
        Some(at) if compact => spans.push(Span::raw(format!("{} ago", age_since(at, state.now)))),
        Some(at) => spans.push(Span::raw(format!(
            "refreshed {} ago",
            age_since(at, state.now)
        ))),
    }
    // Under a request budget each poll covers part of the fleet: say how old the
    // least recently refreshed row is.
    if let (true, Some(oldest)) = (poll_plan::polls_partially(state), state.oldest_refresh) {
        let age = age_since(oldest, state.now);
        spans.push(Span::raw(if compact {
            format!(" (oldest {age})")
        } else {
            format!(", oldest row {age}")
        }));
    }
    if stale {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" STALE ", styles.stale_badge()));
    }
    if state.throttled() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" THROTTLED ", styles.throttled_badge()));
    }
    let in_flight = state.in_flight();
    if in_flight > 0 {
        spans.push(Span::raw(if compact {
            format!(" ⇅{in_flight}")
        } else {
            format!(" {in_flight} in flight")
        }));
    }
    spans
}

/// Short status names for the one-line header, still distinct from each other.
fn short_name(status: PhoneStatus) -> &'static str {
    match status {
        PhoneStatus::RUNNING => "Run",
        PhoneStatus::OFFLINE => "Off",
        PhoneStatus::STOPPED => "Stop",
        PhoneStatus::STARTING => "Start",
        PhoneStatus::SHUT_DOWN => "Down",
        _ => "Unk",
    }
}

fn counts(state: &AppState, compact: bool, styles: &Styles) -> Vec<Span<'static>> {
    let gap = if compact { " " } else { "  " };
    let mut spans = Vec::new();
    for (status, count) in state.counts.in_header_order() {
        let label = if compact {
            short_name(status).to_string()
        } else {
            status.name()
        };
        spans.push(Span::styled(
            format!("{label} {count}"),
            styles.phone_status(Some(status)),
        ));
        spans.push(Span::raw(gap));
    }
    spans.pop();
    spans
}

fn tabs(state: &AppState, styles: &Styles) -> Vec<Span<'static>> {
    let mut spans = vec![Span::raw(" ")];
    for &pane in Pane::ALL {
        let text = crate::app::layout::tab_label(pane);
        let style = if pane == state.pane {
            styles.cursor()
        } else {
            styles.dim()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    spans
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, compact: bool, styles: &Styles) {
    let profile = Span::styled(
        format!(" {} ", crate::sanitize::sanitize(&state.settings.profile)),
        styles.title(),
    );
    let separator = || Span::styled(" │ ", styles.dim());
    let lines = if compact {
        // Freshness first: on a narrow terminal the counts are what gets cut, never STALE.
        let mut line = vec![profile];
        line.extend(badges(state, styles));
        line.push(separator());
        line.extend(freshness(state, true, styles));
        line.push(separator());
        line.extend(counts(state, true, styles));
        vec![Line::from(line)]
    } else {
        let mut first = vec![
            Span::styled(" phonedeck ", styles.title()),
            separator(),
            profile,
            Span::raw(" "),
        ];
        first.extend(badges(state, styles));
        first.push(separator());
        first.extend(freshness(state, false, styles));
        let mut second = vec![Span::raw(" ")];
        second.extend(counts(state, false, styles));
        vec![
            Line::from(first),
            Line::from(second),
            Line::from(tabs(state, styles)),
        ]
    };
    frame.render_widget(Paragraph::new(lines), area);
    if !compact {
        offline_trend(frame, area, state, styles);
    }
}

/// Columns the tabs take on the third line; the trend goes to their right.
const TABS_WIDTH: u16 = 50;

/// "Offline 60m ≤27 ▁▁▂▃▅▇": one bar a minute, the latest at the right, beside the
/// pane tabs when there is room, so an engineer sees when Offline started climbing.
fn offline_trend(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let room = area.width.saturating_sub(TABS_WIDTH + 1);
    if area.height < 3 || state.history.is_empty() {
        return;
    }
    let series = state
        .history
        .series(|counts| counts.count(PhoneStatus::OFFLINE));
    let max = series.iter().copied().max().unwrap_or(0);
    // Sized for the whole hour; fewer minutes only make the label shorter.
    let label_width = format!("Offline {}m ≤{max} ", series.len()).chars().count() as u16;
    let bars = usize::from(room.saturating_sub(label_width)).min(series.len());
    if bars < 10.min(series.len()) || bars == 0 {
        return;
    }
    let recent = &series[series.len() - bars..];
    let max = recent.iter().copied().max().unwrap_or(0);
    let label = format!("Offline {}m ≤{max} ", recent.len());
    let label_width = label.chars().count() as u16;
    let x = area.x + area.width - label_width - bars as u16;
    let y = area.y + 2;
    frame.render_widget(
        Span::styled(label, styles.dim()),
        Rect::new(x, y, label_width, 1),
    );
    frame.render_widget(
        Sparkline::default()
            .data(recent)
            .max(max.max(1))
            .style(styles.phone_status(Some(PhoneStatus::OFFLINE))),
        Rect::new(x + label_width, y, bars as u16, 1),
    );
}
