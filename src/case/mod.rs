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

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition};

use crate::domain::sanctions::NOT_SANCTIONS;
use crate::domain::CaseState;
use crate::entity::{agency_decision, case};

/// States in which no step's deadline runs any more: the case ended.
const ENDED: [CaseState; 2] = [CaseState::Closed, CaseState::NotRegistered];

/// Whether case `m` is past its current step's deadline on `today` (the
/// caller's local date): it has not ended and the deadline lies before
/// today. [`overdue`] is the same rule in SQL; `Case.overdue` and the
/// `overdue` filter of `cases` use these two and nothing else.
pub fn is_overdue(m: &case::Model, today: NaiveDate) -> bool {
    !ENDED.contains(&m.state) && m.deadline_on.is_some_and(|d| d < today)
}

/// The rows of `case` that [`is_overdue`] holds for on `today`.
pub fn overdue(today: NaiveDate) -> Condition {
    Condition::all()
        .add(case::Column::State.is_not_in(ENDED))
        .add(case::Column::DeadlineOn.is_not_null())
        .add(case::Column::DeadlineOn.lt(today))
}

/// The rows of `agency_decision` that are sanctions: the SQL form of
/// [`crate::domain::sanctions::is_sanction`], for every query that counts or
/// lists sanctions.
pub fn sanction_decisions() -> Condition {
    Condition::all()
        .add(agency_decision::Column::SanctionCode.is_not_null())
        .add(agency_decision::Column::Kind.is_not_in(NOT_SANCTIONS))
}
