//! The message engine: what wasmd's keeper and message dispatcher do around each contract
//! call — setup cost, funds, the VM call, events, sub-messages and replies, queries — with
//! the chain's state branched per sub-message and per transaction.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use cosmwasm_std::{
    from_json, instantiate2_address, to_json_vec, Addr, Attribute, BankMsg, BankQuery, Binary,
    BlockInfo, CanonicalAddr, Checksum, Coin, ContractInfo, ContractResult, CosmosMsg, Empty, Env,
    Event, MessageInfo, MsgResponse, Order, QueryRequest, Record, Reply, ReplyOn, Response, SubMsg,
    SubMsgResponse, SubMsgResult, SystemError, Timestamp, TransactionInfo, Uint256, WasmMsg,
    WasmQuery,
};
use cosmwasm_vm::{
    call_execute_raw, call_instantiate_raw, call_migrate_with_info_raw, call_query_raw,
    call_reply_raw, call_sudo_raw, Backend, Instance, InstanceOptions, VmError, VmResult,
};
use serde::{Deserialize, Serialize};

use crate::address;
use crate::backend::{contract_store_prefix, DevApi, DevQuerier, DevStorage};
use crate::cache::SharedCache;
use crate::error::*;
use crate::gas::*;
use crate::outcome::{CallGas, EntryPoint};
use crate::store::LayeredStore;

pub(crate) type VmInstance = Instance<DevApi, DevStorage, DevQuerier>;

/// wasmd's `DefaultMaxQueryStackSize` (x/wasm/types/params.go): nested contract queries.
const MAX_QUERY_STACK: u32 = 10;

// Key spaces of the chain's one store, after the SDK's: wasmd's contract info (0x02),
// contract storage (0x03) and instance sequence (0x04); the bank's balances.
const CONTRACT_INFO: u8 = 0x02;
const SEQUENCE_INSTANCE: &[u8] = b"\x04instance";
const BALANCES: u8 = 0x10;

#[derive(Clone, Debug)]
pub(crate) struct CodeRecord {
    pub checksum: Checksum,
    pub creator: Addr,
    pub pinned: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ContractRecord {
    pub code_id: u64,
    pub creator: Addr,
    pub admin: Option<Addr>,
    pub label: String,
    /// The block height it was instantiated at (part of wasmd's stored record).
    #[serde(default)]
    pub created: u64,
}

#[derive(Clone, Copy, Debug)]
struct Meter {
    limit: u64,
    consumed: u64,
}

pub(crate) struct State {
    pub height: u64,
    pub time: Timestamp,
    /// The next transaction's position in the block.
    pub tx_index: u32,
    pub kv: LayeredStore,
    pub codes: Vec<CodeRecord>,
    meters: Vec<Meter>,
    /// The running transaction, if any: `TransactionInfo` for `env.transaction` and the
    /// code checksums it has loaded (wasmd's `TxContracts`, for the instance discount).
    transaction: Option<TransactionInfo>,
    seen: Option<HashSet<Checksum>>,
    calls: Vec<CallGas>,
}

pub(crate) struct Runtime {
    pub chain_id: String,
    pub prefix: String,
    pub cache: Arc<SharedCache>,
    pub state: Mutex<State>,
}

/// Why a query failed, in the shapes wasmvm hands back to the querying contract.
pub(crate) enum QueryFail {
    System(SystemError),
    Contract(String),
    OutOfGas,
}

/// A message's result as a sub-message reply sees it.
struct Dispatched {
    data: Option<Binary>,
    msg_responses: Vec<MsgResponse>,
}

struct Invocation<'a> {
    contract: &'a Addr,
    contract_bytes: &'a [u8],
    checksum: Checksum,
    entry: EntryPoint,
    instance: u64,
    keeper: u64,
    reply_input: u64,
    depth: u32,
    in_query: bool,
}

impl State {
    pub fn new(height: u64, time: Timestamp) -> Self {
        State {
            height,
            time,
            tx_index: 0,
            kv: LayeredStore::default(),
            codes: Vec::new(),
            meters: Vec::new(),
            transaction: None,
            seen: None,
            calls: Vec::new(),
        }
    }
}

impl Runtime {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- gas meters --------------------------------------------------------------------

    /// Starts a context: a transaction (with `TransactionInfo` and the instance discount) or
    /// a query from outside (neither). Returns the previous context's calls.
    pub fn begin(&self, gas_limit: u64, transaction: Option<TransactionInfo>) {
        let mut s = self.lock();
        s.meters = vec![Meter {
            limit: gas_limit,
            consumed: 0,
        }];
        s.seen = transaction.as_ref().map(|_| HashSet::new());
        s.transaction = transaction;
        s.calls.clear();
    }

    /// Ends the context: the gas it consumed and its calls.
    pub fn end(&self) -> (u64, Vec<CallGas>) {
        let mut s = self.lock();
        let consumed = s.meters.first().map_or(0, |m| m.consumed);
        s.meters.clear();
        s.transaction = None;
        s.seen = None;
        (consumed, std::mem::take(&mut s.calls))
    }

    fn remaining(&self) -> u64 {
        let s = self.lock();
        s.meters
            .last()
            .map_or(0, |m| m.limit.saturating_sub(m.consumed))
    }

    fn consumed(&self) -> u64 {
        self.lock().meters.last().map_or(0, |m| m.consumed)
    }

    /// Adds `gas` to the current meter; false when that takes it past its limit (where the
    /// SDK's `ConsumeGas` panics out of gas).
    pub fn consume_unchecked(&self, gas: u64) -> bool {
        let mut s = self.lock();
        match s.meters.last_mut() {
            Some(m) => {
                m.consumed = m.consumed.saturating_add(gas);
                m.consumed <= m.limit
            }
            None => true,
        }
    }

    fn consume(&self, gas: u64) -> Result<(), Failure> {
        if self.consume_unchecked(gas) {
            Ok(())
        } else {
            Err(Failure::OutOfGas)
        }
    }

    /// wasmd's `IsOutOfGas` after `consumeRuntimeGas`: reaching the limit exactly counts.
    fn exhausted(&self) -> bool {
        self.lock()
            .meters
            .last()
            .is_some_and(|m| m.consumed >= m.limit)
    }

