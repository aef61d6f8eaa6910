//! The case filters analysts and sync jobs use: `updatedSince` (with the
//! `UPDATED_AT_ASC` order of an incremental sync), `handlingAgencyCode` and
//! `overdue` (on the test clock), each against the database, and each only
//! narrowing the caller's scope: a role that may not see a case does not get
//! it through a filter, while a role that may, does.

use std::collections::BTreeSet;

use netra::clock::Clock;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

const LIST: &str = "query($f: CaseFilter, $o: CaseOrder, $first: Int, $after: String) { \
    cases(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount \
    edges { node { number overdue updatedAt } } pageInfo { hasNextPage endCursor } } }";

/// Every case `agency` lists with `filter` in `order`, through all pages:
/// (number, overdue, updatedAt) in list order.
async fn all(app: &TestApp, agency: Option<&str>, filter: Value, order: &str) -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let vars = json!({ "f": filter, "o": order, "first": 100, "after": after });
        let data = app.data_as(agency, LIST, vars).await;
        let conn = &data["cases"];
        for e in conn["edges"].as_array().unwrap() {
            let n = &e["node"];
            out.push((
                n["number"].as_str().unwrap().to_owned(),
                n["overdue"].as_bool().unwrap(),
                n["updatedAt"].as_str().unwrap().to_owned(),
            ));
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            assert_eq!(conn["totalCount"], out.len(), "{agency:?} {filter}");
            return out;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
}

/// The case numbers `agency` lists with `filter`, oldest change first.
async fn numbers(app: &TestApp, agency: Option<&str>, filter: Value) -> Vec<String> {
    all(app, agency, filter, "UPDATED_AT_ASC").await.into_iter().map(|c| c.0).collect()
}

fn sorted(mut xs: Vec<String>) -> Vec<String> {
    xs.sort();
    xs
}

