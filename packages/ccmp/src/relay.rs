//! `ccmp relay`: the relay service (`ccmp_relayer::service`) for the configuration's
//! `[relayer]` section and lanes, until Ctrl-C or SIGTERM.

use std::time::Duration;

use anyhow::anyhow;
use ccmp_relayer::service::{RelayerConfig, RelayerHandle};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::connect::Chains;
use crate::deploy::load_deployment;

/// How long a stopping relayer waits for its lanes' tasks.
const STOP_WITHIN: Duration = Duration::from_secs(30);

/// The relay service's configuration from `[relayer]`, `[[lanes]]` and the deployment.
pub fn service_config(config: &Config) -> anyhow::Result<RelayerConfig> {
    let deployment = load_deployment(config)?;
    Ok(config.relay_service_config(&deployment)?)
}

/// Every attester endpoint of `service` answers an HTTP request (any status): an endpoint
/// nobody listens on is a configuration error at start (later outages only make a lane
/// wait). The error names the endpoint as the configuration does.
pub async fn check_attesters(service: &RelayerConfig) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(service.attester_timeout())
        .build()
        .map_err(|err| anyhow!("cannot build an HTTP client: {err}"))?;
    let mut checked = std::collections::BTreeSet::new();
    for lane in &service.lanes {
        for (j, endpoint) in lane.attesters.iter().enumerate() {
            if !checked.insert(endpoint.url.clone()) {
                continue;
            }
            let url = format!("{}/health", endpoint.url.trim_end_matches('/'));
            if let Err(err) = client.get(&url).send().await {
                let reason = std::error::Error::source(&err)
                    .and_then(std::error::Error::source)
                    .map_or_else(|| err.to_string(), |cause| cause.to_string());
                return Err(anyhow!(
                    "relayer.attesters.{}[{j}].url: attester {} is unreachable: {reason} (start the attester, fix the URL, or set relayer.check_attesters_at_start = false)",
                    lane.source_chain,
                    endpoint.url
                ));
            }
        }
    }
    Ok(())
}

/// Starts the relay service of the configuration on `chains` (by chain id).
pub async fn start(config: &Config, chains: &Chains) -> anyhow::Result<RelayerHandle> {
    let service = service_config(config)?;
    if config
        .relayer
        .as_ref()
        .is_some_and(|r| r.check_attesters_at_start)
    {
        check_attesters(&service).await?;
    }
    ccmp_relayer::service::start(service, chains)
        .await
        .map_err(|err| anyhow!("relayer: {err}"))
}

/// `ccmp relay`: runs the relay service until `shutdown` is cancelled, then stops every
/// lane (each finishes its step) and the metrics server.
pub async fn run(
    config: &Config,
    chains: &Chains,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let handle = start(config, chains).await?;
    match handle.metrics_address() {
        Some(address) => eprintln!(
            "relaying {} lane(s); /metrics and /health on http://{address} (Ctrl-C to stop)",
            handle.statuses().len()
        ),
        None => eprintln!(
            "relaying {} lane(s) (Ctrl-C to stop)",
            handle.statuses().len()
        ),
    }
    shutdown.cancelled().await;
    handle.shutdown_within(STOP_WITHIN).await;
    Ok(())
}
