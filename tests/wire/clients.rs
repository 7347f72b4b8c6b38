//! Every client call against the in-process simulator, over real loopback HTTP.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;

/// The request id tests send with mutations.
const RID: &str = "test-request-id";
use phonedeck::api::koophone::PhoneStatus;
use phonedeck::api::live::StreamKey;
use phonedeck::api::server_status::ServerStatus;
use phonedeck::api::{Api, ErrorKind, Outcome, Service, TargetOutcome};
use phonedeck::sim::Faults;

#[tokio::test]
async fn lists_every_instance_across_pages() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let instances = api.koophone().list_instances().await.expect("lists");
    assert_eq!(instances.len(), 250);
    let unique: HashSet<_> = instances.iter().map(|i| &i.instance_id).collect();
    assert_eq!(unique.len(), 250);
    assert_eq!(instances[13].running_status, Some(PhoneStatus(7)));
    let pages = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/instances/batch-query")
        .count();
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn batch_status_chunks_by_32_in_both_response_shapes() {
    for bare in [false, true] {
        let sim = start_sim().await;
        sim.set_faults(Faults {
            bare_status: bare,
            ..Faults::default()
        });
        let api = api_for(&sim);
        let mut ids = phone_ids(&sim)[..100].to_vec();
        ids.push("no-such-phone".into());
        let status = api.koophone().batch_status(&ids).await;
        assert!(status.failures.is_empty(), "{:?}", status.failures);
        assert_eq!(status.results.len(), 100, "unknown ids are simply missing");
        let calls: Vec<_> = sim
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("batch-query-status"))
            .collect();
        assert_eq!(calls.len(), 4);
        for call in &calls {
            let body: serde_json::Value = serde_json::from_str(&call.body).expect("json");
            assert!(body["instance_ids"].as_array().expect("ids").len() <= 32);
        }
    }
}

#[tokio::test]
async fn every_koophone_request_has_a_fresh_request_id() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let ids = phone_ids(&sim);
    api.koophone().batch_status(&ids).await;
    let request_ids: Vec<String> = sim
        .requests()
        .into_iter()
        .map(|r| r.request_id.expect("x-request-id sent"))
        .collect();
    let unique: HashSet<_> = request_ids.iter().collect();
    assert_eq!(unique.len(), request_ids.len());
    assert!(uuid::Uuid::parse_str(&request_ids[0]).is_ok());
}

#[tokio::test]
async fn simulator_refuses_more_than_32_ids() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let ids = phone_ids(&sim)[..33].to_vec();
    // The client never sends such a batch; check the simulator's own rule directly.
    let err = api
        .koophone()
        .batch_status_chunk(&ids)
        .await
        .expect_err("refused");
    assert!(err.message.contains("at most 32"));
    let response = raw_client()
        .post(format!("{}v1/instances/batch-query-status", sim.base_url()))
        .header("x-auth-token", &sim.credentials().token)
        .header("x-request-id", "r1")
        .header("content-type", "application/json")
        .body(serde_json::json!({ "instance_ids": ids }).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    let body: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("json");
    assert_eq!(body["error_code"], "KOOPHONE.API.1000");
}

#[tokio::test]
async fn stop_streaming_ok_and_denied_keep_request_ids() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let id = phone_ids(&sim)[0].clone();
    let ok = TargetOutcome::from_result(&id, api.koophone().stop_streaming(&id, RID).await);
    assert_eq!(ok.outcome, Outcome::Ok);
    assert!(ok.request_id.is_some());
    sim.set_faults(Faults {
        deny_rate: 1.0,
        ..Faults::default()
    });
    let denied = TargetOutcome::from_result(&id, api.koophone().stop_streaming(&id, RID).await);
    assert_eq!(denied.outcome, Outcome::Failed);
    assert_eq!(denied.error_code.as_deref(), Some("KOOPHONE.API.1001"));
    assert!(denied.request_id.is_some());
}

