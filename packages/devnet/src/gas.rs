//! The gas schedule of a stock wasmd chain, and the per-call [`GasReport`].
//!
//! Every constant is wasmd's or the Cosmos SDK's default; the source file is named beside
//! each. All amounts are Cosmos SDK gas unless a name says "VM gas" (CosmWasm gas, the
//! unit the VM meters Wasm execution in).

use cosmwasm_std::{Attribute, Event};

/// `DefaultGasMultiplier`: CosmWasm (VM) gas per SDK gas.
/// CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const GAS_MULTIPLIER: u64 = 140_000;

/// `DefaultInstanceCost`: loading a contract instance for any entry point.
/// CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const INSTANCE_COST: u64 = 60_000;

/// `DefaultInstanceCostDiscount`: charged instead of [`INSTANCE_COST`] when wasmd assumes the
/// module is in memory: pinned code, code already run earlier in the same transaction
/// (`checkDiscountEligibility`, x/wasm/keeper/keeper.go) and every `reply`.
/// CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const INSTANCE_COST_DISCOUNT: u64 = 2_000;

/// `DefaultCompileCost`: per byte of Wasm stored (wasmvm charges `3 * 140_000` VM gas per
/// byte in `StoreCode`). CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const COMPILE_COST_PER_BYTE: u64 = 3;

/// `DefaultContractMessageDataCost`: per byte of the message sent to a contract (zero: the
/// contract pays for parsing it in VM gas). CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const CONTRACT_MESSAGE_DATA_COST: u64 = 0;

/// `DefaultPerAttributeCost`: per event attribute. CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const EVENT_PER_ATTRIBUTE_COST: u64 = 10;

/// `DefaultEventAttributeDataCost`: per byte of attribute keys and values past the free
/// tier, and per byte of a custom event's type. CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const EVENT_ATTRIBUTE_DATA_COST: u64 = 1;

/// `DefaultEventAttributeDataFreeTier`: attribute bytes per call that cost nothing.
/// CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const EVENT_ATTRIBUTE_DATA_FREE_TIER: u64 = 100;

/// `DefaultPerCustomEventCost`: per custom event. CosmWasm/wasmd x/wasm/types/gas_register.go.
pub const CUSTOM_EVENT_COST: u64 = 20;

/// `DefaultGasCostHumanAddress`: `addr_humanize`. CosmWasm/wasmd x/wasm/keeper/api.go.
pub const GAS_COST_HUMANIZE: u64 = 5;

/// `DefaultGasCostCanonicalAddress`: `addr_canonicalize`. CosmWasm/wasmd x/wasm/keeper/api.go.
pub const GAS_COST_CANONICALIZE: u64 = 4;

/// `DefaultGasCostValidateAddress` (humanize + canonicalize): `addr_validate`.
/// CosmWasm/wasmd x/wasm/keeper/api.go.
pub const GAS_COST_VALIDATE: u64 = GAS_COST_HUMANIZE + GAS_COST_CANONICALIZE;

/// `DefaultDeserializationCostPerByte`: per byte of the JSON result a contract returns
/// (wasmvm's `DeserializeResponse`, priced by wasmd's `costJSONDeserialization`).
/// CosmWasm/wasmd x/wasm/keeper/api.go.
pub const DESERIALIZATION_COST_PER_BYTE: u64 = 1;

/// The Cosmos SDK's `KVGasConfig()`. cosmos/cosmos-sdk store/types/gas.go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KvGasConfig {
    pub has_cost: u64,
    pub delete_cost: u64,
    pub read_cost_flat: u64,
    pub read_cost_per_byte: u64,
    pub write_cost_flat: u64,
    pub write_cost_per_byte: u64,
    pub iter_next_cost_flat: u64,
}

/// The SDK's default KV gas, the one every chain's `ctx.KVStore` meters with.
pub const KV_GAS: KvGasConfig = KvGasConfig {
    has_cost: 1000,
    delete_cost: 1000,
    read_cost_flat: 1000,
    read_cost_per_byte: 3,
    write_cost_flat: 2000,
    write_cost_per_byte: 30,
    iter_next_cost_flat: 30,
};

/// The bytes wasmd puts before every contract storage key: `ContractStorePrefix` (0x03)
/// and the 32-byte contract address (x/wasm/types/keys.go `GetContractStorePrefix`). The
/// SDK's gas-metered store sits under the prefix store, so it charges for them.
pub const CONTRACT_STORE_PREFIX_LEN: u64 = 33;

