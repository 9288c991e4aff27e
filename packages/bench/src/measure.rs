//! The measurements: each sets up the compiled contracts on a fresh devnet chain, seeds the
//! state it needs (a lane of a million messages is seeded, not sent), runs one operation
//! and keeps the gas the chain charged the contract under test, part by part.

use ccmp_devnet::{Chain, ChainConfig, GasReport, TxOutcome};
use ccmp_devnet_receiver::{ExecuteMsg as ReceiverMsg, InstantiateMsg as ReceiverInit, Mode};
use ccmp_inbox::msg::{
    DeliveryItem, ExecuteMsg as InboxMsg, InstantiateMsg as InboxInit, SourceConfig,
};
use ccmp_outbox::msg::{DestinationConfig, ExecuteMsg as OutboxMsg, InstantiateMsg as OutboxInit};
use ccmp_outbox::state::{Lane, LaneFrontier, LOW_LEVELS};
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{sha256, AttesterSet, Checkpoint, Frontier, Hash, Message, SendMsg};
use cosmwasm_std::testing::MockStorage;
use cosmwasm_std::{to_json_vec, Addr, Binary, Coin, HexBinary, Order, Storage};
use serde::{Deserialize, Serialize};

use crate::artifact;
use crate::tree::SparseTree;
use crate::tx::Envelope;

pub const SOURCE: &str = "chain-a";
pub const DESTINATION: &str = "chain-b";

/// The parts of a call's SDK gas, as `GasReport` has them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gas {
    pub total: u64,
    pub instance: u64,
    pub wasm: u64,
    pub storage: u64,
    pub events: u64,
    pub deserialization: u64,
    pub other: u64,
}

impl Gas {
    pub fn from_report(report: &GasReport) -> Gas {
        Gas {
            total: report.total,
            instance: report.instance,
            wasm: report.wasm,
            storage: report.storage,
            events: report.events,
            deserialization: report.deserialization,
            other: report.keeper + report.address_api + report.queries + report.reply_input,
        }
    }

    /// Everything but loading the instance: what the operation itself costs.
    pub fn excluding_instance(&self) -> u64 {
        self.total - self.instance
    }

    /// Each part divided by `n` (rounded down): the share of one of `n` items.
    pub fn per(&self, n: u64) -> Gas {
        Gas {
            total: self.total / n,
            instance: self.instance / n,
            wasm: self.wasm / n,
            storage: self.storage / n,
            events: self.events / n,
            deserialization: self.deserialization / n,
            other: self.other / n,
        }
    }
}

/// One measured call: the gas charged to the contract under test and the bytes that carry
/// the call on chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub gas: Gas,
    /// The JSON execute message (`MsgExecuteContract.msg`).
    pub msg_bytes: u64,
    /// The signed transaction carrying it alone ([`Envelope::tx_bytes`]).
    pub tx_bytes: u64,
}

/// Executes `msg` on `contract` as `sender`; the outcome and the call's figures.
pub fn measured_execute(
    chain: &mut Chain,
    sender: &Addr,
    contract: &Addr,
    msg: &impl Serialize,
    funds: &[Coin],
) -> Result<(TxOutcome, Call), ccmp_devnet::TxError> {
    let outcome = chain.execute(sender, contract, msg, funds)?;
    let msg_bytes = to_json_vec(msg).expect("json").len() as u64;
    let envelope = Envelope {
        sender_len: sender.as_str().len() as u64,
        contract_len: contract.as_str().len() as u64,
        funds: funds
            .iter()
            .map(|c| (c.denom.len() as u64, c.amount.to_string().len() as u64))
            .collect(),
    };
    let call = Call {
        gas: Gas::from_report(&outcome.gas_of(contract)),
        msg_bytes,
        tx_bytes: envelope.tx_bytes(msg_bytes),
    };
    Ok((outcome, call))
}

fn chain(chain_id: &str, prefix: &str) -> Chain {
    let mut chain = Chain::new(ChainConfig::new(chain_id, prefix)).expect("chain");
    // Room for the largest batches; gas is reported, never limited here.
    chain.set_tx_gas_limit(1_000_000_000);
    chain
}

/// Copies everything a contract wrote into a `MockStorage` into `contract` on the chain.
fn seed(chain: &mut Chain, contract: &Addr, storage: &MockStorage) {
    for (key, value) in storage.range(None, None, Order::Ascending) {
        chain
            .set_raw_storage(contract, &key, &value)
            .expect("seed storage");
    }
}

