//! Delivery through cw-multi-test: every rule of PROTOCOL.md §7, receivers that fail,
//! retry, timeouts, ordered lanes and reentrant receivers. Every refusal is checked for
//! its exact error and for leaving the inbox (and the receiver) untouched.

mod common;

use ccmp_inbox::msg::{DeliveryItem, DeliveryOutcome, ExecuteMsg};
use ccmp_inbox::ContractError;
use ccmp_types::{CodecError, MerkleError, MessageError, MessageStatus};
use common::*;
use cosmwasm_std::{to_json_binary, Binary, HexBinary, Timestamp};
use cw_multi_test::Executor;

fn deliver_msg(items: Vec<DeliveryItem>) -> ExecuteMsg {
    ExecuteMsg::Deliver { items }
}

mod delivering {
    use super::*;

    #[test]
    fn proven_messages_reach_their_receiver_once_with_the_exact_payload() {
        let mut suite = Suite::with_messages(8);
        let items = (0..8).map(|nonce| suite.lane.item(nonce, 8)).collect();
        let response = suite.deliver(items).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            (0..8)
                .map(|nonce| (nonce, DeliveryOutcome::Dispatched))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            event_values(&response, "ccmp_deliver", "status"),
            vec!["delivered"; 8]
        );
        assert_eq!(
            event_values(&response, "ccmp_deliver", "message_id"),
            suite
                .lane
                .ids
                .iter()
                .map(|id| HexBinary::from(id).to_hex())
                .collect::<Vec<_>>()
        );
        let received = suite.received();
        assert_eq!(received.len(), 8);
        for (got, message) in received.iter().zip(&suite.lane.messages) {
            assert_eq!(
                *got,
                ccmp_types::CcmpReceiveMsg::new(message, &message.message_id().unwrap())
            );
        }
        let status = suite.status(SOURCE, 3);
        assert_eq!(status.status, MessageStatus::Delivered);
        assert_eq!(status.attempts, 1);

        // Again, in another batch: skipped, nothing dispatched, no events.
        let again = suite
            .deliver(vec![suite.lane.item(3, 8), suite.lane.item(5, 8)])
            .unwrap();
        assert_eq!(
            deliver_outcomes(&again),
            [(3, DeliveryOutcome::Skipped), (5, DeliveryOutcome::Skipped)]
        );
        assert!(event_values(&again, "ccmp_deliver", "status").is_empty());
        assert_eq!(suite.received().len(), 8);
    }

    #[test]
    fn the_same_message_twice_in_one_batch_is_dispatched_once() {
        let mut suite = Suite::with_messages(3);
        let response = suite
            .deliver(vec![
                suite.lane.item(1, 3),
                suite.lane.item(1, 3),
                suite.lane.item(2, 3),
            ])
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (1, DeliveryOutcome::Dispatched),
                (1, DeliveryOutcome::Skipped),
                (2, DeliveryOutcome::Dispatched)
            ]
        );
        assert_eq!(suite.received_nonces(), [1, 2]);
    }

    #[test]
    fn any_stored_checkpoint_proves_and_unordered_lanes_take_any_order() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        suite.lane.push_many(&receiver, 300);
        suite.submit(5).unwrap();
        suite.submit(130).unwrap();
        suite.submit(300).unwrap();
        // Proven against three different checkpoints, across three status chunks.
        let items = vec![
            suite.lane.item(299, 300),
            suite.lane.item(4, 5),
            suite.lane.item(129, 130),
            suite.lane.item(0, 300),
            suite.lane.item(128, 300),
        ];
        suite.deliver(items).unwrap();
        assert_eq!(suite.received_nonces(), [299, 4, 129, 0, 128]);
        for nonce in [0, 4, 128, 129, 299] {
            assert_eq!(suite.status(SOURCE, nonce).status, MessageStatus::Delivered);
        }
        for nonce in [1, 127, 130, 298] {
            assert_eq!(suite.status(SOURCE, nonce).status, MessageStatus::Unknown);
        }
    }

    #[test]
    fn hundreds_of_messages_in_full_batches() {
        let mut suite = Suite::with_messages(250);
        for start in (0..250).step_by(100) {
            let end = (start + 100).min(250);
            let items = (start..end).map(|n| suite.lane.item(n, 250)).collect();
            suite.deliver(items).unwrap();
        }
        assert_eq!(suite.received_nonces(), (0..250).collect::<Vec<_>>());
    }

    #[test]
    fn a_timed_out_message_is_recorded_and_never_dispatched() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let soon = suite.now().plus_seconds(10);
        suite.lane.push(&receiver, b"late", Some(soon));
        suite
            .lane
            .push(&receiver, b"on time", Some(soon.plus_seconds(1000)));
        suite.submit(2).unwrap();
        // Exactly at the timeout counts as timed out.
        suite.advance_time(10);
        let response = suite
            .deliver(vec![suite.lane.item(0, 2), suite.lane.item(1, 2)])
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (0, DeliveryOutcome::TimedOut),
                (1, DeliveryOutcome::Dispatched)
            ]
        );
        assert_eq!(
            event_values(&response, "ccmp_deliver", "status"),
            ["timed_out", "delivered"]
        );
        assert_eq!(suite.received_nonces(), [1]);
        let status = suite.status(SOURCE, 0);
        assert_eq!(status.status, MessageStatus::TimedOut);
        assert_eq!(status.attempts, 0);
        // A timed-out message is never delivered later.
        let again = suite.deliver(vec![suite.lane.item(0, 2)]).unwrap();
        assert_eq!(deliver_outcomes(&again), [(0, DeliveryOutcome::Skipped)]);
        assert_eq!(suite.received_nonces(), [1]);
    }

    #[test]
    fn unknown_nonces_and_sources_answer_unknown() {
        let suite = Suite::new();
        for (chain, nonce) in [(SOURCE, 0), (SOURCE, u64::MAX), ("chain-x", 3)] {
            let status = suite.status(chain, nonce);
            assert_eq!(status.status, MessageStatus::Unknown);
            assert_eq!(status.attempts, 0);
            assert_eq!(status.message_id, None);
        }
    }
}

