//! Test helpers: a loopback HTTP GET, and a fake chain with an outbox that answers like
//! the real one (its events and its `config` and `lane` queries), which can be made to
//! keep no history, run ahead of its closed blocks, lie, or be unreachable.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use ccmp_chain::{
    ChainClient, ChainError, ChainStatus, ContractEvent, ContractInfo, Execute, TxResult,
};
use ccmp_types::{root, Hash, Message};
use cosmwasm_std::{Binary, HexBinary, Timestamp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::lane::tests::send_event;

/// An HTTP answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// `GET path` on the loopback server at `addr`, within 10 s.
pub(crate) async fn get(addr: SocketAddr, path: &str) -> Answer {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(
                format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        let mut bytes = vec![];
        stream.read_to_end(&mut bytes).await.unwrap();
        bytes
    };
    let bytes = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("the HTTP server answers within 10 s");
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete HTTP answer");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let mut content_type = None;
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        let name = name.to_ascii_lowercase();
        assert_ne!(
            name, "transfer-encoding",
            "the test client reads whole bodies only"
        );
        if name == "content-type" {
            content_type = Some(value.trim().to_string());
        }
    }
    Answer {
        status,
        content_type,
        body: body.to_string(),
    }
}

#[derive(Default)]
struct FakeState {
    /// The last closed block.
    height: u64,
    events: Vec<ContractEvent>,
    /// Per lane, each message's id and the block it is in.
    lanes: BTreeMap<String, Vec<(u64, Hash)>>,
    /// The lane query answers this instead of the truth.
    lies: BTreeMap<String, (u64, Hash)>,
    unreachable: bool,
    sender: String,
}

/// One chain with one outbox at `outbox`.
pub(crate) struct FakeChain {
    pub chain_id: String,
    pub outbox: String,
    /// Whether queries at past heights are answered (else `HeightUnavailable`).
    history: bool,
    state: Mutex<FakeState>,
}

