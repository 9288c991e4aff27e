//! Instantiation, the owner's actions, queries and migration through cw-multi-test.

mod common;

use ccmp_inbox::contract::CONTRACT_VERSION;
use ccmp_inbox::msg::{
    ConfigResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, SourceConfig, SourcesResponse,
};
use ccmp_inbox::ContractError;
use ccmp_types::{AttesterSetError, MessageError, OwnershipError};
use common::*;
use cosmwasm_std::Addr;
use cw_multi_test::Executor;

fn source_config(chain: &str) -> SourceConfig {
    SourceConfig {
        chain: chain.into(),
        outbox: OUTBOX.into(),
        attesters: mixed_signers(7).set,
        ordered: false,
        receive_gas_limit: None,
        max_receive_gas_limit: None,
    }
}

fn instantiate(suite: &mut Suite, msg: &InstantiateMsg) -> Result<Addr, String> {
    let owner = suite.owner.clone();
    suite
        .app
        .instantiate_contract(suite.inbox_code, owner, msg, &[], "inbox2", None)
        .map_err(|err| err.to_string())
}

fn bare(sources: Vec<SourceConfig>) -> InstantiateMsg {
    InstantiateMsg {
        owner: None,
        chain_id: Some(HERE.into()),
        sources: Some(sources),
        max_batch_size: None,
        max_body_bytes: None,
        trust_delay_seconds: 0,
    }
}

fn expect_instantiate_error(suite: &mut Suite, msg: &InstantiateMsg, expected: ContractError) {
    let err = instantiate(suite, msg).expect_err("instantiate should fail");
    assert!(
        err.contains(&expected.to_string()),
        "expected {expected}, got {err}"
    );
}

#[test]
fn instantiate_defaults_and_config() {
    let suite = Suite::new();
    let config: ConfigResponse = suite.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(
        config,
        ConfigResponse {
            owner: Some(suite.owner.clone()),
            pending_owner: None,
            chain_id: HERE.into(),
            paused: false,
            max_batch_size: 100,
            max_body_bytes: 65_536,
            trust_delay_seconds: 0,
            next_proposal_id: 1,
        }
    );
    let source = suite.source(SOURCE);
    assert_eq!(source.epoch, 1);
    assert_eq!(source.receive_gas_limit, 500_000);
    assert_eq!(source.max_receive_gas_limit, 5_000_000);
    assert_eq!(source.latest_checkpoint, None);
    assert_eq!(source.next_nonce, None);
    assert_eq!(suite.source(OTHER_SOURCE).next_nonce, Some(0));
}

#[test]
fn instantiate_refuses_bad_configuration() {
    let mut suite = Suite::new();
    expect_instantiate_error(
        &mut suite,
        &bare(vec![source_config("chain-x"), source_config("chain-x")]),
        ContractError::DuplicateSource {
            chain: "chain-x".into(),
        },
    );
    expect_instantiate_error(
        &mut suite,
        &bare(vec![source_config(HERE)]),
        ContractError::SourceIsSelf { chain: HERE.into() },
    );
    expect_instantiate_error(
        &mut suite,
        &bare((0..101).map(|i| source_config(&format!("c{i}"))).collect()),
        ContractError::TooManySources {
            count: 101,
            max: 100,
        },
    );
    let mut weak = source_config("chain-x");
    weak.attesters.threshold = 5;
    expect_instantiate_error(
        &mut suite,
        &bare(vec![weak]),
        AttesterSetError::ThresholdTooLow {
            threshold: 5,
            total: 10,
        }
        .into(),
    );
    let mut bad_gas = source_config("chain-x");
    bad_gas.receive_gas_limit = Some(99_999);
    expect_instantiate_error(
        &mut suite,
        &bare(vec![bad_gas]),
        ContractError::InvalidGasLimits {
            receive: 99_999,
            max: 5_000_000,
            min: 100_000,
            cap: 100_000_000,
        },
    );
    let mut inverted = source_config("chain-x");
    inverted.receive_gas_limit = Some(2_000_000);
    inverted.max_receive_gas_limit = Some(1_000_000);
    expect_instantiate_error(
        &mut suite,
        &bare(vec![inverted]),
        ContractError::InvalidGasLimits {
            receive: 2_000_000,
            max: 1_000_000,
            min: 100_000,
            cap: 100_000_000,
        },
    );
    let mut no_outbox = source_config("chain-x");
    no_outbox.outbox = String::new();
    expect_instantiate_error(
        &mut suite,
        &bare(vec![no_outbox]),
        MessageError::FieldLength {
            field: "outbox",
            len: 0,
            min: 1,
            max: 256,
        }
        .into(),
    );
    expect_instantiate_error(
        &mut suite,
        &bare(vec![source_config("chain x")]),
        MessageError::InvalidChainIdCharacter {
            field: "chain",
            value: "chain x".into(),
        }
        .into(),
    );
    for (batch, body, expected) in [
        (0, 1, ContractError::InvalidBatchLimit { got: 0, max: 1000 }),
        (
            1001,
            1,
            ContractError::InvalidBatchLimit {
                got: 1001,
                max: 1000,
            },
        ),
        (
            1,
            0,
            ContractError::InvalidBodyLimit {
                got: 0,
                max: 1_048_576,
            },
        ),
        (
            1,
            1_048_577,
            ContractError::InvalidBodyLimit {
                got: 1_048_577,
                max: 1_048_576,
            },
        ),
    ] {
        let msg = InstantiateMsg {
            max_batch_size: Some(batch),
            max_body_bytes: Some(body),
            trust_delay_seconds: 0,
            ..bare(vec![])
        };
        expect_instantiate_error(&mut suite, &msg, expected);
    }
    // The bounds themselves are accepted.
    instantiate(
        &mut suite,
        &InstantiateMsg {
            max_batch_size: Some(1000),
            max_body_bytes: Some(1_048_576),
            trust_delay_seconds: 0,
            ..bare(vec![])
        },
    )
    .unwrap();
}

