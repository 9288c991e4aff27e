//! The compiled contracts on two devnet chains in the real VM, with wasmd's semantics and
//! gas: a ping/pong round trip, the spec's lane vector through the inbox wasm, failing,
//! gas-burning and panicking receivers, retry, and an equivocation freeze.
//! Needs `scripts/build.sh`; `scripts/test.sh` runs these with `--ignored`.

use ccmp_bench::{artifact, Bridge, Direction, CHAIN_A, CHAIN_B};
use ccmp_devnet::{Chain, ChainConfig, TxOutcome};
use ccmp_devnet_receiver::{
    ExecuteMsg as ReceiverMsg, Mode, QueryMsg as ReceiverQuery, ReceivedResponse,
};
use ccmp_inbox::msg::{DeliveryItem, ExecuteMsg as InboxMsg, InstantiateMsg, SourceConfig};
use ccmp_outbox::msg::{ExecuteMsg as OutboxMsg, SendMsg};
use ccmp_pingpong::msg::{ExecuteMsg as PingpongMsg, QueryMsg as PingpongQuery, StatsResponse};
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{AttesterSignature, Checkpoint, MessageStatus};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp};
use serde_json::Value;

fn values(outcome: &TxOutcome, ty: &str, key: &str) -> Vec<String> {
    outcome
        .events_of(ty)
        .iter()
        .flat_map(|e| e.attributes.iter())
        .filter(|a| a.key == key)
        .map(|a| a.value.clone())
        .collect()
}

/// The user on chain A sends `count` messages to `recipient` on chain B.
fn send_to_b(bridge: &mut Bridge, recipient: &Addr, count: u64) {
    for n in 0..count {
        let user = bridge.a.user.clone();
        let outcome = bridge
            .a
            .chain
            .execute(
                &user,
                &bridge.a.outbox,
                &OutboxMsg::Send(SendMsg {
                    destination_chain: CHAIN_B.into(),
                    recipient: recipient.to_string(),
                    body: Binary::from(format!("{{\"n\":{n}}}").into_bytes()),
                    timeout_timestamp: None,
                }),
                &[],
            )
            .expect("send");
        bridge.observe(&outcome);
    }
}

fn set_mode(bridge: &mut Bridge, receiver: &Addr, mode: Mode) {
    let owner = bridge.b.owner.clone();
    bridge
        .b
        .chain
        .execute(&owner, receiver, &ReceiverMsg::SetMode { mode }, &[])
        .expect("set_mode");
}

#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn ping_and_pong_cross_both_chains() {
    let mut bridge = Bridge::new(false);
    let user = bridge.a.user.clone();
    let outcome = bridge
        .a
        .chain
        .execute(
            &user,
            &bridge.a.pingpong,
            &PingpongMsg::Ping {
                destination_chain: CHAIN_B.into(),
                text: "hello".into(),
            },
            &[],
        )
        .expect("ping");
    bridge.observe(&outcome);
    assert_eq!(bridge.lane_ab.size(), 1);

    // Delivering the ping on chain B makes B's pingpong send the pong in the same
    // transaction: the relayer sees it in the deliver's events.
    let delivered = bridge.relay(Direction::AToB, 0);
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        values(&delivered[0], "wasm-ccmp_deliver", "status"),
        ["delivered"]
    );
    bridge.observe(&delivered[0]);
    assert_eq!(bridge.lane_ba.size(), 1);
    let back = bridge.relay(Direction::BToA, 0);
    assert_eq!(
        values(&back[0], "wasm-ccmp_deliver", "status"),
        ["delivered"]
    );

    let stats_a: StatsResponse = bridge
        .a
        .chain
        .query(&bridge.a.pingpong, &PingpongQuery::Stats {})
        .unwrap();
    let stats_b: StatsResponse = bridge
        .b
        .chain
        .query(&bridge.b.pingpong, &PingpongQuery::Stats {})
        .unwrap();
    assert_eq!((stats_a.pings_sent, stats_a.pongs_received), (1, 1));
    assert_eq!((stats_b.pings_received, stats_b.pongs_sent), (1, 1));
    assert_eq!(bridge.b.status(CHAIN_A, 0).status, MessageStatus::Delivered);
    assert_eq!(bridge.a.status(CHAIN_B, 0).status, MessageStatus::Delivered);
}

