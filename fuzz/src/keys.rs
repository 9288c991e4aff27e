//! A pool of attester keys whose fate under `AttesterSet::validate` is known: real test keys
//! from `ccmp-signer` (secp256k1 in both SEC1 forms, Ed25519) and every key the vectors say
//! a set must refuse, plus malformed lengths and prefixes. The attester_set target builds
//! sets from it and compares `validate` with a model of PROTOCOL.md §4.

use ccmp_signer::AttesterKey;
use ccmp_types::PubKey;
use cosmwasm_std::Binary;

pub struct PoolKey {
    pub pubkey: PubKey,
    /// Whether §4 admits this key on its own.
    pub valid: bool,
    /// Which attester it is: two pool keys with the same identity are the same point.
    pub identity: usize,
}

/// Test key `n` of `ccmp-signer`, and its secp256k1 key uncompressed (65 bytes).
fn secp256k1_forms(n: u32) -> (PubKey, PubKey) {
    let key = AttesterKey::test_key(n, false);
    let compressed = key.pubkey();
    let AttesterKey::Secp256k1(signing) = &key else {
        unreachable!("test_key(_, false) is secp256k1")
    };
    let uncompressed = signing.verifying_key().to_encoded_point(false);
    (
        compressed,
        PubKey::Secp256k1(Binary::new(uncompressed.as_bytes().to_vec())),
    )
}

fn hex_list(name: &str) -> Vec<Vec<u8>> {
    crate::vectors()["invalid_keys"][name]
        .as_array()
        .expect("invalid_keys lists")
        .iter()
        .map(|hex| hex::decode(hex.as_str().expect("hex string")).expect("hex"))
        .collect()
}

pub fn pool() -> &'static [PoolKey] {
    static POOL: std::sync::OnceLock<Vec<PoolKey>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let mut pool = Vec::new();
        let mut identity = 0;
        let mut push = |pool: &mut Vec<PoolKey>, pubkey, valid, same_as_previous: bool| {
            if !same_as_previous {
                identity += 1;
            }
            pool.push(PoolKey {
                pubkey,
                valid,
                identity,
            });
        };
        for n in 0..6 {
            let (compressed, uncompressed) = secp256k1_forms(n);
            push(&mut pool, compressed, true, false);
            push(&mut pool, uncompressed, true, true);
            push(
                &mut pool,
                AttesterKey::test_key(n, true).pubkey(),
                true,
                false,
            );
        }
        // Canonical, not of small order, and (most likely) no point: admitted, documented.
        push(
            &mut pool,
            PubKey::Ed25519(Binary::new(vec![2; 32])),
            true,
            false,
        );
        for key in hex_list("ed25519_small_order_hex")
            .into_iter()
            .chain(hex_list("ed25519_non_canonical_hex"))
        {
            push(&mut pool, PubKey::Ed25519(Binary::new(key)), false, false);
        }
        for key in hex_list("secp256k1_invalid_hex") {
            push(&mut pool, PubKey::Secp256k1(Binary::new(key)), false, false);
        }
        let (compressed, uncompressed) = secp256k1_forms(0);
        let malformed = [
            PubKey::Ed25519(Binary::new(vec![7; 31])),
            PubKey::Ed25519(Binary::new(compressed.bytes().to_vec())),
            PubKey::Ed25519(Binary::new(vec![])),
            PubKey::Secp256k1(Binary::new(compressed.bytes()[1..].to_vec())),
            PubKey::Secp256k1(Binary::new([compressed.bytes(), &[0]].concat())),
            PubKey::Secp256k1(Binary::new(uncompressed.bytes()[..33].to_vec())),
            PubKey::Secp256k1(Binary::new(
                [&[0x04], &compressed.bytes()[1..], &compressed.bytes()[1..]].concat(),
            )),
            PubKey::Secp256k1(Binary::new(vec![])),
        ];
        for key in malformed {
            push(&mut pool, key, false, false);
        }
        pool
    })
}
