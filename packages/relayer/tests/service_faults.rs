//! The relay service against faults injected between it and two embedded chains running
//! the compiled contracts: a source whose events miss a transaction at first, a
//! destination that refuses big batches, runs a transaction out of gas, is unreachable
//! for a while, and a message whose delivery fails until it is alone and then some. Every
//! message still arrives exactly once; each fault is classified and counted. Also: the
//! retry policy, and the real attester service (`ccmp-attester`) as signer.

mod common;
mod e2e;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ccmp_chain::layer::{Layer, Layered};
use ccmp_chain::{ChainClient, ChainError, ContractEvent, Execute, TxResult};
use ccmp_devnet_receiver::{ExecuteMsg as ReceiverMsg, Mode as ReceiverMode};
use ccmp_relayer::service::{start, AttesterEndpoint, RelayerConfig, RetryPolicy};
use ccmp_types::{Message, MessageStatus};
use e2e::{deploy, http_get, wait_lane, Net, A, B, GAS};

/// What the wrapper does to the calls through it.
#[derive(Default)]
struct Faults {
    /// `contract_events` leaves out the events of the nonces in each range the first time
    /// it would return them (a node whose event index lags its blocks).
    hide: Vec<std::ops::Range<u64>>,
    hidden: u32,
    /// Simulations of deliveries of more messages than this fail as the inbox's batch
    /// limit would.
    max_batch: Option<usize>,
    /// Deliveries holding this nonce fail, in simulation, while `poison_left` > 0 (each
    /// lone attempt uses one).
    poison: Option<u64>,
    poison_left: u32,
    /// The next delivery broadcast gets this little gas (and runs out).
    starve_next_delivery: Option<u64>,
    /// The next broadcasts fail as unreachable.
    unreachable_broadcasts: u32,
    // What happened.
    refused_big: u32,
    poisoned: u32,
    starved: u32,
    unreachable: u32,
}

/// The layer that injects the faults.
struct Faulty {
    faults: Arc<Mutex<Faults>>,
}

/// The nonces a `deliver` or `deliver_batch` carries.
fn delivered_nonces(exec: &Execute) -> Vec<u64> {
    let msg: serde_json::Value = serde_json::from_slice(&exec.msg).unwrap();
    if let Some(items) = msg["deliver"]["items"].as_array() {
        return items
            .iter()
            .map(|i| i["message"]["nonce"].as_u64().unwrap())
            .collect();
    }
    if let Some(messages) = msg["deliver_batch"]["messages"].as_array() {
        return messages
            .iter()
            .map(|m| {
                let bytes: cosmwasm_std::Binary = serde_json::from_value(m.clone()).unwrap();
                Message::decode(&bytes).unwrap().nonce
            })
            .collect();
    }
    vec![]
}

#[async_trait]
impl Layer for Faulty {
    async fn simulate(&self, inner: &dyn ChainClient, msgs: &[Execute]) -> Result<u64, ChainError> {
        let nonces: Vec<u64> = msgs.iter().flat_map(delivered_nonces).collect();
        {
            let mut faults = self.faults.lock().unwrap();
            if let Some(max) = faults.max_batch {
                if nonces.len() > max {
                    faults.refused_big += 1;
                    return Err(ChainError::SimulationFailed {
                        log: format!(
                            "failed to execute message; message index: 0: {} items, more than the batch limit of {max}: execute wasm contract failed",
                            nonces.len()
                        ),
                    });
                }
            }
            if let Some(poison) = faults.poison {
                if nonces.contains(&poison) && faults.poison_left > 0 {
                    if nonces.len() == 1 {
                        faults.poison_left -= 1;
                    }
                    faults.poisoned += 1;
                    return Err(ChainError::SimulationFailed {
                        log: format!("message {poison} of the batch: poisoned in this test"),
                    });
                }
            }
        }
        inner.simulate(msgs).await
    }
    async fn broadcast(
        &self,
        inner: &dyn ChainClient,
        msgs: &[Execute],
        gas_limit: u64,
    ) -> Result<TxResult, ChainError> {
        let is_delivery = msgs.iter().any(|m| !delivered_nonces(m).is_empty());
        let mut gas = gas_limit;
        {
            let mut faults = self.faults.lock().unwrap();
            if faults.unreachable_broadcasts > 0 {
                faults.unreachable_broadcasts -= 1;
                faults.unreachable += 1;
                return Err(ChainError::Unreachable {
                    chain_id: inner.chain_id().to_string(),
                    reason: "injected".into(),
                });
            }
            if is_delivery {
                if let Some(starved) = faults.starve_next_delivery.take() {
                    faults.starved += 1;
                    gas = starved;
                }
            }
        }
        inner.broadcast(msgs, gas).await
    }
    async fn contract_events(
        &self,
        inner: &dyn ChainClient,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        let events = inner.contract_events(contract, from, to).await?;
        let mut faults = self.faults.lock().unwrap();
        let nonce = |e: &ContractEvent| e.attribute("nonce").and_then(|n| n.parse::<u64>().ok());
        let Some(at) = faults.hide.iter().position(|range| {
            events
                .iter()
                .any(|e| nonce(e).is_some_and(|n| range.contains(&n)))
        }) else {
            return Ok(events);
        };
        let range = faults.hide.remove(at);
        faults.hidden += 1;
        Ok(events
            .into_iter()
            .filter(|e| nonce(e).is_none_or(|n| !range.contains(&n)))
            .collect())
    }
}

