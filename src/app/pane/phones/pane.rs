//! The phones pane: its table, and what only phones keep (where each row is by id,
//! the status counts and their trend, the poll counter), and what a listing or a
//! status poll does to them. What the refresh means to the rest of the state is
//! returned as a `Refresh`.

use std::collections::HashMap;
use std::time::Instant;

use crate::api::ApiError;
use crate::api::koophone::{BatchStatus, Instance, PhoneStatus};
use crate::api::tolerant::Rows;
use crate::app::clock::Clock;
use crate::app::counts::StatusCounts;
use crate::app::history::StatusHistory;
use crate::app::pane::data::PaneData;
use crate::app::pane::refresh::Refresh;

use super::row::{PhoneRow, short_error};

pub struct Phones {
    pub table: PaneData<PhoneRow>,
    /// Where each phone is in `table.rows`, by id.
    pub index: HashMap<String, usize>,
    pub counts: StatusCounts,
    pub history: StatusHistory,
    /// Status polls completed; a row changed in the latest one is highlighted.
    pub polls: u64,
    /// Where the next partial poll's round-robin share starts (under a request budget).
    pub poll_cursor: usize,
    /// When the least recently confirmed phone was confirmed.
    pub oldest_refresh: Option<Instant>,
}

/// Which phone rows a poll changed.
enum Changed {
    /// The list itself (rows added or removed): recompute the view.
    All,
    /// These rows changed in place: move only them.
    Rows(Vec<usize>),
}

impl Phones {
    pub fn new(now: Instant) -> Self {
        Phones {
            table: PaneData::new(now),
            index: HashMap::new(),
            counts: StatusCounts::default(),
            history: StatusHistory::default(),
            polls: 0,
            poll_cursor: 0,
            oldest_refresh: None,
        }
    }

    /// A fresh listing: rows keep what was observed of them (since when, the last
    /// error); a status that changed since the last data is a change seen now.
    pub fn listed(&mut self, result: Result<Rows<Instance>, ApiError>, seen: Clock) -> Refresh {
        let instances = match result {
            Ok(instances) => instances,
            Err(error) => return Refresh::failed(error),
        };
        let mut refresh = Refresh::default();
        refresh.note_dropped(&instances, "phone");
        let previous = std::mem::take(&mut self.table.rows);
        let old: HashMap<&str, &PhoneRow> = previous.iter().map(|p| (p.id.as_str(), p)).collect();
        self.table.rows = instances
            .rows
            .into_iter()
            .map(|instance| {
                let kept = old.get(instance.instance_id.as_str());
                let same_status = kept.is_some_and(|p| p.status == instance.running_status);
                if let Some(before) = kept.filter(|_| !same_status) {
                    refresh.changes.push((
                        instance.instance_id.clone(),
                        PhoneStatus::label(before.status),
                        PhoneStatus::label(instance.running_status),
                    ));
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
        self.index = (self.table.rows.iter().enumerate())
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        self.polls += 1;
        self.finish_poll(Changed::All, true, seen.now);
        refresh
    }

    /// A status poll's answers: the rows whose status moved, and the rows that could
    /// not be read (their LAST ERROR).
    pub fn status_answered(&mut self, batch: BatchStatus, seen: Clock) -> Refresh {
        self.polls += 1;
        let poll = self.polls;
        let mut refresh = Refresh::default();
        let mut changed = Vec::new();
        let phones = &mut self.table.rows;
        // Answers come chunk by chunk in the order the ids were asked, which is the rows'
        // order: the next result is nearly always the next row, so one comparison stands
        // in for most of 100,000 random hash lookups (they dominated a big poll).
        let mut next_row = 0;
        let answered_for_all = batch.failures.is_empty() && batch.results.len() == phones.len();
        for result in batch.results {
            let index = match phones.get(next_row) {
                Some(phone) if phone.id == result.instance_id => Some(next_row),
                _ => self.index.get(&result.instance_id).copied(),
            };
            let Some(i) = index else { continue };
            next_row = i + 1;
            let phone = &mut phones[i];
            let mut row_changed = phone.error.take().is_some();
            phone.refreshed = seen.now;
            if phone.status != result.status {
                refresh.changes.push((
                    phone.id.clone(),
                    PhoneStatus::label(phone.status),
                    PhoneStatus::label(result.status),
                ));
                self.counts.moved(phone.status, result.status);
                phone.status = result.status;
                phone.since = Some(seen);
                phone.changed_in_poll = Some(poll);
                row_changed = true;
            }
            if row_changed {
                changed.push(i);
            }
        }
        for failure in &batch.failures {
            let message = short_error(&failure.error);
            for id in &failure.ids {
                if let Some(&i) = self.index.get(id) {
                    phones[i].error = Some(message.clone());
                    changed.push(i);
                }
            }
        }
        // Every batch failed: the pane is stale. Some did: only their phones are,
        // each row saying why, and the header says how many.
        match batch.failures.first() {
            Some(failure) if batch.failures.len() >= batch.chunks => {
                refresh.error = Some(ApiError {
                    message: format!(
                        "{} of {} status batches failed; last data kept: {}",
                        batch.failures.len(),
                        batch.chunks,
                        failure.error.message
                    ),
                    ..failure.error.clone()
                });
            }
            Some(failure) => {
                let phones: usize = batch.failures.iter().map(|f| f.ids.len()).sum();
                refresh.partial = Some(format!(
                    "{phones} of {} phones not refreshed: {} batch(es) failed ({})",
                    self.table.rows.len(),
                    batch.failures.len(),
                    short_error(&failure.error)
                ));
            }
            None => {}
        }
        self.finish_poll(Changed::Rows(changed), answered_for_all, seen.now);
        refresh
    }

    /// After a listing or a status poll: counts and view (most polls change nothing; a
    /// poll that changes rows moves only those), the trend, the oldest row (no search
    /// when the poll confirmed every phone).
    fn finish_poll(&mut self, changed: Changed, confirmed_all: bool, now: Instant) {
        let table = &mut self.table;
        self.oldest_refresh = if confirmed_all {
            Some(now)
        } else {
            table.rows.iter().map(|p| p.refreshed).min()
        };
        match changed {
            Changed::All => {
                self.counts = StatusCounts::of(table.rows.iter().map(|p| p.status));
                table.refresh_view();
            }
            // The counts already followed each changed status.
            Changed::Rows(rows) => table.refresh_view_changed(&rows),
        }
        self.history.record(now, &self.counts);
    }
}
