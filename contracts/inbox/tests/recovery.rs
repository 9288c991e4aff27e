//! The security review's findings on the light client, each as the attack it describes:
//! a forged checkpoint that outlived the freeze (rollback), equivocation that was only
//! caught at a stored size (`report_equivocation`), a hand-over replayed on another inbox
//! (the v2 digest), and the time-locked changes of trust with the owner's immediate brake.

mod common;

use ccmp_inbox::msg::{
    DeliveryOutcome, ExecuteMsg, FreezeCause, ProposalResponse, ProposalsResponse, QueryMsg,
    TrustChange,
};
use ccmp_inbox::ContractError;
use ccmp_types::{MessageStatus, OwnershipError, SignatureError, SignatureFault};
use common::*;
use cosmwasm_std::HexBinary;

/// The honest lane of 12 messages with checkpoint 4 stored, and a forged history that
/// shares its first 4 messages and then carries the attacker's own.
fn compromised_suite() -> (Suite, TestLane) {
    let mut suite = Suite::new();
    let receiver = suite.receiver.to_string();
    suite.lane.push_many(&receiver, 12);
    suite.submit(4).unwrap();
    let mut forged = TestLane::new(SOURCE, HERE);
    for message in &suite.lane.messages[..4] {
        forged.push(&message.recipient, &message.body, None);
    }
    for i in 0..8 {
        forged.push(&receiver, format!("{{\"forged\":{i}}}").as_bytes(), None);
    }
    (suite, forged)
}

/// The current (compromised) set signs `lane`'s checkpoint of `size`, proven from the
/// inbox's latest.
fn submit_from(suite: &mut Suite, lane: &TestLane, size: u64) -> Outcome {
    let checkpoint = lane.checkpoint(size);
    let signatures = suite
        .signers
        .sign_quorum(&digest_for(&checkpoint, OUTBOX, HERE));
    let from = suite.latest_size(SOURCE);
    suite.submit_signed(checkpoint, signatures, lane.consistency(from, size))
}

fn report(
    suite: &mut Suite,
    attested: &TestLane,
    size: u64,
    stored_size: u64,
    prefix_root: HexBinary,
    consistency_proof: Vec<HexBinary>,
) -> Outcome {
    let checkpoint = attested.checkpoint(size);
    let signatures = suite
        .signers
        .sign_quorum(&digest_for(&checkpoint, OUTBOX, HERE));
    suite.relay(&ExecuteMsg::ReportEquivocation {
        checkpoint,
        signatures,
        stored_size,
        prefix_root,
        consistency_proof,
    })
}

fn unfreeze(rollback_to: u64) -> ExecuteMsg {
    ExecuteMsg::Unfreeze {
        source_chain: SOURCE.into(),
        rollback_to,
    }
}

mod rollback {
    use super::*;

