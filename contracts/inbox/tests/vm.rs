//! The compiled inbox (`artifacts/ccmp_inbox.wasm`, from `scripts/build.sh`) in the real
//! CosmWasm VM, with only the capabilities a stock wasmd chain offers: host signature
//! checks (secp256k1 and an Ed25519 batch), proofs, the dispatch it returns and a failure
//! reply. `scripts/test.sh` runs it after the build; by hand:
//! `cargo test -p ccmp-inbox --test vm -- --ignored`.

mod common;

use std::collections::HashSet;
use std::path::Path;

use ccmp_inbox::msg::{
    DeliverResponse, DeliveryOutcome, ExecuteMsg, InstantiateMsg, QueryMsg, SourceConfig,
};
use ccmp_inbox::RECEIVE_REPLY_ID;
use ccmp_types::{MessageStatus, MessageStatusResponse};
use common::{digest_for, mixed_signers, receive_msg_json, TestLane, HERE, OUTBOX, SOURCE};
use cosmwasm_std::{
    from_json, Binary, ContractResult, CosmosMsg, Empty, Reply, ReplyOn, Response, SubMsgResult,
    WasmMsg,
};
use cosmwasm_vm::testing::{
    execute, instantiate, mock_env, mock_info, mock_instance_with_options, query, reply, MockApi,
    MockInstanceOptions, MockQuerier, MockStorage,
};
use cosmwasm_vm::Instance;

// What stock wasmd (0.70) offers, as the devnet defines it: no `cosmwasm_3_0`.
use ccmp_devnet::STOCK_CAPABILITIES;

fn load_inbox() -> Instance<MockApi, MockStorage, MockQuerier> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/ccmp_inbox.wasm");
    let wasm = std::fs::read(&path)
        .unwrap_or_else(|err| panic!("{}: {err}; build it with scripts/build.sh", path.display()));
    mock_instance_with_options(
        &wasm,
        MockInstanceOptions {
            available_capabilities: STOCK_CAPABILITIES
                .iter()
                .map(|c| c.to_string())
                .collect::<HashSet<_>>(),
            gas_limit: 10_000_000_000_000,
            ..Default::default()
        },
    )
}

#[test]
#[ignore = "needs artifacts/ccmp_inbox.wasm from scripts/build.sh"]
fn compiled_inbox_proves_dispatches_and_records_failures() {
    let mut instance = load_inbox();
    let api = MockApi::default();
    let owner = api.addr_make("owner");
    let relayer = api.addr_make("relayer");
    let receiver = api.addr_make("receiver");
    let signers = mixed_signers(0);

    let response: ContractResult<Response<Empty>> = instantiate(
        &mut instance,
        mock_env(),
        mock_info(&owner, &[]),
        InstantiateMsg {
            owner: None,
            chain_id: Some(HERE.into()),
            sources: Some(vec![SourceConfig {
                chain: SOURCE.into(),
                outbox: OUTBOX.into(),
                attesters: signers.set.clone(),
                ordered: false,
                receive_gas_limit: None,
                max_receive_gas_limit: None,
            }]),
            max_batch_size: None,
            max_body_bytes: None,
            trust_delay_seconds: 0,
        },
    );
    response.unwrap();

    let mut lane = TestLane::new(SOURCE, HERE);
    lane.push_many(&receiver, 21);
    let checkpoint = lane.checkpoint(21);
    // Every attester signs: two secp256k1 checks and one Ed25519 batch of two in the host.
    let signatures = signers.sign_all(&digest_for(&checkpoint, OUTBOX, HERE));
    let response: Response<Empty> = execute(
        &mut instance,
        mock_env(),
        mock_info(&relayer, &[]),
        ExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures,
            consistency_proof: vec![],
        },
    )
    .unwrap();
    assert_eq!(response.events[0].ty, "ccmp_checkpoint");

    let items = (0..20).map(|nonce| lane.item(nonce, 21)).collect();
    let response: Response<Empty> = execute(
        &mut instance,
        mock_env(),
        mock_info(&relayer, &[]),
        ExecuteMsg::Deliver { items },
    )
    .unwrap();
    let data: DeliverResponse = from_json(response.data.unwrap()).unwrap();
    assert!(data
        .results
        .iter()
        .all(|r| r.outcome == DeliveryOutcome::Dispatched));
    assert_eq!(response.messages.len(), 20);
    for (nonce, sub) in response.messages.iter().enumerate() {
        assert_eq!(sub.id, RECEIVE_REPLY_ID);
        assert_eq!(sub.reply_on, ReplyOn::Error);
        assert_eq!(sub.gas_limit, Some(ccmp_inbox::DEFAULT_RECEIVE_GAS_LIMIT));
        let CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr,
            msg,
            funds,
        }) = &sub.msg
        else {
            panic!("not a wasm execute: {:?}", sub.msg);
        };
        assert_eq!(contract_addr, &receiver);
        assert!(funds.is_empty());
        assert_eq!(
            String::from_utf8(msg.to_vec()).unwrap(),
            receive_msg_json(&lane.messages[nonce])
        );
    }

    // The chain reports message 7's receiver failed: the inbox records it.
    let failed = response.messages[7].clone();
    let response: Response<Empty> = reply(
        &mut instance,
        mock_env(),
        Reply {
            id: failed.id,
            payload: failed.payload,
            gas_used: 1234,
            result: SubMsgResult::Err("codespace: wasm, code: 5".into()),
        },
    )
    .unwrap();
    assert_eq!(response.events[0].ty, "ccmp_deliver");
    let status: MessageStatusResponse = from_json(
        query(
            &mut instance,
            mock_env(),
            QueryMsg::MessageStatus {
                source_chain: SOURCE.into(),
                nonce: 7,
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(status.status, MessageStatus::Failed);
    assert_eq!(status.error.as_deref(), Some("codespace: wasm, code: 5"));
    assert_eq!(status.attempts, 1);

    // A refusal in the VM is the contract's typed error, not a trap.
    let mut forged = lane.item(20, 21);
    forged.message.body = Binary::from(b"forged".as_slice());
    let refused: ContractResult<Response<Empty>> = execute(
        &mut instance,
        mock_env(),
        mock_info(&relayer, &[]),
        ExecuteMsg::Deliver {
            items: vec![forged],
        },
    );
    assert_eq!(
        refused.unwrap_err(),
        "inclusion proof of nonce 20 in checkpoint 21 of source \"chain-a\" refused: proof does not lead to the expected root"
    );
}
