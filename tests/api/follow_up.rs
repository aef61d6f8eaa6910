//! `overdueForwardings`, the follow-up view, cell by cell against the policy
//! matrix's "overdue forwardings" row: for every role (ministries included,
//! which reach forwardings and decisions only here), the forwardings listed
//! equal an oracle in plain SQL, and what a ministry is shown of each (case,
//! letter and decree numbers) is what the database holds.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Overdue forwardings still waiting for their agency, as plain SQL.
fn waiting(today: &str, condition: &str) -> String {
    format!(
        "SELECT f.letter_number FROM forwarding f JOIN allegation a ON a.id = f.allegation_id \
         JOIN \"case\" c ON c.id = a.case_id JOIN agency t ON t.id = f.to_agency_id \
         LEFT JOIN agency cp ON cp.id = f.copy_to_agency_id \
         WHERE c.state IN ('FORWARDED', 'AGENCY_VERIFYING', 'SANCTION_RECOMMENDED', 'PPK_EXAMINATION', \
         'OVERDUE_ESCALATED', 'CRIMINAL_PROCESS') AND f.due_on < '{today}' AND ({condition})"
    )
}

fn subtree(code: &str) -> String {
    format!("c.region_code = '{code}' OR c.region_code LIKE '{code}.%'")
}

fn addressed(code: &str) -> String {
    format!("t.code = '{code}' OR cp.code = '{code}'")
}

/// (agency, the oracle's condition) for every kind of caller.
fn cells() -> Vec<(Option<&'static str>, String)> {
    let government_of = |region: &str| {
        format!(
            "(t.kind = 'REGIONAL_GOVERNMENT' AND t.region_code = '{region}') \
             OR (cp.kind = 'REGIONAL_GOVERNMENT' AND cp.region_code = '{region}')"
        )
    };
    vec![
        (Some("BAWASLU"), "1 = 1".to_owned()),
        (Some("BAWASLU-16"), subtree("16")),
        (Some("BAWASLU-16.73"), subtree("16.73")),
        (Some("PANWASCAM-16.73.01"), subtree("16.73.01")),
        (Some("BAWASLU-18"), subtree("18")),
        (Some("INSPEKTORAT-16.73"), government_of("16.73")),
        (Some("PEMDA-16.73"), addressed("PEMDA-16.73")),
        (Some("PEMDA-16"), addressed("PEMDA-16")),
        (Some("BKN"), addressed("BKN")),
        (Some("POLRI"), addressed("POLRI")),
        (Some("TNI"), addressed("TNI")),
        // Kemendagri supervises regional heads as PPK; KemenPANRB may
        // sanction any PPK. (KASN, dissolved, has no token at all.)
        (Some("KEMENDAGRI"), "cp.kind = 'REGIONAL_GOVERNMENT'".to_owned()),
        (Some("KEMENPANRB"), "1 = 1".to_owned()),
        (None, "1 = 0".to_owned()),
    ]
}

const OVERDUE: &str = "{ overdueForwardings(first: 100) { totalCount pageInfo { hasNextPage } \
    edges { node { letterNumber caseNumber overdue decisions { decreeNumber } } } } }";

#[tokio::test]
async fn each_caller_lists_exactly_the_overdue_forwardings_the_matrix_gives_it() {
    for app in TestApp::demo_on_each_engine().await {
        let today = chrono::Utc::now().date_naive().to_string();
        let mut nonempty = 0;
        for (agency, condition) in cells() {
            // A letter may carry several allegations: compare as sorted lists.
            let mut expected = app.strings(&waiting(&today, &condition)).await;
            expected.sort();
            let data = app.data_as(agency, OVERDUE, json!({})).await;
            let list = &data["overdueForwardings"];
            assert_eq!(list["pageInfo"]["hasNextPage"], false, "{agency:?}: one page holds them all");
            let mut got: Vec<String> = list["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["letterNumber"].as_str().unwrap().to_owned())
                .collect();
            got.sort();
            assert_eq!(got, expected, "{:?} on {:?}", agency, app.engine);
            assert_eq!(list["totalCount"], expected.len(), "{agency:?}: the count agrees");
            nonempty += usize::from(!expected.is_empty());
        }
        // The oracle is not vacuous: most callers have overdue work in the demo.
        assert!(nonempty >= 8, "only {nonempty} callers have overdue forwardings in the demo");
    }
}

#[tokio::test]
async fn a_ministry_sees_case_letter_and_decree_numbers_of_overdue_forwardings_and_nothing_of_the_case() {
    for app in TestApp::demo_on_each_engine().await {
        let data = app.data_as(Some("KEMENDAGRI"), OVERDUE, json!({})).await;
        let nodes: Vec<&Value> =
            data["overdueForwardings"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
        assert!(!nodes.is_empty(), "Kemendagri follows overdue PPKs in the demo");
        for node in &nodes {
            let letter = node["letterNumber"].as_str().unwrap();
            let case_number = app
                .strings(&format!(
                    "SELECT c.number FROM forwarding f JOIN allegation a ON a.id = f.allegation_id \
                     JOIN \"case\" c ON c.id = a.case_id WHERE f.letter_number = '{letter}'"
                ))
                .await;
            assert_eq!(node["caseNumber"].as_str(), case_number.first().map(String::as_str), "{letter}");
            assert_eq!(node["overdue"], true, "{letter}");
            let decrees: BTreeSet<String> = app
                .strings(&format!(
                    "SELECT d.decree_number FROM agency_decision d JOIN forwarding f ON f.id = d.forwarding_id \
                     WHERE f.letter_number = '{letter}' AND d.decree_number IS NOT NULL"
                ))
                .await
                .into_iter()
                .collect();
            let shown: BTreeSet<String> = node["decisions"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|d| d["decreeNumber"].as_str().map(str::to_owned))
                .collect();
            assert_eq!(shown, decrees, "{letter}: the decree numbers");
        }
        // The case itself stays out of reach: not by number, not in lists.
        let number = nodes[0]["caseNumber"].as_str().unwrap();
        let data = app
            .data_as(
                Some("KEMENDAGRI"),
                "query($n: String!) { case(number: $n) { number } cases(first: 5) { totalCount } }",
                json!({ "n": number }),
            )
            .await;
        assert_eq!(data["case"], Value::Null, "a ministry cannot open the case");
        assert_eq!(data["cases"]["totalCount"], 0, "nor list it");
        // ... while the handling office can.
        let data = app
            .data_as(Some("BAWASLU"), "query($n: String!) { case(number: $n) { number } }", json!({ "n": number }))
            .await;
        assert_eq!(data["case"]["number"], number);
    }
}
