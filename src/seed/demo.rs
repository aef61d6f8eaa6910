//! `netra seed demo`: the hand-written scenario, played through the same
//! services the API uses. Each case is received by its office and then moved
//! step by step — by the handling office, BKN, the PPK, the inspectorate,
//! Polri, TNI or Gakkumdu as the process requires — to the state the scenario
//! gives it, on dates counted from its receipt. Officials are master data and
//! are inserted directly. Loading twice changes nothing.

use std::collections::{BTreeSet, HashMap};

use anyhow::{bail, Context};
use chrono::{Duration, NaiveDate};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use sha2::{Digest, Sha256};

use super::demo_data::{CASES, OFFICIALS};
use super::DemoCase;
use crate::auth::{Permission, Principal};
use crate::case::commands::{self, Decree, Rules, Step};
use crate::case::intake::{self, NewAllegation, NewCase, NewEvidence, NewReporter, SubjectRef};
use crate::domain::workflow::path_to;
use crate::domain::{
    agencies, CaseSource, CaseState as S, Classification, ClosureReason as Close, DecisionOutcome, EscalationKind,
    ExecutionStatus, Nik, Nip, RegionCode, SubjectKind,
};
use crate::entity::{agency, case, official};
use crate::reference;

/// What `load_demo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    /// Officials inserted.
    pub officials: usize,
    /// Cases inserted (0 when the demo was already there).
    pub cases: usize,
    /// Publications created (0 when they were already there).
    pub publications: usize,
}

/// Subject of the demo's timeline events.
pub const DEMO_ACTOR: &str = "demo-seed";

fn date(raw: &str) -> anyhow::Result<NaiveDate> {
    raw.parse().with_context(|| format!("demo data: bad date `{raw}`"))
}

/// Days after receipt at which the demo takes each step.
fn offset(state: S) -> i64 {
    match state {
        S::Received | S::FormalMaterialCheck | S::NotRegistered => 0,
        S::Registered | S::ClarificationAssessment => 1,
        S::Decided | S::CriminalProcess => 3,
        S::Forwarded => 5,
        S::AgencyVerifying => 7,
        S::SanctionRecommended => 12,
        S::PpkExamination => 20,
        S::OverdueEscalated => 30,
        S::SanctionImposed => 35,
        S::AdminAppeal => 40,
        S::ExecutionMonitoring => 42,
        S::Closed => 60,
    }
}

/// A demo actor for an agency (read and write).
fn actor(agencies: &HashMap<String, agency::Model>, code: &str) -> anyhow::Result<Principal> {
    let a = agencies.get(code).with_context(|| format!("demo data: unknown agency `{code}`"))?;
    Ok(Principal {
        issuer: "netra-demo".into(),
        subject: DEMO_ACTOR.into(),
        agency_id: a.id,
        agency_code: a.code.clone(),
        agency_kind: a.kind,
        jurisdiction: a.region_code.as_ref().map(|c| crate::auth::Jurisdiction {
            level: RegionCode::parse(c).map(|r| r.level()).unwrap_or(1),
            code: c.clone(),
        }),
        permissions: BTreeSet::from([Permission::Read, Permission::Write]),
    })
}