#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn a_failing_receiver_is_recorded_with_the_chain_error_then_retried() {
    let mut bridge = Bridge::new(true);
    let receiver = bridge.b.receiver.clone();
    set_mode(&mut bridge, &receiver, Mode::Fail);
    send_to_b(&mut bridge, &receiver, 3);
    let outcomes = bridge.relay(Direction::AToB, 0);
    assert_eq!(
        values(&outcomes[0], "wasm-ccmp_deliver", "status"),
        [
            "delivered",
            "delivered",
            "delivered",
            "failed",
            "failed",
            "failed"
        ]
    );
    let failed = bridge.b.status(CHAIN_A, 1);
    assert_eq!(failed.status, MessageStatus::Failed);
    // wasmd hands a contract's own error to the reply.
    assert_eq!(
        failed.error.as_deref(),
        Some("kind: Other, error: receiver refuses nonce 1: execute wasm contract failed")
    );
    // The ordered lane moved on past the failures.
    assert_eq!(bridge.b.source(CHAIN_A).next_nonce, Some(3));

    set_mode(&mut bridge, &receiver, Mode::Record);
    let relayer = bridge.b.relayer.clone();
    let outcome = bridge
        .b
        .chain
        .execute(
            &relayer,
            &bridge.b.inbox,
            &InboxMsg::Retry {
                message: bridge.lane_ab.messages[1].clone(),
                gas_limit: None,
            },
            &[],
        )
        .expect("retry");
    assert_eq!(values(&outcome, "wasm-ccmp_retry", "attempts"), ["2"]);
    let delivered = bridge.b.status(CHAIN_A, 1);
    assert_eq!(delivered.status, MessageStatus::Delivered);
    assert_eq!(delivered.attempts, 2);
    let received: ReceivedResponse = bridge
        .b
        .chain
        .query(&receiver, &ReceiverQuery::Received {})
        .unwrap();
    assert_eq!(received.count, 1);
    assert_eq!(received.last.unwrap().nonce, 1);
}

#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn receivers_that_burn_their_gas_or_panic_fail_alone() {
    let mut bridge = Bridge::new(false);
    let good = bridge.b.receiver.clone();
    let code = bridge
        .b
        .chain
        .store_code(&artifact("test/ccmp_devnet_receiver.wasm"))
        .unwrap();
    let owner = bridge.b.owner.clone();
    let mut bad = vec![];
    for mode in [Mode::Burn, Mode::Panic] {
        let (address, _) = bridge
            .b
            .chain
            .instantiate(
                code,
                &owner,
                &ccmp_devnet_receiver::InstantiateMsg { mode: Some(mode) },
                &[],
                "bad receiver",
            )
            .unwrap();
        bad.push(address);
    }
    // good, burn, good, panic, good
    for recipient in [&good, &bad[0], &good, &bad[1], &good] {
        send_to_b(&mut bridge, &recipient.clone(), 1);
    }
    let outcomes = bridge.relay(Direction::AToB, 0);
    assert_eq!(outcomes.len(), 1);
    let statuses: Vec<MessageStatus> = (0..5).map(|n| bridge.b.status(CHAIN_A, n).status).collect();
    assert_eq!(
        statuses,
        [
            MessageStatus::Delivered,
            MessageStatus::Failed,
            MessageStatus::Delivered,
            MessageStatus::Failed,
            MessageStatus::Delivered
        ]
    );
    // Out of gas inside the limit is what wasmd reports for it; the batch went on.
    assert_eq!(
        bridge.b.status(CHAIN_A, 1).error.as_deref(),
        Some("codespace: sdk, code: 11")
    );
    let panic_error = bridge.b.status(CHAIN_A, 3).error.unwrap();
    assert!(!panic_error.is_empty());
    let received: ReceivedResponse = bridge
        .b
        .chain
        .query(&good, &ReceiverQuery::Received {})
        .unwrap();
    assert_eq!(received.count, 3);
    // The burner could spend no more than its limit: the transaction stayed well inside
    // the chain's 10,000,000.
    assert!(
        outcomes[0].gas_used < 10_000_000 - 1_000_000,
        "{}",
        outcomes[0].gas_used
    );
    assert!(outcomes[0].gas_used > ccmp_inbox::DEFAULT_RECEIVE_GAS_LIMIT);

    // A retry may ask for more gas, up to the source's maximum, and still fails alone.
    let relayer = bridge.b.relayer.clone();
    let outcome = bridge
        .b
        .chain
        .execute(
            &relayer,
            &bridge.b.inbox,
            &InboxMsg::Retry {
                message: bridge.lane_ab.messages[1].clone(),
                gas_limit: Some(ccmp_inbox::DEFAULT_MAX_RECEIVE_GAS_LIMIT),
            },
            &[],
        )
        .expect("retry");
    assert_eq!(values(&outcome, "wasm-ccmp_deliver", "status"), ["failed"]);
    assert_eq!(bridge.b.status(CHAIN_A, 1).attempts, 2);
}

