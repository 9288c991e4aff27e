//! Writes the seed corpora (fuzz/corpus/<target>/) from the vectors and the inbox harness's
//! world: `cargo run --example write_seeds` in fuzz/. Deterministic (the test keys sign
//! deterministically), so a re-run rewrites the same files.

use std::fs;
use std::path::Path;

use ccmp_fuzz::inbox::{self, control, world, LANE_A};
use ccmp_types::AttesterSet;
use cosmwasm_std::to_json_vec;

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    fs::create_dir_all(&dir).expect("corpus dir");
    fs::write(dir.join(name), bytes).expect("seed written");
}

/// Deterministic filler for the `arbitrary`-structured targets (xorshift).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn main() {
    let vectors = ccmp_fuzz::vectors();
    let world = world();

    for (i, message) in vectors["messages"].as_array().unwrap().iter().enumerate() {
        let bytes = hex::decode(message["encoded_hex"].as_str().unwrap()).unwrap();
        write("message_decode", &format!("vector_{i}"), &bytes);
    }
    for nonce in [7usize, 9] {
        let bytes = world.lanes[LANE_A].messages[nonce].encode().unwrap();
        write("message_decode", &format!("lane_{nonce}"), &bytes);
    }

    for target in ["inclusion", "consistency", "multiproof"] {
        for (i, len) in [64usize, 256, 1024].into_iter().enumerate() {
            write(target, &format!("noise_{i}"), &noise(i as u64 + 1, len));
        }
    }

    for (i, set) in world.sets.iter().enumerate().take(4) {
        write(
            "attester_set",
            &format!("bytes_{i}"),
            &set.to_bytes().unwrap(),
        );
        write(
            "attester_set",
            &format!("json_{i}"),
            &to_json_vec(set).unwrap(),
        );
    }
    let vector_set: AttesterSet = serde_json::from_value(serde_json::json!({
        "attesters": vectors["attester_set"]["attesters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let key = cosmwasm_std::Binary::new(hex::decode(a["pubkey_hex"].as_str().unwrap()).unwrap());
                let mut pubkey = serde_json::Map::new();
                pubkey.insert(a["key_type"].as_str().unwrap().into(), serde_json::json!(key));
                serde_json::json!({ "pubkey": pubkey, "weight": a["weight"] })
            })
            .collect::<Vec<_>>(),
        "threshold": vectors["attester_set"]["threshold"],
    }))
    .unwrap();
    write(
        "attester_set",
        "vector_json",
        &to_json_vec(&vector_set).unwrap(),
    );
    write("attester_set", "noise", &noise(9, 256));

    for (name, control, msg) in inbox::seed_messages(world) {
        let mut bytes = vec![control];
        bytes.extend(serde_json::to_vec(&msg).unwrap());
        write("inbox_execute", name, &bytes);
    }
    for state in 0..4u8 {
        let mut bytes = vec![control(state % 2 == 0, state, true, false)];
        bytes.extend(noise(100 + u64::from(state), 512));
        write(
            "inbox_execute",
            &format!("structured_{}", world.states[state as usize].name),
            &bytes,
        );
    }
}
