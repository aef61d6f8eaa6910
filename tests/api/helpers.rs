//! Test harness: one database per test and engine, and the real router
//! driven in-process. Each test's database is a clone of a template that was
//! migrated through the real migrations (and, for demo tests, seeded through
//! the workflow) once per test process and engine: PostgreSQL clones it with
//! `CREATE DATABASE … TEMPLATE`, SQLite copies the file. Set
//! `NETRA_TEST_NO_TEMPLATE=1` to migrate and seed every database afresh.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use netra::app::{router, AppState};
use netra::auth::{Authenticator, DevIssuer};
use netra::config::Config;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use secrecy::SecretString;
use serde_json::{json, Value};
use tower::ServiceExt;

/// The development secret every test app trusts.
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// Which engine a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The engines this run covers: SQLite always, PostgreSQL when configured.
pub fn engines() -> Vec<Engine> {
    let mut out = vec![Engine::Sqlite];
    if std::env::var("NETRA_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        out.push(Engine::Postgres);
    }
    out
}

/// Removes the per-test database when the test ends.
enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(db) = sea_orm::Database::connect(&admin_url).await {
                        let _ =
                            db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                    }
                });
            })
            .join();
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// What a template holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Template {
    /// Migrated, with reference data.
    Reference,
    /// Also the demo data, played through the workflow.
    Demo,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Self::Reference => "ref",
            Self::Demo => "demo",
        }
    }
}

/// The templates of this process: a SQLite file path or a PostgreSQL
/// database name, per (engine, template).
static TEMPLATES: [[std::sync::OnceLock<String>; 2]; 2] = [
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()],
    [std::sync::OnceLock::new(), std::sync::OnceLock::new()],
];

fn templates_enabled() -> bool {
    !std::env::var("NETRA_TEST_NO_TEMPLATE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Runs `f` to completion on a runtime of its own (templates are shared by
/// tests that each run on their own runtime).
fn on_own_runtime<T: Send + 'static>(f: impl std::future::Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(f)
    })
    .join()
    .unwrap()
}

/// Migrates `url` and loads what `template` holds.
async fn prepare(url: &str, template: Template) {
    let db = netra::db::connect(url).await.unwrap();
    netra::db::migrate(&db).await.unwrap();
    netra::reference::load(&db).await.unwrap();
    if template == Template::Demo {
        netra::seed::load_demo(&db).await.unwrap();
    }
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    }
    db.close().await.unwrap();
}

/// The admin URL of the PostgreSQL server and the URL of database `name` on it.
fn postgres_urls(name: &str) -> (String, String) {
    let admin_url = std::env::var("NETRA_TEST_POSTGRES_URL").unwrap();
    let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b).to_owned();
    (admin_url, format!("{base}/{name}"))
}

/// Drops the templates left by test processes that have ended (a process
/// cannot drop its own at exit); a live process's templates are kept.
async fn drop_stale_templates(admin: &DatabaseConnection) {
    let rows = admin
        .query_all(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'netra_tpl_%'".to_owned(),
        ))
        .await
        .unwrap();
    for row in rows {
        let name: String = row.try_get_by_index(0).unwrap();
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
        }
    }
}

/// The template for (`engine`, `template`), built on first use.
fn template(engine: Engine, template: Template) -> String {
    let slot = &TEMPLATES[usize::from(engine == Engine::Postgres)][usize::from(template == Template::Demo)];
    slot.get_or_init(|| {
        on_own_runtime(async move {
            match engine {
                Engine::Sqlite => {
                    let dir = tempfile::Builder::new().prefix("netra-tpl-").tempdir().unwrap().keep();
                    let path = dir.join("template.db");
                    prepare(&format!("sqlite://{}?mode=rwc", path.display()), template).await;
                    path.display().to_string()
                }
                Engine::Postgres => {
                    let name = format!("netra_tpl_{}_{}", std::process::id(), template.name());
                    let (admin_url, url) = postgres_urls(&name);
                    let admin = sea_orm::Database::connect(&admin_url).await.unwrap();
                    drop_stale_templates(&admin).await;
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await.unwrap();
                    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
                    prepare(&url, template).await;
                    admin.close().await.unwrap();
                    name
                }
            }
        })
    })
    .clone()
}

/// A running netra over a fresh database.
pub struct TestApp {
    pub engine: Engine,
    pub router: Router,
    pub db: DatabaseConnection,
    pub issuer: DevIssuer,
    /// Statements executed through the app's pool since the last reset.
    pub statements: Arc<AtomicUsize>,
    /// Their SQL, for messages.
    pub statement_log: Arc<std::sync::Mutex<Vec<String>>>,
    /// The database URL, for a second instance on the same database.
    pub url: String,
    _cleanup: Cleanup,
}

/// A new database URL for `engine`: empty, or a clone of `template`.
async fn fresh_database(engine: Engine, template: Option<Template>) -> (String, Cleanup) {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("netra.db");
            if let Some(t) = template {
                std::fs::copy(self::template(engine, t), &path).unwrap();
            }
            let url = format!("sqlite://{}?mode=rwc", path.display());
            (url, Cleanup::Sqlite(dir))
        }
        Engine::Postgres => {
            let name = format!(
                "netra_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                rand_suffix()
            );
            let (admin_url, url) = postgres_urls(&name);
            let source = template.map(|t| self::template(engine, t));
            let admin = sea_orm::Database::connect(&admin_url).await.unwrap();
            match source {
                Some(tpl) => admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{tpl}\"")).await,
                None => admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await,
            }
            .unwrap();
            admin.close().await.unwrap();
            (url, Cleanup::Postgres { admin_url, name })
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

