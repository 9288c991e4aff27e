//! `deliver_batch` (PROTOCOL.md §8): one multiproof for many messages of one lane, then §7
//! per message exactly as `deliver`; every bad input a typed error with state untouched.

mod common;

use ccmp_inbox::msg::{DeliveryOutcome, ExecuteMsg};
use ccmp_inbox::ContractError;
use ccmp_types::{MessageError, MessageStatus, MultiproofError};
use common::*;
use cosmwasm_std::{to_json_binary, Binary};
use cw_multi_test::Executor;

/// Replaces the batch's messages and proof (to tamper with them).
fn with_parts(msg: &ExecuteMsg, edit: impl FnOnce(&mut Vec<Binary>, &mut Vec<u8>)) -> ExecuteMsg {
    let ExecuteMsg::DeliverBatch {
        source_chain,
        checkpoint_size,
        messages,
        proof,
    } = msg.clone()
    else {
        panic!("not a batch");
    };
    let mut messages = messages;
    let mut proof = proof.to_vec();
    edit(&mut messages, &mut proof);
    ExecuteMsg::DeliverBatch {
        source_chain,
        checkpoint_size,
        messages,
        proof: Binary::new(proof),
    }
}

mod delivering {
    use super::*;

    #[test]
    fn one_multiproof_delivers_the_batch_in_nonce_order() {
        let mut suite = Suite::with_messages(20);
        let nonces = [1, 2, 3, 5, 8, 13];
        let response = suite.relay(&suite.lane.batch(&nonces, 20)).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            nonces.map(|n| (n, DeliveryOutcome::Dispatched))
        );
        assert_eq!(suite.received_nonces(), nonces);
        assert_eq!(
            event_values(&response, "ccmp_deliver", "status"),
            ["delivered"; 6]
        );
        // The receiver sees exactly what `deliver` would give it.
        let received = suite.received();
        assert_eq!(
            received[3].message_id,
            cosmwasm_std::HexBinary::from(&suite.lane.ids[5])
        );
        assert_eq!(received[3].body, suite.lane.messages[5].body);
        for nonce in nonces {
            assert_eq!(suite.status(SOURCE, nonce).status, MessageStatus::Delivered);
        }
        assert_eq!(suite.status(SOURCE, 4).status, MessageStatus::Unknown);
    }

    #[test]
    fn a_batch_covering_the_whole_checkpoint_needs_no_proof_hashes() {
        let mut suite = Suite::with_messages(4);
        let batch = suite.lane.batch(&[0, 1, 2, 3], 4);
        let ExecuteMsg::DeliverBatch { proof, .. } = &batch else {
            unreachable!()
        };
        assert!(proof.is_empty());
        suite.relay(&batch).unwrap();
        assert_eq!(suite.received_nonces(), [0, 1, 2, 3]);
    }

    #[test]
    fn processed_messages_are_skipped_and_a_replayed_batch_changes_nothing() {
        let mut suite = Suite::with_messages(6);
        suite.deliver(vec![suite.lane.item(2, 6)]).unwrap();
        let batch = suite.lane.batch(&[1, 2, 3], 6);
        let response = suite.relay(&batch).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (1, DeliveryOutcome::Dispatched),
                (2, DeliveryOutcome::Skipped),
                (3, DeliveryOutcome::Dispatched)
            ]
        );
        let before = suite.snapshot();
        let response = suite.relay(&batch).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [1, 2, 3].map(|n| (n, DeliveryOutcome::Skipped))
        );
        // Skipped items put nothing in the event log and change nothing.
        assert_eq!(
            event_values(&response, "ccmp_deliver", "nonce"),
            Vec::<String>::new()
        );
        assert_eq!(suite.snapshot(), before);
        assert_eq!(suite.received_nonces(), [2, 1, 3]);
    }

    #[test]
    fn timeouts_failures_and_bad_recipients_are_recorded_per_message() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let past = suite.now().minus_seconds(1);
        suite.lane.push(&receiver, b"on time", None);
        suite.lane.push(&receiver, b"late", Some(past));
        suite.lane.push("not-an-address", b"nowhere", None);
        suite.lane.push(suite.inbox.as_str(), b"to the inbox", None);
        suite.lane.push(&receiver, &[1u8; 70_000], None);
        suite.lane.push(&receiver, b"last", None);
        suite.submit(6).unwrap();
        let response = suite
            .relay(&suite.lane.batch(&[0, 1, 2, 3, 4, 5], 6))
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (0, DeliveryOutcome::Dispatched),
                (1, DeliveryOutcome::TimedOut),
                (2, DeliveryOutcome::Failed),
                (3, DeliveryOutcome::Failed),
                (4, DeliveryOutcome::Failed),
                (5, DeliveryOutcome::Dispatched),
            ]
        );
        assert_eq!(suite.received_nonces(), [0, 5]);
        assert_eq!(suite.status(SOURCE, 1).status, MessageStatus::TimedOut);
        let errors: Vec<Option<String>> = (2..5).map(|n| suite.status(SOURCE, n).error).collect();
        assert_eq!(
            errors,
            [
                Some("recipient \"not-an-address\" is not a valid address on this chain".into()),
                Some("recipient is the inbox itself".into()),
                Some("body of 70000 bytes is over this inbox's limit of 65536 bytes".into()),
            ]
        );
    }

    #[test]
    fn a_failing_receiver_fails_alone_and_can_be_retried() {
        let mut suite = Suite::with_messages(3);
        suite.set_receiver_failing(true);
        suite.relay(&suite.lane.batch(&[0, 1, 2], 3)).unwrap();
        for nonce in 0..3 {
            let status = suite.status(SOURCE, nonce);
            assert_eq!((status.status, status.attempts), (MessageStatus::Failed, 1));
        }
        suite.set_receiver_failing(false);
        suite
            .relay(&ExecuteMsg::Retry {
                message: suite.lane.messages[1].clone(),
                gas_limit: None,
            })
            .unwrap();
        assert_eq!(suite.received_nonces(), [1]);
        assert_eq!(suite.status(SOURCE, 1).status, MessageStatus::Delivered);
    }

    /// Security review finding 4: on an ordered lane an over-limit body used to fail the
    /// whole call before any status was written, so every later nonce was a gap for good.
    #[test]
    fn an_oversize_body_does_not_block_an_ordered_lane() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        suite.ordered_lane.push(&receiver, b"zero", None);
        suite.ordered_lane.push(&receiver, &[9u8; 100], None);
        suite.ordered_lane.push(&receiver, b"two", None);
        suite.submit_ordered(3).unwrap();
        suite
            .as_owner(&ExecuteMsg::SetLimits {
                max_batch_size: 100,
                max_body_bytes: 64,
            })
            .unwrap();
        let response = suite
            .relay(&suite.ordered_lane.batch(&[0, 1, 2], 3))
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (0, DeliveryOutcome::Dispatched),
                (1, DeliveryOutcome::Failed),
                (2, DeliveryOutcome::Dispatched),
            ]
        );
        assert_eq!(suite.source(OTHER_SOURCE).next_nonce, Some(3));
        let retry = ExecuteMsg::Retry {
            message: suite.ordered_lane.messages[1].clone(),
            gas_limit: None,
        };
        suite.refuses(
            &retry,
            ContractError::Undeliverable {
                reason: "body of 100 bytes is over this inbox's limit of 64 bytes".into(),
            },
        );
        suite
            .as_owner(&ExecuteMsg::SetLimits {
                max_batch_size: 100,
                max_body_bytes: 128,
            })
            .unwrap();
        suite.relay(&retry).unwrap();
        assert_eq!(
            suite.status(OTHER_SOURCE, 1).status,
            MessageStatus::Delivered
        );
        assert_eq!(suite.status(OTHER_SOURCE, 1).attempts, 1);
    }

    #[test]
    fn an_ordered_lane_keeps_its_order_rule() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        suite.ordered_lane.push_many(&receiver, 5);
        suite.submit_ordered(5).unwrap();
        let gap = suite.ordered_lane.batch(&[0, 2], 5);
        suite.refuses(
            &gap,
            ContractError::NonceGap {
                chain: OTHER_SOURCE.into(),
                nonce: 2,
                expected: 1,
            },
        );
        suite.relay(&suite.ordered_lane.batch(&[0, 1], 5)).unwrap();
        // Below the next nonce: skipped.
        let response = suite
            .relay(&suite.ordered_lane.batch(&[1, 2, 3], 5))
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (1, DeliveryOutcome::Skipped),
                (2, DeliveryOutcome::Dispatched),
                (3, DeliveryOutcome::Dispatched)
            ]
        );
        assert_eq!(suite.received_nonces(), [0, 1, 2, 3]);
    }

    #[test]
    fn a_receiver_re_entering_deliver_batch_gets_nothing_twice() {
        let mut suite = Suite::with_messages(2);
        let batch = suite.lane.batch(&[0, 1], 2);
        let owner = suite.owner.clone();
        let inbox = suite.inbox.to_string();
        suite
            .app
            .execute_contract(
                owner,
                suite.receiver.clone(),
                &ReceiverMsg::SetReenter {
                    inbox,
                    msg: to_json_binary(&batch).unwrap(),
                },
                &[],
            )
            .unwrap();
        suite.relay(&batch).unwrap();
        assert_eq!(suite.received_nonces(), [0, 1]);
        // The receiver re-enters once, on the first message: both are already recorded
        // as delivered, so the inner batch skips both.
        let results = reentry_results(&suite);
        assert_eq!(results.len(), 1);
        assert!(
            results[0].1.contains(r#"{"source_chain":"chain-a","nonce":0,"outcome":"skipped"},{"source_chain":"chain-a","nonce":1,"outcome":"skipped"}"#),
            "{results:?}"
        );
    }
}

