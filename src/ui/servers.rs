//! Pane 4: compute servers with status and task state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use crate::api::tolerant::MISSING;
use crate::app::AppState;
use crate::app::rows::SERVER_COLUMNS;
use crate::sanitize::sanitize;

use super::styles::Styles;
use super::table::{self, Column, PaneTable};

const COLUMNS: [Column; 4] = [
    Column {
        title: SERVER_COLUMNS[0],
        width: 36,
        priority: 1,
    },
    Column {
        title: SERVER_COLUMNS[1],
        width: 14,
        priority: 0,
    },
    Column {
        title: SERVER_COLUMNS[2],
        width: 8,
        priority: 0,
    },
    Column {
        title: SERVER_COLUMNS[3],
        width: 13,
        priority: 0,
    },
];

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, name: String, styles: &Styles) {
    let pane = PaneTable {
        name,
        columns: &COLUMNS,
        view: &state.servers_view,
        rows: &state.servers,
    };
    table::draw(
        frame,
        area,
        state,
        pane,
        |row| {
            let s = &row.0;
            vec![
                Cell::from(sanitize(&s.id)),
                Cell::from(sanitize(&s.name)),
                Cell::from(Span::styled(
                    sanitize(s.status.as_deref().unwrap_or(MISSING)),
                    styles.server_status(s.status.as_deref()),
                )),
                Cell::from(sanitize(s.task_state.as_deref().unwrap_or("-"))),
            ]
        },
        styles,
    );
}
