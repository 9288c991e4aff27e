//! `ccmp status`: where a message stands on its destination inbox (by source and nonce,
//! or by message id), and a lane's summary (sent, checkpointed, delivered, failed, timed
//! out, pending). Read-only: queries through [`ChainClient`], human output or `--json`.

use anyhow::{anyhow, bail, Context};
use ccmp_chain::{query, ChainClient};
use ccmp_inbox::msg::{QueryMsg as InboxQuery, SourceResponse};
use ccmp_outbox::msg::{
    LaneResponse, MessageIdResponse, MessageIdsResponse, QueryMsg as OutboxQuery,
};
use ccmp_types::{MessageStatus, MessageStatusResponse};
use clap::{Args, Subcommand};
use cosmwasm_std::HexBinary;
use serde::Serialize;

use crate::config::{deployment_chain, Config};
use crate::connect::Chains;
use crate::deploy::{load_deployment, Deployment};

#[derive(Args, Debug, Clone)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StatusArgs {
    #[command(subcommand)]
    pub command: Option<StatusCommand>,
    #[command(flatten)]
    pub message: MessageArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum StatusCommand {
    /// A lane's summary: messages sent (the outbox's lane size), checkpointed (the
    /// inbox's latest checkpoint), delivered, failed, timed out and pending (the inbox's
    /// status of every nonce), the attester epoch and whether the source is frozen.
    Lane(LaneArgs),
}

#[derive(Args, Debug, Clone)]
pub struct MessageArgs {
    /// The message's source chain.
    #[arg(long)]
    pub source: Option<String>,
    /// The message's destination chain (needed when the source has several lanes).
    #[arg(long)]
    pub destination: Option<String>,
    /// The message's nonce on its lane.
    #[arg(long, conflicts_with = "id")]
    pub nonce: Option<u64>,
    /// The message id (hex), searched on the configured lanes' outboxes.
    #[arg(long)]
    pub id: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct LaneArgs {
    #[arg(long)]
    pub source: String,
    #[arg(long)]
    pub destination: String,
    /// Nonces whose status is read, newest first (a longer lane is summed over its newest
    /// nonces only, and says so).
    #[arg(long, default_value_t = 10_000)]
    pub max_scan: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One message's status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageReport {
    pub source_chain: String,
    pub destination_chain: String,
    pub nonce: u64,
    /// The id the source outbox recorded (none if the outbox has no such nonce).
    pub message_id: Option<String>,
    pub status: MessageStatus,
    pub attempts: u32,
    pub error: Option<String>,
    pub updated_at_height: Option<u64>,
    /// Whether the inbox's latest checkpoint covers it.
    pub checkpointed: bool,
}

/// A lane's summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LaneReport {
    pub source_chain: String,
    pub destination_chain: String,
    pub sent: u64,
    pub checkpointed: u64,
    pub delivered: u64,
    pub failed: u64,
    pub timed_out: u64,
    /// Sent and not processed by the inbox (in the scanned nonces).
    pub pending: u64,
    /// Nonces whose status was read (`sent` unless the lane is longer than `--max-scan`).
    pub scanned: u64,
    pub epoch: u64,
    pub frozen: bool,
}

fn chain<'a>(chains: &'a Chains, id: &str) -> anyhow::Result<&'a dyn ChainClient> {
    chains
        .get(id)
        .map(|c| c.as_ref())
        .ok_or_else(|| anyhow!("no connection to chain {id:?}"))
}

/// The destination of a message from `source`: `destination` if given, else the only lane
/// from `source` in `[[lanes]]`.
fn destination_of(
    config: &Config,
    source: &str,
    destination: Option<&str>,
) -> anyhow::Result<String> {
    if let Some(destination) = destination {
        return Ok(destination.to_string());
    }
    let lanes: Vec<&str> = config
        .lanes
        .iter()
        .filter(|l| l.source == source)
        .map(|l| l.destination.as_str())
        .collect();
    match lanes.as_slice() {
        [only] => Ok(only.to_string()),
        [] => bail!("no lane from {source:?} in [[lanes]]: pass --destination"),
        many => bail!(
            "{source:?} has lanes to {}: pass --destination",
            many.join(", ")
        ),
    }
}