#[tokio::test]
async fn streams_listed_per_domain_over_pages_and_paused_once() {
    let mut options = sim_options();
    options.size.streams = 230;
    let sim = start_sim_with(options).await;
    let api = api_for(&sim);
    let domains = api.live().list_all_streams().await;
    assert_eq!(domains.len(), 2);
    let first = domains[0].streams.as_ref().expect("listed");
    assert_eq!(first.len(), 115, "two pages of one domain");
    let key: StreamKey = first[0].key();
    api.live().pause(&key, RID).await.expect("paused");
    let after = api.live().list_streams(&key.domain).await.expect("listed");
    assert!(
        !after.iter().any(|s| s.key() == key),
        "blocked stream dropped"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = api.live().list_streams(&key.domain).await.expect("listed");
    assert!(
        later.iter().any(|s| s.key() == key),
        "publisher pushed again"
    );
    let offline = StreamKey {
        stream: "nope".into(),
        ..key
    };
    let err = api
        .live()
        .pause(&offline, RID)
        .await
        .expect_err("not online");
    assert_eq!(err.code.as_deref(), Some("LIVE.100011001"));
}

#[tokio::test]
async fn server_stop_goes_through_powering_off_and_conflicts_after() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let servers = api.compute().list_servers().await.expect("lists");
    let active = servers
        .iter()
        .find(|s| s.status == Some(ServerStatus::Active))
        .expect("active");
    api.compute().stop(&active.id, RID).await.expect("accepted");
    let now = api.compute().list_servers().await.expect("lists");
    let server = now.iter().find(|s| s.id == active.id).expect("there");
    assert_eq!(server.task_state.as_deref(), Some("powering-off"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = api.compute().list_servers().await.expect("lists");
    let server = later.iter().find(|s| s.id == active.id).expect("there");
    assert_eq!(server.status, Some(ServerStatus::Shutoff));
    let err = api
        .compute()
        .stop(&active.id, RID)
        .await
        .expect_err("conflict");
    assert_eq!(err.status, Some(409));
    assert_eq!(err.code.as_deref(), Some("conflictingRequest (409)"));
    api.compute().start(&active.id, RID).await.expect("starts");
    let missing = api.compute().stop("nope", RID).await.expect_err("404");
    assert_eq!(missing.status, Some(404));
}

#[tokio::test]
async fn encoder_restart_jobs_succeed_or_fail() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let encoders = api.cph().list_encode_servers().await.expect("lists");
    assert_eq!(encoders.len(), 5);
    let ids = vec![
        encoders[0].encode_server_id.clone(),
        encoders[3].encode_server_id.clone(),
        "missing".to_string(),
    ];
    let reply = api.cph().batch_restart(&ids, RID).await.expect("restarts");
    assert_eq!(reply.jobs.len(), 3);
    assert_eq!(reply.jobs[2].error_code.as_deref(), Some("CPS.0005"));
    let poll = Duration::from_millis(50);
    let job_ref = |i: usize| phonedeck::api::cph::JobRef {
        job_id: reply.jobs[i].job_id.clone().expect("job"),
        request_id: reply.request_id.clone(),
    };
    let (good, bad) = (job_ref(0), job_ref(1));
    let before = sim.requests().len();
    let rounds = std::sync::atomic::AtomicUsize::new(0);
    let ended = api
        .cph()
        .wait_jobs(
            vec![good.clone(), bad.clone()],
            poll,
            Duration::from_secs(5),
            &|_| {
                rounds.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            },
        )
        .await;
    let job = |wanted: &phonedeck::api::cph::JobRef| {
        ended
            .iter()
            .find(|(id, _)| *id == wanted.job_id)
            .and_then(|(_, job)| job.as_ref().ok())
            .expect("ended")
    };
    assert_eq!(job(&good).status_name(), "Success");
    assert_eq!(job(&bad).status_name(), "Failed");
    assert!(job(&bad).error_code.is_some());
    // Both jobs are read together, by their request's id: one ListJobs per round.
    let asked: Vec<_> = sim.requests()[before..].to_vec();
    assert_eq!(
        asked.len(),
        rounds.load(std::sync::atomic::Ordering::SeqCst)
    );
    assert!(
        asked.iter().all(|r| r.path.ends_with("/cloud-phone/jobs")
            && r.query
                .as_deref()
                .is_some_and(|q| q.contains("request_ids="))),
        "{asked:?}"
    );
}

/// Jobs of 25 requests are followed with two ListJobs calls (20 request ids at most
/// in one), never one ShowJob per job.
#[tokio::test]
async fn jobs_of_many_requests_are_read_twenty_requests_a_call() {
    let sim = start_sim_sized(|size| size.encoders = 25).await;
    let api = api_for(&sim);
    let encoders = api.cph().list_encode_servers().await.expect("lists");
    let mut wanted = Vec::new();
    for encoder in encoders.iter() {
        let reply = api
            .cph()
            .batch_restart(std::slice::from_ref(&encoder.encode_server_id), RID)
            .await
            .expect("restarts");
        wanted.push(phonedeck::api::cph::JobRef {
            job_id: reply.jobs[0].job_id.clone().expect("job"),
            request_id: reply.request_id.clone(),
        });
    }
    let before = sim.requests().len();
    let answers = api.cph().jobs(&wanted).await;
    assert_eq!(answers.len(), 25);
    assert!(answers.iter().all(|(_, job)| job.is_ok()), "{answers:?}");
    let asked = &sim.requests()[before..];
    assert_eq!(asked.len(), 2, "{asked:?}");
    let ids_per_call: Vec<usize> = asked
        .iter()
        .map(|r| {
            let query = r.query.clone().unwrap_or_default();
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("request_ids="))
                .map(|ids| ids.replace("%2C", ",").split(',').count())
                .unwrap_or(0)
        })
        .collect();
    assert_eq!(ids_per_call.iter().sum::<usize>(), 25);
    assert!(ids_per_call.iter().all(|&n| n <= 20), "{ids_per_call:?}");
}

