//! The headless commands, run as the real binary against an in-process simulator.

use crate::common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use phonedeck::app::pane::column::TableRow;
use phonedeck::app::pane::encoders::EncoderRow;
use phonedeck::app::pane::servers::ServerRow;
use phonedeck::app::pane::streams::StreamRow;
use phonedeck::sim::SimHandle;
use serde_json::Value;

/// A config file for `sim` with one profile `sim` (token from $PD_TEST_TOKEN).
fn config_file(sim: &SimHandle, extra: &str) -> (tempfile::TempDir, PathBuf) {
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
fn audit_path(config: &std::path::Path) -> PathBuf {
    config.with_file_name("audit.jsonl")
}

fn audit_lines(config: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(audit_path(config))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
        .collect()
}

async fn phonedeck(sim: &SimHandle, config: &PathBuf, args: &[&str]) -> Run {
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
fn stdout_lines(
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

async fn setup() -> (SimHandle, tempfile::TempDir, PathBuf) {
    let sim = start_sim().await;
    let (dir, path) = config_file(&sim, "");
    (sim, dir, path)
}

#[tokio::test(flavor = "multi_thread")]
async fn status_json_lists_every_phone_with_raw_unknown_statuses() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(&sim, &config, &["status", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json();
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 250);
    let keys: Vec<&String> = rows[0].as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["instance_id", "instance_name", "status", "status_name"],
        "the dashboard's export has the same keys (tests/dashboard/flow.rs)"
    );
    let seven = rows
        .iter()
        .find(|r| r["status"] == 7)
        .expect("status 7 present");
    assert_eq!(seven["status_name"], "Unknown(7)");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_given_ids_reports_missing_ones() {
    let (sim, _dir, config) = setup().await;
    let id = phone_ids(&sim)[5].clone();
    let (named_id, name) = sim.with_fleet(|f| (f.phones[7].id.clone(), f.phones[7].name.clone()));
    let run = phonedeck(
        &sim,
        &config,
        &["status", &id, "ghost", &name, "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 1);
    let rows = run.json();
    let ids: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["instance_id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [id.as_str(), named_id.as_str()],
        "the name stands for its id"
    );
    assert_eq!(rows[1]["instance_name"], name.as_str(), "NAME is filled");
    assert!(run.stderr.contains("ghost"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_streaming_reports_each_target_in_input_order() {
    let (sim, _dir, config) = setup().await;
    let ids = phone_ids(&sim);
    let run = phonedeck(
        &sim,
        &config,
        &[
            "phones",
            "stop-streaming",
            &ids[3],
            "ghost",
            &ids[1],
            "--yes",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "one target failed: {}", run.stderr);
    let results = run.json();
    let targets: Vec<&str> = results
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["target"].as_str().expect("target"))
        .collect();
    assert_eq!(targets, [ids[3].as_str(), "ghost", ids[1].as_str()]);
    assert_eq!(results[0]["outcome"], "ok");
    assert_eq!(results[1]["outcome"], "failed");
    assert_eq!(results[1]["error_code"], "KOOPHONE.API.1000");
    assert!(results[0]["request_id"].is_string());
    let keys: Vec<&String> = results[0].as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["error_code", "error_msg", "outcome", "request_id", "target"]
    );
    assert_eq!(mutations(&sim).len(), 3);
    let audit = audit_lines(&config);
    assert_eq!(audit[0]["event"], "targets", "the targets are listed first");
    assert_eq!(audit[0]["targets"].as_array().map(Vec::len), Some(3));
    assert_eq!(audit.len(), 7, "then a sent and an outcome line per target");
    let sent: Vec<&Value> = audit.iter().filter(|l| l["event"] == "sent").collect();
    assert_eq!(sent.len(), 3);
    let ghost = audit
        .iter()
        .find(|l| l["event"] == "outcome" && l["target"] == "ghost")
        .expect("ghost outcome");
    assert_eq!(ghost["outcome"], "failed");
    assert_eq!(ghost["action"], "stop-streaming");
    let logged_ids: Vec<String> = mutations(&sim)
        .into_iter()
        .filter_map(|r| r.request_id)
        .collect();
    for line in sent {
        let id = line["client_request_id"].as_str().expect("id").to_string();
        assert!(
            logged_ids.contains(&id),
            "the simulator saw the audited request id"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mutations_need_yes_without_a_terminal_and_send_nothing() {
    let (sim, _dir, config) = setup().await;
    let id = phone_ids(&sim)[0].clone();
    let run = phonedeck(&sim, &config, &["phones", "stop-streaming", &id]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(mutations(&sim).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_every_mutation_before_sending() {
    let (sim, _dir, config) = setup().await;
    let (_dir2, read_only_config) = config_file(&sim, "read_only = true");
    let server = sim.with_fleet(|f| f.servers[0].id.clone());
    let encoder = sim.with_fleet(|f| f.encoders[0].id.clone());
    let phone = phone_ids(&sim)[0].clone();
    let commands: Vec<Vec<&str>> = vec![
        vec!["phones", "stop-streaming", &phone, "--yes"],
        vec![
            "streams",
            "pause",
            "publish.example.com/live/room-0000",
            "--yes",
        ],
        vec!["servers", "stop", &server, "--yes"],
        vec!["servers", "start", &server, "--yes"],
        vec!["encoders", "restart", &encoder, "--yes"],
    ];
    for args in &commands {
        let run = phonedeck(&sim, &read_only_config, args).await;
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("read-only"), "{}", run.stderr);
        let mut flagged = vec!["--read-only"];
        flagged.extend(args);
        let run = phonedeck(&sim, &config, &flagged).await;
        assert_eq!(run.code, 2, "{flagged:?}");
    }
    assert!(mutations(&sim).is_empty(), "the simulator saw no mutation");
    assert!(audit_lines(&config).is_empty() && audit_lines(&read_only_config).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_answered_200_with_an_error_body_is_failed_never_ok() {
    let (sim, _dir, config) = setup().await;
    let server = sim.with_fleet(|f| f.servers[0].id.clone());
    let encoder = sim.with_fleet(|f| f.encoders[0].id.clone());
    let phone = phone_ids(&sim)[0].clone();
    let stream = sim.with_fleet(|f| {
        let s = &f.streams[0];
        format!("{}/{}/{}", s.domain, s.app, s.stream)
    });
    sim.set_faults("ok-errors=1".parse().expect("faults"));
    for (args, code) in [
        (
            vec!["phones", "stop-streaming", &phone],
            "KOOPHONE.API.9999",
        ),
        (vec!["streams", "pause", &stream], "LIVE.100011005"),
        (vec!["servers", "stop", &server], "serviceUnavailable"),
        (vec!["encoders", "restart", &encoder], "CPS.0001"),
    ] {
        let args: Vec<&str> = args.into_iter().chain(["--yes", "-o", "json"]).collect();
        let run = phonedeck(&sim, &config, &args).await;
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        let outcome = &run.json()[0];
        assert_eq!(outcome["outcome"], "failed", "{args:?}: {outcome}");
        assert!(
            outcome["error_code"]
                .as_str()
                .is_some_and(|c| c.starts_with(code)),
            "{args:?}: {outcome}"
        );
        assert!(
            outcome.get("reconciled").is_none(),
            "a failure is not read back"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slash_inside_a_streams_app_or_name_is_written_percent_2f() {
    let (sim, _dir, config) = setup().await;
    let domain = colliding_streams(&sim);
    let ambiguous = format!("{domain}/live/x/y");
    let run = phonedeck(&sim, &config, &["streams", "pause", &ambiguous, "--yes"]).await;
    assert_eq!(
        run.code, 2,
        "one key for two streams is refused: {}",
        run.stderr
    );
    assert!(run.stderr.contains("%2F"), "{}", run.stderr);
    let first = format!("{domain}/live%2fx/y");
    let run = phonedeck(
        &sim,
        &config,
        &["streams", "pause", &first, "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["target"], format!("{domain}/live%2Fx/y"));
    let body: Value = serde_json::from_str(&mutations(&sim)[0].body).expect("json");
    assert_eq!(
        (&body["app_name"], &body["stream_name"]),
        (&Value::from("live/x"), &Value::from("y"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_list_and_pause() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(&sim, &config, &["streams", "list", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let streams = run.json();
    assert_eq!(streams.as_array().expect("array").len(), 12);
    let first = &streams[0];
    let key = format!(
        "{}/{}/{}",
        first["publish_domain"].as_str().expect("d"),
        first["app"].as_str().expect("a"),
        first["stream"].as_str().expect("s")
    );
    let run = phonedeck(&sim, &config, &["streams", "pause", &key, "--yes"]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&key) && run.stdout.contains("ok"),
        "{}",
        run.stdout
    );
    let bad = phonedeck(&sim, &config, &["streams", "pause", "not-a-key", "--yes"]).await;
    assert_eq!(bad.code, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn servers_stop_waits_for_shutoff_and_a_second_stop_conflicts() {
    let (sim, _dir, config) = setup().await;
    let list = phonedeck(&sim, &config, &["servers", "list", "-o", "json"]).await;
    assert_eq!(list.code, 0);
    let servers = list.json();
    let active = servers
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["status"] == "ACTIVE")
        .expect("an active server")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let run = phonedeck(
        &sim,
        &config,
        &["servers", "stop", &active, "--yes", "--wait", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        sim.with_fleet(|f| f
            .servers
            .iter()
            .find(|s| s.id == active)
            .map(|s| s.status.clone())),
        Some("SHUTOFF".into())
    );
    let again = phonedeck(
        &sim,
        &config,
        &["servers", "stop", &active, "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(again.code, 1);
    assert_eq!(again.json()[0]["error_code"], "conflictingRequest (409)");
    let start = phonedeck(
        &sim,
        &config,
        &["servers", "start", &active, "--yes", "--wait"],
    )
    .await;
    assert_eq!(start.code, 0, "{}{}", start.stdout, start.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn encoders_restart_waits_for_jobs_and_jobs_reports_them() {
    let (sim, _dir, config) = setup().await;
    let (good, faulty) = sim.with_fleet(|f| (f.encoders[0].id.clone(), f.encoders[3].id.clone()));
    let run = phonedeck(
        &sim,
        &config,
        &[
            "encoders", "restart", &good, &faulty, "--yes", "--wait", "-o", "json",
        ],
    )
    .await;
    assert_eq!(
        run.code, 1,
        "the faulty encoder's job fails: {}",
        run.stderr
    );
    let results = run.json();
    assert_eq!(results[0]["outcome"], "ok");
    assert_eq!(results[1]["outcome"], "failed");
    assert_eq!(results[1]["error_code"], "CPS.0242");
    let job = results[0]["job_id"].as_str().expect("job id").to_string();
    let jobs = phonedeck(&sim, &config, &["jobs", &job, "-o", "json"]).await;
    assert_eq!(jobs.code, 0, "{}", jobs.stderr);
    assert_eq!(jobs.json()[0]["status"], 2);
    let listed = phonedeck(&sim, &config, &["encoders", "list"]).await;
    assert!(listed.stdout.contains("Abnormal"), "{}", listed.stdout);
    // The failed job is the restart's verdict in the audit log too.
    let lines = audit_lines(&config);
    let action = lines[0]["action_id"]
        .as_str()
        .expect("an action id")
        .to_string();
    let audited = phonedeck(&sim, &config, &["audit", "--action", &action, "-o", "json"]).await;
    let audited = audited.json();
    let faulty_line = audited
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["target"] == faulty.as_str())
        .expect("the faulty encoder");
    assert_eq!(faulty_line["outcome"], "failed", "{faulty_line}");
    assert_eq!(faulty_line["error_code"], "CPS.0242");
    let summary = phonedeck(&sim, &config, &["audit", "-o", "json"])
        .await
        .json();
    assert_eq!(summary[0]["ok"], 1);
    assert_eq!(summary[0]["failed"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn eight_encoders_are_restarted_in_one_request_and_audited_one_by_one() {
    let sim = start_sim_sized(|size| size.encoders = 8).await;
    let (_dir, config) = config_file(&sim, "");
    let ids: Vec<String> = sim.with_fleet(|f| f.encoders.iter().map(|e| e.id.clone()).collect());
    let args: Vec<&str> = ["encoders", "restart"]
        .into_iter()
        .chain(ids.iter().map(String::as_str))
        .chain(["--yes", "--wait", "-o", "json"])
        .collect();
    let run = phonedeck(&sim, &config, &args).await;
    let restarts: Vec<_> = mutations(&sim)
        .into_iter()
        .filter(|r| r.path.ends_with("/batch-restart"))
        .collect();
    assert_eq!(restarts.len(), 1, "{restarts:?}");
    let body: Value = serde_json::from_str(&restarts[0].body).expect("json body");
    assert_eq!(body["encode_server_ids"].as_array().map(Vec::len), Some(8));
    let outcomes = run.json();
    let outcomes = outcomes.as_array().expect("outcomes");
    assert_eq!(outcomes.len(), 8, "one outcome per encoder");
    for (outcome, id) in outcomes.iter().zip(&ids) {
        assert_eq!(outcome["target"], id.as_str(), "in the order given");
        assert!(outcome["job_id"].is_string(), "{outcome}");
    }
    let lines = audit_lines(&config);
    let sent: Vec<&Value> = lines.iter().filter(|l| l["event"] == "sent").collect();
    assert_eq!(sent.len(), 8);
    assert!(
        sent.iter()
            .all(|l| l["client_request_id"] == sent[0]["client_request_id"]),
        "one request for all: {sent:?}"
    );
    assert_eq!(lines.iter().filter(|l| l["event"] == "outcome").count(), 8);
    // Their jobs are followed with ListJobs by the answer's request id, never ShowJob.
    let shown_one_by_one = sim
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path.contains("/cloud-phone/jobs/"));
    assert!(!shown_one_by_one);
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_configs_are_clear_errors_with_exit_2() {
    let (sim, dir, config) = setup().await;
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "default_profile = \"sim\"\n[profiles.sim]\nproject_id = [\n",
    )
    .expect("write");
    let run = phonedeck(&sim, &bad, &["status"]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&bad.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line"), "{}", run.stderr);
    let run = phonedeck(&sim, &config, &["--profile", "nope", "status"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no profile `nope`"), "{}", run.stderr);
    let missing = dir.path().join("missing.toml");
    let run = phonedeck(&sim, &missing, &["status"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_changes_an_apis_limit_by_name_and_the_action_says_its_pace() {
    let sim = start_sim().await;
    for (limits, problem) in [
        (
            r#"limits = { "live.nope" = "1/s" }"#,
            "no API named `live.nope`; known: koophone.list_instances",
        ),
        (
            r#"limits = { "live.block_once" = "fast" }"#,
            "`fast` is not a rate",
        ),
    ] {
        let (_dir, config) = config_file(&sim, limits);
        let run = phonedeck(&sim, &config, &["status"]).await;
        assert_eq!(run.code, 2, "{limits}");
        assert!(run.stderr.contains(problem), "{limits}: {}", run.stderr);
    }
    let (_dir, config) = config_file(&sim, r#"limits = { "live.block_once" = "20/s" }"#);
    let keys: Vec<String> = sim.with_fleet(|f| {
        f.streams[..3]
            .iter()
            .map(|s| format!("{}/{}/{}", s.domain, s.app, s.stream))
            .collect()
    });
    let args: Vec<&str> = ["streams", "pause"]
        .into_iter()
        .chain(keys.iter().map(String::as_str))
        .chain(["--yes"])
        .collect();
    let run = phonedeck(&sim, &config, &args).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "pause stream on 3 target(s): paced at 20/s by live.block_once's limit (20/s)"
        ),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unset_token_variable_is_an_auth_error() {
    let (sim, _dir, config) = setup().await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .args(["servers", "list"])
        .env_remove("PD_TEST_TOKEN")
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PD_TEST_TOKEN"));
    assert!(sim.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sim_command_serves_the_apis_until_stopped() {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command.args(["sim", "--listen", "127.0.0.1:0", "--phones", "40"]);
    let (mut child, mut lines) = stdout_lines(command);
    let first = lines.next_line().await.expect("reads").expect("a line");
    let url = first.rsplit(' ').next().expect("url").to_string();
    let token = lines.next_line().await.expect("reads").expect("token line");
    assert!(token.contains("sim-token"), "{token}");
    let client = raw_client();
    let response = client
        .get(format!(
            "{url}/v1/instances/batch-query?page_no=1&page_size=100&x-request-id=t"
        ))
        .header("x-auth-token", "sim-token")
        .send()
        .await
        .expect("answers");
    let body: Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("json");
    assert_eq!(body["data"]["total_count"], 40);
    child.kill().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_runs_without_any_configuration() {
    let home = tempfile::tempdir().expect("tempdir");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env_remove("PHONEDECK_CONFIG")
        .output()
        .await
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("phone-00199"), "{stdout}");
    let headless = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env_remove("PHONEDECK_CONFIG")
        .arg("status")
        .output()
        .await
        .expect("runs");
    assert_eq!(
        headless.status.code(),
        Some(2),
        "headless commands never fall back silently"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_readable_by_others_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let (sim, _dir, config) = setup().await;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = phonedeck(&sim, &config, &["servers", "list"]).await;
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("readable by other users"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let run = phonedeck(&sim, &config, &["servers", "list"]).await;
    assert!(
        !run.stderr.contains("readable by other users"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_output_has_the_table_columns_with_a_header() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(&sim, &config, &["status", "--output", "csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "INSTANCE ID,NAME,STATUS");
    assert_eq!(lines.len(), 251);
    assert!(
        lines.iter().any(|l| l.ends_with(",Unknown(7)")),
        "{}",
        run.stdout
    );
    // Every list prints its pane's own columns: the dashboard's descriptors.
    let run = phonedeck(&sim, &config, &["servers", "list", "-o", "csv"]).await;
    let header = |columns: Vec<&str>| columns.join(",") + "\n";
    let servers: Vec<&str> = ServerRow::COLUMNS.iter().map(|c| c.title).collect();
    assert_eq!(servers, ["SERVER ID", "NAME", "STATUS", "TASK STATE"]);
    assert!(run.stdout.starts_with(&header(servers)), "{}", run.stdout);
    let run = phonedeck(&sim, &config, &["encoders", "list", "-o", "json"]).await;
    let first = &run.json()[0];
    assert!(
        first["status"].is_i64() && first["status_name"].is_string(),
        "{first}"
    );
    let run = phonedeck(&sim, &config, &["encoders", "list", "-o", "csv"]).await;
    let encoders = EncoderRow::COLUMNS.iter().map(|c| c.title).collect();
    assert!(run.stdout.starts_with(&header(encoders)), "{}", run.stdout);
    let run = phonedeck(&sim, &config, &["streams", "list", "-o", "csv"]).await;
    let streams = StreamRow::COLUMNS.iter().map(|c| c.title).collect();
    assert!(run.stdout.starts_with(&header(streams)), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_watch_prints_every_phone_then_each_change_as_json_lines() {
    let (sim, _dir, config) = setup().await;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command
        .arg("--config")
        .arg(&config)
        .args(["status", "--watch", "--interval", "200ms"])
        .env("PD_TEST_TOKEN", &sim.credentials().token);
    let (mut child, mut lines) = stdout_lines(command);
    let mut next = async || -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .expect("reads")
            .expect("a line");
        serde_json::from_str(&line).expect("a JSON line")
    };
    for _ in 0..250 {
        let first = next().await;
        assert!(first["previous"].is_null(), "{first}");
    }
    let id = phone_ids(&sim)[0].clone();
    let before = sim.with_fleet(|fleet| {
        let phone = &mut fleet.phones[0];
        let before = phone.status;
        phone.status = phonedeck::api::koophone::PhoneStatus::SHUT_DOWN;
        before
    });
    let change = next().await;
    assert_eq!(change["instance_id"], id.as_str());
    assert_eq!(change["status_name"], "Shut down");
    assert_eq!(change["previous"], before.0);
    child.kill().await.expect("stops");
}

#[test]
fn completions_man_page_and_version() {
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
            .args(args)
            .env_remove("PHONEDECK_CONFIG")
            .output()
            .expect("runs");
        assert!(output.status.success(), "{args:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("_phonedeck()") && bash.contains("stop-streaming"),
        "{bash}"
    );
    assert!(run(&["completions", "zsh"]).starts_with("#compdef phonedeck"));
    assert!(run(&["completions", "fish"]).contains("complete -c phonedeck"));
    let man = run(&["man"]);
    assert!(
        man.contains(".TH phonedeck") && man.contains("completions"),
        "{man}"
    );
    let version = run(&["--version"]);
    let hash = std::process::Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match hash {
        Some(hash) => assert!(version.contains(&hash), "{version} names commit {hash}"),
        None => assert!(version.contains("unknown"), "{version}"),
    }
    assert!(version.starts_with(&format!("phonedeck {}", env!("CARGO_PKG_VERSION"))));
}

/// The binary needs nothing on the host beyond the C runtime (no OpenSSL, no libz):
/// it can be copied to a bastion host as it is.
#[test]
fn the_binary_links_only_the_c_runtime() {
    let output = std::process::Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_phonedeck"))
        .output()
        .expect("ldd (part of glibc's libc-bin) runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let allowed = [
        "linux-vdso",
        "libc.so",
        "libm.so",
        "libgcc_s.so",
        "ld-linux",
    ];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            allowed.iter().any(|lib| line.contains(lib)),
            "unexpected dynamic dependency: {line}"
        );
    }
    assert!(text.contains("libc.so"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn write_on_a_read_only_profile_refuses_without_a_terminal() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "read_only = true");
    let id = phone_ids(&sim)[0].clone();
    let run = phonedeck(
        &sim,
        &config,
        &["--write", "phones", "stop-streaming", &id, "--yes"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("confirming needs a terminal"),
        "{}",
        run.stderr
    );
    let both = phonedeck(&sim, &config, &["--write", "--read-only", "status"]).await;
    assert_eq!(both.code, 2, "contradictory flags are a usage error");
    assert!(mutations(&sim).is_empty());
}

/// The README's key table names a key of every action the dashboard has, so a new
/// action cannot ship undocumented.
#[test]
fn readme_key_table_covers_every_action() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("| keys |"))
        .take_while(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    let words: Vec<&str> = table
        .split(|c: char| c.is_whitespace() || matches!(c, '`' | ',' | '|'))
        .filter(|w| !w.is_empty())
        .collect();
    assert!(!words.is_empty(), "the key table is there");
    for (action, keys) in phonedeck::app::keymap::KeyMap::default().by_action() {
        let documented = keys
            .iter()
            .any(|key| words.contains(&key.label().to_lowercase().as_str()));
        assert!(
            documented,
            "{action:?} ({keys:?}) is not in the README's key table"
        );
    }
}

/// Tracing goes to --log-file (level from RUST_LOG), never to the terminal.
#[tokio::test(flavor = "multi_thread")]
async fn logs_go_to_the_log_file_never_to_the_screen() {
    let (sim, dir, config) = setup().await;
    let log = dir.path().join("phonedeck.log");
    let run = |with_file: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
        command
            .arg("--config")
            .arg(&config)
            .arg("status")
            .env("RUST_LOG", "debug")
            .env("PD_TEST_TOKEN", &sim.credentials().token);
        if with_file {
            command.arg("--log-file").arg(&log);
        }
        command.output().expect("runs")
    };
    for with_file in [false, true] {
        let output = run(with_file);
        assert!(output.status.success());
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !shown.contains("DEBUG"),
            "nothing logged on screen: {shown}"
        );
    }
    let written = std::fs::read_to_string(&log).expect("log file written");
    assert!(
        written.contains("DEBUG") && written.contains("request"),
        "{written}"
    );
}

// ---- the official contracts (issue 10) -------------------------------------------

/// Points one service of a test's config at another server.
fn point_endpoint(
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
async fn serve_instance_list(body: &'static [u8]) -> std::net::SocketAddr {
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

#[tokio::test(flavor = "multi_thread")]
async fn status_names_a_koophone_error_inside_data_instead_of_an_empty_fleet() {
    let body = include_bytes!(
        "../contract/koophone-list.error-inside-data.constructed-from-java-sdk-model.json"
    );
    let addr = serve_instance_list(body).await;
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    point_endpoint(&sim, &config, "koophone", addr);
    let run = phonedeck(&sim, &config, &["status", "-o", "json"]).await;
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("KOOPHONE.API.1001"), "{}", run.stderr);
    assert!(run.stderr.contains("Insufficient instance permissions"));
    assert!(!run.stdout.contains("[]"), "no empty fleet: {}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_a_sparse_fleet_lists_every_phone() {
    let sim = start_sim_sized(|size| size.phones = 200).await;
    sim.set_faults(phonedeck::sim::Faults {
        sparse: true,
        ..Default::default()
    });
    let (_dir, config) = config_file(&sim, "");
    let run = phonedeck(&sim, &config, &["status", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json();
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 200, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 phone row(s) in the answer had no id and were left out"),
        "{}",
        run.stderr
    );
    let unreported = rows.iter().filter(|r| r["status"].is_null()).count();
    assert!(
        unreported > 0,
        "sparse status answers leave some statuses out"
    );
    assert!(
        rows.iter()
            .filter(|r| r["status"].is_null())
            .all(|r| r["status_name"] == "–")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_never_reach_another_endpoint_from_the_command_line() {
    let (sim, _dir, config) = setup().await;
    let run = phonedeck(
        &sim,
        &config,
        &[
            "servers",
            "stop",
            "../../../v3/auth/tokens?x=",
            "a/b",
            "x#y",
            "--yes",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let requests = sim.requests();
    // The server list (names are looked up in it), then one action each.
    let (reads, actions): (Vec<_>, Vec<_>) = requests.iter().partition(|r| r.method == "GET");
    assert!(
        reads.iter().all(|r| r.path.ends_with("/servers/detail")),
        "{reads:?}"
    );
    assert_eq!(actions.len(), 3);
    for request in &actions {
        assert!(request.path.starts_with("/v2/"), "{}", request.path);
        assert!(request.path.ends_with("/action"), "{}", request.path);
        assert_eq!(request.path.matches('/').count(), 5, "{}", request.path);
    }
    let run = phonedeck(&sim, &config, &["jobs", "../../servers/detail"]).await;
    assert_eq!(run.code, 1);
    let last = sim.requests().pop().expect("sent");
    assert!(
        last.path
            .contains("/cloud-phone/jobs/..%2F..%2Fservers%2Fdetail")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_and_control_character_ids_are_usage_errors() {
    let (sim, _dir, config) = setup().await;
    for args in [
        vec!["servers", "stop", "", "--yes"],
        vec!["phones", "stop-streaming", "ph\u{1b}[2J", "--yes"],
        vec!["encoders", "restart", "..", "--yes"],
        vec!["jobs", "job\n1"],
        vec!["status", ""],
    ] {
        let run = phonedeck(&sim, &config, &args).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'), "the id is shown sanitised");
    }
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn temporary_access_keys_sign_with_their_security_token() {
    let mut options = sim_options();
    options.credentials.security_token = Some("sim-security-token".into());
    let sim = start_sim_with(options).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let c = sim.credentials();
    std::fs::write(
        &config,
        format!(
            r#"[profiles.sim]
project_id = "{project}"
live_domains = ["publish.example.com"]
[profiles.sim.endpoints]
koophone = "{base}"
live = "{base}"
compute = "{base}"
cph = "{base}"
[profiles.sim.auth]
access_key_env = "PD_TEST_AK"
secret_key_env = "PD_TEST_SK"
security_token_env = "PD_TEST_ST"
"#,
            project = c.project_id,
            base = sim.base_url()
        ),
    )
    .expect("config");
    let run_with = |token: Option<&str>| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
        command
            .arg("--config")
            .arg(&config)
            .args(["servers", "list", "-o", "json"])
            .env("PD_TEST_AK", &c.access_key)
            .env("PD_TEST_SK", &c.secret_key)
            .stdin(Stdio::null());
        match token {
            Some(token) => command.env("PD_TEST_ST", token),
            None => command.env_remove("PD_TEST_ST"),
        };
        command.output()
    };
    let ok = run_with(Some("sim-security-token")).await.expect("runs");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let missing = run_with(None).await.expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("PD_TEST_ST"), "{stderr}");
    for output in [&ok, &missing] {
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !shown.contains("sim-security-token"),
            "the token is never printed"
        );
        assert!(
            !shown.contains(&c.secret_key),
            "the secret key is never printed"
        );
    }
}

/// Every target of a bulk action accounted for exactly once in the audit log: an
/// outcome for each request sent, `not_sent` for the rest; returns (sent, not sent).
fn accounted_once(lines: &[Value], targets: &[String]) -> (usize, usize) {
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

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_mid_bulk_sends_nothing_new_and_reports_every_target() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "max_in_flight = 2");
    sim.set_faults(phonedeck::sim::Faults {
        latency: Duration::from_millis(300),
        ..Default::default()
    });
    let ids = phone_ids(&sim);
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command
        .arg("--config")
        .arg(&config)
        .arg("--audit-log")
        .arg(audit_path(&config))
        .args(["phones", "stop-streaming", "--yes", "-o", "json"])
        .args(&ids)
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("starts");
    // Interrupted once sending has begun (ids are checked first).
    let sending = tokio::time::timeout(Duration::from_secs(20), async {
        let log = audit_path(&config);
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains(r#""event":"sent""#)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    sending.await.expect("sending begins");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let pid = child.id().expect("running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let run = Run::from_output(child.wait_with_output().await.expect("exits"));
    assert_eq!(run.code, 1, "not every target ok: {}", run.stderr);
    assert!(
        run.stderr.contains("no new request is sent"),
        "{}",
        run.stderr
    );
    let outcomes = run.json();
    let outcomes = outcomes.as_array().expect("one outcome a target");
    assert_eq!(outcomes.len(), ids.len());
    let not_sent = outcomes
        .iter()
        .filter(|o| o["outcome"] == "not_sent")
        .count();
    assert!(not_sent > ids.len() / 2, "most were never sent: {not_sent}");
    let stops = |sim: &SimHandle| {
        mutations(sim)
            .iter()
            .filter(|r| r.path.ends_with("/streaming/stop"))
            .count()
    };
    let requests = stops(&sim);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(stops(&sim), requests, "nothing sent after the exit");
    let (sent, not_sent_lines) = accounted_once(&audit_lines(&config), &ids);
    assert_eq!(
        sent, requests,
        "every request the simulator saw is in the audit log"
    );
    assert_eq!(not_sent_lines, not_sent);
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_sends_exactly_the_failed_targets_and_audit_tells_the_story() {
    let (sim, _dir, config) = setup().await;
    let phones = phone_ids(&sim);
    let mut ids: Vec<String> = phones[..3].to_vec();
    ids.extend(["ph-gone-1".to_string(), "ph-gone-2".to_string()]);
    let mut args = vec!["phones", "stop-streaming", "--yes", "-o", "json"];
    args.extend(ids.iter().map(String::as_str));
    let run = phonedeck(&sim, &config, &args).await;
    assert_eq!(run.code, 1, "two targets fail: {}", run.stdout);
    let first = audit_lines(&config);
    let action_id = first[0]["action_id"]
        .as_str()
        .expect("an action id")
        .to_string();

    let before = mutations(&sim).len();
    let run = phonedeck(&sim, &config, &["retry", &action_id, "--yes", "-o", "json"]).await;
    assert_eq!(run.code, 1, "they fail again: {}", run.stderr);
    let sent: Vec<String> = mutations(&sim)[before..]
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("json");
            body["instance_id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(sent.len(), 2, "only the failed targets: {sent:?}");
    assert!(sent.contains(&"ph-gone-1".to_string()) && sent.contains(&"ph-gone-2".to_string()));
    let retry_lines: Vec<Value> = audit_lines(&config)[first.len()..].to_vec();
    assert!(
        retry_lines
            .iter()
            .all(|l| l["retry_of"] == action_id.as_str())
    );

    // The write-up: both actions with their counts, one action's targets, one target.
    let run = phonedeck(&sim, &config, &["audit", "--since", "1h", "-o", "csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "ACTION ID,ACTION,STARTED,PROFILE,TARGETS,OK,FAILED,UNKNOWN,NOT SENT,RETRY OF,AFTER ITS RETRIES"
    );
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    let retry_id = lines[2].split(',').next().expect("the retry's id");
    // The action, then what its targets are after its retry (each counted once).
    assert!(
        lines[1].starts_with(&action_id)
            && lines[1].ends_with(&format!(",5,3,2,0,0,-,\"3 ok, 2 failed ({retry_id})\"")),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(&format!(",2,0,2,0,0,{action_id},-")),
        "{}",
        lines[2]
    );
    let run = phonedeck(
        &sim,
        &config,
        &["audit", "--action", &action_id, "-o", "json"],
    )
    .await;
    let targets = run.json();
    // Listed in the order they were sent, which concurrency decides: compare by target.
    let outcomes: std::collections::BTreeMap<&str, &str> = targets
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            let target = t["target"].as_str().expect("target");
            (target, t["outcome"].as_str().expect("outcome"))
        })
        .collect();
    let expected: std::collections::BTreeMap<&str, &str> = ids
        .iter()
        .map(|id| {
            let outcome = if id.starts_with("ph-gone") {
                "failed"
            } else {
                "ok"
            };
            (id.as_str(), outcome)
        })
        .collect();
    assert_eq!(outcomes, expected);
    let run = phonedeck(
        &sim,
        &config,
        &["audit", "--target", "ph-gone-1", "-o", "json"],
    )
    .await;
    let history = run.json();
    let events: Vec<&str> = history
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["event"].as_str().expect("event"))
        .collect();
    assert_eq!(
        events,
        ["sent", "outcome", "sent", "outcome"],
        "across both actions"
    );

    // A crash mid-write leaves a torn last line: skipped, and said.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(audit_path(&config))
        .expect("audit log");
    std::io::Write::write_all(
        &mut file,
        b"{\"time\":\"2026-11-23T10:00:02.000Z\",\"event\":\"outc",
    )
    .expect("torn line");
    let run = phonedeck(&sim, &config, &["audit", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("could not be read and were skipped"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json().as_array().expect("actions").len(), 2);
}

/// A server stop whose answer comes after the client's timeout: `unknown`, then read
/// back. Returns the run and the audit's `reconciled` line.
async fn stop_server_without_an_answer(faults: &str) -> (Run, Value) {
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

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_stop_that_took_effect_is_reconciled_as_happened() {
    let (run, line) = stop_server_without_an_answer("slow-actions=4s").await;
    let outcome = &run.json()[0];
    assert_eq!(outcome["outcome"], "unknown", "{}", run.stdout);
    assert_eq!(outcome["reconciled"], "happened");
    assert_eq!(run.code, 0, "the settled outcome decides: {}", run.stderr);
    assert_eq!(line["reconciled"], "happened");
    assert!(
        line["seen"]
            .as_str()
            .expect("seen")
            .contains("powering-off")
            || line["seen"] == "SHUTOFF",
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_restart_is_settled_by_the_encoder_never_by_an_id_the_client_made_up() {
    // Restarts take the simulator's usual 3 s, so the encoder is still restarting
    // when the timed-out request is read back.
    let sim = start_sim_with(phonedeck::sim::SimOptions {
        transition: Duration::from_secs(3),
        ..sim_options()
    })
    .await;
    let (_dir, config) = config_file(&sim, "request_timeout_secs = 1");
    let encoder = sim.with_fleet(|f| f.encoders[0].id.clone());
    sim.set_faults("slow-actions=3s".parse().expect("faults"));
    let run = phonedeck(
        &sim,
        &config,
        &["encoders", "restart", &encoder, "--yes", "-o", "json"],
    )
    .await;
    let outcome = &run.json()[0];
    assert_eq!(outcome["outcome"], "unknown", "{}", run.stdout);
    assert_eq!(outcome["reconciled"], "happened", "{}", run.stdout);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let asked_by_id = sim.requests().iter().any(|r| {
        r.path.ends_with("/jobs") && r.query.as_deref().is_some_and(|q| q.contains("request_id"))
    });
    assert!(
        !asked_by_id,
        "no answer, so no request id to ask the jobs by"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_stop_that_never_took_effect_is_reconciled_as_did_not_happen() {
    let (run, line) = stop_server_without_an_answer("lost-actions=6s").await;
    let outcome = &run.json()[0];
    assert_eq!(outcome["outcome"], "unknown", "{}", run.stdout);
    assert_eq!(outcome["reconciled"], "did_not_happen");
    assert_eq!(run.code, 1);
    assert_eq!(line["reconciled"], "did_not_happen");
    assert!(
        line["seen"].as_str().expect("seen").contains("ACTIVE"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_watch_prints_csv_when_asked_and_says_which_ids_are_unknown() {
    let (sim, _dir, config) = setup().await;
    let id = phone_ids(&sim)[0].clone();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .args([
            "status",
            "--watch",
            "--interval",
            "200ms",
            "-o",
            "csv",
            &id,
            "ph-nowhere",
        ])
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .expect("reads")
            .expect("a line")
    };
    assert_eq!(
        next().await,
        "time,instance_id,status,status_name,previous,previous_name"
    );
    let row = next().await;
    assert!(row.contains(&format!(",{id},")), "{row}");
    child.kill().await.expect("stops");
    let stderr = child.wait_with_output().await.expect("exits").stderr;
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(
        stderr.contains("ph-nowhere: not in the service's answer"),
        "{stderr}"
    );
}

#[test]
fn sim_help_lists_only_the_simulators_flags() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .args(["sim", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{help}");
    assert!(
        help.contains("--phones") && help.contains("Cloud phones in the fleet"),
        "{help}"
    );
    for global in ["--read-only", "--write", "--audit-log", "--output"] {
        assert!(
            !help.contains(global),
            "{global} is not the simulator's: {help}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_prints_a_profile_ready_to_paste() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .args(["sim", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut printed = String::new();
    while !printed.contains("export PHONEDECK_SIM_TOKEN=") {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("a line in time")
            .expect("reads")
            .expect("a line");
        printed.push_str(&line);
        printed.push('\n');
    }
    child.kill().await.expect("stops");
    let start = printed.find("[profiles.sim]").expect("a profile");
    let end = printed.find("then: export").expect("the token line");
    let profile: toml::Table = printed[start..end].parse().expect("valid TOML");
    let endpoints = &profile["profiles"]["sim"]["endpoints"];
    assert!(
        endpoints["koophone"]
            .as_str()
            .expect("url")
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(
        profile["profiles"]["sim"]["auth"]["token_env"],
        "PHONEDECK_SIM_TOKEN".into()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unique_name_stands_for_its_id_and_an_ambiguous_one_is_refused() {
    let (sim, _dir, config) = setup().await;
    let (id, name) = sim.with_fleet(|f| {
        let server = f
            .servers
            .iter()
            .find(|s| s.status == "ACTIVE")
            .expect("active");
        (server.id.clone(), server.name.clone())
    });
    let run = phonedeck(
        &sim,
        &config,
        &["servers", "stop", &name, "--yes", "-o", "json"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["target"], id.as_str());
    assert!(mutations(&sim).iter().any(|r| r.path.contains(&id)));

    let twin = sim.with_fleet(|f| {
        let twin = f.servers.iter_mut().find(|s| s.id != id).expect("another");
        twin.name = name.clone();
        twin.id.clone()
    });
    let before = mutations(&sim).len();
    let run = phonedeck(&sim, &config, &["servers", "start", &name, "--yes"]).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!("2 servers are named {name}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&id) && run.stderr.contains(&twin),
        "{}",
        run.stderr
    );
    assert_eq!(mutations(&sim).len(), before, "nothing sent");

    // status with ids fills NAME.
    let phone = phone_ids(&sim)[3].clone();
    let phone_name = sim.with_fleet(|f| {
        f.phones
            .iter()
            .find(|p| p.id == phone)
            .map(|p| p.name.clone())
            .expect("the phone")
    });
    let run = phonedeck(&sim, &config, &["status", &phone, "-o", "csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with(&format!("{phone},{phone_name},"))),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_answered_without_its_entry_is_found_among_its_requests_jobs() {
    let (sim, _dir, config) = setup().await;
    sim.set_faults("unlisted-restarts=1".parse().expect("faults"));
    let encoder = sim.with_fleet(|f| f.encoders[0].id.clone());
    let run = phonedeck(
        &sim,
        &config,
        &[
            "encoders", "restart", &encoder, "--yes", "--wait", "-o", "json",
        ],
    )
    .await;
    let outcome = &run.json()[0];
    assert_eq!(outcome["outcome"], "unknown", "{}", run.stdout);
    assert_eq!(outcome["reconciled"], "happened");
    let job_id = outcome["job_id"].as_str().expect("the job found");
    assert_eq!(
        run.code, 0,
        "the job found was followed to success: {}",
        run.stderr
    );
    let asked: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/cloud-phone/jobs"))
        .map(|r| r.query.unwrap_or_default())
        .collect();
    let (read_back, followed): (Vec<&String>, Vec<&String>) =
        asked.iter().partition(|q| q.starts_with("request_id="));
    assert_eq!(
        read_back.len(),
        1,
        "one read-back by the answer's id: {asked:?}"
    );
    assert!(
        followed.iter().all(|q| q.starts_with("request_ids=")),
        "then followed by it: {asked:?}"
    );
    let line = audit_lines(&config)
        .into_iter()
        .find(|l| l["event"] == "reconciled")
        .expect("a reconciled line");
    assert_eq!(line["job_id"], job_id);
    // A restart that happened is never restarted again by a retry.
    let action = line["action_id"]
        .as_str()
        .expect("an action id")
        .to_string();
    let restarts = mutations(&sim).len();
    let retry = phonedeck(&sim, &config, &["retry", &action, "--yes"]).await;
    assert_eq!(retry.code, 0, "{}", retry.stderr);
    assert!(
        retry.stderr.contains("nothing to retry"),
        "{}",
        retry.stderr
    );
    assert_eq!(mutations(&sim).len(), restarts);
}

/// A CPH that lists one encoder, answers its restart under request `req-7` without
/// an entry for it, and has no job for that request; it records ListJobs' queries.
async fn serve_cph_that_started_nothing(
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

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_whose_request_started_no_job_did_not_happen() {
    let (sim, _dir, config) = setup().await;
    let (addr, queries) = serve_cph_that_started_nothing("enc-1").await;
    point_endpoint(&sim, &config, "cph", addr);
    let run = phonedeck(
        &sim,
        &config,
        &["encoders", "restart", "encode-01", "--yes", "-o", "json"],
    )
    .await;
    let outcome = &run.json()[0];
    assert_eq!(outcome["target"], "enc-1", "{}", run.stdout);
    assert_eq!(outcome["outcome"], "unknown");
    assert_eq!(outcome["reconciled"], "did_not_happen");
    assert_eq!(run.code, 1, "the settled outcome decides: {}", run.stderr);
    let asked = queries.lock().expect("lock").clone();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].contains("request_id=req-7"), "{asked:?}");
    let line = audit_lines(&config)
        .into_iter()
        .find(|l| l["event"] == "reconciled")
        .expect("a reconciled line");
    assert!(
        line["seen"].as_str().expect("seen").contains("req-7"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn phones_are_named_by_id_or_unique_name_without_listing_the_fleet() {
    let (sim, _dir, config) = setup().await;
    let (first, second, third) = sim.with_fleet(|f| {
        let name = f.phones[1].name.clone();
        // Two phones share a name; the simulator's name filter matches any part.
        f.phones[2].name = name.clone();
        (
            f.phones[0].clone(),
            (f.phones[1].id.clone(), name),
            f.phones[2].id.clone(),
        )
    });
    let run = phonedeck(
        &sim,
        &config,
        &[
            "phones",
            "stop-streaming",
            &first.name,
            &first.id,
            "--yes",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let targets: Vec<String> = run
        .json()
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| o["target"].as_str().expect("target").to_string())
        .collect();
    assert_eq!(targets, [first.id.clone(), first.id.clone()]);
    let reads: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/batch-query"))
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(
        reads.len(),
        1,
        "one filtered read, for the name only: {reads:?}"
    );
    assert!(reads[0].contains("instance_name="), "{reads:?}");

    let before = mutations(&sim).len();
    let run = phonedeck(
        &sim,
        &config,
        &["phones", "stop-streaming", &second.1, "--yes"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&second.0) && run.stderr.contains(&third),
        "the matches are listed: {}",
        run.stderr
    );
    assert_eq!(mutations(&sim).len(), before, "nothing was sent");
}

fn hostile_sim_options() -> phonedeck::sim::SimOptions {
    let mut options = sim_options();
    options.faults.hostile_names = true;
    options
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_from_the_network_are_never_formulas_and_tables_show_bidi_as_text() {
    let sim = start_sim_with(hostile_sim_options()).await;
    let (_dir, config) = config_file(&sim, "");
    let csv = phonedeck(&sim, &config, &["status", "-o", "csv"]).await;
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(csv.stdout.contains("'=HYPERLINK("), "{}", csv.stdout);
    let mut reader = ::csv::Reader::from_reader(csv.stdout.as_bytes());
    for record in reader.records() {
        let record = record.expect("a CSV record");
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r'])
                    && (cell == "-" || !cell.starts_with('-')),
                "a spreadsheet would run {cell:?}"
            );
        }
    }
    let servers = phonedeck(&sim, &config, &["servers", "list", "-o", "csv"]).await;
    assert!(servers.stdout.contains("'@SUM(1+1)"), "{}", servers.stdout);
    let table = phonedeck(&sim, &config, &["status"]).await;
    assert!(
        table.stdout.contains("\\u{202e}"),
        "shown escaped: {}",
        table.stdout
    );
    assert!(!table.stdout.contains('\u{202e}'), "never raw");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cell_of_any_length_prints_without_a_panic() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    let long_id = "p".repeat(100_000);
    for args in [
        vec!["status", long_id.as_str()],
        vec!["phones", "stop-streaming", long_id.as_str(), "--yes"],
    ] {
        let run = phonedeck(&sim, &config, &args).await;
        assert_ne!(run.code, 101, "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_goes_away_ends_a_list_quietly() {
    let sim = start_sim_sized(|size| size.phones = 5_000).await;
    let (_dir, config) = config_file(&sim, "");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .arg("status")
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // `phonedeck status | true`: the reader is gone before the first row is written.
    drop(child.stdout.take());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("joins")
        .expect("waits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_planted_at_the_default_audit_log_is_refused_and_nothing_is_sent() {
    let sim = start_sim().await;
    let (dir, config) = config_file(&sim, "");
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("phonedeck")).expect("data dir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").expect("victim");
    std::os::unix::fs::symlink(&victim, data.join("phonedeck/audit.jsonl")).expect("link");
    let server = sim.with_fleet(|f| f.servers[0].id.clone());
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .args(["servers", "stop", &server, "--yes"])
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .env("XDG_DATA_HOME", &data)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    let run = Run::from_output(output);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );
    assert!(
        mutations(&sim).is_empty(),
        "nothing is sent without its audit"
    );
}

/// A bulk stop-streaming on every phone, one request at a time slowed by the simulator.
async fn slow_bulk(sim: &SimHandle, config: &PathBuf, ids: &[String]) -> tokio::process::Child {
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

fn signal(child: &tokio::process::Child, name: &str) {
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
}

/// What `phonedeck audit --action ID` says of each target: (target, outcome).
async fn audited_targets(sim: &SimHandle, config: &PathBuf) -> Vec<(String, String)> {
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

fn count(targets: &[(String, String)], outcome: &str) -> usize {
    targets.iter().filter(|(_, o)| o == outcome).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_bulk_still_leaves_every_target_in_the_audit() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "max_in_flight = 4");
    sim.set_faults(phonedeck::sim::Faults {
        slow_actions: Some(Duration::from_secs(30)),
        ..Default::default()
    });
    let ids: Vec<String> = phone_ids(&sim).into_iter().take(40).collect();
    let mut child = slow_bulk(&sim, &config, &ids).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().await.expect("SIGKILL");
    let targets = audited_targets(&sim, &config).await;
    assert_eq!(targets.len(), 40, "every target has a line: {targets:?}");
    let mut listed: Vec<&String> = targets.iter().map(|(t, _)| t).collect();
    listed.sort();
    let mut given: Vec<&String> = ids.iter().collect();
    given.sort();
    assert_eq!(listed, given);
    assert_eq!(
        count(&targets, "unknown"),
        4,
        "the four in flight: {targets:?}"
    );
    assert_eq!(count(&targets, "not_sent"), 36, "{targets:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sighup_stop_a_bulk_like_ctrl_c_and_a_second_exits_accounted() {
    for (first, second) in [
        ("TERM", None),
        ("HUP", None),
        ("TERM", Some("TERM")),
        ("INT", Some("INT")),
    ] {
        let sim = start_sim().await;
        let (_dir, config) = config_file(&sim, "max_in_flight = 4");
        sim.set_faults(phonedeck::sim::Faults {
            slow_actions: Some(Duration::from_secs(if second.is_some() { 30 } else { 1 })),
            ..Default::default()
        });
        let ids: Vec<String> = phone_ids(&sim).into_iter().take(40).collect();
        let child = slow_bulk(&sim, &config, &ids).await;
        signal(&child, first);
        if let Some(second) = second {
            tokio::time::sleep(Duration::from_millis(300)).await;
            signal(&child, second);
        }
        let run = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
            .await
            .expect("exits in time")
            .expect("exits");
        let run = Run::from_output(run);
        assert!(
            run.stderr.contains("no new request is sent"),
            "{first}: {}",
            run.stderr
        );
        let targets = audited_targets(&sim, &config).await;
        assert_eq!(targets.len(), 40, "{first} {second:?}: {targets:?}");
        match second {
            None => {
                assert_eq!(run.code, 1, "{}", run.stderr);
                assert_eq!(
                    count(&targets, "ok"),
                    4,
                    "those in flight answered: {targets:?}"
                );
                assert_eq!(count(&targets, "not_sent"), 36, "{targets:?}");
            }
            Some(_) => {
                assert_eq!(run.code, 130, "{}", run.stderr);
                assert_eq!(count(&targets, "unknown"), 4, "{targets:?}");
                assert_eq!(count(&targets, "not_sent"), 36, "{targets:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_leaves_whole_audit_lines_and_the_command_fails_saying_so() {
    let Some(disk) = SmallDisk::mount("64k") else {
        panic!("this test mounts a 64 KiB tmpfs and needs root (CI runs as root)");
    };
    // Leave two 4 KiB pages for the audit log: the targets line and a few requests.
    std::fs::write(disk.dir.path().join("filler"), vec![0u8; 56 * 1024]).expect("filler");
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    let audit = disk.dir.path().join("audit.jsonl");
    let ids: Vec<String> = phone_ids(&sim).into_iter().take(40).collect();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"))
        .arg("--config")
        .arg(&config)
        .arg("--audit-log")
        .arg(&audit)
        .args(["phones", "stop-streaming", "--yes", "-o", "json"])
        .args(&ids)
        .env("PD_TEST_TOKEN", &sim.credentials().token)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("runs");
    let run = Run::from_output(output);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("could not be written"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&audit).expect("audit");
    assert!(text.ends_with('\n'), "no half line at the end");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: a torn line {l}")))
        .collect();
    let sent: Vec<&Value> = lines.iter().filter(|l| l["event"] == "sent").collect();
    assert!(
        sent.len() < ids.len(),
        "the disk filled up: {} sent lines",
        sent.len()
    );
    let stops = mutations(&sim)
        .iter()
        .filter(|r| r.path.ends_with("/streaming/stop"))
        .count();
    assert_eq!(stops, sent.len(), "nothing was sent without its sent line");
    let outcomes = run.json();
    let refused = outcomes
        .as_array()
        .expect("outcomes")
        .iter()
        .filter(|o| o["error_code"] == "AUDIT")
        .count();
    assert_eq!(
        refused,
        ids.len() - sent.len(),
        "each unsent target says why"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_ends_the_wait_for_the_request_budget_and_nothing_more_is_sent() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "max_requests_per_sec = 0.5");
    let ids: Vec<String> = phone_ids(&sim).into_iter().take(10).collect();
    let child = slow_bulk(&sim, &config, &ids).await;
    let stops = || {
        mutations(&sim)
            .iter()
            .filter(|r| r.path.ends_with("/streaming/stop"))
            .count()
    };
    signal(&child, "INT");
    let interrupted_at = stops();
    let run = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the budget's wait ends at once")
        .expect("exits");
    let run = Run::from_output(run);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        stops() <= interrupted_at + 1,
        "sent after Ctrl-C: {} then {}",
        interrupted_at,
        stops()
    );
    let targets = audited_targets(&sim, &config).await;
    assert_eq!(targets.len(), 10, "{targets:?}");
    let not_sent = count(&targets, "not_sent");
    assert!(
        not_sent >= 7,
        "the targets waiting for the budget were not sent: {targets:?}"
    );
    let lines = audit_lines(&config);
    let sent = lines.iter().filter(|l| l["event"] == "sent").count();
    assert_eq!(
        sent,
        stops(),
        "a sent line only for what was sent: {}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn many_failures_are_summarised_by_cause_headless_and_in_the_audit() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    sim.set_faults("deny=1".parse().expect("faults"));
    let ids: Vec<String> = phone_ids(&sim).into_iter().take(60).collect();
    let mut args = vec!["phones", "stop-streaming", "--yes", "-o", "json"];
    args.extend(ids.iter().map(String::as_str));
    let run = phonedeck(&sim, &config, &args).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let summary = run
        .stderr
        .lines()
        .find(|l| l.starts_with("summary: "))
        .unwrap_or_else(|| panic!("a summary line: {}", run.stderr))
        .to_string();
    assert!(
        summary.contains("60 target(s): 0 ok, 60 failed"),
        "{summary}"
    );
    assert!(summary.contains("×60"), "grouped by cause: {summary}");
    let lines = audit_lines(&config);
    let action = lines[0]["action_id"]
        .as_str()
        .expect("an action id")
        .to_string();
    let audited = phonedeck(&sim, &config, &["audit", "--action", &action]).await;
    assert!(
        audited
            .stderr
            .contains(summary.trim_start_matches("summary: ")),
        "the audit says the same: {}",
        audited.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_follows_the_chain_and_never_resends_what_a_later_retry_did() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    sim.set_faults("deny=0.5".parse().expect("faults"));
    let ids: Vec<String> = phone_ids(&sim).into_iter().take(20).collect();
    let mut args = vec!["phones", "stop-streaming", "--yes", "-o", "json"];
    args.extend(ids.iter().map(String::as_str));
    let first = phonedeck(&sim, &config, &args).await;
    let failed = first
        .json()
        .as_array()
        .expect("outcomes")
        .iter()
        .filter(|o| o["outcome"] == "failed")
        .count();
    assert!(failed > 0, "some were denied");
    let action = audit_lines(&config)[0]["action_id"]
        .as_str()
        .expect("an action id")
        .to_string();
    sim.set_faults(phonedeck::sim::Faults::default());
    let retry = phonedeck(&sim, &config, &["retry", &action, "--yes", "-o", "json"]).await;
    assert_eq!(retry.code, 0, "the retry fixed them: {}", retry.stderr);
    assert_eq!(retry.json().as_array().map(Vec::len), Some(failed));
    let sent = mutations(&sim).len();
    let again = phonedeck(&sim, &config, &["retry", &action, "--yes"]).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("nothing to retry"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains("after its retries"),
        "{}",
        again.stderr
    );
    assert_eq!(mutations(&sim).len(), sent, "nothing re-sent");
    // The write-up counts each target once, by its latest outcome, and names the chain.
    let summaries = phonedeck(&sim, &config, &["audit", "-o", "json"])
        .await
        .json();
    let first = &summaries[0];
    assert_eq!(first["action_id"], action.as_str());
    assert_eq!(
        first["failed"], failed,
        "its own outcomes stay as they were"
    );
    assert_eq!(first["now"]["ok"], 20, "{first}");
    assert_eq!(first["now"]["failed"], 0, "{first}");
    assert_eq!(first["retried_by"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_that_may_have_happened_is_retried_only_when_asked() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    let (maybe, refused) = sim.with_fleet(|f| (f.encoders[0].id.clone(), f.encoders[1].id.clone()));
    // As the audit log records a restart never answered whose encoder, read back, did
    // not say (the reader takes the log as it is; how it came to say so is tested
    // with the reconcile step).
    let line = |event: &str, target: &str, extra: &str| {
        format!(
            r#"{{"time":"2026-11-30T10:00:00.000Z","event":"{event}","profile":"sim","action":"restart-encoder","action_id":"r1","target":"{target}"{extra}}}"#
        )
    };
    let log = [
        line("sent", &maybe, r#","client_request_id":"c1""#),
        line("sent", &refused, r#","client_request_id":"c2""#),
        line(
            "outcome",
            &maybe,
            r#","client_request_id":"c1","outcome":"unknown""#,
        ),
        line(
            "reconciled",
            &maybe,
            r#","client_request_id":"c1","outcome":"unknown","reconciled":"cannot_tell""#,
        ),
        line(
            "outcome",
            &refused,
            r#","client_request_id":"c2","outcome":"failed","error_code":"CPS.0001""#,
        ),
    ]
    .join("\n")
        + "\n";
    std::fs::write(audit_path(&config), log).expect("audit log");
    let restarted = || -> Vec<String> {
        mutations(&sim)
            .iter()
            .filter(|r| r.path.ends_with("/batch-restart"))
            .map(|r| r.body.clone())
            .collect()
    };
    let retry = phonedeck(&sim, &config, &["retry", "r1", "--yes", "-o", "json"]).await;
    assert_eq!(
        retry.code, 1,
        "a target that may not have happened: {}",
        retry.stderr
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&retry.stdout).expect("JSON rows");
    let row = |target: &str| {
        rows.iter()
            .find(|r| r["target"] == target)
            .unwrap_or_else(|| panic!("{target} in {rows:?}"))
    };
    assert_eq!(row(&refused)["outcome"], "ok");
    assert_eq!(row(&maybe)["outcome"], "left_out");
    assert!(
        row(&maybe)["reason"]
            .as_str()
            .is_some_and(|r| r.contains("--include-uncertain")),
        "{rows:?}"
    );
    assert!(
        retry.stderr.contains("left out 1 target(s)"),
        "{}",
        retry.stderr
    );
    assert!(
        retry.stderr.contains("--include-uncertain"),
        "{}",
        retry.stderr
    );
    let sent = restarted();
    assert_eq!(sent.len(), 1, "only the refused one: {sent:?}");
    assert!(
        sent[0].contains(&refused) && !sent[0].contains(&maybe),
        "{sent:?}"
    );
    let asked = phonedeck(
        &sim,
        &config,
        &["retry", "r1", "--include-uncertain", "--yes"],
    )
    .await;
    assert!(!asked.stderr.contains("left out"), "{}", asked.stderr);
    let sent = restarted();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains(&maybe), "restarted when asked: {sent:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_ends_status_watch_even_while_a_poll_is_in_flight() {
    let (sim, _dir, config) = setup().await;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_phonedeck"));
    command
        .arg("--config")
        .arg(&config)
        .args(["status", "--watch", "--interval", "100ms"])
        .env("PD_TEST_TOKEN", &sim.credentials().token);
    let (mut child, mut lines) = stdout_lines(command);
    for _ in 0..250 {
        tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("the first poll in time")
            .expect("reads");
    }
    // Every poll now takes 3 s: the signal lands while one is in flight.
    sim.set_faults(phonedeck::sim::Faults {
        latency: Duration::from_secs(3),
        ..Default::default()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    signal(&child, "INT");
    let status = tokio::time::timeout(Duration::from_secs(2), child.wait())
        .await
        .expect("ends before the poll answers")
        .expect("exits");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_found_twice_is_ambiguous_even_when_the_second_is_on_a_later_page() {
    let sim = start_sim().await;
    let (_dir, config) = config_file(&sim, "");
    // The simulator's filter matches any part: "twin" finds 120 phones, two of them
    // named exactly "twin", on pages 1 and 2 of the filtered list.
    let (first, second) = sim.with_fleet(|fleet| {
        for (i, phone) in fleet.phones.iter_mut().enumerate().take(120) {
            phone.name = format!("twin-extra-{i}");
        }
        fleet.phones[0].name = "twin".into();
        fleet.phones[119].name = "twin".into();
        (fleet.phones[0].id.clone(), fleet.phones[119].id.clone())
    });
    let run = phonedeck(
        &sim,
        &config,
        &["phones", "stop-streaming", "twin", "--yes"],
    )
    .await;
    assert_eq!(run.code, 2, "ambiguous: {}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&first) && run.stderr.contains(&second),
        "{}",
        run.stderr
    );
    assert!(mutations(&sim).is_empty(), "nothing sent to either");
    let pages = sim
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .filter(|q| q.contains("instance_name=twin"))
        .count();
    assert_eq!(pages, 2, "both pages of the filtered list were read");
}
