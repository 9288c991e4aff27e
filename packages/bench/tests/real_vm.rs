//! The compiled contracts on two devnet chains in the real VM, with wasmd's semantics and
//! gas: a ping/pong round trip, the spec's lane vector through the inbox wasm, failing,
//! gas-burning and panicking receivers, retry, an equivocation freeze, and `deliver_batch`
//! (what the relayer sends: every flow here goes through it) with skipped, forged,
//! failing and ordered batches.
//! Needs `scripts/build.sh`; `scripts/test.sh` runs these with `--ignored`.

use ccmp_bench::{artifact, Bridge, Direction, CHAIN_A, CHAIN_B};
use ccmp_devnet::{Chain, ChainConfig, TxError, TxOutcome};
use ccmp_devnet_receiver::{
    ExecuteMsg as ReceiverMsg, Mode, QueryMsg as ReceiverQuery, ReceivedResponse,
};
use ccmp_inbox::msg::{
    DeliverResponse, DeliveryItem, DeliveryOutcome, ExecuteMsg as InboxMsg, InstantiateMsg,
    SourceConfig, SourceResponse,
};
use ccmp_inbox::ContractError;
use ccmp_outbox::msg::{ExecuteMsg as OutboxMsg, SendMsg};
use ccmp_pingpong::msg::{ExecuteMsg as PingpongMsg, QueryMsg as PingpongQuery, StatsResponse};
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{
    AttesterSignature, Checkpoint, Message, MessageStatus, MessageStatusResponse, MultiproofError,
};
use cosmwasm_std::{from_json, Addr, Binary, HexBinary, Timestamp};
use serde_json::Value;

/// The inbox's `action` attribute of a delivery: which form the relayer sent.
fn action(outcome: &TxOutcome) -> String {
    outcome
        .attribute("wasm", "action")
        .expect("an action attribute")
        .to_string()
}

/// Every outcome was a `deliver_batch`.
fn assert_batched(outcomes: &[TxOutcome]) {
    assert!(!outcomes.is_empty());
    for outcome in outcomes {
        assert_eq!(action(outcome), "deliver_batch");
    }
}

/// The per-message outcomes of a delivery (its response data), by nonce.
fn results(outcome: &TxOutcome) -> Vec<(u64, DeliveryOutcome)> {
    let data: DeliverResponse = from_json(outcome.data.as_ref().expect("data")).unwrap();
    data.results
        .into_iter()
        .map(|r| (r.nonce, r.outcome))
        .collect()
}

/// The contract's own error of a refused transaction.
fn contract_error(err: &TxError) -> &str {
    match err {
        TxError::ContractFailed { error, .. } => error,
        other => panic!("not a contract error: {other}"),
    }
}

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
    assert_batched(&delivered);
    assert_eq!(
        values(&delivered[0], "wasm-ccmp_deliver", "status"),
        ["delivered"]
    );
    bridge.observe(&delivered[0]);
    assert_eq!(bridge.lane_ba.size(), 1);
    let back = bridge.relay(Direction::BToA, 0);
    assert_batched(&back);
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
    assert_batched(&outcomes);
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
                message: bridge.lane_ab.message(1).unwrap().clone(),
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
    assert_batched(&outcomes);
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
                message: bridge.lane_ab.message(1).unwrap().clone(),
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
    let msg = bridge.lane_ab.delivery(0, 4, 4).unwrap();
    assert!(matches!(msg, InboxMsg::DeliverBatch { .. }));
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

