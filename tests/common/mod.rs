//! Shared test helpers: an in-process simulator and a client configured for it.
#![allow(dead_code)]

pub mod harness;
pub mod tls;

use std::time::Duration;

use phonedeck::api::{Api, ApiConfig, RetryPolicy};
use phonedeck::sim::{self, FleetSize, SimHandle, SimOptions};

/// Simulator options for tests: a steady fleet (no churn) with quick transitions.
pub fn sim_options() -> SimOptions {
    SimOptions {
        size: FleetSize {
            phones: 250,
            servers: 6,
            encoders: 5,
            streams: 12,
        },
        live_domains: vec!["publish.example.com".into(), "push.example.org".into()],
        transition: Duration::from_millis(200),
        churn_per_sec: 0.0,
        ..SimOptions::default()
    }
}

pub async fn start_sim() -> SimHandle {
    start_sim_with(sim_options()).await
}

/// The test simulator with a fleet of another size.
pub async fn start_sim_sized(resize: impl FnOnce(&mut FleetSize)) -> SimHandle {
    let mut options = sim_options();
    resize(&mut options.size);
    start_sim_with(options).await
}

pub async fn start_sim_with(options: SimOptions) -> SimHandle {
    sim::start(options).await.expect("simulator starts")
}

/// A client for `sim` with fast retries, so fault tests stay quick.
pub fn config_for(sim: &SimHandle) -> ApiConfig {
    let mut config = sim.api_config();
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    };
    config
}

pub fn api_for(sim: &SimHandle) -> Api {
    Api::new(config_for(sim)).expect("client builds")
}

/// Mutating requests the simulator received.
pub fn mutations(sim: &SimHandle) -> Vec<phonedeck::sim::LoggedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.is_mutation())
        .collect()
}

pub fn phone_ids(sim: &SimHandle) -> Vec<String> {
    sim.with_fleet(|f| f.phones.iter().map(|p| p.id.clone()).collect())
}

/// What a run of the phonedeck binary printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: std::process::Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Standard output as JSON (the test fails, showing it, when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// A plain HTTP client (crypto provider installed) for raw requests to the simulator.
pub fn raw_client() -> reqwest::Client {
    phonedeck::api::transport::build_http_client(&phonedeck::api::Limits::default())
        .expect("client builds")
}

/// A small tmpfs, unmounted when dropped (it needs root, as CI is).
pub struct SmallDisk {
    pub dir: tempfile::TempDir,
}

impl SmallDisk {
    pub fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// Makes the first two streams collide when their parts are joined with `/`: app
/// `live/x` with stream `y`, and app `live` with stream `x/y`, on one domain, which
/// is returned.
pub fn colliding_streams(sim: &SimHandle) -> String {
    sim.with_fleet(|fleet| {
        let domain = fleet.streams[0].domain.clone();
        for (index, (app, stream)) in [("live/x", "y"), ("live", "x/y")].into_iter().enumerate() {
            fleet.streams[index].domain = domain.clone();
            fleet.streams[index].app = app.into();
            fleet.streams[index].stream = stream.into();
        }
        domain
    })
}
