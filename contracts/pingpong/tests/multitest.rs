//! The pingpong contract with a real outbox, through cw-multi-test. A plain address plays
//! the inbox and calls `ccmp_receive` as the inbox would. Every refusal is checked for its
//! exact error and for leaving state (and balances) untouched.

use ccmp_outbox::msg::{
    DestinationConfig, InstantiateMsg as OutboxInstantiateMsg, LaneResponse,
    QueryMsg as OutboxQueryMsg,
};
use ccmp_pingpong::contract::{execute, instantiate, migrate, query, CONTRACT_VERSION};
use ccmp_pingpong::msg::{
    CcmpReceiveMsg, ConfigResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, Payload, Peer,
    PongBudget, PongBudgetResponse, QueryMsg, ReceivedMessage, ReceivedResponse, StatsResponse,
    DEFAULT_MAX_PONGS_PER_WINDOW, DEFAULT_WINDOW_SECONDS,
};
use ccmp_pingpong::ContractError;
use ccmp_types::{Message, OwnershipError};
use cosmwasm_std::{
    coin, to_json_binary, Addr, Binary, Coin, Empty, HexBinary, StdResult, Uint256,
};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};

const DENOM: &str = "untrn";
const FEE: u128 = 5;
/// The peers' addresses on their own chains: plain strings, not addresses of this chain.
const PEER_B: &str = "wasm1peerbpeerbpeerbpeerb";
const PEER_C: &str = "wasm1peercpeercpeercpeerc";

fn pingpong_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

fn outbox_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        ccmp_outbox::contract::execute,
        ccmp_outbox::contract::instantiate,
        ccmp_outbox::contract::query,
    ))
}

struct Suite {
    app: App,
    pingpong: Addr,
    outbox: Addr,
    inbox: Addr,
    owner: Addr,
    alice: Addr,
    stranger: Addr,
}

impl Suite {
    /// The outbox on chain-a sends to chain-b for free and to chain-c for 5untrn; the
    /// pingpong peers with PEER_B on chain-b and PEER_C on chain-c, and attaches
    /// `pong_fee` to its pongs, within the default pong budget.
    fn new(pong_fee: Option<Coin>) -> Self {
        Self::with_budget(pong_fee, None)
    }

    fn with_budget(pong_fee: Option<Coin>, pong_budget: Option<PongBudget>) -> Self {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for name in ["alice", "stranger", "inbox"] {
                router
                    .bank
                    .init_balance(
                        storage,
                        &api.addr_make(name),
                        vec![coin(1_000, DENOM), coin(1_000, "uatom")],
                    )
                    .unwrap();
            }
        });
        let owner = app.api().addr_make("owner");
        let inbox = app.api().addr_make("inbox");
        let outbox_code = app.store_code(outbox_contract());
        let outbox = app
            .instantiate_contract(
                outbox_code,
                owner.clone(),
                &OutboxInstantiateMsg {
                    owner: None,
                    chain_id: Some("chain-a".into()),
                    destinations: Some(vec![
                        DestinationConfig {
                            chain: "chain-b".into(),
                            enabled: true,
                            fee: None,
                            max_body_bytes: None,
                        },
                        DestinationConfig {
                            chain: "chain-c".into(),
                            enabled: true,
                            fee: Some(coin(FEE, DENOM)),
                            max_body_bytes: None,
                        },
                    ]),
                },
                &[],
                "outbox",
                None,
            )
            .unwrap();
        let code_id = app.store_code(pingpong_contract());
        let pingpong = app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    outbox: outbox.to_string(),
                    inbox: inbox.to_string(),
                    peers: vec![peer("chain-b", PEER_B), peer("chain-c", PEER_C)],
                    pong_fee,
                    pong_budget,
                },
                &[],
                "pingpong",
                Some(owner.to_string()),
            )
            .unwrap();
        Suite {
            pingpong,
            outbox,
            inbox,
            owner,
            alice: app.api().addr_make("alice"),
            stranger: app.api().addr_make("stranger"),
            app,
        }
    }

    fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.pingpong.clone(), msg, funds)
    }

    fn ping(&mut self, chain: &str, text: &str, funds: &[Coin]) -> StdResult<AppResponse> {
        let alice = self.alice.clone();
        let msg = ExecuteMsg::Ping {
            destination_chain: chain.into(),
            text: text.into(),
        };
        self.execute(&alice, &msg, funds)
    }

    /// `ccmp_receive` as the inbox calls it.
    fn deliver(&mut self, msg: CcmpReceiveMsg) -> StdResult<AppResponse> {
        let inbox = self.inbox.clone();
        self.execute(&inbox, &ExecuteMsg::CcmpReceive(msg), &[])
    }

    fn owner_does(&mut self, msg: &ExecuteMsg) -> StdResult<AppResponse> {
        let owner = self.owner.clone();
        self.execute(&owner, msg, &[])
    }

    fn fund_pingpong(&mut self, amount: u128) {
        let alice = self.alice.clone();
        let pingpong = self.pingpong.clone();
        self.app
            .send_tokens(alice, pingpong, &[coin(amount, DENOM)])
            .unwrap();
    }

    fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.pingpong, msg)
            .unwrap()
    }

    fn config(&self) -> ConfigResponse {
        self.query(&QueryMsg::Config {})
    }

    fn stats(&self) -> StatsResponse {
        self.query(&QueryMsg::Stats {})
    }

    fn pong_budget(&self) -> PongBudgetResponse {
        self.query(&QueryMsg::PongBudget {})
    }

    /// Moves the chain's clock on by `seconds` (and its height by one).
    fn wait(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += 1;
        });
    }

    fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }

    fn received(&self, chain: &str) -> ReceivedResponse {
        self.query(&QueryMsg::Received {
            source_chain: chain.into(),
        })
    }

    fn lane_size(&self, chain: &str) -> u64 {
        let lane: LaneResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.outbox,
                &OutboxQueryMsg::Lane {
                    destination_chain: chain.into(),
                },
            )
            .unwrap();
        lane.size
    }

    fn balance(&self, addr: &Addr) -> Uint256 {
        self.app.wrap().query_balance(addr, DENOM).unwrap().amount
    }

    /// Everything a refusal must leave untouched.
    fn snapshot(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}|{}",
            self.config(),
            self.stats(),
            self.pong_budget(),
            self.received("chain-b"),
            self.received("chain-c"),
            self.lane_size("chain-b"),
            self.lane_size("chain-c"),
            self.balance(&self.pingpong),
            self.balance(&self.outbox),
            self.balance(&self.alice),
            self.balance(&self.inbox),
        )
    }
}