#[tokio::test]
async fn access_key_signatures_are_verified() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.credentials.access_key = Some(sim.access_key());
    let signed = Api::new(config.clone()).expect("builds");
    signed
        .compute()
        .list_servers()
        .await
        .expect("signed compute read");
    signed
        .cph()
        .list_encode_servers()
        .await
        .expect("signed CPH read");
    let streams = signed
        .live()
        .list_streams("publish.example.com")
        .await
        .expect("signed Live read");
    signed
        .live()
        .pause(&streams[0].key(), RID)
        .await
        .expect("signed Live write");
    config.credentials.access_key = Some(phonedeck::api::AccessKey {
        secret_key: "wrong".to_string().into(),
        ..sim.access_key()
    });
    config.credentials.token = None;
    let wrong = Api::new(config).expect("builds");
    let err = wrong.compute().list_servers().await.expect_err("refused");
    assert_eq!(err.status, Some(401));
    assert_eq!(err.code.as_deref(), Some("APIGW.0301"));
}

#[tokio::test]
async fn expired_token_is_renewed_by_the_command_and_the_request_retried_once() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok-A\n").expect("write");
    sim.accept_token("tok-A");
    let mut config = config_for(&sim);
    config.credentials.token = Some(phonedeck::api::TokenSource::Command(
        phonedeck::api::TokenCommand::new(vec!["cat".into(), token_file.display().to_string()]),
    ));
    let api = Api::new(config).expect("builds");
    api.compute()
        .list_servers()
        .await
        .expect("first token works");
    sim.revoke_token("tok-A");
    std::fs::write(&token_file, "tok-B\n").expect("write");
    sim.accept_token("tok-B");
    let id = phone_ids(&sim)[0].clone();
    api.koophone()
        .stop_streaming(&id, RID)
        .await
        .expect("renewed and retried");
    let stops = mutations(&sim);
    assert_eq!(stops.len(), 2, "the rejected request and its one retry");
}

#[tokio::test]
async fn password_login_gets_a_token_from_iam() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    let login = |password: &str| phonedeck::api::PasswordLogin {
        user: "oncall".into(),
        domain: "acme".into(),
        password: password.to_string().into(),
        project: sim.credentials().project_id.clone(),
    };
    config.credentials.token = Some(phonedeck::api::TokenSource::Password(login("sim-password")));
    let api = Api::new(config.clone()).expect("builds");
    api.cph().list_encode_servers().await.expect("logged in");
    api.compute().list_servers().await.expect("token reused");
    let logins = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/v3/auth/tokens")
        .count();
    assert_eq!(logins, 1, "token cached until it expires");
    config.credentials.token = Some(phonedeck::api::TokenSource::Password(login(
        "hunter2-not-it",
    )));
    let err = Api::new(config)
        .expect("builds")
        .compute()
        .list_servers()
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Credentials);
    assert!(
        !err.to_string().contains("hunter2"),
        "password never in errors"
    );
}

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
async fn a_mutation_without_an_answer_is_unknown() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        latency: Duration::from_secs(2),
        ..Faults::default()
    });
    let mut config = config_for(&sim);
    config.limits.request_timeout = Duration::from_millis(300);
    let api = Api::new(config).expect("builds");
    let id = phone_ids(&sim)[0].clone();
    let outcome = TargetOutcome::from_result(&id, api.koophone().stop_streaming(&id, RID).await);
    assert_eq!(outcome.outcome, Outcome::Unknown);
    assert!(
        outcome.request_id.is_some(),
        "the request id is kept to ask support"
    );
    assert_eq!(mutations(&sim).len(), 1);
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
async fn read_only_refuses_in_the_client_before_sending() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.read_only = true;
    let api = Api::new(config).expect("builds");
    let id = phone_ids(&sim)[0].clone();
    let errors = [
        api.koophone()
            .stop_streaming(&id, RID)
            .await
            .expect_err("refused"),
        api.compute().stop(&id, RID).await.expect_err("refused"),
        api.compute().start(&id, RID).await.expect_err("refused"),
        api.cph()
            .batch_restart(std::slice::from_ref(&id), RID)
            .await
            .expect_err("refused"),
        api.live()
            .pause(
                &"publish.example.com/live/room-0000".parse().expect("key"),
                RID,
            )
            .await
            .expect_err("refused"),
    ];
    assert!(errors.iter().all(|e| e.kind == ErrorKind::ReadOnly));
    assert!(sim.requests().is_empty(), "nothing reached the simulator");
    api.compute()
        .list_servers()
        .await
        .expect("reads still work");
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
async fn iam_token_that_expires_mid_session_is_renewed_by_logging_in_again() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        token_ttl: Some(Duration::from_millis(150)),
        ..Faults::default()
    });
    let mut config = config_for(&sim);
    config.credentials.token = Some(phonedeck::api::TokenSource::Password(
        phonedeck::api::PasswordLogin {
            user: "oncall".into(),
            domain: "acme".into(),
            password: "sim-password".to_string().into(),
            project: "sim-region".into(),
        },
    ));
    let api = Api::new(config).expect("builds");
    api.compute().list_servers().await.expect("first login");
    tokio::time::sleep(Duration::from_millis(250)).await;
    api.compute()
        .list_servers()
        .await
        .expect("expired token renewed");
    let logins = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/v3/auth/tokens")
        .count();
    assert_eq!(logins, 2);
}

