//! `changes`: the catch-up connection, in commit order, through the policy.

use serde_json::json;

use super::{changes, decide, forward, kinds, on, receive, step};
use crate::helpers::{engines, TestApp};

#[tokio::test]
async fn each_step_of_a_lubuk_linggau_case_is_an_entry_for_its_office_and_none_for_lampung() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = decide(&app, receive(&app).await).await;
        let mine = changes(&app, "BAWASLU-16.73", 50, None).await;
        assert_eq!(kinds(&mine), ["CASE_RECEIVED", "CASE_STEP", "CASE_STEP", "CASE_STEP", "CASE_STEP"], "{engine:?}");
        assert_eq!(mine["totalCount"], 5);
        let last = &mine["edges"][4]["node"];
        assert_eq!(last["action"], "DECIDE");
        assert_eq!(last["toState"], "DECIDED");
        assert_eq!(last["case"]["number"], case["number"]);
        assert_eq!(last["case"]["state"], "DECIDED");
        // Bawaslu's provincial office above sees them too; Lampung's sees nothing, not even a count.
        assert_eq!(changes(&app, "BAWASLU-16", 50, None).await["totalCount"], 5);
        let lampung = changes(&app, "BAWASLU-18", 50, None).await;
        assert_eq!(lampung["totalCount"], 0, "{engine:?}: {lampung}");
        assert!(lampung["edges"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_ppk_sees_a_case_s_entries_once_it_is_forwarded_to_it() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = decide(&app, receive(&app).await).await;
        assert_eq!(changes(&app, "PEMDA-16.73", 50, None).await["totalCount"], 0, "{engine:?}: not yet forwarded");
        assert_eq!(changes(&app, "PEMDA-16.71", 50, None).await["totalCount"], 0);
        forward(&app, &case).await;
        let pemda = changes(&app, "PEMDA-16.73", 50, None).await;
        assert_eq!(kinds(&pemda).last().map(String::as_str), Some("FORWARDING_SENT"), "{engine:?}: {pemda}");
        assert_eq!(pemda["edges"][5]["node"]["case"]["number"], case["number"]);
        // Palembang's government employs nobody in this case.
        assert_eq!(changes(&app, "PEMDA-16.71", 50, None).await["totalCount"], 0, "{engine:?}");
        // Anonymous callers get nothing.
        let (_, body) = app.gql(None, "{ changes { totalCount } }", json!({})).await;
        assert_eq!(body["data"]["changes"]["totalCount"], 0, "{body}");
    }
}

#[tokio::test]
async fn paging_by_cursor_returns_every_entry_once_in_commit_order() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = decide(&app, receive(&app).await).await;
        let all = changes(&app, "BAWASLU-16.73", 50, None).await;
        let ids: Vec<String> =
            all["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect();
        let mut paged = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = changes(&app, "BAWASLU-16.73", 2, after.as_deref()).await;
            for e in page["edges"].as_array().unwrap() {
                assert_eq!(e["cursor"], e["node"]["cursor"], "an entry's cursor is its edge's");
                paged.push(e["node"]["id"].as_str().unwrap().to_owned());
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
        }
        assert_eq!(paged, ids, "{engine:?}");
        // A client that kept the last cursor gets exactly what committed since.
        forward(&app, &case).await;
        let since = changes(&app, "BAWASLU-16.73", 50, after.as_deref()).await;
        assert_eq!(kinds(&since), ["FORWARDING_SENT"], "{engine:?}");
    }
}

#[tokio::test]
async fn a_step_that_fails_leaves_no_entry() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = receive(&app).await;
        let token = app.token_with("BAWASLU-16.73", &["read", "write"]);
        let mut stale = on(&case, json!({}));
        stale["expectedVersion"] = json!(99);
        let (_, body) = app
            .gql(
                Some(&token),
                "mutation($input: StepInput!) { startFormalCheck(input: $input) { case { number } } }",
                json!({ "input": stale }),
            )
            .await;
        assert!(body.get("errors").is_some(), "{body}");
        assert_eq!(app.count("SELECT COUNT(*) FROM change_entry").await, 1, "{engine:?}: only the intake's entry");
        step(&app, "BAWASLU-16.73", "startFormalCheck", "StepInput", on(&case, json!({}))).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM change_entry").await, 2, "{engine:?}");
    }
}

#[tokio::test]
async fn deadline_entries_are_written_once_however_many_instances_run_the_scheduler() {
    use netra::change::scheduler::run_once;
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.webhook_delivery = false).await;
        let case = decide(&app, receive(&app).await).await;
        forward(&app, &case).await;
        let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
        let other = netra::db::connect(&app.url).await.unwrap();
        // Two days before the due date (BKN's seven days): due soon, on two instances at once.
        let soon = today + chrono::Duration::days(5);
        let (a, b) = tokio::join!(run_once(&app.db, soon, 3), run_once(&other, soon, 3));
        assert_eq!(a.unwrap() + b.unwrap(), 1, "{engine:?}");
        app.statement_log.lock().unwrap().clear();
        assert_eq!(run_once(&app.db, soon, 3).await.unwrap(), 0, "{engine:?}: not again the same day");
        // The scan itself leaves out what is written: one statement, no look-up per forwarding.
        let log = app.statement_log.lock().unwrap().clone();
        assert_eq!(log.len(), 1, "{engine:?}: {log:?}");
        let late = today + chrono::Duration::days(30);
        let (a, b) = tokio::join!(run_once(&app.db, late, 3), run_once(&other, late, 3));
        assert_eq!(a.unwrap() + b.unwrap(), 1, "{engine:?}");
        let q = "{ changes(filter: { kinds: [DECISION_DUE, FORWARDING_OVERDUE] }) { edges { node { kind dueOn case { number } } } } }";
        let bkn = app.data_as(Some("BKN"), q, json!({})).await;
        assert_eq!(kinds(&bkn["changes"]), ["DECISION_DUE", "FORWARDING_OVERDUE"], "{engine:?}");
        assert_eq!(bkn["changes"]["edges"][1]["node"]["case"]["number"], case["number"]);
        let lampung = app.data_as(Some("BAWASLU-18"), q, json!({})).await;
        assert!(lampung["changes"]["edges"].as_array().unwrap().is_empty(), "{engine:?}");
    }
}
