//! The `netra` binary: reads configuration, starts tracing, runs the command.

use clap::{CommandFactory, Parser};
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: after a burst (3,000
/// connections) it gives the freed pages back, where glibc's per-thread
/// arenas kept them (benches/overload.sh, docs/operations.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Logs to standard error, as `NETRA_LOG_FORMAT` asks: text, or one JSON
/// object per line with the fields of the request span (its id) on each.
fn init_logging(format: netra::config::LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        netra::config::LogFormat::Text => builder.init(),
        netra::config::LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}

fn main() -> std::process::ExitCode {
    let known = netra::config::known_variables(&netra::cli::Cli::command());
    // Still one thread: changing the environment is safe here.
    netra::config::forget_empty_variables(&known);
    let cli = netra::cli::Cli::parse();
    init_logging(cli.config.log_format);
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
