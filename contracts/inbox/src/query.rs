use ccmp_types::{MessageStatus, MessageStatusResponse};
use cosmwasm_std::{to_json_binary, Binary, Deps, HexBinary};

use crate::error::ContractError;
use crate::execute::load_source;
use crate::msg::{
    CheckpointEntry, CheckpointResponse, CheckpointsResponse, ConfigResponse, ProposalResponse,
    ProposalsResponse, QueryMsg, SourceResponse, SourcesResponse,
};
use crate::state::{self, Proposal, Source, StoredCheckpoint};

pub const DEFAULT_SOURCES_LIMIT: u32 = 10;
/// Sources carry their attester sets (up to 100 keys each), so pages stay small.
pub const MAX_SOURCES_LIMIT: u32 = 30;
pub const DEFAULT_CHECKPOINTS_LIMIT: u32 = 30;
pub const MAX_CHECKPOINTS_LIMIT: u32 = 100;
pub const DEFAULT_PROPOSALS_LIMIT: u32 = 10;
pub const MAX_PROPOSALS_LIMIT: u32 = 30;

fn proposal_response(id: u64, proposal: Proposal) -> ProposalResponse {
    ProposalResponse {
        id,
        change: proposal.change,
        proposed_at: proposal.proposed_at,
        executable_at: proposal.executable_at,
    }
}

pub fn query(deps: Deps, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&config(deps)?)?,
        QueryMsg::Source { chain } => {
            let source = load_source(deps.storage, &chain)?;
            to_json_binary(&source_response(deps, chain, source)?)?
        }
        QueryMsg::Sources { start_after, limit } => {
            to_json_binary(&sources(deps, start_after, limit)?)?
        }
        QueryMsg::Checkpoint { source_chain, size } => {
            to_json_binary(&checkpoint(deps, source_chain, size)?)?
        }
        QueryMsg::Checkpoints {
            source_chain,
            start_after,
            limit,
        } => to_json_binary(&checkpoints(deps, source_chain, start_after, limit)?)?,
        QueryMsg::MessageStatus {
            source_chain,
            nonce,
        } => to_json_binary(&message_status(deps, &source_chain, nonce)?)?,
        QueryMsg::Proposal { id } => {
            let proposal = state::load_proposal(deps.storage, id)?
                .ok_or(ContractError::UnknownProposal { id })?;
            to_json_binary(&proposal_response(id, proposal))?
        }
        QueryMsg::Proposals { start_after, limit } => {
            let limit = limit
                .unwrap_or(DEFAULT_PROPOSALS_LIMIT)
                .min(MAX_PROPOSALS_LIMIT) as usize;
            let proposals = state::proposals_page(deps.storage, start_after, limit)?
                .into_iter()
                .map(|(id, proposal)| proposal_response(id, proposal))
                .collect();
            to_json_binary(&ProposalsResponse { proposals })?
        }
    })
}

fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let config = state::load_config(deps.storage)?;
    let ownership = state::load_ownership(deps.storage)?;
    Ok(ConfigResponse {
        owner: ownership.owner,
        pending_owner: ownership.pending_owner,
        chain_id: config.chain_id,
        paused: config.paused,
        max_batch_size: config.max_batch_size,
        max_body_bytes: config.max_body_bytes,
        trust_delay_seconds: config.trust_delay_seconds,
        next_proposal_id: config.next_proposal_id,
    })
}

fn entry(checkpoint: StoredCheckpoint) -> CheckpointEntry {
    CheckpointEntry {
        size: checkpoint.size,
        root: HexBinary::from(&checkpoint.root),
    }
}

fn source_response(
    deps: Deps,
    chain: String,
    source: Source,
) -> Result<SourceResponse, ContractError> {
    let attesters = state::load_attesters(deps.storage, &chain)?;
    let latest_checkpoint = state::load_latest_checkpoint(deps.storage, &chain)?.map(entry);
    let next_nonce = if source.ordered {
        Some(state::load_next_nonce(deps.storage, &chain)?)
    } else {
        None
    };
    Ok(SourceResponse {
        outbox: source.outbox,
        ordered: source.ordered,
        attesters,
        epoch: source.epoch,
        frozen: source.frozen,
        checkpoint_generation: source.generation,
        latest_checkpoint,
        next_nonce,
        receive_gas_limit: source.receive_gas_limit,
        max_receive_gas_limit: source.max_receive_gas_limit,
        chain,
    })
}

fn sources(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<SourcesResponse, ContractError> {
    let limit = limit
        .unwrap_or(DEFAULT_SOURCES_LIMIT)
        .min(MAX_SOURCES_LIMIT) as usize;
    let sources = state::sources_page(deps.storage, start_after.as_deref(), limit)?
        .into_iter()
        .map(|(chain, source)| source_response(deps, chain, source))
        .collect::<Result<_, _>>()?;
    Ok(SourcesResponse { sources })
}

fn checkpoint(
    deps: Deps,
    source_chain: String,
    size: Option<u64>,
) -> Result<CheckpointResponse, ContractError> {
    let source = load_source(deps.storage, &source_chain)?;
    let found = match size {
        Some(size) => {
            state::load_checkpoint_root(deps.storage, &source_chain, source.generation, size)?
                .map(|root| StoredCheckpoint { size, root })
        }
        None => state::load_latest_checkpoint(deps.storage, &source_chain)?,
    };
    let checkpoint = found.ok_or_else(|| ContractError::UnknownCheckpoint {
        chain: source_chain.clone(),
        size: size.unwrap_or(0),
    })?;
    Ok(CheckpointResponse {
        source_chain,
        size: checkpoint.size,
        root: HexBinary::from(&checkpoint.root),
    })
}

fn checkpoints(
    deps: Deps,
    source_chain: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<CheckpointsResponse, ContractError> {
    let source = load_source(deps.storage, &source_chain)?;
    let limit = limit
        .unwrap_or(DEFAULT_CHECKPOINTS_LIMIT)
        .min(MAX_CHECKPOINTS_LIMIT) as usize;
    let checkpoints = state::checkpoints_page(
        deps.storage,
        &source_chain,
        source.generation,
        start_after,
        limit,
    )?
    .into_iter()
    .map(entry)
    .collect();
    Ok(CheckpointsResponse {
        source_chain,
        checkpoints,
    })
}

/// A message that never failed has only its two status bits: it was delivered in one
/// attempt (or timed out in none), and its id and height are in the `ccmp_deliver` event
/// of the transaction that processed it. A message that failed at least once has a
/// receipt with its id, last error, attempts and height.
fn message_status(
    deps: Deps,
    source_chain: &str,
    nonce: u64,
) -> Result<MessageStatusResponse, ContractError> {
    let status = state::load_status(deps.storage, source_chain, nonce)?;
    if status == MessageStatus::Unknown {
        return Ok(MessageStatusResponse {
            status,
            message_id: None,
            error: None,
            attempts: 0,
            updated_at_height: None,
        });
    }
    Ok(
        match state::load_receipt(deps.storage, source_chain, nonce)? {
            Some(receipt) => MessageStatusResponse {
                status,
                message_id: Some(receipt.message_id),
                error: receipt.error.filter(|_| status == MessageStatus::Failed),
                attempts: receipt.attempts,
                updated_at_height: Some(receipt.updated_at_height),
            },
            None => MessageStatusResponse {
                status,
                message_id: None,
                error: None,
                attempts: u32::from(status == MessageStatus::Delivered),
                updated_at_height: None,
            },
        },
    )
}
