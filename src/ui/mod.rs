//! Pure drawing: `draw(frame, state)` paints the dashboard from the state alone.

mod activity;
mod confirm;
mod detail;
mod fit;
mod footer;
mod header;
mod help;
mod jobs;
mod popup;
mod quit;
pub mod styles;
pub mod table;
mod wrap;

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{AppState, Mode, Pane, layout};
use styles::Styles;

pub fn draw(frame: &mut Frame, state: &AppState) {
    let styles = &Styles::new(state.settings.theme);
    let area = frame.area();
    if area.width < layout::MIN_WIDTH || area.height < layout::MIN_HEIGHT {
        let notice = format!(
            "terminal too small: {}x{}, phonedeck needs {}x{}",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(
            Paragraph::new(Line::from(notice)).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let compact = layout::compact(area.width, area.height);
    let areas = layout::areas(area, state.log_expanded);
    header::draw(frame, areas.header, state, compact, styles);
    // On one-line headers the pane number stands in the table title instead of tabs.
    let name = if compact {
        format!("{}:{}", state.pane.index() + 1, state.pane.title())
    } else {
        state.pane.title().to_string()
    };
    // The restart jobs being followed show below the encoders they restart.
    let (body, jobs_area) = match state.pane {
        Pane::Encoders => jobs::split(areas.body, state),
        _ => (areas.body, None),
    };
    table::draw(frame, body, state, state.pane(state.pane), &name, styles);
    if let Some(area) = jobs_area {
        jobs::draw(frame, area, state, styles);
    }
    activity::draw(frame, areas.activity, state, styles);
    footer::draw(frame, areas.footer, state, styles);
    match &state.mode {
        Mode::Help { scroll } => help::draw(frame, state, *scroll, styles),
        Mode::Confirm(dialog) => confirm::draw(frame, state, dialog, styles),
        Mode::ConfirmQuit => quit::draw(frame, state, styles),
        Mode::Detail(shown) => {
            let area = frame.area();
            let above_footer = ratatui::layout::Rect {
                height: area.height.saturating_sub(1),
                ..area
            };
            detail::draw(frame, above_footer, state, shown, styles);
        }
        Mode::LogLine { selected } => activity::draw_line(frame, state, *selected, styles),
        Mode::RunTargets { action, group, .. } => {
            activity::draw_run_targets(frame, state, *action, *group, styles)
        }
        Mode::Normal | Mode::Filtering | Mode::Command(_) | Mode::Activity { .. } => {}
    }
}
