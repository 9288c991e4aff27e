//! The inbox harness: `ccmp_inbox::contract::execute` on fuzz input against prepared states
//! in `cosmwasm_std::testing::mock_dependencies()`.
//!
//! **World.** Two sources with real attester sets (`ccmp-signer` test keys): `chain-a`
//! (unordered) and `chain-c` (ordered), each with a lane of messages built as the outbox
//! builds it, a forged history of `chain-a` that shares its first four messages, checkpoints
//! of both histories signed by the sets, attester-set rotations signed by the sets, and
//! equivocation evidence. The lanes hold messages that dispatch, that fail before dispatch
//! (a recipient that is no address, the inbox itself), that time out and that are large.
//!
//! **States.** Four contract states, built once through the contract's own entry points
//! and restored from a dump for every input (the control byte chooses):
//! 0. `fresh` (no trust delay): checkpoints chain-a 4 and 6, chain-c 6.
//! 1. `busy` (no trust delay): `fresh`, then chain-a 10, a batch of chain-a 0..=4 delivered
//!    (1 failed in its receiver, 3 refused before dispatch), chain-c 0..=2 delivered.
//! 2. `frozen` (trust delay 3600 s): chain-a frozen on an attested conflicting root at 6;
//!    due proposals 1 (replace chain-a's set), 2 (unfreeze chain-a back to 4), 3 (add
//!    chain-d), and 4 (replace chain-c's set), not yet due.
//! 3. `paused` (no trust delay): `fresh`, chain-a 3 failed, then paused, ownership offered
//!    to the stranger, chain-c frozen by the owner.
//!
//! **Input.** Byte 0 is a control byte: bit 0 sends as the owner (else as a stranger),
//! bits 1-2 choose the state, bit 3 chooses the structured mode, bit 4 (raw mode) makes
//! every dispatched receiver fail. Raw mode: the rest is the `ExecuteMsg` JSON. Structured
//! mode: the rest drives `arbitrary` through up to four calls, each a sender, a time step
//! and an `ExecuteMsg` JSON generated from the message names and fields built from the
//! world (valid checkpoints, proofs and signatures, or fuzz-chosen edits of them), so the
//! fuzzer reaches code behind signature and proof checks.
//!
//! **Checks** after every call (`check_call`): no panic; an `Err` leaves the storage
//! byte-for-byte unchanged (a `MockStorage` dump before and after); an `Ok` moves message
//! statuses only forwards (a processed message never becomes `unknown`, `timed_out` is
//! final, `delivered` becomes `failed` only through the receiver's reply); `config` and both
//! sources still load through `query`. A receiver the input makes fail is answered through
//! `reply`, with the same checks. Finding 1 of this target (`execute_proposal` removing the
//! proposal before the change was refused) is fixed in the inbox; its input stays in
//! `fuzz/artifacts-kept/inbox_execute/` and in the seed corpus as a regression.

