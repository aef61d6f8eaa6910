//! The `netra` binary: reads configuration, starts tracing, runs the command.

use clap::{CommandFactory, Parser};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let known = netra::config::known_variables(&netra::cli::Cli::command());
    // Still one thread: changing the environment is safe here.
    netra::config::forget_empty_variables(&known);
    let cli = netra::cli::Cli::parse();
    for warning in
        netra::config::unknown_variables(&known, std::env::vars_os().filter_map(|(name, _)| name.into_string().ok()))
    {
        tracing::warn!("{warning}");
    }
    let result = match netra::config::Config::from_args(cli.config.clone()) {
        Ok(config) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(netra::cli::run(cli, config))),
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
