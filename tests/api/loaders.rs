//! No N+1: a page with every nested relation costs the same number of SQL
//! statements whatever its size.

use std::sync::atomic::Ordering;

use serde_json::json;

use crate::helpers::TestApp;

const DEEP: &str = "query($first: Int) { cases(first: $first) { totalCount edges { node { number \
    region { code name parent { code } } election { name region { code } } handlingAgency { code region { code } } \
    reporter { name voterRegion { code } } evidence { sha256 submittedBy { code } } \
    sanctions { sanctionCode agency { code } } timeline { action actorAgency { code } } \
    allegations { violationCode place { code } official { nip fullName employer { code } workRegion { code } cases { number } } \
      forwardings { to { code } copyTo { code } decisions { kind agency { code } executionChecks { status agency { code } } } \
      escalations { kind agency { code } } } } } } } }";

async fn statements_for(app: &TestApp, token: &str, first: usize) -> (usize, usize) {
    app.statements.store(0, Ordering::SeqCst);
    app.statement_log.lock().unwrap().clear();
    let (_, body) = app.gql(Some(token), DEEP, json!({ "first": first })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let returned = body["data"]["cases"]["edges"].as_array().unwrap().len();
    // The request's audit event costs a constant few statements of its own
    // (shared with concurrent requests); they are not the loaders' to count.
    let audit = app.statement_log.lock().unwrap().iter().filter(|s| s.contains("audit_")).count();
    (app.statements.load(Ordering::SeqCst) - audit, returned)
}

/// What `DEEP` costs whatever the page size: the count, the page, and one
/// statement per case-data relation (election, reporter, evidence,
/// sanctions, timeline, allegations with their officials in one join,
/// `official.cases`, forwardings, decisions, execution checks, escalations).
/// Reference rows (regions, agencies) and authentication come from memory.
/// Measured: 10 for small pages, 13 once the page reaches reporters and
/// follow-ups; it was at most 33 before.
const BOUND: usize = 13;

#[tokio::test]
async fn a_deep_page_costs_at_most_one_statement_per_relation_whatever_its_size() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU");
        let total = app.count("SELECT COUNT(*) FROM \"case\"").await as usize;
        let mut costs = Vec::new();
        for first in [1, 5, 20, 40, 100] {
            let (statements, returned) = statements_for(&app, &token, first).await;
            assert_eq!(returned, first.min(total));
            let log = app.statement_log.lock().unwrap().join("\n");
            costs.push((returned, statements));
            assert!(statements <= BOUND, "{:?}: {costs:?} (cases, statements); the last:\n{log}", app.engine);
        }
        assert!(costs[4].0 > 40, "the demo has more than 40 cases: {costs:?}");
    }
}
