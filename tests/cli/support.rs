//! What the headless tests share: a configuration pointing at a simulator, the real
//! binary run against it, its audit lines, and the fault-serving stand-ins.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use phonedeck::sim::SimHandle;
use serde_json::Value;

/// A config file for `sim` with one profile `sim` (token from $PD_TEST_TOKEN).
pub(crate) fn config_file(sim: &SimHandle, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    let base = sim.base_url();
    let text = format!(
        r#"default_profile = "sim"
[profiles.sim]
project_id = "{project}"
live_domains = ["publish.example.com", "push.example.org"]
{extra}
[profiles.sim.endpoints]
koophone = "{base}"
live = "{base}"
compute = "{base}"
cph = "{base}"
[profiles.sim.auth]
token_env = "PD_TEST_TOKEN"
"#,
        project = sim.credentials().project_id
    );
    std::fs::write(&path, text).expect("write config");
    (dir, path)
}

/// The audit log beside a test's config file.
pub(crate) fn audit_path(config: &std::path::Path) -> PathBuf {
    config.with_file_name("audit.jsonl")
}

pub(crate) fn audit_lines(config: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(audit_path(config))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
        .collect()
}

pub(crate) async fn phonedeck(sim: &SimHandle, config: &PathBuf, args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(audit_path(config))
        .args(args)
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    Run::from_output(output)
}

/// Starts a long-running command and reads its standard output line by line.
pub(crate) fn stdout_lines(
    mut command: tokio::process::Command,
) -> (
    tokio::process::Child,
    tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
) {
    let mut child = command
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    (child, lines)
}

pub(crate) async fn setup() -> (SimHandle, tempfile::TempDir, PathBuf) {
    let sim = start_sim().await;
    let (dir, path) = config_file(&sim, "");
    (sim, dir, path)
}

// ---- the official contracts (issue 10) -------------------------------------------

/// Points one service of a test's config at another server.
pub(crate) fn point_endpoint(
    sim: &SimHandle,
    config: &std::path::Path,
    service: &str,
    addr: std::net::SocketAddr,
) {
    let text = std::fs::read_to_string(config).expect("config");
    let text = text.replace(
        &format!("{service} = \"{}\"", sim.base_url()),
        &format!("{service} = \"http://{addr}/\""),
    );
    std::fs::write(config, text).expect("config");
}

/// A one-route HTTP server answering every instance-list request with `body`, as a
/// provider holding that answer would.
pub(crate) async fn serve_instance_list(body: &'static [u8]) -> std::net::SocketAddr {
    let app = axum::Router::new().route(
        "/v1/instances/batch-query",
        axum::routing::get(move || async move { ([("content-type", "application/json")], body) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Every target of a bulk action accounted for exactly once in the audit log: an
/// outcome for each request sent, `not_sent` for the rest; returns (sent, not sent).
pub(crate) fn accounted_once(lines: &[Value], targets: &[String]) -> (usize, usize) {
    let action_ids: std::collections::HashSet<&str> = lines
        .iter()
        .filter_map(|l| l["action_id"].as_str())
        .collect();
    assert_eq!(action_ids.len(), 1, "one action id on every line");
    let sent: Vec<&Value> = lines.iter().filter(|l| l["event"] == "sent").collect();
    for line in &sent {
        let answered = lines
            .iter()
            .filter(|l| l["event"] == "outcome")
            .filter(|l| l["client_request_id"] == line["client_request_id"])
            .count();
        assert_eq!(answered, 1, "one outcome for {line}");
    }
    for target in targets {
        let settled = lines
            .iter()
            .filter(|l| l["target"] == target.as_str())
            .filter(|l| l["event"] == "outcome" || l["event"] == "not_sent")
            .count();
        assert_eq!(settled, 1, "{target} accounted for once");
    }
    let not_sent = lines.iter().filter(|l| l["event"] == "not_sent").count();
    (sent.len(), not_sent)
}

/// A server stop whose answer comes after the client's timeout: `unknown`, then read
/// back. Returns the run and the audit's `reconciled` line.
pub(crate) async fn stop_server_without_an_answer(faults: &str) -> (Run, Value) {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "request_timeout_secs = 1");
    let server = sim.with_fleet(|f| {
        f.servers
            .iter()
            .find(|s| s.status == "ACTIVE")
            .map(|s| s.id.clone())
            .expect("an active server")
    });
    sim.set_faults(faults.parse().expect("faults"));
    let run = phonedeck(
        &sim,
        &config,
        &["servers", "stop", &server, "--yes", "-o", "json"],
    )
    .await;
    let lines = audit_lines(&config);
    let reconciled = lines
        .iter()
        .find(|l| l["event"] == "reconciled")
        .cloned()
        .unwrap_or_else(|| panic!("a reconciled line: {lines:?}"));
    (run, reconciled)
}

/// A CPH that lists one encoder, answers its restart under request `req-7` without
/// an entry for it, and has no job for that request; it records ListJobs' queries.
pub(crate) async fn serve_cph_that_started_nothing(
    encoder: &'static str,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use axum::routing::{get, post};
    let queries = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = queries.clone();
    let app = axum::Router::new()
        .route(
            "/v1/{project}/cloud-phone/encode-servers",
            get(move || async move {
                axum::Json(serde_json::json!({
                    "request_id": "req-1",
                    "encode_servers": [{"encode_server_id": encoder, "encode_server_name": "encode-01", "status": 1}],
                }))
            }),
        )
        .route(
            "/v1/{project}/cloud-phone/encode-servers/batch-restart",
            post(|| async { axum::Json(serde_json::json!({"request_id": "req-7", "jobs": []})) }),
        )
        .route(
            "/v1/{project}/cloud-phone/jobs",
            get(move |query: axum::extract::RawQuery| async move {
                seen.lock().expect("lock").push(query.0.unwrap_or_default());
                axum::Json(serde_json::json!({"request_id": "req-8", "jobs": []}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, queries)
}

pub(crate) fn hostile_sim_options() -> phonedeck::sim::SimOptions {
    let mut options = sim_options();
    options.faults.hostile_names = true;
    options
}

/// A bulk stop-streaming on every phone, one request at a time slowed by the simulator.
pub(crate) async fn slow_bulk(
    sim: &SimHandle,
    config: &PathBuf,
    ids: &[String],
) -> tokio::process::Child {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(audit_path(config))
        .args(["phones", "stop-streaming", "--yes", "-o", "json"])
        .args(ids)
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("starts");
    tokio::time::timeout(Duration::from_secs(20), async {
        while !std::fs::read_to_string(audit_path(config))
            .unwrap_or_default()
            .contains(r#""event":"sent""#)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("sending begins");
    child
}

pub(crate) fn signal(child: &tokio::process::Child, name: &str) {
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
}

/// What `phonedeck audit --action ID` says of each target: (target, outcome).
pub(crate) async fn audited_targets(sim: &SimHandle, config: &PathBuf) -> Vec<(String, String)> {
    let lines = audit_lines(config);
    let action = lines[0]["action_id"]
        .as_str()
        .expect("an action id")
        .to_string();
    let run = phonedeck(sim, config, &["audit", "--action", &action, "-o", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            let field = |name: &str| t[name].as_str().unwrap_or_default().to_string();
            (field("target"), field("outcome"))
        })
        .collect()
}

pub(crate) fn count(targets: &[(String, String)], outcome: &str) -> usize {
    targets.iter().filter(|(_, o)| o == outcome).count()
}
