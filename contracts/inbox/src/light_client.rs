//! The light client of each source's outbox lane (PROTOCOL.md §4–§5): attested,
//! consistency-proven checkpoints, equivocation freezes and attester rotation.

use ccmp_types::{
    checkpoint_digest, verify_consistency, AttesterSet, AttesterSignature, Checkpoint, Hash,
    EMPTY_ROOT,
};
use cosmwasm_std::{DepsMut, Env, HexBinary, Response};

use crate::error::ContractError;
use crate::events;
use crate::execute::load_source;
use crate::state::{self, Freeze, StoredCheckpoint};
use crate::util::to_proof;

pub fn submit_checkpoint(
    deps: DepsMut,
    env: Env,
    checkpoint: Checkpoint,
    signatures: Vec<AttesterSignature>,
    consistency_proof: Vec<HexBinary>,
) -> Result<Response, ContractError> {
    let chain = checkpoint.source_chain.as_str();
    let mut source = load_source(deps.storage, chain)?;
    if let Some(freeze) = &source.frozen {
        return Err(ContractError::SourceFrozen {
            chain: chain.to_string(),
            size: freeze.size,
        });
    }
    if checkpoint.size == 0 {
        return Err(ContractError::EmptyCheckpoint);
    }
    let root = checkpoint.root_hash()?;
    let proof = to_proof(&consistency_proof)?;
    let config = state::load_config(deps.storage)?;
    // The digest binds the source's outbox and this inbox's chain from configuration, never
    // from the caller: a checkpoint of another lane cannot verify here.
    let digest = checkpoint_digest(
        chain,
        &source.outbox,
        &config.chain_id,
        checkpoint.size,
        &root,
    )?;

    let latest = state::load_latest_checkpoint(deps.storage, chain)?.unwrap_or(StoredCheckpoint {
        size: 0,
        root: EMPTY_ROOT,
    });
    // Only a size the light client has reached can be stored already: a new checkpoint (the
    // common case) costs no lookup.
    if checkpoint.size <= latest.size {
        if let Some(stored_root) =
            state::load_checkpoint_root(deps.storage, chain, checkpoint.size)?
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
            source.frozen = Some(Freeze {
                size: checkpoint.size,
                stored_root: HexBinary::from(&stored_root),
                conflicting_root: HexBinary::from(&root),
                epoch: source.epoch,
                height: env.block.height,
            });
            state::save_source(deps.storage, chain, &source)?;
            return Ok(Response::new()
                .add_attribute("action", "submit_checkpoint")
                .add_attribute("result", "source_frozen")
                .add_event(events::source_frozen(
                    chain,
                    checkpoint.size,
                    &stored_root,
                    &root,
                    source.epoch,
                )));
        }
        return Err(ContractError::StaleCheckpoint {
            chain: chain.to_string(),
            size: checkpoint.size,
            latest: latest.size,
        });
    }

    // The proof is cheap hashing; check it before paying for signatures.
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

/// The current set hands over to `attesters` by signing the attester-set digest for
/// epoch + 1. The epoch in the digest makes every rotation single-use, and the source
/// chain in it keeps one source's rotation from applying to another.
pub fn rotate_attesters(
    deps: DepsMut,
    source_chain: String,
    attesters: AttesterSet,
    signatures: Vec<AttesterSignature>,
) -> Result<Response, ContractError> {
    let mut source = load_source(deps.storage, &source_chain)?;
    // A set that equivocated must not choose its successor.
    if let Some(freeze) = &source.frozen {
        return Err(ContractError::SourceFrozen {
            chain: source_chain,
            size: freeze.size,
        });
    }
    attesters.validate()?;
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
