//! The service end to end: on a fake chain (always run), and on the embedded chain with the
//! compiled outbox (`#[ignore]`d: needs `artifacts/` from `scripts/build.sh`).
//!
//! Every test is bounded (a timeout around its body, waits on conditions with timeouts,
//! no fixed sleeps) and every task it starts stops when its handle is dropped, also when
//! the test fails halfway.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ccmp_signer::AttesterKey;
use ccmp_types::{checkpoint_digest, Hash};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::HexBinary;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use crate::api::SignedCheckpoint;
use crate::service::Shared;
use crate::testutil::{get, FakeChain};
use crate::{
    start, write_key_file, AttestError, AttesterConfig, AttesterHandle, KeyFile, KeyFileError,
    Refusal, StartError, Store,
};

const WAIT: Duration = Duration::from_secs(20);

/// Runs a test body within `seconds`.
async fn bounded<F: Future<Output = ()>>(seconds: u64, body: F) {
    tokio::time::timeout(Duration::from_secs(seconds), body)
        .await
        .expect("the test finishes in time");
}

fn hex(bytes: &[u8]) -> String {
    HexBinary::from(bytes).to_hex()
}

struct Setup {
    dir: tempfile::TempDir,
    key: AttesterKey,
    config: AttesterConfig,
}

const SECRET: &str = "5e0000000000000000000000000000000000000000000000000000000000abcd";

fn setup(key_type: &str, outbox: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("key.json");
    write_key_file(
        &key_path,
        &KeyFile {
            key_type: key_type.into(),
            secret_hex: SECRET.into(),
        },
    )
    .unwrap();
    let key = AttesterKey::from_spec(&format!("{key_type}:{SECRET}")).unwrap();
    let mut config = AttesterConfig::new(
        outbox,
        vec!["chain-b".into(), "chain-c".into()],
        dir.path().join("store.json"),
        "127.0.0.1:0",
        key_path,
    );
    config.poll_interval_ms = 20;
    config.blocks_per_request = 3;
    config.publish_dir = Some(dir.path().join("published"));
    Setup { dir, key, config }
}

impl Setup {
    async fn start(&self, chain: Arc<FakeChain>) -> Result<AttesterHandle, StartError> {
        start(self.config.clone(), chain, CancellationToken::new()).await
    }
}

/// The exact JSON of the signature `key` gives to checkpoint `(size, root)`.
fn expected_json(
    key: &AttesterKey,
    (source, outbox, destination): (&str, &str, &str),
    size: u64,
    root: &Hash,
) -> Value {
    let digest = checkpoint_digest(source, outbox, destination, size, root).unwrap();
    let pubkey = key.pubkey();
    json!({
        "source_chain": source,
        "source_outbox": outbox,
        "destination_chain": destination,
        "size": size,
        "root": hex(root),
        "digest": hex(&digest),
        "key_type": pubkey.key_type_name(),
        "pubkey": hex(pubkey.bytes()),
        "signature": hex(&key.sign(&digest)),
    })
}

fn checks_out(signed: &SignedCheckpoint, key: &AttesterKey, root: &Hash) {
    let api = MockApi::default();
    signed.verify(&api).unwrap();
    let digest = checkpoint_digest(
        &signed.source_chain,
        &signed.source_outbox,
        &signed.destination_chain,
        signed.size,
        root,
    )
    .unwrap();
    assert_eq!(signed.digest, HexBinary::from(&digest));
    assert_eq!(signed.root, HexBinary::from(root));
    key.pubkey()
        .verify(&api, &digest, &signed.signature)
        .unwrap();
}

fn metric(text: &str, line_start: &str) -> Option<String> {
    text.lines()
        .find(|line| line.starts_with(line_start) && line[line_start.len()..].starts_with(' '))
        .map(|line| line[line_start.len() + 1..].to_string())
}

mod fake_chain {
    use super::*;

