use std::collections::BTreeSet;

use ccmp_types::{
    check_migration, validate_address, validate_chain_id, CcmpReceiveMsg, Ownership,
    OwnershipAction, SendMsg,
};
use cosmwasm_std::{
    from_json, to_json_binary, BankMsg, Coin, DepsMut, Env, MessageInfo, Response, Storage,
};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::{
    InstantiateMsg, Payload, Peer, PongBudget, ReceivedMessage, MAX_PONGS_PER_WINDOW,
    MAX_WINDOW_SECONDS, MIN_WINDOW_SECONDS,
};
use crate::state::{self, Config, PongWindow, Received};

/// At most this many peers: bounds instantiation, the `config` query and the
/// configuration the contract carries.
pub const MAX_PEERS: usize = 50;
/// The longest ping text, in bytes. Pongs echo it, so this also bounds what a received
/// message can make the contract store and send.
pub const MAX_TEXT_BYTES: usize = 256;

pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    let outbox = deps.api.addr_validate(&msg.outbox)?;
    let inbox = deps.api.addr_validate(&msg.inbox)?;
    if msg.peers.len() > MAX_PEERS {
        return Err(ContractError::TooManyPeers {
            count: msg.peers.len(),
            max: MAX_PEERS,
        });
    }
    let mut seen = BTreeSet::new();
    for peer in &msg.peers {
        if !seen.insert(peer.chain.as_str()) {
            return Err(ContractError::DuplicatePeer {
                chain: peer.chain.clone(),
            });
        }
        validate_peer(&peer.chain, &peer.address)?;
    }
    if let Some(fee) = &msg.pong_fee {
        validate_fee(fee)?;
    }
    let budget = msg.pong_budget.unwrap_or_default();
    validate_budget(&budget)?;

    // Everything is valid: only now write anything.
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    for Peer { chain, address } in &msg.peers {
        state::save_peer(deps.storage, chain, address)?;
    }
    state::save_ownership(deps.storage, &Ownership::new(owner.clone()))?;
    state::save_config(
        deps.storage,
        &Config {
            outbox: outbox.clone(),
            inbox: inbox.clone(),
            pong_fee: msg.pong_fee,
            fail: false,
        },
    )?;
    state::save_pong_window(
        deps.storage,
        &PongWindow::new(budget, env.block.time.seconds()),
    )?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("outbox", outbox)
        .add_attribute("inbox", inbox)
        .add_attribute("peers", msg.peers.len().to_string())
        .add_attribute(
            "max_pongs_per_window",
            budget.max_pongs_per_window.to_string(),
        )
        .add_attribute("window_seconds", budget.window_seconds.to_string()))
}

/// Sends `{"ping":{"text":...}}` to the peer on `destination_chain`, through the outbox,
/// forwarding the caller's funds as the outbox's fee: the caller pays for its own ping,
/// and the outbox (which knows its fee) refuses a wrong one.
pub fn ping(
    deps: DepsMut,
    info: MessageInfo,
    destination_chain: String,
    text: String,
) -> Result<Response, ContractError> {
    check_text(&text)?;
    let recipient = state::load_peer(deps.storage, &destination_chain)?.ok_or_else(|| {
        ContractError::UnknownPeer {
            chain: destination_chain.clone(),
        }
    })?;
    let fee = match info.funds.as_slice() {
        [] => None,
        [fee] => Some(fee.clone()),
        funds => {
            return Err(ContractError::MultipleFeeCoins {
                funds: describe(funds),
            })
        }
    };
    let config = state::load_config(deps.storage)?;
    let send = send_msg(&destination_chain, &recipient, &Payload::Ping { text })?;

    let mut stats = state::load_stats(deps.storage)?;
    stats.pings_sent = stats.pings_sent.saturating_add(1);
    state::save_stats(deps.storage, &stats)?;
    Ok(Response::new()
        .add_message(send.into_cosmos_msg(config.outbox, fee)?)
        .add_attribute("action", "ping")
        .add_attribute("destination_chain", destination_chain)
        .add_attribute("recipient", recipient))
}

