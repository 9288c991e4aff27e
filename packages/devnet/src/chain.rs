//! [`Chain`]: one CosmWasm chain, with its own id, address prefix, state and block.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use cosmwasm_std::{
    to_json_vec, Addr, Binary, BlockInfo, Checksum, Coin, Empty, QueryRequest, Timestamp,
    TransactionInfo, Uint256, WasmQuery,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::address;
use crate::cache;
use crate::error::{Cause, Error, Failure, TxError};
use crate::gas::{GasReport, COMPILE_COST_PER_BYTE, STORE_CODE_KEEPER_GAS};
use crate::outcome::{sum, TxOutcome};
use crate::runtime::{normalize_coins, CodeRecord, QueryFail, Runtime, State};

/// What a stock wasmd chain (0.70) offers contracts: up to `cosmwasm_2_2`, not `cosmwasm_3_0`.
pub const STOCK_CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
];

/// wasmd's default `SmartQueryGasLimit` for queries from outside the chain.
pub const DEFAULT_QUERY_GAS_LIMIT: u64 = 3_000_000;

/// How to set up a [`Chain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainConfig {
    pub chain_id: String,
    /// The bech32 prefix of every address on the chain.
    pub prefix: String,
    pub height: u64,
    pub time: Timestamp,
    /// The gas limit of each transaction (SDK gas), as a signer would set it.
    pub tx_gas_limit: u64,
    /// The gas limit of each query from outside ([`DEFAULT_QUERY_GAS_LIMIT`]).
    pub query_gas_limit: u64,
    /// What the chain offers contracts; a contract that requires more is refused when
    /// stored. [`STOCK_CAPABILITIES`] by default.
    pub capabilities: BTreeSet<String>,
}

impl ChainConfig {
    /// A chain with stock capabilities at height 1, 1 Nov 2023, and 10,000,000 gas per
    /// transaction.
    pub fn new(chain_id: impl Into<String>, prefix: impl Into<String>) -> Self {
        ChainConfig {
            chain_id: chain_id.into(),
            prefix: prefix.into(),
            height: 1,
            time: Timestamp::from_seconds(1_698_796_800),
            tx_gas_limit: 10_000_000,
            query_gas_limit: DEFAULT_QUERY_GAS_LIMIT,
            capabilities: STOCK_CAPABILITIES.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// A stored code: its checksum, as the chain reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code_id: u64,
    pub checksum: Checksum,
    pub creator: Addr,
    pub pinned: bool,
}

/// A contract instance, as the chain records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInfo {
    pub address: Addr,
    pub code_id: u64,
    pub creator: Addr,
    pub admin: Option<Addr>,
    pub label: String,
}

/// A CosmWasm chain in this process: compiled contracts run in cosmwasm-vm with the
/// semantics and the gas schedule of a stock wasmd chain. Every transaction is atomic; each
/// returns a [`TxOutcome`] with its events, data and gas, or a [`TxError`].
pub struct Chain {
    rt: Arc<Runtime>,
    config: ChainConfig,
}

impl Chain {
    /// Starts a chain. Chains in one process share compiled modules but nothing else.
    pub fn new(config: ChainConfig) -> Result<Chain, Error> {
        address::encode(&config.prefix, &[0u8; 20]).map_err(|reason| Error::InvalidAddress {
            address: config.prefix.clone(),
            reason,
        })?;
        let cache = cache::shared(&config.capabilities)?;
        let rt = Arc::new(Runtime {
            chain_id: config.chain_id.clone(),
            prefix: config.prefix.clone(),
            cache,
            state: Mutex::new(State::new(config.height, config.time)),
        });
        Ok(Chain { rt, config })
    }

    pub fn chain_id(&self) -> &str {
        &self.config.chain_id
    }

    pub fn prefix(&self) -> &str {
        &self.config.prefix
    }

    /// The current block, as contracts see it in `env.block`.
    pub fn block(&self) -> BlockInfo {
        let s = self.rt.lock();
        BlockInfo {
            height: s.height,
            time: s.time,
            chain_id: self.config.chain_id.clone(),
        }
    }

