//! The light client of each source's outbox lane (PROTOCOL.md §4–§5): attested,
//! consistency-proven checkpoints, equivocation freezes and attester rotation.

use std::cmp::Ordering;

use ccmp_types::{
    checkpoint_digest, to_hash, verify_consistency, AttesterSet, AttesterSignature, Checkpoint,
    Hash, EMPTY_ROOT,
};
use cosmwasm_std::{DepsMut, Env, HexBinary, Response, Storage};

use crate::error::ContractError;
use crate::events;
use crate::execute::load_source;
use crate::msg::FreezeCause;
use crate::state::{self, Freeze, Source, StoredCheckpoint};
use crate::util::to_proof;

pub fn submit_checkpoint(
    deps: DepsMut,
    env: Env,
    checkpoint: Checkpoint,
    signatures: Vec<AttesterSignature>,
    consistency_proof: Vec<HexBinary>,
) -> Result<Response, ContractError> {
    let chain = checkpoint.source_chain.as_str();
    let mut source = load_live_source(deps.storage, chain)?;
    if checkpoint.size == 0 {
        return Err(ContractError::EmptyCheckpoint);
    }
    let root = checkpoint.root_hash()?;
    let proof = to_proof(&consistency_proof)?;
    let digest = lane_digest(deps.storage, chain, &source, checkpoint.size, &root)?;
    let latest = latest_or_empty(deps.storage, chain)?;
    // Only a size the light client has reached can be stored already: a new checkpoint (the
    // common case) costs no lookup.
    if checkpoint.size <= latest.size {
        if let Some(stored_root) =
            state::load_checkpoint_root(deps.storage, chain, source.generation, checkpoint.size)?
        {
            if stored_root == root {
                // Relayers race; the second to arrive should not pay for an error.
                return Ok(Response::new()
                    .add_attribute("action", "submit_checkpoint")
                    .add_attribute("result", "already_stored"));
            }
            // Attested conflicting roots for one size: the attesters equivocated. Freezing is the
            // whole point, so this call must succeed (an error would roll the freeze back).
            let attesters = state::load_attesters(deps.storage, chain)?;
            attesters.verify_signatures(deps.api, &digest, &signatures)?;
            let evidence = FreezeCause::Equivocation {
                stored_size: checkpoint.size,
                stored_root: HexBinary::from(&stored_root),
                conflicting_size: checkpoint.size,
                conflicting_root: HexBinary::from(&root),
            };
            return freeze(
                deps.storage,
                &env,
                chain,
                &mut source,
                evidence,
                checkpoint.size,
            )
            .map(|response| {
                response
                    .add_attribute("action", "submit_checkpoint")
                    .add_attribute("result", "source_frozen")
            });
        }
        return Err(ContractError::StaleCheckpoint {
            chain: chain.to_string(),
            size: checkpoint.size,
            latest: latest.size,
        });
    }

    // The proof is cheap hashing; check it before paying for signatures. A proof that does
    // not verify is only an invalid proof: evidence is what `report_equivocation` checks.
    verify_consistency(latest.size, &latest.root, checkpoint.size, &root, &proof).map_err(
        |reason| ContractError::InvalidConsistencyProof {
            chain: chain.to_string(),
            from: latest.size,
            to: checkpoint.size,
            reason,
        },
    )?;
    let attesters = state::load_attesters(deps.storage, chain)?;
    attesters.verify_signatures(deps.api, &digest, &signatures)?;
    state::save_checkpoint(
        deps.storage,
        chain,
        source.generation,
        &StoredCheckpoint {
            size: checkpoint.size,
            root,
        },
    );
    Ok(Response::new()
        .add_attribute("action", "submit_checkpoint")
        .add_attribute("result", "stored")
        .add_event(events::checkpoint(
            chain,
            checkpoint.size,
            &root,
            latest.size,
        )))
}

