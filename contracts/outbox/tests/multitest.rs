//! The outbox through cw-multi-test: sends, lanes, fees, ownership, pause and migrate,
//! each bad input checked for its exact error and for leaving state untouched.

use ccmp_outbox::contract::{execute, instantiate, migrate, query, CONTRACT_VERSION};
use ccmp_outbox::msg::{
    ConfigResponse, DestinationConfig, DestinationResponse, DestinationsResponse, ExecuteMsg,
    InstantiateMsg, LaneResponse, MessageIdResponse, MessageIdsResponse, MigrateMsg, QueryMsg,
    SendMsg, SendResponse,
};
use ccmp_outbox::ContractError;
use ccmp_types::{root, Hash, Message, OwnershipError, EMPTY_ROOT};
use cosmwasm_std::{
    coin, from_json, Addr, Binary, Coin, Empty, HexBinary, StdResult, Timestamp, Uint256,
};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};

const DENOM: &str = "untrn";
const FEE: u128 = 5;

fn outbox_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

fn free(chain: &str) -> DestinationConfig {
    DestinationConfig {
        chain: chain.to_string(),
        enabled: true,
        fee: None,
        max_body_bytes: None,
    }
}

fn paid(chain: &str) -> DestinationConfig {
    DestinationConfig {
        fee: Some(coin(FEE, DENOM)),
        ..free(chain)
    }
}

struct Suite {
    app: App,
    code_id: u64,
    outbox: Addr,
    owner: Addr,
    dapp: Addr,
    stranger: Addr,
}

impl Suite {
    /// chain-b is free, chain-c charges 5untrn and caps bodies at 16 bytes, chain-d is disabled.
    fn new() -> Self {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for name in ["dapp", "stranger"] {
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
        let dapp = app.api().addr_make("dapp");
        let stranger = app.api().addr_make("stranger");
        let code_id = app.store_code(outbox_contract());
        let outbox = app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    chain_id: Some("chain-a".into()),
                    destinations: Some(vec![
                        free("chain-b"),
                        DestinationConfig {
                            max_body_bytes: Some(16),
                            ..paid("chain-c")
                        },
                        DestinationConfig {
                            enabled: false,
                            ..free("chain-d")
                        },
                    ]),
                },
                &[],
                "outbox",
                Some(owner.to_string()),
            )
            .unwrap();
        Suite {
            app,
            code_id,
            outbox,
            owner,
            dapp,
            stranger,
        }
    }

    fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.outbox.clone(), msg, funds)
    }

    fn send(&mut self, destination: &str, body: &[u8], funds: &[Coin]) -> StdResult<AppResponse> {
        let dapp = self.dapp.clone();
        self.execute(&dapp, &send_msg(destination, body, None), funds)
    }

    fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.outbox, msg)
    }

    fn lane(&self, destination: &str) -> LaneResponse {
        self.query(&QueryMsg::Lane {
            destination_chain: destination.into(),
        })
        .unwrap()
    }

    fn all_ids(&self, destination: &str) -> Vec<Hash> {
        let mut ids = Vec::new();
        loop {
            let page: MessageIdsResponse = self
                .query(&QueryMsg::MessageIds {
                    destination_chain: destination.into(),
                    start_after: ids.len().checked_sub(1).map(|n| n as u64),
                    limit: Some(100),
                })
                .unwrap();
            if page.message_ids.is_empty() {
                return ids;
            }
            for entry in page.message_ids {
                assert_eq!(entry.nonce, ids.len() as u64);
                ids.push(entry.message_id.to_array().unwrap());
            }
        }
    }

    fn config(&self) -> ConfigResponse {
        self.query(&QueryMsg::Config {}).unwrap()
    }

    fn balance(&self, addr: &Addr, denom: &str) -> Uint256 {
        self.app.wrap().query_balance(addr, denom).unwrap().amount
    }

    /// Everything an error must leave untouched.
    fn snapshot(&self) -> String {
        let destinations: DestinationsResponse = self
            .query(&QueryMsg::Destinations {
                start_after: None,
                limit: None,
            })
            .unwrap();
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}",
            self.config(),
            destinations,
            self.lane("chain-b"),
            self.lane("chain-c"),
            self.all_ids("chain-b"),
            self.all_ids("chain-c"),
            self.balance(&self.outbox, DENOM),
            self.balance(&self.dapp, DENOM),
            self.balance(&self.dapp, "uatom"),
        )
    }
}

