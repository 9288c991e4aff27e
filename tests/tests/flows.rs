//! The protocol's scenarios across two chains, relayed by the test relayer built from
//! `ccmp-types` and `ccmp-signer`.

use ccmp_inbox::msg::{CheckpointsResponse, DeliveryOutcome, ExecuteMsg as InboxMsg, QueryMsg};
use ccmp_inbox::ContractError as InboxError;
use ccmp_outbox::msg::ExecuteMsg as OutboxMsg;
use ccmp_outbox::ContractError as OutboxError;
use ccmp_pingpong::msg::Payload;
use ccmp_tests::*;
use ccmp_types::{MessageStatus, SignatureError, SignatureFault};
use cosmwasm_std::{coin, HexBinary};

/// `count` messages from `from`'s user to the other chain's recording receiver.
fn send_many(suite: &mut Suite, from: Side, count: usize) {
    let receiver = suite.chain(from.other()).receiver.to_string();
    let destination = from.other().chain_id();
    let chain = suite.chain_mut(from);
    for n in 0..count {
        chain
            .send(
                destination,
                &receiver,
                format!("message {n}").as_bytes(),
                &[],
            )
            .unwrap();
    }
}

fn stored_checkpoints(chain: &Chain, source: &str) -> Vec<u64> {
    let response: CheckpointsResponse = chain.query(
        &chain.inbox,
        &QueryMsg::Checkpoints {
            source_chain: source.into(),
            start_after: None,
            limit: Some(100),
        },
    );
    response.checkpoints.iter().map(|c| c.size).collect()
}

mod ping_pong {
    use super::*;

    #[test]
    fn a_ping_on_chain_a_is_answered_by_a_pong_recorded_on_chain_a() {
        let mut suite = SuiteBuilder::new().build();
        suite.a.ping(CHAIN_B, "hello", &[]).unwrap();
        assert_eq!(suite.a.lane(CHAIN_B).size, 1);

        // chain-a → chain-b: the ping arrives and chain-b's pingpong answers.
        suite.relay(Side::A);
        assert_eq!(suite.b.status(CHAIN_A, 0).status, MessageStatus::Delivered);
        let received = suite.b.pingpong_received(CHAIN_A);
        assert_eq!(received.count, 1);
        assert_eq!(
            received.last.unwrap().payload,
            Payload::Ping {
                text: "hello".into()
            }
        );
        let pong = suite.lane(Side::B);
        assert_eq!(pong.size(), 1);
        assert_eq!(pong.message(0).sender, suite.b.pingpong.to_string());
        assert_eq!(pong.message(0).recipient, suite.a.pingpong.to_string());

        // chain-b → chain-a: the pong comes home and nothing answers it.
        suite.relay(Side::B);
        assert_eq!(suite.a.status(CHAIN_B, 0).status, MessageStatus::Delivered);
        let received = suite.a.pingpong_received(CHAIN_B);
        assert_eq!(received.count, 1);
        assert_eq!(
            received.last.unwrap().payload,
            Payload::Pong {
                text: "hello".into(),
                ping_nonce: 0
            }
        );
        suite.relay_all();
        assert_eq!(suite.a.lane(CHAIN_B).size, 1);
        assert_eq!(suite.b.lane(CHAIN_A).size, 1);
        let (a, b) = (suite.a.pingpong_stats(), suite.b.pingpong_stats());
        assert_eq!((a.pings_sent, a.pongs_received), (1, 1));
        assert_eq!((b.pings_received, b.pongs_sent), (1, 1));
    }

    #[test]
    fn with_fees_each_outbox_charges_its_sender_once() {
        let fee = coin(5, DENOM);
        let mut suite = SuiteBuilder::new().fee(fee.clone()).build();
        let user_before = suite.a.balances(&suite.a.user.clone());
        suite
            .a
            .ping(CHAIN_B, "paid", std::slice::from_ref(&fee))
            .unwrap();
        suite.relay_all();
        assert_eq!(suite.a.pingpong_stats().pongs_received, 1);
        let user_after = suite.a.balances(&suite.a.user.clone());
        assert_eq!(user_before[0].amount - user_after[0].amount, fee.amount);
        // The ping's fee sits in chain-a's outbox, the pong's (paid by chain-b's pingpong
        // from its balance) in chain-b's.
        assert_eq!(suite.a.balances(&suite.a.outbox.clone())[0], fee);
        assert_eq!(suite.b.balances(&suite.b.outbox.clone())[0], fee);
        assert_eq!(
            suite.b.balances(&suite.b.pingpong.clone())[0],
            coin(1_000 - 5, DENOM)
        );
    }

