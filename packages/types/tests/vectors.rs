//! Every hash, digest, proof and signature of the spec's `vectors.json`, reproduced exactly
//! through the public API of `ccmp-types` (PROTOCOL.md: "the project's tests must reproduce
//! all of them").

mod common;

use ccmp_types::{
    append_to_frontier, checkpoint_digest, consistency_proof, inclusion_proof, leaf_hash, root,
    sha256, verify_consistency, verify_inclusion, Checkpoint, Frontier, Hash, MerkleError, Message,
    PubKey, EMPTY_ROOT,
};
use common::*;
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::HexBinary;
use serde_json::Value;

fn tree() -> &'static Value {
    section("tree")
}

fn tree_leaves() -> Vec<Hash> {
    hashes(at(tree(), &["leaf_hashes_hex"]))
}

fn tree_roots() -> Vec<Hash> {
    hashes(at(tree(), &["roots_hex"]))
}

fn checkpoint_digest_of(checkpoint: &Value) -> Hash {
    checkpoint_digest(
        str_of(checkpoint, "source_chain"),
        str_of(checkpoint, "source_outbox"),
        str_of(checkpoint, "destination_chain"),
        u64_of(checkpoint, "size"),
        &hash(at(checkpoint, &["root_hex"])),
    )
    .unwrap()
}

fn checkpoint_struct_digest(checkpoint: &Value) -> Hash {
    Checkpoint {
        source_chain: str_of(checkpoint, "source_chain").to_string(),
        size: u64_of(checkpoint, "size"),
        root: HexBinary::from(hex_bytes(at(checkpoint, &["root_hex"]))),
    }
    .digest(
        str_of(checkpoint, "source_outbox"),
        str_of(checkpoint, "destination_chain"),
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------
// The committed copy is the spec's copy.
// ---------------------------------------------------------------------------------------

#[test]
fn in_repo_copy_matches_the_shared_spec() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/spec/vectors.json"
    );
    match std::fs::read(shared) {
        Ok(bytes) => assert!(
            bytes == VECTORS_JSON.as_bytes(),
            "tests/data/vectors.json differs from {shared}: copy the spec's vectors again"
        ),
        Err(err) => eprintln!("note: {shared} not readable ({err}); skipping the copy check"),
    }
}

#[test]
fn vectors_have_every_section() {
    for name in [
        "messages",
        "tree",
        "checkpoint",
        "attester_set",
        "keys",
        "lane",
    ] {
        section(name);
    }
    assert_eq!(array_of(vectors(), "messages").len(), 4);
}

// ---------------------------------------------------------------------------------------
// messages: encoding, id, decoding
// ---------------------------------------------------------------------------------------

#[test]
fn messages_encode_to_the_vector_bytes_and_ids() {
    let entries = array_of(vectors(), "messages");
    assert!(!entries.is_empty());
    for (i, entry) in entries.iter().enumerate() {
        let message = message(at(entry, &["message"]));
        let encoded = hex_bytes(at(entry, &["encoded_hex"]));
        let id = hash(at(entry, &["id_hex"]));

        message.validate().unwrap();
        assert_eq!(
            hex::encode(message.encode().unwrap()),
            hex::encode(&encoded),
            "messages[{i}] encoding"
        );
        assert_eq!(message.message_id().unwrap(), id, "messages[{i}] id");
        assert_eq!(
            message.encode_with_id().unwrap(),
            (encoded.clone(), id),
            "messages[{i}] encode_with_id"
        );
        // The id is the RFC 6962 leaf hash of the encoding.
        assert_eq!(leaf_hash(&encoded), id, "messages[{i}] leaf hash");
        let mut preimage = vec![0x00];
        preimage.extend_from_slice(&encoded);
        assert_eq!(
            sha256(&preimage),
            id,
            "messages[{i}] SHA-256(0x00 || bytes)"
        );

        let decoded = Message::decode(&encoded).unwrap();
        assert_eq!(decoded, message, "messages[{i}] decode");
        assert_eq!(
            decoded.encode().unwrap(),
            encoded,
            "messages[{i}] re-encode"
        );

        // The JSON form round-trips too.
        let json = cosmwasm_std::to_json_vec(&message).unwrap();
        assert_eq!(
            cosmwasm_std::from_json::<Message>(&json).unwrap(),
            message,
            "messages[{i}] JSON"
        );
    }
}

