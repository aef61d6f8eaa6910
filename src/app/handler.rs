//! HTTP endpoints of the GraphQL API: `POST`/`GET /graphql` and the IDE.
//! The GraphQL-over-HTTP rules (methods, media types, status codes,
//! refusals) are in `protocol`; this handler applies them around execution.
//! A request that names its document by `documentId` or persisted-query
//! hash gets it from `graphql::trusted` first, which also enforces the
//! trusted-documents allow-list; the document's id goes into the audit event.
//! Authentication happens here, before GraphQL runs: no header means
//! anonymous, a bad token gets HTTP 401 with an `UNAUTHENTICATED` error.
//! Rate limits are applied once the caller is known (per agency, or per
//! client address for anonymous callers and refused tokens). A mutation with
//! an `Idempotency-Key` claims it first (`idempotency`) and runs in a task of
//! its own, so that neither a vanished client nor the request timeout cuts
//! it between its commit and its answer. A request that returned non-public
//! data leaves its audit event before the response is sent; if the event
//! cannot be stored, the caller gets an error and no data, unless a write of
//! the request committed (then the answer is its data: see
//! `audit::writer::RequestAudit::finish`).

use std::net::{IpAddr, SocketAddr};

use async_graphql::{ErrorExtensions, Pos, Response, ServerError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use tracing::Instrument;

use super::traffic::Facts;
use super::AppState;
use crate::audit::{OperationType, RequestMeta};
use crate::auth::Principal;
use crate::config::Introspection;
use crate::error::{AppError, AppResult};
use crate::graphql::batch::Loaders;
use crate::graphql::guard::Checked;
use crate::graphql::protocol::{self, MediaType, Rejection};
use crate::graphql::RequestViewer;
use crate::idempotency::{self, Begin, Claim};
use crate::rate_limit::Limited;

/// Reads the bearer token, if any. `Err` carries the refusal message.
async fn principal(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, String> {
    let Some(raw) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let value = raw.to_str().map_err(|_| "the Authorization header is not text".to_owned())?;
    let token = bearer_token(value).ok_or_else(|| "the Authorization header must be `Bearer <token>`".to_owned())?;
    state.auth.authenticate(&state.registry, token).await.map(Some).map_err(|e| e.0)
}

/// The token of `Bearer <token>`; the scheme name is case-insensitive (RFC 7235 §2.1).
pub(super) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Gives every error without a code one: errors raised by async-graphql itself
/// (syntax, validation, limits) are the caller's to fix.
fn with_codes(mut resp: Response) -> Response {
    for err in &mut resp.errors {
        let has_code = err.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            err.extensions.get_or_insert_with(Default::default).set("code", "BAD_USER_INPUT");
        }
    }
    resp
}

/// Reads the GraphQL request of a `GET` or `POST` by the protocol's rules,
/// its document found by id or hash when it names one (`trusted`); returns
/// it with the document's id, if any.
fn read_request(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(async_graphql::Request, Option<String>), Rejection> {
    let params = if method == Method::GET {
        protocol::from_get(uri)?
    } else {
        let body = body.map_err(|e| body_refusal(&e))?;
        protocol::from_post(headers, &body)?
    };
    let resolved = state.trusted.resolve(params)?;
    Ok((protocol::into_request(resolved.params, method)?, resolved.document_id))
}

/// The refusal of a body that could not be read: the same JSON 413 for a
/// chunked body over the limit as for a `Content-Length` over it, and never
/// the underlying error's debug text.
fn body_refusal(e: &BytesRejection) -> Rejection {
    // A chunked body over the limit surfaces as an I/O error deep in the
    // rejection's chain, not as axum's 413 rejection: look for it there.
    let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE || format!("{e:?}").contains("length limit exceeded");
    let (status, message) = if too_large {
        (StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than the server accepts")
    } else {
        (StatusCode::BAD_REQUEST, "the request body could not be read")
    };
    Rejection { status, code: "BAD_USER_INPUT", message: message.to_owned() }
}

/// `POST /graphql` and `GET /graphql?query=…`.
pub async fn graphql(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Bytes, BytesRejection>,
) -> axum::response::Response {
    let mut facts = Facts::default();
    let ip = peer.map(|Extension(ConnectInfo(addr))| addr.ip());
    let mut resp = answer(state, &mut facts, ip, &method, &uri, &headers, body).await;
    resp.extensions_mut().insert(facts);
    resp
}

/// A 429 for `limited`, counted.
fn rate_limited(state: &AppState, facts: &mut Facts, limited: Limited, media: MediaType) -> axum::response::Response {
    state.metrics.rate_limited(limited.limit.name());
    facts.code = "RATE_LIMITED".into();
    let err = AppError::from(limited);
    protocol::refusal("RATE_LIMITED", &err.to_string(), Some(limited.retry_after_secs), media)
}

/// Answers one GraphQL request; `facts` learns what the access log and the
/// metrics need.
async fn answer(
    state: AppState,
    facts: &mut Facts,
    ip: Option<IpAddr>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> axum::response::Response {
    let media = match protocol::negotiate(headers) {
        Ok(m) => m,
        Err(refused) => {
            facts.code = refused.code.into();
            return refused.into_response(MediaType::Json);
        }
    };
    let (req, document_id) = match read_request(&state, method, uri, headers, body) {
        Ok(r) => r,
        Err(refused) => {
            facts.code = refused.code.into();
            return refused.into_response(media);
        }
    };
    facts.operation_name = req.operation_name.as_deref().map(|n| crate::audit::redact::clip(n, 100));
    if headers.contains_key(header::AUTHORIZATION) && state.registry.snapshot().await.is_none() {
        // Tokens are checked against the in-memory registry only; before its first load, "not now".
        facts.code = "SERVICE_UNAVAILABLE".into();
        return protocol::refusal(
            "SERVICE_UNAVAILABLE",
            "the agency registry is not loaded yet; retry shortly",
            None,
            media,
        );
    }
    let anonymous_limit = |facts: &mut Facts| match ip.map(|ip| state.limits.check_anonymous(ip)) {
        Some(Err(limited)) => Some(rate_limited(&state, facts, limited, media)),
        _ => None,
    };
    let viewer = match principal(&state, headers).await {
        Ok(Some(p)) => {
            if let Err(limited) = state.limits.check_agency(&p.agency_code) {
                return rate_limited(&state, facts, limited, media);
            }
            facts.agency = Some(p.agency_code.clone());
            Some(p)
        }
        Ok(None) => {
            if let Some(refused) = anonymous_limit(facts) {
                return refused;
            }
            None
        }
        Err(message) => {
            // Failed authentications count against the caller's address.
            if let Some(refused) = anonymous_limit(facts) {
                return refused;
            }
            facts.code = "UNAUTHENTICATED".into();
            return unauthenticated(&message);
        }
    };
    let mutation = protocol::is_mutation(&req.query, req.operation_name.as_deref());
    let claim = match (mutation, &viewer, headers.get(idempotency::HEADER)) {
        (true, Some(p), Some(key)) => match claim(&state, p, key.as_bytes(), &req).await {
            Ok(Begin::Claimed(c)) => Some(c),
            Ok(Begin::Replay { status, body }) => {
                facts.operation = "mutation";
                return replay(status, body, media);
            }
            Err(e) => {
                facts.code = e.code().into();
                return protocol::respond(
                    Response::from_errors(vec![e.extend().into_server_error(Pos::default())]),
                    media,
                );
            }
        },
        _ => None,
    };
    let request_id = headers.get("x-request-id").cloned();
    let job = execute(state.clone(), viewer, req, Meta { request_id, document_id }, claim, media);
    let (resp, ran) = if mutation {
        // A mutation runs to its end even if the client goes or the request
        // times out, so that a committed write gets its audit record and its
        // idempotent answer.
        match tokio::spawn(job.instrument(tracing::Span::current())).await {
            Ok(out) => out,
            Err(e) => {
                tracing::error!(error = %e, "a mutation task failed");
                let e = AppError::Internal(anyhow::anyhow!("mutation task failed"));
                (
                    protocol::respond(Response::from_errors(vec![e.extend().into_server_error(Pos::default())]), media),
                    Ran { operation: None, name: None, code: "INTERNAL".into() },
                )
            }
        }
    } else {
        job.await
    };
    if let Some(name) = ran.name {
        facts.operation_name = Some(crate::audit::redact::clip(&name, 100));
    }
    facts.code = ran.code;
    facts.operation = match ran.operation {
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Query) => "query",
        None => "none",
    };
    resp
}

/// Claims the request's `Idempotency-Key`.
async fn claim(state: &AppState, viewer: &Principal, key: &[u8], req: &async_graphql::Request) -> AppResult<Begin> {
    let key = idempotency::parse_key(key)?;
    let variables = serde_json::to_value(&req.variables).unwrap_or_default();
    let hash = idempotency::request_hash(&req.query, req.operation_name.as_deref(), &variables);
    // An unanswered claim older than the request timeout belongs to a request that died.
    let lease = std::time::Duration::from_secs(state.config.request_timeout_secs);
    idempotency::begin(&state.db, viewer.agency_id, &key, &hash, lease).await
}

/// The stored first answer of an idempotent mutation.
fn replay(status: u16, body: String, media: MediaType) -> axum::response::Response {
    let mut resp = axum::response::Response::new(axum::body::Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
    resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

/// What ran, for the access log and the metrics.
struct Ran {
    operation: Option<OperationType>,
    name: Option<String>,
    /// `OK` or the first error code of the answer.
    code: String,
}

/// What the audit event needs to know of the request besides the request.
struct Meta {
    /// `x-request-id`.
    request_id: Option<HeaderValue>,
    /// The trusted document's id, when the request named or matched one.
    document_id: Option<String>,
}

/// Runs the request, stores its audit event and, for a claimed
/// `Idempotency-Key`, its answer; returns the response and what ran.
async fn execute(
    state: AppState,
    viewer: Option<Principal>,
    req: async_graphql::Request,
    meta: Meta,
    claim: Option<Claim>,
    media: MediaType,
) -> (axum::response::Response, Ran) {
    let loaders = Loaders::with_reference(state.db.clone(), viewer.clone(), state.registry.current());
    let anonymous = viewer.is_none();
    let request_id = meta.request_id.as_ref().and_then(|v| v.to_str().ok());
    let audit = state.audit.begin(viewer.clone(), || RequestMeta::of(&req, request_id).document(meta.document_id));
    let collector = audit.collector();
    let (query, operation_name) = (req.query.clone(), req.operation_name.clone());
    let checked = state.guard.check(req, viewer.as_ref());
    let only_operation = match &checked {
        Ok(c) => c.only_operation.as_deref(),
        Err(refused) => refused.only_operation.as_deref(),
    };
    collector.named_operation(only_operation);
    let resp = match checked {
        Err(refused) => *refused.response,
        Ok(Checked { request, after, .. }) => {
            let mut req =
                request.data(RequestViewer(viewer)).data(loaders).data(audit.collector()).data(state.limits.clone());
            let introspection_allowed = match state.config.introspection {
                Introspection::All => true,
                Introspection::Authenticated => !anonymous,
                Introspection::Off => false,
            };
            if !introspection_allowed {
                req = req.disable_introspection();
            }
            let schema = if anonymous { &state.anonymous_schema } else { &state.schema };
            // The write transactions of the mutation mark the claim as theirs (`idempotency::hold`).
            let resp = after.restore(idempotency::CURRENT.scope(claim.clone(), schema.execute(req)).await);
            if let Some(roots) = after.ran(&resp) {
                collector.ran(&roots.fields, roots.mutation);
            }
            resp
        }
    };
    let mut resp = with_codes(resp);
    crate::graphql::order::restore(&mut resp.data, &query, operation_name.as_deref());
    let committed = collector.committed_writes();
    if resp.errors.iter().any(|e| e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&"RATE_LIMITED".into())) {
        state.metrics.rate_limited("nip");
    }
    // The database went away while the request ran, and nothing was written:
    // the answer is a plain 503 without data, so there is no event to store
    // (which would wait for the database a second time).
    let unavailable =
        |e: &ServerError| e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&"SERVICE_UNAVAILABLE".into());
    let first_code = |resp: &Response| {
        resp.errors
            .iter()
            .find_map(|e| match e.extensions.as_ref()?.get("code")? {
                async_graphql::Value::String(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "OK".to_owned())
    };
    let (out, code) = if !committed && resp.errors.iter().any(unavailable) {
        let resp = Response::from_errors(vec![AppError::Unavailable.extend().into_server_error(Pos::default())]);
        let code = first_code(&resp);
        (protocol::respond(resp, media), code)
    } else {
        // The answer is written out here, on the thread that built it and
        // while it is in that core's cache, and then held back until the
        // request's audit event is stored: no event, no data (a committed
        // write is answered with its data all the same: see
        // `RequestAudit::finish`). Written after the wait, it was written
        // wherever the audit writer's acknowledgement woke the request,
        // and the audit cost a page of 50 cases a fifth of its rate
        // (docs/performance.md).
        let errors = resp.errors.clone();
        let code = first_code(&resp);
        let written = protocol::respond(resp, media);
        match audit.finish(&errors).await {
            Ok(()) => (written, code),
            Err(e) => {
                let resp = Response::from_errors(vec![e.extend().into_server_error(Pos::default())]);
                let code = first_code(&resp);
                (protocol::respond(resp, media), code)
            }
        }
    };
    let operation = Ran { operation: collector.operation(), name: collector.operation_name(), code };
    let Some(claim) = claim else { return (out, operation) };
    if !committed {
        if let Err(e) = idempotency::release(&state.db, &claim).await {
            tracing::warn!(error = %e, "an idempotency key was not released");
        }
        return (out, operation);
    }
    let (parts, body) = out.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    if let Err(e) = idempotency::complete(&state.db, &claim, parts.status.as_u16(), &text).await {
        tracing::error!(error = %e, "the answer of an idempotent mutation was not stored; a retry gets CONFLICT");
    }
    (axum::response::Response::from_parts(parts, axum::body::Body::from(bytes)), operation)
}

/// HTTP 401 with a GraphQL error body and no data.
fn unauthenticated(message: &str) -> axum::response::Response {
    let err = ServerError::new(message, None);
    let mut err = ServerError { extensions: AppError::Unauthenticated.extend().extensions, ..err };
    err.message = message.to_owned();
    let body = Response::from_errors(vec![err]);
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response()
}