/// Records a correction on case `number` as its handling office (a step
/// that changes nothing but the timeline, allowed in every state).
async fn correct(app: &TestApp, number: &str) {
    let q = "query($n: String!) { case(number: $n) { version handlingAgency { code } } }";
    let data = app.data_as(Some("BAWASLU"), q, json!({ "n": number })).await;
    let office = data["case"]["handlingAgency"]["code"].as_str().unwrap();
    let token = app.token_with(office, &["read", "write"]);
    let input = json!({ "caseNumber": number, "expectedVersion": data["case"]["version"],
        "note": "The letter date was typed wrongly." });
    let (_, body) = app
        .gql(
            Some(&token),
            "mutation($i: StepInput!) { recordCorrection(input: $i) { case { number } } }",
            json!({ "i": input }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// The number of the first case placed in the subtree of `region` that a
/// kabupaten/kota or higher office handles (a panwascam may not correct).
async fn a_case_in(app: &TestApp, region: &str) -> String {
    let sql = format!(
        "SELECT c.number FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id \
         WHERE c.region_code LIKE '{region}.%' AND a.kind <> 'PANWASCAM' ORDER BY c.number"
    );
    app.strings(&sql).await.remove(0)
}

#[tokio::test]
async fn updated_since_lists_exactly_the_cases_changed_after_a_step_in_the_order_of_change() {
    for app in TestApp::demo_on_each_engine().await {
        let engine = app.engine;
        let everything = all(&app, Some("BAWASLU"), json!({}), "UPDATED_AT_DESC").await;
        let since = everything[0].2.clone();
        assert!(numbers(&app, Some("BAWASLU"), json!({ "updatedSince": since })).await.is_empty(), "{engine:?}");

        let (linggau, lampung) = (a_case_in(&app, "16.73").await, a_case_in(&app, "18").await);
        correct(&app, &linggau).await;
        correct(&app, &lampung).await;

        let changed = json!({ "updatedSince": since });
        assert_eq!(
            numbers(&app, Some("BAWASLU"), changed.clone()).await,
            [linggau.clone(), lampung.clone()],
            "{engine:?}: the two changed cases, in the order they changed"
        );
        // The filter narrows each caller's scope and never widens it.
        assert_eq!(numbers(&app, Some("BAWASLU-16"), changed.clone()).await, [linggau.as_str()], "{engine:?}");
        assert_eq!(numbers(&app, Some("BAWASLU-16.73"), changed.clone()).await, [linggau.as_str()], "{engine:?}");
        assert_eq!(numbers(&app, Some("BAWASLU-18"), changed.clone()).await, [lampung.as_str()], "{engine:?}");
        assert!(numbers(&app, Some("KEMENDAGRI"), changed.clone()).await.is_empty(), "{engine:?}");
        assert!(numbers(&app, None, changed.clone()).await.is_empty(), "{engine:?}");

        // An incremental sync: one case per page from the last change seen.
        let mut synced = Vec::new();
        let mut after = Value::Null;
        loop {
            let vars = json!({ "f": changed, "o": "UPDATED_AT_ASC", "first": 1, "after": after });
            let data = app.data_as(Some("BAWASLU"), LIST, vars).await;
            let conn = &data["cases"];
            synced.extend(conn["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
            if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        let synced_numbers: Vec<&str> = synced.iter().map(|n| n["number"].as_str().unwrap()).collect();
        assert_eq!(synced_numbers, [linggau.as_str(), lampung.as_str()], "{engine:?}");
        // The next run starts from the last change it saw, exclusive.
        let last_seen = synced[0]["updatedAt"].as_str().unwrap();
        assert_eq!(numbers(&app, Some("BAWASLU"), json!({ "updatedSince": last_seen })).await, [lampung.as_str()]);
        let last_seen = synced[1]["updatedAt"].as_str().unwrap();
        assert!(numbers(&app, Some("BAWASLU"), json!({ "updatedSince": last_seen })).await.is_empty());
        let (_, body) =
            app.gql(Some(&app.token("BAWASLU")), LIST, json!({ "f": { "updatedSince": "yesterday" } })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
}

#[tokio::test]
async fn handling_agency_code_lists_the_cases_an_office_handles_within_the_callers_scope() {
    for app in TestApp::demo_on_each_engine().await {
        let engine = app.engine;
        let handled_by = |code: &str| {
            format!(
                "SELECT c.number FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id \
                 WHERE a.code = '{code}' ORDER BY c.number"
            )
        };
        let offices = app
            .strings(
                "SELECT DISTINCT a.code FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id ORDER BY a.code",
            )
            .await;
        assert!(offices.len() >= 3, "{engine:?}: the demo has several handling offices: {offices:?}");
        for office in &offices {
            let expected = app.strings(&handled_by(office)).await;
            let got = numbers(&app, Some("BAWASLU"), json!({ "handlingAgencyCode": office })).await;
            assert_eq!(sorted(got), expected, "{engine:?}: {office}");
        }

        // Lubuk Linggau's cases: its province sees them, Lampung does not.
        let linggau = app.strings(&handled_by("BAWASLU-16.73")).await;
        assert!(!linggau.is_empty());
        let filter = json!({ "handlingAgencyCode": "BAWASLU-16.73" });
        assert_eq!(sorted(numbers(&app, Some("BAWASLU-16"), filter.clone()).await), linggau, "{engine:?}");
        assert!(numbers(&app, Some("BAWASLU-18"), filter.clone()).await.is_empty(), "{engine:?}");
        assert!(numbers(&app, None, filter.clone()).await.is_empty(), "{engine:?}");
        // A regional government gets exactly its own visible cases among them.
        let visible: BTreeSet<String> = numbers(&app, Some("PEMDA-16.73"), json!({})).await.into_iter().collect();
        let got: BTreeSet<String> = numbers(&app, Some("PEMDA-16.73"), filter.clone()).await.into_iter().collect();
        let expected: BTreeSet<String> = linggau.iter().filter(|n| visible.contains(*n)).cloned().collect();
        assert!(!expected.is_empty() && expected.len() < linggau.len(), "{engine:?}: {expected:?}");
        assert_eq!(got, expected, "{engine:?}");

        // Combined with another filter, both hold.
        let closed = json!({ "handlingAgencyCode": "BAWASLU-16.73", "states": ["CLOSED"] });
        let expected = app
            .strings(
                "SELECT c.number FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id \
                 WHERE a.code = 'BAWASLU-16.73' AND c.state = 'CLOSED' ORDER BY c.number",
            )
            .await;
        assert_eq!(sorted(numbers(&app, Some("BAWASLU"), closed).await), expected, "{engine:?}");

        let (_, body) =
            app.gql(Some(&app.token("BAWASLU")), LIST, json!({ "f": { "handlingAgencyCode": "BAWASLU-99.99" } })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("BAWASLU-99.99") && message.contains("handlingAgencyCode"), "{message}");
    }
}

/// Open cases whose deadline lies before `today`, straight from the database.
async fn overdue_in_db(app: &TestApp, today: &str) -> Vec<String> {
    app.strings(&format!(
        "SELECT number FROM \"case\" WHERE state NOT IN ('CLOSED', 'NOT_REGISTERED') \
         AND deadline_on IS NOT NULL AND deadline_on < '{today}' ORDER BY number"
    ))
    .await
}

#[tokio::test]
async fn overdue_filters_on_the_callers_today_as_the_overdue_field_does() {
    for engine in crate::helpers::engines() {
        let mut counts = Vec::new();
        // 05:00 UTC is the same date in all three Indonesian zones.
        for (now, today) in [(EARLY, &EARLY[..10]), (LATE, &LATE[..10])] {
            let app = TestApp::with_demo_and(engine, |c| c.clock = Clock::fixed(now.parse().unwrap())).await;
            let expected = overdue_in_db(&app, today).await;
            for agency in ["BAWASLU", "BAWASLU-16", "BAWASLU-16.73", "BAWASLU-18", "PEMDA-16.73", "BKN", "KEMENDAGRI"] {
                let listed = all(&app, Some(agency), json!({}), "RECEIVED_ON_DESC").await;
                let (late, on_time): (Vec<_>, Vec<_>) = listed.into_iter().partition(|c| c.1);
                let late: Vec<String> = sorted(late.into_iter().map(|c| c.0).collect());
                let on_time: Vec<String> = sorted(on_time.into_iter().map(|c| c.0).collect());
                let yes = sorted(numbers(&app, Some(agency), json!({ "overdue": true })).await);
                let no = sorted(numbers(&app, Some(agency), json!({ "overdue": false })).await);
                assert_eq!(yes, late, "{engine:?} {now} {agency}: overdue = the cases shown overdue");
                assert_eq!(no, on_time, "{engine:?} {now} {agency}: the others");
                assert!(yes.iter().all(|n| expected.contains(n)), "{engine:?} {now} {agency}");
                if agency == "BAWASLU" {
                    assert_eq!(yes, expected, "{engine:?} {now}: the database agrees");
                    counts.push(yes.len());
                }
            }
            // A Lubuk Linggau case that is overdue: its office gets it, Lampung's does not.
            let late = expected.iter().find(|n| n.starts_with("16.73/")).expect("an overdue Lubuk Linggau case");
            let overdue = json!({ "overdue": true });
            assert!(numbers(&app, Some("BAWASLU-16.73"), overdue.clone()).await.contains(late), "{engine:?} {now}");
            assert!(!numbers(&app, Some("BAWASLU-18"), overdue).await.contains(late), "{engine:?} {now}");
        }
        assert!(counts[0] < counts[1] && counts[0] > 0, "{engine:?}: the clock decides: {counts:?}");
    }
}

/// Two instants on the test clock: during the 2024 handling, and after it.
const EARLY: &str = "2024-12-01T05:00:00Z";
const LATE: &str = "2025-06-01T05:00:00Z";