#[test]
fn message_vectors_cover_the_edge_cases() {
    // The vectors are only as good as what they exercise: no timeout, a timeout, u64::MAX
    // nonce, timeout 1, a non-ASCII chain id and an empty body must all be among them.
    let messages: Vec<Message> = array_of(vectors(), "messages")
        .iter()
        .map(|entry| message(at(entry, &["message"])))
        .collect();
    assert!(messages.iter().any(|m| m.timeout_timestamp.is_none()));
    assert!(messages.iter().any(|m| m.nonce == u64::MAX));
    assert!(messages.iter().any(|m| m.timeout_nanos() == 1));
    assert!(messages.iter().any(|m| !m.source_chain.is_ascii()));
    assert!(messages.iter().any(|m| m.body.is_empty()));
}

#[test]
fn first_message_vector_byte_layout() {
    // The layout of §2 spelled out for the first vector, independent of `encode`.
    let entry = &array_of(vectors(), "messages")[0];
    let message = message(at(entry, &["message"]));
    let mut expected = vec![1u8];
    expected.extend_from_slice(&message.nonce.to_be_bytes());
    for field in [
        &message.source_chain,
        &message.sender,
        &message.destination_chain,
        &message.recipient,
    ] {
        expected.extend_from_slice(&(field.len() as u16).to_be_bytes());
        expected.extend_from_slice(field.as_bytes());
    }
    expected.extend_from_slice(&message.timeout_nanos().to_be_bytes());
    expected.extend_from_slice(&(message.body.len() as u32).to_be_bytes());
    expected.extend_from_slice(&message.body);
    assert_eq!(expected, hex_bytes(at(entry, &["encoded_hex"])));
}

// ---------------------------------------------------------------------------------------
// tree: roots, frontier, inclusion and consistency proofs
// ---------------------------------------------------------------------------------------

#[test]
fn tree_leaves_are_the_documented_leaf_hashes() {
    let leaves = tree_leaves();
    assert_eq!(leaves.len(), 33);
    for (i, leaf) in leaves.iter().enumerate() {
        assert_eq!(*leaf, leaf_hash(format!("leaf-{i}").as_bytes()), "leaf {i}");
    }
}

#[test]
fn tree_roots_at_every_size() {
    let leaves = tree_leaves();
    let roots = tree_roots();
    assert_eq!(roots.len(), leaves.len() + 1);
    assert_eq!(roots[0], EMPTY_ROOT);
    for (n, expected) in roots.iter().enumerate() {
        assert_eq!(
            hex::encode(root(&leaves[..n])),
            hex::encode(expected),
            "root of the first {n} leaves"
        );
    }
}

#[test]
fn frontier_roots_at_every_size() {
    let leaves = tree_leaves();
    let roots = tree_roots();
    let mut frontier = Frontier::new();
    assert_eq!(frontier.root(), roots[0]);
    for (i, leaf) in leaves.iter().enumerate() {
        let n = i + 1;
        let pushed = frontier.push(*leaf).unwrap();
        assert_eq!(pushed, roots[n], "push return at size {n}");
        assert_eq!(frontier.root(), roots[n], "frontier root at size {n}");
        assert_eq!(frontier.size(), n as u64);
        assert_eq!(frontier.nodes().len(), n.count_ones() as usize);
        assert_eq!(
            Frontier::from_leaves(&leaves[..n]).unwrap().root(),
            roots[n],
            "from_leaves at size {n}"
        );
    }
}

#[test]
fn append_to_frontier_with_level_storage_matches_the_roots() {
    // A contract's view: one stored node per level, one write per append.
    let leaves = tree_leaves();
    let roots = tree_roots();
    let mut levels: Vec<Option<Hash>> = vec![None; 64];
    for (size, leaf) in leaves.iter().enumerate() {
        let update = append_to_frontier::<MerkleError>(size as u64, *leaf, |level| {
            Ok(levels[level as usize].expect("read of a level the size has no node for"))
        })
        .unwrap();
        assert_eq!(update.size, size as u64 + 1);
        assert_eq!(update.level, (size as u64).trailing_ones());
        assert_eq!(
            update.root,
            roots[size + 1],
            "root after append {}",
            size + 1
        );
        levels[update.level as usize] = Some(update.node);
    }
}

