//! What the client tests share: every read a client makes, a hand-signed request,
//! a server that throttles once.

use crate::common::*;

use phonedeck::api::Api;

/// The request id tests send with mutations.
pub(crate) const RID: &str = "test-request-id";

/// Every read the dashboard makes, as results (errors expected under faults).
pub(crate) async fn every_read(api: &Api) -> Vec<Result<(), phonedeck::api::ApiError>> {
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

/// The server list, signed by hand with the simulator's access key: `sent` headers
/// go on the wire beside host and the date, and those named in `signed` (with host
/// and the date) are signed.
pub(crate) async fn hand_signed_server_list(
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

/// A server that answers `path` (any method) with 429 and the error `code` the
/// first time (with `Retry-After: 1` when `retry_after`), then 200 with `then`;
/// returns its address and how many requests it saw.
pub(crate) async fn serve_throttling_once(
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