    /// Moves to a later block: `blocks` higher and `seconds` later.
    pub fn advance_block(&mut self, blocks: u64, seconds: u64) {
        let mut s = self.rt.lock();
        s.height += blocks;
        s.time = s.time.plus_seconds(seconds);
        s.tx_index = 0;
    }

    /// Moves to the next block, `nanos` later: for chains with sub-second blocks.
    pub fn advance_block_nanos(&mut self, nanos: u64) {
        let mut s = self.rt.lock();
        s.height += 1;
        s.time = s.time.plus_nanos(nanos);
        s.tx_index = 0;
    }

    /// Sets the gas limit of the transactions that follow.
    pub fn set_tx_gas_limit(&mut self, gas_limit: u64) {
        self.config.tx_gas_limit = gas_limit;
    }

    pub fn tx_gas_limit(&self) -> u64 {
        self.config.tx_gas_limit
    }

    /// The address of the signer account called `name` on this chain: the first 20 bytes of
    /// SHA-256(name), in bech32 with the chain's prefix. The same name gives the same bytes
    /// on every chain.
    pub fn account(&self, name: &str) -> Addr {
        self.rt.addr(&address::account_bytes(name))
    }

    /// Checks an address as the chain does (prefix, checksum, normalized form).
    pub fn addr_validate(&self, address: &str) -> Result<Addr, Error> {
        let bytes = self
            .rt
            .canonical(address)
            .map_err(|reason| Error::InvalidAddress {
                address: address.to_string(),
                reason,
            })?;
        let addr = self.rt.addr(&bytes);
        if addr.as_str() != address {
            return Err(Error::InvalidAddress {
                address: address.to_string(),
                reason: "address not normalized".to_string(),
            });
        }
        Ok(addr)
    }

    fn canonical(&self, address: &Addr) -> Result<Vec<u8>, Error> {
        self.rt
            .canonical(address.as_str())
            .map_err(|reason| Error::InvalidAddress {
                address: address.to_string(),
                reason,
            })
    }

    /// Creates coins in `address`'s account (a faucet; not a transaction).
    pub fn mint(&mut self, address: &Addr, coins: &[Coin]) -> Result<(), Error> {
        let bytes = self.canonical(address)?;
        let coins = normalize_coins(coins).map_err(|f| match f {
            Failure::Failed(f) => Error::Json(f.message),
            Failure::OutOfGas => Error::Json("out of gas".to_string()),
        })?;
        for coin in coins {
            let balance = self.rt.balance(&bytes, &coin.denom);
            self.rt
                .set_balance(&bytes, &coin.denom, balance + coin.amount);
        }
        Ok(())
    }

    /// `address`'s balance of `denom`.
    pub fn balance(&self, address: &Addr, denom: &str) -> Uint256 {
        match self.canonical(address) {
            Ok(bytes) => self.rt.balance(&bytes, denom),
            Err(_) => Uint256::zero(),
        }
    }

    /// All of `address`'s balances, by denom.
    pub fn balances(&self, address: &Addr) -> Vec<Coin> {
        match self.canonical(address) {
            Ok(bytes) => self.rt.balances(&bytes),
            Err(_) => Vec::new(),
        }
    }

    // ---- code ----------------------------------------------------------------------------

    /// Stores Wasm code and returns its code id. The VM's static checks run first (exports,
    /// imports, capabilities against the chain's, function and local limits, no
    /// bulk-memory); a refused contract is [`Error::WasmRejected`] with the VM's reason.
    /// The creator is the account `"creator"`.
    pub fn store_code(&mut self, wasm: &[u8]) -> Result<u64, Error> {
        let checksum = self.rt.cache.store(wasm)?;
        let creator = self.account("creator");
        let mut s = self.rt.lock();
        s.codes.push(CodeRecord {
            checksum,
            creator,
            pinned: false,
        });
        Ok(s.codes.len() as u64)
    }

