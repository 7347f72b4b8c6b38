//! The clock every message is handled at: `update` never reads the time itself, so
//! tests pass a fixed one.

use std::time::Instant;

use chrono::{DateTime, Utc};

/// The clock every message is handled at (tests pass a fixed one).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: Instant,
    pub wall: DateTime<Utc>,
}

impl Clock {
    pub fn system() -> Self {
        Clock {
            now: Instant::now(),
            wall: Utc::now(),
        }
    }

    /// The wall-clock time of an instant (RFC 3339, seconds).
    pub fn wall_time(&self, at: Instant) -> String {
        let ago =
            chrono::TimeDelta::from_std(self.now.saturating_duration_since(at)).unwrap_or_default();
        (self.wall - ago).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}
