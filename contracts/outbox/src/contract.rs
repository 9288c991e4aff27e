//! Entry points: thin wrappers over `execute` and `query`.

use ccmp_types::OwnershipAction;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};

use crate::error::ContractError;
use crate::execute;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::query;

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
        ExecuteMsg::Send(send) => execute::send(deps, env, info, send),
        ExecuteMsg::SetDestination(config) => execute::set_destination(deps, info, config),
        ExecuteMsg::RemoveDestination { chain } => execute::remove_destination(deps, info, chain),
        ExecuteMsg::Pause {} => execute::set_paused(deps, info, true),
        ExecuteMsg::Unpause {} => execute::set_paused(deps, info, false),
        ExecuteMsg::WithdrawFees { to, amount } => {
            execute::withdraw_fees(deps, env, info, to, amount)
        }
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
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    query::query(deps, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    execute::migrate(deps)
}
