//! The test harness: an inbox in cw-multi-test with real attester signatures, a lane
//! built from `ccmp-types` like a relayer builds it, and receivers that record, fail on
//! demand or re-enter the inbox.
#![allow(dead_code)]

use ccmp_inbox::contract::{execute, instantiate, migrate, query, reply};
use ccmp_inbox::msg::{
    DeliverResponse, DeliveryItem, DeliveryOutcome, ExecuteMsg, InstantiateMsg,
    MessageStatusResponse, QueryMsg, SourceConfig, SourceResponse,
};
use ccmp_inbox::ContractError;
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{
    checkpoint_digest, consistency_proof, inclusion_proof, multiproof, root, AttesterSignature,
    Checkpoint, Hash, Message, ReceiverExecuteMsg,
};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, HexBinary, MessageInfo,
    Record, Reply, Response, StdError, StdResult, SubMsg, Timestamp, WasmMsg,
};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use cw_storage_plus::{Item, Map};

pub const SOURCE: &str = "chain-a";
pub const OTHER_SOURCE: &str = "chain-c";
pub const HERE: &str = "chain-b";
pub const OUTBOX: &str = "cosmwasm1outbox";

pub fn inbox_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(execute, instantiate, query)
            .with_reply(reply)
            .with_migrate(migrate),
    )
}

// ---------------------------------------------------------------------------------------
// A receiver that records what it gets, fails on demand, and can re-enter the inbox.
// ---------------------------------------------------------------------------------------

#[cw_serde]
pub enum ReceiverMsg {
    CcmpReceive(ccmp_types::CcmpReceiveMsg),
    /// Fail every `ccmp_receive` from now on (or stop failing).
    SetFail {
        fail: bool,
    },
    /// On the next `ccmp_receive`, call the inbox with this message and swallow the result.
    SetReenter {
        inbox: String,
        msg: Binary,
    },
}

#[cw_serde]
pub enum ReceiverQuery {
    Received {},
    ReentryResults {},
}

const RECEIVED: Item<Vec<ccmp_types::CcmpReceiveMsg>> = Item::new("received");
const FAIL: Item<bool> = Item::new("fail");
const REENTER: Item<(String, Binary)> = Item::new("reenter");
const REENTRY_RESULTS: Map<u64, String> = Map::new("reentry");

fn receiver_instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    RECEIVED.save(deps.storage, &vec![])?;
    FAIL.save(deps.storage, &false)?;
    Ok(Response::new())
}

fn receiver_execute(
    deps: DepsMut,
    _: Env,
    info: MessageInfo,
    msg: ReceiverMsg,
) -> StdResult<Response> {
    match msg {
        ReceiverMsg::CcmpReceive(received) => {
            if !info.funds.is_empty() {
                return Err(StdError::msg("the inbox must send no funds"));
            }
            if FAIL.load(deps.storage)? {
                return Err(StdError::msg(format!(
                    "receiver refuses nonce {}",
                    received.nonce
                )));
            }
            let nonce = received.nonce;
            let mut all = RECEIVED.load(deps.storage)?;
            all.push(received);
            RECEIVED.save(deps.storage, &all)?;
            let mut response = Response::new();
            if let Some((inbox, msg)) = REENTER.may_load(deps.storage)? {
                REENTER.remove(deps.storage);
                response = response.add_submessage(SubMsg::reply_always(
                    WasmMsg::Execute {
                        contract_addr: inbox,
                        msg,
                        funds: vec![],
                    },
                    nonce,
                ));
            }
            Ok(response)
        }
        ReceiverMsg::SetFail { fail } => {
            FAIL.save(deps.storage, &fail)?;
            Ok(Response::new())
        }
        ReceiverMsg::SetReenter { inbox, msg } => {
            REENTER.save(deps.storage, &(inbox, msg))?;
            Ok(Response::new())
        }
    }
}

/// Records how the reentrant call ended: its data on success, its error otherwise.
fn receiver_reply(deps: DepsMut, _: Env, reply: Reply) -> StdResult<Response> {
    let outcome = match reply.result {
        cosmwasm_std::SubMsgResult::Ok(ok) => {
            #[allow(deprecated)]
            let data = ok.data.map(|d| String::from_utf8_lossy(&d).to_string());
            format!("ok:{}", data.unwrap_or_default())
        }
        cosmwasm_std::SubMsgResult::Err(err) => format!("err:{err}"),
    };
    REENTRY_RESULTS.save(deps.storage, reply.id, &outcome)?;
    Ok(Response::new())
}

