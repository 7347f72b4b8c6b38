//! A pane's data: its rows, their view (cursor, filter, sort, marks) and the feed
//! that refreshes them. `AnyPane` is what the rest of the program needs of a pane
//! without knowing its row type.

use crate::app::last_error::LastError;
use std::collections::HashMap;
use std::time::Instant;

use crate::api::ApiError;
use crate::api::tolerant::Rows;
use crate::app::feed::Feed;
use crate::app::table::TableView;

use super::column::{CellContext, Shown, TableRow, Tone, record};
use super::refresh::{Refresh, StatusChange};

pub struct PaneData<R> {
    pub rows: Vec<R>,
    pub view: TableView,
    pub feed: Feed,
    /// The last action failure of each target (code and short message), kept across
    /// refreshes until an action on it succeeds.
    pub errors: HashMap<String, String>,
}

/// Every pane's last column: why the last action on the row failed (or, for a row
/// that has its own, why it could not be refreshed). On a narrow screen it stays
/// after name and status, before ids (priority: 0 is dropped last).
const LAST_ERROR: Heading = Heading {
    title: "LAST ERROR",
    field: "last_error",
    width: 24,
    priority: 1,
    sort_key: None,
};

impl<R: TableRow> PaneData<R> {
    pub fn new(now: Instant) -> Self {
        PaneData {
            rows: Vec::new(),
            view: TableView::default(),
            feed: Feed::new(now),
            errors: HashMap::new(),
        }
    }

    /// The row's LAST ERROR: its last action failure, else its own refresh error.
    pub fn last_error(&self, row: &R) -> String {
        last_error_of(&self.errors, row)
    }

    /// The visible rows recomputed (the filter searches LAST ERROR too).
    pub fn refresh_view(&mut self) {
        let errors = &self.errors;
        self.view
            .refresh(&self.rows, &|row| last_error_of(errors, row));
    }

    /// After the rows at `changed` changed in place.
    pub fn refresh_view_changed(&mut self, changed: &[usize]) {
        let errors = &self.errors;
        (self.view).refresh_changed(&self.rows, changed, &|row| last_error_of(errors, row));
    }

    /// A fresh listing (`what` its rows are, for the note on rows without an id): the
    /// rows are replaced, and the status changes returned.
    pub fn listed<T>(
        &mut self,
        result: Result<Rows<T>, ApiError>,
        what: &str,
        row: fn(T) -> R,
    ) -> Refresh {
        match result {
            Ok(list) => {
                let mut refresh = Refresh::default();
                refresh.note_dropped(&list, what);
                refresh.changes = self.replace(list.rows.into_iter().map(row).collect());
                refresh
            }
            Err(error) => Refresh::failed(error),
        }
    }

    /// Replaces the rows (a new listing) and recomputes the view; returns the status
    /// changes it brought.
    pub fn replace(&mut self, rows: Vec<R>) -> Vec<StatusChange> {
        let before: HashMap<&str, String> = self
            .rows
            .iter()
            .filter_map(|row| Some((row.key(), row.status()?)))
            .collect();
        let changes = rows
            .iter()
            .filter_map(|row| {
                let (from, to) = (before.get(row.key())?, row.status()?);
                (*from != to).then(|| (row.key().to_string(), from.clone(), to))
            })
            .collect();
        self.rows = rows;
        self.refresh_view();
        changes
    }
}

/// A column as the dashboard lays it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heading {
    pub title: &'static str,
    pub field: &'static str,
    pub width: u16,
    pub priority: u8,
    /// Alt and this letter sort by it (None: it does not sort).
    pub sort_key: Option<char>,
}