/// Inserts the demo officials that are missing; returns ids by key and the count inserted.
async fn load_officials(
    db: &DatabaseConnection,
    agencies: &HashMap<String, agency::Model>,
) -> anyhow::Result<(HashMap<&'static str, (i64, SubjectKind, String)>, usize)> {
    let txn = db.begin().await?;
    let mut ids = HashMap::new();
    let mut inserted = 0;
    for o in OFFICIALS {
        if let Some(nip) = o.nip {
            Nip::parse(nip).map_err(|e| anyhow::anyhow!("demo official {}: {e}", o.key))?;
        }
        let existing = match (o.nip, o.nrp) {
            (Some(nip), _) => official::Entity::find().filter(official::Column::Nip.eq(nip)).one(&txn).await?,
            (None, Some(nrp)) => official::Entity::find().filter(official::Column::Nrp.eq(nrp)).one(&txn).await?,
            (None, None) => {
                official::Entity::find()
                    .filter(official::Column::FullName.eq(o.full_name))
                    .filter(official::Column::Position.eq(o.position))
                    .one(&txn)
                    .await?
            }
        };
        let employer =
            agencies.get(o.employer).with_context(|| format!("demo official {}: unknown employer", o.key))?;
        let id = match existing {
            Some(m) => m.id,
            None => {
                inserted += 1;
                let m = official::ActiveModel {
                    id: sea_orm::ActiveValue::NotSet,
                    subject_kind: Set(o.kind),
                    nip: Set(o.nip.map(str::to_owned)),
                    nrp: Set(o.nrp.map(str::to_owned)),
                    full_name: Set(o.full_name.to_owned()),
                    position: Set(o.position.to_owned()),
                    position_class: Set(o.position_class),
                    grade: Set(o.grade.map(str::to_owned)),
                    employer_id: Set(employer.id),
                    ppk_id: Set(None),
                    work_region_code: Set(o.work_region.to_owned()),
                };
                sea_orm::ActiveModelTrait::insert(m, &txn).await?.id
            }
        };
        if ids.insert(o.key, (id, o.kind, o.employer.to_owned())).is_some() {
            bail!("demo data: official key `{}` is used twice", o.key);
        }
    }
    txn.commit().await?;
    Ok((ids, inserted))
}

fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

fn region(code: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(code).map_err(|e| anyhow::anyhow!("demo data: {e}"))
}

