//! Cases (penanganan): reads, filters and nested records (`service`,
//! `graphql`, `nested`), and the workflow that changes them: the state machine
//! (`workflow`), intake (`intake`), the steps (`commands`) and their mutations
//! (`mutation`).

pub mod commands;
pub mod follow_up;
pub mod graphql;
pub mod intake;
pub mod mutation;
pub mod nested;
pub mod service;
pub mod workflow;
