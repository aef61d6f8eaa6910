//! Relay paging in both directions on `cases` (every order), `officials` and
//! `overdueForwardings`: forward pages (`first`/`after`) and backward pages
//! (`last`/`before`) concatenate to the same full list in the same order,
//! `hasPreviousPage`/`hasNextPage` say whether items lie beyond each page,
//! a cursor means the same whichever way it is used, `first` with `last` is
//! refused, and a backward page costs the statements a forward one does.

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

/// A list under test: its root field, arguments besides paging, and the
/// node field that identifies an item.
struct List {
    field: &'static str,
    args: &'static str,
    key: &'static str,
}

const LISTS: [List; 8] = [
    List { field: "cases", args: "", key: "number" },
    List { field: "cases", args: "orderBy: RECEIVED_ON_ASC", key: "number" },
    List { field: "cases", args: "orderBy: RECEIVED_ON_DESC", key: "number" },
    List { field: "cases", args: "orderBy: NUMBER_ASC", key: "number" },
    List { field: "cases", args: "orderBy: UPDATED_AT_DESC", key: "number" },
    List { field: "cases", args: "orderBy: UPDATED_AT_ASC", key: "number" },
    List { field: "officials", args: "", key: "id" },
    List { field: "overdueForwardings", args: "", key: "id" },
];

/// One page of `list` with `paging` (e.g. `first: 3, after: "…"`):
/// the item keys, the cursors and the page info.
async fn page(app: &TestApp, agency: &str, list: &List, paging: &str) -> (Vec<String>, Vec<String>, Value) {
    let args = [list.args, paging].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ");
    let query = format!(
        "{{ {}({args}) {{ edges {{ cursor node {{ {} }} }} \
         pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }} }} }}",
        list.field, list.key
    );
    let data = app.data_as(Some(agency), &query, json!({})).await;
    let conn = &data[list.field];
    let edges = conn["edges"].as_array().unwrap();
    let keys = edges.iter().map(|e| e["node"][list.key].as_str().unwrap().to_owned()).collect();
    let cursors = edges.iter().map(|e| e["cursor"].as_str().unwrap().to_owned()).collect();
    (keys, cursors, conn["pageInfo"].clone())
}

