//! One cosmwasm-vm [`Cache`] per capability set for the whole process, so every chain in
//! the process shares compiled modules: a contract is checked and compiled once.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cosmwasm_std::Checksum;
use cosmwasm_vm::{Cache, CacheOptions, Size, VmError};

use crate::backend::{DevApi, DevQuerier, DevStorage};
use crate::error::Error;

pub(crate) type VmCache = Cache<DevApi, DevStorage, DevQuerier>;

/// wasmd's `contractMemoryLimit` (x/wasm/keeper/keeper.go): 32 MiB per instance.
const INSTANCE_MEMORY_LIMIT_MIB: usize = 32;
/// The in-memory module cache (wasmd's `memory_cache_size`, 100 MiB by default).
const MEMORY_CACHE_MIB: usize = 100;
const DIR_PREFIX: &str = "ccmp-devnet-";

pub(crate) struct SharedCache {
    pub vm: VmCache,
    /// Checksums this process has checked and compiled already.
    stored: Mutex<HashSet<Checksum>>,
}

impl SharedCache {
    /// Runs the VM's static checks and compiles `wasm`, unless this process already has.
    pub fn store(&self, wasm: &[u8]) -> Result<Checksum, Error> {
        let checksum = Checksum::generate(wasm);
        let mut stored = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        if stored.contains(&checksum) {
            return Ok(checksum);
        }
        match self.vm.store_code(wasm, true, true) {
            Ok(_) => {}
            Err(err @ VmError::CacheErr { .. }) => return Err(Error::Cache(err.to_string())),
            Err(err) => {
                return Err(Error::WasmRejected {
                    reason: err.to_string(),
                })
            }
        }
        stored.insert(checksum);
        Ok(checksum)
    }
}

type Registry = Mutex<HashMap<BTreeSet<String>, Arc<SharedCache>>>;

/// The process's cache for chains offering exactly `capabilities`.
pub(crate) fn shared(capabilities: &BTreeSet<String>) -> Result<Arc<SharedCache>, Error> {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let registry = REGISTRY.get_or_init(|| {
        remove_stale_dirs();
        Mutex::new(HashMap::new())
    });
    let mut caches = registry.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(cache) = caches.get(capabilities) {
        return Ok(Arc::clone(cache));
    }
    let dir = std::env::temp_dir().join(format!(
        "{DIR_PREFIX}{}-{}",
        std::process::id(),
        caches.len()
    ));
    let options = CacheOptions::new(
        &dir,
        capabilities.iter().cloned().collect::<HashSet<_>>(),
        Size::mebi(MEMORY_CACHE_MIB),
        Size::mebi(INSTANCE_MEMORY_LIMIT_MIB),
    );
    // SAFETY: `Cache::new` trusts the modules it finds on disk. The directory is named after
    // this process and created by it, so it holds only modules this process compiled.
    let vm = unsafe { Cache::new(options) }.map_err(|e| Error::Cache(e.to_string()))?;
    let cache = Arc::new(SharedCache {
        vm,
        stored: Mutex::new(HashSet::new()),
    });
    caches.insert(capabilities.clone(), Arc::clone(&cache));
    Ok(cache)
}

/// Removes the cache directories of processes that are gone (Linux only: it asks /proc).
fn remove_stale_dirs() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !PathBuf::from(format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
