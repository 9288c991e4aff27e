//! Test helpers shared by the relay service's tests: made-up lanes, and attester
//! stand-ins that sign with `ccmp_signer` keys and serve `SignedCheckpoint` over HTTP on
//! 127.0.0.1:0.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ccmp_chain::{query, ChainClient};
use ccmp_outbox::msg::{LaneResponse, MessageIdsResponse, QueryMsg as OutboxQuery};
use ccmp_relayer::{LaneFollower, SEND_EVENT};
use ccmp_signer::api::SignedCheckpoint;
use ccmp_signer::AttesterKey;
use ccmp_types::{checkpoint_digest, root, to_hash, Hash, Message};
use cosmwasm_std::{Binary, Event, HexBinary, Timestamp};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// The `ccmp_send` event the outbox emits for `message`, the lane's ids through it being
/// `ids`.
pub fn send_event(message: &Message, ids: &[Hash]) -> Event {
    let (bytes, id) = message.encode_with_id().unwrap();
    Event::new(SEND_EVENT)
        .add_attribute("destination_chain", &message.destination_chain)
        .add_attribute("nonce", message.nonce.to_string())
        .add_attribute("message_id", HexBinary::from(&id).to_hex())
        .add_attribute("root", HexBinary::from(&root(ids)).to_hex())
        .add_attribute("message", hex::encode(bytes))
}

pub fn message(nonce: u64) -> Message {
    Message {
        nonce,
        source_chain: "chain-a".into(),
        sender: "sender".into(),
        destination_chain: "chain-b".into(),
        recipient: "recipient".into(),
        timeout_timestamp: Some(Timestamp::from_seconds(2_000_000_000)),
        body: Binary::from(nonce.to_be_bytes()),
    }
}

/// A lane chain-a → chain-b of `size` made-up messages.
pub fn lane_of(size: u64) -> LaneFollower {
    let mut lane = LaneFollower::new("chain-a", "chain-b");
    let mut ids = vec![];
    for nonce in 0..size {
        ids.push(message(nonce).message_id().unwrap());
        lane.observe([&send_event(&message(nonce), &ids)]).unwrap();
    }
    lane
}

/// What an attester stand-in does when asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Signs the lane's true checkpoints.
    Honest,
    /// Serves the true root with a signature over another digest.
    BadSignature,
    /// Answers 503.
    Down,
    /// Serves (as its latest and for that size) a signature of `root` for `size`: an
    /// attester signing another history.
    Forge { size: u64, root: Hash },
}

enum LaneSource {
    Fixed(LaneFollower),
    /// Reads the lane's ids from the outbox on a chain (its `lane` and `message_ids`
    /// queries) on every request.
    Chain {
        client: Arc<dyn ChainClient>,
        outbox: String,
        source_chain: String,
        destination_chain: String,
        ids: Vec<Hash>,
    },
}

impl LaneSource {
    /// The lane's chains and ids.
    async fn lane(&mut self) -> (String, String, Vec<Hash>) {
        match self {
            LaneSource::Fixed(lane) => (
                lane.source_chain.clone(),
                lane.destination_chain.clone(),
                lane.ids().to_vec(),
            ),
            LaneSource::Chain {
                client,
                outbox,
                source_chain,
                destination_chain,
                ids,
            } => {
                let lane: Result<LaneResponse, _> = query(
                    client.as_ref(),
                    outbox,
                    &OutboxQuery::Lane {
                        destination_chain: destination_chain.clone(),
                    },
                )
                .await;
                let size = lane.map_or(0, |lane| lane.size);
                while (ids.len() as u64) < size {
                    let page: MessageIdsResponse = match query(
                        client.as_ref(),
                        outbox,
                        &OutboxQuery::MessageIds {
                            destination_chain: destination_chain.clone(),
                            start_after: ids.len().checked_sub(1).map(|n| n as u64),
                            limit: Some(100),
                        },
                    )
                    .await
                    {
                        Ok(page) => page,
                        Err(_) => break,
                    };
                    if page.message_ids.is_empty() {
                        break;
                    }
                    for entry in page.message_ids {
                        assert_eq!(entry.nonce, ids.len() as u64);
                        ids.push(to_hash("message_id", &entry.message_id).unwrap());
                    }
                }
                (source_chain.clone(), destination_chain.clone(), ids.clone())
            }
        }
    }
}