mod refusing {
    use super::*;

    fn setup() -> Suite {
        Suite::with_messages(8)
    }

    #[test]
    fn forged_and_reordered_proofs() {
        let mut suite = setup();
        let batch = suite.lane.batch(&[1, 2, 5], 8);
        // A message swapped for another with the proof of the first.
        let forged = {
            let mut message = suite.lane.messages[2].clone();
            message.body = Binary::from(b"forged".as_slice());
            with_parts(&batch, |messages, _| {
                messages[1] = Binary::new(message.encode().unwrap())
            })
        };
        let refused = |reason| ContractError::InvalidMultiproof {
            chain: SOURCE.into(),
            size: 8,
            count: 3,
            reason,
        };
        suite.refuses(&forged, refused(MultiproofError::RootMismatch));
        let swapped = with_parts(&batch, |_, proof| {
            let (a, b) = proof.split_at_mut(32);
            a.swap_with_slice(&mut b[..32]);
        });
        suite.refuses(&swapped, refused(MultiproofError::RootMismatch));
        let mut flipped = batch.clone();
        if let ExecuteMsg::DeliverBatch { proof, .. } = &mut flipped {
            let mut bytes = proof.to_vec();
            bytes[0] ^= 1;
            *proof = Binary::new(bytes);
        }
        suite.refuses(&flipped, refused(MultiproofError::RootMismatch));
        let short = with_parts(&batch, |_, proof| proof.truncate(proof.len() - 32));
        assert!(matches!(
            suite.relay(&short).unwrap_err(),
            err if err.contains("multiproof of 3 messages in checkpoint 8")
        ));
        let long = with_parts(&batch, |_, proof| proof.extend_from_slice(&[0; 32]));
        assert!(suite
            .relay(&long)
            .unwrap_err()
            .contains("multiproof of 3 messages"));
        assert_eq!(suite.received_nonces(), Vec::<u64>::new());
    }