#[test]
fn owner_actions_refuse_everyone_else() {
    let mut suite = Suite::new();
    for msg in [
        ExecuteMsg::AddSource(source_config("chain-x")),
        ExecuteMsg::SetAttesters {
            source_chain: SOURCE.into(),
            attesters: mixed_signers(9).set,
        },
        ExecuteMsg::SetGasLimits {
            source_chain: SOURCE.into(),
            receive_gas_limit: 200_000,
            max_receive_gas_limit: 300_000,
        },
        ExecuteMsg::SetLimits {
            max_batch_size: 5,
            max_body_bytes: 5,
        },
        ExecuteMsg::Unfreeze {
            source_chain: SOURCE.into(),
            rollback_to: 0,
        },
        ExecuteMsg::Freeze {
            source_chain: SOURCE.into(),
        },
        ExecuteMsg::CancelProposal { id: 1 },
        ExecuteMsg::Pause {},
        ExecuteMsg::Unpause {},
        ExecuteMsg::TransferOwnership {
            new_owner: suite.relayer.to_string(),
        },
        ExecuteMsg::CancelOwnershipTransfer {},
        ExecuteMsg::RenounceOwnership {},
    ] {
        suite.refuses(&msg, OwnershipError::NotOwner.into());
    }
}

#[test]
fn sources_are_added_configured_and_paged() {
    let mut suite = Suite::new();
    suite
        .as_owner(&ExecuteMsg::AddSource(source_config("chain-d")))
        .unwrap();
    suite.owner_refuses(
        &ExecuteMsg::AddSource(source_config("chain-d")),
        ContractError::SourceExists {
            chain: "chain-d".into(),
        },
    );
    // Re-adding an existing source would reset its light client: refused.
    suite.owner_refuses(
        &ExecuteMsg::AddSource(source_config(SOURCE)),
        ContractError::SourceExists {
            chain: SOURCE.into(),
        },
    );
    let page: SourcesResponse = suite
        .query(&QueryMsg::Sources {
            start_after: None,
            limit: Some(2),
        })
        .unwrap();
    assert_eq!(
        page.sources
            .iter()
            .map(|s| s.chain.as_str())
            .collect::<Vec<_>>(),
        ["chain-a", "chain-c"]
    );
    let rest: SourcesResponse = suite
        .query(&QueryMsg::Sources {
            start_after: Some("chain-c".into()),
            limit: None,
        })
        .unwrap();
    assert_eq!(
        rest.sources
            .iter()
            .map(|s| s.chain.as_str())
            .collect::<Vec<_>>(),
        ["chain-d"]
    );

    suite
        .as_owner(&ExecuteMsg::SetGasLimits {
            source_chain: "chain-d".into(),
            receive_gas_limit: 200_000,
            max_receive_gas_limit: 300_000,
        })
        .unwrap();
    let source = suite.source("chain-d");
    assert_eq!(
        (source.receive_gas_limit, source.max_receive_gas_limit),
        (200_000, 300_000)
    );
    suite.owner_refuses(
        &ExecuteMsg::SetGasLimits {
            source_chain: "chain-d".into(),
            receive_gas_limit: 200_000,
            max_receive_gas_limit: 100_000_001,
        },
        ContractError::InvalidGasLimits {
            receive: 200_000,
            max: 100_000_001,
            min: 100_000,
            cap: 100_000_000,
        },
    );
    suite.owner_refuses(
        &ExecuteMsg::SetAttesters {
            source_chain: "chain-x".into(),
            attesters: mixed_signers(9).set,
        },
        ContractError::UnknownSource {
            chain: "chain-x".into(),
        },
    );
    let set = mixed_signers(9).set;
    suite
        .as_owner(&ExecuteMsg::SetAttesters {
            source_chain: "chain-d".into(),
            attesters: set.clone(),
        })
        .unwrap();
    let source = suite.source("chain-d");
    assert_eq!((source.epoch, source.attesters), (2, set));
}

