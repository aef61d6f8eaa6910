//! The agency registry as the generators read it (by code and by id), and
//! the principal a generator acts as for an agency: a user of that agency
//! with read and write, its kind and jurisdiction from the registry, exactly
//! as authentication would build it.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::auth::{Jurisdiction, Permission, Principal};
use crate::domain::RegionCode;
use crate::entity::agency;

/// Every registered agency, by code and by id.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Agencies by registry code.
    pub by_code: HashMap<String, agency::Model>,
    /// Registry codes by id.
    pub code_of: HashMap<i64, String>,
}

impl Book {
    /// Reads the registry.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, sea_orm::DbErr> {
        let all = agency::Entity::find().all(db).await?;
        let code_of = all.iter().map(|a| (a.id, a.code.clone())).collect();
        let by_code = all.into_iter().map(|a| (a.code.clone(), a)).collect();
        Ok(Self { by_code, code_of })
    }

    /// The agency with `code`.
    pub fn agency(&self, code: &str) -> anyhow::Result<&agency::Model> {
        self.by_code.get(code).with_context(|| format!("no agency {code} in the registry"))
    }

    /// The registry code of agency `id`.
    pub fn code(&self, id: i64) -> anyhow::Result<&str> {
        self.code_of.get(&id).map(String::as_str).with_context(|| format!("no agency with id {id}"))
    }
}

/// The principal of user `subject` at agency `a`, with read and write.
pub fn principal(a: &agency::Model, subject: &str) -> Principal {
    Principal {
        issuer: "netra-seed".into(),
        subject: subject.to_owned(),
        agency_id: a.id,
        agency_code: a.code.clone(),
        agency_kind: a.kind,
        jurisdiction: a
            .region_code
            .as_ref()
            .map(|c| Jurisdiction { level: RegionCode::parse(c).map(|r| r.level()).unwrap_or(1), code: c.clone() }),
        permissions: BTreeSet::from([Permission::Read, Permission::Write]),
    }
}