use arbitrary::{Result as ArbResult, Unstructured};
use ccmp_inbox::contract::{execute, instantiate, query, reply};
use ccmp_inbox::msg::{DeliveryItem, ExecuteMsg, InstantiateMsg, QueryMsg, SourceConfig};
use ccmp_inbox::ContractError;
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{
    checkpoint_digest, consistency_proof, inclusion_proof, multiproof, root, AttesterSet,
    AttesterSignature, Checkpoint, Hash, Message, MessageStatus, MessageStatusResponse,
};
use cosmwasm_std::testing::{message_info, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{
    from_json, Addr, Binary, Env, HexBinary, Order, OwnedDeps, Record, Reply, ReplyOn, Response,
    Storage, SubMsgResult, Timestamp,
};
use serde_json::{json, Value};

use crate::keys;
use crate::mutation::Mutation;

pub const HERE: &str = "chain-b";
pub const SOURCE_A: &str = "chain-a";
pub const SOURCE_C: &str = "chain-c";
/// Proposed in the `frozen` state, configured nowhere.
pub const NEW_SOURCE: &str = "chain-d";
pub const OUTBOX: &str = "cosmwasm1outbox";
pub const TRUST_DELAY: u64 = 3600;
/// Nonces whose status every call checks, per source.
const WATCHED_NONCES: u64 = 14;

pub type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// One lane's messages and ids, as the outbox builds them.
pub struct Lane {
    pub chain: &'static str,
    pub messages: Vec<Message>,
    pub ids: Vec<Hash>,
}

impl Lane {
    fn new(chain: &'static str, messages: Vec<Message>) -> Self {
        let ids = messages
            .iter()
            .map(|m| m.message_id().expect("lane messages encode"))
            .collect();
        Lane {
            chain,
            messages,
            ids,
        }
    }

    pub fn root(&self, size: u64) -> Hash {
        root(&self.ids[..size as usize])
    }

    pub fn checkpoint(&self, size: u64) -> Checkpoint {
        Checkpoint {
            source_chain: self.chain.into(),
            size,
            root: HexBinary::from(&self.root(size)),
        }
    }

    pub fn inclusion(&self, nonce: u64, size: u64) -> Vec<Hash> {
        inclusion_proof(&self.ids[..size as usize], nonce).expect("nonce below size")
    }

    pub fn consistency(&self, from: u64, to: u64) -> Vec<Hash> {
        consistency_proof(&self.ids[..to as usize], from).expect("from at most to")
    }

    /// The `deliver_batch` a relayer sends for `nonces` at checkpoint `size`.
    pub fn batch(&self, nonces: &[u64], size: u64) -> ExecuteMsg {
        let proof = multiproof(nonces, &self.ids[..size as usize]).expect("valid nonces");
        ExecuteMsg::DeliverBatch {
            source_chain: self.chain.into(),
            checkpoint_size: size,
            messages: nonces
                .iter()
                .map(|&n| Binary::new(self.messages[n as usize].encode().expect("encodes")))
                .collect(),
            proof: Binary::new(proof.concat()),
        }
    }

    pub fn item(&self, nonce: u64, size: u64) -> DeliveryItem {
        DeliveryItem {
            message: self.messages[nonce as usize].clone(),
            checkpoint_size: size,
            proof: self
                .inclusion(nonce, size)
                .iter()
                .map(HexBinary::from)
                .collect(),
        }
    }
}

/// A checkpoint of one history, signed by a quorum of a set.
pub struct Signed {
    /// Index into `World::lanes`: the history the checkpoint is of.
    pub lane: usize,
    /// Who signed: 0 chain-a's set, 1 chain-c's, 2 chain-a's next set.
    pub signer: u8,
    pub checkpoint: Checkpoint,
    pub signatures: Vec<AttesterSignature>,
}

/// A hand-over to `attesters` as epoch `epoch`, signed by a set.
pub struct Rotation {
    pub source_chain: &'static str,
    pub attesters: AttesterSet,
    pub signatures: Vec<AttesterSignature>,
}

/// `report_equivocation` arguments, valid evidence against the `fresh` checkpoints or not.
pub struct Evidence {
    pub signed: usize,
    pub stored_size: u64,
    pub prefix_root: Hash,
    pub consistency_proof: Vec<Hash>,
}

/// A prepared contract state.
pub struct State {
    pub name: &'static str,
    pub records: Vec<Record>,
    pub now: Timestamp,
    pub height: u64,
}

pub struct World {
    pub owner: Addr,
    pub stranger: Addr,
    pub receiver: Addr,
    pub inbox: Addr,
    pub base: Env,
    pub signers_a: SignerSet,
    pub signers_c: SignerSet,
    pub next_a: SignerSet,
    pub third: SignerSet,
    /// 0: chain-a, 1: chain-c, 2: the forged chain-a history.
    pub lanes: Vec<Lane>,
    pub signed: Vec<Signed>,
    pub rotations: Vec<Rotation>,
    pub evidence: Vec<Evidence>,
    /// Valid and invalid sets for add_source and set_attesters.
    pub sets: Vec<AttesterSet>,
    pub states: Vec<State>,
}

pub const LANE_A: usize = 0;
pub const LANE_C: usize = 1;
pub const FORGED_A: usize = 2;

/// Four attesters, two of each key type, weights 1, 2, 3, 4, threshold 6 (of 10).
fn mixed_signers(seed: u32) -> SignerSet {
    let keys = vec![
        AttesterKey::test_key(seed, false),
        AttesterKey::test_key(seed + 1, true),
        AttesterKey::test_key(seed + 2, false),
        AttesterKey::test_key(seed + 3, true),
    ];
    SignerSet::weighted(keys, &[1, 2, 3, 4], 6)
}

pub fn hex_list(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

pub fn world() -> &'static World {
    static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
    WORLD.get_or_init(build_world)
}

fn build_world() -> World {
    let api = MockApi::default();
    let base = mock_env();
    let owner = api.addr_make("owner");
    let stranger = api.addr_make("stranger");
    let receiver = api.addr_make("receiver");
    let inbox = base.contract.address.clone();
    let now = base.block.time;

    let message =
        |chain: &str, nonce: u64, recipient: &str, timeout: Option<Timestamp>, body: Vec<u8>| {
            Message {
                nonce,
                source_chain: chain.into(),
                sender: "cosmwasm1dapp".into(),
                destination_chain: HERE.into(),
                recipient: recipient.into(),
                timeout_timestamp: timeout,
                body: Binary::new(body),
            }
        };
    let lane_messages = |chain: &'static str, count: u64, tag: &str| -> Vec<Message> {
        (0..count)
            .map(|n| {
                let body = format!("{{\"{tag}\":{n}}}").into_bytes();
                match n {
                    3 => message(chain, n, "not-an-address", None, body),
                    5 => message(chain, n, inbox.as_str(), None, body),
                    7 => message(
                        chain,
                        n,
                        receiver.as_str(),
                        Some(now.minus_seconds(10)),
                        body,
                    ),
                    8 => message(
                        chain,
                        n,
                        receiver.as_str(),
                        Some(now.plus_seconds(7200)),
                        body,
                    ),
                    9 => message(chain, n, receiver.as_str(), None, vec![b'x'; 300]),
                    _ => message(chain, n, receiver.as_str(), None, body),
                }
            })
            .collect()
    };
    let lane_a = Lane::new(SOURCE_A, lane_messages(SOURCE_A, 12, "n"));
    let lane_c = Lane::new(SOURCE_C, lane_messages(SOURCE_C, 8, "n"));
    let mut forged = lane_a.messages[..4].to_vec();
    forged.extend(lane_messages(SOURCE_A, 12, "forged").into_iter().skip(4));
    let forged_a = Lane::new(SOURCE_A, forged);
    let lanes = vec![lane_a, lane_c, forged_a];

    let signers_a = mixed_signers(0);
    let signers_c = mixed_signers(100);
    let next_a = mixed_signers(200);
    let third = mixed_signers(300);

    let sign = |lane: usize, size: u64, signer: u8| -> Signed {
        let signers = [&signers_a, &signers_c, &next_a][signer as usize];
        let checkpoint = lanes[lane].checkpoint(size);
        let digest = checkpoint_digest(
            &checkpoint.source_chain,
            OUTBOX,
            HERE,
            size,
            &lanes[lane].root(size),
        )
        .expect("digest");
        Signed {
            lane,
            signer,
            checkpoint,
            signatures: signers.sign_quorum(&digest),
        }
    };
    let mut signed = Vec::new();
    for size in [4, 6, 8, 10, 12] {
        signed.push(sign(LANE_A, size, 0));
    }
    for size in [5, 6, 8, 12] {
        signed.push(sign(FORGED_A, size, 0));
    }
    for size in [4, 6, 8] {
        signed.push(sign(LANE_C, size, 1));
    }
    signed.push(sign(FORGED_A, 6, 1));
    for size in [8, 12] {
        signed.push(sign(LANE_A, size, 2));
    }
    signed.push(sign(FORGED_A, 8, 2));
    let find = |lane: usize, size: u64, signer: u8| {
        signed
            .iter()
            .position(|s| s.lane == lane && s.checkpoint.size == size && s.signer == signer)
            .expect("signed checkpoint")
    };

    let rotate = |chain: &'static str, to: &SignerSet, epoch: u64, by: &SignerSet| {
        let digest = to.set.digest(chain, OUTBOX, HERE, epoch).expect("digest");
        Rotation {
            source_chain: chain,
            attesters: to.set.clone(),
            signatures: by.sign_quorum(&digest),
        }
    };
    let rotations = vec![
        rotate(SOURCE_A, &next_a, 2, &signers_a),
        rotate(SOURCE_A, &third, 3, &next_a),
        rotate(SOURCE_C, &third, 2, &signers_c),
        rotate(SOURCE_A, &next_a, 2, &next_a),
    ];

    let forged_8 = find(FORGED_A, 8, 0);
    let forged_5 = find(FORGED_A, 5, 0);
    let forged_6 = find(FORGED_A, 6, 0);
    let true_8 = find(LANE_A, 8, 0);
    let evidence = vec![
        Evidence {
            signed: forged_8,
            stored_size: 6,
            prefix_root: lanes[FORGED_A].root(6),
            consistency_proof: lanes[FORGED_A].consistency(6, 8),
        },
        Evidence {
            signed: forged_5,
            stored_size: 6,
            prefix_root: lanes[LANE_A].root(5),
            consistency_proof: lanes[LANE_A].consistency(5, 6),
        },
        Evidence {
            signed: forged_6,
            stored_size: 6,
            prefix_root: lanes[FORGED_A].root(6),
            consistency_proof: vec![],
        },
        Evidence {
            signed: true_8,
            stored_size: 6,
            prefix_root: lanes[LANE_A].root(6),
            consistency_proof: lanes[LANE_A].consistency(6, 8),
        },
    ];

    let pool = keys::pool();
    let invalid = pool.iter().find(|k| !k.valid).expect("an invalid key");
    let mut with_invalid = next_a.set.clone();
    with_invalid.attesters[1].pubkey = invalid.pubkey.clone();
    let mut duplicate = next_a.set.clone();
    duplicate.attesters[2].pubkey = duplicate.attesters[0].pubkey.clone();
    let mut low = third.set.clone();
    low.threshold = 5;
    let sets = vec![
        signers_a.set.clone(),
        next_a.set.clone(),
        third.set.clone(),
        with_invalid,
        duplicate,
        low,
        AttesterSet {
            attesters: vec![],
            threshold: 0,
        },
    ];

    let mut world = World {
        owner,
        stranger,
        receiver,
        inbox,
        base,
        signers_a,
        signers_c,
        next_a,
        third,
        lanes,
        signed,
        rotations,
        evidence,
        sets,
        states: vec![],
    };
    world.states = build_states(&world);
    world
}

