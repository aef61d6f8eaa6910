//! netra: a GraphQL API through which Indonesian agencies — Bawaslu, regional
//! inspectorates, regional governments and BKN — share the cases of officials
//! who broke political neutrality in the 2024 regional elections. Each caller
//! sees only what its agency may see.
//!
//! Map of the crate (dependencies point down the list):
//! - [`app`]: HTTP router, middleware and `serve`.
//! - [`graphql`]: schema assembly, handler, loaders, connections, node ids.
//! - [`case`], [`official`], [`reference`]: domain slices (types, services, resolvers).
//! - [`statistics`]: live breakdowns and disclosure control of published tables.
//! - [`publication`]: Bawaslu's published statistics, in GraphQL and as open data.
//! - [`policy`]: the one authorization module.
//! - [`audit`]: the tamper-evident audit trail of reads and writes.
//! - [`auth`]: bearer token → `Principal`; nothing else.
//! - [`registry`]: the agency registry and region tree in memory, for `auth`.
//! - [`seed`]: demo and synthetic data.
//! - [`domain`], [`entity`], [`db`], [`config`], [`error`]: foundations.

pub mod app;
pub mod audit;
pub mod auth;
pub mod case;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod error;
pub mod graphql;
pub mod official;
pub mod policy;
pub mod publication;
pub mod reference;
pub mod registry;
pub mod security_headers;
pub mod seed;
pub mod statistics;