    #[test]
    fn pings_both_ways_at_once() {
        let mut suite = SuiteBuilder::new().build();
        for n in 0..3 {
            suite.a.ping(CHAIN_B, &format!("a{n}"), &[]).unwrap();
            suite.b.ping(CHAIN_A, &format!("b{n}"), &[]).unwrap();
        }
        suite.relay_all();
        // Each lane carries three pings one way and three pongs the other.
        assert_eq!(suite.a.lane(CHAIN_B).size, 6);
        assert_eq!(suite.b.lane(CHAIN_A).size, 6);
        for chain in [&suite.a, &suite.b] {
            let stats = chain.pingpong_stats();
            assert_eq!(
                (
                    stats.pings_sent,
                    stats.pings_received,
                    stats.pongs_sent,
                    stats.pongs_received
                ),
                (3, 3, 3, 3)
            );
        }
    }
}

mod volume {
    use super::*;

    #[test]
    fn hundreds_of_messages_in_batches_from_several_checkpoints() {
        let mut suite = SuiteBuilder::new().build();
        // The lane grows while checkpoints land: 60, then 130, then 250.
        send_many(&mut suite, Side::A, 60);
        suite.submit_checkpoint(Side::A, 60).unwrap();
        send_many(&mut suite, Side::A, 70);
        suite.submit_checkpoint(Side::A, 130).unwrap();
        send_many(&mut suite, Side::A, 120);
        suite.submit_checkpoint(Side::A, 250).unwrap();
        assert_eq!(stored_checkpoints(&suite.b, CHAIN_A), vec![60, 130, 250]);

        // Each message proven against an older checkpoint or the newest: stored
        // checkpoints stay usable.
        let response = suite.deliver_nonces(Side::A, 0..60, 60).unwrap();
        assert!(deliver_outcomes(&response)
            .iter()
            .all(|(_, outcome)| *outcome == DeliveryOutcome::Dispatched));
        suite.deliver_nonces(Side::A, 60..130, 130).unwrap();
        suite.deliver_nonces(Side::A, 130..230, 250).unwrap();
        suite.deliver_nonces(Side::A, 230..250, 250).unwrap();

        let receiver = suite.b.receiver.clone();
        assert_eq!(
            suite.b.received_nonces(&receiver),
            (0..250).collect::<Vec<_>>()
        );
        let received = suite.b.received(&receiver);
        assert_eq!(received[249].body.as_slice(), b"message 119");
        assert_eq!(received[249].sender, suite.a.user.to_string());
        for nonce in [0, 59, 60, 129, 249] {
            assert_eq!(
                suite.b.status(CHAIN_A, nonce).status,
                MessageStatus::Delivered
            );
        }
        assert_eq!(suite.b.status(CHAIN_A, 250).status, MessageStatus::Unknown);
    }

    #[test]
    fn the_relayer_catches_up_in_batches_of_its_size() {
        let mut suite = SuiteBuilder::new().relayer_batch_size(40).build();
        send_many(&mut suite, Side::B, 130);
        let responses = suite.relay(Side::B);
        // One checkpoint, then four batches (40, 40, 40, 10).
        assert_eq!(responses.len(), 5);
        assert_eq!(deliver_outcomes(&responses[4]).len(), 10);
        let receiver = suite.a.receiver.clone();
        assert_eq!(suite.a.received_nonces(&receiver).len(), 130);
        assert!(suite.relay(Side::B).is_empty());
    }
}

mod ordering {
    use super::*;

    #[test]
    fn an_ordered_source_takes_nonces_in_order_and_skips_what_is_behind() {
        let mut suite = SuiteBuilder::new().ordered(Side::A).build();
        send_many(&mut suite, Side::A, 5);
        suite.submit_checkpoint(Side::A, 5).unwrap();
        suite.refuses(
            InboxError::NonceGap {
                chain: CHAIN_A.into(),
                nonce: 2,
                expected: 0,
            },
            |s| s.deliver_nonces(Side::A, [2], 5),
        );
        let response = suite.deliver_nonces(Side::A, [0, 1], 5).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            vec![
                (0, DeliveryOutcome::Dispatched),
                (1, DeliveryOutcome::Dispatched)
            ]
        );
        assert_eq!(suite.b.source(CHAIN_A).next_nonce, Some(2));
        // Behind the lane is skipped, not an error.
        let response = suite.deliver_nonces(Side::A, [1, 2, 3, 4], 5).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            vec![
                (1, DeliveryOutcome::Skipped),
                (2, DeliveryOutcome::Dispatched),
                (3, DeliveryOutcome::Dispatched),
                (4, DeliveryOutcome::Dispatched)
            ]
        );
        let receiver = suite.b.receiver.clone();
        assert_eq!(suite.b.received_nonces(&receiver), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_failing_message_does_not_block_an_ordered_lane() {
        let mut suite = SuiteBuilder::new().ordered(Side::A).build();
        send_many(&mut suite, Side::A, 1);
        suite.relay(Side::A);
        let receiver = suite.b.receiver.clone();
        suite.b.set_receiver_failing(&receiver, true);
        send_many(&mut suite, Side::A, 1);
        suite.relay(Side::A);
        suite.b.set_receiver_failing(&receiver, false);
        send_many(&mut suite, Side::A, 1);
        suite.relay(Side::A);
        assert_eq!(suite.b.status(CHAIN_A, 1).status, MessageStatus::Failed);
        assert_eq!(suite.b.received_nonces(&receiver), vec![0, 2]);
        assert_eq!(suite.b.source(CHAIN_A).next_nonce, Some(3));
        suite.retry(Side::A, 1).unwrap();
        assert_eq!(suite.b.received_nonces(&receiver), vec![0, 2, 1]);
    }

    #[test]
    fn an_unordered_source_takes_any_order() {
        let mut suite = SuiteBuilder::new().ordered(Side::A).build();
        send_many(&mut suite, Side::B, 4);
        suite.submit_checkpoint(Side::B, 4).unwrap();
        suite.deliver_nonces(Side::B, [3, 1], 4).unwrap();
        suite.deliver_nonces(Side::B, [2, 0], 4).unwrap();
        let receiver = suite.a.receiver.clone();
        assert_eq!(suite.a.received_nonces(&receiver), vec![3, 1, 2, 0]);
        assert_eq!(suite.a.source(CHAIN_B).next_nonce, None);
    }
}

