//! Attester signatures through the host API (`MockApi`, the same `cosmwasm-crypto` a chain
//! runs): the checkpoint vector's six real keys and signatures, and every way a submission
//! can be wrong (PROTOCOL.md §4, §7).

mod common;

use ccmp_types::{
    Attester, AttesterSet, AttesterSetError, AttesterSignature, Hash, PubKey, SignatureError,
    SignatureFault,
};
use common::*;
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Api, Binary};
use k256::ecdsa::signature::hazmat::PrehashSigner;

/// The secp256k1 group order n.
const SECP256K1_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

fn api() -> MockApi {
    MockApi::default()
}

fn digest() -> Hash {
    hash(at(section("checkpoint"), &["digest_hex"]))
}

/// The six checkpoint signatures, by attester position.
fn sigs() -> Vec<Vec<u8>> {
    signature_bytes(section("checkpoint"))
}

fn signature(index: u32, bytes: &[u8]) -> AttesterSignature {
    AttesterSignature {
        index,
        signature: Binary::new(bytes.to_vec()),
    }
}

/// `n - s` for a big-endian 32-byte `s < n`.
fn negate_mod_order(s: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut digit = SECP256K1_ORDER[i] as i16 - s[i] as i16 - borrow;
        borrow = 0;
        if digit < 0 {
            digit += 256;
            borrow = 1;
        }
        out[i] = digit as u8;
    }
    assert_eq!(borrow, 0, "s must be below the group order");
    out
}

fn high_s(signature: &[u8]) -> Vec<u8> {
    let mut out = signature[..32].to_vec();
    out.extend_from_slice(&negate_mod_order(&signature[32..]));
    out
}

/// A secp256k1 key outside the set, from a fixed secret.
fn outsider_secp() -> k256::ecdsa::SigningKey {
    let mut secret = [0u8; 32];
    secret[30..].copy_from_slice(&2024u16.to_be_bytes());
    k256::ecdsa::SigningKey::from_slice(&secret).unwrap()
}

/// An Ed25519 key outside the set, from a fixed seed.
fn outsider_ed25519() -> ed25519_zebra::SigningKey {
    ed25519_zebra::SigningKey::from([0x42; 32])
}

fn secp_sign(key: &k256::ecdsa::SigningKey, digest: &Hash) -> Vec<u8> {
    let signature: k256::ecdsa::Signature = key.sign_prehash(digest).unwrap();
    signature.to_bytes().to_vec()
}

fn invalid(index: u32, fault: SignatureFault) -> Result<u64, SignatureError> {
    Err(SignatureError::Invalid { index, fault })
}

#[test]
fn the_fixture_is_what_the_vectors_say() {
    // Everything below leans on this: the six keys are 3 secp256k1 then 3 Ed25519, each
    // signature verifies under its own key, and the two sets validate.
    let keys = checkpoint_keys();
    assert_eq!(
        keys.iter().map(PubKey::key_type_name).collect::<Vec<_>>(),
        vec![
            "secp256k1",
            "secp256k1",
            "secp256k1",
            "ed25519",
            "ed25519",
            "ed25519"
        ]
    );
    for (key, signature) in keys.iter().zip(sigs()) {
        assert_eq!(key.verify(&api(), &digest(), &signature), Ok(()));
    }
    assert_eq!(epoch1_set().validate(&api()), Ok(6));
    assert_eq!(epoch2_set().validate(&api()), Ok(9));
}

#[test]
fn all_six_signatures_count_their_weight() {
    let all = submit_all(&sigs());
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &all),
        Ok(6)
    );
    assert_eq!(
        epoch2_set().verify_signatures(&api(), &digest(), &all),
        Ok(9)
    );
}

#[test]
fn duplicate_index_is_not_increasing() {
    let set = epoch1_set();
    let sigs = sigs();
    assert_eq!(
        set.verify_signatures(&api(), &digest(), &submit(&sigs, &[0, 0])),
        Err(SignatureError::IndexNotIncreasing {
            index: 0,
            previous: 0
        })
    );
    // A duplicate deep inside an otherwise good list, so one attester cannot count twice
    // toward the threshold.
    assert_eq!(
        set.verify_signatures(&api(), &digest(), &submit(&sigs, &[0, 1, 2, 2])),
        Err(SignatureError::IndexNotIncreasing {
            index: 2,
            previous: 2
        })
    );
}

