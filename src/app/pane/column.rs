//! A pane's columns, described once (in the spirit of bottom's `DataToCell` and its
//! column enum): the dashboard's table, the CSV/JSON exports and the headless `list`
//! commands all print from these descriptors, so a column added once shows everywhere.

use crate::api::tolerant::MISSING;
use std::cmp::Ordering;

use crate::app::clock::Clock;

/// How a cell is coloured; `ui` maps each tone to the theme in force. A status is
/// always written out too, never shown by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Working as it should (Running, ACTIVE).
    Up,
    /// Down or broken (Offline, ABNORMAL, ERROR).
    Down,
    /// On its way somewhere (Starting, RESTARTING, a task under way).
    Moving,
    /// Stopped on purpose (Stopped, SHUTOFF).
    Stopped,
    /// Not a state phonedeck knows.
    Other,
    /// An error message.
    Error,
}

/// One cell as the dashboard shows it: text (sanitised by `ui`), tone, and whether it
/// changed in the latest poll (highlighted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    pub tone: Tone,
    pub changed: bool,
}

impl Shown {
    pub fn plain(text: String) -> Self {
        Shown::toned(text, Tone::Plain)
    }

    pub fn toned(text: String, tone: Tone) -> Self {
        Shown {
            text,
            tone,
            changed: false,
        }
    }
}

/// What a cell may depend on besides its row: the time, and the latest poll.
#[derive(Debug, Clone, Copy)]
pub struct CellContext {
    pub clock: Clock,
    pub poll: u64,
}

/// One column of a row type `R`.
pub struct Column<R> {
    /// Header in the dashboard, CSV and headless tables (`INSTANCE ID`).
    pub title: &'static str,
    /// Key in JSON exports (`instance_id`).
    pub field: &'static str,
    /// Width the dashboard gives it, and its priority (0 is dropped last when narrow).
    pub width: u16,
    pub priority: u8,
    /// Alt and this letter sort by the column (k9s sorts with Shift and the column's
    /// letter; here Shift letters are actions).
    pub sort_key: char,
    /// The value as exported and printed headless; the filter searches it.
    pub value: fn(&R) -> String,
    /// The cell as the dashboard shows it (an age instead of a time, a unit, a colour).
    pub shown: fn(&R, &CellContext) -> Shown,
    pub order: fn(&R, &R) -> Ordering,
    /// The filter searches this column.
    pub searched: bool,
    /// Something phonedeck itself saw while running (when a status changed, the last
    /// action error): shown and exported by the dashboard, not printed headless.
    pub observed: bool,
}

/// A row of a pane: a stable key (for marks and targets) and its column table.
pub trait TableRow: Sized + 'static {
    const COLUMNS: &'static [Column<Self>];
    fn key(&self) -> &str;

    /// Its status as shown, when it has one (its changes are kept for the detail view).
    fn status(&self) -> Option<String> {
        None
    }

    /// Every field of the provider's record, by its raw name, for the detail view.
    fn fields(&self) -> Vec<(String, String)>;

    /// The row as JSON, one schema for the dashboard's export and the headless
    /// `-o json`: the provider's field names and raw values, a `*_name` beside each
    /// enum, and what phonedeck observed (`since`) when it did.
    fn json(&self) -> serde_json::Map<String, serde_json::Value>;

    /// Why the row itself could not be refreshed, when that is known per row.
    fn row_error(&self) -> Option<&str> {
        None
    }

    /// Its name, where it has one (dialogs list names beside ids).
    fn name(&self) -> Option<&str> {
        None
    }
}

/// A provider model as a JSON object (empty if it is not one).
pub fn provider_json(record: &impl serde::Serialize) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(object)) => object,
        _ => serde_json::Map::new(),
    }
}

/// The fields of a record as the provider names them: a serialized model, flattened
/// one level (nested values as compact JSON).
pub fn provider_fields(record: &impl serde::Serialize) -> Vec<(String, String)> {
    match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(object)) => object
            .into_iter()
            .map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(text) => text,
                    serde_json::Value::Null => MISSING.to_string(),
                    other => other.to_string(),
                };
                (name, text)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Ordering of two rows by one column (past the last column: equal).
pub fn compare<R: TableRow>(a: &R, b: &R, column: usize) -> Ordering {
    R::COLUMNS
        .get(column)
        .map_or(Ordering::Equal, |c| (c.order)(a, b))
}

/// Whether a row passes the filter (lower-cased; empty passes everything): every word
/// must be found in a searched column or the row's LAST ERROR (read only when there
/// is a filter), and none of the `!word`s.
pub fn matches<R: TableRow>(row: &R, needle: &str, last_error: &dyn Fn(&R) -> String) -> bool {
    if needle.trim().is_empty() {
        return true;
    }
    let texts: Vec<String> = R::COLUMNS
        .iter()
        .filter(|c| c.searched)
        .map(|c| (c.value)(row))
        .chain([last_error(row)])
        .map(|text| text.to_lowercase())
        .collect();
    let found = |word: &str| texts.iter().any(|t| t.contains(word));
    needle
        .split_whitespace()
        .all(|word| match word.strip_prefix('!') {
            Some("") => true,
            Some(excluded) => !found(excluded),
            None => found(word),
        })
}

/// Every column's value, in column order (a dashboard export).
pub fn record<R: TableRow>(row: &R) -> Vec<String> {
    R::COLUMNS.iter().map(|c| (c.value)(row)).collect()
}

/// The headers and rows a headless `list` prints: every column but the observed ones.
pub fn headless<R: TableRow>(rows: &[R]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let columns: Vec<&Column<R>> = R::COLUMNS.iter().filter(|c| !c.observed).collect();
    let headers = columns.iter().map(|c| c.title).collect();
    let records = rows
        .iter()
        .map(|row| columns.iter().map(|c| (c.value)(row)).collect())
        .collect();
    (headers, records)
}

/// Optional text as a value: empty when absent.
pub fn text_or_empty(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// Ordering of optional numbers (absent first; NaN equal to anything).
pub fn compare_numbers(a: Option<f64>, b: Option<f64>) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}
