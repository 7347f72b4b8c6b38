//! What a fresh listing or status poll changed in a pane, returned by the pane for
//! `update` to apply to the rest of the state: the status log, the activity log and
//! the feed. A pane changes only its own data.

use crate::api::ApiError;
use crate::api::tolerant::Rows;

/// A status change a refresh saw: (key, from, to).
pub type StatusChange = (String, String, String);

#[derive(Debug, Default)]
pub struct Refresh {
    pub changes: Vec<StatusChange>,
    /// Notes on rows left out of the listing for lacking an id.
    pub dropped: Vec<String>,
    /// Why the refresh failed (the last data is kept), if it did.
    pub error: Option<ApiError>,
    /// What part it could not refresh, when the rest was refreshed.
    pub partial: Option<String>,
}

impl Refresh {
    pub fn failed(error: ApiError) -> Self {
        Refresh {
            error: Some(error),
            ..Refresh::default()
        }
    }

    /// Keeps the note on a listing's rows that had no id, if some had none.
    pub fn note_dropped<T>(&mut self, rows: &Rows<T>, what: &str) {
        self.dropped.extend(rows.drop_note(what));
    }
}
