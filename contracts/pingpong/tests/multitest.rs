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
    QueryMsg, ReceivedMessage, ReceivedResponse, StatsResponse,
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
    /// `pong_fee` to its pongs.
    fn new(pong_fee: Option<Coin>) -> Self {
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
            "{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}|{}",
            self.config(),
            self.stats(),
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

    #[test]
    fn a_short_balance_fails_the_delivery_until_topped_up() {
        let mut suite = Suite::new(Some(coin(FEE, DENOM)));
        suite.fund_pingpong(FEE - 1);
        let before = suite.snapshot();
        assert_error(
            suite.deliver(ping_from("chain-c", PEER_C, 0, "hi")),
            ContractError::InsufficientPongFunds {
                fee: coin(FEE, DENOM),
                available: coin(FEE - 1, DENOM),
            },
        );
        assert_eq!(suite.snapshot(), before);
        suite.fund_pingpong(1);
        suite
            .deliver(ping_from("chain-c", PEER_C, 0, "hi"))
            .unwrap();
        assert_eq!(suite.balance(&suite.pingpong), Uint256::zero());
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
    }
}