mod failure_and_retry {
    use super::*;

    #[test]
    fn a_failing_pingpong_is_retried_to_success_and_then_pongs() {
        let mut suite = SuiteBuilder::new().build();
        suite.b.set_pingpong_failing(true);
        suite.a.ping(CHAIN_B, "again", &[]).unwrap();
        suite.relay(Side::A);
        let status = suite.b.status(CHAIN_A, 0);
        assert_eq!(status.status, MessageStatus::Failed);
        assert_eq!(status.attempts, 1);
        // cw-multi-test words a sub-message error at length before the receiver's own
        // words; the inbox keeps the first 256 bytes (a chain redacts it further).
        let error = status.error.unwrap();
        assert!(error.contains("Error executing WasmMsg"), "{error}");
        assert!(error.len() <= ccmp_inbox::MAX_ERROR_BYTES);
        // The pingpong's refusal rolled back its pong: nothing went out.
        assert_eq!(suite.b.lane(CHAIN_A).size, 0);
        assert_eq!(suite.b.pingpong_stats().pings_received, 0);
        // A relayer does not deliver it again: it is processed, only retry re-runs it.
        assert!(suite.relay(Side::A).is_empty());

        suite.b.set_pingpong_failing(false);
        suite.retry(Side::A, 0).unwrap();
        let status = suite.b.status(CHAIN_A, 0);
        assert_eq!(status.status, MessageStatus::Delivered);
        assert_eq!(status.attempts, 2);
        assert_eq!(status.error, None);
        assert_eq!(suite.b.lane(CHAIN_A).size, 1);
        suite.relay(Side::B);
        assert_eq!(
            suite.a.pingpong_received(CHAIN_B).last.unwrap().payload,
            Payload::Pong {
                text: "again".into(),
                ping_nonce: 0
            }
        );
    }

    #[test]
    fn a_retry_that_fails_again_stays_failed_and_counts_the_attempt() {
        let mut suite = SuiteBuilder::new().build();
        suite.b.set_pingpong_failing(true);
        suite.a.ping(CHAIN_B, "x", &[]).unwrap();
        suite.relay(Side::A);
        suite.retry(Side::A, 0).unwrap();
        let status = suite.b.status(CHAIN_A, 0);
        assert_eq!((status.status, status.attempts), (MessageStatus::Failed, 2));
    }
}

mod timeouts {
    use super::*;

    #[test]
    fn a_message_past_its_timeout_is_recorded_timed_out_and_never_dispatched() {
        let mut suite = SuiteBuilder::new().build();
        let receiver = suite.b.receiver.to_string();
        let timeout = suite.a.now().plus_seconds(60);
        let user = suite.a.user.clone();
        suite
            .a
            .send_from(&user, CHAIN_B, &receiver, b"late", Some(timeout), &[])
            .unwrap();
        suite
            .a
            .send_from(
                &user,
                CHAIN_B,
                &receiver,
                b"in time",
                Some(timeout.plus_seconds(600)),
                &[],
            )
            .unwrap();
        // The destination's clock decides: chain-b moves past the first timeout only.
        suite.b.advance_time(120);
        let responses = suite.relay(Side::A);
        assert_eq!(
            deliver_outcomes(&responses[1]),
            vec![
                (0, DeliveryOutcome::TimedOut),
                (1, DeliveryOutcome::Dispatched)
            ]
        );
        let status = suite.b.status(CHAIN_A, 0);
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::TimedOut, 0)
        );
        let receiver = suite.b.receiver.clone();
        assert_eq!(suite.b.received_nonces(&receiver), vec![1]);
        suite.refuses(
            InboxError::NotFailed {
                chain: CHAIN_A.into(),
                nonce: 0,
                status: MessageStatus::TimedOut,
            },
            |s| s.retry(Side::A, 0),
        );
    }

    #[test]
    fn a_failed_message_whose_timeout_passes_times_out_on_retry() {
        let mut suite = SuiteBuilder::new().build();
        let receiver = suite.b.receiver.clone();
        suite.b.set_receiver_failing(&receiver, true);
        let timeout = suite.a.now().plus_seconds(60);
        let user = suite.a.user.clone();
        suite
            .a
            .send_from(&user, CHAIN_B, receiver.as_str(), b"x", Some(timeout), &[])
            .unwrap();
        suite.relay(Side::A);
        assert_eq!(suite.b.status(CHAIN_A, 0).status, MessageStatus::Failed);
        suite.b.set_receiver_failing(&receiver, false);
        suite.b.advance_time(61);
        suite.retry(Side::A, 0).unwrap();
        assert_eq!(suite.b.status(CHAIN_A, 0).status, MessageStatus::TimedOut);
        assert!(suite.b.received_nonces(&receiver).is_empty());
    }
}