/// Receives a message from the inbox: the checks every CCMP receiver needs, in order.
///
/// Any error refuses the message. The inbox catches it and records the message as
/// `failed` with the error text; nothing this call wrote is kept, and anyone can `retry`
/// the message later (after the owner has, say, added the peer or turned `fail` off).
/// So refusing is always safe: a message is never lost by returning an error.
///
/// Not answering is not a refusal, though: a ping over the pong budget, or one the balance
/// cannot pay the pong for, is accepted and recorded without a pong (event attribute
/// `pong`: `sent`, `skipped_budget` or `skipped_unfunded`). Refusing it would leave a
/// `failed` message that anyone could retry, again and again, to spend the next window's
/// budget or the next top-up on stale pings.
pub fn ccmp_receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: CcmpReceiveMsg,
) -> Result<Response, ContractError> {
    let config = state::load_config(deps.storage)?;

    // 1. Only the trusted inbox can prove a message came from the source chain: it checks
    //    the attesters' signatures and the inclusion proof before calling. Anyone else can
    //    call `ccmp_receive` with any `source_chain` and `sender` they like.
    if info.sender != config.inbox {
        return Err(ContractError::NotInbox {
            sender: info.sender,
            inbox: config.inbox,
        });
    }
    // 2. The inbox dispatches with no funds. Coins on a delivery mean something other than
    //    a plain delivery is going on; refusing hands them back instead of keeping them.
    if !info.funds.is_empty() {
        return Err(ContractError::FundsWithDelivery {
            funds: describe(&info.funds),
        });
    }
    // 3. The inbox proves where a message came from, not that we want it: any contract on
    //    any chain the inbox serves can send to us. The pair (source_chain, sender) names
    //    the sending contract, and only our configured peer on that chain is accepted.
    //    (The chain alone is not enough: anyone can deploy a contract on the peer's chain.)
    //    This also means a pong only ever goes to a chain and contract we configured.
    let peer = state::load_peer(deps.storage, &msg.source_chain)?.ok_or_else(|| {
        ContractError::UnknownPeer {
            chain: msg.source_chain.clone(),
        }
    })?;
    if msg.sender != peer {
        return Err(ContractError::WrongPeer {
            chain: msg.source_chain,
            expected: peer,
            got: msg.sender,
        });
    }
    // 4. The test switch: a refusal here is recorded as failed and can be retried, which is
    //    exactly what it exists to exercise.
    if config.fail {
        return Err(ContractError::FailSwitchOn);
    }
    // 5. The body is the peer's bytes: parse them strictly, and bound what we store.
    let payload: Payload = from_json(&msg.body).map_err(|err| ContractError::InvalidPayload {
        reason: err.to_string(),
    })?;
    let (Payload::Ping { text } | Payload::Pong { text, .. }) = &payload;
    check_text(text)?;

    let mut stats = state::load_stats(deps.storage)?;
    let mut response = Response::new()
        .add_attribute("action", "ccmp_receive")
        .add_attribute("source_chain", &msg.source_chain)
        .add_attribute("sender", &msg.sender)
        .add_attribute("nonce", msg.nonce.to_string())
        .add_attribute("message_id", msg.message_id.to_hex());
    match &payload {
        // 6. Answer a ping, from our own balance, but only within the pong budget and only
        //    while the balance pays the fee. Anyone on the peer's chain can make the peer
        //    ping us (its `ping` is open to all), so without a bound they could make us pay
        //    pong fees until our balance is gone. A pong is never answered: two pingpongs
        //    answering each other's answers would loop (and pay fees) forever.
        Payload::Ping { text } => {
            stats.pings_received = stats.pings_received.saturating_add(1);
            let mut window = state::load_pong_window(deps.storage)?;
            window.roll(env.block.time.seconds());
            // The budget first: over it, we need not even look at the balance. An unpaid
            // pong takes nothing from the budget.
            let outcome = if window.pongs_left() == 0 {
                stats.pongs_skipped_budget = stats.pongs_skipped_budget.saturating_add(1);
                "skipped_budget"
            } else if !can_pay(&deps, &env, config.pong_fee.as_ref())? {
                stats.pongs_skipped_unfunded = stats.pongs_skipped_unfunded.saturating_add(1);
                "skipped_unfunded"
            } else {
                window.pongs = window.pongs.saturating_add(1);
                stats.pongs_sent = stats.pongs_sent.saturating_add(1);
                let pong = Payload::Pong {
                    text: text.clone(),
                    ping_nonce: msg.nonce,
                };
                let send = send_msg(&msg.source_chain, &peer, &pong)?;
                response =
                    response.add_message(send.into_cosmos_msg(config.outbox, config.pong_fee)?);
                "sent"
            };
            state::save_pong_window(deps.storage, &window)?;
            response = response
                .add_attribute("payload", "ping")
                .add_attribute("pong", outcome);
        }
        Payload::Pong { .. } => {
            stats.pongs_received = stats.pongs_received.saturating_add(1);
            response = response.add_attribute("payload", "pong");
        }
    }

    record(deps.storage, &msg, payload)?;
    state::save_stats(deps.storage, &stats)?;
    Ok(response)
}

fn record(
    storage: &mut dyn Storage,
    msg: &CcmpReceiveMsg,
    payload: Payload,
) -> Result<(), ContractError> {
    let count = state::load_received(storage, &msg.source_chain)?.map_or(0, |r| r.count);
    let received = Received {
        count: count.saturating_add(1),
        last: ReceivedMessage {
            nonce: msg.nonce,
            message_id: msg.message_id.clone(),
            payload,
        },
    };
    Ok(state::save_received(storage, &msg.source_chain, &received)?)
}

/// Whether the balance covers the pong fee. Checked here, because a pong the bank refuses
/// inside the outbox call would fail the whole delivery instead of skipping the pong.
fn can_pay(deps: &DepsMut, env: &Env, fee: Option<&Coin>) -> Result<bool, ContractError> {
    let Some(fee) = fee else {
        return Ok(true);
    };
    let available = deps
        .querier
        .query_balance(&env.contract.address, &fee.denom)?;
    Ok(available.amount >= fee.amount)
}

fn send_msg(chain: &str, recipient: &str, payload: &Payload) -> Result<SendMsg, ContractError> {
    Ok(SendMsg {
        destination_chain: chain.to_string(),
        recipient: recipient.to_string(),
        body: to_json_binary(payload)?,
        timeout_timestamp: None,
    })
}

fn check_text(text: &str) -> Result<(), ContractError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ContractError::TextTooLong {
            len: text.len(),
            max: MAX_TEXT_BYTES,
        });
    }
    Ok(())
}