    /// Finding 1 (high): the quorum signs a forged 8 consistent with 4; it is stored, a
    /// forged message is delivered, then the real 8 arrives and freezes the source. Before
    /// `rollback_to`, the forged checkpoint survived `set_attesters` + `unfreeze`: its
    /// messages stayed deliverable and every honest checkpoint failed its consistency proof
    /// from it. Now the owner rolls back to 4 and the honest lane carries on.
    #[test]
    fn a_forged_checkpoint_does_not_outlive_the_recovery() {
        let (mut suite, forged) = compromised_suite();
        // Several forged checkpoints: all of them must become unusable at once.
        for size in [5, 6, 8] {
            submit_from(&mut suite, &forged, size).unwrap();
        }
        suite.deliver(vec![forged.item(4, 8)]).unwrap();
        assert_eq!(suite.received_nonces(), [4]);
        // The real root of size 8, signed by the same set: the freeze.
        let honest_8 = suite.lane.checkpoint(8);
        let signatures = suite
            .signers
            .sign_quorum(&digest_for(&honest_8, OUTBOX, HERE));
        suite.submit_signed(honest_8, signatures, vec![]).unwrap();
        let frozen = suite.source(SOURCE).frozen.expect("frozen");
        assert_eq!((frozen.max_rollback_to, frozen.epoch), (8, 1));
        assert_eq!(
            frozen.cause,
            FreezeCause::Equivocation {
                stored_size: 8,
                stored_root: HexBinary::from(&forged.root(8)),
                conflicting_size: 8,
                conflicting_root: HexBinary::from(&suite.lane.root(8)),
            }
        );

        // Recovery: a new set, then unfreeze with a rollback below the forgery.
        let next = mixed_signers(50);
        suite
            .as_owner(&ExecuteMsg::SetAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
            })
            .unwrap();
        // The bound is the smallest disputed size, and only stored sizes are targets.
        suite.owner_refuses(
            &unfreeze(9),
            ContractError::InvalidRollback {
                chain: SOURCE.into(),
                rollback_to: 9,
                max: 8,
            },
        );
        suite.owner_refuses(
            &unfreeze(7),
            ContractError::InvalidRollback {
                chain: SOURCE.into(),
                rollback_to: 7,
                max: 8,
            },
        );
        let response = suite.as_owner(&unfreeze(4)).unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_unfrozen", "rollback_to"),
            ["4"]
        );
        assert_eq!(
            event_values(&response, "ccmp_source_unfrozen", "generation"),
            ["1"]
        );
        let source = suite.source(SOURCE);
        assert_eq!(source.frozen, None);
        assert_eq!(source.checkpoint_generation, 1);
        assert_eq!(source.latest_checkpoint.unwrap().size, 4);

        // Every forged checkpoint is gone for proofs, however many there were.
        for size in [5, 6, 8] {
            suite.refuses(
                &ExecuteMsg::Deliver {
                    items: vec![forged.item(0, size)],
                },
                ContractError::UnknownCheckpoint {
                    chain: SOURCE.into(),
                    size,
                },
            );
        }
        let listed: ccmp_inbox::msg::CheckpointsResponse = suite
            .query(&QueryMsg::Checkpoints {
                source_chain: SOURCE.into(),
                start_after: None,
                limit: None,
            })
            .unwrap();
        assert_eq!(
            listed
                .checkpoints
                .iter()
                .map(|c| c.size)
                .collect::<Vec<_>>(),
            [4]
        );

        // The honest lane continues from 4 under the new set.
        suite.signers = next;
        suite.submit(12).unwrap();
        let response = suite
            .deliver((0..12).map(|n| suite.lane.item(n, 12)).collect())
            .unwrap();
        // Nonce 4 was processed under the forged history and stays processed: nothing
        // is ever dispatched twice.
        let outcomes = deliver_outcomes(&response);
        assert_eq!(outcomes[4], (4, DeliveryOutcome::Skipped));
        assert_eq!(
            outcomes
                .iter()
                .filter(|(_, o)| *o == DeliveryOutcome::Dispatched)
                .count(),
            11
        );
        assert_eq!(
            suite.received_nonces(),
            [4, 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
        );
    }

    #[test]
    fn rollback_to_the_empty_log() {
        let mut suite = Suite::new();
        let receiver = suite.receiver.to_string();
        let mut forged = TestLane::new(SOURCE, HERE);
        forged.push_many(&receiver, 3);
        suite.lane.push_many(&receiver, 2);
        suite.lane.push(&receiver, b"honest", None);
        // The very first checkpoint is forged.
        submit_from(&mut suite, &forged, 3).unwrap();
        let honest = suite.lane.clone();
        submit_from(&mut suite, &honest, 3).unwrap();
        assert_eq!(suite.source(SOURCE).frozen.unwrap().max_rollback_to, 3);
        suite
            .as_owner(&ExecuteMsg::SetAttesters {
                source_chain: SOURCE.into(),
                attesters: mixed_signers(60).set,
            })
            .unwrap();
        suite.as_owner(&unfreeze(0)).unwrap();
        let source = suite.source(SOURCE);
        assert_eq!(source.latest_checkpoint, None);
        suite.signers = mixed_signers(60);
        suite.submit(3).unwrap();
        suite
            .deliver((0..3).map(|n| suite.lane.item(n, 3)).collect())
            .unwrap();
        assert_eq!(suite.received_nonces(), [0, 1, 2]);
    }

    #[test]
    fn unfreeze_refusals_change_nothing() {
        let (mut suite, forged) = compromised_suite();
        suite.owner_refuses(
            &unfreeze(4),
            ContractError::NotFrozen {
                chain: SOURCE.into(),
            },
        );
        submit_from(&mut suite, &forged, 8).unwrap();
        let honest_8 = suite.lane.checkpoint(8);
        let signatures = suite
            .signers
            .sign_quorum(&digest_for(&honest_8, OUTBOX, HERE));
        suite.submit_signed(honest_8, signatures, vec![]).unwrap();
        // The set that equivocated is still in place.
        suite.owner_refuses(
            &unfreeze(4),
            ContractError::AttestersNotReplaced {
                chain: SOURCE.into(),
                frozen_epoch: 1,
                epoch: 1,
            },
        );
        suite.refuses(
            &unfreeze(4),
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        suite.owner_refuses(
            &ExecuteMsg::Unfreeze {
                source_chain: "chain-x".into(),
                rollback_to: 0,
            },
            ContractError::UnknownSource {
                chain: "chain-x".into(),
            },
        );
    }
}

