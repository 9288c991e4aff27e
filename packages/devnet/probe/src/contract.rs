use std::hint::black_box;

use cosmwasm_std::{
    from_json, to_json_binary, to_json_string, to_json_vec, Binary, ContractResult, Deps, DepsMut,
    Env, Event, MessageInfo, Order, QueryRequest, Reply, Response, StdError, StdResult,
    SystemResult, WasmQuery,
};

use crate::msg::{
    Attr, EventSpec, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReplyAction, SudoMsg,
};

const REPLY_COUNT: &[u8] = b"reply_count";

fn reply_key(id: u64) -> Vec<u8> {
    format!("reply/{id}").into_bytes()
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> StdResult<Response> {
    if let Some(error) = msg.fail {
        return Err(StdError::msg(error));
    }
    if let Some(value) = msg.value {
        deps.storage.set(b"init", value.as_bytes());
    }
    let mut response = Response::new().add_attribute("action", "instantiate");
    if let Some(data) = msg.data {
        response = response.set_data(data);
    }
    Ok(response)
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: ExecuteMsg,
) -> StdResult<Response> {
    match msg {
        ExecuteMsg::Write { key, value } => {
            deps.storage.set(key.as_bytes(), value.as_bytes());
            Ok(Response::new())
        }
        ExecuteMsg::Remove { key } => {
            deps.storage.remove(key.as_bytes());
            Ok(Response::new())
        }
        ExecuteMsg::WriteThenFail { key, value, error } => {
            deps.storage.set(key.as_bytes(), value.as_bytes());
            Err(StdError::msg(error))
        }
        ExecuteMsg::Fail { error } => Err(StdError::msg(error)),
        ExecuteMsg::Panic {} => panic!("the probe was asked to panic"),
        ExecuteMsg::Loop {} => burn(),
        ExecuteMsg::Emit { attributes, events } => Ok(Response::new()
            .add_attributes(attributes.into_iter().map(|a| (a.key, a.value)))
            .add_events(events.into_iter().map(to_event))),
        ExecuteMsg::Dispatch { msgs, data } => {
            let mut response = Response::new().add_submessages(msgs);
            if let Some(data) = data {
                response = response.set_data(data);
            }
            Ok(response)
        }
        ExecuteMsg::SetData { data } => Ok(Response::new().set_data(data)),
        ExecuteMsg::QuerySmart { contract, msg } => {
            let answer = smart_query_raw(deps.as_ref(), contract, msg)?;
            deps.storage.set(b"query", answer.as_slice());
            Ok(Response::new().set_data(answer))
        }
        ExecuteMsg::QueryRaw { contract, key } => {
            let value = deps.querier.query_wasm_raw(contract, key)?;
            deps.storage
                .set(b"query", value.as_deref().unwrap_or(b"none"));
            Ok(Response::new())
        }
        ExecuteMsg::QueryBalance { address, denom } => {
            let coin = deps.querier.query_balance(address, denom)?;
            deps.storage
                .set(b"query", coin.amount.to_string().as_bytes());
            Ok(Response::new())
        }
        ExecuteMsg::QueryContractInfo { contract } => {
            let info = deps.querier.query_wasm_contract_info(contract)?;
            deps.storage
                .set(b"query", to_json_string(&info)?.as_bytes());
            Ok(Response::new())
        }
        ExecuteMsg::Send { to, amount } => {
            Ok(Response::new().add_message(cosmwasm_std::BankMsg::Send {
                to_address: to,
                amount,
            }))
        }
        ExecuteMsg::Addresses { address, times } => {
            for _ in 0..times {
                let addr = deps.api.addr_validate(&address)?;
                let canonical = deps.api.addr_canonicalize(addr.as_str())?;
                deps.api.addr_humanize(&canonical)?;
            }
            Ok(Response::new())
        }
        ExecuteMsg::Scan {} => {
            let count = deps.storage.range(None, None, Order::Ascending).count() as u64;
            Ok(Response::new().set_data(count.to_be_bytes()))
        }
    }
}

/// A smart query whose answer is kept as the bytes the other contract returned.
fn smart_query_raw(deps: Deps, contract: String, msg: Binary) -> StdResult<Binary> {
    let request: QueryRequest = QueryRequest::Wasm(WasmQuery::Smart {
        contract_addr: contract,
        msg,
    });
    match deps.querier.raw_query(&to_json_vec(&request)?) {
        SystemResult::Ok(ContractResult::Ok(answer)) => Ok(answer),
        SystemResult::Ok(ContractResult::Err(error)) => {
            Err(StdError::msg(format!("Querier contract error: {error}")))
        }
        SystemResult::Err(error) => Err(StdError::msg(format!("Querier system error: {error}"))),
    }
}

fn to_event(spec: EventSpec) -> Event {
    Event::new(spec.ty).add_attributes(
        spec.attributes
            .into_iter()
            .map(|Attr { key, value }| (key, value)),
    )
}

/// Spins until the VM stops it; `black_box` keeps the optimiser from removing the loop.
fn burn<T>() -> StdResult<T> {
    let mut counter: u64 = 0;
    while black_box(true) {
        counter = black_box(counter.wrapping_add(1));
    }
    Err(StdError::msg(format!("unreachable after {counter} rounds")))
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn reply(deps: DepsMut, _env: Env, reply: Reply) -> StdResult<Response> {
    let count = deps
        .storage
        .get(REPLY_COUNT)
        .map(|v| u64::from_be_bytes(v.try_into().unwrap_or_default()))
        .unwrap_or(0);
    deps.storage.set(REPLY_COUNT, &(count + 1).to_be_bytes());
    deps.storage
        .set(&reply_key(reply.id), to_json_string(&reply)?.as_bytes());

    let action: ReplyAction = from_json(&reply.payload).unwrap_or_default();
    if let Some(error) = action.fail {
        return Err(StdError::msg(error));
    }
    if let Some(Attr { key, value }) = action.write {
        deps.storage.set(key.as_bytes(), value.as_bytes());
    }
    let mut response = Response::new().add_attribute("reply_id", reply.id.to_string());
    if let Some(data) = action.data {
        response = response.set_data(data);
    }
    Ok(response)
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, msg: MigrateMsg) -> StdResult<Response> {
    deps.storage.set(b"migrated", msg.value.as_bytes());
    Ok(Response::new().add_attribute("action", "migrate"))
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn sudo(deps: DepsMut, _env: Env, msg: SudoMsg) -> StdResult<Response> {
    deps.storage.set(b"sudo", msg.value.as_bytes());
    Ok(Response::new().add_attribute("action", "sudo"))
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Get { key } => to_json_binary(
            &deps
                .storage
                .get(key.as_bytes())
                .map(|v| String::from_utf8_lossy(&v).into_owned()),
        ),
        QueryMsg::Reply { id } => {
            let reply: Option<Reply> = deps
                .storage
                .get(&reply_key(id))
                .map(|v| from_json(&v))
                .transpose()?;
            to_json_binary(&reply)
        }
        QueryMsg::ReplyCount {} => to_json_binary(
            &deps
                .storage
                .get(REPLY_COUNT)
                .map(|v| u64::from_be_bytes(v.try_into().unwrap_or_default()))
                .unwrap_or(0),
        ),
        QueryMsg::Echo { value } => to_json_binary(&value),
        QueryMsg::Fail { error } => Err(StdError::msg(error)),
        QueryMsg::Loop {} => burn(),
        QueryMsg::Forward { contract, msg } => smart_query_raw(deps, contract, msg),
    }
}