    /// The SDK gas wasmd charges to store `wasm_len` bytes of code (`DefaultCompileCost`)
    /// and its keeper's work ([`STORE_CODE_KEEPER_GAS`]).
    pub fn store_code_gas(wasm_len: usize) -> u64 {
        COMPILE_COST_PER_BYTE * wasm_len as u64 + STORE_CODE_KEEPER_GAS
    }

    /// Pins a code, as governance does on chain: its instances then cost the discounted
    /// instance gas.
    pub fn pin_code(&mut self, code_id: u64) -> Result<(), Error> {
        let code = self.code_info(code_id)?;
        self.rt
            .cache
            .vm
            .pin(&code.checksum)
            .map_err(|e| Error::Cache(e.to_string()))?;
        let mut s = self.rt.lock();
        if let Some(record) = s.codes.get_mut(code_id as usize - 1) {
            record.pinned = true;
        }
        Ok(())
    }

    pub fn code_info(&self, code_id: u64) -> Result<CodeInfo, Error> {
        let record = self.rt.code(code_id).ok_or(Error::NoSuchCode { code_id })?;
        Ok(CodeInfo {
            code_id,
            checksum: record.checksum,
            creator: record.creator,
            pinned: record.pinned,
        })
    }

    pub fn contract_info(&self, contract: &Addr) -> Result<ContractInfo, Error> {
        let bytes = self.canonical(contract)?;
        let record = self
            .rt
            .contract_record(&bytes)
            .ok_or_else(|| Error::NoSuchContract {
                address: contract.to_string(),
            })?;
        Ok(ContractInfo {
            address: contract.clone(),
            code_id: record.code_id,
            creator: record.creator,
            admin: record.admin,
            label: record.label,
        })
    }

    // ---- transactions --------------------------------------------------------------------

    /// Instantiates `code_id` with no admin (see [`Chain::instantiate_with_admin`]).
    pub fn instantiate(
        &mut self,
        code_id: u64,
        sender: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
        label: &str,
    ) -> Result<(Addr, TxOutcome), TxError> {
        self.instantiate_with_admin(code_id, sender, msg, funds, label, None)
    }

    /// Instantiates `code_id` in a transaction signed by `sender`: the address is wasmd's
    /// classic one, from the code id and the chain's instance counter.
    pub fn instantiate_with_admin(
        &mut self,
        code_id: u64,
        sender: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
        label: &str,
        admin: Option<&Addr>,
    ) -> Result<(Addr, TxOutcome), TxError> {
        let msg = to_json_vec(msg).map_err(serialize_error)?;
        let rt = Arc::clone(&self.rt);
        let mut address = None;
        let outcome = self.transact(|events| {
            let (addr, data) = rt.instantiate(
                code_id,
                sender,
                admin.cloned(),
                &msg,
                funds,
                label,
                None,
                0,
                events,
            )?;
            address = Some(addr);
            Ok(data)
        })?;
        Ok((address.expect("set on success"), outcome))
    }

    /// Executes `msg` on `contract` in a transaction signed by `sender`, with `funds`
    /// attached (moved to the contract first).
    pub fn execute(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
    ) -> Result<TxOutcome, TxError> {
        let msg = to_json_vec(msg).map_err(serialize_error)?;
        let rt = Arc::clone(&self.rt);
        self.transact(|events| rt.execute(sender, contract, &msg, funds, 0, events))
    }

    /// Migrates `contract` to `new_code_id`; only its admin may.
    pub fn migrate(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        new_code_id: u64,
        msg: &impl Serialize,
    ) -> Result<TxOutcome, TxError> {
        let msg = to_json_vec(msg).map_err(serialize_error)?;
        let rt = Arc::clone(&self.rt);
        self.transact(|events| rt.migrate(sender, contract, new_code_id, &msg, 0, events))
    }