#[test]
fn decreasing_index_is_not_increasing() {
    let sigs = sigs();
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &submit(&sigs, &[1, 0])),
        Err(SignatureError::IndexNotIncreasing {
            index: 0,
            previous: 1
        })
    );
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &submit(&sigs, &[0, 3, 5, 4])),
        Err(SignatureError::IndexNotIncreasing {
            index: 4,
            previous: 5
        })
    );
}

#[test]
fn indices_are_checked_before_any_signature() {
    // A bad signature first, then a bad index: the index error wins, as no crypto runs
    // before every index has been checked.
    let sigs = sigs();
    let list = vec![signature(0, &[0u8; 64]), signature(0, &sigs[0])];
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &list),
        Err(SignatureError::IndexNotIncreasing {
            index: 0,
            previous: 0
        })
    );
    let list = vec![signature(0, &[0u8; 64]), signature(6, &sigs[5])];
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &list),
        Err(SignatureError::IndexOutOfRange { index: 6, size: 6 })
    );
}

#[test]
fn index_out_of_range() {
    let sigs = sigs();
    let set = epoch1_set();
    let mut list = submit(&sigs, &[0, 1, 2, 3]);
    list.push(signature(6, &sigs[5]));
    assert_eq!(
        set.verify_signatures(&api(), &digest(), &list),
        Err(SignatureError::IndexOutOfRange { index: 6, size: 6 })
    );
    assert_eq!(
        set.verify_signatures(&api(), &digest(), &[signature(u32::MAX, &sigs[0])]),
        Err(SignatureError::IndexOutOfRange {
            index: u32::MAX,
            size: 6
        })
    );
}

#[test]
fn more_signatures_than_attesters() {
    let sigs = sigs();
    let mut list = submit_all(&sigs);
    list.push(signature(6, &sigs[0]));
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &list),
        Err(SignatureError::TooMany { count: 7, max: 6 })
    );
}

#[test]
fn signature_by_a_key_outside_the_set_is_a_mismatch() {
    let digest = digest();
    let set = epoch1_set();
    let sigs = sigs();

    // A genuine secp256k1 signature over this digest, by a key the set does not hold.
    let outsider = outsider_secp();
    let foreign = secp_sign(&outsider, &digest);
    let outsider_key = PubKey::Secp256k1(
        outsider
            .verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .to_vec()
            .into(),
    );
    assert_eq!(outsider_key.verify(&api(), &digest, &foreign), Ok(()));
    for index in 0..3u32 {
        let mut list = submit_all(&sigs);
        list[index as usize] = signature(index, &foreign);
        assert_eq!(
            set.verify_signatures(&api(), &digest, &list),
            invalid(index, SignatureFault::Mismatch),
            "secp256k1 outsider under index {index}"
        );
    }

    // Likewise for Ed25519.
    let outsider = outsider_ed25519();
    let foreign = outsider.sign(&digest).to_bytes();
    let outsider_key = PubKey::Ed25519(
        <[u8; 32]>::from(ed25519_zebra::VerificationKeyBytes::from(&outsider))
            .to_vec()
            .into(),
    );
    assert_eq!(outsider_key.verify(&api(), &digest, &foreign), Ok(()));
    for index in 3..6u32 {
        let mut list = submit_all(&sigs);
        list[index as usize] = signature(index, &foreign);
        assert_eq!(
            set.verify_signatures(&api(), &digest, &list),
            invalid(index, SignatureFault::Mismatch),
            "ed25519 outsider under index {index}"
        );
    }
}

#[test]
fn signature_of_another_attester_is_a_mismatch() {
    // Attester 1's valid signature submitted as attester 0's, and 4's as 3's.
    let sigs = sigs();
    let list = vec![signature(0, &sigs[1]), signature(1, &sigs[1])];
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &list),
        invalid(0, SignatureFault::Mismatch)
    );
    let list = vec![signature(3, &sigs[4]), signature(4, &sigs[4])];
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &list),
        invalid(3, SignatureFault::Mismatch)
    );
    // A secp256k1 signature under an Ed25519 attester (both are 64 bytes).
    let list = vec![signature(5, &sigs[0])];
    assert_eq!(
        epoch1_set().verify_signatures(&api(), &digest(), &list),
        invalid(5, SignatureFault::Mismatch)
    );
}

