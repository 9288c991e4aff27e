//! A CCMP receiver for tests and benchmarks on the devnet, never deployed. What
//! `ccmp_receive` does is set by `set_mode`: nothing (`accept`, the benchmark's receiver,
//! so the inbox's own cost stands apart), count and remember the message (`record`),
//! return an error (`fail`), loop until its gas runs out (`burn`) or trap (`panic`).

use ccmp_types::CcmpReceiveMsg;
use cosmwasm_schema::cw_serde;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, to_json_vec, Binary, Deps, DepsMut, Env, MessageInfo, Response,
    StdError, StdResult,
};

#[cw_serde]
#[derive(Copy, Eq, Default)]
pub enum Mode {
    #[default]
    Accept,
    Record,
    Fail,
    Burn,
    Panic,
}

#[cw_serde]
#[derive(Default)]
pub struct InstantiateMsg {
    pub mode: Option<Mode>,
}

#[cw_serde]
pub enum ExecuteMsg {
    CcmpReceive(CcmpReceiveMsg),
    SetMode { mode: Mode },
}

#[cw_serde]
pub enum QueryMsg {
    Received {},
}

#[cw_serde]
#[derive(Default)]
pub struct ReceivedResponse {
    pub count: u64,
    pub last: Option<CcmpReceiveMsg>,
}

const MODE_KEY: &[u8] = b"mode";
const RECEIVED_KEY: &[u8] = b"received";

fn load_mode(deps: &DepsMut) -> StdResult<Mode> {
    deps.storage
        .get(MODE_KEY)
        .map_or(Ok(Mode::Accept), |bytes| from_json(&bytes))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> StdResult<Response> {
    if let Some(mode) = msg.mode {
        deps.storage.set(MODE_KEY, &to_json_vec(&mode)?);
    }
    Ok(Response::new())
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: ExecuteMsg,
) -> StdResult<Response> {
    match msg {
        ExecuteMsg::SetMode { mode } => {
            deps.storage.set(MODE_KEY, &to_json_vec(&mode)?);
            Ok(Response::new())
        }
        ExecuteMsg::CcmpReceive(received) => match load_mode(&deps)? {
            Mode::Accept => Ok(Response::new()),
            Mode::Record => {
                let mut record: ReceivedResponse = deps
                    .storage
                    .get(RECEIVED_KEY)
                    .map_or(Ok(ReceivedResponse::default()), |bytes| from_json(&bytes))?;
                record.count += 1;
                record.last = Some(received);
                deps.storage.set(RECEIVED_KEY, &to_json_vec(&record)?);
                Ok(Response::new())
            }
            Mode::Fail => Err(StdError::msg(format!(
                "receiver refuses nonce {}",
                received.nonce
            ))),
            Mode::Burn => {
                // Spins until the VM's gas meter stops it.
                let mut counter: u64 = received.nonce;
                loop {
                    counter = std::hint::black_box(counter.wrapping_mul(6364136223846793005));
                }
            }
            Mode::Panic => panic!("receiver panics on nonce {}", received.nonce),
        },
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Received {} => to_json_binary(
            &deps
                .storage
                .get(RECEIVED_KEY)
                .map_or(Ok(ReceivedResponse::default()), |bytes| {
                    from_json::<ReceivedResponse>(&bytes)
                })?,
        ),
    }
}