mod evidence {
    use super::*;

    /// Finding 2 (medium), first direction: the set signs the real 12, whose history
    /// contradicts the stored (forged) 8. `submit_checkpoint` refuses it as a bad proof
    /// and nothing freezes; `report_equivocation` proves it and freezes.
    #[test]
    fn an_attested_history_that_does_not_extend_the_stored_log_freezes() {
        let (mut suite, forged) = compromised_suite();
        submit_from(&mut suite, &forged, 8).unwrap();
        let honest = suite.lane.clone();
        let refused = submit_from(&mut suite, &honest, 12).unwrap_err();
        assert!(
            refused.contains("consistency proof from size 8 to size 12"),
            "{refused}"
        );
        assert_eq!(suite.source(SOURCE).frozen, None);

        let response = report(
            &mut suite,
            &honest,
            12,
            8,
            HexBinary::from(&honest.root(8)),
            honest.consistency(8, 12),
        )
        .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "stored_root"),
            [HexBinary::from(&forged.root(8)).to_hex()]
        );
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "conflicting_root"),
            [HexBinary::from(&honest.root(8)).to_hex()]
        );
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "cause"),
            ["equivocation"]
        );
        let frozen = suite.source(SOURCE).frozen.unwrap();
        assert_eq!(frozen.max_rollback_to, 8);
        // Frozen: deliveries, checkpoints and more reports are refused.
        suite.refuses(
            &ExecuteMsg::Deliver {
                items: vec![forged.item(5, 8)],
            },
            ContractError::SourceFrozen {
                chain: SOURCE.into(),
                size: 8,
            },
        );
    }

    /// Finding 2, second direction: the set signs an older, unstored size (5) of the real
    /// history, which the stored log (forged 8) contradicts: refused as stale before, now
    /// evidence.
    #[test]
    fn a_stored_log_that_does_not_extend_an_attested_older_checkpoint_freezes() {
        let (mut suite, forged) = compromised_suite();
        submit_from(&mut suite, &forged, 8).unwrap();
        let honest = suite.lane.clone();
        let checkpoint_5 = honest.checkpoint(5);
        let signatures = suite
            .signers
            .sign_quorum(&digest_for(&checkpoint_5, OUTBOX, HERE));
        let refused = suite
            .submit_signed(checkpoint_5, signatures, vec![])
            .unwrap_err();
        assert!(
            refused.contains("is behind the latest stored checkpoint 8"),
            "{refused}"
        );
        report(
            &mut suite,
            &honest,
            5,
            8,
            HexBinary::from(&forged.root(5)),
            forged.consistency(5, 8),
        )
        .unwrap();
        let frozen = suite.source(SOURCE).frozen.unwrap();
        assert_eq!(frozen.max_rollback_to, 5);
        assert_eq!(
            frozen.cause,
            FreezeCause::Equivocation {
                stored_size: 8,
                stored_root: HexBinary::from(&forged.root(8)),
                conflicting_size: 5,
                conflicting_root: HexBinary::from(&forged.root(5)),
            }
        );
    }

    #[test]
    fn what_is_not_evidence_is_refused_and_changes_nothing() {
        let (mut suite, forged) = compromised_suite();
        suite.submit(8).unwrap();
        let honest = suite.lane.clone();
        // Consistent histories.
        let checkpoint = honest.checkpoint(12);
        let attested = |suite: &Suite, lane: &TestLane, size| {
            let checkpoint = lane.checkpoint(size);
            let signatures = suite
                .signers
                .sign_quorum(&digest_for(&checkpoint, OUTBOX, HERE));
            (checkpoint, signatures)
        };
        let (_, signatures) = attested(&suite, &honest, 12);
        suite.refuses(
            &ExecuteMsg::ReportEquivocation {
                checkpoint: checkpoint.clone(),
                signatures: signatures.clone(),
                stored_size: 8,
                prefix_root: HexBinary::from(&honest.root(8)),
                consistency_proof: honest.consistency(8, 12),
            },
            ContractError::NotEvidence {
                reason: "the attested checkpoint extends the stored log".into(),
            },
        );
        // A proof that does not verify.
        let mut bad_proof = forged.consistency(8, 12);
        bad_proof[0] = HexBinary::from(&[0u8; 32]);
        let (forged_12, forged_signatures) = attested(&suite, &forged, 12);
        let outcome = suite.relay(&ExecuteMsg::ReportEquivocation {
            checkpoint: forged_12.clone(),
            signatures: forged_signatures.clone(),
            stored_size: 8,
            prefix_root: HexBinary::from(&forged.root(8)),
            consistency_proof: bad_proof,
        });
        assert!(outcome
            .unwrap_err()
            .contains("no equivocation: consistency proof from 8 to 12 refused"));
        // An unknown stored size.
        suite.refuses(
            &ExecuteMsg::ReportEquivocation {
                checkpoint: forged_12.clone(),
                signatures: forged_signatures.clone(),
                stored_size: 7,
                prefix_root: HexBinary::from(&forged.root(7)),
                consistency_proof: forged.consistency(7, 12),
            },
            ContractError::UnknownCheckpoint {
                chain: SOURCE.into(),
                size: 7,
            },
        );
        // Real evidence without a quorum: the checkpoint is not attested.
        let weak = suite
            .signers
            .sign_with(&digest_for(&forged_12, OUTBOX, HERE), &[0, 1]);
        suite.refuses(
            &ExecuteMsg::ReportEquivocation {
                checkpoint: forged_12.clone(),
                signatures: weak,
                stored_size: 8,
                prefix_root: HexBinary::from(&forged.root(8)),
                consistency_proof: forged.consistency(8, 12),
            },
            SignatureError::InsufficientWeight {
                signed: 3,
                threshold: 6,
            }
            .into(),
        );
        // Signed by strangers.
        let strangers = mixed_signers(70);
        suite.refuses(
            &ExecuteMsg::ReportEquivocation {
                checkpoint: forged_12,
                signatures: strangers.sign_quorum(&digest_for(
                    &forged.checkpoint(12),
                    OUTBOX,
                    HERE,
                )),
                stored_size: 8,
                prefix_root: HexBinary::from(&forged.root(8)),
                consistency_proof: forged.consistency(8, 12),
            },
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
        assert_eq!(suite.source(SOURCE).frozen, None);
    }
}