/// A call the states are built from: it must succeed.
struct Builder<'w> {
    world: &'w World,
    deps: Deps,
    env: Env,
}

impl Builder<'_> {
    fn new(world: &World, trust_delay_seconds: u64) -> Builder<'_> {
        let mut builder = Builder {
            world,
            deps: new_deps(&[]),
            env: world.base.clone(),
        };
        let source = |chain: &str, signers: &SignerSet, ordered| SourceConfig {
            chain: chain.into(),
            outbox: OUTBOX.into(),
            attesters: signers.set.clone(),
            ordered,
            receive_gas_limit: None,
            max_receive_gas_limit: None,
        };
        let msg = InstantiateMsg {
            owner: None,
            chain_id: Some(HERE.into()),
            sources: Some(vec![
                source(SOURCE_A, &world.signers_a, false),
                source(SOURCE_C, &world.signers_c, true),
            ]),
            max_batch_size: None,
            max_body_bytes: None,
            trust_delay_seconds,
        };
        instantiate(
            builder.deps.as_mut(),
            builder.env.clone(),
            message_info(&world.owner, &[]),
            msg,
        )
        .expect("instantiate");
        builder
    }

    fn run(&mut self, sender: &Addr, msg: ExecuteMsg) -> Response {
        let shown = format!("{msg:?}");
        execute(
            self.deps.as_mut(),
            self.env.clone(),
            message_info(sender, &[]),
            msg,
        )
        .unwrap_or_else(|err| panic!("building a state: {shown}: {err}"))
    }

    fn owner(&mut self, msg: ExecuteMsg) -> Response {
        let owner = self.world.owner.clone();
        self.run(&owner, msg)
    }

    fn relay(&mut self, msg: ExecuteMsg) -> Response {
        let stranger = self.world.stranger.clone();
        self.run(&stranger, msg)
    }

    fn submit(&mut self, lane: usize, size: u64, from: u64) {
        let world = self.world;
        let signed = world
            .signed
            .iter()
            .find(|s| s.lane == lane && s.checkpoint.size == size && s.signer != 2)
            .expect("signed checkpoint");
        self.relay(ExecuteMsg::SubmitCheckpoint {
            checkpoint: signed.checkpoint.clone(),
            signatures: signed.signatures.clone(),
            consistency_proof: world.lanes[lane]
                .consistency(from, size)
                .iter()
                .map(HexBinary::from)
                .collect(),
        });
    }

    fn fail_receivers(&mut self, response: &Response, nonces: &[u64]) {
        for sub in &response.messages {
            if sub.reply_on == ReplyOn::Error
                && nonces.contains(&u64::from_be_bytes(sub.payload[..8].try_into().unwrap()))
            {
                reply(
                    self.deps.as_mut(),
                    self.env.clone(),
                    receiver_failed(sub.id, sub.payload.clone()),
                )
                .expect("reply");
            }
        }
    }

    fn advance(&mut self, seconds: u64) {
        self.env.block.time = self.env.block.time.plus_seconds(seconds);
        self.env.block.height += 1;
    }

    fn done(self, name: &'static str) -> State {
        State {
            name,
            records: dump(&self.deps.storage),
            now: self.env.block.time,
            height: self.env.block.height,
        }
    }
}

fn fresh(world: &World, trust_delay_seconds: u64) -> Builder<'_> {
    let mut b = Builder::new(world, trust_delay_seconds);
    b.submit(LANE_A, 4, 0);
    b.submit(LANE_A, 6, 4);
    b.submit(LANE_C, 6, 0);
    b
}

fn build_states(world: &World) -> Vec<State> {
    let mut states = vec![fresh(world, 0).done("fresh")];

    let mut b = fresh(world, 0);
    b.submit(LANE_A, 10, 6);
    let response = b.relay(world.lanes[LANE_A].batch(&[0, 1, 2, 3, 4], 6));
    b.fail_receivers(&response, &[1]);
    let items = (0..3).map(|n| world.lanes[LANE_C].item(n, 6)).collect();
    b.relay(ExecuteMsg::Deliver { items });
    states.push(b.done("busy"));

    let mut b = fresh(world, TRUST_DELAY);
    b.submit(FORGED_A, 6, 4);
    b.owner(ExecuteMsg::SetAttesters {
        source_chain: SOURCE_A.into(),
        attesters: world.next_a.set.clone(),
    });
    b.owner(ExecuteMsg::Unfreeze {
        source_chain: SOURCE_A.into(),
        rollback_to: 4,
    });
    b.owner(ExecuteMsg::AddSource(SourceConfig {
        chain: NEW_SOURCE.into(),
        outbox: OUTBOX.into(),
        attesters: world.third.set.clone(),
        ordered: false,
        receive_gas_limit: None,
        max_receive_gas_limit: None,
    }));
    b.advance(TRUST_DELAY + 1);
    b.owner(ExecuteMsg::SetAttesters {
        source_chain: SOURCE_C.into(),
        attesters: world.third.set.clone(),
    });
    states.push(b.done("frozen"));

    let mut b = fresh(world, 0);
    b.relay(ExecuteMsg::Deliver {
        items: vec![world.lanes[LANE_A].item(3, 4)],
    });
    b.owner(ExecuteMsg::Pause {});
    b.owner(ExecuteMsg::TransferOwnership {
        new_owner: world.stranger.to_string(),
    });
    b.owner(ExecuteMsg::Freeze {
        source_chain: SOURCE_C.into(),
    });
    states.push(b.done("paused"));
    states
}

