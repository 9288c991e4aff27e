//! `ccmp`: the one program of the bridge's operators, attesters, relayers and integrators.

use std::path::PathBuf;

use anyhow::Context;
use ccmp::config::Config;
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ccmp",
    version,
    about = "CCMP, cross-chain message passing for CosmWasm chains: run the bridge, operate it, inspect it"
)]
struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    /// Log filter, e.g. `info`, `ccmp=debug` (also RUST_LOG).
    #[arg(long, global = true, default_value = "warn")]
    log: String,
    /// The configuration file (TOML) of `deploy`, `status`, `attest` and `relay`.
    #[arg(long, global = true, env = "CCMP_CONFIG", default_value = "ccmp.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct DeployArgs {}

#[derive(Args, Debug)]
struct RelayArgs {}

#[derive(Subcommand)]
enum Command {
    /// Deploys the bridge on every configured chain: the outbox, the inbox with each other
    /// chain as a source and its attester set ([deploy]), the example dApp if enabled; then
    /// writes the deployment file ([deployment] file, atomically). Idempotent: what the file
    /// records is kept, only what is missing is added, and a second run changes nothing.
    Deploy(DeployArgs),
    /// Shows a message's status on its destination inbox (--source A --nonce N, or --id
    /// HEX), or a lane's summary (`ccmp status lane --source A --destination B`).
    Status(ccmp::status::StatusArgs),
    /// Runs the attester of [attester] (follows its source chain's outbox, signs
    /// checkpoints, serves them over HTTP) until Ctrl-C or SIGTERM; `sign-rotation` signs
    /// an attester-set hand-over.
    Attest(ccmp::attest::AttestArgs),
    /// Runs the relay service of [relayer] on its lanes (checkpoints from the attesters,
    /// deliveries, retries; /metrics and /health) until Ctrl-C or SIGTERM.
    Relay(RelayArgs),
    /// Starts two chains in this process, deploys the bridge, runs attesters and relayers
    /// and sends messages both ways; ends with a summary and fails if a message is lost or
    /// processed twice.
    Demo(ccmp::demo::DemoArgs),
    /// Generates or shows attester and account key files (only public parts are printed).
    Keys(ccmp::keys::KeysArgs),
    /// Decodes messages, computes ids and digests, verifies proofs offline.
    Inspect(ccmp::inspect::InspectArgs),
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn print(out: &str) -> anyhow::Result<()> {
    use std::io::Write;
    // Not `print!`, which panics when standard output is closed (`| head`).
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")
}

fn load(path: &std::path::Path) -> anyhow::Result<Config> {
    Ok(Config::load(path)?)
}

fn operate(config_path: &std::path::Path, command: Command) -> anyhow::Result<()> {
    use ccmp::connect::connect_all;
    match command {
        Command::Deploy(DeployArgs {}) => {
            let config = load(config_path)?;
            let ids: Vec<String> = config.chains.keys().cloned().collect();
            runtime()?.block_on(async {
                let chains = connect_all(&config, &ids).await?;
                let outcome = ccmp::deploy::run_config(&config, &chains).await?;
                print(&outcome.to_text(&config.deployment.file))
            })
        }
        Command::Status(args) => {
            let config = load(config_path)?;
            let ids = ccmp::status::chains_needed(&args, &config)?;
            runtime()?.block_on(async {
                let chains = connect_all(&config, &ids).await?;
                print(&ccmp::status::run(&args, &config, &chains).await?)
            })
        }
        Command::Attest(args) => {
            let config = load(config_path)?;
            match &args.command {
                Some(ccmp::attest::AttestCommand::SignRotation(sign)) => {
                    let signed = ccmp::attest::sign_rotation(&config, sign)?;
                    print(&format!("{}\n", serde_json::to_string_pretty(&signed)?))
                }
                None => {
                    let (source, _) = config.attester_source()?;
                    // Before any connection: the key file and the deployment.
                    let deployment = ccmp::deploy::load_deployment(&config)?;
                    let service = ccmp::attest::service_config(&config, &deployment)?;
                    ccmp_attester::load_key(&service.key_path).context("attester.key_file")?;
                    runtime()?.block_on(async {
                        let shutdown = ccmp::signal::shutdown_on_signals();
                        let chains = connect_all(&config, &[source]).await?;
                        ccmp::attest::run(&config, &chains, shutdown).await
                    })
                }
            }
        }
        Command::Relay(RelayArgs {}) => {
            let config = load(config_path)?;
            let ids = config.relayer_chains()?;
            runtime()?.block_on(async {
                // Before any connection: the deployment and the attesters.
                let service = ccmp::relay::service_config(&config)?;
                if config
                    .relayer
                    .as_ref()
                    .is_some_and(|r| r.check_attesters_at_start)
                {
                    ccmp::relay::check_attesters(&service).await?;
                }
                let shutdown = ccmp::signal::shutdown_on_signals();
                let chains = connect_all(&config, &ids).await?;
                ccmp::relay::run(&config, &chains, shutdown).await
            })
        }
        Command::Demo(args) => ccmp::demo::run(args),
        Command::Keys(args) => ccmp::keys::run(args),
        Command::Inspect(args) => ccmp::inspect::run(args),
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    ccmp::logging::init(&cli.log, cli.log_json);
    match operate(&cli.config, cli.command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // One line: the causes joined (`{:#}`), newlines folded.
            let text = format!("{err:#}").replace('\n', " ");
            eprintln!("error: {text}");
            std::process::ExitCode::FAILURE
        }
    }
}