/// The intake form of a demo case.
fn new_case(c: &DemoCase, officials: &HashMap<&'static str, (i64, SubjectKind, String)>) -> anyhow::Result<NewCase> {
    let mut allegations = Vec::new();
    for a in c.allegations {
        let (id, _, _) =
            officials.get(a.official).with_context(|| format!("demo case: unknown official `{}`", a.official))?;
        allegations.push(NewAllegation {
            subject: SubjectRef::Id(*id),
            violation: a.violation,
            act_on: date(a.act_on)?,
            place: Some(region(a.place)?),
            description: a.description.to_owned(),
        });
    }
    let evidence = c
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let digest = sha256_hex(&format!("{}#{i}#{}", c.summary, e.description));
            let size = i64::from_str_radix(&digest[..5], 16).unwrap_or(4096) * 16 + 1024;
            Ok(NewEvidence {
                kind: e.kind,
                description: e.description.to_owned(),
                url: (e.kind == crate::domain::EvidenceKind::Url)
                    .then(|| format!("https://example.org/post/{}", &digest[..12])),
                sha256: digest,
                size_bytes: Some(size),
                captured_at: date(e.captured_on)?.and_hms_opt(3, 0, 0).context("BUG: valid time")?.and_utc(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let reporter = match &c.reporter {
        None => None,
        Some(r) => Some(NewReporter {
            kind: r.kind,
            name: r.name.to_owned(),
            phone: Some(r.phone.to_owned()),
            email: None,
            address: None,
            nik: Some(Nik::parse(r.nik).map_err(|e| anyhow::anyhow!("demo reporter: {e}"))?),
            voter_region: Some(region(r.voter_region)?),
        }),
    };
    Ok(NewCase {
        source: c.source,
        place: region(c.place)?,
        election_region: region(c.election)?,
        occurred_on: date(c.occurred_on)?,
        known_on: date(c.known_on)?,
        received_on: Some(date(c.received_on)?),
        summary: c.summary.to_owned(),
        reporter,
        allegations,
        evidence,
        document_ref: Some(format!("Form A.{}", if c.source == CaseSource::Laporan { "1" } else { "2" })),
    })
}

/// Plays one demo case to its target state.
async fn play(
    db: &DatabaseConnection,
    c: &DemoCase,
    officials: &HashMap<&'static str, (i64, SubjectKind, String)>,
    agencies: &HashMap<String, agency::Model>,
    rules: Rules,
) -> anyhow::Result<()> {
    let handling = actor(agencies, c.handling)?;
    let mut case = intake::receive_case(db, Some(&handling), rules, new_case(c, officials)?)
        .await
        .map_err(|e| anyhow::anyhow!("demo case `{}`: intake: {e}", c.summary))?;
    let kinds: Vec<(SubjectKind, String)> =
        c.allegations.iter().filter_map(|a| officials.get(a.official).map(|(_, k, e)| (*k, e.clone()))).collect();
    let via_bkn = kinds.iter().any(|(k, _)| k.is_asn());
    let received = case.received_on;
    let region_of = |code: &str| code.split_once('-').map(|(_, r)| r.to_owned()).unwrap_or_default();
    // The receiving agency of the first subject, for non-ASN and PPK steps.
    let (kind, employer) = kinds.first().cloned().context("demo case without subjects")?;
    let ppk_code = match kind {
        SubjectKind::Tni => "TNI".to_owned(),
        SubjectKind::Polri => "POLRI".to_owned(),
        SubjectKind::VillageHead | SubjectKind::VillageOfficial => {
            let work = c
                .allegations
                .first()
                .and_then(|a| officials.get(a.official))
                .map(|_| employer.clone())
                .unwrap_or_default();
            work
        }
        _ => employer.clone(),
    };
    let mut path = path_to(c.state, c.closure, via_bkn);
    // On the criminal track the plenary's decision itself opens CRIMINAL_PROCESS.
    if path.contains(&S::CriminalProcess) {
        path.retain(|s| *s != S::Decided);
    }
    let closure = c.closure;
    for state in path.into_iter().skip(1) {
        let on = received + Duration::days(offset(state));
        let step = Step {
            number: case.number.clone(),
            expected_version: case.version,
            on: Some(on),
            document_ref: Some(format!("{}/{}", state.as_str(), case.number)),
            note: None,
        };
        let first_act = c.allegations.first().map(|a| a.violation).context("demo case without allegations")?;
        let sanction = || -> anyhow::Result<crate::domain::SanctionCode> {
            Ok(c.sanction.unwrap_or_else(|| crate::domain::sanctions::default_sanction(kind, first_act)))
        };
        let decree = |code: crate::domain::SanctionCode| {
            let duration_months = match code {
                crate::domain::SanctionCode::TukinCut25 => Some(6),
                crate::domain::SanctionCode::BerhentiSementara => Some(3),
                _ => None,
            };
            Decree { code, duration_months, number: format!("800.1.6/{}/SK/2024", case.id), effective_from: None }
        };
        let as_ = |code: &str| actor(agencies, code);
        let result = match state {
            S::FormalMaterialCheck => commands::start_formal_check(db, Some(&handling), rules, step).await,
            S::Registered | S::NotRegistered => commands::complete_formal_check(db, Some(&handling), rules, step).await,
            S::ClarificationAssessment => commands::start_clarification(db, Some(&handling), rules, step).await,
            S::Decided | S::CriminalProcess => {
                let classification = match (state, closure) {
                    (S::CriminalProcess, _) => Classification::TindakPidanaPemilihan,
                    (_, Some(Close::NotAViolation)) if c.state == S::Closed && !via_bkn_closure(closure) => {
                        Classification::BukanPelanggaran
                    }
                    (_, Some(Close::AdministrativeTrack)) if c.state == S::Closed => {
                        Classification::AdministrasiPemilihan
                    }
                    _ => Classification::PerundanganLainnya,
                };
                commands::decide(db, Some(&handling), rules, step, classification, false).await
            }
            S::Forwarded => {
                commands::forward(
                    db,
                    Some(&handling),
                    rules,
                    step,
                    format!("{}/PP.01.02/K.{}/2024", case.id, region_of(c.handling)),
                    vec![],
                )
                .await
            }
            S::AgencyVerifying => commands::acknowledge(db, Some(&as_("BKN")?), rules, step).await,
            S::SanctionRecommended => {
                commands::verify(db, Some(&as_("BKN")?), rules, step, DecisionOutcome::Proven, Some(sanction()?)).await
            }
            S::OverdueEscalated => {
                commands::escalate(
                    db,
                    Some(&as_("BKN")?),
                    rules,
                    step,
                    EscalationKind::SiasnBlock,
                    Some(format!("B-{}/BKN/2024", case.id)),
                )
                .await
            }
            S::PpkExamination => commands::open_examination(db, Some(&as_(&ppk_code)?), rules, step).await,
            S::SanctionImposed => {
                commands::impose_sanction(db, Some(&as_(&ppk_code)?), rules, step, decree(sanction()?)).await
            }
            S::AdminAppeal => commands::file_appeal(db, Some(&as_(&ppk_code)?), rules, step).await,
            S::ExecutionMonitoring => commands::start_monitoring(db, Some(&as_(&ppk_code)?), rules, step).await,
            S::Closed => match closure {
                Some(Close::NotProven | Close::Cancelled | Close::Rejected | Close::SubjectSeparated) => {
                    let outcome = match closure {
                        Some(Close::NotProven) => DecisionOutcome::NotProven,
                        Some(Close::Cancelled) => DecisionOutcome::Cancelled,
                        Some(Close::Rejected) => DecisionOutcome::Rejected,
                        _ => DecisionOutcome::SubjectSeparated,
                    };
                    commands::verify(db, Some(&as_("BKN")?), rules, step, outcome, None).await
                }
                Some(Close::CriminalVerdict) => {
                    let gakkumdu = as_(&agencies::gakkumdu(&region_of(c.handling)))?;
                    commands::record_verdict(
                        db,
                        Some(&gakkumdu),
                        rules,
                        step,
                        true,
                        format!("{}/Pid.S/2024/PN", case.id),
                    )
                    .await
                }
                Some(Close::SanctionExecuted) => {
                    let checked = commands::check_execution(
                        db,
                        Some(&handling),
                        rules,
                        step.clone(),
                        ExecutionStatus::Done,
                        Some(format!("BA-{}/PENGAWASAN/2024", case.id)),
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("demo case `{}`: execution check: {e}", c.summary))?;
                    commands::close(db, Some(&handling), rules, Step { expected_version: checked.version, ..step })
                        .await
                }
                // Decided as no violation or for the KPU track: the decision closed it.
                _ => Ok(case.clone()),
            },
            S::Received => Ok(case.clone()),
        };
        case = result.map_err(|e| anyhow::anyhow!("demo case `{}`: {}: {e}", c.summary, state.as_str()))?;
        if case.state == S::Closed || case.state == S::NotRegistered {
            break;
        }
    }
    if case.state != c.state {
        bail!("demo case `{}` ended {} instead of {}", c.summary, case.state.as_str(), c.state.as_str());
    }
    Ok(())
}

/// Whether a closure comes from a receiving agency rather than from Bawaslu's decision.
fn via_bkn_closure(closure: Option<Close>) -> bool {
    !matches!(closure, Some(Close::NotAViolation | Close::AdministrativeTrack) | None)
}

/// Loads reference data, the demo scenario and its publications; a second
/// run changes nothing.
pub async fn load_demo(db: &DatabaseConnection) -> anyhow::Result<DemoReport> {
    let mut report = load_scenario(db).await?;
    report.publications = super::publications::ensure_demo_publications(db).await?;
    Ok(report)
}

/// Reference data and the scenario's officials and cases.
async fn load_scenario(db: &DatabaseConnection) -> anyhow::Result<DemoReport> {
    reference::load(db).await?;
    let agencies: HashMap<String, agency::Model> =
        agency::Entity::find().all(db).await?.into_iter().map(|a| (a.code.clone(), a)).collect();
    let (officials, inserted) = load_officials(db, &agencies).await?;
    let summaries: Vec<&str> = CASES.iter().map(|c| c.summary).collect();
    if case::Entity::find().filter(case::Column::Summary.is_in(summaries)).count(db).await? > 0 {
        return Ok(DemoReport { officials: inserted, cases: 0, publications: 0 });
    }
    // Intake stamps today's date unless told otherwise; the demo plays 2024.
    let rules = Rules::default();
    for c in CASES {
        play(db, c, &officials, &agencies, rules).await?;
    }
    Ok(DemoReport { officials: inserted, cases: CASES.len(), publications: 0 })
}