#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn an_attested_conflicting_root_freezes_the_source() {
    let mut bridge = Bridge::new(false);
    let receiver = bridge.b.receiver.clone();
    send_to_b(&mut bridge, &receiver, 4);
    bridge.submit_checkpoint(Direction::AToB).unwrap().unwrap();
    let forged = Checkpoint {
        source_chain: CHAIN_A.into(),
        size: 4,
        root: HexBinary::from(&[0xab; 32]),
    };
    let digest = forged.digest(bridge.a.outbox.as_str(), CHAIN_B).unwrap();
    let signatures = bridge.signers_ab.sign_quorum(&digest);
    let relayer = bridge.b.relayer.clone();
    let outcome = bridge
        .b
        .chain
        .execute(
            &relayer,
            &bridge.b.inbox,
            &InboxMsg::SubmitCheckpoint {
                checkpoint: forged,
                signatures,
                consistency_proof: vec![],
            },
            &[],
        )
        .expect("the freeze is a successful transaction");
    assert_eq!(
        values(&outcome, "wasm-ccmp_source_frozen", "conflicting_root"),
        ["ab".repeat(32)]
    );
    assert!(bridge.b.source(CHAIN_A).frozen.is_some());
    let msg = bridge.lane_ab.deliver(0, 4, 4).unwrap();
    let err = bridge
        .b
        .chain
        .execute(&relayer, &bridge.b.inbox, &msg, &[])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("source \"chain-a\" is frozen (rollback at most to size 4)"),
        "{err}"
    );
}