/// The status of nonce `nonce` on the lane `source -> destination`.
pub async fn message_status(
    config: &Config,
    deployment: &Deployment,
    chains: &Chains,
    source: &str,
    destination: &str,
    nonce: u64,
) -> anyhow::Result<MessageReport> {
    let source_contracts = deployment_chain(deployment, &config.deployment, source)?;
    let destination_contracts = deployment_chain(deployment, &config.deployment, destination)?;
    let message_id: Option<MessageIdResponse> = query(
        chain(chains, source)?,
        &source_contracts.outbox.address,
        &OutboxQuery::MessageId {
            destination_chain: destination.to_string(),
            nonce,
        },
    )
    .await
    .ok();
    let inbox = chain(chains, destination)?;
    let status: MessageStatusResponse = query(
        inbox,
        &destination_contracts.inbox.address,
        &InboxQuery::MessageStatus {
            source_chain: source.to_string(),
            nonce,
        },
    )
    .await
    .with_context(|| format!("the inbox on {destination}"))?;
    let source_view: SourceResponse = query(
        inbox,
        &destination_contracts.inbox.address,
        &InboxQuery::Source {
            chain: source.to_string(),
        },
    )
    .await
    .with_context(|| format!("the inbox on {destination}: source {source}"))?;
    Ok(MessageReport {
        source_chain: source.to_string(),
        destination_chain: destination.to_string(),
        nonce,
        message_id: message_id
            .map(|m| m.message_id.to_hex())
            .or_else(|| status.message_id.as_ref().map(HexBinary::to_hex)),
        status: status.status,
        attempts: status.attempts,
        error: status.error,
        updated_at_height: status.updated_at_height,
        checkpointed: source_view
            .latest_checkpoint
            .is_some_and(|c| c.size > nonce),
    })
}

/// Finds the message with id `id` on the configured lanes (from `source` only, if given)
/// and returns its status.
pub async fn find_by_id(
    config: &Config,
    deployment: &Deployment,
    chains: &Chains,
    id: &str,
    source: Option<&str>,
) -> anyhow::Result<MessageReport> {
    let wanted = HexBinary::from_hex(id.trim().trim_start_matches("0x"))
        .map_err(|_| anyhow!("--id {id:?} is not hex"))?;
    if wanted.len() != 32 {
        bail!(
            "--id must be 32 bytes (64 hex digits), got {}",
            wanted.len()
        );
    }
    for lane in config
        .lanes
        .iter()
        .filter(|l| source.is_none_or(|s| s == l.source))
    {
        let outbox = &deployment_chain(deployment, &config.deployment, &lane.source)?
            .outbox
            .address;
        let client = chain(chains, &lane.source)?;
        let mut start_after = None;
        loop {
            let page: MessageIdsResponse = query(
                client,
                outbox,
                &OutboxQuery::MessageIds {
                    destination_chain: lane.destination.clone(),
                    start_after,
                    limit: Some(100),
                },
            )
            .await
            .with_context(|| format!("the outbox on {}", lane.source))?;
            if let Some(entry) = page.message_ids.iter().find(|e| e.message_id == wanted) {
                return message_status(
                    config,
                    deployment,
                    chains,
                    &lane.source,
                    &lane.destination,
                    entry.nonce,
                )
                .await;
            }
            match page.message_ids.last() {
                Some(last) => start_after = Some(last.nonce),
                None => break,
            }
        }
    }
    bail!(
        "no message with id {} on the configured lanes",
        wanted.to_hex()
    )
}

/// The summary of the lane `source -> destination`.
pub async fn lane_status(
    config: &Config,
    deployment: &Deployment,
    chains: &Chains,
    source: &str,
    destination: &str,
    max_scan: u64,
) -> anyhow::Result<LaneReport> {
    let source_contracts = deployment_chain(deployment, &config.deployment, source)?;
    let destination_contracts = deployment_chain(deployment, &config.deployment, destination)?;
    let lane: LaneResponse = query(
        chain(chains, source)?,
        &source_contracts.outbox.address,
        &OutboxQuery::Lane {
            destination_chain: destination.to_string(),
        },
    )
    .await
    .with_context(|| format!("the outbox on {source}"))?;
    let inbox = chain(chains, destination)?;
    let inbox_address = &destination_contracts.inbox.address;
    let view: SourceResponse = query(
        inbox,
        inbox_address,
        &InboxQuery::Source {
            chain: source.to_string(),
        },
    )
    .await
    .with_context(|| format!("the inbox on {destination}: source {source}"))?;
    let mut report = LaneReport {
        source_chain: source.to_string(),
        destination_chain: destination.to_string(),
        sent: lane.size,
        checkpointed: view.latest_checkpoint.as_ref().map_or(0, |c| c.size),
        epoch: view.epoch,
        frozen: view.frozen.is_some(),
        ..LaneReport::default()
    };
    let first = lane.size.saturating_sub(max_scan);
    for nonce in first..lane.size {
        let status: MessageStatusResponse = query(
            inbox,
            inbox_address,
            &InboxQuery::MessageStatus {
                source_chain: source.to_string(),
                nonce,
            },
        )
        .await
        .with_context(|| format!("the inbox on {destination}: nonce {nonce}"))?;
        match status.status {
            MessageStatus::Delivered => report.delivered += 1,
            MessageStatus::Failed => report.failed += 1,
            MessageStatus::TimedOut => report.timed_out += 1,
            MessageStatus::Unknown => report.pending += 1,
        }
        report.scanned += 1;
    }
    Ok(report)
}

