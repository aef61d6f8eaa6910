//! The audit trail: every non-public read and every write leaves an event in
//! one hash chain before the response leaves; no event, no data; tampering is
//! found by `netra audit verify`; several instances keep one valid chain; and
//! only Bawaslu RI auditors can read it.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use http_body_util::BodyExt;
use netra::audit::chain::{verify, Verification};
use netra::audit::{record_in, AuditEntry};
use netra::auth::{Authenticator, DevIssuer, Principal};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use secrecy::SecretString;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{engines, error_code, Engine, TestApp, SECRET};

const CASES_WITH_REPORTER: &str =
    "query Reporters { cases(first: 100) { edges { node { number reporter { name } evidence { sha256 } } } } }";

/// Who reads, and the widest case query its schema allows.
const READERS: &[(Option<&str>, &str)] = &[
    (Some("BAWASLU-16.73"), CASES_WITH_REPORTER),
    (Some("BAWASLU-16"), CASES_WITH_REPORTER),
    (Some("INSPEKTORAT-16.73"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("PEMDA-16.73"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("BKN"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("POLRI"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("KEMENDAGRI"), "{ cases(first: 100) { totalCount } }"),
    (None, "{ cases(first: 100) { totalCount } }"),
];

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

async fn events(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM audit_event").await
}

/// One column of the newest event, as text ('' for null).
async fn last(app: &TestApp, column: &str) -> String {
    app.strings(&format!("SELECT COALESCE(CAST({column} AS TEXT), '') FROM audit_event ORDER BY id DESC LIMIT 1"))
        .await
        .remove(0)
}

/// The case numbers the newest event records with `access`.
async fn last_cases(app: &TestApp, access: &str) -> BTreeSet<String> {
    app.strings(&format!(
        "SELECT c.number FROM audit_event_case x JOIN \"case\" c ON c.id = x.case_id \
         WHERE x.event_id = (SELECT MAX(id) FROM audit_event) AND x.access = '{access}'"
    ))
    .await
    .into_iter()
    .collect()
}

async fn chain(db: &DatabaseConnection) -> Verification {
    verify(db).await.unwrap()
}

async fn assert_intact(db: &DatabaseConnection, label: &str) -> Verification {
    let v = chain(db).await;
    assert!(v.broken.is_none(), "{label}: {v:?}");
    v
}

/// POSTs a query to `router` (another instance).
async fn gql_on(router: &Router, token: &str, query: &str) -> Value {
    let body = json!({ "query": query }).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

/// The principal of a `write` token for `agency`, as the handler would build it.
async fn principal(app: &TestApp, agency: &str) -> Principal {
    let token = app.token_with(agency, &["read", "write"]);
    let auth = Authenticator::new(Some(DevIssuer::new(&SecretString::from(SECRET))));
    auth.authenticate(&app.db, &token).await.unwrap()
}

fn nodes(data: &Value) -> Vec<Value> {
    data["cases"]["edges"].as_array().map(|e| e.iter().map(|x| x["node"].clone()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn every_non_public_read_leaves_one_event_naming_the_caller_and_what_it_returned() {
    for app in TestApp::demo_on_each_engine().await {
        for (agency, query) in READERS {
            let before = events(&app).await;
            let data = app.data_as(*agency, query, json!({})).await;
            let label = format!("{:?} {agency:?}", app.engine);
            assert_eq!(events(&app).await, before + 1, "{label}: one event per request");
            assert_eq!(last(&app, "kind").await, "REQUEST", "{label}");
            assert_eq!(last(&app, "agency_code").await, agency.unwrap_or(""), "{label}");
            assert_eq!(last(&app, "subject").await, if agency.is_some() { "tester" } else { "" }, "{label}");
            assert_eq!(last(&app, "issuer").await, if agency.is_some() { "netra-dev" } else { "" }, "{label}");
            assert_eq!(last(&app, "root_fields").await, "cases", "{label}");
            assert_eq!(last(&app, "operation_type").await, "QUERY", "{label}");
            assert_eq!(last(&app, "query_hash").await, netra::audit::redact::query_hash(query), "{label}");
            assert_eq!(last(&app, "outcome").await, "OK", "{label}");
            assert!(!last(&app, "request_id").await.is_empty(), "{label}: the request id is kept");
            let cases = nodes(&data);
            let with = |field: &str, present: fn(&Value) -> bool| -> BTreeSet<String> {
                cases.iter().filter(|c| present(&c[field])).map(|c| c["number"].as_str().unwrap().to_owned()).collect()
            };
            let reporters = with("reporter", |v| v.is_object());
            let evidence = with("evidence", |v| v.as_array().is_some_and(|a| !a.is_empty()));
            assert_eq!(last_cases(&app, "REPORTER").await, reporters, "{label}: reporters returned");
            assert_eq!(last_cases(&app, "EVIDENCE").await, evidence, "{label}: evidence returned");
            if agency.is_some_and(|a| a.starts_with("BAWASLU")) {
                assert!(!reporters.is_empty() && !evidence.is_empty(), "{label}: the demo shows both");
            }
        }
        // The operation name comes from the document when the client sends none.
        let named = count(&app, "SELECT COUNT(*) FROM audit_event WHERE operation_name = 'Reporters'").await;
        assert_eq!(named, 2, "{:?}", app.engine);
        assert_intact(&app.db, &format!("{:?}", app.engine)).await;
    }
}

#[tokio::test]
async fn public_reads_leave_no_event_and_everything_else_does() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let token = app.token("BAWASLU-16.73");
        for q in [
            "{ regions { code } }",
            "{ region(code: \"16.73\") { name children { code } } }",
            "{ agencies { code } agency(code: \"BKN\") { name } }",
            "{ elections { name } }",
            "{ __schema { queryType { name } } }",
            "{ __typename }",
        ] {
            let (_, body) = app.gql(Some(&token), q, json!({})).await;
            assert!(body.get("errors").is_none(), "{q}: {body}");
            assert_eq!(events(&app).await, 0, "{engine:?}: {q} is public");
        }
        for (q, fields) in [
            ("{ me { agency { code } } }", "me"),
            ("{ regions { code } cases { totalCount } }", "cases,regions"),
            ("{ officials(first: 5) { totalCount } }", "officials"),
            ("{ case(number: \"16.73/LP/2024/0001\") { number } }", "case"),
            ("{ node(id: \"Q2FzZTox\") { id } }", "node"),
        ] {
            let before = events(&app).await;
            let (_, body) = app.gql(Some(&token), q, json!({})).await;
            assert!(body.get("errors").is_none(), "{q}: {body}");
            assert_eq!(events(&app).await, before + 1, "{engine:?}: {q}");
            assert_eq!(last(&app, "root_fields").await, fields, "{engine:?}: {q}");
        }
        assert_intact(&app.db, &format!("{engine:?}")).await;
    }
}

#[tokio::test]
async fn variables_are_stored_with_personal_values_redacted_and_the_query_only_as_a_hash() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let token = app.token("BAWASLU-16.73");
        let nip = app.strings("SELECT nip FROM official WHERE nip IS NOT NULL ORDER BY id LIMIT 1").await.remove(0);
        let q = "query Find($nip: String!, $filter: OfficialFilter) { officialByNip(nip: $nip) { fullName } \
                 officials(filter: $filter, first: 5) { totalCount } }";
        let vars = json!({ "nip": nip, "filter": { "name": "Budi", "workRegionCode": "16.73" } });
        let (_, body) = app.gql(Some(&token), q, vars).await;
        assert!(body.get("errors").is_none(), "{body}");
        let stored: Value = serde_json::from_str(&last(&app, "variables").await).unwrap();
        assert_eq!(
            stored,
            json!({ "nip": "[REDACTED]", "filter": { "name": "[REDACTED]", "workRegionCode": "16.73" } })
        );
        // A NIP written into the query itself is never stored either.
        let inline = format!("{{ officialByNip(nip: \"{nip}\") {{ fullName }} }}");
        let (_, body) = app.gql(Some(&token), &inline, json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
        let dump = app
            .strings(
                "SELECT COALESCE(variables, '') || COALESCE(details, '') || COALESCE(operation_name, '') || root_fields \
                 FROM audit_event",
            )
            .await
            .join("\n");
        assert!(!dump.contains(&nip) && !dump.contains("Budi"), "{engine:?}: personal data in the trail: {dump}");
        assert_eq!(last(&app, "query_hash").await, netra::audit::redact::query_hash(&inline));
    }
}

#[tokio::test]
async fn a_failed_request_is_recorded_with_its_error_codes_and_a_rejected_one_returns_nothing_to_record() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let token = app.token("BAWASLU-16");
        let (_, body) = app.gql(Some(&token), "{ cases(first: 1000) { totalCount } }", json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(events(&app).await, 1);
        assert_eq!(last(&app, "outcome").await, "ERRORS");
        assert_eq!(last(&app, "details").await, r#"{"errorCodes":["BAD_USER_INPUT"]}"#);
        // Rejected before anything ran (a field its role does not have): no data, no event.
        let (_, body) =
            app.gql(Some(&app.token("BKN")), "{ cases { edges { node { reporter { name } } } } }", json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(events(&app).await, 1);
    }
}

#[tokio::test]
async fn no_event_no_data_when_the_audit_store_fails() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let token = app.token("BAWASLU-16.73");
        let q = "{ cases(first: 5) { edges { node { number reporter { name } } } } }";
        assert!(!nodes(&app.data_as(Some("BAWASLU-16.73"), q, json!({})).await).is_empty());
        app.db.execute_unprepared("ALTER TABLE audit_event RENAME TO audit_event_away").await.unwrap();
        let (_, body) = app.gql(Some(&token), q, json!({})).await;
        assert_eq!(error_code(&body), "INTERNAL", "{engine:?}: {body}");
        assert!(body["data"].is_null(), "{engine:?}: data left without its event: {body}");
        let text = body.to_string();
        assert!(!text.contains("/LP/") && !text.contains("/TM/") && !text.contains("audit_event"), "{text}");
        // Public data needs no event and still flows.
        let (_, public) = app.gql(Some(&token), "{ regions { code } }", json!({})).await;
        assert!(public.get("errors").is_none(), "{public}");
        // Once the store is back, so is the data, and the chain never saw the failed batch.
        app.db.execute_unprepared("ALTER TABLE audit_event_away RENAME TO audit_event").await.unwrap();
        assert!(!nodes(&app.data_as(Some("BAWASLU-16.73"), q, json!({})).await).is_empty());
        assert_eq!(assert_intact(&app.db, &format!("{engine:?}")).await.events, 2);
    }
}

#[tokio::test]
async fn writes_record_their_event_in_their_own_transaction_and_a_rollback_leaves_none() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let case_id = count(&app, "SELECT MIN(id) FROM \"case\"").await;
        for agency in ["BAWASLU-16.73", "INSPEKTORAT-16.73", "PEMDA-16.73", "BKN", "POLRI"] {
            let viewer = principal(&app, agency).await;
            let txn = app.db.begin().await.unwrap();
            let entry = AuditEntry::write(&viewer, "recordTestStep").case(case_id).details(&json!({ "step": agency }));
            let id = record_in(&txn, entry).await.unwrap();
            txn.commit().await.unwrap();
            assert_eq!(last(&app, "id").await, id.to_string(), "{engine:?} {agency}");
            assert_eq!(last(&app, "kind").await, "WRITE");
            assert_eq!(last(&app, "operation_type").await, "MUTATION");
            assert_eq!(last(&app, "agency_code").await, agency);
            assert_eq!(last(&app, "root_fields").await, "recordTestStep");
            assert_eq!(last_cases(&app, "WRITE").await.len(), 1);
        }
        let (before, head) = (events(&app).await, chain(&app.db).await.head);
        let viewer = principal(&app, "BAWASLU-16.73").await;
        let txn = app.db.begin().await.unwrap();
        record_in(&txn, AuditEntry::write(&viewer, "abandonedStep").case(case_id)).await.unwrap();
        txn.rollback().await.unwrap();
        assert_eq!(events(&app).await, before, "{engine:?}: a rolled-back write leaves no event");
        assert_eq!(chain(&app.db).await.head, head);
        // Reads and writes share the one chain.
        app.data_as(Some("BAWASLU-16.73"), "{ cases { totalCount } }", json!({})).await;
        assert_eq!(assert_intact(&app.db, &format!("{engine:?}")).await.events, 6);
    }
}

/// An app with `n` read events (ids 1..=n), each with case rows.
async fn app_with_events(engine: Engine, n: usize) -> TestApp {
    let app = TestApp::with_demo(engine).await;
    for _ in 0..n {
        app.data_as(Some("BAWASLU-16.73"), CASES_WITH_REPORTER, json!({})).await;
    }
    assert_eq!(assert_intact(&app.db, "before tampering").await.events, n as u64);
    app
}

async fn tamper(app: &TestApp, statements: &[&str]) -> (i64, String) {
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    let broken =
        chain(&app.db).await.broken.unwrap_or_else(|| panic!("{:?}: {statements:?} went unnoticed", app.engine));
    (broken.event_id, broken.reason)
}

#[tokio::test]
async fn verify_detects_a_modified_event() {
    for engine in engines() {
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(&app, &["UPDATE audit_event SET subject = 'someone-else' WHERE id = 2"]).await;
        assert_eq!(at, 2, "{engine:?}: {why}");
        assert!(why.contains("modified"), "{why}");
        let app = app_with_events(engine, 3).await;
        let (at, why) =
            tamper(&app, &["DELETE FROM audit_event_case WHERE event_id = 3 AND access = 'REPORTER'"]).await;
        assert_eq!(at, 3, "{engine:?}: a removed case row: {why}");
    }
}

#[tokio::test]
async fn verify_detects_a_deleted_event() {
    for engine in engines() {
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(&app, &["DELETE FROM audit_event WHERE id = 2"]).await;
        assert_eq!(at, 3, "{engine:?}: {why}");
        assert!(why.contains("event 2 is missing"), "{why}");
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(&app, &["DELETE FROM audit_event WHERE id = 4"]).await;
        assert_eq!(at, 4, "{engine:?}: the last event: {why}");
        assert!(why.contains("removed from the end"), "{why}");
    }
}

#[tokio::test]
async fn verify_detects_reordered_events() {
    for engine in engines() {
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(
            &app,
            &[
                "UPDATE audit_event SET id = -2 WHERE id = 2",
                "UPDATE audit_event SET id = 2 WHERE id = 3",
                "UPDATE audit_event SET id = 3 WHERE id = -2",
                "UPDATE audit_event_case SET event_id = -2 WHERE event_id = 2",
                "UPDATE audit_event_case SET event_id = 2 WHERE event_id = 3",
                "UPDATE audit_event_case SET event_id = 3 WHERE event_id = -2",
            ],
        )
        .await;
        assert_eq!(at, 2, "{engine:?}: {why}");
        assert!(why.contains("prev_hash"), "{why}");
    }
}

#[tokio::test]
async fn verify_command_prints_a_summary_and_exits_non_zero_at_the_first_break() {
    let app = app_with_events(Engine::Sqlite, 3).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_netra"))
            .args(["audit", "verify"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.url)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let ok = run();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout.contains("audit chain intact") && stdout.contains("events checked: 3"), "{stdout}");
    app.db.execute_unprepared("UPDATE audit_event SET agency_code = 'BAWASLU-18' WHERE id = 2").await.unwrap();
    let broken = run();
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("audit chain broken at event 2"), "{stderr}");
}

#[tokio::test]
async fn concurrent_requests_share_one_insert_and_one_transaction() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let token = app.token("BAWASLU-16");
        app.statement_log.lock().unwrap().clear();
        let requests = (0..40).map(|_| app.gql(Some(&token), "{ cases(first: 2) { totalCount } }", json!({})));
        for (_, body) in futures_join_all(requests).await {
            assert!(body.get("errors").is_none(), "{body}");
        }
        let inserts =
            app.statement_log.lock().unwrap().iter().filter(|s| s.starts_with("INSERT INTO \"audit_event\"")).count();
        assert_eq!(events(&app).await, 40);
        assert!((1..40).contains(&inserts), "{engine:?}: {inserts} inserts for 40 events: no group commit");
        assert_intact(&app.db, &format!("{engine:?}")).await;
    }
}

