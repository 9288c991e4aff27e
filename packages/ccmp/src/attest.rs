//! `ccmp attest`: the attester service (`ccmp_attester`) for the configuration's
//! `[attester]` section, until Ctrl-C or SIGTERM; and `ccmp attest sign-rotation`, an
//! attester-set hand-over signed with the attester's key and recorded in its store.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use ccmp_attester::{AttesterConfig, AttesterHandle, RotationRequest};
use ccmp_signer::api::SignedRotation;
use ccmp_types::AttesterSet;
use clap::{Args, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::config::{deployment_chain, Config};
use crate::connect::Chains;
use crate::deploy::{load_deployment, Deployment};

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AttestArgs {
    #[command(subcommand)]
    pub command: Option<AttestCommand>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum AttestCommand {
    /// Signs the hand-over of a lane to a new attester set (epoch `--epoch`) with this
    /// attester's key, records it in its store (a different set for an epoch already
    /// signed is refused) and prints the signature as JSON, for the operator's
    /// `rotate_attesters`. Offline: reads the configuration, the deployment file, the key
    /// and the store only.
    SignRotation(SignRotationArgs),
}

#[derive(Args, Debug, Clone)]
pub struct SignRotationArgs {
    /// The lane's destination chain (its source is the attester's).
    #[arg(long)]
    pub destination: String,
    /// The new set's epoch: the inbox's current epoch plus one (`ccmp status lane`).
    #[arg(long)]
    pub epoch: u64,
    /// The new attester set, a JSON file: {"attesters": [{"pubkey": {"ed25519": "<base64>"},
    /// "weight": 1}, ...], "threshold": N}.
    #[arg(long)]
    pub new_set: PathBuf,
}

/// The attester service's configuration from `[attester]` and the deployment.
pub fn service_config(config: &Config, deployment: &Deployment) -> anyhow::Result<AttesterConfig> {
    let section = config
        .attester
        .as_ref()
        .ok_or_else(|| anyhow!("attester: no [attester] section in the configuration"))?;
    let (source, destinations) = config.attester_source()?;
    let outbox = &deployment_chain(deployment, &config.deployment, &source)?.outbox;
    let mut service = AttesterConfig::new(
        outbox.address.clone(),
        destinations,
        store_path(&section.store_dir, &source),
        section.listen.clone(),
        section.key_file.clone(),
    );
    service.source_chain = Some(source);
    service.poll_interval_ms = section.poll_interval_ms;
    service.publish_dir = section.publish_dir.clone();
    service.start_height = section.start_height.unwrap_or(outbox.height.max(1));
    service
        .validate()
        .map_err(|err| anyhow!("attester: {err}"))?;
    Ok(service)
}

/// The store file of the attester of `source` under `dir`.
pub fn store_path(dir: &Path, source: &str) -> PathBuf {
    dir.join(format!(
        "{}.store.json",
        ccmp_attester::publish::path_segment(source)
    ))
}

fn create_store_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("attester.store_dir: cannot create {}", dir.display()))
}

/// Starts the attester of the configuration on `chains` (the source chain's client is
/// used); it stops when `shutdown` is cancelled.
pub async fn start(
    config: &Config,
    chains: &Chains,
    shutdown: CancellationToken,
) -> anyhow::Result<AttesterHandle> {
    let deployment = load_deployment(config)?;
    let service = service_config(config, &deployment)?;
    let (source, _) = config.attester_source()?;
    let chain = chains
        .get(&source)
        .cloned()
        .ok_or_else(|| anyhow!("chains.{source}: no connection"))?;
    if let Some(parent) = service.store_path.parent() {
        create_store_dir(parent)?;
    }
    let handle = ccmp_attester::start(service, chain, shutdown)
        .await
        .map_err(|err| anyhow!("attester: {err}"))?;
    Ok(handle)
}

/// `ccmp attest`: runs the attester until `shutdown` is cancelled, then stops it
/// gracefully (the HTTP server finishes its requests, the poll loop its step).
pub async fn run(
    config: &Config,
    chains: &Chains,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let handle = start(config, chains, shutdown.clone()).await?;
    eprintln!(
        "attester of {} listening on http://{} (Ctrl-C to stop)",
        handle.source_chain(),
        handle.local_addr()
    );
    shutdown.cancelled().await;
    handle
        .join()
        .await
        .map_err(|err| anyhow!("attester: {err}"))
}

/// `ccmp attest sign-rotation`.
pub fn sign_rotation(config: &Config, args: &SignRotationArgs) -> anyhow::Result<SignedRotation> {
    let section = config
        .attester
        .as_ref()
        .ok_or_else(|| anyhow!("attester: no [attester] section in the configuration"))?;
    let deployment = load_deployment(config)?;
    let (source, destinations) = config.attester_source()?;
    if !destinations.contains(&args.destination) {
        return Err(anyhow!(
            "--destination {:?}: this attester attests the lanes from {source} to {}",
            args.destination,
            destinations.join(", ")
        ));
    }
    let outbox = &deployment_chain(&deployment, &config.deployment, &source)?.outbox;
    let text = std::fs::read_to_string(&args.new_set)
        .with_context(|| format!("--new-set: cannot read {}", args.new_set.display()))?;
    let new_set: AttesterSet = serde_json::from_str(&text).with_context(|| {
        format!(
            "--new-set: {} is not an attester set",
            args.new_set.display()
        )
    })?;
    let key = ccmp_attester::load_key(&section.key_file).context("attester.key_file")?;
    create_store_dir(&section.store_dir)?;
    let request = RotationRequest {
        source_chain: source.clone(),
        source_outbox: outbox.address.clone(),
        destination_chain: args.destination.clone(),
        new_epoch: args.epoch,
        new_set,
    };
    ccmp_attester::sign_rotation(&store_path(&section.store_dir, &source), &key, &request)
        .map_err(|err| anyhow!("sign-rotation: {err}"))
}