fn receiver_query(deps: Deps, _: Env, msg: ReceiverQuery) -> StdResult<Binary> {
    match msg {
        ReceiverQuery::Received {} => to_json_binary(&RECEIVED.load(deps.storage)?),
        ReceiverQuery::ReentryResults {} => to_json_binary(
            &REENTRY_RESULTS
                .range(deps.storage, None, None, cosmwasm_std::Order::Ascending)
                .collect::<StdResult<Vec<_>>>()?,
        ),
    }
}

pub fn receiver_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(receiver_execute, receiver_instantiate, receiver_query)
            .with_reply(receiver_reply),
    )
}

// ---------------------------------------------------------------------------------------
// A lane as the source outbox builds it, and the relayer's view of it.
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
pub struct TestLane {
    pub source: String,
    pub destination: String,
    pub messages: Vec<Message>,
    pub ids: Vec<Hash>,
}

impl TestLane {
    pub fn new(source: &str, destination: &str) -> Self {
        TestLane {
            source: source.into(),
            destination: destination.into(),
            messages: vec![],
            ids: vec![],
        }
    }

    pub fn push(&mut self, recipient: &str, body: &[u8], timeout: Option<Timestamp>) -> Message {
        let message = Message {
            nonce: self.messages.len() as u64,
            source_chain: self.source.clone(),
            sender: "cosmwasm1dapp".into(),
            destination_chain: self.destination.clone(),
            recipient: recipient.into(),
            timeout_timestamp: timeout,
            body: Binary::from(body),
        };
        self.ids.push(message.message_id().unwrap());
        self.messages.push(message.clone());
        message
    }

    pub fn push_many(&mut self, recipient: &str, count: usize) {
        for i in 0..count {
            self.push(recipient, format!("{{\"n\":{i}}}").as_bytes(), None);
        }
    }

    pub fn root(&self, size: u64) -> Hash {
        root(&self.ids[..size as usize])
    }

    pub fn proof(&self, nonce: u64, size: u64) -> Vec<HexBinary> {
        hex_proof(&inclusion_proof(&self.ids[..size as usize], nonce).unwrap())
    }

    pub fn consistency(&self, from: u64, to: u64) -> Vec<HexBinary> {
        hex_proof(&consistency_proof(&self.ids[..to as usize], from).unwrap())
    }

    pub fn item(&self, nonce: u64, size: u64) -> DeliveryItem {
        DeliveryItem {
            message: self.messages[nonce as usize].clone(),
            checkpoint_size: size,
            proof: self.proof(nonce, size),
        }
    }

    /// The `deliver_batch` a relayer sends for `nonces` against checkpoint `size`.
    pub fn batch(&self, nonces: &[u64], size: u64) -> ExecuteMsg {
        let proof = multiproof(nonces, &self.ids[..size as usize]).unwrap();
        ExecuteMsg::DeliverBatch {
            source_chain: self.source.clone(),
            checkpoint_size: size,
            messages: nonces
                .iter()
                .map(|n| Binary::new(self.messages[*n as usize].encode().unwrap()))
                .collect(),
            proof: Binary::new(proof.concat()),
        }
    }

    pub fn checkpoint(&self, size: u64) -> Checkpoint {
        Checkpoint {
            source_chain: self.source.clone(),
            size,
            root: HexBinary::from(&self.root(size)),
        }
    }
}

pub fn hex_proof(proof: &[Hash]) -> Vec<HexBinary> {
    proof.iter().map(HexBinary::from).collect()
}

/// Four attesters, two of each key type, weights 1, 2, 3, 4, threshold 6 (of 10).
pub fn mixed_signers(seed: u32) -> SignerSet {
    let keys = vec![
        AttesterKey::test_key(seed, false),
        AttesterKey::test_key(seed + 1, true),
        AttesterKey::test_key(seed + 2, false),
        AttesterKey::test_key(seed + 3, true),
    ];
    SignerSet::weighted(keys, &[1, 2, 3, 4], 6)
}

