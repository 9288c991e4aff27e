//! A stateful property test: random sequences of operations against one inbox (its
//! unordered source chain-a and its ordered source chain-c) and against a small reference
//! model of PROTOCOL.md §4–§8 written here, compared after every step.
//!
//! Operations (`Op`): the outbox appends honest messages (to the recording receiver, to
//! one that always fails, to an address that is none; without timeout, timed out already,
//! timing out soon or later); checkpoints of the honest lane and of a forged lane that
//! shares a prefix with it, signed by the current set (or by strangers); evidence in both
//! directions, valid or not (`report_equivocation`); `deliver` (valid, replayed, wrong
//! bytes, wrong proof, unknown or rolled-back checkpoint, out of order on the ordered
//! lane) and `deliver_batch` (§8, the same faults); `retry`; the receiver switched to fail
//! or succeed; time; pause and unpause; the owner's freeze; `set_attesters` and
//! `unfreeze { rollback_to }` (good, stored, zero, above the bound, unstored) as
//! proposals on an inbox with a trust delay in half the cases, `execute_proposal`,
//! `cancel_proposal`.
//!
//! After every step the inbox must agree with the model: the call's outcome (Ok, or the
//! error the model names), each delivery's outcome, every nonce's `message_status`
//! (status, attempts, id of a receipt, error), each source's frozen state, epoch,
//! attester set, generation, stored checkpoints and next nonce, the pending proposals,
//! the pause flag, and what the receiver received, in order. Invariants checked on the
//! inbox itself, whatever the model says: no message is dispatched twice; a status never
//! goes back (Delivered and TimedOut are final, Failed moves only through `retry`);
//! nothing changes for a source that was frozen; a message of the forged history is
//! dispatched (reaches the receiver, or counts an attempt) only while a checkpoint of the
//! current generation proves it. At the end of each case the owner recovers (freeze if
//! the light client follows the forged history, new attesters, unfreeze to the best
//! honest checkpoint, through the time lock), the honest lane is checkpointed and
//! delivered in full and every failed message retried: every honest nonce must end
//! processed as its recipient and timeout say, and a nonce processed under the forged
//! history stays as it was.
//!
//! Finding 1 (`finding_1_retry_dispatches_a_rolled_back_forged_message` below): `retry`
//! dispatched a forged message whose checkpoints were rolled back. Fixed: the inbox now
//! retries a message failed in an earlier checkpoint generation only below every rollback
//! since (`RolledBack` otherwise), and the model says the same.
//! `CCMP_MODEL_TOLERATE=finding-1` makes the model follow the old behaviour instead.
//!
//! Review finding (unit test `a_stale_unfreeze_does_not_lift_a_later_freeze` in
//! tests/recovery.rs): an unfreeze proposal made for one freeze could lift a later one.
//! The inbox now records the source's generation with the proposal and refuses it
//! (`StaleUnfreeze`) once the source is frozen in another generation; so does the model.
//!
//! `CCMP_MODEL_CASES` and `CCMP_MODEL_STEPS` override the number of cases (64) and the
//! longest case (40 steps); `CCMP_MODEL_STATS=1` prints what the calls met.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ccmp_inbox::msg::{
    CheckpointsResponse, ConfigResponse, DeliveryItem, DeliveryOutcome, ExecuteMsg, FreezeCause,
    ProposalsResponse, QueryMsg, SourceResponse, TrustChange,
};
use ccmp_inbox::ContractError;
use ccmp_signer::SignerSet;
use ccmp_types::{multiproof, CcmpReceiveMsg, Hash, Message, MessageStatus, MessageStatusResponse};
use common::*;
use cosmwasm_std::{Addr, Binary, Empty, HexBinary, Timestamp};
use cw_multi_test::Executor;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

const CHAINS: [&str; 2] = [SOURCE, OTHER_SOURCE];
/// Index of the ordered source (chain-c) in `CHAINS`.
const ORDERED: usize = 1;
const MAX_LANE: usize = 16;
/// How far a forged lane may run past the honest one.
const FORGED_EXTRA: usize = 4;
/// Nonces whose status is compared after every step.
const NONCES: u64 = (MAX_LANE + FORGED_EXTRA + 2) as u64;
const DELAY: u64 = 3600;
const BAD_RECIPIENT: &str = "not-an-address";
const STRANGER_SEED: u32 = 9000;
const MAX_PENDING_PROPOSALS: usize = 32;

// ---------------------------------------------------------------------------------------
// Operations. Numbers are picks, resolved against the state when the step runs, so every
// subsequence of a case is a case and shrinking can drop any step.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    Unordered,
    Ordered,
}

impl Src {
    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum To {
    Receiver,
    FailingReceiver,
    BadAddress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timeout {
    None,
    Past,
    Soon,
    Later,
}

/// Which history: the outbox's, or the one the compromised attesters invent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hist {
    Honest,
    Forged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signer {
    Current,
    Stranger,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Evidence {
    Valid,
    BadProof,
    UnknownStored,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    None,
    /// The message's body changed after it was proven.
    Body,
    /// One proof hash changed (or one too many).
    Proof,
    /// A checkpoint size the current generation does not hold (rolled back or never stored).
    UnknownCheckpoint,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// The largest honest stored checkpoint within the freeze's bound.
    BestHonest,
    Stored(u8),
    Zero,
    AboveMax,
    Unstored,
}

#[derive(Clone, Debug)]
struct ItemSpec {
    hist: Hist,
    /// 0: the next nonce to process (past the shared prefix for a forged item).
    nonce: u8,
    /// 0: the largest stored checkpoint above the nonce.
    size: u8,
    fault: Fault,
}

#[derive(Clone, Debug)]
enum Op {
    Send {
        src: Src,
        to: To,
        timeout: Timeout,
    },
    /// 0: the whole honest lane.
    SubmitHonest {
        src: Src,
        size: u8,
        signer: Signer,
    },
    /// 0: the honest lane's length (or just past the shared prefix).
    SubmitForged {
        src: Src,
        size: u8,
        signer: Signer,
    },
    /// `attested: None`: the other history than the stored checkpoint's. `size` 0: the
    /// attested lane's length; `stored` 0: the latest.
    Report {
        src: Src,
        attested: Option<Hist>,
        size: u8,
        stored: u8,
        evidence: Evidence,
    },
    Deliver {
        src: Src,
        items: Vec<ItemSpec>,
    },
    DeliverBatch {
        src: Src,
        hist: Hist,
        size: u8,
        nonces: Vec<u8>,
        fault: Fault,
    },
    /// `hist: None`: a message that failed, as it was delivered (a pick among them);
    /// otherwise the pick is any nonce of that history's lane.
    Retry {
        src: Src,
        hist: Option<Hist>,
        nonce: u8,
    },
    SetReceiverFailing(bool),
    AdvanceTime(u64),
    Pause,
    Unpause,
    Freeze {
        src: Src,
    },
    SetAttesters {
        src: Src,
    },
    Unfreeze {
        src: Src,
        target: Target,
    },
    ExecuteProposal(u8),
    CancelProposal(u8),
    /// The owner's whole recovery: a new attester set if the frozen set equivocated, then
    /// `unfreeze`, each carried out once due (steps of their own, each checked).
    Recover {
        src: Src,
        target: Target,
    },
}

fn src() -> impl Strategy<Value = Src> {
    prop_oneof![Just(Src::Unordered), Just(Src::Ordered)]
}

fn hist() -> impl Strategy<Value = Hist> {
    prop_oneof![Just(Hist::Honest), Just(Hist::Forged)]
}

fn signer() -> impl Strategy<Value = Signer> {
    prop_oneof![9 => Just(Signer::Current), 1 => Just(Signer::Stranger)]
}

fn size_pick() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 2 => any::<u8>()]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        16 => Just(Fault::None),
        1 => Just(Fault::Body),
        1 => Just(Fault::Proof),
        1 => Just(Fault::UnknownCheckpoint),
    ]
}

fn item() -> impl Strategy<Value = ItemSpec> {
    let nonce = prop_oneof![4 => Just(0u8), 1 => any::<u8>()];
    (hist(), nonce, size_pick(), fault()).prop_map(|(hist, nonce, size, fault)| ItemSpec {
        hist,
        nonce,
        size,
        fault,
    })
}

