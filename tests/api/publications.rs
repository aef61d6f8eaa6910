//! Publication of statistics: who may publish what, versioning and
//! immutability, disclosure control on real tables, public reading through
//! GraphQL and as open data, and the demo's two tables.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use netra::statistics::disclosure::{audit, is_small, Grid};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::disclosure::recoverable;
use crate::helpers::{error_code, TestApp};

const PUBLISH: &str = "mutation($input: PublishStatisticsInput!) { publishStatistics(input: $input) { publication {
  id version series title measure groupBy asOf threshold total suppressedCells contentSha256 csvUrl jsonUrl
  scope { code } publisher { code }
  rows { key label total } columns { key label total } cells { row column value suppressed } } } }";

const READ: &str = "query($id: ID!) { publication(id: $id) { id version title total suppressedCells contentSha256
  rows { key label total } columns { key label total } cells { row column value suppressed } } }";

async fn publish(app: &TestApp, agency: &str, input: Value) -> Value {
    let token = app.token_with(agency, &["read", "publish"]);
    let (_, body) = app.gql(Some(&token), PUBLISH, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{:?} {agency}: {body}", app.engine);
    body["data"]["publishStatistics"]["publication"].clone()
}

/// A raw GET: status, headers, body text.
async fn get(app: &TestApp, path: &str, if_none_match: Option<&str>) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::get(path);
    if let Some(tag) = if_none_match {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    let resp = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

fn keys(list: &Value) -> Vec<Value> {
    list.as_array().unwrap().iter().map(|h| h["key"].clone()).collect()
}

#[tokio::test]
async fn a_provincial_office_publishes_a_protected_table_of_what_it_sees_today() {
    for app in TestApp::demo_on_each_engine().await {
        let input = json!({ "regionCode": "16", "measure": "CASES", "groupBy": ["REGENCY", "STAGE"] });
        let p = publish(&app, "BAWASLU-16", input).await;
        assert_eq!(p["version"], 1);
        assert_eq!(p["scope"]["code"], "16");
        assert_eq!(p["publisher"]["code"], "BAWASLU-16");
        assert_eq!(p["threshold"], 3);
        assert_eq!(p["series"], "16|CASES|REGENCY,STAGE");

        // The same table, live and unsuppressed, as the publisher sees it today.
        let live = app
            .data_as(
                Some("BAWASLU-16"),
                "{ statistics(filter: { regionCode: \"16\" }, groupBy: [REGENCY, STAGE]) {
                   rows { key counts { cases } } columns { key counts { cases } } cells { row column counts { cases } } total { cases } } }",
                json!({}),
            )
            .await["statistics"]
            .clone();
        assert_eq!(p["total"], live["total"]["cases"]);
        assert_eq!(keys(&p["rows"]), keys(&live["rows"]));
        assert_eq!(keys(&p["columns"]), keys(&live["columns"]));
        for (published, counted) in [(&p["rows"], &live["rows"]), (&p["columns"], &live["columns"])] {
            for (a, b) in published.as_array().unwrap().iter().zip(counted.as_array().unwrap()) {
                assert_eq!(a["total"], b["counts"]["cases"], "totals stay exact");
            }
        }
        let (rows, cols) = (p["rows"].as_array().unwrap().len(), p["columns"].as_array().unwrap().len());
        let cells = p["cells"].as_array().unwrap();
        assert_eq!(cells.len(), rows * cols, "dense, row by row");
        let truth: Vec<u64> = cells
            .iter()
            .map(|c| {
                live["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["row"] == c["row"] && l["column"] == c["column"])
                    .map_or(0, |l| l["counts"]["cases"].as_u64().unwrap())
            })
            .collect();
        let suppressed: Vec<bool> = cells.iter().map(|c| c["suppressed"].as_bool().unwrap()).collect();
        for ((c, &v), &s) in cells.iter().zip(&truth).zip(&suppressed) {
            if s {
                assert!(c["value"].is_null(), "a withheld value is null");
            } else {
                assert_eq!(c["value"].as_u64(), Some(v), "published values are exact");
            }
            assert!(!is_small(v, 3) || s, "every small count is withheld: {c}");
        }
        assert!(suppressed.iter().any(|s| *s), "the demo has small counts");
        assert_eq!(p["suppressedCells"].as_u64().unwrap() as usize, suppressed.iter().filter(|s| **s).count());
        let grid = Grid::two_way(rows, cols, truth).unwrap();
        assert_eq!(audit(&grid, &suppressed), Vec::<usize>::new());
        assert_eq!(recoverable(&grid, &suppressed), Vec::<usize>::new(), "no withheld count follows from the totals");
    }
}

#[tokio::test]
async fn publishing_again_adds_the_next_version_and_never_changes_the_first() {
    for app in TestApp::demo_on_each_engine().await {
        let input = json!({ "measure": "SANCTIONS", "groupBy": ["SANCTION_SEVERITY"], "asOf": "2025-06-30" });
        let first = publish(&app, "BAWASLU", input.clone()).await;
        let second = publish(&app, "BAWASLU", input).await;
        assert_eq!((first["version"].as_i64(), second["version"].as_i64()), (Some(1), Some(2)));
        assert_eq!(first["series"], second["series"]);
        assert_ne!(first["id"], second["id"]);
        assert!(first["columns"].as_array().unwrap().is_empty(), "one dimension");
        assert!(
            first["rows"].as_array().unwrap().iter().all(|r| r["total"].is_null()),
            "rows of a one-way table are its cells"
        );

        let id: i64 = first["id"].as_str().unwrap().parse().unwrap();
        let again = app.data_as(None, READ, json!({ "id": first["id"] })).await;
        assert_eq!(again["publication"]["contentSha256"], first["contentSha256"]);

        // Nothing in netra can update or delete a publication.
        use netra::entity::publication;
        use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, ModelTrait, Set};
        let row = publication::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        let mut edit = row.clone().into_active_model();
        edit.title = Set("changed".into());
        assert!(edit.update(&app.db).await.is_err(), "update refused");
        assert!(row.delete(&app.db).await.is_err(), "delete refused");
        let still = publication::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(still.title, first["title"].as_str().unwrap());
    }
}

