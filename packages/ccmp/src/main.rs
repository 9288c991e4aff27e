//! `ccmp`: the one program of the bridge's operators, attesters, relayers and integrators.

use clap::{Parser, Subcommand};

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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Starts two chains in this process, deploys the bridge, runs attesters and relayers
    /// and sends messages both ways; ends with a summary and fails if a message is lost or
    /// processed twice.
    Demo(ccmp::demo::DemoArgs),
    /// Generates or shows attester and account key files (only public parts are printed).
    Keys(ccmp::keys::KeysArgs),
    /// Decodes messages, computes ids and digests, verifies proofs offline.
    Inspect(ccmp::inspect::InspectArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    ccmp::logging::init(&cli.log, cli.log_json);
    let result = match cli.command {
        Command::Demo(args) => ccmp::demo::run(args),
        Command::Keys(args) => ccmp::keys::run(args),
        Command::Inspect(args) => ccmp::inspect::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