#[test]
fn valid_signature_over_another_digest_is_a_mismatch() {
    // The attester_set section's signatures: by the same six keys, over the hand-over
    // digest. Against the checkpoint digest each one is refused, at its own index.
    let handover = signature_bytes(section("attester_set"));
    let handover_digest = hash(at(section("attester_set"), &["digest_hex"]));
    assert_ne!(handover_digest, digest());
    let set = epoch1_set();
    assert_eq!(
        set.verify_signatures(&api(), &handover_digest, &submit_all(&handover)),
        Ok(6)
    );
    for index in 0..6u32 {
        let mut list = submit_all(&sigs());
        list[index as usize] = signature(index, &handover[index as usize]);
        assert_eq!(
            set.verify_signatures(&api(), &digest(), &list),
            invalid(index, SignatureFault::Mismatch),
            "hand-over signature {index} against the checkpoint digest"
        );
    }
    // The lane's checkpoint signatures are over yet another digest.
    let lane = signature_bytes(section("lane"));
    assert_eq!(
        set.verify_signatures(&api(), &digest(), &submit(&lane, &[0, 1, 2, 3])),
        invalid(0, SignatureFault::Mismatch)
    );
}

#[test]
fn threshold_is_reached_exactly_or_not_at_all() {
    let sigs = sigs();
    let digest = digest();

    // Epoch 1: weight 1 each, threshold 4.
    let set = epoch1_set();
    assert_eq!(
        set.verify_signatures(&api(), &digest, &[]),
        Err(SignatureError::InsufficientWeight {
            signed: 0,
            threshold: 4
        })
    );
    assert_eq!(
        set.verify_signatures(&api(), &digest, &submit(&sigs, &[0, 2, 5])),
        Err(SignatureError::InsufficientWeight {
            signed: 3,
            threshold: 4
        })
    );
    assert_eq!(
        set.verify_signatures(&api(), &digest, &submit(&sigs, &[0, 2, 4, 5])),
        Ok(4)
    );
    assert_eq!(
        set.verify_signatures(&api(), &digest, &submit(&sigs, &[1, 2, 3, 4, 5])),
        Ok(5)
    );

    // Epoch 2: weights 1,1,1,2,2,2, threshold 7.
    let set = epoch2_set();
    for (indices, signed) in [
        (&[3, 4, 5][..], 6),
        (&[0, 1, 3, 4][..], 6),
        (&[0, 1, 2, 5][..], 5),
        (&[2, 3, 5][..], 5),
        (&[4][..], 2),
    ] {
        assert_eq!(
            set.verify_signatures(&api(), &digest, &submit(&sigs, indices)),
            Err(SignatureError::InsufficientWeight {
                signed,
                threshold: 7
            }),
            "{indices:?}"
        );
    }
    for (indices, signed) in [
        (&[0, 3, 4, 5][..], 7),
        (&[0, 1, 2, 3, 4][..], 7),
        (&[1, 2, 3, 4, 5][..], 8),
    ] {
        assert_eq!(
            set.verify_signatures(&api(), &digest, &submit(&sigs, indices)),
            Ok(signed),
            "{indices:?}"
        );
    }
}

#[test]
fn high_s_is_refused_though_the_host_would_accept_it() {
    let digest = digest();
    let sigs = sigs();
    let keys = checkpoint_keys();
    let set = epoch1_set();
    for index in 0..3u32 {
        let low = &sigs[index as usize];
        let high = high_s(low);
        assert_ne!(&high, low);
        // n - (n - s) = s: the transformation is the real twin, not noise.
        assert_eq!(high_s(&high), *low);
        // The host normalises and accepts it, so only the crate's rule stands between a
        // relayer and a second encoding of the same signature.
        assert_eq!(
            api().secp256k1_verify(&digest, &high, keys[index as usize].bytes()),
            Ok(true)
        );
        assert_eq!(
            keys[index as usize].verify(&api(), &digest, &high),
            Err(SignatureFault::HighS)
        );
        let mut list = submit_all(&sigs);
        list[index as usize] = signature(index, &high);
        assert_eq!(
            set.verify_signatures(&api(), &digest, &list),
            invalid(index, SignatureFault::HighS)
        );
    }
}

#[test]
fn wrong_signature_length() {
    let digest = digest();
    let sigs = sigs();
    let set = epoch1_set();
    // secp256k1: a byte short, and r||s||v as Ethereum tooling emits it.
    let mut with_recovery_id = sigs[1].clone();
    with_recovery_id.push(1);
    for (index, bytes, len) in [
        (0u32, sigs[0][..63].to_vec(), 63),
        (1, with_recovery_id, 65),
        (2, Vec::new(), 0),
        (3, sigs[3][..32].to_vec(), 32),
        (4, [sigs[4].clone(), sigs[4].clone()].concat(), 128),
    ] {
        let mut list = submit_all(&sigs);
        list[index as usize] = signature(index, &bytes);
        assert_eq!(
            set.verify_signatures(&api(), &digest, &list),
            invalid(index, SignatureFault::WrongLength { len, expected: 64 }),
            "index {index}"
        );
    }
}

