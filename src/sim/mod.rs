//! The built-in simulator: a real HTTP server on loopback speaking the wire protocol
//! of KooPhone, Live, compute, CPH and IAM, with a changing fleet and staged faults.
//! `phonedeck sim` runs it in the foreground; tests and demo mode run it in-process.

mod compute;
mod cph;
pub mod faults;
mod fleet;
mod gateway;
mod guard;
mod iam;
mod koophone;
mod live;
mod reply;
mod router;
mod sparse;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub use faults::Faults;
use secrecy::SecretString;

use crate::api::{
    AccessKey, ApiConfig, ApiName, Credentials, Endpoints, Limits, RateLimits, RetryPolicy,
    TokenSource,
};
pub use fleet::{Fleet, FleetSize};

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
struct TokenBook {
    /// Token -> first time it was used.
    first_use: HashMap<String, Instant>,
    revoked: Vec<String>,
    issued: Vec<String>,
}

pub(crate) struct Shared {
    fleet: Mutex<Fleet>,
    live_domains: Vec<String>,
    live_offset: LiveOffset,
    region: String,
    clock_skew: chrono::TimeDelta,
    faults: Mutex<Faults>,
    credentials: SimCredentials,
    tokens: Mutex<TokenBook>,
    /// The latest `REQUEST_LOG_CAP` requests, so a long demo does not grow without bound.
    log: Mutex<std::collections::VecDeque<LoggedRequest>>,
    rng: Mutex<SmallRng>,
    rate_limits: RateLimits,
    koophone_page_cap: usize,
    /// When each rate-limited API was last called, within its window.
    calls: Mutex<HashMap<ApiName, std::collections::VecDeque<Instant>>>,
}

/// Locks a mutex even if a panicking handler poisoned it: the state is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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

/// A running simulator; dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> reqwest::Url {
        let text = format!("http://{}/", self.addr);
        reqwest::Url::parse(&text).expect("a socket address forms a valid URL")
    }

    pub fn credentials(&self) -> &SimCredentials {
        &self.shared.credentials
    }

    pub fn region(&self) -> &str {
        &self.shared.region
    }

    /// The publish domains the streams live under.
    pub fn live_domains(&self) -> &[String] {
        &self.shared.live_domains
    }

    /// The access key this simulator accepts, with its security token when temporary.
    pub fn access_key(&self) -> AccessKey {
        let credentials = &self.shared.credentials;
        AccessKey {
            access_key: credentials.access_key.clone(),
            secret_key: SecretString::from(credentials.secret_key.clone()),
            security_token: credentials.security_token.clone().map(SecretString::from),
        }
    }

    /// A client configuration for this simulator: its endpoints, token and project.
    pub fn api_config(&self) -> ApiConfig {
        let credentials = &self.shared.credentials;
        ApiConfig {
            endpoints: Endpoints::all_at(&self.base_url()),
            project_id: Some(credentials.project_id.clone()),
            region: None,
            compute_api: Default::default(),
            compute_cloud: None,
            live_domains: self.shared.live_domains.clone(),
            credentials: Credentials {
                token: Some(TokenSource::Fixed(SecretString::from(
                    credentials.token.clone(),
                ))),
                access_key: None,
            },
            read_only: false,
            max_in_flight: 8,
            max_requests_per_sec: None,
            rate_limits: self.shared.rate_limits.clone(),
            limits: Limits::default(),
            retry: RetryPolicy::default(),
        }
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).iter().cloned().collect()
    }

    /// Inspect or change the fleet (transitions due by now are applied first).
    pub fn with_fleet<R>(&self, f: impl FnOnce(&mut Fleet) -> R) -> R {
        f(&mut self.shared.fleet())
    }

    /// Makes the gateway answer `APIGW.0307` to this token from now on.
    pub fn revoke_token(&self, token: &str) {
        lock(&self.shared.tokens).revoked.push(token.to_string());
    }

    /// Accepts one more token (again, if it was revoked), as if the provider had
    /// issued it.
    pub fn accept_token(&self, token: &str) {
        let mut book = lock(&self.shared.tokens);
        book.revoked.retain(|revoked| revoked != token);
        book.issued.push(token.to_string());
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Binds and starts the simulator on the current tokio runtime.
pub async fn start(options: SimOptions) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    let mut fleet = Fleet::generate(
        &options.size,
        &options.live_domains,
        options.seed,
        Instant::now(),
    );
    fleet.transition = options.transition;
    if options.faults.hostile_names {
        fleet.make_names_hostile();
    }
    fleet.churn_per_sec = options.churn_per_sec;
    let shared = Arc::new(Shared {
        fleet: Mutex::new(fleet),
        live_domains: options.live_domains,
        live_offset: options.live_offset,
        region: options.region,
        clock_skew: chrono::TimeDelta::seconds(options.clock_skew_secs),
        faults: Mutex::new(options.faults),
        credentials: options.credentials,
        tokens: Mutex::new(TokenBook::default()),
        log: Mutex::new(std::collections::VecDeque::new()),
        rng: Mutex::new(SmallRng::seed_from_u64(options.seed)),
        rate_limits: options.rate_limits,
        koophone_page_cap: options.koophone_page_cap.max(1),
        calls: Mutex::new(HashMap::new()),
    });
    let app = router::router(shared.clone());
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(error) = serve.await {
            tracing::error!(%error, "simulator stopped");
        }
    });
    Ok(SimHandle {
        addr,
        shared,
        shutdown: Some(shutdown),
    })
}
