//! The HTTP pieces the relayer's and the attester's servers share: `/metrics` (OpenMetrics
//! text), `/health` (JSON, 200 or 503) and serving a router until a shutdown signal.

use std::future::Future;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;

/// The `Content-Type` of `/metrics`.
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `/metrics` answer for the encoded registry `text`.
pub fn metrics_response(text: String) -> Response {
    ([(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)], text).into_response()
}

/// The `/health` answer: `body` as JSON, 200 when `healthy`, else 503.
pub fn health_response(healthy: bool, body: &impl Serialize) -> Response {
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Serves `router` on `listener` until `shutdown` completes (requests in flight finish).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
