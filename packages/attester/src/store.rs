//! What this attester signed, kept durably: per lane the last checkpoint `(size, root)`,
//! and per lane and epoch the attester-set hand-over digest. Every signing decision is
//! checked against it, and a record is on disk before the signature leaves the process.
//!
//! The store is one JSON file replaced atomically (`fsutil::write_atomically`:
//! temporary file, fsync, rename, fsync of the directory). Each operation holds an
//! exclusive lock on `<store>.lock` and re-reads the file, so the service and a
//! `sign-rotation` run on the same store (or two services by mistake) check against one
//! record and never overwrite each other's.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use ccmp_types::{Hash, PubKey};
use cosmwasm_std::HexBinary;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::fsutil::write_atomically;

/// The `format` of the store file this version reads and writes.
pub const STORE_FORMAT: &str = "ccmp-attester-store/1";

/// A lane: (source chain, source outbox, destination chain), PROTOCOL.md §1.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LaneId {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
}

impl std::fmt::Display for LaneId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) -> {}",
            self.source_chain, self.source_outbox, self.destination_chain
        )
    }
}

/// The roots of a lane's tree at every size it holds: what a checkpoint is checked
/// against before it is signed.
pub trait PrefixRoots {
    /// How many messages the tree holds.
    fn size(&self) -> u64;
    /// The root of the first `size` messages, `None` beyond [`PrefixRoots::size`].
    fn root_at(&self, size: u64) -> Option<Hash>;
}

fn hex(hash: &Hash) -> String {
    HexBinary::from(hash).to_hex()
}

/// A signature this attester will not give. Each is an alarm: it means the chain, the
/// node answering for it, the store or the caller disagrees with what was signed before.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    #[error(
        "refused to sign {lane} at size {size} with root {requested}: this attester already \
         signed size {size} with root {signed}; signing both would be equivocation"
    )]
    ConflictingRoot {
        lane: String,
        size: u64,
        signed: String,
        requested: String,
    },
    #[error(
        "refused to sign {lane} at size {size} with root {requested}: the attester's own tree \
         ({tree_size} messages) gives {}",
        .computed.as_deref().unwrap_or("no root at that size")
    )]
    NotRecomputed {
        lane: String,
        size: u64,
        requested: String,
        computed: Option<String>,
        tree_size: u64,
    },
    #[error(
        "refused to sign {lane} at size {size}: the last signed checkpoint (size {signed_size}, \
         root {signed_root}) is not a prefix of that history, whose root at size {signed_size} \
         is {tree_root}"
    )]
    Inconsistent {
        lane: String,
        size: u64,
        signed_size: u64,
        signed_root: String,
        tree_root: String,
    },
    #[error(
        "refused to sign {lane} at size {size}: the last signed checkpoint has size \
         {signed_size}, beyond the {tree_size} messages the attester's tree holds, so its \
         consistency cannot be checked"
    )]
    Unverifiable {
        lane: String,
        size: u64,
        signed_size: u64,
        tree_size: u64,
    },
    #[error(
        "refused to sign the hand-over of {lane} to epoch {epoch} with set digest {requested}: \
         this attester already signed epoch {epoch} with set digest {signed}"
    )]
    RotationConflict {
        lane: String,
        epoch: u64,
        signed: String,
        requested: String,
    },
}

impl Refusal {
    /// A short label, for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::ConflictingRoot { .. } => "conflicting_root",
            Refusal::NotRecomputed { .. } => "not_recomputed",
            Refusal::Inconsistent { .. } => "inconsistent",
            Refusal::Unverifiable { .. } => "unverifiable",
            Refusal::RotationConflict { .. } => "rotation_conflict",
        }
    }
}

