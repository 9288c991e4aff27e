//! The compiled outbox (`artifacts/ccmp_outbox.wasm`, from `scripts/build.sh`) in the real
//! CosmWasm VM, with only the capabilities a stock wasmd chain offers. `scripts/test.sh`
//! runs it after the build; by hand: `cargo test -p ccmp-outbox --test vm -- --ignored`.

use std::collections::HashSet;
use std::path::Path;

use ccmp_outbox::msg::{
    DestinationConfig, ExecuteMsg, InstantiateMsg, LaneResponse, MessageIdsResponse, QueryMsg,
    SendMsg, SendResponse,
};
use ccmp_types::{root, Hash, Message};
use cosmwasm_std::{coin, from_json, Binary, ContractResult, Empty, HexBinary, Response};
use cosmwasm_vm::testing::{
    execute, instantiate, mock_env, mock_info, mock_instance_with_options, query, MockApi,
    MockInstanceOptions, MockQuerier, MockStorage,
};
use cosmwasm_vm::Instance;

// What stock wasmd (0.70) offers, as the devnet defines it: no `cosmwasm_3_0`.
use ccmp_devnet::STOCK_CAPABILITIES;

fn load_outbox() -> Instance<MockApi, MockStorage, MockQuerier> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/ccmp_outbox.wasm");
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
#[ignore = "needs artifacts/ccmp_outbox.wasm from scripts/build.sh"]
fn compiled_outbox_sends_and_keeps_the_lane_tree() {
    let mut instance = load_outbox();
    let api = MockApi::default();
    let owner = api.addr_make("owner");
    let dapp = api.addr_make("dapp");

    let response: ContractResult<Response<Empty>> = instantiate(
        &mut instance,
        mock_env(),
        mock_info(&owner, &[]),
        InstantiateMsg {
            owner: None,
            chain_id: Some("chain-a".into()),
            destinations: Some(vec![DestinationConfig {
                chain: "chain-b".into(),
                enabled: true,
                fee: Some(coin(5, "untrn")),
                max_body_bytes: None,
            }]),
        },
    );
    response.unwrap();

    let mut ids: Vec<Hash> = Vec::new();
    for nonce in 0..40u64 {
        let response: Response<Empty> = execute(
            &mut instance,
            mock_env(),
            mock_info(&dapp, &[coin(5, "untrn")]),
            ExecuteMsg::Send(SendMsg {
                destination_chain: "chain-b".into(),
                recipient: "cosmwasm1receiver".into(),
                body: Binary::from(nonce.to_be_bytes()),
                timeout_timestamp: None,
            }),
        )
        .unwrap();
        let data: SendResponse = from_json(response.data.unwrap()).unwrap();
        assert_eq!(data.nonce, nonce);
        let event = &response.events[0];
        assert_eq!(event.ty, "ccmp_send");
        let message_hex = &event
            .attributes
            .iter()
            .find(|a| a.key == "message")
            .unwrap()
            .value;
        let message = Message::decode(&hex::decode(message_hex).unwrap()).unwrap();
        assert_eq!(message.sender, dapp);
        let id = message.message_id().unwrap();
        assert_eq!(data.message_id, HexBinary::from(&id));
        ids.push(id);
    }

    let lane: LaneResponse = from_json(
        query(
            &mut instance,
            mock_env(),
            QueryMsg::Lane {
                destination_chain: "chain-b".into(),
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(lane.size, 40);
    assert_eq!(lane.root, HexBinary::from(&root(&ids)));

    let page: MessageIdsResponse = from_json(
        query(
            &mut instance,
            mock_env(),
            QueryMsg::MessageIds {
                destination_chain: "chain-b".into(),
                start_after: Some(29),
                limit: None,
            },
        )
        .unwrap(),
    )
    .unwrap();
    let tail: Vec<HexBinary> = page.message_ids.into_iter().map(|e| e.message_id).collect();
    let expected: Vec<HexBinary> = ids[30..].iter().map(HexBinary::from).collect();
    assert_eq!(tail, expected);

    // A refusal in the VM is the contract's typed error, not a trap.
    let refused: ContractResult<Response<Empty>> = execute(
        &mut instance,
        mock_env(),
        mock_info(&dapp, &[]),
        ExecuteMsg::Send(SendMsg {
            destination_chain: "chain-b".into(),
            recipient: "cosmwasm1receiver".into(),
            body: Binary::default(),
            timeout_timestamp: None,
        }),
    );
    assert_eq!(
        refused.unwrap_err(),
        "destination charges 5untrn but no funds were attached"
    );
}