mod attester_rotation {
    use super::*;

    #[test]
    fn the_current_set_hands_over_mid_stream_and_the_new_set_signs_what_follows() {
        let mut suite = SuiteBuilder::new().build();
        send_many(&mut suite, Side::A, 5);
        suite.relay(Side::A);
        let old = suite.signers(Side::A).clone();
        let next = mixed_attesters(30);
        suite.rotate_attesters(Side::A, next.clone()).unwrap();
        let source = suite.b.source(CHAIN_A);
        assert_eq!(source.epoch, 2);
        assert_eq!(source.attesters, next.set);

        send_many(&mut suite, Side::A, 5);
        // The old set can no longer checkpoint the lane…
        let lane = suite.lane(Side::A);
        let checkpoint = lane.checkpoint(10);
        let stale = old.sign_quorum(&lane.digest(&checkpoint));
        suite.refuses(
            InboxError::Signature(SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }),
            |s| s.submit_raw(Side::A, checkpoint, stale, lane.consistency(5, 10)),
        );
        // …the new one does, and delivery goes on.
        suite.relay(Side::A);
        let receiver = suite.b.receiver.clone();
        assert_eq!(
            suite.b.received_nonces(&receiver),
            (0..10).collect::<Vec<_>>()
        );
        // And it can hand over again (epoch 3).
        suite
            .rotate_attesters(Side::A, mixed_attesters(40))
            .unwrap();
        assert_eq!(suite.b.source(CHAIN_A).epoch, 3);
        send_many(&mut suite, Side::A, 1);
        suite.relay(Side::A);
        assert_eq!(suite.b.received_nonces(&receiver).len(), 11);
    }
}

mod equivocation {
    use super::*;
    use ccmp_types::Checkpoint;

    #[test]
    fn conflicting_attested_roots_freeze_the_source_until_the_owner_recovers_it() {
        let mut suite = SuiteBuilder::new().build();
        send_many(&mut suite, Side::A, 3);
        suite.submit_checkpoint(Side::A, 3).unwrap();
        suite.deliver_nonces(Side::A, [0, 1], 3).unwrap();

        // The attesters sign a second root for size 3.
        let forged = Checkpoint {
            source_chain: CHAIN_A.into(),
            size: 3,
            root: HexBinary::from(&[7u8; 32]),
        };
        let signatures = suite.attest(Side::A, &forged);
        let response = suite
            .submit_raw(Side::A, forged, signatures, vec![])
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "size"),
            vec!["3"]
        );
        let frozen = suite.b.source(CHAIN_A).frozen.unwrap();
        assert_eq!((frozen.max_rollback_to, frozen.epoch), (3, 1));

        // Frozen: no checkpoints, no deliveries, no rotation by the set that equivocated.
        // Message 2 is proven in the stored (honest) checkpoint of 3 and not yet delivered:
        // the freeze is all that stops it.
        send_many(&mut suite, Side::A, 2);
        let frozen_error = InboxError::SourceFrozen {
            chain: CHAIN_A.into(),
            size: 3,
        };
        suite.refuses(&frozen_error, |s| s.submit_checkpoint(Side::A, 5));
        suite.refuses(&frozen_error, |s| s.deliver_nonces(Side::A, [2], 3));
        suite.refuses(&frozen_error, |s| s.deliver_batch(Side::A, &[2], 3));
        suite.refuses(&frozen_error, |s| {
            s.rotate_attesters(Side::A, mixed_attesters(50))
        });
        // The owner must replace the set before lifting the freeze.
        suite.refuses(
            InboxError::AttestersNotReplaced {
                chain: CHAIN_A.into(),
                frozen_epoch: 1,
                epoch: 1,
            },
            |s| {
                s.b.inbox_as_owner(&InboxMsg::Unfreeze {
                    source_chain: CHAIN_A.into(),
                    rollback_to: 3,
                })
            },
        );
        suite.set_attesters(Side::A, mixed_attesters(60)).unwrap();
        suite
            .b
            .inbox_as_owner(&InboxMsg::Unfreeze {
                source_chain: CHAIN_A.into(),
                rollback_to: 3,
            })
            .unwrap();
        let source = suite.b.source(CHAIN_A);
        assert_eq!((source.frozen, source.epoch), (None, 2));

        // The new set checkpoints the true history and delivery resumes.
        suite.relay(Side::A);
        let receiver = suite.b.receiver.clone();
        assert_eq!(suite.b.received_nonces(&receiver), vec![0, 1, 2, 3, 4]);
    }
}