impl FakeChain {
    pub(crate) fn new(chain_id: &str, history: bool) -> Arc<FakeChain> {
        Arc::new(FakeChain {
            chain_id: chain_id.to_string(),
            outbox: "outbox-contract".to_string(),
            history,
            state: Mutex::new(FakeState {
                height: 1,
                sender: "sender".into(),
                ..FakeState::default()
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Messages from now on are sent by `sender` (another history than the default).
    pub(crate) fn set_sender(&self, sender: &str) {
        self.state().sender = sender.to_string();
    }

    /// Sends a message in the open block: the outbox's state has it at once, its event is
    /// readable once the block closes.
    pub(crate) fn send_open(&self, destination: &str) -> Hash {
        let mut state = self.state();
        let open = state.height + 1;
        let sender = state.sender.clone();
        let lane = state.lanes.entry(destination.to_string()).or_default();
        let message = Message {
            nonce: lane.len() as u64,
            source_chain: self.chain_id.clone(),
            sender,
            destination_chain: destination.to_string(),
            recipient: "recipient".into(),
            timeout_timestamp: Some(Timestamp::from_seconds(2_000_000_000)),
            body: Binary::from(format!("message {}", lane.len()).into_bytes()),
        };
        let id = message.message_id().unwrap();
        lane.push((open, id));
        let ids: Vec<Hash> = lane.iter().map(|(_, id)| *id).collect();
        let event = send_event(&message, &ids, &self.outbox);
        state.events.push(ContractEvent {
            height: open,
            txhash: format!("TX{open}-{}", ids.len()),
            event,
        });
        id
    }

    pub(crate) fn close_block(&self) {
        self.state().height += 1;
    }

    /// Sends `n` messages, each in its own block.
    pub(crate) fn send(&self, destination: &str, n: u64) {
        for _ in 0..n {
            self.send_open(destination);
            self.close_block();
        }
    }

    /// The lane's root at `size`, as the outbox computed it.
    pub(crate) fn root(&self, destination: &str, size: u64) -> Hash {
        let state = self.state();
        let ids: Vec<Hash> = state.lanes[destination][..size as usize]
            .iter()
            .map(|(_, id)| *id)
            .collect();
        root(&ids)
    }

    pub(crate) fn lie(&self, destination: &str, size: u64, root: Hash) {
        self.state()
            .lies
            .insert(destination.to_string(), (size, root));
    }

    pub(crate) fn set_unreachable(&self, unreachable: bool) {
        self.state().unreachable = unreachable;
    }

    fn reachable(&self, state: &FakeState) -> Result<(), ChainError> {
        if state.unreachable {
            return Err(ChainError::Unreachable {
                chain_id: self.chain_id.clone(),
                reason: "the test cut it off".into(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl ChainClient for FakeChain {
    fn chain_id(&self) -> &str {
        &self.chain_id
    }

    fn signer(&self) -> &str {
        "attester"
    }

    async fn status(&self) -> Result<ChainStatus, ChainError> {
        let state = self.state();
        self.reachable(&state)?;
        Ok(ChainStatus {
            chain_id: self.chain_id.clone(),
            height: state.height,
            time: Timestamp::from_seconds(state.height),
        })
    }

    async fn query_smart(
        &self,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        let state = self.state();
        self.reachable(&state)?;
        if contract != self.outbox {
            return Err(ChainError::NoSuchContract {
                address: contract.to_string(),
            });
        }
        if let Some(h) = height {
            if !self.history && h < state.height {
                return Err(ChainError::HeightUnavailable {
                    height: h,
                    kept: "only the latest state".into(),
                });
            }
        }
        let msg: serde_json::Value = serde_json::from_slice(msg).unwrap();
        let answer = if msg.get("config").is_some() {
            serde_json::json!({
                "owner": null, "pending_owner": null, "chain_id": self.chain_id, "paused": false
            })
        } else if let Some(lane) = msg.get("lane") {
            let destination = lane["destination_chain"].as_str().unwrap().to_string();
            let (size, root_hash) = match state.lies.get(&destination) {
                Some(lie) => *lie,
                None => {
                    let ids: Vec<Hash> = state
                        .lanes
                        .get(&destination)
                        .map(|lane| {
                            lane.iter()
                                .filter(|(at, _)| !self.history || height.is_none_or(|h| *at <= h))
                                .map(|(_, id)| *id)
                                .collect()
                        })
                        .unwrap_or_default();
                    (ids.len() as u64, root(&ids))
                }
            };
            serde_json::json!({
                "destination_chain": destination,
                "size": size,
                "root": HexBinary::from(&root_hash).to_hex(),
            })
        } else {
            return Err(ChainError::Query {
                contract: contract.to_string(),
                error: format!("unknown query {msg}"),
            });
        };
        Ok(serde_json::to_vec(&answer).unwrap())
    }

    async fn query_raw(
        &self,
        _contract: &str,
        _key: &[u8],
        _height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        Ok(None)
    }

    async fn contract_info(&self, _address: &str) -> Result<Option<ContractInfo>, ChainError> {
        Ok(None)
    }

    async fn simulate(&self, _msgs: &[Execute]) -> Result<u64, ChainError> {
        Err(ChainError::Rejected {
            log: "the fake chain takes no transactions".into(),
        })
    }

    async fn broadcast(&self, _msgs: &[Execute], _gas: u64) -> Result<TxResult, ChainError> {
        Err(ChainError::Rejected {
            log: "the fake chain takes no transactions".into(),
        })
    }

    async fn store_code(&self, _wasm: &[u8], _gas: u64) -> Result<(u64, TxResult), ChainError> {
        Err(ChainError::Rejected {
            log: "the fake chain takes no transactions".into(),
        })
    }

    async fn instantiate(
        &self,
        _code_id: u64,
        _msg: &[u8],
        _label: &str,
        _admin: Option<&str>,
        _gas: u64,
    ) -> Result<(String, TxResult), ChainError> {
        Err(ChainError::Rejected {
            log: "the fake chain takes no transactions".into(),
        })
    }

    async fn contract_events(
        &self,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        let state = self.state();
        self.reachable(&state)?;
        let to = to.min(state.height);
        Ok(state
            .events
            .iter()
            .filter(|e| contract == self.outbox && e.height >= from && e.height <= to)
            .cloned()
            .collect())
    }
}