/// Every read the dashboard makes, as results (errors expected under faults).
async fn every_read(api: &Api) -> Vec<Result<(), phonedeck::api::ApiError>> {
    let ids = vec!["x".to_string()];
    vec![
        api.koophone().list_page(1, 10).await.map(drop),
        api.koophone().batch_status_chunk(&ids).await.map(drop),
        api.live()
            .list_streams("publish.example.com")
            .await
            .map(drop),
        api.compute().list_servers().await.map(drop),
        api.cph().list_encode_servers().await.map(drop),
        api.cph().job("x").await.map(drop),
    ]
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

#[tokio::test]
async fn lists_every_server_across_nova_pages_by_marker() {
    let sim = start_sim_sized(|size| size.servers = 2_500).await;
    let api = api_for(&sim);
    let servers = api.compute().list_servers().await.expect("listed");
    let expected: Vec<String> =
        sim.with_fleet(|f| f.servers.iter().map(|s| s.id.clone()).collect());
    let listed: Vec<String> = servers.into_iter().map(|s| s.id).collect();
    assert_eq!(listed, expected, "every server once, in order");
    let pages: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/servers/detail"))
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(
        pages[2].contains(&format!("marker={}", expected[1_999])),
        "{pages:?}"
    );
}

// ---- the official contracts (issue 10) -------------------------------------------

#[tokio::test]
async fn sparse_rows_are_all_kept_with_unknown_fields() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        sparse: true,
        ..Faults::default()
    });
    let api = api_for(&sim);
    let phones = api.koophone().list_instances().await.expect("lists");
    assert_eq!(phones.len(), 250, "every sparse row is kept");
    assert_eq!(
        phones.dropped, 1,
        "the row without an id is left out and counted"
    );
    let unknown = phones.iter().filter(|p| p.running_status.is_none()).count();
    assert!(
        unknown >= 150,
        "two rows in three have no status: {unknown}"
    );
    assert!(phones.iter().any(|p| p.instance_name.is_empty()));
    let servers = api.compute().list_servers().await.expect("lists");
    assert_eq!((servers.len(), servers.dropped), (6, 1));
    assert!(
        servers
            .iter()
            .any(|s| s.status.is_none() && s.name.is_empty())
    );
    let encoders = api.cph().list_encode_servers().await.expect("lists");
    assert_eq!(encoders.len(), 5);
    assert!(encoders.iter().any(|e| e.status.is_none()));
    let streams = api
        .live()
        .list_streams("publish.example.com")
        .await
        .expect("lists");
    assert_eq!(streams.len(), 6);
    assert!(
        streams
            .iter()
            .all(|s| s.publish_domain == "publish.example.com"),
        "a stream without its domain gets the one asked for"
    );
}

#[tokio::test]
async fn koophone_errors_inside_data_are_errors_not_empty_fleets() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        sparse: true,
        deny_rate: 1.0,
        ..Faults::default()
    });
    let api = api_for(&sim);
    let outcome = TargetOutcome::from_result(
        "ph".to_string(),
        api.koophone()
            .stop_streaming(&phone_ids(&sim)[0], RID)
            .await,
    );
    assert_eq!(outcome.outcome, Outcome::Failed);
    assert_eq!(outcome.error_code.as_deref(), Some("KOOPHONE.API.1001"));
    let oversized: Vec<String> = (0..33).map(|i| format!("id{i}")).collect();
    let err = api
        .koophone()
        .batch_status_chunk(&oversized)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn live_paging_is_right_whatever_offset_counts() {
    use phonedeck::sim::LiveOffset;
    for reading in [LiveOffset::Pages, LiveOffset::Items] {
        let mut options = sim_options();
        options.size.streams = 250;
        options.live_domains = vec!["publish.example.com".into()];
        options.live_offset = reading;
        let sim = start_sim_with(options).await;
        let api = api_for(&sim);
        let streams = api
            .live()
            .list_streams("publish.example.com")
            .await
            .expect("lists");
        let distinct: HashSet<StreamKey> = streams.iter().map(|s| s.key()).collect();
        assert_eq!(streams.len(), 250, "{reading:?}");
        assert_eq!(distinct.len(), 250, "{reading:?}");
        let pages = sim
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/realtime/streams"))
            .count();
        assert!(pages <= 4, "{reading:?}: {pages} pages for 250 streams");
    }
}

