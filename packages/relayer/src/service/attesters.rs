//! Signatures from the configured attesters over HTTP (`ccmp_signer::api`), each checked
//! by the relayer before use: it must verify, under that attester's key in the inbox's
//! current set, over the checkpoint digest the relayer computes from its own copy of the
//! lane. Anything else is dropped and reported, never submitted.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ccmp_signer::api::SignedCheckpoint;
use ccmp_types::{AttesterSet, AttesterSignature, PubKey};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Binary, HexBinary};
use tokio::task::JoinSet;

use super::config::AttesterEndpoint;
use crate::LaneFollower;

/// Signatures of one size whose weight reaches the threshold, in index order (as
/// `submit_checkpoint` wants them).
#[derive(Clone, Debug, PartialEq)]
pub struct Collected {
    pub size: u64,
    pub signatures: Vec<AttesterSignature>,
    pub weight: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// No answer, an HTTP error or a body that is not a `SignedCheckpoint`.
    Unreachable,
    /// A signature that does not verify over the relayer's digest under the set's key,
    /// or a root that is not the lane's (an attester signing another history).
    BadSignature,
    /// A checkpoint of another lane or outbox.
    WrongLane,
    /// The attester is not in the inbox's current set (or serves another key than the one
    /// configured).
    NotInSet,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Unreachable => "unreachable",
            ProblemKind::BadSignature => "bad_signature",
            ProblemKind::WrongLane => "wrong_lane",
            ProblemKind::NotInSet => "not_in_set",
        }
    }
}

/// What was wrong with one endpoint's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointProblem {
    pub url: String,
    pub kind: ProblemKind,
    pub reason: String,
}

/// The outcome of one round of collection.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CollectReport {
    /// The largest size above the inbox's latest for which the valid signatures reach
    /// the threshold.
    pub quorum: Option<Collected>,
    /// Without a quorum: the most weight gathered for one size, and that size.
    pub best_weight: u64,
    pub best_size: u64,
    pub threshold: u64,
    pub problems: Vec<EndpointProblem>,
}

/// The HTTP client of one lane's attesters.
#[derive(Clone, Debug)]
pub struct AttesterClient {
    http: reqwest::Client,
    endpoints: Vec<AttesterEndpoint>,
}

/// The most sizes tried in one round (the largest first).
const MAX_SIZES_PER_ROUND: usize = 3;

fn key_bytes_eq(a: &PubKey, key_type: &str, bytes: &[u8]) -> bool {
    a.key_type_name() == key_type && a.bytes() == bytes
}