#[test]
fn tree_inclusion_proofs() {
    let leaves = tree_leaves();
    let roots = tree_roots();
    let entries = array_of(tree(), "inclusion");
    // Every (size, index) with 1 <= size <= 17.
    assert_eq!(entries.len(), (1..=17).sum::<usize>());
    for entry in entries {
        let size = u64_of(entry, "size");
        let index = u64_of(entry, "index");
        let expected = hashes(at(entry, &["path_hex"]));
        let proof = inclusion_proof(&leaves[..size as usize], index).unwrap();
        assert_eq!(
            proof.iter().map(hex::encode).collect::<Vec<_>>(),
            expected.iter().map(hex::encode).collect::<Vec<_>>(),
            "inclusion proof of {index} in {size}"
        );
        verify_inclusion(
            &leaves[index as usize],
            index,
            size,
            &expected,
            &roots[size as usize],
        )
        .unwrap_or_else(|err| panic!("inclusion of {index} in {size}: {err}"));
    }
}

#[test]
fn tree_consistency_proofs() {
    let leaves = tree_leaves();
    let roots = tree_roots();
    let entries = array_of(tree(), "consistency");
    // Every (first, second) with 0 <= first <= second and 1 <= second <= 17.
    assert_eq!(
        entries.len(),
        (1..=17).map(|second| second + 1).sum::<usize>()
    );
    for entry in entries {
        let first = u64_of(entry, "first");
        let second = u64_of(entry, "second");
        let expected = hashes(at(entry, &["path_hex"]));
        let proof = consistency_proof(&leaves[..second as usize], first).unwrap();
        assert_eq!(
            proof.iter().map(hex::encode).collect::<Vec<_>>(),
            expected.iter().map(hex::encode).collect::<Vec<_>>(),
            "consistency proof from {first} to {second}"
        );
        verify_consistency(
            first,
            &roots[first as usize],
            second,
            &roots[second as usize],
            &expected,
        )
        .unwrap_or_else(|err| panic!("consistency from {first} to {second}: {err}"));
    }
}

// ---------------------------------------------------------------------------------------
// checkpoint
// ---------------------------------------------------------------------------------------

#[test]
fn checkpoint_digest_matches() {
    let section = section("checkpoint");
    let checkpoint = at(section, &["checkpoint"]);
    let expected = hash(at(section, &["digest_hex"]));
    assert_eq!(
        hex::encode(checkpoint_digest_of(checkpoint)),
        hex::encode(expected)
    );
    assert_eq!(checkpoint_struct_digest(checkpoint), expected);
}

#[test]
fn checkpoint_root_is_the_tree_root_at_its_size() {
    // The checkpoint section certifies the first five leaves of the tree section.
    let checkpoint = at(section("checkpoint"), &["checkpoint"]);
    let size = u64_of(checkpoint, "size") as usize;
    assert_eq!(hash(at(checkpoint, &["root_hex"])), tree_roots()[size]);
}

#[test]
fn checkpoint_signatures_verify_one_by_one() {
    let api = MockApi::default();
    let section = section("checkpoint");
    let digest = hash(at(section, &["digest_hex"]));
    let keys = checkpoint_keys();
    let signatures = signature_bytes(section);
    assert_eq!(keys.len(), 6);
    assert_eq!(signatures.len(), 6);
    for (i, (key, signature)) in keys.iter().zip(&signatures).enumerate() {
        key.verify(&api, &digest, signature)
            .unwrap_or_else(|fault| panic!("checkpoint signature {i}: {fault}"));
    }
}

#[test]
fn checkpoint_signatures_reach_the_epoch1_threshold() {
    let api = MockApi::default();
    let section = section("checkpoint");
    let digest = hash(at(section, &["digest_hex"]));
    let signatures = submit_all(&signature_bytes(section));
    let set = epoch1_set();
    assert_eq!(set.validate(&api).unwrap(), 6);
    assert_eq!(set.verify_signatures(&api, &digest, &signatures), Ok(6));
    // The epoch-2 set holds the same keys with weights 1,1,1,2,2,2.
    assert_eq!(
        epoch2_set().verify_signatures(&api, &digest, &signatures),
        Ok(9)
    );
}

