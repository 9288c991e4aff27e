//! Attester sets (PROTOCOL.md §4). On the same input bytes:
//! - `AttesterSet::from_bytes`: never panics; what it accepts `to_bytes` gives back exactly.
//! - the JSON form (`from_json`): `validate(&MockApi)` never panics and, when it accepts,
//!   the set keeps every rule of §4 (1 to 100 attesters, well-formed keys, no small-order
//!   Ed25519 key, one point once, non-zero weights, total/2 < threshold <= total, total
//!   returned); the byte form round-trips.
//! - a set built from a pool of keys of known fate (real `ccmp-signer` keys in both SEC1
//!   forms, every invalid key of the vectors, malformed ones) with arbitrary weights and
//!   threshold: `validate` agrees with a model of §4, and returns the total weight.
#![no_main]

use arbitrary::Unstructured;
use ccmp_fuzz::keys::pool;
use ccmp_types::{Attester, AttesterSet, AttesterSetError, PubKey, MAX_ATTESTERS};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{from_json, to_json_vec};
use libfuzzer_sys::fuzz_target;

/// The rules `validate` must have checked when it accepted `set` with `total`.
fn check_accepted(set: &AttesterSet, total: u64) {
    assert!(!set.attesters.is_empty() && set.attesters.len() <= MAX_ATTESTERS);
    let mut sum: u64 = 0;
    for attester in &set.attesters {
        assert!(attester.weight > 0, "zero weight accepted");
        sum = sum
            .checked_add(attester.weight)
            .expect("weights overflow, yet accepted");
        let key = attester.pubkey.bytes();
        match &attester.pubkey {
            PubKey::Secp256k1(_) => assert!(
                (key.len() == 33 && matches!(key[0], 2 | 3)) || (key.len() == 65 && key[0] == 4),
                "malformed secp256k1 key accepted: {key:02x?}"
            ),
            PubKey::Ed25519(_) => {
                assert_eq!(key.len(), 32, "malformed ed25519 key accepted");
                let small_order = &ccmp_fuzz::vectors()["invalid_keys"]["ed25519_small_order_hex"];
                assert!(
                    !small_order
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k.as_str() == Some(&hex::encode(key))),
                    "small-order ed25519 key accepted: {}",
                    hex::encode(key)
                );
            }
        }
    }
    assert_eq!(total, sum, "validate's total is not the sum of the weights");
    assert!(
        set.threshold > total / 2 && set.threshold <= total,
        "threshold out of range"
    );
    // One point once: the same x in two SEC1 forms of one parity is one secp256k1 key.
    let identity = |a: &Attester| match &a.pubkey {
        PubKey::Secp256k1(k) if k.len() == 33 => (1, k[1..33].to_vec(), k[0] & 1),
        PubKey::Secp256k1(k) => (1, k[1..33].to_vec(), k[64] & 1),
        PubKey::Ed25519(k) => (2, k.to_vec(), 0),
    };
    for (i, a) in set.attesters.iter().enumerate() {
        for b in &set.attesters[..i] {
            assert!(identity(a) != identity(b), "one key listed twice accepted");
        }
    }
}

fn check_any(api: &MockApi, set: &AttesterSet) {
    check_result(set, set.validate(api));
}

fn check_result(set: &AttesterSet, result: Result<u64, AttesterSetError>) {
    if let Ok(total) = result {
        check_accepted(set, total);
    }
    if let Ok(bytes) = set.to_bytes() {
        let back = AttesterSet::from_bytes(&bytes).expect("to_bytes output decodes");
        assert_eq!(&back, set, "byte form round trip");
    }
}

fuzz_target!(|data: &[u8]| {
    let api = MockApi::default();
    if let Ok(set) = AttesterSet::from_bytes(data) {
        assert_eq!(
            set.to_bytes().expect("a decoded set encodes"),
            data,
            "to_bytes(from_bytes(x)) != x"
        );
        check_any(&api, &set);
    }
    if let Ok(set) = from_json::<AttesterSet>(data) {
        check_any(&api, &set);
        let json = to_json_vec(&set).expect("JSON");
        assert_eq!(
            from_json::<AttesterSet>(&json).expect("its JSON parses"),
            set
        );
    }

    // A set of pool keys, whose fate the model knows.
    let mut u = Unstructured::new(data);
    // Mostly small sets (each secp256k1 key costs a host call), now and then up to 102.
    let Ok(count) = (match u.ratio(15, 16) {
        Ok(true) => u.int_in_range(0..=8),
        _ => u.int_in_range(0..=MAX_ATTESTERS + 2),
    }) else {
        return;
    };
    let keys = pool();
    let mut attesters = Vec::new();
    let mut picked = Vec::new();
    for _ in 0..count {
        let (Ok(key), Ok(small), Ok(weight)) =
            (u.choose(keys), u.ratio(7, 8), u.arbitrary::<u64>())
        else {
            break;
        };
        let weight = if small { weight % 5 } else { weight };
        picked.push(key);
        attesters.push(Attester {
            pubkey: key.pubkey.clone(),
            weight,
        });
    }
    let threshold = match u.arbitrary::<u64>() {
        Ok(t) if u.ratio(3, 4).unwrap_or(true) => t % 24,
        Ok(t) => t,
        Err(_) => 1,
    };
    let set = AttesterSet {
        attesters,
        threshold,
    };
    let mut expected: Option<u64> = None;
    let n = set.attesters.len();
    if (1..=MAX_ATTESTERS).contains(&n)
        && picked.iter().all(|k| k.valid)
        && set.attesters.iter().all(|a| a.weight > 0)
        && (0..n).all(|i| (0..i).all(|j| picked[i].identity != picked[j].identity))
    {
        if let Some(total) = set
            .attesters
            .iter()
            .try_fold(0u64, |t, a| t.checked_add(a.weight))
        {
            if threshold > total / 2 && threshold <= total {
                expected = Some(total);
            }
        }
    }
    let result = set.validate(&api);
    assert_eq!(
        result.as_ref().ok().copied(),
        expected,
        "validate disagrees with §4: {result:?} for {set:?}"
    );
    check_result(&set, result);
});
