//! Signature collection from attesters over HTTP (stand-ins on 127.0.0.1:0): every
//! signature checked against the inbox's set over the relayer's own digest; a bad one
//! dropped and reported, a down one reported; below the threshold nothing, back above it a
//! quorum.

mod common;

use std::time::Duration;

use ccmp_relayer::service::{AttesterClient, AttesterEndpoint, ProblemKind};
use ccmp_signer::{AttesterKey, SignerSet};
use common::{dead_url, lane_of, FakeAttester, Mode};
use cosmwasm_std::testing::MockApi;

const OUTBOX: &str = "neutron1outbox";

fn keys() -> Vec<AttesterKey> {
    (0..4)
        .map(|n| AttesterKey::test_key(40 + n, n % 2 == 0))
        .collect()
}

fn endpoint(url: &str) -> AttesterEndpoint {
    AttesterEndpoint {
        url: url.to_string(),
        pubkey: None,
        index: None,
    }
}

fn kinds(problems: &[ccmp_relayer::service::EndpointProblem], url: &str) -> Vec<ProblemKind> {
    problems
        .iter()
        .filter(|p| p.url == url)
        .map(|p| p.kind)
        .collect()
}

#[tokio::test]
async fn below_the_threshold_the_lane_waits_and_back_above_it_goes_on() {
    let lane = lane_of(6);
    let keys = keys();
    let signers = SignerSet::weighted(keys.clone(), &[1, 1, 1, 1], 3);
    let good0 = FakeAttester::fixed(keys[0].clone(), OUTBOX, lane.clone()).await;
    let good1 = FakeAttester::fixed(keys[1].clone(), OUTBOX, lane.clone()).await;
    let bad = FakeAttester::fixed(keys[2].clone(), OUTBOX, lane.clone()).await;
    bad.set_mode(Mode::BadSignature);
    let down = FakeAttester::fixed(keys[3].clone(), OUTBOX, lane.clone()).await;
    down.set_mode(Mode::Down);
    let dead = dead_url().await;
    let endpoints = vec![
        AttesterEndpoint {
            pubkey: Some(keys[0].pubkey()),
            ..endpoint(&good0.url)
        },
        AttesterEndpoint {
            index: Some(1),
            ..endpoint(&good1.url)
        },
        endpoint(&bad.url),
        endpoint(&down.url),
        endpoint(&dead),
    ];
    let client = AttesterClient::new(endpoints, Duration::from_secs(5)).unwrap();

    let report = client.collect(&lane, OUTBOX, &signers.set, 0).await;
    assert_eq!(report.quorum, None, "{report:?}");
    assert_eq!((report.best_weight, report.threshold), (2, 3));
    assert_eq!(report.best_size, 6);
    assert_eq!(
        kinds(&report.problems, &bad.url),
        vec![ProblemKind::BadSignature]
    );
    assert_eq!(
        kinds(&report.problems, &down.url),
        vec![ProblemKind::Unreachable]
    );
    assert_eq!(
        kinds(&report.problems, &dead),
        vec![ProblemKind::Unreachable]
    );
    assert!(kinds(&report.problems, &good0.url).is_empty());

    // The down attester is back: a quorum, without the bad signature.
    down.set_mode(Mode::Honest);
    let report = client.collect(&lane, OUTBOX, &signers.set, 0).await;
    let quorum = report.quorum.expect("a quorum");
    assert_eq!((quorum.size, quorum.weight), (6, 3));
    let indices: Vec<u32> = quorum.signatures.iter().map(|s| s.index).collect();
    assert_eq!(indices, vec![0, 1, 3]);
    assert_eq!(
        kinds(&report.problems, &bad.url),
        vec![ProblemKind::BadSignature]
    );
    // What the inbox will check.
    let digest = lane
        .checkpoint(6)
        .unwrap()
        .digest(OUTBOX, "chain-b")
        .unwrap();
    assert_eq!(
        signers
            .set
            .verify_signatures(&MockApi::default(), &digest, &quorum.signatures)
            .unwrap(),
        3
    );

    // Nothing above what the inbox has: nothing to collect.
    let report = client.collect(&lane, OUTBOX, &signers.set, 6).await;
    assert_eq!(report.quorum, None);
    assert!(report
        .problems
        .iter()
        .all(|p| p.kind != ProblemKind::BadSignature || p.url == bad.url));
}

