//! What a poll's answer does to its feed and the activity log, whichever pane or
//! feed it was for.

use crate::api::ApiError;

use super::activity::Entry;
use super::feed::FeedId;
use super::pane::Pane;
use super::pane::refresh::Refresh;
use super::state::AppState;

/// Records a poll's result: on success the next poll is one interval away (and a
/// recovery is logged); on failure the last data stays, the error is logged and the
/// feed backs off. Failures in a row are one line with a count and the latest error,
/// so a failing feed does not flood the log.
pub fn record_result(state: &mut AppState, id: FeedId, error: Option<&ApiError>) {
    let (now, interval) = (state.now, state.settings.poll_interval);
    let feed = state.feed_mut(id);
    let failing_since = feed.failing_since;
    match error {
        None => {
            feed.succeeded(now, interval);
            if let Some(since) = failing_since {
                let after = crate::app::format::age_since(since, now);
                state.log_activity(Entry::Note(format!(
                    "{} refresh recovered after {after}",
                    id.name()
                )));
            }
        }
        Some(error) => {
            feed.failed(now, interval, error);
            let failures = feed.failures;
            let message = error.to_string();
            let entries = &mut state.activity.entries;
            let earlier = entries.iter().rposition(
                |(_, e)| matches!(e, Entry::RefreshError { what, .. } if *what == id.name()),
            );
            // The line for this run of failures moves to the end, counting.
            if let (true, Some(at)) = (failures > 1, earlier) {
                entries.remove(at);
            }
            state.log_activity(Entry::RefreshError {
                what: id.name(),
                message,
                failures,
            });
        }
    }
}

/// Applies what a pane's refresh changed to the rest of the state: the status
/// changes to the detail view's log, the notes on rows without an id to the activity
/// log, the result to the pane's feed.
pub fn apply_refresh(state: &mut AppState, pane: Pane, refresh: Refresh) {
    for note in refresh.dropped {
        state.log_activity(Entry::Note(note));
    }
    state.record_changes(refresh.changes);
    record_result(state, FeedId::Pane(pane), refresh.error.as_ref());
    state.pane_mut(pane).feed_mut().partial = refresh.partial;
}
