//! GraphQL over HTTP, to the letter of the spec
//! (<https://graphql.github.io/graphql-over-http/draft/>): reading the
//! parameters of a `GET` or `POST`, choosing the response media type from
//! `Accept`, the HTTP status of a GraphQL response, and the JSON body of
//! every refusal. No database and no authentication here: the handler calls
//! these functions around the execution.
//!
//! - `GET` executes queries only; a mutation over `GET` gets 405 and never runs.
//! - `POST` needs `Content-Type: application/json` (UTF-8); anything else,
//!   including the CSRF "simple" types (`text/plain`, form-urlencoded,
//!   multipart) and no content type, gets 415.
//! - `Accept: application/graphql-response+json` gets that media type and
//!   4xx for request errors; `application/json`, `*/*` or no `Accept` gets
//!   `application/json` and 200.
//! - Every refusal is a GraphQL response with `errors[].extensions.code` and
//!   no `data`.

use async_graphql::parser::types::OperationType;
use async_graphql::{Response, Variables};
use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use serde_json::{json, Map, Value};

/// `application/graphql-response+json`.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// `application/json`.
pub const JSON: &str = "application/json";

/// The media type of the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors get 4xx.
    GraphQlResponseJson,
    /// `application/json`: every well-formed request gets 200.
    Json,
}

impl MediaType {
    /// The `Content-Type` header value of a body in this media type.
    pub fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// A request refused before execution: status, code and message, sent as a
/// GraphQL response without `data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The HTTP status.
    pub status: StatusCode,
    /// `extensions.code`.
    pub code: &'static str,
    /// For a human.
    pub message: String,
}

impl Rejection {
    /// A malformed request: 400 `BAD_USER_INPUT`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "BAD_USER_INPUT", message: message.into() }
    }

    /// The response, in `media` (JSON when the caller's Accept is unusable).
    pub fn into_response(self, media: MediaType) -> axum::response::Response {
        let body = json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code } }] });
        let mut resp = body_response(self.status, media, &body);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            resp.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        resp
    }
}

fn body_response(status: StatusCode, media: MediaType, body: &Value) -> axum::response::Response {
    let mut resp = axum::response::Response::new(axum::body::Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
    resp
}

/// Chooses the response media type from `Accept` (q-values honoured; on a
/// tie the first listed wins). `*/*`, `application/*` and no header mean
/// `application/json`; a header that allows neither gets 406.
pub fn negotiate(headers: &HeaderMap) -> Result<MediaType, Rejection> {
    let mut best: Option<(f32, MediaType)> = None;
    let mut any_header = false;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            if range.is_empty() {
                continue;
            }
            any_header = true;
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let media = match range.as_str() {
                GRAPHQL_RESPONSE_JSON => MediaType::GraphQlResponseJson,
                JSON | "application/*" | "*/*" => MediaType::Json,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, media));
            }
        }
    }
    match best {
        Some((_, media)) => Ok(media),
        None if !any_header => Ok(MediaType::Json),
        None => Err(Rejection {
            status: StatusCode::NOT_ACCEPTABLE,
            code: "BAD_USER_INPUT",
            message: format!("the response is available as `{GRAPHQL_RESPONSE_JSON}` or `{JSON}` only"),
        }),
    }
}

/// The four request parameters of the spec, and `documentId` (a trusted
/// document by id: see `trusted`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Params {
    /// `query`: the document (absent for a persisted-query hash or a document id alone).
    pub query: Option<String>,
    /// `documentId`: the id of a trusted document (graphql-codegen's persisted documents).
    pub document_id: Option<String>,
    /// `operationName`.
    pub operation_name: Option<String>,
    /// `variables`: a JSON object.
    pub variables: Option<Map<String, Value>>,
    /// `extensions`: a JSON object.
    pub extensions: Option<Map<String, Value>>,
}

/// Reads the parameters of `GET /graphql?query=…&variables=…` (`variables`
/// and `extensions` are JSON text).
pub fn from_get(uri: &Uri) -> Result<Params, Rejection> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|_| Rejection::bad_request("the query string is not valid URL encoding"))?;
    let mut object = Map::new();
    for (key, value) in pairs {
        let value = match key.as_str() {
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|_| Rejection::bad_request(format!("the `{key}` parameter must be a JSON object")))?,
            _ => Value::String(value),
        };
        if object.insert(key.clone(), value).is_some() {
            return Err(Rejection::bad_request(format!("the `{key}` parameter is given more than once")));
        }
    }
    params_of(object)
}

