//! A panwascam does intake only (BRIEF §2, DESIGN's contract): it receives
//! a report or finding, adds evidence and transfers the case to its
//! kabupaten/kota office. Every later step is refused as NOT_FOUND, like any
//! step a caller may not take, and changes nothing; the kab/kota office it
//! transferred to takes those steps.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{engines, error_code, TestApp};

const PANWASCAM: &str = "PANWASCAM-16.73.01";
const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A date `offset` days from today in Lubuk Linggau (WIB).
fn day(offset: i64) -> String {
    ((Utc::now() + Duration::hours(7)).date_naive() + Duration::days(offset)).to_string()
}

/// Runs `mutation` with `input` as `agency`; the payload's case or the body.
async fn act(app: &TestApp, agency: &str, mutation: &str, input_type: &str, input: Value) -> Result<Value, Value> {
    let token = app.token_with(agency, &["read", "write"]);
    let q = format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ case {{ number state version }} }} }}");
    let (_, body) = app.gql(Some(&token), &q, json!({ "i": input })).await;
    match body.get("errors") {
        None => Ok(body["data"][mutation]["case"].clone()),
        Some(_) => Err(body),
    }
}

#[expect(clippy::needless_pass_by_value, reason = "called with temporaries at every step")]
fn step(case: &Value, extra: Value) -> Value {
    let mut v = json!({ "caseNumber": case["number"], "expectedVersion": case["version"], "documentRef": "BA-1" });
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    v
}

fn evidence() -> Value {
    json!({ "evidence": [{ "kind": "PHOTO", "description": "Photo of the meeting", "sha256": SHA,
        "capturedAt": format!("{}T04:00:00Z", day(-1)) }] })
}

/// A finding at Lubuk Linggau Barat I against a lurah, with a photo.
fn finding() -> Value {
    json!({
        "source": "TEMUAN", "placeCode": "16.73.01", "electionRegionCode": "16.73",
        "occurredOn": day(-2), "knownOn": day(-2), "receivedOn": day(-1),
        "summary": "A ward head briefed neighbourhood heads for a candidate pair.",
        "allegations": [{
            "newOfficial": { "subjectKind": "PNS", "nip": "198001012005011002", "fullName": "Test Lurah",
                "position": "Lurah", "employerCode": "PEMDA-16.73", "workRegionCode": "16.73.01" },
            "violationCode": "DIS_PARTISAN_ACTIVITY", "actOn": day(-2),
            "description": "Asked neighbourhood heads to back a candidate pair."
        }],
        "evidence": [{ "kind": "PHOTO", "description": "Photo of the briefing", "sha256": SHA,
            "capturedAt": format!("{}T03:00:00Z", day(-2)) }]
    })
}

async fn handling_office(app: &TestApp, number: &str) -> String {
    app.strings(&format!(
        "SELECT a.code FROM \"case\" c JOIN agency a ON a.id = c.handling_agency_id WHERE c.number = '{number}'"
    ))
    .await
    .remove(0)
}

#[tokio::test]
async fn a_panwascam_receives_adds_evidence_and_transfers_and_takes_no_later_step() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let input = finding();
        let case = act(&app, PANWASCAM, "receiveCase", "ReceiveCaseInput", input).await.unwrap();
        assert_eq!(case["state"], "RECEIVED");

        // Every later step of the handling office is refused, as for a missing case.
        let missing = act(
            &app,
            PANWASCAM,
            "startFormalCheck",
            "StepInput",
            json!({ "caseNumber": "16.73/TM/2024/9999", "expectedVersion": 1 }),
        )
        .await
        .unwrap_err();
        for (mutation, input_type, extra) in [
            ("startFormalCheck", "StepInput", json!({})),
            ("completeFormalCheck", "StepInput", json!({})),
            ("startClarification", "StepInput", json!({})),
            ("decideCase", "DecideCaseInput", json!({ "classification": "PERUNDANGAN_LAINNYA" })),
            ("closeCase", "StepInput", json!({})),
            ("recordCorrection", "StepInput", json!({ "note": "The place was Air Kuti, not Taba Jemekeh." })),
        ] {
            let err = act(&app, PANWASCAM, mutation, input_type, step(&case, extra)).await.unwrap_err();
            assert_eq!(error_code(&err), "NOT_FOUND", "{mutation} on {engine:?}");
            assert_eq!(
                err["errors"][0]["message"], missing["errors"][0]["message"],
                "{mutation}: as for a missing case"
            );
        }
        let number = case["number"].as_str().unwrap();
        let events = format!(
            "SELECT COUNT(*) FROM case_event e JOIN \"case\" c ON c.id = e.case_id WHERE c.number = '{number}'"
        );
        assert_eq!(app.count(&events).await, 1, "the refused steps wrote nothing");

        // Intake: evidence, then the transfer to the kab/kota office.
        let case = act(&app, PANWASCAM, "addEvidence", "AddEvidenceInput", step(&case, evidence())).await.unwrap();
        let case = act(
            &app,
            PANWASCAM,
            "transferCase",
            "TransferCaseInput",
            step(&case, json!({ "toAgencyCode": "BAWASLU-16.73" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "RECEIVED");
        assert_eq!(handling_office(&app, number).await, "BAWASLU-16.73");

        // The kab/kota office takes the next step; the panwascam no longer may act at all.
        let err = act(&app, PANWASCAM, "addEvidence", "AddEvidenceInput", step(&case, evidence())).await.unwrap_err();
        assert_eq!(error_code(&err), "NOT_FOUND");
        let case = act(&app, "BAWASLU-16.73", "startFormalCheck", "StepInput", step(&case, json!({}))).await.unwrap();
        assert_eq!(case["state"], "FORMAL_MATERIAL_CHECK");
    }
}

#[tokio::test]
async fn the_kab_kota_office_still_takes_every_step_a_panwascam_may_not() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let input = finding();
        let office = "BAWASLU-16.73";
        let mut case = act(&app, office, "receiveCase", "ReceiveCaseInput", input).await.unwrap();
        for mutation in ["startFormalCheck", "completeFormalCheck", "startClarification"] {
            case = act(&app, office, mutation, "StepInput", step(&case, json!({}))).await.unwrap();
        }
        let case = act(
            &app,
            office,
            "decideCase",
            "DecideCaseInput",
            step(&case, json!({ "classification": "BUKAN_PELANGGARAN" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "CLOSED");
    }
}
