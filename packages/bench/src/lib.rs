//! # ccmp-bench
//!
//! CCMP on the devnet: two chains in one process, each running the compiled outbox, inbox
//! and pingpong (and, for tests and the benchmark, a receiver with switchable behaviour),
//! with three attesters per direction and a relayer built from `ccmp-relayer`. The real-VM
//! tests (`tests/real_vm.rs`) and the gas benchmark (`src/bin/ccmp-bench.rs`) both stand on
//! it. Contracts come from `artifacts/` (run `scripts/build.sh` first).

use std::path::PathBuf;

pub mod measure;
pub mod realgas;
pub mod report;
pub mod tree;
pub mod tx;

use ccmp_devnet::{Chain, ChainConfig, TxError, TxOutcome};
use ccmp_devnet_receiver::{InstantiateMsg as ReceiverInit, Mode};
use ccmp_inbox::msg::{
    ExecuteMsg as InboxMsg, InstantiateMsg as InboxInit, QueryMsg as InboxQuery, SourceConfig,
    SourceResponse,
};
use ccmp_outbox::msg::{DestinationConfig, InstantiateMsg as OutboxInit};
use ccmp_pingpong::msg::{ExecuteMsg as PingpongMsg, InstantiateMsg as PingpongInit};
use ccmp_relayer::LaneFollower;
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::MessageStatusResponse;
use cosmwasm_std::Addr;

/// Where `scripts/build.sh` put the contracts: `$CCMP_ARTIFACTS_DIR` if set (as for the
/// script), else the workspace's `artifacts/` folder.
pub fn artifacts_dir() -> PathBuf {
    match std::env::var_os("CCMP_ARTIFACTS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"),
    }
}

/// A built contract, e.g. `ccmp_inbox.wasm` or `test/ccmp_devnet_receiver.wasm`.
pub fn artifact(name: &str) -> Vec<u8> {
    let path = artifacts_dir().join(name);
    std::fs::read(&path)
        .unwrap_or_else(|err| panic!("{}: {err}; build it with scripts/build.sh", path.display()))
}

/// Three attesters with mixed key types: Ed25519 (weight 2), secp256k1 (1), Ed25519 (1),
/// threshold 3 of 4, so every quorum has both key types or the heavy key.
pub fn attesters(seed: u32) -> SignerSet {
    SignerSet::weighted(
        vec![
            AttesterKey::test_key(seed, true),
            AttesterKey::test_key(seed + 1, false),
            AttesterKey::test_key(seed + 2, true),
        ],
        &[2, 1, 1],
        3,
    )
}

/// One chain of the pair, with CCMP deployed.
pub struct Side {
    pub chain: Chain,
    pub owner: Addr,
    pub relayer: Addr,
    pub user: Addr,
    pub outbox: Addr,
    pub inbox: Addr,
    pub pingpong: Addr,
    pub receiver: Addr,
}

