//! What a poll's answer does to its feed and the activity log, whichever pane or
//! feed it was for.

use crate::api::ApiError;
use crate::api::tolerant::Rows;

use super::activity::Entry;
use super::feed::FeedId;
use super::state::AppState;

/// Records a poll's result: on success the next poll is one interval away; on failure
/// the last data stays, the error is logged and the feed backs off.
pub fn record_result(state: &mut AppState, id: FeedId, error: Option<&ApiError>) {
    let (now, interval) = (state.now, state.settings.poll_interval);
    let feed = state.feed_mut(id);
    match error {
        None => feed.succeeded(now, interval),
        Some(error) => {
            feed.failed(now, interval, error);
            state.log_activity(Entry::RefreshError {
                what: id.name(),
                message: error.to_string(),
            });
        }
    }
}

/// Says in the activity log how many rows of a listing had no id and were left out.
pub fn note_dropped<T>(state: &mut AppState, rows: &Rows<T>, what: &str) {
    if let Some(note) = rows.drop_note(what) {
        state.log_activity(Entry::Note(note));
    }
}
