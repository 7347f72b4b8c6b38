//! After the answer: reading an unanswered target back, restarts settled by their
//! jobs, and `retry` sending exactly what did not take effect, along the chain.

use std::time::Duration;

use crate::common::*;
use serde_json::Value;

use super::support::*;

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
    let unknown = phonedeck(&sim, &config, &["audit", "--target", "cph-host-01"]).await;
    assert_eq!(unknown.code, 1, "not an empty table with exit 0");
    assert!(
        unknown.stderr.contains("names the target cph-host-01"),
        "{}",
        unknown.stderr
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
