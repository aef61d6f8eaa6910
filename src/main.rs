//! The `netra` binary: reads configuration, starts tracing, runs the command.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let cli = netra::cli::Cli::parse();
    let result = match netra::config::Config::from_env() {
        Ok(config) => netra::cli::run(cli, config).await,
        Err(e) => Err(e.context("invalid configuration")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netra: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