impl Side {
    fn deploy(chain_id: &str, prefix: &str, other: &str) -> Side {
        let mut chain = Chain::new(ChainConfig::new(chain_id, prefix)).expect("chain");
        let owner = chain.account("owner");
        let relayer = chain.account("relayer");
        let user = chain.account("user");
        let outbox_code = chain
            .store_code(&artifact("ccmp_outbox.wasm"))
            .expect("outbox code");
        let inbox_code = chain
            .store_code(&artifact("ccmp_inbox.wasm"))
            .expect("inbox code");
        let pingpong_code = chain
            .store_code(&artifact("ccmp_pingpong.wasm"))
            .expect("pingpong code");
        let receiver_code = chain
            .store_code(&artifact("test/ccmp_devnet_receiver.wasm"))
            .expect("receiver code");
        let (outbox, _) = chain
            .instantiate(
                outbox_code,
                &owner,
                &OutboxInit {
                    owner: None,
                    chain_id: None,
                    destinations: Some(vec![DestinationConfig {
                        chain: other.into(),
                        enabled: true,
                        fee: None,
                        max_body_bytes: None,
                    }]),
                },
                &[],
                "ccmp outbox",
            )
            .expect("outbox");
        let (inbox, _) = chain
            .instantiate(
                inbox_code,
                &owner,
                &InboxInit {
                    owner: None,
                    chain_id: None,
                    // The source is added once the other chain's outbox exists.
                    sources: None,
                    max_batch_size: None,
                    max_body_bytes: None,
                    trust_delay_seconds: 0,
                },
                &[],
                "ccmp inbox",
            )
            .unwrap_or_else(|err| panic!("inbox: {err}"));
        let (pingpong, _) = chain
            .instantiate(
                pingpong_code,
                &owner,
                &PingpongInit {
                    owner: None,
                    outbox: outbox.to_string(),
                    inbox: inbox.to_string(),
                    peers: vec![],
                    pong_fee: None,
                    pong_budget: None,
                },
                &[],
                "pingpong",
            )
            .expect("pingpong");
        let (receiver, _) = chain
            .instantiate(
                receiver_code,
                &owner,
                &ReceiverInit {
                    mode: Some(Mode::Record),
                },
                &[],
                "receiver",
            )
            .expect("receiver");
        Side {
            chain,
            owner,
            relayer,
            user,
            outbox,
            inbox,
            pingpong,
            receiver,
        }
    }

    pub fn source(&self, chain: &str) -> SourceResponse {
        self.chain
            .query(
                &self.inbox,
                &InboxQuery::Source {
                    chain: chain.into(),
                },
            )
            .expect("source query")
    }

    pub fn status(&self, source_chain: &str, nonce: u64) -> MessageStatusResponse {
        self.chain
            .query(
                &self.inbox,
                &InboxQuery::MessageStatus {
                    source_chain: source_chain.into(),
                    nonce,
                },
            )
            .expect("status query")
    }
}

/// Which way a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    AToB,
    BToA,
}

/// Two chains with CCMP both ways and a relayer that follows both lanes.
pub struct Bridge {
    pub a: Side,
    pub b: Side,
    /// The attesters of lane a → b (configured in b's inbox) and b → a.
    pub signers_ab: SignerSet,
    pub signers_ba: SignerSet,
    pub lane_ab: LaneFollower,
    pub lane_ba: LaneFollower,
    /// How many messages the relayer puts in one `deliver_batch` (one multiproof each,
    /// [`LaneFollower::delivery`]).
    pub batch_size: u64,
}

pub const CHAIN_A: &str = "chain-a";
pub const CHAIN_B: &str = "chain-b";

impl Bridge {
    /// Deploys both sides. An inbox is instantiated before the other side's outbox exists,
    /// so its source is added once that address is known.
    pub fn new(ordered: bool) -> Bridge {
        let signers_ab = attesters(10);
        let signers_ba = attesters(20);
        let mut a = Side::deploy(CHAIN_A, "neutron", CHAIN_B);
        let mut b = Side::deploy(CHAIN_B, "osmo", CHAIN_A);
        // Each inbox now follows the other chain's outbox.
        let (a_outbox, b_outbox) = (a.outbox.to_string(), b.outbox.to_string());
        for (side, other_chain, other_outbox, signers) in [
            (&mut a, CHAIN_B, b_outbox, &signers_ba),
            (&mut b, CHAIN_A, a_outbox, &signers_ab),
        ] {
            let owner = side.owner.clone();
            side.chain
                .execute(
                    &owner,
                    &side.inbox,
                    &InboxMsg::AddSource(SourceConfig {
                        chain: other_chain.into(),
                        outbox: other_outbox,
                        attesters: signers.set.clone(),
                        ordered,
                        receive_gas_limit: None,
                        max_receive_gas_limit: None,
                    }),
                    &[],
                )
                .expect("add_source");
        }
        let (a_pingpong, b_pingpong) = (a.pingpong.to_string(), b.pingpong.to_string());
        for (side, chain, address) in [(&mut a, CHAIN_B, b_pingpong), (&mut b, CHAIN_A, a_pingpong)]
        {
            let owner = side.owner.clone();
            side.chain
                .execute(
                    &owner,
                    &side.pingpong,
                    &PingpongMsg::SetPeer {
                        chain: chain.into(),
                        address,
                    },
                    &[],
                )
                .expect("set_peer");
        }
        Bridge {
            a,
            b,
            signers_ab,
            signers_ba,
            lane_ab: LaneFollower::new(CHAIN_A, CHAIN_B),
            lane_ba: LaneFollower::new(CHAIN_B, CHAIN_A),
            batch_size: 50,
        }
    }

