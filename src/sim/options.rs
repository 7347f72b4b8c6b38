//! How a simulator is started: its fleet, credentials, faults, clock and limits.

use std::net::SocketAddr;
use std::time::Duration;

use crate::api::RateLimits;

use super::faults::Faults;
use super::fleet::FleetSize;

/// Credentials the simulator accepts.
#[derive(Debug, Clone)]
pub struct SimCredentials {
    pub token: String,
    pub access_key: String,
    pub secret_key: String,
    pub project_id: String,
    /// The password IAM accepts for any user (`method = "password"`).
    pub password: String,
    /// When set, the access key is temporary: signed requests must carry this token
    /// in `X-Security-Token`.
    pub security_token: Option<String>,
}

impl Default for SimCredentials {
    fn default() -> Self {
        SimCredentials {
            token: "sim-token".into(),
            access_key: "SIMACCESSKEY0000".into(),
            secret_key: "sim-secret-key".into(),
            project_id: "0123456789abcdef0123456789abcdef".into(),
            password: "sim-password".into(),
            security_token: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub listen: SocketAddr,
    pub size: FleetSize,
    pub live_domains: Vec<String>,
    pub seed: u64,
    pub credentials: SimCredentials,
    pub faults: Faults,
    pub transition: Duration,
    pub churn_per_sec: f64,
    pub live_offset: LiveOffset,
    /// The region: IAM knows one project by this name.
    pub region: String,
    /// How far the simulator's clock is from the real one (seconds, either sign): its
    /// `Date` header and its signature check use the skewed clock.
    pub clock_skew_secs: i64,
    /// Each API's rate limit, enforced as the gateway does: the documented ones unless
    /// changed (tests and benchmarks speed them up).
    pub rate_limits: RateLimits,
    /// The most phones a KooPhone list page holds, whatever `page_size` asks (the
    /// answer's `page_size` says it): no maximum is documented.
    pub koophone_page_cap: usize,
}

/// What Live's `offset` query parameter counts in this simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LiveOffset {
    /// Offset N starts at page N (N × limit streams in).
    #[default]
    Pages,
    /// Offset N starts at the (N+1)th stream.
    Items,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            size: FleetSize {
                phones: 200,
                servers: 12,
                encoders: 8,
                streams: 24,
            },
            live_domains: vec!["publish.example.com".into()],
            seed: 1,
            credentials: SimCredentials::default(),
            faults: Faults::default(),
            transition: Duration::from_secs(3),
            churn_per_sec: 0.5,
            live_offset: LiveOffset::default(),
            region: "cn-east-3".into(),
            clock_skew_secs: 0,
            rate_limits: RateLimits::default(),
            koophone_page_cap: 100,
        }
    }
}