mod recipients {
    use super::*;

    #[test]
    fn an_invalid_or_self_recipient_fails_that_message_not_the_batch() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let inbox = suite.inbox.to_string();
        suite.lane.push(&receiver, b"0", None);
        suite.lane.push("not-an-address", b"1", None);
        suite.lane.push(&inbox, b"2", None);
        suite.lane.push(&receiver, b"3", None);
        suite.submit(4).unwrap();
        let response = suite
            .deliver((0..4).map(|n| suite.lane.item(n, 4)).collect())
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (0, DeliveryOutcome::Dispatched),
                (1, DeliveryOutcome::Failed),
                (2, DeliveryOutcome::Failed),
                (3, DeliveryOutcome::Dispatched)
            ]
        );
        assert_eq!(suite.received_nonces(), [0, 3]);
        let invalid = suite.status(SOURCE, 1);
        assert_eq!(invalid.status, MessageStatus::Failed);
        assert_eq!(
            invalid.error.as_deref(),
            Some("recipient \"not-an-address\" is not a valid address on this chain")
        );
        assert_eq!(invalid.attempts, 0);
        assert_eq!(
            invalid.message_id,
            Some(HexBinary::from(&suite.lane.ids[1]))
        );
        let itself = suite.status(SOURCE, 2);
        assert_eq!(
            itself.error.as_deref(),
            Some("recipient is the inbox itself")
        );
        // Retrying cannot make such an address receive.
        suite.refuses(
            &ExecuteMsg::Retry {
                message: suite.lane.messages[2].clone(),
                gas_limit: None,
            },
            ContractError::Undeliverable {
                reason: "recipient is the inbox itself".into(),
            },
        );
    }

    #[test]
    fn an_address_without_a_contract_fails_in_its_sub_message() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let nobody = suite.app.api().addr_make("nobody").to_string();
        suite.lane.push(&nobody, b"0", None);
        suite.lane.push(&receiver, b"1", None);
        suite.submit(2).unwrap();
        let response = suite
            .deliver(vec![suite.lane.item(0, 2), suite.lane.item(1, 2)])
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_deliver", "status"),
            ["delivered", "delivered", "failed"]
        );
        assert_eq!(
            event_values(&response, "ccmp_deliver", "nonce"),
            ["0", "1", "0"]
        );
        let status = suite.status(SOURCE, 0);
        assert_eq!(status.status, MessageStatus::Failed);
        assert_eq!(status.attempts, 1);
        assert_eq!(suite.received_nonces(), [1]);
    }
}

