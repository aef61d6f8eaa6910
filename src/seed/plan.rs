//! A case's handling as data: the intake form and the steps that follow,
//! each with its actor, its date and its input ([`Act`]). A plan is played
//! either through the API's entry points (`case::intake`, `case::commands`;
//! see `replay`) or by the synthetic generator on cases it keeps in memory
//! (see `memory`); both ask [`Act`] for the API's own step rule, so they
//! cannot drift apart. Every `match` over [`Act`] is exhaustive: a new step
//! is a compile error in both players.

use chrono::{Duration, NaiveDate};
use sea_orm::DatabaseConnection;

use crate::auth::Principal;
use crate::case::commands::{self, Decree, Rules, Step};
use crate::case::effects::Effects;
use crate::case::engine::{Ctx, Loaded};
use crate::case::intake::NewCase;
use crate::case::steps::{bawaslu, bkn, receiver};
use crate::clock::{Clock, Zone};
use crate::domain::{Action, Classification, DecisionOutcome, EscalationKind, ExecutionStatus, SanctionCode};
use crate::entity::case;
use crate::error::AppResult;

/// One step of the process with its input.
#[derive(Debug, Clone)]
pub enum Act {
    /// RECEIVED → FORMAL_MATERIAL_CHECK.
    StartFormalCheck,
    /// → REGISTERED or NOT_REGISTERED, as the requirements decide.
    CompleteFormalCheck,
    /// REGISTERED → CLARIFICATION_ASSESSMENT.
    StartClarification,
    /// The plenary's decision.
    Decide {
        /// The classification.
        classification: Classification,
        /// Whether more information was needed (the extended deadline).
        extended: bool,
    },
    /// DECIDED → FORWARDED, every allegation.
    Forward {
        /// The recommendation letter's number.
        letter_number: String,
    },
    /// FORWARDED → AGENCY_VERIFYING (BKN).
    Acknowledge,
    /// BKN's verification.
    Verify {
        /// Its outcome.
        outcome: DecisionOutcome,
        /// The sanction recommended to the PPK, when proven.
        recommended: Option<SanctionCode>,
    },
    /// SANCTION_RECOMMENDED → OVERDUE_ESCALATED (BKN).
    Escalate {
        /// Record block or warning letter.
        kind: EscalationKind,
        /// The letter's number.
        letter_number: Option<String>,
    },
    /// → PPK_EXAMINATION.
    OpenExamination,
    /// PPK_EXAMINATION → SANCTION_IMPOSED.
    ImposeSanction(Decree),
    /// SANCTION_IMPOSED → ADMIN_APPEAL.
    FileAppeal,
    /// ADMIN_APPEAL → SANCTION_IMPOSED: upheld (`None`) or a new decree.
    ResolveAppeal(Option<Decree>),
    /// SANCTION_IMPOSED → EXECUTION_MONITORING.
    StartMonitoring,
    /// A check of the sanction's execution.
    CheckExecution {
        /// What was found.
        status: ExecutionStatus,
        /// The proof's reference.
        proof_ref: Option<String>,
    },
    /// EXECUTION_MONITORING → CLOSED.
    Close,
    /// CRIMINAL_PROCESS → CLOSED (Gakkumdu).
    RecordVerdict {
        /// Guilty or acquitted.
        guilty: bool,
        /// The verdict's number.
        number: String,
    },
}

impl Act {
    /// The workflow action this is.
    pub fn action(&self) -> Action {
        match self {
            Self::StartFormalCheck => Action::StartFormalCheck,
            Self::CompleteFormalCheck => Action::CompleteFormalCheck,
            Self::StartClarification => Action::StartClarification,
            Self::Decide { .. } => Action::Decide,
            Self::Forward { .. } => Action::Forward,
            Self::Acknowledge => Action::Acknowledge,
            Self::Verify { .. } => Action::Verify,
            Self::Escalate { .. } => Action::Escalate,
            Self::OpenExamination => Action::OpenExamination,
            Self::ImposeSanction(_) => Action::ImposeSanction,
            Self::FileAppeal => Action::FileAppeal,
            Self::ResolveAppeal(_) => Action::ResolveAppeal,
            Self::StartMonitoring => Action::StartMonitoring,
            Self::CheckExecution { .. } => Action::CheckExecution,
            Self::Close => Action::Close,
            Self::RecordVerdict { .. } => Action::RecordVerdict,
        }
    }

