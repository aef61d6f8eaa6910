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
        // ... and from the case's own category bit set, without the allegations.
        assert!(!sql.contains("JOIN \"allegation\"") && sql.contains("violation_categories"), "{engine:?}: {sql}");
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

/// Every connection that carries `totalCount` counts only when it is
/// selected (through a fragment or an alias too), and the count it gives
/// then equals the number of items paged through.
#[tokio::test]
async fn connections_count_only_when_total_count_is_selected() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.audit = false).await;
        netra::seed::load_demo(&app.db).await.unwrap();
        let lists = [
            ("cases", "edges { node { number } }"),
            ("officials", "edges { node { nip } }"),
            ("overdueForwardings", "edges { node { id } }"),
        ];
        for (list, nodes) in lists {
            let (_, without) = run(&app, "BAWASLU-16", &format!("{{ {list}(first: 100) {{ {nodes} }} }}")).await;
            assert!(
                !without.iter().any(|s| s.to_lowercase().contains("count(")),
                "{engine:?} {list}: counted although totalCount was not asked for: {without:?}"
            );
            let (with, counted) =
                run(&app, "BAWASLU-16", &format!("{{ {list}(first: 100) {{ totalCount {nodes} }} }}")).await;
            assert_eq!(counted.len(), without.len() + 1, "{engine:?} {list}: one count statement more");
            let (aliased, _) = run(
                &app,
                "BAWASLU-16",
                &format!(
                    "{{ {list}(first: 100) {{ ...T {nodes} }} }} fragment T on {} {{ n: totalCount }}",
                    connection(list)
                ),
            )
            .await;
            let items = with[list]["edges"].as_array().unwrap().len() as u64;
            assert_eq!(with[list]["totalCount"].as_u64(), Some(items), "{engine:?} {list}: {with}");
            assert_eq!(aliased[list]["n"].as_u64(), Some(items), "{engine:?} {list}: {aliased}");
        }
        // The demo gives the province office cases and officials to count.
        let (cases, _) = run(&app, "BAWASLU-16", "{ cases { totalCount } officials { totalCount } }").await;
        assert!(cases["cases"]["totalCount"].as_u64().unwrap() > 1, "{engine:?}: {cases}");
        assert!(cases["officials"]["totalCount"].as_u64().unwrap() > 1, "{engine:?}: {cases}");
    }
}

fn connection(list: &str) -> &'static str {
    match list {
        "cases" => "CaseConnection",
        "officials" => "OfficialConnection",
        _ => "ForwardingConnection",
    }
}

/// A page of officials in a work area is one statement driven by the
/// page-order index expression, and gives the same officials, in the same
/// order, as filtering the full list by hand; a caller that sees no case
/// there gets none.
#[tokio::test]
async fn officials_in_a_work_area_match_the_full_list() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.audit = false).await;
        netra::seed::load_demo(&app.db).await.unwrap();
        let all_q = "{ officials(first: 100) { edges { node { nip workRegion { code } } } } }";
        let (all, _) = run(&app, "BAWASLU-16", all_q).await;
        let all: Vec<(String, String)> = all["officials"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["nip"].as_str().unwrap_or("").to_owned(),
                    e["node"]["workRegion"]["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for area in ["16", "16.73", "16.73.01"] {
            let q = format!(
                "{{ officials(filter: {{workRegionCode: \"{area}\"}}, first: 100) {{ edges {{ node {{ nip }} }} }} }}"
            );
            let (page, log) = run(&app, "BAWASLU-16", &q).await;
            assert_eq!(log.len(), 1, "{engine:?} {area}: {log:?}");
            assert!(
                log[0].contains(&format!("substr(\"official\".\"work_region_code\", 1, {})", area.len())),
                "{}",
                log[0]
            );
            let got: Vec<&str> = page["officials"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["nip"].as_str().unwrap_or(""))
                .collect();
            let want: Vec<&str> = all
                .iter()
                .filter(|(_, code)| code == area || code.starts_with(&format!("{area}.")))
                .map(|(nip, _)| nip.as_str())
                .collect();
            assert_eq!(got, want, "{engine:?} {area}");
            if area == "16.73" {
                assert!(!got.is_empty(), "{engine:?}: the demo names officials of Lubuk Linggau");
            }
        }
        let (lampung, _) =
            run(&app, "BAWASLU-18", "{ officials(filter: {workRegionCode: \"16.73\"}) { edges { node { nip } } } }")
                .await;
        assert_eq!(lampung["officials"]["edges"], json!([]), "{engine:?}: Lampung sees no case of 16.73");
    }
}

