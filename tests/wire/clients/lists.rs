//! Reading lists: every page, every row (sparse ones too), errors inside data never
//! an empty fleet, and lists that do not end.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::*;

use phonedeck::api::koophone::PhoneStatus;
use phonedeck::api::live::StreamKey;
use phonedeck::api::{Api, ErrorKind, Outcome, TargetOutcome};
use phonedeck::sim::Faults;

use super::support::*;

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
