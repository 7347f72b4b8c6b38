//! Every exit is the same exit: Ctrl-C, SIGTERM, SIGHUP and SIGKILL mid-bulk, a full
//! disk and a planted link all leave every target accounted for in the audit.

use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use phonedeck::sim::SimHandle;
use serde_json::Value;

use super::support::*;

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
