//! The relay service end to end on two embedded chains (`EmbeddedNode`, 50 ms blocks)
//! running the compiled contracts from artifacts/, with attester stand-ins that read the
//! source outbox and sign with `ccmp_signer` keys over HTTP.

mod common;
mod e2e;

use std::sync::Arc;

use ccmp_chain::embedded::block_time;
use ccmp_chain::{ChainClient, Execute};
use ccmp_inbox::msg::ExecuteMsg as InboxMsg;
use ccmp_relayer::service::{LaneState, LaneStatus};
use ccmp_types::{AttesterSignature, Checkpoint, MessageStatus};
use common::Mode;
use cosmwasm_std::{Binary, HexBinary};
use e2e::{deploy, http_get, wait_lane, A, B, GAS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn every_message_is_delivered_once_with_its_exact_status() {
    let net = deploy(false).await;
    // Before the relayer runs (backfill): 12 to the recording receiver, 3 to one that
    // refuses, 1 that times out before it can arrive.
    net.send(12, &net.receiver, None).await;
    net.send(3, &net.failing, None).await;
    let timeout = block_time(&net.a).plus_nanos(500_000_000);
    net.send(1, &net.receiver, Some(timeout)).await;
    net.until("chain b's time past the timeout", || async {
        block_time(&net.b) > timeout
    })
    .await;

    let relayer = net.relayer("relayer", 100).await;
    // Live traffic.
    net.send(10, &net.receiver, None).await;
    let status = wait_lane(&relayer, "every message processed", |s| {
        s.source_size == 26 && s.pending == 0
    })
    .await;
    assert_eq!(status.state, LaneState::Running);
    // Every message processed (the failed ones with no retry policy): none held.
    assert_eq!(status.held, 0, "{status:?}");
    assert_eq!(
        (
            status.delivered,
            status.failed,
            status.timed_out,
            status.skipped
        ),
        (22, 3, 1, 0),
        "{status:?}"
    );
    assert!(status.checkpoints >= 1);
    assert_eq!(status.checkpoint_size, 26);
    assert_eq!(net.received().await, 22);
    for nonce in 0..26 {
        let status = net.status(nonce).await;
        let (expected, attempts) = match nonce {
            12..=14 => (MessageStatus::Failed, 1),
            15 => (MessageStatus::TimedOut, 0),
            _ => (MessageStatus::Delivered, 1),
        };
        assert_eq!(
            (status.status, status.attempts),
            (expected, attempts),
            "nonce {nonce}"
        );
        if expected == MessageStatus::Failed {
            assert!(
                status
                    .error
                    .as_deref()
                    .unwrap_or("")
                    .contains("receiver refuses nonce"),
                "{status:?}"
            );
        }
    }
    assert_eq!(net.status(26).await.status, MessageStatus::Unknown);

    let (code, metrics) = http_get(&relayer, "/metrics").await;
    assert_eq!(code, 200);
    let labels = r#"{source="chain-a",destination="chain-b"}"#;
    for line in [
        format!("ccmp_relayer_messages_delivered_total{labels} 22"),
        format!("ccmp_relayer_messages_failed_total{labels} 3"),
        format!("ccmp_relayer_messages_timed_out_total{labels} 1"),
        format!("ccmp_relayer_lane_sent{labels} 26"),
        format!("ccmp_relayer_lane_attested{labels} 26"),
        format!("ccmp_relayer_lane_pending{labels} 0"),
        format!("ccmp_relayer_lane_held{labels} 0"),
        format!("ccmp_relayer_lane_frozen{labels} 0"),
    ] {
        assert!(metrics.contains(&line), "{line} missing from\n{metrics}");
    }
    assert!(metrics.contains("ccmp_relayer_submission_seconds_bucket"));
    let (code, health) = http_get(&relayer, "/health").await;
    assert_eq!(code, 200, "{health}");
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["lanes"][0]["delivered"], 22);

    relayer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn a_relayer_killed_mid_batch_and_restarted_loses_and_doubles_nothing() {
    let net = deploy(false).await;
    for _ in 0..3 {
        net.send(20, &net.receiver, None).await;
    }
    // Four messages a batch: fifteen transactions for the lot.
    let first = net.relayer("relayer", 4).await;
    net.until("some batches delivered", || async {
        net.received().await >= 8
    })
    .await;
    first.abort();
    let delivered_before = net.received().await;
    assert!(
        delivered_before < 60,
        "the first relayer was not stopped mid-way"
    );

    let second = net.relayer("relayer", 4).await;
    let status = wait_lane(&second, "the rest delivered", |s| {
        s.source_size == 60 && s.pending == 0
    })
    .await;
    assert_eq!(net.received().await, 60);
    for nonce in 0..60 {
        let status = net.status(nonce).await;
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::Delivered, 1),
            "nonce {nonce}"
        );
    }
    // What the first had done was found on chain, not redone (a batch in flight when it
    // died may have landed after: the inbox skipped it then).
    assert!(status.delivered <= 60 - delivered_before, "{status:?}");
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn two_relayers_racing_on_one_lane_deliver_every_message_once() {
    let net = deploy(false).await;
    let one = net.relayer("relayer-1", 10).await;
    let two = net.relayer("relayer-2", 10).await;
    for _ in 0..4 {
        net.send(10, &net.receiver, None).await;
    }
    let done = |s: &LaneStatus| s.source_size == 40 && s.pending == 0;
    let first = wait_lane(&one, "relayer 1 done", done).await;
    let second = wait_lane(&two, "relayer 2 done", done).await;
    assert_eq!(net.received().await, 40);
    assert_eq!(
        first.delivered + second.delivered,
        40,
        "{first:?} {second:?}"
    );
    for nonce in 0..40 {
        let status = net.status(nonce).await;
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::Delivered, 1),
            "nonce {nonce}"
        );
    }
    one.shutdown().await;
    two.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn an_ordered_lane_is_delivered_in_order_past_a_failing_receiver() {
    let net = deploy(true).await;
    net.send(4, &net.receiver, None).await;
    net.send(1, &net.failing, None).await;
    net.send(4, &net.receiver, None).await;
    let relayer = net.relayer("relayer", 3).await;
    let status = wait_lane(&relayer, "the ordered lane delivered", |s| {
        s.source_size == 9 && s.pending == 0
    })
    .await;
    assert_eq!((status.delivered, status.failed), (8, 1), "{status:?}");
    assert_eq!(net.source().await.next_nonce, Some(9));
    assert_eq!(net.status(4).await.status, MessageStatus::Failed);
    assert_eq!(net.received().await, 8);
    relayer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn a_forged_checkpoint_freezes_the_source_and_the_relayer_stops_delivering() {
    let net = deploy(false).await;
    let relayer = net.relayer("relayer", 100).await;
    net.send(5, &net.receiver, None).await;
    wait_lane(&relayer, "the first five delivered", |s| s.delivered == 5).await;
    assert_eq!(net.source().await.latest_checkpoint.unwrap().size, 5);

    // The attesters now sign another root for the stored size 5.
    let forged = [0x55u8; 32];
    for attester in &net.attesters {
        attester.set_mode(Mode::Forge {
            size: 5,
            root: forged,
        });
    }
    // The relayer drops their signatures (they are not over the lane's root) and waits.
    net.send(3, &net.receiver, None).await;
    let status = wait_lane(&relayer, "forged signatures dropped", |s| {
        s.source_size == 8 && s.bad_signatures >= 3
    })
    .await;
    assert!(
        matches!(
            status.state,
            LaneState::WaitingForAttesters { weight: 0, .. }
        ),
        "{status:?}"
    );

    // Someone else submits them: the inbox freezes the source.
    let mut signatures = vec![];
    for attester in &net.attesters {
        let signed = attester.latest(A, B).await;
        let index = net
            .signers
            .keys
            .iter()
            .position(|k| k.pubkey().bytes() == signed.pubkey.as_slice())
            .unwrap() as u32;
        signatures.push(AttesterSignature {
            index,
            signature: Binary::new(signed.signature.to_vec()),
        });
    }
    signatures.sort_by_key(|s| s.index);
    let mallory: Arc<dyn ChainClient> = Arc::new(net.b.client("mallory"));
    let submit = Execute::new(
        net.inbox.clone(),
        &InboxMsg::SubmitCheckpoint {
            checkpoint: Checkpoint {
                source_chain: A.into(),
                size: 5,
                root: HexBinary::from(&forged),
            },
            signatures,
            consistency_proof: vec![],
        },
    )
    .unwrap();
    mallory
        .broadcast(&[submit], GAS)
        .await
        .unwrap()
        .into_result()
        .unwrap();
    assert!(net.source().await.frozen.is_some());

    let frozen = wait_lane(&relayer, "the relayer reports the freeze", |s| {
        matches!(s.state, LaneState::Frozen { .. })
    })
    .await;
    // It keeps watching, and delivers nothing.
    let iterations = frozen.iterations;
    let status = wait_lane(&relayer, "more iterations while frozen", |s| {
        s.iterations >= iterations + 3
    })
    .await;
    assert!(
        matches!(status.state, LaneState::Frozen { .. }),
        "{status:?}"
    );
    assert_eq!(status.delivered, 5);
    for nonce in 5..8 {
        assert_eq!(net.status(nonce).await.status, MessageStatus::Unknown);
    }
    let (code, metrics) = http_get(&relayer, "/metrics").await;
    assert_eq!(code, 200);
    assert!(
        metrics.contains(r#"ccmp_relayer_lane_frozen{source="chain-a",destination="chain-b"} 1"#)
    );
    assert!(metrics.contains(r#"problem="bad_signature""#), "{metrics}");
    let (code, health) = http_get(&relayer, "/health").await;
    assert_eq!(code, 200);
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["status"], "degraded");
    assert!(
        health["problems"][0].as_str().unwrap().contains("frozen"),
        "{health}"
    );
    relayer.shutdown().await;
}
