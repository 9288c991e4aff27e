//! The relay service's pure parts: error classification, backoff, batch building and
//! sizing, pending computation and configuration.

mod common;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ccmp_chain::ChainError;
use ccmp_inbox::msg::ExecuteMsg as InboxExecuteMsg;
use ccmp_inbox::ContractError;
use ccmp_relayer::service::{
    classify, classify_log, delivery_msg, fit_batch, gas_limit, max_batch_by_receivers, Backoff,
    ErrorClass, GasPolicy, PendingTracker, RelayerConfig, SizedBatch,
};
use ccmp_types::{verify_multiproof, Hash, MerkleError, MessageStatus, MultiproofError};
use common::lane_of;

fn tx_failed(code: u32, log: impl Into<String>) -> ChainError {
    ChainError::TxFailed {
        code,
        log: log.into(),
        gas_used: 1,
        height: 1,
    }
}

/// As wasmd reports a contract's error in a transaction's log.
fn wrapped(error: ContractError) -> String {
    format!("failed to execute message; message index: 0: {error}: execute wasm contract failed")
}

#[test]
fn classification_by_kind_and_by_the_inbox_errors() {
    let chain = "chain-a".to_string();
    let cases: Vec<(ChainError, ErrorClass)> = vec![
        (
            ChainError::Unreachable {
                chain_id: chain.clone(),
                reason: "connection refused".into(),
            },
            ErrorClass::Transient,
        ),
        (
            ChainError::Timeout {
                what: "block 9".into(),
                seconds: 60,
            },
            ErrorClass::Transient,
        ),
        (
            tx_failed(11, "out of gas: limit 100, used 101"),
            ErrorClass::OutOfGas,
        ),
        (
            tx_failed(11, "codespace: sdk, code: 11"),
            ErrorClass::OutOfGas,
        ),
        (
            tx_failed(
                5,
                wrapped(ContractError::SourceFrozen {
                    chain: chain.clone(),
                    size: 3,
                }),
            ),
            ErrorClass::SourceFrozen,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::BatchTooLarge {
                    count: 120,
                    max: 100,
                }),
            },
            ErrorClass::BatchTooLarge,
        ),
        (
            tx_failed(
                5,
                wrapped(ContractError::UnknownCheckpoint {
                    chain: chain.clone(),
                    size: 9,
                }),
            ),
            ErrorClass::UnknownCheckpoint,
        ),
        (
            tx_failed(
                5,
                wrapped(ContractError::InvalidInclusionProof {
                    chain: chain.clone(),
                    nonce: 1,
                    size: 4,
                    reason: MerkleError::RootMismatch,
                }),
            ),
            ErrorClass::BadProof,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::InvalidMultiproof {
                    chain: chain.clone(),
                    size: 7,
                    count: 3,
                    reason: MultiproofError::RootMismatch,
                }),
            },
            ErrorClass::BadProof,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::InvalidConsistencyProof {
                    chain: chain.clone(),
                    from: 2,
                    to: 5,
                    reason: MerkleError::RootMismatch,
                }),
            },
            ErrorClass::BadProof,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::StaleCheckpoint {
                    chain: chain.clone(),
                    size: 4,
                    latest: 6,
                }),
            },
            ErrorClass::StaleCheckpoint,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::NotFailed {
                    chain: chain.clone(),
                    nonce: 3,
                    status: MessageStatus::Delivered,
                }),
            },
            ErrorClass::AlreadyProcessed,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::NonceGap {
                    chain: chain.clone(),
                    nonce: 3,
                    expected: 2,
                }),
            },
            ErrorClass::NonceGap,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::Paused),
            },
            ErrorClass::Paused,
        ),
        (
            ChainError::SimulationFailed {
                log: wrapped(ContractError::Signature(
                    ccmp_types::SignatureError::InsufficientWeight {
                        signed: 2,
                        threshold: 3,
                    },
                )),
            },
            ErrorClass::Attestation,
        ),
        (
            ChainError::Query {
                contract: "inbox".into(),
                error: "source \"x\" is not configured".into(),
            },
            ErrorClass::Other,
        ),
        (
            ChainError::Decode("expected value".into()),
            ErrorClass::Other,
        ),
        (
            tx_failed(5, "receiver refuses nonce 4: execute wasm contract failed"),
            ErrorClass::Other,
        ),
    ];
    for (error, class) in cases {
        assert_eq!(classify(&error), class, "{error}");
    }
    assert_eq!(classify_log("TX TOO LARGE"), ErrorClass::BatchTooLarge);
    for class in [
        ErrorClass::BadProof,
        ErrorClass::UnknownCheckpoint,
        ErrorClass::StaleCheckpoint,
        ErrorClass::NonceGap,
        ErrorClass::Attestation,
    ] {
        assert!(class.needs_resync(), "{class}");
        assert!(!class.is_size());
    }
    assert!(ErrorClass::OutOfGas.is_size() && ErrorClass::BatchTooLarge.is_size());
    assert!(!ErrorClass::Other.needs_resync() && !ErrorClass::SourceFrozen.needs_resync());
}