    #[tokio::test]
    async fn signs_checked_checkpoints_and_serves_them_exactly() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 3);
            chain.send("chain-c", 1);
            let s = setup("ed25519", &chain.outbox);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            let addr = attester.local_addr();
            let lane_b = ("chain-a", chain.outbox.as_str(), "chain-b");

            let signed = attester.wait_for_checkpoint("chain-b", 3, WAIT).await.unwrap();
            assert_eq!(signed.size, 3);
            checks_out(&signed, &s.key, &chain.root("chain-b", 3));
            attester.wait_for_checkpoint("chain-c", 1, WAIT).await.unwrap();

            let expected = expected_json(&s.key, lane_b, 3, &chain.root("chain-b", 3));
            for path in ["latest", "3"] {
                let answer = get(addr, &format!("/v1/checkpoints/chain-a/chain-b/{path}")).await;
                assert_eq!(answer.status, 200);
                assert_eq!(answer.content_type.as_deref(), Some("application/json"));
                assert_eq!(answer.json(), expected);
            }
            let health = get(addr, "/health").await;
            assert_eq!(health.status, 200);
            assert_eq!(
                health.json(),
                json!({
                    "status": "ok",
                    "lanes": [
                        { "source_chain": "chain-a", "destination_chain": "chain-b", "signed_size": 3 },
                        { "source_chain": "chain-a", "destination_chain": "chain-c", "signed_size": 1 },
                    ],
                })
            );
            // The publish directory has the same JSON.
            let published = s.dir.path().join("published/chain-a/chain-b");
            for name in ["3.json", "latest.json"] {
                let file: Value =
                    serde_json::from_slice(&std::fs::read(published.join(name)).unwrap()).unwrap();
                assert_eq!(file, expected, "{name}");
            }

            // The lane grows: the newer checkpoint is signed, the older one still served.
            chain.send("chain-b", 2);
            let signed = attester.wait_for_checkpoint("chain-b", 5, WAIT).await.unwrap();
            assert_eq!(signed.size, 5);
            checks_out(&signed, &s.key, &chain.root("chain-b", 5));
            assert_eq!(
                get(addr, "/v1/checkpoints/chain-a/chain-b/latest").await.json(),
                expected_json(&s.key, lane_b, 5, &chain.root("chain-b", 5))
            );
            assert_eq!(
                get(addr, "/v1/checkpoints/chain-a/chain-b/3").await.json(),
                expected
            );
            let missing = get(addr, "/v1/checkpoints/chain-a/chain-b/4").await;
            assert_eq!(missing.status, 404);
            assert_eq!(
                missing.json(),
                json!({ "error": "no signed checkpoint of size 4 on the lane to \"chain-b\": sizes 3 to 5 are kept" })
            );

            // The store holds the newest signed, durably.
            let store = Store::open(&s.config.store_path, &s.key.pubkey()).unwrap();
            let contents = store.contents().unwrap();
            let b = contents
                .checkpoints
                .iter()
                .find(|r| r.destination_chain == "chain-b")
                .unwrap();
            assert_eq!((b.size, b.root.clone()), (5, HexBinary::from(&chain.root("chain-b", 5))));

            let metrics = get(addr, "/metrics").await;
            assert_eq!(metrics.status, 200);
            assert_eq!(
                metrics.content_type.as_deref(),
                Some(crate::METRICS_CONTENT_TYPE)
            );
            let text = metrics.body;
            let lane = "{source_chain=\"chain-a\",destination_chain=\"chain-b\"}";
            assert_eq!(metric(&text, &format!("ccmp_attester_signed_size{lane}")).as_deref(), Some("5"));
            assert_eq!(
                metric(&text, &format!("ccmp_attester_checkpoints_signed_total{lane}")).as_deref(),
                Some("2")
            );
            assert_eq!(metric(&text, "ccmp_attester_lanes_followed").as_deref(), Some("2"));
            assert_eq!(metric(&text, "ccmp_attester_events_read_total").as_deref(), Some("6"));
            assert_eq!(metric(&text, "ccmp_attester_healthy").as_deref(), Some("1"));
            assert!(text.ends_with("# EOF\n"), "{text}");

            attester.stop().await.unwrap();
            // Stopped: the port no longer answers.
            assert!(tokio::net::TcpStream::connect(addr).await.is_err());
        })
        .await;
    }

    #[tokio::test]
    async fn restarting_on_the_same_store_signs_nothing_conflicting() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 3);
            let s = setup("secp256k1", &chain.outbox);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            let first = attester
                .wait_for_checkpoint("chain-b", 3, WAIT)
                .await
                .unwrap();
            attester.stop().await.unwrap();

            // Same store, same chain: the same checkpoint again (the same signature: RFC
            // 6979), then only its extensions.
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            assert_eq!(attester.health().lanes[0].signed_size, 3, "from the store");
            let again = attester
                .wait_for_checkpoint("chain-b", 3, WAIT)
                .await
                .unwrap();
            assert_eq!(again, first);
            chain.send("chain-b", 1);
            let next = attester
                .wait_for_checkpoint("chain-b", 4, WAIT)
                .await
                .unwrap();
            checks_out(&next, &s.key, &chain.root("chain-b", 4));
            assert!(attester.is_healthy());
            assert_eq!(
                metric(&attester.metrics_text(), "ccmp_attester_refusals_total"),
                None,
                "no refusal"
            );
            attester.stop().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn a_store_that_disagrees_with_the_chain_fails_start_closed() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 3);
            let s = setup("ed25519", &chain.outbox);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            attester.wait_for_checkpoint("chain-b", 3, WAIT).await.unwrap();
            attester.stop().await.unwrap();

            // The store says (3, r'), the chain (3, r).
            let text = std::fs::read_to_string(&s.config.store_path).unwrap();
            let true_root = hex(&chain.root("chain-b", 3));
            let forged = "ab".repeat(32);
            std::fs::write(&s.config.store_path, text.replace(&true_root, &forged)).unwrap();
            let err = s.start(Arc::clone(&chain)).await.unwrap_err();
            match &err {
                StartError::StoreDisagrees {
                    destination,
                    size,
                    stored_root,
                    chain_root,
                } => {
                    assert_eq!(
                        (destination.as_str(), *size, stored_root.as_str(), chain_root.as_str()),
                        ("chain-b", 3, forged.as_str(), true_root.as_str())
                    );
                }
                other => panic!("{other}"),
            }
            let message = err.to_string();
            assert!(message.starts_with("fail-closed: the store records that this attester signed the lane to \"chain-b\" at size 3"), "{message}");

            // Another history of the same outbox (another sender): the same refusal.
            std::fs::write(&s.config.store_path, &text).unwrap();
            let other = FakeChain::new("chain-a", true);
            other.set_sender("someone-else");
            other.send("chain-b", 3);
            assert!(matches!(
                s.start(Arc::clone(&other)).await.unwrap_err(),
                StartError::StoreDisagrees { size: 3, .. }
            ));
            // A chain with fewer messages than were signed.
            let short = FakeChain::new("chain-a", true);
            short.send("chain-b", 2);
            let err = s.start(short).await.unwrap_err();
            assert!(
                matches!(
                    err,
                    StartError::StoreAhead { ref destination, signed_size: 3, chain_size: 2 }
                        if destination == "chain-b"
                ),
                "{err}"
            );
        })
        .await;
    }

    #[tokio::test]
    async fn a_conflicting_request_is_refused_and_reported() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 3);
            let s = setup("ed25519", &chain.outbox);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            let addr = attester.local_addr();
            attester.wait_for_checkpoint("chain-b", 3, WAIT).await.unwrap();

            // A prefix of the signed history is fine, and does not lower what is latest.
            let two = attester
                .sign_checkpoint("chain-b", 2, &chain.root("chain-b", 2))
                .unwrap();
            checks_out(&two, &s.key, &chain.root("chain-b", 2));
            assert_eq!(attester.latest("chain-b").unwrap().size, 3);
            assert_eq!(
                attester.sign_checkpoint("chain-x", 1, &[0; 32]).unwrap_err(),
                AttestError::UnknownLane("chain-x".into())
            );

            // Another root at the signed size.
            let forged = [0xab; 32];
            let err = attester.sign_checkpoint("chain-b", 3, &forged).unwrap_err();
            let AttestError::Refused(refusal) = &err else {
                panic!("{err}")
            };
            assert!(matches!(refusal, Refusal::ConflictingRoot { size: 3, .. }), "{refusal}");
            let text = refusal.to_string();

            let health = get(addr, "/health").await;
            assert_eq!(health.status, 503);
            assert_eq!(
                health.json(),
                json!({
                    "status": "failed",
                    "lanes": [
                        { "source_chain": "chain-a", "destination_chain": "chain-b", "signed_size": 3 },
                        { "source_chain": "chain-a", "destination_chain": "chain-c", "signed_size": 0 },
                    ],
                    "problems": [text],
                })
            );
            let metrics = get(addr, "/metrics").await.body;
            assert_eq!(
                metric(
                    &metrics,
                    "ccmp_attester_refusals_total{destination_chain=\"chain-b\",reason=\"conflicting_root\"}"
                )
                .as_deref(),
                Some("1")
            );
            assert_eq!(metric(&metrics, "ccmp_attester_healthy").as_deref(), Some("0"));
            assert_eq!(metric(&metrics, "ccmp_attester_lanes_followed").as_deref(), Some("1"));

            // The lane is halted: nothing more is signed on it, even what is honest.
            assert!(matches!(
                attester.sign_checkpoint("chain-b", 3, &chain.root("chain-b", 3)),
                Err(AttestError::Halted { .. })
            ));
            chain.send("chain-b", 1);
            // The other lane goes on, and a root it did not compute is refused there too.
            chain.send("chain-c", 2);
            attester.wait_for_checkpoint("chain-c", 2, WAIT).await.unwrap();
            assert_eq!(attester.latest("chain-b").unwrap().size, 3);
            let err = attester.sign_checkpoint("chain-c", 1, &forged).unwrap_err();
            assert!(
                matches!(err, AttestError::Refused(Refusal::NotRecomputed { size: 1, .. })),
                "{err}"
            );
            // Nothing conflicting reached the store.
            let store = Store::open(&s.config.store_path, &s.key.pubkey()).unwrap();
            let b = store
                .last_checkpoint(&crate::LaneId {
                    source_chain: "chain-a".into(),
                    source_outbox: chain.outbox.clone(),
                    destination_chain: "chain-b".into(),
                })
                .unwrap();
            assert_eq!(b, Some((3, chain.root("chain-b", 3))));
            attester.stop().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn an_outbox_whose_state_disagrees_with_its_events_is_not_signed() {
        bounded(60, async {
            // At start: fail closed.
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 2);
            chain.lie("chain-b", 2, [7; 32]);
            let s = setup("ed25519", &chain.outbox);
            let err = s.start(Arc::clone(&chain)).await.unwrap_err();
            assert!(
                matches!(err, StartError::OutboxDisagrees { size: 2, .. }),
                "{err}"
            );
            assert!(!s.config.store_path.exists(), "nothing signed");

            // While running: the lane halts and nothing is signed at the disputed size.
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 2);
            let s = setup("ed25519", &chain.outbox);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            attester
                .wait_for_checkpoint("chain-b", 2, WAIT)
                .await
                .unwrap();
            chain.send("chain-b", 1);
            chain.lie("chain-b", 3, [7; 32]);
            let health = attester.wait_until_unhealthy(WAIT).await.unwrap();
            assert!(
                health.problems[0].contains("the outbox stores root 0707"),
                "{health:?}"
            );
            assert_eq!(attester.latest("chain-b").unwrap().size, 2);
            assert_eq!(
                metric(
                    &attester.metrics_text(),
                    "ccmp_attester_errors_total{class=\"outbox_mismatch\"}"
                )
                .as_deref(),
                Some("1")
            );
            attester.stop().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn a_node_without_history_whose_state_runs_ahead_still_gets_checkpoints() {
        bounded(60, async {
            // Like the embedded chain: queries answer the latest state only, which holds
            // the open block's sends before their events can be read.
            let chain = FakeChain::new("chain-a", false);
            chain.send("chain-b", 2);
            chain.send_open("chain-b");
            let s = setup("ed25519", &chain.outbox);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            // The outbox says 3, the events give 2: nothing to compare yet at 3.
            assert!(attester.latest("chain-b").is_none());
            chain.close_block();
            let signed = attester
                .wait_for_checkpoint("chain-b", 3, WAIT)
                .await
                .unwrap();
            checks_out(&signed, &s.key, &chain.root("chain-b", 3));

            // A send in every block: the state is always ahead of the events read, and
            // the attester still signs, each claim checked once its events are in.
            let busy = Arc::clone(&chain);
            let token = CancellationToken::new();
            let stop = token.clone();
            let sender = tokio::spawn(async move {
                for _ in 0..200 {
                    busy.close_block();
                    busy.send_open("chain-b");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                    }
                }
            });
            let _stop_sender = token.drop_guard();
            let signed = attester
                .wait_for_checkpoint("chain-b", 20, WAIT)
                .await
                .unwrap();
            checks_out(&signed, &s.key, &chain.root("chain-b", signed.size));
            assert!(attester.is_healthy(), "{:?}", attester.health());
            sender.abort();
            attester.stop().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn an_unreachable_chain_is_retried_and_counted() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 1);
            let s = setup("ed25519", &chain.outbox);
            chain.set_unreachable(true);
            let err = s.start(Arc::clone(&chain)).await.unwrap_err();
            assert!(
                err.to_string().starts_with("cannot query the outbox outbox-contract's config (field `outbox`): chain \"chain-a\" unreachable"),
                "{err}"
            );
            chain.set_unreachable(false);
            let attester = s.start(Arc::clone(&chain)).await.unwrap();
            attester.wait_for_checkpoint("chain-b", 1, WAIT).await.unwrap();
            chain.set_unreachable(true);
            chain.send("chain-b", 1);
            let counted = attester
                .wait_until(WAIT, || {
                    metric(&attester.metrics_text(), "ccmp_attester_errors_total{class=\"chain\"}")
                })
                .await;
            assert!(counted.is_some());
            assert!(attester.is_healthy(), "a transient failure is not a refusal");
            chain.set_unreachable(false);
            attester.wait_for_checkpoint("chain-b", 2, WAIT).await.unwrap();
            attester.stop().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    async fn bad_configuration_keys_and_outboxes_are_clear_start_errors() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            let s = setup("ed25519", &chain.outbox);

            let mut config = s.config.clone();
            config.lanes.clear();
            let err = start(config, chain.clone(), CancellationToken::new()).await.unwrap_err();
            assert!(matches!(&err, StartError::Config(e) if e.field == "lanes"), "{err}");

            let mut config = s.config.clone();
            config.key_path = s.dir.path().join("missing.json");
            let err = start(config.clone(), chain.clone(), CancellationToken::new())
                .await
                .unwrap_err();
            assert!(
                matches!(&err, StartError::Key(e @ KeyFileError::Read { path, .. }) if *path == config.key_path && e.is_missing()),
                "{err}"
            );

            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(
                    &s.config.key_path,
                    std::fs::Permissions::from_mode(0o644),
                )
                .unwrap();
                let err = s.start(chain.clone()).await.unwrap_err();
                assert!(
                    matches!(&err, StartError::Key(KeyFileError::Permissions { mode: 0o644, .. })),
                    "{err}"
                );
                assert!(!format!("{err:?}").contains(SECRET));
                std::fs::set_permissions(
                    &s.config.key_path,
                    std::fs::Permissions::from_mode(0o600),
                )
                .unwrap();
            }

            let mut config = s.config.clone();
            config.source_chain = Some("chain-z".into());
            let err = start(config, chain.clone(), CancellationToken::new()).await.unwrap_err();
            assert_eq!(
                err.to_string(),
                "config field `source_chain`: \"chain-z\", but the outbox's chain id is \"chain-a\""
            );

            let mut config = s.config.clone();
            config.outbox = "not-the-outbox".into();
            let err = start(config, chain.clone(), CancellationToken::new()).await.unwrap_err();
            assert!(
                matches!(&err, StartError::Chain { source: ccmp_chain::ChainError::NoSuchContract { .. }, .. }),
                "{err}"
            );

            // A port in use names the field.
            let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut config = s.config.clone();
            config.listen = taken.local_addr().unwrap().to_string();
            let err = start(config, chain.clone(), CancellationToken::new()).await.unwrap_err();
            assert!(matches!(&err, StartError::Config(e) if e.field == "listen"), "{err}");

            // Cancelled before it could start.
            let token = CancellationToken::new();
            token.cancel();
            assert!(matches!(
                s.start_with(chain.clone(), token).await.unwrap_err(),
                StartError::Cancelled
            ));
        })
        .await;
    }

    #[tokio::test]
    async fn cancelling_the_token_stops_both_tasks() {
        bounded(60, async {
            let chain = FakeChain::new("chain-a", true);
            chain.send("chain-b", 1);
            let s = setup("ed25519", &chain.outbox);
            let token = CancellationToken::new();
            let attester = s.start_with(chain.clone(), token.clone()).await.unwrap();
            let addr = attester.local_addr();
            attester
                .wait_for_checkpoint("chain-b", 1, WAIT)
                .await
                .unwrap();
            token.cancel();
            attester.join().await.unwrap();
            assert!(tokio::net::TcpStream::connect(addr).await.is_err());
        })
        .await;
    }

    impl Setup {
        async fn start_with(
            &self,
            chain: Arc<FakeChain>,
            token: CancellationToken,
        ) -> Result<AttesterHandle, StartError> {
            start(self.config.clone(), chain, token).await
        }
    }
}

