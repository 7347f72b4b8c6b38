//! The header: profile, SIMULATOR / READ-ONLY / FROZEN badges, phone counts by status,
//! freshness (and the oldest row's age when a budget splits polls), slow requests, a
//! STALE mark, and the Offline trend of the last hour. One line on
//! small terminals, three on large ones (with the pane tabs).

use crate::api::tolerant::MISSING;
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use crate::api::koophone::PhoneStatus;
use crate::app::{AppState, Pane};

use super::fit::{Item, fit};
use super::styles::Styles;
use crate::app::format::{age, age_since};

/// What to keep when the header is too narrow, most important first (`fit` drops the
/// highest rank first): the profile (which cloud this is, always) and the Offline
/// count, then the badges that change what the data means, then the other
/// non-Running counts, freshness, the rest.
mod rank {
    pub const PROFILE: u8 = 0;
    pub const OFFLINE: u8 = 0;
    pub const WARNING: u8 = 1;
    pub const OTHER_COUNTS: u8 = 2;
    pub const FRESHNESS: u8 = 3;
    pub const RUNNING: u8 = 4;
    pub const DETAIL: u8 = 5;
}

fn badge(rank: u8, text: &str, style: ratatui::style::Style) -> Item {
    Item::new(
        rank,
        vec![Span::raw(" "), Span::styled(format!(" {text} "), style)],
    )
}

fn badges(state: &AppState, styles: &Styles) -> Vec<Item> {
    let mut items = Vec::new();
    if state.settings.simulator {
        items.push(badge(rank::DETAIL, "SIMULATOR", styles.simulator_badge()));
    }
    if state.settings.read_only {
        items.push(badge(rank::WARNING, "READ-ONLY", styles.read_only_badge()));
    }
    if state.frozen {
        items.push(badge(rank::WARNING, "FROZEN", styles.frozen_badge()));
    }
    items
}