fn faulty_relayer_chains(
    net: &Net,
    faults: &Arc<Mutex<Faults>>,
) -> HashMap<String, Arc<dyn ChainClient>> {
    let wrap = |inner: Arc<dyn ChainClient>| -> Arc<dyn ChainClient> {
        Arc::new(Layered::new(
            inner,
            Faulty {
                faults: Arc::clone(faults),
            },
        ))
    };
    HashMap::from([
        (A.to_string(), wrap(Arc::new(net.a.client("relayer")))),
        (B.to_string(), wrap(Arc::new(net.b.client("relayer")))),
    ])
}

fn error_count(metrics: &str, class: &str) -> u64 {
    metrics
        .lines()
        .find(|l| {
            l.starts_with("ccmp_relayer_errors_total") && l.contains(&format!("class=\"{class}\""))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn every_fault_is_classified_and_no_message_is_lost_or_doubled() {
    let net = deploy(false).await;
    let faults = Arc::new(Mutex::new(Faults {
        // A gap inside the first transaction's events, then the whole second one.
        hide: vec![3..6, 10..16],
        max_batch: Some(4),
        poison: Some(7),
        poison_left: 2,
        starve_next_delivery: Some(60_000),
        unreachable_broadcasts: 2,
        ..Faults::default()
    }));
    net.send(10, &net.receiver, None).await;
    let relayer = start(net.config(100), &faulty_relayer_chains(&net, &faults))
        .await
        .unwrap();
    net.send(6, &net.receiver, None).await;
    let status = wait_lane(&relayer, "every message delivered", |s| {
        s.source_size == 16 && s.pending == 0
    })
    .await;
    assert_eq!(net.received().await, 16);
    for nonce in 0..16 {
        let status = net.status(nonce).await;
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::Delivered, 1),
            "nonce {nonce}"
        );
    }
    assert_eq!(status.delivered, 16, "{status:?}");
    // The poisoned message was set aside twice (alone, it failed twice), then delivered.
    assert_eq!(status.isolated, 2, "{status:?}");
    {
        let faults = faults.lock().unwrap();
        assert!(faults.hidden == 2 && faults.refused_big > 0 && faults.starved == 1);
        assert_eq!(faults.unreachable, 2);
        assert!(faults.poisoned >= 2);
    }
    let (_, metrics) = http_get(&relayer, "/metrics").await;
    assert!(error_count(&metrics, "missed_events") >= 2, "{metrics}");
    assert_eq!(error_count(&metrics, "out_of_gas"), 1, "{metrics}");
    assert!(error_count(&metrics, "other") >= 2, "{metrics}");
    assert!(metrics.contains(
        r#"ccmp_relayer_messages_isolated_total{source="chain-a",destination="chain-b"} 2"#
    ));
    relayer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn failed_messages_are_retried_under_the_policy() {
    let net = deploy(false).await;
    let mut config = net.config(100);
    config.retry_failed = RetryPolicy {
        enabled: true,
        max_attempts: 3,
        min_interval_ms: 100,
        gas_limit: None,
        max_per_iteration: 10,
    };
    let relayer = start(config, &net.chains("relayer")).await.unwrap();
    net.send(2, &net.failing, None).await;
    // Failed, and held for their retries (a retry carries the message again).
    wait_lane(&relayer, "both failed and held", |s| {
        s.failed == 2 && s.held == 2
    })
    .await;
    // The receiver is fixed: the next retry delivers.
    let owner: Arc<dyn ChainClient> = Arc::new(net.b.client("deployer"));
    owner
        .broadcast(
            &[Execute::new(
                net.failing.clone(),
                &ReceiverMsg::SetMode {
                    mode: ReceiverMode::Record,
                },
            )
            .unwrap()],
            GAS,
        )
        .await
        .unwrap()
        .into_result()
        .unwrap();
    // Delivered: released, only their ids kept.
    let status = wait_lane(&relayer, "both retried, delivered and released", |s| {
        s.delivered == 2 && s.held == 0
    })
    .await;
    assert!(status.retried >= 2, "{status:?}");
    for nonce in 0..2 {
        let status = net.status(nonce).await;
        assert_eq!(status.status, MessageStatus::Delivered, "{status:?}");
        assert!(status.attempts >= 2, "{status:?}");
    }
    relayer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn the_real_attester_service_signs_for_the_relayer() {
    let net = deploy(false).await;
    let dir = tempfile::tempdir().unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let mut endpoints = vec![];
    let mut attesters = vec![];
    for (i, key) in net.signers.keys.iter().enumerate() {
        let mut config = ccmp_attester::config::AttesterConfig::new(
            net.outbox.clone(),
            vec![B.to_string()],
            dir.path().join(format!("store-{i}.json")),
            "127.0.0.1:0",
            dir.path().join(format!("key-{i}")),
        );
        config.poll_interval_ms = 50;
        let attester = ccmp_attester::start_with_key(
            config,
            Arc::new(net.a.client(&format!("attester-{i}"))),
            key.clone(),
            shutdown.clone(),
        )
        .await
        .unwrap();
        endpoints.push(AttesterEndpoint {
            url: format!("http://{}", attester.local_addr()),
            pubkey: Some(key.pubkey()),
            index: None,
        });
        attesters.push(attester);
    }
    let mut config: RelayerConfig = net.config(100);
    config.lanes[0].attesters = endpoints;
    let relayer = start(config, &net.chains("relayer")).await.unwrap();
    for _ in 0..3 {
        net.send(5, &net.receiver, None).await;
    }
    let status = wait_lane(&relayer, "delivered through the real attesters", |s| {
        s.source_size == 15 && s.pending == 0
    })
    .await;
    assert_eq!(
        (status.delivered, status.bad_signatures),
        (15, 0),
        "{status:?}"
    );
    assert_eq!(net.received().await, 15);
    relayer.shutdown().await;
    shutdown.cancel();
    for attester in attesters {
        let _ = tokio::time::timeout(Duration::from_secs(30), attester.join()).await;
    }
}
