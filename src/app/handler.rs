//! HTTP endpoints of the GraphQL API: `POST`/`GET /graphql` and the IDE.
//! Authentication happens here, before GraphQL runs: no header means
//! anonymous, a bad token gets HTTP 401 with an `UNAUTHENTICATED` error.
//! A request that returned non-public data leaves its audit event before the
//! response is sent; if the event cannot be stored, the caller gets
//! `INTERNAL` and no data.

use async_graphql::{ErrorExtensions, Pos, Response, ServerError};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use super::AppState;
use crate::audit::RequestMeta;
use crate::auth::Principal;
use crate::config::Introspection;
use crate::error::AppError;
use crate::graphql::batch::Loaders;
use crate::graphql::RequestViewer;

/// Reads the bearer token, if any. `Err` carries the refusal message.
async fn principal(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, String> {
    let Some(raw) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let value = raw.to_str().map_err(|_| "the Authorization header is not text".to_owned())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "the Authorization header must be `Bearer <token>`".to_owned())?;
    state.auth.authenticate(&state.registry, token).await.map(Some).map_err(|e| e.0)
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

/// `POST /graphql` and `GET /graphql?query=…`.
pub async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> axum::response::Response {
    let viewer = match principal(&state, &headers).await {
        Ok(v) => v,
        Err(message) => return unauthenticated(&message),
    };
    let loaders = Loaders::new(state.db.clone(), viewer.clone());
    let anonymous = viewer.is_none();
    let req = req.into_inner();
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
        return GraphQLResponse::from(refused).into_response();
    }
    GraphQLResponse::from(resp).into_response()
}

/// HTTP 401 with a GraphQL error body and no data.
fn unauthenticated(message: &str) -> axum::response::Response {
    let err = ServerError::new(message, None);
    let mut err = ServerError { extensions: AppError::Unauthenticated.extend().extensions, ..err };
    err.message = message.to_owned();
    let body = Response::from_errors(vec![err]);
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response()
}
