//! Every id described as a global id resolves through `node(id:)` with the
//! policy applied: an allegation, a forwarding and an agency decision come
//! back for a caller who sees their case, and null for one who does not,
//! exactly as for a case.

use serde_json::{json, Value};

use crate::helpers::TestApp;

const FORWARDED: &str =
    "{ cases(first: 100) { edges { node { number allegations { id forwardings { id decisions { id } } } } } } }";

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

/// The first (allegation, forwarding, decision) ids visible to `agency`.
async fn ids(app: &TestApp, agency: &str) -> (String, String, String) {
    let data = app.data_as(Some(agency), FORWARDED, json!({})).await;
    for edge in data["cases"]["edges"].as_array().unwrap() {
        for a in edge["node"]["allegations"].as_array().unwrap() {
            for f in a["forwardings"].as_array().unwrap() {
                if let Some(d) = f["decisions"].as_array().unwrap().first() {
                    let s = |v: &Value| v.as_str().unwrap().to_owned();
                    return (s(&a["id"]), s(&f["id"]), s(&d["id"]));
                }
            }
        }
    }
    panic!("{agency} sees no forwarded case with a decision in the demo");
}

#[tokio::test]
async fn allegations_forwardings_and_decisions_resolve_through_node_within_scope_only() {
    for app in TestApp::demo_on_each_engine().await {
        let (allegation, forwarding, decision) = ids(&app, "BAWASLU-16.73").await;
        for (id, typename) in [(&allegation, "Allegation"), (&forwarding, "Forwarding"), (&decision, "AgencyDecision")]
        {
            let data = app.data_as(Some("BAWASLU-16.73"), NODE, json!({ "id": id })).await;
            assert_eq!(data["node"]["__typename"], typename, "{:?}", app.engine);
            assert_eq!(data["node"]["id"], id.as_str());
            // Bawaslu RI sees every case; Lampung's office and the public see none of these.
            let data = app.data_as(Some("BAWASLU"), NODE, json!({ "id": id })).await;
            assert_eq!(data["node"]["__typename"], typename);
            for outsider in [Some("BAWASLU-18"), Some("KEMENDAGRI"), None] {
                let data = app.data_as(outsider, NODE, json!({ "id": id })).await;
                assert_eq!(data["node"], Value::Null, "{outsider:?} {typename} on {:?}", app.engine);
            }
        }
        // An id of a kind that does not exist, or a number that does not, is null as well.
        for id in ["Forwarding:999999", "Nothing:1"] {
            let raw = base64_id(id);
            let data = app.data_as(Some("BAWASLU"), NODE, json!({ "id": raw })).await;
            assert_eq!(data["node"], Value::Null, "{id}");
        }
    }
}

fn base64_id(raw: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
