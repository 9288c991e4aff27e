//! Bech32 addresses as a Cosmos SDK chain makes and checks them.

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Hrp};
use sha2::{Digest, Sha256};

/// The SDK's `VerifyAddressFormat` limit (types/address.go `MaxAddrLen`).
const MAX_ADDRESS_LEN: usize = 255;

/// Encodes `bytes` as a bech32 address with `prefix`.
pub fn encode(prefix: &str, bytes: &[u8]) -> Result<String, String> {
    let hrp = Hrp::parse(prefix).map_err(|e| format!("invalid bech32 prefix {prefix:?}: {e}"))?;
    bech32::encode::<Bech32>(hrp, bytes).map_err(|e| format!("cannot encode address: {e}"))
}

/// Decodes a bech32 (not bech32m) address that must carry `prefix`, as the SDK's
/// `AccAddressFromBech32` does: the error messages follow the SDK's.
pub fn decode(prefix: &str, address: &str) -> Result<Vec<u8>, String> {
    if address.trim().is_empty() {
        return Err("empty address string is not allowed".to_string());
    }
    let checked = CheckedHrpstring::new::<Bech32>(address)
        .map_err(|e| format!("decoding bech32 failed: {e}"))?;
    let hrp = checked.hrp();
    if !hrp.as_str().eq_ignore_ascii_case(prefix) {
        return Err(format!(
            "invalid Bech32 prefix; expected {prefix}, got {}",
            hrp.as_str()
        ));
    }
    let bytes: Vec<u8> = checked.byte_iter().collect();
    verify_length(&bytes)?;
    Ok(bytes)
}

/// The SDK's `VerifyAddressFormat` with no custom verifier.
pub fn verify_length(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("addresses cannot be empty: unknown address".to_string());
    }
    if bytes.len() > MAX_ADDRESS_LEN {
        return Err(format!(
            "address max length is {MAX_ADDRESS_LEN}, got {}: unknown address",
            bytes.len()
        ));
    }
    Ok(())
}

/// A signer account's 20 bytes, derived from a name: the first 20 bytes of SHA-256(name).
pub fn account_bytes(name: &str) -> Vec<u8> {
    Sha256::digest(name.as_bytes())[..20].to_vec()
}

/// wasmd's `BuildContractAddressClassic(codeID, instanceID)` (x/wasm/keeper/addresses.go):
/// the SDK's `address.Module("wasm", codeID || instanceID)`, that is
/// SHA-256(SHA-256("module") || "wasm" || 0x00 || code id (8 bytes BE) || instance id (8 bytes BE)).
pub fn classic_contract_bytes(code_id: u64, instance_id: u64) -> Vec<u8> {
    let type_hash = Sha256::digest(b"module");
    let mut hasher = Sha256::new();
    hasher.update(type_hash);
    hasher.update(b"wasm\x00");
    hasher.update(code_id.to_be_bytes());
    hasher.update(instance_id.to_be_bytes());
    hasher.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_contract_address_matches_wasmd() {
        // wasmd's well-known address of code 1, instance 1 on a "wasm" chain.
        let bytes = classic_contract_bytes(1, 1);
        assert_eq!(
            encode("wasm", &bytes).unwrap(),
            "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d"
        );
    }

    #[test]
    fn decode_checks_prefix_checksum_and_length() {
        let address = encode("neutron", &account_bytes("alice")).unwrap();
        assert_eq!(decode("neutron", &address).unwrap(), account_bytes("alice"));
        assert_eq!(
            decode("osmo", &address).unwrap_err(),
            "invalid Bech32 prefix; expected osmo, got neutron"
        );
        let mut broken = address.clone();
        broken.pop();
        broken.push(if address.ends_with('q') { 'p' } else { 'q' });
        assert!(decode("neutron", &broken)
            .unwrap_err()
            .starts_with("decoding bech32 failed"));
        assert_eq!(
            decode("neutron", "").unwrap_err(),
            "empty address string is not allowed"
        );
    }
}
