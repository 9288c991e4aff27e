//! The devnet's chain semantics, checked with the compiled probe contract
//! (`artifacts/test/ccmp_devnet_probe.wasm`, from `scripts/build.sh`).
//! By hand: `cargo test -p ccmp-devnet --test semantics -- --ignored`.

mod common;

use ccmp_devnet::gas::{
    event_costs, CONTRACT_STORE_PREFIX_LEN, GAS_COST_CANONICALIZE, GAS_COST_HUMANIZE,
    GAS_COST_VALIDATE, INSTANCE_COST, INSTANCE_COST_DISCOUNT, KV_GAS,
};
use ccmp_devnet::{Chain, ChainConfig, EntryPoint, Error, TxError};
use ccmp_devnet_probe::msg::{
    Attr, EventSpec, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReplyAction, SudoMsg,
};
use common::*;
use cosmwasm_std::{
    coin, coins, to_json_binary, Addr, Attribute, BankMsg, Binary, Event, Reply, ReplyOn, SubMsg,
    SubMsgResult, Uint256,
};

fn reply_of(suite: &Suite, contract: &Addr, id: u64) -> Option<Reply> {
    suite
        .chain
        .query(contract, &QueryMsg::Reply { id })
        .unwrap()
}

fn reply_count(suite: &Suite, contract: &Addr) -> u64 {
    suite
        .chain
        .query(contract, &QueryMsg::ReplyCount {})
        .unwrap()
}

