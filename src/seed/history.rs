//! Expands a case plan (its facts and the state it has reached) into the rows
//! a real handling would have left: the case, allegations, reporter, evidence,
//! forwardings, decisions, checks, escalations and the timeline. Demo and
//! synthetic data share it, so both obey the same state machine and routing.
//! Rows get explicit ids from an [`Ids`] allocator, so a whole batch can be
//! inserted without reading ids back.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sha2::{Digest, Sha256};

use crate::domain::{
    phase_of, CaseSource, CaseState as S, Classification, ClosureReason as Close, DecisionKind, DecisionOutcome,
    EscalationKind, EvidenceKind, ExecutionStatus, ReporterKind, SanctionCode, SubjectKind, ViolationCode,
};
use crate::entity::{
    agency_decision, allegation, case, case_event, escalation, evidence, execution_check, forwarding, reporter,
};
use crate::reference::insert_chunks;

/// Next free id per table.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    next: HashMap<&'static str, i64>,
}

/// Tables whose ids the allocator hands out.
pub const ID_TABLES: [&str; 10] = [
    "official",
    "case",
    "allegation",
    "reporter",
    "evidence",
    "forwarding",
    "agency_decision",
    "execution_check",
    "escalation",
    "case_event",
];

impl Ids {
    /// Starts after the largest id present in each table.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, sea_orm::DbErr> {
        let mut next = HashMap::new();
        for table in ID_TABLES {
            let sql = format!("SELECT COALESCE(MAX(id), 0) AS m FROM \"{table}\"");
            let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await?;
            let max: i64 = row.map(|r| r.try_get("", "m")).transpose()?.unwrap_or(0);
            next.insert(table, max + 1);
        }
        Ok(Self { next })
    }

    /// Takes the next id of `table`.
    pub fn take(&mut self, table: &'static str) -> i64 {
        let slot = self.next.entry(table).or_insert(1);
        let id = *slot;
        *slot += 1;
        id
    }
}

/// After explicit-id inserts, PostgreSQL's sequences must move past them.
pub async fn sync_sequences<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in ID_TABLES {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{table}\"), 1))"
        );
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// One allegation to plan.
pub struct AllegationPlan {
    /// Official named.
    pub official_id: i64,
    /// Their kind, which routes the forwarding.
    pub subject_kind: SubjectKind,
    /// Agency id of their employer (the PPK's government for ASN).
    pub employer_id: i64,
    /// Region code of their workplace.
    pub work_region: String,
    /// The act.
    pub violation: ViolationCode,
    /// When.
    pub act_on: NaiveDate,
    /// Where.
    pub place: String,
    /// What happened.
    pub description: String,
}

/// The reporter of a planned report.
pub struct ReporterPlan {
    /// Kind.
    pub kind: ReporterKind,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// NIK.
    pub nik: Option<String>,
    /// Voter region.
    pub voter_region: Option<String>,
}

/// One evidence item to plan.
pub struct EvidencePlan {
    /// Kind.
    pub kind: EvidenceKind,
    /// Description.
    pub description: String,
    /// Capture date.
    pub captured_on: NaiveDate,
}

/// A case to expand: its facts and the state it has reached.
pub struct CasePlan {
    /// Case number.
    pub number: String,
    /// Laporan or temuan.
    pub source: CaseSource,
    /// Election race id.
    pub election_id: i64,
    /// Handling Bawaslu office id.
    pub handling_agency_id: i64,
    /// Region code of the handling office (for numbering and Gakkumdu routing).
    pub handling_region: String,
    /// Region code of the place.
    pub place: String,
    /// Date of the act.
    pub occurred_on: NaiveDate,
    /// Known on.
    pub known_on: NaiveDate,
    /// Received on.
    pub received_on: NaiveDate,
    /// State reached.
    pub target: S,
    /// Closure reason for closed cases.
    pub closure: Option<Close>,
    /// Summary.
    pub summary: String,
    /// Sanction for cases that reached one.
    pub sanction: Option<SanctionCode>,
    /// Why not registered, for NOT_REGISTERED.
    pub not_registered_reason: Option<String>,
    /// Allegations.
    pub allegations: Vec<AllegationPlan>,
    /// Reporter of a laporan.
    pub reporter: Option<ReporterPlan>,
    /// Evidence.
    pub evidence: Vec<EvidencePlan>,
}

