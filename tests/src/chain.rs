//! One chain: a cw-multi-test `App` with an outbox, an inbox, the pingpong dApp and a
//! recording receiver, whose every successful response is watched for `ccmp_send` events
//! the way a relayer watches a chain.

use std::fmt::Debug;

use ccmp_inbox::msg::{
    CheckpointResponse, ConfigResponse as InboxConfig, DeliverResponse, DeliveryOutcome,
    ProposalResponse, ProposalsResponse, QueryMsg as InboxQuery, SourceResponse,
};
use ccmp_outbox::msg::{
    ConfigResponse as OutboxConfig, LaneResponse, QueryMsg as OutboxQuery, SendMsg,
};
use ccmp_pingpong::msg::{
    ConfigResponse as PingpongConfig, QueryMsg as PingpongQuery, ReceivedResponse, StatsResponse,
};
use ccmp_types::{CcmpReceiveMsg, Hash, Message, MessageStatusResponse};
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Coin, CosmosMsg, Empty, Record, Timestamp, WasmMsg,
};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::receiver::{receiver_contract, ReceiverMsg, ReceiverQuery};

/// A call's response, or the error text a relayer or user would see.
pub type Outcome = Result<AppResponse, String>;

/// The two chains of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    A,
    B,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    pub fn chain_id(self) -> &'static str {
        match self {
            Side::A => crate::CHAIN_A,
            Side::B => crate::CHAIN_B,
        }
    }

    /// Each chain has its own address prefix, so an address of one is never mistaken for
    /// an address of the other.
    pub fn prefix(self) -> &'static str {
        match self {
            Side::A => "chaina",
            Side::B => "chainb",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// A `ccmp_send` event as a relayer reads it: the decoded message and what the outbox
/// said about the lane after appending it.
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    pub message: Message,
    pub message_id: Hash,
    pub size: u64,
    pub root: Hash,
}

pub struct Chain {
    pub side: Side,
    pub id: &'static str,
    pub app: App,
    pub owner: Addr,
    /// A user with funds who sends messages and pings.
    pub user: Addr,
    pub relayer: Addr,
    /// Someone with funds and no role.
    pub stranger: Addr,
    pub outbox: Addr,
    pub inbox: Addr,
    pub pingpong: Addr,
    /// A recording receiver (`crate::receiver`).
    pub receiver: Addr,
    pub receiver_code: u64,
    pub inbox_code: u64,
    /// Contracts added by a test (more receivers), snapshotted with the rest.
    pub extra_contracts: Vec<(String, Addr)>,
    sent: Vec<SentMessage>,
}