fn op() -> impl Strategy<Value = Op> {
    let to = prop_oneof![
        6 => Just(To::Receiver),
        1 => Just(To::FailingReceiver),
        1 => Just(To::BadAddress),
    ];
    let timeout = prop_oneof![
        5 => Just(Timeout::None),
        1 => Just(Timeout::Past),
        2 => Just(Timeout::Soon),
        1 => Just(Timeout::Later),
    ];
    let evidence = prop_oneof![
        4 => Just(Evidence::Valid),
        1 => Just(Evidence::BadProof),
        1 => Just(Evidence::UnknownStored),
    ];
    let target = prop_oneof![
        4 => Just(Target::BestHonest),
        2 => any::<u8>().prop_map(Target::Stored),
        1 => Just(Target::Zero),
        1 => Just(Target::AboveMax),
        1 => Just(Target::Unstored),
    ];
    prop_oneof![
        10 => (src(), to, timeout).prop_map(|(src, to, timeout)| Op::Send { src, to, timeout }),
        5 => (src(), size_pick(), signer())
            .prop_map(|(src, size, signer)| Op::SubmitHonest { src, size, signer }),
        5 => (src(), size_pick(), signer())
            .prop_map(|(src, size, signer)| Op::SubmitForged { src, size, signer }),
        3 => (
            src(),
            prop_oneof![3 => Just(None), 1 => hist().prop_map(Some)],
            size_pick(),
            size_pick(),
            evidence
        )
            .prop_map(
            |(src, attested, size, stored, evidence)| Op::Report {
                src,
                attested,
                size,
                stored,
                evidence,
            }
        ),
        // Mostly one history per call.
        8 => (
            src(),
            hist(),
            proptest::collection::vec(item(), 1..4),
            prop_oneof![4 => Just(true), 1 => Just(false)]
        )
            .prop_map(|(src, hist, mut items, same)| {
                if same {
                    for item in &mut items {
                        item.hist = hist;
                    }
                }
                Op::Deliver { src, items }
            }),
        3 => (
            src(),
            hist(),
            size_pick(),
            proptest::collection::vec(any::<u8>(), 1..5),
            fault()
        )
            .prop_map(|(src, hist, size, nonces, fault)| Op::DeliverBatch {
                src,
                hist,
                size,
                nonces,
                fault,
            }),
        4 => (src(), prop_oneof![3 => Just(None), 2 => hist().prop_map(Some)], any::<u8>())
            .prop_map(|(src, hist, nonce)| Op::Retry { src, hist, nonce }),
        3 => any::<bool>().prop_map(Op::SetReceiverFailing),
        2 => prop_oneof![Just(1u64), Just(30), Just(DELAY)].prop_map(Op::AdvanceTime),
        1 => Just(Op::Pause),
        6 => Just(Op::Unpause),
        1 => src().prop_map(|src| Op::Freeze { src }),
        2 => src().prop_map(|src| Op::SetAttesters { src }),
        2 => (src(), target.clone()).prop_map(|(src, target)| Op::Unfreeze { src, target }),
        2 => (src(), target).prop_map(|(src, target)| Op::Recover { src, target }),
        2 => any::<u8>().prop_map(Op::ExecuteProposal),
        1 => any::<u8>().prop_map(Op::CancelProposal),
    ]
}

/// One case: the trust delay (0 or `DELAY`), per source the messages the outbox holds
/// at the start (to the recording receiver, checkpointed if `checkpointed`) and the
/// forged lane's shared prefix, then the steps.
#[derive(Clone, Debug)]
struct Case {
    delay: u64,
    initial: [usize; 2],
    checkpointed: [bool; 2],
    prefix: [u64; 2],
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(0u64), Just(DELAY)],
        [0usize..=6, 0usize..=6],
        [any::<bool>(), any::<bool>()],
        [0u64..=4, 0u64..=4],
        proptest::collection::vec(op(), 1..=env_number("CCMP_MODEL_STEPS", 40)),
    )
        .prop_map(|(delay, initial, checkpointed, prefix, ops)| Case {
            delay,
            initial,
            checkpointed,
            prefix,
            ops,
        })
}

// ---------------------------------------------------------------------------------------
// The reference model.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
struct NonceModel {
    status: MessageStatus,
    /// The id of the message processed at this nonce (honest or forged).
    id: Hash,
    /// The attempts of the receipt a failure leaves, if it ever failed.
    receipt: Option<u32>,
    /// The checkpoint generation the message was processed (proven) in.
    generation: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct FreezeModel {
    equivocation: bool,
    max: u64,
    epoch: u64,
}

#[derive(Clone, Debug, PartialEq)]
struct SourceModel {
    /// The attester set is `mixed_signers(seed)`.
    seed: u32,
    epoch: u64,
    generation: u32,
    /// The current generation's checkpoints and whose history each is.
    checkpoints: BTreeMap<u64, Hist>,
    /// Sizes stored in earlier generations (for "rolled back" picks).
    retired: BTreeSet<u64>,
    frozen: Option<FreezeModel>,
    next_nonce: u64,
    nonces: BTreeMap<u64, NonceModel>,
    /// `(generation, rollback_to)` of every rollback.
    rollbacks: Vec<(u32, u64)>,
}

impl SourceModel {
    fn new(seed: u32) -> Self {
        SourceModel {
            seed,
            epoch: 1,
            generation: 0,
            checkpoints: BTreeMap::new(),
            retired: BTreeSet::new(),
            frozen: None,
            next_nonce: 0,
            nonces: BTreeMap::new(),
            rollbacks: vec![],
        }
    }

    /// Whether a failed message processed in `generation` at `nonce` can no longer be
    /// retried: it failed under checkpoints a later rollback discarded.
    fn retry_refused(&self, generation: u32, nonce: u64) -> bool {
        generation < self.generation
            && self
                .rollbacks
                .iter()
                .filter(|(g, _)| *g >= generation)
                .map(|(_, r)| *r)
                .min()
                .is_none_or(|floor| nonce >= floor)
    }

    fn latest(&self) -> u64 {
        self.checkpoints.keys().next_back().copied().unwrap_or(0)
    }

    fn status(&self, nonce: u64) -> MessageStatus {
        self.nonces
            .get(&nonce)
            .map_or(MessageStatus::Unknown, |n| n.status)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    SetAttesters(u32),
    Unfreeze(u64),
}

#[derive(Clone, Debug, PartialEq)]
struct ProposalModel {
    src: usize,
    change: Change,
    due: Timestamp,
    /// The source's generation when proposed: the freeze an unfreeze answers.
    generation: u32,
}

#[derive(Clone, Debug, PartialEq)]
struct Model {
    paused: bool,
    receiver_failing: bool,
    sources: [SourceModel; 2],
    proposals: BTreeMap<u64, ProposalModel>,
    next_proposal_id: u64,
    /// What the recording receiver must have received, in order: (source, nonce, id).
    received: Vec<(usize, u64, Hash)>,
}

/// What the model expects of a call.
enum Want {
    Ok,
    Delivered(Vec<DeliveryOutcome>),
    Err(String),
}

impl From<Result<(), String>> for Want {
    fn from(result: Result<(), String>) -> Self {
        match result {
            Ok(()) => Want::Ok,
            Err(needle) => Want::Err(needle),
        }
    }
}

impl From<Result<Vec<DeliveryOutcome>, String>> for Want {
    fn from(result: Result<Vec<DeliveryOutcome>, String>) -> Self {
        match result {
            Ok(outcomes) => Want::Delivered(outcomes),
            Err(needle) => Want::Err(needle),
        }
    }
}

fn error(err: ContractError) -> String {
    err.to_string()
}

fn chain(src: usize) -> String {
    CHAINS[src].to_string()
}

// ---------------------------------------------------------------------------------------
// The world: the inbox, the lanes the source side holds, and the model.
// ---------------------------------------------------------------------------------------

/// The history the compromised attesters sign: the honest lane's first `fork` messages,
/// then the attacker's own. Only the current one is ever stored (a new one is made only
/// once no checkpoint of the old one is in the current generation).
struct ForgedLane {
    lane: TestLane,
    fork: u64,
}

/// What a step observed of the inbox and the receivers.
#[derive(Clone)]
struct Obs {
    paused: bool,
    sources: [SourceResponse; 2],
    checkpoints: [Vec<(u64, HexBinary)>; 2],
    statuses: [Vec<MessageStatusResponse>; 2],
    proposals: Vec<(u64, Timestamp)>,
    received: Vec<CcmpReceiveMsg>,
    failing_received: usize,
}

enum Ran {
    /// Nothing to do in this state.
    Skipped,
    /// Not an inbox call (the source side, the receiver, time).
    Local,
    Called(Want, Outcome),
}

struct World {
    suite: Suite,
    failing: Addr,
    delay: u64,
    prefix: [u64; 2],
    honest: [TestLane; 2],
    forged: [Option<ForgedLane>; 2],
    model: Model,
    next_seed: u32,
    signers: HashMap<u32, SignerSet>,
    last: Obs,
    /// The nonce the current step retries.
    retried: Option<(usize, u64)>,
    /// In the recovery at the end of the case.
    finishing: bool,
    /// Forged lanes made so far.
    forged_lanes: u32,
    /// Forged lanes replaced by a newer one (their messages may still be retried).
    old_forged: [Vec<TestLane>; 2],
}

impl World {
    fn new(case: &Case) -> Self {
        let (delay, prefix) = (case.delay, case.prefix);
        let mut suite = Suite::with_trust_delay(delay);
        let owner = suite.owner.clone();
        let code = suite.app.store_code(receiver_contract());
        let failing = suite
            .app
            .instantiate_contract(code, owner.clone(), &Empty {}, &[], "failing", None)
            .unwrap();
        suite
            .app
            .execute_contract(
                owner,
                failing.clone(),
                &ReceiverMsg::SetFail { fail: true },
                &[],
            )
            .unwrap();
        let model = Model {
            paused: false,
            receiver_failing: false,
            sources: [SourceModel::new(0), SourceModel::new(100)],
            proposals: BTreeMap::new(),
            next_proposal_id: 1,
            received: vec![],
        };
        let mut world = World {
            last: observe(&suite, &failing),
            suite,
            failing,
            delay,
            prefix,
            honest: [
                TestLane::new(SOURCE, HERE),
                TestLane::new(OTHER_SOURCE, HERE),
            ],
            forged: [None, None],
            model,
            next_seed: 1000,
            signers: HashMap::new(),
            retried: None,
            finishing: false,
            forged_lanes: 0,
            old_forged: [vec![], vec![]],
        };
        let receiver = world.receiver();
        for (src, count) in case.initial.iter().enumerate() {
            for n in 0..*count {
                world.honest[src].push(&receiver, format!("{{\"n\":{n}}}").as_bytes(), None);
            }
        }
        world.compare(&world.last.clone()).unwrap();
        world
    }

