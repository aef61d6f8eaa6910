//! The case workflow end to end: the life of a case for each subject kind,
//! acted by the agency that acts at each step; illegal steps, wrong agencies,
//! stale versions, concurrent updates, and failures that leave nothing behind.
//! The helpers are here; the paths of a case are in `paths`, the refusals in
//! `refusals`.

mod paths;
mod refusals;

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// A date `offset` days from today in Palembang and Lubuk Linggau (WIB), the
/// offices these tests act for.
fn day(offset: i64) -> String {
    ((Utc::now() + Duration::hours(7)).date_naive() + Duration::days(offset)).to_string()
}

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A writer's token for `agency`.
fn writer(app: &TestApp, agency: &str) -> String {
    app.token_with(agency, &["read", "write"])
}

/// Runs a step mutation and returns the payload's case (or the whole body on error).
async fn step(app: &TestApp, agency: &str, mutation: &str, input: Value) -> Result<Value, Value> {
    let token = writer(app, agency);
    let q = format!("mutation($input: {}!) {{ {mutation}(input: $input) {{ case {{ number state version closureReason notRegisteredReason registrationNumber deadlineOn overdue }} }} }}", input_type(mutation));
    let (_, body) = app.gql(Some(&token), &q, json!({ "input": input })).await;
    match body.get("errors") {
        None => Ok(body["data"][mutation]["case"].clone()),
        Some(_) => Err(body),
    }
}

fn input_type(mutation: &str) -> &'static str {
    match mutation {
        "receiveCase" => "ReceiveCaseInput",
        "transferCase" => "TransferCaseInput",
        "decideCase" => "DecideCaseInput",
        "forwardCase" => "ForwardCaseInput",
        "verifyForwarding" => "VerifyForwardingInput",
        "imposeSanction" => "ImposeSanctionInput",
        "resolveAppeal" => "ResolveAppealInput",
        "recordExecutionCheck" => "ExecutionCheckInput",
        "escalateOverdue" => "EscalateInput",
        "recordVerdict" => "VerdictInput",
        "addEvidence" => "AddEvidenceInput",
        _ => "StepInput",
    }
}

/// Merges the step fields into `extra`.
#[expect(clippy::needless_pass_by_value, reason = "called with temporaries at every step")]
fn s(case: &Value, on: Option<String>, extra: Value) -> Value {
    let mut v =
        json!({ "caseNumber": case["number"], "expectedVersion": case["version"], "on": on, "documentRef": "DOC-1" });
    if let (Some(obj), Some(more)) = (v.as_object_mut(), extra.as_object()) {
        obj.extend(more.clone());
    }
    v
}

fn new_official(kind: &str, nip: Option<&str>, employer: &str, region: &str) -> Value {
    json!({ "newOfficial": { "subjectKind": kind, "nip": nip, "fullName": format!("Test {kind}"), "position": "Staf",
        "employerCode": employer, "workRegionCode": region } })
}

/// A laporan against one new official, received `age` days ago.
async fn receive(app: &TestApp, office: &str, place: &str, official: Value, act: &str, age: i64) -> Value {
    let mut allegation = official;
    allegation["violationCode"] = json!(act);
    allegation["actOn"] = json!(day(-age - 2));
    allegation["description"] = json!("Shared a candidate's campaign post.");
    let input = json!({
        "source": "LAPORAN", "placeCode": place, "electionRegionCode": place.split('.').take(2).collect::<Vec<_>>().join("."),
        "occurredOn": day(-age - 2), "knownOn": day(-age - 1), "receivedOn": day(-age),
        "summary": "A civil servant shared a candidate's post.",
        "reporter": { "kind": "VOTER", "name": "Test Reporter", "nik": "1673014101900001", "voterRegionCode": place },
        "allegations": [allegation],
        "evidence": [{ "kind": "SCREENSHOT", "description": "Screenshot of the share", "sha256": SHA, "sizeBytes": 2048, "capturedAt": format!("{}T03:00:00Z", day(-age - 1)) }]
    });
    step(app, office, "receiveCase", input).await.unwrap()
}

/// Drives a received case through the Bawaslu steps to DECIDED (or beyond).
async fn bawaslu_steps(app: &TestApp, office: &str, mut case: Value, classification: &str, age: i64) -> Value {
    for (m, extra) in [
        ("startFormalCheck", json!({})),
        ("completeFormalCheck", json!({})),
        ("startClarification", json!({})),
        ("decideCase", json!({ "classification": classification })),
    ] {
        case = step(app, office, m, s(&case, Some(day(-age)), extra)).await.unwrap_or_else(|e| panic!("{m}: {e}"));
    }
    case
}

async fn timeline(app: &TestApp, number: &str) -> Vec<(String, String)> {
    let data = app
        .data_as(
            Some("BAWASLU"),
            "query($n: String!) { case(number: $n) { timeline { action actorAgency { code } } } }",
            json!({ "n": number }),
        )
        .await;
    data["case"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actorAgency"]["code"].as_str().unwrap().to_owned()))
        .collect()
}