mod failures_and_retry {
    use super::*;

    #[test]
    fn a_failing_receiver_is_recorded_then_retried_to_success() {
        let mut suite = Suite::with_messages(3);
        suite.set_receiver_failing(true);
        let response = suite
            .deliver((0..3).map(|n| suite.lane.item(n, 3)).collect())
            .unwrap();
        // The batch succeeds; each failure is reported after the batch's own events.
        assert_eq!(
            event_values(&response, "ccmp_deliver", "status"),
            [
                "delivered",
                "delivered",
                "delivered",
                "failed",
                "failed",
                "failed"
            ]
        );
        assert_eq!(
            event_values(&response, "ccmp_deliver", "nonce"),
            ["0", "1", "2", "0", "1", "2"]
        );
        let failed = suite.status(SOURCE, 1);
        assert_eq!(failed.status, MessageStatus::Failed);
        assert_eq!(failed.attempts, 1);
        assert_eq!(failed.message_id, Some(HexBinary::from(&suite.lane.ids[1])));
        let error = failed.error.expect("error recorded");
        // cw-multi-test's error text (the failed WasmMsg, then the receiver's words) is
        // longer than the inbox keeps: it is cut to exactly the limit.
        assert!(error.contains("Error executing WasmMsg"), "{error}");
        assert_eq!(error.len(), ccmp_inbox::MAX_ERROR_BYTES);
        assert!(suite.received().is_empty());

        // A failed message is not delivered by deliver again: retry is the way.
        let again = suite.deliver(vec![suite.lane.item(1, 3)]).unwrap();
        assert_eq!(deliver_outcomes(&again), [(1, DeliveryOutcome::Skipped)]);

        // Retry while still failing: attempts count up, the error is kept.
        suite
            .relay(&ExecuteMsg::Retry {
                message: suite.lane.messages[1].clone(),
                gas_limit: None,
            })
            .unwrap();
        let failed = suite.status(SOURCE, 1);
        assert_eq!(failed.status, MessageStatus::Failed);
        assert_eq!(failed.attempts, 2);

        suite.set_receiver_failing(false);
        suite.advance_time(5);
        let response = suite
            .relay(&ExecuteMsg::Retry {
                message: suite.lane.messages[1].clone(),
                gas_limit: Some(ccmp_inbox::DEFAULT_MAX_RECEIVE_GAS_LIMIT),
            })
            .unwrap();
        assert_eq!(event_values(&response, "ccmp_retry", "attempts"), ["3"]);
        assert_eq!(
            event_values(&response, "ccmp_retry", "status"),
            ["delivered"]
        );
        let delivered = suite.status(SOURCE, 1);
        assert_eq!(delivered.status, MessageStatus::Delivered);
        assert_eq!(delivered.attempts, 3);
        assert_eq!(delivered.error, None);
        assert_eq!(
            delivered.updated_at_height,
            Some(suite.app.block_info().height)
        );
        assert_eq!(suite.received_nonces(), [1]);

        // Delivered is final: no second retry.
        suite.refuses(
            &ExecuteMsg::Retry {
                message: suite.lane.messages[1].clone(),
                gas_limit: None,
            },
            ContractError::NotFailed {
                chain: SOURCE.into(),
                nonce: 1,
                status: MessageStatus::Delivered,
            },
        );
    }

    #[test]
    fn retry_after_the_timeout_marks_the_message_timed_out() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let timeout = suite.now().plus_seconds(100);
        suite.lane.push(&receiver, b"x", Some(timeout));
        suite.submit(1).unwrap();
        suite.set_receiver_failing(true);
        suite.deliver(vec![suite.lane.item(0, 1)]).unwrap();
        assert_eq!(suite.status(SOURCE, 0).status, MessageStatus::Failed);

