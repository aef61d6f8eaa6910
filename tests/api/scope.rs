//! Row scope of the first-cut policy: Bawaslu offices see the cases placed in
//! their jurisdiction's subtree; anonymous callers and every other agency kind
//! see none. Each denial is paired with a role that does see the same rows.

use serde_json::json;

use crate::helpers::{numbers, TestApp};

const ALL_CASES: &str = "{ cases(first: 100) { totalCount edges { node { number } } } }";

/// Case numbers whose place lies under `prefix`, straight from the database.
async fn numbers_under(app: &TestApp, prefix: &str) -> Vec<String> {
    let mut out = app
        .strings(&format!(
            "SELECT number FROM \"case\" WHERE region_code = '{prefix}' OR region_code LIKE '{prefix}.%' ORDER BY number"
        ))
        .await;
    out.sort();
    out
}

#[tokio::test]
async fn bawaslu_lubuk_linggau_lists_exactly_the_demo_cases_of_lubuk_linggau() {
    for app in TestApp::demo_on_each_engine().await {
        let expected = numbers_under(&app, "16.73").await;
        assert!(expected.len() >= 10, "the demo has Lubuk Linggau cases: {expected:?}");
        let data = app.data_as(Some("BAWASLU-16.73"), ALL_CASES, json!({})).await;
        assert_eq!(numbers(&data), expected, "{:?}", app.engine);
        assert_eq!(data["cases"]["totalCount"], expected.len());
    }
}

#[tokio::test]
async fn bawaslu_sumatera_selatan_lists_every_sumsel_case_and_lampung_none_of_them() {
    for app in TestApp::demo_on_each_engine().await {
        let sumsel = numbers_under(&app, "16").await;
        let lampung = numbers_under(&app, "18").await;
        assert!(!sumsel.is_empty() && !lampung.is_empty());
        let data16 = app.data_as(Some("BAWASLU-16"), ALL_CASES, json!({})).await;
        assert_eq!(numbers(&data16), sumsel);
        let data18 = app.data_as(Some("BAWASLU-18"), ALL_CASES, json!({})).await;
        let seen18 = numbers(&data18);
        assert_eq!(seen18, lampung);
        assert!(seen18.iter().all(|n| !sumsel.contains(n)), "Lampung sees no Sumatera Selatan case");
        let ri = app.data_as(Some("BAWASLU"), ALL_CASES, json!({})).await;
        assert_eq!(ri["cases"]["totalCount"], sumsel.len() + lampung.len(), "Bawaslu RI sees every case");
    }
}

#[tokio::test]
async fn panwascam_sees_only_its_kecamatan() {
    for app in TestApp::demo_on_each_engine().await {
        let expected = numbers_under(&app, "16.73.01").await;
        assert!(!expected.is_empty());
        let data = app.data_as(Some("PANWASCAM-16.73.01"), ALL_CASES, json!({})).await;
        assert_eq!(numbers(&data), expected);
    }
}

#[tokio::test]
async fn anonymous_gets_no_case_official_or_reporter() {
    for app in TestApp::demo_on_each_engine().await {
        let number = numbers_under(&app, "16.73").await.remove(0);
        let nip = app.strings("SELECT nip FROM official WHERE nip IS NOT NULL ORDER BY id LIMIT 1").await.remove(0);
        let q = "query($n: String!, $nip: String!) { cases { totalCount edges { node { number } } } case(number: $n) { number } \
                 officials { totalCount } officialByNip(nip: $nip) { fullName } me { subject } }";
        let anon = app.data_as(None, q, json!({ "n": number, "nip": nip })).await;
        assert_eq!(anon["cases"]["totalCount"], 0);
        assert!(anon["cases"]["edges"].as_array().unwrap().is_empty());
        assert!(anon["case"].is_null());
        assert_eq!(anon["officials"]["totalCount"], 0);
        assert!(anon["officialByNip"].is_null());
        assert!(anon["me"].is_null());
        // The same questions from Bawaslu RI are answered.
        let ri = app.data_as(Some("BAWASLU"), q, json!({ "n": number, "nip": nip })).await;
        assert!(ri["cases"]["totalCount"].as_u64().unwrap() > 0);
        assert_eq!(ri["case"]["number"], number.as_str());
        assert!(ri["officials"]["totalCount"].as_u64().unwrap() > 0);
        assert!(ri["officialByNip"]["fullName"].is_string());
    }
}

