//! Gas on a real chain: what `scripts/real-gas-bench.sh` measured on a wasmd node
//! (`ccmp-real-gas`, written to `bench/real_gas.json`) next to `ccmp-devnet`'s model of the
//! same calls, made with the same bytes on a devnet twin of the node's chain (same chain id,
//! prefix, signer, code ids and contract addresses).
//!
//! A real `gas_used` is one meter for the whole transaction. It is split here into the
//! transaction's own costs — [`tx::TX_SIZE_COST_PER_BYTE`] per byte of the signed `TxRaw`
//! (its length as the node returns it) plus the ante handler's fixed work, measured by a
//! probe — and the rest, the contract's part. The probe is an execute of a contract that
//! does not exist: it runs the whole ante handler, then wasmd's one read of the missing
//! contract's record ([`PROBE_MSG_GAS`]) and fails, and its `gas_used` is still reported.

use serde::{Deserialize, Serialize};

use crate::tx;

/// What the probe's message costs after the ante handler: the message router's circuit
/// breaker check (`DisableList.Has` of the message type, flat 1,000: wasmd sets the circuit
/// keeper as baseapp's circuit breaker, app/app.go), then wasmd's `contractInstance` reads
/// the contract's record (`ContractKeyPrefix` 0x02 and the 20-byte address the probe names)
/// and finds nothing: read flat 1,000 + 3 a key byte (x/wasm/keeper/keeper.go).
pub const PROBE_MSG_GAS: u64 = 1_000 + 1_000 + 3 * (1 + 20);

/// The probe's transaction: an execute of a contract that does not exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub gas_used: u64,
    pub tx_bytes: u64,
}

impl Probe {
    /// The ante handler's work beyond the per-byte charge: `gas_used` less
    /// [`tx::TX_SIZE_COST_PER_BYTE`] per byte and [`PROBE_MSG_GAS`].
    pub fn ante_fixed(&self) -> u64 {
        self.gas_used - tx::TX_SIZE_COST_PER_BYTE * self.tx_bytes - PROBE_MSG_GAS
    }
}

/// One transaction measured on the node and on the devnet twin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealGasRow {
    pub call: String,
    /// Messages the call delivers (0 if it delivers none).
    pub messages: u64,
    /// The node's `gas_used`.
    pub gas_used: u64,
    /// The signed transaction as the node has it.
    pub tx_bytes: u64,
    /// The devnet's gas for the message: every contract call of the transaction
    /// (`TxOutcome::gas_used`), or `Chain::store_code_gas` for a store.
    pub model_contract: u64,
    /// The transaction bytes `ccmp_bench::tx` computes for the call.
    pub model_tx_bytes: u64,
}

/// `bench/real_gas.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealGas {
    /// The node's version (`wasmd version`) and what it ran on.
    pub node: String,
    pub chain_id: String,
    /// The gas limit of every transaction.
    pub gas_limit: u64,
    /// The probes: the signer's first transaction (which also writes its public key to
    /// its account), the second (the fixed part is this one's) and one after the measured
    /// calls.
    pub probes: Vec<Probe>,
    pub rows: Vec<RealGasRow>,
}

impl RealGas {
    /// The ante handler's fixed work as measured: the second probe's (a signer whose
    /// public key is on chain already, as a relayer's is).
    pub fn ante_fixed(&self) -> u64 {
        self.probes.get(1).map_or(0, Probe::ante_fixed)
    }
}

impl RealGasRow {
    /// The node's transaction costs: the bytes and the measured fixed work.
    pub fn real_tx(&self, ante_fixed: u64) -> u64 {
        tx::TX_SIZE_COST_PER_BYTE * self.tx_bytes + ante_fixed
    }

    /// The node's contract part: `gas_used` less the transaction's costs.
    pub fn real_contract(&self, ante_fixed: u64) -> i64 {
        self.gas_used as i64 - self.real_tx(ante_fixed) as i64
    }

    /// The model's transaction costs: its bytes and [`tx::ante_fixed_gas`].
    pub fn model_tx(&self) -> u64 {
        tx::TX_SIZE_COST_PER_BYTE * self.model_tx_bytes + tx::ante_fixed_gas()
    }

    pub fn model_total(&self) -> u64 {
        self.model_contract + self.model_tx()
    }
}

/// `(model − real) / real` in percent.
pub fn difference(model: i64, real: i64) -> f64 {
    if real == 0 {
        return 0.0;
    }
    (model - real) as f64 * 100.0 / real as f64
}
