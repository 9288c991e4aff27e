//! The spec's `equivocation` vectors (vectors.json) through the inbox: each case's stored
//! checkpoint is stored, its checkpoint is attested by the current set, and
//! `report_equivocation` with the case's prefix root and consistency proof either freezes
//! the source (`freeze`) or is refused changing nothing (`refuse`).

mod common;

use ccmp_inbox::msg::{ExecuteMsg, FreezeCause};
use ccmp_types::Checkpoint;
use common::*;
use cosmwasm_std::HexBinary;
use serde_json::Value;

const VECTORS: &str = include_str!("../../../packages/types/tests/data/vectors.json");

fn hex(value: &Value) -> HexBinary {
    HexBinary::from_hex(value.as_str().expect("hex string")).expect("hex")
}

fn checkpoint(value: &Value) -> Checkpoint {
    Checkpoint {
        source_chain: SOURCE.into(),
        size: value["size"].as_u64().unwrap(),
        root: hex(&value["root_hex"]),
    }
}

#[test]
fn every_equivocation_vector_freezes_or_is_refused() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = vectors["equivocation"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    let (mut frozen, mut refused) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut suite = Suite::new();
        // The stored checkpoint, attested and stored as the source's first.
        let stored = checkpoint(&case["stored"]);
        let signatures = suite
            .signers
            .sign_quorum(&digest_for(&stored, OUTBOX, HERE));
        suite
            .submit_signed(stored.clone(), signatures, vec![])
            .unwrap_or_else(|e| panic!("{name}: storing the stored checkpoint: {e}"));
        let attested = checkpoint(&case["checkpoint"]);
        let report = ExecuteMsg::ReportEquivocation {
            checkpoint: attested.clone(),
            signatures: suite
                .signers
                .sign_quorum(&digest_for(&attested, OUTBOX, HERE)),
            stored_size: stored.size,
            prefix_root: hex(&case["prefix_root_hex"]),
            consistency_proof: case["consistency_proof_hex"]
                .as_array()
                .unwrap()
                .iter()
                .map(hex)
                .collect(),
        };
        match case["expect"].as_str().unwrap() {
            "freeze" => {
                let response = suite
                    .relay(&report)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    event_values(&response, "ccmp_source_frozen", "cause"),
                    ["equivocation"],
                    "{name}"
                );
                let freeze = suite.source(SOURCE).frozen.expect(name);
                assert_eq!(
                    freeze.max_rollback_to,
                    stored.size.min(attested.size),
                    "{name}"
                );
                assert_eq!(
                    freeze.cause,
                    FreezeCause::Equivocation {
                        stored_size: stored.size,
                        stored_root: stored.root.clone(),
                        conflicting_size: attested.size,
                        conflicting_root: hex(&case["prefix_root_hex"]),
                    },
                    "{name}"
                );
                frozen += 1;
            }
            "refuse" => {
                let before = suite.snapshot();
                let err = suite.relay(&report).expect_err(name);
                assert!(err.contains("no equivocation: "), "{name}: {err}");
                assert_eq!(suite.snapshot(), before, "{name}");
                assert_eq!(suite.source(SOURCE).frozen, None, "{name}");
                refused += 1;
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }
    assert_eq!((frozen, refused), (3, 2));
}