pub fn digest_for(checkpoint: &Checkpoint, outbox: &str, destination: &str) -> Hash {
    checkpoint_digest(
        &checkpoint.source_chain,
        outbox,
        destination,
        checkpoint.size,
        &checkpoint.root_hash().unwrap(),
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------
// The suite: an inbox on chain-b following chain-a (unordered) and chain-c (ordered).
// ---------------------------------------------------------------------------------------

pub struct Suite {
    pub app: App,
    pub inbox_code: u64,
    pub inbox: Addr,
    pub owner: Addr,
    pub relayer: Addr,
    pub receiver: Addr,
    pub signers: SignerSet,
    pub lane: TestLane,
    pub ordered_signers: SignerSet,
    pub ordered_lane: TestLane,
}

impl Suite {
    pub fn new() -> Self {
        Self::with_trust_delay(0)
    }

    /// An inbox whose changes of trust wait `trust_delay_seconds`.
    pub fn with_trust_delay(trust_delay_seconds: u64) -> Self {
        // cw-multi-test reports a sub-message's error with `{:?}`, which carries a whole
        // backtrace when backtraces are on; the inbox keeps 256 bytes of it. Off, the
        // receiver's own words fit, as they do on a chain.
        std::env::set_var("RUST_BACKTRACE", "0");
        let mut app = App::default();
        let owner = app.api().addr_make("owner");
        let relayer = app.api().addr_make("relayer");
        let inbox_code = app.store_code(inbox_contract());
        let receiver_code = app.store_code(receiver_contract());
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
        let signers = mixed_signers(0);
        let ordered_signers = mixed_signers(100);
        let inbox = app
            .instantiate_contract(
                inbox_code,
                owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    chain_id: Some(HERE.into()),
                    sources: Some(vec![
                        SourceConfig {
                            chain: SOURCE.into(),
                            outbox: OUTBOX.into(),
                            attesters: signers.set.clone(),
                            ordered: false,
                            receive_gas_limit: None,
                            max_receive_gas_limit: None,
                        },
                        SourceConfig {
                            chain: OTHER_SOURCE.into(),
                            outbox: OUTBOX.into(),
                            attesters: ordered_signers.set.clone(),
                            ordered: true,
                            receive_gas_limit: None,
                            max_receive_gas_limit: None,
                        },
                    ]),
                    max_batch_size: None,
                    max_body_bytes: None,
                    trust_delay_seconds,
                },
                &[],
                "inbox",
                Some(owner.to_string()),
            )
            .unwrap();
        Suite {
            app,
            inbox_code,
            inbox,
            owner,
            relayer,
            receiver,
            signers,
            lane: TestLane::new(SOURCE, HERE),
            ordered_signers,
            ordered_lane: TestLane::new(OTHER_SOURCE, HERE),
        }
    }

    /// A suite with `count` messages on chain-a's lane to the receiver and a checkpoint
    /// of all of them.
    pub fn with_messages(count: usize) -> Self {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        suite.lane.push_many(&receiver, count);
        suite.submit(count as u64).unwrap();
        suite
    }

    pub fn execute_raw(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Outcome {
        self.app
            .execute_contract(sender.clone(), self.inbox.clone(), msg, &[])
            .map_err(|err| err.to_string())
    }

    pub fn relay(&mut self, msg: &ExecuteMsg) -> Outcome {
        let relayer = self.relayer.clone();
        self.execute_raw(&relayer, msg)
    }

    pub fn as_owner(&mut self, msg: &ExecuteMsg) -> Outcome {
        let owner = self.owner.clone();
        self.execute_raw(&owner, msg)
    }

    /// Submits the checkpoint of chain-a's lane at `size`, signed by a quorum, with the
    /// consistency proof from the latest stored checkpoint.
    pub fn submit(&mut self, size: u64) -> Outcome {
        let checkpoint = self.lane.checkpoint(size);
        let signatures = self
            .signers
            .sign_quorum(&digest_for(&checkpoint, OUTBOX, HERE));
        let from = self.latest_size(SOURCE);
        let consistency_proof = self.lane.consistency(from, size);
        self.relay(&ExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures,
            consistency_proof,
        })
    }

    pub fn submit_ordered(&mut self, size: u64) -> Outcome {
        let checkpoint = self.ordered_lane.checkpoint(size);
        let signatures = self
            .ordered_signers
            .sign_quorum(&digest_for(&checkpoint, OUTBOX, HERE));
        let from = self.latest_size(OTHER_SOURCE);
        let consistency_proof = self.ordered_lane.consistency(from, size);
        self.relay(&ExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures,
            consistency_proof,
        })
    }

    pub fn submit_signed(
        &mut self,
        checkpoint: Checkpoint,
        signatures: Vec<AttesterSignature>,
        consistency_proof: Vec<HexBinary>,
    ) -> Outcome {
        self.relay(&ExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures,
            consistency_proof,
        })
    }

    pub fn deliver(&mut self, items: Vec<DeliveryItem>) -> Outcome {
        self.relay(&ExecuteMsg::Deliver { items })
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(self.inbox.clone(), msg)
    }

    pub fn source(&self, chain: &str) -> SourceResponse {
        self.query(&QueryMsg::Source {
            chain: chain.into(),
        })
        .unwrap()
    }

    pub fn latest_size(&self, chain: &str) -> u64 {
        self.source(chain).latest_checkpoint.map_or(0, |c| c.size)
    }

    pub fn status(&self, chain: &str, nonce: u64) -> MessageStatusResponse {
        self.query(&QueryMsg::MessageStatus {
            source_chain: chain.into(),
            nonce,
        })
        .unwrap()
    }

    pub fn received(&self) -> Vec<ccmp_types::CcmpReceiveMsg> {
        self.app
            .wrap()
            .query_wasm_smart(self.receiver.clone(), &ReceiverQuery::Received {})
            .unwrap()
    }

    pub fn received_nonces(&self) -> Vec<u64> {
        self.received().iter().map(|r| r.nonce).collect()
    }

    pub fn set_receiver_failing(&mut self, fail: bool) {
        let owner = self.owner.clone();
        self.app
            .execute_contract(
                owner,
                self.receiver.clone(),
                &ReceiverMsg::SetFail { fail },
                &[],
            )
            .unwrap();
    }

    /// Every key and value of the inbox's storage: "no state changed" means this is equal.
    pub fn snapshot(&self) -> Vec<Record> {
        self.app.dump_wasm_raw(&self.inbox)
    }

    /// Runs `msg` as the relayer and checks it fails with exactly `expected` and changes
    /// nothing in the inbox.
    pub fn refuses(&mut self, msg: &ExecuteMsg, expected: ContractError) {
        let before = self.snapshot();
        let received_before = self.received().len();
        assert_error(self.relay(msg), &expected);
        assert_eq!(self.snapshot(), before, "inbox state changed on refusal");
        assert_eq!(self.received().len(), received_before);
    }

    pub fn owner_refuses(&mut self, msg: &ExecuteMsg, expected: ContractError) {
        let before = self.snapshot();
        assert_error(self.as_owner(msg), &expected);
        assert_eq!(self.snapshot(), before, "inbox state changed on refusal");
    }

    pub fn advance_time(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.height += 1;
            block.time = block.time.plus_seconds(seconds);
        });
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