/// `join_all` without a futures dependency: polls all in one task.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_writing_at_once_leave_one_valid_chain() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let (second, second_db) = app.second_instance().await;
        let viewer = principal(&app, "BAWASLU-16.73").await;
        let mut tasks = Vec::new();
        for i in 0..60 {
            let router = if i % 2 == 0 { app.router.clone() } else { second.clone() };
            let agency = ["BAWASLU-16.73", "BAWASLU-16", "BKN"][i % 3];
            let token = app.token(agency);
            tasks.push(tokio::spawn(async move {
                let body = gql_on(&router, &token, CASES_WITH_REPORTER.replace("reporter { name }", "").as_str()).await;
                assert!(body.get("errors").is_none(), "{body}");
            }));
        }
        // Writes in their own transactions, on both pools, interleaved with the reads.
        for i in 0..10 {
            let db = if i % 2 == 0 { app.db.clone() } else { second_db.clone() };
            let viewer = viewer.clone();
            tasks.push(tokio::spawn(async move {
                let txn = db.begin().await.unwrap();
                record_in(&txn, AuditEntry::write(&viewer, "concurrentStep")).await.unwrap();
                txn.commit().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = assert_intact(&app.db, &format!("{engine:?}")).await;
        assert_eq!(v.events, 70, "{engine:?}");
        assert_eq!(v.head.0, 70, "{engine:?}: ids are contiguous");
        assert_eq!(count(&app, "SELECT COUNT(DISTINCT prev_hash) FROM audit_event").await, 70, "no fork");
        second_db.close().await.unwrap();
    }
}

/// Every agency kind (and token) that must not see the trail.
const NOT_AUDITORS: &[(Option<&str>, &[&str])] = &[
    (Some("BAWASLU"), &["read"]),
    (Some("BAWASLU-16"), &["read", "audit"]),
    (Some("BAWASLU-16.73"), &["read", "audit"]),
    (Some("PANWASCAM-16.73.01"), &["read", "audit"]),
    (Some("INSPEKTORAT-16.73"), &["read", "audit"]),
    (Some("PEMDA-16.73"), &["read", "audit"]),
    (Some("BKN"), &["read", "audit"]),
    (Some("POLRI"), &["read", "audit"]),
    (Some("TNI"), &["read", "audit"]),
    (Some("KEMENDAGRI"), &["read", "audit"]),
    (None, &[]),
];

#[tokio::test]
async fn audit_events_exist_only_for_bawaslu_ri_tokens_with_audit() {
    let app = TestApp::with_demo(Engine::Sqlite).await;
    app.data_as(Some("BAWASLU-16.73"), CASES_WITH_REPORTER, json!({})).await;
    let fields = "{ __type(name: \"Query\") { fields { name } } }";
    for (agency, perms) in NOT_AUDITORS {
        let token = agency.map(|a| app.token_with(a, perms));
        let (_, body) = app.gql(token.as_deref(), "{ auditEvents { totalCount } }", json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{agency:?} {perms:?}: {body}");
        assert!(body["data"].is_null(), "{agency:?} {perms:?} got data: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("Unknown field"), "{body}");
        let (_, intro) = app.gql(token.as_deref(), fields, json!({})).await;
        assert!(!intro.to_string().contains("auditEvents"), "{agency:?} {perms:?} sees the field: {intro}");
    }
    let auditor = app.token_with("BAWASLU", &["audit"]);
    let (_, intro) = app.gql(Some(&auditor), fields, json!({})).await;
    assert!(intro.to_string().contains("auditEvents"), "{intro}");
    let (_, body) = app.gql(Some(&auditor), "{ auditEvents { totalCount } }", json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["auditEvents"]["totalCount"].as_u64().unwrap() >= 1, "{body}");
    for role in netra::policy::Role::ALL {
        let sdl = netra::graphql::sdl::sdl_for_role(role).await.unwrap();
        assert_eq!(sdl.contains("auditEvents("), role == netra::policy::Role::Bawaslu, "{role:?}");
    }
}

const WHO_SAW: &str = "query WhoSaw($number: String!) {
  auditEvents(filter: { caseNumber: $number, access: [REPORTER] }) {
    totalCount
    edges { node { occurredAt agencyCode subject operationName rootFields cases { access number } } }
  }
}";

#[tokio::test]
async fn who_saw_the_reporter_of_a_case_is_one_query() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let number = "16.73/LP/2024/0001";
        let one = "query One($n: String!) { case(number: $n) { number reporter { name } } }";
        for agency in ["BAWASLU-16.73", "BAWASLU-16", "BAWASLU-18", "BAWASLU-16.73"] {
            app.data_as(Some(agency), one, json!({ "n": number })).await;
        }
        app.data_as(Some("BAWASLU-16.73"), "{ case(number: \"16.73/LP/2024/0001\") { number } }", json!({})).await;
        app.data_as(Some("BKN"), "{ cases { totalCount } }", json!({})).await;
        let auditor = app.token_with("BAWASLU", &["audit"]);
        let (_, body) = app.gql(Some(&auditor), WHO_SAW, json!({ "number": number })).await;
        assert!(body.get("errors").is_none(), "{body}");
        let conn = &body["data"]["auditEvents"];
        let seen_by: Vec<&str> =
            conn["edges"].as_array().unwrap().iter().map(|e| e["node"]["agencyCode"].as_str().unwrap()).collect();
        assert_eq!(seen_by, ["BAWASLU-16.73", "BAWASLU-16", "BAWASLU-16.73"], "{engine:?}: newest first; {body}");
        assert_eq!(conn["totalCount"], 3);
        assert_eq!(conn["edges"][0]["node"]["operationName"], "One");
        assert_eq!(conn["edges"][0]["node"]["cases"][0], json!({ "access": "REPORTER", "number": number }));
    }
}

#[tokio::test]
async fn audit_events_filter_by_agency_subject_operation_kind_and_time_and_page_with_cursors() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        for agency in ["BAWASLU-16.73", "BKN", "BAWASLU-16.73", "PEMDA-16.73"] {
            app.data_as(Some(agency), "{ cases(first: 1) { totalCount } }", json!({})).await;
        }
        app.data_as(Some("BKN"), "{ officials(first: 1) { totalCount } }", json!({})).await;
        let viewer = principal(&app, "BAWASLU-16.73").await;
        let txn = app.db.begin().await.unwrap();
        record_in(&txn, AuditEntry::write(&viewer, "registerCase")).await.unwrap();
        txn.commit().await.unwrap();
        // The auditor's own reads are audited too; another subject keeps them apart.
        let auditor = app.issuer.mint("auditor", "BAWASLU", &["audit"], std::time::Duration::from_secs(600)).unwrap();
        let q = "query($f: AuditEventFilter, $first: Int, $after: String) { auditEvents(filter: $f, first: $first, after: $after) \
                 { totalCount pageInfo { hasNextPage endCursor } edges { node { sequence agencyCode kind } } } }";
        let total = |f: Value| {
            let auditor = auditor.clone();
            let app = &app;
            async move {
                let (_, body) = app.gql(Some(&auditor), q, json!({ "f": f })).await;
                assert!(body.get("errors").is_none(), "{body}");
                body["data"]["auditEvents"]["totalCount"].as_u64().unwrap()
            }
        };
        assert_eq!(total(json!({ "agencyCode": "BKN" })).await, 2, "{engine:?}");
        assert_eq!(total(json!({ "agencyCode": "BAWASLU-16.73" })).await, 3);
        assert_eq!(total(json!({ "subject": "tester" })).await, 6);
        assert_eq!(total(json!({ "subject": "nobody" })).await, 0);
        assert_eq!(total(json!({ "operation": "officials" })).await, 1);
        assert_eq!(total(json!({ "operation": "cases" })).await, 4);
        assert_eq!(total(json!({ "kind": "WRITE" })).await, 1);
        assert_eq!(total(json!({ "operation": "registerCase", "agencyCode": "BAWASLU-16.73" })).await, 1);
        assert_eq!(total(json!({ "from": "2000-01-01T00:00:00Z", "subject": "tester" })).await, 6);
        assert_eq!(total(json!({ "to": "2000-01-01T00:00:00Z" })).await, 0);
        let (_, bad) = app
            .gql(Some(&auditor), q, json!({ "f": { "from": "2030-01-01T00:00:00Z", "to": "2029-01-01T00:00:00Z" } }))
            .await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        // Newest first, every event once across pages.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (_, body) = app.gql(Some(&auditor), q, json!({ "first": 4, "after": after })).await;
            let conn = &body["data"]["auditEvents"];
            seen.extend(conn["edges"].as_array().unwrap().iter().map(|e| e["node"]["sequence"].as_i64().unwrap()));
            if conn["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(seen, sorted, "{engine:?}: newest first, no repeats");
        assert_eq!(seen.first(), Some(&(seen.len() as i64)), "{engine:?}: every event up to the newest: {seen:?}");
    }
}

#[test]
fn switching_auditing_off_is_refused_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_netra"))
        .arg("migrate")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("netra.db").display()))
        .env("NETRA_ENV", "production")
        .env("NETRA_AUDIT", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NETRA_AUDIT=off is for benchmarks only"));
}

#[tokio::test]
async fn with_auditing_off_reads_leave_no_event_but_writes_still_do() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.audit = false).await;
    netra::seed::load_demo(&app.db).await.unwrap();
    app.data_as(Some("BAWASLU-16.73"), CASES_WITH_REPORTER, json!({})).await;
    assert_eq!(events(&app).await, 0);
    let viewer = principal(&app, "BAWASLU-16.73").await;
    let txn = app.db.begin().await.unwrap();
    record_in(&txn, AuditEntry::write(&viewer, "registerCase")).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(events(&app).await, 1);
}