// ---- outbox ---------------------------------------------------------------------------

pub struct OutboxBench {
    pub chain: Chain,
    pub outbox: Addr,
    pub dapp: Addr,
}

impl OutboxBench {
    /// An outbox whose lane to chain-b already holds `size` messages: the frontier nodes
    /// are made up, the root is the one they give, and the next send appends to them
    /// exactly as to a lane that got there by sending.
    pub fn with_lane(size: u64) -> OutboxBench {
        let mut chain = chain(SOURCE, "neutron");
        let code = chain
            .store_code(&artifact("ccmp_outbox.wasm"))
            .expect("outbox code");
        let owner = chain.account("owner");
        let dapp = chain.account("dapp");
        let (outbox, _) = chain
            .instantiate(code, &owner, &outbox_init(), &[], "outbox")
            .expect("outbox");
        if size > 0 {
            let levels: Vec<u32> = (0..64u32).rev().filter(|l| (size >> l) & 1 == 1).collect();
            let nodes: Vec<Hash> = levels
                .iter()
                .map(|level| sha256(&[level.to_be_bytes(), (size as u32).to_be_bytes()].concat()))
                .collect();
            let root = Frontier::from_parts(size, nodes.clone())
                .expect("frontier")
                .root();
            let split = levels.iter().filter(|l| **l >= LOW_LEVELS).count();
            let frontier = LaneFrontier {
                lane: Lane { size, root },
                high: nodes[..split].to_vec(),
                low: nodes[split..].to_vec(),
            };
            let mut storage = MockStorage::new();
            // The outbox's only destination has lane index 0.
            ccmp_outbox::state::save_lane_frontier(&mut storage, 0, &frontier, LOW_LEVELS);
            seed(&mut chain, &outbox, &storage);
        }
        OutboxBench {
            chain,
            outbox,
            dapp,
        }
    }

    /// One send of a `body_len`-byte body; the outbox's gas.
    pub fn send(&mut self, body_len: usize) -> Call {
        measured_execute(
            &mut self.chain,
            &self.dapp,
            &self.outbox,
            &send_msg(body_len),
            &[],
        )
        .expect("send")
        .1
    }
}

/// The outbox of every measurement: one destination, chain-b, no fee.
pub fn outbox_init() -> OutboxInit {
    OutboxInit {
        owner: None,
        chain_id: None,
        destinations: Some(vec![DestinationConfig {
            chain: DESTINATION.into(),
            enabled: true,
            fee: None,
            max_body_bytes: None,
        }]),
    }
}

/// The send of a `body_len`-byte body to chain-b.
pub fn send_msg(body_len: usize) -> OutboxMsg {
    OutboxMsg::Send(SendMsg {
        destination_chain: DESTINATION.into(),
        recipient: "osmo1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu".into(),
        body: Binary::new(vec![b'x'; body_len]),
        timeout_timestamp: None,
    })
}

// ---- inbox ----------------------------------------------------------------------------

/// What the host charges for signature checks, in SDK gas: cosmwasm-vm 3.0.10's
/// `GasConfig::default()` (src/environment.rs: secp256k1 verify 96·10^6, Ed25519 verify
/// 35·10^6, Ed25519 batch 24·10^6 + 21·10^6 per signature) over wasmd's 140,000 VM gas
/// per SDK gas. `ccmp-types` batches Ed25519 signatures from two on.
pub fn signature_host_gas(secp256k1: u64, ed25519: u64) -> u64 {
    let ed = match ed25519 {
        0 => 0,
        1 => 35_000_000,
        n => 24_000_000 + 21_000_000 * n,
    };
    (secp256k1 * 96_000_000 + ed) / 140_000
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMix {
    Secp256k1,
    Ed25519,
    Mixed,
}

impl KeyMix {
    pub fn name(self) -> &'static str {
        match self {
            KeyMix::Secp256k1 => "secp256k1",
            KeyMix::Ed25519 => "ed25519",
            KeyMix::Mixed => "mixed",
        }
    }

    fn is_ed25519(self, index: u32) -> bool {
        match self {
            KeyMix::Secp256k1 => false,
            KeyMix::Ed25519 => true,
            KeyMix::Mixed => index % 2 == 1,
        }
    }
}

