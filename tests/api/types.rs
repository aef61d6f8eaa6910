//! Types a generated client can rely on: netra's `Date` and `DateTime`
//! scalars (names, descriptions, `@specifiedBy`, one output precision,
//! strict input), and relations the data model always fills, which are
//! non-null in the schema and resolve for every caller who sees the parent.

use chrono::{TimeZone, Utc};
use netra::entity::case;
use netra::policy::SchemaView;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{json, Value};

use crate::helpers::{error_code, Engine, TestApp};

const RFC3339: &str = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6";

#[tokio::test]
async fn the_date_scalars_have_netras_names_descriptions_and_specified_by_urls() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let query = r#"{
        date: __type(name: "Date") { kind description specifiedByURL }
        dateTime: __type(name: "DateTime") { kind description specifiedByURL }
        naive: __type(name: "NaiveDate") { name }
    }"#;
    let data = app.data_as(Some("BAWASLU-16.73"), query, json!({})).await;
    assert_eq!(data["naive"], Value::Null, "NaiveDate is gone");
    for (name, form) in [("date", "YYYY-MM-DD"), ("dateTime", "2024-11-27T08:15:00.000Z")] {
        let t = &data[name];
        assert_eq!(t["kind"], "SCALAR", "{name}");
        assert_eq!(t["specifiedByURL"], RFC3339, "{name}");
        let description = t["description"].as_str().unwrap();
        assert!(description.contains(form), "{name}: {description}");
        assert!(!description.contains("Implement"), "{name} still has the library's description");
    }
    let sdl = include_str!("../../schema.graphql");
    for name in ["Date", "DateTime"] {
        assert!(sdl.contains(&format!("scalar {name} @specifiedBy(url: \"{RFC3339}\")")), "schema.graphql: {name}");
    }
    assert!(!sdl.contains("NaiveDate"), "schema.graphql still names NaiveDate");
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` and nothing else.
fn is_fixed_precision(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && text.ends_with('Z')
        && b[19] == b'.'
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
        && b[20..23].iter().all(u8::is_ascii_digit)
}

#[tokio::test]
async fn date_times_are_answered_in_utc_with_milliseconds_whatever_their_stored_precision() {
    for app in TestApp::demo_on_each_engine().await {
        let row = case::Entity::find().one(&app.db).await.unwrap().expect("the demo has cases");
        let number = row.number.clone();
        let mut active = row.into_active_model();
        // Nanoseconds (PostgreSQL keeps microseconds of them) and whole seconds.
        active.created_at =
            Set(Utc.with_ymd_and_hms(2024, 11, 27, 8, 15, 0).unwrap() + chrono::Duration::nanoseconds(123_456_789));
        active.updated_at = Set(Utc.with_ymd_and_hms(2024, 11, 27, 8, 15, 0).unwrap());
        active.update(&app.db).await.unwrap();
        let query = "query($n: String!) { case(number: $n) { createdAt updatedAt timeline { occurredAt } } }";
        let data = app.data_as(Some("BAWASLU"), query, json!({ "n": number })).await;
        assert_eq!(data["case"]["createdAt"], "2024-11-27T08:15:00.123Z", "{:?}", app.engine);
        assert_eq!(data["case"]["updatedAt"], "2024-11-27T08:15:00.000Z", "{:?}", app.engine);
        // Every instant of every case the demo recorded has the same shape.
        let all = "{ cases(first: 100) { edges { node { createdAt updatedAt timeline { occurredAt }
            allegations { forwardings { id } } evidence { capturedAt } } } } }";
        let data = app.data_as(Some("BAWASLU"), all, json!({})).await;
        let mut seen = 0;
        for edge in data["cases"]["edges"].as_array().unwrap() {
            let node = &edge["node"];
            let mut instants = vec![&node["createdAt"], &node["updatedAt"]];
            instants.extend(node["timeline"].as_array().unwrap().iter().map(|e| &e["occurredAt"]));
            instants.extend(node["evidence"].as_array().unwrap().iter().map(|e| &e["capturedAt"]));
            for at in instants {
                let text = at.as_str().unwrap();
                assert!(is_fixed_precision(text), "{text} on {:?}", app.engine);
                seen += 1;
            }
        }
        assert!(seen > 100, "only {seen} instants checked");
    }
}

#[tokio::test]
async fn malformed_dates_and_date_times_are_bad_user_input() {
    let app = TestApp::with_demo(Engine::Sqlite).await;
    let token = app.token("BAWASLU");
    let by_date = "query($d: Date) { cases(filter: { receivedFrom: $d }) { edges { node { number } } } }";
    for bad in ["2024-1-5", "2024-02-30", "2024-11-27T00:00:00Z", "27-11-2024", ""] {
        let (status, body) = app.gql(Some(&token), by_date, json!({ "d": bad })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{bad}: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("Date"), "{bad}: {body}");
        assert!(body["data"].is_null() || body["data"]["cases"].is_null(), "{bad}: {body}");
    }
    // A literal in the document is refused the same way.
    let (_, body) =
        app.gql(Some(&token), r#"{ cases(filter: { receivedTo: "2024/11/27" }) { totalCount } }"#, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("YYYY-MM-DD"), "{body}");
    // A well-formed date is accepted and filters.
    let (_, body) = app.gql(Some(&token), by_date, json!({ "d": "2099-01-01" })).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["cases"]["edges"], json!([]));

    let auditor = app.token_with("BAWASLU", &["read", "audit"]);
    let by_instant = "query($t: DateTime) { auditEvents(filter: { from: $t }) { edges { node { occurredAt } } } }";
    for bad in ["2024-11-27T08:15:00", "2024-11-27", "2024-11-27 08:15", "yesterday"] {
        let (_, body) = app.gql(Some(&auditor), by_instant, json!({ "t": bad })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{bad}: {body}");
    }
    // Any offset is accepted: the same instant in WIB and in UTC.
    let future = "query($t: DateTime) { auditEvents(filter: { from: $t }) { edges { node { id } } } }";
    for good in ["2099-01-01T07:00:00+07:00", "2099-01-01T00:00:00.000000001Z"] {
        let (_, body) = app.gql(Some(&auditor), future, json!({ "t": good })).await;
        assert!(body.get("errors").is_none(), "{good}: {body}");
        assert_eq!(body["data"]["auditEvents"]["edges"], json!([]), "{good}");
    }
}

/// The relations the data model always fills, as `Type.field: Type!`.
const NON_NULL: [(&str, &str, &str); 19] = [
    ("Case", "region", "Region!"),
    ("Case", "election", "Election!"),
    ("Case", "handlingAgency", "Agency!"),
    ("Allegation", "official", "Official!"),
    ("Allegation", "place", "Region!"),
    ("Allegation", "case", "Case!"),
    ("Evidence", "submittedBy", "Agency!"),
    ("CaseEvent", "actorAgency", "Agency!"),
    ("Forwarding", "from", "Agency!"),
    ("Forwarding", "to", "Agency!"),
    ("Forwarding", "caseNumber", "String!"),
    ("AgencyDecision", "agency", "Agency!"),
    ("ExecutionCheck", "agency", "Agency!"),
    ("Escalation", "agency", "Agency!"),
    ("Official", "employer", "Agency!"),
    ("Official", "workRegion", "Region!"),
    ("Election", "region", "Region!"),
    ("Publication", "publisher", "Agency!"),
    // Relations that may be absent stay nullable.
    ("Forwarding", "copyTo", "Agency"),
];

/// The trimmed field lines of `type ty` in `sdl`, if the type is there.
fn fields_of(sdl: &str, ty: &str) -> Option<Vec<String>> {
    let start = sdl.find(&format!("\ntype {ty} "))?;
    let body = &sdl[start..];
    let end = body.find("\n}")?;
    Some(body[..end].lines().map(|l| l.trim().to_owned()).collect())
}

#[tokio::test]
async fn always_filled_relations_are_non_null_in_the_full_and_every_role_schema() {
    let full = include_str!("../../schema.graphql").replace("\r\n", "\n");
    let mut schemas = vec![("schema.graphql".to_owned(), full)];
    for view in SchemaView::ALL {
        schemas.push((view.name().to_owned(), netra::app::sdl::sdl_for_view(view).await.unwrap()));
    }
    for (name, sdl) in &schemas {
        // The full schema and Bawaslu's have every type; another role's
        // schema lacks the types it never reaches (evidence for ministries).
        let complete = name == "schema.graphql" || name == "bawaslu-ri-audit" || name == "bawaslu";
        let mut checked = 0;
        for (ty, field, expected) in NON_NULL {
            let Some(lines) = fields_of(sdl, ty) else {
                assert!(!complete, "{name} has no type {ty}");
                continue;
            };
            let line = format!("{field}: {expected}");
            assert!(lines.contains(&line), "{name}: {ty}.{field} is not `{expected}`");
            checked += 1;
        }
        assert!(checked >= 3, "{name}: only {checked} relations found");
    }
}

/// Every relation of [`NON_NULL`] under a page of cases.
const CASES: &str = "{ cases(first: 100) { edges { node {
    number region { code } election { name region { code } } handlingAgency { code }
    allegations { official { id employer { code } workRegion { code } } place { code } case { number }
      forwardings { from { code } to { code } caseNumber decisions { agency { code } checks: executionChecks { agency { code } } }
        escalations { agency { code } } } }
    timeline { actorAgency { code } }
} } } }";

/// The same with evidence, for the roles whose schema has it.
const EVIDENCE: &str = "{ cases(first: 100) { edges { node { evidence { submittedBy { code } } } } } }";

/// Every JSON null in `v`, by path.
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_owned()),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, x)| nulls(x, &format!("{path}[{i}]"), out)),
        Value::Object(map) => map.iter().for_each(|(k, x)| nulls(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

#[tokio::test]
async fn always_filled_relations_resolve_for_every_role_that_sees_the_parent() {
    for app in TestApp::demo_on_each_engine().await {
        // One agency of each role that sees cases, and how many it must see at least.
        for agency in ["BAWASLU", "BAWASLU-16.73", "INSPEKTORAT-16.73", "PEMDA-16.73", "BKN", "POLRI"] {
            let data = app.data_as(Some(agency), CASES, json!({})).await;
            let edges = data["cases"]["edges"].as_array().unwrap();
            assert!(!edges.is_empty(), "{agency} sees no case on {:?}", app.engine);
            let allegations: usize = edges.iter().map(|e| e["node"]["allegations"].as_array().unwrap().len()).sum();
            assert!(allegations > 0, "{agency} sees no allegation");
            let mut found = Vec::new();
            nulls(&data, "data", &mut found);
            assert!(found.is_empty(), "{agency} on {:?} got nulls at {found:?}", app.engine);
            let data = app.data_as(Some(agency), EVIDENCE, json!({})).await;
            let mut found = Vec::new();
            nulls(&data, "data", &mut found);
            assert!(found.is_empty(), "{agency} evidence on {:?}: {found:?}", app.engine);
        }
        // Ministries reach forwardings only through the follow-up list.
        let follow_up = "{ overdueForwardings(first: 100) { edges { node { from { code } to { code } caseNumber
            decisions { agency { code } } escalations { agency { code } } } } } }";
        for agency in ["KEMENPANRB", "BKN", "BAWASLU"] {
            let data = app.data_as(Some(agency), follow_up, json!({})).await;
            let mut found = Vec::new();
            nulls(&data, "data", &mut found);
            assert!(found.is_empty(), "{agency} overdue forwardings on {:?}: {found:?}", app.engine);
        }
        // The public reference data and publications.
        let public =
            "{ elections { region { code } } publications(first: 100) { edges { node { publisher { code } } } } }";
        let data = app.data_as(None, public, json!({})).await;
        assert!(!data["elections"].as_array().unwrap().is_empty());
        let mut found = Vec::new();
        nulls(&data, "data", &mut found);
        assert!(found.is_empty(), "anonymous on {:?}: {found:?}", app.engine);
        // The officials list reaches employer and work region directly.
        let officials = "{ officials(first: 100) { edges { node { employer { code } workRegion { code } } } } }";
        let data = app.data_as(Some("PEMDA-16.73"), officials, json!({})).await;
        assert!(!data["officials"]["edges"].as_array().unwrap().is_empty());
        let mut found = Vec::new();
        nulls(&data, "data", &mut found);
        assert!(found.is_empty(), "officials on {:?}: {found:?}", app.engine);
    }
}

#[test]
fn a_missing_required_row_is_an_internal_error_naming_the_relation() {
    let err = netra::graphql::batch::required(None::<()>, "Case.region").unwrap_err();
    assert!(matches!(err, netra::error::AppError::Internal(_)), "{err:?}");
    assert!(format!("{err:?}").contains("Case.region"), "{err:?}");
    assert_eq!(netra::graphql::batch::required(Some(7), "Case.region").unwrap(), 7);
}