    /// Calls `contract`'s `sudo` entry point, as the chain itself (governance or a module).
    pub fn sudo(&mut self, contract: &Addr, msg: &impl Serialize) -> Result<TxOutcome, TxError> {
        let msg = to_json_vec(msg).map_err(serialize_error)?;
        let rt = Arc::clone(&self.rt);
        self.transact(|events| rt.sudo(contract, &msg, events))
    }

    /// Executes several messages in one transaction signed by `sender`, all or nothing, as
    /// a Cosmos SDK transaction with several `MsgExecuteContract`: the events of every
    /// message in order, the data of the last one.
    pub fn execute_many(
        &mut self,
        sender: &Addr,
        msgs: &[(Addr, Vec<u8>, Vec<Coin>)],
    ) -> Result<TxOutcome, TxError> {
        self.run_many(sender, msgs, true)
    }

    /// What `execute_many` would do and the gas it would use, with nothing kept (no state,
    /// no transaction index): a node's `simulate`.
    pub fn simulate_many(
        &mut self,
        sender: &Addr,
        msgs: &[(Addr, Vec<u8>, Vec<Coin>)],
    ) -> Result<TxOutcome, TxError> {
        self.run_many(sender, msgs, false)
    }

    fn run_many(
        &mut self,
        sender: &Addr,
        msgs: &[(Addr, Vec<u8>, Vec<Coin>)],
        keep: bool,
    ) -> Result<TxOutcome, TxError> {
        let rt = Arc::clone(&self.rt);
        self.transact_with(keep, |events| {
            let mut data = None;
            for (contract, msg, funds) in msgs {
                data = rt.execute(sender, contract, msg, funds, 0, events)?;
            }
            Ok(data)
        })
    }

    /// Runs one message as a transaction: a branch of the state kept only on success, and a
    /// gas meter with the transaction's limit.
    fn transact(
        &mut self,
        run: impl FnOnce(&mut Vec<cosmwasm_std::Event>) -> Result<Option<Binary>, Failure>,
    ) -> Result<TxOutcome, TxError> {
        self.transact_with(true, run)
    }

    /// `transact`, or with `keep` false a simulation: the branch is discarded even on
    /// success and the block's transaction index does not move.
    fn transact_with(
        &mut self,
        keep: bool,
        run: impl FnOnce(&mut Vec<cosmwasm_std::Event>) -> Result<Option<Binary>, Failure>,
    ) -> Result<TxOutcome, TxError> {
        let (height, index) = {
            let mut s = self.rt.lock();
            let index = s.tx_index;
            if keep {
                s.tx_index += 1;
            }
            (s.height, index)
        };
        let hash = Sha256::digest(format!("{}/{height}/{index}", self.config.chain_id));
        let transaction = TransactionInfo::new(index, Binary::from(hash.to_vec()));
        let gas_limit = self.config.tx_gas_limit;
        self.rt.begin(gas_limit, Some(transaction));
        self.rt.branch();
        let mut events = Vec::new();
        let result = run(&mut events);
        let (gas_used, calls) = self.rt.end();
        match result {
            Ok(data) => {
                if keep {
                    self.rt.commit();
                } else {
                    self.rt.discard();
                }
                let gas = sum(calls.iter().filter(|c| !c.in_query));
                Ok(TxOutcome {
                    events,
                    data,
                    gas_used,
                    gas,
                    calls,
                })
            }
            Err(failure) => {
                self.rt.discard();
                Err(match failure {
                    Failure::OutOfGas => TxError::OutOfGas {
                        gas_limit,
                        gas_used,
                    },
                    Failure::Failed(f) => match f.cause {
                        Cause::Contract { contract, error } => TxError::ContractFailed {
                            contract,
                            error,
                            log: f.message,
                            gas_used,
                        },
                        Cause::Vm { contract, error } => TxError::VmFailed {
                            contract,
                            error,
                            log: f.message,
                            gas_used,
                        },
                        Cause::Rejected => TxError::Rejected {
                            log: f.message,
                            gas_used,
                        },
                    },
                })
            }
        }
    }

    // ---- queries -------------------------------------------------------------------------

