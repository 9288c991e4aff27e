//! Instantiation, the owner's actions and migration.

use std::collections::BTreeSet;

use ccmp_types::{
    check_migration, validate_address, validate_chain_id, AttesterSet, Ownership, OwnershipAction,
    DEFAULT_MAX_BODY_BYTES,
};
use cosmwasm_std::{DepsMut, Env, MessageInfo, Response, Storage};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::events;
use crate::msg::{InstantiateMsg, SourceConfig};
use crate::state::{self, Config, Source};

/// Sources listed at instantiation: bounds that call; `add_source` adds one at a time.
pub const MAX_SOURCES_AT_INSTANTIATE: usize = 100;
pub const DEFAULT_MAX_BATCH_SIZE: u32 = 100;
/// The most items one `deliver` may carry, whatever the owner sets.
pub const MAX_BATCH_SIZE_CAP: u32 = 1000;
pub const MAX_BODY_LIMIT: u32 = 1024 * 1024;
pub const DEFAULT_RECEIVE_GAS_LIMIT: u64 = 500_000;
pub const DEFAULT_MAX_RECEIVE_GAS_LIMIT: u64 = 5_000_000;
/// Below this a receiver could not even be instantiated (wasmd charges 60,000 for a
/// non-cached contract instance): every message would fail.
pub const MIN_RECEIVE_GAS_LIMIT: u64 = 100_000;
/// Far above what a receiver needs; keeps one message from claiming a whole block.
pub const MAX_RECEIVE_GAS_LIMIT_CAP: u64 = 100_000_000;

pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    let chain_id = msg.chain_id.unwrap_or(env.block.chain_id);
    validate_chain_id("chain_id", &chain_id)?;
    let config = Config {
        chain_id: chain_id.clone(),
        paused: false,
        max_batch_size: msg.max_batch_size.unwrap_or(DEFAULT_MAX_BATCH_SIZE),
        max_body_bytes: msg.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES as u32),
    };
    validate_limits(config.max_batch_size, config.max_body_bytes)?;

    let sources = msg.sources.unwrap_or_default();
    if sources.len() > MAX_SOURCES_AT_INSTANTIATE {
        return Err(ContractError::TooManySources {
            count: sources.len(),
            max: MAX_SOURCES_AT_INSTANTIATE,
        });
    }
    let mut seen = BTreeSet::new();
    for source in &sources {
        if !seen.insert(source.chain.as_str()) {
            return Err(ContractError::DuplicateSource {
                chain: source.chain.clone(),
            });
        }
        save_new_source(deps.storage, &chain_id, source)?;
    }

    state::save_ownership(deps.storage, &Ownership::new(owner.clone()))?;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("chain_id", chain_id)
        .add_attribute("sources", sources.len().to_string()))
}

fn validate_limits(max_batch_size: u32, max_body_bytes: u32) -> Result<(), ContractError> {
    if max_batch_size == 0 || max_batch_size > MAX_BATCH_SIZE_CAP {
        return Err(ContractError::InvalidBatchLimit {
            got: max_batch_size,
            max: MAX_BATCH_SIZE_CAP,
        });
    }
    if max_body_bytes == 0 || max_body_bytes > MAX_BODY_LIMIT {
        return Err(ContractError::InvalidBodyLimit {
            got: max_body_bytes,
            max: MAX_BODY_LIMIT,
        });
    }
    Ok(())
}

fn validate_gas_limits(receive: u64, max: u64) -> Result<(), ContractError> {
    if receive < MIN_RECEIVE_GAS_LIMIT || receive > max || max > MAX_RECEIVE_GAS_LIMIT_CAP {
        return Err(ContractError::InvalidGasLimits {
            receive,
            max,
            min: MIN_RECEIVE_GAS_LIMIT,
            cap: MAX_RECEIVE_GAS_LIMIT_CAP,
        });
    }
    Ok(())
}

/// Validates a new source and stores it with its epoch-1 attester set and an empty light
/// client. An existing source is refused: re-adding would reset its light client.
fn save_new_source(
    storage: &mut dyn Storage,
    own_chain_id: &str,
    config: &SourceConfig,
) -> Result<(), ContractError> {
    validate_chain_id("chain", &config.chain)?;
    if config.chain == own_chain_id {
        return Err(ContractError::SourceIsSelf {
            chain: config.chain.clone(),
        });
    }
    if state::load_source(storage, &config.chain)?.is_some() {
        return Err(ContractError::SourceExists {
            chain: config.chain.clone(),
        });
    }
    validate_address("outbox", &config.outbox)?;
    config.attesters.validate()?;
    let receive_gas_limit = config
        .receive_gas_limit
        .unwrap_or(DEFAULT_RECEIVE_GAS_LIMIT);
    let max_receive_gas_limit = config
        .max_receive_gas_limit
        .unwrap_or(DEFAULT_MAX_RECEIVE_GAS_LIMIT.max(receive_gas_limit));
    validate_gas_limits(receive_gas_limit, max_receive_gas_limit)?;
    state::save_source(
        storage,
        &config.chain,
        &Source {
            outbox: config.outbox.clone(),
            ordered: config.ordered,
            receive_gas_limit,
            max_receive_gas_limit,
            epoch: 1,
            frozen: None,
        },
    )?;
    state::save_attesters(storage, &config.chain, &config.attesters)?;
    Ok(())
}

