//! `netra seed demo`: loads the hand-written scenario once. Officials are
//! inserted by key facts; cases are expanded into full histories.

use std::collections::HashMap;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};

use super::demo_data::{CASES, OFFICIALS};
use super::history::{self, AllegationPlan, Batch, CasePlan, Directory, EvidencePlan, Ids, ReporterPlan};
use crate::domain::{CaseSource, Nip, RegionCode};
use crate::entity::{case, election, official};
use crate::reference;

/// What `load_demo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    /// Officials inserted.
    pub officials: usize,
    /// Cases inserted (0 when the demo was already there).
    pub cases: usize,
    /// Publications added (0 when they were already there).
    pub publications: usize,
}

/// Subject of the demo's timeline events.
pub const DEMO_ACTOR: &str = "demo-seed";

fn date(raw: &str) -> anyhow::Result<NaiveDate> {
    raw.parse().with_context(|| format!("demo data: bad date `{raw}`"))
}

/// Number of the `n`-th demo case handled in `region`.
fn number(region: &str, source: CaseSource, n: usize) -> String {
    let kind = if source == CaseSource::Laporan { "LP" } else { "TM" };
    format!("{region}/{kind}/2024/{n:04}")
}

/// Loads reference data, the demo scenario and its publications; a second
/// run changes nothing.
pub async fn load_demo(db: &DatabaseConnection) -> anyhow::Result<DemoReport> {
    let mut report = load_scenario(db).await?;
    report.publications = super::publications::ensure_demo_publications(db).await?;
    Ok(report)
}

async fn load_scenario(db: &DatabaseConnection) -> anyhow::Result<DemoReport> {
    reference::load(db).await?;
    let txn = db.begin().await?;
    let agency_ids = reference::agency_ids(&txn).await?;
    let agency =
        |code: &str| agency_ids.get(code).copied().with_context(|| format!("demo data: unknown agency `{code}`"));

    let mut ids = Ids::load(&txn).await?;
    let mut official_ids: HashMap<&str, (i64, &super::DemoOfficial)> = HashMap::new();
    let mut new_officials = Vec::new();
    for o in OFFICIALS {
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
        if let Some(nip) = o.nip {
            Nip::parse(nip).map_err(|e| anyhow::anyhow!("demo official {}: {e}", o.key))?;
        }
        RegionCode::parse(o.work_region).map_err(|e| anyhow::anyhow!("demo official {}: {e}", o.key))?;
        let id = match existing {
            Some(m) => m.id,
            None => {
                let id = ids.take("official");
                new_officials.push(official::ActiveModel {
                    id: Set(id),
                    subject_kind: Set(o.kind),
                    nip: Set(o.nip.map(str::to_owned)),
                    nrp: Set(o.nrp.map(str::to_owned)),
                    full_name: Set(o.full_name.to_owned()),
                    position: Set(o.position.to_owned()),
                    position_class: Set(o.position_class),
                    grade: Set(o.grade.map(str::to_owned)),
                    employer_id: Set(agency(o.employer)?),
                    ppk_id: Set(None),
                    work_region_code: Set(o.work_region.to_owned()),
                });
                id
            }
        };
        if official_ids.insert(o.key, (id, o)).is_some() {
            bail!("demo data: official key `{}` is used twice", o.key);
        }
    }
    let inserted_officials = new_officials.len();
    reference::insert_chunks::<official::Entity, _>(&txn, new_officials).await?;

    let elections: HashMap<String, i64> = election::Entity::find()
        .filter(election::Column::Year.eq(2024))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| (e.region_code, e.id))
        .collect();
    let dir = Directory { ids: &agency_ids };

    let mut batch = Batch::default();
    let mut per_office: HashMap<&str, usize> = HashMap::new();
    let mut numbers = Vec::new();
    for c in CASES {
        let handling_region = c.handling.split_once('-').map(|(_, r)| r).unwrap_or("00");
        let n = per_office.entry(handling_region).or_default();
        *n += 1;
        let number = number(handling_region, c.source, *n);
        numbers.push(number.clone());
        let mut allegations = Vec::new();
        for a in c.allegations {
            let (official_id, o) = official_ids
                .get(a.official)
                .with_context(|| format!("demo case {number}: unknown official `{}`", a.official))?;
            allegations.push(AllegationPlan {
                official_id: *official_id,
                subject_kind: o.kind,
                employer_id: agency(o.employer)?,
                work_region: o.work_region.to_owned(),
                violation: a.violation,
                act_on: date(a.act_on)?,
                place: a.place.to_owned(),
                description: a.description.to_owned(),
            });
        }
        let not_registered_reason = (c.state == crate::domain::CaseState::NotRegistered).then(|| {
            let late = date(c.received_on).ok().zip(date(c.known_on).ok()).is_some_and(|(r, k)| (r - k).num_days() > 7);
            if late {
                "Filed more than 7 days after the violation became known.".to_owned()
            } else {
                "Material requirements not met: no evidence was submitted.".to_owned()
            }
        });
        let plan = CasePlan {
            number,
            source: c.source,
            election_id: *elections
                .get(c.election)
                .with_context(|| format!("demo data: no race for `{}`", c.election))?,
            handling_agency_id: agency(c.handling)?,
            handling_region: handling_region.to_owned(),
            place: c.place.to_owned(),
            occurred_on: date(c.occurred_on)?,
            known_on: date(c.known_on)?,
            received_on: date(c.received_on)?,
            target: c.state,
            closure: c.closure,
            summary: c.summary.to_owned(),
            sanction: c.sanction,
            not_registered_reason,
            allegations,
            reporter: c.reporter.as_ref().map(|r| ReporterPlan {
                kind: r.kind,
                name: r.name.to_owned(),
                phone: Some(r.phone.to_owned()),
                nik: Some(r.nik.to_owned()),
                voter_region: Some(r.voter_region.to_owned()),
            }),
            evidence: c
                .evidence
                .iter()
                .map(|e| {
                    Ok(EvidencePlan {
                        kind: e.kind,
                        description: e.description.to_owned(),
                        captured_on: date(e.captured_on)?,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        };
        history::expand(plan, &dir, &mut ids, DEMO_ACTOR, &mut batch);
    }
    let already = case::Entity::find().filter(case::Column::Number.is_in(numbers)).count(&txn).await?;
    if already > 0 {
        txn.commit().await?;
        return Ok(DemoReport { officials: inserted_officials, cases: 0, publications: 0 });
    }
    let cases = batch.cases.len();
    batch.insert(&txn).await?;
    history::sync_sequences(&txn).await?;
    txn.commit().await?;
    Ok(DemoReport { officials: inserted_officials, cases, publications: 0 })
}