/// The HTTP handlers over a lane filled by hand (no chain).
mod http_handlers {
    use super::*;

    fn signed(key: &AttesterKey, size: u64) -> SignedCheckpoint {
        let root = ccmp_types::sha256(&size.to_be_bytes());
        serde_json::from_value(expected_json(
            key,
            ("chain-a", "outbox", "chain-b"),
            size,
            &root,
        ))
        .unwrap()
    }

    #[tokio::test]
    async fn answers_exact_json_keeps_a_bounded_window_and_fails_closed() {
        bounded(30, async {
            let key = AttesterKey::test_key(3, false);
            let shared = Shared::new("chain-a", &["chain-b".into(), "chain-c".into()], 2);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let token = CancellationToken::new();
            let _stop = token.clone().drop_guard();
            let server = tokio::spawn(crate::http::serve(listener, Arc::clone(&shared), token.clone()));

            let none = get(addr, "/v1/checkpoints/chain-a/chain-b/latest").await;
            assert_eq!(none.status, 404);
            assert_eq!(
                none.json(),
                json!({ "error": "no signed checkpoint on the lane to \"chain-b\": none is signed yet" })
            );
            for size in [1, 2, 3] {
                shared.publish(signed(&key, size));
            }
            // Only the last two are kept.
            let latest = get(addr, "/v1/checkpoints/chain-a/chain-b/latest").await;
            assert_eq!(latest.status, 200);
            assert_eq!(latest.json(), serde_json::to_value(signed(&key, 3)).unwrap());
            assert_eq!(
                get(addr, "/v1/checkpoints/chain-a/chain-b/2").await.json(),
                serde_json::to_value(signed(&key, 2)).unwrap()
            );
            let evicted = get(addr, "/v1/checkpoints/chain-a/chain-b/1").await;
            assert_eq!(evicted.status, 404);
            assert_eq!(
                evicted.json(),
                json!({ "error": "no signed checkpoint of size 1 on the lane to \"chain-b\": sizes 2 to 3 are kept" })
            );
            let cases = [
                ("/v1/checkpoints/chain-a/chain-b/two", 400, "size must be a decimal number or \"latest\", got \"two\""),
                ("/v1/checkpoints/chain-a/chain-b/-1", 400, "size must be a decimal number or \"latest\", got \"-1\""),
                ("/v1/checkpoints/chain-z/chain-b/latest", 404, "this attester signs lanes from \"chain-a\", not from \"chain-z\""),
                ("/v1/checkpoints/chain-a/chain-d/latest", 404, "this attester does not follow the lane to \"chain-d\""),
                ("/v1/checkpoints/chain-a/chain-b", 404, "no such endpoint: see /v1/checkpoints/{source_chain}/{destination_chain}/{latest|size}, /health, /metrics"),
            ];
            for (path, status, error) in cases {
                let answer = get(addr, path).await;
                assert_eq!(answer.status, status, "{path}");
                assert_eq!(answer.json(), json!({ "error": error }), "{path}");
            }
            // Chain ids are path segments: percent-encoded ones are decoded.
            let encoded = get(addr, "/v1/checkpoints/chain%2Da/chain-b/3").await;
            assert_eq!(encoded.status, 200);

            let health = get(addr, "/health").await;
            assert_eq!((health.status, health.json()), (200, json!({
                "status": "ok",
                "lanes": [
                    { "source_chain": "chain-a", "destination_chain": "chain-b", "signed_size": 3 },
                    { "source_chain": "chain-a", "destination_chain": "chain-c", "signed_size": 0 },
                ],
            })));
            shared.halt("chain-c", "lane to \"chain-c\" halted: a test".into());
            let health = get(addr, "/health").await;
            assert_eq!((health.status, health.json()), (503, json!({
                "status": "failed",
                "lanes": [
                    { "source_chain": "chain-a", "destination_chain": "chain-b", "signed_size": 3 },
                    { "source_chain": "chain-a", "destination_chain": "chain-c", "signed_size": 0 },
                ],
                "problems": ["lane to \"chain-c\" halted: a test"],
            })));
            // Checkpoints already signed stay available.
            assert_eq!(get(addr, "/v1/checkpoints/chain-a/chain-b/latest").await.status, 200);
            let metrics = get(addr, "/metrics").await;
            assert_eq!(metrics.content_type.as_deref(), Some(crate::METRICS_CONTENT_TYPE));
            assert_eq!(metric(&metrics.body, "ccmp_attester_lanes_followed").as_deref(), Some("1"));

            token.cancel();
            server.await.unwrap().unwrap();
        })
        .await;
    }
}