mod handover {
    use super::*;

    /// Finding 5 (low): a hand-over signed for an inbox following another outbox (or for
    /// another destination) with the same keys no longer verifies here.
    #[test]
    fn a_handover_signed_for_another_lane_is_refused() {
        let mut suite = Suite::new();
        let next = mixed_signers(80);
        for (outbox, destination) in [("cosmwasm1otheroutbox", HERE), (OUTBOX, "chain-z")] {
            let digest = next.set.digest(SOURCE, outbox, destination, 2).unwrap();
            let signatures = suite.signers.sign_quorum(&digest);
            let msg = ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures,
            };
            suite.refuses(
                &msg,
                SignatureError::Invalid {
                    index: 0,
                    fault: SignatureFault::Mismatch,
                }
                .into(),
            );
        }
        let digest = next.set.digest(SOURCE, OUTBOX, HERE, 2).unwrap();
        suite
            .relay(&ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures: suite.signers.sign_quorum(&digest),
            })
            .unwrap();
        assert_eq!(suite.source(SOURCE).epoch, 2);
    }
}

mod time_lock {
    use super::*;

    const DELAY: u64 = 3600;

    fn proposals(suite: &Suite) -> Vec<ProposalResponse> {
        let response: ProposalsResponse = suite
            .query(&QueryMsg::Proposals {
                start_after: None,
                limit: None,
            })
            .unwrap();
        response.proposals
    }