fn status_name(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Unknown => "unknown (not processed by the inbox)",
        MessageStatus::Delivered => "delivered",
        MessageStatus::Failed => "failed",
        MessageStatus::TimedOut => "timed out",
    }
}

impl MessageReport {
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "message {} -> {} nonce {}\n  id:           {}\n  status:       {}\n  attempts:     {}\n  checkpointed: {}\n",
            self.source_chain,
            self.destination_chain,
            self.nonce,
            self.message_id.as_deref().unwrap_or("(not sent: the outbox has no such nonce)"),
            status_name(self.status),
            self.attempts,
            if self.checkpointed { "yes" } else { "no" },
        );
        if let Some(height) = self.updated_at_height {
            out.push_str(&format!("  updated at:   height {height}\n"));
        }
        if let Some(error) = &self.error {
            out.push_str(&format!("  error:        {error}\n"));
        }
        out
    }
}

impl LaneReport {
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "lane {} -> {}\n  sent:         {}\n  checkpointed: {}\n  delivered:    {}\n  failed:       {}\n  timed out:    {}\n  pending:      {}\n  epoch:        {}\n  frozen:       {}\n",
            self.source_chain,
            self.destination_chain,
            self.sent,
            self.checkpointed,
            self.delivered,
            self.failed,
            self.timed_out,
            self.pending,
            self.epoch,
            if self.frozen { "yes" } else { "no" },
        );
        if self.scanned < self.sent {
            out.push_str(&format!(
                "  (statuses of the newest {} of {} nonces; raise --max-scan for all)\n",
                self.scanned, self.sent
            ));
        }
        out
    }
}

fn render<T: Serialize>(
    value: &T,
    json: bool,
    text: impl FnOnce(&T) -> String,
) -> anyhow::Result<String> {
    if json {
        let mut out = serde_json::to_string_pretty(value)?;
        out.push('\n');
        Ok(out)
    } else {
        Ok(text(value))
    }
}

/// What `ccmp status` prints, given the configuration and connected chains.
pub async fn run(args: &StatusArgs, config: &Config, chains: &Chains) -> anyhow::Result<String> {
    let deployment = load_deployment(config)?;
    match &args.command {
        Some(StatusCommand::Lane(lane)) => {
            let report = lane_status(
                config,
                &deployment,
                chains,
                &lane.source,
                &lane.destination,
                lane.max_scan,
            )
            .await?;
            render(&report, lane.json, LaneReport::to_text)
        }
        None => {
            let m = &args.message;
            let report = match (&m.id, m.nonce, &m.source) {
                (Some(id), _, source) => {
                    find_by_id(config, &deployment, chains, id, source.as_deref()).await?
                }
                (None, Some(nonce), Some(source)) => {
                    let destination = destination_of(config, source, m.destination.as_deref())?;
                    message_status(config, &deployment, chains, source, &destination, nonce)
                        .await?
                }
                _ => bail!(
                    "name the message: --source <chain> --nonce <n>, or --id <hex> (or `ccmp status lane --source A --destination B`)"
                ),
            };
            render(&report, m.json, MessageReport::to_text)
        }
    }
}

/// The chains `ccmp status` reads.
pub fn chains_needed(args: &StatusArgs, config: &Config) -> anyhow::Result<Vec<String>> {
    let mut chains = match &args.command {
        Some(StatusCommand::Lane(lane)) => vec![lane.source.clone(), lane.destination.clone()],
        None => {
            let m = &args.message;
            match (&m.id, &m.source) {
                (Some(_), source) => config
                    .lanes
                    .iter()
                    .filter(|l| source.as_ref().is_none_or(|s| *s == l.source))
                    .flat_map(|l| [l.source.clone(), l.destination.clone()])
                    .collect(),
                (None, Some(source)) => vec![
                    source.clone(),
                    destination_of(config, source, m.destination.as_deref())?,
                ],
                (None, None) => vec![],
            }
        }
    };
    for id in &chains {
        if !config.chains.contains_key(id) {
            bail!("{id:?} is not a chain of [chains] in the configuration");
        }
    }
    chains.sort();
    chains.dedup();
    Ok(chains)
}
