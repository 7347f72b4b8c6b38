//! Pane 1: phones with status (coloured; changed in the latest poll highlighted), how
//! long they have been in it, and the row's last error. Listed now and then, and
//! between listings polled by status in batches (see `poll_plan`).

use std::cmp::Ordering;
use std::time::Instant;

use crate::action_kind::ActionKind;
use crate::api::ApiError;
use crate::api::koophone::{BatchStatus, Instance, PhoneStatus};
use crate::api::tolerant::Rows;
use crate::app::clock::Clock;
use crate::app::counts::StatusCounts;
use crate::app::effect::Effect;
use crate::app::feed::FeedId;
use crate::app::format::age_since;
use crate::app::keymap::Action;
use crate::app::poll_plan;
use crate::app::poll_result::{note_dropped, record_result};
use crate::app::state::AppState;

use super::column::{Column, Shown, TableRow, Tone};
use super::{Pane, PaneSpec, Polling};

pub const SPEC: PaneSpec = PaneSpec {
    title: "Phones",
    word: "phones",
    key: '1',
    actions: &[(Action::Stop, ActionKind::StopStreaming)],
    hints: &[
        (Action::MarkAll, "mark shown"),
        (Action::Stop, "stop streaming"),
    ],
    polling: Polling::ListAndStatus,
};

#[derive(Debug, Clone)]
pub struct PhoneRow {
    pub id: String,
    pub name: String,
    /// None when the service gave no readable status (shown as `–`).
    pub status: Option<PhoneStatus>,
    /// The clock when phonedeck saw the status change to what it is now; None while
    /// it has not changed since phonedeck started (how long it has been so is not known).
    pub since: Option<Clock>,
    /// The poll that last changed the status (highlighted while it is the latest).
    pub changed_in_poll: Option<u64>,
    /// When the service last confirmed the status (listing or status poll).
    pub refreshed: Instant,
    /// Why its status could not be read in the latest poll.
    pub error: Option<String>,
}

pub fn status_tone(status: Option<PhoneStatus>) -> Tone {
    match status {
        Some(PhoneStatus::RUNNING) => Tone::Up,
        Some(PhoneStatus::OFFLINE) => Tone::Down,
        Some(PhoneStatus::STARTING) => Tone::Moving,
        Some(PhoneStatus::STOPPED | PhoneStatus::SHUT_DOWN) => Tone::Stopped,
        _ => Tone::Other,
    }
}

/// By name, as shown; without allocating for the documented ones (sorting 100,000
/// rows compares a couple of million times).
fn compare_status(a: &PhoneRow, b: &PhoneRow) -> Ordering {
    match (
        a.status.and_then(PhoneStatus::known_name),
        b.status.and_then(PhoneStatus::known_name),
    ) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => PhoneStatus::label(a.status).cmp(&PhoneStatus::label(b.status)),
    }
}

impl TableRow for PhoneRow {
    const COLUMNS: &'static [Column<Self>] = &[
        Column {
            title: "INSTANCE ID",
            field: "instance_id",
            width: 12,
            priority: 0,
            sort_key: 'i',
            value: |p| p.id.clone(),
            shown: |p, _| Shown::plain(p.id.clone()),
            order: |a, b| a.id.cmp(&b.id),
            searched: true,
            observed: false,
        },
        Column {
            title: "NAME",
            field: "name",
            width: 14,
            priority: 2,
            sort_key: 'n',
            value: |p| p.name.clone(),
            shown: |p, _| Shown::plain(p.name.clone()),
            order: |a, b| a.name.cmp(&b.name),
            searched: true,
            observed: false,
        },
        Column {
            title: "STATUS",
            field: "status",
            width: 11,
            priority: 0,
            sort_key: 's',
            value: |p| PhoneStatus::label(p.status),
            shown: |p, context| Shown {
                text: PhoneStatus::label(p.status),
                tone: status_tone(p.status),
                changed: p.changed_in_poll == Some(context.poll) && context.poll > 1,
            },
            order: compare_status,
            searched: true,
            observed: false,
        },
        Column {
            title: "SINCE",
            field: "since",
            width: 6,
            priority: 1,
            sort_key: 'a',
            value: |p| p.since.map(|c| c.wall_time(c.now)).unwrap_or_default(),
            shown: |p, context| {
                Shown::plain(
                    p.since
                        .map_or_else(|| "-".to_string(), |c| age_since(c.now, context.clock.now)),
                )
            },
            // Shortest time in its status first; unknown (unchanged since start) last.
            order: |a, b| b.since.map(|c| c.now).cmp(&a.since.map(|c| c.now)),
            searched: false,
            observed: true,
        },
    ];

    fn key(&self) -> &str {
        &self.id
    }

    fn status(&self) -> Option<String> {
        Some(PhoneStatus::label(self.status))
    }

    fn row_error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }

    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut object = serde_json::Map::new();
        object.insert("instance_id".into(), self.id.clone().into());
        object.insert("instance_name".into(), self.name.clone().into());
        object.insert("status".into(), self.status.map(|s| s.0).into());
        object.insert("status_name".into(), PhoneStatus::label(self.status).into());
        if let Some(since) = self.since {
            object.insert("since".into(), since.wall_time(since.now).into());
        }
        object
    }

    /// The fields phonedeck keeps of a phone, by the list's names (region, SKU and
    /// frozen status are not kept for every phone, to keep a 100,000-phone fleet small).
    fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("instance_id".into(), self.id.clone()),
            ("instance_name".into(), self.name.clone()),
            (
                "running_status".into(),
                self.status.map_or_else(|| "–".into(), |s| s.0.to_string()),
            ),
        ]
    }
}

