//! What a call costs as a whole transaction on a chain, beyond the contract's own gas:
//! the bytes of a signed transaction carrying it and the ante handler's fixed work.
//!
//! **Transaction bytes.** A call is one `MsgExecuteContract` in a `TxRaw` signed by one
//! secp256k1 key in `SIGN_MODE_DIRECT`. Its size is computed field by field from the
//! protobuf definitions (cosmos-sdk `proto/cosmos/tx/v1beta1/tx.proto`,
//! wasmd `proto/cosmwasm/wasm/v1/tx.proto`): every length-delimited field costs its tag (one
//! byte for field numbers below 16), the varint of its length and its bytes; empty fields
//! (memo, timeout height, funds, fee payer and granter, extension options) are not encoded.
//! [`tx_bytes`] is exact for the assumptions in [`Envelope`]; the JSON execute message is
//! the contract message's exact bytes (`msg` is a `bytes` field: JSON, not base64).
//!
//! **Ante handler.** The SDK charges `TxSizeCostPerByte` (10, x/auth/types/params.go) per
//! byte of `TxRaw` in `ConsumeGasForTxSizeDecorator`, and the decorators of the stock
//! `NewAnteHandler` (x/auth/ante/ante.go, SDK v0.50) read and write the signer's account,
//! the auth params and the fee balances through the gas-metered KV store, plus
//! `SigVerifyCostSecp256k1` (1,000) for the signature. [`ANTE_FIXED`] lists that work with
//! the SDK's default `KVGasConfig` (read 1,000 + 3/byte, write 2,000 + 30/byte, has 1,000)
//! and estimated record sizes, wasmd's tx counter and circuit-breaker decorators, and the
//! rest of what a wasmd v0.61.14 node was measured to charge (`scripts/real-gas-bench.sh`,
//! `crate::realgas`), which this list does not itemize. Fee markets and other chains'
//! decorators are not in it.

/// `TxSizeCostPerByte`, the SDK default (x/auth/types/params.go).
pub const TX_SIZE_COST_PER_BYTE: u64 = 10;

/// `SigVerifyCostSecp256k1`, the SDK default (x/auth/types/params.go).
pub const SIG_VERIFY_COST_SECP256K1: u64 = 1_000;

/// The SDK's default `KVGasConfig` (store/types/gas.go), as `ccmp-devnet` charges it.
const READ_FLAT: u64 = 1_000;
const READ_PER_BYTE: u64 = 3;
const WRITE_FLAT: u64 = 2_000;
const WRITE_PER_BYTE: u64 = 30;
const HAS: u64 = 1_000;

/// Estimated store records the ante handler touches (key, value bytes).
/// The auth params: collections item key (1 byte), the `Params` message with the SDK
/// defaults (max memo 256, sig limit 7, size cost 10, Ed25519 590, secp256k1 1,000).
const PARAMS: (u64, u64) = (1, 13);
/// A `BaseAccount` with a secp256k1 key, as an `Any`: key prefix and 20-byte address with
/// its length (22), value: type URL (32) + bech32 address (43) + the key's `Any` (70) +
/// account number and sequence (3 bytes each), with tags and lengths: 161 bytes.
const ACCOUNT: (u64, u64) = (22, 161);
/// The fee collector `ModuleAccount` (name and a base account without key).
const MODULE_ACCOUNT: (u64, u64) = (22, 120);
/// A balance: prefix, address length, 20-byte address and a 5-byte denom; the amount as a
/// decimal string.
const BALANCE: (u64, u64) = (27, 10);

const fn read((key, value): (u64, u64)) -> u64 {
    READ_FLAT + READ_PER_BYTE * (key + value)
}

const fn write((key, value): (u64, u64)) -> u64 {
    WRITE_FLAT + WRITE_PER_BYTE * (key + value)
}