struct AttesterState {
    key: AttesterKey,
    source_outbox: String,
    mode: std::sync::Mutex<Mode>,
    lane: Mutex<LaneSource>,
    /// The most it signs (an attester lagging behind).
    max_size: std::sync::Mutex<Option<u64>>,
}

/// One attester stand-in on 127.0.0.1:0.
pub struct FakeAttester {
    pub url: String,
    state: Arc<AttesterState>,
    task: JoinHandle<()>,
}

impl Drop for FakeAttester {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeAttester {
    /// Serves `lane` as it is.
    pub async fn fixed(key: AttesterKey, source_outbox: &str, lane: LaneFollower) -> Self {
        Self::start(key, source_outbox, LaneSource::Fixed(lane)).await
    }

    /// Follows `source_outbox` on `client`'s chain toward `destination`.
    pub async fn following(
        key: AttesterKey,
        client: Arc<dyn ChainClient>,
        source_outbox: &str,
        destination: &str,
    ) -> Self {
        Self::start(
            key,
            source_outbox,
            LaneSource::Chain {
                source_chain: client.chain_id().to_string(),
                destination_chain: destination.to_string(),
                client,
                outbox: source_outbox.to_string(),
                ids: vec![],
            },
        )
        .await
    }

    async fn start(key: AttesterKey, source_outbox: &str, lane: LaneSource) -> Self {
        let state = Arc::new(AttesterState {
            key,
            source_outbox: source_outbox.to_string(),
            mode: std::sync::Mutex::new(Mode::Honest),
            lane: Mutex::new(lane),
            max_size: std::sync::Mutex::new(None),
        });
        let app = Router::new()
            .route(
                "/v1/checkpoints/{source}/{destination}/{which}",
                get(checkpoint),
            )
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeAttester { url, state, task }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn set_max_size(&self, max: Option<u64>) {
        *self.state.max_size.lock().unwrap() = max;
    }

    /// Its latest signed checkpoint, as a relayer would fetch it.
    pub async fn latest(&self, source: &str, destination: &str) -> SignedCheckpoint {
        reqwest::Client::new()
            .get(format!(
                "{}/v1/checkpoints/{source}/{destination}/latest",
                self.url
            ))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// A URL nothing listens on.
pub async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn sign(
    state: &AttesterState,
    (source_chain, destination_chain): (&str, &str),
    size: u64,
    root: Hash,
    signed_root: Hash,
) -> SignedCheckpoint {
    let digest = |root: &Hash| {
        checkpoint_digest(
            source_chain,
            &state.source_outbox,
            destination_chain,
            size,
            root,
        )
        .unwrap()
    };
    let pubkey = state.key.pubkey();
    SignedCheckpoint {
        source_chain: source_chain.to_string(),
        source_outbox: state.source_outbox.clone(),
        destination_chain: destination_chain.to_string(),
        size,
        root: HexBinary::from(&root),
        digest: HexBinary::from(&digest(&root)),
        key_type: pubkey.key_type_name().to_string(),
        pubkey: HexBinary::from(pubkey.bytes()),
        signature: HexBinary::from(state.key.sign(&digest(&signed_root))),
    }
}

async fn checkpoint(
    State(state): State<Arc<AttesterState>>,
    Path((source, destination, which)): Path<(String, String, String)>,
) -> Response {
    let mode = state.mode.lock().unwrap().clone();
    if mode == Mode::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    let max = *state.max_size.lock().unwrap();
    let (source_chain, destination_chain, ids) = state.lane.lock().await.lane().await;
    if source != source_chain || destination != destination_chain {
        return (StatusCode::NOT_FOUND, "no such lane").into_response();
    }
    let chains = (source_chain.as_str(), destination_chain.as_str());
    if let Mode::Forge { size, root } = mode {
        if which == "latest" || which == size.to_string() {
            return Json(sign(&state, chains, size, root, root)).into_response();
        }
    }
    let top = max.map_or(ids.len() as u64, |m| m.min(ids.len() as u64));
    let size = if which == "latest" {
        top
    } else {
        match which.parse::<u64>() {
            Ok(size) => size,
            Err(_) => return (StatusCode::BAD_REQUEST, "bad size").into_response(),
        }
    };
    if size == 0 || size > top {
        return (StatusCode::NOT_FOUND, "not signed").into_response();
    }
    let root = root(&ids[..size as usize]);
    let signed_root = if mode == Mode::BadSignature {
        [0x66; 32]
    } else {
        root
    };
    Json(sign(&state, chains, size, root, signed_root)).into_response()
}
