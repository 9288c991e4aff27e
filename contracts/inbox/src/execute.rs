//! Instantiation, the owner's actions and migration.

use ccmp_types::{
    check_migration_from_layout, validate_address, validate_chain_id, Ownership, OwnershipAction,
    DEFAULT_MAX_BODY_BYTES,
};
use cosmwasm_std::{Api, DepsMut, Env, MessageInfo, Response, Storage};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::events;
use crate::light_client;
use crate::msg::{FreezeCause, InstantiateMsg, SourceConfig, TrustChange};
use crate::state::{self, Config, Proposal, Source, StoredCheckpoint};

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
/// The longest delay a change of trust may wait: 30 days.
pub const MAX_TRUST_DELAY_SECONDS: u64 = 30 * 24 * 60 * 60;
/// Proposals pending at once: bounds the proposals query and what watchers must read.
pub const MAX_PENDING_PROPOSALS: usize = 32;
/// The storage layout this code reads: checkpoints keyed by generation since 0.3.0.
pub const LAYOUT_VERSION: &str = "0.3.0";

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
    if msg.trust_delay_seconds > MAX_TRUST_DELAY_SECONDS {
        return Err(ContractError::TrustDelayTooLong {
            got: msg.trust_delay_seconds,
            max: MAX_TRUST_DELAY_SECONDS,
        });
    }
    let config = Config {
        chain_id: chain_id.clone(),
        paused: false,
        max_batch_size: msg.max_batch_size.unwrap_or(DEFAULT_MAX_BATCH_SIZE),
        max_body_bytes: msg.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES as u32),
        trust_delay_seconds: msg.trust_delay_seconds,
        next_proposal_id: 1,
    };
    validate_limits(config.max_batch_size, config.max_body_bytes)?;

    let sources = msg.sources.unwrap_or_default();
    if sources.len() > MAX_SOURCES_AT_INSTANTIATE {
        return Err(ContractError::TooManySources {
            count: sources.len(),
            max: MAX_SOURCES_AT_INSTANTIATE,
        });
    }
    for (index, source) in sources.iter().enumerate() {
        // At most 100 sources, once: a scan, not a set's code.
        if sources[..index]
            .iter()
            .any(|other| other.chain == source.chain)
        {
            return Err(ContractError::DuplicateSource {
                chain: source.chain.clone(),
            });
        }
        check_new_source(deps.storage, deps.api, &chain_id, source)?;
        save_new_source(deps.storage, source)?;
    }

    state::save_ownership(deps.storage, &Ownership::new(owner.clone()))?;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("chain_id", chain_id)
        .add_attribute("sources", sources.len().to_string())
        .add_attribute("trust_delay_seconds", msg.trust_delay_seconds.to_string()))
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

/// Checks a new source: an existing one is refused (re-adding would reset its light
/// client), and so is this chain.
fn check_new_source(
    storage: &dyn Storage,
    api: &dyn Api,
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
    config.attesters.validate(api)?;
    let (receive, max) = gas_limits(config);
    validate_gas_limits(receive, max)
}

fn gas_limits(config: &SourceConfig) -> (u64, u64) {
    let receive_gas_limit = config
        .receive_gas_limit
        .unwrap_or(DEFAULT_RECEIVE_GAS_LIMIT);
    let max_receive_gas_limit = config
        .max_receive_gas_limit
        .unwrap_or(DEFAULT_MAX_RECEIVE_GAS_LIMIT.max(receive_gas_limit));
    (receive_gas_limit, max_receive_gas_limit)
}

