//! The VM's view of the chain during one contract call: the address API, the contract's
//! prefixed storage and the querier — each metering gas the way wasmd's Go side does.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cosmwasm_std::{
    Addr, Binary, ContractResult, Empty, Order, QueryRequest, Record, SystemError, SystemResult,
};
use cosmwasm_vm::{BackendApi, BackendError, BackendResult, GasInfo, Querier, Storage};

use crate::address;
use crate::gas::{
    CONTRACT_STORE_PREFIX_LEN, GAS_COST_CANONICALIZE, GAS_COST_HUMANIZE, GAS_COST_VALIDATE,
    GAS_MULTIPLIER, KV_GAS,
};
use crate::runtime::{QueryFail, Runtime};

/// The address API, priced as wasmd prices it (x/wasm/keeper/api.go): a fixed SDK cost per
/// call, returned to the VM as VM gas (`cost`), so it is part of the call's VM gas.
#[derive(Clone)]
pub(crate) struct DevApi {
    prefix: Arc<str>,
    /// VM gas charged so far, to report the address API apart from Wasm execution.
    vm_gas: Arc<AtomicU64>,
}

impl DevApi {
    pub fn new(prefix: &str) -> Self {
        DevApi {
            prefix: Arc::from(prefix),
            vm_gas: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn vm_gas(&self) -> u64 {
        self.vm_gas.load(Ordering::Relaxed)
    }

    fn charge(&self, sdk_gas: u64) -> GasInfo {
        let vm_gas = sdk_gas * GAS_MULTIPLIER;
        self.vm_gas.fetch_add(vm_gas, Ordering::Relaxed);
        GasInfo::with_cost(vm_gas)
    }
}

impl BackendApi for DevApi {
    fn addr_validate(&self, input: &str) -> BackendResult<()> {
        let gas = self.charge(GAS_COST_VALIDATE);
        let result = address::decode(&self.prefix, input).and_then(|bytes| {
            let normalized = address::encode(&self.prefix, &bytes)?;
            if normalized == input {
                Ok(())
            } else {
                Err("address not normalized".to_string())
            }
        });
        (result.map_err(BackendError::user_err), gas)
    }

    fn addr_canonicalize(&self, human: &str) -> BackendResult<Vec<u8>> {
        let gas = self.charge(GAS_COST_CANONICALIZE);
        (
            address::decode(&self.prefix, human).map_err(BackendError::user_err),
            gas,
        )
    }

    fn addr_humanize(&self, canonical: &[u8]) -> BackendResult<String> {
        let gas = self.charge(GAS_COST_HUMANIZE);
        let result = address::verify_length(canonical)
            .and_then(|()| address::encode(&self.prefix, canonical));
        (result.map_err(BackendError::user_err), gas)
    }
}

/// One contract's storage: wasmd's prefix store (0x03 || contract address) over the SDK's
/// gas-metered KV store. Every operation charges [`KV_GAS`] on the current gas meter, with
/// the 33 prefix bytes counted in the key, and reports it to the VM as gas used externally.
pub(crate) struct DevStorage {
    rt: Arc<Runtime>,
    prefix: Vec<u8>,
    /// Iterators materialize their range when created; (records, position).
    iterators: Vec<(Vec<Record>, usize)>,
    gas: Cell<u64>,
}

impl DevStorage {
    pub fn new(rt: Arc<Runtime>, contract: &[u8]) -> Self {
        DevStorage {
            rt,
            prefix: contract_store_prefix(contract),
            iterators: Vec::new(),
            gas: Cell::new(0),
        }
    }

    /// The SDK gas this storage charged.
    pub fn gas(&self) -> u64 {
        self.gas.get()
    }

    fn full_key(&self, key: &[u8]) -> Vec<u8> {
        let mut full = self.prefix.clone();
        full.extend_from_slice(key);
        full
    }

    /// Charges `cost` on the current meter; past its limit the SDK panics out of gas, which
    /// wasmvm turns into `BackendError::OutOfGas`.
    fn charge<T>(&self, cost: u64, value: T) -> BackendResult<T> {
        self.gas.set(self.gas.get() + cost);
        let within_limit = self.rt.consume_unchecked(cost);
        let info = GasInfo::with_externally_used(cost.saturating_mul(GAS_MULTIPLIER));
        if within_limit {
            (Ok(value), info)
        } else {
            (Err(BackendError::out_of_gas()), info)
        }
    }
}

pub(crate) fn contract_store_prefix(contract: &[u8]) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(1 + contract.len());
    prefix.push(0x03);
    prefix.extend_from_slice(contract);
    debug_assert_eq!(prefix.len() as u64, CONTRACT_STORE_PREFIX_LEN);
    prefix
}

impl Storage for DevStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let full = self.full_key(key);
        let value = self.rt.kv_get(&full);
        let cost = KV_GAS.read(full.len(), value.as_ref().map_or(0, Vec::len));
        self.charge(cost, value)
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        let start = start.map(|s| self.full_key(s));
        let end = match end {
            Some(e) => Some(self.full_key(e)),
            // The end of this contract's prefix: the prefix with its last byte incremented
            // (contract addresses never end in 0xff in practice; handle it anyway).
            None => prefix_end(&self.prefix),
        };
        let lower = start.unwrap_or_else(|| self.prefix.clone());
        let records = self.rt.kv_range(Some(&lower), end.as_deref(), order);
        let first = records.first().map(|(k, v)| (k.len(), v.len()));
        let records = records
            .into_iter()
            .map(|(k, v)| (k[self.prefix.len()..].to_vec(), v))
            .collect();
        let id = u32::try_from(self.iterators.len()).unwrap_or(u32::MAX);
        self.iterators.push((records, 0));
        self.charge(KV_GAS.seek(first), id)
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let prefix_len = self.prefix.len();
        let Some((records, position)) = self.iterators.get_mut(iterator_id as usize) else {
            return (
                Err(BackendError::iterator_does_not_exist(iterator_id)),
                GasInfo::free(),
            );
        };
        let Some(record) = records.get(*position).cloned() else {
            // wasmvm returns the end of a range without touching the store.
            return (Ok(None), GasInfo::free());
        };
        *position += 1;
        let cost = KV_GAS.seek(Some((prefix_len + record.0.len(), record.1.len())));
        self.charge(cost, Some(record))
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        let full = self.full_key(key);
        let cost = KV_GAS.write(full.len(), value.len());
        self.rt.kv_set(&full, value);
        self.charge(cost, ())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        let full = self.full_key(key);
        self.rt.kv_remove(&full);
        self.charge(KV_GAS.delete_cost, ())
    }
}

fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Answers the contract's queries like wasmd's `QueryHandler`: each query runs on a gas
/// meter of its own, limited to the gas the VM has left, and everything it used is charged
/// to the caller and reported to the VM as gas used externally.
pub(crate) struct DevQuerier {
    rt: Arc<Runtime>,
    caller: Addr,
    depth: u32,
    gas: Cell<u64>,
}

impl DevQuerier {
    pub fn new(rt: Arc<Runtime>, caller: Addr, depth: u32) -> Self {
        DevQuerier {
            rt,
            caller,
            depth,
            gas: Cell::new(0),
        }
    }

    /// The SDK gas of every query this contract call made.
    pub fn gas(&self) -> u64 {
        self.gas.get()
    }
}

impl Querier for DevQuerier {
    fn query_raw(
        &self,
        request: &[u8],
        gas_limit: u64,
    ) -> BackendResult<SystemResult<ContractResult<Binary>>> {
        let request: QueryRequest<Empty> = match serde_json::from_slice(request) {
            Ok(r) => r,
            Err(e) => {
                return (
                    Ok(SystemResult::Err(SystemError::InvalidRequest {
                        error: e.to_string(),
                        request: Binary::from(request),
                    })),
                    GasInfo::free(),
                )
            }
        };
        let (answer, spent) = self.rt.query_from_contract(
            &self.caller,
            request,
            gas_limit / GAS_MULTIPLIER,
            self.depth,
        );
        self.gas.set(self.gas.get() + spent);
        let info = GasInfo::with_externally_used(spent.saturating_mul(GAS_MULTIPLIER));
        let result = match answer {
            Ok(value) => Ok(SystemResult::Ok(ContractResult::Ok(value))),
            Err(QueryFail::System(e)) => Ok(SystemResult::Err(e)),
            Err(QueryFail::Contract(e)) => Ok(SystemResult::Ok(ContractResult::Err(e))),
            Err(QueryFail::OutOfGas) => Err(BackendError::out_of_gas()),
        };
        (result, info)
    }
}