    fn signer_set(&mut self, seed: u32) -> SignerSet {
        self.signers
            .entry(seed)
            .or_insert_with(|| mixed_signers(seed))
            .clone()
    }

    fn receiver(&self) -> String {
        self.suite.receiver.to_string()
    }

    // --- lanes -----------------------------------------------------------------------

    fn effective(&self, src: usize, hist: Hist) -> Hist {
        if hist == Hist::Forged && self.forged[src].is_some() {
            Hist::Forged
        } else {
            Hist::Honest
        }
    }

    fn lane(&self, src: usize, hist: Hist) -> &TestLane {
        match (hist, &self.forged[src]) {
            (Hist::Forged, Some(forged)) => &forged.lane,
            _ => &self.honest[src],
        }
    }

    /// Whose checkpoint `hist`'s lane at `size` is: a forged lane's first `fork`
    /// messages are the honest ones, so its checkpoints up to there are honest.
    fn hist_at(&self, src: usize, hist: Hist, size: u64) -> Hist {
        match (hist, &self.forged[src]) {
            (Hist::Forged, Some(forged)) if size > forged.fork => Hist::Forged,
            _ => Hist::Honest,
        }
    }

    fn len(&self, src: usize, hist: Hist) -> u64 {
        self.lane(src, hist).messages.len() as u64
    }

    /// The forged lane: the honest lane's first `prefix` messages (as many as exist when
    /// it is first needed), then the attacker's, at least `len` of them in all.
    fn ensure_forged(&mut self, src: usize, len: u64) {
        let receiver = self.receiver();
        let failing = self.failing.to_string();
        let source = &self.model.sources[src];
        let latest = source.latest();
        // The attacker forks from what the light client holds: a new forged lane once the
        // old one can no longer extend it (and none of its checkpoints is stored).
        let stale = self.forged[src].as_ref().is_some_and(|forged| {
            forged.fork < latest && !source.checkpoints.values().any(|h| *h == Hist::Forged)
        });
        if self.forged[src].is_none() || stale {
            let fork = (latest + self.prefix[src]).min(self.honest[src].messages.len() as u64);
            let mut lane = TestLane::new(CHAINS[src], HERE);
            for message in &self.honest[src].messages[..fork as usize] {
                lane.push(&message.recipient, &message.body, message.timeout_timestamp);
            }
            self.forged_lanes += 1;
            if let Some(old) = self.forged[src].replace(ForgedLane { lane, fork }) {
                self.old_forged[src].push(old.lane);
            }
        }
        let forged = self.forged[src].as_mut().unwrap();
        while (forged.lane.messages.len() as u64) < len {
            let n = forged.lane.messages.len();
            let to = if n % 4 == 3 { &failing } else { &receiver };
            let body = format!("{{\"forged\":{n},\"lane\":{}}}", self.forged_lanes);
            forged.lane.push(to, body.as_bytes(), None);
        }
    }

    /// A forged checkpoint size: 0 picks the honest lane's length, or the first size
    /// past the shared prefix.
    fn forged_size(&self, src: usize, pick: u64) -> u64 {
        let fork = self.forged[src].as_ref().map_or(0, |f| f.fork);
        let honest = self.honest[src].messages.len() as u64;
        match pick {
            0 => honest.max(fork + 1),
            pick => 1 + (pick - 1) % (honest + FORGED_EXTRA as u64),
        }
    }

    fn is_honest_id(&self, src: usize, nonce: u64, id: &[u8]) -> bool {
        self.honest[src]
            .ids
            .get(nonce as usize)
            .is_some_and(|honest| honest.as_slice() == id)
    }

    // --- the model's rules -------------------------------------------------------------

    fn m_live(&self, m: &Model, src: usize) -> Result<(), String> {
        match m.sources[src].frozen {
            Some(freeze) => Err(error(ContractError::SourceFrozen {
                chain: chain(src),
                size: freeze.max,
            })),
            None => Ok(()),
        }
    }

    fn m_freeze(m: &mut Model, src: usize, equivocation: bool, max: u64) {
        let source = &mut m.sources[src];
        source.frozen = Some(FreezeModel {
            equivocation,
            max,
            epoch: source.epoch,
        });
    }

    /// §5: a checkpoint of `hist`'s lane at `size`, signed by `signer`, with the honest
    /// relayer's consistency proof from the latest stored checkpoint.
    fn m_submit(
        &self,
        m: &mut Model,
        src: usize,
        hist: Hist,
        size: u64,
        signer: Signer,
    ) -> Result<(), String> {
        self.m_live(m, src)?;
        if size == 0 {
            return Err(error(ContractError::EmptyCheckpoint));
        }
        let signature_error = "signature of attester 0 refused".to_string();
        let latest = m.sources[src].latest();
        let new = self.hist_at(src, hist, size);
        if size <= latest {
            return match m.sources[src].checkpoints.get(&size).copied() {
                Some(stored) if stored == new => Ok(()),
                Some(_) if signer == Signer::Stranger => Err(signature_error),
                Some(_) => {
                    Self::m_freeze(m, src, true, size);
                    Ok(())
                }
                None => Err(error(ContractError::StaleCheckpoint {
                    chain: chain(src),
                    size,
                    latest,
                })),
            };
        }
        if latest > 0 && m.sources[src].checkpoints[&latest] != self.hist_at(src, hist, latest) {
            return Err(format!(
                "consistency proof from size {latest} to size {size} of source {:?} refused",
                CHAINS[src]
            ));
        }
        if signer == Signer::Stranger {
            return Err(signature_error);
        }
        m.sources[src].checkpoints.insert(size, new);
        Ok(())
    }

    /// §5 evidence: the attested checkpoint (`attested`, `size`) against the stored
    /// checkpoint `stored` (which may not be stored).
    fn m_report(
        &self,
        m: &mut Model,
        src: usize,
        attested: Hist,
        size: u64,
        stored: u64,
        evidence: Evidence,
    ) -> Result<(), String> {
        self.m_live(m, src)?;
        let Some(stored_hist) = m.sources[src].checkpoints.get(&stored).copied() else {
            return Err(error(ContractError::UnknownCheckpoint {
                chain: chain(src),
                size: stored,
            }));
        };
        let bad_proof = evidence == Evidence::BadProof;
        let refused = |reason: &str| Err(format!("no equivocation: {reason}"));
        let disputed = match size.cmp(&stored) {
            std::cmp::Ordering::Equal => {
                if self.hist_at(src, attested, size) == stored_hist {
                    return refused("the attested root is the stored root");
                }
                if bad_proof {
                    return refused("at a stored size the evidence is the attested root");
                }
                size
            }
            std::cmp::Ordering::Greater => {
                if bad_proof {
                    return refused(&format!(
                        "consistency proof from {stored} to {size} refused"
                    ));
                }
                if self.hist_at(src, attested, stored) == stored_hist {
                    return refused("the attested checkpoint extends the stored log");
                }
                stored
            }
            std::cmp::Ordering::Less => {
                if bad_proof {
                    return refused(&format!(
                        "consistency proof from {size} to {stored} refused"
                    ));
                }
                if self.hist_at(src, stored_hist, size) == self.hist_at(src, attested, size) {
                    return refused("the stored log extends the attested checkpoint");
                }
                size
            }
        };
        Self::m_freeze(m, src, true, disputed);
        Ok(())
    }

    /// §7: whether a nonce is skipped (processed, or below an ordered lane's next), or
    /// the ordered lane's gap error.
    fn m_skip(&self, m: &Model, src: usize, nonce: u64) -> Result<bool, String> {
        let source = &m.sources[src];
        if src == ORDERED {
            if nonce > source.next_nonce {
                return Err(error(ContractError::NonceGap {
                    chain: chain(src),
                    nonce,
                    expected: source.next_nonce,
                }));
            }
            if nonce < source.next_nonce {
                return Ok(true);
            }
        }
        Ok(source.status(nonce) != MessageStatus::Unknown)
    }

    /// Whether a dispatch to `recipient` succeeds.
    fn m_receives(&self, m: &Model, recipient: &str) -> bool {
        recipient == self.receiver() && !m.receiver_failing
    }

    /// §7 for a proven, unprocessed message.
    fn m_process(&self, m: &mut Model, src: usize, message: &Message) -> DeliveryOutcome {
        let id = message.message_id().unwrap();
        let nonce = message.nonce;
        if src == ORDERED {
            m.sources[src].next_nonce = nonce + 1;
        }
        let (status, receipt, outcome) = if message.is_timed_out(self.suite.now()) {
            (MessageStatus::TimedOut, None, DeliveryOutcome::TimedOut)
        } else if message.recipient == BAD_RECIPIENT {
            (MessageStatus::Failed, Some(0), DeliveryOutcome::Failed)
        } else if self.m_receives(m, &message.recipient) {
            m.received.push((src, nonce, id));
            (MessageStatus::Delivered, None, DeliveryOutcome::Dispatched)
        } else {
            (MessageStatus::Failed, Some(1), DeliveryOutcome::Dispatched)
        };
        let generation = m.sources[src].generation;
        m.sources[src].nonces.insert(
            nonce,
            NonceModel {
                status,
                id,
                receipt,
                generation,
            },
        );
        outcome
    }