        suite.set_receiver_failing(false);
        suite.advance_time(100);
        let response = suite
            .relay(&ExecuteMsg::Retry {
                message: suite.lane.messages[0].clone(),
                gas_limit: None,
            })
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_retry", "status"),
            ["timed_out"]
        );
        let status = suite.status(SOURCE, 0);
        assert_eq!(status.status, MessageStatus::TimedOut);
        assert_eq!(status.attempts, 1);
        assert!(suite.received().is_empty());
        suite.refuses(
            &ExecuteMsg::Retry {
                message: suite.lane.messages[0].clone(),
                gas_limit: None,
            },
            ContractError::NotFailed {
                chain: SOURCE.into(),
                nonce: 0,
                status: MessageStatus::TimedOut,
            },
        );
    }

    #[test]
    fn retry_refuses_what_it_must() {
        let mut suite = Suite::with_messages(3);
        suite.set_receiver_failing(true);
        suite.deliver(vec![suite.lane.item(0, 3)]).unwrap();
        let failed = suite.lane.messages[0].clone();

        // A message that never arrived.
        suite.refuses(
            &ExecuteMsg::Retry {
                message: suite.lane.messages[2].clone(),
                gas_limit: None,
            },
            ContractError::NotFailed {
                chain: SOURCE.into(),
                nonce: 2,
                status: MessageStatus::Unknown,
            },
        );
        // Another message under the failed one's nonce: a forged body.
        let forged = ccmp_types::Message {
            body: Binary::from(b"forged".as_slice()),
            ..failed.clone()
        };
        suite.refuses(
            &ExecuteMsg::Retry {
                message: forged.clone(),
                gas_limit: None,
            },
            ContractError::MessageMismatch {
                chain: SOURCE.into(),
                nonce: 0,
                stored: HexBinary::from(&suite.lane.ids[0]).to_hex(),
                given: HexBinary::from(&forged.message_id().unwrap()).to_hex(),
            },
        );
        suite.refuses(
            &ExecuteMsg::Retry {
                message: failed.clone(),
                gas_limit: Some(ccmp_inbox::DEFAULT_MAX_RECEIVE_GAS_LIMIT + 1),
            },
            ContractError::GasLimitTooHigh {
                requested: ccmp_inbox::DEFAULT_MAX_RECEIVE_GAS_LIMIT + 1,
                max: ccmp_inbox::DEFAULT_MAX_RECEIVE_GAS_LIMIT,
            },
        );
        suite.refuses(
            &ExecuteMsg::Retry {
                message: failed.clone(),
                gas_limit: Some(ccmp_inbox::MIN_RECEIVE_GAS_LIMIT - 1),
            },
            ContractError::GasLimitTooLow {
                requested: ccmp_inbox::MIN_RECEIVE_GAS_LIMIT - 1,
                min: ccmp_inbox::MIN_RECEIVE_GAS_LIMIT,
            },
        );
        let elsewhere = ccmp_types::Message {
            destination_chain: "chain-z".into(),
            ..failed.clone()
        };
        suite.refuses(
            &ExecuteMsg::Retry {
                message: elsewhere,
                gas_limit: None,
            },
            ContractError::WrongDestination {
                expected: HERE.into(),
                got: "chain-z".into(),
            },
        );
        suite.as_owner(&ExecuteMsg::Pause {}).unwrap();
        suite.refuses(
            &ExecuteMsg::Retry {
                message: failed,
                gas_limit: None,
            },
            ContractError::Paused,
        );
    }
}

mod ordered {
    use super::*;

    fn ordered_suite(count: usize) -> Suite {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        suite.ordered_lane.push_many(&receiver, count);
        suite.submit_ordered(count as u64).unwrap();
        suite
    }

