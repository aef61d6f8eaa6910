//! The `netra` command line: serve, migrate, seed, token, schema, policy,
//! audit. Parsing and dispatch only; each command calls into the library.

use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::app::{self, AppState};
use crate::auth::DevIssuer;
use crate::config::{Config, ConfigArgs, Environment};
use crate::{db, reference, seed};

/// netra: neutrality cases of officials in the 2024 regional elections, shared between agencies.
#[derive(Parser, Debug)]
#[command(name = "netra", version, about)]
pub struct Cli {
    /// The configuration: options, or their environment variables.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate the database and serve HTTP; prints the URL of the IDE.
    Serve {
        /// Fill an empty database with the demo data first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply migrations and load reference data.
    Migrate,
    /// Load demo or synthetic data.
    Seed {
        /// Which data.
        #[command(subcommand)]
        what: SeedCommand,
    },
    /// Mint a token from the development issuer (needs NETRA_DEV_SECRET); touches no database.
    Token {
        /// Agency code, e.g. BAWASLU-16.73.
        #[arg(long)]
        agency: String,
        /// Permission to grant (repeatable); default `read`.
        #[arg(long = "permission")]
        permissions: Vec<String>,
        /// Lifetime, e.g. 30m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
        /// Subject (user) of the token.
        #[arg(long, default_value = "dev-user")]
        subject: String,
    },
    /// Print the GraphQL schema (SDL): the full schema, or one view (see docs/schema/README.md).
    Schema {
        /// A view: bawaslu-ri-audit, bawaslu, receiving-agency, ministry, anonymous (inspectorate, regional-government, bkn and polri-tni-gakkumdu name receiving-agency).
        #[arg(long)]
        role: Option<String>,
    },
    /// Print the policy matrix as Markdown.
    Policy,
    /// Work with the audit trail.
    Audit {
        /// What to do.
        #[command(subcommand)]
        what: AuditCommand,
    },
}

/// Commands of `netra audit`.
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the hash chain; report the first break and exit non-zero, or print a summary.
    Verify,
}

/// Data sets of `netra seed`.
#[derive(Subcommand, Debug)]
pub enum SeedCommand {
    /// The demo scenario (idempotent).
    Demo,
    /// Deterministic national-scale data.
    Synthetic {
        /// Officials to create.
        #[arg(long, default_value_t = 1_000_000)]
        officials: u64,
        /// Cases to create.
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Random seed.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
    },
}