    #[test]
    fn a_change_of_trust_waits_for_its_delay_then_anyone_executes_it() {
        let mut suite = Suite::with_trust_delay(DELAY);
        let next = mixed_signers(90);
        let before = suite.source(SOURCE);
        let response = suite
            .as_owner(&ExecuteMsg::SetAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
            })
            .unwrap();
        let due = suite.now().plus_seconds(DELAY);
        assert_eq!(
            event_values(&response, "ccmp_proposal", "action"),
            ["proposed"]
        );
        assert_eq!(
            event_values(&response, "ccmp_proposal", "change"),
            ["set_attesters"]
        );
        assert_eq!(
            event_values(&response, "ccmp_proposal", "executable_at"),
            [due.seconds().to_string()]
        );
        // Announced, not applied.
        assert_eq!(suite.source(SOURCE), before);
        assert_eq!(
            proposals(&suite),
            [ProposalResponse {
                id: 1,
                change: TrustChange::SetAttesters {
                    source_chain: SOURCE.into(),
                    attesters: next.set.clone(),
                },
                proposed_at: suite.now(),
                executable_at: due,
            }]
        );
        suite.advance_time(DELAY - 1);
        suite.refuses(
            &ExecuteMsg::ExecuteProposal { id: 1 },
            ContractError::ProposalNotDue {
                id: 1,
                executable_at: due,
            },
        );
        suite.advance_time(1);
        // Anyone: the relayer carries it out.
        let response = suite.relay(&ExecuteMsg::ExecuteProposal { id: 1 }).unwrap();
        assert_eq!(
            event_values(&response, "ccmp_proposal", "action"),
            ["executed"]
        );
        let after = suite.source(SOURCE);
        assert_eq!((after.epoch, after.attesters), (2, next.set));
        assert_eq!(proposals(&suite), []);
        suite.refuses(
            &ExecuteMsg::ExecuteProposal { id: 1 },
            ContractError::UnknownProposal { id: 1 },
        );
    }

    #[test]
    fn the_owner_cancels_and_execution_checks_again() {
        let mut suite = Suite::with_trust_delay(DELAY);
        let config = |chain: &str| ccmp_inbox::msg::SourceConfig {
            chain: chain.into(),
            outbox: OUTBOX.into(),
            attesters: mixed_signers(5).set,
            ordered: false,
            receive_gas_limit: None,
            max_receive_gas_limit: None,
        };
        suite
            .as_owner(&ExecuteMsg::AddSource(config("chain-x")))
            .unwrap();
        suite
            .as_owner(&ExecuteMsg::AddSource(config("chain-x")))
            .unwrap();
        suite
            .as_owner(&ExecuteMsg::AddSource(config("chain-y")))
            .unwrap();
        assert_eq!(proposals(&suite).len(), 3);
        suite.refuses(
            &ExecuteMsg::CancelProposal { id: 3 },
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        let response = suite
            .as_owner(&ExecuteMsg::CancelProposal { id: 3 })
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_proposal", "action"),
            ["cancelled"]
        );
        suite.advance_time(DELAY);
        suite.relay(&ExecuteMsg::ExecuteProposal { id: 1 }).unwrap();
        assert_eq!(suite.source("chain-x").epoch, 1);
        // The duplicate is refused at execution: the state moved since its proposal.
        suite.refuses(
            &ExecuteMsg::ExecuteProposal { id: 2 },
            ContractError::SourceExists {
                chain: "chain-x".into(),
            },
        );
        suite.refuses(
            &ExecuteMsg::ExecuteProposal { id: 3 },
            ContractError::UnknownProposal { id: 3 },
        );
        // Checked when proposed too.
        suite.owner_refuses(
            &ExecuteMsg::AddSource(config(SOURCE)),
            ContractError::SourceExists {
                chain: SOURCE.into(),
            },
        );
    }

    #[test]
    fn pending_proposals_are_bounded() {
        let mut suite = Suite::with_trust_delay(DELAY);
        let set = mixed_signers(7).set;
        for _ in 0..32 {
            suite
                .as_owner(&ExecuteMsg::SetAttesters {
                    source_chain: SOURCE.into(),
                    attesters: set.clone(),
                })
                .unwrap();
        }
        suite.owner_refuses(
            &ExecuteMsg::SetAttesters {
                source_chain: SOURCE.into(),
                attesters: set,
            },
            ContractError::TooManyProposals { max: 32 },
        );
        let page: ProposalsResponse = suite
            .query(&QueryMsg::Proposals {
                start_after: Some(5),
                limit: Some(100),
            })
            .unwrap();
        assert_eq!(page.proposals.len(), 27);
        assert_eq!(page.proposals[0].id, 6);
    }

    /// The owner's brakes stay immediate: `freeze` (and `pause`) need no delay; lifting
    /// an owner's freeze is a change of trust and waits, but needs no new attester set.
    #[test]
    fn the_owner_freezes_at_once_and_unfreezes_after_the_delay() {
        let mut suite = Suite::with_trust_delay(DELAY);
        let receiver = suite.receiver.to_string();
        suite.lane.push_many(&receiver, 4);
        suite.submit(4).unwrap();
        suite.refuses(
            &ExecuteMsg::Freeze {
                source_chain: SOURCE.into(),
            },
            ContractError::Ownership(OwnershipError::NotOwner),
        );
        let response = suite
            .as_owner(&ExecuteMsg::Freeze {
                source_chain: SOURCE.into(),
            })
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "cause"),
            ["owner"]
        );
        let frozen = suite.source(SOURCE).frozen.unwrap();
        assert_eq!(
            (frozen.cause, frozen.max_rollback_to),
            (FreezeCause::Owner {}, 4)
        );
        // Idempotent.
        suite
            .as_owner(&ExecuteMsg::Freeze {
                source_chain: SOURCE.into(),
            })
            .unwrap();
        let frozen_error = || ContractError::SourceFrozen {
            chain: SOURCE.into(),
            size: 4,
        };
        suite.refuses(
            &ExecuteMsg::Deliver {
                items: vec![suite.lane.item(0, 4)],
            },
            frozen_error(),
        );
        let batch = suite.lane.batch(&[0, 1], 4);
        suite.refuses(&batch, frozen_error());
        suite.as_owner(&unfreeze(4)).unwrap();
        assert!(suite.source(SOURCE).frozen.is_some());
        suite.advance_time(DELAY);
        suite.relay(&ExecuteMsg::ExecuteProposal { id: 1 }).unwrap();
        assert_eq!(suite.source(SOURCE).frozen, None);
        let batch = suite.lane.batch(&[0, 1, 2, 3], 4);
        suite.relay(&batch).unwrap();
        assert_eq!(suite.received_nonces(), [0, 1, 2, 3]);
        assert_eq!(suite.status(SOURCE, 3).status, MessageStatus::Delivered);
    }

    /// Review finding: an unfreeze proposal answers the freeze it was made for. One left
    /// pending after that freeze was lifted used to lift a later freeze the owner never
    /// reviewed; it is now refused, changing nothing.
    #[test]
    fn a_stale_unfreeze_does_not_lift_a_later_freeze() {
        let mut suite = Suite::with_trust_delay(DELAY);
        let receiver = suite.receiver.to_string();
        suite.lane.push_many(&receiver, 4);
        suite.submit(4).unwrap();
        let freeze = ExecuteMsg::Freeze {
            source_chain: SOURCE.into(),
        };
        suite.as_owner(&freeze).unwrap();
        // Two proposals for the first freeze; the first lifts it.
        suite.as_owner(&unfreeze(4)).unwrap();
        suite.as_owner(&unfreeze(4)).unwrap();
        suite.advance_time(DELAY);
        suite.relay(&ExecuteMsg::ExecuteProposal { id: 1 }).unwrap();
        assert_eq!(suite.source(SOURCE).frozen, None);
        // Frozen again: the proposal left over is not for this freeze.
        suite.advance_time(1);
        suite.as_owner(&freeze).unwrap();
        suite.advance_time(DELAY);
        suite.refuses(
            &ExecuteMsg::ExecuteProposal { id: 2 },
            ContractError::StaleUnfreeze {
                id: 2,
                chain: SOURCE.into(),
            },
        );
        assert!(suite.source(SOURCE).frozen.is_some());
        assert_eq!(proposals(&suite).len(), 1);
        // One made for this freeze lifts it.
        suite.as_owner(&unfreeze(4)).unwrap();
        suite.advance_time(DELAY);
        suite.relay(&ExecuteMsg::ExecuteProposal { id: 3 }).unwrap();
        assert_eq!(suite.source(SOURCE).frozen, None);
    }
}

