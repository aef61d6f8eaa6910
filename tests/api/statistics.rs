//! Live statistics agree with the lists, for every role of the policy
//! matrix: the expected table of each grouping is recomputed here from what
//! `cases` returns to that role (cases, allegations, officials, sanctions),
//! cell by cell and total by total, and single cells are checked against the
//! list's own filters. Anonymous callers have no `statistics` at all.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};
use crate::matrix::ROLES;

const LIST: &str = "{ cases(first: 100) { totalCount edges { node { number state source receivedOn region { code }
  allegations { id violationCode official { id subjectKind positionClass }
    forwardings { decisions { id kind sanctionCode severity } } }
  sanctions { id } } } }
  officials(first: 100) { totalCount } }";

const TABLE: &str = "groupBy rows { key label counts { cases allegations officials sanctions } }
  columns { key label counts { cases allegations officials sanctions } }
  cells { row column counts { cases allegations officials sanctions } }
  total { cases allegations officials sanctions }";

const GROUPINGS: &[&[&str]] = &[
    &["PROVINCE"],
    &["REGENCY"],
    &["DISTRICT"],
    &["VIOLATION_CODE"],
    &["VIOLATION_CATEGORY"],
    &["SUBJECT_KIND"],
    &["POSITION_CLASS"],
    &["SOURCE"],
    &["STATE"],
    &["STAGE"],
    &["SANCTION_SEVERITY"],
    &["MONTH"],
    &["STATE", "SOURCE"],
    &["REGENCY", "MONTH"],
    &["VIOLATION_CODE", "SUBJECT_KIND"],
    &["VIOLATION_CATEGORY", "SANCTION_SEVERITY"],
    &["DISTRICT", "POSITION_CLASS"],
    &["STAGE", "PROVINCE"],
];

type Key = Option<String>;
type Four = [u64; 4];

/// One counted unit as the SQL sees it: case × allegation × sanction.
struct Unit {
    ids: [Option<String>; 4],
    keys: BTreeMap<&'static str, Key>,
}

fn text(v: &Value) -> Key {
    v.as_str().map(str::to_owned)
}

fn prefix(code: &str, parts: usize) -> Key {
    let p: Vec<&str> = code.split('.').collect();
    (p.len() >= parts).then(|| p[..parts].join("."))
}

fn category(code: &str) -> &'static str {
    match code {
        "ETH_SOCMED_PRE" | "ETH_SOCMED_INTERACT" | "DIS_SOCMED_CAMPAIGN" | "DIS_SOCMED_INTERACT" => "SOCIAL_MEDIA",
        "ETH_PHOTO_SYMBOL" | "DIS_PHOTO_SYMBOL" => "PHOTO_SYMBOL",
        "ETH_DECLARATION_PRE"
        | "ETH_CAMPAIGN_INTRO"
        | "ETH_SPOUSE_CAMPAIGN"
        | "DIS_DECLARATION_ACTIVE"
        | "CAMPAIGN_JOIN"
        | "CAMPAIGN_ATTRIBUTES" => "CAMPAIGN_EVENT",
        "ETH_PROPS_PRE" | "DIS_PROPS" => "CAMPAIGN_PROPS",
        "DIS_PARTISAN_ACTIVITY" | "MOBILIZE_PNS" | "DIS_KTP_SUPPORT" | "CAMPAIGN_INVOLVEMENT" => "PARTISAN_ACTIVITY",
        "DIS_PARTY_APPROACH" | "DIS_PARTY_MEMBER" | "DIS_TEAM_PRE" | "DIS_TEAM_POST" => "PARTY_AND_TEAM",
        "DIS_FAVORING_DECISION" | "STATE_FACILITIES" | "PROGRAM_MISUSE" | "OFFICIAL_ROTATION" => "ABUSE_OF_OFFICE",
        _ => "OTHER",
    }
}

fn stage(state: &str) -> &'static str {
    match state {
        "RECEIVED" | "FORMAL_MATERIAL_CHECK" => "INTAKE",
        "NOT_REGISTERED" => "NOT_REGISTERED",
        "REGISTERED" | "CLARIFICATION_ASSESSMENT" => "ASSESSMENT",
        "DECIDED" => "DECIDED",
        "FORWARDED" | "AGENCY_VERIFYING" => "AT_AGENCY",
        "SANCTION_RECOMMENDED" | "PPK_EXAMINATION" | "OVERDUE_ESCALATED" => "AWAITING_PPK",
        "SANCTION_IMPOSED" | "ADMIN_APPEAL" | "EXECUTION_MONITORING" => "SANCTIONED",
        "CRIMINAL_PROCESS" => "CRIMINAL",
        _ => "CLOSED",
    }
}

