//! One row, whole (Enter): every field the provider returned under its own name, the
//! status changes phonedeck saw since it started, the target's audit lines across
//! runs, and its last error with code and request id. Drawn over the whole screen but
//! the footer; long lines wrap; j/k scroll.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::api::Outcome;
use crate::app::AppState;
use crate::app::activity::Entry;
use crate::app::clock::Clock;
use crate::app::key_action::KeyAction;
use crate::app::state::{AuditHistory, Detail, WholeRecord};
use crate::audit::event::Event;
use crate::audit::read::Record;
use crate::sanitize::{mask_url_secrets, sanitize};

use super::styles::Styles;

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, detail: &Detail, styles: &Styles) {
    let mut lines = Vec::new();
    let heading = |text: &str| Line::from(Span::styled(text.to_string(), styles.title()));
    lines.push(heading("Fields"));
    fields(&mut lines, state, detail, styles);
    lines.push(Line::from(""));
    lines.push(heading("Status changes seen since phonedeck started"));
    let changes = state.changes.of(&detail.key);
    if changes.is_empty() {
        lines.push(Line::from("  none"));
    }
    for change in changes {
        lines.push(Line::from(format!(
            "  {}  {} → {}",
            at(&change.at),
            sanitize(&change.from),
            sanitize(&change.to)
        )));
    }
    lines.push(Line::from(""));
    lines.push(heading("Audit log (every run)"));
    match &detail.audit {
        AuditHistory::Reading => lines.push(Line::from("  reading…")),
        AuditHistory::Unavailable(why) => {
            lines.push(Line::from(Span::styled(
                format!("  {}", sanitize(why)),
                styles.error(),
            )));
        }
        AuditHistory::Read(records) if records.is_empty() => {
            lines.push(Line::from("  no action has touched it"));
        }
        AuditHistory::Read(records) => lines.extend(records.iter().map(audit_line)),
    }
    lines.push(Line::from(""));
    lines.push(heading("Last error"));
    lines.push(Line::from(Span::styled(
        format!("  {}", sanitize(&last_error(state, &detail.key))),
        styles.error(),
    )));
    let keys = &state.keymap;
    let title = format!(
        " {} {} · {} closes · {}/{} scroll · {} copies the id ",
        detail.pane.title(),
        sanitize(&detail.key),
        keys.label(KeyAction::Close),
        keys.label(KeyAction::Down),
        keys.label(KeyAction::Up),
        keys.label(KeyAction::Copy)
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, styles.title()));
    frame.render_widget(Clear, area);
    let lines = super::wrap::hanging(lines, block.inner(area).width);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((detail.scroll, 0)),
        area,
    );
}

/// The whole record once read; until then, or if it cannot be, the row's own fields
/// and why they are all there is.
fn fields(lines: &mut Vec<Line<'static>>, state: &AppState, detail: &Detail, styles: &Styles) {
    let field = |(name, value): (String, String)| {
        Line::from(vec![
            Span::styled(format!("  {}: ", sanitize(&name)), styles.dim()),
            Span::raw(sanitize(&mask_url_secrets(&value))),
        ])
    };
    if let WholeRecord::Read(record) = &detail.record {
        lines.extend(record.iter().cloned().map(field));
        return;
    }
    match state.pane(detail.pane).fields_of(&detail.key) {
        Some(fields) => lines.extend(fields.into_iter().map(field)),
        None => lines.push(Line::from(
            "  no longer listed: the service's last answer did not include it",
        )),
    }
    match &detail.record {
        WholeRecord::Reading => lines.push(Line::from(Span::styled(
            "  reading the whole record…",
            styles.dim(),
        ))),
        WholeRecord::Unavailable(why) => lines.push(Line::from(Span::styled(
            format!("  the whole record cannot be read: {}", sanitize(why)),
            styles.error(),
        ))),
        WholeRecord::InRow | WholeRecord::Read(_) => {}
    }
}

fn at(clock: &Clock) -> String {
    clock.wall_time(clock.now)
}

/// `2026-11-23T10:00:01Z outcome failed · stop streaming · action 3fa9… · CODE message [request id]`
fn audit_line(record: &Record) -> Line<'static> {
    let mut text = format!(
        "  {} {}",
        record
            .time
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        record.event
    );
    // A not_sent line's outcome repeats its event.
    let repeated = |o: &Outcome| record.event == Event::NotSent && *o == Outcome::NotSent;
    if let Some(outcome) = record.outcome.filter(|o| !repeated(o)) {
        text.push_str(&format!(" {outcome}"));
    }
    if let Some(settled) = &record.reconciled {
        text.push_str(&format!(" {settled}"));
    }
    text.push_str(&format!(" · {}", record.action.label()));
    if let Some(id) = &record.action_id {
        text.push_str(&format!(" · action {id}"));
    }
    for part in [
        &record.error_code,
        &record.error_msg,
        &record.seen,
        &record.job_id,
    ]
    .into_iter()
    .flatten()
    {
        text.push_str(&format!(" · {part}"));
    }
    if let Some(request) = &record.request_id {
        text.push_str(&format!(" [request id {request}]"));
    }
    Line::from(sanitize(&text))
}

/// The target's latest failure this session, with code and request id (an action's
/// failed or unknown outcome), else the row's own error, else none.
fn last_error(state: &AppState, key: &str) -> String {
    let from_actions = state
        .activity
        .entries
        .iter()
        .rev()
        .find_map(|(_, entry)| match entry {
            Entry::TargetProblem { kind, outcome, .. } if outcome.target == key => Some(format!(
                "{} {}: {} {}{}",
                kind.label(),
                outcome.outcome,
                outcome.error_code.as_deref().unwrap_or(""),
                outcome.error_msg.as_deref().unwrap_or(""),
                outcome
                    .request_id
                    .as_deref()
                    .map(|id| format!(" [request id {id}]"))
                    .unwrap_or_default()
            )),
            _ => None,
        });
    let from_row = || {
        let phones = &state.panes.phones;
        (phones.table.rows)
            .get(*phones.index.get(key)?)
            .and_then(|phone| phone.error.clone())
    };
    from_actions
        .or_else(from_row)
        .unwrap_or_else(|| "none this session".into())
}