/// Agencies and regions in an answer come from the in-memory registry: a
/// page of cases with its region, handling agency and timeline actors costs
/// the statements of the cases and the timeline only, and gives the names
/// the database holds.
#[tokio::test]
async fn reference_fields_are_answered_from_the_registry() {
    for engine in engines() {
        // The demo is in the database before the app's registry first loads.
        let app = TestApp::with_demo_and(engine, |c| c.audit = false).await;
        let q = "{ cases(first: 50) { edges { node { number region { code name } handlingAgency { code name } \
                 timeline { actorAgency { code } } } } } }";
        let (data, log) = run(&app, "BAWASLU-16", q).await;
        assert_eq!(log.len(), 2, "{engine:?}: cases and timeline only: {log:?}");
        assert!(!log.iter().any(|s| s.contains("FROM \"region\"") || s.contains("FROM \"agency\"")), "{log:?}");
        let names = app.strings("SELECT code || '=' || name FROM region").await;
        let agencies = app.strings("SELECT code || '=' || name FROM agency").await;
        let edges = data["cases"]["edges"].as_array().unwrap();
        assert!(edges.len() > 1, "{engine:?}");
        for e in edges {
            let r = &e["node"]["region"];
            let pair = format!("{}={}", r["code"].as_str().unwrap(), r["name"].as_str().unwrap());
            assert!(names.contains(&pair), "{engine:?}: {pair}");
            let a = &e["node"]["handlingAgency"];
            let pair = format!("{}={}", a["code"].as_str().unwrap(), a["name"].as_str().unwrap());
            assert!(agencies.contains(&pair), "{engine:?}: {pair}");
        }
    }
}

/// Cases by category from the case's bit set (no allegation join) give the
/// same numbers as the allegation path, one-way and two-way, for every
/// role that may read statistics.
#[tokio::test]
async fn category_counts_from_the_bit_set_equal_a_recount_over_the_allegations() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.audit = false).await;
        netra::seed::load_demo(&app.db).await.unwrap();
        for agency in ["BAWASLU", "BAWASLU-16", "BKN"] {
            for group_by in ["[VIOLATION_CATEGORY]", "[REGENCY, VIOLATION_CATEGORY]", "[VIOLATION_CATEGORY, STAGE]"] {
                let parts = |counts: &str| {
                    format!(
                        "{{ statistics(groupBy: {group_by}) {{ cells {{ row column counts {{ {counts} }} }} \
                         rows {{ key counts {{ {counts} }} }} columns {{ key counts {{ {counts} }} }} \
                         total {{ {counts} }} }} }}"
                    )
                };
                let fast = parts("cases");
                // Asking for allegations too takes the join with the allegations.
                let slow = parts("cases allegations");
                let (a, log) = run(&app, agency, &fast).await;
                assert!(
                    log.iter().all(|q| !q.contains("JOIN \"allegation\"")),
                    "{engine:?} {agency} {group_by}: {log:?}"
                );
                // The parts grouped by category count each category's cases
                // off the bit set; the others count the cases themselves.
                let by_bits = log.iter().filter(|q| q.contains("FILTER (WHERE")).count();
                let expected = if group_by == "[VIOLATION_CATEGORY]" { 1 } else { 2 };
                assert_eq!(by_bits, expected, "{engine:?} {agency} {group_by}: {log:?}");
                assert!(log.iter().all(|q| !q.contains("\"vc\"")), "{engine:?}: no category rows: {log:?}");
                let (b, log) = run(&app, agency, &slow).await;
                assert!(log.iter().any(|q| q.contains("JOIN \"allegation\"")), "{engine:?}: {log:?}");
                let cells = |v: &Value| -> Vec<(Value, Value, Value)> {
                    v["statistics"]["cells"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| (c["row"].clone(), c["column"].clone(), c["counts"]["cases"].clone()))
                        .collect()
                };
                let headings = |v: &Value, part: &str| -> Vec<(Value, Value)> {
                    v["statistics"][part]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| (h["key"].clone(), h["counts"]["cases"].clone()))
                        .collect()
                };
                assert_eq!(cells(&a), cells(&b), "{engine:?} {agency} {group_by}");
                for part in ["rows", "columns"] {
                    assert_eq!(headings(&a, part), headings(&b, part), "{engine:?} {agency} {group_by} {part}");
                }
                assert_eq!(
                    a["statistics"]["total"]["cases"], b["statistics"]["total"]["cases"],
                    "{engine:?} {agency} {group_by}"
                );
                if agency != "BKN" {
                    assert!(!cells(&a).is_empty(), "{engine:?} {agency}: the demo has cases there");
                }
            }
        }
    }
}