/// Rows of many cases, ready to insert in foreign-key order.
#[derive(Default)]
pub struct Batch {
    /// Cases.
    pub cases: Vec<case::ActiveModel>,
    /// Allegations.
    pub allegations: Vec<allegation::ActiveModel>,
    /// Reporters.
    pub reporters: Vec<reporter::ActiveModel>,
    /// Evidence.
    pub evidence: Vec<evidence::ActiveModel>,
    /// Forwardings.
    pub forwardings: Vec<forwarding::ActiveModel>,
    /// Decisions.
    pub decisions: Vec<agency_decision::ActiveModel>,
    /// Execution checks.
    pub checks: Vec<execution_check::ActiveModel>,
    /// Escalations.
    pub escalations: Vec<escalation::ActiveModel>,
    /// Timeline events.
    pub events: Vec<case_event::ActiveModel>,
}

impl Batch {
    /// Number of rows of every kind.
    pub fn len(&self) -> usize {
        self.cases.len()
            + self.allegations.len()
            + self.reporters.len()
            + self.evidence.len()
            + self.forwardings.len()
            + self.decisions.len()
            + self.checks.len()
            + self.escalations.len()
            + self.events.len()
    }

    /// Inserts every row, parents first.
    pub async fn insert<C: ConnectionTrait>(self, db: &C) -> Result<(), sea_orm::DbErr> {
        insert_chunks::<case::Entity, _>(db, self.cases).await?;
        insert_chunks::<allegation::Entity, _>(db, self.allegations).await?;
        insert_chunks::<reporter::Entity, _>(db, self.reporters).await?;
        insert_chunks::<evidence::Entity, _>(db, self.evidence).await?;
        insert_chunks::<forwarding::Entity, _>(db, self.forwardings).await?;
        insert_chunks::<agency_decision::Entity, _>(db, self.decisions).await?;
        insert_chunks::<execution_check::Entity, _>(db, self.checks).await?;
        insert_chunks::<escalation::Entity, _>(db, self.escalations).await?;
        insert_chunks::<case_event::Entity, _>(db, self.events).await
    }
}

/// Agency ids the routing needs, by registry code.
pub struct Directory<'a> {
    /// Agency ids by code.
    pub ids: &'a HashMap<String, i64>,
}

impl Directory<'_> {
    fn id(&self, code: &str) -> Option<i64> {
        self.ids.get(code).copied()
    }

    /// The competent agency and the copy recipient, by the workflow's rule
    /// ([`crate::domain::routing::competent`]); the criminal track goes to
    /// the handling office's Gakkumdu.
    fn route(&self, a: &AllegationPlan, criminal: bool, handling_region: &str) -> (i64, Option<i64>) {
        use crate::domain::routing::{competent, Receiver};
        if criminal {
            return (self.id(&format!("GAKKUMDU-{handling_region}")).unwrap_or(a.employer_id), None);
        }
        let (receiver, copy) = competent(a.subject_kind, &a.work_region);
        let to = match receiver {
            Receiver::Agency(code) => self.id(&code).unwrap_or(a.employer_id),
            Receiver::Employer => a.employer_id,
        };
        (to, copy.then_some(a.employer_id))
    }
}