/// On the embedded chain with the compiled outbox (`scripts/build.sh` first).
mod embedded {
    use super::*;
    use ccmp_chain::embedded::EmbeddedNode;
    use ccmp_chain::{ChainClient, Execute};
    use ccmp_devnet::ChainConfig;
    use ccmp_outbox::msg::{DestinationConfig, InstantiateMsg, LaneResponse, QueryMsg};
    use ccmp_types::{OutboxExecuteMsg, SendMsg};
    use cosmwasm_std::Binary;

    const GAS: u64 = 5_000_000;

    struct Deployed {
        node: EmbeddedNode,
        client: Arc<dyn ChainClient>,
        outbox: String,
    }

    impl Drop for Deployed {
        fn drop(&mut self) {
            self.node.stop();
        }
    }

    async fn deploy() -> Deployed {
        let node = EmbeddedNode::start(
            ChainConfig::new("chain-a", "cosmos"),
            Duration::from_millis(50),
        )
        .unwrap();
        let client = node.client("owner");
        let wasm = ccmp_bench::artifact("ccmp_outbox.wasm");
        let (code_id, _) = client.store_code(&wasm, GAS).await.unwrap();
        let init = InstantiateMsg {
            owner: None,
            chain_id: None,
            destinations: Some(
                ["chain-b", "chain-c"]
                    .iter()
                    .map(|chain| DestinationConfig {
                        chain: chain.to_string(),
                        enabled: true,
                        fee: None,
                        max_body_bytes: None,
                    })
                    .collect(),
            ),
        };
        let (outbox, _) = client
            .instantiate(
                code_id,
                &serde_json::to_vec(&init).unwrap(),
                "ccmp outbox",
                None,
                GAS,
            )
            .await
            .unwrap();
        Deployed {
            node: node.clone(),
            client: Arc::new(client),
            outbox,
        }
    }