#[test]
fn backoff_doubles_up_to_its_cap() {
    let backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_millis(1_000),
        max_attempts: 5,
    };
    let delays: Vec<u64> = (1..=7)
        .map(|n| backoff.delay(n).as_millis() as u64)
        .collect();
    assert_eq!(delays, vec![100, 200, 400, 800, 1_000, 1_000, 1_000]);
    assert_eq!(backoff.delay(0), Duration::from_millis(100));
    assert_eq!(backoff.delay(u32::MAX), Duration::from_millis(1_000));
}

#[tokio::test]
async fn backoff_retries_transient_failures_only_and_a_bounded_number_of_times() {
    let backoff = Backoff {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(4),
        max_attempts: 4,
    };
    let unreachable = || ChainError::Unreachable {
        chain_id: "a".into(),
        reason: "down".into(),
    };
    // Always transient: tried max_attempts times, then the error.
    let tries = AtomicU32::new(0);
    let result: Result<(), _> = backoff
        .retry(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(unreachable())
        })
        .await;
    assert_eq!(result, Err(unreachable()));
    assert_eq!(tries.load(Ordering::SeqCst), 4);
    // Not transient: once.
    let tries = AtomicU32::new(0);
    let result: Result<(), _> = backoff
        .retry(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(ChainError::Decode("x".into()))
        })
        .await;
    assert!(result.is_err());
    assert_eq!(tries.load(Ordering::SeqCst), 1);
    // Transient twice, then fine.
    let tries = AtomicU32::new(0);
    let result = backoff
        .retry(|| async {
            if tries.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(unreachable())
            } else {
                Ok(7)
            }
        })
        .await;
    assert_eq!(result, Ok(7));
    assert_eq!(tries.load(Ordering::SeqCst), 3);
}

#[test]
fn gas_limit_is_simulated_times_the_multiplier_plus_the_receivers_clamped() {
    assert_eq!(gas_limit(100_000, 1.3, 500_000, 10_000_000), 630_000);
    // Rounded up.
    assert_eq!(gas_limit(3, 1.5, 0, u64::MAX), 5);
    assert_eq!(gas_limit(100_000, 1.3, 500_000, 600_000), 600_000);
    assert_eq!(gas_limit(u64::MAX, 2.0, u64::MAX, u64::MAX), u64::MAX);
    // A fifth of the cap stays for the inbox's own work.
    assert_eq!(max_batch_by_receivers(500_000, 30_000_000), 48);
    assert_eq!(max_batch_by_receivers(50_000_000, 30_000_000), 1);
    assert_eq!(max_batch_by_receivers(0, 1_000), 800);
}

fn policy(max: u64) -> GasPolicy {
    GasPolicy {
        multiplier: 1.3,
        max_gas_per_tx: max,
        out_of_gas_multiplier: 2.0,
    }
}

#[tokio::test]
async fn a_batch_is_halved_until_its_gas_limit_fits_the_cap() {
    let asked = RefCell::new(vec![]);
    // 200k of overhead and 150k per message; receivers get 100k each.
    let sized = fit_batch(100, &policy(10_000_000), 100_000, |len| {
        asked.borrow_mut().push(len);
        async move { Ok(200_000 + 150_000 * len as u64) }
    })
    .await
    .unwrap();
    // The receivers alone cap it at 80; 80 and 40 need more than 10M once multiplied.
    assert_eq!(asked.into_inner(), vec![80, 40, 20]);
    assert_eq!(
        sized,
        SizedBatch {
            len: 20,
            simulated: 3_200_000,
            gas_limit: 4_160_000 + 2_000_000,
        }
    );
}