/// Whether checkpoint `(size, root)` of `lane` may be signed, given the last one signed
/// (`last`) and the attester's own tree: `root` must be the tree's root at `size` (an
/// attester never signs a root it did not recompute), a size already signed only with the
/// same root, and the last signed checkpoint must be the tree's prefix at its size (so the
/// two are consistent: one history).
pub fn check_checkpoint(
    lane: &LaneId,
    last: Option<(u64, Hash)>,
    size: u64,
    root: &Hash,
    tree: &dyn PrefixRoots,
) -> Result<(), Refusal> {
    let lane_name = || lane.to_string();
    if let Some((signed_size, signed_root)) = last {
        if signed_size == size && signed_root != *root {
            return Err(Refusal::ConflictingRoot {
                lane: lane_name(),
                size,
                signed: hex(&signed_root),
                requested: hex(root),
            });
        }
    }
    match tree.root_at(size) {
        Some(computed) if computed == *root => {}
        computed => {
            return Err(Refusal::NotRecomputed {
                lane: lane_name(),
                size,
                requested: hex(root),
                computed: computed.as_ref().map(hex),
                tree_size: tree.size(),
            })
        }
    }
    if let Some((signed_size, signed_root)) = last {
        match tree.root_at(signed_size) {
            Some(tree_root) if tree_root == signed_root => {}
            Some(tree_root) => {
                return Err(Refusal::Inconsistent {
                    lane: lane_name(),
                    size,
                    signed_size,
                    signed_root: hex(&signed_root),
                    tree_root: hex(&tree_root),
                })
            }
            None => {
                return Err(Refusal::Unverifiable {
                    lane: lane_name(),
                    size,
                    signed_size,
                    tree_size: tree.size(),
                })
            }
        }
    }
    Ok(())
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    #[error("store {p}: cannot {action}: {reason}", p = .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        reason: String,
    },
    #[error("store {p} is unreadable ({reason}); it records what this attester signed, so it is not replaced: restore it or investigate", p = .path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("store {p} belongs to key {stored}, not to this attester's key {key}", p = .path.display())]
    WrongKey {
        path: PathBuf,
        stored: String,
        key: String,
    },
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// The last checkpoint signed on a lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRecord {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub size: u64,
    pub root: HexBinary,
}

/// A hand-over signed: lane, epoch and the new set's digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationRecord {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub epoch: u64,
    pub set_digest: HexBinary,
}

/// The store file's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreContents {
    pub format: String,
    /// The key whose signatures this records (`secp256k1` or `ed25519`, and its bytes).
    pub key_type: String,
    pub pubkey: HexBinary,
    pub checkpoints: Vec<CheckpointRecord>,
    pub rotations: Vec<RotationRecord>,
}

impl CheckpointRecord {
    fn is_lane(&self, lane: &LaneId) -> bool {
        self.source_chain == lane.source_chain
            && self.source_outbox == lane.source_outbox
            && self.destination_chain == lane.destination_chain
    }
}

impl RotationRecord {
    fn is_lane(&self, lane: &LaneId) -> bool {
        self.source_chain == lane.source_chain
            && self.source_outbox == lane.source_outbox
            && self.destination_chain == lane.destination_chain
    }
}

/// What a successful `record_*` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Written (and fsynced) as the lane's newest.
    New,
    /// Exactly this was signed before: nothing to write, signing it again is harmless.
    Again,
    /// Consistent with, but smaller than, the newest checkpoint signed: nothing written.
    Older,
}

/// The store of one attester key.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    lock_path: PathBuf,
    key_type: String,
    pubkey: HexBinary,
}