/// The states a case passes through to reach its target.
pub(crate) fn path_to(target: S, closure: Option<Close>, via_bkn: bool) -> Vec<S> {
    let intake = [S::Received, S::FormalMaterialCheck];
    let decided = [S::Received, S::FormalMaterialCheck, S::Registered, S::ClarificationAssessment, S::Decided];
    let mut agency = vec![S::Forwarded];
    if via_bkn {
        agency.extend([S::AgencyVerifying, S::SanctionRecommended]);
    }
    let upto = |list: &[S], last: S| -> Vec<S> {
        let end = list.iter().position(|s| *s == last).map_or(list.len(), |i| i + 1);
        list[..end].to_vec()
    };
    let forwarded: Vec<S> = decided.iter().copied().chain(agency.iter().copied()).collect();
    let full: Vec<S> =
        forwarded.iter().copied().chain([S::PpkExamination, S::SanctionImposed, S::ExecutionMonitoring]).collect();
    match target {
        S::NotRegistered => intake.iter().copied().chain([S::NotRegistered]).collect(),
        S::Received | S::FormalMaterialCheck | S::Registered | S::ClarificationAssessment | S::Decided => {
            upto(&decided, target)
        }
        S::Forwarded | S::AgencyVerifying | S::SanctionRecommended => {
            let mut with_bkn = decided.to_vec();
            with_bkn.extend([S::Forwarded, S::AgencyVerifying, S::SanctionRecommended]);
            upto(&with_bkn, target)
        }
        S::PpkExamination | S::SanctionImposed | S::ExecutionMonitoring => upto(&full, target),
        S::OverdueEscalated => {
            let mut p = decided.to_vec();
            p.extend([S::Forwarded, S::AgencyVerifying, S::SanctionRecommended, S::OverdueEscalated]);
            p
        }
        S::AdminAppeal => upto(&full, S::SanctionImposed).into_iter().chain([S::AdminAppeal]).collect(),
        S::CriminalProcess => decided.iter().copied().chain([S::CriminalProcess]).collect(),
        S::Closed => {
            let mut p = match closure {
                Some(Close::NotAViolation | Close::AdministrativeTrack) | None => decided.to_vec(),
                Some(Close::CriminalVerdict) => decided.iter().copied().chain([S::CriminalProcess]).collect(),
                Some(Close::NotProven | Close::Cancelled | Close::Rejected | Close::SubjectSeparated) => {
                    decided.iter().copied().chain([S::Forwarded, S::AgencyVerifying]).collect()
                }
                Some(Close::SanctionExecuted) => full,
            };
            p.push(S::Closed);
            p
        }
    }
}

fn classification_for(path: &[S], closure: Option<Close>) -> Option<Classification> {
    if !path.contains(&S::Decided) {
        return None;
    }
    Some(if path.contains(&S::CriminalProcess) {
        Classification::TindakPidanaPemilihan
    } else if closure == Some(Close::NotAViolation) {
        Classification::BukanPelanggaran
    } else if closure == Some(Close::AdministrativeTrack) {
        Classification::AdministrasiPemilihan
    } else {
        Classification::PerundanganLainnya
    })
}

fn action_for(state: S) -> &'static str {
    match state {
        S::Received => "RECEIVE",
        S::FormalMaterialCheck => "START_FORMAL_CHECK",
        S::Registered => "REGISTER",
        S::NotRegistered => "REFUSE_REGISTRATION",
        S::ClarificationAssessment => "START_CLARIFICATION",
        S::Decided => "DECIDE",
        S::Forwarded => "FORWARD",
        S::AgencyVerifying => "ACKNOWLEDGE",
        S::SanctionRecommended => "RECOMMEND_SANCTION",
        S::PpkExamination => "OPEN_EXAMINATION",
        S::SanctionImposed => "IMPOSE_SANCTION",
        S::OverdueEscalated => "ESCALATE",
        S::AdminAppeal => "FILE_APPEAL",
        S::CriminalProcess => "REFER_TO_GAKKUMDU",
        S::ExecutionMonitoring => "START_MONITORING",
        S::Closed => "CLOSE",
    }
}

/// Days after receipt at which each step happens (Pilkada: decision within 3 + 2 days).
fn offset_days(state: S) -> i64 {
    match state {
        S::Received | S::FormalMaterialCheck => 0,
        S::Registered | S::NotRegistered | S::ClarificationAssessment => 1,
        S::Decided => 4,
        S::Forwarded | S::CriminalProcess => 6,
        S::AgencyVerifying => 9,
        S::SanctionRecommended => 16,
        S::PpkExamination => 24,
        S::OverdueEscalated => 35,
        S::SanctionImposed => 38,
        S::AdminAppeal => 45,
        S::ExecutionMonitoring => 40,
        S::Closed => 60,
    }
}

fn at(day: NaiveDate, minute: i64) -> DateTime<Utc> {
    // 09:00 in western Indonesia (UTC+7) is 02:00 UTC.
    day.and_hms_opt(2, 0, 0).map_or_else(Utc::now, |t| t.and_utc()) + Duration::minutes(minute)
}