fn send_msg(destination: &str, body: &[u8], timeout: Option<Timestamp>) -> ExecuteMsg {
    ExecuteMsg::Send(SendMsg {
        destination_chain: destination.into(),
        recipient: "cosmwasm1receiver".into(),
        body: Binary::from(body),
        timeout_timestamp: timeout,
    })
}

fn assert_error<T: std::fmt::Debug>(result: StdResult<T>, expected: ContractError) {
    let err = result.expect_err("expected an error").to_string();
    assert!(
        err.contains(&expected.to_string()),
        "expected error {expected:?} ({expected}), got: {err}"
    );
}

fn attr<'a>(response: &'a AppResponse, event: &str, key: &str) -> &'a str {
    response
        .events
        .iter()
        .find(|e| e.ty == event)
        .unwrap_or_else(|| panic!("no {event} event in {:?}", response.events))
        .attributes
        .iter()
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("no {key} attribute"))
        .value
        .as_str()
}

fn send_data(response: &AppResponse) -> SendResponse {
    from_json(response.data.as_ref().expect("send sets data")).unwrap()
}

mod sending {
    use super::*;

    #[test]
    fn nonces_count_up_per_lane_and_lanes_are_independent() {
        let mut suite = Suite::new();
        let fee = [coin(FEE, DENOM)];
        let sequence = [
            ("chain-b", 0),
            ("chain-b", 1),
            ("chain-c", 0),
            ("chain-b", 2),
            ("chain-c", 1),
        ];
        for (destination, nonce) in sequence {
            let funds: &[Coin] = if destination == "chain-c" { &fee } else { &[] };
            let response = suite.send(destination, b"{}", funds).unwrap();
            let data = send_data(&response);
            assert_eq!(data.nonce, nonce, "{destination}");
            assert_eq!(
                attr(&response, "wasm-ccmp_send", "nonce"),
                nonce.to_string()
            );
            assert_eq!(
                suite
                    .query::<MessageIdResponse>(&QueryMsg::MessageId {
                        destination_chain: destination.into(),
                        nonce
                    })
                    .unwrap()
                    .message_id,
                data.message_id
            );
        }
        assert_eq!(suite.lane("chain-b").size, 3);
        assert_eq!(suite.lane("chain-c").size, 2);
        let unused = suite.lane("chain-z");
        assert_eq!(
            (unused.size, unused.root),
            (0, HexBinary::from(&EMPTY_ROOT))
        );
    }

    #[test]
    fn stored_root_is_the_tree_of_the_ids_and_events_carry_the_exact_message() {
        let mut suite = Suite::new();
        let mut ids: Vec<Hash> = Vec::new();
        // 300 sends cover 2^k - 1, 2^k and 2^k + 1 for every k up to 8.
        for n in 0..300u64 {
            let body = format!("{{\"n\":{n}}}");
            let response = suite.send("chain-b", body.as_bytes(), &[]).unwrap();

            let event_bytes = hex::decode(attr(&response, "wasm-ccmp_send", "message")).unwrap();
            let message = Message::decode(&event_bytes).unwrap();
            let id = message.message_id().unwrap();
            assert_eq!(
                message,
                Message {
                    nonce: n,
                    source_chain: "chain-a".into(),
                    sender: suite.dapp.to_string(),
                    destination_chain: "chain-b".into(),
                    recipient: "cosmwasm1receiver".into(),
                    timeout_timestamp: None,
                    body: Binary::from(body.as_bytes()),
                }
            );
            assert_eq!(
                attr(&response, "wasm-ccmp_send", "message_id"),
                hex::encode(id)
            );
            assert_eq!(send_data(&response).message_id, HexBinary::from(&id));
            ids.push(id);

            let lane = suite.lane("chain-b");
            let expected_root = root(&ids);
            assert_eq!(lane.size, n + 1);
            assert_eq!(lane.root, HexBinary::from(&expected_root), "size {}", n + 1);
            assert_eq!(
                attr(&response, "wasm-ccmp_send", "size"),
                (n + 1).to_string()
            );
            assert_eq!(
                attr(&response, "wasm-ccmp_send", "root"),
                hex::encode(expected_root)
            );
        }
        assert_eq!(suite.all_ids("chain-b"), ids);
    }

