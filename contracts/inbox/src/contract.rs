//! Entry points: thin wrappers over the logic in `execute`, `light_client`, `delivery`
//! and `query`.

use ccmp_types::OwnershipAction;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::{delivery, execute, light_client, query};

pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    execute::instantiate(deps, env, info, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures,
            consistency_proof,
        } => light_client::submit_checkpoint(deps, env, checkpoint, signatures, consistency_proof),
        ExecuteMsg::Deliver { items } => delivery::deliver(deps, env, items),
        ExecuteMsg::Retry { message, gas_limit } => delivery::retry(deps, env, message, gas_limit),
        ExecuteMsg::RotateAttesters {
            source_chain,
            attesters,
            signatures,
        } => light_client::rotate_attesters(deps, source_chain, attesters, signatures),
        ExecuteMsg::AddSource(config) => execute::add_source(deps, info, config),
        ExecuteMsg::SetAttesters {
            source_chain,
            attesters,
        } => execute::set_attesters(deps, info, source_chain, attesters),
        ExecuteMsg::SetGasLimits {
            source_chain,
            receive_gas_limit,
            max_receive_gas_limit,
        } => execute::set_gas_limits(
            deps,
            info,
            source_chain,
            receive_gas_limit,
            max_receive_gas_limit,
        ),
        ExecuteMsg::SetLimits {
            max_batch_size,
            max_body_bytes,
        } => execute::set_limits(deps, info, max_batch_size, max_body_bytes),
        ExecuteMsg::Unfreeze { source_chain } => execute::unfreeze(deps, info, source_chain),
        ExecuteMsg::Pause {} => execute::set_paused(deps, info, true),
        ExecuteMsg::Unpause {} => execute::set_paused(deps, info, false),
        ExecuteMsg::TransferOwnership { new_owner } => {
            execute::ownership(deps, info, OwnershipAction::Transfer { new_owner })
        }
        ExecuteMsg::AcceptOwnership {} => execute::ownership(deps, info, OwnershipAction::Accept),
        ExecuteMsg::CancelOwnershipTransfer {} => {
            execute::ownership(deps, info, OwnershipAction::Cancel)
        }
        ExecuteMsg::RenounceOwnership {} => {
            execute::ownership(deps, info, OwnershipAction::Renounce)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    delivery::reply(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    query::query(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    execute::migrate(deps)
}
