//! GraphQL mutations for every step of the process: thin wrappers that turn
//! inputs into validated domain values and call `intake` and `commands`.
//! Each returns the case as the caller now sees it. The inputs live in
//! `intake_input` (intake, evidence) and `step_input` (the steps).

mod intake_input;
mod step_input;

use async_graphql::{Context, Object, SimpleObject};

pub use self::intake_input::{
    AddEvidenceInput, AllegationInput, EvidenceInput, NewOfficialInput, ReceiveCaseInput, ReporterInput,
};
pub use self::step_input::{
    DecideCaseInput, DecreeInput, EscalateInput, ExecutionCheckInput, ForwardCaseInput, ImposeSanctionInput,
    ResolveAppealInput, StepInput, TransferCaseInput, VerdictInput, VerifyForwardingInput,
};
use super::commands::{self, Decree, Rules};
use super::graphql::Case;
use super::intake::{self, NewCase, NewEvidence};
use crate::error::{AppError, AppResult, IntoGql};
use crate::graphql::node::parse_global_id;
use crate::graphql::ContextExt;

/// What a mutation returns.
#[derive(SimpleObject)]
pub struct CasePayload {
    /// The case after the step.
    pub case: Case,
}

/// Runs a step's service with the mutation's audit entry in scope; the step
/// appends it inside its own transaction.
async fn audited<F>(ctx: &Context<'_>, field: &str, service: F) -> async_graphql::Result<CasePayload>
where
    F: std::future::Future<Output = AppResult<crate::entity::case::Model>>,
{
    let entry = crate::audit::write_entry(ctx, field).gql()?;
    crate::audit::scoped_write(entry, service).await.map(|m| CasePayload { case: Case::from(m) }).gql()
}

/// The workflow's mutations.
#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// Record a report (laporan) or a finding (temuan) as the caller's Bawaslu office. Starts RECEIVED.
    async fn receive_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The report or finding: source, election, place, dates, summary, allegations, evidence and (for a report) the reporter."
        )]
        input: ReceiveCaseInput,
    ) -> async_graphql::Result<CasePayload> {
        let new = NewCase::try_from(input).gql()?;
        audited(ctx, "receiveCase", intake::receive_case(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), new)).await
    }
    /// RECEIVED → FORMAL_MATERIAL_CHECK (handling office).
    async fn start_formal_check(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "startFormalCheck",
            commands::start_formal_check(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// FORMAL_MATERIAL_CHECK → REGISTERED, or NOT_REGISTERED with the reason when late or incomplete (handling office).
    async fn complete_formal_check(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The case, the `version` last read, and the step's date, document reference and note. A late or incomplete report needs `notRegisteredReason`."
        )]
        input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "completeFormalCheck",
            commands::complete_formal_check(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// RECEIVED → RECEIVED at another Bawaslu office whose jurisdiction covers the place (handling office).
    async fn transfer_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and the Bawaslu office that takes the case over.")] input: TransferCaseInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "transferCase",
            commands::transfer(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.to_agency_code,
            ),
        )
        .await
    }
    /// REGISTERED → CLARIFICATION_ASSESSMENT (handling office).
    async fn start_clarification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "startClarification",
            commands::start_clarification(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// The plenary's decision: CLOSED (no violation; KPU track), DECIDED (neutrality track) or CRIMINAL_PROCESS (handling office).
    async fn decide_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and the plenary's classification of the case.")] input: DecideCaseInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "decideCase",
            commands::decide(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.classification,
                input.extended,
            ),
        )
        .await
    }
    /// DECIDED → FORWARDED: recommendations to the competent agencies, routed by subject kind (handling office).
    async fn forward_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and the proven allegations to forward, each to its competent agency.")]
        input: ForwardCaseInput,
    ) -> async_graphql::Result<CasePayload> {
        let mut ids = Vec::new();
        for id in &input.allegation_ids {
            match parse_global_id(id) {
                Some((kind, key)) if kind == "Allegation" => ids.push(
                    key.parse::<i64>().map_err(|_| AppError::invalid("allegationIds", "not an allegation id")).gql()?,
                ),
                _ => return Err(AppError::invalid("allegationIds", "not an allegation id")).gql(),
            }
        }
        audited(
            ctx,
            "forwardCase",
            commands::forward(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.letter_number,
                ids,
            ),
        )
        .await
    }
    /// FORWARDED → AGENCY_VERIFYING (BKN, for ASN subjects).
    async fn acknowledge_forwarding(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "acknowledgeForwarding",
            commands::acknowledge(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// AGENCY_VERIFYING → SANCTION_RECOMMENDED (proven) or CLOSED (BKN).
    async fn verify_forwarding(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and BKN's verification: the outcome and, when proven, the recommended sanction.")]
        input: VerifyForwardingInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "verifyForwarding",
            commands::verify(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.outcome,
                input.recommended_sanction,
            ),
        )
        .await
    }
    /// → PPK_EXAMINATION (the PPK's government; Polri or TNI for their members).
    async fn open_examination(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "openExamination",
            commands::open_examination(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// PPK_EXAMINATION → SANCTION_IMPOSED with the decree (PPK).
    async fn impose_sanction(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and the terms of the PPK's sanction decree (SK).")] input: ImposeSanctionInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "imposeSanction",
            commands::impose_sanction(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.decree.into(),
            ),
        )
        .await
    }
    /// SANCTION_IMPOSED → ADMIN_APPEAL (PPK).
    async fn file_appeal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(ctx, "fileAppeal", commands::file_appeal(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()))
            .await
    }
    /// ADMIN_APPEAL → SANCTION_IMPOSED, upheld or with a changed decree (PPK).
    async fn resolve_appeal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and, when the appeal changed the sanction, the new decree.")]
        input: ResolveAppealInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "resolveAppeal",
            commands::resolve_appeal(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.changed_decree.map(Decree::from),
            ),
        )
        .await
    }
    /// SANCTION_IMPOSED → EXECUTION_MONITORING (PPK).
    async fn start_monitoring(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "startMonitoring",
            commands::start_monitoring(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// Record a check of the sanction's execution (PPK, its inspectorate, or the handling office).
    async fn record_execution_check(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and what the check of the sanction's execution found.")] input: ExecutionCheckInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "recordExecutionCheck",
            commands::check_execution(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.status,
                input.proof_ref,
            ),
        )
        .await
    }
    /// SANCTION_RECOMMENDED → OVERDUE_ESCALATED after the PPK's due date (BKN).
    async fn escalate_overdue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and the measure taken against the overdue PPK.")] input: EscalateInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "escalateOverdue",
            commands::escalate(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.kind,
                input.letter_number,
            ),
        )
        .await
    }
    /// CRIMINAL_PROCESS → CLOSED with the verdict (Gakkumdu).
    async fn record_verdict(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The step and the court's verdict on the criminal track.")] input: VerdictInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "recordVerdict",
            commands::record_verdict(
                ctx.db(),
                ctx.viewer(),
                Rules::of(ctx.config()),
                input.step.into(),
                input.guilty,
                input.verdict_number,
            ),
        )
        .await
    }
    /// EXECUTION_MONITORING → CLOSED once a check found the sanction carried out (handling office).
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case, the `version` last read, and the step's date, document reference and note.")] input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(ctx, "closeCase", commands::close(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into())).await
    }
    /// Add evidence metadata while the handling office works on the case.
    async fn add_evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case and the evidence metadata to add.")] input: AddEvidenceInput,
    ) -> async_graphql::Result<CasePayload> {
        let items = input.evidence.into_iter().map(NewEvidence::from).collect();
        audited(
            ctx,
            "addEvidence",
            intake::add_evidence(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.step.into(), items),
        )
        .await
    }
    /// Record a correction as a new timeline event (`note` says what); history is never edited.
    async fn record_correction(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The case, the `version` last read, and the step's date, document reference and note. The note says what was corrected."
        )]
        input: StepInput,
    ) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "recordCorrection",
            commands::correct(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
}
