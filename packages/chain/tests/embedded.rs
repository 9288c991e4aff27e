//! The embedded backend against the compiled outbox: blocks on a timer, transactions
//! returning once their block closed, events by block range filtered by contract,
//! simulation that keeps nothing, failures as non-zero codes.

use std::time::Duration;

use ccmp_chain::embedded::EmbeddedNode;
use ccmp_chain::{query, query_at, ChainClient, ChainError, Execute};
use ccmp_devnet::ChainConfig;
use ccmp_outbox::msg::{DestinationConfig, ExecuteMsg, InstantiateMsg, LaneResponse, QueryMsg};
use ccmp_types::SendMsg;

fn outbox_wasm() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../artifacts/ccmp_outbox.wasm"
    );
    std::fs::read(path).expect("artifacts/ccmp_outbox.wasm: run scripts/build.sh")
}

fn send(to: &str) -> ExecuteMsg {
    ExecuteMsg::Send(SendMsg {
        destination_chain: "chain-b".into(),
        recipient: to.into(),
        body: b"hello".to_vec().into(),
        timeout_timestamp: None,
    })
}

fn lane_query() -> QueryMsg {
    QueryMsg::Lane {
        destination_chain: "chain-b".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn transactions_blocks_events_and_simulation() {
    let node = EmbeddedNode::start(
        ChainConfig::new("chain-a", "wasm"),
        Duration::from_millis(20),
    )
    .unwrap();
    let deployer = node.client("deployer");
    let (code_id, _) = deployer.store_code(&outbox_wasm(), 0).await.unwrap();
    let init = serde_json::to_vec(&InstantiateMsg {
        owner: None,
        chain_id: None,
        destinations: Some(vec![DestinationConfig {
            chain: "chain-b".into(),
            enabled: true,
            fee: None,
            max_body_bytes: None,
        }]),
    })
    .unwrap();
    let (outbox, _) = deployer
        .instantiate(code_id, &init, "outbox", None, 5_000_000)
        .await
        .unwrap();
    let info = deployer.contract_info(&outbox).await.unwrap().unwrap();
    assert_eq!(info.code_id, code_id);
    assert_eq!(deployer.contract_info("wasm1nothing").await.unwrap(), None);

    // Simulation keeps nothing.
    let msg = Execute::new(&outbox, &send("wasm1recipient")).unwrap();
    let gas = deployer.simulate(std::slice::from_ref(&msg)).await.unwrap();
    assert!(gas > 10_000, "{gas}");
    let lane: LaneResponse = query(&deployer, &outbox, &lane_query()).await.unwrap();
    assert_eq!(lane.size, 0);

    // A transaction of three messages; broadcast returns once its block closed.
    let before = deployer.status().await.unwrap();
    let tx = deployer
        .broadcast(&[msg.clone(), msg.clone(), msg.clone()], 2_000_000)
        .await
        .unwrap();
    assert!(tx.is_ok(), "{}", tx.log);
    assert!(tx.height > before.height);
    assert!(deployer.status().await.unwrap().height >= tx.height);
    assert_eq!(tx.events_of("wasm-ccmp_send").count(), 3);
    let lane: LaneResponse = query(&deployer, &outbox, &lane_query()).await.unwrap();
    assert_eq!(lane.size, 3);

    // Events by range, only the outbox's, and none from blocks after `to`.
    let events = deployer
        .contract_events(&outbox, 0, tx.height)
        .await
        .unwrap();
    let sends: Vec<_> = events
        .iter()
        .filter(|e| e.event.ty == "wasm-ccmp_send")
        .collect();
    assert_eq!(sends.len(), 3);
    assert!(sends
        .iter()
        .all(|e| e.height == tx.height && e.txhash == tx.txhash));
    assert_eq!(
        deployer
            .contract_events("wasm1other", 0, tx.height)
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        deployer
            .contract_events(&outbox, tx.height + 1, tx.height + 1000)
            .await
            .unwrap(),
        vec![]
    );

    // A failing transaction is in a block with a non-zero code; out of gas is code 11.
    let paused = deployer
        .broadcast(
            &[Execute::new(&outbox, &ExecuteMsg::Pause {}).unwrap()],
            2_000_000,
        )
        .await
        .unwrap();
    assert!(paused.is_ok());
    let refused = deployer
        .broadcast(std::slice::from_ref(&msg), 2_000_000)
        .await
        .unwrap();
    assert_eq!(refused.code, 5);
    assert!(refused.log.contains("outbox is paused"), "{}", refused.log);
    assert!(matches!(
        refused.clone().into_result(),
        Err(ChainError::TxFailed { code: 5, .. })
    ));
    assert_eq!(
        deployer
            .broadcast(std::slice::from_ref(&msg), 1_000)
            .await
            .unwrap()
            .code,
        11
    );
    assert!(matches!(
        deployer.simulate(&[msg]).await,
        Err(ChainError::SimulationFailed { .. })
    ));
    // Only the latest state is kept.
    assert!(matches!(
        query_at::<LaneResponse>(&deployer, &outbox, &lane_query(), Some(1)).await,
        Err(ChainError::HeightUnavailable { .. })
    ));
    node.stop();
}
