//! The manuals are followed literally: the README's first query works for
//! every token `serve --demo` prints, the workflow walkthrough runs step by
//! step on a fresh demo, and the configuration manual names every variable.

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// The fenced GraphQL block after `marker` in `text`.
fn block_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text.find(marker).unwrap_or_else(|| panic!("marker `{marker}` missing"));
    let rest = &text[at..];
    let start = rest.find("```graphql\n").unwrap() + "```graphql\n".len();
    let end = rest[start..].find("```").unwrap();
    &rest[start..start + end]
}

/// Every `<!-- as: AGENCY -->` block of `text`, in order.
fn operations(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<!-- as: ") {
        let agency_end = rest[at..].find(" -->").unwrap() + at;
        let agency = rest[at + "<!-- as: ".len()..agency_end].to_owned();
        out.push((agency, block_after(rest, &rest[at..agency_end]).to_owned()));
        rest = &rest[agency_end..];
    }
    out
}

#[tokio::test]
async fn the_first_query_works_for_every_demo_token() {
    let query = block_after(include_str!("../../README.md"), "<!-- first-query -->");
    for app in TestApp::demo_on_each_engine().await {
        for agency in netra::cli::DEMO_TOKEN_AGENCIES {
            let token = app.token_with(agency, &["read", "write"]);
            let (status, body) = app.gql(Some(&token), query, json!({})).await;
            assert_eq!(status, 200, "{agency}: {body}");
            assert!(body.get("errors").is_none(), "{agency}: {body}");
            assert_eq!(body["data"]["me"]["agency"]["code"], agency);
            let total = body["data"]["cases"]["totalCount"].as_i64().unwrap();
            assert!(total > 0, "{agency} sees no demo case: {body}");
        }
    }
}

#[tokio::test]
async fn the_workflow_walkthrough_runs_literally_on_a_fresh_demo() {
    let steps = operations(include_str!("../../docs/workflow.md"));
    assert!(steps.len() == 13, "the walkthrough has {} steps", steps.len());
    for app in TestApp::demo_on_each_engine().await {
        let mut last = Value::Null;
        for (i, (agency, operation)) in steps.iter().enumerate() {
            let token = app.token_with(agency, &["read", "write"]);
            let (status, body) = app.gql(Some(&token), operation, json!({})).await;
            assert!(status == 200 && body.get("errors").is_none(), "step {} as {agency}: {body}", i + 1);
            last = body;
        }
        let case = last["data"]["closeCase"]["case"].clone();
        assert_eq!(case["state"], "CLOSED", "{last}");
        let actors: Vec<&str> =
            case["timeline"].as_array().unwrap().iter().map(|e| e["actorAgency"]["code"].as_str().unwrap()).collect();
        for agency in ["BAWASLU-16.73", "BKN", "PEMDA-16.73", "INSPEKTORAT-16.73"] {
            assert!(actors.contains(&agency), "{agency} acted: {actors:?}");
        }
    }
}

#[test]
fn the_configuration_manual_names_every_variable() {
    let manual = include_str!("../../docs/configuration.md");
    let known = netra::config::known_variables(&<netra::cli::Cli as clap::CommandFactory>::command());
    for name in known {
        assert!(manual.contains(&format!("| `{name}` |")), "docs/configuration.md has no row for `{name}`");
    }
}