/// The units of the cases a role listed, with every dimension's key.
fn units(list: &Value) -> Vec<Unit> {
    let mut out = Vec::new();
    for edge in list["cases"]["edges"].as_array().unwrap() {
        let c = &edge["node"];
        let place = c["region"]["code"].as_str().unwrap();
        let state = c["state"].as_str().unwrap();
        let mut case_keys = BTreeMap::new();
        case_keys.insert("PROVINCE", prefix(place, 1));
        case_keys.insert("REGENCY", prefix(place, 2));
        case_keys.insert("DISTRICT", prefix(place, 3));
        case_keys.insert("SOURCE", text(&c["source"]));
        case_keys.insert("STATE", Some(state.to_owned()));
        case_keys.insert("STAGE", Some(stage(state).to_owned()));
        case_keys.insert("MONTH", c["receivedOn"].as_str().map(|d| d[..7].to_owned()));
        let case_id = text(&c["number"]);
        let allegations = c["allegations"].as_array().unwrap();
        let mut sanctions_seen = 0;
        if allegations.is_empty() {
            let mut keys = case_keys.clone();
            for d in ["VIOLATION_CODE", "VIOLATION_CATEGORY", "SUBJECT_KIND", "POSITION_CLASS", "SANCTION_SEVERITY"] {
                keys.insert(d, None);
            }
            out.push(Unit { ids: [case_id.clone(), None, None, None], keys });
        }
        for a in allegations {
            let mut keys = case_keys.clone();
            let code = a["violationCode"].as_str().unwrap();
            keys.insert("VIOLATION_CODE", Some(code.to_owned()));
            keys.insert("VIOLATION_CATEGORY", Some(category(code).to_owned()));
            keys.insert("SUBJECT_KIND", text(&a["official"]["subjectKind"]));
            keys.insert("POSITION_CLASS", text(&a["official"]["positionClass"]));
            let ids = [case_id.clone(), text(&a["id"]), text(&a["official"]["id"]), None];
            let sanctions: Vec<&Value> = a["forwardings"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|f| f["decisions"].as_array().unwrap())
                .filter(|d| {
                    !d["sanctionCode"].is_null()
                        && !matches!(d["kind"].as_str(), Some("VERIFICATION" | "RECOMMENDATION"))
                })
                .collect();
            sanctions_seen += sanctions.len();
            if sanctions.is_empty() {
                let mut keys = keys.clone();
                keys.insert("SANCTION_SEVERITY", None);
                out.push(Unit { ids: ids.clone(), keys });
            }
            for s in sanctions {
                let mut keys = keys.clone();
                keys.insert("SANCTION_SEVERITY", Some(s["severity"].as_str().unwrap_or("UNGRADED").to_owned()));
                let [c, a, o, _] = ids.clone();
                out.push(Unit { ids: [c, a, o, text(&s["id"])], keys });
            }
        }
        assert_eq!(sanctions_seen, c["sanctions"].as_array().unwrap().len(), "the list's own sanctions");
    }
    out
}

