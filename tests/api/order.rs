//! An answer's fields come in the order the query asked for them, at every
//! level, whichever slice resolves them and however long each one takes.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::helpers::TestApp;

/// The raw JSON text of the answer (key order intact).
async fn answer(app: &TestApp, agency: &str, query: &str) -> String {
    let body = json!({ "query": query }).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", app.token(agency)))
        .body(Body::from(body))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

/// Where each of `keys` first appears in `text`, as `"key":`.
fn positions(text: &str, keys: &[&str]) -> Vec<usize> {
    keys.iter().map(|k| text.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{k} in {text}"))).collect()
}

fn ascending(xs: &[usize]) -> bool {
    xs.windows(2).all(|w| w[0] < w[1])
}

#[tokio::test]
async fn fields_come_back_in_the_order_of_the_query_in_both_directions() {
    for app in TestApp::demo_on_each_engine().await {
        let forward = "{ me { agency { code kind } } cases(first: 2) { totalCount edges { node { number state } } } \
            publications { totalCount } }";
        let text = answer(&app, "BAWASLU-16.73", forward).await;
        assert!(!text.contains("\"errors\""), "{text}");
        assert!(
            ascending(&positions(
                &text,
                &["me", "code", "kind", "cases", "totalCount", "edges", "number", "state", "publications"]
            )),
            "{text}"
        );

        let backward = "{ publications { totalCount } cases(first: 2) { edges { node { state number } } totalCount } \
            me { agency { kind code } } }";
        let text = answer(&app, "BAWASLU-16.73", backward).await;
        assert!(ascending(&positions(&text, &["publications", "cases", "edges", "state", "number"])), "{text}");
        let (me, kind, code) =
            (text.find("\"me\":").unwrap(), text.find("\"kind\":").unwrap(), text.find("\"code\":").unwrap());
        assert!(me < kind && kind < code, "{text}");
        // Aliases and fragments keep their place too.
        let text = answer(
            &app,
            "BAWASLU-16.73",
            "{ b: me { ...A } a: __typename } fragment A on Me { permissions agency { code } }",
        )
        .await;
        assert!(ascending(&positions(&text, &["b", "permissions", "agency", "a"])), "{text}");
    }
}