/// Every case's bit set equals the categories of its allegations, as
/// written at intake (demo data, through the workflow's intake rows) and as
/// the migration's backfill recomputes them; and the migration's frozen
/// mapping is the domain's.
#[tokio::test]
async fn case_category_bit_sets_always_equal_a_recount() {
    use netra::domain::{ViolationCategory, ViolationCode};
    use sea_orm::{ConnectionTrait, Iterable};
    for code in ViolationCode::iter() {
        let frozen = migration::violation_categories::CATEGORIES
            .iter()
            .find(|(_, codes)| codes.contains(&code.as_str()))
            .map(|(bit, _)| *bit);
        assert_eq!(frozen, Some(ViolationCategory::of(code).bit()), "{code:?}");
    }
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.audit = false).await;
        netra::seed::load_demo(&app.db).await.unwrap();
        const BITS: &str =
            r#"SELECT CAST(id AS TEXT) || ':' || CAST(violation_categories AS TEXT) FROM "case" ORDER BY id"#;
        let written = app.strings(BITS).await;
        assert!(written.len() > 10, "{engine:?}");
        // The recount in Rust, from the allegation rows.
        let pairs = app.strings("SELECT CAST(case_id AS TEXT) || ':' || violation_code FROM allegation").await;
        let mut expected = std::collections::BTreeMap::<i64, i32>::new();
        for w in &written {
            expected.insert(w.split(':').next().unwrap().parse().unwrap(), 0);
        }
        for p in &pairs {
            let (id, code) = p.split_once(':').unwrap();
            let code = ViolationCode::iter().find(|c| c.as_str() == code).unwrap();
            *expected.get_mut(&id.parse().unwrap()).unwrap() |= ViolationCategory::of(code).bit();
        }
        let expected: Vec<String> = expected.iter().map(|(id, m)| format!("{id}:{m}")).collect();
        assert_eq!(written, expected, "{engine:?}: intake wrote the categories of the allegations");
        assert!(expected.iter().any(|e| !e.ends_with(":0")), "{engine:?}: some categories");
        // The backfill computes the same.
        app.db.execute_unprepared(r#"UPDATE "case" SET violation_categories = 0"#).await.unwrap();
        app.db.execute_unprepared(&migration::violation_categories::backfill()).await.unwrap();
        assert_eq!(app.strings(BITS).await, expected, "{engine:?}: the migration's backfill");
    }
}

