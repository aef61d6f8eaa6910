//! Only the work the query asks for: `statistics` runs one grouped statement
//! per part selected and joins only what the selected counts and dimensions
//! need, and every partial selection gives the same numbers as the full one.

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use crate::helpers::{engines, TestApp};

/// Runs `query` as `agency` with auditing off; returns the data and the SQL sent.
async fn run(app: &TestApp, agency: &str, query: &str) -> (Value, Vec<String>) {
    app.statements.store(0, Ordering::SeqCst);
    app.statement_log.lock().unwrap().clear();
    let data = app.data_as(Some(agency), query, json!({})).await;
    let log = app.statement_log.lock().unwrap().clone();
    assert_eq!(app.statements.load(Ordering::SeqCst), log.len());
    (data, log)
}

const FULL: &str = "{ statistics(groupBy: [VIOLATION_CATEGORY]) { rows { key label counts { cases allegations \
    officials sanctions } } cells { row counts { cases } } total { cases allegations officials sanctions } } }";

#[tokio::test]
async fn statistics_computes_only_the_selected_parts_and_counts() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.audit = false).await;
        netra::seed::load_demo(&app.db).await.unwrap();
        let (full, full_log) = run(&app, "BAWASLU-16", FULL).await;
        let rows = full["statistics"]["rows"].as_array().unwrap().clone();
        assert!(rows.len() > 1, "{engine:?}: the demo has several categories in 16: {full}");
        assert!(full_log.len() >= 2, "{engine:?}: rows and total: {full_log:?}");

        // Cases per category only: one statement, without officials or sanctions.
        let (only, log) =
            run(&app, "BAWASLU-16", "{ statistics(groupBy: [VIOLATION_CATEGORY]) { rows { key counts { cases } } } }")
                .await;
        assert_eq!(log.len(), 1, "{engine:?}: {log:?}");
        let sql = &log[0];
        assert!(!sql.contains("agency_decision") && !sql.contains("\"official\""), "{engine:?}: {sql}");
        let got = only["statistics"]["rows"].as_array().unwrap();
        assert_eq!(got.len(), rows.len());
        for (g, f) in got.iter().zip(&rows) {
            assert_eq!(g["key"], f["key"]);
            assert_eq!(g["counts"]["cases"], f["counts"]["cases"], "{engine:?}: {g} vs {f}");
        }

        // The total alone: one statement, the same numbers as with everything.
        let (total, log) = run(
            &app,
            "BAWASLU-16",
            "{ statistics(groupBy: [VIOLATION_CATEGORY]) { total { cases allegations officials sanctions } } }",
        )
        .await;
        assert_eq!(log.len(), 1, "{engine:?}: {log:?}");
        assert_eq!(total["statistics"]["total"], full["statistics"]["total"]);
        assert!(full["statistics"]["total"]["cases"].as_u64().unwrap() > 0);

        // Sanctions per row, reached through a fragment, still need (and get) the sanctions.
        let (frag, _) = run(
            &app,
            "BAWASLU-16",
            "{ statistics(groupBy: [VIOLATION_CATEGORY]) { rows { key ...C } } } \
             fragment C on StatisticsHeading { counts { sanctions officials } }",
        )
        .await;
        for (g, f) in frag["statistics"]["rows"].as_array().unwrap().iter().zip(&rows) {
            assert_eq!(g["counts"]["sanctions"], f["counts"]["sanctions"], "{engine:?}");
            assert_eq!(g["counts"]["officials"], f["counts"]["officials"], "{engine:?}");
        }
    }
}
