//! The activity log at the bottom: actions with progress, each failed or unknown
//! target with its code, message and request id, and refresh errors.

use crate::app::run_id::RunId;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::activity::Entry;
use crate::app::key_action::KeyAction;
use crate::app::{AppState, Mode};
use crate::sanitize::sanitize;

use super::styles::Styles;
use crate::app::format::clock_time;

fn entry_line(state: &AppState, entry: &Entry, styles: &Styles) -> Line<'static> {
    let style = match entry {
        Entry::Run(_) => styles.title(),
        Entry::TargetProblem { .. } | Entry::RefreshError { .. } => styles.error(),
        Entry::Note(_) => Style::new(),
    };
    Line::from(Span::styled(sanitize(&state.activity.text(entry)), style))
}

/// The entry the focused log has selected, if it is focused.
fn selected(state: &AppState) -> Option<usize> {
    match state.mode {
        Mode::Activity { selected } | Mode::LogLine { selected } => Some(selected),
        _ => None,
    }
}

/// An entry as one line of text, with its wall-clock time.
pub fn full_text(state: &AppState, index: usize) -> Option<String> {
    let (at, entry) = state.activity.entries.get(index)?;
    Some(format!(
        "{} {}",
        clock_time(*at, state.now, state.wall),
        sanitize(&state.activity.text(entry))
    ))
}

/// Runs whose line stays pinned once ended, newest first (running ones always are).
const RECENT_RUNS: usize = 3;

/// Which entries are shown, in order. Focused: a window that keeps the selected one
/// in view. Otherwise the running actions and the latest few runs stay pinned at the
/// top (feed noise cannot push them out; newer runs take their place), then the
/// latest entries.
fn shown(state: &AppState, visible: usize) -> Vec<usize> {
    let entries = &state.activity.entries;
    if let Some(selected) = selected(state) {
        let end = (selected + 1)
            .max(visible.min(entries.len()))
            .min(entries.len());
        return (end.saturating_sub(visible)..end).collect();
    }
    // This session's latest runs, ended or not: their summaries are what the engineer
    // came for, and token notes or refresh errors must not push them out.
    let recent: Vec<RunId> = (state.activity.runs().rev())
        .filter(|run| run.earlier.is_none())
        .take(RECENT_RUNS)
        .map(|run| run.id)
        .collect();
    let kept = |e: &Entry| match e {
        Entry::Run(id) => {
            recent.contains(id)
                || (state.activity.run(*id)).is_some_and(|p| !p.finished || !p.awaiting.is_empty())
        }
        _ => false,
    };
    let mut pinned: Vec<usize> = (0..entries.len())
        .filter(|&i| kept(&entries[i].1))
        .collect();
    pinned.truncate(visible / 2);
    let room = visible - pinned.len();
    let latest: Vec<usize> = (0..entries.len())
        .rev()
        .filter(|i| !pinned.contains(i))
        .take(room)
        .collect();
    pinned.extend(latest.into_iter().rev());
    pinned
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, styles: &Styles) {
    let visible = usize::from(area.height.saturating_sub(1));
    let entries = &state.activity.entries;
    let selected = selected(state);
    let lines: Vec<Line> = shown(state, visible)
        .into_iter()
        .filter_map(|index| entries.get(index).map(|entry| (index, entry)))
        .map(|(index, (at, entry))| {
            let mut line = entry_line(state, entry, styles);
            line.spans.insert(
                0,
                Span::styled(
                    format!("{} ", clock_time(*at, state.now, state.wall)),
                    styles.dim(),
                ),
            );
            if selected == Some(index) {
                line = line.style(styles.cursor());
            }
            line
        })
        .collect();
    let keys = &state.keymap;
    let hint = match (selected, state.log_expanded) {
        (Some(_), _) => format!(
            "{}/{} move · {} whole line · {} retry its action · {} back",
            keys.label(KeyAction::Down),
            keys.label(KeyAction::Up),
            keys.label(KeyAction::Details),
            keys.label(KeyAction::Retry),
            keys.label(KeyAction::Close)
        ),
        (None, expanded) => format!(
            "{}: {} · {}: focus",
            keys.label(KeyAction::ToggleLog),
            if expanded { "smaller" } else { "larger" },
            keys.label(KeyAction::FocusLog)
        ),
    };
    let title = Line::from(vec![
        Span::styled(" Activity ", styles.title()),
        Span::styled(format!("({hint}) "), styles.dim()),
    ]);
    let block = Block::new().borders(Borders::TOP).title(title);
    let body = if lines.is_empty() {
        Paragraph::new(Span::styled("no actions yet", styles.dim()))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(body.block(block), area);
}

/// One entry in full, wrapped to the screen (request ids and long messages included).
pub fn draw_line(frame: &mut Frame, state: &AppState, selected: usize, styles: &Styles) {
    let width = frame.area().width.saturating_sub(4).max(20);
    let text = full_text(state, selected).unwrap_or_default();
    let chars: Vec<char> = text.chars().collect();
    // Inside the borders, after a leading space.
    let lines: Vec<Line> = chars
        .chunks(usize::from(width - 3))
        .map(|chunk| Line::from(format!(" {}", chunk.iter().collect::<String>())))
        .collect();
    let title = format!(
        "Activity entry · {} back",
        state.keymap.label(KeyAction::Close)
    );
    super::popup::draw(frame, &title, lines, width, styles);
}

/// An action's targets by outcome and cause, one group a line, the selected one
/// highlighted; `m` marks it in the pane.
pub fn draw_run_targets(
    frame: &mut Frame,
    state: &AppState,
    action: RunId,
    group: usize,
    styles: &Styles,
) {
    let width = frame.area().width.saturating_sub(4).clamp(20, 100);
    let Some(progress) = state.activity.run(action) else {
        return;
    };
    let mut lines: Vec<Line> = vec![Line::from(format!(" {}", sanitize(&progress.text())))];
    let groups = progress.groups();
    if groups.is_empty() {
        lines.push(Line::from(Span::styled(
            " no target has answered yet",
            styles.dim(),
        )));
    }
    for (index, (label, targets)) in groups.iter().enumerate() {
        let sample: Vec<&str> = targets.iter().take(3).copied().collect();
        let more = targets.len().saturating_sub(sample.len());
        let mut text = format!(
            " {:>6}  {}: {}",
            targets.len(),
            sanitize(label),
            sanitize(&sample.join(", "))
        );
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        let line = Line::from(text);
        lines.push(if index == group {
            line.style(styles.cursor())
        } else {
            line
        });
    }
    let keys = &state.keymap;
    let title = format!(
        "Its targets · {}/{} move · {} mark these in the pane · {} back",
        keys.label(KeyAction::Down),
        keys.label(KeyAction::Up),
        keys.label(KeyAction::MarkGroup),
        keys.label(KeyAction::Close)
    );
    super::popup::draw(frame, &title, lines, width, styles);
}