impl KvGasConfig {
    /// `gaskv.Store.Get`: flat, then per byte of the full key and of the value (0 if absent).
    pub fn read(&self, key_len: usize, value_len: usize) -> u64 {
        self.read_cost_flat + self.read_cost_per_byte * (to_u64(key_len) + to_u64(value_len))
    }

    /// `gaskv.Store.Set`: flat, then per byte of the full key and of the value.
    pub fn write(&self, key_len: usize, value_len: usize) -> u64 {
        self.write_cost_flat + self.write_cost_per_byte * (to_u64(key_len) + to_u64(value_len))
    }

    /// `gaskv` iterator `consumeSeekGas`: per byte of the current entry (if any), then flat.
    /// It runs when the iterator is created and on every `Next`, which charges the entry
    /// being left; wasmvm calls `Next` once per entry it returns, so the first entry is paid
    /// twice and the end of the range is free.
    pub fn seek(&self, entry: Option<(usize, usize)>) -> u64 {
        let bytes = entry.map_or(0, |(k, v)| {
            self.read_cost_per_byte * (to_u64(k) + to_u64(v))
        });
        bytes + self.iter_next_cost_flat
    }
}

/// The message router's circuit-breaker check, once per message routed (a transaction's own
/// and every sub-message a contract dispatches): `DisableList.Has` of the message's type URL,
/// [`KvGasConfig::has_cost`]. wasmd sets its circuit keeper as baseapp's circuit breaker
/// (app/app.go `SetCircuitBreaker`; cosmos-sdk baseapp/msg_service_router.go).
pub const ROUTER_CIRCUIT_CHECK: u64 = KV_GAS.has_cost;

/// `IsPinnedCode`: `Has` of the code's pinned index (x/wasm/keeper/keeper.go), before every
/// execute and instantiate.
pub const PINNED_CHECK: u64 = KV_GAS.has_cost;

/// `GetContractAddressKey`: 0x02 and the 32-byte contract address (x/wasm/types/keys.go).
pub const CONTRACT_INFO_KEY_LEN: usize = 33;

/// `GetCodeKey`: 0x01 and the code id, 8 bytes big-endian (x/wasm/types/keys.go).
pub const CODE_INFO_KEY_LEN: usize = 9;

/// wasmd's work to store code beyond [`COMPILE_COST_PER_BYTE`] (x/wasm/keeper/keeper.go
/// `create`), from the second code on: the router's circuit check (1,000); the wasm params
/// read twice for the instantiate and upload access (2 × (1,000 + 3 × 7)); the code id
/// sequence (key 0x04 `lastCodeId`, 11 bytes, value 8) read (1,057) and written (2,570); the
/// code info written (key 9 bytes, value 84 for a 20-byte creator: 2,000 + 30 × 93). The
/// first code on a chain reads no sequence value (24 less).
pub const STORE_CODE_KEEPER_GAS: u64 = ROUTER_CIRCUIT_CHECK
    + 2 * (1_000 + 3 * 7)
    + (1_000 + 3 * 19)
    + (2_000 + 30 * 19)
    + (2_000 + 30 * 93);

/// The bytes of a protobuf length-delimited field (field number below 16) of `len` bytes.
fn proto_field(len: usize) -> usize {
    1 + varint_len(to_u64(len)) + len
}