#[tokio::test]
async fn refused_publications_write_nothing() {
    for app in TestApp::demo_on_each_engine().await {
        let before = app.count("SELECT COUNT(*) FROM publication").await;
        let ok = json!({ "measure": "ALLEGATIONS", "groupBy": ["REGENCY"] });
        let with = |patch: Value| {
            let mut v = ok.clone();
            for (k, x) in patch.as_object().unwrap() {
                v[k] = x.clone();
            }
            v
        };
        type Attempt<'a> = (Option<&'a str>, &'a [&'a str], Value, &'a str);
        let attempts: Vec<Attempt<'_>> = vec![
            (None, &[], ok.clone(), "UNAUTHENTICATED"),
            (Some("BAWASLU-16"), &["read"], ok.clone(), "FORBIDDEN"),
            (Some("BAWASLU-16"), &["publish"], ok.clone(), "FORBIDDEN"),
            (Some("BAWASLU-16"), &["read", "publish"], with(json!({ "regionCode": "18" })), "FORBIDDEN"),
            (Some("BAWASLU-16.73"), &["read", "publish"], with(json!({ "regionCode": "16" })), "FORBIDDEN"),
            (Some("PANWASCAM-16.73.01"), &["read", "publish"], ok.clone(), "FORBIDDEN"),
            (Some("INSPEKTORAT-16.73"), &["read", "publish"], ok.clone(), "FORBIDDEN"),
            (Some("BKN"), &["read", "publish"], ok.clone(), "FORBIDDEN"),
            (Some("KEMENDAGRI"), &["read", "publish"], ok.clone(), "FORBIDDEN"),
            (Some("BAWASLU-16"), &["read", "publish"], with(json!({ "groupBy": ["DISTRICT"] })), "BAD_USER_INPUT"),
            (Some("BAWASLU-16"), &["read", "publish"], with(json!({ "regionCode": "16.73.01" })), "BAD_USER_INPUT"),
            (
                Some("BAWASLU-16"),
                &["read", "publish"],
                with(json!({ "measure": "CASES", "groupBy": ["VIOLATION_CODE"] })),
                "BAD_USER_INPUT",
            ),
            (
                Some("BAWASLU-16"),
                &["read", "publish"],
                with(json!({ "measure": "OFFICIALS", "groupBy": ["MONTH"] })),
                "BAD_USER_INPUT",
            ),
            (Some("BAWASLU-16"), &["read", "publish"], with(json!({ "asOf": "2999-01-01" })), "BAD_USER_INPUT"),
            (Some("BAWASLU-16"), &["read", "publish"], with(json!({ "groupBy": [] })), "BAD_USER_INPUT"),
            (Some("BAWASLU-16"), &["read", "publish"], with(json!({ "regionCode": "1x" })), "BAD_USER_INPUT"),
        ];
        for (agency, perms, input, code) in attempts {
            let token = agency.map(|a| app.token_with(a, perms));
            let (_, body) = app.gql(token.as_deref(), PUBLISH, json!({ "input": input })).await;
            assert_eq!(error_code(&body), code, "{agency:?} {perms:?} {input}: {body}");
            assert!(body["data"].is_null(), "{body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM publication").await, before, "nothing written");
    }
}