/// The ante handler's fixed work for one signer, decorator by decorator (SDK v0.50
/// x/auth/ante), in SDK gas. `ConsumeGasForTxSize`'s per-byte part is not here: it is
/// [`TX_SIZE_COST_PER_BYTE`] times [`tx_bytes`].
pub const ANTE_FIXED: &[(&str, u64)] = &[
    ("ValidateMemo: auth params", read(PARAMS)),
    ("ConsumeGasForTxSize: auth params", read(PARAMS)),
    ("DeductFee: fee payer account", read(ACCOUNT)),
    (
        "DeductFee: fee collector module account",
        read(MODULE_ACCOUNT),
    ),
    ("DeductFee: payer's locked coins (account)", read(ACCOUNT)),
    (
        "DeductFee: payer balance read + write",
        read(BALANCE) + write(BALANCE),
    ),
    (
        "DeductFee: collector balance read + write",
        read(BALANCE) + write(BALANCE),
    ),
    ("DeductFee: collector account exists", HAS),
    ("SetPubKey: signer account (key already set)", read(ACCOUNT)),
    ("ValidateSigCount: auth params", read(PARAMS)),
    ("SigGasConsume: auth params", read(PARAMS)),
    ("SigGasConsume: signer account", read(ACCOUNT)),
    (
        "SigGasConsume: SigVerifyCostSecp256k1",
        SIG_VERIFY_COST_SECP256K1,
    ),
    ("SigVerification: signer account", read(ACCOUNT)),
    (
        "IncrementSequence: signer account read + write",
        read(ACCOUNT) + write(ACCOUNT),
    ),
    (
        "wasmd CountTX: the block's tx counter read + write",
        read(TX_COUNTER) + write(TX_COUNTER),
    ),
    ("CircuitBreaker: message type disabled?", HAS),
    (
        "measured on wasmd v0.61.14 (SDK v0.53.6), not itemized",
        UNITEMIZED,
    ),
];

/// wasmd's `TXCounterPrefix` (0x08) and the block height and counter, 8 bytes each
/// (x/wasm/keeper/ante.go `CountTXDecorator`).
const TX_COUNTER: (u64, u64) = (1, 16);

/// What a real node's ante handler charges beyond the entries above: the fixed part
/// `scripts/real-gas-bench.sh` measured (48,642 for a signer whose key is on chain: see
/// `crate::realgas`) less their sum. The store records of SDK v0.53 are larger, or read
/// more often, than the v0.50 estimate assumes; which ones is not known from `gas_used`.
const UNITEMIZED: u64 = 11_261;

/// The sum of [`ANTE_FIXED`].
pub fn ante_fixed_gas() -> u64 {
    ANTE_FIXED.iter().map(|(_, gas)| gas).sum()
}

/// The parts of the signed transaction around the JSON execute message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The signer's bech32 address (`MsgExecuteContract.sender`).
    pub sender_len: u64,
    /// The contract's bech32 address (`MsgExecuteContract.contract`).
    pub contract_len: u64,
    /// Coins attached (`funds`): each `Coin { denom, amount }` by its string lengths.
    pub funds: Vec<(u64, u64)>,
}

/// `/cosmwasm.wasm.v1.MsgExecuteContract`
const MSG_TYPE_URL_LEN: u64 = 36;
/// `/cosmos.crypto.secp256k1.PubKey`
const PUBKEY_TYPE_URL_LEN: u64 = 31;
/// A compressed secp256k1 key.
const PUBKEY_LEN: u64 = 33;
/// r || s.
const SIGNATURE_LEN: u64 = 64;
/// The signer's sequence as a varint: below 2^21 (three bytes).
const SEQUENCE_VARINT_LEN: u64 = 3;
/// The fee: one coin of a 5-byte denom (`uosmo`), a 6-digit amount, and a gas limit below
/// 2^28 (four varint bytes: a batch's receiver limits are tens of millions).
const FEE_DENOM_LEN: u64 = 5;
const FEE_AMOUNT_LEN: u64 = 6;
const GAS_LIMIT_VARINT_LEN: u64 = 4;