impl TestApp {
    /// A migrated app with reference data on `engine`.
    pub async fn spawn(engine: Engine) -> Self {
        Self::spawn_with(engine, |_| {}).await
    }

    /// Like [`spawn`], after adjusting the configuration.
    pub async fn spawn_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_inner(engine, adjust, None).await
    }

    /// Like [`spawn`], verifying tokens with `auth` (e.g. one with a trust registry).
    pub async fn spawn_with_authenticator(engine: Engine, auth: Authenticator) -> Self {
        Self::spawn_inner(engine, |_| {}, Some(auth)).await
    }

    async fn spawn_inner(engine: Engine, adjust: impl FnOnce(&mut Config), auth: Option<Authenticator>) -> Self {
        Self::spawn_from(engine, Template::Reference, adjust, auth).await
    }

    /// An app over a database holding what `template` holds.
    async fn spawn_from(
        engine: Engine,
        template: Template,
        adjust: impl FnOnce(&mut Config),
        auth: Option<Authenticator>,
    ) -> Self {
        let cloned = templates_enabled();
        let (url, cleanup) = fresh_database(engine, cloned.then_some(template)).await;
        if !cloned {
            prepare(&url, template).await;
        }
        let mut db = netra::db::connect(&url).await.unwrap();
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        let statement_log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = statement_log.clone();
        db.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut log) = log.lock() {
                log.push(info.statement.sql.chars().take(4000).collect());
            }
        });
        let mut config = Config::for_database(url.clone());
        config.dev_secret = Some(SecretString::from(SECRET));
        adjust(&mut config);
        let issuer = DevIssuer::new(&SecretString::from(SECRET));
        let state = match auth {
            Some(auth) => AppState::with_authenticator(db.clone(), config, auth),
            None => AppState::new(db.clone(), config),
        };
        registry_loaded(&state).await;
        let router = router(state);
        Self { engine, router, db, issuer, statements, statement_log, url, _cleanup: cleanup }
    }

    /// Another netra instance (own pool, own state, own audit writer) over
    /// this app's database, as a second server behind a load balancer.
    pub async fn second_instance(&self) -> (Router, DatabaseConnection) {
        let db = netra::db::connect(&self.url).await.unwrap();
        let mut config = Config::for_database(self.url.clone());
        config.dev_secret = Some(SecretString::from(SECRET));
        let state = AppState::new(db.clone(), config);
        registry_loaded(&state).await;
        (router(state), db)
    }

    /// A migrated app with the demo data on `engine`.
    pub async fn with_demo(engine: Engine) -> Self {
        Self::spawn_from(engine, Template::Demo, |_| {}, None).await
    }

    /// Like [`with_demo`], after adjusting the configuration.
    pub async fn with_demo_and(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_from(engine, Template::Demo, adjust, None).await
    }

    /// One app with demo data per engine of this run.
    pub async fn demo_on_each_engine() -> Vec<Self> {
        let mut out = Vec::new();
        for engine in engines() {
            out.push(Self::with_demo(engine).await);
        }
        out
    }

    /// A `read` token for `agency`.
    pub fn token(&self, agency: &str) -> String {
        self.token_with(agency, &["read"])
    }

    /// A token for `agency` with `permissions`.
    pub fn token_with(&self, agency: &str, permissions: &[&str]) -> String {
        self.issuer.mint("tester", agency, permissions, Duration::from_secs(600)).unwrap()
    }

    /// Sends a raw request and returns status and JSON body.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(&bytes) }));
        (status, body)
    }

    /// POSTs a GraphQL query, with a bearer token when given.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> (StatusCode, Value) {
        let mut req = Request::post("/graphql").header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// POSTs a query as `agency` (read) and returns `data`, failing on errors.
    pub async fn data_as(&self, agency: Option<&str>, query: &str, variables: Value) -> Value {
        let token = agency.map(|a| self.token(a));
        let (status, body) = self.gql(token.as_deref(), query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{:?}: unexpected errors {body}", self.engine);
        body["data"].clone()
    }

    /// Runs SQL and returns the first column of every row as a string.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        let rows =
            self.db.query_all(Statement::from_string(self.db.get_database_backend(), sql.to_owned())).await.unwrap();
        rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
    }

    /// Runs SQL returning one integer.
    pub async fn count(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one(Statement::from_string(self.db.get_database_backend(), sql.to_owned()))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

/// The `extensions.code` of the first error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("<none>")
}

/// The case numbers of a `cases` connection.
pub fn numbers(data: &Value) -> Vec<String> {
    let mut out: Vec<String> = data["cases"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["number"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

/// Waits for the first load of `state`'s agency registry (at most 30 s), so
/// that a test's first request is not answered "not loaded yet" when the
/// machine is busy: serving waits only 1 s for it.
pub async fn registry_loaded(state: &AppState) {
    assert!(wait_for_registry(state).await, "the agency registry did not load within 30 s");
}

/// Whether `state`'s registry loaded within 30 s (a test may cut its database).
pub async fn wait_for_registry(state: &AppState) -> bool {
    for _ in 0..1500 {
        if state.registry.is_loaded() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}
