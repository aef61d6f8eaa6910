//! Rate limits, keyed, per instance (GCRA, `governor`): each key may make
//! its per-minute quota in one burst and then one request per
//! 60 s / quota. Three limits:
//!
//! - **agency** (`NETRA_RATE_LIMIT_AGENCY`): every request with a valid token,
//!   keyed by the token's agency;
//! - **anonymous** (`NETRA_RATE_LIMIT_ANONYMOUS`): requests without a token and
//!   requests whose token was refused, keyed by the client's IP address;
//! - **nip** (`NETRA_RATE_LIMIT_NIP`): exact-NIP lookups (`officialByNip`),
//!   keyed by agency, far below the agency limit, so that a token cannot
//!   enumerate NIPs.
//!
//! A quota of 0 switches that limit off. Over a limit the caller gets HTTP
//! 429 `RATE_LIMITED` with `Retry-After` (the wait in whole seconds). The
//! limits decide nothing about access; the keys are never exported.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::error::AppError;

/// Checks between two sweeps of keys that have refilled (memory stays bounded).
const SWEEP_EVERY: usize = 8192;

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Per agency, for tokens.
    Agency,
    /// Per client IP, anonymous or with a refused token.
    Anonymous,
    /// Per agency, exact-NIP lookups.
    Nip,
}

impl Limit {
    /// The metric label and message word.
    pub fn name(self) -> &'static str {
        match self {
            Self::Agency => "agency",
            Self::Anonymous => "anonymous",
            Self::Nip => "nip",
        }
    }
}

/// A refusal: the limit and the seconds until the next request may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// The limit reached.
    pub limit: Limit,
    /// Whole seconds to wait (at least 1).
    pub retry_after_secs: u64,
}

struct Keyed<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicUsize,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(per_minute: u32) -> Option<Self> {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute)?);
        Some(Self {
            limiter: RateLimiter::dashmap_with_clock(quota, DefaultClock::default()),
            checks: AtomicUsize::new(0),
        })
    }

    fn check(&self, key: &K) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

impl From<Limited> for AppError {
    fn from(l: Limited) -> Self {
        let what = match l.limit {
            Limit::Agency => "requests of this agency",
            Limit::Anonymous => "requests from this address",
            Limit::Nip => "exact-NIP lookups of this agency",
        };
        Self::RateLimited { what: what.to_owned(), retry_after_secs: l.retry_after_secs }
    }
}

/// The instance's limiters; cheap to clone.
#[derive(Clone)]
pub struct RateLimits {
    agency: Option<Arc<Keyed<String>>>,
    anonymous: Option<Arc<Keyed<IpAddr>>>,
    nip: Option<Arc<Keyed<String>>>,
}

fn refuse(limit: Limit) -> impl Fn(u64) -> Limited {
    move |secs| Limited { limit, retry_after_secs: secs.max(1) }
}

impl RateLimits {
    /// The limits `config` sets.
    pub fn new(config: &Config) -> Self {
        Self {
            agency: Keyed::new(config.rate_limit_agency).map(Arc::new),
            anonymous: Keyed::new(config.rate_limit_anonymous).map(Arc::new),
            nip: Keyed::new(config.rate_limit_nip).map(Arc::new),
        }
    }

    /// Counts one request by agency `code`.
    pub fn check_agency(&self, code: &str) -> Result<(), Limited> {
        self.agency.as_ref().map_or(Ok(()), |l| l.check(&code.to_owned()).map_err(refuse(Limit::Agency)))
    }

    /// Counts one anonymous request, or one with a refused token, from `ip`.
    pub fn check_anonymous(&self, ip: IpAddr) -> Result<(), Limited> {
        self.anonymous.as_ref().map_or(Ok(()), |l| l.check(&ip).map_err(refuse(Limit::Anonymous)))
    }

    /// Counts one exact-NIP lookup by agency `code`.
    pub fn check_nip(&self, code: &str) -> Result<(), Limited> {
        self.nip.as_ref().map_or(Ok(()), |l| l.check(&code.to_owned()).map_err(refuse(Limit::Nip)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_quota_and_then_waits_while_other_keys_do_not() {
        let mut config = Config::for_database("sqlite::memory:");
        config.rate_limit_nip = 3;
        config.rate_limit_anonymous = 0;
        let limits = RateLimits::new(&config);
        for _ in 0..3 {
            assert_eq!(limits.check_nip("BAWASLU-16"), Ok(()));
        }
        let refused = limits.check_nip("BAWASLU-16").unwrap_err();
        assert_eq!(refused.limit, Limit::Nip);
        assert!((1..=20).contains(&refused.retry_after_secs), "{refused:?}");
        assert_eq!(limits.check_nip("BAWASLU-16.73"), Ok(()));
        for _ in 0..1000 {
            assert_eq!(limits.check_anonymous(IpAddr::from([127, 0, 0, 1])), Ok(()), "a quota of 0 is no limit");
        }
    }
}