    fn m_retry(&self, m: &mut Model, src: usize, message: &Message) -> Result<(), String> {
        if m.paused {
            return Err(error(ContractError::Paused));
        }
        self.m_live(m, src)?;
        let nonce = message.nonce;
        let id = message.message_id().unwrap();
        let status = m.sources[src].status(nonce);
        if status != MessageStatus::Failed {
            return Err(error(ContractError::NotFailed {
                chain: chain(src),
                nonce,
                status,
            }));
        }
        let receives = self.m_receives(m, &message.recipient);
        if m.sources[src].nonces[&nonce].id != id {
            return Err(format!("message {nonce} from {:?} has id", CHAINS[src]));
        }
        if !tolerate_finding_1() {
            // Finding 1, fixed: a message that failed in an earlier generation is retried
            // only below every rollback since (the kept history); at or above it, it may
            // be forged and is refused, honest or not.
            let source = &m.sources[src];
            let failed_in = source.nonces[&nonce].generation;
            if failed_in < source.generation {
                let floor = source
                    .rollbacks
                    .iter()
                    .filter(|(g, _)| *g >= failed_in)
                    .map(|(_, r)| *r)
                    .min();
                if floor.is_none_or(|floor| nonce >= floor) {
                    return Err(error(ContractError::RolledBack {
                        chain: chain(src),
                        nonce,
                        rollback_to: floor,
                    }));
                }
            }
        }
        let entry = m.sources[src].nonces.get_mut(&nonce).unwrap();
        if message.is_timed_out(self.suite.now()) {
            entry.status = MessageStatus::TimedOut;
            return Ok(());
        }
        if message.recipient == BAD_RECIPIENT {
            return Err("message cannot be delivered: recipient".into());
        }
        entry.receipt = Some(entry.receipt.unwrap() + 1);
        if receives {
            entry.status = MessageStatus::Delivered;
            m.received.push((src, nonce, id));
        }
        Ok(())
    }

    fn m_check_rollback(m: &Model, src: usize, rollback_to: u64) -> Result<FreezeModel, String> {
        let source = &m.sources[src];
        let freeze = source
            .frozen
            .ok_or_else(|| error(ContractError::NotFrozen { chain: chain(src) }))?;
        if rollback_to > freeze.max
            || (rollback_to != 0 && !source.checkpoints.contains_key(&rollback_to))
        {
            return Err(error(ContractError::InvalidRollback {
                chain: chain(src),
                rollback_to,
                max: freeze.max,
            }));
        }
        Ok(freeze)
    }

    fn m_apply(m: &mut Model, src: usize, change: Change) -> Result<(), String> {
        match change {
            Change::SetAttesters(seed) => {
                let source = &mut m.sources[src];
                source.epoch += 1;
                source.seed = seed;
            }
            Change::Unfreeze(rollback_to) => {
                let freeze = Self::m_check_rollback(m, src, rollback_to)?;
                let source = &mut m.sources[src];
                if freeze.equivocation && source.epoch <= freeze.epoch {
                    return Err(error(ContractError::AttestersNotReplaced {
                        chain: chain(src),
                        frozen_epoch: freeze.epoch,
                        epoch: source.epoch,
                    }));
                }
                let kept = source.checkpoints.get(&rollback_to).copied();
                source.retired.extend(source.checkpoints.keys().copied());
                source.checkpoints.clear();
                if let Some(hist) = kept {
                    source.checkpoints.insert(rollback_to, hist);
                }
                source.rollbacks.push((source.generation, rollback_to));
                source.generation += 1;
                source.frozen = None;
            }
        }
        Ok(())
    }

    /// A change of trust: checked, then applied at once without a delay, or proposed.
    fn m_propose(&self, m: &mut Model, src: usize, change: Change) -> Result<(), String> {
        if let Change::Unfreeze(rollback_to) = change {
            Self::m_check_rollback(m, src, rollback_to)?;
        }
        if self.delay == 0 {
            return Self::m_apply(m, src, change);
        }
        if m.proposals.len() >= MAX_PENDING_PROPOSALS {
            return Err(error(ContractError::TooManyProposals {
                max: MAX_PENDING_PROPOSALS,
            }));
        }
        let id = m.next_proposal_id;
        m.next_proposal_id += 1;
        let due = self.suite.now().plus_seconds(self.delay);
        let generation = m.sources[src].generation;
        m.proposals.insert(
            id,
            ProposalModel {
                src,
                change,
                due,
                generation,
            },
        );
        Ok(())
    }

    fn m_execute_proposal(&self, m: &mut Model, id: u64) -> Result<(), String> {
        let proposal = m
            .proposals
            .remove(&id)
            .ok_or_else(|| error(ContractError::UnknownProposal { id }))?;
        if self.suite.now() < proposal.due {
            return Err(error(ContractError::ProposalNotDue {
                id,
                executable_at: proposal.due,
            }));
        }
        // An unfreeze lifts only the freeze it was proposed under: a source frozen again
        // since (a later generation) refuses it.
        let source = &m.sources[proposal.src];
        if matches!(proposal.change, Change::Unfreeze(_))
            && source.frozen.is_some()
            && source.generation != proposal.generation
        {
            return Err(error(ContractError::StaleUnfreeze {
                id,
                chain: chain(proposal.src),
            }));
        }
        Self::m_apply(m, proposal.src, proposal.change)
    }

    // --- running a step ----------------------------------------------------------------

    fn relay(&mut self, msg: &ExecuteMsg) -> Outcome {
        self.suite.relay(msg)
    }

    fn owner(&mut self, msg: &ExecuteMsg) -> Outcome {
        self.suite.as_owner(msg)
    }

    fn signed(
        &mut self,
        src: usize,
        checkpoint: &ccmp_types::Checkpoint,
        signer: Signer,
    ) -> Vec<ccmp_types::AttesterSignature> {
        let seed = match signer {
            Signer::Current => self.model.sources[src].seed,
            Signer::Stranger => STRANGER_SEED,
        };
        self.signer_set(seed)
            .sign_quorum(&digest_for(checkpoint, OUTBOX, HERE))
    }

    fn submit(&mut self, src: usize, hist: Hist, size: u64, signer: Signer) -> Outcome {
        let lane = self.lane(src, hist);
        let checkpoint = lane.checkpoint(size);
        let latest = self.model.sources[src].latest();
        let consistency_proof = if size > latest {
            lane.consistency(latest, size)
        } else {
            vec![]
        };
        let signatures = self.signed(src, &checkpoint, signer);
        self.relay(&ExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures,
            consistency_proof,
        })
    }

    /// A size the current generation does not hold, above `nonce`: a rolled-back one if
    /// there is one.
    fn unknown_size(&self, src: usize, nonce: u64) -> u64 {
        let source = &self.model.sources[src];
        source
            .retired
            .iter()
            .copied()
            .find(|s| *s > nonce && !source.checkpoints.contains_key(s))
            .unwrap_or_else(|| {
                (nonce + 1..)
                    .find(|s| !source.checkpoints.contains_key(s))
                    .unwrap()
            })
    }

    fn tamper(proof: &mut Vec<HexBinary>) {
        match proof.first_mut() {
            Some(first) => {
                let mut bytes = first.to_vec();
                bytes[0] ^= 1;
                *first = HexBinary::from(bytes);
            }
            None => proof.push(HexBinary::from(&[0u8; 32])),
        }
    }

