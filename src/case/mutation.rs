//! GraphQL mutations for every step of the process: thin wrappers that turn
//! inputs into validated domain values and call `intake` and `commands`.
//! Each returns the case as the caller now sees it.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::commands::{self, Decree, Rules, Step};
use super::graphql::Case;
use super::intake::{self, NewAllegation, NewCase, NewEvidence, NewOfficial, NewReporter, SubjectRef};
use crate::domain::{
    CaseSource, Classification, DecisionOutcome, EscalationKind, EvidenceKind, ExecutionStatus, Nik, Nip,
    PositionClass, RegionCode, ReporterKind, SanctionCode, SubjectKind, ViolationCode,
};
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

fn region(field: &str, raw: &str) -> AppResult<RegionCode> {
    RegionCode::parse(raw).map_err(|_| AppError::invalid(field, format!("'{raw}' is not a region code")))
}

/// The fields every step carries.
#[derive(InputObject)]
pub struct StepInput {
    /// The case number.
    pub case_number: String,
    /// The `version` the caller last read; if the case changed since, the step is refused with CONFLICT.
    pub expected_version: i32,
    /// When the step happened (default today); never in the future.
    pub on: Option<NaiveDate>,
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
            on: i.on,
            document_ref: i.document_ref,
            note: i.note,
        }
    }
}

/// A person not yet in netra.
#[derive(InputObject)]
pub struct NewOfficialInput {
    /// Kind of subject.
    pub subject_kind: SubjectKind,
    /// NIP / NI PPPK: required for PNS, PPPK and camat/lurah, refused for others.
    pub nip: Option<String>,
    /// NRP, for TNI and Polri.
    pub nrp: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Position (jabatan).
    pub position: String,
    /// Position class.
    pub position_class: Option<PositionClass>,
    /// Grade (golongan).
    pub grade: Option<String>,
    /// Agency code of the employer, e.g. `PEMDA-16.73`.
    pub employer_code: String,
    /// Region code of the workplace.
    pub work_region_code: String,
}

/// One official × one act. Name the official by exactly one of `officialId`, `nip`, `newOfficial`.
#[derive(InputObject)]
pub struct AllegationInput {
    /// Global id of an official already in netra.
    pub official_id: Option<ID>,
    /// Exact NIP of an official already in netra.
    pub nip: Option<String>,
    /// A new official.
    pub new_official: Option<NewOfficialInput>,
    /// The act.
    pub violation_code: ViolationCode,
    /// When it happened.
    pub act_on: NaiveDate,
    /// Where it happened (default: the case's place).
    pub place_code: Option<String>,
    /// What happened.
    pub description: String,
}

/// The reporter of a laporan.
#[derive(InputObject)]
pub struct ReporterInput {
    /// Voter, monitor or candidate side.
    pub kind: ReporterKind,
    /// Full name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// NIK (16 digits); required to register the report.
    pub nik: Option<String>,
    /// Where the reporter votes; required to register the report.
    pub voter_region_code: Option<String>,
}

/// Evidence metadata; file upload is not part of netra.
#[derive(InputObject)]
pub struct EvidenceInput {
    /// Kind.
    pub kind: EvidenceKind,
    /// What it shows.
    pub description: String,
    /// SHA-256 of the file (64 hex digits).
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: Option<i64>,
    /// Link, for URL evidence.
    pub url: Option<String>,
    /// When it was captured (UTC).
    pub captured_at: DateTime<Utc>,
}

impl From<EvidenceInput> for NewEvidence {
    fn from(e: EvidenceInput) -> Self {
        Self {
            kind: e.kind,
            description: e.description,
            sha256: e.sha256,
            size_bytes: e.size_bytes,
            url: e.url,
            captured_at: e.captured_at,
        }
    }
}

/// A new report (laporan) or finding (temuan).
#[derive(InputObject)]
pub struct ReceiveCaseInput {
    /// Laporan (needs `reporter`) or temuan.
    pub source: CaseSource,
    /// Region code of the place.
    pub place_code: String,
    /// Region code of the race concerned: the place's kabupaten/kota (bupati or walikota race) or province (governor race).
    pub election_region_code: String,
    /// When the act happened.
    pub occurred_on: NaiveDate,
    /// When it became known or was found (starts the 7-day window).
    pub known_on: NaiveDate,
    /// When it was received (default today).
    pub received_on: Option<NaiveDate>,
    /// What happened.
    pub summary: String,
    /// The reporter of a laporan.
    pub reporter: Option<ReporterInput>,
    /// The officials and their acts.
    pub allegations: Vec<AllegationInput>,
    /// Evidence metadata.
    #[graphql(default)]
    pub evidence: Vec<EvidenceInput>,
    /// Reference of the intake form or finding document.
    pub document_ref: Option<String>,
}

impl TryFrom<ReceiveCaseInput> for NewCase {
    type Error = AppError;

