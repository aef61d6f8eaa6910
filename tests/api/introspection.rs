//! Standard introspection: the queries graphql-js 16 builds with
//! `getIntrospectionQuery()` (GraphiQL, graphql-codegen, graphql-inspector,
//! Python `gql` all send them) work for every caller allowed to introspect,
//! and each caller gets exactly its role's schema. The query texts in
//! `tests/fixtures/introspection/` are graphql@16.15.0's output (plain, and
//! with every option: descriptions, specifiedByUrl, directiveIsRepeatable,
//! schemaDescription, inputValueDeprecation, oneOf).

use netra::config::Introspection;
use netra::policy::SchemaView;
use serde_json::json;

use crate::helpers::{error_code, Engine, TestApp};

const STANDARD: &str = include_str!("../fixtures/introspection/graphql-js-16-standard.graphql");
const FULL: &str = include_str!("../fixtures/introspection/graphql-js-16-full.graphql");

/// The schema file a token of `agency` with `permissions` must get
/// (`docs/schema/README.md`), written out here rather than asked of the policy.
fn expected_view(agency: Option<&str>, permissions: &[&str]) -> SchemaView {
    let Some(agency) = agency else { return SchemaView::Anonymous };
    if agency == "BAWASLU" && permissions.contains(&"audit") {
        SchemaView::BawasluRiAudit
    } else if agency.starts_with("BAWASLU") || agency.starts_with("PANWASCAM") {
        SchemaView::Bawaslu
    } else if agency.starts_with("KEMEN") {
        SchemaView::Ministry
    } else {
        SchemaView::ReceivingAgency
    }
}

/// An agency of every kind and tier, as tokens name them.
const AGENCIES: [Option<&str>; 14] = [
    Some("BAWASLU"),
    Some("BAWASLU-16"),
    Some("BAWASLU-16.73"),
    Some("PANWASCAM-16.73.01"),
    Some("INSPEKTORAT-16.73"),
    Some("PEMDA-16.73"),
    Some("PEMDA-16"),
    Some("BKN"),
    Some("POLRI"),
    Some("TNI"),
    Some("GAKKUMDU-16.73"),
    Some("KEMENDAGRI"),
    Some("KEMENPANRB"),
    None,
];

/// The permission sets tried for each agency.
const PERMISSION_SETS: [&[&str]; 4] =
    [&["read"], &["read", "audit"], &["audit"], &["read", "write", "publish", "audit", "webhooks"]];

#[tokio::test]
async fn every_kind_tier_and_permission_set_introspects_exactly_the_schema_file_named_for_it() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    for agency in AGENCIES {
        for permissions in PERMISSION_SETS {
            let view = expected_view(agency, permissions);
            let path = format!("{}/docs/schema/{}.graphql", env!("CARGO_MANIFEST_DIR"), view.name());
            let file = std::fs::read_to_string(&path).unwrap().replace("\r\n", "\n");
            let token = agency.map(|a| app.token_with(a, permissions));
            let (status, body) = app.gql(token.as_deref(), STANDARD, json!({})).await;
            assert_eq!(status, 200, "{agency:?} {permissions:?}: {body}");
            assert!(body.get("errors").is_none(), "{agency:?} {permissions:?}: {body}");
            let got = netra::app::sdl::render(&body["data"], view);
            assert!(got == file, "{agency:?} {permissions:?}: introspection differs from {path}");
            if agency.is_none() {
                break;
            }
        }
    }
}

#[tokio::test]
async fn graphql_js_full_introspection_returns_each_views_schema() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    for (view, agency, permissions) in [
        (SchemaView::BawasluRiAudit, Some("BAWASLU"), &["read", "audit"][..]),
        (SchemaView::Bawaslu, Some("BAWASLU-16.73"), &["read"][..]),
        (SchemaView::ReceivingAgency, Some("BKN"), &["read"][..]),
        (SchemaView::Ministry, Some("KEMENDAGRI"), &["read"][..]),
        (SchemaView::Anonymous, None, &[][..]),
    ] {
        let expected = netra::app::sdl::sdl_for_view(view).await.unwrap();
        let token = agency.map(|a| app.token_with(a, permissions));
        let (status, body) = app.gql(token.as_deref(), FULL, json!({})).await;
        assert_eq!(status, 200, "{view:?}: {body}");
        assert!(body.get("errors").is_none(), "{view:?}: {body}");
        let got = netra::app::sdl::render(&body["data"], view);
        assert!(got == expected, "{view:?}: introspection differs from `netra schema --role {}`", view.name());
    }
    // The views differ where the policy says: only Bawaslu has the reporter.
    let bawaslu = netra::app::sdl::sdl_for_view(SchemaView::Bawaslu).await.unwrap();
    let agency = netra::app::sdl::sdl_for_view(SchemaView::ReceivingAgency).await.unwrap();
    assert!(bawaslu.contains("  reporter: Reporter\n") && !agency.contains("  reporter: Reporter\n"));
}