fn peer(chain: &str, address: &str) -> Peer {
    Peer {
        chain: chain.into(),
        address: address.into(),
    }
}

fn payload_body(payload: &Payload) -> Binary {
    to_json_binary(payload).unwrap()
}

fn ping_from(chain: &str, sender: &str, nonce: u64, text: &str) -> CcmpReceiveMsg {
    CcmpReceiveMsg {
        message_id: HexBinary::from(&[nonce as u8; 32]),
        source_chain: chain.into(),
        sender: sender.into(),
        nonce,
        body: payload_body(&Payload::Ping { text: text.into() }),
    }
}

fn assert_error<T: std::fmt::Debug>(result: StdResult<T>, expected: ContractError) {
    let err = result.expect_err("expected an error").to_string();
    assert!(
        err.contains(&expected.to_string()),
        "expected error {expected:?} ({expected}), got: {err}"
    );
}

/// The `pong` attribute of a delivery: `sent`, `skipped_budget` or `skipped_unfunded`.
fn pong_outcome(response: &AppResponse) -> String {
    let values: Vec<_> = response
        .events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| &e.attributes)
        .filter(|a| a.key == "pong")
        .map(|a| a.value.clone())
        .collect();
    let [value] = values.as_slice() else {
        panic!("expected one pong attribute, got {values:?}");
    };
    value.clone()
}

/// The one message the outbox appended in this response, decoded from its `ccmp_send`
/// event (`None` if nothing was sent).
fn sent_message(response: &AppResponse) -> Option<Message> {
    let mut events = response.events.iter().filter(|e| e.ty == "wasm-ccmp_send");
    let event = events.next()?;
    assert!(events.next().is_none(), "more than one ccmp_send");
    let hex = &event
        .attributes
        .iter()
        .find(|a| a.key == "message")
        .expect("ccmp_send has a message attribute")
        .value;
    Some(Message::decode(&hex::decode(hex).unwrap()).unwrap())
}

mod pinging {
    use super::*;