impl Chain {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        side: Side,
        app: App,
        owner: Addr,
        user: Addr,
        relayer: Addr,
        stranger: Addr,
        outbox: Addr,
        inbox: Addr,
        pingpong: Addr,
        receiver: Addr,
        receiver_code: u64,
        inbox_code: u64,
    ) -> Self {
        Chain {
            side,
            id: side.chain_id(),
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
            extra_contracts: vec![],
            sent: vec![],
        }
    }

    // -----------------------------------------------------------------------------------
    // Executing, and watching what happened.
    // -----------------------------------------------------------------------------------

    pub fn execute<T: Serialize + Debug>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &T,
        funds: &[Coin],
    ) -> Outcome {
        let outcome = self
            .app
            .execute_contract(sender.clone(), contract.clone(), msg, funds)
            .map_err(|err| err.to_string());
        self.observe(outcome)
    }

    /// Executes raw JSON, for messages the typed interface cannot express.
    pub fn execute_json(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        json: &str,
        funds: &[Coin],
    ) -> Outcome {
        let msg = CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr: contract.to_string(),
            msg: Binary::from(json.as_bytes()),
            funds: funds.to_vec(),
        });
        let outcome = self
            .app
            .execute(sender.clone(), msg)
            .map_err(|err| err.to_string());
        self.observe(outcome)
    }

    /// Reads every `wasm-ccmp_send` event of a successful response: the `message`
    /// attribute is the hex of the exact bytes the outbox appended. The id and lane
    /// attributes are checked against the decoded message as a careful relayer would.
    fn observe(&mut self, outcome: Outcome) -> Outcome {
        let response = outcome?;
        for event in response.events.iter().filter(|e| e.ty == "wasm-ccmp_send") {
            let attribute = |key: &str| {
                event
                    .attributes
                    .iter()
                    .find(|a| a.key == key)
                    .unwrap_or_else(|| panic!("ccmp_send without {key}"))
                    .value
                    .clone()
            };
            let bytes = hex::decode(attribute("message")).expect("message is hex");
            let message = Message::decode(&bytes).expect("message decodes");
            let message_id = message.message_id().unwrap();
            assert_eq!(hex::encode(message_id), attribute("message_id"));
            assert_eq!(message.nonce.to_string(), attribute("nonce"));
            assert_eq!(message.destination_chain, attribute("destination_chain"));
            assert_eq!(message.source_chain, self.id);
            let root: Hash = hex::decode(attribute("root"))
                .unwrap()
                .try_into()
                .expect("root is 32 bytes");
            self.sent.push(SentMessage {
                message,
                message_id,
                size: attribute("size").parse().unwrap(),
                root,
            });
        }
        Ok(response)
    }

    /// The messages seen sent from this chain to `destination`, in nonce order.
    pub fn sent_to(&self, destination: &str) -> Vec<SentMessage> {
        let mut sent: Vec<SentMessage> = self
            .sent
            .iter()
            .filter(|s| s.message.destination_chain == destination)
            .cloned()
            .collect();
        sent.sort_by_key(|s| s.message.nonce);
        sent
    }

    pub fn sent_count(&self) -> usize {
        self.sent.len()
    }

    // -----------------------------------------------------------------------------------
    // The user's side.
    // -----------------------------------------------------------------------------------

    /// `user` sends `body` to `recipient` on `destination` through the outbox.
    pub fn send_from(
        &mut self,
        sender: &Addr,
        destination: &str,
        recipient: &str,
        body: &[u8],
        timeout: Option<Timestamp>,
        funds: &[Coin],
    ) -> Outcome {
        let outbox = self.outbox.clone();
        self.execute(
            sender,
            &outbox,
            &ccmp_outbox::msg::ExecuteMsg::Send(SendMsg {
                destination_chain: destination.to_string(),
                recipient: recipient.to_string(),
                body: Binary::from(body),
                timeout_timestamp: timeout,
            }),
            funds,
        )
    }

    pub fn send(
        &mut self,
        destination: &str,
        recipient: &str,
        body: &[u8],
        funds: &[Coin],
    ) -> Outcome {
        let user = self.user.clone();
        self.send_from(&user, destination, recipient, body, None, funds)
    }

    pub fn ping(&mut self, destination: &str, text: &str, funds: &[Coin]) -> Outcome {
        let (user, pingpong) = (self.user.clone(), self.pingpong.clone());
        self.execute(
            &user,
            &pingpong,
            &ccmp_pingpong::msg::ExecuteMsg::Ping {
                destination_chain: destination.to_string(),
                text: text.to_string(),
            },
            funds,
        )
    }

    pub fn as_owner<T: Serialize + Debug>(&mut self, contract: &Addr, msg: &T) -> Outcome {
        let owner = self.owner.clone();
        self.execute(&owner, contract, msg, &[])
    }

    pub fn inbox_as_owner(&mut self, msg: &ccmp_inbox::msg::ExecuteMsg) -> Outcome {
        let inbox = self.inbox.clone();
        self.as_owner(&inbox, msg)
    }

    pub fn outbox_as_owner(&mut self, msg: &ccmp_outbox::msg::ExecuteMsg) -> Outcome {
        let outbox = self.outbox.clone();
        self.as_owner(&outbox, msg)
    }

    /// Anyone calling the inbox: relayers are not trusted, so the relayer is anyone.
    pub fn inbox_as_relayer(&mut self, msg: &ccmp_inbox::msg::ExecuteMsg) -> Outcome {
        let (relayer, inbox) = (self.relayer.clone(), self.inbox.clone());
        self.execute(&relayer, &inbox, msg, &[])
    }

    pub fn set_pingpong_failing(&mut self, fail: bool) {
        let pingpong = self.pingpong.clone();
        self.as_owner(&pingpong, &ccmp_pingpong::msg::ExecuteMsg::SetFail { fail })
            .unwrap();
    }

    pub fn set_receiver_failing(&mut self, receiver: &Addr, fail: bool) {
        let owner = self.owner.clone();
        self.execute(&owner, receiver, &ReceiverMsg::SetFail { fail }, &[])
            .unwrap();
    }

    /// Arms `receiver` to call `contract` with `msg` from inside its next delivery.
    pub fn arm_reentry<T: Serialize>(&mut self, receiver: &Addr, contract: &Addr, msg: &T) {
        let owner = self.owner.clone();
        self.execute(
            &owner,
            receiver,
            &ReceiverMsg::SetReenter {
                contract: contract.to_string(),
                msg: to_json_binary(msg).unwrap(),
            },
            &[],
        )
        .unwrap();
    }

    /// Instantiates another recording receiver (snapshotted with the chain's contracts).
    pub fn new_receiver(&mut self, label: &str) -> Addr {
        let address = self
            .app
            .instantiate_contract(
                self.receiver_code,
                self.owner.clone(),
                &Empty {},
                &[],
                label,
                None,
            )
            .unwrap();
        self.extra_contracts
            .push((label.to_string(), address.clone()));
        address
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

    // -----------------------------------------------------------------------------------
    // Queries.
    // -----------------------------------------------------------------------------------

    pub fn query<T: DeserializeOwned, Q: Serialize>(&self, contract: &Addr, msg: &Q) -> T {
        self.app
            .wrap()
            .query_wasm_smart(contract.clone(), msg)
            .unwrap()
    }

    pub fn inbox_config(&self) -> InboxConfig {
        self.query(&self.inbox, &InboxQuery::Config {})
    }

    pub fn outbox_config(&self) -> OutboxConfig {
        self.query(&self.outbox, &OutboxQuery::Config {})
    }

    /// What the inbox knows of the source chain `chain`.
    pub fn source(&self, chain: &str) -> SourceResponse {
        self.query(
            &self.inbox,
            &InboxQuery::Source {
                chain: chain.to_string(),
            },
        )
    }

    pub fn latest_checkpoint_size(&self, chain: &str) -> u64 {
        self.source(chain).latest_checkpoint.map_or(0, |c| c.size)
    }

    pub fn checkpoint(&self, chain: &str, size: u64) -> Option<CheckpointResponse> {
        self.app
            .wrap()
            .query_wasm_smart(
                self.inbox.clone(),
                &InboxQuery::Checkpoint {
                    source_chain: chain.to_string(),
                    size: Some(size),
                },
            )
            .ok()
    }

    /// The inbox's pending proposals (changes of trust waiting for their delay).
    pub fn proposals(&self) -> Vec<ProposalResponse> {
        let response: ProposalsResponse = self.query(
            &self.inbox,
            &InboxQuery::Proposals {
                start_after: None,
                limit: Some(30),
            },
        );
        response.proposals
    }

    pub fn status(&self, chain: &str, nonce: u64) -> MessageStatusResponse {
        self.query(
            &self.inbox,
            &InboxQuery::MessageStatus {
                source_chain: chain.to_string(),
                nonce,
            },
        )
    }

    pub fn lane(&self, destination: &str) -> LaneResponse {
        self.query(
            &self.outbox,
            &OutboxQuery::Lane {
                destination_chain: destination.to_string(),
            },
        )
    }

    pub fn pingpong_config(&self) -> PingpongConfig {
        self.query(&self.pingpong, &PingpongQuery::Config {})
    }

    pub fn pingpong_stats(&self) -> StatsResponse {
        self.query(&self.pingpong, &PingpongQuery::Stats {})
    }

    pub fn pingpong_received(&self, source_chain: &str) -> ReceivedResponse {
        self.query(
            &self.pingpong,
            &PingpongQuery::Received {
                source_chain: source_chain.to_string(),
            },
        )
    }

    pub fn received(&self, receiver: &Addr) -> Vec<CcmpReceiveMsg> {
        self.query(receiver, &ReceiverQuery::Received {})
    }

    pub fn received_nonces(&self, receiver: &Addr) -> Vec<u64> {
        self.received(receiver).iter().map(|r| r.nonce).collect()
    }

    pub fn reentry_results(&self, receiver: &Addr) -> Vec<(u64, String)> {
        self.query(receiver, &ReceiverQuery::ReentryResults {})
    }

    pub fn balances(&self, address: &Addr) -> Vec<Coin> {
        let mut coins = vec![];
        for denom in [crate::DENOM, crate::OTHER_DENOM] {
            coins.push(self.app.wrap().query_balance(address, denom).unwrap());
        }
        coins
    }

    /// Every contract of the chain, by name.
    pub fn contracts(&self) -> Vec<(String, Addr)> {
        let mut all = vec![
            ("outbox".to_string(), self.outbox.clone()),
            ("inbox".to_string(), self.inbox.clone()),
            ("pingpong".to_string(), self.pingpong.clone()),
            ("receiver".to_string(), self.receiver.clone()),
        ];
        all.extend(self.extra_contracts.iter().cloned());
        all
    }

    pub fn dump(&self, contract: &Addr) -> Vec<Record> {
        self.app.dump_wasm_raw(contract)
    }
}