#[tokio::test]
async fn the_instance_list_sends_its_request_id_in_the_query_too() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    api.koophone().list_page(1, 10).await.expect("lists");
    let request = sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/instances/batch-query")
        .expect("sent");
    let header = request.request_id.expect("header");
    let query = request.query.expect("query");
    assert!(
        query.contains(&format!("x-request-id={header}")),
        "{query} vs {header}"
    );
}

#[tokio::test]
async fn signed_calls_carry_what_the_official_sdks_sign() {
    let mut options = sim_options();
    options.credentials.security_token = Some("sim-security-token".into());
    let sim = start_sim_with(options).await;
    let mut config = config_for(&sim);
    config.credentials.token = None;
    config.credentials.access_key = Some(sim.access_key());
    let api = Api::new(config.clone()).expect("builds");
    api.koophone()
        .list_instances()
        .await
        .expect("AK/SK alone serve KooPhone");
    api.compute()
        .list_servers()
        .await
        .expect("signed compute read");
    api.cph()
        .list_encode_servers()
        .await
        .expect("signed CPH read");
    api.live()
        .list_streams("publish.example.com")
        .await
        .expect("signed Live read");
    let project = sim.credentials().project_id.clone();
    for request in sim.requests() {
        let signed = &request.signed_headers;
        for header in ["content-type", "host", "x-sdk-date", "x-security-token"] {
            assert!(
                signed.iter().any(|h| h == header),
                "{}: {signed:?}",
                request.path
            );
        }
        let project_scoped = !request.path.starts_with("/v1/instances");
        assert_eq!(
            request.project_header.is_some(),
            project_scoped,
            "{}",
            request.path
        );
        if project_scoped {
            assert!(signed.iter().any(|h| h == "x-project-id"));
            assert_eq!(request.project_header.as_deref(), Some(project.as_str()));
        }
    }
    config.credentials.access_key = Some(phonedeck::api::AccessKey {
        security_token: None,
        ..sim.access_key()
    });
    config.retry.max_attempts = 1;
    let without_token = Api::new(config).expect("builds");
    let err = without_token
        .compute()
        .list_servers()
        .await
        .expect_err("temporary credentials need their token");
    assert_eq!(err.status, Some(401));
}

/// The server list, signed by hand with the simulator's access key: `sent` headers
/// go on the wire beside host and the date, and those named in `signed` (with host
/// and the date) are signed.
async fn hand_signed_server_list(
    sim: &phonedeck::sim::SimHandle,
    sent: &[(&str, &str)],
    signed: &[&str],
) -> reqwest::Response {
    use phonedeck::api::signer::{self, SignableRequest};
    let c = sim.credentials().clone();
    let url = sim
        .base_url()
        .join(&format!("v2/{}/servers/detail", c.project_id))
        .expect("url");
    let date = chrono::Utc::now().format(signer::DATE_FORMAT).to_string();
    let mut headers = vec![
        (
            "host".to_string(),
            format!("127.0.0.1:{}", sim.addr().port()),
        ),
        (signer::DATE_HEADER.to_string(), date.clone()),
    ];
    headers.extend(
        sent.iter()
            .filter(|(name, _)| signed.contains(name))
            .map(|(name, value)| (name.to_string(), value.to_string())),
    );
    let request = SignableRequest {
        method: "GET",
        path: url.path(),
        query: "",
        headers: &headers,
        body: b"",
    };
    let authorization = signer::authorization(&request, &date, &c.access_key, &c.secret_key);
    let mut call = raw_client()
        .get(url)
        .header(signer::DATE_HEADER, date)
        .header("authorization", authorization);
    for (name, value) in sent {
        call = call.header(*name, *value);
    }
    call.send().await.expect("answers")
}