    #[test]
    fn a_ping_is_sent_through_the_outbox_to_the_peer() {
        let mut suite = Suite::new(None);
        let response = suite.ping("chain-b", "hello", &[]).unwrap();
        let message = sent_message(&response).expect("a ccmp_send");
        assert_eq!(
            message,
            Message {
                nonce: 0,
                source_chain: "chain-a".into(),
                sender: suite.pingpong.to_string(),
                destination_chain: "chain-b".into(),
                recipient: PEER_B.into(),
                timeout_timestamp: None,
                body: Binary::from(br#"{"ping":{"text":"hello"}}"#.as_slice()),
            }
        );
        assert_eq!(suite.lane_size("chain-b"), 1);
        assert_eq!(
            suite.stats(),
            StatsResponse {
                pings_sent: 1,
                ..StatsResponse::default()
            }
        );
    }

    #[test]
    fn the_callers_funds_are_forwarded_as_the_outbox_fee() {
        let mut suite = Suite::new(None);
        let response = suite.ping("chain-c", "paid", &[coin(FEE, DENOM)]).unwrap();
        assert_eq!(sent_message(&response).unwrap().recipient, PEER_C);
        assert_eq!(suite.balance(&suite.outbox), Uint256::from(FEE));
        assert_eq!(suite.balance(&suite.alice), Uint256::from(1_000 - FEE));
        assert_eq!(suite.balance(&suite.pingpong), Uint256::zero());
    }

    #[test]
    fn the_outbox_refuses_a_wrong_fee_and_nothing_changes() {
        let mut suite = Suite::new(None);
        let before = suite.snapshot();
        let err = suite
            .ping("chain-c", "cheap", &[coin(FEE - 1, DENOM)])
            .unwrap_err();
        assert!(
            format!("{err:?}").contains("fee is 5untrn, only 4untrn attached"),
            "{err:?}"
        );
        let err = suite
            .ping("chain-b", "free", &[coin(1, DENOM)])
            .unwrap_err();
        assert!(
            format!("{err:?}").contains("unexpected funds attached: 1untrn (the fee is none)"),
            "{err:?}"
        );
        assert_eq!(suite.snapshot(), before);
    }

    #[test]
    fn refuses_chains_without_a_peer_long_texts_and_several_coins() {
        let mut suite = Suite::new(None);
        let before = suite.snapshot();
        assert_error(
            suite.ping("chain-z", "hi", &[]),
            ContractError::UnknownPeer {
                chain: "chain-z".into(),
            },
        );
        assert_error(
            suite.ping("chain-b", &"x".repeat(257), &[]),
            ContractError::TextTooLong { len: 257, max: 256 },
        );
        assert_error(
            suite.ping("chain-c", "hi", &[coin(1, "uatom"), coin(FEE, DENOM)]),
            ContractError::MultipleFeeCoins {
                funds: "1uatom,5untrn".into(),
            },
        );
        assert_eq!(suite.snapshot(), before);
    }
}

mod receiving {
    use super::*;

