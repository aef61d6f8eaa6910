//! Authentication: turns a bearer token into a [`Principal`] or rejects it.
//! It decides nothing about access; that is the policy module's job. The
//! agency's kind and jurisdiction come from netra's own registry, never from
//! the token.

mod jwt;

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

pub use jwt::{Claims, DevIssuer, DEV_AUDIENCE, DEV_ISSUER};

use crate::domain::AgencyKind;
use crate::entity::{agency, region};

/// Longest bearer token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a token may allow its holder to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// Read the cases in the agency's scope.
    Read,
    /// Act on cases (the workflow).
    Write,
    /// Publish statistics.
    Publish,
    /// Read the audit trail.
    Audit,
}

impl Permission {
    /// Parses a claim value (`read`, `write`, `publish`, `audit`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "publish" => Some(Self::Publish),
            "audit" => Some(Self::Audit),
            _ => None,
        }
    }

    /// The claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Publish => "publish",
            Self::Audit => "audit",
        }
    }
}

/// The root of an agency's jurisdiction, with its materialised ancestry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jurisdiction {
    /// Region code of the root, e.g. `16.73`.
    pub code: String,
    /// 1 = province, 2 = kabupaten/kota, 3 = kecamatan, 4 = village.
    pub level: u8,
}

/// An authenticated caller: who, for which agency, allowed to do what.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Token issuer (`iss`).
    pub issuer: String,
    /// Token subject (`sub`): the user at the agency.
    pub subject: String,
    /// Registry id of the agency.
    pub agency_id: i64,
    /// Registry code of the agency, e.g. `BAWASLU-16.73`.
    pub agency_code: String,
    /// Kind of the agency, from the registry.
    pub agency_kind: AgencyKind,
    /// Jurisdiction root from the registry; `None` = national.
    pub jurisdiction: Option<Jurisdiction>,
    /// Permissions granted by the token.
    pub permissions: BTreeSet<Permission>,
}

impl Principal {
    /// Whether the token grants `p`.
    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }
}

/// Why a token was refused. The message is safe to show to the caller.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);

/// Verifies bearer tokens against the trusted issuers.
#[derive(Clone, Default)]
pub struct Authenticator {
    dev: Option<DevIssuer>,
}

impl Authenticator {
    /// An authenticator trusting the development issuer when it is configured.
    pub fn new(dev: Option<DevIssuer>) -> Self {
        Self { dev }
    }

    /// The development issuer, if enabled.
    pub fn dev_issuer(&self) -> Option<&DevIssuer> {
        self.dev.as_ref()
    }

    /// Verifies `token` and resolves its agency in the registry.
    pub async fn authenticate<C: ConnectionTrait>(&self, db: &C, token: &str) -> Result<Principal, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError("the bearer token is too long".into()));
        }
        let dev = self.dev.as_ref().ok_or_else(|| AuthError("no trusted issuer is configured".into()))?;
        let claims = dev.verify(token)?;
        let mut permissions = BTreeSet::new();
        for p in &claims.permissions {
            let p = Permission::parse(p).ok_or_else(|| AuthError(format!("unknown permission `{p}` in the token")))?;
            permissions.insert(p);
        }
        let found =
            agency::Entity::find().filter(agency::Column::Code.eq(claims.agency.as_str())).one(db).await.map_err(
                |e| {
                    tracing::error!(error = %e, "agency lookup failed during authentication");
                    AuthError("the token could not be checked".into())
                },
            )?;
        let today = Utc::now().date_naive();
        let agency =
            found.filter(|a| a.valid_from <= today && a.valid_to.is_none_or(|to| to >= today)).ok_or_else(|| {
                AuthError(format!("agency `{}` is not an active agency in netra's registry", claims.agency))
            })?;
        let jurisdiction =
            match &agency.region_code {
                None => None,
                Some(code) => {
                    let r =
                        region::Entity::find_by_id(code.clone()).one(db).await.ok().flatten().ok_or_else(|| {
                            AuthError(format!("agency `{}` has no region in the registry", agency.code))
                        })?;
                    Some(Jurisdiction { code: r.code, level: u8::try_from(r.level).unwrap_or(0) })
                }
            };
        Ok(Principal {
            issuer: claims.iss,
            subject: claims.sub,
            agency_id: agency.id,
            agency_code: agency.code,
            agency_kind: agency.kind,
            jurisdiction,
            permissions,
        })
    }
}
