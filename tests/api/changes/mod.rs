//! The change feed: entries written with each change, read through the
//! policy (`changes`), pushed over graphql-transport-ws (`subscription`),
//! and delivered to signed webhooks. Shared helpers drive a Lubuk Linggau
//! case through the workflow.

mod feed;
mod subscription;
mod webhooks;
pub(crate) mod ws;

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::TestApp;

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A date `offset` days from today in WIB.
pub fn day(offset: i64) -> String {
    ((Utc::now() + Duration::hours(7)).date_naive() + Duration::days(offset)).to_string()
}

/// Runs a step mutation as `agency` and returns the payload's case.
pub async fn step(app: &TestApp, agency: &str, mutation: &str, input_type: &str, input: Value) -> Value {
    let token = app.token_with(agency, &["read", "write"]);
    let q = format!(
        "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ case {{ number state version }} }} }}"
    );
    let (_, body) = app.gql(Some(&token), &q, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{mutation}: {body}");
    body["data"][mutation]["case"].clone()
}

/// The step input for `case`.
pub fn on(case: &Value, extra: Value) -> Value {
    let Value::Object(more) = extra else { panic!("step fields are an object") };
    let mut v = json!({ "caseNumber": case["number"], "expectedVersion": case["version"], "documentRef": "DOC-1", "on": day(0) });
    v.as_object_mut().unwrap().extend(more);
    v
}

/// A laporan in Lubuk Linggau against a new PNS of PEMDA-16.73, received today by BAWASLU-16.73.
pub async fn receive(app: &TestApp) -> Value {
    let input = json!({
        "source": "LAPORAN", "placeCode": "16.73.01", "electionRegionCode": "16.73",
        "occurredOn": day(-2), "knownOn": day(-1), "receivedOn": day(0),
        "summary": "A civil servant shared a candidate's post.",
        "reporter": { "kind": "VOTER", "name": "Test Reporter", "nik": "1673014101900001", "voterRegionCode": "16.73.01" },
        "allegations": [{ "newOfficial": { "subjectKind": "PNS", "nip": "198609262015051001", "fullName": "Test PNS",
            "position": "Staf", "employerCode": "PEMDA-16.73", "workRegionCode": "16.73" },
            "violationCode": "DIS_SOCMED_INTERACT", "actOn": day(-2), "description": "Shared a candidate's post." }],
        "evidence": [{ "kind": "SCREENSHOT", "description": "Screenshot of the share", "sha256": SHA, "sizeBytes": 2048,
            "capturedAt": format!("{}T03:00:00Z", day(-1)) }],
    });
    step(app, "BAWASLU-16.73", "receiveCase", "ReceiveCaseInput", input).await
}

/// Drives a received case to DECIDED (four steps by BAWASLU-16.73).
pub async fn decide(app: &TestApp, mut case: Value) -> Value {
    for (m, t, extra) in [
        ("startFormalCheck", "StepInput", json!({})),
        ("completeFormalCheck", "StepInput", json!({})),
        ("startClarification", "StepInput", json!({})),
        ("decideCase", "DecideCaseInput", json!({ "classification": "PERUNDANGAN_LAINNYA" })),
    ] {
        case = step(app, "BAWASLU-16.73", m, t, on(&case, extra)).await;
    }
    case
}

/// BAWASLU-16.73 forwards a decided case (to BKN, copied to PEMDA-16.73).
pub async fn forward(app: &TestApp, case: &Value) -> Value {
    step(app, "BAWASLU-16.73", "forwardCase", "ForwardCaseInput", on(case, json!({ "letterNumber": "L-1" }))).await
}

/// The `changes` connection as `agency`, from `after`.
pub async fn changes(app: &TestApp, agency: &str, first: i64, after: Option<&str>) -> Value {
    let q = "query($first: Int, $after: String) { changes(first: $first, after: $after) {
        totalCount edges { cursor node { id cursor kind action toState occurredAt case { number state } } }
        pageInfo { hasNextPage endCursor } } }";
    app.data_as(Some(agency), q, json!({ "first": first, "after": after })).await["changes"].clone()
}

/// The kinds of a page's entries, in order.
pub fn kinds(page: &Value) -> Vec<String> {
    page["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap().to_owned()).collect()
}