/// Reads the parameters of a `POST`: `Content-Type: application/json` with
/// a JSON object body.
pub fn from_post(headers: &HeaderMap, body: &[u8]) -> Result<Params, Rejection> {
    check_content_type(headers)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Rejection::bad_request("the request body is empty; send a JSON object with a `query`"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Rejection::bad_request(format!("the request body is not valid JSON (line {}, column {})", e.line(), e.column()))
    })?;
    match value {
        Value::Object(object) => params_of(object),
        Value::Array(_) => {
            Err(Rejection::bad_request("batched requests are not supported; send one JSON object per request"))
        }
        _ => Err(Rejection::bad_request("the request body must be a JSON object with a `query`")),
    }
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let unsupported = |what: &str| Rejection {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "BAD_USER_INPUT",
        message: format!("{what}; a POST must be `Content-Type: {JSON}`"),
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else { return Err(unsupported("no Content-Type")) };
    let text = value.to_str().map_err(|_| unsupported("an unreadable Content-Type"))?;
    let mut parts = text.split(';');
    let media = parts.next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case(JSON) {
        return Err(unsupported(&format!("Content-Type `{media}` is not supported")));
    }
    for param in parts {
        if let Some((name, value)) = param.split_once('=') {
            let value = value.trim().trim_matches('"');
            if name.trim().eq_ignore_ascii_case("charset") && !value.eq_ignore_ascii_case("utf-8") {
                return Err(unsupported(&format!("charset `{value}` is not supported (UTF-8 only)")));
            }
        }
    }
    Ok(())
}

fn params_of(mut object: Map<String, Value>) -> Result<Params, Rejection> {
    let mut string = |key: &str| match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Rejection::bad_request(format!("the `{key}` parameter must be a string"))),
    };
    let query = string("query")?;
    let document_id = string("documentId")?;
    let operation_name = string("operationName")?;
    let mut map = |key: &str| match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Rejection::bad_request(format!("the `{key}` parameter must be a JSON object"))),
    };
    let variables = map("variables")?;
    let extensions = map("extensions")?;
    Ok(Params { query, document_id, operation_name, variables, extensions })
}

/// Turns the parameters, their document resolved (`trusted::TrustedDocuments::resolve`),
/// into a GraphQL request. Refuses a missing `query` and, over `GET`, any
/// operation but a query (405).
pub fn into_request(params: Params, method: &Method) -> Result<async_graphql::Request, Rejection> {
    let Params { query, operation_name, variables, extensions, .. } = params;
    let Some(query) = query else {
        return Err(Rejection::bad_request("the `query` parameter is missing (or send a `documentId`)"));
    };
    if method == Method::GET {
        refuse_writes_over_get(&query, operation_name.as_deref())?;
    }
    let mut req = async_graphql::Request::new(query);
    if let Some(name) = operation_name {
        req = req.operation_name(name);
    }
    if let Some(vars) = variables {
        req = req.variables(Variables::from_json(Value::Object(vars)));
    }
    for (key, value) in extensions.unwrap_or_default() {
        let value = async_graphql::Value::from_json(value)
            .map_err(|_| Rejection::bad_request(format!("the extension `{key}` is not a GraphQL value")))?;
        req.extensions.insert(key, value);
    }
    Ok(req)
}

/// The type of the operation `query` would run (the one named
/// `operation_name`, or the only one); `None` when the document does not
/// parse or names no such operation (GraphQL then reports it).
pub fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    let mut ops = doc.operations.iter();
    let op = match operation_name {
        Some(name) => ops.find(|(n, _)| n.is_some_and(|n| n.as_str() == name)).map(|(_, op)| op),
        None => ops.next().map(|(_, op)| op),
    };
    op.map(|op| op.node.ty)
}

/// Whether `query` runs a mutation; a cheap text test first, so that most
/// queries are not parsed twice.
pub fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    query.contains("mutation") && operation_type(query, operation_name) == Some(OperationType::Mutation)
}