/// Attested evidence that the attesters signed two histories (PROTOCOL.md §5, case 2):
/// the attested checkpoint `(s, r)` and the stored `(S, R)` disagree about the root at
/// `min(s, S)`, shown by `prefix_root` and a consistency proof from it to the larger of the
/// two. The call that shows evidence succeeds and freezes the source; anything else is
/// refused and changes nothing.
pub fn report_equivocation(
    deps: DepsMut,
    env: Env,
    checkpoint: Checkpoint,
    signatures: Vec<AttesterSignature>,
    stored_size: u64,
    prefix_root: HexBinary,
    consistency_proof: Vec<HexBinary>,
) -> Result<Response, ContractError> {
    let chain = checkpoint.source_chain.as_str();
    let mut source = load_live_source(deps.storage, chain)?;
    if checkpoint.size == 0 {
        return Err(ContractError::EmptyCheckpoint);
    }
    let root = checkpoint.root_hash()?;
    let prefix: Hash = to_hash("prefix_root", &prefix_root)?;
    let proof = to_proof(&consistency_proof)?;
    let stored_root =
        state::load_checkpoint_root(deps.storage, chain, source.generation, stored_size)?
            .ok_or_else(|| ContractError::UnknownCheckpoint {
                chain: chain.to_string(),
                size: stored_size,
            })?;
    let size = checkpoint.size;
    // The cheap checks first: a consistency proof is hashing, signatures are crypto.
    let disputed = match size.cmp(&stored_size) {
        Ordering::Equal => {
            if root == stored_root {
                return Err(not_evidence("the attested root is the stored root"));
            }
            if !proof.is_empty() || prefix != root {
                return Err(not_evidence(
                    "at a stored size the evidence is the attested root itself: prefix_root must be it and the proof empty",
                ));
            }
            size
        }
        // The attested history's first `stored_size` leaves are not the stored log.
        Ordering::Greater => {
            verify_consistency(stored_size, &prefix, size, &root, &proof).map_err(|reason| {
                not_evidence(format!(
                    "consistency proof from {stored_size} to {size} refused: {reason}"
                ))
            })?;
            if prefix == stored_root {
                return Err(not_evidence(
                    "the attested checkpoint extends the stored log",
                ));
            }
            stored_size
        }
        // The stored log's first `size` leaves are not the attested checkpoint.
        Ordering::Less => {
            verify_consistency(size, &prefix, stored_size, &stored_root, &proof).map_err(
                |reason| {
                    not_evidence(format!(
                        "consistency proof from {size} to {stored_size} refused: {reason}"
                    ))
                },
            )?;
            if prefix == root {
                return Err(not_evidence(
                    "the stored log extends the attested checkpoint",
                ));
            }
            size
        }
    };
    let digest = lane_digest(deps.storage, chain, &source, size, &root)?;
    let attesters = state::load_attesters(deps.storage, chain)?;
    attesters.verify_signatures(deps.api, &digest, &signatures)?;
    let evidence = FreezeCause::Equivocation {
        stored_size,
        stored_root: HexBinary::from(&stored_root),
        conflicting_size: size,
        conflicting_root: HexBinary::from(&prefix),
    };
    Ok(
        freeze(deps.storage, &env, chain, &mut source, evidence, disputed)?
            .add_attribute("action", "report_equivocation")
            .add_attribute("result", "source_frozen"),
    )
}

fn not_evidence(reason: impl Into<String>) -> ContractError {
    ContractError::NotEvidence {
        reason: reason.into(),
    }
}

/// Freezes the source: no checkpoints, deliveries or retries until `unfreeze`, which may
/// roll back to at most `max_rollback_to`.
pub fn freeze(
    storage: &mut dyn Storage,
    env: &Env,
    chain: &str,
    source: &mut Source,
    cause: FreezeCause,
    max_rollback_to: u64,
) -> Result<Response, ContractError> {
    let freeze = Freeze {
        cause,
        max_rollback_to,
        epoch: source.epoch,
        height: env.block.height,
    };
    let event = events::source_frozen(chain, &freeze);
    source.frozen = Some(freeze);
    state::save_source(storage, chain, source)?;
    Ok(Response::new().add_event(event))
}

/// A configured source that is not frozen.
pub fn load_live_source(storage: &dyn Storage, chain: &str) -> Result<Source, ContractError> {
    let source = load_source(storage, chain)?;
    if let Some(freeze) = &source.frozen {
        return Err(ContractError::SourceFrozen {
            chain: chain.to_string(),
            size: freeze.max_rollback_to,
        });
    }
    Ok(source)
}

/// The checkpoint digest of this lane. It binds the source's outbox and this inbox's
/// chain from configuration, never from the caller: a checkpoint of another lane cannot
/// verify here.
fn lane_digest(
    storage: &dyn Storage,
    chain: &str,
    source: &Source,
    size: u64,
    root: &Hash,
) -> Result<Hash, ContractError> {
    let config = state::load_config(storage)?;
    Ok(checkpoint_digest(
        chain,
        &source.outbox,
        &config.chain_id,
        size,
        root,
    )?)
}

fn latest_or_empty(storage: &dyn Storage, chain: &str) -> Result<StoredCheckpoint, ContractError> {
    Ok(
        state::load_latest_checkpoint(storage, chain)?.unwrap_or(StoredCheckpoint {
            size: 0,
            root: EMPTY_ROOT,
        }),
    )
}

/// The current set hands over to `attesters` by signing the attester-set digest for
/// epoch + 1. The epoch in the digest makes every rotation single-use, and the source
/// chain in it keeps one source's rotation from applying to another.
pub fn rotate_attesters(
    deps: DepsMut,
    source_chain: String,
    attesters: AttesterSet,
    signatures: Vec<AttesterSignature>,
) -> Result<Response, ContractError> {
    // A set that equivocated must not choose its successor.
    let mut source = load_live_source(deps.storage, &source_chain)?;
    attesters.validate(deps.api)?;
    let new_epoch = source
        .epoch
        .checked_add(1)
        .ok_or(ContractError::EpochOverflow)?;
    let config = state::load_config(deps.storage)?;
    let digest: Hash =
        attesters.digest(&source_chain, &source.outbox, &config.chain_id, new_epoch)?;
    let current = state::load_attesters(deps.storage, &source_chain)?;
    current.verify_signatures(deps.api, &digest, &signatures)?;
    source.epoch = new_epoch;
    state::save_attesters(deps.storage, &source_chain, &attesters)?;
    state::save_source(deps.storage, &source_chain, &source)?;
    Ok(Response::new()
        .add_attribute("action", "rotate_attesters")
        .add_event(events::attesters(
            &source_chain,
            new_epoch,
            &attesters,
            "rotation",
        )))
}
