//! Pane 1: phones with status (coloured; changed in the latest poll highlighted),
//! how long they have been in it, and the row's last error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use crate::api::koophone::PhoneStatus;
use crate::app::AppState;
use crate::app::rows::PHONE_COLUMNS;
use crate::sanitize::sanitize;

use super::format::age_since;
use super::styles::Styles;
use super::table::{self, Column, PaneTable};

const COLUMNS: [Column; 5] = [
    Column {
        title: PHONE_COLUMNS[0],
        width: 12,
        priority: 0,
    },
    Column {
        title: PHONE_COLUMNS[1],
        width: 14,
        priority: 2,
    },
    Column {
        title: PHONE_COLUMNS[2],
        width: 11,
        priority: 0,
    },
    Column {
        title: PHONE_COLUMNS[3],
        width: 6,
        priority: 1,
    },
    Column {
        title: PHONE_COLUMNS[4],
        width: 24,
        priority: 3,
    },
];

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, name: String, styles: &Styles) {
    let pane = PaneTable {
        name,
        columns: &COLUMNS,
        view: &state.phones_view,
        rows: &state.phones,
    };
    table::draw(
        frame,
        area,
        state,
        pane,
        |phone| {
            let mut status_style = styles.phone_status(phone.status);
            if phone.changed_in_poll == Some(state.poll) && state.poll > 1 {
                status_style = status_style.patch(styles.changed());
            }
            vec![
                Cell::from(sanitize(&phone.id)),
                Cell::from(sanitize(&phone.name)),
                Cell::from(Span::styled(PhoneStatus::label(phone.status), status_style)),
                Cell::from(
                    phone
                        .since
                        .map_or_else(|| "-".to_string(), |since| age_since(since, state.now)),
                ),
                Cell::from(Span::styled(
                    sanitize(phone.error.as_deref().unwrap_or("")),
                    styles.error(),
                )),
            ]
        },
        styles,
    );
}