    fn parts(
        &mut self,
        direction: Direction,
    ) -> (&mut Side, &mut Side, &mut LaneFollower, &SignerSet) {
        match direction {
            Direction::AToB => (
                &mut self.a,
                &mut self.b,
                &mut self.lane_ab,
                &self.signers_ab,
            ),
            Direction::BToA => (
                &mut self.b,
                &mut self.a,
                &mut self.lane_ba,
                &self.signers_ba,
            ),
        }
    }

    /// Lets the relayer see a source-chain transaction's `ccmp_send` events.
    pub fn observe(&mut self, outcome: &TxOutcome) {
        self.lane_ab.observe(&outcome.events).expect("lane a->b");
        self.lane_ba.observe(&outcome.events).expect("lane b->a");
    }

    /// Submits a checkpoint of everything seen on the lane, signed by a quorum, with the
    /// consistency proof from the inbox's latest checkpoint. `None` if nothing is new.
    pub fn submit_checkpoint(
        &mut self,
        direction: Direction,
    ) -> Option<Result<TxOutcome, TxError>> {
        let (source, destination, lane, signers) = self.parts(direction);
        let size = lane.size();
        let latest = destination
            .source(&lane.source_chain)
            .latest_checkpoint
            .map_or(0, |c| c.size);
        if size == 0 || size == latest {
            return None;
        }
        let msg = lane
            .submit_checkpoint(size, latest, source.outbox.as_str(), signers, |s, d| {
                s.sign_quorum(d)
            })
            .expect("checkpoint");
        let relayer = destination.relayer.clone();
        Some(
            destination
                .chain
                .execute(&relayer, &destination.inbox, &msg, &[]),
        )
    }

    /// Delivers nonces `from..to` against the latest checkpoint, in `deliver_batch`es of
    /// up to `batch_size` messages; returns each batch's outcome.
    pub fn deliver(&mut self, direction: Direction, from: u64, to: u64) -> Vec<TxOutcome> {
        let batch = self.batch_size;
        let (_, destination, lane, _) = self.parts(direction);
        let size = destination
            .source(&lane.source_chain)
            .latest_checkpoint
            .map_or(0, |c| c.size);
        let mut outcomes = vec![];
        let mut start = from;
        while start < to.min(size) {
            let end = (start + batch).min(to).min(size);
            let msg = lane.delivery(start, end, size).expect("delivery");
            let relayer = destination.relayer.clone();
            outcomes.push(
                destination
                    .chain
                    .execute(&relayer, &destination.inbox, &msg, &[])
                    .unwrap_or_else(|err| panic!("deliver {start}..{end}: {err}")),
            );
            start = end;
        }
        outcomes
    }

    /// Checkpoint and deliver everything the relayer has seen on the lane and not yet
    /// delivered (from `from`).
    pub fn relay(&mut self, direction: Direction, from: u64) -> Vec<TxOutcome> {
        if let Some(result) = self.submit_checkpoint(direction) {
            result.unwrap_or_else(|err| panic!("submit_checkpoint: {err}"));
        }
        let size = match direction {
            Direction::AToB => self.lane_ab.size(),
            Direction::BToA => self.lane_ba.size(),
        };
        self.deliver(direction, from, size)
    }
}