    #[test]
    fn a_ping_from_the_peer_is_answered_with_a_pong_carrying_its_nonce() {
        let mut suite = Suite::new(None);
        let response = suite
            .deliver(ping_from("chain-b", PEER_B, 7, "hello"))
            .unwrap();
        let pong = sent_message(&response).expect("a pong through the outbox");
        assert_eq!(
            pong,
            Message {
                nonce: 0,
                source_chain: "chain-a".into(),
                sender: suite.pingpong.to_string(),
                destination_chain: "chain-b".into(),
                recipient: PEER_B.into(),
                timeout_timestamp: None,
                body: Binary::from(br#"{"pong":{"text":"hello","ping_nonce":7}}"#.as_slice()),
            }
        );
        assert_eq!(
            suite.received("chain-b"),
            ReceivedResponse {
                source_chain: "chain-b".into(),
                count: 1,
                last: Some(ReceivedMessage {
                    nonce: 7,
                    message_id: HexBinary::from(&[7u8; 32]),
                    payload: Payload::Ping {
                        text: "hello".into()
                    },
                }),
            }
        );
        assert_eq!(
            suite.received("chain-c"),
            ReceivedResponse {
                source_chain: "chain-c".into(),
                count: 0,
                last: None,
            }
        );
        assert_eq!(
            suite.stats(),
            StatsResponse {
                pings_received: 1,
                pongs_sent: 1,
                ..StatsResponse::default()
            }
        );
    }

    #[test]
    fn a_pong_is_recorded_and_never_answered() {
        let mut suite = Suite::new(None);
        suite.ping("chain-b", "hello", &[]).unwrap();
        let pong = Payload::Pong {
            text: "hello".into(),
            ping_nonce: 0,
        };
        let response = suite
            .deliver(CcmpReceiveMsg {
                body: payload_body(&pong),
                ..ping_from("chain-b", PEER_B, 0, "")
            })
            .unwrap();
        assert_eq!(sent_message(&response), None);
        assert_eq!(suite.lane_size("chain-b"), 1, "only the ping");
        let received = suite.received("chain-b");
        assert_eq!(received.count, 1);
        assert_eq!(received.last.unwrap().payload, pong);
        assert_eq!(
            suite.stats(),
            StatsResponse {
                pings_sent: 1,
                pongs_received: 1,
                ..StatsResponse::default()
            }
        );
    }

    #[test]
    fn counts_per_source_chain_and_keeps_the_last() {
        let mut suite = Suite::new(None);
        for nonce in 0..3 {
            suite
                .deliver(ping_from("chain-b", PEER_B, nonce, &format!("b{nonce}")))
                .unwrap();
        }
        let received = suite.received("chain-b");
        assert_eq!(received.count, 3);
        let last = received.last.unwrap();
        assert_eq!(last.nonce, 2);
        assert_eq!(last.payload, Payload::Ping { text: "b2".into() });
        assert_eq!(suite.received("chain-c").count, 0);
        assert_eq!(suite.lane_size("chain-b"), 3);
    }

    #[test]
    fn refusals_leave_everything_untouched() {
        let mut suite = Suite::new(None);
        suite
            .deliver(ping_from("chain-b", PEER_B, 0, "first"))
            .unwrap();
        let before = suite.snapshot();
        let good = ping_from("chain-b", PEER_B, 1, "hi");

        // Not the inbox.
        let stranger = suite.stranger.clone();
        assert_error(
            suite.execute(&stranger, &ExecuteMsg::CcmpReceive(good.clone()), &[]),
            ContractError::NotInbox {
                sender: stranger.clone(),
                inbox: suite.inbox.clone(),
            },
        );
        // The inbox, but with coins.
        let inbox = suite.inbox.clone();
        assert_error(
            suite.execute(
                &inbox,
                &ExecuteMsg::CcmpReceive(good.clone()),
                &[coin(1, DENOM)],
            ),
            ContractError::FundsWithDelivery {
                funds: "1untrn".into(),
            },
        );
        // A chain without a peer.
        assert_error(
            suite.deliver(ping_from("chain-z", PEER_B, 1, "hi")),
            ContractError::UnknownPeer {
                chain: "chain-z".into(),
            },
        );
        // The right chain, another contract on it.
        assert_error(
            suite.deliver(ping_from("chain-b", "wasm1impostor", 1, "hi")),
            ContractError::WrongPeer {
                chain: "chain-b".into(),
                expected: PEER_B.into(),
                got: "wasm1impostor".into(),
            },
        );
        // Another peer's address, claimed from the wrong chain.
        assert_error(
            suite.deliver(ping_from("chain-b", PEER_C, 1, "hi")),
            ContractError::WrongPeer {
                chain: "chain-b".into(),
                expected: PEER_B.into(),
                got: PEER_C.into(),
            },
        );
        // Not a payload.
        let err = suite
            .deliver(CcmpReceiveMsg {
                body: Binary::from(br#"{"pang":{"text":"hi"}}"#.as_slice()),
                ..good.clone()
            })
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("body is not a ping or pong payload: ") && err.contains("pang"),
            "{err}"
        );
        // A text over the limit.
        assert_error(
            suite.deliver(ping_from("chain-b", PEER_B, 1, &"x".repeat(257))),
            ContractError::TextTooLong { len: 257, max: 256 },
        );

        assert_eq!(suite.snapshot(), before);
    }

    #[test]
    fn the_fail_switch_fails_deliveries_until_turned_off_then_the_retry_succeeds() {
        let mut suite = Suite::new(None);
        suite
            .owner_does(&ExecuteMsg::SetFail { fail: true })
            .unwrap();
        assert!(suite.config().fail);
        let before = suite.snapshot();
        let ping = ping_from("chain-b", PEER_B, 0, "hi");
        assert_error(suite.deliver(ping.clone()), ContractError::FailSwitchOn);
        assert_eq!(suite.snapshot(), before);

        suite
            .owner_does(&ExecuteMsg::SetFail { fail: false })
            .unwrap();
        let response = suite.deliver(ping).unwrap();
        assert!(sent_message(&response).is_some());
        assert_eq!(suite.received("chain-b").count, 1);
    }

    #[test]
    fn the_switch_does_not_hide_who_is_calling() {
        let mut suite = Suite::new(None);
        suite
            .owner_does(&ExecuteMsg::SetFail { fail: true })
            .unwrap();
        let stranger = suite.stranger.clone();
        assert_error(
            suite.execute(
                &stranger,
                &ExecuteMsg::CcmpReceive(ping_from("chain-b", PEER_B, 0, "hi")),
                &[],
            ),
            ContractError::NotInbox {
                sender: stranger.clone(),
                inbox: suite.inbox.clone(),
            },
        );
    }

    #[test]
    fn a_removed_peer_is_refused_and_a_replaced_one_answered_at_its_new_address() {
        let mut suite = Suite::new(None);
        suite
            .owner_does(&ExecuteMsg::RemovePeer {
                chain: "chain-b".into(),
            })
            .unwrap();
        assert_error(
            suite.deliver(ping_from("chain-b", PEER_B, 0, "hi")),
            ContractError::UnknownPeer {
                chain: "chain-b".into(),
            },
        );
        assert_error(
            suite.ping("chain-b", "hi", &[]),
            ContractError::UnknownPeer {
                chain: "chain-b".into(),
            },
        );
        suite
            .owner_does(&ExecuteMsg::SetPeer {
                chain: "chain-b".into(),
                address: "wasm1newpeer".into(),
            })
            .unwrap();
        assert_error(
            suite.deliver(ping_from("chain-b", PEER_B, 0, "hi")),
            ContractError::WrongPeer {
                chain: "chain-b".into(),
                expected: "wasm1newpeer".into(),
                got: PEER_B.into(),
            },
        );
        let response = suite
            .deliver(ping_from("chain-b", "wasm1newpeer", 0, "hi"))
            .unwrap();
        assert_eq!(sent_message(&response).unwrap().recipient, "wasm1newpeer");
        assert_eq!(
            suite.config().peers,
            vec![peer("chain-b", "wasm1newpeer"), peer("chain-c", PEER_C)]
        );
    }
}

mod pong_fee {
    use super::*;

