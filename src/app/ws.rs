//! The WebSocket side of `/graphql`: GraphQL subscriptions over the
//! `graphql-transport-ws` protocol (the `graphql-ws` clients). A `GET
//! /graphql` that asks for a WebSocket upgrade comes here; any other goes to
//! the HTTP endpoint (`handler`).
//!
//! The bearer token travels in `connection_init` (`{"authorization":
//! "Bearer …"}`, or `{"token": "…"}`) and is checked exactly as over HTTP by
//! the same authenticator; no token means anonymous (whose `changes`
//! subscription is refused as `UNAUTHENTICATED`). A refused token closes the
//! socket with 4401, a token without `read` with 4403, a connection over the
//! agency's rate limit (each connection counts as one request) with 4429, and
//! the connection is closed with 4401 ("the token expired") at the token's `exp`.
//!
//! A `subscribe` payload may name its document by hash (`extensions.persistedQuery`
//! or `extensions.documentId`): `TrustedExecutor` applies the rules of
//! `graphql::trusted` before the schema sees it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::http::{WebSocket as GqlWebSocket, WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use tokio::time::Instant;

use super::AppState;
use crate::auth::{Permission, Principal};
use crate::graphql::batch::Loaders;
use crate::graphql::protocol::{Params, Rejection};
use crate::graphql::trusted::TrustedDocuments;
use crate::graphql::RequestViewer;

/// Close code of a refused or expired token.
pub const CLOSE_UNAUTHENTICATED: u16 = 4401;
/// Close code of a token that may not read.
pub const CLOSE_FORBIDDEN: u16 = 4403;
/// Close code of a connection refused by the agency's rate limit
/// (`NETRA_RATE_LIMIT_AGENCY`); the reason says when to retry.
pub const CLOSE_RATE_LIMITED: u16 = 4429;

/// How long the server waits for the client's answer to its keep-alive.
const KEEPALIVE: Duration = Duration::from_secs(60);

/// `GET /graphql`: a WebSocket upgrade, or the HTTP endpoint.
pub async fn graphql_get(State(state): State<AppState>, req: Request) -> Response {
    let wants_upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_upgrade {
        return super::handler::graphql.call(req, state).await;
    }
    let (mut parts, _) = req.into_parts();
    // The subprotocol the client offers; graphql-ws sends `graphql-transport-ws`.
    let offered = parts.headers.get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(protocol) = offered.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()) else {
        return (StatusCode::BAD_REQUEST, "offer the `graphql-transport-ws` WebSocket subprotocol").into_response();
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| serve(state, socket, protocol))
}

/// The token's `exp`, read from a token the authenticator has just accepted.
fn expiry(token: &str) -> Option<Instant> {
    #[derive(serde::Deserialize)]
    struct Exp {
        exp: i64,
    }
    let payload = token.split('.').nth(1)?;
    let Exp { exp } = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let left = exp - chrono::Utc::now().timestamp();
    Some(Instant::now() + Duration::from_secs(u64::try_from(left).unwrap_or(0)))
}

/// The token of a `connection_init` payload, if any.
fn token_of(payload: &serde_json::Value) -> Option<String> {
    let text = |k: &str| payload.get(k).and_then(|v| v.as_str());
    if let Some(raw) = text("authorization").or_else(|| text("Authorization")) {
        return Some(super::handler::bearer_token(raw).unwrap_or(raw).to_owned());
    }
    text("token").map(str::to_owned)
}

/// How the connection must end, as decided during `connection_init`.
#[derive(Default)]
struct Verdict {
    refusal: Option<u16>,
    expires: Option<Instant>,
}

/// Checks the token of `connection_init` and builds the connection's data.
async fn init(
    state: AppState,
    verdict: Arc<Mutex<Verdict>>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let set = |f: &dyn Fn(&mut Verdict)| {
        if let Ok(mut v) = verdict.lock() {
            f(&mut v);
        }
    };
    let viewer: Option<Principal> = match token_of(&payload) {
        None => None,
        Some(token) => match state.auth.authenticate(&state.registry, &token).await {
            Ok(p) if !p.has(Permission::Read) => {
                set(&|v| v.refusal = Some(CLOSE_FORBIDDEN));
                return Err("the token does not grant `read`".into());
            }
            Ok(p) => {
                // A subscription counts against its agency's rate limit, as a request does.
                if let Err(limited) = state.limits.check_agency(&p.agency_code) {
                    state.metrics.rate_limited(limited.limit.name());
                    set(&|v| v.refusal = Some(CLOSE_RATE_LIMITED));
                    return Err(format!("rate limited: retry after {} s", limited.retry_after_secs).into());
                }
                let expires = expiry(&token);
                set(&|v| v.expires = expires);
                Some(p)
            }
            Err(e) => {
                set(&|v| v.refusal = Some(CLOSE_UNAUTHENTICATED));
                return Err(e.0.into());
            }
        },
    };
    let mut data = Data::default();
    data.insert(Loaders::with_reference(state.db.clone(), viewer.clone(), state.registry.current()));
    data.insert(RequestViewer(viewer));
    data.insert(state.changes.clone());
    data.insert(state.audit.clone());
    Ok(data)
}