    /// A smart query, as a client asks a node: the contract's answer parsed as `T`.
    pub fn query<T: DeserializeOwned>(
        &self,
        contract: &Addr,
        msg: &impl Serialize,
    ) -> Result<T, Error> {
        self.query_with_gas(contract, msg).map(|(value, _)| value)
    }

    /// A smart query and the gas it cost (with the query's own gas limit and no instance
    /// discount, as wasmd's gRPC query runs it).
    pub fn query_with_gas<T: DeserializeOwned>(
        &self,
        contract: &Addr,
        msg: &impl Serialize,
    ) -> Result<(T, GasReport), Error> {
        let msg = to_json_vec(msg).map_err(|e| Error::Json(e.to_string()))?;
        self.rt.begin(self.config.query_gas_limit, None);
        let answer = self.rt.query_smart(contract, &msg, 0, false);
        let (_, calls) = self.rt.end();
        let gas = sum(calls.iter().filter(|c| !c.in_query));
        let value = match answer {
            Ok(value) => value,
            Err(QueryFail::OutOfGas) => {
                return Err(Error::QueryVm {
                    error: format!("out of gas (limit {})", self.config.query_gas_limit),
                })
            }
            Err(QueryFail::System(cosmwasm_std::SystemError::NoSuchContract { addr })) => {
                return Err(Error::NoSuchContract { address: addr })
            }
            Err(QueryFail::System(e)) => {
                return Err(Error::QueryVm {
                    error: e.to_string(),
                })
            }
            Err(QueryFail::Contract(error)) => return Err(Error::QueryFailed { error }),
        };
        let parsed = serde_json::from_slice(&value).map_err(|e| Error::Json(e.to_string()))?;
        Ok((parsed, gas))
    }

    /// Any query request, as a contract would send it (bank, wasm smart/raw/info), answered
    /// as JSON bytes.
    pub fn query_request(&self, request: &QueryRequest<Empty>) -> Result<Binary, Error> {
        match request {
            QueryRequest::Wasm(WasmQuery::Smart { contract_addr, msg }) => self
                .query::<serde_json::Value>(&Addr::unchecked(contract_addr), msg)
                .and_then(|v| to_json_vec(&v).map_err(|e| Error::Json(e.to_string())))
                .map(Binary::from),
            other => {
                self.rt.begin(self.config.query_gas_limit, None);
                let caller = self.account("query");
                let (answer, _) = self.rt.query_from_contract(
                    &caller,
                    other.clone(),
                    self.config.query_gas_limit,
                    0,
                );
                self.rt.end();
                answer.map_err(|e| match e {
                    QueryFail::Contract(error) => Error::QueryFailed { error },
                    QueryFail::System(e) => Error::QueryVm {
                        error: e.to_string(),
                    },
                    QueryFail::OutOfGas => Error::QueryVm {
                        error: "out of gas".to_string(),
                    },
                })
            }
        }
    }

    /// Writes `value` under `key` in `contract`'s storage directly, outside any transaction
    /// and without gas: for seeding state that would take too many transactions to reach
    /// (a lane of a million messages in a benchmark). Nothing on a real chain can do this.
    pub fn set_raw_storage(
        &mut self,
        contract: &Addr,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), Error> {
        let bytes = self.canonical(contract)?;
        let mut full = crate::backend::contract_store_prefix(&bytes);
        full.extend_from_slice(key);
        self.rt.kv_set(&full, value);
        Ok(())
    }

    /// The raw value under `key` in `contract`'s storage (as wasmd's `QueryRaw`).
    pub fn raw_query(&self, contract: &Addr, key: &[u8]) -> Option<Vec<u8>> {
        let bytes = self.canonical(contract).ok()?;
        let mut full = crate::backend::contract_store_prefix(&bytes);
        full.extend_from_slice(key);
        self.rt.kv_get(&full)
    }
}

fn serialize_error(e: cosmwasm_std::StdError) -> TxError {
    TxError::Rejected {
        log: format!("cannot serialize the message: {e}"),
        gas_used: 0,
    }
}