fn receiver_failed(id: u64, payload: Binary) -> Reply {
    Reply {
        id,
        payload,
        gas_used: 0,
        result: SubMsgResult::Err("receiver failed: execute wasm contract failed".into()),
    }
}

pub fn new_deps(records: &[Record]) -> Deps {
    let mut storage = MockStorage::new();
    for (key, value) in records {
        storage.set(key, value);
    }
    OwnedDeps {
        storage,
        api: MockApi::default(),
        querier: MockQuerier::default(),
        custom_query_type: std::marker::PhantomData,
    }
}

pub fn dump(storage: &dyn Storage) -> Vec<Record> {
    storage.range(None, None, Order::Ascending).collect()
}

// ---------------------------------------------------------------------------------------
// Running an input
// ---------------------------------------------------------------------------------------

/// The control byte's fields.
pub fn control(owner: bool, state: u8, structured: bool, fail_receivers: bool) -> u8 {
    u8::from(owner) | (state & 3) << 1 | u8::from(structured) << 3 | u8::from(fail_receivers) << 4
}

thread_local! {
    static TRACE: std::cell::RefCell<Option<Vec<(String, String)>>> =
        const { std::cell::RefCell::new(None) };
}

/// Starts recording what every call returns (for examples/reach.rs; off while fuzzing).
pub fn start_trace() {
    TRACE.with(|t| *t.borrow_mut() = Some(Vec::new()));
}

/// The calls since `start_trace`: message name and `ok`, or the error's variant.
pub fn take_trace() -> Vec<(String, String)> {
    TRACE.with(|t| {
        t.borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    })
}

fn trace(msg: &ExecuteMsg, result: &Result<Response, ContractError>) {
    TRACE.with(|t| {
        if let Some(log) = t.borrow_mut().as_mut() {
            let name = |debug: String| {
                debug
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or_default()
                    .to_string()
            };
            let outcome = match result {
                Ok(response) if response.messages.is_empty() => "ok".to_string(),
                Ok(response) => format!("ok+{}submsgs", response.messages.len().min(3)),
                Err(err) => name(format!("{err:?}")),
            };
            log.push((name(format!("{msg:?}")), outcome));
        }
    });
}

pub fn run_input(data: &[u8]) {
    let world = world();
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let state = &world.states[((control >> 1) & 3) as usize];
    let mut deps = new_deps(&state.records);
    let mut env = world.base.clone();
    env.block.time = state.now;
    env.block.height = state.height + 1;
    if control & 8 == 0 {
        let Ok(msg) = from_json::<ExecuteMsg>(rest) else {
            return;
        };
        let sender = if control & 1 == 1 {
            &world.owner
        } else {
            &world.stranger
        };
        let fail = control & 16 != 0;
        check_call(&mut deps, &env, sender, msg, &mut |_| Ok(fail));
        return;
    }
    let mut u = Unstructured::new(rest);
    let _ = run_structured(world, &mut deps, &mut env, &mut u);
}

fn run_structured(
    world: &World,
    deps: &mut Deps,
    env: &mut Env,
    u: &mut Unstructured,
) -> ArbResult<()> {
    let steps = u.int_in_range(1..=4)?;
    for _ in 0..steps {
        let sender = if u.arbitrary()? {
            &world.owner
        } else {
            &world.stranger
        };
        let advance = match u.int_in_range(0..=7)? {
            0..=3 => 0,
            4 => 5,
            5 => TRUST_DELAY + 1,
            6 => 86_400,
            // Up to a year: block times stay realistic (far from u64 nanoseconds).
            _ => u64::from(u.arbitrary::<u32>()? % 31_536_000),
        };
        env.block.time = env.block.time.plus_seconds(advance);
        env.block.height += 1;
        let value = gen_execute(world, u)?;
        let Ok(bytes) = serde_json::to_vec(&value) else {
            continue;
        };
        let Ok(msg) = from_json::<ExecuteMsg>(&bytes) else {
            continue;
        };
        check_call(deps, env, sender, msg, &mut |_| u.ratio(1, 3));
    }
    Ok(())
}

fn statuses(deps: &Deps, env: &Env) -> Vec<MessageStatus> {
    let mut out = Vec::new();
    for chain in [SOURCE_A, SOURCE_C] {
        for nonce in 0..WATCHED_NONCES {
            let answer = query(
                deps.as_ref(),
                env.clone(),
                QueryMsg::MessageStatus {
                    source_chain: chain.into(),
                    nonce,
                },
            )
            .expect("message_status answers");
            let status: MessageStatusResponse = from_json(answer).expect("status JSON");
            out.push(status.status);
        }
    }
    out
}

/// Whether the statuses moved only as §7 allows; `in_reply`: a receiver's failure.
fn check_statuses(before: &[MessageStatus], after: &[MessageStatus], in_reply: bool, what: &str) {
    use MessageStatus::*;
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        let allowed = b == a
            || match (b, a) {
                (Unknown, _) => !in_reply,
                (Failed, Delivered | TimedOut) => !in_reply,
                (Delivered, Failed) => in_reply,
                _ => false,
            };
        let chain = if (i as u64) < WATCHED_NONCES {
            SOURCE_A
        } else {
            SOURCE_C
        };
        assert!(
            allowed,
            "status of {chain} nonce {} went from {b:?} to {a:?} in {what}",
            i as u64 % WATCHED_NONCES
        );
    }
}

