//! The two-chain suite and its builder, in the manner of DAO DAO's `testing/suite.rs`:
//! tests state a setup (`SuiteBuilder::new().ordered(Side::A).build()`) and then read as
//! a scenario (`suite.a.ping(..)`, `suite.relay(Side::A)`, …).

use std::collections::BTreeMap;
use std::fmt::Display;

use ccmp_inbox::msg::{
    DeliveryItem, ExecuteMsg as InboxExecute, InstantiateMsg as InboxInstantiate, SourceConfig,
};
use ccmp_outbox::msg::{DestinationConfig, InstantiateMsg as OutboxInstantiate};
use ccmp_pingpong::msg::{ExecuteMsg as PingpongExecute, InstantiateMsg as PingpongInstantiate};
use ccmp_signer::SignerSet;
use ccmp_types::{AttesterSignature, Checkpoint, Hash, MessageStatus};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{coin, Addr, BlockInfo, Coin, Empty, HexBinary, Record, Timestamp};
use cw_multi_test::{App, AppBuilder, AppResponse, Executor};

use crate::chain::{
    inbox_contract, outbox_contract, pingpong_contract, test_receiver_contract, Chain, Outcome,
    Side,
};
use crate::relayer::{mixed_attesters, LaneView};
use crate::{assert_error, CHAIN_C, DENOM, OTHER_DENOM};

/// How a suite is set up. Defaults: free lanes, unordered sources, the protocol's
/// default limits, changes of trust applied at once (`trust_delay_seconds: 0`), a relayer
/// delivering 100 items per call.
#[derive(Debug, Clone)]
pub struct SuiteBuilder {
    ordered: [bool; 2],
    fee: Option<Coin>,
    inbox_max_batch_size: Option<u32>,
    inbox_max_body_bytes: Option<u32>,
    outbox_max_body_bytes: Option<u32>,
    trust_delay_seconds: u64,
    relayer_batch_size: usize,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        SuiteBuilder {
            ordered: [false; 2],
            fee: None,
            inbox_max_batch_size: None,
            inbox_max_body_bytes: None,
            outbox_max_body_bytes: None,
            trust_delay_seconds: 0,
            relayer_batch_size: 100,
        }
    }
}