/// The Java and Go SDKs send Content-Type without signing it; the simulator, like
/// the gateway, accepts that as it accepts the Python SDK's signed one.
#[tokio::test]
async fn the_simulator_accepts_content_type_signed_or_not() {
    let sim = start_sim().await;
    let project = sim.credentials().project_id.clone();
    let sent = [
        ("content-type", "application/json"),
        ("x-project-id", project.as_str()),
    ];
    for signed in [&["x-project-id"][..], &["x-project-id", "content-type"]] {
        let response = hand_signed_server_list(&sim, &sent, signed).await;
        assert_eq!(response.status().as_u16(), 200, "signed: {signed:?}");
    }
}

#[tokio::test]
async fn the_simulator_refuses_a_signed_project_call_without_x_project_id() {
    let sim = start_sim().await;
    let sent = [("content-type", "application/json")];
    let response = hand_signed_server_list(&sim, &sent, &["content-type"]).await;
    assert_eq!(response.status().as_u16(), 401);
    let body = response.text().await.expect("body");
    assert!(body.contains("X-Project-Id"), "{body}");
}

/// A server that answers `path` (any method) with 429 and the error `code` the
/// first time (with `Retry-After: 1` when `retry_after`), then 200 with `then`;
/// returns its address and how many requests it saw.
async fn serve_throttling_once(
    path: &'static str,
    code: &'static str,
    retry_after: bool,
    then: serde_json::Value,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = seen.clone();
    let app = axum::Router::new().route(
        path,
        axum::routing::any(move || {
            let (count, then) = (count.clone(), then.clone());
            async move {
                if count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
                    return axum::Json(then).into_response();
                }
                let body = serde_json::json!({"error_code": code, "error_msg": "over ratelimit"});
                let mut refused = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
                if retry_after {
                    refused
                        .headers_mut()
                        .insert("retry-after", axum::http::HeaderValue::from_static("1"));
                }
                refused
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
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

// ---- regions, discovery and the clock (issue 11) ---------------------------------

#[tokio::test]
async fn the_project_id_is_found_once_through_iam_by_region() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.project_id = None;
    config.region = Some(sim.region().to_string());
    config.credentials.token = None;
    config.credentials.access_key = Some(sim.access_key());
    let api = Api::new(config.clone()).expect("builds");
    api.cph()
        .list_encode_servers()
        .await
        .expect("signed CPH read");
    api.compute()
        .list_servers()
        .await
        .expect("signed compute read");
    assert!(api.project_discovered());
    let lookups: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v3/projects")
        .collect();
    assert_eq!(lookups.len(), 1, "found once, then kept");
    assert_eq!(lookups[0].query.as_deref(), Some("name=cn-east-3"));
    assert!(
        lookups[0].signed_headers.iter().any(|h| h == "x-sdk-date"),
        "the lookup is signed"
    );
    config.region = Some("eu-nowhere-1".into());
    let wrong = Api::new(config).expect("builds");
    let err = wrong
        .cph()
        .list_encode_servers()
        .await
        .expect_err("no project");
    assert_eq!(err.kind, ErrorKind::Credentials);
    assert!(err.message.contains("eu-nowhere-1"), "{}", err.message);
}

#[tokio::test]
async fn a_skewed_clock_is_seen_and_its_signatures_refused() {
    let mut options = sim_options();
    options.clock_skew_secs = 20 * 60;
    let sim = start_sim_with(options).await;
    let mut config = config_for(&sim);
    config.credentials.token = None;
    config.credentials.access_key = Some(sim.access_key());
    config.retry.max_attempts = 1;
    let api = Api::new(config).expect("builds");
    let server = api.server_clock().await.expect("a date");
    let skew = (server - chrono::Utc::now()).num_minutes();
    assert!((19..=21).contains(&skew), "{skew} minutes");
    let err = api.compute().list_servers().await.expect_err("refused");
    assert_eq!(err.status, Some(401));
    assert!(err.message.contains("signature expired"), "{}", err.message);
}

/// An encoder restart's read-back whose job list cannot be read: once stopped, it asks
/// nothing more; otherwise it falls back to the encoder's status.
#[tokio::test]
async fn a_stopped_encoder_read_back_sends_nothing_after_its_first_read() {
    use phonedeck::action_kind::ActionKind;
    use phonedeck::api::outcome::Settled;
    use phonedeck::reconcile::reconcile;
    let sim = start_sim().await;
    let api = api_for(&sim);
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let unlisted = TargetOutcome {
        outcome: Outcome::Unknown,
        ..TargetOutcome::ok("enc-1", Some("req-1".into()))
    };
    let paths = |from: usize| -> Vec<String> {
        sim.requests()[from..]
            .iter()
            .map(|r| r.path.clone())
            .collect()
    };
    for stopped in [true, false] {
        let before = sim.requests().len();
        let read = reconcile(
            &api,
            ActionKind::RestartEncoder,
            std::slice::from_ref(&unlisted),
            &|| stopped,
        )
        .await;
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].1.settled, Settled::CannotTell);
        let asked = paths(before);
        assert!(
            asked.iter().any(|p| p.ends_with("/cloud-phone/jobs")),
            "{asked:?}"
        );
        let fell_back = asked.iter().any(|p| p.ends_with("/encode-servers"));
        assert_eq!(fell_back, !stopped, "stopped: {stopped}, asked: {asked:?}");
    }
}

/// An access key the gateway refuses is sent once, however many requests want it at
/// the same moment: five failures in a row would lock the shared key for everyone.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_access_key_is_sent_once_by_concurrent_requests() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.credentials.token = None;
    config.credentials.access_key = Some(phonedeck::api::AccessKey {
        secret_key: secrecy::SecretString::from("a-wrong-secret-key"),
        ..sim.access_key()
    });
    let api = Api::new(config).expect("builds");
    let reads = (0..8).map(|_| {
        let api = api.clone();
        tokio::spawn(async move { api.compute().list_servers().await })
    });
    let results = futures::future::join_all(reads).await;
    assert_eq!(
        sim.requests().len(),
        1,
        "one request tried the unproven key"
    );
    for result in results {
        let error = result.expect("joins").expect_err("refused");
        assert_eq!(error.status, Some(401), "{error}");
        assert_eq!(error.code.as_deref(), Some("APIGW.0301"), "{error}");
    }
    api.try_credentials_again();
    api.compute().list_servers().await.expect_err("still wrong");
    assert_eq!(sim.requests().len(), 2, "trying again sends one more");
}

