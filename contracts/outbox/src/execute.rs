use std::collections::BTreeSet;

use ccmp_types::{
    append_to_frontier, check_migration_from_layout, validate_body, validate_chain_id, Message,
    Ownership, OwnershipAction, SendMsg, SendResponse, DEFAULT_MAX_BODY_BYTES,
};
use cosmwasm_std::{to_json_binary, BankMsg, Coin, DepsMut, Env, HexBinary, MessageInfo, Response};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::events;
use crate::msg::{DestinationConfig, InstantiateMsg};
use crate::state::{self, Config, Destination};

/// At most this many destinations: bounds instantiation, the `withdraw_fees` loop and
/// the configuration any one chain carries.
pub const MAX_DESTINATIONS: usize = 100;
/// The largest per-destination body limit the owner may set.
pub const MAX_BODY_LIMIT: u32 = 1024 * 1024;

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

    let destinations = msg.destinations.unwrap_or_default();
    if destinations.len() > MAX_DESTINATIONS {
        return Err(ContractError::TooManyDestinations {
            count: destinations.len(),
            max: MAX_DESTINATIONS,
        });
    }
    let config = Config {
        chain_id: chain_id.clone(),
        paused: false,
    };
    let mut seen = BTreeSet::new();
    for terms in &destinations {
        if !seen.insert(terms.chain.as_str()) {
            return Err(ContractError::DuplicateDestination {
                chain: terms.chain.clone(),
            });
        }
        let lane = state::assign_lane_index(deps.storage, &terms.chain)?;
        let destination = validate_destination(&config, terms, lane)?;
        state::save_destination(deps.storage, &terms.chain, &destination)?;
    }

    state::save_ownership(deps.storage, &Ownership::new(owner.clone()))?;
    state::save_config(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("chain_id", chain_id)
        .add_attribute("destinations", destinations.len().to_string()))
}

pub fn send(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: SendMsg,
) -> Result<Response, ContractError> {
    // The destination record carries this chain's id and the pause flag, so a send reads
    // one record less than it would with the config apart (1,000 gas and more a read).
    let destination =
        state::load_destination(deps.storage, &msg.destination_chain)?.ok_or_else(|| {
            ContractError::UnknownDestination {
                chain: msg.destination_chain.clone(),
            }
        })?;
    if destination.paused {
        return Err(ContractError::Paused);
    }
    if !destination.enabled {
        return Err(ContractError::DestinationDisabled {
            chain: msg.destination_chain,
        });
    }
    check_fee(destination.fee.as_ref(), &info.funds)?;
    validate_body(&msg.body, body_limit(&destination))?;
    // The source chain's clock is not the destination's, but a timeout already behind
    // this block could only ever time out: refuse it rather than take the fee for nothing.
    if let Some(timeout) = msg.timeout_timestamp {
        if timeout.nanos() != 0 && timeout <= env.block.time {
            return Err(ContractError::TimeoutInPast {
                timeout: timeout.nanos(),
                now: env.block.time.nanos(),
            });
        }
    }

    let frontier = state::load_lane_frontier(deps.storage, destination.lane)?;
    let size = frontier.lane.size;
    let message = Message {
        nonce: size,
        source_chain: destination.source_chain,
        sender: info.sender.into_string(),
        destination_chain: msg.destination_chain,
        recipient: msg.recipient,
        timeout_timestamp: msg.timeout_timestamp,
        body: msg.body,
    };
    let (message_bytes, message_id) = message.encode_with_id()?;

    let chain = message.destination_chain.as_str();
    let corrupt = |level| ContractError::CorruptFrontier {
        destination_chain: chain.to_string(),
        level,
        size,
    };
    let append = append_to_frontier(size, message_id, |level| {
        frontier.node(level).ok_or_else(|| corrupt(level))
    })?;
    let frontier = frontier
        .appended(&append)
        .ok_or_else(|| corrupt(append.level))?;
    let lane = frontier.lane;
    state::save_lane_frontier(deps.storage, destination.lane, &frontier, append.level);
    state::save_message_id(deps.storage, destination.lane, message.nonce, &message_id);

    let data = SendResponse {
        nonce: message.nonce,
        message_id: HexBinary::from(&message_id),
    };
    Ok(Response::new()
        .set_data(to_json_binary(&data)?)
        .add_event(events::send(&message, &message_bytes, &message_id, &lane)))
}

fn body_limit(destination: &Destination) -> usize {
    destination
        .max_body_bytes
        .map_or(DEFAULT_MAX_BODY_BYTES, |max| max as usize)
}