mod instantiate_and_execute {
    use super::*;

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn contracts_get_wasmd_classic_addresses_and_instantiate_events() {
        let mut suite = Suite::new();
        let (addr, outcome) = suite
            .chain
            .instantiate(
                suite.code,
                &suite.alice.clone(),
                &InstantiateMsg {
                    value: Some("hello".into()),
                    ..Default::default()
                },
                &[],
                "probe",
            )
            .unwrap();
        // wasmd's address of code 1, instance 1.
        assert_eq!(
            addr.as_str(),
            "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d"
        );
        assert_eq!(
            outcome.events,
            vec![
                Event::new("instantiate")
                    .add_attribute("_contract_address", addr.as_str())
                    .add_attribute("code_id", "1"),
                Event::new("wasm")
                    .add_attribute("_contract_address", addr.as_str())
                    .add_attribute("action", "instantiate"),
            ]
        );
        assert_eq!(suite.get(&addr, "init").as_deref(), Some("hello"));
        let second = suite.probe("second");
        assert_ne!(second, addr);
        let info = suite.chain.contract_info(&second).unwrap();
        assert_eq!((info.code_id, info.label.as_str()), (1, "second"));
        assert_eq!(info.creator, suite.alice);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn a_failed_execute_leaves_no_write_and_reports_the_contract_error() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let err = suite
            .chain
            .execute(&alice, &probe, &write_then_fail("k", "boom"), &[])
            .unwrap_err();
        match &err {
            TxError::ContractFailed {
                contract,
                error,
                log,
                gas_used,
            } => {
                assert_eq!(contract, &probe);
                assert_eq!(error, &std_error("boom"));
                assert_eq!(
                    log,
                    &format!("{}: execute wasm contract failed", std_error("boom"))
                );
                assert!(*gas_used > INSTANCE_COST);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(suite.get(&probe, "k"), None);
        // A failed instantiate leaves no contract and no counter increment.
        let failed = suite.chain.instantiate(
            suite.code,
            &alice,
            &InstantiateMsg {
                fail: Some("no".into()),
                ..Default::default()
            },
            &[],
            "x",
        );
        assert!(matches!(failed, Err(TxError::ContractFailed { .. })));
        // The next contract is instance 2, as on a chain where the failure never happened.
        let next = suite.probe("next");
        let mut twin = Suite::new();
        twin.probe("first");
        assert_eq!(next, twin.probe("second"));
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn a_wasm_trap_is_a_vm_failure() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let err = suite
            .chain
            .execute(&alice, &probe, &ExecuteMsg::Panic {}, &[])
            .unwrap_err();
        match err {
            TxError::VmFailed {
                contract, error, ..
            } => {
                assert_eq!(contract, probe);
                assert!(error.contains("the probe was asked to panic"), "{error}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn unknown_contracts_are_refused_everywhere() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let nobody = suite.chain.account("nobody");
        let err = suite
            .chain
            .execute(&alice, &nobody, &write("k", "v"), &[])
            .unwrap_err();
        assert_eq!(
            err,
            TxError::Rejected {
                log: format!("address {nobody}: no such contract"),
                gas_used: 0,
            }
        );
        assert_eq!(
            suite
                .chain
                .query::<String>(&nobody, &QueryMsg::Echo { value: "x".into() })
                .unwrap_err(),
            Error::NoSuchContract {
                address: nobody.to_string()
            }
        );
        // From a contract: the querier's system error.
        let err = suite
            .chain
            .execute(
                &alice,
                &probe,
                &ExecuteMsg::QuerySmart {
                    contract: nobody.to_string(),
                    msg: to_json_binary(&QueryMsg::ReplyCount {}).unwrap(),
                },
                &[],
            )
            .unwrap_err();
        let TxError::ContractFailed { error, .. } = err else {
            panic!("unexpected {err:?}")
        };
        assert!(
            error.contains(&format!("Querier system error: No such contract: {nobody}")),
            "{error}"
        );
        // A sub-message to nowhere fails its caller.
        let err = suite
            .chain
            .execute(
                &alice,
                &probe,
                &dispatch(vec![sub(
                    1,
                    execute_msg(&nobody, &write("k", "v")),
                    ReplyOn::Never,
                )]),
                &[],
            )
            .unwrap_err();
        assert!(
            matches!(err, TxError::Rejected { ref log, .. } if log.contains("no such contract"))
        );
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn migrate_needs_the_admin_and_sudo_runs_as_the_chain() {
        let mut suite = Suite::new();
        let alice = suite.alice.clone();
        let bob = suite.chain.account("bob");
        let (probe, _) = suite
            .chain
            .instantiate_with_admin(
                suite.code,
                &alice,
                &InstantiateMsg::default(),
                &[],
                "p",
                Some(&alice),
            )
            .unwrap();
        let code2 = suite.chain.store_code(&probe_wasm()).unwrap();
        assert_eq!(code2, 2);
        let msg = MigrateMsg { value: "v2".into() };
        let err = suite.chain.migrate(&bob, &probe, code2, &msg).unwrap_err();
        assert_eq!(
            err,
            TxError::Rejected {
                log: "can not migrate: unauthorized".into(),
                gas_used: 0
            }
        );
        let outcome = suite.chain.migrate(&alice, &probe, code2, &msg).unwrap();
        assert_eq!(suite.get(&probe, "migrated").as_deref(), Some("v2"));
        assert_eq!(suite.chain.contract_info(&probe).unwrap().code_id, 2);
        assert_eq!(outcome.events[0].ty, "migrate");
        // The same code already ran in this transaction? No: a new transaction, full cost.
        assert_eq!(outcome.calls[0].entry_point, EntryPoint::Migrate);
        assert_eq!(outcome.calls[0].gas.instance, INSTANCE_COST);

        let outcome = suite
            .chain
            .sudo(&probe, &SudoMsg { value: "s".into() })
            .unwrap();
        assert_eq!(suite.get(&probe, "sudo").as_deref(), Some("s"));
        assert_eq!(
            outcome.events[0],
            Event::new("sudo").add_attribute("_contract_address", probe.as_str())
        );
    }
}

mod submessages {
    use super::*;

    /// Runs a probe that dispatches one sub-message to a second probe and reports what came
    /// back: the transaction's result and whether the caller's reply ran.
    fn run(reply_on: ReplyOn, fail: bool) -> (Result<(), TxError>, u64, Suite, Addr, Addr) {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let inner = if fail {
            write_then_fail("inner", "boom")
        } else {
            write("inner", "kept")
        };
        let alice = suite.alice.clone();
        let result = suite
            .chain
            .execute(
                &alice,
                &caller,
                &dispatch(vec![sub(7, execute_msg(&callee, &inner), reply_on)]),
                &[],
            )
            .map(|_| ());
        let replies = reply_count(&suite, &caller);
        (result, replies, suite, caller, callee)
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn reply_always_sees_success_and_failure() {
        let (result, replies, suite, caller, callee) = run(ReplyOn::Always, false);
        result.unwrap();
        assert_eq!(replies, 1);
        assert_eq!(suite.get(&callee, "inner").as_deref(), Some("kept"));
        let reply = reply_of(&suite, &caller, 7).unwrap();
        assert!(matches!(reply.result, SubMsgResult::Ok(_)));

        let (result, replies, suite, caller, callee) = run(ReplyOn::Always, true);
        result.unwrap();
        assert_eq!(replies, 1);
        // The failed sub-call's write is rolled back; the caller's transaction stands.
        assert_eq!(suite.get(&callee, "inner"), None);
        let reply = reply_of(&suite, &caller, 7).unwrap();
        assert_eq!(
            reply.result,
            SubMsgResult::Err(format!(
                "{}: execute wasm contract failed",
                std_error("boom")
            ))
        );
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn reply_on_success_only_replies_to_success_and_fails_with_the_callee() {
        let (result, replies, ..) = run(ReplyOn::Success, false);
        result.unwrap();
        assert_eq!(replies, 1);

        let (result, replies, suite, caller, callee) = run(ReplyOn::Success, true);
        let err = result.unwrap_err();
        assert!(
            matches!(&err, TxError::ContractFailed { contract, error, .. }
                if *contract == callee && *error == std_error("boom")),
            "{err:?}"
        );
        assert_eq!(replies, 0);
        assert_eq!(reply_of(&suite, &caller, 7), None);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn reply_on_error_only_replies_to_failure() {
        let (result, replies, suite, _, callee) = run(ReplyOn::Error, false);
        result.unwrap();
        assert_eq!(replies, 0);
        assert_eq!(suite.get(&callee, "inner").as_deref(), Some("kept"));

        let (result, replies, suite, _, callee) = run(ReplyOn::Error, true);
        result.unwrap();
        assert_eq!(replies, 1);
        assert_eq!(suite.get(&callee, "inner"), None);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn reply_never_runs_and_a_failure_fails_the_transaction() {
        let (result, replies, suite, _, callee) = run(ReplyOn::Never, false);
        result.unwrap();
        assert_eq!(replies, 0);
        assert_eq!(suite.get(&callee, "inner").as_deref(), Some("kept"));

        let (result, replies, ..) = run(ReplyOn::Never, true);
        assert!(matches!(result, Err(TxError::ContractFailed { .. })));
        assert_eq!(replies, 0);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn a_failed_reply_fails_the_transaction_wrapped_in_reply() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        let mut msg = sub(
            3,
            execute_msg(&callee, &write("inner", "v")),
            ReplyOn::Always,
        );
        msg.payload = payload(&ReplyAction {
            fail: Some("reply refused".into()),
            ..Default::default()
        });
        let err = suite
            .chain
            .execute(&alice, &caller, &dispatch(vec![msg]), &[])
            .unwrap_err();
        assert_eq!(
            err.log(),
            format!(
                "reply: {}: execute wasm contract failed",
                std_error("reply refused")
            )
        );
        // The whole transaction is gone, the sub-call's write included.
        assert_eq!(suite.get(&callee, "inner"), None);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn payload_events_and_protobuf_data_reach_the_reply() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        let mut msg = sub(
            9,
            execute_msg(
                &callee,
                &ExecuteMsg::Dispatch {
                    msgs: vec![],
                    data: Some(Binary::from(b"b".to_vec())),
                },
            ),
            ReplyOn::Success,
        );
        msg.payload = Binary::from(b"opaque payload".to_vec());
        suite
            .chain
            .execute(&alice, &caller, &dispatch(vec![msg]), &[])
            .unwrap();
        let reply = reply_of(&suite, &caller, 9).unwrap();
        assert_eq!(reply.payload, Binary::from(b"opaque payload".to_vec()));
        assert!(reply.gas_used > INSTANCE_COST_DISCOUNT);
        let SubMsgResult::Ok(response) = reply.result else {
            panic!("expected success")
        };
        // MsgExecuteContractResponse { data: "b" } in protobuf.
        #[allow(deprecated)]
        let data = response.data.clone();
        assert_eq!(data, Some(Binary::from(vec![0x0a, 1, b'b'])));
        assert_eq!(response.msg_responses.len(), 1);
        assert_eq!(
            response.msg_responses[0].type_url,
            "/cosmwasm.wasm.v1.MsgExecuteContractResponse"
        );
        assert_eq!(
            response.msg_responses[0].value,
            Binary::from(vec![0x0a, 1, b'b'])
        );
        assert_eq!(
            response.events,
            vec![Event::new("execute").add_attribute("_contract_address", callee.as_str())]
        );
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn reply_data_overrides_the_response_data_and_no_reply_data_keeps_it() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        let with_data = |data: Option<&str>| {
            let mut msg = sub(1, execute_msg(&callee, &write("k", "v")), ReplyOn::Always);
            msg.payload = payload(&ReplyAction {
                data: data.map(|d| Binary::from(d.as_bytes())),
                ..Default::default()
            });
            ExecuteMsg::Dispatch {
                msgs: vec![msg],
                data: Some(Binary::from(b"mine".to_vec())),
            }
        };
        let outcome = suite
            .chain
            .execute(&alice, &caller, &with_data(Some("from reply")), &[])
            .unwrap();
        assert_eq!(outcome.data, Some(Binary::from(b"from reply".to_vec())));
        let outcome = suite
            .chain
            .execute(&alice, &caller, &with_data(None), &[])
            .unwrap();
        assert_eq!(outcome.data, Some(Binary::from(b"mine".to_vec())));
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn out_of_gas_in_a_gas_limited_submessage_is_an_error_for_the_reply() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        let mut msg = sub(
            5,
            execute_msg(&callee, &ExecuteMsg::Loop {}),
            ReplyOn::Error,
        );
        msg.gas_limit = Some(150_000);
        let outcome = suite
            .chain
            .execute(&alice, &caller, &dispatch(vec![msg]), &[])
            .unwrap();
        let reply = reply_of(&suite, &caller, 5).unwrap();
        assert_eq!(
            reply.result,
            SubMsgResult::Err("codespace: sdk, code: 11".into())
        );
        // wasmd charges the whole limit of a sub-message that ran out.
        assert_eq!(reply.gas_used, 150_000);
        let looped = outcome.calls.iter().find(|c| c.contract == callee).unwrap();
        assert!(!looped.succeeded);
        assert_eq!(looped.gas.total, 150_000);
        assert_eq!(outcome.gas_used, outcome.gas.total);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn out_of_gas_without_a_limit_aborts_the_whole_transaction() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        suite.chain.set_tx_gas_limit(1_000_000);
        // A limit at or above what is left is no limit (wasmd: `GasLimit < gasRemaining`).
        let mut msg = sub(
            5,
            execute_msg(&callee, &ExecuteMsg::Loop {}),
            ReplyOn::Always,
        );
        msg.gas_limit = Some(5_000_000);
        let before = SubMsg::new(execute_msg(&caller, &write("before", "x")));
        let err = suite
            .chain
            .execute(&alice, &caller, &dispatch(vec![before, msg]), &[])
            .unwrap_err();
        match err {
            TxError::OutOfGas {
                gas_limit,
                gas_used,
            } => {
                assert_eq!(gas_limit, 1_000_000);
                assert!(gas_used >= 1_000_000, "{gas_used}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(suite.get(&caller, "before"), None);
        assert_eq!(reply_count(&suite, &caller), 0);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn sub_messages_run_in_order_and_each_failure_rolls_back_only_itself() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        let msgs = vec![
            sub(
                1,
                execute_msg(&callee, &write("first", "1")),
                ReplyOn::Error,
            ),
            sub(
                2,
                execute_msg(&callee, &write_then_fail("second", "x")),
                ReplyOn::Error,
            ),
            sub(
                3,
                execute_msg(&callee, &write("third", "3")),
                ReplyOn::Error,
            ),
        ];
        suite
            .chain
            .execute(&alice, &caller, &dispatch(msgs), &[])
            .unwrap();
        assert_eq!(suite.get(&callee, "first").as_deref(), Some("1"));
        assert_eq!(suite.get(&callee, "second"), None);
        assert_eq!(suite.get(&callee, "third").as_deref(), Some("3"));
        assert_eq!(reply_count(&suite, &caller), 1);
        assert!(reply_of(&suite, &caller, 2).is_some());
    }
}

mod events {
    use super::*;

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn events_are_named_as_a_chain_emits_them_and_priced() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let attributes = vec![Attr {
            key: "color".into(),
            value: "blue".into(),
        }];
        let events = vec![EventSpec {
            ty: "thing".into(),
            attributes: vec![Attr {
                key: "x".into(),
                value: "1".into(),
            }],
        }];
        let outcome = suite
            .chain
            .execute(
                &alice,
                &probe,
                &ExecuteMsg::Emit {
                    attributes: attributes.clone(),
                    events: events.clone(),
                },
                &[],
            )
            .unwrap();
        assert_eq!(
            outcome.events,
            vec![
                Event::new("execute").add_attribute("_contract_address", probe.as_str()),
                Event::new("wasm")
                    .add_attribute("_contract_address", probe.as_str())
                    .add_attribute("color", "blue"),
                Event::new("wasm-thing")
                    .add_attribute("_contract_address", probe.as_str())
                    .add_attribute("x", "1"),
            ]
        );
        // wasmd prices the contract's own attributes and events, before the address is added.
        let expected = event_costs(
            &[Attribute::new("color", "blue")],
            &[Event::new("thing").add_attribute("x", "1")],
        );
        assert_eq!(expected, 10 + (20 + 5 + 10));
        assert_eq!(outcome.calls[0].gas.events, expected);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn reserved_or_empty_attributes_and_short_types_are_refused() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let emit = |key: &str, value: &str, ty: Option<&str>| ExecuteMsg::Emit {
            attributes: if ty.is_none() {
                vec![Attr {
                    key: key.into(),
                    value: value.into(),
                }]
            } else {
                vec![]
            },
            events: ty
                .map(|ty| EventSpec {
                    ty: ty.into(),
                    attributes: vec![Attr {
                        key: key.into(),
                        value: value.into(),
                    }],
                })
                .into_iter()
                .collect(),
        };
        let log = |msg: ExecuteMsg, suite: &mut Suite| {
            suite
                .chain
                .execute(&alice, &probe, &msg, &[])
                .unwrap_err()
                .log()
        };
        assert_eq!(
            log(emit("_hidden", "v", None), &mut suite),
            "Attribute key starts with reserved prefix _: '_hidden': invalid event"
        );
        assert_eq!(
            log(emit("k", "  ", None), &mut suite),
            "Empty attribute value. Key: k: invalid event"
        );
        assert_eq!(
            log(emit("k", "v", Some("ab")), &mut suite),
            "Event type too short: 'ab': invalid event"
        );
    }
}

mod bank {
    use super::*;

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn funds_and_bank_sends_move_balances_with_transfer_events() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let bob = suite.chain.account("bob");
        suite
            .chain
            .mint(&alice, &[coin(1000, "ustake"), coin(5, "uatom")])
            .unwrap();
        let outcome = suite
            .chain
            .execute(&alice, &probe, &write("k", "v"), &coins(100, "ustake"))
            .unwrap();
        assert_eq!(suite.chain.balance(&alice, "ustake"), Uint256::from(900u32));
        assert_eq!(suite.chain.balance(&probe, "ustake"), Uint256::from(100u32));
        assert_eq!(
            outcome.events[..3],
            [
                Event::new("coin_spent")
                    .add_attribute("spender", alice.as_str())
                    .add_attribute("amount", "100ustake"),
                Event::new("coin_received")
                    .add_attribute("receiver", probe.as_str())
                    .add_attribute("amount", "100ustake"),
                Event::new("transfer")
                    .add_attribute("recipient", probe.as_str())
                    .add_attribute("sender", alice.as_str())
                    .add_attribute("amount", "100ustake"),
            ]
        );
        assert_eq!(outcome.events[3].ty, "execute");

        let outcome = suite
            .chain
            .execute(
                &alice,
                &probe,
                &ExecuteMsg::Send {
                    to: bob.to_string(),
                    amount: coins(40, "ustake"),
                },
                &[],
            )
            .unwrap();
        assert_eq!(suite.chain.balance(&bob, "ustake"), Uint256::from(40u32));
        assert_eq!(suite.chain.balance(&probe, "ustake"), Uint256::from(60u32));
        assert_eq!(
            outcome.attribute("transfer", "recipient"),
            Some(bob.as_str())
        );

        let err = suite
            .chain
            .execute(
                &alice,
                &probe,
                &ExecuteMsg::Send {
                    to: bob.to_string(),
                    amount: coins(61, "ustake"),
                },
                &[],
            )
            .unwrap_err();
        assert_eq!(
            err.log(),
            "spendable balance 60ustake is smaller than 61ustake: insufficient funds"
        );
        assert_eq!(suite.chain.balance(&probe, "ustake"), Uint256::from(60u32));

        // Attached funds the sender lacks: nothing moves, nothing runs.
        let err = suite
            .chain
            .execute(&bob, &probe, &write("k", "w"), &coins(41, "ustake"))
            .unwrap_err();
        assert!(matches!(err, TxError::Rejected { .. }));
        assert_eq!(suite.get(&probe, "k").as_deref(), Some("v"));
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn a_failed_bank_submessage_is_redacted_for_the_reply() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let bob = suite.chain.account("bob");
        let send = SubMsg::reply_on_error(
            BankMsg::Send {
                to_address: bob.to_string(),
                amount: coins(1, "ustake"),
            },
            4,
        );
        suite
            .chain
            .execute(&alice, &probe, &dispatch(vec![send]), &[])
            .unwrap();
        let reply = reply_of(&suite, &probe, 4).unwrap();
        assert_eq!(
            reply.result,
            SubMsgResult::Err("codespace: sdk, code: 5".into())
        );
    }
}

mod queries {
    use super::*;

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn contracts_query_each_other_smart_raw_and_info() {
        let mut suite = Suite::new();
        let a = suite.probe("a");
        let b = suite.probe("b");
        let alice = suite.alice.clone();
        suite
            .chain
            .execute(&alice, &b, &write("color", "green"), &[])
            .unwrap();

        let outcome = suite
            .chain
            .execute(
                &alice,
                &a,
                &ExecuteMsg::QuerySmart {
                    contract: b.to_string(),
                    msg: to_json_binary(&QueryMsg::Echo { value: "hi".into() }).unwrap(),
                },
                &[],
            )
            .unwrap();
        assert_eq!(outcome.data, Some(Binary::from(b"\"hi\"".to_vec())));
        // The query is a call of its own, with the code's discount (already loaded by this
        // transaction), counted in the caller's `queries` once.
        let query = outcome
            .calls
            .iter()
            .find(|c| c.entry_point == EntryPoint::Query)
            .unwrap();
        assert!(query.in_query && query.succeeded);
        assert_eq!(query.contract, b);
        assert_eq!(query.gas.instance, INSTANCE_COST_DISCOUNT);
        assert_eq!(outcome.calls[0].gas.queries, query.gas.total);
        assert_eq!(outcome.gas.total, outcome.calls[0].gas.total);
        assert_eq!(outcome.gas_used, outcome.gas.total);

        suite
            .chain
            .execute(
                &alice,
                &a,
                &ExecuteMsg::QueryRaw {
                    contract: b.to_string(),
                    key: Binary::from(b"color".to_vec()),
                },
                &[],
            )
            .unwrap();
        assert_eq!(suite.get(&a, "query").as_deref(), Some("green"));

        suite
            .chain
            .execute(
                &alice,
                &a,
                &ExecuteMsg::QueryContractInfo {
                    contract: b.to_string(),
                },
                &[],
            )
            .unwrap();
        let info: serde_json::Value =
            serde_json::from_str(&suite.get(&a, "query").unwrap()).unwrap();
        assert_eq!(info["code_id"], 1);
        assert_eq!(info["creator"], alice.as_str());
        assert_eq!(info["pinned"], false);

        suite.chain.mint(&b, &coins(77, "uatom")).unwrap();
        suite
            .chain
            .execute(
                &alice,
                &a,
                &ExecuteMsg::QueryBalance {
                    address: b.to_string(),
                    denom: "uatom".into(),
                },
                &[],
            )
            .unwrap();
        assert_eq!(suite.get(&a, "query").as_deref(), Some("77"));
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn a_failing_query_is_the_callers_error_and_queries_nest() {
        let mut suite = Suite::new();
        let a = suite.probe("a");
        let b = suite.probe("b");
        let alice = suite.alice.clone();
        let err = suite
            .chain
            .execute(
                &alice,
                &a,
                &ExecuteMsg::QuerySmart {
                    contract: b.to_string(),
                    msg: to_json_binary(&QueryMsg::Fail {
                        error: "nope".into(),
                    })
                    .unwrap(),
                },
                &[],
            )
            .unwrap_err();
        let TxError::ContractFailed {
            contract, error, ..
        } = err
        else {
            panic!("unexpected {err:?}")
        };
        assert_eq!(contract, a);
        assert!(
            error.contains(&format!(
                "Querier contract error: {}: query wasm contract failed",
                std_error("nope")
            )),
            "{error}"
        );
        // A query that queries: a -> b -> a, all read-only.
        let inner = to_json_binary(&QueryMsg::Echo {
            value: "deep".into(),
        })
        .unwrap();
        let forward = QueryMsg::Forward {
            contract: a.to_string(),
            msg: inner,
        };
        let answer: String = suite.chain.query(&b, &forward).unwrap();
        assert_eq!(answer, "deep");
        // From outside, a query pays full instance costs and has its own gas limit.
        let (_, gas) = suite.chain.query_with_gas::<String>(&b, &forward).unwrap();
        assert_eq!(gas.instance, INSTANCE_COST);
        assert!(gas.queries > INSTANCE_COST, "{gas}");
        let err = suite
            .chain
            .query::<u64>(&b, &QueryMsg::Loop {})
            .unwrap_err();
        assert!(matches!(err, Error::QueryVm { .. }), "{err:?}");
    }
}

mod gas {
    use super::*;

    /// wasmd's bookkeeping for a new contract, op by op (`gas::NewContract`), on top of the
    /// router's check, the code's record and the pinned check.
    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn instantiate_keeper_prices_the_new_contract() {
        use ccmp_devnet::gas::{
            code_info_len, contract_info_len, NewContract, MODEL_CONTRACT_ACCOUNT_NUMBER,
        };
        let mut suite = Suite::new();
        suite.probe("first");
        let alice = suite.alice.clone();
        let label = "second probe";
        let msg = InstantiateMsg::default();
        let msg_len = cosmwasm_std::to_json_vec(&msg).unwrap().len();
        let (contract, outcome) = suite
            .chain
            .instantiate(suite.code, &alice, &msg, &[], label)
            .unwrap();
        let height = suite.chain.block().height;
        let prefix = suite.chain.prefix().len();
        let new = NewContract {
            classic: true,
            first_instance: false,
            code_id: suite.code,
            creator_len: 20,
            address_bech32_len: contract.as_str().len(),
            account_number: MODEL_CONTRACT_ACCOUNT_NUMBER,
            contract_info_len: contract_info_len(
                suite.code,
                alice.as_str(),
                None,
                label,
                height,
                5 + contract.as_str().len() - prefix,
            ),
            created_height: height,
            msg_len,
        };
        let code = code_info_len(suite.chain.account("creator").as_str());
        let call = &outcome.calls[0];
        assert_eq!(
            call.gas.keeper,
            1_000 + KV_GAS.read(9, code) + 1_000 + new.gas()
        );
        // By hand, for this chain (a 20-byte creator, a 32-byte contract address whose
        // bech32 form the account stores): sequence 1,069 + 2,690, has 1,000, account
        // 1,099 + 1,027 + 2,270 + 1,099 + 1,000 + 3,590 + (2,000 + 30 x (33 + account)),
        // indexes 3,710 + 4,100, history 30 + (2,000 + 30 x (41 + entry)), record
        // 2,000 + 30 x (33 + record).
        let account = 34 + 2 + (2 + contract.as_str().len()) + 2;
        let entry = 2 + 2 + 4 + 2 + msg_len;
        let record = new.contract_info_len;
        assert_eq!(
            new.gas(),
            1_069
                + 2_690
                + 1_000
                + 1_099
                + 1_027
                + 2_270
                + 1_099
                + 1_000
                + 3_590
                + (2_000 + 30 * (33 + account as u64))
                + 3_710
                + 4_100
                + 30
                + (2_000 + 30 * (41 + entry as u64))
                + (2_000 + 30 * (33 + record as u64))
        );
        assert_eq!(outcome.gas_used, call.gas.total);
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn storage_gas_is_the_sdk_kv_gas_with_the_contract_prefix() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let outcome = suite
            .chain
            .execute(&alice, &probe, &write("key", "value"), &[])
            .unwrap();
        let call = &outcome.calls[0];
        assert_eq!(call.gas.instance, INSTANCE_COST);
        assert_eq!(
            call.gas.storage,
            KV_GAS.write(CONTRACT_STORE_PREFIX_LEN as usize + 3, 5)
        );
        assert_eq!(call.gas.storage, 2000 + 30 * (33 + 3 + 5));
        assert_eq!(call.gas.address_api, 0);
        assert!(call.gas.wasm > 0 && call.gas.deserialization > 0);
        assert_eq!(call.gas.wasm, call.gas.wasm_vm_gas / 140_000);
        assert_eq!(outcome.gas_used, call.gas.total);
        // wasmd's work before the call: the router's circuit check, the contract's and its
        // code's records read, the pinned check.
        let info = suite.chain.contract_info(&probe).unwrap();
        let ibc2_port_id_len = 5 + probe.as_str().len() - suite.chain.prefix().len();
        let record = ccmp_devnet::gas::contract_info_len(
            info.code_id,
            info.creator.as_str(),
            info.admin.as_ref().map(|a| a.as_str()),
            &info.label,
            suite.chain.block().height,
            ibc2_port_id_len,
        );
        let code = ccmp_devnet::gas::code_info_len(suite.chain.account("creator").as_str());
        assert_eq!(
            call.gas.keeper,
            1_000 + ccmp_devnet::gas::contract_instance_reads(record, code) + 1_000
        );
        assert_eq!(
            call.gas.total,
            call.gas.instance
                + call.gas.keeper
                + call.gas.wasm
                + call.gas.deserialization
                + call.gas.storage
                + call.gas.events
        );

        // Iteration: the first entry is paid when the iterator is made and again by the
        // first `next`; the end of the range is free.
        suite
            .chain
            .execute(&alice, &probe, &write("k2", "v2"), &[])
            .unwrap();
        let outcome = suite
            .chain
            .execute(&alice, &probe, &ExecuteMsg::Scan {}, &[])
            .unwrap();
        assert_eq!(
            outcome.data,
            Some(Binary::from(2u64.to_be_bytes().to_vec()))
        );
        let first = (33 + 2, 2); // "k2" = "v2" sorts before "key"
        let second = (33 + 3, 5);
        assert_eq!(
            outcome.calls[0].gas.storage,
            KV_GAS.seek(Some(first)) + KV_GAS.seek(Some(first)) + KV_GAS.seek(Some(second))
        );
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn the_address_api_costs_what_wasmd_charges() {
        let mut suite = Suite::new();
        let probe = suite.probe("p");
        let alice = suite.alice.clone();
        let outcome = suite
            .chain
            .execute(
                &alice,
                &probe,
                &ExecuteMsg::Addresses {
                    address: alice.to_string(),
                    times: 3,
                },
                &[],
            )
            .unwrap();
        assert_eq!(
            outcome.calls[0].gas.address_api,
            3 * (GAS_COST_VALIDATE + GAS_COST_CANONICALIZE + GAS_COST_HUMANIZE)
        );
        assert_eq!(outcome.calls[0].gas.address_api, 54);
        // A malformed address is the contract's error, still charged.
        let err = suite
            .chain
            .execute(
                &alice,
                &probe,
                &ExecuteMsg::Addresses {
                    address: "cosmos1notthisprefix".into(),
                    times: 1,
                },
                &[],
            )
            .unwrap_err();
        assert!(matches!(err, TxError::ContractFailed { .. }), "{err:?}");
    }

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn a_code_already_run_in_the_transaction_and_replies_cost_the_discount() {
        let mut suite = Suite::new();
        let caller = suite.probe("caller");
        let callee = suite.probe("callee");
        let alice = suite.alice.clone();
        let outcome = suite
            .chain
            .execute(
                &alice,
                &caller,
                &dispatch(vec![sub(
                    1,
                    execute_msg(&callee, &write("k", "v")),
                    ReplyOn::Always,
                )]),
                &[],
            )
            .unwrap();
        let entries: Vec<_> = outcome
            .calls
            .iter()
            .map(|c| (c.entry_point, c.contract.clone(), c.depth, c.gas.instance))
            .collect();
        assert_eq!(
            entries,
            vec![
                (EntryPoint::Execute, caller.clone(), 0, INSTANCE_COST),
                (
                    EntryPoint::Execute,
                    callee.clone(),
                    1,
                    INSTANCE_COST_DISCOUNT
                ),
                (EntryPoint::Reply, caller.clone(), 0, INSTANCE_COST_DISCOUNT),
            ]
        );
        // The reply's input: the sub-message's events (execute + wasm? none here: `write`
        // emits no attributes) priced by type and attribute bytes.
        let reply = &outcome.calls[2];
        let events = [Event::new("execute").add_attribute("_contract_address", callee.as_str())];
        assert_eq!(
            reply.gas.reply_input,
            ccmp_devnet::gas::reply_input_costs(&events, 0)
        );
        assert_eq!(outcome.gas_of(&callee), outcome.calls[1].gas);
        let mut both = outcome.calls[0].gas;
        both.add(&outcome.calls[2].gas);
        assert_eq!(outcome.gas_of(&caller), both);
        assert_eq!(outcome.gas_used, outcome.gas.total);

        // A pinned code costs the discount even in a fresh transaction.
        suite.chain.pin_code(suite.code).unwrap();
        let outcome = suite
            .chain
            .execute(&alice, &callee, &write("k", "w"), &[])
            .unwrap();
        assert_eq!(outcome.calls[0].gas.instance, INSTANCE_COST_DISCOUNT);
    }
}

mod chains {
    use super::*;

    #[test]
    #[ignore = "needs artifacts from scripts/build.sh"]
    fn chains_in_one_process_are_independent() {
        let mut a = Suite::with_config(ChainConfig::new("chain-a", "neutron"));
        let mut b = Suite::with_config(ChainConfig::new("chain-b", "osmo"));
        let on_a = a.probe("p");
        let on_b = b.probe("p");
        assert!(on_a.as_str().starts_with("neutron1"));
        assert!(on_b.as_str().starts_with("osmo1"));
        let alice_a = a.alice.clone();
        a.chain
            .execute(&alice_a, &on_a, &write("k", "a"), &[])
            .unwrap();
        assert_eq!(a.get(&on_a, "k").as_deref(), Some("a"));
        assert_eq!(b.get(&on_b, "k"), None);
        // An address of one chain is not valid on the other.
        let err = b
            .chain
            .execute(&b.alice.clone(), &on_a, &write("k", "x"), &[])
            .unwrap_err();
        assert!(err.log().contains("invalid Bech32 prefix"), "{err}");

        a.chain.advance_block(5, 30);
        assert_eq!(a.chain.block().height, 6);
        assert_eq!(b.chain.block().height, 1);
        assert_eq!(
            a.chain.block().time.seconds(),
            b.chain.block().time.seconds() + 30
        );
        assert_eq!(a.chain.block().chain_id, "chain-a");
    }
}

mod store_code {
    use super::*;

    fn module(extra: &str) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module
                (memory 3)
                (export "memory" (memory 0))
                (func (export "interface_version_8"))
                (func (export "allocate") (param i32) (result i32) (i32.const 0))
                (func (export "deallocate") (param i32))
                {extra})"#
        ))
        .unwrap()
    }

    #[test]
    fn a_contract_needing_more_than_a_stock_chain_offers_is_refused() {
        let mut chain = Chain::new(ChainConfig::new("devnet-1", "wasm")).unwrap();
        let err = chain
            .store_code(&module(r#"(func (export "requires_cosmwasm_3_0"))"#))
            .unwrap_err();
        let Error::WasmRejected { reason } = err else {
            panic!("unexpected {err:?}")
        };
        assert!(
            reason.contains("Wasm contract requires unavailable capabilities: {\"cosmwasm_3_0\"}"),
            "{reason}"
        );
        // What a stock chain does offer is fine.
        chain
            .store_code(&module(r#"(func (export "requires_cosmwasm_2_2"))"#))
            .unwrap();
    }

    #[test]
    fn bulk_memory_and_garbage_are_refused_with_the_vms_reason() {
        let mut chain = Chain::new(ChainConfig::new("devnet-1", "wasm")).unwrap();
        let err = chain
            .store_code(&module(
                r#"(func (export "copy") (memory.copy (i32.const 0) (i32.const 0) (i32.const 0)))"#,
            ))
            .unwrap_err();
        assert!(
            matches!(&err, Error::WasmRejected { reason } if reason.contains("bulk memory")),
            "{err:?}"
        );
        let err = chain.store_code(b"not wasm at all").unwrap_err();
        assert!(matches!(err, Error::WasmRejected { .. }), "{err:?}");
    }
}