fn varint_len(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

/// The length of wasmd's stored `ContractInfo` (proto/cosmwasm/wasm/v1/types.proto): code id,
/// creator, admin (if any), label, `created` (block height; the transaction index is taken
/// as 0, the first of its block, and so not encoded), and `ibc2_port_id`, which wasmd
/// v0.61 sets for every contract: `wasm2` and the address without its bech32 prefix. No IBC
/// port (the contracts have no IBC entry points) and no extension.
pub fn contract_info_len(
    code_id: u64,
    creator: &str,
    admin: Option<&str>,
    label: &str,
    created_height: u64,
    ibc2_port_id_len: usize,
) -> usize {
    let created = if created_height == 0 {
        0
    } else {
        1 + varint_len(created_height)
    };
    1 + varint_len(code_id)
        + proto_field(creator.len())
        + admin.map_or(0, |a| proto_field(a.len()))
        + proto_field(label.len())
        + proto_field(created)
        + proto_field(ibc2_port_id_len)
}

/// The length of wasmd's stored `CodeInfo`: the 32-byte checksum, the creator and the
/// instantiate permission `Everybody` (an `AccessConfig` of one enum field).
pub fn code_info_len(creator: &str) -> usize {
    proto_field(32) + proto_field(creator.len()) + proto_field(2)
}

/// wasmd's `contractInstance`: the contract's record and its code's record, read through
/// the gas-metered store before every execute, reply, migrate and sudo.
pub fn contract_instance_reads(contract_info_len: usize, code_info_len: usize) -> u64 {
    KV_GAS.read(CONTRACT_INFO_KEY_LEN, contract_info_len)
        + KV_GAS.read(CODE_INFO_KEY_LEN, code_info_len)
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// wasmd's `EventCosts(attrs, events)`: the `wasm` event's attributes and the custom events of
/// one response. The free tier covers the first 100 attribute bytes of the whole response.
pub fn event_costs(attributes: &[Attribute], events: &[Event]) -> u64 {
    let (mut gas, mut free_tier) = attribute_costs(attributes, EVENT_ATTRIBUTE_DATA_FREE_TIER);
    for event in events {
        gas += CUSTOM_EVENT_COST + to_u64(event.ty.len()) * EVENT_ATTRIBUTE_DATA_COST;
        let (cost, left) = attribute_costs(&event.attributes, free_tier);
        gas += cost;
        free_tier = left;
    }
    gas
}

fn attribute_costs(attributes: &[Attribute], free_tier: u64) -> (u64, u64) {
    if attributes.is_empty() {
        return (0, free_tier);
    }
    let bytes: u64 = attributes
        .iter()
        .map(|a| to_u64(a.key.len()) + to_u64(a.value.len()))
        .sum();
    let (charged, left) = if bytes <= free_tier {
        (0, free_tier - bytes)
    } else {
        (bytes - free_tier, 0)
    };
    (
        EVENT_ATTRIBUTE_DATA_COST * charged + EVENT_PER_ATTRIBUTE_COST * to_u64(attributes.len()),
        left,
    )
}

/// The event part of wasmd's `ReplyCosts`: per byte of every event type the sub-message
/// emitted, plus `EventCosts` of all their attributes taken together, plus
/// [`CONTRACT_MESSAGE_DATA_COST`] per byte of the data or error.
pub fn reply_input_costs(events: &[Event], data_or_error_len: usize) -> u64 {
    let types: u64 = events
        .iter()
        .map(|e| to_u64(e.ty.len()) * EVENT_ATTRIBUTE_DATA_COST)
        .sum();
    let attributes: Vec<Attribute> = events
        .iter()
        .flat_map(|e| e.attributes.iter().cloned())
        .collect();
    types + event_costs(&attributes, &[]) + CONTRACT_MESSAGE_DATA_COST * to_u64(data_or_error_len)
}

/// The SDK gas one contract call cost, split the way wasmd charges it. `total` is the sum of
/// every part but `wasm_vm_gas` (the same execution in VM gas, before conversion).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GasReport {
    /// Loading the instance: [`INSTANCE_COST`] or [`INSTANCE_COST_DISCOUNT`] (wasmd's
    /// `SetupContractCost`).
    pub instance: u64,
    /// wasmd's own store work before the call: the router's circuit check for a routed
    /// message ([`ROUTER_CIRCUIT_CHECK`]), the contract's and code's records
    /// ([`contract_instance_reads`]; for an instantiate the code's only) and the pinned
    /// check ([`PINNED_CHECK`], not for a reply).
    pub keeper: u64,
    /// Executing the contract's Wasm, host functions included (crypto, memory regions), in
    /// VM gas divided by [`GAS_MULTIPLIER`] and rounded down, as `consumeRuntimeGas` does.
    pub wasm: u64,
    /// `wasm` in VM (CosmWasm) gas, before conversion. Not part of `total`.
    pub wasm_vm_gas: u64,
    /// The address API (`addr_validate`, `addr_canonicalize`, `addr_humanize`).
    pub address_api: u64,
    /// Deserializing the contract's JSON result: [`DESERIALIZATION_COST_PER_BYTE`] per byte.
    pub deserialization: u64,
    /// Contract storage through the SDK's gas-metered KV store ([`KV_GAS`]).
    pub storage: u64,
    /// Queries the contract made (to the bank or other contracts), each in full.
    pub queries: u64,
    /// The events of the contract's response ([`event_costs`]).
    pub events: u64,
    /// For a `reply`: what wasmd charges to hand the sub-message's result in
    /// ([`reply_input_costs`]).
    pub reply_input: u64,
    /// Everything above but `wasm_vm_gas`.
    pub total: u64,
}

impl GasReport {
    pub(crate) fn recompute_total(&mut self) {
        self.total = self.instance
            + self.keeper
            + self.wasm
            + self.address_api
            + self.deserialization
            + self.storage
            + self.queries
            + self.events
            + self.reply_input;
    }

    /// Adds another report part by part.
    pub fn add(&mut self, other: &GasReport) {
        self.instance += other.instance;
        self.keeper += other.keeper;
        self.wasm += other.wasm;
        self.wasm_vm_gas += other.wasm_vm_gas;
        self.address_api += other.address_api;
        self.deserialization += other.deserialization;
        self.storage += other.storage;
        self.queries += other.queries;
        self.events += other.events;
        self.reply_input += other.reply_input;
        self.total += other.total;
    }
}

impl std::fmt::Display for GasReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "total {} = instance {} + keeper {} + wasm {} ({} VM gas) + address api {} \
             + deserialization {} + storage {} + queries {} + events {} + reply input {}",
            self.total,
            self.instance,
            self.keeper,
            self.wasm,
            self.wasm_vm_gas,
            self.address_api,
            self.deserialization,
            self.storage,
            self.queries,
            self.events,
            self.reply_input
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_costs_follow_the_sdk_formulas() {
        // A 4-byte key under a contract: 33 + 4 key bytes.
        assert_eq!(KV_GAS.read(37, 32), 1000 + 3 * 69);
        assert_eq!(KV_GAS.read(37, 0), 1000 + 3 * 37);
        assert_eq!(KV_GAS.write(37, 40), 2000 + 30 * 77);
        assert_eq!(KV_GAS.seek(Some((37, 8))), 30 + 3 * 45);
        assert_eq!(KV_GAS.seek(None), 30);
    }

    #[test]
    fn event_costs_apply_one_free_tier_to_the_whole_response() {
        // 3 attributes of 20 bytes each (10 + 10): 60 bytes, inside the free tier.
        let attrs: Vec<Attribute> = (0..3)
            .map(|i| Attribute::new(format!("key{i}xxxxxx"), "valuevalue"))
            .collect();
        assert_eq!(event_costs(&attrs, &[]), 3 * EVENT_PER_ATTRIBUTE_COST);
        // A custom event "ab_cd" with 60 more bytes: 20 bytes past the tier.
        let event = Event::new("ab_cd").add_attributes(attrs.clone());
        assert_eq!(
            event_costs(&attrs, std::slice::from_ref(&event)),
            3 * 10 + (20 + 5) + (20 + 3 * 10)
        );
        // No attributes at all: only the custom event and its type.
        assert_eq!(event_costs(&[], &[Event::new("xyz")]), 20 + 3);
    }

    #[test]
    fn reply_input_prices_types_and_attributes() {
        let events = vec![
            Event::new("execute").add_attribute("_contract_address", "a".repeat(60)),
            Event::new("wasm").add_attribute("_contract_address", "a".repeat(60)),
        ];
        // types 7 + 4; attributes 2 x 77 bytes = 154, 54 past the tier, plus 2 x 10.
        assert_eq!(reply_input_costs(&events, 12), 11 + 54 + 20);
    }

    #[test]
    fn report_total_excludes_vm_gas() {
        let mut report = GasReport {
            instance: 60_000,
            keeper: 3_000,
            wasm: 120,
            wasm_vm_gas: 16_800_000,
            address_api: 9,
            deserialization: 80,
            storage: 5_000,
            queries: 0,
            events: 40,
            reply_input: 0,
            total: 0,
        };
        report.recompute_total();
        assert_eq!(report.total, 68_249);
    }

    /// The records wasmd reads before an execute, as measured on wasmd v0.61.14: a contract
    /// of code 1 created by a 44-character `ccmpa1…` account at height 30 with the label
    /// `ccmp outbox`, its 64-character address giving a 64-byte `ibc2_port_id`.
    #[test]
    fn keeper_records_follow_the_proto_layout() {
        let creator = format!("ccmpa1{}", "q".repeat(38));
        // code id 2 + creator 46 + label 13 + created (1+1+2) 4 + ibc2 port 66 = 131
        assert_eq!(
            contract_info_len(1, &creator, None, "ccmp outbox", 30, 64),
            131
        );
        // an admin adds its field; a height from 128 takes a second varint byte
        assert_eq!(
            contract_info_len(1, &creator, Some(&creator), "ccmp outbox", 200, 64),
            131 + 46 + 1
        );
        // checksum 34 + creator 46 + access config 4
        assert_eq!(code_info_len(&creator), 84);
        assert_eq!(
            contract_instance_reads(131, 84),
            (1_000 + 3 * (33 + 131)) + (1_000 + 3 * (9 + 84))
        );
        assert_eq!(STORE_CODE_KEEPER_GAS, 11_459);
    }
}
