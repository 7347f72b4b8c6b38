//! The dashboard's whole state. Drawing reads it; only `update` changes it.

use crate::app::run_id::RunId;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::action_kind::ActionKind;

use super::activity::ActivityLog;
use super::clock::Clock;
use super::feed::{Feed, FeedId};
use super::jobs::JobRow;
use super::keymap::KeyMap;
use super::pane::data::AnyPane;
use super::pane::{Pane, Panes};
use super::settings::Settings;
use crate::api::cph::JobRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Cancel,
    Confirm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDialog {
    pub kind: ActionKind,
    pub targets: Vec<String>,
    /// Marked targets the filter hides.
    pub hidden: usize,
    /// What the engineer typed (the count, from `TYPED_COUNT_FROM` targets up).
    pub typed: String,
    pub focus: Focus,
    /// A retry: the action it retries (its targets are that action's failed,
    /// unknown and not-sent ones).
    pub retry_of: Option<RetryOf>,
    /// How many targets the action cannot apply to as they stand, and why.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryOf {
    pub action_id: String,
    /// How many targets that action had.
    pub total: usize,
}

/// From this many targets on, the count must be typed to confirm.
pub const TYPED_COUNT_FROM: usize = 10;

impl ConfirmDialog {
    pub fn needs_typed_count(&self) -> bool {
        self.targets.len() >= TYPED_COUNT_FROM
    }
}

/// One row seen whole (Enter): its fields, the status changes seen, its audit lines
/// across runs, its last error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub pane: Pane,
    pub key: String,
    pub audit: AuditHistory,
    pub record: WholeRecord,
    /// Lines scrolled past.
    pub scroll: u16,
}

/// Where the detail view's fields come from: the row itself, or, for a phone (whose
/// row keeps only what the table shows), a read of the whole record by the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WholeRecord {
    InRow,
    Reading,
    Read(Vec<(String, String)>),
    Unavailable(String),
}

/// The target's audit lines, read from the log by the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditHistory {
    Reading,
    Read(Vec<crate::audit::read::Record>),
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filtering,
    /// The `:` command line, with what has been typed.
    Command(String),
    /// The `?` overlay, scrolled down by `scroll` lines (a small terminal cannot show
    /// it whole).
    Help {
        scroll: u16,
    },
    Confirm(ConfirmDialog),
    ConfirmQuit,
    Detail(Detail),
    /// The activity log focused, an entry selected (an index into its entries).
    Activity {
        selected: usize,
    },
    /// One activity entry in full, wrapped.
    LogLine {
        selected: usize,
    },
    /// An action's targets grouped by outcome and cause (Enter on its entry); one
    /// group selected, to mark into its pane.
    RunTargets {
        /// The entry it was opened from, to go back to.
        entry: usize,
        action: RunId,
        group: usize,
    },
}

pub struct AppState {
    pub settings: Settings,
    pub keymap: KeyMap,
    pub now: Instant,
    pub wall: DateTime<Utc>,
    pub size: (u16, u16),
    pub pane: Pane,
    pub mode: Mode,
    /// Every pane's rows, view and feed.
    pub panes: Panes,
    /// Each target's status changes seen since start (the detail view).
    pub changes: super::changes::StatusLog,
    /// Restart jobs followed: newest run first, then by encoder name.
    pub jobs: Vec<JobRow>,
    pub jobs_feed: Feed,
    /// Whether the audit log was asked for this profile's earlier runs.
    pub earlier_runs_asked: bool,
    pub activity: ActivityLog,
    pub log_expanded: bool,
    pub frozen: bool,
    /// Actions still running (ids in the activity log).
    pub running: Vec<RunId>,
    /// Quitting: running actions were told to stop; quit once they have ended.
    pub stopping: bool,
    pub next_run: RunId,
    /// A short notice in the footer, replaced by the next one.
    pub flash: Option<String>,
    /// Filters used before, the latest last (↑ in the filter prompt recalls them).
    pub filter_history: Vec<String>,
    /// How far back ↑ has gone in this prompt.
    pub filter_recall: usize,
    pub quit: bool,
}