    #[test]
    fn messages_go_in_nonce_order_and_failures_advance_the_lane() {
        let mut suite = ordered_suite(6);
        assert_eq!(suite.source(OTHER_SOURCE).next_nonce, Some(0));
        // A gap fails the whole call.
        suite.refuses(
            &deliver_msg(vec![
                suite.ordered_lane.item(0, 6),
                suite.ordered_lane.item(2, 6),
            ]),
            ContractError::NonceGap {
                chain: OTHER_SOURCE.into(),
                nonce: 2,
                expected: 1,
            },
        );
        suite
            .deliver(vec![
                suite.ordered_lane.item(0, 6),
                suite.ordered_lane.item(1, 6),
            ])
            .unwrap();
        assert_eq!(suite.source(OTHER_SOURCE).next_nonce, Some(2));

        // A failing receiver does not block the lane.
        suite.set_receiver_failing(true);
        suite.deliver(vec![suite.ordered_lane.item(2, 6)]).unwrap();
        assert_eq!(suite.status(OTHER_SOURCE, 2).status, MessageStatus::Failed);
        suite.set_receiver_failing(false);
        let response = suite
            .deliver(vec![
                suite.ordered_lane.item(1, 6),
                suite.ordered_lane.item(3, 6),
                suite.ordered_lane.item(4, 6),
            ])
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (1, DeliveryOutcome::Skipped),
                (3, DeliveryOutcome::Dispatched),
                (4, DeliveryOutcome::Dispatched)
            ]
        );
        assert_eq!(suite.source(OTHER_SOURCE).next_nonce, Some(5));
        assert_eq!(suite.received_nonces(), [0, 1, 3, 4]);
        // The failed one is retried out of order: retry is not bound to the lane's order.
        suite
            .relay(&ExecuteMsg::Retry {
                message: suite.ordered_lane.messages[2].clone(),
                gas_limit: None,
            })
            .unwrap();
        assert_eq!(suite.received_nonces(), [0, 1, 3, 4, 2]);
    }

    #[test]
    fn a_timed_out_message_advances_an_ordered_lane() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let soon = suite.now().plus_seconds(1);
        suite.ordered_lane.push(&receiver, b"0", Some(soon));
        suite.ordered_lane.push(&receiver, b"1", None);
        suite.submit_ordered(2).unwrap();
        suite.advance_time(2);
        suite
            .deliver(vec![
                suite.ordered_lane.item(0, 2),
                suite.ordered_lane.item(1, 2),
            ])
            .unwrap();
        assert_eq!(
            suite.status(OTHER_SOURCE, 0).status,
            MessageStatus::TimedOut
        );
        assert_eq!(suite.received_nonces(), [1]);
        assert_eq!(suite.source(OTHER_SOURCE).next_nonce, Some(2));
    }
}

mod rejections {
    use super::*;

    #[test]
    fn forged_and_malformed_proofs() {
        let mut suite = Suite::with_messages(7);
        let good = suite.lane.item(2, 7);
        let refused = |reason: MerkleError| ContractError::InvalidInclusionProof {
            chain: SOURCE.into(),
            nonce: 2,
            size: 7,
            reason,
        };

        let mut flipped = good.clone();
        let mut node = flipped.proof[1].to_vec();
        node[0] ^= 1;
        flipped.proof[1] = HexBinary::from(node);
        suite.refuses(
            &deliver_msg(vec![flipped]),
            refused(MerkleError::RootMismatch),
        );

        let mut missing = good.clone();
        missing.proof.pop();
        suite.refuses(
            &deliver_msg(vec![missing]),
            refused(MerkleError::WrongProofLength {
                len: 2,
                expected: 3,
            }),
        );

        let mut extra = good.clone();
        extra.proof.push(HexBinary::from(&[0u8; 32]));
        suite.refuses(
            &deliver_msg(vec![extra]),
            refused(MerkleError::WrongProofLength {
                len: 4,
                expected: 3,
            }),
        );

        let mut reordered = good.clone();
        reordered.proof.swap(0, 1);
        suite.refuses(
            &deliver_msg(vec![reordered]),
            refused(MerkleError::RootMismatch),
        );

        // Another leaf's proof for this message.
        let mut other_index = good.clone();
        other_index.proof = suite.lane.proof(3, 7);
        suite.refuses(
            &deliver_msg(vec![other_index]),
            refused(MerkleError::RootMismatch),
        );

        // This message claiming another nonce (its id changes with it).
        let mut renumbered = good.clone();
        renumbered.message.nonce = 3;
        renumbered.proof = suite.lane.proof(3, 7);
        suite.refuses(
            &deliver_msg(vec![renumbered]),
            ContractError::InvalidInclusionProof {
                chain: SOURCE.into(),
                nonce: 3,
                size: 7,
                reason: MerkleError::RootMismatch,
            },
        );

        // A forged body under a real proof.
        let mut forged = good.clone();
        forged.message.body = Binary::from(b"{\"mint\":1000000}".as_slice());
        suite.refuses(
            &deliver_msg(vec![forged]),
            refused(MerkleError::RootMismatch),
        );

        let mut short_node = good.clone();
        short_node.proof[0] = HexBinary::from(vec![0u8; 31]);
        suite.refuses(
            &deliver_msg(vec![short_node]),
            CodecError::InvalidHashLength {
                field: "proof",
                len: 31,
            }
            .into(),
        );

        let mut oversized = good.clone();
        oversized.proof = vec![HexBinary::from(&[0u8; 32]); 65];
        suite.refuses(
            &deliver_msg(vec![oversized]),
            ContractError::ProofTooLong { len: 65, max: 64 },
        );

        // A bad item after good ones fails the whole call: nothing dispatched.
        let mut bad = good.clone();
        bad.proof.pop();
        suite.refuses(
            &deliver_msg(vec![suite.lane.item(0, 7), suite.lane.item(1, 7), bad]),
            refused(MerkleError::WrongProofLength {
                len: 2,
                expected: 3,
            }),
        );
    }