fn check_readable(deps: &Deps, env: &Env, what: &str) {
    for msg in [
        QueryMsg::Config {},
        QueryMsg::Source {
            chain: SOURCE_A.into(),
        },
        QueryMsg::Source {
            chain: SOURCE_C.into(),
        },
        QueryMsg::Sources {
            start_after: None,
            limit: None,
        },
        QueryMsg::Proposals {
            start_after: None,
            limit: None,
        },
        QueryMsg::Checkpoints {
            source_chain: SOURCE_A.into(),
            start_after: None,
            limit: None,
        },
    ] {
        let shown = format!("{msg:?}");
        if let Err(err) = query(deps.as_ref(), env.clone(), msg) {
            panic!("query {shown} fails after {what}: {err}");
        }
    }
}

/// One `execute` and the replies of the receivers `fail` makes fail, with every check.
pub fn check_call(
    deps: &mut Deps,
    env: &Env,
    sender: &Addr,
    msg: ExecuteMsg,
    fail: &mut dyn FnMut(u64) -> ArbResult<bool>,
) {
    // Formatted only when a check fails: most calls are refusals and must stay cheap.
    let shown = msg.clone();
    let what = || format!("{shown:?} from {sender}");
    let before = dump(&deps.storage);
    let result = execute(deps.as_mut(), env.clone(), message_info(sender, &[]), msg);
    trace(&shown, &result);
    let response = match result {
        Err(err) => {
            let after = dump(&deps.storage);
            if after != before {
                panic!(
                    "storage changed although execute returned Err({err}) for {}:\n{}",
                    what(),
                    storage_diff(&before, &after)
                );
            }
            return;
        }
        Ok(response) => response,
    };
    // The statuses before, read from a copy of the storage as it was.
    let statuses_before = statuses(&new_deps(&before), env);
    check_statuses(&statuses_before, &statuses(deps, env), false, &what());
    check_readable(deps, env, &what());
    for sub in &response.messages {
        if sub.reply_on != ReplyOn::Error || !matches!(fail(sub.id), Ok(true)) {
            continue;
        }
        let before = dump(&deps.storage);
        let statuses_before = statuses(deps, env);
        let replied = format!("the reply to {} for payload {}", what(), sub.payload);
        match reply(
            deps.as_mut(),
            env.clone(),
            receiver_failed(sub.id, sub.payload.clone()),
        ) {
            Err(err) => {
                let after = dump(&deps.storage);
                assert!(
                    after == before,
                    "storage changed although reply returned Err({err}) in {replied}:\n{}",
                    storage_diff(&before, &after)
                );
            }
            Ok(_) => {
                check_statuses(&statuses_before, &statuses(deps, env), true, &replied);
                check_readable(deps, env, &replied);
            }
        }
    }
}

fn storage_diff(before: &[Record], after: &[Record]) -> String {
    let mut out = String::new();
    for (key, value) in before {
        match after.iter().find(|(k, _)| k == key) {
            None => out += &format!("  removed {} = {}\n", show(key), show(value)),
            Some((_, v)) if v != value => {
                out += &format!("  changed {}: {} -> {}\n", show(key), show(value), show(v))
            }
            _ => {}
        }
    }
    for (key, value) in after {
        if !before.iter().any(|(k, _)| k == key) {
            out += &format!("  added {} = {}\n", show(key), show(value));
        }
    }
    out
}

fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => format!("{text:?}"),
        _ => format!("0x{}", hex::encode(bytes)),
    }
}

// ---------------------------------------------------------------------------------------
// The generator: ExecuteMsg JSON from the message names and the world's valid pieces
// ---------------------------------------------------------------------------------------

pub const MESSAGE_NAMES: [&str; 20] = [
    "submit_checkpoint",
    "deliver",
    "deliver_batch",
    "retry",
    "rotate_attesters",
    "report_equivocation",
    "add_source",
    "set_attesters",
    "set_gas_limits",
    "set_limits",
    "unfreeze",
    "freeze",
    "execute_proposal",
    "cancel_proposal",
    "pause",
    "unpause",
    "transfer_ownership",
    "accept_ownership",
    "cancel_ownership_transfer",
    "renounce_ownership",
];

fn junk(u: &mut Unstructured) -> ArbResult<Value> {
    Ok(match u.int_in_range(0..=6)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(u.arbitrary::<u64>()?),
        3 => json!(u.arbitrary::<i64>()?),
        4 => json!(u.arbitrary::<f64>()?),
        5 => Value::String(u.arbitrary()?),
        _ => json!([]),
    })
}

/// A field's value, now and then replaced by junk of any JSON type.
fn field(u: &mut Unstructured, value: Value) -> ArbResult<Value> {
    if u.ratio(1, 40)? {
        junk(u)
    } else {
        Ok(value)
    }
}

fn gen_chain(u: &mut Unstructured) -> ArbResult<String> {
    Ok(match u.int_in_range(0..=9)? {
        0..=2 => SOURCE_A.into(),
        3..=4 => SOURCE_C.into(),
        5 => HERE.into(),
        6 => NEW_SOURCE.into(),
        7 => ["", "chain a", "chain-a\n", &"c".repeat(65)][u.int_in_range(0..=3)?].into(),
        _ => u.arbitrary()?,
    })
}

fn gen_size(u: &mut Unstructured) -> ArbResult<u64> {
    const SIZES: [u64; 16] = [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        10,
        12,
        13,
        1 << 63,
        (1 << 63) + 1,
        u64::MAX - 1,
        u64::MAX,
    ];
    Ok(if u.ratio(7, 8)? {
        *u.choose(&SIZES)?
    } else {
        u.arbitrary()?
    })
}

fn gen_gas(u: &mut Unstructured) -> ArbResult<u64> {
    const GAS: [u64; 9] = [
        0,
        99_999,
        100_000,
        500_000,
        5_000_000,
        5_000_001,
        100_000_000,
        100_000_001,
        u64::MAX,
    ];
    Ok(if u.ratio(7, 8)? {
        *u.choose(&GAS)?
    } else {
        u.arbitrary()?
    })
}

fn gen_limit(u: &mut Unstructured) -> ArbResult<u32> {
    const LIMITS: [u32; 11] = [
        0,
        1,
        2,
        16,
        100,
        1000,
        1001,
        65_536,
        1 << 20,
        (1 << 20) + 1,
        u32::MAX,
    ];
    Ok(if u.ratio(7, 8)? {
        *u.choose(&LIMITS)?
    } else {
        u.arbitrary()?
    })
}