/// The spec's `lane` vector on a fresh chain-b with the compiled inbox: both checkpoints
/// stored (size 4 signed here by the vectors' keys; size 7 with the vectors' own signatures
/// and consistency proof). Returns the chain, the inbox, the caller and the vectors.
fn spec_lane_inbox(ordered: bool) -> (Chain, Addr, Addr, Value) {
    let vectors: Value =
        serde_json::from_str(include_str!("../../types/tests/data/vectors.json")).unwrap();
    let lane = &vectors["lane"];
    let keys: Vec<AttesterKey> = vectors["keys"]["secp256k1_secret_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| AttesterKey::secp256k1(&hex_of(s)).unwrap())
        .chain(
            vectors["keys"]["ed25519_seed_hex"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| AttesterKey::ed25519(&hex_of(s)).unwrap()),
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
                    ordered,
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
        root: HexBinary::from(hex_of(&lane["root_at_4_hex"])),
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
            signature: Binary::new(hex_of(&entry["signature_hex"])),
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
                    root: HexBinary::from(hex_of(&lane["checkpoint"]["root_hex"])),
                },
                signatures,
                consistency_proof: hex_list(&lane["consistency_from_4_hex"]),
            },
            &[],
        )
        .unwrap();
    assert_eq!(values(&outcome, "wasm-ccmp_checkpoint", "size"), ["7"]);
    (chain, inbox, owner, vectors)
}

fn hex_of(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn hex_list(v: &Value) -> Vec<HexBinary> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| HexBinary::from(hex_of(n)))
        .collect()
}

/// The vectors' lane messages.
fn spec_messages(vectors: &Value) -> Vec<Message> {
    vectors["lane"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let timeout = m["timeout_timestamp"].as_u64().unwrap();
            Message {
                nonce: m["nonce"].as_u64().unwrap(),
                source_chain: m["source_chain"].as_str().unwrap().into(),
                sender: m["sender"].as_str().unwrap().into(),
                destination_chain: m["destination_chain"].as_str().unwrap().into(),
                recipient: m["recipient"].as_str().unwrap().into(),
                timeout_timestamp: (timeout != 0).then(|| Timestamp::from_nanos(timeout)),
                body: Binary::new(hex_of(&m["body_hex"])),
            }
        })
        .collect()
}

fn spec_ids(vectors: &Value) -> Vec<String> {
    vectors["lane"]["ids_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect()
}

const NOT_AN_ADDRESS: &str = "recipient \"cosmwasm1receiver\" is not a valid address on this chain";

/// The spec's `lane` vector through the compiled inbox: both checkpoints and all seven
/// messages with their inclusion proofs. The vectors' recipient `cosmwasm1receiver` is
/// not an address of this chain, so each proven message is recorded `failed` with that
/// reason: the proofs, ids and signatures are what this checks.
#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn the_spec_lane_vector_through_the_inbox_wasm() {
    let (mut chain, inbox, owner, vectors) = spec_lane_inbox(true);
    let items: Vec<DeliveryItem> = spec_messages(&vectors)
        .into_iter()
        .zip(vectors["lane"]["proofs_hex"].as_array().unwrap())
        .map(|(message, proof)| DeliveryItem {
            message,
            checkpoint_size: 7,
            proof: hex_list(proof),
        })
        .collect();
    let outcome = chain
        .execute(&owner, &inbox, &InboxMsg::Deliver { items }, &[])
        .unwrap();
    assert_eq!(
        values(&outcome, "wasm-ccmp_deliver", "message_id"),
        spec_ids(&vectors)
    );
    assert_eq!(
        values(&outcome, "wasm-ccmp_deliver", "error"),
        vec![NOT_AN_ADDRESS; 7]
    );
    let _ = CHAIN_A;
}

/// The relayer builds the spec's `multiproof.lane_batch` (nonces 1, 2, 3, 5 at checkpoint
/// 7) byte for byte, and the compiled inbox proves it; the rest of the lane follows in a
/// second batch from the same checkpoint.
#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn the_spec_lane_batch_from_the_relayer_through_the_inbox_wasm() {
    let (mut chain, inbox, owner, vectors) = spec_lane_inbox(false);
    let messages = spec_messages(&vectors);
    let lane = ccmp_relayer::LaneFollower::with_messages("chain-a", "chain-b", messages).unwrap();
    let msg = lane.deliver_batch(&[1, 2, 3, 5], 7).unwrap();
    assert_eq!(
        serde_json::to_value(&msg).unwrap(),
        vectors["multiproof"]["lane_batch"]["execute_msg"]
    );
    let outcome = chain.execute(&owner, &inbox, &msg, &[]).unwrap();
    assert_eq!(action(&outcome), "deliver_batch");
    let ids = spec_ids(&vectors);
    assert_eq!(
        values(&outcome, "wasm-ccmp_deliver", "message_id"),
        [1, 2, 3, 5].map(|n| ids[n].clone())
    );
    assert_eq!(
        results(&outcome),
        [1, 2, 3, 5].map(|n| (n, DeliveryOutcome::Failed))
    );
    let rest = lane.deliver_batch(&[0, 4, 6], 7).unwrap();
    let outcome = chain.execute(&owner, &inbox, &rest, &[]).unwrap();
    assert_eq!(
        values(&outcome, "wasm-ccmp_deliver", "error"),
        vec![NOT_AN_ADDRESS; 3]
    );
}

