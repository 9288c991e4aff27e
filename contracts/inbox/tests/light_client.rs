//! The light client through cw-multi-test: checkpoints must be attested by the stored set
//! and consistent with what is stored; equivocation freezes; rotation is single-use.
//! Every refusal is checked for its exact error and for leaving the inbox untouched.

mod common;

use ccmp_inbox::msg::{CheckpointResponse, CheckpointsResponse, ExecuteMsg, QueryMsg};
use ccmp_inbox::ContractError;
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{
    AttesterSetError, AttesterSignature, Checkpoint, CodecError, MerkleError, SignatureError,
    SignatureFault,
};
use common::*;
use cosmwasm_std::{Binary, HexBinary};

fn submit_msg(
    checkpoint: Checkpoint,
    signatures: Vec<AttesterSignature>,
    consistency_proof: Vec<HexBinary>,
) -> ExecuteMsg {
    ExecuteMsg::SubmitCheckpoint {
        checkpoint,
        signatures,
        consistency_proof,
    }
}

/// chain-a's lane with 10 messages and checkpoint 4 stored.
fn suite_at_4() -> Suite {
    let mut suite = Suite::new();
    let receiver = suite.receiver.to_string();
    suite.lane.push_many(&receiver, 10);
    suite.submit(4).unwrap();
    suite
}

mod accepting {
    use super::*;

    #[test]
    fn checkpoints_grow_one_consistent_log() {
        let mut suite = suite_at_4();
        let response = suite.submit(7).unwrap();
        assert_eq!(event_values(&response, "ccmp_checkpoint", "size"), ["7"]);
        assert_eq!(
            event_values(&response, "ccmp_checkpoint", "previous_size"),
            ["4"]
        );
        assert_eq!(
            event_values(&response, "ccmp_checkpoint", "root"),
            [HexBinary::from(&suite.lane.root(7)).to_hex()]
        );
        suite.submit(10).unwrap();

        let latest: CheckpointResponse = suite
            .query(&QueryMsg::Checkpoint {
                source_chain: SOURCE.into(),
                size: None,
            })
            .unwrap();
        assert_eq!(latest.size, 10);
        assert_eq!(latest.root, HexBinary::from(&suite.lane.root(10)));
        // Older checkpoints stay usable, so a relayer's proof never goes stale.
        let at_4: CheckpointResponse = suite
            .query(&QueryMsg::Checkpoint {
                source_chain: SOURCE.into(),
                size: Some(4),
            })
            .unwrap();
        assert_eq!(at_4.root, HexBinary::from(&suite.lane.root(4)));
        let all: CheckpointsResponse = suite
            .query(&QueryMsg::Checkpoints {
                source_chain: SOURCE.into(),
                start_after: None,
                limit: None,
            })
            .unwrap();
        assert_eq!(
            all.checkpoints.iter().map(|c| c.size).collect::<Vec<_>>(),
            [4, 7, 10]
        );
        let page: CheckpointsResponse = suite
            .query(&QueryMsg::Checkpoints {
                source_chain: SOURCE.into(),
                start_after: Some(4),
                limit: Some(1),
            })
            .unwrap();
        assert_eq!(page.checkpoints.len(), 1);
        assert_eq!(page.checkpoints[0].size, 7);
    }

    #[test]
    fn resubmitting_a_stored_checkpoint_is_a_no_op() {
        let mut suite = suite_at_4();
        let before = suite.snapshot();
        // Even without signatures: nothing changes, so nothing needs proving.
        let response = suite
            .submit_signed(suite.lane.checkpoint(4), vec![], vec![])
            .unwrap();
        assert!(event_values(&response, "ccmp_checkpoint", "size").is_empty());
        assert_eq!(suite.snapshot(), before);
        suite.submit(4).unwrap();
        assert_eq!(suite.snapshot(), before);
    }