#[tokio::test]
async fn anonymous_callers_can_list_and_read_publications_and_nothing_else() {
    for app in TestApp::demo_on_each_engine().await {
        let data = app
            .data_as(
                None,
                "{ me { subject } cases { totalCount } officials { totalCount }
                   publications(first: 10) { totalCount edges { node { id title csvUrl jsonUrl } } }
                   latest: publications(filter: { latestOnly: true, regionCode: \"16\" }) { totalCount } }",
                json!({}),
            )
            .await;
        assert!(data["me"].is_null());
        assert_eq!(data["cases"]["totalCount"], 0);
        assert_eq!(data["officials"]["totalCount"], 0);
        assert_eq!(data["publications"]["totalCount"], 2);
        assert_eq!(data["latest"]["totalCount"], 1, "only Sumatera Selatan's table lies in 16");
        let id = data["publications"]["edges"][0]["node"]["id"].clone();
        let one = app.data_as(None, READ, json!({ "id": id })).await;
        assert_eq!(one["publication"]["id"], id);
        assert!(app.data_as(None, READ, json!({ "id": "999" })).await["publication"].is_null());
        assert!(app.data_as(None, READ, json!({ "id": "x" })).await["publication"].is_null());
        let (_, body) = app.gql(None, "{ statistics(groupBy: [STATE]) { total { cases } } }", json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        // A token changes nothing about publications: everyone reads the same.
        let as_bkn = app.data_as(Some("BKN"), READ, json!({ "id": id })).await;
        assert_eq!(as_bkn, one);
    }
}

#[tokio::test]
async fn the_open_data_files_are_immutable_utf8_with_a_fixed_header() {
    for app in TestApp::demo_on_each_engine().await {
        let p = app.data_as(None, "{ publications(first: 1) { edges { node { id version csvUrl jsonUrl contentSha256 rows { key } columns { key } cells { value } } } } }", json!({})).await
            ["publications"]["edges"][0]["node"]
            .clone();
        let id = p["id"].as_str().unwrap();

        let (status, headers, csv) = get(&app, p["csvUrl"].as_str().unwrap(), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8; header=present");
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
            format!("attachment; filename=\"netra-publication-{id}-v{}.csv\"", p["version"])
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "kind,row_dimension,row_key,row_label,column_dimension,column_key,column_label,value,suppressed"
        );
        let (rows, cols, cells) = (
            p["rows"].as_array().unwrap().len(),
            p["columns"].as_array().unwrap().len(),
            p["cells"].as_array().unwrap().len(),
        );
        assert_eq!(lines.len(), 1 + cells + rows + cols + 1);
        assert!(lines.last().unwrap().starts_with("total,"));
        let etag = headers[header::ETAG].to_str().unwrap().to_owned();
        assert_eq!(etag, format!("\"{}\"", netra::publication::document::sha256_hex(csv.as_bytes())));

        let (status, headers, body) = get(&app, p["csvUrl"].as_str().unwrap(), Some(&etag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert_eq!(headers[header::ETAG].to_str().unwrap(), etag);
        let (status, _, _) = get(&app, p["csvUrl"].as_str().unwrap(), Some("\"other\"")).await;
        assert_eq!(status, StatusCode::OK, "another tag gets the file");

        let (status, headers, json_text) = get(&app, p["jsonUrl"].as_str().unwrap(), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json; charset=utf-8");
        assert_eq!(headers[header::ETAG].to_str().unwrap(), format!("\"{}\"", p["contentSha256"].as_str().unwrap()));
        let doc: Value = serde_json::from_str(&json_text).unwrap();
        let values: Vec<Value> =
            doc["cells"].as_array().unwrap().iter().map(|c| json!({ "value": c["value"] })).collect();
        assert_eq!(Value::from(values), p["cells"], "the file holds the table GraphQL shows");
        assert!(json_text.starts_with("{\n  \"title\": "), "fields keep their published order");

        for path in ["/public/publications/999.csv", "/public/publications/1.xml", "/public/publications/abc.json"] {
            assert_eq!(get(&app, path, None).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }
}

#[tokio::test]
async fn a_publication_as_of_an_earlier_day_counts_what_was_recorded_by_then() {
    for app in TestApp::demo_on_each_engine().await {
        let p =
            publish(&app, "BAWASLU", json!({ "measure": "CASES", "groupBy": ["STATE"], "asOf": "2024-10-31" })).await;
        let received = app.count("SELECT COUNT(*) FROM \"case\" WHERE received_on <= '2024-10-31'").await as u64;
        assert_eq!(p["total"].as_u64().unwrap(), received);
        assert!(received < app.count("SELECT COUNT(*) FROM \"case\"").await as u64, "later cases are left out");
        for c in p["cells"].as_array().unwrap() {
            let state = c["row"].as_str().unwrap();
            let then = app
                .count(&format!(
                    "SELECT COUNT(*) FROM \"case\" c WHERE c.received_on <= '2024-10-31' AND COALESCE((SELECT e.to_state \
                     FROM case_event e WHERE e.case_id = c.id AND e.occurred_at < '2024-11-01T00:00:00+00:00' \
                     ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1), c.state) = '{state}'"
                ))
                .await as u64;
            match c["value"].as_u64() {
                Some(v) => assert_eq!(v, then, "{state}"),
                None => assert!(c["suppressed"].as_bool().unwrap()),
            }
        }
        let moved_on = app
            .count(
                "SELECT COUNT(*) FROM \"case\" c WHERE c.received_on <= '2024-10-31' AND c.state <> (SELECT e.to_state \
                 FROM case_event e WHERE e.case_id = c.id AND e.occurred_at < '2024-11-01T00:00:00+00:00' \
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)",
            )
            .await;
        assert!(moved_on > 0, "some cases changed state since: the table shows the state of the day");
    }
}

#[tokio::test]
async fn the_demo_publishes_the_two_tables_the_statistics_manual_shows() {
    for app in TestApp::demo_on_each_engine().await {
        netra::seed::load_demo(&app.db).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM publication").await, 2, "seeding again adds none");
        let series = app.strings("SELECT series FROM publication ORDER BY id").await;
        assert_eq!(series, ["16|ALLEGATIONS|REGENCY,VIOLATION_CATEGORY", "ID|ALLEGATIONS|SUBJECT_KIND,MONTH"]);
        let publishers = app
            .strings("SELECT a.code FROM publication p JOIN agency a ON a.id = p.publisher_agency_id ORDER BY p.id")
            .await;
        assert_eq!(publishers, ["BAWASLU-16", "BAWASLU"]);
        let manual = include_str!("../../docs/statistics.md");
        for id in [1, 2] {
            let (status, _, csv) = get(&app, &format!("/public/publications/{id}.csv"), None).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                manual.contains(&format!("```csv\n{csv}```")),
                "docs/statistics.md shows publication {id} as served; paste the output of \
                 `curl -s http://127.0.0.1:8080/public/publications/{id}.csv`:\n{csv}"
            );
        }
    }
}

/// The fields of one CSV line (the demo's fields hold no quotes or commas
/// except in labels, which this splits correctly when they are quoted).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

#[tokio::test]
async fn open_data_csv_keys_never_read_as_numbers_and_the_json_keeps_plain_codes() {
    for app in TestApp::demo_on_each_engine().await {
        // A regency (16.10, which a float reader shortens to 16.1) and provinces (16, an integer).
        let by_regency =
            publish(&app, "BAWASLU", json!({ "regionCode": "16", "measure": "CASES", "groupBy": ["REGENCY"] })).await;
        let by_province =
            publish(&app, "BAWASLU", json!({ "measure": "CASES", "groupBy": ["PROVINCE", "MONTH"] })).await;
        for p in [&by_regency, &by_province] {
            let (_, _, csv) = get(&app, p["csvUrl"].as_str().unwrap(), None).await;
            let mut region_keys = 0;
            for line in csv.lines().skip(1) {
                let f = csv_fields(line);
                assert_eq!(f.len(), 9, "{line}");
                for (dimension, key) in [(&f[1], &f[2]), (&f[4], &f[5])] {
                    assert!(key.parse::<f64>().is_err(), "`{key}` ({dimension}) reads as a number: {line}");
                    if ["PROVINCE", "REGENCY"].contains(&dimension.as_str()) && !key.is_empty() {
                        assert!(key.starts_with("region:"), "{line}");
                        region_keys += 1;
                    }
                }
            }
            assert!(region_keys > 0, "{csv}");
            let (_, _, json_text) = get(&app, p["jsonUrl"].as_str().unwrap(), None).await;
            assert!(!json_text.contains("region:"), "the JSON keeps the plain codes");
        }
        let rows = keys(&by_regency["rows"]);
        assert!(rows.iter().all(|k| k.as_str().is_some_and(|k| k.starts_with("16."))), "{rows:?}");
    }
}
