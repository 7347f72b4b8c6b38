//! Mutations: request ids, verdicts only from the provider, unknown until settled,
//! read-only refused before sending.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::*;

use phonedeck::api::server_status::ServerStatus;
use phonedeck::api::{Api, ErrorKind, Outcome, TargetOutcome};
use phonedeck::sim::Faults;

use super::support::*;

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
