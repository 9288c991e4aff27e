//! The spec's `lane` vector (vectors.json) delivered end to end through the inbox: the
//! checkpoint of size 4 (signed here with the vectors' secret keys), the checkpoint of
//! size 7 with the vectors' own six signatures and consistency proof, and all seven
//! messages with the vectors' inclusion proofs, reaching a receiver at the vectors'
//! recipient address `cosmwasm1receiver`.

mod common;

use ccmp_inbox::msg::{DeliveryItem, DeliveryOutcome, ExecuteMsg, InstantiateMsg, SourceConfig};
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{
    Attester, AttesterSet, AttesterSignature, CcmpReceiveMsg, Checkpoint, Hash, Message,
    MessageStatus,
};
use common::{deliver_outcomes, event_values, receiver_contract, ReceiverQuery};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{
    Addr, Api, Binary, CanonicalAddr, Empty, HexBinary, RecoverPubkeyError, StdResult, Storage,
    Timestamp, VerificationError,
};
use cw_multi_test::{AddressGenerator, AppBuilder, Executor, WasmKeeper};
use serde_json::Value;

const VECTORS: &str = include_str!("../../../packages/types/tests/data/vectors.json");
const RECEIVER: &str = "cosmwasm1receiver";

/// The vectors' addresses are placeholders, not bech32: this Api accepts them as they are
/// and leaves every other address and all cryptography to `MockApi`.
struct VectorApi(MockApi);

impl Api for VectorApi {
    fn addr_validate(&self, human: &str) -> StdResult<Addr> {
        if human == RECEIVER {
            return Ok(Addr::unchecked(human));
        }
        self.0.addr_validate(human)
    }
    fn addr_canonicalize(&self, human: &str) -> StdResult<CanonicalAddr> {
        if human == RECEIVER {
            return Ok(CanonicalAddr::from(human.as_bytes()));
        }
        self.0.addr_canonicalize(human)
    }
    fn addr_humanize(&self, canonical: &CanonicalAddr) -> StdResult<Addr> {
        if canonical.as_slice() == RECEIVER.as_bytes() {
            return Ok(Addr::unchecked(RECEIVER));
        }
        self.0.addr_humanize(canonical)
    }
    fn secp256k1_verify(
        &self,
        hash: &[u8],
        signature: &[u8],
        key: &[u8],
    ) -> Result<bool, VerificationError> {
        self.0.secp256k1_verify(hash, signature, key)
    }
    fn secp256k1_recover_pubkey(
        &self,
        hash: &[u8],
        signature: &[u8],
        param: u8,
    ) -> Result<Vec<u8>, RecoverPubkeyError> {
        self.0.secp256k1_recover_pubkey(hash, signature, param)
    }
    fn ed25519_verify(
        &self,
        message: &[u8],
        signature: &[u8],
        key: &[u8],
    ) -> Result<bool, VerificationError> {
        self.0.ed25519_verify(message, signature, key)
    }
    fn ed25519_batch_verify(
        &self,
        messages: &[&[u8]],
        signatures: &[&[u8]],
        keys: &[&[u8]],
    ) -> Result<bool, VerificationError> {
        self.0.ed25519_batch_verify(messages, signatures, keys)
    }
    fn debug(&self, message: &str) {
        self.0.debug(message)
    }
}

/// The first contract instantiated lives at the vectors' recipient address.
struct VectorAddresses;

impl AddressGenerator for VectorAddresses {
    fn contract_address(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        code_id: u64,
        instance_id: u64,
    ) -> StdResult<Addr> {
        if instance_id == 0 {
            return Ok(Addr::unchecked(RECEIVER));
        }
        cw_multi_test::SimpleAddressGenerator.contract_address(api, storage, code_id, instance_id)
    }
}

fn hex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("hex string")).expect("valid hex")
}

fn hash(value: &Value) -> Hash {
    hex(value).try_into().expect("32 bytes")
}

fn hex_list(value: &Value) -> Vec<HexBinary> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|node| HexBinary::from(hex(node)))
        .collect()
}

fn message(value: &Value) -> Message {
    let timeout = value["timeout_timestamp"].as_u64().expect("timeout");
    Message {
        nonce: value["nonce"].as_u64().expect("nonce"),
        source_chain: value["source_chain"].as_str().expect("str").into(),
        sender: value["sender"].as_str().expect("str").into(),
        destination_chain: value["destination_chain"].as_str().expect("str").into(),
        recipient: value["recipient"].as_str().expect("str").into(),
        timeout_timestamp: (timeout != 0).then(|| Timestamp::from_nanos(timeout)),
        body: Binary::new(hex(&value["body_hex"])),
    }
}

/// The six test keys from their secrets: three secp256k1, then three Ed25519, in the
/// order of the checkpoint section's attesters.
fn vector_keys(vectors: &Value) -> Vec<AttesterKey> {
    let keys = &vectors["keys"];
    let secp = keys["secp256k1_secret_hex"].as_array().expect("array");
    let ed = keys["ed25519_seed_hex"].as_array().expect("array");
    secp.iter()
        .map(|secret| AttesterKey::secp256k1(&hex(secret)).expect("secp256k1 secret"))
        .chain(
            ed.iter()
                .map(|seed| AttesterKey::ed25519(&hex(seed)).expect("ed25519 seed")),
        )
        .collect()
}