impl SuiteBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The lane from `from` is an ordered source of the other chain's inbox.
    pub fn ordered(mut self, from: Side) -> Self {
        self.ordered[from.index()] = true;
        self
    }

    /// Both outboxes charge `fee` per message (and both pingpongs pay it for pongs).
    pub fn fee(mut self, fee: Coin) -> Self {
        self.fee = Some(fee);
        self
    }

    pub fn inbox_max_batch_size(mut self, max: u32) -> Self {
        self.inbox_max_batch_size = Some(max);
        self
    }

    pub fn inbox_max_body_bytes(mut self, max: u32) -> Self {
        self.inbox_max_body_bytes = Some(max);
        self
    }

    pub fn outbox_max_body_bytes(mut self, max: u32) -> Self {
        self.outbox_max_body_bytes = Some(max);
        self
    }

    /// Both inboxes time-lock their changes of trust (`add_source`, `set_attesters`,
    /// `unfreeze`) by `seconds`: each is a proposal anyone may execute once it is due.
    pub fn trust_delay_seconds(mut self, seconds: u64) -> Self {
        self.trust_delay_seconds = seconds;
        self
    }

    pub fn relayer_batch_size(mut self, size: usize) -> Self {
        self.relayer_batch_size = size;
        self
    }

    pub fn build(self) -> Suite {
        // cw-multi-test reports a sub-message's error with `{:?}`, which carries a whole
        // backtrace when backtraces are on; the inbox keeps 256 bytes of it.
        std::env::set_var("RUST_BACKTRACE", "0");
        let attesters = [mixed_attesters(10), mixed_attesters(20)];
        let (app_a, outbox_a) = self.start_chain(Side::A);
        let (app_b, outbox_b) = self.start_chain(Side::B);
        // Chain A's inbox follows chain B's outbox, attested by the set for lanes from B.
        let a = self.finish_chain(
            Side::A,
            (app_a, outbox_a.clone()),
            &outbox_b,
            &attesters[Side::B.index()],
        );
        let b = self.finish_chain(
            Side::B,
            (app_b, outbox_b),
            &outbox_a,
            &attesters[Side::A.index()],
        );
        let mut suite = Suite {
            a,
            b,
            attesters,
            pending_attesters: BTreeMap::new(),
            relayer_batch_size: self.relayer_batch_size,
        };
        // Each pingpong's peer is the other's: known only once both exist.
        for side in [Side::A, Side::B] {
            let peer = suite.chain(side.other()).pingpong.to_string();
            let chain = suite.chain_mut(side);
            let pingpong = chain.pingpong.clone();
            chain
                .as_owner(
                    &pingpong,
                    &PingpongExecute::SetPeer {
                        chain: side.other().chain_id().to_string(),
                        address: peer,
                    },
                )
                .unwrap();
            if let Some(fee) = &self.fee {
                let owner = chain.owner.clone();
                chain
                    .app
                    .send_tokens(owner, pingpong, &[coin(1_000, &fee.denom)])
                    .unwrap();
            }
        }
        suite
    }

    /// The app, its actors and the outbox (whose address the other chain's inbox needs).
    fn start_chain(&self, side: Side) -> (App, Addr) {
        let api = MockApi::default().with_prefix(side.prefix());
        let mut app = AppBuilder::new()
            .with_api(api)
            .with_block(BlockInfo {
                height: 1,
                time: Timestamp::from_seconds(1_700_000_000),
                chain_id: side.chain_id().to_string(),
            })
            .build(|router, api, storage| {
                for name in ["owner", "user", "relayer", "stranger"] {
                    router
                        .bank
                        .init_balance(
                            storage,
                            &api.addr_make(name),
                            vec![coin(1_000_000, DENOM), coin(1_000_000, OTHER_DENOM)],
                        )
                        .unwrap();
                }
            });
        let owner = app.api().addr_make("owner");
        let code = app.store_code(outbox_contract());
        let destination = |chain: &str| DestinationConfig {
            chain: chain.to_string(),
            enabled: true,
            fee: self.fee.clone(),
            max_body_bytes: self.outbox_max_body_bytes,
        };
        let outbox = app
            .instantiate_contract(
                code,
                owner.clone(),
                &OutboxInstantiate {
                    owner: None,
                    chain_id: Some(side.chain_id().to_string()),
                    // chain-c exists only so that there is another lane to misuse.
                    destinations: Some(vec![
                        destination(side.other().chain_id()),
                        destination(CHAIN_C),
                    ]),
                },
                &[],
                "outbox",
                Some(owner.to_string()),
            )
            .unwrap();
        (app, outbox)
    }

    fn finish_chain(
        &self,
        side: Side,
        (mut app, outbox): (App, Addr),
        source_outbox: &Addr,
        source_attesters: &SignerSet,
    ) -> Chain {
        let api = *app.api();
        let [owner, user, relayer, stranger] =
            ["owner", "user", "relayer", "stranger"].map(|name| api.addr_make(name));
        let inbox_code = app.store_code(inbox_contract());
        let inbox = app
            .instantiate_contract(
                inbox_code,
                owner.clone(),
                &InboxInstantiate {
                    owner: None,
                    chain_id: Some(side.chain_id().to_string()),
                    sources: Some(vec![SourceConfig {
                        chain: side.other().chain_id().to_string(),
                        outbox: source_outbox.to_string(),
                        attesters: source_attesters.set.clone(),
                        ordered: self.ordered[side.other().index()],
                        receive_gas_limit: None,
                        max_receive_gas_limit: None,
                    }]),
                    max_batch_size: self.inbox_max_batch_size,
                    max_body_bytes: self.inbox_max_body_bytes,
                    trust_delay_seconds: self.trust_delay_seconds,
                },
                &[],
                "inbox",
                Some(owner.to_string()),
            )
            .unwrap();
        let pingpong_code = app.store_code(pingpong_contract());
        let pingpong = app
            .instantiate_contract(
                pingpong_code,
                owner.clone(),
                &PingpongInstantiate {
                    owner: None,
                    outbox: outbox.to_string(),
                    inbox: inbox.to_string(),
                    peers: vec![],
                    pong_fee: self.fee.clone(),
                    pong_budget: None,
                },
                &[],
                "pingpong",
                Some(owner.to_string()),
            )
            .unwrap();
        let receiver_code = app.store_code(test_receiver_contract());
        let receiver = app
            .instantiate_contract(
                receiver_code,
                owner.clone(),
                &Empty {},
                &[],
                "receiver",
                None,
            )
            .unwrap();
        Chain::new(
            side,
            app,
            owner,
            user,
            relayer,
            stranger,
            outbox,
            inbox,
            pingpong,
            receiver,
            receiver_code,
            inbox_code,
        )
    }
}