#[test]
fn pause_stops_delivery_but_not_checkpoints_or_queries() {
    let mut suite = Suite::new();
    let receiver = suite.receiver.to_string();
    suite.lane.push_many(&receiver, 3);
    suite.as_owner(&ExecuteMsg::Pause {}).unwrap();
    // Idempotent.
    suite.as_owner(&ExecuteMsg::Pause {}).unwrap();
    suite.submit(3).unwrap();
    suite.refuses(
        &ExecuteMsg::Deliver {
            items: vec![suite.lane.item(0, 3)],
        },
        ContractError::Paused,
    );
    let config: ConfigResponse = suite.query(&QueryMsg::Config {}).unwrap();
    assert!(config.paused);
    suite.as_owner(&ExecuteMsg::Unpause {}).unwrap();
    suite.deliver(vec![suite.lane.item(0, 3)]).unwrap();
    assert_eq!(suite.received_nonces(), [0]);
}

#[test]
fn ownership_hand_over_and_renounce() {
    let mut suite = Suite::new();
    let next = suite.app.api().addr_make("next-owner");
    suite
        .as_owner(&ExecuteMsg::TransferOwnership {
            new_owner: next.to_string(),
        })
        .unwrap();
    // The old owner still rules until the new one accepts.
    suite.as_owner(&ExecuteMsg::Pause {}).unwrap();
    suite.refuses(
        &ExecuteMsg::AcceptOwnership {},
        OwnershipError::NotPendingOwner.into(),
    );
    suite
        .execute_raw(&next, &ExecuteMsg::AcceptOwnership {})
        .unwrap();
    let config: ConfigResponse = suite.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(config.owner, Some(next.clone()));
    assert_eq!(config.pending_owner, None);
    suite.owner_refuses(&ExecuteMsg::Unpause {}, OwnershipError::NotOwner.into());
    suite
        .execute_raw(&next, &ExecuteMsg::RenounceOwnership {})
        .unwrap();
    let err = suite
        .execute_raw(&next, &ExecuteMsg::Unpause {})
        .unwrap_err();
    assert!(err.contains(&OwnershipError::NoOwner.to_string()), "{err}");
}

#[test]
fn migrate_keeps_state_and_records_the_version() {
    let mut suite = Suite::with_messages(2);
    suite.deliver(vec![suite.lane.item(0, 2)]).unwrap();
    let before = suite.snapshot();
    let owner = suite.owner.clone();
    let response = suite
        .app
        .migrate_contract(owner, suite.inbox.clone(), &MigrateMsg {}, suite.inbox_code)
        .unwrap();
    let attrs: Vec<(String, String)> = response
        .events
        .iter()
        .filter(|e| e.ty == "wasm")
        .flat_map(|e| {
            e.attributes
                .iter()
                .map(|a| (a.key.clone(), a.value.clone()))
        })
        .collect();
    assert!(attrs.contains(&("to_version".into(), CONTRACT_VERSION.into())));
    assert_eq!(suite.snapshot(), before);
    assert_eq!(
        suite.status(SOURCE, 0).status,
        ccmp_types::MessageStatus::Delivered
    );
}

/// Security review finding 6: an inbox of an older storage layout (checkpoints not yet
/// keyed by generation) used to migrate "successfully" and then refuse every checkpoint.
#[test]
fn migrate_refuses_a_store_of_an_older_layout() {
    let mut suite = Suite::with_messages(2);
    let inbox = suite.inbox.clone();
    for old in ["0.1.0", "0.2.0"] {
        cw2::set_contract_version(
            suite.app.contract_storage_mut(&inbox).as_mut(),
            ccmp_inbox::contract::CONTRACT_NAME,
            old,
        )
        .unwrap();
        let before = suite.snapshot();
        let owner = suite.owner.clone();
        let err = suite
            .app
            .migrate_contract(owner, inbox.clone(), &MigrateMsg {}, suite.inbox_code)
            .unwrap_err();
        assert!(
            format!("{err:?}").contains(&format!(
                "cannot migrate from version {old}: the storage layout changed in 0.3.0, deploy a new inbox"
            )),
            "{err:?}"
        );
        assert_eq!(suite.snapshot(), before);
    }
}

#[test]
fn the_trust_delay_is_bounded_and_reported() {
    let mut suite = Suite::new();
    let too_long = InstantiateMsg {
        trust_delay_seconds: 30 * 24 * 3600 + 1,
        ..bare(vec![])
    };
    expect_instantiate_error(
        &mut suite,
        &too_long,
        ContractError::TrustDelayTooLong {
            got: 2_592_001,
            max: 2_592_000,
        },
    );
    let month = InstantiateMsg {
        trust_delay_seconds: 30 * 24 * 3600,
        ..bare(vec![])
    };
    let inbox = instantiate(&mut suite, &month).unwrap();
    let config: ConfigResponse = suite
        .app
        .wrap()
        .query_wasm_smart(inbox, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(config.trust_delay_seconds, 2_592_000);
}