/// Stores a checked source with its epoch-1 attester set and an empty light client.
fn save_new_source(storage: &mut dyn Storage, config: &SourceConfig) -> Result<(), ContractError> {
    let (receive_gas_limit, max_receive_gas_limit) = gas_limits(config);
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
            generation: 0,
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

/// A change of trust from the owner: checked now, carried out after the instance's
/// `trust_delay_seconds` by anyone (at once when the delay is zero). Watchers see it
/// coming in the `ccmp_proposal` event and the `proposals` query, and a stolen owner key
/// cannot change whom the inbox trusts faster than they can react.
pub fn propose(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    change: TrustChange,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let mut config = state::load_config(deps.storage)?;
    check_change(deps.storage, deps.api, &config, &change)?;
    if config.trust_delay_seconds == 0 {
        return apply_change(deps, change);
    }
    if state::count_proposals(deps.storage, MAX_PENDING_PROPOSALS) >= MAX_PENDING_PROPOSALS {
        return Err(ContractError::TooManyProposals {
            max: MAX_PENDING_PROPOSALS,
        });
    }
    let id = config.next_proposal_id;
    config.next_proposal_id = id.checked_add(1).ok_or(ContractError::EpochOverflow)?;
    // An unfreeze answers the source's current freeze (check_change found it frozen).
    let freeze_generation = match &change {
        TrustChange::Unfreeze { source_chain, .. } => {
            Some(load_source(deps.storage, source_chain)?.generation)
        }
        _ => None,
    };
    let proposal = Proposal {
        change,
        proposed_at: env.block.time,
        executable_at: env.block.time.plus_seconds(config.trust_delay_seconds),
        freeze_generation,
    };
    state::save_proposal(deps.storage, id, &proposal)?;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "propose")
        .add_attribute("proposal_id", id.to_string())
        .add_event(events::proposal(
            "proposed",
            id,
            &proposal.change,
            proposal.executable_at,
        )))
}

/// Carries out a due proposal. Anyone: once the delay has passed the owner's decision
/// stands, and no one has to wait for the owner to finish it. Everything is checked again,
/// since the state may have moved since the proposal.
pub fn execute_proposal(mut deps: DepsMut, env: Env, id: u64) -> Result<Response, ContractError> {
    let proposal =
        state::load_proposal(deps.storage, id)?.ok_or(ContractError::UnknownProposal { id })?;
    if env.block.time < proposal.executable_at {
        return Err(ContractError::ProposalNotDue {
            id,
            executable_at: proposal.executable_at,
        });
    }
    if let TrustChange::Unfreeze { source_chain, .. } = &proposal.change {
        check_same_freeze(deps.storage, id, source_chain, proposal.freeze_generation)?;
    }
    let config = state::load_config(deps.storage)?;
    check_change(deps.storage, deps.api, &config, &proposal.change)?;
    let event = events::proposal("executed", id, &proposal.change, proposal.executable_at);
    // The proposal goes only once the change is made: a change refused now (an unfreeze
    // whose attester set has not been replaced yet) leaves it pending, and leaves storage
    // untouched.
    let response = apply_change(deps.branch(), proposal.change)?;
    state::remove_proposal(deps.storage, id);
    Ok(response
        .add_attribute("proposal_id", id.to_string())
        .add_event(event))
}

/// An unfreeze proposal lifts only the freeze it was made for: the source's freeze must
/// still be the one of the generation recorded at the proposal. A freeze that was lifted
/// and came back is another freeze, which the owner has not reviewed. (A source no longer
/// frozen is left to `check_change`, which refuses it as not frozen.)
fn check_same_freeze(
    storage: &dyn Storage,
    id: u64,
    chain: &str,
    freeze_generation: Option<u32>,
) -> Result<(), ContractError> {
    let source = load_source(storage, chain)?;
    if source.frozen.is_some() && freeze_generation != Some(source.generation) {
        return Err(ContractError::StaleUnfreeze {
            id,
            chain: chain.to_string(),
        });
    }
    Ok(())
}

pub fn cancel_proposal(
    deps: DepsMut,
    info: MessageInfo,
    id: u64,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let proposal =
        state::load_proposal(deps.storage, id)?.ok_or(ContractError::UnknownProposal { id })?;
    state::remove_proposal(deps.storage, id);
    Ok(Response::new()
        .add_attribute("action", "cancel_proposal")
        .add_attribute("proposal_id", id.to_string())
        .add_event(events::proposal(
            "cancelled",
            id,
            &proposal.change,
            proposal.executable_at,
        )))
}

