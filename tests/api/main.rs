//! netra's integration tests: the real router over real databases (SQLite
//! always; PostgreSQL too when NETRA_TEST_POSTGRES_URL is set).
#![allow(clippy::unwrap_used)]

mod audit;
mod auth;
mod cases;
pub(crate) mod changes;
mod cli;
mod clock;
mod cors;
mod disclosure;
mod docs;
mod edge;
mod errors;
mod faults;
mod filters;
mod follow_up;
mod generator;
mod helpers;
mod http;
mod ide;
mod input;
mod introspection;
mod layering;
mod leaks;
mod limits;
mod loaders;
mod lookahead;
mod matrix;
mod nodes;
mod order;
mod paging;
mod panwascam;
mod publications;
mod reference;
mod registry;
mod schema;
mod scope;
mod seed;
mod statistics;
mod trust;
mod trusted;
mod types;
mod workflow;
