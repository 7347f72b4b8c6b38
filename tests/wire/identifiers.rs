//! Untrusted identifiers stay in their URL path segment: for every service, ids holding
//! `../`, `/`, `?`, `#` or `%2F` reach only the endpoint they were meant for, and
//! empty ids or ids with control characters are refused before anything is sent.

use crate::common;

use common::*;
use phonedeck::api::ErrorKind;
use phonedeck::api::live::StreamKey;
use phonedeck::sim::LoggedRequest;

/// Ids that would leave their segment if pasted into a path as they are.
const HOSTILE: [&str; 6] = [
    "../../../v3/auth/tokens?x=",
    "a/b",
    "x#y",
    "a%2Fb",
    "q?limit=1",
    "..%2F..%2Fv3",
];

const RID: &str = "identifier-test";

/// The path's segments, as the simulator received them (still percent-encoded).
fn segments(request: &LoggedRequest) -> Vec<&str> {
    request.path.split('/').skip(1).collect()
}

/// Every request went to `expected` (segment by segment, `*` for the id) and none
/// anywhere else; the id's segment decodes back to the id.
fn assert_only(requests: &[LoggedRequest], expected: &[&str], id: &str) {
    assert!(!requests.is_empty(), "{id}: nothing was sent");
    for request in requests {
        let got = segments(request);
        assert_eq!(got.len(), expected.len(), "{id} reached {}", request.path);
        for (segment, want) in got.iter().zip(expected) {
            if *want == "*" {
                let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
                assert_eq!(decoded, id, "{}", request.path);
            } else {
                assert_eq!(segment, want, "{id} reached {}", request.path);
            }
        }
        assert!(request.query.as_deref().is_none_or(|q| !q.contains("x=")));
        assert!(!request.path.contains("/v3/"), "{id} reached IAM");
    }
}

#[tokio::test]
async fn compute_server_ids_stay_in_their_segment() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let project = sim.credentials().project_id.clone();
    for id in HOSTILE {
        let before = sim.requests().len();
        let err = api
            .compute()
            .stop(id, RID)
            .await
            .expect_err("no such server");
        assert_eq!(err.status, Some(404), "{id}: {err}");
        let sent = &sim.requests()[before..];
        assert_only(sent, &["v2", &project, "servers", "*", "action"], id);
    }
}

#[tokio::test]
async fn cph_job_ids_stay_in_their_segment() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let project = sim.credentials().project_id.clone();
    for id in HOSTILE {
        let before = sim.requests().len();
        let err = api.cph().job(id).await.expect_err("no such job");
        assert_eq!(err.code.as_deref(), Some("CPS.0015"), "{id}: {err}");
        let sent = &sim.requests()[before..];
        assert_only(sent, &["v1", &project, "cloud-phone", "jobs", "*"], id);
    }
}

#[tokio::test]
async fn project_ids_stay_in_their_segment() {
    let sim = start_sim().await;
    let mut config = config_for(&sim);
    config.project_id = Some("../../v3/auth/tokens?x=".into());
    config.retry.max_attempts = 1;
    let api = phonedeck::api::Api::new(config).expect("builds");
    let _ = api
        .compute()
        .list_servers()
        .await
        .expect_err("wrong project");
    let _ = api
        .cph()
        .list_encode_servers()
        .await
        .expect_err("wrong project");
    let _ = api
        .live()
        .list_streams("publish.example.com")
        .await
        .expect_err("wrong project");
    for request in sim.requests() {
        assert_eq!(segments(&request)[1], "..%2F..%2Fv3%2Fauth%2Ftokens%3Fx%3D");
        assert!(!request.path.starts_with("/v3/"));
    }
}

#[tokio::test]
async fn koophone_and_live_ids_travel_in_the_body_only() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    let project = sim.credentials().project_id.clone();
    for id in HOSTILE {
        let before = sim.requests().len();
        let _ = api.koophone().stop_streaming(id, RID).await;
        let key = StreamKey {
            domain: "publish.example.com".into(),
            app: id.into(),
            stream: id.into(),
        };
        let _ = api.live().pause(&key, RID).await;
        let sent = &sim.requests()[before..];
        assert_eq!(sent.len(), 2, "{id}");
        assert_eq!(sent[0].path, "/v1/instances/streaming/stop");
        let body: serde_json::Value = serde_json::from_str(&sent[0].body).expect("json");
        assert_eq!(body["instance_id"], *id);
        assert_eq!(sent[1].path, format!("/v1/{project}/stream/block-once"));
        let body: serde_json::Value = serde_json::from_str(&sent[1].body).expect("json");
        assert_eq!(body["stream_name"], *id);
    }
}

#[tokio::test]
async fn empty_and_control_character_ids_are_refused_before_sending() {
    let sim = start_sim().await;
    let api = api_for(&sim);
    for id in ["", "ab\u{1b}[2J", "line\nbreak", ".", ".."] {
        let err = api.compute().stop(id, RID).await.expect_err("refused");
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{id:?}");
        let err = api.cph().job(id).await.expect_err("refused");
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{id:?}");
        assert!(!err.message.contains('\u{1b}'), "the refusal is sanitised");
    }
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}