pub fn inbox_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            ccmp_inbox::contract::execute,
            ccmp_inbox::contract::instantiate,
            ccmp_inbox::contract::query,
        )
        .with_reply(ccmp_inbox::contract::reply)
        .with_migrate(ccmp_inbox::contract::migrate),
    )
}

pub fn outbox_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            ccmp_outbox::contract::execute,
            ccmp_outbox::contract::instantiate,
            ccmp_outbox::contract::query,
        )
        .with_migrate(ccmp_outbox::contract::migrate),
    )
}

pub fn pingpong_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            ccmp_pingpong::contract::execute,
            ccmp_pingpong::contract::instantiate,
            ccmp_pingpong::contract::query,
        )
        .with_migrate(ccmp_pingpong::contract::migrate),
    )
}

pub(crate) fn test_receiver_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    receiver_contract()
}

/// The per-item outcomes of a `deliver` (its response data), by nonce.
pub fn deliver_outcomes(response: &AppResponse) -> Vec<(u64, DeliveryOutcome)> {
    let data: DeliverResponse =
        from_json(response.data.as_ref().expect("deliver sets data")).unwrap();
    data.results
        .into_iter()
        .map(|result| (result.nonce, result.outcome))
        .collect()
}

/// The values of `key` in every custom event `event_type` of a response.
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