    #[test]
    fn unknown_checkpoints_and_nonces_beyond_them() {
        let mut suite = Suite::with_messages(7);
        let mut unknown = suite.lane.item(2, 7);
        unknown.checkpoint_size = 6;
        suite.refuses(
            &deliver_msg(vec![unknown]),
            ContractError::UnknownCheckpoint {
                chain: SOURCE.into(),
                size: 6,
            },
        );
        let mut zero = suite.lane.item(0, 7);
        zero.checkpoint_size = 0;
        zero.proof = vec![];
        suite.refuses(
            &deliver_msg(vec![zero]),
            ContractError::UnknownCheckpoint {
                chain: SOURCE.into(),
                size: 0,
            },
        );
        // Message 7 exists at the source but no checkpoint covers it yet.
        let receiver = suite.receiver.to_string();
        suite.lane.push(&receiver, b"7", None);
        let beyond = DeliveryItem {
            message: suite.lane.messages[7].clone(),
            checkpoint_size: 7,
            proof: vec![],
        };
        suite.refuses(
            &deliver_msg(vec![beyond]),
            ContractError::NonceOutsideCheckpoint { nonce: 7, size: 7 },
        );
    }

    #[test]
    fn wrong_chains_sources_and_frozen_or_paused_inboxes() {
        let mut suite = Suite::with_messages(3);
        let mut elsewhere = suite.lane.item(0, 3);
        elsewhere.message.destination_chain = "chain-z".into();
        suite.refuses(
            &deliver_msg(vec![elsewhere]),
            ContractError::WrongDestination {
                expected: HERE.into(),
                got: "chain-z".into(),
            },
        );
        let mut unknown = suite.lane.item(0, 3);
        unknown.message.source_chain = "chain-x".into();
        suite.refuses(
            &deliver_msg(vec![unknown]),
            ContractError::UnknownSource {
                chain: "chain-x".into(),
            },
        );
        // chain-a's message presented as chain-c's: chain-c has no such checkpoint.
        let mut other_lane = suite.lane.item(0, 3);
        other_lane.message.source_chain = OTHER_SOURCE.into();
        suite.refuses(
            &deliver_msg(vec![other_lane]),
            ContractError::UnknownCheckpoint {
                chain: OTHER_SOURCE.into(),
                size: 3,
            },
        );
        suite.as_owner(&ExecuteMsg::Pause {}).unwrap();
        suite.refuses(
            &deliver_msg(vec![suite.lane.item(0, 3)]),
            ContractError::Paused,
        );
        suite.as_owner(&ExecuteMsg::Unpause {}).unwrap();
        suite.deliver(vec![suite.lane.item(0, 3)]).unwrap();
    }