#[test]
fn malformed_secp256k1_signature_is_a_verification_error() {
    // r = 0 is not a signature at all: the host refuses to parse it.
    let sigs = sigs();
    let mut zero_r = vec![0u8; 32];
    zero_r.extend_from_slice(&sigs[0][32..]);
    let mut list = submit_all(&sigs);
    list[0] = signature(0, &zero_r);
    let result = epoch1_set().verify_signatures(&api(), &digest(), &list);
    assert!(
        matches!(
            result,
            Err(SignatureError::Invalid {
                index: 0,
                fault: SignatureFault::Verification(_)
            })
        ),
        "{result:?}"
    );
}

#[test]
fn one_bad_signature_beside_a_quorum_still_fails() {
    let digest = digest();
    let sigs = sigs();
    // Five good signatures clear both thresholds; the sixth is garbage.
    for index in 0..6u32 {
        let mut bad = sigs[index as usize].clone();
        bad[10] ^= 0x01;
        let mut list = submit_all(&sigs);
        list[index as usize] = signature(index, &bad);
        for set in [epoch1_set(), epoch2_set()] {
            let result = set.verify_signatures(&api(), &digest, &list);
            assert_eq!(
                result,
                invalid(index, SignatureFault::Mismatch),
                "bad signature at {index}"
            );
        }
        // Without it, the rest is a quorum.
        list.remove(index as usize);
        assert_eq!(
            epoch1_set().verify_signatures(&api(), &digest, &list),
            Ok(5)
        );
    }
}

#[test]
fn uncompressed_key_verifies_the_same_signatures() {
    // The SEC1 uncompressed form of attester 0's key is accepted and verifies its
    // signatures, so the duplicate check below is about one attester, not two keys.
    let secret = hex_bytes(&array_of(section("keys"), "secp256k1_secret_hex")[0]);
    let signing = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
    let uncompressed = signing
        .verifying_key()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec();
    assert_eq!(uncompressed.len(), 65);
    let key = PubKey::Secp256k1(uncompressed.into());
    assert_eq!(key.verify(&api(), &digest(), &sigs()[0]), Ok(()));

    let mut set = epoch1_set();
    set.attesters[0].pubkey = key;
    assert_eq!(set.validate(&api()), Ok(6));
    assert_eq!(
        set.verify_signatures(&api(), &digest(), &submit_all(&sigs())),
        Ok(6)
    );
}

#[test]
fn set_with_a_duplicate_real_key_is_invalid() {
    for duplicate in 0..6 {
        let mut set = epoch1_set();
        set.attesters.push(Attester {
            pubkey: set.attesters[duplicate].pubkey.clone(),
            weight: 1,
        });
        set.threshold = 4;
        assert_eq!(
            set.validate(&api()),
            Err(AttesterSetError::DuplicateKey {
                index: 6,
                first: duplicate
            }),
            "duplicate of attester {duplicate}"
        );
    }

    // The same secp256k1 key in its other (uncompressed) encoding is still a duplicate.
    let secret = hex_bytes(&array_of(section("keys"), "secp256k1_secret_hex")[2]);
    let signing = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
    let uncompressed = signing.verifying_key().to_encoded_point(false);
    let mut set = epoch1_set();
    set.attesters.insert(
        1,
        Attester {
            pubkey: PubKey::Secp256k1(uncompressed.as_bytes().to_vec().into()),
            weight: 1,
        },
    );
    assert_eq!(
        set.validate(&api()),
        Err(AttesterSetError::DuplicateKey { index: 3, first: 1 })
    );

    // An Ed25519 key's bytes registered as secp256k1 are refused as malformed, not as a
    // duplicate (the key types differ).
    let mut set = epoch1_set();
    set.attesters.push(Attester {
        pubkey: PubKey::Secp256k1(set.attesters[3].pubkey.bytes().to_vec().into()),
        weight: 1,
    });
    assert_eq!(
        set.validate(&api()),
        Err(AttesterSetError::InvalidKey {
            index: 6,
            key_type: "secp256k1",
            reason: "32 bytes, expected 33 or 65".to_string()
        })
    );

    // And a set of the six real keys with a non-majority threshold is refused too.
    let mut set: AttesterSet = epoch1_set();
    set.threshold = 3;
    assert_eq!(
        set.validate(&api()),
        Err(AttesterSetError::ThresholdTooLow {
            threshold: 3,
            total: 6
        })
    );
}

