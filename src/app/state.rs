//! The dashboard's whole state. Drawing reads it; only `update` changes it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::action_kind::ActionKind;
use crate::api::{ApiError, ErrorKind};

use super::activity::ActivityLog;
use super::clock::Clock;
use super::counts::StatusCounts;
use super::keymap::KeyMap;
use super::rows::{EncoderRow, JobRow, PhoneRow, ServerRow, StreamRow};
use super::table::TableView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Phones,
    Streams,
    Encoders,
    Servers,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Phones, Pane::Streams, Pane::Encoders, Pane::Servers];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Phones => "Phones",
            Pane::Streams => "Streams",
            Pane::Encoders => "Encoders",
            Pane::Servers => "Servers",
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn cycle(self, step: isize) -> Pane {
        let n = Pane::ALL.len() as isize;
        Pane::ALL[((self.index() as isize + step).rem_euclid(n)) as usize]
    }
}

/// A poll under way for this long is shown in the header.
pub const SLOW_POLL: Duration = Duration::from_secs(1);

/// One polled resource: when it last worked, its last error, and when to poll next.
#[derive(Debug, Clone)]
pub struct Feed {
    pub last_ok: Option<Instant>,
    pub error: Option<String>,
    /// The last failure was the gateway's throttling (429).
    pub throttled: bool,
    /// The last failure was a rejected or missing credential: renewal did not help.
    pub credentials_rejected: bool,
    pub failures: u32,
    pub in_flight: bool,
    /// When the poll under way was started.
    pub started: Instant,
    pub next_due: Instant,
}

impl Feed {
    pub fn new(now: Instant) -> Self {
        Feed {
            last_ok: None,
            error: None,
            throttled: false,
            credentials_rejected: false,
            failures: 0,
            in_flight: false,
            started: now,
            next_due: now,
        }
    }

    pub fn start(&mut self, now: Instant) {
        self.in_flight = true;
        self.started = now;
    }

    /// Under way for long enough that the engineer should see it (a quick poll is not
    /// shown, so an idle screen stays still).
    pub fn is_slow(&self, now: Instant) -> bool {
        self.in_flight && now.saturating_duration_since(self.started) >= SLOW_POLL
    }

    pub fn succeeded(&mut self, now: Instant, interval: Duration) {
        self.last_ok = Some(now);
        self.error = None;
        self.throttled = false;
        self.credentials_rejected = false;
        self.failures = 0;
        self.in_flight = false;
        self.next_due = now + interval;
    }

    /// Keeps the last data, remembers the error, and backs off (up to 8 intervals), so
    /// a throttled or failing service sees fewer polls until it recovers.
    pub fn failed(&mut self, now: Instant, interval: Duration, error: &ApiError) {
        self.error = Some(error.to_string());
        self.throttled = error.is_throttled();
        self.credentials_rejected =
            error.kind == ErrorKind::Credentials || matches!(error.status, Some(401 | 403));
        self.failures += 1;
        self.in_flight = false;
        self.next_due = now + interval * 2u32.pow(self.failures.min(3));
    }

    pub fn is_stale(&self) -> bool {
        self.error.is_some()
    }
}

/// The polled resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedId {
    Phones,
    Streams,
    Encoders,
    Servers,
    Jobs,
}