struct Lock(#[allow(dead_code)] File);

impl Store {
    /// Opens (without creating) the store at `path` for `key`: an existing file must be
    /// readable and belong to `key`; a missing one is created by the first record. The
    /// lock file beside it is created now, so an unwritable directory fails at start.
    pub fn open(path: &Path, key: &PubKey) -> Result<Store, StoreError> {
        let mut lock_name = path
            .file_name()
            .ok_or_else(|| StoreError::Io {
                path: path.to_path_buf(),
                action: "use it",
                reason: "the path names no file".into(),
            })?
            .to_os_string();
        lock_name.push(".lock");
        let store = Store {
            path: path.to_path_buf(),
            lock_path: path.with_file_name(lock_name),
            key_type: key.key_type_name().to_string(),
            pubkey: HexBinary::from(key.bytes()),
        };
        let _lock = store.lock()?;
        store.read()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, action: &'static str, err: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            action,
            reason: err.to_string(),
        }
    }

    fn lock(&self) -> Result<Lock, StoreError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.lock_path)
            .map_err(|e| self.io("create its lock file", e))?;
        file.lock().map_err(|e| self.io("lock it", e))?;
        Ok(Lock(file))
    }

    fn empty(&self) -> StoreContents {
        StoreContents {
            format: STORE_FORMAT.into(),
            key_type: self.key_type.clone(),
            pubkey: self.pubkey.clone(),
            checkpoints: vec![],
            rotations: vec![],
        }
    }

    /// Reads the file (the caller holds the lock).
    fn read(&self) -> Result<StoreContents, StoreError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(self.empty()),
            Err(err) => return Err(self.io("read it", err)),
        };
        let contents: StoreContents =
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
        if contents.format != STORE_FORMAT {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!(
                    "format {:?}, this attester reads {STORE_FORMAT:?}",
                    contents.format
                ),
            });
        }
        if contents.key_type != self.key_type || contents.pubkey != self.pubkey {
            return Err(StoreError::WrongKey {
                path: self.path.clone(),
                stored: format!("{}:{}", contents.key_type, contents.pubkey.to_hex()),
                key: format!("{}:{}", self.key_type, self.pubkey.to_hex()),
            });
        }
        for record in &contents.checkpoints {
            if record.root.len() != 32 {
                return Err(StoreError::Corrupt {
                    path: self.path.clone(),
                    reason: format!(
                        "root of lane to {:?} is not 32 bytes",
                        record.destination_chain
                    ),
                });
            }
        }
        Ok(contents)
    }

    fn write(&self, contents: &StoreContents) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(contents).map_err(|e| StoreError::Io {
            path: self.path.clone(),
            action: "encode it",
            reason: e.to_string(),
        })?;
        write_atomically(&self.path, &bytes).map_err(|e| self.io("write it durably", e))
    }

    /// The whole record as it is on disk now.
    pub fn contents(&self) -> Result<StoreContents, StoreError> {
        let _lock = self.lock()?;
        self.read()
    }

    /// The last checkpoint signed on `lane`.
    pub fn last_checkpoint(&self, lane: &LaneId) -> Result<Option<(u64, Hash)>, StoreError> {
        let _lock = self.lock()?;
        Ok(last_of(&self.read()?, lane))
    }

    /// Records that checkpoint `(size, root)` of `lane` is about to be signed, if
    /// [`check_checkpoint`] allows it against the record on disk and `tree`. Returns once
    /// the record is durable; the signature may be published after that.
    pub fn record_checkpoint(
        &self,
        lane: &LaneId,
        size: u64,
        root: &Hash,
        tree: &dyn PrefixRoots,
    ) -> Result<Recorded, StoreError> {
        let _lock = self.lock()?;
        let mut contents = self.read()?;
        let last = last_of(&contents, lane);
        check_checkpoint(lane, last, size, root, tree)?;
        match last {
            Some((signed_size, _)) if signed_size == size => return Ok(Recorded::Again),
            Some((signed_size, _)) if signed_size > size => return Ok(Recorded::Older),
            _ => {}
        }
        let record = CheckpointRecord {
            source_chain: lane.source_chain.clone(),
            source_outbox: lane.source_outbox.clone(),
            destination_chain: lane.destination_chain.clone(),
            size,
            root: HexBinary::from(root),
        };
        match contents.checkpoints.iter_mut().find(|r| r.is_lane(lane)) {
            Some(existing) => *existing = record,
            None => contents.checkpoints.push(record),
        }
        self.write(&contents)?;
        Ok(Recorded::New)
    }

    /// Records that the hand-over of `lane` to epoch `epoch` with set digest `digest` is
    /// about to be signed, refusing a different digest for an epoch already signed.
    pub fn record_rotation(
        &self,
        lane: &LaneId,
        epoch: u64,
        digest: &Hash,
    ) -> Result<Recorded, StoreError> {
        let _lock = self.lock()?;
        let mut contents = self.read()?;
        if let Some(signed) = contents
            .rotations
            .iter()
            .find(|r| r.is_lane(lane) && r.epoch == epoch)
        {
            if signed.set_digest[..] == digest[..] {
                return Ok(Recorded::Again);
            }
            return Err(Refusal::RotationConflict {
                lane: lane.to_string(),
                epoch,
                signed: signed.set_digest.to_hex(),
                requested: hex(digest),
            }
            .into());
        }
        contents.rotations.push(RotationRecord {
            source_chain: lane.source_chain.clone(),
            source_outbox: lane.source_outbox.clone(),
            destination_chain: lane.destination_chain.clone(),
            epoch,
            set_digest: HexBinary::from(digest),
        });
        self.write(&contents)?;
        Ok(Recorded::New)
    }
}