/// Distinct counts of each id over `units`.
fn four(units: &[&Unit]) -> Four {
    let mut out = [0; 4];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = units.iter().filter_map(|u| u.ids[i].clone()).collect::<BTreeSet<_>>().len() as u64;
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
struct Table {
    rows: BTreeMap<Key, Four>,
    columns: BTreeMap<Key, Four>,
    cells: BTreeMap<(Key, Key), Four>,
    total: Four,
}

fn expected(units: &[Unit], dims: &[&str]) -> Table {
    let group = |f: &dyn Fn(&Unit) -> (Key, Key)| {
        let mut groups: BTreeMap<(Key, Key), Vec<&Unit>> = BTreeMap::new();
        for u in units {
            groups.entry(f(u)).or_default().push(u);
        }
        groups.into_iter().map(|(k, us)| (k, four(&us))).collect::<BTreeMap<_, _>>()
    };
    let key = |u: &Unit, i: usize| dims.get(i).and_then(|d| u.keys[d].clone());
    let rows = group(&|u| (key(u, 0), None)).into_iter().map(|((k, _), v)| (k, v)).collect();
    let columns = if dims.len() == 2 {
        group(&|u| (key(u, 1), None)).into_iter().map(|((k, _), v)| (k, v)).collect()
    } else {
        BTreeMap::new()
    };
    let cells = group(&|u| (key(u, 0), key(u, 1)));
    let all: Vec<&Unit> = units.iter().collect();
    Table { rows, columns, cells, total: four(&all) }
}

fn counts(v: &Value) -> Four {
    ["cases", "allegations", "officials", "sanctions"].map(|k| v[k].as_u64().unwrap())
}

fn actual(stats: &Value) -> Table {
    let margins = |list: &Value| -> BTreeMap<Key, Four> {
        list.as_array().unwrap().iter().map(|h| (text(&h["key"]), counts(&h["counts"]))).collect()
    };
    Table {
        rows: margins(&stats["rows"]),
        columns: margins(&stats["columns"]),
        cells: stats["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| ((text(&c["row"]), text(&c["column"])), counts(&c["counts"])))
            .collect(),
        total: counts(&stats["total"]),
    }
}

async fn ask(app: &TestApp, token: Option<&str>, query: &str) -> Value {
    let (_, body) = app.gql(token, query, json!({})).await;
    assert!(body.get("errors").is_none(), "{:?}: {query}: {body}", app.engine);
    body["data"].clone()
}

/// `cases(filter: …) { totalCount }` for many filters, in aliased batches.
async fn list_counts(app: &TestApp, token: &str, filters: &[String]) -> Vec<u64> {
    let mut out = Vec::new();
    for chunk in filters.chunks(20) {
        let parts: Vec<String> =
            chunk.iter().enumerate().map(|(i, f)| format!("c{i}: cases(filter: {f}) {{ totalCount }}")).collect();
        let data = ask(app, Some(token), &format!("{{ {} }}", parts.join(" "))).await;
        out.extend((0..chunk.len()).map(|i| data[format!("c{i}")]["totalCount"].as_u64().unwrap()));
    }
    out
}

fn last_day(month: &str) -> String {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    (next.unwrap() - chrono::Duration::days(1)).to_string()
}

#[tokio::test]
async fn statistics_agree_with_the_lists_for_every_role() {
    for app in TestApp::demo_on_each_engine().await {
        for (agency, _) in ROLES {
            let Some(agency) = agency else { continue };
            let token = app.token(agency);
            let label = format!("{:?} {agency}", app.engine);
            let list = ask(&app, Some(&token), LIST).await;
            let units = units(&list);

            let fields: Vec<String> = GROUPINGS
                .iter()
                .enumerate()
                .map(|(i, dims)| format!("s{i}: statistics(groupBy: [{}]) {{ {TABLE} }}", dims.join(", ")))
                .collect();
            let stats = ask(&app, Some(&token), &format!("{{ {} }}", fields.join(" "))).await;
            for (i, dims) in GROUPINGS.iter().enumerate() {
                let got = &stats[format!("s{i}")];
                assert_eq!(actual(got), expected(&units, dims), "{label}: statistics by {dims:?}");
            }
            let total = counts(&stats["s0"]["total"]);
            assert_eq!(total[0], list["cases"]["totalCount"].as_u64().unwrap(), "{label}: cases.totalCount");
            assert_eq!(total[2], list["officials"]["totalCount"].as_u64().unwrap(), "{label}: officials.totalCount");

            // Single cells against the list's own filters.
            let mut filters = Vec::new();
            let mut want = Vec::new();
            for c in stats["s12"]["cells"].as_array().unwrap() {
                filters.push(format!(
                    "{{ states: [{}], source: {} }}",
                    c["row"].as_str().unwrap(),
                    c["column"].as_str().unwrap()
                ));
                want.push(c["counts"]["cases"].as_u64().unwrap());
            }
            for c in stats["s13"]["cells"].as_array().unwrap() {
                let (Some(r), Some(m)) = (c["row"].as_str(), c["column"].as_str()) else { continue };
                filters.push(format!(
                    "{{ regionCode: \"{r}\", receivedFrom: \"{m}-01\", receivedTo: \"{}\" }}",
                    last_day(m)
                ));
                want.push(c["counts"]["cases"].as_u64().unwrap());
            }
            for c in stats["s14"]["cells"].as_array().unwrap() {
                let (Some(v), Some(k)) = (c["row"].as_str(), c["column"].as_str()) else { continue };
                filters.push(format!("{{ violationCodes: [{v}], subjectKinds: [{k}] }}"));
                want.push(c["counts"]["cases"].as_u64().unwrap());
            }
            assert_eq!(list_counts(&app, &token, &filters).await, want, "{label}: cells against filtered lists");
        }
    }
}

#[tokio::test]
async fn statistics_take_the_case_filter_of_the_list() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU");
        for filter in [
            "{ regionCode: \"16.73\" }",
            "{ states: [CLOSED, SANCTION_IMPOSED] }",
            "{ source: TEMUAN, receivedFrom: \"2024-10-01\" }",
            "{ subjectKinds: [PNS], violationCodes: [CAMPAIGN_JOIN, DIS_SOCMED_INTERACT] }",
        ] {
            let q = format!(
                "{{ cases(filter: {filter}) {{ totalCount }} statistics(filter: {filter}, groupBy: [REGENCY]) {{ total {{ cases }} rows {{ counts {{ cases }} }} }} }}"
            );
            let data = ask(&app, Some(&token), &q).await;
            let listed = data["cases"]["totalCount"].as_u64().unwrap();
            assert_eq!(data["statistics"]["total"]["cases"].as_u64().unwrap(), listed, "{filter}");
            let by_regency: u64 = data["statistics"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["counts"]["cases"].as_u64().unwrap())
                .sum();
            assert_eq!(by_regency, listed, "{filter}: a case has one kabupaten/kota");
            assert!(listed > 0, "{filter} selects something in the demo");
        }
    }
}