    fn try_from(i: ReceiveCaseInput) -> AppResult<Self> {
        let mut allegations = Vec::new();
        for (n, a) in i.allegations.into_iter().enumerate() {
            let field = format!("allegations.{n}");
            let subject = match (a.official_id, a.nip, a.new_official) {
                (Some(id), None, None) => match parse_global_id(&id) {
                    Some((kind, key)) if kind == "Official" => SubjectRef::Id(
                        key.parse()
                            .map_err(|_| AppError::invalid(format!("{field}.officialId"), "not an official id"))?,
                    ),
                    _ => return Err(AppError::invalid(format!("{field}.officialId"), "not an official id")),
                },
                (None, Some(nip), None) => SubjectRef::Nip(
                    Nip::parse(&nip).map_err(|_| AppError::invalid(format!("{field}.nip"), "not a valid NIP"))?,
                ),
                (None, None, Some(o)) => SubjectRef::New(NewOfficial {
                    kind: o.subject_kind,
                    nip: o
                        .nip
                        .map(|n| Nip::parse(&n))
                        .transpose()
                        .map_err(|_| AppError::invalid(format!("{field}.newOfficial.nip"), "not a valid NIP"))?,
                    nrp: o.nrp,
                    full_name: o.full_name,
                    position: o.position,
                    position_class: o.position_class,
                    grade: o.grade,
                    employer_code: o.employer_code,
                    work_region: region(&format!("{field}.newOfficial.workRegionCode"), &o.work_region_code)?,
                }),
                _ => {
                    return Err(AppError::invalid(
                        field,
                        "name the official by exactly one of officialId, nip, newOfficial",
                    ))
                }
            };
            allegations.push(NewAllegation {
                subject,
                violation: a.violation_code,
                act_on: a.act_on,
                place: a.place_code.map(|p| region(&format!("{field}.placeCode"), &p)).transpose()?,
                description: a.description,
            });
        }
        let reporter = match i.reporter {
            None => None,
            Some(r) => Some(NewReporter {
                kind: r.kind,
                name: r.name,
                phone: r.phone,
                email: r.email,
                address: r.address,
                nik: r
                    .nik
                    .map(|n| Nik::parse(&n))
                    .transpose()
                    .map_err(|_| AppError::invalid("reporter.nik", "a NIK has exactly 16 digits"))?,
                voter_region: r.voter_region_code.map(|v| region("reporter.voterRegionCode", &v)).transpose()?,
            }),
        };
        Ok(Self {
            source: i.source,
            place: region("placeCode", &i.place_code)?,
            election_region: region("electionRegionCode", &i.election_region_code)?,
            occurred_on: i.occurred_on,
            known_on: i.known_on,
            received_on: i.received_on,
            summary: i.summary,
            reporter,
            allegations,
            evidence: i.evidence.into_iter().map(NewEvidence::from).collect(),
            document_ref: i.document_ref,
        })
    }
}

/// Hand the case to another Bawaslu tier.
#[derive(InputObject)]
pub struct TransferCaseInput {
    #[graphql(flatten)]
    step: StepInput,
    /// Agency code of the Bawaslu office taking over.
    to_agency_code: String,
}

/// The plenary's decision.
#[derive(InputObject)]
pub struct DecideCaseInput {
    #[graphql(flatten)]
    step: StepInput,
    /// The classification (BRIEF §4.3).
    classification: Classification,
    /// Whether more information was needed (allows the 2-day extension).
    #[graphql(default)]
    extended: bool,
}

/// Forward proven allegations.
#[derive(InputObject)]
pub struct ForwardCaseInput {
    #[graphql(flatten)]
    step: StepInput,
    /// Number of the recommendation letter.
    letter_number: String,
    /// The proven allegations (default: all).
    #[graphql(default)]
    allegation_ids: Vec<ID>,
}

/// BKN's verification.
#[derive(InputObject)]
pub struct VerifyForwardingInput {
    #[graphql(flatten)]
    step: StepInput,
    /// PROVEN, NOT_PROVEN, CANCELLED, REJECTED or SUBJECT_SEPARATED.
    outcome: DecisionOutcome,
    /// The sanction BKN recommends to the PPK (required when proven).
    recommended_sanction: Option<SanctionCode>,
}

/// The terms of a sanction decree (SK).
#[derive(InputObject)]
pub struct DecreeInput {
    /// Sanction code, consistent with the act's track and default severity.
    sanction_code: SanctionCode,
    /// Duration in months, where the sanction has one (TUKIN_CUT_25: 6, 9 or 12).
    duration_months: Option<i32>,
    /// Decree (SK) number.
    decree_number: String,
    /// First day in force (default: the day after the decree).
    effective_from: Option<NaiveDate>,
}

impl From<DecreeInput> for Decree {
    fn from(d: DecreeInput) -> Self {
        Self {
            code: d.sanction_code,
            duration_months: d.duration_months,
            number: d.decree_number,
            effective_from: d.effective_from,
        }
    }
}