    fn execute(&mut self, op: &Op, m: &mut Model) -> Ran {
        match op {
            Op::Send { src, to, timeout } => {
                let src = src.index();
                if self.honest[src].messages.len() >= MAX_LANE {
                    return Ran::Skipped;
                }
                let recipient = match to {
                    To::Receiver => self.receiver(),
                    To::FailingReceiver => self.failing.to_string(),
                    To::BadAddress => BAD_RECIPIENT.to_string(),
                };
                let now = self.suite.now();
                let timeout = match timeout {
                    Timeout::None => None,
                    Timeout::Past => Some(now.minus_seconds(1)),
                    Timeout::Soon => Some(now.plus_seconds(20)),
                    Timeout::Later => Some(now.plus_seconds(2 * DELAY)),
                };
                let n = self.honest[src].messages.len();
                self.honest[src].push(&recipient, format!("{{\"n\":{n}}}").as_bytes(), timeout);
                Ran::Local
            }
            Op::SubmitHonest { src, size, signer } => {
                let src = src.index();
                let len = self.len(src, Hist::Honest);
                let size = match (len, *size as u64) {
                    (0, _) => 0,
                    (len, 0) => len,
                    (len, pick) => 1 + (pick - 1) % len,
                };
                let want = self.m_submit(m, src, Hist::Honest, size, *signer);
                Ran::Called(want.into(), self.submit(src, Hist::Honest, size, *signer))
            }
            Op::SubmitForged { src, size, signer } => {
                let src = src.index();
                self.ensure_forged(src, 0);
                let size = self.forged_size(src, *size as u64);
                self.ensure_forged(src, size);
                let want = self.m_submit(m, src, Hist::Forged, size, *signer);
                Ran::Called(want.into(), self.submit(src, Hist::Forged, size, *signer))
            }
            Op::Report {
                src,
                attested,
                size,
                stored,
                evidence,
            } => {
                let src = src.index();
                self.ensure_forged(src, 0);
                let sizes: Vec<u64> = self.model.sources[src]
                    .checkpoints
                    .keys()
                    .copied()
                    .collect();
                let stored = match (*evidence, sizes.is_empty(), *stored) {
                    (Evidence::UnknownStored, _, _) | (_, true, _) => None,
                    (_, false, 0) => sizes.last().copied(),
                    (_, false, pick) => Some(sizes[pick as usize % sizes.len()]),
                };
                let stored_hist = stored.map(|s| self.model.sources[src].checkpoints[&s]);
                let mut attested = attested.unwrap_or(match stored_hist {
                    Some(Hist::Forged) => Hist::Honest,
                    _ => Hist::Forged,
                });
                if self.honest[src].messages.is_empty() {
                    attested = Hist::Forged;
                }
                let size = match (attested, *size as u64) {
                    (Hist::Honest, 0) => self.len(src, Hist::Honest),
                    (Hist::Honest, pick) => 1 + (pick - 1) % self.len(src, Hist::Honest),
                    (Hist::Forged, pick) => {
                        let size = self.forged_size(src, pick);
                        self.ensure_forged(src, size);
                        size
                    }
                };
                let lane = self.lane(src, attested);
                let checkpoint = lane.checkpoint(size);
                let (prefix_root, mut consistency_proof) = match stored {
                    Some(stored) if stored < size => (
                        HexBinary::from(&lane.root(stored)),
                        lane.consistency(stored, size),
                    ),
                    Some(stored) if stored > size => {
                        let stored_lane =
                            self.lane(src, self.model.sources[src].checkpoints[&stored]);
                        (
                            HexBinary::from(&stored_lane.root(size)),
                            stored_lane.consistency(size, stored),
                        )
                    }
                    // The same size (or none stored): the attested root itself.
                    _ => (HexBinary::from(&lane.root(size)), vec![]),
                };
                if *evidence == Evidence::BadProof {
                    Self::tamper(&mut consistency_proof);
                }
                // Not stored: a rolled-back size, or one never stored.
                let stored_size = stored.unwrap_or_else(|| self.unknown_size(src, 0));
                let want = self.m_report(m, src, attested, size, stored_size, *evidence);
                let signatures = self.signed(src, &checkpoint, Signer::Current);
                let outcome = self.relay(&ExecuteMsg::ReportEquivocation {
                    checkpoint,
                    signatures,
                    stored_size,
                    prefix_root,
                    consistency_proof,
                });
                Ran::Called(want.into(), outcome)
            }
            Op::Deliver { src, items } => {
                let src = src.index();
                let mut resolved = vec![];
                let mut chosen = BTreeSet::new();
                for spec in items {
                    let hist = self.effective(src, spec.hist);
                    let lane = self.lane(src, hist);
                    let len = lane.messages.len() as u64;
                    if len == 0 {
                        continue;
                    }
                    // A forged item is one of the attacker's own messages.
                    let fork = match (hist, &self.forged[src]) {
                        (Hist::Forged, Some(forged)) if forged.fork < len => forged.fork,
                        _ => 0,
                    };
                    let source = &self.model.sources[src];
                    let next = if src == ORDERED {
                        (source.next_nonce..).find(|n| !chosen.contains(n))
                    } else {
                        (fork..len).chain(0..fork).find(|n| {
                            !chosen.contains(n) && source.status(*n) == MessageStatus::Unknown
                        })
                    }
                    .filter(|n| *n < len);
                    let nonce = match (spec.nonce, next) {
                        (0, Some(next)) => next,
                        (pick, _) => fork + pick as u64 % (len - fork),
                    };
                    chosen.insert(nonce);
                    let size = if spec.fault == Fault::UnknownCheckpoint {
                        self.unknown_size(src, nonce)
                    } else {
                        let above: Vec<u64> = source
                            .checkpoints
                            .keys()
                            .rev()
                            .copied()
                            .filter(|s| *s > nonce)
                            .collect();
                        if above.is_empty() {
                            source.latest().max(1)
                        } else {
                            above[spec.size as usize % above.len()]
                        }
                    };
                    let mut message = lane.messages[nonce as usize].clone();
                    let mut proof = if nonce < size && size <= len {
                        lane.proof(nonce, size)
                    } else {
                        lane.proof(nonce, len)
                    };
                    match spec.fault {
                        Fault::Body => {
                            let mut body = message.body.to_vec();
                            body.push(b'!');
                            message.body = Binary::new(body);
                        }
                        Fault::Proof => Self::tamper(&mut proof),
                        _ => {}
                    }
                    let valid = spec.fault == Fault::None
                        && nonce < size
                        && size <= len
                        && source.checkpoints.get(&size) == Some(&self.hist_at(src, hist, size));
                    resolved.push((
                        DeliveryItem {
                            message,
                            checkpoint_size: size,
                            proof,
                        },
                        valid,
                    ));
                }
                if resolved.is_empty() {
                    return Ran::Skipped;
                }
                let want = (|| {
                    if m.paused {
                        return Err(error(ContractError::Paused));
                    }
                    let mut outcomes = vec![];
                    for (item, valid) in &resolved {
                        let nonce = item.message.nonce;
                        let size = item.checkpoint_size;
                        self.m_live(m, src)?;
                        if self.m_skip(m, src, nonce)? {
                            outcomes.push(DeliveryOutcome::Skipped);
                            continue;
                        }
                        if !m.sources[src].checkpoints.contains_key(&size) {
                            return Err(error(ContractError::UnknownCheckpoint {
                                chain: chain(src),
                                size,
                            }));
                        }
                        if nonce >= size {
                            return Err(error(ContractError::NonceOutsideCheckpoint {
                                nonce,
                                size,
                            }));
                        }
                        if !valid {
                            return Err(format!(
                                "inclusion proof of nonce {nonce} in checkpoint {size} of source {:?} refused",
                                CHAINS[src]
                            ));
                        }
                        outcomes.push(self.m_process(m, src, &item.message));
                    }
                    Ok(outcomes)
                })();
                let items = resolved.into_iter().map(|(item, _)| item).collect();
                Ran::Called(want.into(), self.relay(&ExecuteMsg::Deliver { items }))
            }
            Op::DeliverBatch {
                src,
                hist,
                size,
                nonces,
                fault,
            } => {
                let src = src.index();
                let hist = self.effective(src, *hist);
                let lane = self.lane(src, hist);
                let len = lane.messages.len() as u64;
                if len == 0 {
                    return Ran::Skipped;
                }
                let source = &self.model.sources[src];
                let stored: Vec<u64> = source
                    .checkpoints
                    .keys()
                    .rev()
                    .copied()
                    .filter(|s| *s <= len)
                    .collect();
                let unstored: Vec<u64> = (1..=len)
                    .filter(|s| !source.checkpoints.contains_key(s))
                    .collect();
                let size = if (*fault == Fault::UnknownCheckpoint || stored.is_empty())
                    && !unstored.is_empty()
                {
                    unstored[*size as usize % unstored.len()]
                } else if stored.is_empty() {
                    return Ran::Skipped;
                } else {
                    stored[*size as usize % stored.len()]
                };
                let nonces: Vec<u64> = nonces
                    .iter()
                    .map(|n| *n as u64 % size)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let mut proof = multiproof(&nonces, &lane.ids[..size as usize])
                    .unwrap()
                    .concat();
                let mut messages: Vec<Message> = nonces
                    .iter()
                    .map(|n| lane.messages[*n as usize].clone())
                    .collect();
                match fault {
                    Fault::Body => {
                        let mut body = messages[0].body.to_vec();
                        body.push(b'!');
                        messages[0].body = Binary::new(body);
                    }
                    Fault::Proof if proof.is_empty() => proof.extend_from_slice(&[0u8; 32]),
                    Fault::Proof => proof[0] ^= 1,
                    _ => {}
                }
                let verifies = matches!(fault, Fault::None | Fault::UnknownCheckpoint)
                    && source.checkpoints.get(&size) == Some(&self.hist_at(src, hist, size));
                let want = (|| {
                    if m.paused {
                        return Err(error(ContractError::Paused));
                    }
                    self.m_live(m, src)?;
                    if !m.sources[src].checkpoints.contains_key(&size) {
                        return Err(error(ContractError::UnknownCheckpoint {
                            chain: chain(src),
                            size,
                        }));
                    }
                    if !verifies {
                        return Err(format!(
                            "multiproof of {} messages in checkpoint {size} of source {:?} refused",
                            nonces.len(),
                            CHAINS[src]
                        ));
                    }
                    let mut outcomes = vec![];
                    for message in &messages {
                        if self.m_skip(m, src, message.nonce)? {
                            outcomes.push(DeliveryOutcome::Skipped);
                        } else {
                            outcomes.push(self.m_process(m, src, message));
                        }
                    }
                    Ok(outcomes)
                })();
                let msg = ExecuteMsg::DeliverBatch {
                    source_chain: chain(src),
                    checkpoint_size: size,
                    messages: messages
                        .iter()
                        .map(|message| Binary::new(message.encode().unwrap()))
                        .collect(),
                    proof: Binary::new(proof),
                };
                Ran::Called(want.into(), self.relay(&msg))
            }
            Op::Retry { src, hist, nonce } => {
                let src = src.index();
                let failed: Vec<(u64, Hash)> = self.model.sources[src]
                    .nonces
                    .iter()
                    .filter(|(_, st)| st.status == MessageStatus::Failed)
                    .map(|(n, st)| (*n, st.id))
                    .collect();
                // A failed message as it was delivered, from whichever lane holds it.
                let own = match (hist, failed.is_empty()) {
                    (None, false) => {
                        let (n, id) = failed[*nonce as usize % failed.len()];
                        let lanes = [&self.honest[src]]
                            .into_iter()
                            .chain(self.forged[src].as_ref().map(|f| &f.lane))
                            .chain(&self.old_forged[src]);
                        let found = lanes
                            .filter_map(|lane| {
                                lane.messages.get(n as usize).zip(lane.ids.get(n as usize))
                            })
                            .find(|(_, lane_id)| **lane_id == id)
                            .map(|(message, _)| message.clone());
                        found.or_else(|| self.honest[src].messages.get(n as usize).cloned())
                    }
                    _ => None,
                };
                let message = match own {
                    Some(message) => message,
                    None => {
                        let lane =
                            self.lane(src, self.effective(src, hist.unwrap_or(Hist::Honest)));
                        if lane.messages.is_empty() {
                            return Ran::Skipped;
                        }
                        lane.messages[*nonce as usize % lane.messages.len()].clone()
                    }
                };
                self.retried = Some((src, message.nonce));
                let want = self.m_retry(m, src, &message);
                let outcome = self.relay(&ExecuteMsg::Retry {
                    message,
                    gas_limit: None,
                });
                Ran::Called(want.into(), outcome)
            }
            Op::SetReceiverFailing(fail) => {
                self.suite.set_receiver_failing(*fail);
                m.receiver_failing = *fail;
                Ran::Local
            }
            Op::AdvanceTime(seconds) => {
                self.suite.advance_time(*seconds);
                Ran::Local
            }
            Op::Pause => {
                m.paused = true;
                Ran::Called(Want::Ok, self.owner(&ExecuteMsg::Pause {}))
            }
            Op::Unpause => {
                m.paused = false;
                Ran::Called(Want::Ok, self.owner(&ExecuteMsg::Unpause {}))
            }
            Op::Freeze { src } => {
                let src = src.index();
                if m.sources[src].frozen.is_none() {
                    let latest = m.sources[src].latest();
                    Self::m_freeze(m, src, false, latest);
                }
                let msg = ExecuteMsg::Freeze {
                    source_chain: chain(src),
                };
                Ran::Called(Want::Ok, self.owner(&msg))
            }
            Op::SetAttesters { src } => {
                let src = src.index();
                let seed = self.next_seed;
                self.next_seed += 10;
                let want = self.m_propose(m, src, Change::SetAttesters(seed));
                let msg = ExecuteMsg::SetAttesters {
                    source_chain: chain(src),
                    attesters: self.signer_set(seed).set,
                };
                Ran::Called(want.into(), self.owner(&msg))
            }
            Op::Unfreeze { src, target } => {
                let src = src.index();
                let source = &self.model.sources[src];
                let max = source.frozen.map_or(source.latest(), |f| f.max);
                let sizes: Vec<u64> = source.checkpoints.keys().copied().collect();
                let rollback_to = match target {
                    Target::BestHonest => source
                        .checkpoints
                        .range(..=max)
                        .rev()
                        .find(|(_, h)| **h == Hist::Honest)
                        .map_or(0, |(s, _)| *s),
                    Target::Stored(_) if sizes.is_empty() => 0,
                    Target::Stored(pick) => sizes[*pick as usize % sizes.len()],
                    Target::Zero => 0,
                    Target::AboveMax => max + 1,
                    Target::Unstored => (1..=max)
                        .find(|s| !source.checkpoints.contains_key(s))
                        .unwrap_or(max + 1),
                };
                let want = self.m_propose(m, src, Change::Unfreeze(rollback_to));
                let msg = ExecuteMsg::Unfreeze {
                    source_chain: chain(src),
                    rollback_to,
                };
                Ran::Called(want.into(), self.owner(&msg))
            }
            Op::ExecuteProposal(pick) => {
                let id = self.proposal_id(*pick);
                let want = self.m_execute_proposal(m, id);
                Ran::Called(want.into(), self.relay(&ExecuteMsg::ExecuteProposal { id }))
            }
            Op::Recover { .. } => unreachable!("run expands it"),
            Op::CancelProposal(pick) => {
                let id = self.proposal_id(*pick);
                let want = m
                    .proposals
                    .remove(&id)
                    .map(|_| ())
                    .ok_or_else(|| error(ContractError::UnknownProposal { id }));
                Ran::Called(want.into(), self.owner(&ExecuteMsg::CancelProposal { id }))
            }
        }
    }