mod retry_after_rollback {
    use super::*;

    /// Model-test finding 1: `retry` needs no proof, so a forged message that failed under
    /// a forged checkpoint could be retried after the rollback that discarded it. Now a
    /// message failed in an earlier generation is retried only below the rollback.
    #[test]
    fn a_message_failed_under_a_rolled_back_checkpoint_is_never_retried() {
        let (mut suite, forged) = compromised_suite();
        submit_from(&mut suite, &forged, 8).unwrap();
        suite.set_receiver_failing(true);
        // An honest message below the rollback and a forged one above it both fail.
        suite
            .deliver(vec![forged.item(2, 8), forged.item(5, 8)])
            .unwrap();
        assert_eq!(suite.status(SOURCE, 5).status, MessageStatus::Failed);
        let honest_8 = suite.lane.checkpoint(8);
        let signatures = suite
            .signers
            .sign_quorum(&digest_for(&honest_8, OUTBOX, HERE));
        suite.submit_signed(honest_8, signatures, vec![]).unwrap();
        suite
            .as_owner(&ExecuteMsg::SetAttesters {
                source_chain: SOURCE.into(),
                attesters: mixed_signers(51).set,
            })
            .unwrap();
        suite.as_owner(&unfreeze(4)).unwrap();
        suite.set_receiver_failing(false);
        suite.refuses(
            &ExecuteMsg::Retry {
                message: forged.messages[5].clone(),
                gas_limit: None,
            },
            ContractError::RolledBack {
                chain: SOURCE.into(),
                nonce: 5,
                rollback_to: Some(4),
            },
        );
        // Nonce 2 is of the kept history (every checkpoint of the old generation extends
        // checkpoint 4): its retry goes through.
        suite
            .relay(&ExecuteMsg::Retry {
                message: suite.lane.messages[2].clone(),
                gas_limit: None,
            })
            .unwrap();
        assert_eq!(suite.status(SOURCE, 2).status, MessageStatus::Delivered);
        let forged_body = forged.messages[5].body.clone();
        assert!(suite.received().iter().all(|r| r.body != forged_body));
    }
}
