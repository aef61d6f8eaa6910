//! The middleware between the socket and the handlers, outermost first:
//!
//! 1. [`request_id`]: a client's `x-request-id` is kept only if it is at
//!    most 128 characters of `[A-Za-z0-9._:-]`; otherwise it is dropped and a
//!    fresh one generated (by tower-http's `SetRequestId`), before anything
//!    echoes, logs or stores it.
//! 2. [`access_log`]: every request runs in a `request` span carrying its
//!    id, so each log line of the request names it; when it ends, one line
//!    at info (method, path, status, duration, request id, agency code,
//!    operation name; never variables or tokens) and the request metrics.
//! 3. [`admit`]: at most `NETRA_MAX_IN_FLIGHT` requests are served at once;
//!    one more is answered 503 `OVERLOADED` at once. An admitted request
//!    that runs past `NETRA_REQUEST_TIMEOUT_SECS` is answered 503
//!    `SERVICE_UNAVAILABLE` as GraphQL JSON. Health, readiness and metrics
//!    are never shed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::graphql::protocol::{self, MediaType};
use crate::metrics::Metrics;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

/// Longest request id kept from a client.
pub const MAX_REQUEST_ID: usize = 128;

/// Paths that are never shed: an operator must see an overloaded instance.
const UNSHED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// What the GraphQL handler learned about a request, for the access log and
/// the metrics (a response extension).
#[derive(Debug, Clone)]
pub struct Facts {
    /// `query`, `mutation` or `none` (refused before it ran).
    pub operation: &'static str,
    /// `OK` or the first error code.
    pub code: String,
    /// The caller's agency code; `None` when anonymous.
    pub agency: Option<String>,
    /// The operation name the client sent (clipped).
    pub operation_name: Option<String>,
}

impl Default for Facts {
    fn default() -> Self {
        Self { operation: "none", code: "OK".into(), agency: None, operation_name: None }
    }
}

/// Whether a client's request id may be kept.
pub fn valid_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Drops an invalid `x-request-id` (and all but the first), so that one is generated instead.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let headers = req.headers_mut();
    let mut values = headers.get_all(REQUEST_ID).iter();
    let keep = match (values.next(), values.next()) {
        (Some(v), None) => valid_request_id(v.as_bytes()),
        (None, _) => true,
        (Some(_), Some(_)) => false,
    };
    if !keep {
        headers.remove(REQUEST_ID);
    }
    next.run(req).await
}

/// Runs the request in its span, then logs one line and counts it.
pub async fn access_log(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", id = %id);
    let started = Instant::now();
    let resp = next.run(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let facts = resp.extensions().get::<Facts>().cloned();
    if let Some(f) = &facts {
        metrics.request(f.operation, &f.code, elapsed.as_secs_f64());
    }
    let facts = facts.unwrap_or_default();
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            path = %path,
            status = resp.status().as_u16(),
            duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            request_id = %id,
            agency = facts.agency.as_deref().unwrap_or("-"),
            operation = facts.operation_name.as_deref().unwrap_or("-"),
            code = %facts.code,
            "request"
        );
    });
    resp
}

/// The admission bound and the time limit.
#[derive(Clone)]
pub struct Admission {
    /// Permits for requests in flight.
    pub permits: Arc<Semaphore>,
    /// The time limit of one request.
    pub timeout: Duration,
    /// Where shed requests and the in-flight gauge are counted.
    pub metrics: Arc<Metrics>,
}

/// Counts a request in flight until dropped (also when the client goes).
struct InFlight(prometheus_client::metrics::gauge::Gauge<i64, std::sync::atomic::AtomicI64>);

impl InFlight {
    fn enter(metrics: &Metrics) -> Self {
        let gauge = metrics.in_flight().clone();
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn with_facts(mut resp: Response, code: &str) -> Response {
    resp.extensions_mut().insert(Facts { code: code.to_owned(), ..Facts::default() });
    resp
}

/// Sheds the request when the bound is reached, or runs it within the time limit.
pub async fn admit(State(a): State<Admission>, req: Request, next: Next) -> Response {
    if UNSHED.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let Ok(_permit) = a.permits.clone().try_acquire_owned() else {
        a.metrics.shed();
        let refused = protocol::refusal(
            "OVERLOADED",
            "the server is serving as many requests as it can; retry shortly",
            Some(1),
            MediaType::Json,
        );
        return with_facts(refused, "OVERLOADED");
    };
    let _counted = InFlight::enter(&a.metrics);
    match tokio::time::timeout(a.timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            let message = format!("the request did not finish within {} s", a.timeout.as_secs());
            let mut resp = protocol::refusal("SERVICE_UNAVAILABLE", &message, Some(1), MediaType::Json);
            resp.headers_mut().insert("connection", HeaderValue::from_static("close"));
            with_facts(resp, "SERVICE_UNAVAILABLE")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_request_id;

    #[test]
    fn request_ids_are_short_and_plain() {
        assert!(valid_request_id(b"req-1.2_3:abc"));
        assert!(!valid_request_id(b""));
        assert!(!valid_request_id(b"a\tb"));
        assert!(!valid_request_id(b"<script>"));
        assert!(!valid_request_id(&[b'a'; 129]));
        assert!(valid_request_id(&[b'a'; 128]));
    }
}
