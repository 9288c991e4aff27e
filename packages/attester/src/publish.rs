//! The optional publish directory: every signed checkpoint as a JSON file
//! ([`crate::api::SignedCheckpoint`], as `GET /v1/checkpoints/…` answers it), one per
//! lane and size, for relayers that read files (a shared volume, a bucket synced from
//! it) rather than HTTP:
//!
//! ```text
//! <publish_dir>/<source_chain>/<destination_chain>/<size>.json
//! <publish_dir>/<source_chain>/<destination_chain>/latest.json
//! ```
//!
//! Chain ids are written through [`path_segment`] (bytes other than ASCII letters, digits,
//! `-` and `_` become `%XX`), so no id can climb out of the directory. Each file is
//! written atomically; files of sizes no longer kept are removed.

use std::io;
use std::path::{Path, PathBuf};

use crate::api::SignedCheckpoint;
use crate::fsutil::write_atomically;

/// A chain id as one path segment: ASCII letters, digits, `-` and `_` as they are, every
/// other byte as `%XX` (upper-case hex), so `.`, `..` and `/` cannot occur.
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The file holding the checkpoint of `size` (or `latest.json` for `None`) of a lane.
pub fn published_path(
    dir: &Path,
    source_chain: &str,
    destination_chain: &str,
    size: Option<u64>,
) -> PathBuf {
    let lane = dir
        .join(path_segment(source_chain))
        .join(path_segment(destination_chain));
    match size {
        Some(size) => lane.join(format!("{size}.json")),
        None => lane.join("latest.json"),
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Publisher {
    dir: PathBuf,
}

impl Publisher {
    pub(crate) fn new(dir: &Path) -> Publisher {
        Publisher {
            dir: dir.to_path_buf(),
        }
    }

    pub(crate) fn publish(
        &self,
        signed: &SignedCheckpoint,
        latest: bool,
        evicted: &[u64],
    ) -> io::Result<()> {
        let path = published_path(
            &self.dir,
            &signed.source_chain,
            &signed.destination_chain,
            Some(signed.size),
        );
        if let Some(lane_dir) = path.parent() {
            std::fs::create_dir_all(lane_dir)?;
        }
        let json = serde_json::to_vec_pretty(signed)?;
        write_atomically(&path, &json)?;
        if latest {
            let latest = published_path(
                &self.dir,
                &signed.source_chain,
                &signed.destination_chain,
                None,
            );
            write_atomically(&latest, &json)?;
        }
        for size in evicted {
            let old = published_path(
                &self.dir,
                &signed.source_chain,
                &signed.destination_chain,
                Some(*size),
            );
            match std::fs::remove_file(&old) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_cannot_leave_the_directory() {
        assert_eq!(path_segment("chain-b_1"), "chain-b_1");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("a/b"), "a%2Fb");
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(
            published_path(Path::new("/p"), "../x", "b", Some(3)),
            PathBuf::from("/p/%2E%2E%2Fx/b/3.json")
        );
        assert_eq!(
            published_path(Path::new("/p"), "a", "b", None),
            PathBuf::from("/p/a/b/latest.json")
        );
    }
}