fn last_of(contents: &StoreContents, lane: &LaneId) -> Option<(u64, Hash)> {
    contents
        .checkpoints
        .iter()
        .find(|r| r.is_lane(lane))
        .and_then(|r| Some((r.size, r.root.to_array::<32>().ok()?)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ccmp_signer::AttesterKey;
    use ccmp_types::{root, sha256};

    /// A lane's tree from made-up leaves.
    pub(crate) struct FakeTree(pub Vec<Hash>);

    impl FakeTree {
        pub(crate) fn of(size: u64, salt: u8) -> FakeTree {
            FakeTree((0..size).map(|n| sha256(&[salt, n as u8])).collect())
        }
    }

    impl PrefixRoots for FakeTree {
        fn size(&self) -> u64 {
            self.0.len() as u64
        }
        fn root_at(&self, size: u64) -> Option<Hash> {
            (size <= self.size()).then(|| root(&self.0[..size as usize]))
        }
    }

    pub(crate) fn lane() -> LaneId {
        LaneId {
            source_chain: "chain-a".into(),
            source_outbox: "outbox".into(),
            destination_chain: "chain-b".into(),
        }
    }

    fn key() -> PubKey {
        AttesterKey::test_key(1, true).pubkey()
    }

    #[test]
    fn the_refusal_rules() {
        let lane = lane();
        let honest = FakeTree::of(8, 0);
        // A history that agrees with `honest` up to 4 and then forks.
        let mut forked = FakeTree(honest.0[..4].to_vec());
        forked.0.extend(FakeTree::of(4, 9).0);
        let r = |t: &FakeTree, s: u64| t.root_at(s).unwrap();

        // Nothing signed yet: any root the tree gives, nothing else.
        check_checkpoint(&lane, None, 5, &r(&honest, 5), &honest).unwrap();
        check_checkpoint(&lane, None, 0, &r(&honest, 0), &honest).unwrap();
        let err = check_checkpoint(&lane, None, 5, &[7; 32], &honest).unwrap_err();
        assert_eq!(err.reason(), "not_recomputed");
        assert_eq!(
            err,
            Refusal::NotRecomputed {
                lane: lane.to_string(),
                size: 5,
                requested: "07".repeat(32),
                computed: Some(hex(&r(&honest, 5))),
                tree_size: 8,
            }
        );
        let err = check_checkpoint(&lane, None, 9, &[7; 32], &honest).unwrap_err();
        assert!(err.to_string().contains("no root at that size"), "{err}");

        // Signed (5, r5): extending, repeating and prefixes of the same history are fine.
        let last = Some((5, r(&honest, 5)));
        for size in [3, 5, 6, 8] {
            check_checkpoint(&lane, last, size, &r(&honest, size), &honest).unwrap();
        }
        // Another root at size 5: the equivocation itself.
        let err = check_checkpoint(&lane, last, 5, &r(&forked, 5), &forked).unwrap_err();
        assert_eq!(err.reason(), "conflicting_root");
        assert!(err.to_string().contains("equivocation"), "{err}");
        // A larger size on a history that does not extend (5, r5), even though the tree
        // recomputes its root: inconsistent.
        let err = check_checkpoint(&lane, last, 7, &r(&forked, 7), &forked).unwrap_err();
        assert_eq!(
            err,
            Refusal::Inconsistent {
                lane: lane.to_string(),
                size: 7,
                signed_size: 5,
                signed_root: hex(&r(&honest, 5)),
                tree_root: hex(&r(&forked, 5)),
            }
        );
        // A smaller size of the forked history shares the prefix up to 4, but the tree
        // still disagrees with what was signed at 5.
        let err = check_checkpoint(&lane, last, 4, &r(&forked, 4), &forked).unwrap_err();
        assert_eq!(err.reason(), "inconsistent");
        // A tree shorter than what was signed cannot show consistency.
        let short = FakeTree(honest.0[..3].to_vec());
        let err = check_checkpoint(&lane, last, 2, &r(&short, 2), &short).unwrap_err();
        assert_eq!(err.reason(), "unverifiable");
    }

    #[test]
    fn records_durably_refuses_conflicts_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        let lane = lane();
        let other_lane = LaneId {
            destination_chain: "chain-c".into(),
            ..lane.clone()
        };
        let honest = FakeTree::of(8, 0);
        let forked = FakeTree::of(8, 1);
        let r = |t: &FakeTree, s: u64| t.root_at(s).unwrap();

        let store = Store::open(&path, &key()).unwrap();
        assert!(!path.exists(), "nothing is written before a record");
        assert_eq!(store.last_checkpoint(&lane).unwrap(), None);
        assert_eq!(
            store
                .record_checkpoint(&lane, 3, &r(&honest, 3), &honest)
                .unwrap(),
            Recorded::New
        );
        assert_eq!(
            store
                .record_checkpoint(&lane, 5, &r(&honest, 5), &honest)
                .unwrap(),
            Recorded::New
        );
        assert_eq!(
            store
                .record_checkpoint(&lane, 5, &r(&honest, 5), &honest)
                .unwrap(),
            Recorded::Again
        );
        assert_eq!(
            store
                .record_checkpoint(&lane, 2, &r(&honest, 2), &honest)
                .unwrap(),
            Recorded::Older
        );
        // Another lane is another record.
        assert_eq!(
            store
                .record_checkpoint(&other_lane, 5, &r(&forked, 5), &forked)
                .unwrap(),
            Recorded::New
        );

        // A second handle (another process) sees it, and refuses the conflict.
        let reopened = Store::open(&path, &key()).unwrap();
        assert_eq!(
            reopened.last_checkpoint(&lane).unwrap(),
            Some((5, r(&honest, 5)))
        );
        let err = reopened
            .record_checkpoint(&lane, 5, &r(&forked, 5), &forked)
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Refused(Refusal::ConflictingRoot { size: 5, .. })
            ),
            "{err}"
        );
        let err = reopened
            .record_checkpoint(&lane, 6, &r(&forked, 6), &forked)
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Refused(Refusal::Inconsistent { .. })),
            "{err}"
        );
        // Refusals change nothing.
        assert_eq!(
            store.last_checkpoint(&lane).unwrap(),
            Some((5, r(&honest, 5)))
        );

        // The file is readable JSON for an operator, and nothing temporary is left.
        let contents: StoreContents = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(contents, store.contents().unwrap());
        assert_eq!(contents.format, STORE_FORMAT);
        assert_eq!(contents.checkpoints.len(), 2);
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, vec!["store.json", "store.json.lock"]);
    }

    #[test]
    fn rotations_are_recorded_per_lane_and_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        let store = Store::open(&path, &key()).unwrap();
        let lane = lane();
        assert_eq!(
            store.record_rotation(&lane, 2, &[1; 32]).unwrap(),
            Recorded::New
        );
        assert_eq!(
            store.record_rotation(&lane, 2, &[1; 32]).unwrap(),
            Recorded::Again
        );
        assert_eq!(
            store.record_rotation(&lane, 3, &[2; 32]).unwrap(),
            Recorded::New
        );
        let other = LaneId {
            source_outbox: "other".into(),
            ..lane.clone()
        };
        assert_eq!(
            store.record_rotation(&other, 2, &[3; 32]).unwrap(),
            Recorded::New
        );
        let reopened = Store::open(&path, &key()).unwrap();
        let err = reopened.record_rotation(&lane, 2, &[9; 32]).unwrap_err();
        assert_eq!(
            err,
            StoreError::Refused(Refusal::RotationConflict {
                lane: lane.to_string(),
                epoch: 2,
                signed: "01".repeat(32),
                requested: "09".repeat(32),
            })
        );
    }

    #[test]
    fn a_store_of_another_key_or_unreadable_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        let store = Store::open(&path, &key()).unwrap();
        let tree = FakeTree::of(2, 0);
        store
            .record_checkpoint(&lane(), 2, &tree.root_at(2).unwrap(), &tree)
            .unwrap();
        let other_key = AttesterKey::test_key(2, false).pubkey();
        let err = Store::open(&path, &other_key).unwrap_err();
        assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");

        fs::write(&path, b"{ not json").unwrap();
        let err = Store::open(&path, &key()).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("not replaced"), "{err}");

        let mut contents = store.empty();
        contents.format = "ccmp-attester-store/9".into();
        fs::write(&path, serde_json::to_vec(&contents).unwrap()).unwrap();
        let err = Store::open(&path, &key()).unwrap_err();
        assert!(err.to_string().contains("ccmp-attester-store/9"), "{err}");

        let err = Store::open(&dir.path().join("missing-dir/store.json"), &key()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Io {
                    action: "create its lock file",
                    ..
                }
            ),
            "{err}"
        );
    }
}