    impl Deployed {
        /// Sends `n` messages to `destination`, in one transaction.
        async fn send(&self, destination: &str, n: u64) {
            let msgs: Vec<Execute> = (0..n)
                .map(|i| {
                    Execute::new(
                        &self.outbox,
                        &OutboxExecuteMsg::Send(SendMsg {
                            destination_chain: destination.into(),
                            recipient: "recipient".into(),
                            body: Binary::from(format!("hello {i}").into_bytes()),
                            timeout_timestamp: None,
                        }),
                    )
                    .unwrap()
                })
                .collect();
            self.client
                .broadcast(&msgs, GAS)
                .await
                .unwrap()
                .into_result()
                .unwrap();
        }

        async fn lane(&self, destination: &str) -> (u64, Hash) {
            let lane: LaneResponse = ccmp_chain::query(
                &*self.client,
                &self.outbox,
                &QueryMsg::Lane {
                    destination_chain: destination.into(),
                },
            )
            .await
            .unwrap();
            (lane.size, lane.root.to_array().unwrap())
        }

        async fn attester(&self, s: &Setup) -> Result<AttesterHandle, StartError> {
            start(
                s.config.clone(),
                Arc::clone(&self.client),
                CancellationToken::new(),
            )
            .await
        }
    }

    #[tokio::test]
    #[ignore = "needs artifacts/ from scripts/build.sh"]
    async fn signs_the_compiled_outboxs_lanes_and_serves_verifiable_signatures() {
        bounded(120, async {
            let chain = deploy().await;
            chain.send("chain-b", 3).await;
            chain.send("chain-c", 1).await;
            let s = setup("secp256k1", &chain.outbox);
            let attester = chain.attester(&s).await.unwrap();
            let addr = attester.local_addr();
            let signed = attester.wait_for_checkpoint("chain-b", 3, WAIT).await.unwrap();
            let (size, root) = chain.lane("chain-b").await;
            assert_eq!((signed.size, size), (3, 3));
            checks_out(&signed, &s.key, &root);
            let answer = get(addr, "/v1/checkpoints/chain-a/chain-b/latest").await;
            assert_eq!(answer.status, 200);
            assert_eq!(
                answer.json(),
                expected_json(&s.key, ("chain-a", &chain.outbox, "chain-b"), 3, &root)
            );
            attester.wait_for_checkpoint("chain-c", 1, WAIT).await.unwrap();

            // More messages: the newer checkpoint, consistent with the first.
            chain.send("chain-b", 2).await;
            let signed = attester.wait_for_checkpoint("chain-b", 5, WAIT).await.unwrap();
            let (size, root) = chain.lane("chain-b").await;
            assert_eq!(size, 5);
            checks_out(&signed, &s.key, &root);
            assert_eq!(get(addr, "/health").await.status, 200);
            attester.stop().await.unwrap();

            // Restart on the same store: the same checkpoint again, nothing conflicting.
            let attester = chain.attester(&s).await.unwrap();
            let again = attester.wait_for_checkpoint("chain-b", 5, WAIT).await.unwrap();
            assert_eq!(again, signed);

            // A conflicting request is refused and reported.
            let err = attester.sign_checkpoint("chain-b", 5, &[0xcd; 32]).unwrap_err();
            assert!(
                matches!(err, AttestError::Refused(Refusal::ConflictingRoot { size: 5, .. })),
                "{err}"
            );
            let health = get(attester.local_addr(), "/health").await;
            assert_eq!(health.status, 503);
            assert_eq!(health.json()["status"], "failed");
            let metrics = get(attester.local_addr(), "/metrics").await.body;
            assert_eq!(
                metric(
                    &metrics,
                    "ccmp_attester_refusals_total{destination_chain=\"chain-b\",reason=\"conflicting_root\"}"
                )
                .as_deref(),
                Some("1")
            );
            attester.stop().await.unwrap();
        })
        .await;
    }