/// Two chains, each with an outbox, an inbox following the other chain's outbox, the
/// pingpong dApp peered with the other's, and a recording receiver; the attesters of
/// each direction; and the relayer's settings.
pub struct Suite {
    pub a: Chain,
    pub b: Chain,
    /// The attesters that sign lanes *from* each chain, by source side (the set the
    /// other chain's inbox currently holds).
    pub attesters: [SignerSet; 2],
    /// Attester sets proposed by a time-locked `set_attesters`, by source side and
    /// proposal id: the suite signs with one once its proposal is executed.
    pub pending_attesters: BTreeMap<(Side, u64), SignerSet>,
    pub relayer_batch_size: usize,
}

/// Everything a refusal must leave untouched: the raw storage of every contract on both
/// chains, the `ccmp_send` events seen, and the balances of every actor and contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub storage: BTreeMap<String, Vec<Record>>,
    pub sent: [usize; 2],
    pub balances: BTreeMap<String, Vec<Coin>>,
}

impl Suite {
    pub fn chain(&self, side: Side) -> &Chain {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    pub fn chain_mut(&mut self, side: Side) -> &mut Chain {
        match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }

    /// The attesters of the lane from `from`.
    pub fn signers(&self, from: Side) -> &SignerSet {
        &self.attesters[from.index()]
    }

    // -----------------------------------------------------------------------------------
    // "Nothing changed".
    // -----------------------------------------------------------------------------------

    pub fn snapshot(&self) -> Snapshot {
        let mut storage = BTreeMap::new();
        let mut balances = BTreeMap::new();
        for chain in [&self.a, &self.b] {
            for (name, address) in chain.contracts() {
                storage.insert(format!("{}/{name}", chain.id), chain.dump(&address));
                balances.insert(format!("{}/{name}", chain.id), chain.balances(&address));
            }
            for (name, address) in [
                ("owner", &chain.owner),
                ("user", &chain.user),
                ("relayer", &chain.relayer),
                ("stranger", &chain.stranger),
            ] {
                balances.insert(format!("{}/{name}", chain.id), chain.balances(address));
            }
        }
        Snapshot {
            storage,
            sent: [self.a.sent_count(), self.b.sent_count()],
            balances,
        }
    }

    pub fn assert_unchanged(&self, before: &Snapshot) {
        let after = self.snapshot();
        for (name, records) in &before.storage {
            assert_eq!(
                after.storage.get(name),
                Some(records),
                "the storage of {name} changed"
            );
        }
        assert_eq!(after.sent, before.sent, "a ccmp_send event was emitted");
        assert_eq!(after.balances, before.balances, "balances changed");
        assert_eq!(after, *before);
    }

    /// Runs `call`, checks it fails with exactly `expected` (its text is inside the
    /// chain's error) and that no contract, event log or balance on either chain changed.
    pub fn refuses(&mut self, expected: impl Display, call: impl FnOnce(&mut Suite) -> Outcome) {
        let before = self.snapshot();
        let outcome = call(self);
        assert_error(outcome, expected);
        self.assert_unchanged(&before);
    }

    // -----------------------------------------------------------------------------------
    // The relayer.
    // -----------------------------------------------------------------------------------

    /// The lane from `from` to the other chain, rebuilt from `ccmp_send` events.
    pub fn lane(&self, from: Side) -> LaneView {
        self.lane_to(from, from.other().chain_id())
    }

    pub fn lane_to(&self, from: Side, destination: &str) -> LaneView {
        let chain = self.chain(from);
        LaneView::from_events(
            chain.id,
            chain.outbox.as_str(),
            destination,
            &chain.sent_to(destination),
        )
    }

    /// A quorum of the current attesters of the lane from `from` signs `checkpoint`.
    pub fn attest(&self, from: Side, checkpoint: &Checkpoint) -> Vec<AttesterSignature> {
        let digest = self.lane(from).digest(checkpoint);
        self.signers(from).sign_quorum(&digest)
    }

    /// Submits the checkpoint of the lane from `from` at `size`, attested, with the
    /// consistency proof from the latest checkpoint the destination inbox holds.
    pub fn submit_checkpoint(&mut self, from: Side, size: u64) -> Outcome {
        let lane = self.lane(from);
        self.submit_lane_checkpoint(from, &lane, size)
    }

    /// Submits `lane`'s checkpoint of `size` (a made-up lane too: what the current
    /// attesters sign is up to them), attested by a quorum of the current set, with the
    /// consistency proof, in `lane`'s tree, from the inbox's latest checkpoint.
    pub fn submit_lane_checkpoint(&mut self, from: Side, lane: &LaneView, size: u64) -> Outcome {
        let checkpoint = lane.checkpoint(size);
        let signatures = self.signers(from).sign_quorum(&lane.digest(&checkpoint));
        let latest = self
            .chain(from.other())
            .latest_checkpoint_size(from.chain_id());
        let proof = lane.consistency(latest.min(size), size);
        self.submit_raw(from, checkpoint, signatures, proof)
    }

    /// `report_equivocation` on the inbox that follows `from`: `attested`'s checkpoint of
    /// `size`, signed by a quorum of the current set, against the stored checkpoint
    /// `stored_size`, with `prefix_root` and its consistency proof.
    pub fn report_equivocation(
        &mut self,
        from: Side,
        attested: &LaneView,
        size: u64,
        stored_size: u64,
        prefix_root: Hash,
        consistency_proof: Vec<HexBinary>,
    ) -> Outcome {
        let checkpoint = attested.checkpoint(size);
        let signatures = self
            .signers(from)
            .sign_quorum(&attested.digest(&checkpoint));
        self.inbox_call(
            from,
            &InboxExecute::ReportEquivocation {
                checkpoint,
                signatures,
                stored_size,
                prefix_root: HexBinary::from(&prefix_root),
                consistency_proof,
            },
        )
    }

    /// Anyone calls the inbox that follows `from` with `msg`.
    pub fn inbox_call(&mut self, from: Side, msg: &InboxExecute) -> Outcome {
        self.chain_mut(from.other()).inbox_as_relayer(msg)
    }

    /// Submits whatever the caller built to the inbox that follows `from`.
    pub fn submit_raw(
        &mut self,
        from: Side,
        checkpoint: Checkpoint,
        signatures: Vec<AttesterSignature>,
        consistency_proof: Vec<HexBinary>,
    ) -> Outcome {
        self.chain_mut(from.other())
            .inbox_as_relayer(&InboxExecute::SubmitCheckpoint {
                checkpoint,
                signatures,
                consistency_proof,
            })
    }

    pub fn deliver(&mut self, from: Side, items: Vec<DeliveryItem>) -> Outcome {
        self.chain_mut(from.other())
            .inbox_as_relayer(&InboxExecute::Deliver { items })
    }

    /// Delivers the messages `nonces` of the lane from `from`, proven in checkpoint `size`.
    pub fn deliver_nonces(
        &mut self,
        from: Side,
        nonces: impl IntoIterator<Item = u64>,
        size: u64,
    ) -> Outcome {
        let lane = self.lane(from);
        let items = nonces.into_iter().map(|n| lane.item(n, size)).collect();
        self.deliver(from, items)
    }

    /// Delivers the messages `nonces` (strictly increasing) of the lane from `from` in one
    /// `deliver_batch`, proven by one §8 multiproof in checkpoint `size`.
    pub fn deliver_batch(&mut self, from: Side, nonces: &[u64], size: u64) -> Outcome {
        let batch = self.lane(from).batch(nonces, size);
        self.inbox_call(from, &batch)
    }

    /// Retries message `nonce` of the lane from `from`.
    pub fn retry(&mut self, from: Side, nonce: u64) -> Outcome {
        let message = self.lane(from).message(nonce);
        self.chain_mut(from.other())
            .inbox_as_relayer(&InboxExecute::Retry {
                message,
                gas_limit: None,
            })
    }

    /// What a relayer does: checkpoints the whole lane from `from` if the inbox is behind,
    /// then delivers every message the inbox has not seen, in batches. Returns the
    /// responses; panics if the inbox refuses anything.
    pub fn relay(&mut self, from: Side) -> Vec<AppResponse> {
        let lane = self.lane(from);
        let mut responses = vec![];
        let latest = self
            .chain(from.other())
            .latest_checkpoint_size(from.chain_id());
        if lane.size() > latest {
            responses.push(
                self.submit_checkpoint(from, lane.size())
                    .expect("the inbox refused an attested checkpoint"),
            );
        }
        let size = lane.size();
        let destination = self.chain(from.other());
        let pending: Vec<u64> = (0..size)
            .filter(|&nonce| {
                destination.status(from.chain_id(), nonce).status == MessageStatus::Unknown
            })
            .collect();
        for batch in pending.chunks(self.relayer_batch_size) {
            responses.push(
                self.deliver_nonces(from, batch.iter().copied(), size)
                    .expect("the inbox refused a proven batch"),
            );
        }
        responses
    }

    /// Relays both ways until neither lane has anything new (a ping, then its pong).
    pub fn relay_all(&mut self) {
        for _ in 0..10 {
            let a = self.relay(Side::A);
            let b = self.relay(Side::B);
            if a.is_empty() && b.is_empty() {
                return;
            }
        }
        panic!("the lanes never went quiet");
    }

    /// The current attesters of the lane from `from` hand over to `next` (signing the
    /// attester-set digest for epoch + 1); on success the suite uses `next` from then on.
    pub fn rotate_attesters(&mut self, from: Side, next: SignerSet) -> Outcome {
        let epoch = self.chain(from.other()).source(from.chain_id()).epoch;
        let digest = next
            .set
            .digest(
                from.chain_id(),
                self.chain(from).outbox.as_str(),
                from.other().chain_id(),
                epoch + 1,
            )
            .unwrap();
        let signatures = self.signers(from).sign_quorum(&digest);
        let outcome =
            self.chain_mut(from.other())
                .inbox_as_relayer(&InboxExecute::RotateAttesters {
                    source_chain: from.chain_id().to_string(),
                    attesters: next.set.clone(),
                    signatures,
                });
        if outcome.is_ok() {
            self.attesters[from.index()] = next;
        }
        outcome
    }

    /// The destination inbox's owner replaces the attesters of the lane from `from`: at
    /// once without a trust delay (the suite signs with `next` from then on), else as a
    /// proposal (the suite switches to `next` when `execute_proposal` carries it out).
    pub fn set_attesters(&mut self, from: Side, next: SignerSet) -> Outcome {
        let outcome = self
            .chain_mut(from.other())
            .inbox_as_owner(&InboxExecute::SetAttesters {
                source_chain: from.chain_id().to_string(),
                attesters: next.set.clone(),
            });
        if let Ok(response) = &outcome {
            match proposal_id(response) {
                Some(id) => {
                    self.pending_attesters.insert((from, id), next);
                }
                None => self.attesters[from.index()] = next,
            }
        }
        outcome
    }

    /// Anyone (the stranger) executes proposal `id` of the inbox that follows `from`.
    pub fn execute_proposal(&mut self, from: Side, id: u64) -> Outcome {
        let chain = self.chain_mut(from.other());
        let (stranger, inbox) = (chain.stranger.clone(), chain.inbox.clone());
        let outcome = chain.execute(
            &stranger,
            &inbox,
            &InboxExecute::ExecuteProposal { id },
            &[],
        );
        if outcome.is_ok() {
            if let Some(next) = self.pending_attesters.remove(&(from, id)) {
                self.attesters[from.index()] = next;
            }
        }
        outcome
    }

    /// The owner of the inbox that follows `from` freezes that source.
    pub fn freeze(&mut self, from: Side) -> Outcome {
        self.chain_mut(from.other())
            .inbox_as_owner(&InboxExecute::Freeze {
                source_chain: from.chain_id().to_string(),
            })
    }

    /// The owner of the inbox that follows `from` unfreezes it, rolling back to
    /// `rollback_to` (a proposal on a time-locked inbox).
    pub fn unfreeze(&mut self, from: Side, rollback_to: u64) -> Outcome {
        self.chain_mut(from.other())
            .inbox_as_owner(&InboxExecute::Unfreeze {
                source_chain: from.chain_id().to_string(),
                rollback_to,
            })
    }
}

/// The id of the proposal a time-locked change of trust made, if it made one (an inbox
/// without a delay applies the change at once).
pub fn proposal_id(response: &AppResponse) -> Option<u64> {
    let attributes = response
        .events
        .iter()
        .filter(|event| event.ty == "wasm")
        .flat_map(|event| event.attributes.iter());
    let mut proposed = false;
    let mut id = None;
    for attribute in attributes {
        match attribute.key.as_str() {
            "action" => proposed |= attribute.value == "propose",
            "proposal_id" => id = attribute.value.parse().ok(),
            _ => {}
        }
    }
    id.filter(|_| proposed)
}