/// The benchmark's page shape (`benches/national.sh`, Q1) costs one
/// statement per relation that needs SQL: the page, the allegations with
/// their officials (one join), and the sanctions (one join through the
/// forwardings). Each case's allegations, officials and sanctions are what
/// the database holds for it, for a province office and for the centre.
#[tokio::test]
async fn a_page_with_allegations_officials_and_sanctions_costs_three_statements() {
    let q = "{ cases(first: 50) { edges { node { number region { code } allegations { violationCode \
             official { nip fullName } } sanctions { sanctionCode severity } } } } }";
    for engine in engines() {
        let app = TestApp::with_demo_and(engine, |c| c.audit = false).await;
        for agency in ["BAWASLU-16", "BAWASLU"] {
            let (data, log) = run(&app, agency, q).await;
            assert_eq!(log.len(), 3, "{engine:?} {agency}: {log:?}");
            // The two nested statements run concurrently, in either order.
            let with = |t: &str| log.iter().filter(|q| q.contains(t)).count();
            assert_eq!(with("JOIN \"official\""), 1, "{engine:?}: allegations with officials: {log:?}");
            assert_eq!(with("JOIN \"forwarding\""), 1, "{engine:?}: sanctions in one join: {log:?}");
            let edges = data["cases"]["edges"].as_array().unwrap();
            assert!(edges.len() > 1, "{engine:?} {agency}");
            let mut named = 0;
            for e in edges {
                let n = &e["node"];
                let number = n["number"].as_str().unwrap();
                let mut got: Vec<String> = n["allegations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| {
                        format!(
                            "{}/{}",
                            a["violationCode"].as_str().unwrap(),
                            a["official"]["nip"].as_str().unwrap_or("-")
                        )
                    })
                    .collect();
                got.sort();
                let mut want = app
                    .strings(&format!(
                        "SELECT a.violation_code || '/' || COALESCE(o.nip, '-') FROM allegation a \
                         JOIN official o ON o.id = a.official_id JOIN \"case\" c ON c.id = a.case_id \
                         WHERE c.number = '{number}'"
                    ))
                    .await;
                want.sort();
                assert_eq!(got, want, "{engine:?} {agency} {number}");
                named += got.len();
                let sanctions = n["sanctions"].as_array().unwrap().len() as i64;
                let stored = app
                    .count(&format!(
                        "SELECT COUNT(*) FROM agency_decision d JOIN forwarding f ON f.id = d.forwarding_id \
                         JOIN allegation a ON a.id = f.allegation_id JOIN \"case\" c ON c.id = a.case_id \
                         WHERE c.number = '{number}' AND d.sanction_code IS NOT NULL \
                         AND d.kind NOT IN ('VERIFICATION', 'RECOMMENDATION')"
                    ))
                    .await;
                assert_eq!(sanctions, stored, "{engine:?} {agency} {number}");
            }
            assert!(named > 0, "{engine:?} {agency}: the page names officials");
        }
    }
}

/// The benchmark's officials shape (Q4): the page, the officials' cases in
/// one join, their sanctions in one join. Each official's cases are the
/// visible cases that name them, newest first, each once.
#[tokio::test]
async fn officials_with_their_cases_and_sanctions_cost_three_statements() {
    let q = "{ officials(filter: {workRegionCode: \"16\"}, first: 20) { edges { node { nip \
             cases { number sanctions { sanctionCode } } } } } }";
    for engine in engines() {
        let app = TestApp::with_demo_and(engine, |c| c.audit = false).await;
        let (data, log) = run(&app, "BAWASLU-16", q).await;
        assert_eq!(log.len(), 3, "{engine:?}: {log:?}");
        assert_eq!(log.iter().filter(|s| s.contains("JOIN \"allegation\"")).count(), 2, "{engine:?}: {log:?}");
        let mut compared = 0;
        for e in data["officials"]["edges"].as_array().unwrap() {
            let Some(nip) = e["node"]["nip"].as_str() else { continue };
            let got: Vec<&str> =
                e["node"]["cases"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect();
            let want = app
                .strings(&format!(
                    "SELECT c.number FROM \"case\" c WHERE c.province_code = '16' AND c.id IN \
                     (SELECT a.case_id FROM allegation a JOIN official o ON o.id = a.official_id WHERE o.nip = '{nip}') \
                     ORDER BY c.received_on DESC, c.id DESC"
                ))
                .await;
            assert_eq!(got, want, "{engine:?} {nip}");
            assert!(!got.is_empty(), "{engine:?}: every listed official is named in a visible case");
            compared += 1;
        }
        assert!(compared > 1, "{engine:?}: the demo has officials with a NIP in 16: {data}");
    }
}