/// Everything a change needs to be valid, read-only: run when it is proposed and again
/// when it is carried out.
fn check_change(
    storage: &dyn Storage,
    api: &dyn Api,
    config: &Config,
    change: &TrustChange,
) -> Result<(), ContractError> {
    match change {
        TrustChange::AddSource(source) => check_new_source(storage, api, &config.chain_id, source),
        TrustChange::SetAttesters {
            source_chain,
            attesters,
        } => {
            load_source(storage, source_chain)?;
            attesters.validate(api)?;
            Ok(())
        }
        TrustChange::Unfreeze {
            source_chain,
            rollback_to,
        } => check_rollback(storage, source_chain, *rollback_to).map(|_| ()),
    }
}

/// The source, frozen, and the checkpoint `rollback_to` names (`None` for 0, the empty
/// log): a stored checkpoint of the current generation at or below the freeze's bound.
fn check_rollback(
    storage: &dyn Storage,
    chain: &str,
    rollback_to: u64,
) -> Result<(Source, Option<StoredCheckpoint>), ContractError> {
    let source = load_source(storage, chain)?;
    let freeze = source
        .frozen
        .as_ref()
        .ok_or_else(|| ContractError::NotFrozen {
            chain: chain.to_string(),
        })?;
    let invalid = || ContractError::InvalidRollback {
        chain: chain.to_string(),
        rollback_to,
        max: freeze.max_rollback_to,
    };
    if rollback_to > freeze.max_rollback_to {
        return Err(invalid());
    }
    let checkpoint = match rollback_to {
        0 => None,
        size => {
            let root = state::load_checkpoint_root(storage, chain, source.generation, size)?
                .ok_or_else(invalid)?;
            Some(StoredCheckpoint { size, root })
        }
    };
    Ok((source, checkpoint))
}