impl AppState {
    pub fn new(settings: Settings, clock: Clock) -> Self {
        let now = clock.now;
        AppState {
            settings,
            keymap: KeyMap::default(),
            now,
            wall: clock.wall,
            size: (80, 24),
            pane: Pane::Phones,
            mode: Mode::Normal,
            panes: Panes::new(now),
            changes: Default::default(),
            jobs: Vec::new(),
            jobs_feed: Feed::new(now),
            activity: ActivityLog::default(),
            earlier_runs_asked: false,
            log_expanded: false,
            frozen: false,
            running: Vec::new(),
            stopping: false,
            next_run: RunId::FIRST,
            flash: None,
            filter_history: Vec::new(),
            filter_recall: 0,
            quit: false,
        }
    }

    /// A pane, whatever its row type.
    pub fn pane(&self, pane: Pane) -> &dyn AnyPane {
        self.panes.get(pane)
    }

    pub fn pane_mut(&mut self, pane: Pane) -> &mut dyn AnyPane {
        self.panes.get_mut(pane)
    }

    /// The pane on screen.
    pub fn current(&mut self) -> &mut dyn AnyPane {
        self.panes.get_mut(self.pane)
    }

    pub fn feed_mut(&mut self, id: FeedId) -> &mut Feed {
        match id {
            FeedId::Pane(pane) => self.panes.get_mut(pane).feed_mut(),
            FeedId::Jobs => &mut self.jobs_feed,
        }
    }

    /// Every feed: the panes', then the jobs'.
    pub fn feeds(&self) -> impl Iterator<Item = &Feed> {
        Pane::ALL
            .iter()
            .map(|&pane| self.panes.get(pane).feed())
            .chain(std::iter::once(&self.jobs_feed))
    }

    /// Makes every feed due now.
    pub fn refresh_all(&mut self) {
        let now = self.now;
        for &pane in Pane::ALL {
            self.pane_mut(pane).feed_mut().next_due = now;
        }
        self.jobs_feed.next_due = now;
    }

    /// Work under way worth showing: slow polls and running actions.
    pub fn in_flight(&self) -> usize {
        self.feeds().filter(|feed| feed.is_slow(self.now)).count() + self.running.len()
    }

    pub fn throttled(&self) -> bool {
        self.feeds().any(|f| f.throttled)
    }

    /// The first rejected-credentials error, if polls fail for that reason.
    pub fn credentials_problem(&self) -> Option<&str> {
        self.feeds()
            .find(|f| f.credentials_rejected)
            .and_then(|f| f.error.as_deref())
    }

    pub fn running_actions(&self) -> usize {
        self.running.len()
    }

    /// Rows in a pane: (shown, total).
    pub fn shown_and_total(&self, pane: Pane) -> (usize, usize) {
        let pane = self.pane(pane);
        (pane.view().visible.len(), pane.total())
    }

    pub fn running_jobs(&self) -> Vec<JobRef> {
        self.jobs
            .iter()
            .filter(|j| !j.state.is_finished())
            .map(|j| JobRef {
                job_id: j.job_id.clone(),
                request_id: j.request_id.clone(),
            })
            .collect()
    }

    /// Keeps status changes a listing brought, for the detail view.
    pub fn record_changes(&mut self, changes: Vec<(String, String, String)>) {
        let at = Clock {
            now: self.now,
            wall: self.wall,
        };
        for (key, from, to) in changes {
            self.changes.record(&key, at, from, to);
        }
    }

    /// Keeps a filter for ↑ (once: using one again moves it to the latest).
    pub fn remember_filter(&mut self, filter: String) {
        self.filter_history.retain(|f| *f != filter);
        self.filter_history.push(filter);
        const KEPT: usize = 20;
        if self.filter_history.len() > KEPT {
            self.filter_history.remove(0);
        }
    }

    /// The next earlier filter for ↑, if there is one.
    pub fn recalled_filter(&mut self) -> Option<String> {
        let index = self
            .filter_history
            .len()
            .checked_sub(self.filter_recall + 1)?;
        self.filter_recall += 1;
        self.filter_history.get(index).cloned()
    }

    /// An encoder's name as listed (its id while it is not).
    pub fn encoder_name(&self, id: &str) -> String {
        self.panes
            .encoders
            .rows
            .iter()
            .find(|e| e.0.encode_server_id == id)
            .map_or_else(|| id.to_string(), |e| e.0.encode_server_name.clone())
    }

    pub fn log_activity(&mut self, entry: super::activity::Entry) {
        self.activity.push(self.now, entry);
    }

    /// Says something in the footer and keeps it in the activity log.
    pub fn notify(&mut self, note: String) {
        self.flash = Some(note.clone());
        self.log_activity(super::activity::Entry::Note(note));
    }
}