/// MockApi, counting the host's signature calls, to pin how verification spends gas.
#[derive(Default)]
struct CountingApi {
    inner: MockApi,
    calls: std::cell::RefCell<Vec<&'static str>>,
}

impl Api for CountingApi {
    fn addr_validate(&self, human: &str) -> cosmwasm_std::StdResult<cosmwasm_std::Addr> {
        self.inner.addr_validate(human)
    }
    fn addr_canonicalize(
        &self,
        human: &str,
    ) -> cosmwasm_std::StdResult<cosmwasm_std::CanonicalAddr> {
        self.inner.addr_canonicalize(human)
    }
    fn addr_humanize(
        &self,
        canonical: &cosmwasm_std::CanonicalAddr,
    ) -> cosmwasm_std::StdResult<cosmwasm_std::Addr> {
        self.inner.addr_humanize(canonical)
    }
    fn secp256k1_verify(
        &self,
        hash: &[u8],
        signature: &[u8],
        key: &[u8],
    ) -> Result<bool, cosmwasm_std::VerificationError> {
        self.calls.borrow_mut().push("secp256k1_verify");
        self.inner.secp256k1_verify(hash, signature, key)
    }
    fn secp256k1_recover_pubkey(
        &self,
        hash: &[u8],
        signature: &[u8],
        recovery: u8,
    ) -> Result<Vec<u8>, cosmwasm_std::RecoverPubkeyError> {
        self.inner
            .secp256k1_recover_pubkey(hash, signature, recovery)
    }
    fn ed25519_verify(
        &self,
        message: &[u8],
        signature: &[u8],
        key: &[u8],
    ) -> Result<bool, cosmwasm_std::VerificationError> {
        self.calls.borrow_mut().push("ed25519_verify");
        self.inner.ed25519_verify(message, signature, key)
    }
    fn ed25519_batch_verify(
        &self,
        messages: &[&[u8]],
        signatures: &[&[u8]],
        keys: &[&[u8]],
    ) -> Result<bool, cosmwasm_std::VerificationError> {
        self.calls.borrow_mut().push("ed25519_batch_verify");
        self.inner.ed25519_batch_verify(messages, signatures, keys)
    }
    fn debug(&self, message: &str) {
        self.inner.debug(message)
    }
}

#[test]
fn two_or_more_ed25519_signatures_are_verified_in_one_batch() {
    let api = CountingApi::default();
    let set = epoch1_set();
    assert_eq!(
        set.verify_signatures(&api, &digest(), &submit_all(&sigs())),
        Ok(6)
    );
    assert_eq!(
        *api.calls.borrow(),
        [
            "secp256k1_verify",
            "secp256k1_verify",
            "secp256k1_verify",
            "ed25519_batch_verify"
        ]
    );

    // A single Ed25519 signature is cheaper alone.
    let api = CountingApi::default();
    let _ = set.verify_signatures(&api, &digest(), &submit(&sigs(), &[0, 1, 2, 3]));
    assert_eq!(
        *api.calls.borrow(),
        [
            "secp256k1_verify",
            "secp256k1_verify",
            "secp256k1_verify",
            "ed25519_verify"
        ]
    );

    // A failing batch is re-checked one by one to name the culprit (index 4 here).
    let api = CountingApi::default();
    let mut list = submit_all(&sigs());
    list[4] = signature(4, &sigs()[5]);
    assert_eq!(
        set.verify_signatures(&api, &digest(), &list),
        invalid(4, SignatureFault::Mismatch)
    );
    assert_eq!(
        api.calls.borrow()[3..],
        ["ed25519_batch_verify", "ed25519_verify", "ed25519_verify"]
    );
}

#[test]
fn validation_asks_the_host_once_per_secp256k1_key_and_never_for_ed25519() {
    // The on-curve check of a secp256k1 key is one host call; the Ed25519 rules are byte
    // comparisons. That is the whole crypto cost of validating a set.
    let api = CountingApi::default();
    assert_eq!(epoch1_set().validate(&api), Ok(6));
    assert_eq!(*api.calls.borrow(), ["secp256k1_verify"; 3]);
}