#[tokio::test]
async fn the_full_variant_answers_the_newer_introspection_fields() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (_, body) = app.gql(Some(&app.token("BAWASLU-16.73")), FULL, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    let scalar = types.iter().find(|t| t["name"] == "DateTime").unwrap();
    assert!(scalar.as_object().unwrap().contains_key("specifiedByURL"), "{scalar}");
    assert!(types.iter().all(|t| t.as_object().unwrap().contains_key("isOneOf")));
    let input = types.iter().find(|t| t["kind"] == "INPUT_OBJECT").unwrap();
    assert!(input["inputFields"][0].as_object().unwrap().contains_key("isDeprecated"), "{input}");
}

#[tokio::test]
async fn introspection_has_its_own_bound_and_data_queries_keep_the_depth_limit() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.max_depth = 5).await;
    // Standard introspection (depth 15) passes although NETRA_MAX_DEPTH is 5.
    let (_, body) = app.gql(None, STANDARD, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    // A data query past the depth limit is still refused.
    let deep = "{ regions { children { children { children { children { children { code } } } } } } }";
    let (_, body) = app.gql(None, deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // Lists inside lists multiply the answer: four nested are refused, three pass.
    let four = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let (_, body) = app.gql(None, four, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("lists"), "{body}");
    let three = "{ __schema { types { fields { type { fields { name } } } } } }";
    let (_, body) = app.gql(None, three, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    // A chain of ofType past the introspection depth is refused.
    let mut chain = String::from("name");
    for _ in 0..25 {
        chain = format!("ofType {{ {chain} }}");
    }
    let (_, body) = app.gql(None, &format!("{{ __type(name: \"Case\") {{ {chain} }} }}"), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn fragments_cannot_hide_depth_or_blow_up_the_check() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.max_depth = 5).await;
    let deep = "{ regions { ...A } } fragment A on Region { children { ...B } } \
                fragment B on Region { children { children { children { children { code } } } } }";
    let (_, body) = app.gql(None, deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[test]
fn the_depth_check_walks_each_fragment_once_per_position() {
    // Thirty fragments each spreading the next twice: 2^30 paths if walked naively.
    let mut doc = String::from("{ regions { ...F0 } }");
    for i in 0..30 {
        doc.push_str(&format!(" fragment F{i} on Region {{ code ...F{n} ...F{n} }}", n = i + 1));
    }
    doc.push_str(" fragment F30 on Region { name }");
    let parsed = async_graphql::parser::parse_query(&doc).unwrap();
    let limits = netra::graphql::depth::DepthLimits { max_depth: 12, max_introspection_depth: 20 };
    let started = std::time::Instant::now();
    netra::graphql::depth::check(&parsed, limits).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let shallow = netra::graphql::depth::DepthLimits { max_depth: 1, max_introspection_depth: 20 };
    assert!(netra::graphql::depth::check(&parsed, shallow).is_err(), "regions → code is depth 2");
}

#[tokio::test]
async fn production_lets_only_authenticated_callers_introspect() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.introspection = Introspection::Authenticated).await;
    let (_, anonymous) = app.gql(None, STANDARD, json!({})).await;
    assert!(anonymous["data"]["__schema"].is_null(), "{anonymous}");
    let (_, bkn) = app.gql(Some(&app.token("BKN")), STANDARD, json!({})).await;
    assert!(bkn.get("errors").is_none(), "{bkn}");
    let expected = netra::app::sdl::sdl_for_view(SchemaView::ReceivingAgency).await.unwrap();
    assert!(netra::app::sdl::render(&bkn["data"], SchemaView::ReceivingAgency) == expected);
}