/// The schema behind a check of each `subscribe` payload's document, as
/// over HTTP (`graphql::trusted`): `extensions.persistedQuery` (APQ) and
/// `extensions.documentId` name a document by hash, and in allow-list mode
/// only the manifest's documents run.
#[derive(Clone)]
struct TrustedExecutor {
    schema: super::schema::AppSchema,
    trusted: Arc<TrustedDocuments>,
    guard: Arc<crate::graphql::guard::RequestGuard>,
}

impl TrustedExecutor {
    /// The request with its document found, or its refusal.
    fn resolve(&self, mut request: async_graphql::Request) -> Result<async_graphql::Request, Rejection> {
        let mut extensions = serde_json::Map::new();
        for (key, value) in &request.extensions.0 {
            extensions.insert(key.clone(), serde_json::to_value(value).unwrap_or_default());
        }
        let document_id = extensions.remove("documentId").and_then(|v| v.as_str().map(str::to_owned));
        let params = Params {
            query: Some(std::mem::take(&mut request.query)).filter(|q| !q.is_empty()),
            document_id,
            extensions: Some(extensions),
            ..Params::default()
        };
        let resolved = self.trusted.resolve(params)?;
        request.query = resolved.params.query.unwrap_or_default();
        request.extensions.0.remove("persistedQuery");
        request.extensions.0.remove("documentId");
        Ok(request)
    }
}

/// The error response of a refused `subscribe` payload.
fn refusal(refused: Rejection) -> async_graphql::Response {
    let mut err = async_graphql::ServerError::new(refused.message, None);
    err.extensions.get_or_insert_with(Default::default).set("code", refused.code);
    async_graphql::Response::from_errors(vec![err])
}

impl TrustedExecutor {
    /// The request checked by the request guard for `viewer`, as over HTTP.
    fn check(
        &self,
        request: async_graphql::Request,
        viewer: Option<&Principal>,
    ) -> Result<crate::graphql::guard::Checked, Box<async_graphql::Response>> {
        let request = self.resolve(request).map_err(|r| Box::new(refusal(r)))?;
        self.guard.check(request, viewer).map_err(|refused| refused.response)
    }
}

/// The caller in a connection's (or request's) data.
fn viewer_in(data: Option<&Data>) -> Option<&Principal> {
    data?.get(&std::any::TypeId::of::<RequestViewer>())?.downcast_ref::<RequestViewer>()?.0.as_ref()
}

impl async_graphql::Executor for TrustedExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        let viewer = viewer_in(Some(&request.data)).cloned();
        match self.check(request, viewer.as_ref()) {
            Ok(checked) => checked.after.restore(self.schema.execute(checked.request).await),
            Err(refused) => *refused,
        }
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        let viewer = viewer_in(session_data.as_deref()).cloned();
        match self.check(request, viewer.as_ref()) {
            Ok(checked) => {
                let after = checked.after;
                async_graphql::Executor::execute_stream(&self.schema, checked.request, session_data)
                    .map(move |resp| after.restore(resp))
                    .boxed()
            }
            Err(refused) => futures_util::stream::once(async move { *refused }).boxed(),
        }
    }
}

/// Runs one WebSocket connection until either side ends it or the token expires.
async fn serve(state: AppState, socket: WebSocket, protocol: WebSocketProtocols) {
    let (mut sink, stream) = socket.split();
    let input = stream.take_while(|m| futures_util::future::ready(m.is_ok())).filter_map(|m| {
        futures_util::future::ready(match m {
            Ok(Message::Text(t)) => Some(t.as_str().as_bytes().to_vec()),
            Ok(Message::Binary(b)) => Some(b.to_vec()),
            _ => None,
        })
    });
    let verdict = Arc::new(Mutex::new(Verdict::default()));
    let (st, v) = (state.clone(), verdict.clone());
    let executor =
        TrustedExecutor { schema: state.schema.clone(), trusted: state.trusted.clone(), guard: state.guard.clone() };
    let mut messages = GqlWebSocket::new(executor, input, protocol)
        .on_connection_init(move |payload| init(st, v, payload))
        .keepalive_timeout(KEEPALIVE);
    loop {
        let expires = verdict.lock().ok().and_then(|v| v.expires);
        let expired = async {
            match expires {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        let out = tokio::select! {
            msg = messages.next() => msg,
            () = expired => Some(WsMessage::Close(CLOSE_UNAUTHENTICATED, "the token expired".into())),
        };
        let Some(msg) = out else { break };
        let (frame, last) = match msg {
            WsMessage::Text(text) => (Message::Text(text.into()), false),
            WsMessage::Close(code, reason) => {
                let code = verdict.lock().ok().and_then(|v| v.refusal).unwrap_or(code);
                (Message::Close(Some(CloseFrame { code, reason: reason.into() })), true)
            }
        };
        if sink.send(frame).await.is_err() || last {
            break;
        }
    }
}