/// The recovery of PROTOCOL.md §5 across both chains: a forged history signed by a
/// compromised quorum, the freeze, the rollback, and `report_equivocation`.
mod recovery {
    use super::*;
    use ccmp_inbox::msg::{FreezeCause, SourceResponse};

    fn frozen_cause(source: SourceResponse) -> (FreezeCause, u64) {
        let freeze = source.frozen.expect("the source is frozen");
        (freeze.cause, freeze.max_rollback_to)
    }

    /// `lane`'s first `fork` messages, then the attacker's own up to `size`, all to the
    /// destination's receiver.
    fn forged_history(suite: &Suite, lane: &LaneView, fork: u64, size: u64) -> LaneView {
        let from = if lane.source_chain == CHAIN_A {
            Side::A
        } else {
            Side::B
        };
        let attacker = suite.chain(from).stranger.to_string();
        let receiver = suite.chain(from.other()).receiver.to_string();
        let mut forged = lane.prefix(fork);
        while forged.size() < size {
            let body = format!("forged {}", forged.size());
            let message = forged.next_message(&attacker, &receiver, body.as_bytes());
            forged.push(message);
        }
        forged
    }

    #[test]
    fn a_forged_checkpoint_is_rolled_back_and_every_honest_message_delivered_once() {
        let mut suite = SuiteBuilder::new().build();
        send_many(&mut suite, Side::A, 4);
        suite.relay(Side::A);
        send_many(&mut suite, Side::A, 4);
        let honest = suite.lane(Side::A);

        // The compromised quorum signs a history that shares the stored 4 and then carries
        // the attacker's messages: consistent with the latest, so it is stored.
        let forged = forged_history(&suite, &honest, 4, 8);
        let compromised = suite.signers(Side::A).clone();
        suite.submit_lane_checkpoint(Side::A, &forged, 6).unwrap();
        suite.submit_lane_checkpoint(Side::A, &forged, 8).unwrap();
        assert_eq!(stored_checkpoints(&suite.b, CHAIN_A), vec![4, 6, 8]);
        // One forged message is delivered before anyone notices.
        let response = suite.deliver(Side::A, vec![forged.item(4, 8)]).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            vec![(4, DeliveryOutcome::Dispatched)]
        );

