//! The relay service with the real attester services (`ccmp-attester`, one task each, on
//! 127.0.0.1) on two embedded chains running the compiled contracts, through attester
//! faults: the heavy attester down (the others' weight is below the threshold: the lane
//! waits, nothing new is checkpointed), then restarted on its store and address (it goes
//! on from what it signed, signs an earlier size again byte for byte, and nothing that
//! conflicts), and the lane goes on. Every message is delivered exactly once with its exact status.

mod common;
mod e2e;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ccmp_attester::config::AttesterConfig;
use ccmp_attester::AttesterHandle;
use ccmp_relayer::service::{start, AttesterEndpoint, LaneState, RelayerConfig};
use ccmp_signer::AttesterKey;
use ccmp_types::MessageStatus;
use e2e::{deploy, wait_lane, Net, B, WAIT};
use tokio_util::sync::CancellationToken;

/// Starts attester `index` of the net's set on `listen`, with its store in `dir`.
async fn attester(
    net: &Net,
    dir: &Path,
    index: usize,
    key: &AttesterKey,
    listen: &str,
    shutdown: &CancellationToken,
) -> AttesterHandle {
    let mut config = AttesterConfig::new(
        net.outbox.clone(),
        vec![B.to_string()],
        dir.join(format!("store-{index}.json")),
        listen,
        dir.join(format!("key-{index}")),
    );
    config.poll_interval_ms = 50;
    ccmp_attester::start_with_key(
        config,
        Arc::new(net.a.client(&format!("attester-{index}"))),
        key.clone(),
        shutdown.child_token(),
    )
    .await
    .unwrap_or_else(|err| panic!("attester {index}: {err}"))
}

fn refusals(attester: &AttesterHandle) -> Option<String> {
    attester
        .metrics_text()
        .lines()
        .find(|l| l.starts_with("ccmp_attester_refusals_total"))
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn an_attester_down_stalls_the_lane_and_restarted_on_its_store_it_goes_on() {
    let net = deploy(false).await;
    // Weights 2 (Ed25519), 1 (secp256k1), 1 (Ed25519); threshold 3: without the first the
    // other two weigh 2.
    assert_eq!(net.signers.set.threshold, 3);
    let dir = tempfile::tempdir().unwrap();
    let shutdown = CancellationToken::new();
    let mut attesters = vec![];
    for (i, key) in net.signers.keys.iter().enumerate() {
        attesters.push(attester(&net, dir.path(), i, key, "127.0.0.1:0", &shutdown).await);
    }
    let addresses: Vec<_> = attesters.iter().map(|a| a.local_addr()).collect();
    let mut config: RelayerConfig = net.config(100);
    config.lanes[0].attesters = addresses
        .iter()
        .map(|address| AttesterEndpoint {
            url: format!("http://{address}"),
            pubkey: None,
            index: None,
        })
        .collect();
    let relayer = start(config, &net.chains("relayer")).await.unwrap();

    net.send(5, &net.receiver, None).await;
    let status = wait_lane(&relayer, "the first 5 delivered", |s| {
        s.checkpoint_size == 5 && s.pending == 0
    })
    .await;
    assert_eq!((status.delivered, status.source_size), (5, 5), "{status:?}");
    let before = attesters[0]
        .checkpoint(B, 5)
        .expect("the heavy attester signed size 5");

    // The heavy attester goes down: 2 of 3.
    let heavy = attesters.remove(0);
    heavy.stop().await.unwrap();
    net.send(5, &net.receiver, None).await;
    for attester in &attesters {
        let signed = attester.wait_for_checkpoint(B, 10, WAIT).await;
        assert_eq!(signed.map(|s| s.size), Some(10));
    }
    let status = wait_lane(&relayer, "the lane waiting for attesters at size 10", |s| {
        s.source_size == 10
            && s.state
                == LaneState::WaitingForAttesters {
                    weight: 2,
                    threshold: 3,
                }
    })
    .await;
    assert_eq!(
        (status.checkpoint_size, status.delivered, status.pending),
        (5, 5, 5),
        "{status:?}"
    );
    let source = net.source().await;
    assert_eq!(source.latest_checkpoint.map(|c| c.size), Some(5));
    assert_eq!(net.received().await, 5);
    for nonce in 5..10 {
        assert_eq!(net.status(nonce).await.status, MessageStatus::Unknown);
    }

    // Back, on the same store and address: what it signed at 5 it signs again, the same
    // bytes, and it carries on to 10.
    let heavy = attester(
        &net,
        dir.path(),
        0,
        &net.signers.keys[0],
        &addresses[0].to_string(),
        &shutdown,
    )
    .await;
    assert_eq!(heavy.local_addr(), addresses[0]);
    let after = heavy.wait_for_checkpoint(B, 10, WAIT).await.unwrap();
    assert_eq!(after.size, 10);
    let root: [u8; 32] = before.root.to_array().unwrap();
    let again = heavy.sign_checkpoint(B, 5, &root).unwrap();
    assert_eq!(again, before);
    attesters.insert(0, heavy);

    let status = wait_lane(&relayer, "all 10 delivered", |s| {
        s.checkpoint_size == 10 && s.pending == 0 && s.state == LaneState::Running
    })
    .await;
    assert_eq!(
        (status.delivered, status.failed, status.skipped),
        (10, 0, 0),
        "{status:?}"
    );
    assert_eq!(net.received().await, 10);
    for nonce in 0..10 {
        let status = net.status(nonce).await;
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::Delivered, 1),
            "nonce {nonce}"
        );
    }
    let source = net.source().await;
    assert_eq!(source.frozen, None);
    assert_eq!(source.latest_checkpoint.map(|c| c.size), Some(10));

    // Asked for a root it did not compute at a size it signed, the restarted attester
    // refuses and reports it; the signature it keeps is still its own.
    let forged = [0xab; 32];
    assert!(attesters[0].sign_checkpoint(B, 10, &forged).is_err());
    assert_eq!(attesters[0].checkpoint(B, 10).as_ref(), Some(&after));
    assert!(!attesters[0].is_healthy());
    for attester in &attesters[1..] {
        assert_eq!(refusals(attester), None, "no refusal");
        assert!(attester.is_healthy());
    }

    relayer.shutdown().await;
    shutdown.cancel();
    for attester in attesters {
        let _ = tokio::time::timeout(Duration::from_secs(30), attester.join()).await;
    }
}