// ---------------------------------------------------------------------------------------
// attester_set
// ---------------------------------------------------------------------------------------

#[test]
fn attester_set_validates_and_its_digest_matches() {
    let section = section("attester_set");
    let set = epoch2_set();
    assert_eq!(set.attesters.len(), 6);
    assert_eq!(
        set.attesters.iter().map(|a| a.weight).collect::<Vec<_>>(),
        vec![1, 1, 1, 2, 2, 2]
    );
    assert_eq!(set.threshold, 7);
    assert_eq!(set.validate(&MockApi::default()).unwrap(), 9);
    let digest = set
        .digest(
            str_of(section, "source_chain"),
            str_of(section, "source_outbox"),
            str_of(section, "destination_chain"),
            u64_of(section, "epoch"),
        )
        .unwrap();
    assert_eq!(
        hex::encode(digest),
        hex::encode(hash(at(section, &["digest_hex"])))
    );
    // The epoch is bound: the same set as epoch 3 has another digest.
    assert_ne!(
        set.digest(
            str_of(section, "source_chain"),
            str_of(section, "source_outbox"),
            str_of(section, "destination_chain"),
            u64_of(section, "epoch") + 1
        )
        .unwrap(),
        digest
    );
}

#[test]
fn attester_set_json_round_trips() {
    let set = epoch2_set();
    let json = cosmwasm_std::to_json_string(&set).unwrap();
    assert!(
        json.starts_with(r#"{"attesters":[{"pubkey":{"secp256k1":""#),
        "{json}"
    );
    assert!(json.ends_with(r#""weight":2}],"threshold":7}"#), "{json}");
    assert_eq!(
        cosmwasm_std::from_json::<ccmp_types::AttesterSet>(&json).unwrap(),
        set
    );
}

#[test]
fn attester_set_is_the_same_keys_as_the_checkpoint() {
    let keys: Vec<PubKey> = epoch2_set()
        .attesters
        .into_iter()
        .map(|a| a.pubkey)
        .collect();
    assert_eq!(keys, checkpoint_keys());
}

#[test]
fn attester_set_handover_is_signed_by_epoch1() {
    let api = MockApi::default();
    let section = section("attester_set");
    let digest = hash(at(section, &["digest_hex"]));
    let raw = signature_bytes(section);
    assert_eq!(raw.len(), 6);
    assert_eq!(
        signature_key_types(section),
        signature_key_types(self::section("checkpoint"))
    );
    for (i, (key, signature)) in checkpoint_keys().iter().zip(&raw).enumerate() {
        key.verify(&api, &digest, signature)
            .unwrap_or_else(|fault| panic!("hand-over signature {i}: {fault}"));
    }
    let epoch1 = epoch1_set();
    assert_eq!(
        epoch1.verify_signatures(&api, &digest, &submit_all(&raw)),
        Ok(6)
    );
    // The recomputed digest, not just the vector's, is what they sign.
    let recomputed = epoch2_set()
        .digest(
            str_of(section, "source_chain"),
            str_of(section, "source_outbox"),
            str_of(section, "destination_chain"),
            u64_of(section, "epoch"),
        )
        .unwrap();
    assert_eq!(
        epoch1.verify_signatures(&api, &recomputed, &submit_all(&raw)),
        Ok(6)
    );
}

// ---------------------------------------------------------------------------------------
// lane: seven messages end to end
// ---------------------------------------------------------------------------------------

fn lane() -> &'static Value {
    section("lane")
}

fn lane_ids() -> Vec<Hash> {
    let ids: Vec<Hash> = array_of(lane(), "messages")
        .iter()
        .map(|m| message(m).message_id().unwrap())
        .collect();
    assert_eq!(ids.len(), 7);
    ids
}

#[test]
fn lane_message_ids() {
    let expected = hashes(at(lane(), &["ids_hex"]));
    let messages = array_of(lane(), "messages");
    assert_eq!(messages.len(), 7);
    for (i, entry) in messages.iter().enumerate() {
        let message = message(entry);
        assert_eq!(message.nonce, i as u64, "lane nonces are positions");
        assert_eq!(
            hex::encode(message.message_id().unwrap()),
            hex::encode(expected[i]),
            "lane id {i}"
        );
        let encoded = message.encode().unwrap();
        assert_eq!(Message::decode(&encoded).unwrap(), message);
    }
    assert_eq!(lane_ids(), expected);
}

#[test]
fn lane_checkpoint_root_and_digest() {
    let ids = lane_ids();
    let checkpoint = at(lane(), &["checkpoint"]);
    assert_eq!(u64_of(checkpoint, "size"), 7);
    let tree_root = hash(at(checkpoint, &["root_hex"]));
    assert_eq!(hex::encode(root(&ids)), hex::encode(tree_root));
    assert_eq!(Frontier::from_leaves(&ids).unwrap().root(), tree_root);
    let digest = hash(at(lane(), &["digest_hex"]));
    assert_eq!(
        hex::encode(checkpoint_digest_of(checkpoint)),
        hex::encode(digest)
    );
    assert_eq!(checkpoint_struct_digest(checkpoint), digest);
}

#[test]
fn lane_checkpoint_signatures() {
    let api = MockApi::default();
    let digest = hash(at(lane(), &["digest_hex"]));
    let raw = signature_bytes(lane());
    assert_eq!(raw.len(), 6);
    assert_eq!(
        signature_key_types(lane()),
        signature_key_types(section("checkpoint"))
    );
    for (i, (key, signature)) in checkpoint_keys().iter().zip(&raw).enumerate() {
        key.verify(&api, &digest, signature)
            .unwrap_or_else(|fault| panic!("lane signature {i}: {fault}"));
    }
    assert_eq!(
        epoch1_set().verify_signatures(&api, &digest, &submit_all(&raw)),
        Ok(6)
    );
    assert_eq!(
        epoch2_set().verify_signatures(&api, &digest, &submit_all(&raw)),
        Ok(9)
    );
}

#[test]
fn lane_inclusion_proofs() {
    let ids = lane_ids();
    let tree_root = hash(at(at(lane(), &["checkpoint"]), &["root_hex"]));
    let proofs = array_of(lane(), "proofs_hex");
    assert_eq!(proofs.len(), 7);
    for (i, expected) in proofs.iter().enumerate() {
        let expected = hashes(expected);
        let proof = inclusion_proof(&ids, i as u64).unwrap();
        assert_eq!(
            proof.iter().map(hex::encode).collect::<Vec<_>>(),
            expected.iter().map(hex::encode).collect::<Vec<_>>(),
            "lane proof {i}"
        );
        verify_inclusion(&ids[i], i as u64, 7, &expected, &tree_root)
            .unwrap_or_else(|err| panic!("lane proof {i}: {err}"));
        // Each proof is for its own message only.
        let other = (i + 1) % 7;
        assert!(verify_inclusion(&ids[other], i as u64, 7, &expected, &tree_root).is_err());
    }
}

#[test]
fn lane_consistency_from_four() {
    let ids = lane_ids();
    let root_at_4 = hash(at(lane(), &["root_at_4_hex"]));
    let root_at_7 = hash(at(at(lane(), &["checkpoint"]), &["root_hex"]));
    assert_eq!(hex::encode(root(&ids[..4])), hex::encode(root_at_4));
    let expected = hashes(at(lane(), &["consistency_from_4_hex"]));
    let proof = consistency_proof(&ids, 4).unwrap();
    assert_eq!(
        proof.iter().map(hex::encode).collect::<Vec<_>>(),
        expected.iter().map(hex::encode).collect::<Vec<_>>()
    );
    verify_consistency(4, &root_at_4, 7, &root_at_7, &expected).unwrap();
    assert_eq!(
        verify_consistency(4, &root_at_7, 7, &root_at_7, &expected),
        Err(MerkleError::RootMismatch)
    );
}

// ---------------------------------------------------------------------------------------
// keys: the secrets behind every signature
// ---------------------------------------------------------------------------------------

fn secp_secrets() -> Vec<k256::ecdsa::SigningKey> {
    array_of(section("keys"), "secp256k1_secret_hex")
        .iter()
        .map(|secret| k256::ecdsa::SigningKey::from_slice(&hex_bytes(secret)).unwrap())
        .collect()
}

fn ed25519_secrets() -> Vec<ed25519_zebra::SigningKey> {
    array_of(section("keys"), "ed25519_seed_hex")
        .iter()
        .map(|seed| ed25519_zebra::SigningKey::from(<[u8; 32]>::try_from(hex_bytes(seed)).unwrap()))
        .collect()
}

#[test]
fn keys_derive_the_six_public_keys() {
    let mut derived: Vec<PubKey> = secp_secrets()
        .iter()
        .map(|key| {
            let point = key.verifying_key().to_encoded_point(true);
            PubKey::Secp256k1(point.as_bytes().to_vec().into())
        })
        .collect();
    derived.extend(ed25519_secrets().iter().map(|key| {
        let public: [u8; 32] = ed25519_zebra::VerificationKeyBytes::from(key).into();
        PubKey::Ed25519(public.to_vec().into())
    }));
    assert_eq!(derived.len(), 6);
    // Order: the three secp256k1 keys, then the three Ed25519 keys.
    assert_eq!(derived, checkpoint_keys());
}

#[test]
fn keys_reproduce_the_ed25519_signatures() {
    // Ed25519 is deterministic: the seeds sign the digests to exactly the vector bytes.
    for (name, digest) in [
        ("checkpoint", at(section("checkpoint"), &["digest_hex"])),
        ("attester_set", at(section("attester_set"), &["digest_hex"])),
        ("lane", at(lane(), &["digest_hex"])),
    ] {
        let digest = hash(digest);
        let expected = signature_bytes(section(name));
        for (i, key) in ed25519_secrets().iter().enumerate() {
            let signature = key.sign(&digest).to_bytes();
            assert_eq!(
                hex::encode(signature),
                hex::encode(&expected[3 + i]),
                "{name} ed25519 signature {i}"
            );
        }
    }
}

#[test]
fn keys_reproduce_the_secp256k1_signatures() {
    // The ECDSA signatures use RFC 6979 nonces (what k256 signs with), low-S: the secrets
    // sign the digests, as a prehash, to exactly the vector bytes.
    use k256::ecdsa::signature::hazmat::PrehashSigner;
    for (name, digest) in [
        ("checkpoint", at(section("checkpoint"), &["digest_hex"])),
        ("attester_set", at(section("attester_set"), &["digest_hex"])),
        ("lane", at(lane(), &["digest_hex"])),
    ] {
        let digest = hash(digest);
        let expected = signature_bytes(section(name));
        for (i, secret) in secp_secrets().iter().enumerate() {
            let signature: k256::ecdsa::Signature = secret.sign_prehash(&digest).unwrap();
            assert!(signature.normalize_s().is_none(), "k256 signs low-S");
            assert_eq!(
                hex::encode(signature.to_bytes()),
                hex::encode(&expected[i]),
                "{name} secp256k1 signature {i}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// invalid_keys: keys a set must refuse (§4)
// ---------------------------------------------------------------------------------------

/// `[good, bad]`, each of weight 1, threshold 2.
fn good_and(good: &PubKey, bad: PubKey) -> ccmp_types::AttesterSet {
    ccmp_types::AttesterSet {
        attesters: vec![
            ccmp_types::Attester {
                pubkey: good.clone(),
                weight: 1,
            },
            ccmp_types::Attester {
                pubkey: bad,
                weight: 1,
            },
        ],
        threshold: 2,
    }
}

fn invalid_key(index: usize, key_type: &'static str, reason: &str) -> ccmp_types::AttesterSetError {
    ccmp_types::AttesterSetError::InvalidKey {
        index,
        key_type,
        reason: reason.to_string(),
    }
}

#[test]
fn invalid_keys_are_refused() {
    let api = MockApi::default();
    let section = section("invalid_keys");
    let small_order = array_of(section, "ed25519_small_order_hex");
    let non_canonical = array_of(section, "ed25519_non_canonical_hex");
    let secp256k1 = array_of(section, "secp256k1_invalid_hex");
    assert_eq!(
        (small_order.len(), non_canonical.len(), secp256k1.len()),
        (8, 3, 5)
    );
    let mut cases: Vec<(PubKey, &str)> = Vec::new();
    for key in small_order {
        cases.push((PubKey::Ed25519(hex_bytes(key).into()), "small-order point"));
    }
    for key in non_canonical {
        cases.push((
            PubKey::Ed25519(hex_bytes(key).into()),
            "non-canonical encoding",
        ));
    }
    for key in secp256k1 {
        let key = hex_bytes(key);
        let reason = match key[0] {
            0x02..=0x04 => "not a point on the curve",
            _ => "SEC1 prefix must be 02 or 03 (33 bytes) or 04 (65 bytes)",
        };
        cases.push((PubKey::Secp256k1(key.into()), reason));
    }
    for good in checkpoint_keys() {
        assert_eq!(
            good_and(&good, good.clone()).validate(&api).unwrap_err(),
            ccmp_types::AttesterSetError::DuplicateKey { index: 1, first: 0 }
        );
        for (bad, reason) in &cases {
            assert_eq!(
                good_and(&good, bad.clone()).validate(&api).unwrap_err(),
                invalid_key(1, bad.key_type_name(), reason),
                "{} key {}",
                bad.key_type_name(),
                hex::encode(bad.bytes())
            );
        }
    }
}

#[test]
fn one_point_is_one_attester_whatever_its_encoding() {
    let api = MockApi::default();
    let keys = checkpoint_keys();
    let ed25519 = &keys[3];
    let identity = hex_bytes(&array_of(section("invalid_keys"), "ed25519_small_order_hex")[0]);
    assert_eq!(hex::encode(&identity), format!("01{}", "00".repeat(31)));
    // The identity twice, as the same bytes and as its non-canonical twin y = p + 1: the
    // first is refused before either could count.
    let mut twin = vec![0xff; 32];
    twin[0] = 0xee;
    twin[31] = 0x7f;
    for second in [identity.clone(), twin] {
        let mut set = good_and(ed25519, PubKey::Ed25519(identity.clone().into()));
        set.attesters.push(ccmp_types::Attester {
            pubkey: PubKey::Ed25519(second.into()),
            weight: 1,
        });
        assert_eq!(
            set.validate(&api).unwrap_err(),
            invalid_key(1, "ed25519", "small-order point")
        );
    }

    // A real secp256k1 key compressed (as the vectors give it) and uncompressed.
    let compressed = keys[0].bytes().to_vec();
    assert_eq!(compressed.len(), 33);
    let uncompressed = k256::ecdsa::VerifyingKey::from_sec1_bytes(&compressed)
        .unwrap()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec();
    assert_eq!(uncompressed.len(), 65);
    let mut set = epoch1_set();
    set.attesters.push(ccmp_types::Attester {
        pubkey: PubKey::Secp256k1(uncompressed.clone().into()),
        weight: 1,
    });
    assert_eq!(
        set.validate(&api).unwrap_err(),
        ccmp_types::AttesterSetError::DuplicateKey { index: 6, first: 0 }
    );
    let uncompressed_key = PubKey::Secp256k1(uncompressed.clone().into());
    assert_eq!(
        good_and(&uncompressed_key, keys[0].clone())
            .validate(&api)
            .unwrap_err(),
        ccmp_types::AttesterSetError::DuplicateKey { index: 1, first: 0 }
    );
    // Alone beside another key, the uncompressed form is a valid attester.
    assert_eq!(good_and(&keys[1], uncompressed_key).validate(&api), Ok(2));

    // A wrong y is no point: refused as such, whether it keeps y's parity (which would
    // otherwise pass for the same attester) or not.
    for flip in [0x01, 0x02, 0x80] {
        let mut wrong_y = uncompressed.clone();
        wrong_y[64] ^= flip;
        assert_eq!(
            good_and(&keys[1], PubKey::Secp256k1(wrong_y.into()))
                .validate(&api)
                .unwrap_err(),
            invalid_key(1, "secp256k1", "not a point on the curve")
        );
    }
}