    #[test]
    fn is_paid_from_the_contracts_balance() {
        let mut suite = Suite::new(Some(coin(FEE, DENOM)));
        suite.fund_pingpong(12);
        for nonce in 0..2 {
            let response = suite
                .deliver(ping_from("chain-c", PEER_C, nonce, "hi"))
                .unwrap();
            let pong = sent_message(&response).unwrap();
            assert_eq!(
                (pong.destination_chain.as_str(), pong.nonce),
                ("chain-c", nonce)
            );
        }
        assert_eq!(suite.balance(&suite.pingpong), Uint256::from(2u128));
        assert_eq!(suite.balance(&suite.outbox), Uint256::from(2 * FEE));
        assert_eq!(suite.balance(&suite.inbox), Uint256::from(1_000u128));
    }

    /// A short balance does not fail the delivery (a failed ping could be retried by
    /// anyone the moment the contract is topped up, spending the top-up on stale pings):
    /// the ping is accepted and counted, no pong goes out and no budget is used.
    #[test]
    fn a_short_balance_accepts_the_ping_without_a_pong_until_topped_up() {
        let mut suite = Suite::new(Some(coin(FEE, DENOM)));
        suite.fund_pingpong(FEE - 1);
        let response = suite
            .deliver(ping_from("chain-c", PEER_C, 0, "hi"))
            .unwrap();
        assert_eq!(sent_message(&response), None);
        assert_eq!(pong_outcome(&response), "skipped_unfunded");
        assert_eq!(suite.lane_size("chain-c"), 0);
        assert_eq!(suite.balance(&suite.pingpong), Uint256::from(FEE - 1));
        assert_eq!(suite.received("chain-c").count, 1);
        assert_eq!(
            suite.stats(),
            StatsResponse {
                pings_received: 1,
                pongs_skipped_unfunded: 1,
                ..StatsResponse::default()
            }
        );
        assert_eq!(suite.pong_budget().pongs_in_window, 0);

        suite.fund_pingpong(1);
        let response = suite
            .deliver(ping_from("chain-c", PEER_C, 1, "hi"))
            .unwrap();
        assert_eq!(pong_outcome(&response), "sent");
        assert_eq!(sent_message(&response).unwrap().nonce, 0);
        assert_eq!(suite.balance(&suite.pingpong), Uint256::zero());
        assert_eq!(suite.pong_budget().pongs_in_window, 1);
        assert_eq!(
            (
                suite.stats().pongs_sent,
                suite.stats().pongs_skipped_unfunded
            ),
            (1, 1)
        );
    }