/// A call's response, or the error text a relayer sees.
pub type Outcome = Result<AppResponse, String>;

/// Checks that `outcome` failed with `expected` (its text is inside the chain's error).
pub fn assert_error(outcome: Outcome, expected: &ContractError) {
    let err = outcome.expect_err("call should fail");
    assert!(
        err.contains(&expected.to_string()),
        "expected error {expected:?} ({expected}), got: {err}"
    );
}

pub fn deliver_outcomes(response: &AppResponse) -> Vec<(u64, DeliveryOutcome)> {
    let data: DeliverResponse =
        from_json(response.data.as_ref().expect("deliver sets data")).unwrap();
    data.results
        .into_iter()
        .map(|result| (result.nonce, result.outcome))
        .collect()
}

/// The values of `key` in every event of `event_type` (custom events get the `wasm-`
/// prefix in cw-multi-test as on chain).
pub fn event_values(response: &AppResponse, event_type: &str, key: &str) -> Vec<String> {
    let ty = format!("wasm-{event_type}");
    response
        .events
        .iter()
        .filter(|event| event.ty == ty)
        .flat_map(|event| {
            event
                .attributes
                .iter()
                .filter(|attribute| attribute.key == key)
                .map(|attribute| attribute.value.clone())
        })
        .collect()
}

pub fn reentry_results(suite: &Suite) -> Vec<(u64, String)> {
    suite
        .app
        .wrap()
        .query_wasm_smart(suite.receiver.clone(), &ReceiverQuery::ReentryResults {})
        .unwrap()
}

pub fn receive_msg_json(message: &Message) -> String {
    let id = message.message_id().unwrap();
    String::from_utf8(
        to_json_binary(&ReceiverExecuteMsg::CcmpReceive(
            ccmp_types::CcmpReceiveMsg::new(message, &id),
        ))
        .unwrap()
        .to_vec(),
    )
    .unwrap()
}