    #[test]
    fn every_signature_counts_once_and_weight_decides() {
        // Weights 1, 2, 3, 4 with threshold 6: {2, 3} (7) passes, {0, 1, 2} (6) passes.
        for indices in [vec![2, 3], vec![0, 1, 2], vec![0, 1, 2, 3], vec![1, 3]] {
            let mut suite = suite_at_4();
            let checkpoint = suite.lane.checkpoint(7);
            let signatures = suite
                .signers
                .sign_with(&digest_for(&checkpoint, OUTBOX, HERE), &indices);
            suite
                .submit_signed(checkpoint, signatures, suite.lane.consistency(4, 7))
                .unwrap_or_else(|err| panic!("{indices:?}: {err}"));
        }
    }
}

mod refusing {
    use super::*;

    fn signed(suite: &Suite, checkpoint: &Checkpoint, indices: &[u32]) -> Vec<AttesterSignature> {
        suite
            .signers
            .sign_with(&digest_for(checkpoint, OUTBOX, HERE), indices)
    }

    #[test]
    fn signers_under_the_threshold() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        // 1 + 4 = 5 < 6.
        let signatures = signed(&suite, &checkpoint, &[0, 3]);
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::InsufficientWeight {
                signed: 5,
                threshold: 6,
            }
            .into(),
        );
    }

    #[test]
    fn the_same_attester_twice() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        let mut signatures = signed(&suite, &checkpoint, &[3]);
        signatures.push(signatures[0].clone());
        suite.refuses(
            &submit_msg(checkpoint.clone(), signatures, suite.lane.consistency(4, 7)),
            SignatureError::IndexNotIncreasing {
                index: 3,
                previous: 3,
            }
            .into(),
        );
        // Descending order is refused the same way.
        let mut signatures = signed(&suite, &checkpoint, &[2, 3]);
        signatures.reverse();
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::IndexNotIncreasing {
                index: 2,
                previous: 3,
            }
            .into(),
        );
    }

    #[test]
    fn an_index_outside_the_set() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        let mut signatures = signed(&suite, &checkpoint, &[2, 3]);
        signatures[1].index = 4;
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::IndexOutOfRange { index: 4, size: 4 }.into(),
        );
    }

    #[test]
    fn a_key_outside_the_set_even_beside_a_quorum() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        let digest = digest_for(&checkpoint, OUTBOX, HERE);
        let mut signatures = signed(&suite, &checkpoint, &[0, 1, 2, 3]);
        // Attester 0's slot signed by an outsider's secp256k1 key.
        signatures[0].signature = Binary::new(AttesterKey::test_key(999, false).sign(&digest));
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
    }

    #[test]
    fn a_set_the_caller_brings() {
        // Signatures of a set the inbox does not store count for nothing.
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        let impostors = mixed_signers(500);
        let signatures = impostors.sign_with(&digest_for(&checkpoint, OUTBOX, HERE), &[2, 3]);
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::Invalid {
                index: 2,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
    }

    #[test]
    fn a_checkpoint_signed_for_another_lane() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        for (outbox, destination) in [("cosmwasm1otheroutbox", HERE), (OUTBOX, "chain-z")] {
            let signatures = suite
                .signers
                .sign_with(&digest_for(&checkpoint, outbox, destination), &[2, 3]);
            suite.refuses(
                &submit_msg(checkpoint.clone(), signatures, suite.lane.consistency(4, 7)),
                SignatureError::Invalid {
                    index: 2,
                    fault: SignatureFault::Mismatch,
                }
                .into(),
            );
        }
        // Another source's attesters signing its own lane: not this source's checkpoint.
        let other = Checkpoint {
            source_chain: OTHER_SOURCE.into(),
            ..checkpoint.clone()
        };
        let signatures = suite
            .signers
            .sign_with(&digest_for(&other, OUTBOX, HERE), &[2, 3]);
        suite.refuses(
            &submit_msg(other, signatures, vec![]),
            SignatureError::Invalid {
                index: 2,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
    }

    #[test]
    fn more_signatures_than_attesters() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        let mut signatures = signed(&suite, &checkpoint, &[0, 1, 2, 3]);
        signatures.push(AttesterSignature {
            index: 4,
            signature: Binary::new(vec![0; 64]),
        });
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::TooMany { count: 5, max: 4 }.into(),
        );
    }

    #[test]
    fn a_high_s_twin_of_a_valid_signature() {
        let mut suite = suite_at_4();
        let checkpoint = suite.lane.checkpoint(7);
        let mut signatures = signed(&suite, &checkpoint, &[0, 1, 2, 3]);
        signatures[2].signature = Binary::new(high_s(&signatures[2].signature));
        suite.refuses(
            &submit_msg(checkpoint, signatures, suite.lane.consistency(4, 7)),
            SignatureError::Invalid {
                index: 2,
                fault: SignatureFault::HighS,
            }
            .into(),
        );
    }

    #[test]
    fn an_inconsistent_checkpoint() {
        let mut suite = suite_at_4();
        // A history that rewrites message 2: attested, but not an extension of size 4.
        let mut forked = TestLane::new(SOURCE, HERE);
        forked.messages = suite.lane.messages.clone();
        forked.ids = suite.lane.ids.clone();
        forked.ids[2] = [0xee; 32];
        let checkpoint = forked.checkpoint(7);
        let signatures = signed(&suite, &checkpoint, &[2, 3]);
        suite.refuses(
            &submit_msg(
                checkpoint.clone(),
                signatures.clone(),
                forked.consistency(4, 7),
            ),
            ContractError::InvalidConsistencyProof {
                chain: SOURCE.into(),
                from: 4,
                to: 7,
                reason: MerkleError::RootMismatch,
            },
        );
        // The honest proof does not lead to the forked root either.
        suite.refuses(
            &submit_msg(
                checkpoint.clone(),
                signatures.clone(),
                suite.lane.consistency(4, 7),
            ),
            ContractError::InvalidConsistencyProof {
                chain: SOURCE.into(),
                from: 4,
                to: 7,
                reason: MerkleError::RootMismatch,
            },
        );
        // No proof at all.
        suite.refuses(
            &submit_msg(checkpoint, signatures, vec![]),
            ContractError::InvalidConsistencyProof {
                chain: SOURCE.into(),
                from: 4,
                to: 7,
                reason: MerkleError::WrongProofLength {
                    len: 0,
                    expected: 1,
                },
            },
        );
    }

    #[test]
    fn stale_empty_malformed_and_unknown_checkpoints() {
        let mut suite = suite_at_4();
        suite.submit(7).unwrap();
        let at_5 = suite.lane.checkpoint(5);
        let signatures = signed(&suite, &at_5, &[2, 3]);
        suite.refuses(
            &submit_msg(at_5, signatures, vec![]),
            ContractError::StaleCheckpoint {
                chain: SOURCE.into(),
                size: 5,
                latest: 7,
            },
        );
        let empty = Checkpoint {
            source_chain: SOURCE.into(),
            size: 0,
            root: HexBinary::from(&ccmp_types::EMPTY_ROOT),
        };
        suite.refuses(
            &submit_msg(empty, vec![], vec![]),
            ContractError::EmptyCheckpoint,
        );
        let short_root = Checkpoint {
            root: HexBinary::from(vec![0u8; 31]),
            ..suite.lane.checkpoint(9)
        };
        suite.refuses(
            &submit_msg(short_root, vec![], vec![]),
            CodecError::InvalidHashLength {
                field: "root",
                len: 31,
            }
            .into(),
        );
        let unknown = Checkpoint {
            source_chain: "chain-x".into(),
            ..suite.lane.checkpoint(9)
        };
        suite.refuses(
            &submit_msg(unknown, vec![], vec![]),
            ContractError::UnknownSource {
                chain: "chain-x".into(),
            },
        );
        let too_long = vec![HexBinary::from(&[0u8; 32]); 65];
        suite.refuses(
            &submit_msg(suite.lane.checkpoint(9), vec![], too_long),
            ContractError::ProofTooLong { len: 65, max: 64 },
        );
    }
}

