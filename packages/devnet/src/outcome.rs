//! What a transaction returns.

use cosmwasm_std::{Addr, Binary, Event};

use crate::gas::GasReport;

/// The entry point a contract call ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryPoint {
    Instantiate,
    Execute,
    Migrate,
    Sudo,
    Reply,
    Query,
}

/// The gas of one contract call within a transaction (or a query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallGas {
    pub contract: Addr,
    pub entry_point: EntryPoint,
    /// 0 for the transaction's own message, 1 for its sub-messages, and so on; a query
    /// counts one level below its caller.
    pub depth: u32,
    /// The call is a query made by another contract: its gas is also in that caller's
    /// `queries`, so sums over a transaction leave it out.
    pub in_query: bool,
    /// The contract returned success (its state may still be rolled back by a caller).
    pub succeeded: bool,
    pub gas: GasReport,
}

/// A successful transaction: what a client of the chain gets back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxOutcome {
    /// The events of the message, in the order the chain emits them: bank events for funds,
    /// `instantiate`/`execute`/`migrate`/`sudo`/`reply` with `_contract_address`, `wasm`
    /// with the contract's attributes, `wasm-<type>` for custom events, and the events of
    /// successful sub-messages where they ran. (The ante handler's `tx` events and the
    /// SDK's `message` event are not included.)
    pub events: Vec<Event>,
    /// The message's result data: the contract's `data`, unless a `reply` returned data,
    /// which replaces it (the last one that did).
    pub data: Option<Binary>,
    /// Everything the transaction's gas meter consumed. Equal to `gas.total`, except when a
    /// gas-limited sub-message ran out: wasmd then charges its whole limit.
    pub gas_used: u64,
    /// The sum of every contract call of the transaction, part by part (calls made as
    /// queries are counted once, in their caller's `queries`).
    pub gas: GasReport,
    /// Every contract call, in the order they started.
    pub calls: Vec<CallGas>,
}

impl TxOutcome {
    /// The events of type `ty`.
    pub fn events_of(&self, ty: &str) -> Vec<&Event> {
        self.events.iter().filter(|e| e.ty == ty).collect()
    }

    /// The value of the first attribute `key` in the first event of type `ty` that has it.
    pub fn attribute(&self, ty: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| e.ty == ty)
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }

    /// The gas of one contract's own calls (not those of contracts it called), summed.
    pub fn gas_of(&self, contract: &Addr) -> GasReport {
        sum(self
            .calls
            .iter()
            .filter(|c| !c.in_query && c.contract == *contract))
    }
}

pub(crate) fn sum<'a>(calls: impl Iterator<Item = &'a CallGas>) -> GasReport {
    let mut total = GasReport::default();
    for call in calls {
        total.add(&call.gas);
    }
    total
}
