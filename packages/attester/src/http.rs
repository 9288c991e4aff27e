//! The HTTP server (axum): signed checkpoints, `/health` and `/metrics` ([`crate::api`]).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::api::ErrorBody;
use crate::service::Shared;

/// The `Content-Type` of `/metrics` (shared with the relayer: `ccmp_relayer::http`).
pub use ccmp_relayer::http::METRICS_CONTENT_TYPE;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/v1/checkpoints/{source_chain}/{destination_chain}/{size}",
            get(checkpoint),
        )
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(shared)
}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    token: CancellationToken,
) -> std::io::Result<()> {
    ccmp_relayer::http::serve(listener, router(shared), token.cancelled_owned()).await
}

fn error(status: StatusCode, error: String) -> Response {
    (status, Json(ErrorBody { error })).into_response()
}

async fn checkpoint(
    State(shared): State<Arc<Shared>>,
    Path((source_chain, destination_chain, size)): Path<(String, String, String)>,
) -> Response {
    if source_chain != shared.source_chain {
        return error(
            StatusCode::NOT_FOUND,
            format!(
                "this attester signs lanes from {:?}, not from {source_chain:?}",
                shared.source_chain
            ),
        );
    }
    if !shared.lanes.contains(&destination_chain) {
        return error(
            StatusCode::NOT_FOUND,
            format!("this attester does not follow the lane to {destination_chain:?}"),
        );
    }
    let size = match size.as_str() {
        "latest" => None,
        text => match text.parse::<u64>() {
            Ok(size) => Some(size),
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("size must be a decimal number or \"latest\", got {text:?}"),
                )
            }
        },
    };
    match shared.checkpoint(&destination_chain, size) {
        Some(signed) => Json(signed).into_response(),
        None => {
            let kept = match shared.kept(&destination_chain) {
                Some((first, last)) => format!("sizes {first} to {last} are kept"),
                None => "none is signed yet".to_string(),
            };
            let what = match size {
                Some(size) => format!("no signed checkpoint of size {size}"),
                None => "no signed checkpoint".to_string(),
            };
            error(
                StatusCode::NOT_FOUND,
                format!("{what} on the lane to {destination_chain:?}: {kept}"),
            )
        }
    }
}

async fn health(State(shared): State<Arc<Shared>>) -> Response {
    let (healthy, health) = shared.health();
    ccmp_relayer::http::health_response(healthy, &health)
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    ccmp_relayer::http::metrics_response(shared.metrics.encode())
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint: see /v1/checkpoints/{source_chain}/{destination_chain}/{latest|size}, /health, /metrics".to_string(),
    )
}