impl FeedId {
    pub fn name(self) -> &'static str {
        match self {
            FeedId::Phones => "phones",
            FeedId::Streams => "streams",
            FeedId::Encoders => "encoders",
            FeedId::Servers => "servers",
            FeedId::Jobs => "jobs",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Feeds {
    pub phones: Feed,
    pub streams: Feed,
    pub encoders: Feed,
    pub servers: Feed,
    pub jobs: Feed,
}

impl Feeds {
    pub fn get_mut(&mut self, id: FeedId) -> &mut Feed {
        match id {
            FeedId::Phones => &mut self.phones,
            FeedId::Streams => &mut self.streams,
            FeedId::Encoders => &mut self.encoders,
            FeedId::Servers => &mut self.servers,
            FeedId::Jobs => &mut self.jobs,
        }
    }

    pub fn all(&self) -> [&Feed; 5] {
        [
            &self.phones,
            &self.streams,
            &self.encoders,
            &self.servers,
            &self.jobs,
        ]
    }

    pub fn all_mut(&mut self) -> [&mut Feed; 5] {
        [
            &mut self.phones,
            &mut self.streams,
            &mut self.encoders,
            &mut self.servers,
            &mut self.jobs,
        ]
    }
}

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
}

/// From this many targets on, the count must be typed to confirm.
pub const TYPED_COUNT_FROM: usize = 10;

impl ConfirmDialog {
    pub fn needs_typed_count(&self) -> bool {
        self.targets.len() >= TYPED_COUNT_FROM
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filtering,
    /// The `:` command line, with what has been typed.
    Command(String),
    Help,
    Confirm(ConfirmDialog),
    ConfirmQuit,
}

/// Fixed for a session.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: String,
    pub simulator: bool,
    pub read_only: bool,
    pub poll_interval: Duration,
    /// The profile's request budget: when a full refresh does not fit in one
    /// interval, polls cover what matters first and the rest in turn.
    pub max_requests_per_sec: Option<f64>,
    /// Where exports and saved activity logs go.
    pub export_dir: std::path::PathBuf,
    /// Profiles `:profile` can switch to (none in the demo).
    pub profiles: Vec<String>,
    pub theme: crate::theme::Theme,
    /// Clicks and the wheel act on rows and tabs (`mouse = true`).
    pub mouse: bool,
}

impl Default for Settings {
    /// A real profile's defaults: polling every 5 s, no budget, exports to the
    /// current directory, the dark theme, no mouse.
    fn default() -> Self {
        Settings {
            profile: "default".into(),
            simulator: false,
            read_only: false,
            poll_interval: Duration::from_secs(5),
            max_requests_per_sec: None,
            export_dir: ".".into(),
            profiles: Vec::new(),
            theme: Default::default(),
            mouse: false,
        }
    }
}

pub struct AppState {
    pub settings: Settings,
    pub keymap: KeyMap,
    pub now: Instant,
    pub wall: DateTime<Utc>,
    pub size: (u16, u16),
    pub pane: Pane,
    pub mode: Mode,
    pub phones: Vec<PhoneRow>,
    pub phone_index: HashMap<String, usize>,
    pub phones_view: TableView,
    pub counts: StatusCounts,
    pub history: super::history::StatusHistory,
    pub streams: Vec<StreamRow>,
    pub streams_view: TableView,
    pub encoders: Vec<EncoderRow>,
    pub encoders_view: TableView,
    pub jobs: Vec<JobRow>,
    pub servers: Vec<ServerRow>,
    pub servers_view: TableView,
    pub feeds: Feeds,
    /// Status polls completed; a row changed in the latest one is highlighted.
    pub poll: u64,
    /// Where the next partial poll's round-robin share starts (under a request budget).
    pub poll_cursor: usize,
    /// When the least recently confirmed phone was confirmed.
    pub oldest_refresh: Option<Instant>,
    pub activity: ActivityLog,
    pub log_expanded: bool,
    pub frozen: bool,
    pub running_actions: usize,
    pub next_action: u64,
    /// A short notice in the footer, replaced by the next one.
    pub flash: Option<String>,
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
            phones: Vec::new(),
            phone_index: HashMap::new(),
            phones_view: TableView::default(),
            counts: StatusCounts::default(),
            history: Default::default(),
            streams: Vec::new(),
            streams_view: TableView::default(),
            encoders: Vec::new(),
            encoders_view: TableView::default(),
            jobs: Vec::new(),
            servers: Vec::new(),
            servers_view: TableView::default(),
            feeds: Feeds {
                phones: Feed::new(now),
                streams: Feed::new(now),
                encoders: Feed::new(now),
                servers: Feed::new(now),
                jobs: Feed::new(now),
            },
            poll: 0,
            poll_cursor: 0,
            oldest_refresh: None,
            activity: ActivityLog::default(),
            log_expanded: false,
            frozen: false,
            running_actions: 0,
            next_action: 1,
            flash: None,
            quit: false,
        }
    }

    /// Work under way worth showing: slow polls and running actions.
    pub fn in_flight(&self) -> usize {
        self.feeds
            .all()
            .iter()
            .filter(|feed| feed.is_slow(self.now))
            .count()
            + self.running_actions
    }

    pub fn throttled(&self) -> bool {
        self.feeds.all().iter().any(|f| f.throttled)
    }

    /// The first rejected-credentials error, if polls fail for that reason.
    pub fn credentials_problem(&self) -> Option<&str> {
        self.feeds
            .all()
            .into_iter()
            .find(|f| f.credentials_rejected)
            .and_then(|f| f.error.as_deref())
    }

    pub fn view(&self, pane: Pane) -> &TableView {
        match pane {
            Pane::Phones => &self.phones_view,
            Pane::Streams => &self.streams_view,
            Pane::Encoders => &self.encoders_view,
            Pane::Servers => &self.servers_view,
        }
    }

    /// Rows in a pane: (shown, total).
    pub fn shown_and_total(&self, pane: Pane) -> (usize, usize) {
        let total = match pane {
            Pane::Phones => self.phones.len(),
            Pane::Streams => self.streams.len(),
            Pane::Encoders => self.encoders.len(),
            Pane::Servers => self.servers.len(),
        };
        (self.view(pane).visible.len(), total)
    }

    pub fn running_jobs(&self) -> Vec<String> {
        self.jobs
            .iter()
            .filter(|j| !j.state.is_finished())
            .map(|j| j.job_id.clone())
            .collect()
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

/// Applies `$body` to the current pane's rows and view, whatever their row type.
#[macro_export]
macro_rules! with_pane {
    ($state:expr, $pane:expr, |$rows:ident, $view:ident| $body:expr) => {
        match $pane {
            $crate::app::state::Pane::Phones => {
                let ($rows, $view) = (&$state.phones, &mut $state.phones_view);
                $body
            }
            $crate::app::state::Pane::Streams => {
                let ($rows, $view) = (&$state.streams, &mut $state.streams_view);
                $body
            }
            $crate::app::state::Pane::Encoders => {
                let ($rows, $view) = (&$state.encoders, &mut $state.encoders_view);
                $body
            }
            $crate::app::state::Pane::Servers => {
                let ($rows, $view) = (&$state.servers, &mut $state.servers_view);
                $body
            }
        }
    };
}
