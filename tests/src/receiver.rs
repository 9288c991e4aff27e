//! A test receiver: records every `ccmp_receive` it accepts, fails on demand, and can turn
//! malicious by re-entering the inbox from inside a delivery (the ASA-2024-007 pattern).

use ccmp_types::CcmpReceiveMsg;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Order, Reply, Response,
    StdError, StdResult, SubMsg, SubMsgResult, WasmMsg,
};
use cw_multi_test::{Contract, ContractWrapper};
use cw_storage_plus::{Item, Map};

#[cw_serde]
pub enum ReceiverMsg {
    CcmpReceive(CcmpReceiveMsg),
    /// Refuse every `ccmp_receive` with an error while `fail` is true.
    SetFail {
        fail: bool,
    },
    /// On the next accepted `ccmp_receive`, call `contract` with `msg` as a sub-message
    /// and record how it ended (so the outer delivery itself still succeeds).
    SetReenter {
        contract: String,
        msg: Binary,
    },
}

#[cw_serde]
pub enum ReceiverQuery {
    /// Every accepted delivery, in order.
    Received {},
    /// How each re-entrant call ended: `ok:<data>` or `err:<error>`, by the nonce of the
    /// delivery that made it.
    ReentryResults {},
}

const RECEIVED: Item<Vec<CcmpReceiveMsg>> = Item::new("received");
const FAIL: Item<bool> = Item::new("fail");
const REENTER: Item<(String, Binary)> = Item::new("reenter");
const REENTRY_RESULTS: Map<u64, String> = Map::new("reentry");

fn instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    RECEIVED.save(deps.storage, &vec![])?;
    FAIL.save(deps.storage, &false)?;
    Ok(Response::new())
}

fn execute(deps: DepsMut, _: Env, info: MessageInfo, msg: ReceiverMsg) -> StdResult<Response> {
    match msg {
        ReceiverMsg::CcmpReceive(received) => {
            if !info.funds.is_empty() {
                return Err(StdError::msg("the inbox must send no funds"));
            }
            if FAIL.load(deps.storage)? {
                return Err(StdError::msg(format!(
                    "receiver refuses nonce {}",
                    received.nonce
                )));
            }
            let nonce = received.nonce;
            let mut all = RECEIVED.load(deps.storage)?;
            all.push(received);
            RECEIVED.save(deps.storage, &all)?;
            let mut response = Response::new();
            if let Some((contract, msg)) = REENTER.may_load(deps.storage)? {
                REENTER.remove(deps.storage);
                response = response.add_submessage(SubMsg::reply_always(
                    WasmMsg::Execute {
                        contract_addr: contract,
                        msg,
                        funds: vec![],
                    },
                    nonce,
                ));
            }
            Ok(response)
        }
        ReceiverMsg::SetFail { fail } => {
            FAIL.save(deps.storage, &fail)?;
            Ok(Response::new())
        }
        ReceiverMsg::SetReenter { contract, msg } => {
            REENTER.save(deps.storage, &(contract, msg))?;
            Ok(Response::new())
        }
    }
}

fn reply(deps: DepsMut, _: Env, reply: Reply) -> StdResult<Response> {
    let outcome = match reply.result {
        SubMsgResult::Ok(ok) => {
            #[allow(deprecated)]
            let data = ok.data.map(|d| String::from_utf8_lossy(&d).to_string());
            format!("ok:{}", data.unwrap_or_default())
        }
        SubMsgResult::Err(err) => format!("err:{err}"),
    };
    REENTRY_RESULTS.save(deps.storage, reply.id, &outcome)?;
    Ok(Response::new())
}

fn query(deps: Deps, _: Env, msg: ReceiverQuery) -> StdResult<Binary> {
    match msg {
        ReceiverQuery::Received {} => to_json_binary(&RECEIVED.load(deps.storage)?),
        ReceiverQuery::ReentryResults {} => to_json_binary(
            &REENTRY_RESULTS
                .range(deps.storage, None, None, Order::Ascending)
                .collect::<StdResult<Vec<_>>>()?,
        ),
    }
}

pub fn receiver_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_reply(reply))
}