        // The real checkpoint of 8 arrives, signed by the same set: it freezes the source.
        let response = suite.submit_checkpoint(Side::A, 8).unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "size"),
            vec!["8"]
        );
        assert_eq!(
            frozen_cause(suite.b.source(CHAIN_A)),
            (
                FreezeCause::Equivocation {
                    stored_size: 8,
                    stored_root: HexBinary::from(&forged.root(8)),
                    conflicting_size: 8,
                    conflicting_root: HexBinary::from(&honest.root(8)),
                },
                8
            )
        );
        suite.refuses(
            InboxError::SourceFrozen {
                chain: CHAIN_A.into(),
                size: 8,
            },
            |s| s.deliver(Side::A, vec![forged.item(5, 8)]),
        );

        // Recovery: a new set, then unfreeze with a rollback below the forgery (to a stored
        // size: 5 never was one).
        suite.set_attesters(Side::A, mixed_attesters(60)).unwrap();
        suite.refuses(
            InboxError::InvalidRollback {
                chain: CHAIN_A.into(),
                rollback_to: 5,
                max: 8,
            },
            |s| s.unfreeze(Side::A, 5),
        );
        suite.unfreeze(Side::A, 4).unwrap();

        // Every forged checkpoint is unusable, for items and batches alike…
        for size in [6, 8] {
            suite.refuses(
                InboxError::UnknownCheckpoint {
                    chain: CHAIN_A.into(),
                    size,
                },
                |s| s.deliver(Side::A, vec![forged.item(5, size)]),
            );
        }
        suite.refuses(
            InboxError::UnknownCheckpoint {
                chain: CHAIN_A.into(),
                size: 8,
            },
            |s| s.inbox_call(Side::A, &forged.batch(&[5, 6, 7], 8)),
        );
        // …and the compromised set cannot store the forgery again.
        let checkpoint = forged.checkpoint(8);
        let signatures = compromised.sign_quorum(&forged.digest(&checkpoint));
        suite.refuses(
            InboxError::Signature(SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }),
            |s| s.submit_raw(Side::A, checkpoint, signatures, forged.consistency(4, 8)),
        );
        // One write did it: the source moved to a new generation holding only 4.
        let source = suite.b.source(CHAIN_A);
        assert_eq!(
            (source.frozen, source.epoch, source.checkpoint_generation),
            (None, 2, 1)
        );
        assert_eq!(stored_checkpoints(&suite.b, CHAIN_A), vec![4]);

        // The honest relayer carries on from 4 under the new set.
        suite.submit_checkpoint(Side::A, 8).unwrap();
        assert_eq!(stored_checkpoints(&suite.b, CHAIN_A), vec![4, 8]);
        assert_eq!(
            suite.b.checkpoint(CHAIN_A, 8).unwrap().root,
            HexBinary::from(&honest.root(8))
        );
        // Nonce 4 was processed under the forgery: it stays processed and is skipped.
        let response = suite.deliver_batch(Side::A, &[4, 5, 6, 7], 8).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            vec![
                (4, DeliveryOutcome::Skipped),
                (5, DeliveryOutcome::Dispatched),
                (6, DeliveryOutcome::Dispatched),
                (7, DeliveryOutcome::Dispatched)
            ]
        );
        let response = suite.deliver_nonces(Side::A, [4], 8).unwrap();
        assert_eq!(
            deliver_outcomes(&response),
            vec![(4, DeliveryOutcome::Skipped)]
        );
        assert!(suite.relay(Side::A).is_empty());
        // Each nonce reached the receiver exactly once: the honest ones, and at 4 the
        // forgery delivered before the freeze (the owner learns it from its event).
        let receiver = suite.b.receiver.clone();
        let received = suite.b.received(&receiver);
        assert_eq!(
            received.iter().map(|r| r.nonce).collect::<Vec<_>>(),
            (0..8).collect::<Vec<_>>()
        );
        for message in &received {
            let expected = if message.nonce == 4 {
                forged.message(4)
            } else {
                honest.message(message.nonce)
            };
            assert_eq!(
                (&message.sender, &message.body),
                (&expected.sender, &expected.body)
            );
        }
        assert_eq!(suite.b.status(CHAIN_A, 4).status, MessageStatus::Delivered);
    }

    #[test]
    fn an_attested_larger_history_that_does_not_extend_the_stored_log_is_reported() {
        let mut suite = SuiteBuilder::new().build();
        send_many(&mut suite, Side::A, 8);
        suite.submit_checkpoint(Side::A, 4).unwrap();
        let honest = suite.lane(Side::A);
        // A history that rewrites nonces 2 and 3 and runs to 8, attested by the quorum.
        let forged = forged_history(&suite, &honest, 2, 8);
        // As a checkpoint it is only an invalid consistency proof: refused, no freeze.
        let checkpoint = forged.checkpoint(8);
        let signatures = suite.attest(Side::A, &checkpoint);
        suite.refuses(
            InboxError::InvalidConsistencyProof {
                chain: CHAIN_A.into(),
                from: 4,
                to: 8,
                reason: ccmp_types::MerkleError::RootMismatch,
            },
            |s| s.submit_raw(Side::A, checkpoint, signatures, forged.consistency(4, 8)),
        );
        // The honest 8 is no evidence: it extends the stored log.
        suite.refuses(
            InboxError::NotEvidence {
                reason: "the attested checkpoint extends the stored log".into(),
            },
            |s| {
                s.report_equivocation(
                    Side::A,
                    &honest,
                    8,
                    4,
                    honest.root(4),
                    honest.consistency(4, 8),
                )
            },
        );
        // The forged 8 is: its root at 4 differs from the stored one.
        let response = suite
            .report_equivocation(
                Side::A,
                &forged,
                8,
                4,
                forged.root(4),
                forged.consistency(4, 8),
            )
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "source_chain"),
            vec![CHAIN_A]
        );
        assert_eq!(
            frozen_cause(suite.b.source(CHAIN_A)),
            (
                FreezeCause::Equivocation {
                    stored_size: 4,
                    stored_root: HexBinary::from(&honest.root(4)),
                    conflicting_size: 8,
                    conflicting_root: HexBinary::from(&forged.root(4)),
                },
                4
            )
        );
        suite.refuses(
            InboxError::SourceFrozen {
                chain: CHAIN_A.into(),
                size: 4,
            },
            |s| s.deliver_nonces(Side::A, [0], 4),
        );
        // Recovery at the stored 4: the honest lane is delivered in full.
        suite.set_attesters(Side::A, mixed_attesters(60)).unwrap();
        suite.unfreeze(Side::A, 4).unwrap();
        suite.relay(Side::A);
        let receiver = suite.b.receiver.clone();
        assert_eq!(
            suite.b.received_nonces(&receiver),
            (0..8).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_stored_log_that_does_not_extend_an_attested_smaller_checkpoint_is_reported() {
        // The other direction, and the other chain: chain-a follows chain-b's lane.
        let mut suite = SuiteBuilder::new().build();
        send_many(&mut suite, Side::B, 8);
        suite.submit_checkpoint(Side::B, 8).unwrap();
        let honest = suite.lane(Side::B);
        // The quorum also signs a checkpoint of 4 whose history rewrites nonce 2.
        let forged = forged_history(&suite, &honest, 2, 4);
        let checkpoint = forged.checkpoint(4);
        let signatures = suite.attest(Side::B, &checkpoint);
        suite.refuses(
            InboxError::StaleCheckpoint {
                chain: CHAIN_B.into(),
                size: 4,
                latest: 8,
            },
            |s| s.submit_raw(Side::B, checkpoint, signatures, vec![]),
        );
        // The honest 4 is no evidence: the stored log extends it.
        suite.refuses(
            InboxError::NotEvidence {
                reason: "the stored log extends the attested checkpoint".into(),
            },
            |s| {
                s.report_equivocation(
                    Side::B,
                    &honest,
                    4,
                    8,
                    honest.root(4),
                    honest.consistency(4, 8),
                )
            },
        );
        // The forged 4 is: the stored log's root at 4, proven, is not its root.
        suite
            .report_equivocation(
                Side::B,
                &forged,
                4,
                8,
                honest.root(4),
                honest.consistency(4, 8),
            )
            .unwrap();
        assert_eq!(
            frozen_cause(suite.a.source(CHAIN_B)),
            (
                FreezeCause::Equivocation {
                    stored_size: 8,
                    stored_root: HexBinary::from(&honest.root(8)),
                    conflicting_size: 4,
                    conflicting_root: HexBinary::from(&honest.root(4)),
                },
                4
            )
        );
        let frozen = InboxError::SourceFrozen {
            chain: CHAIN_B.into(),
            size: 4,
        };
        suite.refuses(&frozen, |s| s.deliver_nonces(Side::B, [0], 8));
        suite.refuses(&frozen, |s| s.deliver_batch(Side::B, &[0, 1], 8));
        // The stored 8 is disputed: the rollback goes below it, here to the empty log.
        suite.set_attesters(Side::B, mixed_attesters(70)).unwrap();
        suite.refuses(
            InboxError::InvalidRollback {
                chain: CHAIN_B.into(),
                rollback_to: 8,
                max: 4,
            },
            |s| s.unfreeze(Side::B, 8),
        );
        suite.unfreeze(Side::B, 0).unwrap();
        assert_eq!(suite.a.latest_checkpoint_size(CHAIN_B), 0);
        suite.relay(Side::B);
        let receiver = suite.a.receiver.clone();
        assert_eq!(
            suite.a.received_nonces(&receiver),
            (0..8).collect::<Vec<_>>()
        );
    }
}

