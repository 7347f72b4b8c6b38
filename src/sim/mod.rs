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
mod options;
mod reply;
mod router;
mod shared;
mod sparse;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::SmallRng;

pub use faults::Faults;
use secrecy::SecretString;

use crate::api::{AccessKey, ApiConfig, Credentials, Endpoints, Limits, RetryPolicy, TokenSource};
pub use fleet::{Fleet, FleetSize};
pub use options::{LiveOffset, SimCredentials, SimOptions};
pub use shared::LoggedRequest;
use shared::{Shared, TokenBook, lock};

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