    #[test]
    fn send_event_has_the_documented_attributes_in_order() {
        let mut suite = Suite::new();
        let response = suite.send("chain-b", b"x", &[]).unwrap();
        let event = response
            .events
            .iter()
            .find(|e| e.ty == "wasm-ccmp_send")
            .unwrap();
        let keys: Vec<&str> = event.attributes.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "_contract_address",
                "destination_chain",
                "nonce",
                "message_id",
                "sender",
                "recipient",
                "size",
                "root",
                "message"
            ]
        );
        assert_eq!(
            attr(&response, "wasm-ccmp_send", "sender"),
            suite.dapp.as_str()
        );
        assert_eq!(
            attr(&response, "wasm-ccmp_send", "recipient"),
            "cosmwasm1receiver"
        );
        assert_eq!(
            attr(&response, "wasm-ccmp_send", "destination_chain"),
            "chain-b"
        );
    }

    #[test]
    fn timeout_is_carried_into_the_message() {
        let mut suite = Suite::new();
        let timeout = suite.app.block_info().time.plus_seconds(3600);
        let dapp = suite.dapp.clone();
        let response = suite
            .execute(&dapp, &send_msg("chain-b", b"x", Some(timeout)), &[])
            .unwrap();
        let bytes = hex::decode(attr(&response, "wasm-ccmp_send", "message")).unwrap();
        assert_eq!(
            Message::decode(&bytes).unwrap().timeout_timestamp,
            Some(timeout)
        );
    }

    #[test]
    fn body_at_the_limit_is_accepted() {
        let mut suite = Suite::new();
        suite
            .send("chain-c", &[7; 16], &[coin(FEE, DENOM)])
            .unwrap();
        suite.send("chain-b", &[7; 64 * 1024], &[]).unwrap();
        assert_eq!(suite.lane("chain-c").size, 1);
        assert_eq!(suite.lane("chain-b").size, 1);
    }
}

mod refusals {
    use super::*;

    /// Runs `msg` from the dApp, expects `expected`, and checks nothing changed.
    fn refuses(suite: &mut Suite, msg: ExecuteMsg, funds: &[Coin], expected: ContractError) {
        let before = suite.snapshot();
        let dapp = suite.dapp.clone();
        assert_error(suite.execute(&dapp, &msg, funds), expected);
        assert_eq!(suite.snapshot(), before);
    }

    fn suite_with_history() -> Suite {
        let mut suite = Suite::new();
        suite.send("chain-b", b"a", &[]).unwrap();
        suite.send("chain-c", b"b", &[coin(FEE, DENOM)]).unwrap();
        suite
    }

    #[test]
    fn unknown_and_disabled_destinations() {
        let mut suite = suite_with_history();
        refuses(
            &mut suite,
            send_msg("chain-z", b"x", None),
            &[],
            ContractError::UnknownDestination {
                chain: "chain-z".into(),
            },
        );
        refuses(
            &mut suite,
            send_msg("chain-d", b"x", None),
            &[],
            ContractError::DestinationDisabled {
                chain: "chain-d".into(),
            },
        );
    }

    #[test]
    fn fee_must_be_exact() {
        let mut suite = suite_with_history();
        let fee = coin(FEE, DENOM);
        let msg = || send_msg("chain-c", b"x", None);
        refuses(
            &mut suite,
            msg(),
            &[],
            ContractError::MissingFee {
                expected: fee.clone(),
            },
        );
        refuses(
            &mut suite,
            msg(),
            &[coin(FEE, "uatom")],
            ContractError::WrongFeeDenom {
                expected: DENOM.into(),
                got: "uatom".into(),
            },
        );
        refuses(
            &mut suite,
            msg(),
            &[coin(FEE - 1, DENOM)],
            ContractError::InsufficientFee {
                expected: fee.clone(),
                got: coin(FEE - 1, DENOM),
            },
        );
        refuses(
            &mut suite,
            msg(),
            &[coin(FEE + 1, DENOM)],
            ContractError::ExcessFee {
                expected: fee.clone(),
                got: coin(FEE + 1, DENOM),
            },
        );
        refuses(
            &mut suite,
            msg(),
            &[coin(1, "uatom"), coin(FEE, DENOM)],
            ContractError::UnexpectedFunds {
                funds: format!("1uatom,{FEE}{DENOM}"),
                expected: fee.to_string(),
            },
        );
        refuses(
            &mut suite,
            send_msg("chain-b", b"x", None),
            &[coin(1, DENOM)],
            ContractError::UnexpectedFunds {
                funds: format!("1{DENOM}"),
                expected: "none".into(),
            },
        );
    }