fn gen_address(world: &World, u: &mut Unstructured) -> ArbResult<String> {
    Ok(match u.int_in_range(0..=6)? {
        0 | 1 => world.receiver.to_string(),
        2 => world.stranger.to_string(),
        3 => world.owner.to_string(),
        4 => world.inbox.to_string(),
        5 => "not-an-address".into(),
        _ => u.arbitrary()?,
    })
}

/// A hash list as JSON hex, sometimes edited, sometimes with a malformed entry.
fn gen_hashes(u: &mut Unstructured, valid: &[Hash]) -> ArbResult<Value> {
    let hashes = if u.ratio(1, 3)? {
        u.arbitrary::<Mutation>()?.apply(valid)
    } else {
        valid.to_vec()
    };
    let mut list: Vec<Value> = hex_list(&hashes).into_iter().map(Value::String).collect();
    if u.ratio(1, 16)? {
        let bad = match u.int_in_range(0..=2)? {
            0 => hex::encode([7u8; 31]),
            1 => hex::encode([7u8; 33]),
            _ => "zz".repeat(32),
        };
        let at = u.int_in_range(0..=list.len())?;
        list.insert(at, Value::String(bad));
    }
    Ok(Value::Array(list))
}

fn gen_root(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let lane = &world.lanes[u.int_in_range(0..=2)?];
    Ok(match u.int_in_range(0..=4)? {
        0..=2 => {
            let size = u.int_in_range(0..=lane.ids.len())? as u64;
            Value::String(hex::encode(lane.root(size)))
        }
        3 => Value::String(hex::encode(u.arbitrary::<[u8; 32]>()?)),
        _ => Value::String(hex::encode(u.arbitrary::<Vec<u8>>()?)),
    })
}

fn gen_signatures(
    world: &World,
    u: &mut Unstructured,
    valid: &[AttesterSignature],
) -> ArbResult<Value> {
    let mut sigs = valid.to_vec();
    if u.ratio(1, 3)? && !sigs.is_empty() {
        let at = u.choose_index(sigs.len())?;
        match u.int_in_range(0..=8)? {
            0 => {
                sigs.remove(at);
            }
            1 => {
                let sig = sigs[at].clone();
                sigs.insert(at, sig);
            }
            2 => sigs.reverse(),
            3 => sigs[at].index = u.arbitrary()?,
            4 => sigs[at].index = u.int_in_range(0..=5)?,
            5 => {
                let mut bytes = sigs[at].signature.to_vec();
                let i = u.choose_index(bytes.len())?;
                bytes[i] ^= 1 << u.int_in_range(0..=7)?;
                sigs[at].signature = Binary::new(bytes);
            }
            6 => {
                let mut bytes = sigs[at].signature.to_vec();
                bytes.truncate(u.int_in_range(0..=bytes.len())?);
                sigs[at].signature = Binary::new(bytes);
            }
            7 => {
                let other = u.choose(&world.signed)?;
                sigs = other.signatures.clone();
            }
            _ => sigs.clear(),
        }
    }
    Ok(serde_json::to_value(&sigs).expect("signatures serialize"))
}

fn gen_attester_set(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    if u.ratio(3, 4)? {
        return Ok(serde_json::to_value(u.choose(&world.sets)?).expect("set serializes"));
    }
    let pool = keys::pool();
    let count = u.int_in_range(0..=6)?;
    let mut attesters = Vec::with_capacity(count);
    for _ in 0..count {
        let key = u.choose(pool)?;
        let weight = if u.ratio(3, 4)? {
            u.int_in_range(0..=4)?
        } else {
            u.arbitrary()?
        };
        attesters.push(json!({ "pubkey": key.pubkey, "weight": weight }));
    }
    let threshold = if u.ratio(3, 4)? {
        u.int_in_range(0..=12)?
    } else {
        u.arbitrary::<u64>()?
    };
    Ok(json!({ "attesters": attesters, "threshold": threshold }))
}

/// A lane message, sometimes with one field changed.
fn gen_message(world: &World, u: &mut Unstructured) -> ArbResult<(usize, Message)> {
    let lane_index = u.int_in_range(0..=2)?;
    let lane = &world.lanes[lane_index];
    let mut message = u.choose(&lane.messages)?.clone();
    if u.ratio(1, 4)? {
        match u.int_in_range(0..=7)? {
            0 => message.nonce = gen_size(u)?,
            1 => message.source_chain = gen_chain(u)?,
            2 => message.destination_chain = gen_chain(u)?,
            3 => message.recipient = gen_address(world, u)?,
            4 => message.sender = u.arbitrary()?,
            5 => message.body = Binary::new(u.arbitrary()?),
            6 => {
                message.timeout_timestamp = match u.int_in_range(0..=3)? {
                    0 => None,
                    1 => Some(Timestamp::from_nanos(0)),
                    2 => Some(world.base.block.time),
                    _ => Some(Timestamp::from_nanos(u.arbitrary()?)),
                }
            }
            _ => message.nonce = message.nonce.wrapping_add(1),
        }
    }
    Ok((lane_index, message))
}

/// A checkpoint size for `nonce` in `lane`: usually one that holds it and whose root the
/// states store.
fn gen_size_for(u: &mut Unstructured, lane: &Lane, nonce: u64) -> ArbResult<u64> {
    if u.ratio(3, 4)? {
        let sizes: Vec<u64> = [4, 6, 10]
            .into_iter()
            .filter(|&s| s > nonce && s as usize <= lane.ids.len())
            .collect();
        if !sizes.is_empty() {
            return Ok(*u.choose(&sizes)?);
        }
    }
    gen_size(u)
}

fn gen_item(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let (lane_index, message) = gen_message(world, u)?;
    let lane = &world.lanes[lane_index];
    let size = gen_size_for(u, lane, message.nonce)?;
    let proof = if message.nonce < size && size as usize <= lane.ids.len() {
        lane.inclusion(message.nonce, size)
    } else {
        vec![]
    };
    Ok(json!({
        "message": field(u, serde_json::to_value(&message).expect("message serializes"))?,
        "checkpoint_size": field(u, json!(size))?,
        "proof": gen_hashes(u, &proof)?,
    }))
}

