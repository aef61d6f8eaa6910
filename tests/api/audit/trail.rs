//! `auditEvents`: who may read the trail, and the auditor's questions.

use netra::audit::{record_in, AuditEntry};
use sea_orm::TransactionTrait;
use serde_json::{json, Value};

use super::*;
use crate::helpers::{engines, error_code, Engine, TestApp};

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
    for view in netra::policy::SchemaView::ALL {
        let sdl = netra::app::sdl::sdl_for_view(view).await.unwrap();
        assert_eq!(sdl.contains("auditEvents("), view == netra::policy::SchemaView::BawasluRiAudit, "{view:?}");
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
