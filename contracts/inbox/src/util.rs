use ccmp_types::{to_hash, Hash, MAX_PROOF_HASHES};
use cosmwasm_std::HexBinary;

use crate::error::ContractError;

/// Proof nodes as hashes. The length bound comes first, so an oversized proof costs no
/// conversion work.
pub fn to_proof(nodes: &[HexBinary]) -> Result<Vec<Hash>, ContractError> {
    if nodes.len() > MAX_PROOF_HASHES {
        return Err(ContractError::ProofTooLong {
            len: nodes.len(),
            max: MAX_PROOF_HASHES,
        });
    }
    Ok(nodes
        .iter()
        .map(|node| to_hash("proof", node))
        .collect::<Result<_, _>>()?)
}