    #[test]
    fn message_limits() {
        let mut suite = suite_with_history();
        let fee = [coin(FEE, DENOM)];
        refuses(
            &mut suite,
            send_msg("chain-c", &[0; 17], None),
            &fee,
            ccmp_types::MessageError::BodyTooLarge { len: 17, max: 16 }.into(),
        );
        refuses(
            &mut suite,
            send_msg("chain-b", &[0; 64 * 1024 + 1], None),
            &[],
            ccmp_types::MessageError::BodyTooLarge {
                len: 65_537,
                max: 65_536,
            }
            .into(),
        );
        for (recipient, len) in [(String::new(), 0), ("r".repeat(257), 257)] {
            refuses(
                &mut suite,
                ExecuteMsg::Send(SendMsg {
                    destination_chain: "chain-b".into(),
                    recipient,
                    body: Binary::default(),
                    timeout_timestamp: None,
                }),
                &[],
                ccmp_types::MessageError::FieldLength {
                    field: "recipient",
                    len,
                    min: 1,
                    max: 256,
                }
                .into(),
            );
        }
    }

    #[test]
    fn timeouts_that_could_only_expire() {
        let mut suite = suite_with_history();
        let now = suite.app.block_info().time;
        refuses(
            &mut suite,
            send_msg("chain-b", b"x", Some(now)),
            &[],
            ContractError::TimeoutInPast {
                timeout: now.nanos(),
                now: now.nanos(),
            },
        );
        refuses(
            &mut suite,
            send_msg("chain-b", b"x", Some(Timestamp::from_nanos(0))),
            &[],
            ccmp_types::MessageError::ZeroTimeout.into(),
        );
    }

    #[test]
    fn owner_actions_refuse_everyone_else() {
        let mut suite = suite_with_history();
        let stranger = suite.stranger.clone();
        let msgs = [
            ExecuteMsg::SetDestination(free("chain-e")),
            ExecuteMsg::RemoveDestination {
                chain: "chain-b".into(),
            },
            ExecuteMsg::Pause {},
            ExecuteMsg::Unpause {},
            ExecuteMsg::WithdrawFees {
                to: stranger.to_string(),
                amount: None,
            },
            ExecuteMsg::TransferOwnership {
                new_owner: stranger.to_string(),
            },
            ExecuteMsg::CancelOwnershipTransfer {},
            ExecuteMsg::RenounceOwnership {},
        ];
        for msg in msgs {
            let before = suite.snapshot();
            assert_error(
                suite.execute(&stranger, &msg, &[]),
                OwnershipError::NotOwner.into(),
            );
            assert_eq!(suite.snapshot(), before, "{msg:?}");
        }
    }

