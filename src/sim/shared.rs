//! What every handler of a running simulator shares: the fleet, the staged faults,
//! the tokens it issued, the request log and the rate-limit windows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::State;
use std::time::Instant;

use rand::Rng;
use rand::rngs::SmallRng;

use crate::api::{ApiName, RateLimits};

use super::faults::Faults;
use super::fleet::Fleet;
use super::options::{LiveOffset, SimCredentials};
use super::reply;

/// One request as the simulator received it (before any fault or answer).
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The query string, if any (`limit=1000&marker=...`).
    pub query: Option<String>,
    pub body: String,
    pub request_id: Option<String>,
    /// The headers an AK/SK signature covers (empty for token calls).
    pub signed_headers: Vec<String>,
    /// `X-Project-Id`, when sent.
    pub project_header: Option<String>,
}

impl LoggedRequest {
    /// Requests that change something (reads, the status query and logins excluded).
    pub fn is_mutation(&self) -> bool {
        self.method == "POST"
            && !self.path.ends_with("/batch-query-status")
            && !self.path.starts_with("/v3/auth")
    }
}

/// Tokens the simulator accepts, and when they expire.
#[derive(Default)]
pub(super) struct TokenBook {
    /// Token -> first time it was used.
    pub(super) first_use: HashMap<String, Instant>,
    pub(super) revoked: Vec<String>,
    pub(super) issued: Vec<String>,
}

pub(crate) struct Shared {
    pub(super) fleet: Mutex<Fleet>,
    pub(super) live_domains: Vec<String>,
    pub(super) live_offset: LiveOffset,
    pub(super) region: String,
    pub(super) clock_skew: chrono::TimeDelta,
    pub(super) faults: Mutex<Faults>,
    pub(super) credentials: SimCredentials,
    pub(super) tokens: Mutex<TokenBook>,
    /// The latest `REQUEST_LOG_CAP` requests, so a long demo does not grow without bound.
    pub(super) log: Mutex<std::collections::VecDeque<LoggedRequest>>,
    pub(super) rng: Mutex<SmallRng>,
    pub(super) rate_limits: RateLimits,
    pub(super) koophone_page_cap: usize,
    /// When each rate-limited API was last called, within its window.
    pub(super) calls: Mutex<HashMap<ApiName, std::collections::VecDeque<Instant>>>,
}

/// Locks a mutex even if a panicking handler poisoned it: the state is still usable.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn fleet(&self) -> MutexGuard<'_, Fleet> {
        let mut fleet = lock(&self.fleet);
        fleet.advance(Instant::now());
        fleet
    }

    pub(crate) fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    /// True with probability `rate`.
    pub(crate) fn chance(&self, rate: f64) -> bool {
        rate > 0.0 && lock(&self.rng).random_bool(rate.min(1.0))
    }

    pub(crate) fn record(&self, request: LoggedRequest) {
        let mut log = lock(&self.log);
        if log.len() == REQUEST_LOG_CAP {
            log.pop_front();
        }
        log.push_back(request);
    }

    /// The simulator's idea of now (the real clock, skewed as staged).
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_skew
    }

    /// The gateway's 429 `APIGW.0308` when `api` was called its limit's number of
    /// times within the limit's period (a sliding window); else the call is counted.
    pub(crate) fn over_rate_limit(&self, api: ApiName) -> Option<axum::response::Response> {
        let rate = self.rate_limits.limit(api)?;
        let now = Instant::now();
        let mut calls = lock(&self.calls);
        let window = calls.entry(api).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= rate.period)
        {
            window.pop_front();
        }
        if window.len() >= rate.requests as usize {
            return Some(reply::coded_error(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                crate::api::error::GATEWAY_THROTTLE_CODE,
                &format!(
                    "The throttling threshold has been reached: policy user over ratelimit, limit:{}, time:{}",
                    rate.requests,
                    humantime::format_duration(rate.period)
                ),
            ));
        }
        window.push_back(now);
        None
    }

    pub(crate) fn issue_token(&self) -> String {
        let token = format!("sim-iam-{}", uuid::Uuid::new_v4().simple());
        lock(&self.tokens).issued.push(token.clone());
        token
    }
}

const REQUEST_LOG_CAP: usize = 20_000;

/// What a handler is given: the simulator's shared state.
pub type Sim = State<Arc<Shared>>;

/// A project id in a path must be the token's.
pub fn check_project(shared: &Shared, project_id: &str) -> Result<(), String> {
    if project_id == shared.credentials.project_id {
        Ok(())
    } else {
        Err(format!(
            "project {project_id} does not match the token's project"
        ))
    }
}
