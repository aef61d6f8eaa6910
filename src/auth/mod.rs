//! Authentication: turns a bearer token into a [`Principal`] or rejects it.
//! It decides nothing about access; that is the policy module's job. The
//! agency's kind and jurisdiction come from netra's own registry, never from
//! the token; authentication reads them from the in-memory
//! [`Registry`](crate::registry::Registry), without a database round trip.
//!
//! Trusted issuers are the development issuer `netra-dev` (`jwt`, only with
//! NETRA_DEV_SECRET) and those of the trust registry file (`trust` parses it,
//! `keys` holds their keys, `verify` checks their tokens). A token is verified
//! by the one issuer its `iss` names, with that issuer's keys only.

mod jwt;
mod keys;
pub mod trust;
mod verify;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

pub use jwt::{Claims, DevIssuer, DEV_AUDIENCE, DEV_ISSUER};
pub use keys::JwksPolicy;
pub use trust::TrustError;
pub use verify::{load_trust_file, TrustedIssuer};

use crate::clock::{zone_of, Clock};
use crate::config::Config;
use crate::domain::AgencyKind;
use crate::registry::Registry;

/// Longest bearer token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a token may allow its holder to do. In a token's `permissions`
/// claim each is written in lower case (`read`); GraphQL shows them as enum
/// values (`READ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
pub enum Permission {
    /// Read the cases in the agency's scope (claim `read`).
    Read,
    /// Act on cases: the workflow (claim `write`).
    Write,
    /// Publish statistics (claim `publish`).
    Publish,
    /// Read the audit trail (claim `audit`).
    Audit,
    /// Register and manage the agency's webhooks (claim `webhooks`).
    Webhooks,
}

impl Permission {
    /// Parses a claim value (`read`, `write`, `publish`, `audit`, `webhooks`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "publish" => Some(Self::Publish),
            "audit" => Some(Self::Audit),
            "webhooks" => Some(Self::Webhooks),
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
            Self::Webhooks => "webhooks",
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
    issuers: Arc<HashMap<String, TrustedIssuer>>,
}

/// The token's `iss`, read before anything is verified: it only picks the
/// issuer whose keys will do the verifying.
#[derive(serde::Deserialize)]
struct UnverifiedIssuer {
    iss: String,
}

impl Authenticator {
    /// An authenticator trusting the development issuer when it is configured.
    pub fn new(dev: Option<DevIssuer>) -> Self {
        Self { dev, issuers: Arc::default() }
    }

    /// An authenticator trusting the development issuer (when given) and
    /// `issuers`, as [`load_trust_file`] returns them.
    pub fn with_issuers(dev: Option<DevIssuer>, issuers: Vec<TrustedIssuer>) -> Self {
        let issuers = issuers.into_iter().map(|i| (i.config().issuer.clone(), i)).collect();
        Self { dev, issuers: Arc::new(issuers) }
    }

    /// The authenticator `config` asks for: the development issuer when
    /// NETRA_DEV_SECRET is set, and the issuers of NETRA_TRUST_FILE, whose
    /// `secret_env` variables are read from the process environment now.
    pub fn from_config(config: &Config) -> Result<Self, TrustError> {
        let dev = config.dev_secret.as_ref().map(DevIssuer::new);
        let Some(path) = &config.trust_file else { return Ok(Self::new(dev)) };
        let issuers = load_trust_file(path, &|name| std::env::var(name).ok(), &JwksPolicy::default())?;
        Ok(Self::with_issuers(dev, issuers))
    }

    /// The development issuer, if enabled.
    pub fn dev_issuer(&self) -> Option<&DevIssuer> {
        self.dev.as_ref()
    }

    /// Verifies `token` and resolves its agency in the in-memory `registry`;
    /// no database statement is issued. Refused: an unknown agency, one not
    /// active today, and (only before the registry's first load) any token.
    pub async fn authenticate(&self, registry: &Registry, token: &str) -> Result<Principal, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError("the bearer token is too long".into()));
        }
        let untrusted = || AuthError("the token's issuer is not trusted".into());
        let UnverifiedIssuer { iss } = verify::segment(token, 1)?;
        let claims = if iss == DEV_ISSUER {
            self.dev.as_ref().ok_or_else(untrusted)?.verify(token)?
        } else {
            let issuer = self.issuers.get(&iss).ok_or_else(untrusted)?;
            let claims = issuer.verify(token).await?;
            if !issuer.config().may_speak_for(&claims.agency) {
                return Err(AuthError(format!("the issuer may not speak for agency `{}`", claims.agency)));
            }
            claims
        };
        let mut permissions = BTreeSet::new();
        for p in &claims.permissions {
            let p = Permission::parse(p).ok_or_else(|| AuthError(format!("unknown permission `{p}` in the token")))?;
            permissions.insert(p);
        }
        let registry = registry.snapshot().await.ok_or_else(|| {
            tracing::error!("the agency registry is not loaded; refusing the token");
            AuthError("the token could not be checked: the agency registry is not available yet".into())
        })?;
        let agency = registry
            .agency(&claims.agency)
            .filter(|a| a.active_on(Clock::system().today(zone_of(a.region_code.as_deref()))))
            .ok_or_else(|| {
                AuthError(format!("agency `{}` is not an active agency in netra's registry", claims.agency))
            })?;
        let jurisdiction = match &agency.region_code {
            None => None,
            Some(code) => {
                let r = registry.region(code).ok_or_else(|| {
                    // Not an outage (the registry is in memory): its data is inconsistent. Loud, and refused.
                    tracing::error!(agency = %agency.code, region = %code, "an agency's region is missing from the registry");
                    AuthError(format!("agency `{}` has no region in the registry", agency.code))
                })?;
                Some(Jurisdiction { code: r.code.clone(), level: r.level })
            }
        };
        Ok(Principal {
            issuer: claims.iss,
            subject: claims.sub,
            agency_id: agency.id,
            agency_code: agency.code.clone(),
            agency_kind: agency.kind,
            jurisdiction,
            permissions,
        })
    }
}