    #[tokio::test]
    #[ignore = "needs artifacts/ from scripts/build.sh"]
    async fn a_store_that_disagrees_with_the_compiled_outbox_fails_start_closed() {
        bounded(120, async {
            let chain = deploy().await;
            chain.send("chain-b", 3).await;
            let s = setup("ed25519", &chain.outbox);
            let (_, root) = chain.lane("chain-b").await;
            // The store says this key signed (3, r') on this lane.
            let store = serde_json::json!({
                "format": crate::store::STORE_FORMAT,
                "key_type": "ed25519",
                "pubkey": hex(s.key.pubkey().bytes()),
                "checkpoints": [{
                    "source_chain": "chain-a",
                    "source_outbox": chain.outbox,
                    "destination_chain": "chain-b",
                    "size": 3,
                    "root": "ee".repeat(32),
                }],
                "rotations": [],
            });
            std::fs::write(&s.config.store_path, serde_json::to_vec(&store).unwrap()).unwrap();
            let err = chain.attester(&s).await.unwrap_err();
            match err {
                StartError::StoreDisagrees {
                    destination,
                    size,
                    stored_root,
                    chain_root,
                } => {
                    assert_eq!(destination, "chain-b");
                    assert_eq!(size, 3);
                    assert_eq!(stored_root, "ee".repeat(32));
                    assert_eq!(chain_root, hex(&root));
                }
                other => panic!("{other}"),
            }
            // Signed more than the chain has: fail closed as well.
            let mut ahead = store.clone();
            ahead["checkpoints"][0]["size"] = json!(9);
            std::fs::write(&s.config.store_path, serde_json::to_vec(&ahead).unwrap()).unwrap();
            assert!(matches!(
                chain.attester(&s).await.unwrap_err(),
                StartError::StoreAhead {
                    signed_size: 9,
                    chain_size: 3,
                    ..
                }
            ));
        })
        .await;
    }
}