fn apply_change(deps: DepsMut, change: TrustChange) -> Result<Response, ContractError> {
    match change {
        TrustChange::AddSource(config) => {
            save_new_source(deps.storage, &config)?;
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
        TrustChange::SetAttesters {
            source_chain,
            attesters,
        } => {
            let mut source = load_source(deps.storage, &source_chain)?;
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
        TrustChange::Unfreeze {
            source_chain,
            rollback_to,
        } => unfreeze(deps.storage, &source_chain, rollback_to),
    }
}

/// Lifts a freeze and rolls the light client back to `rollback_to`. After an
/// equivocation only once the set that equivocated has been replaced: unfreezing under the
/// same keys would let them sign the conflicting history again. The rollback moves the
/// source to a new checkpoint generation holding only `rollback_to`: every checkpoint
/// stored before stops being usable at once, in one write however many there are.
/// Statuses stay, so no message is processed twice.
fn unfreeze(
    storage: &mut dyn Storage,
    chain: &str,
    rollback_to: u64,
) -> Result<Response, ContractError> {
    let (mut source, checkpoint) = check_rollback(storage, chain, rollback_to)?;
    let Some(freeze) = source.frozen.take() else {
        return Err(ContractError::NotFrozen {
            chain: chain.to_string(),
        });
    };
    if matches!(freeze.cause, FreezeCause::Equivocation { .. }) && source.epoch <= freeze.epoch {
        return Err(ContractError::AttestersNotReplaced {
            chain: chain.to_string(),
            frozen_epoch: freeze.epoch,
            epoch: source.epoch,
        });
    }
    state::save_rollback(storage, chain, source.generation, rollback_to)?;
    source.generation = source
        .generation
        .checked_add(1)
        .ok_or(ContractError::EpochOverflow)?;
    match checkpoint {
        Some(checkpoint) => state::save_checkpoint(storage, chain, source.generation, &checkpoint),
        None => state::remove_latest_checkpoint(storage, chain),
    }
    state::save_source(storage, chain, &source)?;
    Ok(Response::new()
        .add_attribute("action", "unfreeze")
        .add_attribute("source_chain", chain)
        .add_attribute("epoch", source.epoch.to_string())
        .add_event(events::source_unfrozen(
            chain,
            rollback_to,
            source.generation,
            source.epoch,
        )))
}

/// Freezes a source at once on the owner's word: a brake, so not time-locked. Idempotent,
/// like `pause`, so an operator racing to freeze in an emergency never fails.
pub fn freeze(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    source_chain: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.storage, &info)?;
    let mut source = load_source(deps.storage, &source_chain)?;
    if source.frozen.is_some() {
        return Ok(Response::new()
            .add_attribute("action", "freeze")
            .add_attribute("result", "already_frozen"));
    }
    let latest = state::load_latest_checkpoint(deps.storage, &source_chain)?
        .map_or(0, |checkpoint| checkpoint.size);
    Ok(light_client::freeze(
        deps.storage,
        &env,
        &source_chain,
        &mut source,
        FreezeCause::Owner {},
        latest,
    )?
    .add_attribute("action", "freeze")
    .add_attribute("result", "source_frozen"))
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
    // An inbox of an older layout would read its checkpoints as missing and refuse every
    // proof: refuse it here instead of "succeeding".
    check_migration_from_layout(
        &stored.contract,
        &stored.version,
        CONTRACT_NAME,
        CONTRACT_VERSION,
        LAYOUT_VERSION,
        "inbox",
    )?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", stored.version)
        .add_attribute("to_version", CONTRACT_VERSION))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cosmwasm_std::{HexBinary, Order, Storage};

    use super::*;
    use crate::msg::Freeze;

    fn dump(storage: &dyn Storage) -> Vec<(Vec<u8>, Vec<u8>)> {
        storage.range(None, None, Order::Ascending).collect()
    }

    /// Fuzz finding 1 (fuzz/artifacts-kept/inbox_execute): a due unfreeze executed before
    /// the attester set was replaced used to remove its proposal and then fail, so the
    /// entry point returned an error with storage changed.
    #[test]
    fn a_refused_proposal_changes_nothing() {
        let mut deps = mock_dependencies();
        let owner = deps.api.addr_make("owner");
        let set = ccmp_signer::SignerSet::equal_weights(vec![
            ccmp_signer::AttesterKey::test_key(1, false),
            ccmp_signer::AttesterKey::test_key(2, true),
            ccmp_signer::AttesterKey::test_key(3, false),
        ])
        .set;
        let mut env = mock_env();
        instantiate(
            deps.as_mut(),
            env.clone(),
            message_info(&owner, &[]),
            InstantiateMsg {
                owner: None,
                chain_id: Some("chain-b".into()),
                sources: Some(vec![SourceConfig {
                    chain: "chain-a".into(),
                    outbox: "outbox".into(),
                    attesters: set,
                    ordered: false,
                    receive_gas_limit: None,
                    max_receive_gas_limit: None,
                }]),
                max_batch_size: None,
                max_body_bytes: None,
                trust_delay_seconds: 60,
            },
        )
        .unwrap();
        let mut source = load_source(&deps.storage, "chain-a").unwrap();
        source.frozen = Some(Freeze {
            cause: FreezeCause::Equivocation {
                stored_size: 3,
                stored_root: HexBinary::from(&[1; 32]),
                conflicting_size: 3,
                conflicting_root: HexBinary::from(&[2; 32]),
            },
            max_rollback_to: 3,
            epoch: 1,
            height: 1,
        });
        state::save_source(&mut deps.storage, "chain-a", &source).unwrap();
        propose(
            deps.as_mut(),
            env.clone(),
            message_info(&owner, &[]),
            TrustChange::Unfreeze {
                source_chain: "chain-a".into(),
                rollback_to: 0,
            },
        )
        .unwrap();
        env.block.time = env.block.time.plus_seconds(60);
        let before = dump(&deps.storage);
        let err = execute_proposal(deps.as_mut(), env, 1).unwrap_err();
        assert!(
            matches!(err, ContractError::AttestersNotReplaced { .. }),
            "{err}"
        );
        assert_eq!(dump(&deps.storage), before);
        assert!(state::load_proposal(&deps.storage, 1).unwrap().is_some());
    }
}
