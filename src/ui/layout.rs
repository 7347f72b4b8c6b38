//! Where everything goes, as pure functions of the terminal size (shared with `update`
//! for page sizes).

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the dashboard shows a "too small" notice instead.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// One-line header on small terminals (80x24 and the like).
pub fn compact(width: u16, height: u16) -> bool {
    width < 110 || height < 32
}

pub struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub activity: Rect,
    pub footer: Rect,
}

fn activity_height(height: u16, expanded: bool) -> u16 {
    if expanded {
        height / 2
    } else {
        (height / 5).clamp(4, 8)
    }
}

pub fn areas(area: Rect, log_expanded: bool) -> Areas {
    let header = if compact(area.width, area.height) {
        1
    } else {
        3
    };
    let [header, body, activity, footer] = Layout::vertical([
        Constraint::Length(header),
        Constraint::Min(3),
        Constraint::Length(activity_height(area.height, log_expanded)),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        body,
        activity,
        footer,
    }
}

/// Data rows the main table shows (its title and column header take two lines).
pub fn table_rows(size: (u16, u16), log_expanded: bool) -> usize {
    let area = Rect::new(0, 0, size.0, size.1);
    usize::from(areas(area, log_expanded).body.height.saturating_sub(2))
}