    fn push_meter(&self, limit: u64) {
        self.lock().meters.push(Meter { limit, consumed: 0 });
    }

    fn pop_meter(&self) -> u64 {
        self.lock().meters.pop().map_or(0, |m| m.consumed)
    }

    // ---- state -------------------------------------------------------------------------

    pub fn kv_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.lock().kv.get(key)
    }

    pub fn kv_set(&self, key: &[u8], value: &[u8]) {
        self.lock().kv.set(key, value)
    }

    pub fn kv_remove(&self, key: &[u8]) {
        self.lock().kv.remove(key)
    }

    pub fn kv_range(&self, start: Option<&[u8]>, end: Option<&[u8]>, order: Order) -> Vec<Record> {
        self.lock().kv.range(start, end, order)
    }

    pub fn branch(&self) {
        self.lock().kv.push();
    }

    pub fn commit(&self) {
        self.lock().kv.commit();
    }

    pub fn discard(&self) {
        self.lock().kv.discard();
    }

    pub fn addr(&self, bytes: &[u8]) -> Addr {
        Addr::unchecked(address::encode(&self.prefix, bytes).expect("a valid prefix"))
    }

    /// Parses an address as the SDK's `AccAddressFromBech32` does.
    pub fn canonical(&self, address: &str) -> Result<Vec<u8>, String> {
        address::decode(&self.prefix, address)
    }

    fn canonical_or_reject(&self, address: &str) -> Result<Vec<u8>, Failure> {
        self.canonical(address).map_err(|e| {
            Failure::rejected(
                format!("{address}: {e}: invalid address"),
                SDK_INVALID_ADDRESS,
            )
        })
    }

    pub fn contract_record(&self, contract_bytes: &[u8]) -> Option<ContractRecord> {
        let key = [&[CONTRACT_INFO][..], contract_bytes].concat();
        self.kv_get(&key).and_then(|v| from_json(&v).ok())
    }

    fn save_contract_record(&self, contract_bytes: &[u8], record: &ContractRecord) {
        let key = [&[CONTRACT_INFO][..], contract_bytes].concat();
        let value = to_json_vec(record).expect("a contract record serializes");
        self.kv_set(&key, &value);
    }

    fn known_contract(&self, contract: &Addr) -> Result<(Vec<u8>, ContractRecord), Failure> {
        let bytes = self.canonical_or_reject(contract.as_str())?;
        match self.contract_record(&bytes) {
            Some(record) => Ok((bytes, record)),
            None => Err(Failure::rejected(
                format!("address {contract}: no such contract"),
                NO_SUCH_CONTRACT,
            )),
        }
    }

    pub fn code(&self, code_id: u64) -> Option<CodeRecord> {
        let index = usize::try_from(code_id.checked_sub(1)?).ok()?;
        self.lock().codes.get(index).cloned()
    }

    fn known_code(&self, code_id: u64) -> Result<CodeRecord, Failure> {
        self.code(code_id).ok_or_else(|| {
            Failure::rejected(format!("code id {code_id}: no such code"), NO_SUCH_CODE)
        })
    }

    fn next_instance_id(&self) -> u64 {
        let id = self
            .kv_get(SEQUENCE_INSTANCE)
            .and_then(|v| <[u8; 8]>::try_from(v).ok())
            .map_or(1, u64::from_be_bytes);
        self.kv_set(SEQUENCE_INSTANCE, &(id + 1).to_be_bytes());
        id
    }

    fn balance_key(account: &[u8], denom: &str) -> Vec<u8> {
        let mut key = vec![BALANCES, u8::try_from(account.len()).unwrap_or(u8::MAX)];
        key.extend_from_slice(account);
        key.extend_from_slice(denom.as_bytes());
        key
    }

    pub fn balance(&self, account: &[u8], denom: &str) -> Uint256 {
        self.kv_get(&Self::balance_key(account, denom))
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or_default()
    }

    pub fn balances(&self, account: &[u8]) -> Vec<Coin> {
        let prefix = Self::balance_key(account, "");
        let mut end = prefix.clone();
        end.push(0xff);
        self.kv_range(Some(&prefix), Some(&end), Order::Ascending)
            .into_iter()
            .filter_map(|(k, v)| {
                let denom = String::from_utf8(k[prefix.len()..].to_vec()).ok()?;
                let amount: Uint256 = String::from_utf8(v).ok()?.parse().ok()?;
                Some(Coin { denom, amount })
            })
            .collect()
    }

    pub fn set_balance(&self, account: &[u8], denom: &str, amount: Uint256) {
        let key = Self::balance_key(account, denom);
        if amount.is_zero() {
            self.kv_remove(&key);
        } else {
            self.kv_set(&key, amount.to_string().as_bytes());
        }
    }

    /// The bank's `SendCoins`: moves `coins` and emits `coin_spent`, `coin_received` and
    /// `transfer` (the `message` event it also emits is filtered out by wasmd).
    fn transfer(
        &self,
        from: &Addr,
        to: &Addr,
        coins: &[Coin],
        events: &mut Vec<Event>,
    ) -> Result<(), Failure> {
        let coins = normalize_coins(coins)?;
        if coins.is_empty() {
            return Ok(());
        }
        let from_bytes = self.canonical_or_reject(from.as_str())?;
        let to_bytes = self.canonical_or_reject(to.as_str())?;
        for coin in &coins {
            let balance = self.balance(&from_bytes, &coin.denom);
            if balance < coin.amount {
                return Err(Failure::rejected(
                    format!(
                        "spendable balance {balance}{} is smaller than {}: insufficient funds",
                        coin.denom, coin
                    ),
                    SDK_INSUFFICIENT_FUNDS,
                ));
            }
        }
        for coin in &coins {
            let from_balance = self.balance(&from_bytes, &coin.denom);
            self.set_balance(&from_bytes, &coin.denom, from_balance - coin.amount);
            let to_balance = self.balance(&to_bytes, &coin.denom);
            self.set_balance(&to_bytes, &coin.denom, to_balance + coin.amount);
        }
        let amount = coins_string(&coins);
        events.push(
            Event::new("coin_spent")
                .add_attribute("spender", from)
                .add_attribute("amount", &amount),
        );
        events.push(
            Event::new("coin_received")
                .add_attribute("receiver", to)
                .add_attribute("amount", &amount),
        );
        events.push(
            Event::new("transfer")
                .add_attribute("recipient", to)
                .add_attribute("sender", from)
                .add_attribute("amount", &amount),
        );
        Ok(())
    }

    fn env(&self, contract: &Addr) -> Env {
        let s = self.lock();
        Env {
            block: BlockInfo {
                height: s.height,
                time: s.time,
                chain_id: self.chain_id.clone(),
            },
            transaction: s.transaction.clone(),
            contract: ContractInfo {
                address: contract.clone(),
            },
        }
    }

    /// wasmd's `checkDiscountEligibility`: pinned code, or code this transaction already ran.
    fn discounted(&self, code: &CodeRecord) -> bool {
        if code.pinned {
            return true;
        }
        let mut s = self.lock();
        match s.seen.as_mut() {
            Some(seen) => !seen.insert(code.checksum),
            None => false,
        }
    }

    fn setup_cost(&self, code: &CodeRecord, msg_len: usize) -> u64 {
        let instance = if self.discounted(code) {
            INSTANCE_COST_DISCOUNT
        } else {
            INSTANCE_COST
        };
        instance + CONTRACT_MESSAGE_DATA_COST * msg_len as u64
    }

    /// wasmd's `contractInstance` reads for `contract` (see [`contract_instance_reads`]).
    fn contract_reads(&self, contract: &Addr, record: &ContractRecord, code: &CodeRecord) -> u64 {
        // `wasm2` and the address without its prefix.
        let ibc2_port_id_len = 5 + contract.as_str().len().saturating_sub(self.prefix.len());
        contract_instance_reads(
            contract_info_len(
                record.code_id,
                record.creator.as_str(),
                record.admin.as_ref().map(Addr::as_str),
                &record.label,
                record.created,
                ibc2_port_id_len,
            ),
            code_info_len(code.creator.as_str()),
        )
    }

    fn update_call(&self, index: usize, update: impl FnOnce(&mut CallGas)) {
        let mut s = self.lock();
        if let Some(call) = s.calls.get_mut(index) {
            update(call);
            call.gas.recompute_total();
        }
    }

    // ---- the VM call ---------------------------------------------------------------------

    /// Runs one entry point in the VM with the gas the current meter has left, then charges
    /// its VM gas as wasmd's `consumeRuntimeGas` does and records the call's gas.
    fn invoke(
        self: &Arc<Self>,
        inv: Invocation<'_>,
        run: impl FnOnce(&mut VmInstance) -> VmResult<Vec<u8>>,
    ) -> Result<(Vec<u8>, usize), Failure> {
        let vm_limit = self.remaining().saturating_mul(GAS_MULTIPLIER);
        // The record goes in when the call starts, so calls list in the order they began
        // (a query the contract makes comes after it).
        let index = {
            let mut s = self.lock();
            s.calls.push(CallGas {
                contract: inv.contract.clone(),
                entry_point: inv.entry,
                depth: inv.depth,
                in_query: inv.in_query,
                succeeded: false,
                gas: GasReport::default(),
            });
            s.calls.len() - 1
        };
        let backend = Backend {
            api: DevApi::new(&self.prefix),
            storage: DevStorage::new(Arc::clone(self), inv.contract_bytes),
            querier: DevQuerier::new(Arc::clone(self), inv.contract.clone(), inv.depth),
        };
        let mut instance = self
            .cache
            .vm
            .get_instance(
                &inv.checksum,
                backend,
                InstanceOptions {
                    gas_limit: vm_limit,
                },
            )
            .map_err(|e| {
                self.update_call(index, |call| {
                    call.gas.instance = inv.instance;
                    call.gas.keeper = inv.keeper;
                    call.gas.reply_input = inv.reply_input;
                });
                Failure::vm(inv.contract, e.to_string())
            })?;
        let result = run(&mut instance);
        let report = instance.create_gas_report();
        let (api_vm, storage, queries) = match instance.recycle() {
            Some(backend) => (
                backend.api.vm_gas(),
                backend.storage.gas(),
                backend.querier.gas(),
            ),
            None => (0, 0, 0),
        };
        let wasm_vm_gas = report.used_internally.saturating_sub(api_vm);
        // wasmvm charges deserializing the result before handing it over, and refuses if
        // the gas left cannot pay for it.
        let (result, deserialization) = match result {
            Ok(raw) => {
                let bytes = raw.len() as u64;
                let deser_vm = bytes * DESERIALIZATION_COST_PER_BYTE * GAS_MULTIPLIER;
                if vm_limit < deser_vm.saturating_add(report.used_internally) {
                    (
                        Err(Failure::vm(
                            inv.contract,
                            format!(
                                "insufficient gas left to deserialize contract execution result ({bytes} bytes)"
                            ),
                        )),
                        0,
                    )
                } else {
                    (Ok(raw), bytes * DESERIALIZATION_COST_PER_BYTE)
                }
            }
            Err(VmError::GasDepletion { .. }) => (Err(Failure::OutOfGas), 0),
            Err(e) => (Err(Failure::vm(inv.contract, e.to_string())), 0),
        };
        let mut gas = GasReport {
            instance: inv.instance,
            keeper: inv.keeper,
            wasm: wasm_vm_gas / GAS_MULTIPLIER,
            wasm_vm_gas,
            address_api: api_vm / GAS_MULTIPLIER,
            deserialization,
            storage,
            queries,
            events: 0,
            reply_input: inv.reply_input,
            total: 0,
        };
        gas.recompute_total();
        // Storage and queries were charged as they happened; the rest is charged now.
        self.consume_unchecked(gas.wasm + gas.address_api + gas.deserialization);
        self.update_call(index, |call| call.gas = gas);
        if self.exhausted() {
            return Err(Failure::OutOfGas);
        }
        result.map(|raw| (raw, index))
    }

    /// Parses a mutating entry point's result; a contract error becomes wasmd's
    /// deterministic, wrapped error.
    fn parse_response(
        &self,
        raw: &[u8],
        contract: &Addr,
        index: usize,
        (wrapper, code): (&str, u32),
    ) -> Result<Response, Failure> {
        let result: ContractResult<Response> = from_json(raw).map_err(|e| {
            Failure::vm(
                contract,
                format!("cannot parse the contract's response: {e}"),
            )
        })?;
        match result {
            ContractResult::Ok(response) => {
                self.update_call(index, |c| c.succeeded = true);
                Ok(response)
            }
            ContractResult::Err(error) => Err(Failure::contract(contract, error, wrapper, code)),
        }
    }

    /// wasmd's `handleContractResponse`: charge and emit the events, dispatch the
    /// sub-messages, and return the data — a reply's data replaces the contract's.
    fn handle_response(
        self: &Arc<Self>,
        contract: &Addr,
        response: Response,
        index: usize,
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Failure> {
        let cost = event_costs(&response.attributes, &response.events);
        self.update_call(index, |c| c.gas.events = cost);
        self.consume(cost)?;
        if !response.attributes.is_empty() {
            events.push(wasm_event(contract, "wasm", &response.attributes)?);
        }
        for event in &response.events {
            let ty = event.ty.trim();
            // wasmd's `eventTypeMinLength` check (x/wasm/keeper/events.go).
            if ty.len() <= 2 {
                return Err(Failure::rejected(
                    format!("Event type too short: '{ty}': invalid event"),
                    WASM_INVALID_EVENT,
                ));
            }
            events.push(wasm_event(
                contract,
                &format!("wasm-{ty}"),
                &event.attributes,
            )?);
        }
        let replied = self.dispatch_submessages(contract, response.messages, depth, events)?;
        Ok(replied.or(response.data))
    }

    /// wasmd's `DispatchSubmessages`: each message runs in a branch of the state, with an
    /// optional gas limit; the branch is kept only on success; `reply_on` decides whether the
    /// caller's `reply` runs or the error aborts the caller.
    fn dispatch_submessages(
        self: &Arc<Self>,
        contract: &Addr,
        messages: Vec<SubMsg>,
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Failure> {
        let mut replied = None;
        for msg in messages {
            self.branch();
            let mut sub_events = Vec::new();
            let before = self.consumed();
            let limit = msg.gas_limit.filter(|&limit| limit < self.remaining());
            let result = match limit {
                Some(limit) => {
                    self.push_meter(limit);
                    let result = self.dispatch(contract, &msg.msg, depth + 1, &mut sub_events);
                    let spent = self.pop_meter();
                    match result {
                        // The SDK's out-of-gas panic stops at the limited meter: the parent
                        // pays the whole limit and the sub-message fails like any other.
                        Err(Failure::OutOfGas) => {
                            self.consume_unchecked(limit);
                            Err(Failure::rejected(
                                "SubMsg hit gas limit: out of gas",
                                SDK_OUT_OF_GAS,
                            ))
                        }
                        other => {
                            self.consume_unchecked(spent);
                            other
                        }
                    }
                }
                None => self.dispatch(contract, &msg.msg, depth + 1, &mut sub_events),
            };
            if matches!(result, Err(Failure::OutOfGas))
                || self
                    .lock()
                    .meters
                    .last()
                    .is_some_and(|m| m.consumed > m.limit)
            {
                self.discard();
                return Err(Failure::OutOfGas);
            }
            let gas_used = self.consumed().saturating_sub(before);
            let emitted: Vec<Event> = match &result {
                Ok(_) => {
                    self.commit();
                    let kept: Vec<Event> = sub_events
                        .into_iter()
                        .filter(|e| e.ty != "message")
                        .collect();
                    events.extend(kept.iter().cloned());
                    kept
                }
                Err(_) => {
                    self.discard();
                    Vec::new()
                }
            };
            let result = match (msg.reply_on, result) {
                (ReplyOn::Never | ReplyOn::Success, Err(failure)) => return Err(failure),
                (ReplyOn::Never | ReplyOn::Error, Ok(_)) => continue,
                (_, Ok(dispatched)) => {
                    // Replies see the events of wasm messages only, attributes sorted by key.
                    let events = if matches!(msg.msg, CosmosMsg::Wasm(_)) {
                        emitted.into_iter().map(sort_attributes).collect()
                    } else {
                        Vec::new()
                    };
                    #[allow(deprecated)]
                    SubMsgResult::Ok(SubMsgResponse {
                        events,
                        data: dispatched.data,
                        msg_responses: dispatched.msg_responses,
                    })
                }
                (_, Err(Failure::Failed(failed))) => SubMsgResult::Err(failed.for_reply()),
                (_, Err(Failure::OutOfGas)) => unreachable!("out of gas returned above"),
            };
            let reply = Reply {
                id: msg.id,
                payload: msg.payload,
                gas_used,
                result,
            };
            match self.reply(contract, reply, depth, events) {
                Err(failure) => return Err(failure.wrap("reply")),
                Ok(Some(data)) => replied = Some(data),
                Ok(None) => {}
            }
        }
        Ok(replied)
    }

    /// Routes one message a contract returned, as wasmd's message handler does.
    fn dispatch(
        self: &Arc<Self>,
        sender: &Addr,
        msg: &CosmosMsg,
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<Dispatched, Failure> {
        match msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                self.canonical_or_reject(to_address)?;
                self.transfer(sender, &Addr::unchecked(to_address), amount, events)?;
                Ok(Dispatched {
                    data: None,
                    msg_responses: vec![msg_response(
                        "/cosmos.bank.v1beta1.MsgSendResponse",
                        Vec::new(),
                    )],
                })
            }
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            }) => {
                let data = self.execute(
                    sender,
                    &Addr::unchecked(contract_addr),
                    msg,
                    funds,
                    depth,
                    events,
                )?;
                let value = proto_bytes(1, data.as_deref().unwrap_or_default());
                Ok(wasm_dispatched(
                    "/cosmwasm.wasm.v1.MsgExecuteContractResponse",
                    value,
                ))
            }
            CosmosMsg::Wasm(WasmMsg::Instantiate {
                admin,
                code_id,
                msg,
                funds,
                label,
            }) => {
                let admin = self.optional_addr(admin.as_deref())?;
                let (address, data) = self.instantiate(
                    *code_id, sender, admin, msg, funds, label, None, depth, events,
                )?;
                let mut value = proto_bytes(1, address.as_bytes());
                value.extend(proto_bytes(2, data.as_deref().unwrap_or_default()));
                Ok(wasm_dispatched(
                    "/cosmwasm.wasm.v1.MsgInstantiateContractResponse",
                    value,
                ))
            }
            CosmosMsg::Wasm(WasmMsg::Instantiate2 {
                admin,
                code_id,
                label,
                msg,
                funds,
                salt,
            }) => {
                let admin = self.optional_addr(admin.as_deref())?;
                let (address, data) = self.instantiate(
                    *code_id,
                    sender,
                    admin,
                    msg,
                    funds,
                    label,
                    Some(salt),
                    depth,
                    events,
                )?;
                let mut value = proto_bytes(1, address.as_bytes());
                value.extend(proto_bytes(2, data.as_deref().unwrap_or_default()));
                Ok(wasm_dispatched(
                    "/cosmwasm.wasm.v1.MsgInstantiateContract2Response",
                    value,
                ))
            }
            CosmosMsg::Wasm(WasmMsg::Migrate {
                contract_addr,
                new_code_id,
                msg,
            }) => {
                let data = self.migrate(
                    sender,
                    &Addr::unchecked(contract_addr),
                    *new_code_id,
                    msg,
                    depth,
                    events,
                )?;
                let value = proto_bytes(1, data.as_deref().unwrap_or_default());
                Ok(wasm_dispatched(
                    "/cosmwasm.wasm.v1.MsgMigrateContractResponse",
                    value,
                ))
            }
            CosmosMsg::Wasm(WasmMsg::UpdateAdmin {
                contract_addr,
                admin,
            }) => {
                let admin = self.optional_addr(Some(admin))?;
                self.set_admin(sender, &Addr::unchecked(contract_addr), admin, events)?;
                Ok(wasm_dispatched(
                    "/cosmwasm.wasm.v1.MsgUpdateAdminResponse",
                    Vec::new(),
                ))
            }
            CosmosMsg::Wasm(WasmMsg::ClearAdmin { contract_addr }) => {
                self.set_admin(sender, &Addr::unchecked(contract_addr), None, events)?;
                Ok(wasm_dispatched(
                    "/cosmwasm.wasm.v1.MsgClearAdminResponse",
                    Vec::new(),
                ))
            }
            other => Err(Failure::rejected(
                format!("{other:?}: unknown message from the contract"),
                WASM_UNKNOWN_MSG,
            )),
        }
    }

    fn optional_addr(&self, address: Option<&str>) -> Result<Option<Addr>, Failure> {
        address
            .map(|a| self.canonical_or_reject(a).map(|_| Addr::unchecked(a)))
            .transpose()
    }

    // ---- entry points ------------------------------------------------------------------

    /// wasmd's `instantiate`: a new address (classic: code id and the instance sequence;
    /// with a salt: `instantiate2`), funds, the VM call, then the contract is stored.
    #[allow(clippy::too_many_arguments)]
    pub fn instantiate(
        self: &Arc<Self>,
        code_id: u64,
        sender: &Addr,
        admin: Option<Addr>,
        msg: &[u8],
        funds: &[Coin],
        label: &str,
        salt: Option<&Binary>,
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<(Addr, Option<Binary>), Failure> {
        let code = self.known_code(code_id)?;
        // The router's check, `GetCodeInfo` and `IsPinnedCode` come before the setup cost.
        let keeper = ROUTER_CIRCUIT_CHECK
            + KV_GAS.read(CODE_INFO_KEY_LEN, code_info_len(code.creator.as_str()))
            + PINNED_CHECK;
        let setup = self.setup_cost(&code, msg.len());
        self.consume(keeper + setup)?;
        if label.trim().is_empty() {
            return Err(Failure::rejected("label is required: empty", WASM_EMPTY));
        }
        let sender_bytes = self.canonical_or_reject(sender.as_str())?;
        let first_instance = self.kv_get(SEQUENCE_INSTANCE).is_none();
        let creator_len = sender_bytes.len();
        let contract_bytes = match salt {
            None => address::classic_contract_bytes(code_id, self.next_instance_id()),
            Some(salt) => instantiate2_address(
                code.checksum.as_slice(),
                &CanonicalAddr::from(sender_bytes),
                salt,
            )
            .map_err(|e| Failure::rejected(format!("{e}: invalid"), WASM_INVALID))?
            .to_vec(),
        };
        let contract = self.addr(&contract_bytes);
        let created = self.lock().height;
        // `wasm2` and the address without its prefix, as in `contract_reads`.
        let ibc2_port_id_len = 5 + contract.as_str().len().saturating_sub(self.prefix.len());
        let new_contract = NewContract {
            classic: salt.is_none(),
            first_instance,
            code_id,
            creator_len,
            address_bech32_len: contract.as_str().len(),
            account_number: MODEL_CONTRACT_ACCOUNT_NUMBER,
            contract_info_len: contract_info_len(
                code_id,
                sender.as_str(),
                admin.as_ref().map(Addr::as_str),
                label,
                created,
                ibc2_port_id_len,
            ),
            created_height: created,
            msg_len: msg.len(),
        };
        self.consume(new_contract.address())?;
        if self.contract_record(&contract_bytes).is_some() {
            return Err(Failure::rejected(
                "contract address already exists, try a different combination of creator, checksum and salt: duplicate",
                WASM_DUPLICATE,
            ));
        }
        // wasmd creates the contract's account here (the devnet keeps no accounts: it
        // assumes none exists at the address, as for any new classic address).
        self.consume(new_contract.account())?;
        let keeper = keeper + new_contract.before_call();
        self.transfer(sender, &contract, funds, events)?;
        let env = to_json_vec(&self.env(&contract)).map_err(json_failure)?;
        let info = to_json_vec(&MessageInfo {
            sender: sender.clone(),
            funds: normalize_coins(funds)?,
        })
        .map_err(json_failure)?;
        let (raw, index) = self.invoke(
            Invocation {
                contract: &contract,
                contract_bytes: &contract_bytes,
                checksum: code.checksum,
                entry: EntryPoint::Instantiate,
                instance: setup,
                keeper,
                reply_input: 0,
                depth,
                in_query: false,
            },
            |instance| call_instantiate_raw(instance, &env, &info, msg),
        )?;
        let response = self.parse_response(&raw, &contract, index, INSTANTIATE_FAILED)?;
        // The secondary indexes, the history entry and the record, before the dispatch.
        let stored = new_contract.after_call();
        self.consume(stored)?;
        self.update_call(index, |call| call.gas.keeper += stored);
        self.save_contract_record(
            &contract_bytes,
            &ContractRecord {
                code_id,
                creator: sender.clone(),
                admin,
                label: label.to_string(),
                created,
            },
        );
        events.push(
            Event::new("instantiate")
                .add_attribute("_contract_address", &contract)
                .add_attribute("code_id", code_id.to_string()),
        );
        let data = self.handle_response(&contract, response, index, depth, events)?;
        Ok((contract, data))
    }

    /// wasmd's `execute`: setup cost, funds to the contract, the VM call, the response.
    pub fn execute(
        self: &Arc<Self>,
        sender: &Addr,
        contract: &Addr,
        msg: &[u8],
        funds: &[Coin],
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Failure> {
        let (contract_bytes, record) = self.known_contract(contract)?;
        let code = self.known_code(record.code_id)?;
        let keeper =
            ROUTER_CIRCUIT_CHECK + self.contract_reads(contract, &record, &code) + PINNED_CHECK;
        let setup = self.setup_cost(&code, msg.len());
        self.consume(keeper + setup)?;
        self.transfer(sender, contract, funds, events)?;
        let env = to_json_vec(&self.env(contract)).map_err(json_failure)?;
        let info = to_json_vec(&MessageInfo {
            sender: sender.clone(),
            funds: normalize_coins(funds)?,
        })
        .map_err(json_failure)?;
        let (raw, index) = self.invoke(
            Invocation {
                contract,
                contract_bytes: &contract_bytes,
                checksum: code.checksum,
                entry: EntryPoint::Execute,
                instance: setup,
                keeper,
                reply_input: 0,
                depth,
                in_query: false,
            },
            |instance| call_execute_raw(instance, &env, &info, msg),
        )?;
        let response = self.parse_response(&raw, contract, index, EXECUTE_FAILED)?;
        events.push(Event::new("execute").add_attribute("_contract_address", contract));
        self.handle_response(contract, response, index, depth, events)
    }

    /// wasmd's `reply`: always the discounted instance cost plus the price of handing the
    /// sub-message's result in (`ReplyCosts`).
    fn reply(
        self: &Arc<Self>,
        contract: &Addr,
        reply: Reply,
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Failure> {
        let (contract_bytes, record) = self.known_contract(contract)?;
        let code = self.known_code(record.code_id)?;
        #[allow(deprecated)]
        let reply_input = match &reply.result {
            SubMsgResult::Ok(response) => reply_input_costs(
                &response.events,
                response.data.as_ref().map_or(0, |d| d.len()),
            ),
            SubMsgResult::Err(error) => reply_input_costs(&[], error.len()),
        };
        // `contractInstance` reads; a reply is not routed and has no pinned check.
        let keeper = self.contract_reads(contract, &record, &code);
        self.consume(keeper + INSTANCE_COST_DISCOUNT + reply_input)?;
        let env = to_json_vec(&self.env(contract)).map_err(json_failure)?;
        let msg = to_json_vec(&reply).map_err(json_failure)?;
        let (raw, index) = self.invoke(
            Invocation {
                contract,
                contract_bytes: &contract_bytes,
                checksum: code.checksum,
                entry: EntryPoint::Reply,
                instance: INSTANCE_COST_DISCOUNT,
                keeper,
                reply_input,
                depth,
                in_query: false,
            },
            |instance| call_reply_raw(instance, &env, &msg),
        )?;
        let response = self.parse_response(&raw, contract, index, EXECUTE_FAILED)?;
        events.push(Event::new("reply").add_attribute("_contract_address", contract));
        self.handle_response(contract, response, index, depth, events)
    }

    /// wasmd's `migrate`: only the admin; the entry point is skipped when old and new code
    /// declare the same `migrate_version`.
    pub fn migrate(
        self: &Arc<Self>,
        sender: &Addr,
        contract: &Addr,
        new_code_id: u64,
        msg: &[u8],
        depth: u32,
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Failure> {
        let contract_bytes = self.canonical_or_reject(contract.as_str())?;
        let Some(mut record) = self.contract_record(&contract_bytes) else {
            return Err(Failure::rejected(
                "unknown contract: invalid request",
                SDK_INVALID_REQUEST,
            ));
        };
        if record.admin.as_ref() != Some(sender) {
            return Err(Failure::rejected(
                "can not migrate: unauthorized",
                SDK_UNAUTHORIZED,
            ));
        }
        let new_code = self.code(new_code_id).ok_or_else(|| {
            Failure::rejected("unknown code: invalid request", SDK_INVALID_REQUEST)
        })?;
        let old_code = self.known_code(record.code_id)?;
        let version = |code: &CodeRecord| {
            self.cache
                .vm
                .analyze(&code.checksum)
                .ok()
                .and_then(|report| report.contract_migrate_version)
        };
        let (old_version, new_version) = (version(&old_code), version(&new_code));
        let call = !(old_version.is_some() && old_version == new_version);
        let mut response = None;
        if call {
            // The router's check, the contract's and the new code's records, the pinned
            // check (wasmd's `migrate`; its history and index writes are not modelled).
            let keeper = ROUTER_CIRCUIT_CHECK
                + self.contract_reads(contract, &record, &new_code)
                + PINNED_CHECK;
            let setup = self.setup_cost(&new_code, msg.len());
            self.consume(keeper + setup)?;
            let env = to_json_vec(&self.env(contract)).map_err(json_failure)?;
            let info = serde_json::to_vec(&serde_json::json!({
                "sender": sender,
                "old_migrate_version": old_version,
            }))
            .map_err(|e| json_failure(e.into()))?;
            let (raw, index) = self.invoke(
                Invocation {
                    contract,
                    contract_bytes: &contract_bytes,
                    checksum: new_code.checksum,
                    entry: EntryPoint::Migrate,
                    instance: setup,
                    keeper,
                    reply_input: 0,
                    depth,
                    in_query: false,
                },
                |instance| call_migrate_with_info_raw(instance, &env, msg, &info),
            )?;
            response = Some((
                self.parse_response(&raw, contract, index, MIGRATE_FAILED)?,
                index,
            ));
        }
        record.code_id = new_code_id;
        self.save_contract_record(&contract_bytes, &record);
        events.push(
            Event::new("migrate")
                .add_attribute("code_id", new_code_id.to_string())
                .add_attribute("_contract_address", contract),
        );
        match response {
            Some((response, index)) => {
                self.handle_response(contract, response, index, depth, events)
            }
            None => Ok(None),
        }
    }

    /// wasmd's `Sudo`: privileged, called by the chain itself (governance, other modules).
    pub fn sudo(
        self: &Arc<Self>,
        contract: &Addr,
        msg: &[u8],
        events: &mut Vec<Event>,
    ) -> Result<Option<Binary>, Failure> {
        let (contract_bytes, record) = self.known_contract(contract)?;
        let code = self.known_code(record.code_id)?;
        // `contractInstance` and the pinned check; not routed.
        let keeper = self.contract_reads(contract, &record, &code) + PINNED_CHECK;
        let setup = self.setup_cost(&code, msg.len());
        self.consume(keeper + setup)?;
        let env = to_json_vec(&self.env(contract)).map_err(json_failure)?;
        let (raw, index) = self.invoke(
            Invocation {
                contract,
                contract_bytes: &contract_bytes,
                checksum: code.checksum,
                entry: EntryPoint::Sudo,
                instance: setup,
                keeper,
                reply_input: 0,
                depth: 0,
                in_query: false,
            },
            |instance| call_sudo_raw(instance, &env, msg),
        )?;
        let response = self.parse_response(&raw, contract, index, EXECUTE_FAILED)?;
        events.push(Event::new("sudo").add_attribute("_contract_address", contract));
        self.handle_response(contract, response, index, 0, events)
    }

    fn set_admin(
        &self,
        sender: &Addr,
        contract: &Addr,
        admin: Option<Addr>,
        events: &mut Vec<Event>,
    ) -> Result<(), Failure> {
        let contract_bytes = self.canonical_or_reject(contract.as_str())?;
        let Some(mut record) = self.contract_record(&contract_bytes) else {
            return Err(Failure::rejected(
                "unknown contract: invalid request",
                SDK_INVALID_REQUEST,
            ));
        };
        if record.admin.as_ref() != Some(sender) {
            return Err(Failure::rejected(
                "can not modify contract: unauthorized",
                SDK_UNAUTHORIZED,
            ));
        }
        events.push(
            Event::new("update_contract_admin")
                .add_attribute("_contract_address", contract)
                .add_attribute("new_admin_address", admin.as_ref().map_or("", Addr::as_str)),
        );
        record.admin = admin;
        self.save_contract_record(&contract_bytes, &record);
        Ok(())
    }

    // ---- queries -----------------------------------------------------------------------

    /// wasmd's `QuerySmart`: read-only, with the setup cost (discounted when the running
    /// transaction already loaded the code).
    pub fn query_smart(
        self: &Arc<Self>,
        contract: &Addr,
        msg: &[u8],
        depth: u32,
        in_query: bool,
    ) -> Result<Binary, QueryFail> {
        let no_such_contract = || {
            QueryFail::System(SystemError::NoSuchContract {
                addr: contract.to_string(),
            })
        };
        let contract_bytes = self
            .canonical(contract.as_str())
            .map_err(|_| no_such_contract())?;
        let record = self
            .contract_record(&contract_bytes)
            .ok_or_else(no_such_contract)?;
        let code = self.code(record.code_id).ok_or_else(no_such_contract)?;
        // `contractInstance` and the pinned check, as wasmd's `QuerySmart`.
        let keeper = self.contract_reads(contract, &record, &code) + PINNED_CHECK;
        let setup = self.setup_cost(&code, msg.len());
        if !self.consume_unchecked(keeper + setup) {
            return Err(QueryFail::OutOfGas);
        }
        let env =
            to_json_vec(&self.env(contract)).map_err(|e| QueryFail::Contract(e.to_string()))?;
        let outcome = self.invoke(
            Invocation {
                contract,
                contract_bytes: &contract_bytes,
                checksum: code.checksum,
                entry: EntryPoint::Query,
                instance: setup,
                keeper,
                reply_input: 0,
                depth,
                in_query,
            },
            |instance| call_query_raw(instance, &env, msg),
        );
        let (raw, index) = match outcome {
            Ok(ok) => ok,
            Err(Failure::OutOfGas) => return Err(QueryFail::OutOfGas),
            Err(Failure::Failed(failed)) => return Err(QueryFail::Contract(failed.for_reply())),
        };
        match from_json::<ContractResult<Binary>>(&raw) {
            Ok(ContractResult::Ok(value)) => {
                self.update_call(index, |c| c.succeeded = true);
                Ok(value)
            }
            Ok(ContractResult::Err(error)) => {
                Err(QueryFail::Contract(format!("{error}: {}", QUERY_FAILED.0)))
            }
            Err(e) => Err(QueryFail::Contract(format!(
                "cannot parse the query result: {e}"
            ))),
        }
    }

    /// A query from inside a contract, on a gas meter of its own (wasmd's `QueryHandler`):
    /// the answer and the SDK gas it consumed, already charged to the caller's meter.
    pub fn query_from_contract(
        self: &Arc<Self>,
        caller: &Addr,
        request: QueryRequest<Empty>,
        gas_limit: u64,
        depth: u32,
    ) -> (Result<Binary, QueryFail>, u64) {
        self.push_meter(gas_limit);
        let answer = self.answer(caller, request, depth + 1);
        let spent = self.pop_meter();
        self.consume_unchecked(spent);
        (answer, spent)
    }

    fn answer(
        self: &Arc<Self>,
        _caller: &Addr,
        request: QueryRequest<Empty>,
        depth: u32,
    ) -> Result<Binary, QueryFail> {
        if depth > MAX_QUERY_STACK {
            return Err(QueryFail::Contract(
                "max query stack size exceeded".to_string(),
            ));
        }
        let json = |value: serde_json::Value| {
            serde_json::to_vec(&value)
                .map(Binary::from)
                .map_err(|e| QueryFail::Contract(e.to_string()))
        };
        let invalid_address = |address: &str, e: String| {
            // wasmd wraps the bech32 error, and redacts it for the contract.
            let _ = (address, e);
            QueryFail::Contract(redacted(SDK_INVALID_ADDRESS.0, SDK_INVALID_ADDRESS.1))
        };
        match request {
            QueryRequest::Bank(BankQuery::Balance { address, denom }) => {
                let bytes = self
                    .canonical(&address)
                    .map_err(|e| invalid_address(&address, e))?;
                let amount = self.balance(&bytes, &denom);
                json(serde_json::json!({ "amount": { "denom": denom, "amount": amount } }))
            }
            QueryRequest::Wasm(WasmQuery::Smart { contract_addr, msg }) => {
                self.query_smart(&Addr::unchecked(contract_addr), &msg, depth, true)
            }
            QueryRequest::Wasm(WasmQuery::Raw { contract_addr, key }) => {
                let bytes = self
                    .canonical(&contract_addr)
                    .map_err(|e| invalid_address(&contract_addr, e))?;
                let mut full = contract_store_prefix(&bytes);
                full.extend_from_slice(&key);
                let value = self.kv_get(&full);
                let cost = KV_GAS.read(full.len(), value.as_ref().map_or(0, Vec::len));
                if !self.consume_unchecked(cost) {
                    return Err(QueryFail::OutOfGas);
                }
                Ok(Binary::from(value.unwrap_or_default()))
            }
            QueryRequest::Wasm(WasmQuery::ContractInfo { contract_addr }) => {
                let record = self
                    .canonical(&contract_addr)
                    .ok()
                    .and_then(|bytes| self.contract_record(&bytes))
                    .ok_or_else(|| {
                        QueryFail::System(SystemError::NoSuchContract {
                            addr: contract_addr.clone(),
                        })
                    })?;
                let pinned = self.code(record.code_id).is_some_and(|c| c.pinned);
                json(serde_json::json!({
                    "code_id": record.code_id,
                    "creator": record.creator,
                    "admin": record.admin,
                    "pinned": pinned,
                    "ibc_port": null,
                    "ibc2_port": null,
                }))
            }
            QueryRequest::Wasm(WasmQuery::CodeInfo { code_id }) => {
                let code = self
                    .code(code_id)
                    .ok_or(QueryFail::System(SystemError::NoSuchCode { code_id }))?;
                json(serde_json::json!({
                    "code_id": code_id,
                    "creator": code.creator,
                    "checksum": code.checksum.to_hex(),
                }))
            }
            other => Err(QueryFail::System(SystemError::UnsupportedRequest {
                kind: format!("{other:?}"),
            })),
        }
    }
}

fn json_failure(e: cosmwasm_std::StdError) -> Failure {
    Failure::rejected(format!("cannot serialize: {e}"), WASM_INVALID)
}

fn msg_response(type_url: &str, value: Vec<u8>) -> MsgResponse {
    MsgResponse {
        type_url: type_url.to_string(),
        value: Binary::from(value),
    }
}

/// A wasm message's result for a reply: `data` is the protobuf `Msg*Response` as the SDK
/// returns it (absent when empty), and `msg_responses` holds it with its type URL.
fn wasm_dispatched(type_url: &str, value: Vec<u8>) -> Dispatched {
    Dispatched {
        data: (!value.is_empty()).then(|| Binary::from(value.clone())),
        msg_responses: vec![msg_response(type_url, value)],
    }
}

/// A protobuf length-delimited field; proto3 leaves empty fields out.
fn proto_bytes(field: u8, bytes: &[u8]) -> Vec<u8> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(field << 3) | 2];
    let mut len = bytes.len();
    while len >= 0x80 {
        out.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
    out.extend_from_slice(bytes);
    out
}

/// wasmd's `contractSDKEventAttributes`: `_contract_address` first, then the contract's
/// attributes trimmed; empty keys or values and keys starting with `_` are refused.
fn wasm_event(contract: &Addr, ty: &str, attributes: &[Attribute]) -> Result<Event, Failure> {
    let mut event = Event::new(ty).add_attribute("_contract_address", contract);
    for attribute in attributes {
        let key = attribute.key.trim();
        let value = attribute.value.trim();
        if key.is_empty() {
            return Err(Failure::rejected(
                format!("Empty attribute key. Value: {value}: invalid event"),
                WASM_INVALID_EVENT,
            ));
        }
        if value.is_empty() {
            return Err(Failure::rejected(
                format!("Empty attribute value. Key: {key}: invalid event"),
                WASM_INVALID_EVENT,
            ));
        }
        if key.starts_with('_') {
            return Err(Failure::rejected(
                format!("Attribute key starts with reserved prefix _: '{key}': invalid event"),
                WASM_INVALID_EVENT,
            ));
        }
        event = event.add_attribute(key, value);
    }
    Ok(event)
}

fn sort_attributes(event: Event) -> Event {
    let mut attributes = event.attributes.clone();
    attributes.sort_by(|a, b| a.key.cmp(&b.key));
    Event::new(event.ty).add_attributes(attributes)
}

/// The SDK's `sdk.Coins` from a contract's coins: zero amounts dropped, equal denoms
/// added up, sorted by denom.
pub(crate) fn normalize_coins(coins: &[Coin]) -> Result<Vec<Coin>, Failure> {
    let mut merged: std::collections::BTreeMap<&str, Uint256> = Default::default();
    for coin in coins {
        if coin.denom.is_empty() {
            return Err(Failure::rejected(
                "invalid denom: invalid coins",
                SDK_INVALID_COINS,
            ));
        }
        let sum = merged.entry(&coin.denom).or_default();
        *sum = sum.checked_add(coin.amount).map_err(|_| {
            Failure::rejected("coin amount overflows: invalid coins", SDK_INVALID_COINS)
        })?;
    }
    Ok(merged
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(denom, amount)| Coin {
            denom: denom.to_string(),
            amount,
        })
        .collect())
}

/// `sdk.Coins.String()`: `10uatom,5untrn`.
pub(crate) fn coins_string(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}
