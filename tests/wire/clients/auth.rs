//! Credentials: AK/SK signatures as the official SDKs sign, tokens renewed once,
//! IAM logins and project discovery, skewed clocks, a refused key sent once.

use std::time::Duration;

use crate::common::*;

use phonedeck::api::{Api, ErrorKind};
use phonedeck::sim::Faults;

use super::support::*;

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
