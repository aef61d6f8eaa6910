//! Cases (penanganan): reads, filters and nested records (`service`,
//! `graphql`, `nested`, `loaders`), and the workflow that changes them:
//! intake (`intake`), the engine that runs a step in one transaction
//! (`engine`, `effects`), the steps as pure functions by actor (`steps`),
//! their API entry points (`commands`) and mutations (`mutation`). The state
//! machine itself is `domain::workflow`.

pub mod commands;
pub mod effects;
pub mod engine;
pub mod graphql;
pub mod intake;
pub mod loaders;
pub mod mutation;
pub mod nested;
pub mod service;
pub mod steps;

use sea_orm::{ColumnTrait, Condition};

use crate::domain::sanctions::NOT_SANCTIONS;
use crate::entity::agency_decision;

/// The rows of `agency_decision` that are sanctions: the SQL form of
/// [`crate::domain::sanctions::is_sanction`], for every query that counts or
/// lists sanctions.
pub fn sanction_decisions() -> Condition {
    Condition::all()
        .add(agency_decision::Column::SanctionCode.is_not_null())
        .add(agency_decision::Column::Kind.is_not_in(NOT_SANCTIONS))
}
