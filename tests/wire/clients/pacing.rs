//! Within the provider's limits: throttled requests waited for and sent again (a
//! refused mutation never), the request budget and documented rate limits kept.

use std::time::Duration;

use crate::common::*;

use phonedeck::api::live::StreamKey;
use phonedeck::api::{Api, Outcome, Service, TargetOutcome};
use phonedeck::sim::Faults;

use super::support::*;

/// A throttled read is retried; so is a mutation, but only because the gateway's
/// `APIGW.0308` means the service never saw it.
#[tokio::test]
async fn reads_and_mutations_are_retried_when_the_gateway_throttles() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let api = api_for(&sim);
    let err = api.compute().list_servers().await.expect_err("throttled");
    assert!(err.is_throttled());
    assert_eq!(err.code.as_deref(), Some("APIGW.0308"));
    assert_eq!(sim.requests().len(), 3, "max_attempts reads");
    let id = phone_ids(&sim)[0].clone();
    let outcome = TargetOutcome::from_result(&id, api.koophone().stop_streaming(&id, RID).await);
    assert_eq!(outcome.outcome, Outcome::Failed);
    assert_eq!(outcome.error_code.as_deref(), Some("APIGW.0308"));
    assert_eq!(mutations(&sim).len(), 3, "max_attempts, as a read");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_request_budget_paces_every_request_of_a_client() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.max_requests_per_sec = Some(40.0);
    let api = Api::new(config).expect("client");
    let started = std::time::Instant::now();
    let koophone = api.koophone();
    let pages = futures::future::join_all((1..=60).map(|page| koophone.list_page(page, 1))).await;
    let took = started.elapsed();
    assert!(pages.iter().all(Result::is_ok));
    assert_eq!(sim.requests().len(), 60);
    // A second's burst of 40, then 20 more at 40 a second.
    assert!(took >= Duration::from_millis(450), "{took:?}");
}

/// A read the gateway throttles with `Retry-After` waits as long as it says, then is
/// sent again.
#[tokio::test]
async fn a_throttled_read_waits_as_retry_after_says() {
    let (addr, seen) = serve_throttling_once(
        "/v2/{project}/servers/detail",
        "APIGW.0308",
        true,
        serde_json::json!({"servers": []}),
    )
    .await;
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.endpoints.set(
        Service::Compute,
        format!("http://{addr}").parse().expect("a URL"),
    );
    let api = Api::new(config).expect("builds");
    let started = std::time::Instant::now();
    api.compute()
        .list_servers()
        .await
        .expect("the retry succeeds");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        seen.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one refusal, one retry"
    );
}

/// Pauses under Live's block-once limit (sped up to 50/s in both the simulator and
/// the client): every one ok, none failed by the gateway's throttle, in no more than
/// 1.1× the time the limit allows.
#[tokio::test(flavor = "multi_thread")]
async fn pauses_are_paced_to_the_limit_never_throttled() {
    use phonedeck::action_kind::ActionKind;
    use phonedeck::actions::{Executor, Run};
    let mut limits = phonedeck::api::RateLimits::default();
    limits.set("live.block_once", "50/s").expect("a limit");
    let sim = start_sim_with(phonedeck::sim::SimOptions {
        size: phonedeck::sim::FleetSize {
            streams: 100,
            ..sim_options().size
        },
        rate_limits: limits.clone(),
        ..sim_options()
    })
    .await;
    let mut config = config_for(&sim);
    config.rate_limits = limits;
    config.max_in_flight = 16;
    let executor = Executor {
        api: Api::new(config).expect("builds"),
        audit: None,
    };
    let keys: Vec<String> = sim.with_fleet(|f| {
        f.streams
            .iter()
            .map(|s| format!("{}/{}/{}", s.domain, s.app, s.stream))
            .collect()
    });
    let started = std::time::Instant::now();
    let outcomes = executor
        .run_in_order(ActionKind::PauseStream, keys, Run::new(None))
        .await;
    let took = started.elapsed();
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|o| o.outcome != Outcome::Ok)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let sent = sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/stream/block-once"))
        .count();
    // Paced requests can still reach a 1 s window bunched by a loaded machine's
    // jitter; the gateway's rare refusal is then sent again, never failed.
    assert!((100..=105).contains(&sent), "{sent} sent for 100 pauses");
    // 100 requests at 50 a second: the limit allows them in 2 s.
    assert!(took <= Duration::from_millis(2_200), "{took:?}");
    assert!(
        took >= Duration::from_millis(1_900),
        "paced, not sent at once: {took:?}"
    );
}

/// A mutation the gateway throttled (429 `APIGW.0308`) never reached the service:
/// it is sent again. A 429 with any other code came from the service: never again.
#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_throttled_by_the_gateway_is_sent_again_one_refused_by_the_service_is_not() {
    let sim = start_sim().await;
    let key: StreamKey = "publish.example.com/live/cam-1".parse().expect("a key");
    for (code, sent, ok) in [("APIGW.0308", 2, true), ("LIVE.100011429", 1, false)] {
        let (addr, seen) = serve_throttling_once(
            "/v1/{project}/stream/block-once",
            code,
            false,
            serde_json::json!({}),
        )
        .await;
        let mut config = config_for(&sim);
        config.endpoints.set(
            Service::Live,
            format!("http://{addr}").parse().expect("a URL"),
        );
        let api = Api::new(config).expect("builds");
        let result = api.live().pause(&key, RID).await;
        assert_eq!(result.is_ok(), ok, "{code}: {result:?}");
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::SeqCst),
            sent,
            "{code}"
        );
    }
}