/// An inbox whose changes of trust wait `trust_delay_seconds`: each is a proposal anyone
/// executes once due; the brakes (pause, freeze) act at once.
mod time_lock {
    use super::*;
    use ccmp_inbox::msg::{FreezeCause, TrustChange};

    const DELAY: u64 = 3600;

    #[test]
    fn set_attesters_waits_for_the_delay_then_anyone_executes_it() {
        let mut suite = SuiteBuilder::new().trust_delay_seconds(DELAY).build();
        assert_eq!(suite.b.inbox_config().trust_delay_seconds, DELAY);
        send_many(&mut suite, Side::A, 2);
        suite.relay(Side::A);
        let old = suite.signers(Side::A).clone();
        let next = mixed_attesters(60);
        let response = suite.set_attesters(Side::A, next.clone()).unwrap();
        let id = proposal_id(&response).expect("a proposal");
        let proposals = suite.b.proposals();
        assert_eq!(proposals.len(), 1);
        let proposal = &proposals[0];
        assert_eq!(
            proposal.change,
            TrustChange::SetAttesters {
                source_chain: CHAIN_A.into(),
                attesters: next.set.clone(),
            }
        );
        assert_eq!(proposal.proposed_at, suite.b.now());
        assert_eq!(proposal.executable_at, suite.b.now().plus_seconds(DELAY));
        // Nothing changed yet: the old set still checkpoints the lane.
        assert_eq!(suite.b.source(CHAIN_A).epoch, 1);
        send_many(&mut suite, Side::A, 1);
        suite.relay(Side::A);
        assert_eq!(suite.b.latest_checkpoint_size(CHAIN_A), 3);

        // Not before the delay, whoever asks.
        let not_due = InboxError::ProposalNotDue {
            id,
            executable_at: proposal.executable_at,
        };
        suite.refuses(&not_due, |s| s.execute_proposal(Side::A, id));
        suite.b.advance_time(DELAY - 1);
        suite.refuses(&not_due, |s| s.execute_proposal(Side::A, id));
        // Once due, anyone (the stranger) carries it out.
        suite.b.advance_time(1);
        suite.execute_proposal(Side::A, id).unwrap();
        let source = suite.b.source(CHAIN_A);
        assert_eq!((source.epoch, source.attesters), (2, next.set));
        assert!(suite.b.proposals().is_empty());
        suite.refuses(InboxError::UnknownProposal { id }, |s| {
            s.execute_proposal(Side::A, id)
        });
        // The old set is out, the new one signs what follows.
        send_many(&mut suite, Side::A, 1);
        let lane = suite.lane(Side::A);
        let checkpoint = lane.checkpoint(4);
        let stale = old.sign_quorum(&lane.digest(&checkpoint));
        suite.refuses(
            InboxError::Signature(SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }),
            |s| s.submit_raw(Side::A, checkpoint, stale, lane.consistency(3, 4)),
        );
        suite.relay(Side::A);
        let receiver = suite.b.receiver.clone();
        assert_eq!(suite.b.received_nonces(&receiver), vec![0, 1, 2, 3]);
    }

    #[test]
    fn pause_and_freeze_act_at_once_and_unfreeze_waits() {
        let mut suite = SuiteBuilder::new().trust_delay_seconds(DELAY).build();
        send_many(&mut suite, Side::A, 2);
        suite.relay(Side::A);
        send_many(&mut suite, Side::A, 1);
        suite.submit_checkpoint(Side::A, 3).unwrap();

        // Pause: at once, no proposal.
        let response = suite.b.inbox_as_owner(&InboxMsg::Pause {}).unwrap();
        assert_eq!(proposal_id(&response), None);
        assert!(suite.b.inbox_config().paused);
        suite.refuses(InboxError::Paused, |s| s.deliver_nonces(Side::A, [2], 3));
        suite.b.inbox_as_owner(&InboxMsg::Unpause {}).unwrap();

        // Freeze: at once, no proposal.
        let response = suite.freeze(Side::A).unwrap();
        assert_eq!(proposal_id(&response), None);
        let freeze = suite.b.source(CHAIN_A).frozen.unwrap();
        assert_eq!(
            (freeze.cause, freeze.max_rollback_to),
            (FreezeCause::Owner {}, 3)
        );
        let frozen = InboxError::SourceFrozen {
            chain: CHAIN_A.into(),
            size: 3,
        };
        suite.refuses(&frozen, |s| s.deliver_nonces(Side::A, [2], 3));
        suite.refuses(&frozen, |s| s.deliver_batch(Side::A, &[2], 3));

        // Unfreeze: a proposal, due after the delay; the source stays frozen until then.
        let response = suite.unfreeze(Side::A, 3).unwrap();
        let id = proposal_id(&response).expect("a proposal");
        let executable_at = suite.b.now().plus_seconds(DELAY);
        assert!(suite.b.source(CHAIN_A).frozen.is_some());
        suite.refuses(InboxError::ProposalNotDue { id, executable_at }, |s| {
            s.execute_proposal(Side::A, id)
        });
        suite.refuses(&frozen, |s| s.deliver_nonces(Side::A, [2], 3));
        suite.b.advance_time(DELAY);
        suite.execute_proposal(Side::A, id).unwrap();
        assert_eq!(suite.b.source(CHAIN_A).frozen, None);
        suite.relay(Side::A);
        let receiver = suite.b.receiver.clone();
        assert_eq!(suite.b.received_nonces(&receiver), vec![0, 1, 2]);
    }
}

