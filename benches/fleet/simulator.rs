//! The simulator as its own process (`phonedeck sim`), with latency and no churn, and
//! a client for it configured as the benchmarks need.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use phonedeck::api::{Api, ApiConfig, Credentials, Endpoints, Limits, RetryPolicy, TokenSource};

pub const LATENCY_MS: u64 = 50;
pub const IN_FLIGHT: usize = 16;

pub struct Simulator {
    child: Child,
    pub base: String,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(phones: usize) -> Simulator {
    start_with(phones, &[])
}

/// The simulator with more flags (`--streams 1000`, `--limit API=RATE`).
pub fn start_with(phones: usize, flags: &[&str]) -> Simulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--churn",
            "0",
            "--latency-ms",
        ])
        .arg(LATENCY_MS.to_string())
        .args(["--phones", &phones.to_string()])
        .args(flags)
        .stdout(Stdio::piped())
        .spawn()
        .expect("simulator starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("address line");
    let base = first.trim().rsplit(' ').next().expect("url").to_string() + "/";
    // The simulator prints more lines; a closed pipe would kill it on the next one.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Simulator { child, base }
}

pub fn token() -> String {
    phonedeck::sim::SimCredentials::default().token
}

pub fn api(sim: &Simulator) -> Api {
    api_limited(sim, Default::default())
}

/// A client paced to `rate_limits`.
pub fn api_limited(sim: &Simulator, rate_limits: phonedeck::api::RateLimits) -> Api {
    let defaults = phonedeck::sim::SimCredentials::default();
    let base = reqwest::Url::parse(&sim.base).expect("url");
    Api::new(ApiConfig {
        endpoints: Endpoints::all_at(&base),
        project_id: Some(defaults.project_id),
        region: None,
        compute_api: Default::default(),
        compute_cloud: None,
        live_domains: vec!["publish.example.com".into()],
        credentials: Credentials {
            token: Some(TokenSource::Fixed(defaults.token.into())),
            access_key: None,
        },
        read_only: false,
        max_in_flight: IN_FLIGHT,
        max_requests_per_sec: None,
        rate_limits,
        limits: Limits::default(),
        retry: RetryPolicy::default(),
    })
    .expect("client")
}

pub async fn phone_ids(api: &Api) -> Vec<String> {
    api.koophone()
        .list_instances()
        .await
        .expect("listed")
        .into_iter()
        .map(|i| i.instance_id)
        .collect()
}