impl PhoneRow {
    /// A phone as a status answer shows it (headless: nothing observed yet).
    pub fn answered(id: String, name: String, status: Option<PhoneStatus>) -> Self {
        PhoneRow {
            id,
            name,
            status,
            since: None,
            changed_in_poll: None,
            refreshed: Instant::now(),
            error: None,
        }
    }
}

/// A listing every `RELIST_EVERY` polls (to see new phones), status batches between.
pub fn poll(state: &mut AppState) -> Effect {
    if poll_plan::relist_due(state) {
        Effect::List(Pane::Phones)
    } else {
        Effect::PollStatus(poll_plan::status_targets(state))
    }
}

pub fn on_listed(state: &mut AppState, result: Result<Rows<Instance>, ApiError>) {
    let instances = match result {
        Ok(instances) => instances,
        Err(error) => return record_result(state, FeedId::Pane(Pane::Phones), Some(&error)),
    };
    note_dropped(state, &instances, "phone");
    let seen = Clock {
        now: state.now,
        wall: state.wall,
    };
    let phones = &mut state.panes.phones;
    let previous = std::mem::take(&mut phones.rows);
    let changes = &mut state.changes;
    let old: std::collections::HashMap<&str, &PhoneRow> =
        previous.iter().map(|p| (p.id.as_str(), p)).collect();
    phones.rows = instances
        .rows
        .into_iter()
        .map(|instance| {
            let kept = old.get(instance.instance_id.as_str());
            let same_status = kept.is_some_and(|p| p.status == instance.running_status);
            if let Some(before) = kept.filter(|_| !same_status) {
                changes.record(
                    &instance.instance_id,
                    seen,
                    PhoneStatus::label(before.status),
                    PhoneStatus::label(instance.running_status),
                );
            }
            PhoneRow {
                since: match kept {
                    Some(p) if same_status => p.since,
                    Some(_) => Some(seen),
                    None => None,
                },
                changed_in_poll: kept.filter(|_| same_status).and_then(|p| p.changed_in_poll),
                refreshed: seen.now,
                error: kept.and_then(|p| p.error.clone()),
                id: instance.instance_id,
                name: instance.instance_name,
                status: instance.running_status,
            }
        })
        .collect();
    state.phone_index = state
        .panes
        .phones
        .rows
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    state.poll += 1;
    finish_poll(state, Changed::All, true, None);
}

/// Which phone rows a poll changed.
enum Changed {
    /// The list itself (rows added or removed): recompute the view.
    All,
    /// These rows changed in place: move only them.
    Rows(Vec<usize>),
}

/// A failure as a row's LAST ERROR: the code, then the message.
pub fn short_error(error: &ApiError) -> String {
    match &error.code {
        Some(code) => format!("{code} {}", error.message),
        None => error.message.clone(),
    }
}

pub fn on_status(state: &mut AppState, batch: BatchStatus) {
    state.poll += 1;
    let poll = state.poll;
    let seen = Clock {
        now: state.now,
        wall: state.wall,
    };
    let mut changed = Vec::new();
    let phones = &mut state.panes.phones.rows;
    // Answers come chunk by chunk in the order the ids were asked, which is the rows'
    // order: the next result is nearly always the next row, so one comparison stands
    // in for most of 100,000 random hash lookups (they dominated a big poll).
    let mut next_row = 0;
    let answered_for_all = batch.failures.is_empty() && batch.results.len() == phones.len();
    for result in batch.results {
        let index = match phones.get(next_row) {
            Some(phone) if phone.id == result.instance_id => Some(next_row),
            _ => state.phone_index.get(&result.instance_id).copied(),
        };
        if let Some(i) = index {
            next_row = i + 1;
            let phone = &mut phones[i];
            let mut row_changed = phone.error.take().is_some();
            phone.refreshed = seen.now;
            if phone.status != result.status {
                state.changes.record(
                    &phone.id,
                    seen,
                    PhoneStatus::label(phone.status),
                    PhoneStatus::label(result.status),
                );
                state.counts.moved(phone.status, result.status);
                phone.status = result.status;
                phone.since = Some(seen);
                phone.changed_in_poll = Some(poll);
                row_changed = true;
            }
            if row_changed {
                changed.push(i);
            }
        }
    }
    for failure in &batch.failures {
        let message = short_error(&failure.error);
        for id in &failure.ids {
            if let Some(&i) = state.phone_index.get(id) {
                phones[i].error = Some(message.clone());
                changed.push(i);
            }
        }
    }
    let summary = batch.failures.first().map(|failure| ApiError {
        message: format!(
            "{} of {} status batches failed; last data kept: {}",
            batch.failures.len(),
            batch.chunks,
            failure.error.message
        ),
        ..failure.error.clone()
    });
    finish_poll(
        state,
        Changed::Rows(changed),
        answered_for_all,
        summary.as_ref(),
    );
}

/// After a listing or a status poll: counts and view (most polls change nothing; a
/// poll that changes rows moves only those), the trend, the oldest row (no search
/// when the poll confirmed every phone), the feed.
fn finish_poll(
    state: &mut AppState,
    changed: Changed,
    confirmed_all: bool,
    error: Option<&ApiError>,
) {
    let phones = &mut state.panes.phones;
    state.oldest_refresh = if confirmed_all {
        Some(state.now)
    } else {
        phones.rows.iter().map(|p| p.refreshed).min()
    };
    match changed {
        Changed::All => {
            state.counts = StatusCounts::of(phones.rows.iter().map(|p| p.status));
            phones.view.refresh(&phones.rows);
        }
        // The counts already followed each changed status.
        Changed::Rows(rows) => phones.view.refresh_changed(&phones.rows, &rows),
    }
    state.history.record(state.now, &state.counts);
    record_result(state, FeedId::Pane(Pane::Phones), error);
}