/// What a refused call must leave as it was: every status of the lane, the source and the
/// receiver's record.
fn snapshot(bridge: &Bridge, receiver: &Addr) -> (Vec<MessageStatusResponse>, SourceResponse, u64) {
    let statuses = (0..bridge.lane_ab.size())
        .map(|n| bridge.b.status(CHAIN_A, n))
        .collect();
    let received: ReceivedResponse = bridge
        .b
        .chain
        .query(receiver, &ReceiverQuery::Received {})
        .unwrap();
    (statuses, bridge.b.source(CHAIN_A), received.count)
}

/// The compiled inbox's `deliver_batch`: a batch mixing a delivered and a new message, a
/// forged message inside a batch, a receiver failing inside a batch.
#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn deliver_batch_skips_refuses_and_fails_per_message_in_the_real_vm() {
    let mut bridge = Bridge::new(false);
    let receiver = bridge.b.receiver.clone();
    send_to_b(&mut bridge, &receiver, 6);
    bridge.submit_checkpoint(Direction::AToB).unwrap().unwrap();
    let relayer = bridge.b.relayer.clone();
    let inbox = bridge.b.inbox.clone();

    // Nonce 0 alone, then 0 and 1 together: 0 is skipped (no event), 1 dispatched.
    bridge.deliver(Direction::AToB, 0, 1);
    let mixed = bridge.lane_ab.deliver_batch(&[0, 1], 6).unwrap();
    let outcome = bridge
        .b
        .chain
        .execute(&relayer, &inbox, &mixed, &[])
        .unwrap();
    assert_eq!(
        results(&outcome),
        [
            (0, DeliveryOutcome::Skipped),
            (1, DeliveryOutcome::Dispatched)
        ]
    );
    assert_eq!(values(&outcome, "wasm-ccmp_deliver", "nonce"), ["1"]);
    assert_eq!(
        values(&outcome, "wasm-ccmp_deliver", "status"),
        ["delivered"]
    );

    // A forged message 3 (another body, same everything else) beside the real 2: the
    // multiproof no longer reaches the root, the whole call is refused with the exact
    // error, and nothing changed.
    let before = snapshot(&bridge, &receiver);
    let InboxMsg::DeliverBatch {
        source_chain,
        checkpoint_size,
        mut messages,
        proof,
    } = bridge.lane_ab.deliver_batch(&[2, 3], 6).unwrap()
    else {
        unreachable!()
    };
    let forged = Message {
        body: Binary::from(b"{\"n\":999}".as_slice()),
        ..bridge.lane_ab.message(3).unwrap().clone()
    };
    messages[1] = Binary::new(forged.encode().unwrap());
    let err = bridge
        .b
        .chain
        .execute(
            &relayer,
            &inbox,
            &InboxMsg::DeliverBatch {
                source_chain,
                checkpoint_size,
                messages,
                proof,
            },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        contract_error(&err),
        ContractError::InvalidMultiproof {
            chain: CHAIN_A.into(),
            size: 6,
            count: 2,
            reason: MultiproofError::RootMismatch,
        }
        .to_string()
    );
    assert_eq!(snapshot(&bridge, &receiver), before);

    // A receiver failing inside a batch: that message is failed (with the chain's error),
    // the others of the batch are delivered.
    let failing = {
        let code = bridge
            .b
            .chain
            .store_code(&artifact("test/ccmp_devnet_receiver.wasm"))
            .unwrap();
        let owner = bridge.b.owner.clone();
        bridge
            .b
            .chain
            .instantiate(
                code,
                &owner,
                &ccmp_devnet_receiver::InstantiateMsg {
                    mode: Some(Mode::Fail),
                },
                &[],
                "failing receiver",
            )
            .unwrap()
            .0
    };
    for recipient in [&receiver, &failing, &receiver] {
        send_to_b(&mut bridge, &recipient.clone(), 1);
    }
    // Nonces 2..9: 2 to 5 and 6, 8 to the good receiver, 7 to the failing one.
    let outcomes = bridge.relay(Direction::AToB, 2);
    assert_batched(&outcomes);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        results(&outcomes[0]),
        (2..9)
            .map(|n| (n, DeliveryOutcome::Dispatched))
            .collect::<Vec<_>>()
    );
    let statuses: Vec<MessageStatus> = (0..9).map(|n| bridge.b.status(CHAIN_A, n).status).collect();
    let mut expected = vec![MessageStatus::Delivered; 9];
    expected[7] = MessageStatus::Failed;
    assert_eq!(statuses, expected);
    assert_eq!(
        bridge.b.status(CHAIN_A, 7).error.as_deref(),
        Some("kind: Other, error: receiver refuses nonce 7: execute wasm contract failed")
    );
    assert_eq!(
        values(&outcomes[0], "wasm-ccmp_deliver", "status"),
        [
            "delivered",
            "delivered",
            "delivered",
            "delivered",
            "delivered",
            "delivered",
            "delivered",
            "failed"
        ]
    );
    let received: ReceivedResponse = bridge
        .b
        .chain
        .query(&receiver, &ReceiverQuery::Received {})
        .unwrap();
    assert_eq!(received.count, 8);
}