#[test]
fn the_spec_lane_is_delivered_through_the_inbox() {
    let vectors: Value = serde_json::from_str(VECTORS).expect("vectors parse");
    let lane = &vectors["lane"];
    let keys = vector_keys(&vectors);
    // The derived keys are the ones the vectors list.
    let listed: Vec<Vec<u8>> = vectors["checkpoint"]["signatures"]
        .as_array()
        .expect("array")
        .iter()
        .map(|entry| hex(&entry["pubkey_hex"]))
        .collect();
    let derived: Vec<Vec<u8>> = keys.iter().map(|k| k.pubkey().bytes().to_vec()).collect();
    assert_eq!(derived, listed);
    // Weight 1 each, threshold 4 of 6 (the vectors do not give the epoch-1 weights).
    let signers = SignerSet::weighted(keys, &[1; 6], 4);
    let set = AttesterSet {
        attesters: signers
            .set
            .attesters
            .iter()
            .map(|a| Attester {
                pubkey: a.pubkey.clone(),
                weight: a.weight,
            })
            .collect(),
        threshold: 4,
    };

    let mut app = AppBuilder::default()
        .with_api(VectorApi(MockApi::default()))
        .with_wasm(WasmKeeper::default().with_address_generator(VectorAddresses))
        .build(|_, _, _| {});
    let owner = app.api().0.addr_make("owner");
    let relayer = app.api().0.addr_make("relayer");
    let receiver_code = app.store_code(receiver_contract());
    let receiver = app
        .instantiate_contract(
            receiver_code,
            owner.clone(),
            &Empty {},
            &[],
            "receiver",
            None,
        )
        .unwrap();
    assert_eq!(receiver.as_str(), RECEIVER);
    let inbox_code = app.store_code(common::inbox_contract());
    let checkpoint_vector = &lane["checkpoint"];
    let inbox = app
        .instantiate_contract(
            inbox_code,
            owner,
            &InstantiateMsg {
                owner: None,
                chain_id: Some(
                    checkpoint_vector["destination_chain"]
                        .as_str()
                        .unwrap()
                        .into(),
                ),
                sources: Some(vec![SourceConfig {
                    chain: checkpoint_vector["source_chain"].as_str().unwrap().into(),
                    outbox: checkpoint_vector["source_outbox"].as_str().unwrap().into(),
                    attesters: set,
                    ordered: true,
                    receive_gas_limit: None,
                    max_receive_gas_limit: None,
                }]),
                max_batch_size: None,
                max_body_bytes: None,
                trust_delay_seconds: 0,
            },
            &[],
            "inbox",
            None,
        )
        .unwrap();

    // Checkpoint 4, signed here by the vectors' keys; the digest is the protocol's.
    let at_4 = Checkpoint {
        source_chain: "chain-a".into(),
        size: 4,
        root: HexBinary::from(hex(&lane["root_at_4_hex"])),
    };
    let digest_4 = at_4.digest("cosmwasm1outbox", "chain-b").unwrap();
    app.execute_contract(
        relayer.clone(),
        inbox.clone(),
        &ExecuteMsg::SubmitCheckpoint {
            checkpoint: at_4,
            signatures: signers.sign_all(&digest_4),
            consistency_proof: vec![],
        },
        &[],
    )
    .unwrap();

    // Checkpoint 7 with the vectors' own signatures and consistency proof from 4.
    let at_7 = Checkpoint {
        source_chain: "chain-a".into(),
        size: checkpoint_vector["size"].as_u64().unwrap(),
        root: HexBinary::from(hex(&checkpoint_vector["root_hex"])),
    };
    assert_eq!(
        at_7.digest("cosmwasm1outbox", "chain-b").unwrap(),
        hash(&lane["digest_hex"])
    );
    let signatures: Vec<AttesterSignature> = lane["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, entry)| AttesterSignature {
            index: index as u32,
            signature: Binary::new(hex(&entry["signature_hex"])),
        })
        .collect();
    let response = app
        .execute_contract(
            relayer.clone(),
            inbox.clone(),
            &ExecuteMsg::SubmitCheckpoint {
                checkpoint: at_7,
                signatures,
                consistency_proof: hex_list(&lane["consistency_from_4_hex"]),
            },
            &[],
        )
        .unwrap();
    assert_eq!(event_values(&response, "ccmp_checkpoint", "size"), ["7"]);

    // All seven messages with the vectors' proofs, in one batch, on an ordered lane.
    let messages: Vec<Message> = lane["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(message)
        .collect();
    let proofs = lane["proofs_hex"].as_array().unwrap();
    let items: Vec<DeliveryItem> = messages
        .iter()
        .zip(proofs)
        .map(|(message, proof)| DeliveryItem {
            message: message.clone(),
            checkpoint_size: 7,
            proof: hex_list(proof),
        })
        .collect();
    let response = app
        .execute_contract(relayer, inbox.clone(), &ExecuteMsg::Deliver { items }, &[])
        .unwrap();
    assert_eq!(
        deliver_outcomes(&response),
        (0..7)
            .map(|nonce| (nonce, DeliveryOutcome::Dispatched))
            .collect::<Vec<_>>()
    );
    let ids: Vec<String> = lane["ids_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    assert_eq!(event_values(&response, "ccmp_deliver", "message_id"), ids);

    let received: Vec<CcmpReceiveMsg> = app
        .wrap()
        .query_wasm_smart(receiver, &ReceiverQuery::Received {})
        .unwrap();
    let expected: Vec<CcmpReceiveMsg> = messages
        .iter()
        .zip(&ids)
        .map(|(message, id)| {
            CcmpReceiveMsg::new(message, &hex::decode(id).unwrap().try_into().unwrap())
        })
        .collect();
    assert_eq!(received, expected);
    let status: ccmp_types::MessageStatusResponse = app
        .wrap()
        .query_wasm_smart(
            inbox,
            &ccmp_inbox::msg::QueryMsg::MessageStatus {
                source_chain: "chain-a".into(),
                nonce: 6,
            },
        )
        .unwrap();
    assert_eq!(status.status, MessageStatus::Delivered);
}