fn assert_owner(storage: &dyn Storage, info: &MessageInfo) -> Result<(), ContractError> {
    Ok(state::load_ownership(storage)?.assert_owner(&info.sender)?)
}

/// A configured source, or the error naming it.
pub fn load_source(storage: &dyn Storage, chain: &str) -> Result<Source, ContractError> {
    state::load_source(storage, chain)?.ok_or_else(|| ContractError::UnknownSource {
        chain: chain.to_string(),
    })
}

pub fn add_source(
    deps: DepsMut,
    info: MessageInfo,
    config: SourceConfig,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let chain_id = state::load_config(deps.storage)?.chain_id;
    save_new_source(deps.storage, &chain_id, &config)?;
    Ok(Response::new()
        .add_attribute("action", "add_source")
        .add_attribute("chain", &config.chain)
        .add_attribute("outbox", &config.outbox)
        .add_attribute("ordered", config.ordered.to_string())
        .add_event(events::attesters(
            &config.chain,
            1,
            &config.attesters,
            "owner",
        )))
}

/// The owner's way out of a compromised or frozen attester set.
pub fn set_attesters(
    deps: DepsMut,
    info: MessageInfo,
    source_chain: String,
    attesters: AttesterSet,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let mut source = load_source(deps.storage, &source_chain)?;
    attesters.validate()?;
    source.epoch = source
        .epoch
        .checked_add(1)
        .ok_or(ContractError::EpochOverflow)?;
    state::save_attesters(deps.storage, &source_chain, &attesters)?;
    state::save_source(deps.storage, &source_chain, &source)?;
    Ok(Response::new()
        .add_attribute("action", "set_attesters")
        .add_event(events::attesters(
            &source_chain,
            source.epoch,
            &attesters,
            "owner",
        )))
}

pub fn set_gas_limits(
    deps: DepsMut,
    info: MessageInfo,
    source_chain: String,
    receive_gas_limit: u64,
    max_receive_gas_limit: u64,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let mut source = load_source(deps.storage, &source_chain)?;
    validate_gas_limits(receive_gas_limit, max_receive_gas_limit)?;
    source.receive_gas_limit = receive_gas_limit;
    source.max_receive_gas_limit = max_receive_gas_limit;
    state::save_source(deps.storage, &source_chain, &source)?;
    Ok(Response::new()
        .add_attribute("action", "set_gas_limits")
        .add_attribute("source_chain", source_chain)
        .add_attribute("receive_gas_limit", receive_gas_limit.to_string())
        .add_attribute("max_receive_gas_limit", max_receive_gas_limit.to_string()))
}

pub fn set_limits(
    deps: DepsMut,
    info: MessageInfo,
    max_batch_size: u32,
    max_body_bytes: u32,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    validate_limits(max_batch_size, max_body_bytes)?;
    let mut config = state::load_config(deps.storage)?;
    config.max_batch_size = max_batch_size;
    config.max_body_bytes = max_body_bytes;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_limits")
        .add_attribute("max_batch_size", max_batch_size.to_string())
        .add_attribute("max_body_bytes", max_body_bytes.to_string()))
}

/// Lifts a freeze only after the set that equivocated has been replaced: unfreezing under
/// the same keys would let them sign the conflicting history again.
pub fn unfreeze(
    deps: DepsMut,
    info: MessageInfo,
    source_chain: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let mut source = load_source(deps.storage, &source_chain)?;
    let freeze = source
        .frozen
        .take()
        .ok_or_else(|| ContractError::NotFrozen {
            chain: source_chain.clone(),
        })?;
    if source.epoch <= freeze.epoch {
        return Err(ContractError::AttestersNotReplaced {
            chain: source_chain,
            frozen_epoch: freeze.epoch,
            epoch: source.epoch,
        });
    }
    state::save_source(deps.storage, &source_chain, &source)?;
    Ok(Response::new()
        .add_attribute("action", "unfreeze")
        .add_attribute("source_chain", source_chain)
        .add_attribute("epoch", source.epoch.to_string()))
}

/// Idempotent, so an operator racing to pause in an emergency never fails.
pub fn set_paused(
    deps: DepsMut,
    info: MessageInfo,
    paused: bool,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let mut config = state::load_config(deps.storage)?;
    config.paused = paused;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", if paused { "pause" } else { "unpause" })
        .add_attribute("paused", paused.to_string()))
}

/// The four ownership messages, through the one implementation in `ccmp-types`.
pub fn ownership(
    deps: DepsMut,
    info: MessageInfo,
    action: OwnershipAction,
) -> Result<Response, ContractError> {
    let mut ownership = state::load_ownership(deps.storage)?;
    let attributes = ownership.apply(deps.api, &info.sender, action)?;
    state::save_ownership(deps.storage, &ownership)?;
    Ok(Response::new().add_attributes(attributes))
}

pub fn migrate(deps: DepsMut) -> Result<Response, ContractError> {
    let stored = cw2::get_contract_version(deps.storage)?;
    check_migration(
        &stored.contract,
        &stored.version,
        CONTRACT_NAME,
        CONTRACT_VERSION,
    )?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", stored.version)
        .add_attribute("to_version", CONTRACT_VERSION))
}