    /// The API's step rule applied to an in-memory case (pure).
    pub fn effects(&self, loaded: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
        match self {
            Self::StartFormalCheck => bawaslu::start_formal_check(loaded, ctx),
            Self::CompleteFormalCheck => bawaslu::complete_formal_check(loaded, ctx),
            Self::StartClarification => bawaslu::start_clarification(loaded, ctx),
            Self::Decide { classification, extended } => bawaslu::decide(loaded, ctx, *classification, *extended),
            Self::Forward { letter_number } => bawaslu::forward(loaded, ctx, letter_number, &[]),
            Self::Acknowledge => bkn::acknowledge(loaded, ctx),
            Self::Verify { outcome, recommended } => bkn::verify(loaded, ctx, *outcome, *recommended),
            Self::Escalate { kind, letter_number } => bkn::escalate(loaded, ctx, *kind, letter_number.as_deref()),
            Self::OpenExamination => receiver::open_examination(loaded, ctx),
            Self::ImposeSanction(decree) => receiver::impose_sanction(loaded, ctx, decree),
            Self::FileAppeal => receiver::file_appeal(loaded, ctx),
            Self::ResolveAppeal(changed) => receiver::resolve_appeal(loaded, ctx, changed.as_ref()),
            Self::StartMonitoring => receiver::start_monitoring(loaded, ctx),
            Self::CheckExecution { status, proof_ref } => {
                receiver::check_execution(loaded, ctx, *status, proof_ref.as_deref())
            }
            Self::Close => bawaslu::close(loaded, ctx),
            Self::RecordVerdict { guilty, number } => receiver::record_verdict(loaded, ctx, *guilty, number),
        }
    }

    /// The step through the API's entry point (`case::commands`), as `viewer`.
    pub async fn run(
        &self,
        db: &DatabaseConnection,
        viewer: &Principal,
        rules: Rules,
        step: Step,
    ) -> AppResult<case::Model> {
        let v = Some(viewer);
        match self.clone() {
            Self::StartFormalCheck => commands::start_formal_check(db, v, rules, step).await,
            Self::CompleteFormalCheck => commands::complete_formal_check(db, v, rules, step).await,
            Self::StartClarification => commands::start_clarification(db, v, rules, step).await,
            Self::Decide { classification, extended } => {
                commands::decide(db, v, rules, step, classification, extended).await
            }
            Self::Forward { letter_number } => commands::forward(db, v, rules, step, letter_number, vec![]).await,
            Self::Acknowledge => commands::acknowledge(db, v, rules, step).await,
            Self::Verify { outcome, recommended } => commands::verify(db, v, rules, step, outcome, recommended).await,
            Self::Escalate { kind, letter_number } => commands::escalate(db, v, rules, step, kind, letter_number).await,
            Self::OpenExamination => commands::open_examination(db, v, rules, step).await,
            Self::ImposeSanction(decree) => commands::impose_sanction(db, v, rules, step, decree).await,
            Self::FileAppeal => commands::file_appeal(db, v, rules, step).await,
            Self::ResolveAppeal(changed) => commands::resolve_appeal(db, v, rules, step, changed).await,
            Self::StartMonitoring => commands::start_monitoring(db, v, rules, step).await,
            Self::CheckExecution { status, proof_ref } => {
                commands::check_execution(db, v, rules, step, status, proof_ref).await
            }
            Self::Close => commands::close(db, v, rules, step).await,
            Self::RecordVerdict { guilty, number } => {
                commands::record_verdict(db, v, rules, step, guilty, number).await
            }
        }
    }
}

/// A step of a plan: who takes it, on which day, with which input.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    /// Registry code of the acting agency.
    pub actor: String,
    /// The day the step is dated.
    pub on: NaiveDate,
    /// The reference of the document behind it.
    pub document_ref: Option<String>,
    /// The step and its input.
    pub act: Act,
}

/// A case from intake to the state it reaches.
#[derive(Debug, Clone)]
pub struct CasePlan {
    /// Registry code of the receiving Bawaslu office.
    pub handling: String,
    /// The intake form (subjects named by id; `received_on` set).
    pub intake: NewCase,
    /// The steps after intake, in order.
    pub steps: Vec<PlannedStep>,
}

/// The clock a plan's step `index` (0 = intake) runs under: the step's day
/// at 09:00 in the acting office's zone, one minute per step later, so that
/// every step is recorded as if entered on its day.
pub fn clock_for(on: NaiveDate, zone: Zone, index: usize) -> Clock {
    let minutes = i64::try_from(index).unwrap_or(0).min(600);
    let local = on.and_hms_opt(9, 0, 0).expect("BUG: 09:00 exists") + Duration::minutes(minutes);
    let at = local.and_local_timezone(zone.offset()).single().expect("BUG: a fixed offset is unambiguous");
    Clock::fixed(at.with_timezone(&chrono::Utc))
}

/// The common input of step `planned` of `case`.
pub fn step_of(case: &case::Model, planned: &PlannedStep) -> Step {
    Step {
        number: case.number.clone(),
        expected_version: case.version,
        on: Some(planned.on),
        document_ref: planned.document_ref.clone(),
        note: None,
    }
}