    #[test]
    fn bad_destination_settings() {
        let mut suite = suite_with_history();
        let owner = suite.owner.clone();
        let cases = [
            (
                DestinationConfig {
                    fee: Some(coin(0, DENOM)),
                    ..free("chain-e")
                },
                ContractError::InvalidFee {
                    fee: coin(0, DENOM),
                },
            ),
            (
                DestinationConfig {
                    max_body_bytes: Some(0),
                    ..free("chain-e")
                },
                ContractError::InvalidBodyLimit {
                    got: 0,
                    max: 1 << 20,
                },
            ),
            (
                DestinationConfig {
                    max_body_bytes: Some((1 << 20) + 1),
                    ..free("chain-e")
                },
                ContractError::InvalidBodyLimit {
                    got: (1 << 20) + 1,
                    max: 1 << 20,
                },
            ),
            (
                free("chain-a"),
                ContractError::DestinationIsSelf {
                    chain: "chain-a".into(),
                },
            ),
            (
                free("chain e"),
                ccmp_types::MessageError::InvalidChainIdCharacter {
                    field: "chain",
                    value: "chain e".into(),
                }
                .into(),
            ),
        ];
        for (config, expected) in cases {
            let before = suite.snapshot();
            assert_error(
                suite.execute(&owner, &ExecuteMsg::SetDestination(config), &[]),
                expected,
            );
            assert_eq!(suite.snapshot(), before);
        }
        assert_error(
            suite.execute(
                &owner,
                &ExecuteMsg::RemoveDestination {
                    chain: "chain-z".into(),
                },
                &[],
            ),
            ContractError::UnknownDestination {
                chain: "chain-z".into(),
            },
        );
    }
}

mod administration {
    use super::*;

    #[test]
    fn instantiate_defaults_owner_and_chain_id() {
        let mut app = App::default();
        let creator = app.api().addr_make("creator");
        let code_id = app.store_code(outbox_contract());
        let outbox = app
            .instantiate_contract(
                code_id,
                creator.clone(),
                &InstantiateMsg {
                    owner: None,
                    chain_id: None,
                    destinations: None,
                },
                &[],
                "outbox",
                None,
            )
            .unwrap();
        let config: ConfigResponse = app
            .wrap()
            .query_wasm_smart(&outbox, &QueryMsg::Config {})
            .unwrap();
        assert_eq!(
            config,
            ConfigResponse {
                owner: Some(creator),
                pending_owner: None,
                chain_id: app.block_info().chain_id,
                paused: false,
            }
        );
        let version = cw2::query_contract_info(&app.wrap(), &outbox).unwrap();
        assert_eq!(version.contract, "crates.io:ccmp-outbox");
        assert_eq!(version.version, CONTRACT_VERSION);
    }

    #[test]
    fn instantiate_refuses_bad_destination_lists() {
        let mut app = App::default();
        let creator = app.api().addr_make("creator");
        let code_id = app.store_code(outbox_contract());
        let mut try_instantiate = |destinations: Vec<DestinationConfig>| {
            app.instantiate_contract(
                code_id,
                creator.clone(),
                &InstantiateMsg {
                    owner: None,
                    chain_id: Some("chain-a".into()),
                    destinations: Some(destinations),
                },
                &[],
                "outbox",
                None,
            )
        };
        assert_error(
            try_instantiate(vec![free("chain-b"), paid("chain-b")]),
            ContractError::DuplicateDestination {
                chain: "chain-b".into(),
            },
        );
        assert_error(
            try_instantiate(vec![free("chain-a")]),
            ContractError::DestinationIsSelf {
                chain: "chain-a".into(),
            },
        );
        let too_many = (0..101).map(|i| free(&format!("chain-{i}"))).collect();
        assert_error(
            try_instantiate(too_many),
            ContractError::TooManyDestinations {
                count: 101,
                max: 100,
            },
        );
        let at_limit = (0..100).map(|i| free(&format!("chain-{i}"))).collect();
        try_instantiate(at_limit).unwrap();
    }

    #[test]
    fn destination_count_is_bounded_but_updates_are_not_blocked() {
        let mut suite = Suite::new();
        let owner = suite.owner.clone();
        // Three are configured at instantiation.
        for i in 0..97 {
            suite
                .execute(
                    &owner,
                    &ExecuteMsg::SetDestination(free(&format!("x-{i}"))),
                    &[],
                )
                .unwrap();
        }
        assert_error(
            suite.execute(&owner, &ExecuteMsg::SetDestination(free("x-extra")), &[]),
            ContractError::TooManyDestinations {
                count: 101,
                max: 100,
            },
        );
        suite
            .execute(&owner, &ExecuteMsg::SetDestination(paid("x-5")), &[])
            .unwrap();
    }