/// Bytes of a protobuf varint.
pub fn varint_len(mut value: u64) -> u64 {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

/// A length-delimited field of `len` bytes with a field number below 16.
fn field(len: u64) -> u64 {
    1 + varint_len(len) + len
}

/// A varint field with a field number below 16.
fn varint_field(varint_len: u64) -> u64 {
    1 + varint_len
}

impl Envelope {
    /// The `TxRaw` bytes carrying a JSON execute message of `msg_len` bytes.
    pub fn tx_bytes(&self, msg_len: u64) -> u64 {
        let coins: u64 = self
            .funds
            .iter()
            .map(|&(denom, amount)| field(field(denom) + field(amount)))
            .sum();
        let execute = field(self.sender_len) + field(self.contract_len) + field(msg_len) + coins;
        signed_tx_bytes(MSG_TYPE_URL_LEN, execute)
    }

    /// Everything in [`Envelope::tx_bytes`] but the JSON message itself.
    pub fn overhead(&self, msg_len: u64) -> u64 {
        self.tx_bytes(msg_len) - msg_len
    }
}

/// `/cosmwasm.wasm.v1.MsgStoreCode`
const STORE_CODE_TYPE_URL_LEN: u64 = 30;
/// `/cosmwasm.wasm.v1.MsgInstantiateContract`
const INSTANTIATE_TYPE_URL_LEN: u64 = 40;

/// The `TxRaw` bytes of a `MsgStoreCode { sender, wasm_byte_code }` (no instantiate
/// permission), the same envelope as [`Envelope::tx_bytes`].
pub fn store_code_tx_bytes(sender_len: u64, wasm_len: u64) -> u64 {
    signed_tx_bytes(STORE_CODE_TYPE_URL_LEN, field(sender_len) + field(wasm_len))
}

/// The `TxRaw` bytes of a `MsgInstantiateContract { sender, code_id, label, msg }` (no
/// admin, no funds), the same envelope as [`Envelope::tx_bytes`].
pub fn instantiate_tx_bytes(sender_len: u64, code_id: u64, label_len: u64, msg_len: u64) -> u64 {
    let instantiate =
        field(sender_len) + varint_field(varint_len(code_id)) + field(label_len) + field(msg_len);
    signed_tx_bytes(INSTANTIATE_TYPE_URL_LEN, instantiate)
}

/// A `TxRaw` carrying one message of `msg_len` encoded bytes whose `Any` type URL is
/// `type_url_len` bytes: the body, one secp256k1 signer and the fee described above.
fn signed_tx_bytes(type_url_len: u64, msg_len: u64) -> u64 {
    let any = field(type_url_len) + field(msg_len);
    // TxBody { messages: [Any] } (memo, timeout height and extensions empty).
    let body = field(any);
    let pubkey = field(PUBKEY_TYPE_URL_LEN) + field(field(PUBKEY_LEN));
    // ModeInfo { single: { mode: SIGN_MODE_DIRECT (1) } }
    let mode_info = field(varint_field(1));
    let signer_info = field(pubkey) + field(mode_info) + varint_field(SEQUENCE_VARINT_LEN);
    let coin = field(field(FEE_DENOM_LEN) + field(FEE_AMOUNT_LEN));
    let fee = coin + varint_field(GAS_LIMIT_VARINT_LEN);
    let auth_info = field(signer_info) + field(fee);
    // TxRaw { body_bytes, auth_info_bytes, signatures: [64 bytes] }
    field(body) + field(auth_info) + field(SIGNATURE_LEN)
}

/// The whole transaction's gas for a contract call that charged `contract_gas` and is
/// carried in `tx_bytes`: the contract's gas, [`TX_SIZE_COST_PER_BYTE`] per byte and
/// [`ante_fixed_gas`]. (The contract's instance cost and any receivers' gas come on top.)
pub fn whole_tx_gas(contract_gas: u64, tx_bytes: u64) -> u64 {
    contract_gas + TX_SIZE_COST_PER_BYTE * tx_bytes + ante_fixed_gas()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(127), 1);
        assert_eq!(varint_len(128), 2);
        assert_eq!(varint_len(16_383), 2);
        assert_eq!(varint_len(16_384), 3);
        assert_eq!(varint_len(u64::MAX), 10);
    }

    /// The envelope counted by hand for a 43-byte sender, a 63-byte contract and a
    /// 100-byte message, no funds.
    #[test]
    fn envelope_by_hand() {
        let envelope = Envelope {
            sender_len: 43,
            contract_len: 63,
            funds: vec![],
        };
        // MsgExecuteContract: (1+1+43) + (1+1+63) + (1+1+100) = 212
        // Any: (1+1+36) + (1+2+212) = 253; TxBody: 1+2+253 = 256
        // PubKey Any: (1+1+31) + (1+1+(1+1+33)) = 70
        // SignerInfo: (1+1+70) + (1+1+(1+1+(1+1))) + (1+3) = 82
        // Fee: (1+1+(1+1+5 + 1+1+6)) + (1+4) = 22; AuthInfo: (1+1+82) + (1+1+22) = 108
        // TxRaw: (1+2+256) + (1+1+108) + (1+1+64) = 435
        assert_eq!(envelope.tx_bytes(100), 435);
        assert_eq!(envelope.overhead(100), 335);
        // A message of 128 bytes or more needs a two-byte length, and so on up.
        assert_eq!(envelope.tx_bytes(128) - envelope.tx_bytes(127), 2);
        let with_fee = Envelope {
            funds: vec![(5, 3)],
            ..envelope.clone()
        };
        assert_eq!(with_fee.tx_bytes(100) - envelope.tx_bytes(100), 14);
    }

    #[test]
    fn ante_fixed_adds_up() {
        assert_eq!(read(PARAMS), 1_042);
        assert_eq!(read(ACCOUNT), 1_549);
        assert_eq!(write(ACCOUNT), 7_490);
        // The SDK v0.50 estimate, wasmd's decorators and the measured rest.
        assert_eq!(ante_fixed_gas(), 32_820 + 3_561 + 1_000 + 11_261);
        assert_eq!(ante_fixed_gas(), 48_642);
        assert_eq!(whole_tx_gas(1_000, 100), 1_000 + 1_000 + 48_642);
    }
}