/// A pane whatever its row type: what keys, drawing and exports use.
pub trait AnyPane {
    fn view(&self) -> &TableView;
    fn view_mut(&mut self) -> &mut TableView;
    fn feed(&self) -> &Feed;
    fn feed_mut(&mut self) -> &mut Feed;
    fn total(&self) -> usize;
    fn headings(&self) -> Vec<Heading>;
    /// Recomputes the visible order (after a filter or sort change).
    fn refresh(&mut self);
    /// The marked rows' keys, or the cursor row's (and how many marks the filter hides).
    fn targets(&self) -> (Vec<String>, usize);
    fn toggle_mark(&mut self);
    fn mark_all_visible(&mut self);
    /// The key of the row at `index` into the rows.
    fn key_at(&self, index: usize) -> Option<&str>;
    /// Every row's key.
    fn keys(&self) -> Vec<String>;
    /// The cells of the row at `index`, every column, as the dashboard shows them.
    fn shown_at(&self, index: usize, context: &CellContext) -> Vec<Shown>;
    /// The shown rows' values, in the order shown (an export).
    fn records(&self) -> Vec<Vec<String>>;
    /// The shown rows as JSON (`TableRow::json`, with `last_error` when there is one),
    /// in the order shown.
    fn json_records(&self) -> Vec<serde_json::Value>;
    /// The key of the row under the cursor.
    fn cursor_key(&self) -> Option<&str>;
    /// Every provider field of the row with this key (None when it is gone).
    fn fields_of(&self, key: &str) -> Option<Vec<(String, String)>>;
    /// Records what an action's outcome on a target does to its LAST ERROR.
    fn action_error(&mut self, key: &str, error: LastError);
    /// A target's name, where rows have one.
    fn name_of(&self, key: &str) -> Option<String>;
}

impl<R: TableRow> AnyPane for PaneData<R> {
    fn view(&self) -> &TableView {
        &self.view
    }

    fn view_mut(&mut self) -> &mut TableView {
        &mut self.view
    }

    fn feed(&self) -> &Feed {
        &self.feed
    }

    fn feed_mut(&mut self) -> &mut Feed {
        &mut self.feed
    }

    fn total(&self) -> usize {
        self.rows.len()
    }

    fn headings(&self) -> Vec<Heading> {
        R::COLUMNS
            .iter()
            .map(|c| Heading {
                title: c.title,
                field: c.field,
                width: c.width,
                priority: c.priority,
                sort_key: Some(c.sort_key),
            })
            .chain([LAST_ERROR])
            .collect()
    }

    fn refresh(&mut self) {
        self.refresh_view();
    }

    fn targets(&self) -> (Vec<String>, usize) {
        self.view.targets(&self.rows)
    }

    fn toggle_mark(&mut self) {
        self.view.toggle_mark(&self.rows);
    }

    fn mark_all_visible(&mut self) {
        self.view.mark_all_visible(&self.rows);
    }

    fn keys(&self) -> Vec<String> {
        self.rows.iter().map(|row| row.key().to_string()).collect()
    }

    fn key_at(&self, index: usize) -> Option<&str> {
        self.rows.get(index).map(TableRow::key)
    }

    fn shown_at(&self, index: usize, context: &CellContext) -> Vec<Shown> {
        self.rows.get(index).map_or_else(Vec::new, |row| {
            R::COLUMNS
                .iter()
                .map(|c| (c.shown)(row, context))
                .chain([Shown::toned(self.last_error(row), Tone::Error)])
                .collect()
        })
    }

    fn cursor_key(&self) -> Option<&str> {
        self.view.cursor_row(&self.rows).map(TableRow::key)
    }

    fn fields_of(&self, key: &str) -> Option<Vec<(String, String)>> {
        self.rows
            .iter()
            .find(|row| row.key() == key)
            .map(TableRow::fields)
    }

    fn records(&self) -> Vec<Vec<String>> {
        self.view
            .visible
            .iter()
            .filter_map(|&i| self.rows.get(i))
            .map(|row| {
                let mut values = record(row);
                values.push(self.last_error(row));
                values
            })
            .collect()
    }

    fn json_records(&self) -> Vec<serde_json::Value> {
        self.view
            .visible
            .iter()
            .filter_map(|&i| self.rows.get(i))
            .map(|row| {
                let mut object = row.json();
                let error = self.last_error(row);
                if !error.is_empty() {
                    object.insert("last_error".into(), error.into());
                }
                serde_json::Value::Object(object)
            })
            .collect()
    }

    fn action_error(&mut self, key: &str, error: LastError) {
        match error {
            LastError::Set(error) => {
                self.errors.insert(key.to_string(), error);
            }
            LastError::Clear => {
                self.errors.remove(key);
            }
            LastError::Keep => {}
        }
    }

    fn name_of(&self, key: &str) -> Option<String> {
        self.rows
            .iter()
            .find(|row| row.key() == key)
            .and_then(|row| row.name().map(str::to_string))
    }
}

/// A row's LAST ERROR: its last action failure (`errors`, by key), else its own
/// refresh error.
fn last_error_of<R: TableRow>(errors: &HashMap<String, String>, row: &R) -> String {
    errors
        .get(row.key())
        .cloned()
        .or_else(|| row.row_error().map(str::to_string))
        .unwrap_or_default()
}