/// Checks one served signature for `lane` (whose outbox is `source_outbox`) against the
/// inbox's `set`: the lane and outbox it names, the attester's place in the set (by the
/// endpoint's configured `pubkey` or `index`, else by the key it serves), the root at its
/// size (the relayer's own), and the signature over the digest the relayer computes, under
/// the set's key. Returns the signature as `submit_checkpoint` takes it, and the weight.
pub fn check_signed(
    lane: &LaneFollower,
    source_outbox: &str,
    set: &AttesterSet,
    endpoint: &AttesterEndpoint,
    signed: &SignedCheckpoint,
) -> Result<(AttesterSignature, u64), (ProblemKind, String)> {
    if signed.source_chain != lane.source_chain
        || signed.destination_chain != lane.destination_chain
        || signed.source_outbox != source_outbox
    {
        return Err((
            ProblemKind::WrongLane,
            format!(
                "signed lane {} ({}) -> {}, not {} ({}) -> {}",
                signed.source_chain,
                signed.source_outbox,
                signed.destination_chain,
                lane.source_chain,
                source_outbox,
                lane.destination_chain
            ),
        ));
    }
    let index = match (endpoint.index, &endpoint.pubkey) {
        (Some(index), pubkey) => {
            let attester = set.attesters.get(index as usize).ok_or_else(|| {
                (
                    ProblemKind::NotInSet,
                    format!(
                        "index {index} is outside the set of {}",
                        set.attesters.len()
                    ),
                )
            })?;
            if pubkey.as_ref().is_some_and(|key| *key != attester.pubkey) {
                return Err((
                    ProblemKind::NotInSet,
                    format!("the set's attester {index} has another key than configured"),
                ));
            }
            index
        }
        (None, Some(pubkey)) => set
            .attesters
            .iter()
            .position(|a| a.pubkey == *pubkey)
            .ok_or_else(|| {
                (
                    ProblemKind::NotInSet,
                    "the configured key is not in the inbox's current set".to_string(),
                )
            })? as u32,
        (None, None) => set
            .attesters
            .iter()
            .position(|a| key_bytes_eq(&a.pubkey, &signed.key_type, &signed.pubkey))
            .ok_or_else(|| {
                (
                    ProblemKind::NotInSet,
                    format!(
                        "served {} key {} is not in the inbox's current set",
                        signed.key_type, signed.pubkey
                    ),
                )
            })? as u32,
    };
    let attester = &set.attesters[index as usize];
    if !key_bytes_eq(&attester.pubkey, &signed.key_type, &signed.pubkey) {
        return Err((
            ProblemKind::NotInSet,
            format!(
                "serves {} key {}, but the set's attester {index} is {} key {}",
                signed.key_type,
                signed.pubkey,
                attester.pubkey.key_type_name(),
                HexBinary::from(attester.pubkey.bytes())
            ),
        ));
    }
    let checkpoint = lane.checkpoint(signed.size).map_err(|err| {
        (
            ProblemKind::BadSignature,
            format!("size {}: {err}", signed.size),
        )
    })?;
    if signed.size == 0 {
        return Err((ProblemKind::BadSignature, "size 0".into()));
    }
    if checkpoint.root != signed.root {
        return Err((
            ProblemKind::BadSignature,
            format!(
                "signed root {} for size {}, but the lane's root there is {}",
                signed.root, signed.size, checkpoint.root
            ),
        ));
    }
    let digest = checkpoint
        .digest(source_outbox, &lane.destination_chain)
        .map_err(|err| (ProblemKind::BadSignature, err.to_string()))?;
    attester
        .pubkey
        .verify(&MockApi::default(), &digest, &signed.signature)
        .map_err(|fault| {
            (
                ProblemKind::BadSignature,
                format!(
                    "signature of size {} does not verify over digest {}: {fault}",
                    signed.size,
                    HexBinary::from(&digest)
                ),
            )
        })?;
    Ok((
        AttesterSignature {
            index,
            signature: Binary::new(signed.signature.to_vec()),
        },
        attester.weight,
    ))
}

type Fetched = Result<Option<SignedCheckpoint>, String>;

