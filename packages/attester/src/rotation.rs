//! Signing an attester-set hand-over (`ccmp attest sign-rotation`): the current set's
//! members each sign `AttesterSet::digest` (v2, PROTOCOL.md §4) of the new set for the
//! lane and the new epoch, and the operator submits the signatures in `rotate_attesters`.
//!
//! With the same care as checkpoints: the new set must be valid as the inbox validates it,
//! and the signed `(lane, epoch) -> set digest` is recorded durably in the attester's
//! store before the signature is returned; a different set for an epoch already signed is
//! refused. Signing the same set again returns the same signature.

use std::path::Path;

use ccmp_signer::AttesterKey;
use ccmp_types::{validate_chain_id, AttesterSet, AttesterSetError, CodecError};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::HexBinary;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::api::SignedRotation;
use crate::store::{LaneId, Refusal, Store, StoreError};

/// What to sign: the lane (source chain, source outbox, destination chain), the new set
/// and its epoch (the inbox's current epoch plus one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RotationRequest {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub new_epoch: u64,
    pub new_set: AttesterSet,
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum RotationError {
    #[error("`{field}`: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the new attester set is not valid: {0}")]
    InvalidSet(#[from] AttesterSetError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for RotationError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Refused(refusal) => RotationError::Refused(refusal),
            other => RotationError::Store(other),
        }
    }
}

/// Signs the hand-over to `request.new_set` with `key`, recording it in the store at
/// `store_path` first (see the module's documentation).
pub fn sign_rotation(
    store_path: &Path,
    key: &AttesterKey,
    request: &RotationRequest,
) -> Result<SignedRotation, RotationError> {
    let invalid = |field, reason: String| RotationError::Invalid { field, reason };
    validate_chain_id("source_chain", &request.source_chain)
        .map_err(|e| invalid("source_chain", e.to_string()))?;
    validate_chain_id("destination_chain", &request.destination_chain)
        .map_err(|e| invalid("destination_chain", e.to_string()))?;
    if request.source_outbox.is_empty()
        || request
            .source_outbox
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "source_outbox",
            format!("{:?} is not an address", request.source_outbox),
        ));
    }
    if request.new_epoch < 2 {
        return Err(invalid(
            "new_epoch",
            format!(
                "{}: a set's first epoch is 1, so a hand-over is to epoch 2 or later",
                request.new_epoch
            ),
        ));
    }
    // The checks the inbox makes (keys on the curve through the host API, no small-order
    // Ed25519 keys, no duplicates, a majority threshold).
    request.new_set.validate(&MockApi::default())?;
    let digest = request.new_set.digest(
        &request.source_chain,
        &request.source_outbox,
        &request.destination_chain,
        request.new_epoch,
    )?;
    let store = Store::open(store_path, &key.pubkey())?;
    let lane = LaneId {
        source_chain: request.source_chain.clone(),
        source_outbox: request.source_outbox.clone(),
        destination_chain: request.destination_chain.clone(),
    };
    store.record_rotation(&lane, request.new_epoch, &digest)?;
    let pubkey = key.pubkey();
    Ok(SignedRotation {
        source_chain: request.source_chain.clone(),
        source_outbox: request.source_outbox.clone(),
        destination_chain: request.destination_chain.clone(),
        new_epoch: request.new_epoch,
        attesters: request.new_set.clone(),
        digest: HexBinary::from(&digest),
        key_type: pubkey.key_type_name().to_string(),
        pubkey: HexBinary::from(pubkey.bytes()),
        signature: HexBinary::from(key.sign(&digest)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmp_signer::SignerSet;
    use ccmp_types::{Attester, PubKey};
    use cosmwasm_std::Binary;

    fn request(epoch: u64, seed: u32) -> RotationRequest {
        let signers = SignerSet::equal_weights(
            (0..3)
                .map(|n| AttesterKey::test_key(seed + n, n % 2 == 0))
                .collect(),
        );
        RotationRequest {
            source_chain: "chain-a".into(),
            source_outbox: "outbox-a".into(),
            destination_chain: "chain-b".into(),
            new_epoch: epoch,
            new_set: signers.set,
        }
    }

    #[test]
    fn signs_the_v2_digest_and_refuses_another_set_for_a_signed_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.json");
        let key = AttesterKey::test_key(40, false);
        let api = MockApi::default();

        let first = sign_rotation(&store, &key, &request(2, 10)).unwrap();
        let digest = request(2, 10)
            .new_set
            .digest("chain-a", "outbox-a", "chain-b", 2)
            .unwrap();
        assert_eq!(first.digest, HexBinary::from(&digest));
        assert_eq!(first.new_epoch, 2);
        assert_eq!(first.attesters, request(2, 10).new_set);
        key.pubkey()
            .verify(&api, &digest, &first.signature)
            .unwrap();
        assert_eq!(first.attester_signature(4).index, 4);

        // The same set again: the same signature.
        assert_eq!(sign_rotation(&store, &key, &request(2, 10)).unwrap(), first);
        // Another set for epoch 2: refused, durably (a new process sees the record).
        let err = sign_rotation(&store, &key, &request(2, 20)).unwrap_err();
        assert!(
            matches!(
                &err,
                RotationError::Refused(Refusal::RotationConflict { epoch: 2, .. })
            ),
            "{err}"
        );
        // The next epoch, or the same epoch on another lane, is a new hand-over.
        sign_rotation(&store, &key, &request(3, 20)).unwrap();
        let other_lane = RotationRequest {
            destination_chain: "chain-c".into(),
            ..request(2, 20)
        };
        sign_rotation(&store, &key, &other_lane).unwrap();
        let contents = Store::open(&store, &key.pubkey())
            .unwrap()
            .contents()
            .unwrap();
        assert_eq!(contents.rotations.len(), 3);
    }

    #[test]
    fn refuses_invalid_sets_and_requests_before_recording_anything() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.json");
        let key = AttesterKey::test_key(40, true);
        let mut low = request(2, 10);
        low.new_set.threshold = 1;
        assert!(matches!(
            sign_rotation(&store, &key, &low).unwrap_err(),
            RotationError::InvalidSet(AttesterSetError::ThresholdTooLow { .. })
        ));
        // A small-order Ed25519 key (the identity) would let anyone sign with its weight.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut small = request(2, 10);
        small.new_set.attesters.push(Attester {
            pubkey: PubKey::Ed25519(Binary::from(identity)),
            weight: 1,
        });
        assert!(matches!(
            sign_rotation(&store, &key, &small).unwrap_err(),
            RotationError::InvalidSet(AttesterSetError::InvalidKey { .. })
        ));
        let mut duplicate = request(2, 10);
        let first = duplicate.new_set.attesters[0].clone();
        duplicate.new_set.attesters.push(first);
        assert!(matches!(
            sign_rotation(&store, &key, &duplicate).unwrap_err(),
            RotationError::InvalidSet(AttesterSetError::DuplicateKey { .. })
        ));
        for (field, edit) in [
            (
                "new_epoch",
                (|r: &mut RotationRequest| r.new_epoch = 1) as fn(&mut RotationRequest),
            ),
            ("source_chain", |r| r.source_chain = "a b".into()),
            ("destination_chain", |r| r.destination_chain = String::new()),
            ("source_outbox", |r| r.source_outbox = String::new()),
        ] {
            let mut bad = request(2, 10);
            edit(&mut bad);
            match sign_rotation(&store, &key, &bad).unwrap_err() {
                RotationError::Invalid { field: named, .. } => assert_eq!(named, field),
                other => panic!("{field}: {other}"),
            }
        }
        assert!(!store.exists(), "nothing was recorded");
    }
}