/// The spec's `lane` vector through the compiled inbox: both checkpoints (size 4 signed here
/// by the vectors' keys; size 7 with the vectors' own signatures and consistency proof)
/// and all seven messages with their proofs. The vectors' recipient `cosmwasm1receiver` is
/// not an address of this chain, so each proven message is recorded `failed` with that
/// reason: the proofs, ids and signatures are what this checks.
#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn the_spec_lane_vector_through_the_inbox_wasm() {
    let vectors: Value =
        serde_json::from_str(include_str!("../../types/tests/data/vectors.json")).unwrap();
    let lane = &vectors["lane"];
    let hex = |v: &Value| hex::decode(v.as_str().unwrap()).unwrap();
    let hex_list = |v: &Value| -> Vec<HexBinary> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| HexBinary::from(hex(n)))
            .collect()
    };
    let keys: Vec<AttesterKey> = vectors["keys"]["secp256k1_secret_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| AttesterKey::secp256k1(&hex(s)).unwrap())
        .chain(
            vectors["keys"]["ed25519_seed_hex"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| AttesterKey::ed25519(&hex(s)).unwrap()),
        )
        .collect();
    let signers = SignerSet::weighted(keys, &[1; 6], 4);

    let mut chain = Chain::new(ChainConfig::new("chain-b", "cosmwasm")).unwrap();
    let owner = chain.account("owner");
    let code = chain.store_code(&artifact("ccmp_inbox.wasm")).unwrap();
    let (inbox, _) = chain
        .instantiate(
            code,
            &owner,
            &InstantiateMsg {
                owner: None,
                chain_id: None,
                sources: Some(vec![SourceConfig {
                    chain: "chain-a".into(),
                    outbox: "cosmwasm1outbox".into(),
                    attesters: signers.set.clone(),
                    ordered: true,
                    receive_gas_limit: None,
                    max_receive_gas_limit: None,
                }]),
                max_batch_size: None,
                max_body_bytes: None,
                trust_delay_seconds: 0,
            },
            &[],
            "inbox",
        )
        .unwrap();
    let at_4 = Checkpoint {
        source_chain: "chain-a".into(),
        size: 4,
        root: HexBinary::from(hex(&lane["root_at_4_hex"])),
    };
    let digest = at_4.digest("cosmwasm1outbox", "chain-b").unwrap();
    chain
        .execute(
            &owner,
            &inbox,
            &InboxMsg::SubmitCheckpoint {
                checkpoint: at_4,
                signatures: signers.sign_all(&digest),
                consistency_proof: vec![],
            },
            &[],
        )
        .unwrap();
    let signatures: Vec<AttesterSignature> = lane["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, entry)| AttesterSignature {
            index: index as u32,
            signature: Binary::new(hex(&entry["signature_hex"])),
        })
        .collect();
    let outcome = chain
        .execute(
            &owner,
            &inbox,
            &InboxMsg::SubmitCheckpoint {
                checkpoint: Checkpoint {
                    source_chain: "chain-a".into(),
                    size: 7,
                    root: HexBinary::from(hex(&lane["checkpoint"]["root_hex"])),
                },
                signatures,
                consistency_proof: hex_list(&lane["consistency_from_4_hex"]),
            },
            &[],
        )
        .unwrap();
    assert_eq!(values(&outcome, "wasm-ccmp_checkpoint", "size"), ["7"]);

    let items: Vec<DeliveryItem> = lane["messages"]
        .as_array()
        .unwrap()
        .iter()
        .zip(lane["proofs_hex"].as_array().unwrap())
        .map(|(m, proof)| {
            let timeout = m["timeout_timestamp"].as_u64().unwrap();
            DeliveryItem {
                message: ccmp_types::Message {
                    nonce: m["nonce"].as_u64().unwrap(),
                    source_chain: m["source_chain"].as_str().unwrap().into(),
                    sender: m["sender"].as_str().unwrap().into(),
                    destination_chain: m["destination_chain"].as_str().unwrap().into(),
                    recipient: m["recipient"].as_str().unwrap().into(),
                    timeout_timestamp: (timeout != 0).then(|| Timestamp::from_nanos(timeout)),
                    body: Binary::new(hex(&m["body_hex"])),
                },
                checkpoint_size: 7,
                proof: hex_list(proof),
            }
        })
        .collect();
    let outcome = chain
        .execute(&owner, &inbox, &InboxMsg::Deliver { items }, &[])
        .unwrap();
    let ids: Vec<String> = lane["ids_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    assert_eq!(values(&outcome, "wasm-ccmp_deliver", "message_id"), ids);
    assert_eq!(
        values(&outcome, "wasm-ccmp_deliver", "error"),
        vec!["recipient \"cosmwasm1receiver\" is not a valid address on this chain"; 7]
    );
    let _ = CHAIN_A;
}