    #[test]
    fn message_bytes_must_decode_strictly_and_belong_to_the_lane() {
        let mut suite = setup();
        let batch = suite.lane.batch(&[1, 2], 8);
        let trailing = with_parts(&batch, |messages, _| {
            let mut bytes = messages[1].to_vec();
            bytes.push(0);
            messages[1] = Binary::new(bytes);
        });
        suite.refuses(
            &trailing,
            ContractError::InvalidMessageBytes {
                index: 1,
                reason: MessageError::Codec(ccmp_types::CodecError::TrailingBytes { count: 1 }),
            },
        );
        let garbage = with_parts(&batch, |messages, _| messages[0] = Binary::new(vec![7, 7]));
        suite.refuses(
            &garbage,
            ContractError::InvalidMessageBytes {
                index: 0,
                reason: MessageError::UnsupportedVersion { version: 7 },
            },
        );
        // Another source's message, and one for another destination.
        let mut other = TestLane::new(OTHER_SOURCE, HERE);
        other.push_many(suite.receiver.as_str(), 3);
        let foreign = with_parts(&batch, |messages, _| {
            messages[1] = Binary::new(other.messages[2].encode().unwrap())
        });
        suite.refuses(
            &foreign,
            ContractError::WrongSource {
                index: 1,
                expected: SOURCE.into(),
                got: OTHER_SOURCE.into(),
            },
        );
        let mut elsewhere = TestLane::new(SOURCE, "chain-z");
        elsewhere.push_many(suite.receiver.as_str(), 3);
        let misdirected = with_parts(&batch, |messages, _| {
            messages[1] = Binary::new(elsewhere.messages[2].encode().unwrap())
        });
        suite.refuses(
            &misdirected,
            ContractError::WrongDestination {
                expected: HERE.into(),
                got: "chain-z".into(),
            },
        );
        // Bad base64 never reaches the contract as a batch.
        let json = format!(
            r#"{{"deliver_batch":{{"source_chain":"{SOURCE}","checkpoint_size":8,"messages":["!!"],"proof":""}}}}"#
        );
        let relayer = suite.relayer.clone();
        let inbox = suite.inbox.clone();
        let before = suite.snapshot();
        let err = suite
            .app
            .execute_contract(
                relayer,
                inbox,
                &serde_json::from_str::<serde_json::Value>(&json).unwrap(),
                &[],
            )
            .unwrap_err();
        assert!(format!("{err:?}").contains("invalid base64: !!"), "{err:?}");
        assert_eq!(suite.snapshot(), before);
    }

