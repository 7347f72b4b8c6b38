//! Acting headless: each action kind against the simulator, confirmed, refused when
//! read-only, reported per target, paced to its API's limit, its verdict only from
//! what the provider said.

use std::process::Stdio;

use crate::common::*;
use serde_json::Value;

use super::support::*;

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
        [
            "action_id",
            "error_code",
            "error_msg",
            "outcome",
            "request_id",
            "target"
        ]
    );
    assert_eq!(mutations(&sim).len(), 3);
    let audit = audit_lines(&config);
    assert_eq!(results[0]["action_id"], audit[0]["action_id"], "for retry");
    assert!(
        !run.stderr.contains("answered"),
        "no progress line into a pipe: {}",
        run.stderr
    );
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

#[test]
fn a_bulk_action_on_a_terminal_shows_its_progress_and_its_action_id() {
    let home = tempfile::tempdir().expect("home");
    let (_runtime, sim, config) =
        crate::pty::simulator_with_config("latency=40ms", home.path(), "max_in_flight = 2");
    let ids: Vec<String> =
        sim.with_fleet(|f| f.phones.iter().take(60).map(|p| p.id.clone()).collect());
    let token = sim.credentials().token.clone();
    let audit = home.path().join("audit.jsonl");
    let mut args = vec!["--config", &config, "--audit-log"];
    let audit_arg = audit.display().to_string();
    args.push(&audit_arg);
    args.extend(["phones", "stop-streaming", "--yes"]);
    args.extend(ids.iter().map(String::as_str));
    let mut pty = crate::pty::Pty::spawn_with_env(&args, home.path(), &[("PD_TEST_TOKEN", &token)]);
    pty.wait_for("/60 answered");
    pty.wait_for("0 failed or unknown, 2 in flight");
    // The line is cleared for the results; the action's id follows them.
    let screen = pty.wait_for("phonedeck retry");
    assert!(!screen.contains("in flight"), "{screen}");
    assert_eq!(pty.wait_exit(), 0, "{}", pty.contents());
}

#[test]
fn the_confirmation_names_each_target_beside_its_id() {
    let home = tempfile::tempdir().expect("home");
    let (_runtime, sim, config) = crate::pty::simulator_with_config("", home.path(), "");
    let (id, name) = sim.with_fleet(|f| (f.servers[0].id.clone(), f.servers[0].name.clone()));
    let token = sim.credentials().token.clone();
    let args = [
        "--config",
        &config,
        "--audit-log",
        "/dev/null",
        "servers",
        "stop",
        &name,
    ];
    let mut pty = crate::pty::Pty::spawn_with_env(&args, home.path(), &[("PD_TEST_TOKEN", &token)]);
    pty.wait_for(&format!("stop server on 1 target(s): {name} ({id})"));
    pty.send("n\r");
    pty.wait_for("cancelled; nothing was sent");
}
