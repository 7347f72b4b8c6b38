//! A polled resource's health: when it last worked, its last error, when to poll
//! next. Each pane has one feed; the restart jobs have another.

use std::time::{Duration, Instant};

use crate::api::{ApiError, ErrorKind};

use super::pane::Pane;

/// A poll under way for this long is shown in the header.
pub const SLOW_POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct Feed {
    pub last_ok: Option<Instant>,
    pub error: Option<String>,
    /// The last failure was the gateway's throttling (429).
    pub throttled: bool,
    /// The last failure was a rejected or missing credential: renewal did not help.
    pub credentials_rejected: bool,
    pub failures: u32,
    /// What part the last poll could not refresh, when only a part ("32 of 6,000
    /// phones not refreshed: 1 batch failed"); the rest is fresh.
    pub partial: Option<String>,
    /// When the failures in a row began.
    pub failing_since: Option<Instant>,
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
            partial: None,
            failing_since: None,
            in_flight: false,
            started: now,
            next_due: now,
        }
    }

    pub fn start(&mut self, now: Instant) {
        self.in_flight = true;
        self.started = now;
    }

    /// Whether a poll should start now.
    pub fn is_due(&self, now: Instant) -> bool {
        !self.in_flight && self.next_due <= now
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
        self.failing_since = None;
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
        self.failing_since.get_or_insert(now);
        self.in_flight = false;
        self.next_due = now + interval * 2u32.pow(self.failures.min(3));
    }

    pub fn is_stale(&self) -> bool {
        self.error.is_some()
    }
}

/// The polled resources: each pane's, and the restart jobs being followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedId {
    Pane(Pane),
    Jobs,
}

impl FeedId {
    pub fn name(self) -> &'static str {
        match self {
            FeedId::Pane(pane) => pane.spec().word,
            FeedId::Jobs => "jobs",
        }
    }
}