/// An ordered lane through `deliver_batch`: a batch moves the next nonce past all of its
/// messages, a batch with a gap is refused with the exact error and changes nothing, and a
/// batch reaching back below the next nonce skips what is behind it.
#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn an_ordered_lane_in_batches_in_the_real_vm() {
    let mut bridge = Bridge::new(true);
    let receiver = bridge.b.receiver.clone();
    send_to_b(&mut bridge, &receiver, 6);
    bridge.submit_checkpoint(Direction::AToB).unwrap().unwrap();
    let relayer = bridge.b.relayer.clone();
    let inbox = bridge.b.inbox.clone();

    let outcomes = bridge.deliver(Direction::AToB, 0, 3);
    assert_batched(&outcomes);
    assert_eq!(bridge.b.source(CHAIN_A).next_nonce, Some(3));

    // 3 and 5: 5 is above the next nonce once 3 is in.
    let before = snapshot(&bridge, &receiver);
    let gap = bridge.lane_ab.deliver_batch(&[3, 5], 6).unwrap();
    let err = bridge
        .b
        .chain
        .execute(&relayer, &inbox, &gap, &[])
        .unwrap_err();
    assert_eq!(
        contract_error(&err),
        ContractError::NonceGap {
            chain: CHAIN_A.into(),
            nonce: 5,
            expected: 4,
        }
        .to_string()
    );
    assert_eq!(snapshot(&bridge, &receiver), before);

    // 2 to 5: 2 is behind the next nonce (skipped), 3, 4 and 5 go in order.
    let behind = bridge.lane_ab.deliver_batch(&[2, 3, 4, 5], 6).unwrap();
    let outcome = bridge
        .b
        .chain
        .execute(&relayer, &inbox, &behind, &[])
        .unwrap();
    assert_eq!(
        results(&outcome),
        [
            (2, DeliveryOutcome::Skipped),
            (3, DeliveryOutcome::Dispatched),
            (4, DeliveryOutcome::Dispatched),
            (5, DeliveryOutcome::Dispatched)
        ]
    );
    assert_eq!(bridge.b.source(CHAIN_A).next_nonce, Some(6));
    let received: ReceivedResponse = bridge
        .b
        .chain
        .query(&receiver, &ReceiverQuery::Received {})
        .unwrap();
    assert_eq!(received.count, 6);
    assert_eq!(
        received.last.unwrap().nonce,
        5,
        "the receiver saw them in nonce order"
    );
}