#[tokio::test]
async fn a_batch_that_fails_for_size_is_halved_and_other_failures_are_returned() {
    let too_many = |len: usize| ChainError::SimulationFailed {
        log: format!("{len} items, more than the batch limit of 10"),
    };
    let asked = RefCell::new(vec![]);
    let sized = fit_batch(64, &policy(100_000_000), 0, |len| {
        asked.borrow_mut().push(len);
        async move {
            if len > 10 {
                Err(too_many(len))
            } else {
                Ok(1_000)
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(asked.into_inner(), vec![64, 32, 16, 8]);
    assert_eq!(sized.len, 8);
    assert_eq!(sized.gas_limit, 1_300);

    // Out of gas in simulation is a size failure too.
    let sized = fit_batch(4, &policy(100_000_000), 0, |len| async move {
        if len > 1 {
            Err(ChainError::SimulationFailed {
                log: "out of gas: limit 100000000, used 100000001".into(),
            })
        } else {
            Ok(10)
        }
    })
    .await
    .unwrap();
    assert_eq!(sized.len, 1);

    // Anything else is returned as it is, for the caller to isolate.
    let failure = fit_batch(16, &policy(100_000_000), 0, |_| async {
        Err(ChainError::SimulationFailed {
            log: "message 3 of the batch: bad".into(),
        })
    })
    .await
    .unwrap_err();
    assert_eq!((failure.len, failure.class), (16, ErrorClass::Other));
    let failure = fit_batch(16, &policy(100_000_000), 0, |_| async {
        Err(ChainError::SimulationFailed {
            log: "source \"chain-a\" is frozen (rollback at most to size 2): ...".into(),
        })
    })
    .await
    .unwrap_err();
    assert_eq!(failure.class, ErrorClass::SourceFrozen);
}

#[tokio::test]
async fn a_lone_message_gets_the_cap_or_is_refused_when_it_simulates_above_it() {
    // Its receiver's limit does not fit beside it: it goes with the cap.
    let sized = fit_batch(8, &policy(1_000_000), 900_000, |_| async { Ok(300_000) })
        .await
        .unwrap();
    assert_eq!(
        sized,
        SizedBatch {
            len: 1,
            simulated: 300_000,
            gas_limit: 1_000_000
        }
    );
    let failure = fit_batch(8, &policy(1_000_000), 0, |_| async { Ok(2_000_000) })
        .await
        .unwrap_err();
    assert_eq!((failure.len, failure.class), (1, ErrorClass::BatchTooLarge));
}

#[test]
fn pending_takes_backfill_and_live_messages_oldest_first_in_bounded_chunks() {
    // Ten messages on the lane when the relayer started; fifteen now.
    let mut tracker = PendingTracker::new(10);
    let c = tracker.candidates(15, 3, 4, |_| false);
    assert_eq!(c.backfill, vec![0, 1, 2, 3]);
    assert_eq!(c.live, vec![10, 11, 12]);
    assert_eq!(c.all(), vec![0, 1, 2, 3, 10, 11, 12]);
    assert_eq!(tracker.outstanding(15), 15);
    for nonce in 0..4 {
        tracker.mark_done(nonce);
    }
    tracker.mark_done(10);
    tracker.mark_done(11);
    let c = tracker.candidates(15, 3, 4, |_| false);
    assert_eq!(c.backfill, vec![4, 5, 6, 7]);
    assert_eq!(c.live, vec![12, 13, 14]);
    assert_eq!(tracker.floor(), 4);
    assert_eq!(tracker.outstanding(15), 9);
    // A message set aside is passed over, not waited for.
    let c = tracker.candidates(15, 3, 4, |n| n == 5 || n == 13);
    assert_eq!(c.backfill, vec![4, 6, 7, 8]);
    assert_eq!(c.live, vec![12, 14]);
    // Only what the checkpoint covers.
    let c = tracker.candidates(8, 3, 10, |_| false);
    assert_eq!(c.backfill, vec![4, 5, 6, 7]);
    assert!(c.live.is_empty());
    // Everything done: nothing.
    for nonce in 0..15 {
        tracker.mark_done(nonce);
    }
    assert!(tracker.candidates(15, 3, 4, |_| false).is_empty());
    assert_eq!(tracker.outstanding(15), 0);
    assert_eq!(tracker.outstanding(16), 1);
}

#[test]
fn pending_on_an_ordered_source_follows_next_nonce() {
    let mut tracker = PendingTracker::new(0);
    tracker.mark_done_below(70);
    assert!(tracker.is_done(0) && tracker.is_done(63) && tracker.is_done(69));
    assert!(!tracker.is_done(70));
    assert_eq!(tracker.outstanding(100), 30);
    assert_eq!(tracker.candidates(100, 2, 2, |_| false).live, vec![70, 71]);
    tracker.mark_done_below(128);
    assert_eq!(tracker.outstanding(128), 0);
    tracker.mark_done_below(0);
    assert_eq!(tracker.outstanding(130), 2);
}

#[test]
fn delivery_is_one_multiproof_for_many_and_for_one() {
    let lane = lane_of(7);
    let msg = delivery_msg(&lane, &[1, 2, 3, 5], 7).unwrap();
    let InboxExecuteMsg::DeliverBatch {
        source_chain,
        checkpoint_size,
        messages,
        proof,
    } = msg
    else {
        panic!("not a deliver_batch")
    };
    assert_eq!((source_chain.as_str(), checkpoint_size), ("chain-a", 7));
    let ids: Vec<Hash> = messages.iter().map(|b| ccmp_types::leaf_hash(b)).collect();
    assert_eq!(ids, [1, 2, 3, 5].map(|n| lane.ids()[n]).to_vec());
    let hashes: Vec<Hash> = proof
        .chunks_exact(32)
        .map(|c| c.try_into().unwrap())
        .collect();
    let root = ccmp_types::root(lane.ids());
    verify_multiproof(7, &[1, 2, 3, 5], &ids, &hashes, &root).unwrap();
    // Against an older checkpoint.
    let InboxExecuteMsg::DeliverBatch {
        messages, proof, ..
    } = delivery_msg(&lane, &[0, 2], 3).unwrap()
    else {
        panic!()
    };
    let ids: Vec<Hash> = messages.iter().map(|b| ccmp_types::leaf_hash(b)).collect();
    let hashes: Vec<Hash> = proof
        .chunks_exact(32)
        .map(|c| c.try_into().unwrap())
        .collect();
    verify_multiproof(
        3,
        &[0, 2],
        &ids,
        &hashes,
        &ccmp_types::root(&lane.ids()[..3]),
    )
    .unwrap();

    // One message: `deliver_batch` as well (what `LaneFollower::delivery` picks).
    let one = delivery_msg(&lane, &[4], 7).unwrap();
    assert_eq!(one, lane.delivery(4, 5, 7).unwrap());
    let InboxExecuteMsg::DeliverBatch { messages, .. } = one else {
        panic!("not a deliver_batch")
    };
    assert_eq!(messages.len(), 1);
    assert_eq!(
        ccmp_types::Message::decode(&messages[0]).unwrap(),
        *lane.message(4).unwrap()
    );
    assert_eq!(
        delivery_msg(&lane, &[2, 3, 4], 7).unwrap(),
        lane.delivery(2, 5, 7).unwrap()
    );
    assert!(delivery_msg(&lane, &[], 7).is_err());
    assert!(delivery_msg(&lane, &[3, 2], 7).is_err());
    assert!(delivery_msg(&lane, &[1, 2], 8).is_err());
    assert!(delivery_msg(&lane, &[1, 7], 7).is_err());
}

const CONFIG: &str = r#"
poll_interval_ms = 250
metrics_address = "127.0.0.1:9464"

[[lanes]]
source_chain = "chain-a"
destination_chain = "chain-b"
source_outbox = "neutron1outbox"
destination_inbox = "osmo1inbox"
start_height = 5

[[lanes.attesters]]
url = "http://127.0.0.1:8081"
pubkey = { ed25519 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=" }

[[lanes.attesters]]
url = "http://127.0.0.1:8082/base"
index = 1

[batch]
max_messages = 50

[gas]
multiplier = 1.5
max_gas_per_tx = 20000000

[retry_failed]
enabled = true
max_attempts = 4
min_interval_ms = 1000
"#;

#[test]
fn config_parses_from_toml_with_defaults_and_round_trips() {
    let config = RelayerConfig::from_toml(CONFIG).unwrap();
    assert_eq!(config.poll_interval(), Duration::from_millis(250));
    assert_eq!(config.lanes[0].start_height, 5);
    assert_eq!(config.lanes[0].attesters[1].index, Some(1));
    assert!(config.lanes[0].attesters[0].pubkey.is_some());
    assert_eq!(config.batch.max_messages, 50);
    // Defaults where nothing was said.
    assert_eq!(config.batch.max_backfill_per_iteration, 200);
    assert_eq!(config.gas.out_of_gas_multiplier, 2.0);
    assert_eq!(config.backoff.max_attempts, 5);
    assert_eq!(config.retry_failed.gas_limit, None);
    assert_eq!(
        config.metrics_socket().unwrap(),
        Some("127.0.0.1:9464".parse().unwrap())
    );
    let again = RelayerConfig::from_toml(&config.to_toml().unwrap()).unwrap();
    assert_eq!(again, config);
}

#[test]
fn config_errors_name_the_field() {
    let cases: Vec<(String, &str)> = vec![
        (
            CONFIG.replace("poll_interval_ms = 250", "poll_interval_ms = 0"),
            "poll_interval_ms",
        ),
        (
            CONFIG.replace("127.0.0.1:9464", "localhost"),
            "metrics_address",
        ),
        (
            CONFIG.replace("http://127.0.0.1:8081", "https://127.0.0.1:8081"),
            "lanes[0].attesters[0].url",
        ),
        (
            CONFIG.replace("http://127.0.0.1:8082/base", "http://127.0.0.1:8081"),
            "lanes[0].attesters[1].url",
        ),
        (
            CONFIG.replace(
                "destination_chain = \"chain-b\"",
                "destination_chain = \"chain-a\"",
            ),
            "lanes[0].destination_chain",
        ),
        (
            CONFIG.replace("source_chain = \"chain-a\"", "source_chain = \"chain a\""),
            "lanes[0].source_chain",
        ),
        (
            CONFIG.replace(
                "destination_inbox = \"osmo1inbox\"",
                "destination_inbox = \"\"",
            ),
            "lanes[0].destination_inbox",
        ),
        (
            CONFIG.replace("start_height = 5", "start_height = 0"),
            "lanes[0].start_height",
        ),
        (
            CONFIG.replace("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=", "AQID"),
            "lanes[0].attesters[0].pubkey",
        ),
        (
            CONFIG.replace("max_messages = 50", "max_messages = 0"),
            "batch.max_messages",
        ),
        (
            CONFIG.replace("multiplier = 1.5", "multiplier = 0.5"),
            "gas.multiplier",
        ),
        (
            CONFIG.replace("max_gas_per_tx = 20000000", "max_gas_per_tx = 10"),
            "gas.max_gas_per_tx",
        ),
        (
            CONFIG.replace("max_attempts = 4", "max_attempts = 1"),
            "retry_failed.max_attempts",
        ),
        (
            CONFIG.replace(
                "min_interval_ms = 1000",
                "min_interval_ms = 1000\ngas_limit = 10",
            ),
            "retry_failed.gas_limit",
        ),
        (CONFIG.replace("[batch]", "[batch]\nsurprise = 1"), "(toml)"),
    ];
    for (text, field) in cases {
        let err = RelayerConfig::from_toml(&text).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(err.to_string().contains(field));
    }
    let unknown =
        RelayerConfig::from_toml(&CONFIG.replace("[batch]", "[batch]\nsurprise = 1")).unwrap_err();
    assert!(unknown.reason.contains("surprise"), "{unknown}");

    let mut config = RelayerConfig::from_toml(CONFIG).unwrap();
    config.lanes.push(config.lanes[0].clone());
    assert_eq!(config.validate().unwrap_err().field, "lanes[1]");
    config.lanes.clear();
    assert_eq!(config.validate().unwrap_err().field, "lanes");
}

#[test]
fn a_released_message_keeps_its_id_for_proofs_and_is_never_carried_again() {
    let mut lane = lane_of(7);
    let before = lane.clone();
    assert_eq!(lane.held(), 7);
    lane.release(2);
    lane.release_below(5, |nonce| nonce == 3);
    // 0, 1, 2 and 4 released; 3 kept (as for a failed message waiting for its retry).
    assert_eq!(lane.held(), 3);
    for nonce in [0, 1, 2, 4] {
        assert!(matches!(
            lane.message(nonce),
            Err(ccmp_relayer::RelayError::Released { nonce: n }) if n == nonce
        ));
    }
    assert_eq!(lane.message(3).unwrap(), before.message(3).unwrap());
    assert!(matches!(
        lane.message(7),
        Err(ccmp_relayer::RelayError::BeyondLane {
            size: 7,
            requested: 8
        })
    ));
    // Proofs rest on the ids alone: the same checkpoints and the same batches of what is
    // held; a batch holding a released message is refused, not built short.
    assert_eq!(lane.size(), 7);
    assert_eq!(lane.checkpoint(7).unwrap(), before.checkpoint(7).unwrap());
    assert_eq!(
        delivery_msg(&lane, &[3, 5, 6], 7).unwrap(),
        delivery_msg(&before, &[3, 5, 6], 7).unwrap()
    );
    assert!(matches!(
        lane.deliver_batch(&[2, 3], 7),
        Err(ccmp_relayer::RelayError::Released { nonce: 2 })
    ));
    assert_eq!(
        lane.submit_checkpoint(7, 3, "o", &ccmp_bench::attesters(1), |_, _| vec![])
            .unwrap(),
        before
            .submit_checkpoint(7, 3, "o", &ccmp_bench::attesters(1), |_, _| vec![])
            .unwrap()
    );
    // Undoing an observation drops ids and messages from there on.
    lane.truncate(6);
    assert_eq!((lane.size(), lane.held()), (6, 2));
}
