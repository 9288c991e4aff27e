use cosmwasm_std::{to_json_binary, Binary, Deps, Env};

use crate::error::ContractError;
use crate::execute::MAX_PEERS;
use crate::msg::{ConfigResponse, Peer, PongBudgetResponse, QueryMsg, ReceivedResponse};
use crate::state;

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&config(deps)?)?,
        QueryMsg::Received { source_chain } => to_json_binary(&received(deps, source_chain)?)?,
        QueryMsg::Stats {} => to_json_binary(&state::load_stats(deps.storage)?)?,
        QueryMsg::PongBudget {} => to_json_binary(&pong_budget(deps, env)?)?,
    })
}

/// As the next ping in this block would find it: a window that has ended is reported as
/// the fresh one that ping would open.
fn pong_budget(deps: Deps, env: Env) -> Result<PongBudgetResponse, ContractError> {
    let mut window = state::load_pong_window(deps.storage)?;
    window.roll(env.block.time.seconds());
    Ok(PongBudgetResponse {
        max_pongs_per_window: window.budget.max_pongs_per_window,
        window_seconds: window.budget.window_seconds,
        window_start: window.start,
        window_end: window.end(),
        pongs_in_window: window.pongs,
        pongs_left: window.pongs_left(),
    })
}

/// Peers are bounded by `MAX_PEERS`, so they fit one answer without paging.
fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let config = state::load_config(deps.storage)?;
    let ownership = state::load_ownership(deps.storage)?;
    let peers = state::all_peers(deps.storage, MAX_PEERS)?
        .into_iter()
        .map(|(chain, address)| Peer { chain, address })
        .collect();
    Ok(ConfigResponse {
        owner: ownership.owner,
        pending_owner: ownership.pending_owner,
        outbox: config.outbox,
        inbox: config.inbox,
        peers,
        pong_fee: config.pong_fee,
        pong_budget: state::load_pong_window(deps.storage)?.budget,
        fail: config.fail,
    })
}

/// A chain nothing arrived from answers a count of 0, not an error.
fn received(deps: Deps, source_chain: String) -> Result<ReceivedResponse, ContractError> {
    let received = state::load_received(deps.storage, &source_chain)?;
    Ok(ReceivedResponse {
        source_chain,
        count: received.as_ref().map_or(0, |r| r.count),
        last: received.map(|r| r.last),
    })
}