    #[test]
    fn is_owner_settable_and_validated() {
        let mut suite = Suite::new(None);
        let stranger = suite.stranger.clone();
        let set = |fee: Option<Coin>| ExecuteMsg::SetPongFee { pong_fee: fee };
        assert_error(
            suite.execute(&stranger, &set(Some(coin(FEE, DENOM))), &[]),
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        assert_error(
            suite.owner_does(&set(Some(coin(0, DENOM)))),
            ContractError::InvalidFee {
                fee: coin(0, DENOM),
            },
        );
        assert_eq!(suite.config().pong_fee, None);
        suite.owner_does(&set(Some(coin(FEE, DENOM)))).unwrap();
        assert_eq!(suite.config().pong_fee, Some(coin(FEE, DENOM)));
    }

    #[test]
    fn the_owner_can_withdraw_what_is_left() {
        let mut suite = Suite::new(Some(coin(FEE, DENOM)));
        suite.fund_pingpong(10);
        let owner = suite.owner.clone();
        let stranger = suite.stranger.clone();
        let withdraw = |amount: u128| ExecuteMsg::Withdraw {
            to: owner.to_string(),
            amount: coin(amount, DENOM),
        };
        assert_error(
            suite.execute(&stranger, &withdraw(10), &[]),
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        assert_error(
            suite.owner_does(&withdraw(11)),
            ContractError::InsufficientBalance {
                requested: coin(11, DENOM),
                available: coin(10, DENOM),
            },
        );
        suite.owner_does(&withdraw(10)).unwrap();
        assert_eq!(suite.balance(&owner), Uint256::from(10u128));
        assert_eq!(suite.balance(&suite.pingpong), Uint256::zero());
    }
}

mod owner {
    use super::*;

    #[test]
    fn owner_actions_are_refused_to_others_and_change_nothing() {
        let mut suite = Suite::new(None);
        let stranger = suite.stranger.clone();
        let before = suite.snapshot();
        for msg in [
            ExecuteMsg::SetFail { fail: true },
            ExecuteMsg::SetPeer {
                chain: "chain-d".into(),
                address: "wasm1d".into(),
            },
            ExecuteMsg::RemovePeer {
                chain: "chain-b".into(),
            },
            ExecuteMsg::SetPongFee { pong_fee: None },
            ExecuteMsg::SetPongBudget {
                max_pongs_per_window: 1,
                window_seconds: 60,
            },
            ExecuteMsg::TransferOwnership {
                new_owner: stranger.to_string(),
            },
            ExecuteMsg::CancelOwnershipTransfer {},
            ExecuteMsg::RenounceOwnership {},
        ] {
            assert_error(
                suite.execute(&stranger, &msg, &[]),
                ContractError::Ownership(OwnershipError::NotOwner),
            );
        }
        assert_eq!(suite.snapshot(), before);
    }

    #[test]
    fn two_step_transfer_cancel_and_renounce() {
        let mut suite = Suite::new(None);
        let (owner, alice, stranger) = (
            suite.owner.clone(),
            suite.alice.clone(),
            suite.stranger.clone(),
        );
        suite
            .owner_does(&ExecuteMsg::TransferOwnership {
                new_owner: alice.to_string(),
            })
            .unwrap();
        assert_eq!(suite.config().pending_owner, Some(alice.clone()));
        assert_error(
            suite.execute(&stranger, &ExecuteMsg::AcceptOwnership {}, &[]),
            ContractError::Ownership(OwnershipError::NotPendingOwner),
        );
        // Still the old owner's until accepted.
        suite
            .owner_does(&ExecuteMsg::SetFail { fail: true })
            .unwrap();
        suite
            .execute(&alice, &ExecuteMsg::AcceptOwnership {}, &[])
            .unwrap();
        let config = suite.config();
        assert_eq!(
            (config.owner, config.pending_owner),
            (Some(alice.clone()), None)
        );
        assert_error(
            suite.execute(&owner, &ExecuteMsg::SetFail { fail: false }, &[]),
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        suite
            .execute(&alice, &ExecuteMsg::SetFail { fail: false }, &[])
            .unwrap();

        suite
            .execute(
                &alice,
                &ExecuteMsg::TransferOwnership {
                    new_owner: stranger.to_string(),
                },
                &[],
            )
            .unwrap();
        suite
            .execute(&alice, &ExecuteMsg::CancelOwnershipTransfer {}, &[])
            .unwrap();
        assert_error(
            suite.execute(&stranger, &ExecuteMsg::AcceptOwnership {}, &[]),
            ContractError::Ownership(OwnershipError::NoPendingTransfer),
        );

        suite
            .execute(&alice, &ExecuteMsg::RenounceOwnership {}, &[])
            .unwrap();
        assert_eq!(suite.config().owner, None);
        assert_error(
            suite.execute(&alice, &ExecuteMsg::SetFail { fail: true }, &[]),
            ContractError::Ownership(OwnershipError::NoOwner),
        );
        // Pings and deliveries need no owner.
        suite
            .deliver(ping_from("chain-b", PEER_B, 0, "hi"))
            .unwrap();
        suite.ping("chain-b", "hi", &[]).unwrap();
    }

    #[test]
    fn set_peer_validates_the_chain_and_address() {
        let mut suite = Suite::new(None);
        let before = suite.snapshot();
        for (chain, address, expected) in [
            ("", "wasm1x", "chain must be 1 to 64 bytes, got 0"),
            (
                "chain\td",
                "wasm1x",
                "chain \"chain\\td\" contains whitespace or a control character",
            ),
            ("chain-d", "", "address must be 1 to 256 bytes, got 0"),
        ] {
            let err = suite
                .owner_does(&ExecuteMsg::SetPeer {
                    chain: chain.into(),
                    address: address.into(),
                })
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
        let long = "x".repeat(257);
        assert!(suite
            .owner_does(&ExecuteMsg::SetPeer {
                chain: "chain-d".into(),
                address: long,
            })
            .unwrap_err()
            .to_string()
            .contains("address must be 1 to 256 bytes, got 257"));
        assert_error(
            suite.owner_does(&ExecuteMsg::RemovePeer {
                chain: "chain-z".into(),
            }),
            ContractError::UnknownPeer {
                chain: "chain-z".into(),
            },
        );
        assert_eq!(suite.snapshot(), before);
    }

    #[test]
    fn instantiation_config_and_migrate() {
        let mut suite = Suite::new(Some(coin(FEE, DENOM)));
        assert_eq!(
            suite.config(),
            ConfigResponse {
                owner: Some(suite.owner.clone()),
                pending_owner: None,
                outbox: suite.outbox.clone(),
                inbox: suite.inbox.clone(),
                peers: vec![peer("chain-b", PEER_B), peer("chain-c", PEER_C)],
                pong_fee: Some(coin(FEE, DENOM)),
                pong_budget: PongBudget::default(),
                fail: false,
            }
        );
        assert_eq!(suite.stats(), StatsResponse::default());
        let owner = suite.owner.clone();
        let code_id = suite.app.store_code(pingpong_contract());
        let pingpong = suite.pingpong.clone();
        let response = suite
            .app
            .migrate_contract(owner, pingpong, &MigrateMsg {}, code_id)
            .unwrap();
        let migrate = response
            .events
            .iter()
            .find(|e| e.ty == "wasm")
            .expect("migrate attributes");
        assert!(migrate
            .attributes
            .iter()
            .any(|a| a.key == "to_version" && a.value == CONTRACT_VERSION));
        assert!(migrate
            .attributes
            .iter()
            .any(|a| a.key == "pong_budget" && a.value == "kept"));
    }
}

/// Security review finding 7: every ping from a peer is answered with a pong whose outbox
/// fee the pingpong pays from its own balance, so anyone on the peer's chain could ping
/// over and over and drain it. The pong budget bounds what one window can cost.
mod drain {
    use super::*;

    const DEFAULT_MAX_PONGS: u128 = DEFAULT_MAX_PONGS_PER_WINDOW as u128;

    #[test]
    fn many_pings_from_one_peer_cannot_drain_the_balance() {
        let mut suite = Suite::new(Some(coin(FEE, DENOM)));
        // Enough for 200 pongs; the flood is 250 pings in one block.
        suite.fund_pingpong(1_000);
        let mut refused = vec![];
        for nonce in 0..250 {
            if let Err(err) = suite.deliver(ping_from("chain-c", PEER_C, nonce, "flood")) {
                refused.push((nonce, err.to_string()));
            }
        }
        let spent = Uint256::from(1_000u128) - suite.balance(&suite.pingpong);
        let pongs = suite.lane_size("chain-c");
        assert!(
            spent <= Uint256::from(DEFAULT_MAX_PONGS * FEE),
            "drained: the flood made the pingpong pay {spent}{DENOM} for {pongs} pongs"
        );
        assert_eq!(pongs as u128, DEFAULT_MAX_PONGS);
        // Every ping is accepted (a refusal would leave it failed and retryable forever),
        // and the ones over the budget are counted, not answered.
        assert!(refused.is_empty(), "refused: {refused:?}");
        assert_eq!(suite.received("chain-c").count, 250);
        assert_eq!(
            suite.stats(),
            StatsResponse {
                pings_received: 250,
                pongs_sent: 100,
                pongs_skipped_budget: 150,
                ..StatsResponse::default()
            }
        );
        assert_eq!(suite.pong_budget().pongs_left, 0);
    }

    /// The flood goes on for hours: each window pays for at most its budget, and the
    /// balance pays for no more pongs than it can, skipping the rest as unfunded.
    #[test]
    fn a_flood_over_several_windows_pays_one_budget_per_window_until_the_balance_is_short() {
        let budget = PongBudget {
            max_pongs_per_window: 3,
            window_seconds: 600,
        };
        let mut suite = Suite::with_budget(Some(coin(FEE, DENOM)), Some(budget));
        // Enough for 7 pongs (and 2untrn over).
        suite.fund_pingpong(7 * FEE + 2);
        let mut nonce = 0;
        let mut outcomes = vec![];
        for _window in 0..4 {
            let mut window = vec![];
            for _ in 0..5 {
                let response = suite
                    .deliver(ping_from("chain-c", PEER_C, nonce, "flood"))
                    .unwrap();
                window.push(pong_outcome(&response));
                nonce += 1;
            }
            outcomes.push(window.join(","));
            suite.wait(600);
        }
        let (sent, budget_, unfunded) = ("sent", "skipped_budget", "skipped_unfunded");
        assert_eq!(
            outcomes,
            vec![
                [sent, sent, sent, budget_, budget_].join(","),
                [sent, sent, sent, budget_, budget_].join(","),
                [sent, unfunded, unfunded, unfunded, unfunded].join(","),
                [unfunded, unfunded, unfunded, unfunded, unfunded].join(","),
            ]
        );
        assert_eq!(suite.balance(&suite.pingpong), Uint256::from(2u128));
        assert_eq!(suite.lane_size("chain-c"), 7);
        assert_eq!(
            suite.stats(),
            StatsResponse {
                pings_received: 20,
                pongs_sent: 7,
                pongs_skipped_budget: 4,
                pongs_skipped_unfunded: 9,
                ..StatsResponse::default()
            }
        );
    }

    /// The window is fixed: it begins at instantiation (then with the first ping after
    /// the last one ended) and lasts `window_seconds`; the budget refills when it ends,
    /// not a second before.
    #[test]
    fn the_budget_refills_when_the_window_ends() {
        let budget = PongBudget {
            max_pongs_per_window: 2,
            window_seconds: 60,
        };
        let mut suite = Suite::with_budget(None, Some(budget));
        let start = suite.now();
        assert_eq!(
            suite.pong_budget(),
            PongBudgetResponse {
                max_pongs_per_window: 2,
                window_seconds: 60,
                window_start: start,
                window_end: start + 60,
                pongs_in_window: 0,
                pongs_left: 2,
            }
        );
        let mut nonce = 0;
        let mut ping = |suite: &mut Suite| {
            let response = suite
                .deliver(ping_from("chain-b", PEER_B, nonce, "hi"))
                .unwrap();
            nonce += 1;
            pong_outcome(&response)
        };
        assert_eq!(ping(&mut suite), "sent");
        suite.wait(30);
        assert_eq!(ping(&mut suite), "sent");
        assert_eq!(ping(&mut suite), "skipped_budget");
        suite.wait(29);
        assert_eq!(ping(&mut suite), "skipped_budget");
        assert_eq!(suite.pong_budget().pongs_left, 0);
        suite.wait(1);
        // 60 seconds after the start: the query already sees the fresh window.
        assert_eq!(
            suite.pong_budget(),
            PongBudgetResponse {
                max_pongs_per_window: 2,
                window_seconds: 60,
                window_start: start + 60,
                window_end: start + 120,
                pongs_in_window: 0,
                pongs_left: 2,
            }
        );
        assert_eq!(ping(&mut suite), "sent");
        assert_eq!(suite.pong_budget().pongs_left, 1);
        assert_eq!(suite.lane_size("chain-b"), 3);
        let stats = suite.stats();
        assert_eq!(
            (
                stats.pings_received,
                stats.pongs_sent,
                stats.pongs_skipped_budget
            ),
            (5, 3, 2)
        );
    }

    #[test]
    fn the_owner_sets_the_budget_within_bounds_and_the_window_carries_on() {
        let mut suite = Suite::new(None);
        assert_eq!(
            (
                suite.pong_budget().max_pongs_per_window,
                suite.pong_budget().window_seconds
            ),
            (DEFAULT_MAX_PONGS_PER_WINDOW, DEFAULT_WINDOW_SECONDS)
        );
        for nonce in 0..3 {
            suite
                .deliver(ping_from("chain-b", PEER_B, nonce, "hi"))
                .unwrap();
        }
        let set = |max_pongs_per_window, window_seconds| ExecuteMsg::SetPongBudget {
            max_pongs_per_window,
            window_seconds,
        };
        let before = suite.snapshot();
        let stranger = suite.stranger.clone();
        assert_error(
            suite.execute(&stranger, &set(1, 60), &[]),
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        for (max, window, field, value, min, bound) in [
            (0, 60, "max_pongs_per_window", 0, 1, 10_000),
            (10_001, 60, "max_pongs_per_window", 10_001, 1, 10_000),
            (1, 59, "window_seconds", 59, 60, 2_592_000),
            (1, 2_592_001, "window_seconds", 2_592_001, 60, 2_592_000),
        ] {
            assert_error(
                suite.owner_does(&set(max, window)),
                ContractError::PongBudgetOutOfBounds {
                    field: field.into(),
                    value,
                    min,
                    max: bound,
                },
            );
        }
        assert_eq!(suite.snapshot(), before);

        // Lowering the maximum below what the window has used stops pongs at once.
        suite.owner_does(&set(2, 600)).unwrap();
        assert_eq!(
            suite.config().pong_budget,
            PongBudget {
                max_pongs_per_window: 2,
                window_seconds: 600,
            }
        );
        let budget = suite.pong_budget();
        assert_eq!((budget.pongs_in_window, budget.pongs_left), (3, 0));
        let response = suite
            .deliver(ping_from("chain-b", PEER_B, 3, "hi"))
            .unwrap();
        assert_eq!(pong_outcome(&response), "skipped_budget");
        // The window keeps its start: it now ends 600 seconds after it began.
        suite.wait(599);
        assert_eq!(suite.pong_budget().pongs_left, 0);
        suite.wait(1);
        let response = suite
            .deliver(ping_from("chain-b", PEER_B, 4, "hi"))
            .unwrap();
        assert_eq!(pong_outcome(&response), "sent");
    }
}
