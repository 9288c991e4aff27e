//! Entry points: thin wrappers over `execute` and `query`.

use ccmp_types::OwnershipAction;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response};

use crate::error::ContractError;
use crate::execute;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, PongBudget, QueryMsg};
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
        ExecuteMsg::Ping {
            destination_chain,
            text,
        } => execute::ping(deps, info, destination_chain, text),
        ExecuteMsg::CcmpReceive(msg) => execute::ccmp_receive(deps, env, info, msg),
        ExecuteMsg::SetFail { fail } => execute::set_fail(deps, info, fail),
        ExecuteMsg::SetPeer { chain, address } => execute::set_peer(deps, info, chain, address),
        ExecuteMsg::RemovePeer { chain } => execute::remove_peer(deps, info, chain),
        ExecuteMsg::SetPongFee { pong_fee } => execute::set_pong_fee(deps, info, pong_fee),
        ExecuteMsg::SetPongBudget {
            max_pongs_per_window,
            window_seconds,
        } => execute::set_pong_budget(
            deps,
            info,
            PongBudget {
                max_pongs_per_window,
                window_seconds,
            },
        ),
        ExecuteMsg::Withdraw { to, amount } => execute::withdraw(deps, env, info, to, amount),
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
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    query::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    execute::migrate(deps, env)
}
