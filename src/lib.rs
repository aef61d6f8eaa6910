//! netra: a GraphQL API through which Indonesian agencies — Bawaslu, regional
//! inspectorates, regional governments and BKN — share the cases of officials
//! who broke political neutrality in the 2024 regional elections. Each caller
//! sees only what its agency may see.
//!
//! Map of the crate (a module imports only modules below it):
//! - [`app`]: HTTP router, middleware, `serve`, the GraphQL endpoint and the
//!   schema assembled from the slices.
//! - [`cli`], [`seed`]: the command line; demo and synthetic data.
//! - [`publication`], [`statistics`]: published and live statistics.
//! - [`case`], [`official`], [`reference`]: domain slices (types, services,
//!   resolvers, loaders); `case` holds the workflow engine and its steps.
//! - [`idempotency`]: the stored first answers of `Idempotency-Key` mutations.
//! - [`change`]: the change feed (outbox, `changes`, subscriptions, webhooks).
//! - [`audit`]: the tamper-evident audit trail of reads and writes.
//! - [`graphql`]: the resolvers' toolkit: caller, batch loaders, guard, global ids.
//! - [`policy`]: the one authorization module.
//! - [`auth`]: bearer token → `Principal`; nothing else.
//! - [`registry`]: the agency registry and region tree in memory, for `auth`.
//! - [`rate_limit`], [`metrics`]: keyed rate limits; the `/metrics` registry.
//! - [`domain`], [`entity`], [`pagination`], [`clock`], [`db`], [`config`], [`error`]: foundations.
//!
//! The allowed directions are written down in `docs/architecture.md` and
//! checked by `tests/api/layering.rs`.

pub mod app;
pub mod audit;
pub mod auth;
pub mod case;
pub mod change;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod error;
pub mod graphql;
pub mod idempotency;
pub mod metrics;
pub mod official;
pub mod pagination;
pub mod policy;
pub mod publication;
pub mod rate_limit;
pub mod reference;
pub mod registry;
pub mod security_headers;
pub mod seed;
pub mod statistics;
