//! Failing safely and visibly (issue 10): outages, a failing audit path,
//! idempotent retries, rate limits, load shedding, slow clients, shutdown,
//! and what an operator sees. The helpers here build an app whose state the
//! test holds (to take its permits, to point it through a proxy) and a TCP
//! proxy to PostgreSQL that a test cuts and restores.

mod audit;
mod idempotency;
mod limits;
mod logs;
mod outage;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use netra::app::AppState;
use netra::config::Config;
use secrecy::SecretString;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::helpers::{TestApp, SECRET};

/// State over `app`'s database (or `url`, e.g. through a proxy), adjusted.
pub async fn state_for(url: &str, adjust: impl FnOnce(&mut Config)) -> AppState {
    let db = netra::db::connect_with(url, Duration::from_millis(1500)).await.unwrap();
    let mut config = Config::for_database(url.to_owned());
    config.dev_secret = Some(SecretString::from(SECRET));
    adjust(&mut config);
    let state = AppState::new(db, config);
    crate::helpers::wait_for_registry(&state).await;
    state
}

/// The answer of one request: status, headers, JSON body (or `{"raw": …}`).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The first error's code.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"].as_str().unwrap_or("<none>")
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `req` through `router`.
pub async fn call(router: &Router, req: Request<Body>) -> Answer {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) }));
    Answer { status, headers, body }
}

/// The head of a GraphQL POST, with a bearer token when given.
pub fn post(token: Option<&str>) -> axum::http::request::Builder {
    let mut req = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req
}

/// POSTs `query` with `token` from `peer`, with `extra` headers.
pub async fn gql_from(
    router: &Router,
    peer: Option<SocketAddr>,
    token: Option<&str>,
    extra: &[(&str, &str)],
    query: &str,
    variables: Value,
) -> Answer {
    let mut req = post(token);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::from(json!({ "query": query, "variables": variables }).to_string())).unwrap();
    if let Some(peer) = peer {
        req.extensions_mut().insert(ConnectInfo(peer));
    }
    call(router, req).await
}

/// POSTs `query` with `token` (no client address).
pub async fn gql(router: &Router, token: Option<&str>, query: &str, variables: Value) -> Answer {
    gql_from(router, None, token, &[], query, variables).await
}

/// A GET of `path`.
pub async fn get(router: &Router, path: &str) -> Answer {
    call(router, Request::get(path).body(Body::empty()).unwrap()).await
}

/// A TCP proxy on 127.0.0.1 to `upstream` that the test cuts (every open
/// connection is closed and new ones are refused) and restores.
pub struct Proxy {
    pub addr: SocketAddr,
    up: watch::Sender<bool>,
}

impl Proxy {
    /// A proxy to `upstream`, passing traffic.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, _) = watch::channel(true);
        let rx = up.subscribe();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut rx = rx.clone();
                if !*rx.borrow() {
                    drop(client);
                    continue;
                }
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = rx.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { addr, up }
    }

    /// Closes every connection and refuses new ones.
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }

    /// `url` with its host and port replaced by the proxy's.
    pub fn url(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (authority, path) = rest.split_once('/').unwrap();
        let user = authority.rsplit_once('@').map(|(u, _)| format!("{u}@")).unwrap_or_default();
        format!("{scheme}://{user}{}/{path}", self.addr)
    }
}

/// The PostgreSQL server of the test run.
pub fn postgres_addr() -> SocketAddr {
    let url = std::env::var("NETRA_TEST_POSTGRES_URL").unwrap();
    let authority = url.split_once("://").unwrap().1.split('/').next().unwrap();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_port = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:5432") };
    host_port.replace("localhost", "127.0.0.1").parse().unwrap()
}

/// A read-and-write token for `agency` of `app`.
pub fn writer(app: &TestApp, agency: &str) -> String {
    app.token_with(agency, &["read", "write"])
}

/// The first case of `agency`'s scope: number and version.
pub async fn some_case(router: &Router, token: &str) -> (String, i64) {
    let a = gql(router, Some(token), "{ cases(first: 1) { edges { node { number version } } } }", json!({})).await;
    let node = &a.body["data"]["cases"]["edges"][0]["node"];
    (node["number"].as_str().unwrap_or_else(|| panic!("{}", a.body)).to_owned(), node["version"].as_i64().unwrap())
}

/// The first open case `agency` handles: number and version.
pub async fn handled_case(app: &TestApp, agency: &str) -> (String, i64) {
    let sql = format!(
        "SELECT c.number FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id \
         WHERE a.code = '{agency}' AND c.state <> 'CLOSED' ORDER BY c.id LIMIT 1"
    );
    let number = app.strings(&sql).await.remove(0);
    let version = app.count(&format!("SELECT CAST(version AS BIGINT) FROM \"case\" WHERE number = '{number}'")).await;
    (number, version)
}

/// The `recordCorrection` mutation.
pub const CORRECT: &str =
    "mutation($input: StepInput!) { recordCorrection(input: $input) { case { number version } } }";

/// Its variables.
pub fn correction(number: &str, version: i64, note: &str) -> Value {
    json!({ "input": { "caseNumber": number, "expectedVersion": version, "note": note } })
}

/// Shared handle for tests that need the state after building the router.
pub fn router_of(state: &AppState) -> Router {
    netra::app::router(state.clone())
}

/// Holds every permit of `state`, as if that many requests were in flight.
pub async fn occupy(state: &AppState) -> tokio::sync::OwnedSemaphorePermit {
    let n = u32::try_from(state.config.max_in_flight).unwrap();
    Arc::clone(&state.in_flight).acquire_many_owned(n).await.unwrap()
}