/// 405 when the operation a `GET` would run is a mutation (or a
/// subscription). A document that does not parse, or names no single
/// operation, is left to GraphQL to report.
fn refuse_writes_over_get(query: &str, operation_name: Option<&str>) -> Result<(), Rejection> {
    match operation_type(query, operation_name) {
        Some(OperationType::Mutation | OperationType::Subscription) => Err(Rejection {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "BAD_USER_INPUT",
            message: "GET runs queries only; send mutations with POST".to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Whether `resp` is a request error: execution never started (a document
/// that does not parse or validate, variables that do not coerce, a request
/// limit), so there is no `data` and no error has a path.
pub fn is_request_error(resp: &Response) -> bool {
    !resp.errors.is_empty() && resp.data == async_graphql::Value::Null && resp.errors.iter().all(|e| e.path.is_empty())
}

/// The `extensions.code` values of a response's errors.
fn codes(resp: &Response) -> impl Iterator<Item = &str> {
    resp.errors.iter().filter_map(|e| match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    })
}

/// Codes that mean "not now, retry": the whole response gets their status,
/// whatever the media type, with `Retry-After` (see [`respond`]).
const RETRY_CODES: [(&str, StatusCode); 3] = [
    ("SERVICE_UNAVAILABLE", StatusCode::SERVICE_UNAVAILABLE),
    ("OVERLOADED", StatusCode::SERVICE_UNAVAILABLE),
    ("RATE_LIMITED", StatusCode::TOO_MANY_REQUESTS),
];

/// The HTTP status of a GraphQL response in `media`. An error coded
/// `SERVICE_UNAVAILABLE` or `OVERLOADED` makes it 503, `RATE_LIMITED` 429,
/// in either media type: the client should retry later, and a load balancer
/// should see it. Otherwise, with `application/graphql-response+json` a
/// request error is 400 (500 when it is `INTERNAL`: the server, not the
/// request, failed); everything else is 200, as the spec asks for
/// `application/json`. This is the one place that maps a GraphQL response
/// to its status: add further codes here.
pub fn status_for(resp: &Response, media: MediaType) -> StatusCode {
    if let Some(status) = codes(resp).find_map(|c| RETRY_CODES.iter().find(|(code, _)| *code == c).map(|(_, s)| *s)) {
        return status;
    }
    if media != MediaType::GraphQlResponseJson || !is_request_error(resp) {
        return StatusCode::OK;
    }
    if codes(resp).any(|c| c == "INTERNAL") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// Seconds a client should wait before retrying a 503 or 429: the largest
/// `extensions.retryAfter` of the errors, at least 1.
fn retry_after(resp: &Response) -> u64 {
    resp.errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("retryAfter")? {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .max()
        .unwrap_or(1)
        .max(1)
}

/// A response of one error with `code` and `message` and no data (for
/// refusals made outside GraphQL: overload, rate limits, timeouts), sent
/// through [`respond`] so that its status comes from [`status_for`].
pub fn refusal(code: &str, message: &str, retry_after_secs: Option<u64>, media: MediaType) -> axum::response::Response {
    let mut err = async_graphql::ServerError::new(message, None);
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", code);
    if let Some(secs) = retry_after_secs {
        ext.set("retryAfter", secs);
    }
    respond(Response::from_errors(vec![err]), media)
}

/// The HTTP response of an executed request: status from [`status_for`],
/// the body without `data` for a request error, and the headers resolvers set.
pub fn respond(mut resp: Response, media: MediaType) -> axum::response::Response {
    let status = status_for(&resp, media);
    let request_error = is_request_error(&resp);
    let headers = std::mem::take(&mut resp.http_headers);
    // An answer is written straight to its bytes; only a request error,
    // which must have no `data` entry at all, goes through a JSON value.
    let written = if request_error {
        serde_json::to_value(&resp).and_then(|mut body| {
            if let Value::Object(m) = &mut body {
                m.remove("data");
            }
            serde_json::to_vec(&body)
        })
    } else {
        serde_json::to_vec(&resp)
    };
    let bytes = written.unwrap_or_else(|e| {
        tracing::error!(error = %e, "a GraphQL response could not be serialised");
        json!({ "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] })
            .to_string()
            .into_bytes()
    });
    let mut out = axum::response::Response::new(axum::body::Body::from(bytes));
    *out.status_mut() = status;
    out.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
    for (name, value) in &headers {
        out.headers_mut().append(name, value.clone());
    }
    if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
        out.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after(&resp)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn accept_headers_choose_the_media_type() {
        assert_eq!(negotiate(&HeaderMap::new()), Ok(MediaType::Json));
        assert_eq!(negotiate(&accept("*/*")), Ok(MediaType::Json));
        assert_eq!(negotiate(&accept("application/json")), Ok(MediaType::Json));
        assert_eq!(negotiate(&accept(GRAPHQL_RESPONSE_JSON)), Ok(MediaType::GraphQlResponseJson));
        assert_eq!(
            negotiate(&accept("application/graphql-response+json, application/json;q=0.9")),
            Ok(MediaType::GraphQlResponseJson)
        );
        assert_eq!(
            negotiate(&accept("application/graphql-response+json;q=0.5, application/json")),
            Ok(MediaType::Json)
        );
        assert_eq!(negotiate(&accept("text/html,*/*;q=0.8")), Ok(MediaType::Json));
        assert_eq!(negotiate(&accept("text/html")).map_err(|r| r.status), Err(StatusCode::NOT_ACCEPTABLE));
        assert_eq!(negotiate(&accept("application/json;q=0")).map_err(|r| r.status), Err(StatusCode::NOT_ACCEPTABLE));
    }

    #[test]
    fn parameters_of_the_wrong_type_are_refused() {
        let ok =
            params_of(json!({ "query": "{ a }", "variables": null, "extensions": {} }).as_object().cloned().unwrap());
        assert_eq!(ok.unwrap().query.as_deref(), Some("{ a }"));
        for bad in [
            json!({ "query": 1 }),
            json!({ "query": "{a}", "variables": "x" }),
            json!({ "query": "{a}", "operationName": [] }),
        ] {
            let r = params_of(bad.as_object().cloned().unwrap()).unwrap_err();
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn get_refuses_the_mutation_it_would_run_and_only_that() {
        let mutation = "query Q { a } mutation M { b }";
        assert!(refuse_writes_over_get(mutation, Some("Q")).is_ok());
        assert_eq!(refuse_writes_over_get(mutation, Some("M")).unwrap_err().status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(refuse_writes_over_get("mutation { b }", None).unwrap_err().status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(refuse_writes_over_get("{ a }", None).is_ok());
    }
}