mod equivocation {
    use super::*;

    fn conflicting(suite: &Suite, size: u64) -> (Checkpoint, Vec<AttesterSignature>) {
        let checkpoint = Checkpoint {
            root: HexBinary::from(&[0xab; 32]),
            ..suite.lane.checkpoint(size)
        };
        let signatures = suite
            .signers
            .sign_with(&digest_for(&checkpoint, OUTBOX, HERE), &[2, 3]);
        (checkpoint, signatures)
    }

    #[test]
    fn an_attested_conflicting_root_freezes_the_source_until_the_owner_recovers_it() {
        let mut suite = suite_at_4();
        let (checkpoint, signatures) = conflicting(&suite, 4);
        // The call succeeds, so the freeze is kept.
        let response = suite
            .submit_signed(checkpoint.clone(), signatures, vec![])
            .unwrap();
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "stored_root"),
            [HexBinary::from(&suite.lane.root(4)).to_hex()]
        );
        assert_eq!(
            event_values(&response, "ccmp_source_frozen", "conflicting_root"),
            ["ab".repeat(32)]
        );
        let frozen = suite.source(SOURCE).frozen.expect("frozen");
        assert_eq!((frozen.max_rollback_to, frozen.epoch), (4, 1));

        // Frozen: no checkpoints, no deliveries.
        let frozen_error = ContractError::SourceFrozen {
            chain: SOURCE.into(),
            size: 4,
        };
        let checkpoint_7 = suite.lane.checkpoint(7);
        let signatures_7 = suite
            .signers
            .sign_quorum(&digest_for(&checkpoint_7, OUTBOX, HERE));
        suite.refuses(
            &submit_msg(checkpoint_7, signatures_7, suite.lane.consistency(4, 7)),
            ContractError::SourceFrozen {
                chain: SOURCE.into(),
                size: 4,
            },
        );
        suite.refuses(
            &ExecuteMsg::Deliver {
                items: vec![suite.lane.item(0, 4)],
            },
            frozen_error,
        );
        // Rotation by the set that equivocated is refused too.
        let next = mixed_signers(40);
        let rotation = suite
            .signers
            .sign_quorum(&next.set.digest(SOURCE, OUTBOX, HERE, 2).unwrap());
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures: rotation,
            },
            ContractError::SourceFrozen {
                chain: SOURCE.into(),
                size: 4,
            },
        );
        // The other source is untouched.
        assert!(suite.source(OTHER_SOURCE).frozen.is_none());

        // Unfreezing under the same keys is refused.
        suite.owner_refuses(
            &ExecuteMsg::Unfreeze {
                source_chain: SOURCE.into(),
                rollback_to: 4,
            },
            ContractError::AttestersNotReplaced {
                chain: SOURCE.into(),
                frozen_epoch: 1,
                epoch: 1,
            },
        );
        // A stranger cannot unfreeze.
        suite.refuses(
            &ExecuteMsg::Unfreeze {
                source_chain: SOURCE.into(),
                rollback_to: 4,
            },
            ContractError::Ownership(ccmp_types::OwnershipError::NotOwner),
        );
        suite
            .as_owner(&ExecuteMsg::SetAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
            })
            .unwrap();
        suite
            .as_owner(&ExecuteMsg::Unfreeze {
                source_chain: SOURCE.into(),
                rollback_to: 4,
            })
            .unwrap();
        let source = suite.source(SOURCE);
        assert!(source.frozen.is_none());
        assert_eq!(source.epoch, 2);
        suite.owner_refuses(
            &ExecuteMsg::Unfreeze {
                source_chain: SOURCE.into(),
                rollback_to: 4,
            },
            ContractError::NotFrozen {
                chain: SOURCE.into(),
            },
        );

        // The new set carries the lane on; the stored log is kept.
        suite.signers = next;
        suite.submit(7).unwrap();
        suite.deliver(vec![suite.lane.item(5, 7)]).unwrap();
        assert_eq!(suite.received_nonces(), [5]);
    }

    #[test]
    fn a_conflicting_root_without_a_quorum_is_just_refused() {
        let mut suite = suite_at_4();
        let (checkpoint, mut signatures) = conflicting(&suite, 4);
        signatures.truncate(1);
        suite.refuses(
            &submit_msg(checkpoint, signatures, vec![]),
            SignatureError::InsufficientWeight {
                signed: 3,
                threshold: 6,
            }
            .into(),
        );
        assert!(suite.source(SOURCE).frozen.is_none());
    }
}

