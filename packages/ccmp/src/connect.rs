//! The chain connection: the one place that turns a `[chains.<id>]` section into a
//! [`ChainClient`]. Everything else takes `Arc<dyn ChainClient>`, so the commands run the
//! same over the embedded backend (tests) and over a node's RPC.
//!
//! A configured chain is reached through the RPC backend (`ccmp_chain::rpc::RpcClient`):
//! CometBFT RPC and signed Cosmos SDK transactions.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{bail, Context};
use ccmp_chain::rpc::RpcConfig;
use ccmp_chain::ChainClient;
use ccmp_signer::keyfile::{read_key_file, secret_bytes};
use ccmp_signer::AttesterKey;

use crate::config::{ChainConfig, Config};

/// Chain clients by chain id (what the relay service takes).
pub type Chains = HashMap<String, Arc<dyn ChainClient>>;

/// The RPC backend's configuration of `[chains.<id>]`.
pub fn rpc_config(chain_id: &str, chain: &ChainConfig) -> RpcConfig {
    RpcConfig {
        chain_id: chain_id.to_string(),
        rpc_url: chain.rpc.clone(),
        account_prefix: chain.prefix.clone(),
        fee_denom: chain.fee_denom.clone(),
        gas_price: chain.gas_price,
        gas_multiplier: chain.gas_multiplier,
        max_gas: chain.max_gas,
        tx_timeout: chain.tx_timeout(),
        events_chunk: chain.events_chunk,
    }
}

/// The account key of `[chains.<id>]`: its secp256k1 secret (the key file is read with the
/// strict rule of `ccmp_signer::keyfile`: owner-only permissions).
pub fn account_secret(chain_id: &str, chain: &ChainConfig) -> anyhow::Result<[u8; 32]> {
    let key =
        read_key_file(&chain.key_file).with_context(|| format!("chains.{chain_id}.key_file"))?;
    if !matches!(key, AttesterKey::Secp256k1(_)) {
        bail!(
            "chains.{chain_id}.key_file: {} is an Ed25519 key; a chain account key is secp256k1 (`ccmp keys generate --type secp256k1`)",
            chain.key_file.display()
        );
    }
    Ok(secret_bytes(&key))
}

/// A client of chain `chain_id` as configured.
pub async fn connect(chain_id: &str, chain: &ChainConfig) -> anyhow::Result<Arc<dyn ChainClient>> {
    let config = rpc_config(chain_id, chain);
    let mut secret = account_secret(chain_id, chain)?;
    let client = ccmp_chain::rpc::RpcClient::connect(config, &secret).await;
    secret.fill(0);
    std::hint::black_box(&secret);
    let client = client.with_context(|| format!("chains.{chain_id}.rpc: {}", chain.rpc))?;
    Ok(Arc::new(client))
}

/// Clients of `chain_ids` (each a `[chains]` entry), connected in order.
pub async fn connect_all(config: &Config, chain_ids: &[String]) -> anyhow::Result<Chains> {
    let mut chains = Chains::new();
    for id in chain_ids {
        let chain = config
            .chains
            .get(id)
            .with_context(|| format!("chains.{id}: not configured"))?;
        chains.insert(id.clone(), connect(id, chain).await?);
    }
    Ok(chains)
}