fn gen_batch(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let lane_index = u.int_in_range(0..=2)?;
    let lane = &world.lanes[lane_index];
    let size = gen_size_for(u, lane, 0)?;
    let reach = (size as usize).min(lane.ids.len()) as u64;
    let mut nonces: Vec<u64> = (0..reach)
        .filter(|_| u.ratio(1, 2).unwrap_or(false))
        .collect();
    if nonces.is_empty() && reach > 0 {
        nonces.push(u.int_in_range(0..=reach - 1)?);
    }
    let proof = if !nonces.is_empty() && size as usize <= lane.ids.len() {
        multiproof(&nonces, &lane.ids[..size as usize]).expect("valid nonces")
    } else {
        vec![]
    };
    let mut messages: Vec<Vec<u8>> = nonces
        .iter()
        .map(|&n| lane.messages[n as usize].encode().expect("encodes"))
        .collect();
    if u.ratio(1, 4)? && !messages.is_empty() {
        let at = u.choose_index(messages.len())?;
        match u.int_in_range(0..=4)? {
            0 => {
                let i = u.choose_index(messages[at].len())?;
                messages[at][i] ^= 1 << u.int_in_range(0..=7)?;
            }
            1 => {
                messages.remove(at);
            }
            2 => messages.reverse(),
            3 => {
                let copy = messages[at].clone();
                messages.insert(at, copy);
            }
            _ => {
                let (_, other) = gen_message(world, u)?;
                if let Ok(bytes) = other.encode() {
                    messages[at] = bytes;
                }
            }
        }
    }
    let proof = if u.ratio(1, 3)? {
        u.arbitrary::<Mutation>()?.apply(&proof)
    } else {
        proof
    };
    let mut proof_bytes = proof.concat();
    if u.ratio(1, 16)? {
        match u.int_in_range(0..=2)? {
            0 => {
                proof_bytes.pop();
            }
            1 => proof_bytes.push(u.arbitrary()?),
            // Over 64 hashes per message.
            _ => proof_bytes = vec![9; 32 * (64 * messages.len().max(1) + 1)],
        }
    }
    let messages: Vec<String> = messages
        .into_iter()
        .map(|m| Binary::new(m).to_base64())
        .collect();
    Ok(json!({
        "source_chain": field(u, json!(lane.chain))?,
        "checkpoint_size": field(u, json!(size))?,
        "messages": field(u, json!(messages))?,
        "proof": field(u, json!(Binary::new(proof_bytes).to_base64()))?,
    }))
}

fn gen_checkpoint(world: &World, u: &mut Unstructured, signed: &Signed) -> ArbResult<Value> {
    let mut checkpoint = json!(signed.checkpoint);
    if u.ratio(1, 6)? {
        match u.int_in_range(0..=2)? {
            0 => checkpoint["size"] = json!(gen_size(u)?),
            1 => checkpoint["root"] = gen_root(world, u)?,
            _ => checkpoint["source_chain"] = json!(gen_chain(u)?),
        }
    }
    Ok(checkpoint)
}

fn gen_submit(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let signed = u.choose(&world.signed)?;
    let lane = &world.lanes[signed.lane];
    let size = signed.checkpoint.size;
    let from = match u.int_in_range(0..=5)? {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 10,
        _ => u.int_in_range(0..=size)?,
    };
    let proof = if from <= size {
        lane.consistency(from, size)
    } else {
        vec![]
    };
    Ok(json!({
        "checkpoint": gen_checkpoint(world, u, signed)?,
        "signatures": gen_signatures(world, u, &signed.signatures)?,
        "consistency_proof": gen_hashes(u, &proof)?,
    }))
}

fn gen_equivocation(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let (signed, stored_size, prefix_root, proof) = if u.ratio(3, 4)? {
        let e = u.choose(&world.evidence)?;
        (
            &world.signed[e.signed],
            e.stored_size,
            e.prefix_root,
            e.consistency_proof.clone(),
        )
    } else {
        // Assembled from parts: a signed checkpoint, a stored size, a prefix of a history.
        let signed = u.choose(&world.signed)?;
        let stored_size = *u.choose(&[4u64, 6, 10, 5, 8])?;
        let lane = &world.lanes[u.int_in_range(0..=2)?];
        let (small, large) = if stored_size < signed.checkpoint.size {
            (stored_size, signed.checkpoint.size)
        } else {
            (signed.checkpoint.size, stored_size)
        };
        let large = large.min(lane.ids.len() as u64);
        let small = small.min(large);
        (
            signed,
            stored_size,
            lane.root(small),
            lane.consistency(small, large),
        )
    };
    let stored_size = if u.ratio(1, 8)? {
        gen_size(u)?
    } else {
        stored_size
    };
    let prefix_root: Hash = if u.ratio(1, 8)? {
        u.arbitrary()?
    } else {
        prefix_root
    };
    Ok(json!({
        "checkpoint": gen_checkpoint(world, u, signed)?,
        "signatures": gen_signatures(world, u, &signed.signatures)?,
        "stored_size": field(u, json!(stored_size))?,
        "prefix_root": field(u, json!(hex::encode(prefix_root)))?,
        "consistency_proof": gen_hashes(u, &proof)?,
    }))
}

fn gen_source_config(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let chain = if u.ratio(1, 2)? {
        NEW_SOURCE.to_string()
    } else {
        gen_chain(u)?
    };
    let outbox = if u.ratio(7, 8)? {
        OUTBOX.to_string()
    } else {
        u.arbitrary::<String>()?
    };
    let ordered: bool = u.arbitrary()?;
    let mut config = json!({
        "chain": chain,
        "outbox": field(u, json!(outbox))?,
        "attesters": gen_attester_set(world, u)?,
        "ordered": field(u, json!(ordered))?,
    });
    if u.arbitrary()? {
        config["receive_gas_limit"] = json!(gen_gas(u)?);
    }
    if u.arbitrary()? {
        config["max_receive_gas_limit"] = json!(gen_gas(u)?);
    }
    Ok(config)
}

