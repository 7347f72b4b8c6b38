//! Where everything goes on screen, as pure functions of the terminal size: `update`
//! needs it for page sizes and clicks, `ui` to draw. Geometry only, no drawing.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::Pane;

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

/// A pane's tab as the header writes it: " 1 Phones ".
pub fn tab_label(pane: Pane) -> String {
    format!(" {} {} ", pane.index() + 1, pane.title())
}

/// What is under a mouse click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Tab(Pane),
    /// A table row, counted from the first one on screen.
    Row(usize),
    Nothing,
}

/// What is at (`column`, `row`) of a terminal of `size`.
pub fn hit(size: (u16, u16), log_expanded: bool, column: u16, row: u16) -> Hit {
    let area = Rect::new(0, 0, size.0, size.1);
    let areas = areas(area, log_expanded);
    if !compact(size.0, size.1) && row == areas.header.y + 2 {
        // The tabs line: a space, then each tab followed by a space.
        let mut x = 1;
        for &pane in Pane::ALL {
            let width = tab_label(pane).chars().count() as u16;
            if (x..x + width).contains(&column) {
                return Hit::Tab(pane);
            }
            x += width + 1;
        }
        return Hit::Nothing;
    }
    let first_row = areas.body.y + 2;
    if (first_row..areas.body.y + areas.body.height).contains(&row) {
        return Hit::Row(usize::from(row - first_row));
    }
    Hit::Nothing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_find_tabs_and_rows() {
        assert_eq!(hit((120, 40), false, 3, 2), Hit::Tab(Pane::Phones));
        assert_eq!(hit((120, 40), false, 14, 2), Hit::Tab(Pane::Streams));
        assert_eq!(hit((120, 40), false, 100, 2), Hit::Nothing);
        // Header 3 lines, then the table's title and column header.
        assert_eq!(hit((120, 40), false, 10, 5), Hit::Row(0));
        assert_eq!(hit((120, 40), false, 10, 9), Hit::Row(4));
        assert_eq!(hit((120, 40), false, 10, 0), Hit::Nothing);
        assert_eq!(hit((80, 24), false, 10, 3), Hit::Row(0), "one-line header");
    }
}
