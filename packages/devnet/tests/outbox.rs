//! The compiled outbox (`artifacts/ccmp_outbox.wasm`) on the devnet: sends through the real
//! VM with a chain's events and gas. `cargo test -p ccmp-devnet --test outbox -- --ignored
//! --nocapture` prints the gas of a send, part by part.

mod common;

use ccmp_devnet::gas::{INSTANCE_COST, KV_GAS};
use ccmp_devnet::{Chain, ChainConfig, TxError};
use ccmp_outbox::msg::{
    DestinationConfig, ExecuteMsg, InstantiateMsg, LaneResponse, QueryMsg, SendMsg,
};
use ccmp_types::{root, Message, SendResponse};
use common::artifact;
use cosmwasm_std::{coin, from_json, Binary, HexBinary, Uint256};

#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn outbox_sends_ten_messages_with_chain_events_and_wasmd_gas() {
    let mut chain = Chain::new(ChainConfig::new("chain-a", "wasm")).unwrap();
    let code = chain.store_code(&artifact("ccmp_outbox.wasm")).unwrap();
    let owner = chain.account("owner");
    let dapp = chain.account("dapp");
    chain.mint(&dapp, &[coin(1_000, "untrn")]).unwrap();
    let (outbox, outcome) = chain
        .instantiate(
            code,
            &owner,
            &InstantiateMsg {
                owner: None,
                chain_id: None,
                destinations: Some(vec![DestinationConfig {
                    chain: "chain-b".into(),
                    enabled: true,
                    fee: Some(coin(5, "untrn")),
                    max_body_bytes: None,
                }]),
            },
            &[],
            "ccmp outbox",
        )
        .unwrap();
    println!("instantiate: {}", outcome.gas);

    let mut ids = Vec::new();
    for nonce in 0..10u64 {
        let outcome = chain
            .execute(
                &dapp,
                &outbox,
                &ExecuteMsg::Send(SendMsg {
                    destination_chain: "chain-b".into(),
                    recipient: "osmo1receiver".into(),
                    body: Binary::from(format!("hello {nonce}").into_bytes()),
                    timeout_timestamp: None,
                }),
                &[coin(5, "untrn")],
            )
            .unwrap();
        let data: SendResponse = from_json(outcome.data.as_ref().unwrap()).unwrap();
        assert_eq!(data.nonce, nonce);

        let sends = outcome.events_of("wasm-ccmp_send");
        assert_eq!(sends.len(), 1);
        let keys: Vec<&str> = sends[0].attributes.iter().map(|a| a.key.as_str()).collect();
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
        assert_eq!(sends[0].attributes[0].value, outbox.as_str());
        assert_eq!(
            outcome.attribute("wasm-ccmp_send", "nonce"),
            Some(nonce.to_string().as_str())
        );
        assert_eq!(
            outcome.attribute("wasm-ccmp_send", "sender"),
            Some(dapp.as_str())
        );
        assert_eq!(
            outcome.attribute("wasm-ccmp_send", "size"),
            Some((nonce + 1).to_string().as_str())
        );
        let message_hex = outcome.attribute("wasm-ccmp_send", "message").unwrap();
        let message = Message::decode(&hex::decode(message_hex).unwrap()).unwrap();
        assert_eq!(message.source_chain, "chain-a");
        assert_eq!(message.sender, dapp.as_str());
        let id = message.message_id().unwrap();
        assert_eq!(data.message_id, HexBinary::from(&id));
        assert_eq!(
            outcome.attribute("wasm-ccmp_send", "message_id"),
            Some(hex::encode(id).as_str())
        );
        ids.push(id);

        // The fee moved to the outbox before it ran.
        assert_eq!(outcome.events[0].ty, "coin_spent");
        assert_eq!(outcome.attribute("transfer", "amount"), Some("5untrn"));

        // One call, priced the way wasmd prices it.
        assert_eq!(outcome.calls.len(), 1);
        let gas = outcome.calls[0].gas;
        assert_eq!(gas.instance, INSTANCE_COST);
        assert_eq!(gas.queries, 0);
        assert_eq!(gas.reply_input, 0);
        assert_eq!(outcome.gas, gas);
        assert_eq!(outcome.gas_used, gas.total);
        // At least the three fixed-size writes a send makes (PROTOCOL/README: a frontier
        // level, the lane's (size, root), the message id), each with a key under the prefix.
        assert!(gas.storage > 3 * KV_GAS.write(33, 32), "{gas}");
        println!("send {nonce}: {gas}");
    }
    assert_eq!(chain.balance(&outbox, "untrn"), Uint256::from(50u32));
    let lane: LaneResponse = chain
        .query(
            &outbox,
            &QueryMsg::Lane {
                destination_chain: "chain-b".into(),
            },
        )
        .unwrap();
    assert_eq!(lane.size, 10);
    assert_eq!(lane.root, HexBinary::from(&root(&ids)));

    // A refusal is the contract's error; nothing moves.
    let err = chain
        .execute(
            &dapp,
            &outbox,
            &ExecuteMsg::Send(SendMsg {
                destination_chain: "chain-b".into(),
                recipient: "osmo1receiver".into(),
                body: Binary::default(),
                timeout_timestamp: None,
            }),
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, TxError::ContractFailed { ref contract, .. } if *contract == outbox));
    assert_eq!(chain.balance(&dapp, "untrn"), Uint256::from(950u32));
}