    #[test]
    fn batch_and_body_limits() {
        let mut suite = Suite::with_messages(101);
        suite.refuses(&deliver_msg(vec![]), ContractError::EmptyBatch);
        let items: Vec<DeliveryItem> = (0..101).map(|n| suite.lane.item(n, 101)).collect();
        suite.refuses(
            &deliver_msg(items.clone()),
            ContractError::BatchTooLarge {
                count: 101,
                max: 100,
            },
        );
        suite
            .deliver(items[..100].to_vec())
            .expect("exactly the limit is accepted");

        suite
            .as_owner(&ExecuteMsg::SetLimits {
                max_batch_size: 100,
                max_body_bytes: 8,
            })
            .unwrap();
        let receiver = suite.receiver.to_string();
        suite.lane.push(&receiver, &[7u8; 8], None);
        suite.lane.push(&receiver, &[7u8; 9], None);
        suite.submit(103).unwrap();
        // A proven message over the body limit is recorded `failed`, never fails the call
        // (PROTOCOL.md §7): the message beside it is delivered.
        let response = suite
            .deliver(vec![suite.lane.item(101, 103), suite.lane.item(102, 103)])
            .unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            [
                (101, DeliveryOutcome::Dispatched),
                (102, DeliveryOutcome::Failed)
            ]
        );
        let status = suite.status(SOURCE, 102);
        assert_eq!(status.status, MessageStatus::Failed);
        assert_eq!(
            status.error.as_deref(),
            Some("body of 9 bytes is over this inbox's limit of 8 bytes")
        );
    }

    #[test]
    fn a_message_that_breaks_the_encoding_limits() {
        let mut suite = Suite::with_messages(1);
        let mut item = suite.lane.item(0, 1);
        item.message.recipient = String::new();
        suite.refuses(
            &deliver_msg(vec![item]),
            MessageError::FieldLength {
                field: "recipient",
                len: 0,
                min: 1,
                max: 256,
            }
            .into(),
        );
        let mut zero_timeout = suite.lane.item(0, 1);
        zero_timeout.message.timeout_timestamp = Some(Timestamp::from_nanos(0));
        suite.refuses(
            &deliver_msg(vec![zero_timeout]),
            MessageError::ZeroTimeout.into(),
        );
    }
}

mod reentrancy {
    use super::*;

    fn arm(suite: &mut Suite, msg: &ExecuteMsg) {
        let owner = suite.owner.clone();
        let inbox = suite.inbox.to_string();
        suite
            .app
            .execute_contract(
                owner,
                suite.receiver.clone(),
                &ReceiverMsg::SetReenter {
                    inbox,
                    msg: to_json_binary(msg).unwrap(),
                },
                &[],
            )
            .unwrap();
    }

    #[test]
    fn a_receiver_re_entering_deliver_for_its_message_gets_nothing_twice() {
        let mut suite = Suite::with_messages(2);
        let item = suite.lane.item(0, 2);
        arm(&mut suite, &deliver_msg(vec![item.clone(), item.clone()]));
        suite.deliver(vec![item]).unwrap();
        assert_eq!(suite.received_nonces(), [0]);
        let results = reentry_results(&suite);
        assert_eq!(results.len(), 1);
        // The inner call succeeded and skipped both: the status was written first.
        assert!(
            results[0].1.contains(r#""outcome":"skipped"}"#),
            "{:?}",
            results
        );
        assert!(!results[0].1.contains("dispatched"), "{:?}", results);
        assert_eq!(suite.status(SOURCE, 0).status, MessageStatus::Delivered);
        assert_eq!(suite.status(SOURCE, 0).attempts, 1);
    }

    #[test]
    fn a_receiver_re_entering_retry_for_its_message_gets_nothing_twice() {
        let mut suite = Suite::with_messages(1);
        suite.set_receiver_failing(true);
        suite.deliver(vec![suite.lane.item(0, 1)]).unwrap();
        suite.set_receiver_failing(false);
        let retry = ExecuteMsg::Retry {
            message: suite.lane.messages[0].clone(),
            gas_limit: None,
        };
        arm(&mut suite, &retry);
        suite.relay(&retry).unwrap();
        assert_eq!(suite.received_nonces(), [0]);
        let results = reentry_results(&suite);
        assert_eq!(results.len(), 1);
        assert!(results[0].1.starts_with("err:"), "{:?}", results);
        assert!(
            results[0].1.contains("is Delivered, not failed"),
            "{:?}",
            results
        );
        let status = suite.status(SOURCE, 0);
        assert_eq!(status.status, MessageStatus::Delivered);
        assert_eq!(status.attempts, 2);
    }
}