#[tokio::test]
async fn a_token_without_read_permission_sees_no_case() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token_with("BAWASLU-16.73", &["publish"]);
        let (_, body) = app.gql(Some(&token), "{ cases { totalCount } }", json!({})).await;
        assert_eq!(body["data"]["cases"]["totalCount"], 0);
        let data = app.data_as(Some("BAWASLU-16.73"), "{ cases { totalCount } }", json!({})).await;
        assert!(data["cases"]["totalCount"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn case_by_number_and_node_return_null_outside_the_scope_and_the_case_inside_it() {
    for app in TestApp::demo_on_each_engine().await {
        let lampung = numbers_under(&app, "18.71").await.remove(0);
        let q = "query($n: String!) { case(number: $n) { id number } }";
        let inside = app.data_as(Some("BAWASLU-18.71"), q, json!({ "n": lampung })).await;
        assert_eq!(inside["case"]["number"], lampung.as_str());
        let id = inside["case"]["id"].as_str().unwrap().to_owned();
        let outside = app.data_as(Some("BAWASLU-16"), q, json!({ "n": lampung })).await;
        assert!(outside["case"].is_null());
        let missing = app.data_as(Some("BAWASLU-16"), q, json!({ "n": "no/such/case" })).await;
        assert!(missing["case"].is_null(), "missing and forbidden look the same");

        let node = "query($id: ID!) { node(id: $id) { id ... on Case { number } } }";
        let seen = app.data_as(Some("BAWASLU-18"), node, json!({ "id": id })).await;
        assert_eq!(seen["node"]["number"], lampung.as_str());
        let hidden = app.data_as(Some("BAWASLU-16"), node, json!({ "id": id })).await;
        assert!(hidden["node"].is_null());
        let anon = app.data_as(None, node, json!({ "id": id })).await;
        assert!(anon["node"].is_null());
    }
}

#[tokio::test]
async fn reporter_is_shown_to_the_handling_office_and_its_superiors_only() {
    for app in TestApp::demo_on_each_engine().await {
        // A report placed in Lubuk Linggau but handled by the provincial office.
        let rows = app
            .strings(
                "SELECT c.number FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id \
                 JOIN reporter r ON r.case_id = c.id WHERE a.code = 'BAWASLU-16' AND c.regency_code = '16.73'",
            )
            .await;
        let q = "query($n: String!) { case(number: $n) { number reporter { name nik } } }";
        let number = rows.first().expect("the demo has a report in 16.73 handled by BAWASLU-16");
        let city = app.data_as(Some("BAWASLU-16.73"), q, json!({ "n": number })).await;
        assert_eq!(city["case"]["number"], number.as_str(), "the city office sees the case");
        assert!(city["case"]["reporter"].is_null(), "but not the provincial office's reporter");
        for superior in ["BAWASLU-16", "BAWASLU"] {
            let seen = app.data_as(Some(superior), q, json!({ "n": number })).await;
            assert!(seen["case"]["reporter"]["name"].is_string(), "{superior} sees the reporter");
        }
        // A report handled by the city office: the city and its superiors see the reporter.
        let own = app
            .strings(
                "SELECT c.number FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id \
                 JOIN reporter r ON r.case_id = c.id WHERE a.code = 'BAWASLU-16.73' ORDER BY c.number",
            )
            .await;
        let number = own.first().expect("the demo has reports handled by Bawaslu Lubuk Linggau");
        for agency in ["BAWASLU-16.73", "BAWASLU-16", "BAWASLU"] {
            let data = app.data_as(Some(agency), q, json!({ "n": number })).await;
            assert!(data["case"]["reporter"]["name"].is_string(), "{agency} sees the reporter");
            assert_eq!(data["case"]["reporter"]["nik"].as_str().unwrap().len(), 16);
        }
        // A subordinate panwascam sees the case (if placed in its kecamatan) but never the reporter.
        let data = app
            .data_as(
                Some("PANWASCAM-16.73.01"),
                "{ cases(first: 100) { edges { node { reporter { name } } } } }",
                json!({}),
            )
            .await;
        for edge in data["cases"]["edges"].as_array().unwrap() {
            assert!(edge["node"]["reporter"].is_null());
        }
    }
}

#[tokio::test]
async fn official_by_nip_finds_anyone_for_bawaslu_and_only_visible_subjects_otherwise() {
    for app in TestApp::demo_on_each_engine().await {
        // An official named only in Lampung cases.
        let nip = app
            .strings(
                "SELECT o.nip FROM official o JOIN allegation al ON al.official_id = o.id JOIN \"case\" c ON c.id = al.case_id \
                 WHERE o.nip IS NOT NULL AND c.province_code = '18' ORDER BY o.id LIMIT 1",
            )
            .await
            .remove(0);
        let q = "query($nip: String!) { officialByNip(nip: $nip) { nip cases { number } } }";
        let lampung = app.data_as(Some("BAWASLU-18"), q, json!({ "nip": nip })).await;
        assert_eq!(lampung["officialByNip"]["nip"], nip.as_str());
        assert!(!lampung["officialByNip"]["cases"].as_array().unwrap().is_empty());
        // Another Bawaslu office may find the official by exact NIP but sees none of the cases.
        let sumsel = app.data_as(Some("BAWASLU-16"), q, json!({ "nip": nip })).await;
        assert_eq!(sumsel["officialByNip"]["nip"], nip.as_str());
        assert!(sumsel["officialByNip"]["cases"].as_array().unwrap().is_empty());
        // An agency without any scope gets null.
        let bkn = app.data_as(Some("BKN"), q, json!({ "nip": nip })).await;
        assert!(bkn["officialByNip"].is_null());
    }
}

#[tokio::test]
async fn nested_paths_stay_in_scope() {
    for app in TestApp::demo_on_each_engine().await {
        // official -> cases -> allegations -> official -> cases: all within 16.73 for the city office.
        let q = "{ cases(first: 100) { edges { node { allegations { official { cases { number region { code } \
                 allegations { official { cases { region { code } } } } } } } } } } }";
        let data = app.data_as(Some("BAWASLU-16.73"), q, json!({})).await;
        let text = data.to_string();
        let codes: Vec<&str> = text.match_indices("\"code\":\"").map(|(i, _)| &text[i + 8..i + 13]).collect();
        assert!(!codes.is_empty());
        assert!(codes.iter().all(|c| c.starts_with("16.73")), "{codes:?}");
    }
}
