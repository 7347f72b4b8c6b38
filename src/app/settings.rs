//! What the dashboard is told at start and keeps for the session.

use std::time::Duration;

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
    /// Requests an action has in flight at most (the rest of its targets wait).
    pub max_in_flight: usize,
    /// Each API's rate limit: an action on a limited API is paced, and says so.
    pub rate_limits: crate::api::RateLimits,
    /// Where exports and saved activity logs go.
    pub export_dir: std::path::PathBuf,
    /// Profiles `:profile` can switch to (none in the demo).
    pub profiles: Vec<String>,
    pub theme: crate::theme::Theme,
    /// Clicks and the wheel act on rows and tabs (`mouse = true`).
    pub mouse: bool,
    /// `y` in a detail view copies the id through the terminal (OSC 52;
    /// `clipboard = true`).
    pub clipboard: bool,
    /// Starts every action id of this session (`3fa9c1d2-2`), so ids in the audit log
    /// stay unique across runs.
    pub session: String,
}

impl Default for Settings {
    /// A real profile's defaults: polling every 5 s, no budget, exports to the
    /// current directory, the dark theme, no mouse. The session is fixed, so a default
    /// is the same every time: a dashboard is given a fresh one when it starts
    /// (`audit::new_session_id`).
    fn default() -> Self {
        Settings {
            profile: "default".into(),
            simulator: false,
            read_only: false,
            poll_interval: Duration::from_secs(5),
            max_requests_per_sec: None,
            max_in_flight: 8,
            rate_limits: Default::default(),
            export_dir: ".".into(),
            profiles: Vec::new(),
            theme: Default::default(),
            mouse: false,
            clipboard: false,
            session: "00000000".into(),
        }
    }
}