/// The PPK's decree.
#[derive(InputObject)]
pub struct ImposeSanctionInput {
    #[graphql(flatten)]
    step: StepInput,
    #[graphql(flatten)]
    decree: DecreeInput,
}

/// The outcome of an appeal.
#[derive(InputObject)]
pub struct ResolveAppealInput {
    #[graphql(flatten)]
    step: StepInput,
    /// The new decree when the appeal changed the sanction; absent when upheld.
    changed_decree: Option<DecreeInput>,
}

/// A check of the sanction's execution.
#[derive(InputObject)]
pub struct ExecutionCheckInput {
    #[graphql(flatten)]
    step: StepInput,
    /// What was found.
    status: ExecutionStatus,
    /// Reference of the proof (required for DONE).
    proof_ref: Option<String>,
}

/// An escalation against an overdue PPK.
#[derive(InputObject)]
pub struct EscalateInput {
    #[graphql(flatten)]
    step: StepInput,
    /// SIASN_BLOCK or WARNING_LETTER.
    kind: EscalationKind,
    /// Letter number.
    letter_number: Option<String>,
}

/// A court verdict on the criminal track.
#[derive(InputObject)]
pub struct VerdictInput {
    #[graphql(flatten)]
    step: StepInput,
    /// Whether the court found the subject guilty.
    guilty: bool,
    /// Verdict number.
    verdict_number: String,
}

/// More evidence for a case still with its handling office.
#[derive(InputObject)]
pub struct AddEvidenceInput {
    #[graphql(flatten)]
    step: StepInput,
    /// The items.
    evidence: Vec<EvidenceInput>,
}

/// The workflow's mutations.
#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// Record a report (laporan) or a finding (temuan) as the caller's Bawaslu office. Starts RECEIVED.
    async fn receive_case(&self, ctx: &Context<'_>, input: ReceiveCaseInput) -> async_graphql::Result<CasePayload> {
        let new = NewCase::try_from(input).gql()?;
        audited(ctx, "receiveCase", intake::receive_case(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), new)).await
    }
    /// RECEIVED → FORMAL_MATERIAL_CHECK (handling office).
    async fn start_formal_check(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "startFormalCheck",
            commands::start_formal_check(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// FORMAL_MATERIAL_CHECK → REGISTERED, or NOT_REGISTERED with the reason when late or incomplete (handling office).
    async fn complete_formal_check(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "completeFormalCheck",
            commands::complete_formal_check(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// RECEIVED → RECEIVED at another Bawaslu office whose jurisdiction covers the place (handling office).
    async fn transfer_case(&self, ctx: &Context<'_>, input: TransferCaseInput) -> async_graphql::Result<CasePayload> {
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
    async fn start_clarification(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "startClarification",
            commands::start_clarification(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
    /// The plenary's decision: CLOSED (no violation; KPU track), DECIDED (neutrality track) or CRIMINAL_PROCESS (handling office).
    async fn decide_case(&self, ctx: &Context<'_>, input: DecideCaseInput) -> async_graphql::Result<CasePayload> {
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
    async fn forward_case(&self, ctx: &Context<'_>, input: ForwardCaseInput) -> async_graphql::Result<CasePayload> {
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
    async fn acknowledge_forwarding(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
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
    async fn open_examination(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
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
        input: ImposeSanctionInput,
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
    async fn file_appeal(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
        audited(ctx, "fileAppeal", commands::file_appeal(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()))
            .await
    }
    /// ADMIN_APPEAL → SANCTION_IMPOSED, upheld or with a changed decree (PPK).
    async fn resolve_appeal(&self, ctx: &Context<'_>, input: ResolveAppealInput) -> async_graphql::Result<CasePayload> {
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
    async fn start_monitoring(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
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
        input: ExecutionCheckInput,
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
    async fn escalate_overdue(&self, ctx: &Context<'_>, input: EscalateInput) -> async_graphql::Result<CasePayload> {
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
    async fn record_verdict(&self, ctx: &Context<'_>, input: VerdictInput) -> async_graphql::Result<CasePayload> {
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
    async fn close_case(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
        audited(ctx, "closeCase", commands::close(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into())).await
    }
    /// Add evidence metadata while the handling office works on the case.
    async fn add_evidence(&self, ctx: &Context<'_>, input: AddEvidenceInput) -> async_graphql::Result<CasePayload> {
        let items = input.evidence.into_iter().map(NewEvidence::from).collect();
        audited(
            ctx,
            "addEvidence",
            intake::add_evidence(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.step.into(), items),
        )
        .await
    }
    /// Record a correction as a new timeline event (`note` says what); history is never edited.
    async fn record_correction(&self, ctx: &Context<'_>, input: StepInput) -> async_graphql::Result<CasePayload> {
        audited(
            ctx,
            "recordCorrection",
            commands::correct(ctx.db(), ctx.viewer(), Rules::of(ctx.config()), input.into()),
        )
        .await
    }
}