/// "live, every 5s" while polls keep up; "refreshed 40s ago" (ticking) once they are
/// late or failing, with STALE; "loading…" at first; and slow requests in flight.
/// A healthy screen stays still: nothing here changes from one poll to the next.
fn freshness(state: &AppState, compact: bool, styles: &Styles) -> Vec<Item> {
    let feed = &state.panes.phones.table.feed;
    // The pane in view (and, beside Encoders, its jobs): another pane's failures are
    // marked on its tab.
    let shown = state.pane(state.pane).feed();
    let jobs = (state.pane == Pane::Encoders).then_some(&state.jobs_feed);
    let stale = shown.is_stale() || jobs.is_some_and(|f| f.is_stale());
    let interval = state.settings.poll_interval;
    let late = |at: Instant| state.now.saturating_duration_since(at) > interval * 2;
    let text = match feed.last_ok {
        None => "loading…".to_string(),
        Some(at) if !stale && !late(at) => {
            if compact {
                "live".to_string()
            } else {
                format!("live, every {}", age(interval))
            }
        }
        Some(at) if compact => format!("{} ago", age_since(at, state.now)),
        Some(at) => format!("refreshed {} ago", age_since(at, state.now)),
    };
    let separator = Span::styled(" │ ", styles.dim());
    let mut items = vec![Item::new(rank::FRESHNESS, vec![separator, Span::raw(text)])];
    // Under a request budget each poll covers part of the fleet: say how old the
    // least recently refreshed row is.
    let phones = &state.panes.phones;
    if let (true, Some(oldest)) = (
        phones.polls_partially(&state.settings),
        phones.oldest_refresh,
    ) {
        let age = age_since(oldest, state.now);
        items.push(Item::new(
            rank::DETAIL,
            vec![Span::raw(if compact {
                format!(" (oldest {age})")
            } else {
                format!(", oldest row {age}")
            })],
        ));
    }
    if stale {
        items.push(badge(rank::WARNING, "STALE", styles.stale_badge()));
    } else if let Some(part) = &shown.partial {
        items.push(badge(rank::WARNING, "PARTLY STALE", styles.stale_badge()));
        items.push(Item::new(
            rank::DETAIL,
            vec![Span::raw(format!(" {}", crate::sanitize::sanitize(part)))],
        ));
    }
    if state.throttled() {
        items.push(badge(rank::WARNING, "THROTTLED", styles.throttled_badge()));
    }
    // The client sends nothing more with a refused credential until R: say so here,
    // where the engineer looks for whether the data is live.
    if state.credentials_problem().is_some() {
        items.push(badge(
            rank::WARNING,
            "PAUSED: CREDENTIALS REFUSED",
            styles.alarm_badge(),
        ));
    }
    let in_flight = state.in_flight();
    if in_flight > 0 {
        items.push(Item::new(
            rank::DETAIL,
            vec![Span::raw(if compact {
                format!(" ⇅{in_flight}")
            } else {
                format!(" {in_flight} in flight")
            })],
        ));
    }
    items
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

/// The phone counts by status; `–` until the first answer (a zero would read as "all
/// clear" while nothing is known yet).
fn counts(state: &AppState, compact: bool, styles: &Styles) -> Vec<Item> {
    let gap = if compact { " " } else { "  " };
    let known = state.panes.phones.table.feed.last_ok.is_some();
    let mut items = Vec::new();
    for (status, count) in state.panes.phones.counts.in_header_order() {
        let label = if compact {
            short_name(status).to_string()
        } else {
            status.name()
        };
        let count = if known {
            count.to_string()
        } else {
            MISSING.to_string()
        };
        let rank = match status {
            PhoneStatus::OFFLINE => rank::OFFLINE,
            PhoneStatus::RUNNING => rank::RUNNING,
            _ => rank::OTHER_COUNTS,
        };
        let lead = if items.is_empty() { "" } else { gap };
        items.push(Item::new(
            rank,
            vec![
                Span::raw(lead),
                Span::styled(
                    format!("{label} {count}"),
                    styles.phone_status(Some(status)),
                ),
            ],
        ));
    }
    items
}

fn tabs(state: &AppState, styles: &Styles) -> Vec<Span<'static>> {
    let mut spans = vec![Span::raw(" ")];
    for &pane in Pane::ALL {
        let text = crate::app::layout::tab_label(pane);
        // A pane out of view whose data is stale says so on its tab (its colour: the
        // tabs keep their width, which clicks are measured by).
        let style = if pane == state.pane {
            styles.cursor()
        } else if state.pane(pane).feed().is_stale() {
            styles.error()
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
    let width = area.width;
    let lines = if compact {
        // One line: when it is too narrow, whole items go, least important first.
        let mut items = vec![Item::new(rank::PROFILE, vec![profile])];
        items.extend(badges(state, styles));
        items.extend(freshness(state, true, styles));
        let mut counted = counts(state, true, styles);
        if let Some(first) = counted.first_mut() {
            first.spans.insert(0, Span::styled(" │ ", styles.dim()));
        }
        items.extend(counted);
        vec![Line::from(fit(items, width))]
    } else {
        let mut first = vec![
            Item::new(
                rank::DETAIL,
                vec![Span::styled(" phonedeck ", styles.title())],
            ),
            Item::new(
                rank::PROFILE,
                vec![Span::styled(" │ ", styles.dim()), profile],
            ),
        ];
        first.extend(badges(state, styles));
        first.extend(freshness(state, false, styles));
        let mut second = counts(state, false, styles);
        if let Some(lead) = second.first_mut() {
            lead.spans.insert(0, Span::raw(" "));
        }
        vec![
            Line::from(fit(first, width)),
            Line::from(fit(second, width)),
            Line::from(tabs(state, styles)),
        ]
    };
    frame.render_widget(Paragraph::new(lines), area);
    if !compact {
        offline_trend(frame, area, state, styles);
    }
}

fn trend_label(minutes: usize, max: u64) -> String {
    let span = if minutes >= 60 {
        "hour".to_string()
    } else {
        format!("{minutes}m")
    };
    format!("Offline, max per minute, last {span}: {max} ")
}

/// Columns the tabs take on the third line; the trend goes to their right.
const TABS_WIDTH: u16 = 50;

/// "Offline, max per minute, last hour: 47 ▁▁▂▃▅▇": one bar a minute (its highest
/// count), the latest at the right, beside the pane tabs when there is room, so an
/// engineer sees when Offline started climbing and how high it went.
fn offline_trend(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let room = area.width.saturating_sub(TABS_WIDTH + 1);
    if area.height < 3 || state.panes.phones.history.is_empty() {
        return;
    }
    let series = (state.panes.phones.history).series(|counts| counts.count(PhoneStatus::OFFLINE));
    let max = series.iter().copied().max().unwrap_or(0);
    // Sized for the whole hour; fewer minutes only make the label shorter.
    let label_width = trend_label(series.len(), max).chars().count() as u16;
    let bars = usize::from(room.saturating_sub(label_width)).min(series.len());
    if bars < 10.min(series.len()) || bars == 0 {
        return;
    }
    let recent = &series[series.len() - bars..];
    let max = recent.iter().copied().max().unwrap_or(0);
    let label = trend_label(recent.len(), max);
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
