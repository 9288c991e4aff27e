//! The manifest `scripts/localnet.sh up` writes (`<dir>/localnet.json`): the chains of a
//! localnet of real wasmd nodes, their RPC addresses and funded accounts. The demo on real
//! nodes and the real-node tests read it; nothing else about the localnet is assumed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::rpc::RpcConfig;

/// The manifest's file name inside the localnet directory.
pub const MANIFEST: &str = "localnet.json";

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Manifest {
    pub chains: Vec<LocalChain>,
}

/// One chain of the localnet.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LocalChain {
    pub chain_id: String,
    pub rpc: String,
    pub prefix: String,
    pub denom: String,
    /// The minimum gas price the node accepts, in `denom` (a decimal, e.g. `"0.025"`).
    pub gas_price: String,
    /// The node's pid file (tests stop and restart a node with it).
    pub pid_file: PathBuf,
    /// Funded accounts by role (validator, deployer, relayer, relayer2, user).
    pub accounts: BTreeMap<String, LocalAccount>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LocalAccount {
    pub address: String,
    /// A CCMP key file (`ccmp_signer::keyfile`) of the account's secp256k1 key.
    pub key_file: PathBuf,
}

#[derive(Debug, Error)]
pub enum LocalnetError {
    #[error("no localnet at {dir}: start one with scripts/localnet.sh up ({reason})")]
    Missing { dir: String, reason: String },
    #[error("{path}: not a localnet manifest: {reason}")]
    Invalid { path: String, reason: String },
    #[error("the localnet has no chain {0}")]
    NoChain(String),
    #[error("chain {chain}: no account {account} in the localnet manifest")]
    NoAccount { chain: String, account: String },
}

impl Manifest {
    /// The manifest in `dir`.
    pub fn read(dir: &Path) -> Result<Manifest, LocalnetError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| LocalnetError::Missing {
            dir: dir.display().to_string(),
            reason: format!("{}: {e}", path.display()),
        })?;
        Manifest::parse(&text).map_err(|reason| LocalnetError::Invalid {
            path: path.display().to_string(),
            reason,
        })
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for chain in &manifest.chains {
            chain.gas_price()?;
        }
        Ok(manifest)
    }

    pub fn chain(&self, chain_id: &str) -> Result<&LocalChain, LocalnetError> {
        self.chains
            .iter()
            .find(|c| c.chain_id == chain_id)
            .ok_or_else(|| LocalnetError::NoChain(chain_id.to_string()))
    }
}

impl LocalChain {
    pub fn gas_price(&self) -> Result<f64, String> {
        self.gas_price
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0)
            .ok_or_else(|| {
                format!(
                    "chain {}: gas_price {:?} is not a decimal",
                    self.chain_id, self.gas_price
                )
            })
    }

    pub fn account(&self, role: &str) -> Result<&LocalAccount, LocalnetError> {
        self.accounts
            .get(role)
            .ok_or_else(|| LocalnetError::NoAccount {
                chain: self.chain_id.clone(),
                account: role.to_string(),
            })
    }

    /// The RPC backend's configuration of this chain (defaults for what the manifest does
    /// not say).
    pub fn rpc_config(&self) -> RpcConfig {
        let mut config = RpcConfig::new(&self.chain_id, &self.rpc, &self.prefix, &self.denom);
        if let Ok(price) = self.gas_price() {
            config.gas_price = price;
        }
        config
    }
}

/// The localnet directory: `$CCMP_LOCALNET_DIR`, else `default`.
pub fn dir_or(default: &Path) -> PathBuf {
    match std::env::var_os("CCMP_LOCALNET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => default.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{"chains":[
      {"chain_id":"ccmp-a","rpc":"http://127.0.0.1:36657","grpc":"127.0.0.1:39090","prefix":"ccmpa","denom":"ustakea","gas_price":"0.025","home":"/h","pid_file":"/h/wasmd.pid","log":"/h/wasmd.log","binary":"/b","accounts":{"user":{"address":"ccmpa1x","key_file":"/h/keys/user.json"}}}
    ]}"#;

    #[test]
    fn reads_what_localnet_sh_writes() {
        let manifest = Manifest::parse(TEXT).unwrap();
        let a = manifest.chain("ccmp-a").unwrap();
        assert_eq!(a.account("user").unwrap().address, "ccmpa1x");
        let config = a.rpc_config();
        assert_eq!(config.rpc_url, "http://127.0.0.1:36657");
        assert_eq!(config.account_prefix, "ccmpa");
        assert_eq!(config.fee_denom, "ustakea");
        assert_eq!(config.gas_price, 0.025);
        assert_eq!(
            manifest.chain("ccmp-c").unwrap_err().to_string(),
            "the localnet has no chain ccmp-c"
        );
        assert_eq!(
            a.account("deployer").unwrap_err().to_string(),
            "chain ccmp-a: no account deployer in the localnet manifest"
        );
    }

    #[test]
    fn refuses_a_bad_gas_price_and_a_missing_manifest() {
        let bad = TEXT.replace("\"0.025\"", "\"cheap\"");
        assert_eq!(
            Manifest::parse(&bad).unwrap_err(),
            "chain ccmp-a: gas_price \"cheap\" is not a decimal"
        );
        let dir = std::env::temp_dir().join(format!("ccmp-no-localnet-{}", std::process::id()));
        let err = Manifest::read(&dir).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "no localnet at {}: start one with scripts/localnet.sh up",
                dir.display()
            )),
            "{err}"
        );
    }
}