/// The attached funds must be the fee exactly: one coin of its denom and amount, or
/// nothing when the destination is free. Anything else is refused rather than kept, so
/// a dApp's mistake never silently costs it money.
fn check_fee(fee: Option<&Coin>, funds: &[Coin]) -> Result<(), ContractError> {
    let describe = |coins: &[Coin]| {
        coins
            .iter()
            .map(Coin::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    match (fee, funds) {
        (None, []) => Ok(()),
        (None, funds) => Err(ContractError::UnexpectedFunds {
            funds: describe(funds),
            expected: "none".to_string(),
        }),
        (Some(fee), []) => Err(ContractError::MissingFee {
            expected: fee.clone(),
        }),
        (Some(fee), [paid]) if paid.denom != fee.denom => Err(ContractError::WrongFeeDenom {
            expected: fee.denom.clone(),
            got: paid.denom.clone(),
        }),
        (Some(fee), [paid]) if paid.amount < fee.amount => Err(ContractError::InsufficientFee {
            expected: fee.clone(),
            got: paid.clone(),
        }),
        (Some(fee), [paid]) if paid.amount > fee.amount => Err(ContractError::ExcessFee {
            expected: fee.clone(),
            got: paid.clone(),
        }),
        (Some(_), [_]) => Ok(()),
        (Some(fee), funds) => Err(ContractError::UnexpectedFunds {
            funds: describe(funds),
            expected: fee.to_string(),
        }),
    }
}

/// Checks a destination's terms and builds its record, with the outbox's chain id and
/// pause flag copied in from `outbox`.
fn validate_destination(
    outbox: &Config,
    config: &DestinationConfig,
    lane: u16,
) -> Result<Destination, ContractError> {
    validate_chain_id("chain", &config.chain)?;
    if config.chain == outbox.chain_id {
        return Err(ContractError::DestinationIsSelf {
            chain: config.chain.clone(),
        });
    }
    if let Some(fee) = &config.fee {
        if fee.amount.is_zero() || fee.denom.is_empty() {
            return Err(ContractError::InvalidFee { fee: fee.clone() });
        }
    }
    if let Some(max) = config.max_body_bytes {
        if max == 0 || max > MAX_BODY_LIMIT {
            return Err(ContractError::InvalidBodyLimit {
                got: max,
                max: MAX_BODY_LIMIT,
            });
        }
    }
    Ok(Destination {
        enabled: config.enabled,
        fee: config.fee.clone(),
        max_body_bytes: config.max_body_bytes,
        source_chain: outbox.chain_id.clone(),
        paused: outbox.paused,
        lane,
    })
}

fn assert_owner(deps: &DepsMut, info: &MessageInfo) -> Result<(), ContractError> {
    Ok(state::load_ownership(deps.storage)?.assert_owner(&info.sender)?)
}

pub fn set_destination(
    deps: DepsMut,
    info: MessageInfo,
    config: DestinationConfig,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    let outbox = state::load_config(deps.storage)?;
    // Checked before a lane index is assigned, so a refused call assigns none.
    let lane = state::lane_index(deps.storage, &config.chain)?.unwrap_or_default();
    validate_destination(&outbox, &config, lane)?;
    if state::load_destination(deps.storage, &config.chain)?.is_none()
        && state::count_destinations(deps.storage, MAX_DESTINATIONS)? >= MAX_DESTINATIONS
    {
        return Err(ContractError::TooManyDestinations {
            count: MAX_DESTINATIONS + 1,
            max: MAX_DESTINATIONS,
        });
    }
    let lane = state::assign_lane_index(deps.storage, &config.chain)?;
    let destination = validate_destination(&outbox, &config, lane)?;
    state::save_destination(deps.storage, &config.chain, &destination)?;
    Ok(Response::new()
        .add_attribute("action", "set_destination")
        .add_attribute("chain", config.chain)
        .add_attribute("enabled", destination.enabled.to_string())
        .add_attribute(
            "fee",
            destination
                .fee
                .map_or_else(|| "none".to_string(), |fee| fee.to_string()),
        )
        .add_attribute(
            "max_body_bytes",
            body_limit_attr(destination.max_body_bytes),
        ))
}

fn body_limit_attr(max: Option<u32>) -> String {
    max.map_or(DEFAULT_MAX_BODY_BYTES, |max| max as usize)
        .to_string()
}

pub fn remove_destination(
    deps: DepsMut,
    info: MessageInfo,
    chain: String,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    if state::load_destination(deps.storage, &chain)?.is_none() {
        return Err(ContractError::UnknownDestination { chain });
    }
    // Only the terms go: the lane's size, frontier and ids stay, so the lane stays
    // provable and a later set_destination continues its nonces instead of reusing them.
    state::remove_destination(deps.storage, &chain);
    Ok(Response::new()
        .add_attribute("action", "remove_destination")
        .add_attribute("chain", chain))
}

/// Idempotent, so an operator racing to pause in an emergency never fails.
pub fn set_paused(
    deps: DepsMut,
    info: MessageInfo,
    paused: bool,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    let mut config = state::load_config(deps.storage)?;
    config.paused = paused;
    state::save_config(deps.storage, &config)?;
    // Every destination record carries the flag that `send` reads: at most
    // MAX_DESTINATIONS writes, paid by the owner so that no send pays a config read.
    for (chain, mut destination) in state::all_destinations(deps.storage, MAX_DESTINATIONS)? {
        destination.paused = paused;
        state::save_destination(deps.storage, &chain, &destination)?;
    }
    Ok(Response::new()
        .add_attribute("action", if paused { "pause" } else { "unpause" })
        .add_attribute("paused", paused.to_string()))
}

pub fn withdraw_fees(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    to: String,
    amount: Option<Coin>,
) -> Result<Response, ContractError> {
    assert_owner(&deps, &info)?;
    let to = deps.api.addr_validate(&to)?;
    let contract = &env.contract.address;
    let coins = match amount {
        Some(requested) => {
            if requested.amount.is_zero() {
                return Err(ContractError::NothingToWithdraw);
            }
            let available = deps.querier.query_balance(contract, &requested.denom)?;
            if available.amount < requested.amount {
                return Err(ContractError::InsufficientBalance {
                    requested,
                    available,
                });
            }
            vec![requested]
        }
        None => {
            let denoms: BTreeSet<String> = state::all_destinations(deps.storage, MAX_DESTINATIONS)?
                .into_iter()
                .filter_map(|(_, destination)| destination.fee.map(|fee| fee.denom))
                .collect();
            let mut coins = Vec::with_capacity(denoms.len());
            for denom in denoms {
                let balance = deps.querier.query_balance(contract, denom)?;
                if !balance.amount.is_zero() {
                    coins.push(balance);
                }
            }
            coins
        }
    };
    if coins.is_empty() {
        return Err(ContractError::NothingToWithdraw);
    }
    let withdrawn = coins
        .iter()
        .map(Coin::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: to.to_string(),
            amount: coins,
        })
        .add_attribute("action", "withdraw_fees")
        .add_attribute("to", to)
        .add_attribute("amount", withdrawn))
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

/// The first version with the current storage layout (lane-indexed keys, the split
/// frontier, destinations carrying the chain id and pause flag). An older outbox's lanes
/// would read as empty here and restart their nonces, so migrating one is refused.
pub const LAYOUT_VERSION: &str = "0.2.0";

pub fn migrate(deps: DepsMut) -> Result<Response, ContractError> {
    let stored = cw2::get_contract_version(deps.storage)?;
    check_migration_from_layout(
        &stored.contract,
        &stored.version,
        CONTRACT_NAME,
        CONTRACT_VERSION,
        LAYOUT_VERSION,
        "outbox",
    )?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", stored.version)
        .add_attribute("to_version", CONTRACT_VERSION))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockStorage};
    use cosmwasm_std::{coin, Binary, DepsMut, Order, Record, Storage};

    use super::*;

    #[test]
    fn fee_check_names_each_mistake() {
        let fee = coin(5, "untrn");
        assert!(check_fee(None, &[]).is_ok());
        assert!(check_fee(Some(&fee), &[coin(5, "untrn")]).is_ok());
        let cases: [(Option<&Coin>, Vec<Coin>, &str); 6] = [
            (
                None,
                vec![coin(1, "u")],
                "unexpected funds attached: 1u (the fee is none)",
            ),
            (
                Some(&fee),
                vec![],
                "destination charges 5untrn but no funds were attached",
            ),
            (
                Some(&fee),
                vec![coin(5, "uatom")],
                "fee must be paid in untrn, got uatom",
            ),
            (
                Some(&fee),
                vec![coin(4, "untrn")],
                "fee is 5untrn, only 4untrn attached",
            ),
            (
                Some(&fee),
                vec![coin(6, "untrn")],
                "fee is 5untrn, but 6untrn attached",
            ),
            (
                Some(&fee),
                vec![coin(5, "untrn"), coin(1, "uatom")],
                "unexpected funds attached: 5untrn,1uatom (the fee is 5untrn)",
            ),
        ];
        for (fee, funds, message) in cases {
            assert_eq!(check_fee(fee, &funds).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn migrate_refuses_foreign_contracts_and_downgrades() {
        let mut deps = mock_dependencies();
        cw2::set_contract_version(&mut deps.storage, "crates.io:cw20-base", "9.9.9").unwrap();
        assert_eq!(
            migrate(deps.as_mut()).unwrap_err().to_string(),
            format!("cannot migrate from contract \"crates.io:cw20-base\": this code is {CONTRACT_NAME:?}")
        );
        cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "99.0.0").unwrap();
        assert_eq!(
            migrate(deps.as_mut()).unwrap_err().to_string(),
            format!("cannot migrate from version 99.0.0 to older version {CONTRACT_VERSION}")
        );
        // Before the current storage layout: its lanes would restart their nonces.
        cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.1.0").unwrap();
        assert_eq!(
            migrate(deps.as_mut()).unwrap_err().to_string(),
            "cannot migrate from version 0.1.0: the storage layout changed in 0.2.0, deploy a new outbox"
        );
        cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, LAYOUT_VERSION).unwrap();
        migrate(deps.as_mut()).unwrap();
        assert_eq!(
            cw2::get_contract_version(&deps.storage).unwrap().version,
            CONTRACT_VERSION
        );
    }

    /// Storage that records every read, write and removal, to pin down what a send costs.
    #[derive(Default)]
    struct CountingStorage {
        inner: MockStorage,
        reads: RefCell<usize>,
        writes: RefCell<Vec<(usize, usize)>>,
        removals: RefCell<usize>,
    }

    impl Storage for CountingStorage {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            *self.reads.borrow_mut() += 1;
            self.inner.get(key)
        }
        fn range<'a>(
            &'a self,
            start: Option<&[u8]>,
            end: Option<&[u8]>,
            order: Order,
        ) -> Box<dyn Iterator<Item = Record> + 'a> {
            self.inner.range(start, end, order)
        }
        fn set(&mut self, key: &[u8], value: &[u8]) {
            self.writes.borrow_mut().push((key.len(), value.len()));
            self.inner.set(key, value)
        }
        fn remove(&mut self, key: &[u8]) {
            *self.removals.borrow_mut() += 1;
            self.inner.remove(key)
        }
    }

    #[test]
    fn every_send_reads_at_most_three_entries_and_writes_two_small_ones() {
        let deps = mock_dependencies();
        let mut storage = CountingStorage::default();
        let owner = deps.api.addr_make("owner");
        let dapp = deps.api.addr_make("dapp");
        instantiate(
            DepsMut {
                storage: &mut storage,
                api: &deps.api,
                querier: cosmwasm_std::QuerierWrapper::new(&deps.querier),
            },
            mock_env(),
            message_info(&owner, &[]),
            InstantiateMsg {
                owner: None,
                chain_id: Some("chain-a".into()),
                destinations: Some(vec![DestinationConfig {
                    chain: "chain-b".into(),
                    enabled: true,
                    fee: None,
                    max_body_bytes: None,
                }]),
            },
        )
        .unwrap();
        for nonce in 0..1100u64 {
            storage.writes.borrow_mut().clear();
            *storage.reads.borrow_mut() = 0;
            let msg = SendMsg {
                destination_chain: "chain-b".into(),
                recipient: "cosmwasm1receiver".into(),
                body: Binary::from(vec![1; 100]),
                timeout_timestamp: None,
            };
            let deps_mut = DepsMut {
                storage: &mut storage,
                api: &deps.api,
                querier: cosmwasm_std::QuerierWrapper::new(&deps.querier),
            };
            send(deps_mut, mock_env(), message_info(&dapp, &[]), msg).unwrap();
            // Key sizes: 2-byte namespace length + 1-byte namespace, then the 2-byte lane
            // index (itself 2-byte length-prefixed when a nonce follows).
            let size = nonce + 1;
            let mut expected = vec![(3 + 2, 40 + 32 * (size & 15).count_ones() as usize)];
            // A carry into level 4 or above rewrites the high frontier: once per 16 sends.
            if nonce.trailing_ones() >= 4 {
                expected.push((3 + 2, 32 * (size >> 4).count_ones() as usize));
            }
            expected.push((3 + 2 + 2 + 8, 32));
            assert_eq!(*storage.writes.borrow(), expected, "send of nonce {nonce}");
            // Destination, lane, and the high frontier once there is one.
            let reads = if nonce >= 16 { 3 } else { 2 };
            assert_eq!(*storage.reads.borrow(), reads, "send of nonce {nonce}");
        }
        assert_eq!(*storage.removals.borrow(), 0);
    }
}