fn duration_of(code: SanctionCode) -> Option<i32> {
    match code {
        SanctionCode::TukinCut25 => Some(6),
        SanctionCode::Demotion12m | SanctionCode::ReliefToPelaksana12m | SanctionCode::DeferKgb1y => Some(12),
        SanctionCode::DeferRank1y | SanctionCode::RankDown1y => Some(12),
        SanctionCode::RankDown3y => Some(36),
        SanctionCode::BerhentiSementara => Some(3),
        _ => None,
    }
}

fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// Expands `plan` into `batch`, taking ids from `ids`.
pub fn expand(plan: CasePlan, dir: &Directory<'_>, ids: &mut Ids, actor: &str, batch: &mut Batch) {
    let via_bkn = plan.allegations.iter().any(|a| a.subject_kind.is_asn())
        || matches!(plan.target, S::AgencyVerifying | S::SanctionRecommended | S::OverdueEscalated);
    let path = path_to(plan.target, plan.closure, via_bkn);
    let criminal = path.contains(&S::CriminalProcess);
    let classification = classification_for(&path, plan.closure);
    let day = |s: S| plan.received_on + Duration::days(offset_days(s));
    let case_id = ids.take("case");
    let seq = plan.number.rsplit('/').next().unwrap_or("0").to_owned();
    let kind = if plan.source == CaseSource::Laporan { "LP" } else { "TM" };
    let registered = path.contains(&S::Registered);
    let decided = path.contains(&S::Decided);
    let deadline = match plan.target {
        S::Received | S::FormalMaterialCheck | S::Registered | S::ClarificationAssessment => {
            Some(plan.received_on + Duration::days(5))
        }
        S::Forwarded | S::AgencyVerifying => Some(day(S::Forwarded) + Duration::days(7)),
        S::SanctionRecommended | S::PpkExamination => Some(day(S::SanctionRecommended) + Duration::days(14)),
        _ => None,
    };
    let updated = at(day(plan.target), 30);
    batch.cases.push(case::ActiveModel {
        id: Set(case_id),
        number: Set(plan.number.clone()),
        source: Set(plan.source),
        election_id: Set(plan.election_id),
        handling_agency_id: Set(plan.handling_agency_id),
        receipt_number: Set(Some(format!("{seq}/PL/{kind}/{}/2024", plan.handling_region))),
        registration_number: Set(registered.then(|| format!("{seq}/Reg/{kind}/{}/2024", plan.handling_region))),
        region_code: Set(plan.place.clone()),
        province_code: Set(plan.place.split('.').next().unwrap_or_default().to_owned()),
        regency_code: Set(prefix(&plan.place, 2)),
        district_code: Set(prefix(&plan.place, 3)),
        occurred_on: Set(plan.occurred_on),
        known_on: Set(plan.known_on),
        received_on: Set(plan.received_on),
        registered_on: Set(registered.then(|| day(S::Registered))),
        decided_on: Set(decided.then(|| day(S::Decided))),
        classification: Set(classification),
        state: Set(plan.target),
        deadline_on: Set(deadline),
        closure_reason: Set(plan.closure.filter(|_| plan.target == S::Closed)),
        not_registered_reason: Set(plan.not_registered_reason.clone().filter(|_| plan.target == S::NotRegistered)),
        summary: Set(plan.summary.clone()),
        version: Set(i32::try_from(path.len()).unwrap_or(1)),
        created_at: Set(at(plan.received_on, 0)),
        updated_at: Set(updated),
    });

    if let Some(r) = plan.reporter {
        batch.reporters.push(reporter::ActiveModel {
            id: Set(ids.take("reporter")),
            case_id: Set(case_id),
            kind: Set(r.kind),
            name: Set(r.name),
            phone: Set(r.phone),
            email: Set(None),
            address: Set(None),
            nik: Set(r.nik),
            voter_region_code: Set(r.voter_region),
        });
    }
    for (i, e) in plan.evidence.into_iter().enumerate() {
        let digest = sha256_hex(&format!("{}#{i}#{}", plan.number, e.description));
        let size = i64::from_str_radix(&digest[..5], 16).unwrap_or(4096) * 16 + 1024;
        batch.evidence.push(evidence::ActiveModel {
            id: Set(ids.take("evidence")),
            case_id: Set(case_id),
            kind: Set(e.kind),
            url: Set((e.kind == EvidenceKind::Url).then(|| format!("https://example.org/post/{}", &digest[..12]))),
            description: Set(e.description),
            sha256: Set(digest),
            size_bytes: Set(Some(size)),
            captured_at: Set(at(e.captured_on, 60)),
            submitted_by_id: Set(plan.handling_agency_id),
            access_level: Set("RESTRICTED".into()),
            created_at: Set(at(plan.received_on, 5)),
        });
    }

    let forwarded = path.contains(&S::Forwarded) || criminal;
    let mut sanctioned_decisions = Vec::new();
    for (n, a) in plan.allegations.into_iter().enumerate() {
        let allegation_id = ids.take("allegation");
        batch.allegations.push(allegation::ActiveModel {
            id: Set(allegation_id),
            case_id: Set(case_id),
            official_id: Set(a.official_id),
            violation_code: Set(a.violation),
            phase: Set(phase_of(a.act_on)),
            act_on: Set(a.act_on),
            place_region_code: Set(a.place.clone()),
            description: Set(a.description.clone()),
        });
        if !forwarded {
            continue;
        }
        let (to, copy) = dir.route(&a, criminal, &plan.handling_region);
        let fwd_id = ids.take("forwarding");
        let sent = day(if criminal { S::CriminalProcess } else { S::Forwarded });
        let acknowledged = path.contains(&S::AgencyVerifying) || path.contains(&S::PpkExamination) || criminal;
        let due_days = if via_bkn && !criminal { 7 } else { 14 };
        batch.forwardings.push(forwarding::ActiveModel {
            id: Set(fwd_id),
            allegation_id: Set(allegation_id),
            from_agency_id: Set(plan.handling_agency_id),
            to_agency_id: Set(to),
            copy_to_agency_id: Set(copy),
            letter_number: Set(format!("{seq}/PP.01.02/K.{}/{}/2024", plan.handling_region, n + 1)),
            sent_on: Set(sent),
            received_on: Set(acknowledged.then(|| sent + Duration::days(2))),
            due_on: Set(Some(sent + Duration::days(due_days))),
            recommended_track: Set(Some(a.violation.track())),
            recommended_severity: Set(a.violation.default_severity()),
        });
        let decide =
            |batch: &mut Batch, ids: &mut Ids, kind, outcome, agency_id, on: NaiveDate, code: Option<SanctionCode>| {
                let id = ids.take("agency_decision");
                let duration = code.and_then(duration_of);
                let decree =
                    matches!(kind, DecisionKind::SanctionDecree | DecisionKind::Verdict | DecisionKind::Internal);
                batch.decisions.push(agency_decision::ActiveModel {
                    id: Set(id),
                    forwarding_id: Set(fwd_id),
                    agency_id: Set(agency_id),
                    kind: Set(kind),
                    outcome: Set(outcome),
                    sanction_code: Set(code),
                    severity: Set(code.and_then(|c| c.classify().1)),
                    duration_months: Set(duration),
                    decree_number: Set(decree.then(|| format!("800.1.6.{}/{}/SK/2024", n + 1, case_id))),
                    decided_on: Set(on),
                    effective_from: Set(decree.then_some(on + Duration::days(1))),
                    effective_to: Set(duration.filter(|_| decree).map(|m| on + Duration::days(1 + 30 * i64::from(m)))),
                    note: Set(None),
                });
                id
            };
        let ppk = copy.unwrap_or(to);
        if via_bkn && path.contains(&S::AgencyVerifying) {
            let outcome = match plan.closure {
                Some(Close::NotProven) if plan.target == S::Closed => Some(DecisionOutcome::NotProven),
                Some(Close::Cancelled) if plan.target == S::Closed => Some(DecisionOutcome::Cancelled),
                Some(Close::Rejected) if plan.target == S::Closed => Some(DecisionOutcome::Rejected),
                Some(Close::SubjectSeparated) if plan.target == S::Closed => Some(DecisionOutcome::SubjectSeparated),
                _ if path.contains(&S::SanctionRecommended) => Some(DecisionOutcome::Proven),
                _ => None,
            };
            if let Some(outcome) = outcome {
                decide(
                    batch,
                    ids,
                    DecisionKind::Verification,
                    outcome,
                    to,
                    day(S::SanctionRecommended) - Duration::days(1),
                    None,
                );
            }
        }
        if path.contains(&S::SanctionRecommended) {
            decide(
                batch,
                ids,
                DecisionKind::Recommendation,
                DecisionOutcome::Sanctioned,
                to,
                day(S::SanctionRecommended),
                plan.sanction,
            );
        }
        if path.contains(&S::OverdueEscalated) {
            for kind in [EscalationKind::WarningLetter, EscalationKind::SiasnBlock] {
                batch.escalations.push(escalation::ActiveModel {
                    id: Set(ids.take("escalation")),
                    forwarding_id: Set(fwd_id),
                    agency_id: Set(to),
                    kind: Set(kind),
                    letter_number: Set(Some(format!("B-{case_id}/PW.04/2024"))),
                    escalated_on: Set(day(S::OverdueEscalated)),
                    note: Set(Some("The PPK did not act within the time allowed.".into())),
                });
            }
        }
        if path.contains(&S::SanctionImposed) {
            let kind = match a.subject_kind {
                SubjectKind::Tni | SubjectKind::Polri => DecisionKind::Internal,
                _ => DecisionKind::SanctionDecree,
            };
            let agency_id = if via_bkn { ppk } else { to };
            sanctioned_decisions.push(decide(
                batch,
                ids,
                kind,
                DecisionOutcome::Sanctioned,
                agency_id,
                day(S::SanctionImposed),
                plan.sanction,
            ));
        }
        if criminal && plan.target == S::Closed {
            sanctioned_decisions.push(decide(
                batch,
                ids,
                DecisionKind::Verdict,
                DecisionOutcome::Guilty,
                to,
                day(S::Closed) - Duration::days(5),
                plan.sanction.or(Some(SanctionCode::Pidana)),
            ));
        }
    }
    if path.contains(&S::ExecutionMonitoring) {
        let done = plan.target == S::Closed;
        for decision_id in &sanctioned_decisions {
            batch.checks.push(execution_check::ActiveModel {
                id: Set(ids.take("execution_check")),
                decision_id: Set(*decision_id),
                agency_id: Set(plan.handling_agency_id),
                status: Set(if done { ExecutionStatus::Done } else { ExecutionStatus::Executing }),
                proof_ref: Set(done.then(|| format!("BA-{case_id}/PENGAWASAN/2024"))),
                checked_on: Set(day(if done { S::Closed } else { S::ExecutionMonitoring })),
                note: Set(None),
            });
        }
    }

    let mut previous = None;
    for (i, state) in path.iter().copied().enumerate() {
        let actor_agency = plan.handling_agency_id;
        batch.events.push(case_event::ActiveModel {
            id: Set(ids.take("case_event")),
            case_id: Set(case_id),
            action: Set(action_for(state).into()),
            from_state: Set(previous),
            to_state: Set(state),
            actor_agency_id: Set(actor_agency),
            actor_subject: Set(actor.to_owned()),
            occurred_at: Set(at(day(state), i64::try_from(i).unwrap_or(0))),
            document_ref: Set(matches!(state, S::Registered | S::Decided | S::Forwarded | S::SanctionImposed)
                .then(|| format!("{}/{}", action_for(state), plan.number))),
            deadline_on: Set(match state {
                S::Received => Some(plan.received_on + Duration::days(5)),
                S::Forwarded => Some(day(S::Forwarded) + Duration::days(7)),
                S::SanctionRecommended => Some(day(S::SanctionRecommended) + Duration::days(14)),
                _ => None,
            }),
            note: Set(None),
        });
        previous = Some(state);
    }
}

fn prefix(code: &str, level: usize) -> Option<String> {
    let parts: Vec<&str> = code.split('.').collect();
    (parts.len() >= level).then(|| parts[..level].join("."))
}
