//! The API's workflow steps: one async function per step, each a thin call
//! of [`engine::run`] with the step's pure rule from `steps`. Input that
//! needs no case (a missing note, an empty list) is refused before the
//! transaction opens.

use sea_orm::DatabaseConnection;

use super::engine;
pub use super::engine::{Rules, Step};
pub use super::steps::receiver::Decree;
use super::steps::{bawaslu, bkn, receiver};
use crate::auth::Principal;
use crate::domain::{Action, Classification, DecisionOutcome, EscalationKind, ExecutionStatus, SanctionCode};
use crate::entity::case;
use crate::error::{AppError, AppResult};

/// Runs `action` with `rule` and no extra agency codes.
async fn run<R>(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    d: Rules,
    step: Step,
    action: Action,
    rule: R,
) -> AppResult<case::Model>
where
    R: FnOnce(&engine::Loaded, &engine::Ctx<'_>) -> AppResult<super::effects::Effects> + Send + 'static,
{
    engine::run(db, viewer, d, step, action, Vec::new(), rule).await
}

/// RECEIVED → FORMAL_MATERIAL_CHECK.
pub async fn start_formal_check(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::StartFormalCheck, bawaslu::start_formal_check).await
}

/// FORMAL_MATERIAL_CHECK → REGISTERED or NOT_REGISTERED.
pub async fn complete_formal_check(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::CompleteFormalCheck, bawaslu::complete_formal_check).await
}

/// RECEIVED → RECEIVED at another Bawaslu office whose jurisdiction covers the place.
pub async fn transfer(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    to_agency_code: String,
) -> AppResult<case::Model> {
    let codes = vec![to_agency_code.trim().to_owned()];
    engine::run(db, viewer, rules, step, Action::Transfer, codes, move |l, c| bawaslu::transfer(l, c, &to_agency_code))
        .await
}

/// REGISTERED → CLARIFICATION_ASSESSMENT.
pub async fn start_clarification(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::StartClarification, bawaslu::start_clarification).await
}

/// The plenary's decision (see [`bawaslu::decide`]).
pub async fn decide(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    classification: Classification,
    extended: bool,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::Decide, move |l, c| bawaslu::decide(l, c, classification, extended)).await
}

/// DECIDED → FORWARDED (see [`bawaslu::forward`]).
pub async fn forward(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    letter_number: String,
    allegation_ids: Vec<i64>,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::Forward, move |l, c| bawaslu::forward(l, c, &letter_number, &allegation_ids))
        .await
}

/// FORWARDED → AGENCY_VERIFYING.
pub async fn acknowledge(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::Acknowledge, bkn::acknowledge).await
}

/// BKN's verification (see [`bkn::verify`]).
pub async fn verify(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    outcome: DecisionOutcome,
    recommended: Option<SanctionCode>,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::Verify, move |l, c| bkn::verify(l, c, outcome, recommended)).await
}

/// → PPK_EXAMINATION.
pub async fn open_examination(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::OpenExamination, receiver::open_examination).await
}

/// PPK_EXAMINATION → SANCTION_IMPOSED.
pub async fn impose_sanction(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    decree: Decree,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::ImposeSanction, move |l, c| receiver::impose_sanction(l, c, &decree)).await
}

/// SANCTION_IMPOSED → ADMIN_APPEAL.
pub async fn file_appeal(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::FileAppeal, receiver::file_appeal).await
}

/// ADMIN_APPEAL → SANCTION_IMPOSED.
pub async fn resolve_appeal(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    changed: Option<Decree>,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::ResolveAppeal, move |l, c| receiver::resolve_appeal(l, c, changed.as_ref()))
        .await
}

/// SANCTION_IMPOSED → EXECUTION_MONITORING.
pub async fn start_monitoring(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::StartMonitoring, receiver::start_monitoring).await
}

/// A check of the sanction's execution.
pub async fn check_execution(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    status: ExecutionStatus,
    proof_ref: Option<String>,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::CheckExecution, move |l, c| {
        receiver::check_execution(l, c, status, proof_ref.as_deref())
    })
    .await
}

/// EXECUTION_MONITORING → CLOSED (sanction executed).
pub async fn close(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::Close, bawaslu::close).await
}

/// SANCTION_RECOMMENDED → OVERDUE_ESCALATED.
pub async fn escalate(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    kind: EscalationKind,
    letter_number: Option<String>,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::Escalate, move |l, c| bkn::escalate(l, c, kind, letter_number.as_deref()))
        .await
}

/// CRIMINAL_PROCESS → CLOSED (criminal verdict).
pub async fn record_verdict(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    guilty: bool,
    decree_number: String,
) -> AppResult<case::Model> {
    run(db, viewer, rules, step, Action::RecordVerdict, move |l, c| {
        receiver::record_verdict(l, c, guilty, &decree_number)
    })
    .await
}

/// A correction recorded as a new timeline event.
pub async fn correct(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
) -> AppResult<case::Model> {
    if step.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("note", "say what is corrected"));
    }
    run(db, viewer, rules, step, Action::Correct, bawaslu::correct).await
}
