//! The inputs of the workflow's steps: the fields every step carries
//! (`StepInput`) and each step's own, converted into `case::commands` values.

use crate::graphql::scalars::Date;
use async_graphql::{InputObject, ID};

use crate::case::commands::{Decree, Step};
use crate::domain::{Classification, DecisionOutcome, EscalationKind, ExecutionStatus, SanctionCode};

/// The fields every step carries.
#[derive(InputObject)]
pub struct StepInput {
    /// The case number.
    pub case_number: String,
    /// The `version` the caller last read; if the case changed since, the step is refused with CONFLICT.
    pub expected_version: i32,
    /// When the step happened (default today); never in the future.
    pub on: Option<Date>,
    /// Reference of the document behind the step (minutes, letter, decree).
    pub document_ref: Option<String>,
    /// Free-text note.
    pub note: Option<String>,
}

impl From<StepInput> for Step {
    fn from(i: StepInput) -> Self {
        Self {
            number: i.case_number,
            expected_version: i.expected_version,
            on: i.on.map(Into::into),
            document_ref: i.document_ref,
            note: i.note,
        }
    }
}

/// Hand the case to another Bawaslu tier.
#[derive(InputObject)]
pub struct TransferCaseInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// Agency code of the Bawaslu office taking over.
    pub to_agency_code: String,
}

/// The plenary's decision.
#[derive(InputObject)]
pub struct DecideCaseInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// The classification (BRIEF §4.3).
    pub classification: Classification,
    /// Whether more information was needed (allows the 2-day extension).
    #[graphql(default)]
    pub extended: bool,
}

/// Forward proven allegations.
#[derive(InputObject)]
pub struct ForwardCaseInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// Number of the recommendation letter.
    pub letter_number: String,
    /// The proven allegations (default: all).
    #[graphql(default)]
    pub allegation_ids: Vec<ID>,
}

/// BKN's verification.
#[derive(InputObject)]
pub struct VerifyForwardingInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// PROVEN, NOT_PROVEN, CANCELLED, REJECTED or SUBJECT_SEPARATED.
    pub outcome: DecisionOutcome,
    /// The sanction BKN recommends to the PPK (required when proven).
    pub recommended_sanction: Option<SanctionCode>,
}

/// The terms of a sanction decree (SK).
#[derive(InputObject)]
pub struct DecreeInput {
    /// Sanction code, consistent with the act's track and default severity.
    pub sanction_code: SanctionCode,
    /// Duration in months, where the sanction has one (TUKIN_CUT_25: 6, 9 or 12).
    pub duration_months: Option<i32>,
    /// Decree (SK) number.
    pub decree_number: String,
    /// First day in force (default: the day after the decree).
    pub effective_from: Option<Date>,
}

impl From<DecreeInput> for Decree {
    fn from(d: DecreeInput) -> Self {
        Self {
            code: d.sanction_code,
            duration_months: d.duration_months,
            number: d.decree_number,
            effective_from: d.effective_from.map(Into::into),
        }
    }
}

/// The PPK's decree.
#[derive(InputObject)]
pub struct ImposeSanctionInput {
    #[graphql(flatten)]
    pub step: StepInput,
    #[graphql(flatten)]
    pub decree: DecreeInput,
}

/// The outcome of an appeal.
#[derive(InputObject)]
pub struct ResolveAppealInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// The new decree when the appeal changed the sanction; absent when upheld.
    pub changed_decree: Option<DecreeInput>,
}

/// A check of the sanction's execution.
#[derive(InputObject)]
pub struct ExecutionCheckInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// What was found.
    pub status: ExecutionStatus,
    /// Reference of the proof (required for DONE).
    pub proof_ref: Option<String>,
}

/// An escalation against an overdue PPK.
#[derive(InputObject)]
pub struct EscalateInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// SIASN_BLOCK or WARNING_LETTER.
    pub kind: EscalationKind,
    /// Letter number.
    pub letter_number: Option<String>,
}

/// A court verdict on the criminal track.
#[derive(InputObject)]
pub struct VerdictInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// Whether the court found the subject guilty.
    pub guilty: bool,
    /// Verdict number.
    pub verdict_number: String,
}
