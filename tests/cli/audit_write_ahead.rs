//! The audit log is write-ahead: a process killed with SIGKILL in the middle of a
//! 500-target bulk action has a `sent` line for every request the simulator received.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::*;
use phonedeck::sim::Faults;

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_action_leaves_a_sent_line_for_every_request_received() {
    let mut options = sim_options();
    options.size.phones = 500;
    let sim = start_sim_with(options).await;
    sim.set_faults(Faults {
        latency: Duration::from_millis(40),
        ..Faults::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let base = sim.base_url();
    std::fs::write(
        &config,
        format!(
            "[profiles.sim]\nproject_id = \"{}\"\nmax_in_flight = 8\n[profiles.sim.endpoints]\n\
             koophone = \"{base}\"\nlive = \"{base}\"\ncompute = \"{base}\"\ncph = \"{base}\"\n\
             [profiles.sim.auth]\ntoken_env = \"PD_TEST_TOKEN\"\n",
            sim.credentials().project_id
        ),
    )
    .expect("config");
    let audit = dir.path().join("audit.jsonl");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .arg("--audit-log")
        .arg(&audit)
        .args(["phones", "stop-streaming", "--yes"])
        .args(phone_ids(&sim))
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    while mutations(&sim).len() < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("reaped");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let received: HashSet<String> = mutations(&sim)
        .into_iter()
        .map(|r| r.request_id.expect("every mutation carries its request id"))
        .collect();
    assert!(
        received.len() < 500,
        "killed in the middle, not after the end"
    );
    let text = std::fs::read_to_string(&audit).expect("audit file");
    let sent: HashSet<String> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["event"] == "sent")
        .map(|line| line["client_request_id"].as_str().expect("id").to_string())
        .collect();
    let missing: Vec<&String> = received.difference(&sent).collect();
    assert!(
        missing.is_empty(),
        "{} requests reached the simulator unaudited",
        missing.len()
    );
}