/// A query value with a space goes on the wire as the SDKs send it (`%20`, never `+`),
/// signed as sent (huaweicloud-sdk-python-v3 signer, Java `SignUtils`).
#[tokio::test(flavor = "multi_thread")]
async fn a_name_with_a_space_is_sent_and_signed_with_percent_20() {
    let sim = start_sim().await;
    sim.with_fleet(|f| f.phones[0].name = "lab phone 1".into());
    let mut config = config_for(&sim);
    config.credentials.token = None;
    config.credentials.access_key = Some(sim.access_key());
    let api = Api::new(config).expect("builds");
    let found = api
        .koophone()
        .instances_named("lab phone 1")
        .await
        .expect("a signed lookup by name");
    assert_eq!(found.len(), 1);
    let query = sim
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .find(|q| q.contains("instance_name="))
        .expect("the lookup");
    assert!(query.contains("instance_name=lab%20phone%201"), "{query}");
    assert!(!query.contains('+'), "{query}");
}

/// A name filter that matches more than 20 pages is refused, not half read: a name
/// stands for an id only when it is known to be unique.
#[tokio::test(flavor = "multi_thread")]
async fn a_name_filter_matching_too_many_pages_is_refused() {
    let sim = start_sim_sized(|size| size.phones = 2_050).await;
    let api = api_for(&sim);
    let err = api
        .koophone()
        .instances_named("phone")
        .await
        .expect_err("too many to check");
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert!(err.message.contains("give the instance id"), "{err}");
    assert_eq!(sim.requests().len(), 1, "only the first page was read");
}

/// A mutation that provably never left is `failed` with code CLIENT, never `unknown`
/// (so it is not read back): a header that cannot be built, a URI too long to send,
/// a refused connection.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_that_never_left_is_failed_with_code_client() {
    let sim = start_sim().await;
    let server = sim.with_fleet(|f| f.servers[0].id.clone());
    let mut config = config_for(&sim);
    config.credentials.token = Some(phonedeck::api::TokenSource::Fixed(
        secrecy::SecretString::from("a-token\nwith-a-newline"),
    ));
    let newline = Api::new(config).expect("builds");
    let too_long = "s".repeat(70_000);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let mut config = config_for(&sim);
        let base = format!("http://127.0.0.1:{port}").parse().expect("a URL");
        config.endpoints = phonedeck::api::Endpoints::all_at(&base);
        Api::new(config).expect("builds")
    };
    let api = api_for(&sim);
    let before = sim.requests().len();
    for (what, result) in [
        (
            "a newline in the token",
            newline.compute().stop(&server, RID).await,
        ),
        ("a URI too long", api.compute().stop(&too_long, RID).await),
        (
            "a refused connection",
            closed.compute().stop(&server, RID).await,
        ),
    ] {
        let error = result.expect_err(what);
        let outcome = TargetOutcome::from_error("s", &error);
        assert_eq!(outcome.outcome, Outcome::Failed, "{what}: {error}");
        assert_eq!(
            outcome.error_code.as_deref(),
            Some("CLIENT"),
            "{what}: {error}"
        );
    }
    assert_eq!(sim.requests().len(), before, "nothing reached the service");
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

