//! HTTP endpoints of the GraphQL API: `POST`/`GET /graphql` and the IDE.
//! The GraphQL-over-HTTP rules (methods, media types, status codes,
//! refusals) are in `protocol`; this handler applies them around execution.
//! Authentication happens here, before GraphQL runs: no header means
//! anonymous, a bad token gets HTTP 401 with an `UNAUTHENTICATED` error.
//! A request that returned non-public data leaves its audit event before the
//! response is sent; if the event cannot be stored, the caller gets
//! `INTERNAL` and no data.

use async_graphql::{ErrorExtensions, Pos, Response, ServerError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Json;

use super::AppState;
use crate::audit::RequestMeta;
use crate::auth::Principal;
use crate::config::Introspection;
use crate::error::AppError;
use crate::graphql::batch::Loaders;
use crate::graphql::protocol::{self, MediaType, Rejection};
use crate::graphql::RequestViewer;

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

/// Reads the GraphQL request of a `GET` or `POST` by the protocol's rules.
fn read_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<async_graphql::Request, Rejection> {
    let params = if method == Method::GET {
        protocol::from_get(uri)?
    } else {
        let body =
            body.map_err(|e| Rejection { status: e.status(), code: "BAD_USER_INPUT", message: e.body_text() })?;
        protocol::from_post(headers, &body)?
    };
    protocol::into_request(params, method)
}

/// `POST /graphql` and `GET /graphql?query=…`.
pub async fn graphql(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> axum::response::Response {
    let media = match protocol::negotiate(&headers) {
        Ok(m) => m,
        Err(refused) => return refused.into_response(MediaType::Json),
    };
    let req = match read_request(&method, &uri, &headers, body) {
        Ok(r) => r,
        Err(refused) => return refused.into_response(media),
    };
    let viewer = match principal(&state, &headers).await {
        Ok(v) => v,
        Err(message) => return unauthenticated(&message),
    };
    let loaders = Loaders::new(state.db.clone(), viewer.clone());
    let anonymous = viewer.is_none();
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok());
    let audit = state.audit.begin(viewer.clone(), || RequestMeta::of(&req, request_id));
    let mut req = req.data(RequestViewer(viewer)).data(loaders).data(audit.collector());
    let introspection_allowed = match state.config.introspection {
        Introspection::All => true,
        Introspection::Authenticated => !anonymous,
        Introspection::Off => false,
    };
    if !introspection_allowed {
        req = req.disable_introspection();
    }
    let schema = if anonymous { &state.anonymous_schema } else { &state.schema };
    let resp = with_codes(schema.execute(req).await);
    // The request's audit event is stored before anything leaves: no event, no data.
    if let Err(e) = audit.finish(&resp.errors).await {
        let refused = Response::from_errors(vec![e.extend().into_server_error(Pos::default())]);
        return protocol::respond(refused, media);
    }
    protocol::respond(resp, media)
}

/// HTTP 401 with a GraphQL error body and no data.
fn unauthenticated(message: &str) -> axum::response::Response {
    let err = ServerError::new(message, None);
    let mut err = ServerError { extensions: AppError::Unauthenticated.extend().extensions, ..err };
    err.message = message.to_owned();
    let body = Response::from_errors(vec![err]);
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response()
}
