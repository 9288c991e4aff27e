//! The RPC backend's decoding against answers captured from a real node (wasmd v0.61.14,
//! CometBFT 0.38.19, chain ccmp-a of the localnet): no node needed.
//!
//! tests/data/: `block_results_847.json` and `block_847.json`, the block of an outbox
//! `send` (one transaction, its `wasm-ccmp_send`); `block_results_848.json` and
//! `block_848.json`, a block whose one transaction failed (a send to an unknown
//! destination, code 5); `tx_847.json`, `/tx` of the send.

use ccmp_chain::rpc::{
    address_of, block_contract_events, emitted_by, last_msg_data, result_data, to_event, tx_hash,
};
use serde_json::Value;
use tendermint_rpc::endpoint::{block, block_results, tx};

const OUTBOX: &str = "ccmpa1zh9gzcw3j5jd53ulfjx9lj4088plur7xy3jayndwr7jxrdqhg7jq2ys6hf";
const SEND_TX: &str = "23FFD4894A9269ED047696E374C3AF226D8F0157E38CC9BA6AC2A1211D59FF23";

fn result(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut answer: Value = serde_json::from_str(&text).unwrap();
    answer["result"].take()
}

fn block_results(height: u64) -> block_results::Response {
    serde_json::from_value(result(&format!("block_results_{height}.json"))).unwrap()
}

fn block_txs(height: u64) -> Vec<Vec<u8>> {
    let block: block::Response =
        serde_json::from_value(result(&format!("block_{height}.json"))).unwrap();
    block.block.data
}

#[test]
fn block_results_of_cometbft_038_decode() {
    let results = block_results(847);
    assert_eq!(results.height.value(), 847);
    let txs = results.txs_results.as_ref().unwrap();
    assert_eq!(txs.len(), 1);
    assert!(txs[0].code.is_ok());
    // 0.38: no begin/end block events, the block's own events in finalize_block_events.
    assert!(!results.finalize_block_events.is_empty());
    assert!(results.begin_block_events.is_none());
    assert!(results.end_block_events.is_none());
    let kinds: Vec<&str> = txs[0].events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"wasm-ccmp_send"), "{kinds:?}");
}

#[test]
fn contract_events_of_a_send() {
    let results = block_results(847);
    let txs = block_txs(847);
    assert_eq!(tx_hash(&txs[0]), SEND_TX);
    let events = block_contract_events(&results, Some(&txs), OUTBOX).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let send = &events[0];
    assert_eq!(send.height, 847);
    assert_eq!(send.txhash, SEND_TX);
    assert_eq!(send.event.ty, "wasm-ccmp_send");
    assert_eq!(send.attribute("_contract_address"), Some(OUTBOX));
    assert_eq!(send.attribute("nonce"), Some("0"));
    assert_eq!(send.attribute("destination_chain"), Some("ccmp-b"));
    // The `execute` event carries the address too but is wasmd's, not the contract's.
    assert!(events.iter().all(|e| e.event.ty.starts_with("wasm")));

    // Another contract's filter sees nothing; without the block the hash is missing.
    let other = "ccmpa14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";
    assert!(block_contract_events(&results, Some(&txs), other)
        .unwrap()
        .is_empty());
    assert!(block_contract_events(&results, None, OUTBOX).is_err());
}

#[test]
fn a_failed_transaction_emits_nothing() {
    let results = block_results(848);
    let txs = results.txs_results.as_ref().unwrap();
    assert_eq!(txs[0].code.value(), 5);
    assert!(txs[0].log.contains("is not configured"));
    let events = block_contract_events(&results, Some(&block_txs(848)), OUTBOX).unwrap();
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn forged_and_unprefixed_events_are_not_the_contracts() {
    let mut answer = result("block_results_847.json");
    let events = answer["txs_results"][0]["events"].as_array_mut().unwrap();
    let send = events
        .iter()
        .find(|e| e["type"] == "wasm-ccmp_send")
        .unwrap()
        .clone();
    // The same event claimed by another address, and one without the `wasm` prefix.
    let mut forged = send.clone();
    for a in forged["attributes"].as_array_mut().unwrap() {
        if a["key"] == "_contract_address" {
            a["value"] = "ccmpa1someoneelse".into();
        }
    }
    let mut unprefixed = send.clone();
    unprefixed["type"] = "ccmp_send".into();
    // A contract's event in the block's own events (a sudo at end block).
    let mut end_block = send.clone();
    end_block["attributes"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"key": "mode", "value": "EndBlock", "index": false}));
    events.push(forged);
    events.push(unprefixed);
    answer["finalize_block_events"]
        .as_array_mut()
        .unwrap()
        .push(end_block);
    let results: block_results::Response = serde_json::from_value(answer).unwrap();
    let found = block_contract_events(&results, Some(&block_txs(847)), OUTBOX).unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].txhash, SEND_TX);
    assert_eq!(
        found[1].txhash, "",
        "the end-block event comes last, with no tx"
    );
    let forged = to_event(&results.txs_results.as_ref().unwrap()[0].events[10]);
    assert!(!emitted_by(&forged, OUTBOX));
    assert!(emitted_by(&forged, "ccmpa1someoneelse"));
}

#[test]
fn tx_data_is_the_sends_response() {
    let answer: tx::Response = serde_json::from_value(result("tx_847.json")).unwrap();
    assert_eq!(answer.hash.to_string(), SEND_TX);
    assert_eq!(tx_hash(&answer.tx), SEND_TX);
    // tendermint-rpc 0.40 leaves the 0.38 `data` as its base64 text.
    let raw = answer.tx_result.data.to_vec();
    assert!(last_msg_data(&raw).is_err());
    let data = last_msg_data(&result_data(&raw)).unwrap().expect("data");
    let response: Value = serde_json::from_slice(&data).unwrap();
    assert_eq!(response["nonce"], 0);
    assert_eq!(response["message_id"].as_str().unwrap().len(), 64);
}

#[test]
fn address_of_a_known_key() {
    // Secret key 1: its public key is the generator, whose HASH160 (RIPEMD-160 of SHA-256
    // of the compressed point) is the well-known 751e76e8199196d454941c45d1b3a323f1433bd6.
    let mut one = [0u8; 32];
    one[31] = 1;
    let hash160 = hex::decode("751e76e8199196d454941c45d1b3a323f1433bd6").unwrap();
    let expected =
        bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("cosmos").unwrap(), &hash160).unwrap();
    assert_eq!(address_of(&one, "cosmos").unwrap(), expected);
    assert_eq!(
        address_of(&one, "cosmos").unwrap(),
        "cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c"
    );
    assert!(address_of(&[0u8; 32], "cosmos").is_err(), "zero is no key");
}