/// `n` attesters of weight 1 (key types by `mix`) with the smallest majority threshold.
pub fn attester_set(n: u32, mix: KeyMix) -> SignerSet {
    let keys = (0..n)
        .map(|i| AttesterKey::test_key(1000 + i, mix.is_ed25519(i)))
        .collect();
    SignerSet::equal_weights(keys)
}

pub struct InboxBench {
    pub chain: Chain,
    pub inbox: Addr,
    pub receiver: Addr,
    pub relayer: Addr,
    pub owner: Addr,
    pub signers: SignerSet,
}

pub const SOURCE_OUTBOX: &str = "neutron1outbox";

impl InboxBench {
    /// An inbox following chain-a with `signers`, and a receiver that accepts and does
    /// nothing (so only the inbox's own work is measured).
    pub fn new(signers: SignerSet, ordered: bool) -> InboxBench {
        let mut chain = chain(DESTINATION, "osmo");
        let inbox_code = chain
            .store_code(&artifact("ccmp_inbox.wasm"))
            .expect("inbox code");
        let receiver_code = chain
            .store_code(&artifact("test/ccmp_devnet_receiver.wasm"))
            .expect("receiver code");
        let owner = chain.account("owner");
        let relayer = chain.account("relayer");
        let (inbox, _) = chain
            .instantiate(
                inbox_code,
                &owner,
                &inbox_init(&signers, ordered, None),
                &[],
                "inbox",
            )
            .expect("inbox");
        let (receiver, _) = chain
            .instantiate(receiver_code, &owner, &receiver_init(), &[], "receiver")
            .expect("receiver");
        InboxBench {
            chain,
            inbox,
            receiver,
            relayer,
            owner,
            signers,
        }
    }

    /// Submits a checkpoint signed by every attester; the inbox's gas.
    pub fn submit(&mut self, size: u64, root: &Hash, proof: &[Hash]) -> Call {
        let msg = checkpoint_msg(&self.signers, size, root, proof);
        self.execute(&msg).expect("submit_checkpoint").1
    }

    /// Executes `msg` on the inbox as the relayer.
    pub fn execute(&mut self, msg: &InboxMsg) -> Result<(TxOutcome, Call), ccmp_devnet::TxError> {
        let (relayer, inbox) = (self.relayer.clone(), self.inbox.clone());
        measured_execute(&mut self.chain, &relayer, &inbox, msg, &[])
    }

    pub fn message(&self, nonce: u64) -> Message {
        lane_message(nonce, self.receiver.as_str())
    }

    /// The lane of 2^`height` messages of which `first..first + count` are real messages to
    /// the receiver, with its checkpoint stored.
    fn stored_lane(&mut self, height: u32, first: u64, count: u64) -> (Vec<Message>, SparseTree) {
        let (messages, tree) = sparse_lane(height, first, count, self.receiver.as_str());
        self.submit(tree.size(), &tree.root(), &[]);
        (messages, tree)
    }

    /// `deliver_batch` of nonces `first..first + count` of a lane of 2^`height` (its
    /// checkpoint stored): the messages' bytes and one multiproof from `multiproof_with`
    /// over the sparse tree.
    pub fn batch_lane(&mut self, height: u32, first: u64, count: u64) -> InboxMsg {
        let (messages, tree) = self.stored_lane(height, first, count);
        batch_msg(&messages, &tree)
    }

    /// A lane of 2^`height` messages of which `first..first + count` are real messages to
    /// the receiver: its checkpoint is stored and the items are returned, proven.
    pub fn lane(&mut self, height: u32, first: u64, count: u64) -> Vec<DeliveryItem> {
        let (messages, tree) = self.stored_lane(height, first, count);
        delivery_items(messages, &tree)
    }

    /// Seeds an ordered lane's next nonce.
    pub fn set_next_nonce(&mut self, nonce: u64) {
        let mut storage = MockStorage::new();
        ccmp_inbox::state::save_next_nonce(&mut storage, SOURCE, nonce);
        seed(&mut self.chain, &self.inbox, &storage);
    }

    /// Delivers `items`; the inbox's gas (its receiver's calls are not in it).
    pub fn deliver(&mut self, items: Vec<DeliveryItem>) -> Call {
        self.execute(&InboxMsg::Deliver { items })
            .expect("deliver")
            .1
    }

