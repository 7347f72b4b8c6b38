//! Exports for the incident write-up: the current pane (filter and sort applied) as
//! CSV or JSON, and the activity log as text. Pure: builds the file's name and
//! contents; the shell writes it and says where.

use serde_json::{Map, Value};

use crate::sanitize::sanitize;

use super::clock::Clock;
use super::rows::{ENCODER_COLUMNS, PHONE_COLUMNS, SERVER_COLUMNS, STREAM_COLUMNS};
use super::state::{AppState, Pane};
use super::table::{TableRow, TableView};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// A file to write: its name (no directory), contents, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub file_name: String,
    pub contents: String,
    pub what: String,
}

fn records<R: TableRow>(rows: &[R], view: &TableView, clock: &Clock) -> Vec<Vec<String>> {
    view.visible
        .iter()
        .filter_map(|&i| rows.get(i))
        .map(|row| {
            row.record(clock)
                .iter()
                .map(|cell| sanitize(cell))
                .collect()
        })
        .collect()
}

fn stamp(state: &AppState) -> String {
    state.wall.format("%Y%m%d-%H%M%S").to_string()
}

/// The current pane's shown rows, in the order shown.
pub fn pane(state: &AppState, format: Format) -> Result<Export, String> {
    let clock = Clock {
        now: state.now,
        wall: state.wall,
    };
    let (columns, rows): (&[&str], Vec<Vec<String>>) = match state.pane {
        Pane::Phones => (
            &PHONE_COLUMNS,
            records(&state.phones, &state.phones_view, &clock),
        ),
        Pane::Streams => (
            &STREAM_COLUMNS,
            records(&state.streams, &state.streams_view, &clock),
        ),
        Pane::Encoders => (
            &ENCODER_COLUMNS,
            records(&state.encoders, &state.encoders_view, &clock),
        ),
        Pane::Servers => (
            &SERVER_COLUMNS,
            records(&state.servers, &state.servers_view, &clock),
        ),
    };
    let (extension, contents) = match format {
        Format::Csv => ("csv", to_csv(columns, &rows)?),
        Format::Json => ("json", json(columns, &rows)?),
    };
    let pane = state.pane.title().to_lowercase();
    Ok(Export {
        file_name: format!(
            "phonedeck-{}-{pane}-{}.{extension}",
            sanitize_file_part(&state.settings.profile),
            stamp(state)
        ),
        contents,
        what: format!("{} {pane}", rows.len()),
    })
}

/// An array of objects keyed by the column names in snake case (`instance_id`).
fn json(columns: &[&str], rows: &[Vec<String>]) -> Result<String, String> {
    let keys: Vec<String> = columns
        .iter()
        .map(|c| c.to_lowercase().replace(' ', "_"))
        .collect();
    let objects: Vec<Value> = rows
        .iter()
        .map(|row| {
            let object: Map<String, Value> = keys
                .iter()
                .cloned()
                .zip(row.iter().map(|cell| Value::String(cell.clone())))
                .collect();
            Value::Object(object)
        })
        .collect();
    serde_json::to_string_pretty(&objects).map_err(|e| e.to_string())
}

/// The whole activity log, one entry a line with its wall-clock time.
pub fn activity(state: &AppState) -> Export {
    let clock = Clock {
        now: state.now,
        wall: state.wall,
    };
    let mut contents = format!(
        "phonedeck activity log, profile {}, saved {}\n",
        sanitize(&state.settings.profile),
        clock.wall_time(state.now)
    );
    for (at, entry) in &state.activity.entries {
        contents.push_str(&format!(
            "{} {}\n",
            clock.wall_time(*at),
            sanitize(&entry.text())
        ));
    }
    Export {
        file_name: format!(
            "phonedeck-{}-activity-{}.log",
            sanitize_file_part(&state.settings.profile),
            stamp(state)
        ),
        contents,
        what: format!("{} activity entries", state.activity.entries.len()),
    }
}

/// A profile name as part of a file name: letters, digits, `-` and `_` only.
fn sanitize_file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
/// Rows of text as CSV with a header row (quoting done by the csv crate), for the
/// dashboard's exports and the headless `--output csv` alike. Callers sanitise cells.
pub fn to_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers).map_err(|e| e.to_string())?;
    for row in rows {
        writer.write_record(row).map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