/// One `ExecuteMsg` as JSON.
pub fn gen_execute(world: &World, u: &mut Unstructured) -> ArbResult<Value> {
    let name = *u.choose(&MESSAGE_NAMES)?;
    let body = match name {
        "submit_checkpoint" => gen_submit(world, u)?,
        "deliver" => {
            let count = u.int_in_range(0..=4)?;
            let items = (0..count)
                .map(|_| gen_item(world, u))
                .collect::<ArbResult<Vec<_>>>()?;
            json!({ "items": items })
        }
        "deliver_batch" => gen_batch(world, u)?,
        "retry" => {
            let (_, message) = gen_message(world, u)?;
            let mut body = json!({ "message": message });
            if u.arbitrary()? {
                body["gas_limit"] = json!(gen_gas(u)?);
            }
            body
        }
        "rotate_attesters" => {
            let rotation = u.choose(&world.rotations)?;
            let chain = if u.ratio(7, 8)? {
                rotation.source_chain.to_string()
            } else {
                gen_chain(u)?
            };
            json!({
                "source_chain": field(u, json!(chain))?,
                "attesters": if u.ratio(7, 8)? { json!(rotation.attesters) } else { gen_attester_set(world, u)? },
                "signatures": gen_signatures(world, u, &rotation.signatures)?,
            })
        }
        "report_equivocation" => gen_equivocation(world, u)?,
        "add_source" => gen_source_config(world, u)?,
        "set_attesters" => json!({
            "source_chain": gen_chain(u)?,
            "attesters": gen_attester_set(world, u)?,
        }),
        "set_gas_limits" => json!({
            "source_chain": gen_chain(u)?,
            "receive_gas_limit": gen_gas(u)?,
            "max_receive_gas_limit": gen_gas(u)?,
        }),
        "set_limits" => json!({
            "max_batch_size": gen_limit(u)?,
            "max_body_bytes": gen_limit(u)?,
        }),
        "unfreeze" => json!({
            "source_chain": gen_chain(u)?,
            "rollback_to": gen_size(u)?,
        }),
        "freeze" => json!({ "source_chain": gen_chain(u)? }),
        "execute_proposal" | "cancel_proposal" => json!({
            "id": if u.ratio(7, 8)? { u.int_in_range(0..=6)? } else { u.arbitrary::<u64>()? },
        }),
        "transfer_ownership" => json!({ "new_owner": gen_address(world, u)? }),
        _ => json!({}),
    };
    let body = field(u, body)?;
    let mut msg = serde_json::Map::new();
    msg.insert(name.to_string(), body);
    Ok(Value::Object(msg))
}

/// Valid messages against the states, for the seed corpus (examples/write_seeds.rs).
pub fn seed_messages(world: &World) -> Vec<(&'static str, u8, Value)> {
    let lane_a = &world.lanes[LANE_A];
    let signed = |lane: usize, size: u64| {
        world
            .signed
            .iter()
            .find(|s| s.lane == lane && s.checkpoint.size == size)
            .expect("signed")
    };
    let submit = |lane: usize, size: u64, from: u64| {
        let s = signed(lane, size);
        json!({ "submit_checkpoint": {
            "checkpoint": s.checkpoint,
            "signatures": s.signatures,
            "consistency_proof": hex_list(&world.lanes[lane].consistency(from, size)),
        }})
    };
    let evidence = |e: &Evidence| {
        let s = &world.signed[e.signed];
        json!({ "report_equivocation": {
            "checkpoint": s.checkpoint,
            "signatures": s.signatures,
            "stored_size": e.stored_size,
            "prefix_root": hex::encode(e.prefix_root),
            "consistency_proof": hex_list(&e.consistency_proof),
        }})
    };
    let rotation = &world.rotations[0];
    let owner = |state| control(true, state, false, false);
    let anyone = |state| control(false, state, false, false);
    vec![
        ("submit_checkpoint_8", anyone(0), submit(LANE_A, 8, 6)),
        (
            "submit_checkpoint_equivocation",
            anyone(0),
            submit(FORGED_A, 6, 4),
        ),
        (
            "deliver_batch",
            anyone(0),
            serde_json::to_value(lane_a.batch(&[0, 1, 2, 5], 6)).unwrap(),
        ),
        (
            "deliver_batch_fail",
            control(false, 0, false, true),
            serde_json::to_value(lane_a.batch(&[1, 2, 3, 4, 5], 6)).unwrap(),
        ),
        (
            "deliver",
            anyone(0),
            json!({ "deliver": { "items": [lane_a.item(2, 4), lane_a.item(5, 6), world.lanes[LANE_C].item(0, 6)] } }),
        ),
        (
            "deliver_busy",
            anyone(1),
            json!({ "deliver": { "items": [lane_a.item(7, 10), lane_a.item(8, 10), lane_a.item(9, 10)] } }),
        ),
        (
            "retry",
            anyone(1),
            json!({ "retry": { "message": lane_a.messages[1], "gas_limit": 1_000_000 } }),
        ),
        (
            "rotate_attesters",
            anyone(0),
            json!({ "rotate_attesters": { "source_chain": rotation.source_chain, "attesters": rotation.attesters, "signatures": rotation.signatures } }),
        ),
        (
            "report_equivocation",
            anyone(0),
            evidence(&world.evidence[0]),
        ),
        (
            "report_equivocation_smaller",
            anyone(0),
            evidence(&world.evidence[1]),
        ),
        (
            "add_source",
            owner(0),
            json!({ "add_source": { "chain": NEW_SOURCE, "outbox": OUTBOX, "attesters": world.third.set, "ordered": true } }),
        ),
        (
            "set_attesters",
            owner(0),
            json!({ "set_attesters": { "source_chain": SOURCE_A, "attesters": world.next_a.set } }),
        ),
        (
            "set_limits",
            owner(0),
            json!({ "set_limits": { "max_batch_size": 2, "max_body_bytes": 16 } }),
        ),
        (
            "set_gas_limits",
            owner(0),
            json!({ "set_gas_limits": { "source_chain": SOURCE_C, "receive_gas_limit": 200_000, "max_receive_gas_limit": 300_000 } }),
        ),
        (
            "execute_proposal",
            anyone(2),
            json!({ "execute_proposal": { "id": 1 } }),
        ),
        (
            "execute_proposal_unfreeze",
            anyone(2),
            json!({ "execute_proposal": { "id": 2 } }),
        ),
        (
            "cancel_proposal",
            owner(2),
            json!({ "cancel_proposal": { "id": 4 } }),
        ),
        (
            "unfreeze",
            owner(2),
            json!({ "unfreeze": { "source_chain": SOURCE_A, "rollback_to": 4 } }),
        ),
        (
            "freeze",
            owner(0),
            json!({ "freeze": { "source_chain": SOURCE_A } }),
        ),
        ("unpause", owner(3), json!({ "unpause": {} })),
        (
            "accept_ownership",
            anyone(3),
            json!({ "accept_ownership": {} }),
        ),
        (
            "transfer_ownership",
            owner(0),
            json!({ "transfer_ownership": { "new_owner": world.stranger } }),
        ),
        (
            "renounce_ownership",
            owner(1),
            json!({ "renounce_ownership": {} }),
        ),
    ]
}