/// The whole list, forward in pages of `size`, checking each page's info.
async fn forward(app: &TestApp, agency: &str, list: &List, size: usize) -> (Vec<String>, Vec<String>) {
    let (mut keys, mut cursors) = (Vec::new(), Vec::new());
    let mut after: Option<String> = None;
    loop {
        let paging = match &after {
            Some(c) => format!("first: {size}, after: \"{c}\""),
            None => format!("first: {size}"),
        };
        let (k, c, info) = page(app, agency, list, &paging).await;
        assert_eq!(info["hasPreviousPage"], after.is_some(), "{} {}: {info}", list.field, list.args);
        assert!(k.len() <= size);
        keys.extend(k);
        cursors.extend(c);
        if !info["hasNextPage"].as_bool().unwrap() {
            return (keys, cursors);
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
}

/// The whole list, backward from its end in pages of `size`.
async fn backward(app: &TestApp, agency: &str, list: &List, size: usize) -> (Vec<String>, Vec<String>) {
    let (mut keys, mut cursors) = (Vec::new(), Vec::new());
    let mut before: Option<String> = None;
    loop {
        let paging = match &before {
            Some(c) => format!("last: {size}, before: \"{c}\""),
            None => format!("last: {size}"),
        };
        let (k, c, info) = page(app, agency, list, &paging).await;
        assert_eq!(info["hasNextPage"], before.is_some(), "{} {}: {info}", list.field, list.args);
        assert!(k.len() <= size);
        keys.splice(0..0, k);
        cursors.splice(0..0, c);
        if !info["hasPreviousPage"].as_bool().unwrap() {
            return (keys, cursors);
        }
        before = info["startCursor"].as_str().map(str::to_owned);
    }
}

#[tokio::test]
async fn forward_and_backward_pages_concatenate_to_the_same_list_in_the_same_order() {
    for app in TestApp::demo_on_each_engine().await {
        for agency in ["BAWASLU", "BAWASLU-16.73", "BKN"] {
            for list in &LISTS {
                let (all, all_cursors) = forward(&app, agency, list, 100).await;
                let what = format!("{:?} {agency} {} {}", app.engine, list.field, list.args);
                let (fwd, fwd_cursors) = forward(&app, agency, list, 3).await;
                let (back, back_cursors) = backward(&app, agency, list, 3).await;
                assert_eq!(fwd, all, "{what}: forward pages");
                assert_eq!(back, all, "{what}: backward pages");
                // The same item has the same cursor whichever way it was reached.
                assert_eq!(fwd_cursors, all_cursors, "{what}");
                assert_eq!(back_cursors, all_cursors, "{what}");
                if agency == "BAWASLU" {
                    assert!(all.len() > 6, "{what}: the demo has more than two pages: {}", all.len());
                }
            }
        }
    }
}

#[tokio::test]
async fn a_cursor_means_the_same_position_in_either_direction() {
    for app in TestApp::demo_on_each_engine().await {
        for list in &LISTS {
            let (all, cursors) = forward(&app, "BAWASLU", list, 100).await;
            assert!(all.len() > 6);
            let what = format!("{:?} {} {}", app.engine, list.field, list.args);
            let (k, c) = (4, &cursors[4]);
            let (before, _, info) = page(&app, "BAWASLU", list, &format!("last: 2, before: \"{c}\"")).await;
            assert_eq!(before, all[k - 2..k], "{what}: the two before");
            assert_eq!((info["hasPreviousPage"].as_bool(), info["hasNextPage"].as_bool()), (Some(true), Some(true)));
            let (after, _, _) = page(&app, "BAWASLU", list, &format!("first: 2, after: \"{c}\"")).await;
            assert_eq!(after, all[k + 1..k + 3], "{what}: the two after");
            // Both cursors: the items strictly between, from either end.
            let between = format!("after: \"{}\", before: \"{}\"", cursors[1], cursors[5]);
            let (front, _, _) = page(&app, "BAWASLU", list, &format!("first: 10, {between}")).await;
            let (back, _, _) = page(&app, "BAWASLU", list, &format!("last: 10, {between}")).await;
            assert_eq!(front, all[2..5], "{what}: between, forward");
            assert_eq!(back, all[2..5], "{what}: between, backward");
            // Backward from the first item: nothing precedes it.
            let (none, _, info) = page(&app, "BAWASLU", list, &format!("last: 3, before: \"{}\"", cursors[0])).await;
            assert!(none.is_empty(), "{what}");
            assert_eq!(info["hasPreviousPage"], false, "{what}");
            // The last page backward with no cursor is the list's tail.
            let (tail, _, info) = page(&app, "BAWASLU", list, "last: 2").await;
            assert_eq!(tail, all[all.len() - 2..], "{what}: the tail");
            assert_eq!((info["hasPreviousPage"].as_bool(), info["hasNextPage"].as_bool()), (Some(true), Some(false)));
        }
    }
}

#[tokio::test]
async fn first_with_last_and_bad_sizes_are_refused_with_bad_user_input() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU");
        for field in ["cases", "officials", "overdueForwardings"] {
            for (args, says) in [
                ("first: 2, last: 2", "not both"),
                ("last: -1", "negative"),
                ("last: 100000", "at most"),
                ("last: 2, before: \"nonsense\"", "cursor"),
            ] {
                let q = format!("{{ {field}({args}) {{ edges {{ cursor }} }} }}");
                let (_, body) = app.gql(Some(&token), &q, json!({})).await;
                assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}({args}): {body}");
                let message = body["errors"][0]["message"].as_str().unwrap();
                assert!(message.contains(says), "{field}({args}): {message}");
            }
        }
        // A cursor of one case order is not one of another, in either argument.
        let data = app.data_as(Some("BAWASLU"), "{ cases(first: 1) { pageInfo { endCursor } } }", json!({})).await;
        let cursor = data["cases"]["pageInfo"]["endCursor"].as_str().unwrap();
        let q = format!("{{ cases(orderBy: NUMBER_ASC, last: 1, before: \"{cursor}\") {{ edges {{ cursor }} }} }}");
        let (_, body) = app.gql(Some(&token), &q, json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("another ordering"), "{body}");
    }
}

const DEEP_PAGE: &str = "cases(ARGS) { edges { node { number region { code } handlingAgency { code } \
    allegations { official { fullName } } timeline { action } } } pageInfo { hasNextPage } }";

/// Statements one request sends (auditing is off in these apps).
async fn statements(app: &TestApp, query: &str) -> usize {
    app.statements.store(0, Ordering::SeqCst);
    let data = app.data_as(Some("BAWASLU"), query, json!({})).await;
    assert!(!data["cases"]["edges"].as_array().unwrap().is_empty(), "{data}");
    app.statements.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_backward_page_costs_the_statements_of_a_forward_one() {
    for engine in crate::helpers::engines() {
        let app = TestApp::with_demo_and(engine, |c| c.audit = false).await;
        let q = |args: &str| format!("{{ {} }}", DEEP_PAGE.replace("ARGS", args));
        let forward = statements(&app, &q("first: 10")).await;
        assert_eq!(statements(&app, &q("last: 10")).await, forward, "{engine:?}");
        // Filters resolve agency codes from the registry: no extra statement.
        let filtered = "filter: { handlingAgencyCode: \"BAWASLU-16.73\", overdue: false }, orderBy: UPDATED_AT_ASC";
        assert_eq!(statements(&app, &q(&format!("{filtered}, last: 10"))).await, forward, "{engine:?}");
    }
}