/// A service whose lists never end: KooPhone claims 10^15 instances, CPH and Nova
/// answer the same full page whatever the offset or marker. Each list ends at once
/// with an error that says so, never after thousands of requests.
#[tokio::test(flavor = "multi_thread")]
async fn endless_lists_end_with_an_error_not_endless_requests() {
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = move |requests: &std::sync::Arc<std::sync::atomic::AtomicUsize>| {
        requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    };
    let (k, c, n) = (requests.clone(), requests.clone(), requests.clone());
    let instances: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({"instance_id": format!("p{i}")}))
        .collect();
    let encoders: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({"encode_server_id": format!("e{i}")}))
        .collect();
    let servers: Vec<serde_json::Value> = (0..1000)
        .map(|i| serde_json::json!({"id": format!("s{i}"), "name": "x", "status": "ACTIVE"}))
        .collect();
    let app = axum::Router::new()
        .route(
            "/v1/instances/batch-query",
            axum::routing::get(move || async move {
                count(&k);
                axum::Json(serde_json::json!({"error_code": "0", "data": {
                    "total_count": 1_000_000_000_000_000_u64, "page_size": 100, "result": instances }}))
            }),
        )
        .route(
            "/v1/{project}/cloud-phone/encode-servers",
            axum::routing::get(move || async move {
                count(&c);
                axum::Json(serde_json::json!({"request_id": "r", "encode_servers": encoders}))
            }),
        )
        .route(
            "/v2/{project}/servers/detail",
            axum::routing::get(move || async move {
                count(&n);
                axum::Json(serde_json::json!({"servers": servers,
                    "servers_links": [{"rel": "next", "href": "http://x/next"}]}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    let base = format!("http://{addr}").parse().expect("a URL");
    config.endpoints = phonedeck::api::Endpoints::all_at(&base);
    let api = Api::new(config).expect("builds");
    let asked = || requests.swap(0, std::sync::atomic::Ordering::SeqCst);
    let error = api.koophone().list_instances().await.expect_err("refused");
    assert!(error.message.contains("1000000000000000 rows"), "{error}");
    assert_eq!(asked(), 1, "the first page's total settles it");
    let error = api.cph().list_encode_servers().await.expect_err("refused");
    assert!(
        error.message.contains("repeats the page before it"),
        "{error}"
    );
    assert_eq!(asked(), 2);
    let error = api.compute().list_servers().await.expect_err("refused");
    assert!(
        error.message.contains("repeats the page before it"),
        "{error}"
    );
    assert_eq!(asked(), 2);
}

/// A KooPhone that holds fewer phones a page than asked (and says so in `page_size`)
/// is listed whole: the answer's page size counts, not the 100 asked for.
#[tokio::test(flavor = "multi_thread")]
async fn a_smaller_page_than_asked_is_read_as_the_answer_says() {
    let sim = start_sim_with(phonedeck::sim::SimOptions {
        koophone_page_cap: 30,
        ..sim_options()
    })
    .await;
    let api = api_for(&sim);
    let phones = api.koophone().list_instances().await.expect("lists");
    assert_eq!(phones.len(), 250, "every phone, 30 a page");
    let ids: HashSet<&str> = phones.iter().map(|p| p.instance_id.as_str()).collect();
    assert_eq!(ids.len(), 250);
}

/// `status ID…` reads the list (for the names) beside the statuses, not before them:
/// the status batches leave with the list's first page, and nothing is in flight
/// beyond `max_in_flight`.
#[tokio::test(flavor = "multi_thread")]
async fn statuses_and_the_name_list_are_read_together() {
    let sim = start_sim().await;
    sim.set_faults(Faults {
        latency: Duration::from_millis(50),
        ..Faults::default()
    });
    let api = api_for(&sim);
    let ids: Vec<String> = sim.with_fleet(|f| f.phones.iter().map(|p| p.id.clone()).collect());
    let (status, list) = api.koophone().status_and_list(&ids).await;
    assert!(status.failures.is_empty());
    assert_eq!(status.results.len(), 250);
    let list = list.expect("listed");
    assert_eq!(list.len(), 250);
    assert!(list.iter().all(|p| !p.instance_name.is_empty()));
    let paths: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query.clone().unwrap_or_default()))
        .collect();
    let first_status = paths
        .iter()
        .position(|p| p.contains("batch-query-status"))
        .expect("statuses asked");
    let second_page = paths
        .iter()
        .position(|p| p.contains("page_no=2"))
        .expect("page 2 read");
    assert!(first_status < second_page, "{paths:?}");
    assert_eq!(paths.len(), 3 + 8, "3 pages and 8 status batches");
}