    /// A pending proposal's id, or (for the pick past them) the next id, which is none.
    fn proposal_id(&self, pick: u8) -> u64 {
        let ids: Vec<u64> = self.model.proposals.keys().copied().collect();
        let index = pick as usize % (ids.len() + 1);
        ids.get(index)
            .copied()
            .unwrap_or(self.model.next_proposal_id)
    }

    fn step(&mut self, op: &Op) -> Result<(), String> {
        self.retried = None;
        let mut model = self.model.clone();
        match self.execute(op, &mut model) {
            Ran::Skipped => return Ok(()),
            Ran::Local => self.model = model,
            Ran::Called(want, outcome) => {
                match (&want, &outcome) {
                    (Want::Ok, Ok(_)) => {}
                    (Want::Delivered(expected), Ok(response)) => {
                        let got: Vec<DeliveryOutcome> = deliver_outcomes(response)
                            .into_iter()
                            .map(|(_, outcome)| outcome)
                            .collect();
                        if &got != expected {
                            return Err(format!(
                                "delivery outcomes: model {expected:?}, inbox {got:?}"
                            ));
                        }
                    }
                    (Want::Err(needle), Err(err)) if err.contains(needle.as_str()) => {}
                    (Want::Err(needle), Ok(_)) if needle.is_empty() => {
                        return Err(
                            "the model expects a refusal (any error), the inbox accepted".into(),
                        )
                    }
                    (Want::Err(needle), Err(err)) => {
                        return Err(format!(
                            "the model expects {needle:?}, the inbox says: {err}"
                        ))
                    }
                    (Want::Err(needle), Ok(_)) => {
                        return Err(format!(
                            "the model expects an error ({needle:?}), the inbox accepted"
                        ))
                    }
                    (_, Err(err)) => {
                        return Err(format!("the model expects success, the inbox says: {err}"))
                    }
                }
                if !self.finishing {
                    record_stat(op, &want);
                }
                if !matches!(want, Want::Err(_)) {
                    self.model = model;
                }
            }
        }
        let now = observe(&self.suite, &self.failing);
        self.compare(&now)?;
        self.invariants(&now)?;
        self.record_events(&now);
        self.last = now;
        Ok(())
    }

    // --- comparing ---------------------------------------------------------------------

    fn compare(&self, obs: &Obs) -> Result<(), String> {
        let m = &self.model;
        if obs.paused != m.paused {
            return Err(format!("paused: model {}, inbox {}", m.paused, obs.paused));
        }
        for (src, name) in CHAINS.into_iter().enumerate() {
            let source = &m.sources[src];
            let got = &obs.sources[src];
            let frozen = got.frozen.as_ref().map(|f| FreezeModel {
                equivocation: matches!(f.cause, FreezeCause::Equivocation { .. }),
                max: f.max_rollback_to,
                epoch: f.epoch,
            });
            let checkpoints: Vec<(u64, HexBinary)> = source
                .checkpoints
                .iter()
                .map(|(size, hist)| (*size, HexBinary::from(&self.lane(src, *hist).root(*size))))
                .collect();
            let latest = checkpoints.last().cloned();
            let got_latest = got
                .latest_checkpoint
                .as_ref()
                .map(|c| (c.size, c.root.clone()));
            let expected_next = (src == ORDERED).then_some(source.next_nonce);
            let same = frozen == source.frozen
                && got.epoch == source.epoch
                && got.checkpoint_generation == source.generation
                && got_latest == latest
                && obs.checkpoints[src] == checkpoints
                && got.next_nonce == expected_next
                && got.attesters == mixed_signers(source.seed).set;
            if !same {
                return Err(format!(
                    "source {}: model frozen {:?} epoch {} generation {} checkpoints {:?} next {:?} seed {}; inbox frozen {:?} epoch {} generation {} checkpoints {:?} latest {:?} next {:?}",
                    name,
                    source.frozen,
                    source.epoch,
                    source.generation,
                    source.checkpoints,
                    expected_next,
                    source.seed,
                    frozen,
                    got.epoch,
                    got.checkpoint_generation,
                    obs.checkpoints[src].iter().map(|(s, _)| s).collect::<Vec<_>>(),
                    got_latest.map(|(s, _)| s),
                    got.next_nonce,
                ));
            }
            for nonce in 0..NONCES {
                let got = &obs.statuses[src][nonce as usize];
                let want = source.nonces.get(&nonce);
                let status = want.map_or(MessageStatus::Unknown, |n| n.status);
                let attempts = match want {
                    None => 0,
                    Some(n) => n
                        .receipt
                        .unwrap_or(u32::from(n.status == MessageStatus::Delivered)),
                };
                let id = want
                    .filter(|n| n.receipt.is_some())
                    .map(|n| HexBinary::from(&n.id));
                let same = got.status == status
                    && got.attempts == attempts
                    && got.message_id == id
                    && got.error.is_some() == (status == MessageStatus::Failed);
                if !same {
                    return Err(format!(
                        "{} nonce {nonce}: model {status:?} attempts {attempts} receipt id {id:?}; inbox {got:?}",
                        name
                    ));
                }
            }
        }
        let proposals: Vec<(u64, Timestamp)> =
            m.proposals.iter().map(|(id, p)| (*id, p.due)).collect();
        if obs.proposals != proposals {
            return Err(format!(
                "proposals: model {proposals:?}, inbox {:?}",
                obs.proposals
            ));
        }
        let received: Vec<(usize, u64, HexBinary)> = obs
            .received
            .iter()
            .map(|r| {
                let src = CHAINS.iter().position(|c| *c == r.source_chain).unwrap();
                (src, r.nonce, r.message_id.clone())
            })
            .collect();
        let expected: Vec<(usize, u64, HexBinary)> = m
            .received
            .iter()
            .map(|(src, nonce, id)| (*src, *nonce, HexBinary::from(id)))
            .collect();
        if received != expected {
            return Err(format!(
                "receiver: model received {:?}, the receiver has {:?}",
                expected
                    .iter()
                    .map(|(s, n, _)| (CHAINS[*s], *n))
                    .collect::<Vec<_>>(),
                received
                    .iter()
                    .map(|(s, n, _)| (CHAINS[*s], *n))
                    .collect::<Vec<_>>()
            ));
        }
        if obs.failing_received != 0 {
            return Err("the always-failing receiver recorded a message".into());
        }
        Ok(())
    }