mod pausing {
    use super::*;

    #[test]
    fn a_paused_outbox_refuses_sends_until_unpaused() {
        let mut suite = SuiteBuilder::new().build();
        suite.a.outbox_as_owner(&OutboxMsg::Pause {}).unwrap();
        suite.refuses(OutboxError::Paused, |s| s.a.ping(CHAIN_B, "x", &[]));
        let receiver = suite.b.receiver.to_string();
        suite.refuses(OutboxError::Paused, |s| {
            s.a.send(CHAIN_B, &receiver, b"x", &[])
        });
        suite.a.outbox_as_owner(&OutboxMsg::Unpause {}).unwrap();
        suite.a.ping(CHAIN_B, "x", &[]).unwrap();
        suite.relay_all();
        assert_eq!(suite.a.pingpong_stats().pongs_received, 1);
    }

    #[test]
    fn a_paused_inbox_refuses_deliver_and_retry_but_follows_checkpoints() {
        let mut suite = SuiteBuilder::new().build();
        let receiver = suite.b.receiver.clone();
        suite.b.set_receiver_failing(&receiver, true);
        send_many(&mut suite, Side::A, 1);
        suite.relay(Side::A);
        suite.b.set_receiver_failing(&receiver, false);
        send_many(&mut suite, Side::A, 1);

        suite.b.inbox_as_owner(&InboxMsg::Pause {}).unwrap();
        suite.submit_checkpoint(Side::A, 2).unwrap();
        suite.refuses(InboxError::Paused, |s| s.deliver_nonces(Side::A, [1], 2));
        suite.refuses(InboxError::Paused, |s| s.retry(Side::A, 0));

        suite.b.inbox_as_owner(&InboxMsg::Unpause {}).unwrap();
        suite.relay(Side::A);
        suite.retry(Side::A, 0).unwrap();
        assert_eq!(suite.b.received_nonces(&receiver), vec![1, 0]);
    }
}
