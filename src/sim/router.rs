//! The simulator's HTTP surface: one route table per service (as `api/` has one client
//! per service), behind the gateway layer.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;

use super::reply::coded_error;
use super::shared::Shared;
use super::{compute, cph, gateway, iam, koophone, live};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(koophone::routes())
        .merge(live::routes())
        .merge(compute::routes())
        .merge(cph::routes())
        .merge(iam::routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            gateway::gateway,
        ))
        .with_state(shared)
}

async fn not_found(request: Request) -> Response {
    let message = format!("no route for {} {}", request.method(), request.uri().path());
    coded_error(StatusCode::NOT_FOUND, "APIGW.0101", &message)
}