    /// Safety properties of the inbox itself, between the previous observation and `now`.
    fn invariants(&self, now: &Obs) -> Result<(), String> {
        let before = &self.last;
        // Nothing is dispatched twice.
        let mut seen = BTreeSet::new();
        for record in &now.received {
            if !seen.insert((record.source_chain.clone(), record.nonce)) {
                return Err(format!(
                    "INVARIANT: {} nonce {} dispatched twice",
                    record.source_chain, record.nonce
                ));
            }
        }
        let new_records = &now.received[before.received.len().min(now.received.len())..];
        for (src, name) in CHAINS.into_iter().enumerate() {
            // Statuses never go back; a failed one moves only through retry.
            for nonce in 0..NONCES as usize {
                let (was, is) = (
                    before.statuses[src][nonce].status,
                    now.statuses[src][nonce].status,
                );
                let allowed = was == is
                    || was == MessageStatus::Unknown
                    || (was == MessageStatus::Failed && self.retried == Some((src, nonce as u64)));
                if !allowed {
                    return Err(format!(
                        "INVARIANT: {} nonce {nonce} went from {was:?} to {is:?}",
                        name
                    ));
                }
            }
            // A frozen source changes nothing.
            if before.sources[src].frozen.is_some() {
                if before.statuses[src] != now.statuses[src] {
                    return Err(format!(
                        "INVARIANT: a status of frozen source {} changed",
                        name
                    ));
                }
                if new_records.iter().any(|r| r.source_chain == name) {
                    return Err(format!(
                        "INVARIANT: frozen source {} dispatched a message",
                        name
                    ));
                }
            }
        }
        // A message of the forged history is dispatched (reaches the receiver, or counts an
        // attempt) only while a checkpoint of the current generation proves it.
        let proven = |src: usize, nonce: u64, id: &[u8]| {
            self.forged[src].as_ref().is_some_and(|forged| {
                forged.lane.ids.get(nonce as usize).map(|id| id.as_slice()) == Some(id)
                    && now.checkpoints[src].iter().any(|(size, root)| {
                        *size > nonce
                            && *size as usize <= forged.lane.ids.len()
                            && root.as_slice() == forged.lane.root(*size).as_slice()
                    })
            })
        };
        for (src, name) in CHAINS.into_iter().enumerate() {
            for (nonce, (was, is)) in before.statuses[src]
                .iter()
                .zip(&now.statuses[src])
                .enumerate()
            {
                let nonce = nonce as u64;
                let Some(id) = &is.message_id else { continue };
                let tolerated = tolerate_finding_1() && self.retried == Some((src, nonce));
                if is.attempts > was.attempts
                    && !tolerated
                    && !self.is_honest_id(src, nonce, id.as_slice())
                    && !proven(src, nonce, id.as_slice())
                {
                    return Err(format!(
                        "INVARIANT: forged message {} nonce {nonce} was dispatched again (attempts {} -> {}), but no checkpoint of the current generation (stored sizes {:?}) proves it",
                        name,
                        was.attempts,
                        is.attempts,
                        now.checkpoints[src].iter().map(|(s, _)| s).collect::<Vec<_>>()
                    ));
                }
            }
        }
        for record in new_records {
            let src = CHAINS
                .iter()
                .position(|c| *c == record.source_chain)
                .unwrap();
            if self.is_honest_id(src, record.nonce, record.message_id.as_slice()) {
                continue;
            }
            let proven = proven(src, record.nonce, record.message_id.as_slice())
                || (tolerate_finding_1() && self.retried == Some((src, record.nonce)));
            if !proven {
                return Err(format!(
                    "INVARIANT: forged message {} nonce {} reached the receiver, but no checkpoint of the current generation (stored sizes {:?}) proves it",
                    record.source_chain,
                    record.nonce,
                    now.checkpoints[src].iter().map(|(s, _)| s).collect::<Vec<_>>()
                ));
            }
        }
        Ok(())
    }

    /// With `CCMP_MODEL_STATS`: what happened, for judging the generator's reach.
    fn record_events(&self, now: &Obs) {
        if std::env::var_os("CCMP_MODEL_STATS").is_none() {
            return;
        }
        let mut events = vec![];
        for src in 0..2 {
            let (was, is) = (&self.last.sources[src], &now.sources[src]);
            if was.frozen.is_none() {
                if let Some(freeze) = &is.frozen {
                    events.push(
                        format!("freeze {:?}", freeze.cause)
                            .chars()
                            .take(30)
                            .collect(),
                    );
                }
            }
            if is.checkpoint_generation > was.checkpoint_generation {
                events.push(format!(
                    "rollback to {}",
                    if is.latest_checkpoint.is_some() {
                        "a checkpoint"
                    } else {
                        "0"
                    }
                ));
            }
        }
        for record in &now.received[self.last.received.len()..] {
            let src = CHAINS
                .iter()
                .position(|c| *c == record.source_chain)
                .unwrap();
            if !self.is_honest_id(src, record.nonce, record.message_id.as_slice()) {
                events.push("forged message received".into());
            }
        }
        let mut stats = STATS.lock().unwrap();
        for event in events {
            *stats.entry(format!("event: {event}")).or_default() += 1;
        }
    }

    // --- the end of a case -------------------------------------------------------------

    fn run(&mut self, case: &Case) -> Result<(), String> {
        for (src, checkpointed) in [Src::Unordered, Src::Ordered]
            .into_iter()
            .zip(case.checkpointed)
        {
            if checkpointed && case.initial[src.index()] > 0 {
                self.step(&Op::SubmitHonest {
                    src,
                    size: 0,
                    signer: Signer::Current,
                })
                .map_err(|err| format!("initial checkpoint: {err}"))?;
            }
        }
        for (index, op) in case.ops.iter().enumerate() {
            let ran = match op {
                Op::Recover { src, target } => self.recover(*src, *target),
                op => self.step(op),
            };
            ran.map_err(|err| format!("step {index} ({op:?}): {err}"))?;
        }
        self.finish().map_err(|err| format!("recovery: {err}"))
    }

    fn finish_step(&mut self, op: Op) -> Result<(), String> {
        let text = format!("{op:?}");
        self.step(&op).map_err(|err| format!("{text}: {err}"))
    }

    /// Runs a change of trust; a proposal it made is carried out once due.
    fn change_of_trust(&mut self, op: Op) -> Result<(), String> {
        let before = self.model.next_proposal_id;
        self.finish_step(op)?;
        if self.model.next_proposal_id > before {
            let index = self.model.proposals.len() - 1;
            self.finish_step(Op::AdvanceTime(DELAY))?;
            self.finish_step(Op::ExecuteProposal(index as u8))?;
        }
        Ok(())
    }

    fn recover(&mut self, src: Src, target: Target) -> Result<(), String> {
        let source = &self.model.sources[src.index()];
        if source
            .frozen
            .is_some_and(|f| f.equivocation && source.epoch <= f.epoch)
        {
            self.change_of_trust(Op::SetAttesters { src })?;
        }
        self.change_of_trust(Op::Unfreeze { src, target })
    }