impl AttesterClient {
    pub fn new(endpoints: Vec<AttesterEndpoint>, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|err| err.to_string())?;
        Ok(AttesterClient { http, endpoints })
    }

    pub fn endpoints(&self) -> &[AttesterEndpoint] {
        &self.endpoints
    }

    fn url(
        &self,
        i: usize,
        source: &str,
        destination: &str,
        last: &str,
    ) -> Result<reqwest::Url, String> {
        let mut url = reqwest::Url::parse(&self.endpoints[i].url).map_err(|e| e.to_string())?;
        url.path_segments_mut()
            .map_err(|()| "not a base URL".to_string())?
            .pop_if_empty()
            .extend(["v1", "checkpoints", source, destination, last]);
        Ok(url)
    }

    /// One endpoint's checkpoint: `latest`, or the one of a size. `None` for 404.
    pub async fn fetch(
        &self,
        i: usize,
        source: &str,
        destination: &str,
        size: Option<u64>,
    ) -> Fetched {
        let last = size.map_or_else(|| "latest".to_string(), |s| s.to_string());
        let url = self.url(i, source, destination, &last)?;
        fetch_one(self.http.clone(), url).await
    }

    async fn fetch_many(
        &self,
        which: &[usize],
        source: &str,
        destination: &str,
        size: Option<u64>,
    ) -> BTreeMap<usize, Fetched> {
        let mut tasks = JoinSet::new();
        let mut answers = BTreeMap::new();
        for &i in which {
            let last = size.map_or_else(|| "latest".to_string(), |s| s.to_string());
            match self.url(i, source, destination, &last) {
                Ok(url) => {
                    let http = self.http.clone();
                    tasks.spawn(async move { (i, fetch_one(http, url).await) });
                }
                Err(err) => {
                    answers.insert(i, Err(err));
                }
            }
        }
        while let Some(joined) = tasks.join_next().await {
            if let Ok((i, answer)) = joined {
                answers.insert(i, answer);
            }
        }
        answers
    }

    /// Gathers signatures for a checkpoint of `lane` above `above` (the inbox's latest
    /// stored size) until their weight reaches `set`'s threshold. Asks every endpoint for
    /// its latest, then tries the largest candidate sizes (the lane's size and each
    /// attester's latest, clamped to it; at most three) in turn, asking attesters ahead of a
    /// size for that size. Every answer is checked ([`check_signed`]); the report names
    /// every endpoint that failed and why.
    pub async fn collect(
        &self,
        lane: &LaneFollower,
        source_outbox: &str,
        set: &AttesterSet,
        above: u64,
    ) -> CollectReport {
        let mut report = CollectReport {
            threshold: set.threshold,
            ..CollectReport::default()
        };
        let top = lane.size();
        if top <= above || self.endpoints.is_empty() {
            return report;
        }
        let (source, destination) = (lane.source_chain.as_str(), lane.destination_chain.as_str());
        let all: Vec<usize> = (0..self.endpoints.len()).collect();
        let latest = self.fetch_many(&all, source, destination, None).await;
        let mut notes = Notes::default();
        let mut sizes = BTreeSet::from([top]);
        for (&i, answer) in &latest {
            match answer {
                Ok(Some(signed)) => {
                    sizes.insert(signed.size.min(top));
                }
                Ok(None) => {}
                Err(err) => notes.note(self, i, ProblemKind::Unreachable, err.clone()),
            }
        }
        // An answer at or below the inbox's latest is of no use, but one that does not
        // check out is still an attester signing what it should not: report it.
        for (&i, answer) in &latest {
            if let Ok(Some(signed)) = answer {
                if signed.size <= above {
                    if let Err((kind, reason)) =
                        check_signed(lane, source_outbox, set, &self.endpoints[i], signed)
                    {
                        notes.note(self, i, kind, reason);
                    }
                }
            }
        }
        for size in sizes
            .into_iter()
            .rev()
            .filter(|&s| s > above)
            .take(MAX_SIZES_PER_ROUND)
        {
            let mut signatures: BTreeMap<u32, (AttesterSignature, u64)> = BTreeMap::new();
            let mut ahead = vec![];
            let mut answers = vec![];
            for (&i, answer) in &latest {
                match answer {
                    Ok(Some(signed)) if signed.size == size => answers.push((i, signed.clone())),
                    Ok(Some(signed)) if signed.size > size => ahead.push(i),
                    _ => {}
                }
            }
            for (i, answer) in self
                .fetch_many(&ahead, source, destination, Some(size))
                .await
            {
                match answer {
                    Ok(Some(signed)) if signed.size == size => answers.push((i, signed)),
                    Ok(Some(signed)) => notes.note(
                        self,
                        i,
                        ProblemKind::Unreachable,
                        format!("asked for size {size}, answered size {}", signed.size),
                    ),
                    Ok(None) => {}
                    Err(err) => notes.note(self, i, ProblemKind::Unreachable, err),
                }
            }
            for (i, signed) in answers {
                match check_signed(lane, source_outbox, set, &self.endpoints[i], &signed) {
                    Ok((signature, weight)) => {
                        signatures
                            .entry(signature.index)
                            .or_insert((signature, weight));
                    }
                    Err((kind, reason)) => notes.note(self, i, kind, reason),
                }
            }
            let weight = signatures
                .values()
                .fold(0u64, |sum, (_, w)| sum.saturating_add(*w));
            if weight >= set.threshold {
                report.problems = notes.problems;
                report.quorum = Some(Collected {
                    size,
                    signatures: signatures.into_values().map(|(s, _)| s).collect(),
                    weight,
                });
                return report;
            }
            if weight > report.best_weight || report.best_size == 0 {
                report.best_weight = weight;
                report.best_size = size;
            }
        }
        report.problems = notes.problems;
        report
    }
}

/// Problems of one round, each endpoint and kind once.
#[derive(Default)]
struct Notes {
    seen: BTreeSet<(usize, ProblemKind)>,
    problems: Vec<EndpointProblem>,
}

impl Notes {
    fn note(&mut self, client: &AttesterClient, i: usize, kind: ProblemKind, reason: String) {
        if self.seen.insert((i, kind)) {
            self.problems.push(EndpointProblem {
                url: client.endpoints[i].url.clone(),
                kind,
                reason,
            });
        }
    }
}

async fn fetch_one(http: reqwest::Client, url: reqwest::Url) -> Fetched {
    let response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|err| format!("GET {url}: {err}"))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        let body: String = body.chars().take(200).collect();
        return Err(format!("GET {url}: HTTP {status}: {body}"));
    }
    response
        .json::<SignedCheckpoint>()
        .await
        .map(Some)
        .map_err(|err| format!("GET {url}: not a SignedCheckpoint: {err}"))
}
