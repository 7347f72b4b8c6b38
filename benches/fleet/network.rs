//! Targets 1, 2 and 9: throughput against the simulator at 50 ms per request, beside
//! the limit that latency and concurrency allow (rounds of `IN_FLIGHT` requests), or
//! that a rate limit allows.

use std::process::Command;
use std::time::{Duration, Instant};

use phonedeck::action_kind::ActionKind;
use phonedeck::actions::Executor;
use phonedeck::api::koophone::STATUS_BATCH_LIMIT;
use phonedeck::audit::AuditLog;

use crate::Figure;
use crate::simulator::{self, IN_FLIGHT, LATENCY_MS};

fn rounds(requests: usize) -> Duration {
    Duration::from_millis(LATENCY_MS * requests.div_ceil(IN_FLIGHT) as u64)
}

pub async fn refresh(phones: usize) -> Figure {
    let sim = simulator::start(phones);
    let api = simulator::api(&sim);
    let ids = simulator::phone_ids(&api).await;
    let started = Instant::now();
    let status = api.koophone().batch_status(&ids).await;
    let took = started.elapsed();
    assert!(status.failures.is_empty(), "{:?}", status.failures.first());
    assert_eq!(status.results.len(), phones);
    let requests = phones.div_ceil(STATUS_BATCH_LIMIT);
    Figure::timed(
        format!("1. status refresh, {phones} phones ({requests} req)"),
        took,
        rounds(requests),
        1.15,
    )
}

/// The same refresh as an engineer would script it: one curl per batch of 32 ids,
/// 16 at a time with `xargs -P 16`, each answer kept in a file.
pub fn curl_baseline(phones: usize) -> Figure {
    let sim = simulator::start(phones);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let ids = runtime.block_on(simulator::phone_ids(&simulator::api(&sim)));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bodies = String::new();
    for (n, chunk) in ids.chunks(STATUS_BATCH_LIMIT).enumerate() {
        let path = dir.path().join(format!("batch-{n}.json"));
        let body = serde_json::json!({ "instance_ids": chunk }).to_string();
        std::fs::write(&path, body).expect("body written");
        bodies.push_str(&format!("{}\n", path.display()));
    }
    std::fs::write(dir.path().join("bodies"), bodies).expect("list written");
    let script = format!(
        "xargs -P {IN_FLIGHT} -I{{}} curl -sS --fail -o {{}}.out -X POST \
         -H 'content-type: application/json' -H 'x-auth-token: {}' -H 'x-request-id: bench' \
         --data-binary @{{}} {}v1/instances/batch-query-status < bodies",
        simulator::token(),
        sim.base
    );
    let started = Instant::now();
    let status = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .status()
        .expect("bash runs (curl and xargs are needed for this row)");
    let took = started.elapsed();
    assert!(status.success(), "a curl call failed: {status}");
    let requests = phones.div_ceil(STATUS_BATCH_LIMIT);
    Figure {
        met: None,
        ..Figure::timed(
            format!("   same {phones} phones with curl | xargs -P 16"),
            took,
            rounds(requests),
            1.15,
        )
    }
}

pub async fn bulk_stop(phones: usize) -> Figure {
    let sim = simulator::start(phones);
    let api = simulator::api(&sim);
    let ids = simulator::phone_ids(&api).await;
    // On the build disk, not a tmpfs, so the fsyncs cost what they cost.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let audit = AuditLog::open(
        &dir.path().join("audit.jsonl"),
        "bench",
        phonedeck::audit::Links::Follow,
    )
    .expect("audit");
    let executor = Executor {
        api,
        audit: Some(audit),
    };
    let started = Instant::now();
    let run = phonedeck::actions::Run::new(None);
    let outcomes = executor
        .run_in_order(ActionKind::StopStreaming, ids, run)
        .await;
    let took = started.elapsed();
    assert_eq!(outcomes.len(), phones);
    assert!(
        outcomes
            .iter()
            .all(|o| o.outcome == phonedeck::api::Outcome::Ok)
    );
    Figure::timed(
        format!("2. stop streaming, {phones} phones, audited"),
        took,
        rounds(phones),
        1.2,
    )
}

/// `status ID…` of every phone by id: the statuses and the list that names them,
/// read together. The floor is every request it needs (the status batches and the
/// list's pages) in rounds of `IN_FLIGHT`.
pub async fn status_of_ids(phones: usize) -> Figure {
    let sim = simulator::start(phones);
    let api = simulator::api(&sim);
    let ids = simulator::phone_ids(&api).await;
    let started = Instant::now();
    let (status, list) = api.koophone().status_and_list(&ids).await;
    let took = started.elapsed();
    assert!(status.failures.is_empty(), "{:?}", status.failures.first());
    assert_eq!(status.results.len(), phones);
    assert_eq!(list.expect("listed").len(), phones);
    let requests = phones.div_ceil(STATUS_BATCH_LIMIT)
        + phones.div_ceil(phonedeck::api::koophone::LIST_PAGE_SIZE as usize);
    Figure::timed(
        format!("9. status ID..., {phones} ids with names ({requests} req)"),
        took,
        rounds(requests),
        1.10,
    )
}

/// Pausing `streams` streams under Live's block-once limit, sped up to `per_minute`
/// in both the simulator and the client: all ok, in the time the limit allows.
pub async fn paced_pause(streams: usize, per_minute: u32) -> Figure {
    let limit = format!("live.block_once={per_minute}/min");
    let sim = simulator::start_with(10, &["--streams", &streams.to_string(), "--limit", &limit]);
    let mut limits = phonedeck::api::RateLimits::default();
    limits
        .set("live.block_once", &format!("{per_minute}/min"))
        .expect("a limit");
    let api = simulator::api_limited(&sim, limits);
    let keys: Vec<String> = api
        .live()
        .list_streams("publish.example.com")
        .await
        .expect("listed")
        .iter()
        .map(|s| s.key().to_string())
        .collect();
    assert_eq!(keys.len(), streams);
    let executor = Executor { api, audit: None };
    let started = Instant::now();
    let outcomes = executor
        .run_in_order(
            ActionKind::PauseStream,
            keys,
            phonedeck::actions::Run::new(None),
        )
        .await;
    let took = started.elapsed();
    let failed = outcomes
        .iter()
        .filter(|o| o.outcome != phonedeck::api::Outcome::Ok)
        .count();
    assert_eq!(failed, 0, "none failed, the gateway's 429 included");
    let allowed = Duration::from_secs_f64(streams as f64 * 60.0 / f64::from(per_minute));
    Figure::timed(
        format!("10. pause {streams} streams at {per_minute}/min (paced)"),
        took,
        allowed,
        1.10,
    )
}