fn describe(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(Coin::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The peer's chain id and address follow the protocol's limits, so every message to it
/// can actually be sent.
fn validate_peer(chain: &str, address: &str) -> Result<(), ContractError> {
    validate_chain_id("chain", chain)?;
    validate_address("address", address)?;
    Ok(())
}

/// Both limits within their bounds: at least one pong per window (pongs can be stopped by
/// removing the peer or emptying the balance), no more than `MAX_PONGS_PER_WINDOW`, and a
/// window from a minute to 30 days, so no budget is unbounded in practice.
fn validate_budget(budget: &PongBudget) -> Result<(), ContractError> {
    check_bound(
        "max_pongs_per_window",
        budget.max_pongs_per_window.into(),
        1,
        MAX_PONGS_PER_WINDOW.into(),
    )?;
    check_bound(
        "window_seconds",
        budget.window_seconds,
        MIN_WINDOW_SECONDS,
        MAX_WINDOW_SECONDS,
    )
}

fn check_bound(field: &str, value: u64, min: u64, max: u64) -> Result<(), ContractError> {
    if !(min..=max).contains(&value) {
        return Err(ContractError::PongBudgetOutOfBounds {
            field: field.to_string(),
            value,
            min,
            max,
        });
    }
    Ok(())
}

fn validate_fee(fee: &Coin) -> Result<(), ContractError> {
    if fee.amount.is_zero() || fee.denom.is_empty() {
        return Err(ContractError::InvalidFee { fee: fee.clone() });
    }
    Ok(())
}

fn assert_owner(deps: &DepsMut, info: &MessageInfo) -> Result<(), ContractError> {
    Ok(state::load_ownership(deps.storage)?.assert_owner(&info.sender)?)
}

pub fn set_fail(deps: DepsMut, info: MessageInfo, fail: bool) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    let mut config = state::load_config(deps.storage)?;
    config.fail = fail;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_fail")
        .add_attribute("fail", fail.to_string()))
}

pub fn set_peer(
    deps: DepsMut,
    info: MessageInfo,
    chain: String,
    address: String,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    validate_peer(&chain, &address)?;
    if state::load_peer(deps.storage, &chain)?.is_none()
        && state::count_peers(deps.storage, MAX_PEERS) >= MAX_PEERS
    {
        return Err(ContractError::TooManyPeers {
            count: MAX_PEERS + 1,
            max: MAX_PEERS,
        });
    }
    state::save_peer(deps.storage, &chain, &address)?;
    Ok(Response::new()
        .add_attribute("action", "set_peer")
        .add_attribute("chain", chain)
        .add_attribute("address", address))
}

pub fn remove_peer(
    deps: DepsMut,
    info: MessageInfo,
    chain: String,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    if state::load_peer(deps.storage, &chain)?.is_none() {
        return Err(ContractError::UnknownPeer { chain });
    }
    // What was received from the chain stays queryable.
    state::remove_peer(deps.storage, &chain);
    Ok(Response::new()
        .add_attribute("action", "remove_peer")
        .add_attribute("chain", chain))
}

pub fn set_pong_fee(
    deps: DepsMut,
    info: MessageInfo,
    pong_fee: Option<Coin>,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    if let Some(fee) = &pong_fee {
        validate_fee(fee)?;
    }
    let mut config = state::load_config(deps.storage)?;
    let attribute = pong_fee
        .as_ref()
        .map_or_else(|| "none".to_string(), Coin::to_string);
    config.pong_fee = pong_fee;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "set_pong_fee")
        .add_attribute("pong_fee", attribute))
}

pub fn set_pong_budget(
    deps: DepsMut,
    info: MessageInfo,
    budget: PongBudget,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    validate_budget(&budget)?;
    // The window keeps its start and count: a lower maximum applies at once, a longer
    // window extends the current one.
    let mut window = state::load_pong_window(deps.storage)?;
    window.budget = budget;
    state::save_pong_window(deps.storage, &window)?;
    Ok(Response::new()
        .add_attribute("action", "set_pong_budget")
        .add_attribute(
            "max_pongs_per_window",
            budget.max_pongs_per_window.to_string(),
        )
        .add_attribute("window_seconds", budget.window_seconds.to_string()))
}

pub fn withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    to: String,
    amount: Coin,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    let to = deps.api.addr_validate(&to)?;
    if amount.amount.is_zero() {
        return Err(ContractError::NothingToWithdraw);
    }
    let available = deps
        .querier
        .query_balance(&env.contract.address, &amount.denom)?;
    if available.amount < amount.amount {
        return Err(ContractError::InsufficientBalance {
            requested: amount,
            available,
        });
    }
    Ok(Response::new()
        .add_attribute("action", "withdraw")
        .add_attribute("to", &to)
        .add_attribute("amount", amount.to_string())
        .add_message(BankMsg::Send {
            to_address: to.into_string(),
            amount: vec![amount],
        }))
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

/// The oldest version whose storage this code reads or converts: every pingpong from
/// 0.1.0 on keeps its config, ownership, counters, peers and records under the same keys
/// and in the same form, except that those from before the pong budget lack it.
pub const OLDEST_LAYOUT_VERSION: &str = "0.1.0";