    #[test]
    fn nonces_must_strictly_increase_and_lie_below_the_checkpoint() {
        let mut suite = setup();
        let duplicated = suite.lane.batch(&[1, 2], 8);
        let duplicated = with_parts(&duplicated, |messages, _| messages[1] = messages[0].clone());
        suite.refuses(
            &duplicated,
            ContractError::NoncesNotIncreasing {
                index: 1,
                nonce: 1,
                previous: 1,
            },
        );
        let reordered = with_parts(&suite.lane.batch(&[1, 2], 8), |messages, _| {
            messages.swap(0, 1)
        });
        suite.refuses(
            &reordered,
            ContractError::NoncesNotIncreasing {
                index: 1,
                nonce: 1,
                previous: 2,
            },
        );
        // A real message beyond a stored checkpoint.
        let receiver = suite.receiver.to_string();
        suite.lane.push(&receiver, b"ninth", None);
        let beyond = suite.lane.batch(&[7, 8], 9);
        let beyond = match beyond {
            ExecuteMsg::DeliverBatch {
                source_chain,
                messages,
                proof,
                ..
            } => ExecuteMsg::DeliverBatch {
                source_chain,
                checkpoint_size: 8,
                messages,
                proof,
            },
            _ => unreachable!(),
        };
        suite.refuses(
            &beyond,
            ContractError::NonceOutsideCheckpoint { nonce: 8, size: 8 },
        );
        suite.refuses(
            &suite.lane.batch(&[1, 2], 9),
            ContractError::UnknownCheckpoint {
                chain: SOURCE.into(),
                size: 9,
            },
        );
    }

    #[test]
    fn proof_length_and_batch_bounds() {
        let mut suite = Suite::with_messages(101);
        let batch = suite.lane.batch(&[1, 2], 101);
        suite.refuses(
            &with_parts(&batch, |_, proof| proof.push(0)),
            ContractError::ProofNotHashes {
                len: batch_proof_len(&batch) + 1,
            },
        );
        suite.refuses(
            &with_parts(&batch, |_, proof| proof.resize(129 * 32, 0)),
            ContractError::ProofTooLong { len: 129, max: 128 },
        );
        suite.refuses(
            &with_parts(&batch, |messages, _| messages.clear()),
            ContractError::EmptyBatch,
        );
        let all: Vec<u64> = (0..101).collect();
        suite.refuses(
            &suite.lane.batch(&all, 101),
            ContractError::BatchTooLarge {
                count: 101,
                max: 100,
            },
        );
        suite.relay(&suite.lane.batch(&all[..100], 101)).unwrap();
        assert_eq!(suite.received_nonces().len(), 100);
    }

    #[test]
    fn paused_or_unknown_sources() {
        let mut suite = setup();
        let batch = suite.lane.batch(&[1], 8);
        suite.as_owner(&ExecuteMsg::Pause {}).unwrap();
        suite.refuses(&batch, ContractError::Paused);
        suite.as_owner(&ExecuteMsg::Unpause {}).unwrap();
        let unknown = match suite.lane.batch(&[1], 8) {
            ExecuteMsg::DeliverBatch {
                checkpoint_size,
                messages,
                proof,
                ..
            } => ExecuteMsg::DeliverBatch {
                source_chain: "chain-x".into(),
                checkpoint_size,
                messages,
                proof,
            },
            _ => unreachable!(),
        };
        suite.refuses(
            &unknown,
            ContractError::UnknownSource {
                chain: "chain-x".into(),
            },
        );
        suite.relay(&batch).unwrap();
    }
}

fn batch_proof_len(batch: &ExecuteMsg) -> usize {
    match batch {
        ExecuteMsg::DeliverBatch { proof, .. } => proof.len(),
        _ => unreachable!(),
    }
}