#[tokio::test]
async fn anonymous_callers_have_no_live_statistics() {
    for app in TestApp::demo_on_each_engine().await {
        let (_, body) = app.gql(None, "{ statistics(groupBy: [STATE]) { total { cases } } }", json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert!(body["data"].is_null());
        let data = ask(&app, None, "{ __schema { queryType { fields { name } } } }").await;
        let names: Vec<&str> = data["__schema"]["queryType"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"statistics") && names.contains(&"publications") && names.contains(&"publication"));
    }
}

#[tokio::test]
async fn a_token_without_read_gets_no_statistics() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token_with("BAWASLU-16", &["publish"]);
        let (_, body) = app.gql(Some(&token), "{ statistics(groupBy: [STATE]) { total { cases } } }", json!({})).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
}

#[tokio::test]
async fn a_breakdown_needs_one_or_two_distinct_dimensions() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU");
        for group_by in ["[]", "[STATE, STATE]", "[STATE, SOURCE, MONTH]"] {
            let q = format!("{{ statistics(groupBy: {group_by}) {{ total {{ cases }} }} }}");
            let (_, body) = app.gql(Some(&token), &q, json!({})).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{group_by}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "groupBy");
        }
        let (_, body) = app
            .gql(Some(&token), "{ statistics(filter: { receivedFrom: \"2024-12-01\", receivedTo: \"2024-01-01\" }, groupBy: [STATE]) { total { cases } } }", json!({}))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
}

#[tokio::test]
async fn statistics_label_regions_by_name_and_order_states_by_the_process() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU-16");
        let data = ask(
            &app,
            Some(&token),
            "{ a: statistics(groupBy: [REGENCY]) { rows { key label } } b: statistics(groupBy: [STATE]) { rows { key } } }",
        )
        .await;
        let rows = data["a"]["rows"].as_array().unwrap();
        assert!(rows.iter().any(|r| r["key"] == "16.73" && r["label"] == "Kota Lubuk Linggau"), "{rows:?}");
        let states: Vec<&str> =
            data["b"]["rows"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
        assert_eq!(states.first(), Some(&"RECEIVED"));
        assert_eq!(states.last(), Some(&"CLOSED"));
    }
}

#[tokio::test]
async fn one_request_cannot_ask_for_dozens_of_breakdowns() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU");
        let many = |n: usize| {
            let fields: Vec<String> =
                (0..n).map(|i| format!("s{i}: statistics(groupBy: [STATE]) {{ total {{ cases }} }}")).collect();
            format!("{{ {} }}", fields.join(" "))
        };
        let (_, body) = app.gql(Some(&token), &many(24), json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
        let (_, body) = app.gql(Some(&token), &many(25), json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "each breakdown weighs 200 of the 5,000: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("complex"), "{body}");
    }
}

#[tokio::test]
async fn publishing_writes_its_audit_event_in_its_transaction() {
    let app = crate::helpers::TestApp::with_demo(crate::helpers::Engine::Sqlite).await;
    let writes = "SELECT COUNT(*) FROM audit_event WHERE kind = 'WRITE'";
    let before = app.count(writes).await;
    let token = app.token_with("BAWASLU-16", &["read", "publish"]);
    let q = "mutation { publishStatistics(input: { regionCode: \"16\", measure: ALLEGATIONS, groupBy: [REGENCY, VIOLATION_CATEGORY], asOf: \"2024-12-31\", title: \"t\" }) { publication { id } } }";
    let (_, body) = app.gql(Some(&token), q, serde_json::json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(app.count(writes).await, before + 1);
    let reader = app.token("BAWASLU-16");
    let (_, refused) = app.gql(Some(&reader), q, serde_json::json!({})).await;
    assert!(refused.get("errors").is_some());
    assert_eq!(app.count(writes).await, before + 1, "a refused publication writes no event");
}
