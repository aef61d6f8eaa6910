//! Which requests and writes leave events, and what an event holds.

use std::collections::BTreeSet;

use netra::audit::{record_in, AuditEntry};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{json, Value};

use super::*;
use crate::helpers::{engines, error_code, Engine, TestApp};

/// Who reads, and the widest case query its schema allows.
const READERS: &[(Option<&str>, &str)] = &[
    (Some("BAWASLU-16.73"), CASES_WITH_REPORTER),
    (Some("BAWASLU-16"), CASES_WITH_REPORTER),
    (Some("INSPEKTORAT-16.73"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("PEMDA-16.73"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("BKN"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("POLRI"), "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }"),
    (Some("KEMENDAGRI"), "{ cases(first: 100) { totalCount } }"),
];

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