/// Parses a lifetime such as `90s`, `30m`, `1h` or `7d`.
pub fn parse_ttl(raw: &str) -> anyhow::Result<Duration> {
    let raw = raw.trim();
    let (num, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
    let n: u64 = num.parse().with_context(|| format!("`{raw}` is not a lifetime like 30m, 1h or 7d"))?;
    let secs = match unit {
        "s" => n,
        "m" | "" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("`{raw}`: the unit must be s, m, h or d"),
    };
    if secs == 0 || secs > 30 * 86_400 {
        bail!("a token lives between 1 second and 30 days");
    }
    Ok(Duration::from_secs(secs))
}

/// Agencies `serve --demo` prints ready tokens for.
pub const DEMO_TOKEN_AGENCIES: [&str; 7] =
    ["BAWASLU-16.73", "BAWASLU-16", "BAWASLU-18", "BAWASLU", "BKN", "PEMDA-16.73", "INSPEKTORAT-16.73"];

/// Runs a parsed command.
pub async fn run(cli: Cli, mut config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema { role: None } => {
            print!("{}", crate::app::schema::sdl());
            Ok(())
        }
        Command::Schema { role: Some(role) } => {
            let parsed = crate::policy::SchemaView::parse(&role).with_context(|| {
                let names: Vec<&str> = crate::policy::SchemaView::ALL.iter().map(|v| v.name()).collect();
                format!("unknown view `{role}`; one of: {}", names.join(", "))
            })?;
            print!("{}", crate::app::sdl::sdl_for_view(parsed).await?);
            Ok(())
        }
        Command::Policy => {
            print!("{}", crate::policy::matrix::markdown());
            Ok(())
        }
        Command::Audit { what: AuditCommand::Verify } => {
            // Read-only: no migration, so verifying never changes the database.
            let database = db::connect(&config.database_url).await?;
            let report = crate::audit::chain::verify(&database).await.context("read the audit trail")?;
            print!("{}", crate::audit::chain::summary(&report));
            match report.broken {
                Some(b) => bail!("audit chain broken at event {}: {}", b.event_id, b.reason),
                None => Ok(()),
            }
        }
        Command::Token { agency, permissions, ttl, subject } => {
            let secret = config.dev_secret.as_ref().context(
                "the development issuer is not configured: set NETRA_DEV_SECRET (32+ characters) to mint tokens",
            )?;
            let perms: Vec<&str> =
                if permissions.is_empty() { vec!["read"] } else { permissions.iter().map(String::as_str).collect() };
            for p in &perms {
                if crate::auth::Permission::parse(p).is_none() {
                    bail!("unknown permission `{p}`: use read, write, publish or audit");
                }
            }
            // The registry ships with the binary: no database is opened (or created).
            if !reference::agencies().iter().any(|a| a.code == agency) {
                bail!("`{agency}` is not an agency in netra's registry (see the `agencies` query)");
            }
            println!("{}", DevIssuer::new(secret).mint(&subject, &agency, &perms, parse_ttl(&ttl)?)?);
            Ok(())
        }
        Command::Migrate => {
            let database = db::connect(&config.database_url).await?;
            db::migrate(&database).await?;
            reference::load(&database).await?;
            eprintln!("migrated {}", db::redact(&config.database_url));
            Ok(())
        }
        Command::Seed { what } => {
            let database = db::connect(&config.database_url).await?;
            db::migrate(&database).await?;
            match what {
                SeedCommand::Demo => {
                    let r = seed::load_demo(&database).await?;
                    eprintln!(
                        "demo data: {} officials, {} cases and {} publications added",
                        r.officials, r.cases, r.publications
                    );
                }
                SeedCommand::Synthetic { officials, cases, seed } => {
                    let opts = seed::synthetic::SyntheticOptions { officials, cases, seed };
                    let r = seed::synthetic::load_synthetic(&database, opts, config.deadlines).await?;
                    eprintln!("synthetic data: {} officials, {} cases, {} rows", r.officials, r.cases, r.rows);
                }
            }
            Ok(())
        }
        Command::Serve { demo } => {
            let acquire = Duration::from_millis(config.db_acquire_timeout_ms);
            // Migrations may wait for a connection as long as tools do; requests may not.
            let setup = db::connect(&config.database_url).await?;
            db::migrate(&setup).await?;
            reference::load(&setup).await?;
            setup.close().await.context("close the setup connection")?;
            let database = db::connect_with(&config.database_url, acquire).await?;
            let mut demo_tokens = Vec::new();
            if demo {
                let r = seed::load_demo(&database).await?;
                if r.cases > 0 {
                    eprintln!("demo data loaded: {} officials, {} cases", r.officials, r.cases);
                }
                // Never in production: there the development issuer stays off (NETRA_DEV_SECRET is refused).
                if config.dev_secret.is_none() && config.environment == Environment::Development {
                    // A secret for this run only: tokens printed below stop working when netra stops.
                    use rand::Rng;
                    let bytes: [u8; 32] = rand::rng().random();
                    config.dev_secret = Some(SecretString::from(hex::encode(bytes)));
                }
                if let Some(secret) = &config.dev_secret {
                    let issuer = DevIssuer::new(secret);
                    for agency in DEMO_TOKEN_AGENCIES {
                        let token =
                            issuer.mint("demo-user", agency, &["read", "write"], Duration::from_secs(12 * 3600))?;
                        demo_tokens.push((agency, token));
                    }
                }
            }
            // Load the trust registry before listening: an invalid one stops the start.
            let listen = config.listen;
            let state = AppState::load(database, config)?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen} (set --listen or NETRA_LISTEN)"))?;
            let addr = listener.local_addr()?;
            println!("netra is serving {} on http://{addr}", db::redact(&state.config.database_url));
            if state.config.ide {
                println!("  GraphiQL:  http://{addr}/graphiql");
            }
            println!("  GraphQL:   http://{addr}/graphql");
            if !demo_tokens.is_empty() {
                println!("  Tokens for this run (header `Authorization: Bearer <token>`, valid 12 h):");
                for (agency, token) in &demo_tokens {
                    println!("    {agency:<14} {token}");
                }
            }
            app::serve(state, listener).await
        }
    }
}