    pub fn set_receiver(&mut self, mode: Mode) {
        let owner = self.owner.clone();
        self.chain
            .execute(&owner, &self.receiver, &ReceiverMsg::SetMode { mode }, &[])
            .expect("set_mode");
    }

    pub fn retry(&mut self, message: Message) -> Call {
        self.execute(&InboxMsg::Retry {
            message,
            gas_limit: None,
        })
        .expect("retry")
        .1
    }
}

/// The inbox of the measurements: following chain-a's outbox ([`SOURCE_OUTBOX`]) with
/// `signers`; `chain_id` None is the chain's own.
pub fn inbox_init(signers: &SignerSet, ordered: bool, chain_id: Option<String>) -> InboxInit {
    InboxInit {
        owner: None,
        chain_id,
        sources: Some(vec![SourceConfig {
            chain: SOURCE.into(),
            outbox: SOURCE_OUTBOX.into(),
            attesters: signers.set.clone(),
            ordered,
            receive_gas_limit: None,
            max_receive_gas_limit: None,
        }]),
        max_batch_size: None,
        max_body_bytes: None,
        trust_delay_seconds: 0,
    }
}

/// The receiver of the measurements: accepts every message and does nothing.
pub fn receiver_init() -> ReceiverInit {
    ReceiverInit {
        mode: Some(Mode::Accept),
    }
}

/// `submit_checkpoint` of chain-a's lane to chain-b at `size` and `root`, signed by every
/// attester of `signers`, with the consistency proof `proof`.
pub fn checkpoint_msg(signers: &SignerSet, size: u64, root: &Hash, proof: &[Hash]) -> InboxMsg {
    let checkpoint = Checkpoint {
        source_chain: SOURCE.into(),
        size,
        root: HexBinary::from(root),
    };
    let digest = checkpoint
        .digest(SOURCE_OUTBOX, DESTINATION)
        .expect("digest");
    InboxMsg::SubmitCheckpoint {
        checkpoint,
        signatures: signers.sign_all(&digest),
        consistency_proof: proof.iter().map(HexBinary::from).collect(),
    }
}

/// Message `nonce` of the measured lane: 100-byte body to `recipient`.
pub fn lane_message(nonce: u64, recipient: &str) -> Message {
    Message {
        nonce,
        source_chain: SOURCE.into(),
        sender: "neutron1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5y9k5ck".into(),
        destination_chain: DESTINATION.into(),
        recipient: recipient.into(),
        timeout_timestamp: None,
        body: Binary::new(vec![b'x'; 100]),
    }
}

/// A lane of 2^`height` messages of which `first..first + count` are real messages to
/// `recipient` (the rest made-up leaves): those messages and the tree.
pub fn sparse_lane(
    height: u32,
    first: u64,
    count: u64,
    recipient: &str,
) -> (Vec<Message>, SparseTree) {
    let messages: Vec<Message> = (first..first + count)
        .map(|n| lane_message(n, recipient))
        .collect();
    let ids = messages
        .iter()
        .map(|m| m.message_id().expect("id"))
        .collect();
    (messages, SparseTree::new(height, first, ids))
}

/// `deliver_batch` of `messages` (consecutive leaves of `tree`) with one multiproof.
pub fn batch_msg(messages: &[Message], tree: &SparseTree) -> InboxMsg {
    let nonces: Vec<u64> = messages.iter().map(|m| m.nonce).collect();
    InboxMsg::DeliverBatch {
        source_chain: SOURCE.into(),
        checkpoint_size: tree.size(),
        messages: messages
            .iter()
            .map(|m| Binary::new(m.encode().expect("encode")))
            .collect(),
        proof: Binary::new(tree.multiproof(&nonces).concat()),
    }
}

/// `deliver`'s items for `messages` (leaves of `tree`), each with its inclusion proof.
pub fn delivery_items(messages: Vec<Message>, tree: &SparseTree) -> Vec<DeliveryItem> {
    messages
        .into_iter()
        .map(|message| DeliveryItem {
            proof: tree
                .inclusion_proof(message.nonce)
                .iter()
                .map(HexBinary::from)
                .collect(),
            message,
            checkpoint_size: tree.size(),
        })
        .collect()
}

/// The stored size of an attester set: what `submit_checkpoint` reads (3 gas a byte).
pub fn attester_set_bytes(set: &AttesterSet) -> u64 {
    to_json_vec(set).expect("set json").len() as u64
}