mod rotation {
    use super::*;

    fn rotate(suite: &mut Suite, signers: &SignerSet, next: &SignerSet, epoch: u64) -> Outcome {
        let signatures =
            signers.sign_quorum(&next.set.digest(SOURCE, OUTBOX, HERE, epoch).unwrap());
        suite.relay(&ExecuteMsg::RotateAttesters {
            source_chain: SOURCE.into(),
            attesters: next.set.clone(),
            signatures,
        })
    }

    #[test]
    fn the_current_set_hands_over_once() {
        let mut suite = suite_at_4();
        let old = suite.signers.clone();
        let next = mixed_signers(40);
        let response = rotate(&mut suite, &old, &next, 2).unwrap();
        assert_eq!(event_values(&response, "ccmp_attesters", "epoch"), ["2"]);
        assert_eq!(
            event_values(&response, "ccmp_attesters", "by"),
            ["rotation"]
        );
        let source = suite.source(SOURCE);
        assert_eq!(source.epoch, 2);
        assert_eq!(source.attesters, next.set);

        // The same rotation again: its digest was for epoch 2, now epoch 3 is next.
        let replay = old.sign_quorum(&next.set.digest(SOURCE, OUTBOX, HERE, 2).unwrap());
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures: replay,
            },
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );

        // The rotated-out set's checkpoint signatures count for nothing now.
        let checkpoint = suite.lane.checkpoint(7);
        let stale = old.sign_with(&digest_for(&checkpoint, OUTBOX, HERE), &[2, 3]);
        suite.refuses(
            &submit_msg(checkpoint, stale, suite.lane.consistency(4, 7)),
            SignatureError::Invalid {
                index: 2,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
        suite.signers = next;
        suite.submit(7).unwrap();
    }

    #[test]
    fn a_rotation_signed_by_the_new_set_or_for_another_source() {
        let mut suite = suite_at_4();
        let old = suite.signers.clone();
        let next = mixed_signers(40);
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures: next.sign_quorum(&next.set.digest(SOURCE, OUTBOX, HERE, 2).unwrap()),
            },
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
        // Signed by chain-a's set but for chain-c: refused on chain-c's set...
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: OTHER_SOURCE.into(),
                attesters: next.set.clone(),
                signatures: old
                    .sign_quorum(&next.set.digest(OTHER_SOURCE, OUTBOX, HERE, 2).unwrap()),
            },
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
        // ...and chain-c's rotation digest does not apply to chain-a.
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures: old
                    .sign_quorum(&next.set.digest(OTHER_SOURCE, OUTBOX, HERE, 2).unwrap()),
            },
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
        // A skipped epoch is refused.
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: next.set.clone(),
                signatures: old.sign_quorum(&next.set.digest(SOURCE, OUTBOX, HERE, 3).unwrap()),
            },
            SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Mismatch,
            }
            .into(),
        );
    }

    #[test]
    fn a_new_set_must_be_valid() {
        let mut suite = suite_at_4();
        let old = suite.signers.clone();
        let mut weak = mixed_signers(40);
        // Threshold 5 of total 10 is not a majority.
        weak.set.threshold = 5;
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: weak.set.clone(),
                signatures: old.sign_quorum(&weak.set.digest(SOURCE, OUTBOX, HERE, 2).unwrap()),
            },
            AttesterSetError::ThresholdTooLow {
                threshold: 5,
                total: 10,
            }
            .into(),
        );
        let mut duplicated = mixed_signers(40);
        duplicated.set.attesters[1] = duplicated.set.attesters[3].clone();
        suite.refuses(
            &ExecuteMsg::RotateAttesters {
                source_chain: SOURCE.into(),
                attesters: duplicated.set.clone(),
                signatures: vec![],
            },
            AttesterSetError::DuplicateKey { index: 3, first: 1 }.into(),
        );
    }
}

/// The high-S twin of a secp256k1 signature `r || s`: `r || n - s`, which the host
/// accepts but the protocol does not.
fn high_s(signature: &[u8]) -> Vec<u8> {
    const ORDER: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41,
    ];
    let s = &signature[32..];
    let mut out = signature[..32].to_vec();
    let mut negated = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut digit = ORDER[i] as i16 - s[i] as i16 - borrow;
        borrow = i16::from(digit < 0);
        if digit < 0 {
            digit += 256;
        }
        negated[i] = digit as u8;
    }
    out.extend_from_slice(&negated);
    out
}