/// Refuses another contract, a downgrade (newer storage read by older code would fail or
/// lose fields) and a version older than the oldest known layout; converts a pingpong from
/// before the pong budget by storing the default budget with a window opening now (its
/// counters read their two new fields as 0, see `StatsResponse`).
pub fn migrate(deps: DepsMut, env: Env) -> Result<Response, ContractError> {
    let stored = cw2::get_contract_version(deps.storage)?;
    check_migration(
        &stored.contract,
        &stored.version,
        CONTRACT_NAME,
        CONTRACT_VERSION,
    )?;
    // Stored older than the layout is a "downgrade" from the layout's point of view.
    if check_migration(
        CONTRACT_NAME,
        OLDEST_LAYOUT_VERSION,
        CONTRACT_NAME,
        &stored.version,
    )
    .is_err()
    {
        return Err(ContractError::LayoutTooOld {
            from: stored.version,
            oldest: OLDEST_LAYOUT_VERSION.to_string(),
        });
    }
    // A known version, and the storage must be a pingpong's too: its config and counters
    // must read (if not, the typed error rolls the migration back).
    state::load_config(deps.storage)?;
    state::load_stats(deps.storage)?;
    let pong_budget = match state::may_load_pong_window(deps.storage)? {
        Some(_) => "kept",
        None => {
            let window = PongWindow::new(PongBudget::default(), env.block.time.seconds());
            state::save_pong_window(deps.storage, &window)?;
            "added_default"
        }
    };
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", stored.version)
        .add_attribute("to_version", CONTRACT_VERSION)
        .add_attribute("pong_budget", pong_budget))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::{
        message_info, mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage,
    };
    use cosmwasm_std::{coin, Binary, CosmosMsg, HexBinary, OwnedDeps, SubMsg, WasmMsg};

    use super::*;

    type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

    struct Setup {
        deps: Deps,
        owner: cosmwasm_std::Addr,
        outbox: cosmwasm_std::Addr,
        inbox: cosmwasm_std::Addr,
    }

    const PEER_B: &str = "wasm1peerb";

    fn peer(chain: &str, address: &str) -> Peer {
        Peer {
            chain: chain.into(),
            address: address.into(),
        }
    }

    fn instantiate_msg(setup_api: &MockApi, peers: Vec<Peer>) -> InstantiateMsg {
        InstantiateMsg {
            owner: None,
            outbox: setup_api.addr_make("outbox").into_string(),
            inbox: setup_api.addr_make("inbox").into_string(),
            peers,
            pong_fee: None,
            pong_budget: None,
        }
    }

    fn setup(pong_fee: Option<Coin>) -> Setup {
        let mut deps = mock_dependencies();
        let owner = deps.api.addr_make("owner");
        let msg = InstantiateMsg {
            pong_fee,
            ..instantiate_msg(&deps.api, vec![peer("chain-b", PEER_B)])
        };
        instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap();
        Setup {
            outbox: deps.api.addr_make("outbox"),
            inbox: deps.api.addr_make("inbox"),
            deps,
            owner,
        }
    }

    fn delivery(body: &[u8]) -> CcmpReceiveMsg {
        CcmpReceiveMsg {
            message_id: HexBinary::from(&[7u8; 32]),
            source_chain: "chain-b".into(),
            sender: PEER_B.into(),
            nonce: 3,
            body: Binary::from(body),
        }
    }

    fn receive(setup: &mut Setup, msg: CcmpReceiveMsg) -> Result<Response, ContractError> {
        let info = message_info(&setup.inbox, &[]);
        ccmp_receive(setup.deps.as_mut(), mock_env(), info, msg)
    }

    /// The `pong` attribute of a delivery's response: what became of the answer.
    fn pong_attribute(response: &Response) -> String {
        response
            .attributes
            .iter()
            .find(|a| a.key == "pong")
            .expect("a pong attribute")
            .value
            .clone()
    }

    /// The outbox `send` a response carries, with its funds.
    fn sent(response: &Response) -> (String, SendMsg, Vec<Coin>) {
        let [SubMsg {
            msg:
                CosmosMsg::Wasm(WasmMsg::Execute {
                    contract_addr,
                    msg,
                    funds,
                }),
            ..
        }] = response.messages.as_slice()
        else {
            panic!("expected one wasm execute: {:?}", response.messages);
        };
        let ccmp_types::OutboxExecuteMsg::Send(send) = from_json(msg).unwrap();
        (contract_addr.clone(), send, funds.clone())
    }

    mod instantiation {
        use super::*;

        #[test]
        fn refuses_bad_peers_and_fees() {
            let mut deps = mock_dependencies();
            let owner = deps.api.addr_make("owner");
            let too_many: Vec<Peer> = (0..=MAX_PEERS)
                .map(|i| peer(&format!("chain-{i}"), PEER_B))
                .collect();
            let cases: Vec<(InstantiateMsg, &str)> = vec![
                (
                    instantiate_msg(&deps.api, vec![peer("b", "x"), peer("b", "y")]),
                    "peer chain \"b\" is listed twice",
                ),
                (
                    instantiate_msg(&deps.api, too_many),
                    "51 peers, more than the limit of 50",
                ),
                (
                    instantiate_msg(&deps.api, vec![peer("chain b", "x")]),
                    "chain \"chain b\" contains whitespace or a control character",
                ),
                (
                    instantiate_msg(&deps.api, vec![peer("b", "")]),
                    "address must be 1 to 256 bytes, got 0",
                ),
                (
                    InstantiateMsg {
                        pong_fee: Some(coin(0, "untrn")),
                        ..instantiate_msg(&deps.api, vec![])
                    },
                    "pong fee must be a non-zero amount of a non-empty denom, got 0untrn",
                ),
            ];
            let budget = |max_pongs_per_window, window_seconds| InstantiateMsg {
                pong_budget: Some(PongBudget {
                    max_pongs_per_window,
                    window_seconds,
                }),
                ..instantiate_msg(&deps.api, vec![])
            };
            let cases = cases.into_iter().chain([
                (
                    budget(0, 3_600),
                    "max_pongs_per_window must be 1 to 10000, got 0",
                ),
                (
                    budget(10_001, 3_600),
                    "max_pongs_per_window must be 1 to 10000, got 10001",
                ),
                (
                    budget(1, 59),
                    "window_seconds must be 60 to 2592000, got 59",
                ),
                (
                    budget(1, 2_592_001),
                    "window_seconds must be 60 to 2592000, got 2592001",
                ),
            ]);
            for (msg, expected) in cases {
                let err = instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg)
                    .unwrap_err();
                assert_eq!(err.to_string(), expected);
            }
            let msg = InstantiateMsg {
                inbox: "not-an-address".into(),
                ..instantiate_msg(&deps.api, vec![])
            };
            let err =
                instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap_err();
            assert!(matches!(err, ContractError::Std(_)), "{err:?}");
            // Nothing was stored by any of the refusals.
            assert_eq!(
                deps.storage
                    .range(None, None, cosmwasm_std::Order::Ascending)
                    .count(),
                0
            );
        }

        #[test]
        fn the_budget_defaults_and_its_bounds_are_accepted() {
            let mut deps = mock_dependencies();
            let owner = deps.api.addr_make("owner");
            let msg = instantiate_msg(&deps.api, vec![]);
            instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap();
            let window = state::load_pong_window(&deps.storage).unwrap();
            assert_eq!(
                window,
                PongWindow {
                    budget: PongBudget {
                        max_pongs_per_window: 100,
                        window_seconds: 3_600
                    },
                    start: mock_env().block.time.seconds(),
                    pongs: 0,
                }
            );
            for (max_pongs_per_window, window_seconds) in [(1, 60), (10_000, 2_592_000)] {
                let budget = PongBudget {
                    max_pongs_per_window,
                    window_seconds,
                };
                let msg = InstantiateMsg {
                    pong_budget: Some(budget),
                    ..instantiate_msg(&deps.api, vec![])
                };
                instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap();
                assert_eq!(
                    state::load_pong_window(&deps.storage).unwrap().budget,
                    budget
                );
            }
        }

        #[test]
        fn exactly_max_peers_is_accepted() {
            let mut deps = mock_dependencies();
            let owner = deps.api.addr_make("owner");
            let peers = (0..MAX_PEERS)
                .map(|i| peer(&format!("chain-{i}"), PEER_B))
                .collect();
            let msg = instantiate_msg(&deps.api, peers);
            instantiate(deps.as_mut(), mock_env(), message_info(&owner, &[]), msg).unwrap();
            assert_eq!(state::count_peers(&deps.storage, 1000), MAX_PEERS);
        }
    }

    mod pinging {
        use super::*;

        #[test]
        fn sends_the_ping_body_to_the_peer_with_the_callers_fee() {
            let mut setup = setup(None);
            let alice = setup.deps.api.addr_make("alice");
            let info = message_info(&alice, &[coin(5, "untrn")]);
            let response = ping(setup.deps.as_mut(), info, "chain-b".into(), "hi".into()).unwrap();
            let (outbox, send, funds) = sent(&response);
            assert_eq!(outbox, setup.outbox.as_str());
            assert_eq!(
                send,
                SendMsg {
                    destination_chain: "chain-b".into(),
                    recipient: PEER_B.into(),
                    body: Binary::from(br#"{"ping":{"text":"hi"}}"#.as_slice()),
                    timeout_timestamp: None,
                }
            );
            assert_eq!(funds, vec![coin(5, "untrn")]);
            assert_eq!(
                state::load_stats(&setup.deps.storage).unwrap().pings_sent,
                1
            );
        }

        #[test]
        fn text_may_be_max_bytes_but_not_one_more() {
            let mut setup = setup(None);
            let alice = setup.deps.api.addr_make("alice");
            let text = "x".repeat(MAX_TEXT_BYTES);
            ping(
                setup.deps.as_mut(),
                message_info(&alice, &[]),
                "chain-b".into(),
                text,
            )
            .unwrap();
            let err = ping(
                setup.deps.as_mut(),
                message_info(&alice, &[]),
                "chain-b".into(),
                "x".repeat(MAX_TEXT_BYTES + 1),
            )
            .unwrap_err();
            assert_eq!(err.to_string(), "text is 257 bytes, over the limit of 256");
        }

        #[test]
        fn refuses_unknown_chains_and_several_coins() {
            let mut setup = setup(None);
            let alice = setup.deps.api.addr_make("alice");
            let err = ping(
                setup.deps.as_mut(),
                message_info(&alice, &[]),
                "chain-z".into(),
                "hi".into(),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "no peer is configured on chain \"chain-z\""
            );
            let funds = [coin(5, "untrn"), coin(1, "uatom")];
            let err = ping(
                setup.deps.as_mut(),
                message_info(&alice, &funds),
                "chain-b".into(),
                "hi".into(),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "attach at most one coin, the outbox's fee; got 5untrn,1uatom"
            );
            assert_eq!(
                state::load_stats(&setup.deps.storage).unwrap().pings_sent,
                0
            );
        }
    }

    mod receiving {
        use super::*;

        #[test]
        fn a_ping_is_recorded_and_answered_with_a_pong_carrying_its_nonce() {
            let mut setup = setup(None);
            let response = receive(&mut setup, delivery(br#"{"ping":{"text":"hi"}}"#)).unwrap();
            let (outbox, send, funds) = sent(&response);
            assert_eq!(outbox, setup.outbox.as_str());
            assert_eq!(send.destination_chain, "chain-b");
            assert_eq!(send.recipient, PEER_B);
            assert_eq!(
                send.body.as_slice(),
                br#"{"pong":{"text":"hi","ping_nonce":3}}"#
            );
            assert!(funds.is_empty());

            let received = state::load_received(&setup.deps.storage, "chain-b")
                .unwrap()
                .unwrap();
            assert_eq!(
                received,
                Received {
                    count: 1,
                    last: ReceivedMessage {
                        nonce: 3,
                        message_id: HexBinary::from(&[7u8; 32]),
                        payload: Payload::Ping { text: "hi".into() },
                    }
                }
            );
            let stats = state::load_stats(&setup.deps.storage).unwrap();
            assert_eq!((stats.pings_received, stats.pongs_sent), (1, 1));
        }

        #[test]
        fn a_pong_is_recorded_and_never_answered() {
            let mut setup = setup(None);
            receive(&mut setup, delivery(br#"{"ping":{"text":"a"}}"#)).unwrap();
            let mut msg = delivery(br#"{"pong":{"text":"b","ping_nonce":9}}"#);
            msg.nonce = 4;
            let response = receive(&mut setup, msg).unwrap();
            assert!(response.messages.is_empty());
            let received = state::load_received(&setup.deps.storage, "chain-b")
                .unwrap()
                .unwrap();
            assert_eq!(received.count, 2);
            assert_eq!(received.last.nonce, 4);
            assert_eq!(
                received.last.payload,
                Payload::Pong {
                    text: "b".into(),
                    ping_nonce: 9
                }
            );
            let stats = state::load_stats(&setup.deps.storage).unwrap();
            assert_eq!(
                stats,
                crate::msg::StatsResponse {
                    pings_sent: 0,
                    pongs_sent: 1,
                    pings_received: 1,
                    pongs_received: 1,
                    pongs_skipped_budget: 0,
                    pongs_skipped_unfunded: 0,
                }
            );
        }

        #[test]
        fn the_pong_fee_is_attached_when_the_balance_covers_it() {
            let mut setup = setup(Some(coin(5, "untrn")));
            let contract = mock_env().contract.address;
            setup
                .deps
                .querier
                .bank
                .update_balance(&contract, vec![coin(4, "untrn")]);
            // Short: the ping is accepted and recorded, the pong skipped, the budget kept.
            let response = receive(&mut setup, delivery(br#"{"ping":{"text":"hi"}}"#)).unwrap();
            assert!(response.messages.is_empty());
            assert_eq!(pong_attribute(&response), "skipped_unfunded");
            assert_eq!(
                state::load_pong_window(&setup.deps.storage).unwrap().pongs,
                0
            );
            setup
                .deps
                .querier
                .bank
                .update_balance(&contract, vec![coin(5, "untrn")]);
            let response = receive(&mut setup, delivery(br#"{"ping":{"text":"hi"}}"#)).unwrap();
            assert_eq!(sent(&response).2, vec![coin(5, "untrn")]);
            assert_eq!(pong_attribute(&response), "sent");
            let stats = state::load_stats(&setup.deps.storage).unwrap();
            assert_eq!(
                (
                    stats.pings_received,
                    stats.pongs_sent,
                    stats.pongs_skipped_unfunded
                ),
                (2, 1, 1)
            );
            assert_eq!(
                state::load_received(&setup.deps.storage, "chain-b")
                    .unwrap()
                    .unwrap()
                    .count,
                2
            );
        }

        /// At most `max_pongs_per_window` pongs per window; the next ping opens a new
        /// window once `window_seconds` have passed since the current one began.
        #[test]
        fn the_budget_allows_max_pongs_per_window_and_refills_when_the_window_ends() {
            let mut setup = setup(None);
            let owner = setup.owner.clone();
            set_pong_budget(
                setup.deps.as_mut(),
                message_info(&owner, &[]),
                PongBudget {
                    max_pongs_per_window: 2,
                    window_seconds: 60,
                },
            )
            .unwrap();
            let start = mock_env().block.time.seconds();
            let ping_at = |setup: &mut Setup, seconds: u64| {
                let mut env = mock_env();
                env.block.time = env.block.time.plus_seconds(seconds);
                let info = message_info(&setup.inbox, &[]);
                let response = ccmp_receive(
                    setup.deps.as_mut(),
                    env,
                    info,
                    delivery(br#"{"ping":{"text":"hi"}}"#),
                )
                .unwrap();
                let outcome = pong_attribute(&response);
                assert_eq!(response.messages.len(), usize::from(outcome == "sent"));
                outcome
            };
            assert_eq!(ping_at(&mut setup, 0), "sent");
            assert_eq!(ping_at(&mut setup, 10), "sent");
            assert_eq!(ping_at(&mut setup, 20), "skipped_budget");
            assert_eq!(ping_at(&mut setup, 59), "skipped_budget");
            // The window began at instantiation, `start`, and ends at `start + 60`.
            assert_eq!(ping_at(&mut setup, 60), "sent");
            let window = state::load_pong_window(&setup.deps.storage).unwrap();
            assert_eq!((window.start, window.pongs), (start + 60, 1));
            assert_eq!(ping_at(&mut setup, 61), "sent");
            assert_eq!(ping_at(&mut setup, 119), "skipped_budget");
            // A long quiet spell: the next ping opens its window when it arrives.
            assert_eq!(ping_at(&mut setup, 1_000), "sent");
            let window = state::load_pong_window(&setup.deps.storage).unwrap();
            assert_eq!((window.start, window.pongs), (start + 1_000, 1));

            let stats = state::load_stats(&setup.deps.storage).unwrap();
            assert_eq!(
                (
                    stats.pings_received,
                    stats.pongs_sent,
                    stats.pongs_skipped_budget,
                    stats.pongs_skipped_unfunded
                ),
                (8, 5, 3, 0)
            );
        }

        /// The budget bounds pongs, not pings: a pong received costs nothing and is not
        /// counted against it.
        #[test]
        fn pongs_received_do_not_use_the_budget() {
            let mut setup = setup(None);
            for _ in 0..3 {
                let response = receive(
                    &mut setup,
                    delivery(br#"{"pong":{"text":"b","ping_nonce":9}}"#),
                )
                .unwrap();
                assert!(response.attributes.iter().all(|a| a.key != "pong"));
            }
            assert_eq!(
                state::load_pong_window(&setup.deps.storage).unwrap().pongs,
                0
            );
        }

        /// Checks run in order: a call failing several of them names the first.
        #[test]
        fn refusals_name_the_first_failed_check() {
            let mut setup = setup(None);
            let stranger = setup.deps.api.addr_make("stranger");
            let good = br#"{"ping":{"text":"hi"}}"#;

            let err = ccmp_receive(
                setup.deps.as_mut(),
                mock_env(),
                message_info(&stranger, &[]),
                delivery(b"junk"),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "unauthorized: only the inbox {} may deliver messages, not {stranger}",
                    setup.inbox
                )
            );

            let err = ccmp_receive(
                setup.deps.as_mut(),
                mock_env(),
                message_info(&setup.inbox.clone(), &[coin(1, "untrn")]),
                delivery(good),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "unexpected funds attached to a delivery: 1untrn (the inbox sends none)"
            );

            let msg = CcmpReceiveMsg {
                source_chain: "chain-z".into(),
                ..delivery(b"junk")
            };
            let err = receive(&mut setup, msg).unwrap_err();
            assert_eq!(
                err.to_string(),
                "no peer is configured on chain \"chain-z\""
            );

            let msg = CcmpReceiveMsg {
                sender: "wasm1impostor".into(),
                ..delivery(b"junk")
            };
            let err = receive(&mut setup, msg).unwrap_err();
            assert_eq!(
                err.to_string(),
                "sender \"wasm1impostor\" on chain \"chain-b\" is not the peer \"wasm1peerb\""
            );

            let owner = setup.owner.clone();
            set_fail(setup.deps.as_mut(), message_info(&owner, &[]), true).unwrap();
            let err = receive(&mut setup, delivery(b"junk")).unwrap_err();
            assert_eq!(err.to_string(), "failing on purpose: the fail switch is on");
            set_fail(setup.deps.as_mut(), message_info(&owner, &[]), false).unwrap();

            let err = receive(&mut setup, delivery(b"junk")).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("body is not a ping or pong payload: "),
                "{err}"
            );
            let too_long = format!(r#"{{"ping":{{"text":"{}"}}}}"#, "x".repeat(257));
            let err = receive(&mut setup, delivery(too_long.as_bytes())).unwrap_err();
            assert_eq!(err.to_string(), "text is 257 bytes, over the limit of 256");

            assert_eq!(
                state::load_received(&setup.deps.storage, "chain-b").unwrap(),
                None
            );
            assert_eq!(
                state::load_stats(&setup.deps.storage).unwrap(),
                crate::msg::StatsResponse::default()
            );
        }

        #[test]
        fn payload_parsing_is_strict() {
            let mut setup = setup(None);
            for body in [
                br#"{"pong":{"text":"hi"}}"#.as_slice(),
                br#"{"ping":{}}"#,
                br#"{"ping":{"text":7}}"#,
                br#"{"ping":"hi"}"#,
                br#"{"ping":{"text":"hi"},"pong":{"text":"hi","ping_nonce":1}}"#,
                br#"{"peng":{"text":"hi"}}"#,
                b"",
            ] {
                let result = receive(&mut setup, delivery(body));
                let err = result.expect_err(&String::from_utf8_lossy(body));
                assert!(
                    matches!(err, ContractError::InvalidPayload { .. }),
                    "{}: {err:?}",
                    String::from_utf8_lossy(body)
                );
            }
            // serde's deny_unknown_fields does not reach into enum struct variants: a newer
            // peer's extra field is ignored, which keeps old and new versions talking.
            receive(&mut setup, delivery(br#"{"ping":{"text":"hi","extra":1}}"#)).unwrap();
        }
    }

    mod owner {
        use super::*;

        #[test]
        fn settings_are_owner_only() {
            let mut setup = setup(None);
            let stranger = setup.deps.api.addr_make("stranger");
            let info = message_info(&stranger, &[]);
            let deps = &mut setup.deps;
            let results = [
                set_fail(deps.as_mut(), info.clone(), true),
                set_peer(deps.as_mut(), info.clone(), "c".into(), "x".into()),
                remove_peer(deps.as_mut(), info.clone(), "chain-b".into()),
                set_pong_fee(deps.as_mut(), info.clone(), None),
                set_pong_budget(deps.as_mut(), info.clone(), PongBudget::default()),
                withdraw(
                    deps.as_mut(),
                    mock_env(),
                    info.clone(),
                    stranger.to_string(),
                    coin(1, "untrn"),
                ),
                ownership(
                    deps.as_mut(),
                    info.clone(),
                    OwnershipAction::Transfer {
                        new_owner: stranger.to_string(),
                    },
                ),
                ownership(deps.as_mut(), info.clone(), OwnershipAction::Cancel),
                ownership(deps.as_mut(), info, OwnershipAction::Renounce),
            ];
            for result in results {
                assert_eq!(
                    result.unwrap_err().to_string(),
                    "unauthorized: only the owner may do this"
                );
            }
        }

        #[test]
        fn set_peer_stops_at_max_peers_but_may_replace_one() {
            let mut setup = setup(None);
            let info = message_info(&setup.owner, &[]);
            for i in 1..MAX_PEERS {
                set_peer(
                    setup.deps.as_mut(),
                    info.clone(),
                    format!("chain-{i}"),
                    "x".into(),
                )
                .unwrap();
            }
            let err = set_peer(
                setup.deps.as_mut(),
                info.clone(),
                "chain-new".into(),
                "x".into(),
            )
            .unwrap_err();
            assert_eq!(err.to_string(), "51 peers, more than the limit of 50");
            set_peer(
                setup.deps.as_mut(),
                info.clone(),
                "chain-b".into(),
                "wasm1other".into(),
            )
            .unwrap();
            assert_eq!(
                state::load_peer(&setup.deps.storage, "chain-b").unwrap(),
                Some("wasm1other".to_string())
            );
            remove_peer(setup.deps.as_mut(), info.clone(), "chain-b".into()).unwrap();
            let err = remove_peer(setup.deps.as_mut(), info, "chain-b".into()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "no peer is configured on chain \"chain-b\""
            );
        }

        #[test]
        fn withdraw_checks_the_balance() {
            let mut setup = setup(None);
            let contract = mock_env().contract.address;
            setup
                .deps
                .querier
                .bank
                .update_balance(&contract, vec![coin(10, "untrn")]);
            let info = message_info(&setup.owner, &[]);
            let to = setup.owner.to_string();
            let err = withdraw(
                setup.deps.as_mut(),
                mock_env(),
                info.clone(),
                to.clone(),
                coin(11, "untrn"),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "cannot withdraw 11untrn: the balance is 10untrn"
            );
            let err = withdraw(
                setup.deps.as_mut(),
                mock_env(),
                info.clone(),
                to.clone(),
                coin(0, "untrn"),
            )
            .unwrap_err();
            assert_eq!(err.to_string(), "nothing to withdraw");
            let response = withdraw(
                setup.deps.as_mut(),
                mock_env(),
                info,
                to.clone(),
                coin(10, "untrn"),
            )
            .unwrap();
            assert_eq!(
                response.messages,
                vec![SubMsg::new(BankMsg::Send {
                    to_address: to,
                    amount: vec![coin(10, "untrn")]
                })]
            );
        }

        #[test]
        fn migrate_refuses_foreign_contracts_and_downgrades() {
            let mut deps = mock_dependencies();
            cw2::set_contract_version(&mut deps.storage, "crates.io:ccmp-outbox", "0.1.0").unwrap();
            assert_eq!(
                migrate(deps.as_mut(), mock_env()).unwrap_err().to_string(),
                format!(
                    "cannot migrate from contract \"crates.io:ccmp-outbox\": this code is {CONTRACT_NAME:?}"
                )
            );
            cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "99.0.0").unwrap();
            assert_eq!(
                migrate(deps.as_mut(), mock_env()).unwrap_err().to_string(),
                format!("cannot migrate from version 99.0.0 to older version {CONTRACT_VERSION}")
            );
            cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
            assert_eq!(
                migrate(deps.as_mut(), mock_env()).unwrap_err().to_string(),
                "cannot migrate from version 0.0.1: this code reads the storage of 0.1.0 and later"
            );
            // A known version whose storage is not a pingpong's is refused, not patched.
            cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.1.0").unwrap();
            assert!(matches!(
                migrate(deps.as_mut(), mock_env()).unwrap_err(),
                ContractError::Std(_)
            ));
            assert!(state::may_load_pong_window(&deps.storage)
                .unwrap()
                .is_none());
        }

        #[test]
        fn migrate_keeps_a_current_pingpong_as_it_is() {
            let mut setup = setup(None);
            let owner = setup.owner.clone();
            let budget = PongBudget {
                max_pongs_per_window: 7,
                window_seconds: 600,
            };
            set_pong_budget(setup.deps.as_mut(), message_info(&owner, &[]), budget).unwrap();
            receive(&mut setup, delivery(br#"{"ping":{"text":"hi"}}"#)).unwrap();
            let before = state::load_pong_window(&setup.deps.storage).unwrap();
            let mut env = mock_env();
            env.block.time = env.block.time.plus_seconds(5);
            let response = migrate(setup.deps.as_mut(), env).unwrap();
            assert!(response
                .attributes
                .iter()
                .any(|a| a.key == "pong_budget" && a.value == "kept"));
            assert_eq!(
                state::load_pong_window(&setup.deps.storage).unwrap(),
                before
            );
            assert_eq!(before.pongs, 1);
        }

        /// A pingpong stored before the pong budget: no budget key, counters without the
        /// two `skipped` fields. Migrating gives it the default budget with a window
        /// opening at the migration, and its counters carry on.
        #[test]
        fn migrate_converts_a_pingpong_from_before_the_budget() {
            let mut setup = setup(None);
            receive(&mut setup, delivery(br#"{"ping":{"text":"hi"}}"#)).unwrap();
            // The old layout, byte for byte: the keys as 0.1.0 wrote them.
            setup.deps.storage.remove(b"b");
            setup.deps.storage.set(
                b"s",
                br#"{"pings_sent":4,"pongs_sent":1,"pings_received":1,"pongs_received":2}"#,
            );
            cw2::set_contract_version(&mut setup.deps.storage, CONTRACT_NAME, "0.1.0").unwrap();
            // Before the migration, a delivery cannot run on the old layout (the code
            // is only ever switched by migrate).
            assert!(receive(&mut setup, delivery(br#"{"ping":{"text":"hi"}}"#)).is_err());

            let mut env = mock_env();
            env.block.time = env.block.time.plus_seconds(42);
            let response = migrate(setup.deps.as_mut(), env.clone()).unwrap();
            assert!(response
                .attributes
                .iter()
                .any(|a| a.key == "pong_budget" && a.value == "added_default"));
            assert_eq!(
                state::load_pong_window(&setup.deps.storage).unwrap(),
                PongWindow::new(PongBudget::default(), env.block.time.seconds())
            );
            assert_eq!(
                state::load_stats(&setup.deps.storage).unwrap(),
                crate::msg::StatsResponse {
                    pings_sent: 4,
                    pongs_sent: 1,
                    pings_received: 1,
                    pongs_received: 2,
                    pongs_skipped_budget: 0,
                    pongs_skipped_unfunded: 0,
                }
            );
            let info = message_info(&setup.inbox, &[]);
            let response = ccmp_receive(
                setup.deps.as_mut(),
                env,
                info,
                delivery(br#"{"ping":{"text":"hi"}}"#),
            )
            .unwrap();
            assert_eq!(pong_attribute(&response), "sent");
            assert_eq!(
                cw2::get_contract_version(&setup.deps.storage)
                    .unwrap()
                    .version,
                CONTRACT_VERSION
            );
        }
    }
}
