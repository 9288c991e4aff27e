use ccmp_types::DEFAULT_MAX_BODY_BYTES;
use cosmwasm_std::{to_json_binary, Binary, Deps, HexBinary};

use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, DestinationResponse, DestinationsResponse, LaneResponse, MessageIdEntry,
    MessageIdResponse, MessageIdsResponse, QueryMsg,
};
use crate::state::{self, Destination};

pub const DEFAULT_PAGE_LIMIT: u32 = 30;
pub const MAX_PAGE_LIMIT: u32 = 100;

pub fn query(deps: Deps, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&config(deps)?)?,
        QueryMsg::Destination { chain } => to_json_binary(&destination(deps, chain)?)?,
        QueryMsg::Destinations { start_after, limit } => {
            to_json_binary(&destinations(deps, start_after, limit)?)?
        }
        QueryMsg::Lane { destination_chain } => to_json_binary(&lane(deps, destination_chain)?)?,
        QueryMsg::MessageId {
            destination_chain,
            nonce,
        } => to_json_binary(&message_id(deps, destination_chain, nonce)?)?,
        QueryMsg::MessageIds {
            destination_chain,
            start_after,
            limit,
        } => to_json_binary(&message_ids(deps, destination_chain, start_after, limit)?)?,
    })
}

fn page_limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let config = state::load_config(deps.storage)?;
    let ownership = state::load_ownership(deps.storage)?;
    Ok(ConfigResponse {
        owner: ownership.owner,
        pending_owner: ownership.pending_owner,
        chain_id: config.chain_id,
        paused: config.paused,
    })
}

fn destination_response(chain: String, destination: Destination) -> DestinationResponse {
    DestinationResponse {
        chain,
        enabled: destination.enabled,
        fee: destination.fee,
        max_body_bytes: destination
            .max_body_bytes
            .unwrap_or(DEFAULT_MAX_BODY_BYTES as u32),
    }
}

fn destination(deps: Deps, chain: String) -> Result<DestinationResponse, ContractError> {
    match state::load_destination(deps.storage, &chain)? {
        Some(destination) => Ok(destination_response(chain, destination)),
        None => Err(ContractError::UnknownDestination { chain }),
    }
}

fn destinations(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<DestinationsResponse, ContractError> {
    let page = state::destinations_page(deps.storage, start_after.as_deref(), page_limit(limit))?;
    Ok(DestinationsResponse {
        destinations: page
            .into_iter()
            .map(|(chain, destination)| destination_response(chain, destination))
            .collect(),
    })
}

fn lane(deps: Deps, destination_chain: String) -> Result<LaneResponse, ContractError> {
    let lane = state::load_lane(deps.storage, &destination_chain)?;
    Ok(LaneResponse {
        destination_chain,
        size: lane.size,
        root: HexBinary::from(&lane.root),
    })
}

fn message_id(
    deps: Deps,
    destination_chain: String,
    nonce: u64,
) -> Result<MessageIdResponse, ContractError> {
    let size = state::load_lane(deps.storage, &destination_chain)?.size;
    let id = (nonce < size)
        .then(|| state::load_message_id(deps.storage, &destination_chain, nonce))
        .transpose()?
        .flatten();
    match id {
        Some(id) => Ok(MessageIdResponse {
            destination_chain,
            nonce,
            message_id: HexBinary::from(&id),
        }),
        None => Err(ContractError::NonceNotFound {
            destination_chain,
            nonce,
            size,
        }),
    }
}

/// Nonces are dense (0..size), so a page is a run of direct reads, not a range scan.
fn message_ids(
    deps: Deps,
    destination_chain: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<MessageIdsResponse, ContractError> {
    let size = state::load_lane(deps.storage, &destination_chain)?.size;
    let start = match start_after {
        Some(after) => after.saturating_add(1),
        None => 0,
    };
    let end = start.saturating_add(page_limit(limit) as u64).min(size);
    let mut message_ids = Vec::with_capacity(end.saturating_sub(start) as usize);
    for nonce in start..end {
        let id =
            state::load_message_id(deps.storage, &destination_chain, nonce)?.ok_or_else(|| {
                ContractError::NonceNotFound {
                    destination_chain: destination_chain.clone(),
                    nonce,
                    size,
                }
            })?;
        message_ids.push(MessageIdEntry {
            nonce,
            message_id: HexBinary::from(&id),
        });
    }
    Ok(MessageIdsResponse {
        destination_chain,
        message_ids,
    })
}
