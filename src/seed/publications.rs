//! The demo's published tables: what Bawaslu Sumatera Selatan and Bawaslu RI
//! publish over the demo cases, through the same service as
//! `publishStatistics` (with the default threshold). Each is published only
//! when its series is empty, so seeding again adds nothing.

use anyhow::Context;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::{Jurisdiction, Permission, Principal};
use crate::domain::RegionCode;
use crate::entity::{agency, publication, region};
use crate::publication::service::{publish, series, PublishRequest};
use crate::statistics::{Dimension, GroupBy, Measure};

/// The threshold of the demo's publications (netra's default).
const DEMO_THRESHOLD: u32 = 3;

/// Subject recorded as the publisher's user.
const DEMO_PUBLISHER: &str = "demo-seed";

/// One demo table: publishing agency, scope, measure, dimensions, as of (y, m, d).
type DemoTable = (&'static str, Option<&'static str>, Measure, [Dimension; 2], (i32, u32, u32));

const DEMO_PUBLICATIONS: [DemoTable; 2] = [
    (
        "BAWASLU-16",
        Some("16"),
        Measure::Allegations,
        [Dimension::Regency, Dimension::ViolationCategory],
        (2024, 12, 31),
    ),
    ("BAWASLU", None, Measure::Allegations, [Dimension::SubjectKind, Dimension::Month], (2024, 12, 31)),
];

/// The publishing office as a caller with `read` and `publish`.
async fn publisher(db: &DatabaseConnection, code: &str) -> anyhow::Result<Principal> {
    let a = agency::Entity::find()
        .filter(agency::Column::Code.eq(code))
        .one(db)
        .await?
        .with_context(|| format!("demo publications: no agency `{code}`"))?;
    let jurisdiction = match &a.region_code {
        None => None,
        Some(code) => {
            let r = region::Entity::find_by_id(code.clone())
                .one(db)
                .await?
                .with_context(|| format!("demo publications: no region `{code}`"))?;
            Some(Jurisdiction { code: r.code, level: u8::try_from(r.level).unwrap_or(0) })
        }
    };
    Ok(Principal {
        issuer: "netra-seed".into(),
        subject: DEMO_PUBLISHER.into(),
        agency_id: a.id,
        agency_code: a.code,
        agency_kind: a.kind,
        jurisdiction,
        permissions: [Permission::Read, Permission::Publish].into_iter().collect(),
    })
}

/// Publishes the demo's tables that are not there yet; returns how many.
pub(super) async fn ensure_demo_publications(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let mut added = 0;
    for (office, scope, measure, dims, (y, m, d)) in DEMO_PUBLICATIONS {
        let scope = scope.map(RegionCode::parse).transpose()?;
        let group_by = GroupBy::parse(dims.to_vec())?;
        let key = series(scope.as_ref(), measure, &group_by);
        if publication::Entity::find().filter(publication::Column::Series.eq(key)).count(db).await? > 0 {
            continue;
        }
        let p = publisher(db, office).await?;
        let as_of = NaiveDate::from_ymd_opt(y, m, d).context("demo publications: bad date")?;
        let req = PublishRequest { scope, measure, group_by, as_of: Some(as_of), title: None };
        publish(db, Some(&p), DEMO_THRESHOLD, crate::clock::Clock::system(), req)
            .await
            .map_err(|e| anyhow::anyhow!("demo publication: {e}"))?;
        added += 1;
    }
    Ok(added)
}
