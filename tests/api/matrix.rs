//! The policy matrix, cell by cell, both ways: for every role (one or more
//! agencies each) × entity × entry path (list, by number, by global id,
//! nested from officials), what the role sees equals an oracle written here
//! in plain SQL, independently of the policy module — so every row it must
//! not see is proven absent and every row it may see is proven present.

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

/// What a role is, for the oracle.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Who {
    Bawaslu(Option<&'static str>),
    Inspectorate(&'static str),
    Government(&'static str),
    Bkn,
    Receiver(&'static str),
    Nobody,
}

pub(crate) const ROLES: &[(Option<&str>, Who)] = &[
    (Some("BAWASLU"), Who::Bawaslu(None)),
    (Some("BAWASLU-16"), Who::Bawaslu(Some("16"))),
    (Some("BAWASLU-16.73"), Who::Bawaslu(Some("16.73"))),
    (Some("PANWASCAM-16.73.01"), Who::Bawaslu(Some("16.73.01"))),
    (Some("BAWASLU-18.71"), Who::Bawaslu(Some("18.71"))),
    (Some("INSPEKTORAT-16.73"), Who::Inspectorate("16.73")),
    (Some("INSPEKTORAT-16.71"), Who::Inspectorate("16.71")),
    (Some("PEMDA-16.73"), Who::Government("PEMDA-16.73")),
    (Some("PEMDA-16.02"), Who::Government("PEMDA-16.02")),
    (Some("PEMDA-16"), Who::Government("PEMDA-16")),
    (Some("BKN"), Who::Bkn),
    (Some("POLRI"), Who::Receiver("POLRI")),
    (Some("TNI"), Who::Receiver("TNI")),
    (Some("GAKKUMDU-16.06"), Who::Receiver("GAKKUMDU-16.06")),
    (Some("KEMENDAGRI"), Who::Nobody),
    (Some("KEMENPANRB"), Who::Nobody),
    (None, Who::Nobody),
];

const FORWARDED: &str = "FROM \"case\" c JOIN allegation a ON a.case_id = c.id JOIN forwarding f ON f.allegation_id = a.id \
     JOIN official o ON o.id = a.official_id JOIN agency g ON g.id = o.employer_id JOIN agency t ON t.id = f.to_agency_id \
     LEFT JOIN agency cp ON cp.id = f.copy_to_agency_id";

fn set(rows: Vec<String>) -> BTreeSet<String> {
    rows.into_iter().collect()
}

/// The case numbers `who` may see, by the rules in plain SQL.
async fn oracle_cases(app: &TestApp, who: Who) -> BTreeSet<String> {
    let sql = match who {
        Who::Bawaslu(None) => "SELECT number FROM \"case\"".to_owned(),
        Who::Bawaslu(Some(r)) => {
            format!("SELECT number FROM \"case\" WHERE region_code = '{r}' OR region_code LIKE '{r}.%'")
        }
        Who::Inspectorate(r) => format!("SELECT c.number {FORWARDED} WHERE g.code = 'PEMDA-{r}'"),
        Who::Government(code) => format!("SELECT c.number {FORWARDED} WHERE g.code = '{code}'"),
        Who::Bkn => format!(
            "SELECT c.number {FORWARDED} WHERE t.code = 'BKN' AND o.subject_kind IN ('PNS', 'PPPK', 'CAMAT_LURAH')"
        ),
        Who::Receiver(code) => format!("SELECT c.number {FORWARDED} WHERE t.code = '{code}'"),
        Who::Nobody => return BTreeSet::new(),
    };
    set(app.strings(&sql).await)
}

/// The cases among `visible` whose evidence `who` may see.
async fn oracle_evidence(app: &TestApp, who: Who, visible: &BTreeSet<String>) -> BTreeSet<String> {
    let with_evidence =
        set(app.strings("SELECT DISTINCT c.number FROM \"case\" c JOIN evidence e ON e.case_id = c.id").await);
    let received = match who {
        Who::Bawaslu(_) | Who::Bkn => return visible.intersection(&with_evidence).cloned().collect(),
        Who::Nobody => return BTreeSet::new(),
        Who::Inspectorate(r) => {
            format!("SELECT c.number {FORWARDED} WHERE t.code = 'PEMDA-{r}' OR cp.code = 'PEMDA-{r}'")
        }
        Who::Government(code) | Who::Receiver(code) => {
            format!("SELECT c.number {FORWARDED} WHERE t.code = '{code}' OR cp.code = '{code}'")
        }
    };
    let received = set(app.strings(&received).await);
    visible.iter().filter(|n| received.contains(*n) && with_evidence.contains(*n)).cloned().collect()
}

/// The cases among `visible` whose reporter a Bawaslu office in `region` may see.
async fn oracle_reporters(app: &TestApp, who: Who, visible: &BTreeSet<String>) -> BTreeSet<String> {
    let Who::Bawaslu(region) = who else { return BTreeSet::new() };
    let handled = match region {
        None => "SELECT c.number FROM \"case\" c JOIN reporter r ON r.case_id = c.id".to_owned(),
        Some(r) => format!(
            "SELECT c.number FROM \"case\" c JOIN reporter r ON r.case_id = c.id JOIN agency h ON h.id = c.handling_agency_id \
             WHERE h.region_code = '{r}' OR h.region_code LIKE '{r}.%'"
        ),
    };
    set(app.strings(&handled).await).intersection(visible).cloned().collect()
}

async fn ask(app: &TestApp, token: Option<&str>, query: &str, vars: Value) -> Value {
    let (_, body) = app.gql(token, query, vars).await;
    assert!(body.get("errors").is_none(), "{:?}: {query}: {body}", app.engine);
    body["data"].clone()
}

/// Runs `field(arg: "value")` for many values in aliased batches; returns the
/// values whose answer is not null.
async fn found_by(app: &TestApp, token: Option<&str>, field: &str, arg: &str, values: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for chunk in values.chunks(20) {
        let parts: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, v)| format!("q{i}: {field}({arg}: {}) {{ __typename }}", json!(v)))
            .collect();
        let data = ask(app, token, &format!("{{ {} }}", parts.join(" ")), json!({})).await;
        for (i, v) in chunk.iter().enumerate() {
            if !data[format!("q{i}")].is_null() {
                found.insert(v.clone());
            }
        }
    }
    found
}

fn edges(data: &Value, list: &str) -> Vec<Value> {
    data[list]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

#[tokio::test]
async fn every_cell_of_the_policy_matrix_holds_both_ways() {
    for app in TestApp::demo_on_each_engine().await {
        let all_numbers = app.strings("SELECT number FROM \"case\" ORDER BY number").await;
        let ids: Vec<(String, String)> = {
            let rows = app.strings("SELECT number || '|' || CAST(id AS TEXT) FROM \"case\"").await;
            rows.into_iter()
                .map(|r| {
                    let (n, id) = r.split_once('|').unwrap();
                    (n.to_owned(), URL_SAFE_NO_PAD.encode(format!("Case:{id}")))
                })
                .collect()
        };
        let all_nips = app.strings("SELECT nip FROM official WHERE nip IS NOT NULL ORDER BY nip").await;
        for (agency, who) in ROLES {
            let token = agency.map(|a| app.token(a));
            let t = token.as_deref();
            let label = format!("{:?} {agency:?}", app.engine);
            let expected = oracle_cases(&app, *who).await;
            if !matches!(who, Who::Nobody) {
                assert!(!expected.is_empty(), "{label}: the demo gives this role something to see");
            }

            // Path 1: the list, its count and its cursors.
            let listed =
                ask(&app, t, "{ cases(first: 100) { totalCount edges { node { number } } } }", json!({})).await;
            let seen: BTreeSet<String> =
                edges(&listed, "cases").iter().map(|n| n["number"].as_str().unwrap().to_owned()).collect();
            assert_eq!(seen, expected, "{label}: cases listed");
            assert_eq!(listed["cases"]["totalCount"].as_u64().unwrap() as usize, expected.len(), "{label}: totalCount");

            // Path 2: by number, for every case in the database.
            let by_number = found_by(&app, t, "case", "number", &all_numbers).await;
            assert_eq!(by_number, expected, "{label}: case(number)");

            // Path 3: by global id, for every case in the database.
            let global: Vec<String> = ids.iter().map(|(_, id)| id.clone()).collect();
            let by_node = found_by(&app, t, "node", "id", &global).await;
            let by_node_numbers: BTreeSet<String> =
                ids.iter().filter(|(_, id)| by_node.contains(id)).map(|(n, _)| n.clone()).collect();
            assert_eq!(by_node_numbers, expected, "{label}: node(id)");

            // Officials: the list, and every NIP by exact lookup.
            let subjects = if expected.is_empty() {
                BTreeSet::new()
            } else {
                let list: Vec<String> = expected.iter().map(|n| format!("'{n}'")).collect();
                set(app
                    .strings(&format!(
                        "SELECT DISTINCT CAST(o.id AS TEXT) FROM official o JOIN allegation a ON a.official_id = o.id \
                         JOIN \"case\" c ON c.id = a.case_id WHERE c.number IN ({})",
                        list.join(", ")
                    ))
                    .await)
            };
            let officials = ask(&app, t, "{ officials(first: 100) { totalCount } }", json!({})).await;
            assert_eq!(
                officials["officials"]["totalCount"].as_u64().unwrap() as usize,
                subjects.len(),
                "{label}: officials"
            );
            let by_nip = found_by(&app, t, "officialByNip", "nip", &all_nips).await;
            match who {
                Who::Bawaslu(_) => assert_eq!(by_nip.len(), all_nips.len(), "{label}: Bawaslu finds any NIP"),
                _ => {
                    let visible_nips: BTreeSet<String> = if subjects.is_empty() {
                        BTreeSet::new()
                    } else {
                        let ids: Vec<&str> = subjects.iter().map(String::as_str).collect();
                        set(app
                            .strings(&format!(
                                "SELECT nip FROM official WHERE nip IS NOT NULL AND id IN ({})",
                                ids.join(", ")
                            ))
                            .await)
                    };
                    assert_eq!(by_nip, visible_nips, "{label}: officialByNip");
                }
            }

            // Path 4: nested — official → cases and case → allegation → official → cases stay in scope.
            if let Some(t) = t {
                let nested = ask(
                    &app,
                    Some(t),
                    "{ officials(first: 100) { edges { node { cases { number allegations { official { cases { number } } } } } } } }",
                    json!({}),
                )
                .await;
                let text = nested.to_string();
                let reached: BTreeSet<String> =
                    all_numbers.iter().filter(|n| text.contains(&format!("\"{n}\""))).cloned().collect();
                assert_eq!(reached, expected, "{label}: nested paths reach exactly the visible cases");
            }

            // Handling records of visible cases: every timeline event, nothing else.
            let timeline = ask(
                &app,
                t,
                "{ cases(first: 100) { edges { node { timeline { action } sanctions { sanctionCode } } } } }",
                json!({}),
            )
            .await;
            let events: usize = edges(&timeline, "cases").iter().map(|n| n["timeline"].as_array().unwrap().len()).sum();
            let expected_events = if expected.is_empty() {
                0
            } else {
                let list: Vec<String> = expected.iter().map(|n| format!("'{n}'")).collect();
                app.count(&format!(
                    "SELECT COUNT(*) FROM case_event e JOIN \"case\" c ON c.id = e.case_id WHERE c.number IN ({})",
                    list.join(", ")
                ))
                .await as usize
            };
            assert_eq!(events, expected_events, "{label}: timeline events");

            // Fields: reporter, evidence, NIP — present in the schema or rejected, and row-scoped.
            let reporter_q = "{ cases(first: 100) { edges { node { number reporter { name } } } } }";
            let (_, body) = app.gql(t, reporter_q, json!({})).await;
            if matches!(who, Who::Bawaslu(_)) {
                let with: BTreeSet<String> = edges(&body["data"], "cases")
                    .iter()
                    .filter(|n| !n["reporter"].is_null())
                    .map(|n| n["number"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(with, oracle_reporters(&app, *who, &expected).await, "{label}: reporters");
            } else {
                assert_eq!(error_code(&body), "BAD_USER_INPUT", "{label}: reporter is not in this schema: {body}");
                assert!(body["data"].is_null(), "{label}: nothing returned with the rejected field");
            }
            let evidence_q = "{ cases(first: 100) { edges { node { number evidence { sha256 } } } } }";
            let (_, body) = app.gql(t, evidence_q, json!({})).await;
            if matches!(who, Who::Nobody) {
                assert_eq!(error_code(&body), "BAD_USER_INPUT", "{label}: evidence is not in this schema");
            } else {
                let with: BTreeSet<String> = edges(&body["data"], "cases")
                    .iter()
                    .filter(|n| !n["evidence"].as_array().unwrap().is_empty())
                    .map(|n| n["number"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(with, oracle_evidence(&app, *who, &expected).await, "{label}: evidence");
            }
            let (_, body) = app.gql(t, "{ officials { edges { node { nip } } } }", json!({})).await;
            if agency.is_none() {
                assert_eq!(error_code(&body), "BAD_USER_INPUT", "{label}: NIP is not in the anonymous schema");
            } else {
                assert!(body.get("errors").is_none(), "{label}: NIP is in this schema");
            }
        }
    }
}

#[tokio::test]
async fn a_field_hidden_from_a_role_is_absent_from_its_introspection() {
    for app in TestApp::demo_on_each_engine().await {
        let q = "{ __type(name: \"Case\") { fields { name } } }";
        for (agency, reporter, evidence) in [
            (Some("BAWASLU-16"), true, true),
            (Some("BKN"), false, true),
            (Some("KEMENDAGRI"), false, false),
            (None, false, false),
        ] {
            let token = agency.map(|a| app.token(a));
            let data = ask(&app, token.as_deref(), q, json!({})).await;
            let names: Vec<&str> =
                data["__type"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
            assert_eq!(names.contains(&"reporter"), reporter, "{agency:?}");
            assert_eq!(names.contains(&"evidence"), evidence, "{agency:?}");
            assert!(names.contains(&"number"));
        }
    }
}
