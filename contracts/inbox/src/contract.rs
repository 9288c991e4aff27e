//! Entry points: thin wrappers over the logic in `execute`, `light_client`, `delivery`
//! and `query`.

use ccmp_types::OwnershipAction;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, TrustChange};
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
        ExecuteMsg::DeliverBatch {
            source_chain,
            checkpoint_size,
            messages,
            proof,
        } => delivery::deliver_batch(deps, env, source_chain, checkpoint_size, messages, proof),
        ExecuteMsg::Retry { message, gas_limit } => delivery::retry(deps, env, message, gas_limit),
        ExecuteMsg::RotateAttesters {
            source_chain,
            attesters,
            signatures,
        } => light_client::rotate_attesters(deps, source_chain, attesters, signatures),
        ExecuteMsg::ReportEquivocation {
            checkpoint,
            signatures,
            stored_size,
            prefix_root,
            consistency_proof,
        } => light_client::report_equivocation(
            deps,
            env,
            checkpoint,
            signatures,
            stored_size,
            prefix_root,
            consistency_proof,
        ),
        ExecuteMsg::AddSource(config) => {
            execute::propose(deps, env, info, TrustChange::AddSource(config))
        }
        ExecuteMsg::SetAttesters {
            source_chain,
            attesters,
        } => execute::propose(
            deps,
            env,
            info,
            TrustChange::SetAttesters {
                source_chain,
                attesters,
            },
        ),
        ExecuteMsg::Unfreeze {
            source_chain,
            rollback_to,
        } => execute::propose(
            deps,
            env,
            info,
            TrustChange::Unfreeze {
                source_chain,
                rollback_to,
            },
        ),
        ExecuteMsg::Freeze { source_chain } => execute::freeze(deps, env, info, source_chain),
        ExecuteMsg::ExecuteProposal { id } => execute::execute_proposal(deps, env, id),
        ExecuteMsg::CancelProposal { id } => execute::cancel_proposal(deps, info, id),
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
