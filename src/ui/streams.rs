//! Pane 2: online streams of every configured publish domain.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Cell;

use crate::app::AppState;
use crate::app::rows::STREAM_COLUMNS;
use crate::sanitize::sanitize;

use super::format::age_of_timestamp;
use super::styles::Styles;
use super::table::{self, Column, PaneTable};

const COLUMNS: [Column; 6] = [
    Column {
        title: STREAM_COLUMNS[0],
        width: 34,
        priority: 0,
    },
    Column {
        title: STREAM_COLUMNS[1],
        width: 9,
        priority: 1,
    },
    Column {
        title: STREAM_COLUMNS[2],
        width: 4,
        priority: 2,
    },
    Column {
        title: STREAM_COLUMNS[3],
        width: 10,
        priority: 3,
    },
    Column {
        title: STREAM_COLUMNS[4],
        width: 15,
        priority: 4,
    },
    Column {
        title: STREAM_COLUMNS[5],
        width: 6,
        priority: 1,
    },
];

fn number(value: Option<f64>, unit: &str) -> String {
    value
        .map(|v| format!("{v:.0}{unit}"))
        .unwrap_or_else(|| "-".into())
}

pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, name: String, styles: &Styles) {
    let pane = PaneTable {
        name,
        columns: &COLUMNS,
        view: &state.streams_view,
        rows: &state.streams,
    };
    table::draw(
        frame,
        area,
        state,
        pane,
        |row| {
            let s = &row.stream;
            vec![
                Cell::from(sanitize(&row.key)),
                Cell::from(number(s.video_bitrate, "k")),
                Cell::from(number(s.video_frame_rate, "")),
                Cell::from(sanitize(s.resolution.as_deref().unwrap_or("-"))),
                Cell::from(sanitize(s.client_ip.as_deref().unwrap_or("-"))),
                Cell::from(
                    s.start_time
                        .as_deref()
                        .map_or("-".into(), |t| age_of_timestamp(t, state.wall)),
                ),
            ]
        },
        styles,
    );
}