#[tokio::test]
async fn lagging_attesters_are_met_at_a_size_they_signed() {
    let lane = lane_of(9);
    let keys = keys();
    let signers = SignerSet::weighted(keys.clone(), &[1, 1, 1, 1], 3);
    let mut attesters = vec![];
    for (i, key) in keys.iter().enumerate() {
        let attester = FakeAttester::fixed(key.clone(), OUTBOX, lane.clone()).await;
        // Two have signed up to 9, two only up to 5.
        if i >= 2 {
            attester.set_max_size(Some(5));
        }
        attesters.push(attester);
    }
    let client = AttesterClient::new(
        attesters.iter().map(|a| endpoint(&a.url)).collect(),
        Duration::from_secs(5),
    )
    .unwrap();
    let report = client.collect(&lane, OUTBOX, &signers.set, 2).await;
    let quorum = report.quorum.expect("a quorum at 5");
    assert_eq!((quorum.size, quorum.weight), (5, 4));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // Once the inbox has 5, only 9 would do, and two signatures are not enough.
    let report = client.collect(&lane, OUTBOX, &signers.set, 5).await;
    assert_eq!(report.quorum, None);
    assert_eq!((report.best_size, report.best_weight), (9, 2));
}

#[tokio::test]
async fn foreign_lanes_keys_outside_the_set_and_forged_roots_are_refused() {
    let lane = lane_of(4);
    let keys = keys();
    let signers = SignerSet::weighted(keys[..3].to_vec(), &[1, 1, 1], 2);
    // Signs for another outbox.
    let foreign = FakeAttester::fixed(keys[0].clone(), "neutron1other", lane.clone()).await;
    // Not in the set.
    let outsider = FakeAttester::fixed(keys[3].clone(), OUTBOX, lane.clone()).await;
    // In the set, but configured with another key.
    let mismatched = FakeAttester::fixed(keys[1].clone(), OUTBOX, lane.clone()).await;
    // Signs another root for size 2, which the inbox already has.
    let forger = FakeAttester::fixed(keys[2].clone(), OUTBOX, lane.clone()).await;
    forger.set_mode(Mode::Forge {
        size: 2,
        root: [0x77; 32],
    });
    let client = AttesterClient::new(
        vec![
            endpoint(&foreign.url),
            endpoint(&outsider.url),
            AttesterEndpoint {
                pubkey: Some(keys[2].pubkey()),
                ..endpoint(&mismatched.url)
            },
            endpoint(&forger.url),
        ],
        Duration::from_secs(5),
    )
    .unwrap();
    let report = client.collect(&lane, OUTBOX, &signers.set, 2).await;
    assert_eq!(report.quorum, None);
    assert_eq!(report.best_weight, 0);
    assert_eq!(
        kinds(&report.problems, &foreign.url),
        vec![ProblemKind::WrongLane]
    );
    assert_eq!(
        kinds(&report.problems, &outsider.url),
        vec![ProblemKind::NotInSet]
    );
    assert_eq!(
        kinds(&report.problems, &mismatched.url),
        vec![ProblemKind::NotInSet]
    );
    assert_eq!(
        kinds(&report.problems, &forger.url),
        vec![ProblemKind::BadSignature]
    );
    let forged = report
        .problems
        .iter()
        .find(|p| p.url == forger.url)
        .unwrap();
    assert!(
        forged.reason.contains("signed root 7777"),
        "{}",
        forged.reason
    );
}
