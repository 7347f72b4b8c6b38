//! Failures of the transport and the answer: each an error of the right kind, with
//! an excerpt and what to do.

use std::time::Duration;

use crate::common::*;

use phonedeck::api::{Api, ErrorKind, Outcome, Service, TargetOutcome};
use phonedeck::sim::Faults;

use super::support::*;

#[tokio::test]
async fn server_errors_and_html_pages_become_errors_with_excerpts() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let err = api.koophone().list_page(1, 10).await.expect_err("500");
    assert_eq!(err.status, Some(500));
    assert_eq!(err.code.as_deref(), Some("KOOPHONE.API.9999"));
    sim.set_faults(Faults {
        html_rate: 1.0,
        ..Faults::default()
    });
    let err = api.cph().list_encode_servers().await.expect_err("502");
    assert_eq!(err.status, Some(502));
    assert!(err.message.contains("502 Bad Gateway"), "{}", err.message);
    let outcome = TargetOutcome::from_result(
        "x",
        api.cph()
            .batch_restart(&["x".into()], RID)
            .await
            .map(|_| None),
    );
    assert_eq!(
        outcome.outcome,
        Outcome::Unknown,
        "a gateway page says nothing of the backend"
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let sim = start_sim().await;
    let config = config_for(&sim);
    drop(sim);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let api = Api::new(config).expect("builds");
    let err = api.compute().list_servers().await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Connect);
    let outcome = TargetOutcome::from_result("s", api.compute().stop("s", RID).await);
    assert_eq!(outcome.outcome, Outcome::Failed, "nothing was sent");
}

#[tokio::test]
async fn a_missing_endpoint_is_a_configuration_error_not_a_credentials_one() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.endpoints.remove(Service::Iam);
    config.project_id = None;
    config.region = Some("cn-east-3".into());
    let api = Api::new(config).expect("builds");
    let err = api
        .project_id()
        .await
        .expect_err("no IAM to find the project by");
    assert_eq!(err.kind, ErrorKind::Config, "{err}");
    assert!(err.message.contains("endpoints"), "says what to fix: {err}");
    let mut feed = phonedeck::app::feed::Feed::new(std::time::Instant::now());
    feed.failed(std::time::Instant::now(), Duration::from_secs(5), &err);
    assert!(
        !feed.credentials_rejected,
        "no credentials banner for a typo"
    );
    assert!(sim.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn responses_over_the_size_cap_are_refused() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.limits.max_response_bytes = 2_000;
    let api = Api::new(config).expect("builds");
    let err = api
        .koophone()
        .list_page(1, 100)
        .await
        .expect_err("too large");
    assert_eq!(err.kind, ErrorKind::TooLarge);
}

#[tokio::test]
async fn broken_answers_are_errors_of_the_right_kind() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.retry.max_attempts = 1;
    config.limits.request_timeout = Duration::from_millis(300);
    let api = Api::new(config).expect("builds");
    let cases = [
        (
            Faults {
                truncated_rate: 1.0,
                ..Faults::default()
            },
            ErrorKind::Decode,
        ),
        (
            Faults {
                wrong_types_rate: 1.0,
                ..Faults::default()
            },
            ErrorKind::Decode,
        ),
        (
            Faults {
                oversize_rate: 1.0,
                ..Faults::default()
            },
            ErrorKind::TooLarge,
        ),
        (
            Faults {
                empty_rate: 1.0,
                ..Faults::default()
            },
            ErrorKind::Service,
        ),
        (
            Faults {
                hang_rate: 1.0,
                ..Faults::default()
            },
            ErrorKind::Timeout,
        ),
    ];
    for (faults, kind) in cases {
        sim.set_faults(faults.clone());
        for result in every_read(&api).await {
            let error = result.expect_err("a broken answer is an error");
            assert_eq!(error.kind, kind, "{faults:?}: {error}");
            assert!(
                error.message.len() < 400,
                "errors carry a short excerpt only"
            );
        }
    }
}

#[tokio::test]
async fn dns_failure_is_a_connect_error() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.endpoints.set(
        Service::Compute,
        reqwest::Url::parse("http://no-such-host.invalid/").expect("url"),
    );
    config.retry.max_attempts = 1;
    let api = Api::new(config).expect("builds");
    let err = api
        .compute()
        .list_servers()
        .await
        .expect_err("no such host");
    assert_eq!(err.kind, ErrorKind::Connect, "{err}");
}
