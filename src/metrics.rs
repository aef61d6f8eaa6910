//! What an operator sees at `/metrics`: Prometheus (OpenMetrics) text, every
//! name prefixed `netra_`. One [`Metrics`] per application state, shared by
//! the middleware, the handler and the audit writer. Labels are closed sets
//! (operation type, error code, limit name, pool name): never an agency, a
//! token, a query or any personal value.
//!
//! Gauges that mirror state kept elsewhere (pool connections, the audit
//! queue) are read when `/metrics` is scraped ([`Metrics::encode`] with a
//! [`Snapshot`]), so nothing has to keep them in step.

use std::sync::atomic::{AtomicI64, AtomicU64};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels: closed sets of names only.
type Labels = Vec<(&'static str, String)>;

/// The content type of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

fn latency_histogram() -> Histogram {
    // 1 ms to ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The state read at scrape time.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot {
    /// Connections of the request pool: open and idle.
    pub pool: (u32, u32),
    /// The same for the audit writer's pool (equal to `pool` when shared).
    pub audit_pool: (u32, u32),
    /// Request events waiting for the audit writer.
    pub audit_queue: usize,
    /// Whether the agency registry has been loaded.
    pub registry_loaded: bool,
}

/// Every metric netra exports.
pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    in_flight: Gauge<i64, AtomicI64>,
    shed: Counter<u64, AtomicU64>,
    rate_limited: Family<Labels, Counter>,
    pool_size: Family<Labels, Gauge<i64, AtomicI64>>,
    pool_in_use: Family<Labels, Gauge<i64, AtomicI64>>,
    audit_queue: Gauge<i64, AtomicI64>,
    audit_commit: Histogram,
    audit_failures: Counter<u64, AtomicU64>,
    registry_loaded: Gauge<i64, AtomicI64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// All metrics at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("netra");
        let requests = Family::<Labels, Counter>::default();
        registry.register(
            "requests",
            "GraphQL requests answered, by operation type (query, mutation, none) and outcome code (OK or the first error code)",
            requests.clone(),
        );
        let latency = Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "request_duration_seconds",
            "Time to answer a GraphQL request, by operation type",
            latency.clone(),
        );
        let in_flight = Gauge::<i64, AtomicI64>::default();
        registry.register("requests_in_flight", "Requests being served now", in_flight.clone());
        let shed = Counter::<u64, AtomicU64>::default();
        registry.register("requests_shed", "Requests refused with 503 OVERLOADED at the in-flight bound", shed.clone());
        let rate_limited = Family::<Labels, Counter>::default();
        registry.register(
            "requests_rate_limited",
            "Requests refused with 429 RATE_LIMITED, by limit (agency, anonymous, nip)",
            rate_limited.clone(),
        );
        let pool_size = Family::<Labels, Gauge<i64, AtomicI64>>::default();
        registry.register(
            "db_pool_connections",
            "Open database connections, by pool (requests, audit)",
            pool_size.clone(),
        );
        let pool_in_use = Family::<Labels, Gauge<i64, AtomicI64>>::default();
        registry.register("db_pool_in_use", "Database connections lent out now, by pool", pool_in_use.clone());
        let audit_queue = Gauge::<i64, AtomicI64>::default();
        registry.register("audit_queue_depth", "Request audit events waiting for the writer", audit_queue.clone());
        let audit_commit = Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        registry.register(
            "audit_commit_seconds",
            "Time to commit one batch of request audit events",
            audit_commit.clone(),
        );
        let audit_failures = Counter::<u64, AtomicU64>::default();
        registry.register(
            "audit_commit_failures",
            "Batches of request audit events that could not be stored",
            audit_failures.clone(),
        );
        let registry_loaded = Gauge::<i64, AtomicI64>::default();
        registry.register("registry_loaded", "1 once the agency registry is in memory", registry_loaded.clone());
        Self {
            registry,
            requests,
            latency,
            in_flight,
            shed,
            rate_limited,
            pool_size,
            pool_in_use,
            audit_queue,
            audit_commit,
            audit_failures,
            registry_loaded,
        }
    }

    /// Counts one answered request of `operation` (`query`, `mutation` or
    /// `none`) with outcome `code`, taking `seconds`.
    pub fn request(&self, operation: &'static str, code: &str, seconds: f64) {
        self.requests.get_or_create(&vec![("operation", operation.to_owned()), ("code", code.to_owned())]).inc();
        self.latency.get_or_create(&vec![("operation", operation.to_owned())]).observe(seconds);
    }

    /// The in-flight gauge (incremented on admission, decremented on the answer).
    pub fn in_flight(&self) -> &Gauge<i64, AtomicI64> {
        &self.in_flight
    }

    /// Counts one request shed at the in-flight bound.
    pub fn shed(&self) {
        self.shed.inc();
    }

    /// Counts one request refused by `limit`.
    pub fn rate_limited(&self, limit: &'static str) {
        self.rate_limited.get_or_create(&vec![("limit", limit.to_owned())]).inc();
    }

    /// Records one audit batch commit of `seconds`, failed or not.
    pub fn audit_commit(&self, seconds: f64, ok: bool) {
        self.audit_commit.observe(seconds);
        if !ok {
            self.audit_failures.inc();
        }
    }

    /// The text exposition, with the gauges of `now`.
    pub fn encode(&self, now: Snapshot) -> String {
        for (pool, (size, idle)) in [("requests", now.pool), ("audit", now.audit_pool)] {
            let labels = vec![("pool", pool.to_owned())];
            self.pool_size.get_or_create(&labels).set(i64::from(size));
            self.pool_in_use.get_or_create(&labels).set(i64::from(size.saturating_sub(idle)));
        }
        self.audit_queue.set(i64::try_from(now.audit_queue).unwrap_or(i64::MAX));
        self.registry_loaded.set(i64::from(now.registry_loaded));
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_prefixed_and_counters_count() {
        let m = Metrics::new();
        m.request("query", "OK", 0.01);
        m.rate_limited("nip");
        let text = m.encode(Snapshot { pool: (4, 1), ..Snapshot::default() });
        assert!(text.contains("netra_requests_total{operation=\"query\",code=\"OK\"} 1"), "{text}");
        assert!(text.contains("netra_requests_rate_limited_total{limit=\"nip\"} 1"), "{text}");
        assert!(text.contains("netra_db_pool_in_use{pool=\"requests\"} 3"), "{text}");
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            assert!(line.starts_with("netra_"), "{line}");
        }
    }
}