    #[test]
    fn destinations_are_queryable_and_paged() {
        let mut suite = Suite::new();
        let one: DestinationResponse = suite
            .query(&QueryMsg::Destination {
                chain: "chain-c".into(),
            })
            .unwrap();
        assert_eq!(
            one,
            DestinationResponse {
                chain: "chain-c".into(),
                enabled: true,
                fee: Some(coin(FEE, DENOM)),
                max_body_bytes: 16,
            }
        );
        let owner = suite.owner.clone();
        for i in 0..120 {
            suite
                .execute(
                    &owner,
                    &ExecuteMsg::SetDestination(free(&format!("p-{i:03}"))),
                    &[],
                )
                .ok();
        }
        let page: DestinationsResponse = suite
            .query(&QueryMsg::Destinations {
                start_after: None,
                limit: None,
            })
            .unwrap();
        assert_eq!(page.destinations.len(), 30);
        assert_eq!(page.destinations[0].chain, "chain-b");
        assert_eq!(page.destinations[0].max_body_bytes, 65_536);
        let page: DestinationsResponse = suite
            .query(&QueryMsg::Destinations {
                start_after: Some("chain-d".into()),
                limit: Some(1_000),
            })
            .unwrap();
        // 100 destinations in all: 97 after chain-b, chain-c and chain-d; the page caps at 100.
        assert_eq!(page.destinations.len(), 97);
        assert_eq!(page.destinations[0].chain, "p-000");
        let page: DestinationsResponse = suite
            .query(&QueryMsg::Destinations {
                start_after: None,
                limit: Some(101),
            })
            .unwrap();
        assert_eq!(page.destinations.len(), 100);
    }

    #[test]
    fn message_id_queries_are_bounded_and_exact() {
        let mut suite = Suite::new();
        for i in 0..150u32 {
            suite.send("chain-b", &i.to_be_bytes(), &[]).unwrap();
        }
        let page = |start_after: Option<u64>, limit: Option<u32>| -> MessageIdsResponse {
            suite
                .query(&QueryMsg::MessageIds {
                    destination_chain: "chain-b".into(),
                    start_after,
                    limit,
                })
                .unwrap()
        };
        assert_eq!(page(None, None).message_ids.len(), 30);
        assert_eq!(page(None, Some(100)).message_ids.len(), 100);
        assert_eq!(page(None, Some(101)).message_ids.len(), 100);
        let tail = page(Some(139), Some(100));
        assert_eq!(
            tail.message_ids.iter().map(|e| e.nonce).collect::<Vec<_>>(),
            (140..150).collect::<Vec<_>>()
        );
        assert!(page(Some(149), None).message_ids.is_empty());
        assert!(page(Some(u64::MAX), None).message_ids.is_empty());
        assert_error(
            suite.query::<MessageIdResponse>(&QueryMsg::MessageId {
                destination_chain: "chain-b".into(),
                nonce: 150,
            }),
            ContractError::NonceNotFound {
                destination_chain: "chain-b".into(),
                nonce: 150,
                size: 150,
            },
        );
    }

    #[test]
    fn removed_destination_keeps_its_lane_and_never_restarts_nonces() {
        let mut suite = Suite::new();
        suite.send("chain-b", b"1", &[]).unwrap();
        suite.send("chain-b", b"2", &[]).unwrap();
        let owner = suite.owner.clone();
        suite
            .execute(
                &owner,
                &ExecuteMsg::RemoveDestination {
                    chain: "chain-b".into(),
                },
                &[],
            )
            .unwrap();
        assert_error(
            suite.send("chain-b", b"3", &[]),
            ContractError::UnknownDestination {
                chain: "chain-b".into(),
            },
        );
        assert_error(
            suite.query::<DestinationResponse>(&QueryMsg::Destination {
                chain: "chain-b".into(),
            }),
            ContractError::UnknownDestination {
                chain: "chain-b".into(),
            },
        );
        let lane = suite.lane("chain-b");
        assert_eq!(lane.size, 2);
        assert_eq!(suite.all_ids("chain-b").len(), 2);

        suite
            .execute(&owner, &ExecuteMsg::SetDestination(free("chain-b")), &[])
            .unwrap();
        let response = suite.send("chain-b", b"3", &[]).unwrap();
        assert_eq!(send_data(&response).nonce, 2);
        let ids = suite.all_ids("chain-b");
        assert_eq!(suite.lane("chain-b").root, HexBinary::from(&root(&ids)));
    }