    fn finish(&mut self) -> Result<(), String> {
        self.finishing = true;
        let before: Vec<BTreeMap<u64, NonceModel>> = self
            .model
            .sources
            .iter()
            .map(|s| s.nonces.clone())
            .collect();
        if self.model.paused {
            self.finish_step(Op::Unpause)?;
        }
        if self.model.receiver_failing {
            self.finish_step(Op::SetReceiverFailing(false))?;
        }
        while !self.model.proposals.is_empty() {
            self.finish_step(Op::CancelProposal(0))?;
        }
        for src in [Src::Unordered, Src::Ordered] {
            let i = src.index();
            let source = &self.model.sources[i];
            let latest_forged = source.checkpoints.values().next_back() == Some(&Hist::Forged);
            if source.frozen.is_none() && latest_forged {
                self.finish_step(Op::Freeze { src })?;
            }
            if self.model.sources[i].frozen.is_some() {
                self.recover(src, Target::BestHonest)?;
            }
            if self.model.sources[i].frozen.is_some() {
                return Err(format!("{} is still frozen", CHAINS[i]));
            }
            let len = self.honest[i].messages.len();
            if len == 0 {
                continue;
            }
            self.finish_step(Op::SubmitHonest {
                src,
                size: 0,
                signer: Signer::Current,
            })?;
            let items = (0..len)
                .map(|n| ItemSpec {
                    hist: Hist::Honest,
                    nonce: n as u8,
                    size: 0,
                    fault: Fault::None,
                })
                .collect();
            self.finish_step(Op::Deliver { src, items })?;
            // A relayer retries every failed message as it was delivered: the honest ones
            // go through, the forged ones must not.
            let failed = |world: &World| -> Vec<u64> {
                world.model.sources[i]
                    .nonces
                    .iter()
                    .filter(|(_, st)| st.status == MessageStatus::Failed)
                    .map(|(n, _)| *n)
                    .collect()
            };
            for n in failed(self) {
                let id = self.model.sources[i].nonces[&n].id;
                if tolerate_finding_1() && !self.is_honest_id(i, n, &id) {
                    continue;
                }
                if let Some(index) = failed(self).iter().position(|f| *f == n) {
                    self.finish_step(Op::Retry {
                        src,
                        hist: None,
                        nonce: index as u8,
                    })?;
                }
            }
            let receiver = self.receiver();
            // The honest lane went through: every nonce is processed; those processed
            // under the honest history end as their recipient and timeout say, those
            // processed under the forged one stay as they were.
            let source = &self.model.sources[i];
            if source.latest() != len as u64 || source.checkpoints[&(len as u64)] != Hist::Honest {
                return Err(format!(
                    "{} does not hold the honest checkpoint {len}",
                    CHAINS[i]
                ));
            }
            for (n, message) in self.honest[i].messages.iter().enumerate() {
                let n = n as u64;
                let Some(state) = source.nonces.get(&n) else {
                    return Err(format!("{} nonce {n} was never processed", CHAINS[i]));
                };
                if self.is_honest_id(i, n, &state.id) {
                    let fine = match state.status {
                        MessageStatus::Delivered => message.recipient == receiver,
                        MessageStatus::TimedOut => message.timeout_timestamp.is_some(),
                        MessageStatus::Failed => {
                            message.recipient != receiver
                                || source.retry_refused(state.generation, n)
                        }
                        MessageStatus::Unknown => false,
                    };
                    if !fine {
                        return Err(format!(
                            "{} honest nonce {n} ended {:?} (recipient {}, timeout {:?})",
                            CHAINS[i], state.status, message.recipient, message.timeout_timestamp
                        ));
                    }
                } else if before[i].get(&n) != Some(state) {
                    return Err(format!(
                        "{} nonce {n}, processed under the forged history, changed in recovery",
                        CHAINS[i]
                    ));
                }
            }
        }
        Ok(())
    }
}

fn observe(suite: &Suite, failing: &Addr) -> Obs {
    let config: ConfigResponse = suite.query(&QueryMsg::Config {}).unwrap();
    let sources = CHAINS.map(|c| suite.source(c));
    let checkpoints = CHAINS.map(|c| {
        let response: CheckpointsResponse = suite
            .query(&QueryMsg::Checkpoints {
                source_chain: c.into(),
                start_after: None,
                limit: Some(100),
            })
            .unwrap();
        response
            .checkpoints
            .into_iter()
            .map(|entry| (entry.size, entry.root))
            .collect()
    });
    let statuses = CHAINS.map(|c| (0..NONCES).map(|n| suite.status(c, n)).collect());
    let proposals: ProposalsResponse = suite
        .query(&QueryMsg::Proposals {
            start_after: None,
            limit: Some(30),
        })
        .unwrap();
    let failing_received: Vec<CcmpReceiveMsg> = suite
        .app
        .wrap()
        .query_wasm_smart(failing.clone(), &ReceiverQuery::Received {})
        .unwrap();
    Obs {
        paused: config.paused,
        sources,
        checkpoints,
        statuses,
        proposals: proposals
            .proposals
            .into_iter()
            .map(|p| {
                assert!(matches!(
                    p.change,
                    TrustChange::SetAttesters { .. } | TrustChange::Unfreeze { .. }
                ));
                (p.id, p.executable_at)
            })
            .collect(),
        received: suite.received(),
        failing_received: failing_received.len(),
    }
}

static STATS: std::sync::Mutex<BTreeMap<String, u64>> = std::sync::Mutex::new(BTreeMap::new());

/// With `CCMP_MODEL_STATS` set: how often each kind of call met each outcome.
fn record_stat(op: &Op, want: &Want) {
    if std::env::var_os("CCMP_MODEL_STATS").is_none() {
        return;
    }
    let name: String = format!("{op:?}")
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    let outcome = match want {
        Want::Ok => "ok".to_string(),
        Want::Delivered(outcomes) => format!("ok {outcomes:?}"),
        Want::Err(needle) => needle.chars().take(48).collect(),
    };
    *STATS
        .lock()
        .unwrap()
        .entry(format!("{name}: {outcome}"))
        .or_default() += 1;
}

fn print_stats() {
    if std::env::var_os("CCMP_MODEL_STATS").is_some() {
        for (key, count) in STATS.lock().unwrap().iter() {
            println!("{count:6} {key}");
        }
    }
}

/// `CCMP_MODEL_TOLERATE=finding-1`: the model follows the inbox's current `retry` of a
/// forged message whose checkpoints were rolled back (finding 1 below), to search for
/// what else the test finds.
fn tolerate_finding_1() -> bool {
    std::env::var("CCMP_MODEL_TOLERATE").is_ok_and(|v| v == "finding-1")
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_inbox_follows_the_model() {
    let config = ProptestConfig {
        cases: env_number("CCMP_MODEL_CASES", 64) as u32,
        // No regression file: a failure prints its shrunk case, which belongs in a test.
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| {
        let mut world = World::new(&case);
        world.run(&case).map_err(TestCaseError::fail)
    });
    print_stats();
    if let Err(err) = result {
        panic!("{err}");
    }
}

/// FINDING 1, found by `the_inbox_follows_the_model`: `retry` dispatches a forged message
/// again after the rollback that made every checkpoint proving it unusable.
///
/// §5 rolls a frozen source back so that "every stored checkpoint above it stops being
/// usable, for proofs and for consistency": without it "a forged checkpoint would outlive
/// the freeze: its messages stay deliverable". `deliver` and `deliver_batch` honour it.
/// `retry` needs no proof: it compares the message with the id stored when it failed and
/// dispatches it again. A forged message that failed once under the forged history
/// (its recipient refused it then, or always refuses) is therefore dispatched again after
/// the recovery, by anyone (and again after every failure); the receiver gets the
/// attacker's message although the owner rolled its checkpoint back. The honest message of that
/// nonce can never be delivered (it is skipped, and its retry is refused as a mismatch),
/// as §5 says; but the forged one stays alive.
///
/// A shrunk case of the property test (delay 0, no initial messages, a forged lane
/// sharing nothing with the honest one):
/// ```text
/// SubmitForged { src: Unordered, size: 0, signer: Current }
///     the current set signs the forged checkpoint 1; stored (it extends the empty log)
/// SetReceiverFailing(true)
/// Deliver { src: Unordered, items: [ItemSpec { hist: Forged, nonce: 0, size: 0, fault: None }] }
///     forged nonce 0, proven by it, refused by the receiver: failed
/// Send { src: Unordered, to: Receiver, timeout: None }
///     the outbox's real nonce 0
/// then the recovery that ends every case: the receiver back, owner freeze (the light
/// client follows the forged history), unfreeze { rollback_to: 0 }, the honest checkpoint
/// 1, deliver (nonce 0 skipped: processed under the forged history), and a retry of every
/// failed message: the retry of forged nonce 0 is accepted and the receiver gets the
/// forged message, where the model expects a refusal.
/// ```
/// This test is the same attack, recovered as the protocol prescribes after an equivocation
/// (new attester set, rollback). It fails until the inbox refuses such a retry.
#[test]
fn finding_1_retry_dispatches_a_rolled_back_forged_message() {
    let mut suite = Suite::new();
    let receiver = suite.receiver.to_string();
    suite.lane.push_many(&receiver, 2);
    // The compromised set signs a forged history of two messages, from the empty log.
    let mut forged = TestLane::new(SOURCE, HERE);
    forged.push(&receiver, b"{\"forged\":0}", None);
    forged.push(&receiver, b"{\"forged\":1}", None);
    let checkpoint = forged.checkpoint(2);
    let signatures = suite
        .signers
        .sign_quorum(&digest_for(&checkpoint, OUTBOX, HERE));
    suite.submit_signed(checkpoint, signatures, vec![]).unwrap();
    // Forged nonce 0 arrives while its recipient refuses: failed.
    suite.set_receiver_failing(true);
    suite.deliver(vec![forged.item(0, 2)]).unwrap();
    assert_eq!(suite.status(SOURCE, 0).status, MessageStatus::Failed);
    // The honest checkpoint of size 2, signed by the same set, freezes the source.
    let honest = suite.lane.checkpoint(2);
    let signatures = suite
        .signers
        .sign_quorum(&digest_for(&honest, OUTBOX, HERE));
    suite.submit_signed(honest, signatures, vec![]).unwrap();
    assert!(suite.source(SOURCE).frozen.is_some());
    // Recovery: a new set, and a rollback to the empty log.
    let next = mixed_signers(50);
    suite
        .as_owner(&ExecuteMsg::SetAttesters {
            source_chain: SOURCE.into(),
            attesters: next.set.clone(),
        })
        .unwrap();
    suite
        .as_owner(&ExecuteMsg::Unfreeze {
            source_chain: SOURCE.into(),
            rollback_to: 0,
        })
        .unwrap();
    suite.signers = next;
    suite.set_receiver_failing(false);
    // The forged checkpoint is unusable: its messages cannot be proven any more...
    suite.refuses(
        &ExecuteMsg::Deliver {
            items: vec![forged.item(1, 2)],
        },
        ContractError::UnknownCheckpoint {
            chain: SOURCE.into(),
            size: 2,
        },
    );
    // ...but `retry` needs no proof.
    let retried = suite.relay(&ExecuteMsg::Retry {
        message: forged.messages[0].clone(),
        gas_limit: None,
    });
    let received: Vec<Binary> = suite.received().into_iter().map(|r| r.body).collect();
    assert!(
        retried.is_err() && received.is_empty(),
        "a forged message was dispatched after the rollback that removed its checkpoint: \
         retry {}, the receiver got {received:?}",
        if retried.is_ok() {
            "accepted"
        } else {
            "refused"
        }
    );
}