    #[test]
    fn disabling_a_destination_stops_sends_until_enabled() {
        let mut suite = Suite::new();
        let owner = suite.owner.clone();
        suite.send("chain-b", b"1", &[]).unwrap();
        let disabled = DestinationConfig {
            enabled: false,
            ..free("chain-b")
        };
        suite
            .execute(&owner, &ExecuteMsg::SetDestination(disabled), &[])
            .unwrap();
        assert_error(
            suite.send("chain-b", b"2", &[]),
            ContractError::DestinationDisabled {
                chain: "chain-b".into(),
            },
        );
        suite
            .execute(&owner, &ExecuteMsg::SetDestination(free("chain-b")), &[])
            .unwrap();
        assert_eq!(
            send_data(&suite.send("chain-b", b"2", &[]).unwrap()).nonce,
            1
        );
    }

    #[test]
    fn pause_blocks_sends_but_not_queries() {
        let mut suite = Suite::new();
        let owner = suite.owner.clone();
        suite.send("chain-b", b"1", &[]).unwrap();
        suite.execute(&owner, &ExecuteMsg::Pause {}, &[]).unwrap();
        // Pausing twice is not an error: an emergency pause must never fail.
        suite.execute(&owner, &ExecuteMsg::Pause {}, &[]).unwrap();
        assert!(suite.config().paused);
        let before = suite.snapshot();
        assert_error(suite.send("chain-b", b"2", &[]), ContractError::Paused);
        assert_error(
            suite.send("chain-c", b"2", &[coin(FEE, DENOM)]),
            ContractError::Paused,
        );
        assert_eq!(suite.snapshot(), before);
        assert_eq!(suite.lane("chain-b").size, 1);
        assert_eq!(suite.all_ids("chain-b").len(), 1);
        // A destination added or changed while paused is paused too.
        suite
            .execute(&owner, &ExecuteMsg::SetDestination(free("chain-e")), &[])
            .unwrap();
        assert_error(suite.send("chain-e", b"2", &[]), ContractError::Paused);

        suite.execute(&owner, &ExecuteMsg::Unpause {}, &[]).unwrap();
        assert!(!suite.config().paused);
        assert_eq!(
            send_data(&suite.send("chain-b", b"2", &[]).unwrap()).nonce,
            1
        );
        assert_eq!(
            send_data(&suite.send("chain-e", b"2", &[]).unwrap()).nonce,
            0
        );
    }

    #[test]
    fn fees_accumulate_and_withdraw_exactly() {
        let mut suite = Suite::new();
        let owner = suite.owner.clone();
        let treasury = suite.app.api().addr_make("treasury");
        for _ in 0..3 {
            suite.send("chain-c", b"x", &[coin(FEE, DENOM)]).unwrap();
        }
        assert_eq!(suite.balance(&suite.outbox, DENOM), Uint256::from(15u128));
        assert_eq!(suite.balance(&suite.dapp, DENOM), Uint256::from(985u128));

        let withdraw = |amount: Option<Coin>| ExecuteMsg::WithdrawFees {
            to: treasury.to_string(),
            amount,
        };
        assert_error(
            suite.execute(&owner, &withdraw(Some(coin(16, DENOM))), &[]),
            ContractError::InsufficientBalance {
                requested: coin(16, DENOM),
                available: coin(15, DENOM),
            },
        );
        assert_error(
            suite.execute(&owner, &withdraw(Some(coin(0, DENOM))), &[]),
            ContractError::NothingToWithdraw,
        );
        let response = suite
            .execute(&owner, &withdraw(Some(coin(4, DENOM))), &[])
            .unwrap();
        assert_eq!(attr(&response, "wasm", "amount"), "4untrn");
        assert_eq!(suite.balance(&treasury, DENOM), Uint256::from(4u128));
        assert_eq!(suite.balance(&suite.outbox, DENOM), Uint256::from(11u128));

        suite.execute(&owner, &withdraw(None), &[]).unwrap();
        assert_eq!(suite.balance(&treasury, DENOM), Uint256::from(15u128));
        assert_eq!(suite.balance(&suite.outbox, DENOM), Uint256::zero());
        assert_error(
            suite.execute(&owner, &withdraw(None), &[]),
            ContractError::NothingToWithdraw,
        );
    }

    #[test]
    fn ownership_hand_over_end_to_end() {
        let mut suite = Suite::new();
        let owner = suite.owner.clone();
        let successor = suite.app.api().addr_make("successor");
        let stranger = suite.stranger.clone();

        assert_error(
            suite.execute(&successor, &ExecuteMsg::AcceptOwnership {}, &[]),
            OwnershipError::NoPendingTransfer.into(),
        );
        suite
            .execute(
                &owner,
                &ExecuteMsg::TransferOwnership {
                    new_owner: successor.to_string(),
                },
                &[],
            )
            .unwrap();
        assert_eq!(suite.config().pending_owner, Some(successor.clone()));
        assert_error(
            suite.execute(&stranger, &ExecuteMsg::AcceptOwnership {}, &[]),
            OwnershipError::NotPendingOwner.into(),
        );
        // Until accepted, the old owner still rules and the successor does not.
        assert_error(
            suite.execute(&successor, &ExecuteMsg::Pause {}, &[]),
            OwnershipError::NotOwner.into(),
        );
        suite
            .execute(&successor, &ExecuteMsg::AcceptOwnership {}, &[])
            .unwrap();
        assert_eq!(suite.config().owner, Some(successor.clone()));
        assert_eq!(suite.config().pending_owner, None);
        assert_error(
            suite.execute(&owner, &ExecuteMsg::Pause {}, &[]),
            OwnershipError::NotOwner.into(),
        );
        suite
            .execute(&successor, &ExecuteMsg::Pause {}, &[])
            .unwrap();

        // A proposal can be withdrawn...
        suite
            .execute(
                &successor,
                &ExecuteMsg::TransferOwnership {
                    new_owner: stranger.to_string(),
                },
                &[],
            )
            .unwrap();
        suite
            .execute(&successor, &ExecuteMsg::CancelOwnershipTransfer {}, &[])
            .unwrap();
        assert_error(
            suite.execute(&stranger, &ExecuteMsg::AcceptOwnership {}, &[]),
            OwnershipError::NoPendingTransfer.into(),
        );
        // ...and ownership given up for good.
        suite
            .execute(&successor, &ExecuteMsg::RenounceOwnership {}, &[])
            .unwrap();
        assert_eq!(suite.config().owner, None);
        assert_error(
            suite.execute(&successor, &ExecuteMsg::Unpause {}, &[]),
            OwnershipError::NoOwner.into(),
        );
    }

    #[test]
    fn transfer_to_an_invalid_address_is_refused() {
        let mut suite = Suite::new();
        let owner = suite.owner.clone();
        let before = suite.snapshot();
        let result = suite.execute(
            &owner,
            &ExecuteMsg::TransferOwnership {
                new_owner: "not-an-address".into(),
            },
            &[],
        );
        assert!(result.is_err());
        assert_eq!(suite.snapshot(), before);
        let stranger = suite.stranger.clone();
        assert_error(
            suite.execute(
                &stranger,
                &ExecuteMsg::TransferOwnership {
                    new_owner: "not-an-address".into(),
                },
                &[],
            ),
            OwnershipError::NotOwner.into(),
        );
    }

    #[test]
    fn migrate_keeps_lanes_and_records_the_version() {
        let mut suite = Suite::new();
        suite.send("chain-b", b"1", &[]).unwrap();
        let lane = suite.lane("chain-b");
        let owner = suite.owner.clone();
        let new_code = suite.app.store_code(outbox_contract());
        let outbox = suite.outbox.clone();
        let response = suite
            .app
            .migrate_contract(owner, outbox, &MigrateMsg {}, new_code)
            .unwrap();
        assert_eq!(attr(&response, "wasm", "to_version"), CONTRACT_VERSION);
        assert_eq!(suite.lane("chain-b"), lane);
        assert_eq!(
            send_data(&suite.send("chain-b", b"2", &[]).unwrap()).nonce,
            1
        );
        assert_ne!(new_code, suite.code_id);
    }
}
