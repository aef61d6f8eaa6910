//! The clock: an office's "today" is its own local date (WIB, WITA or WIT by
//! its province), and tests can set the day through `Config::clock`.

use netra::clock::Clock;
use serde_json::{json, Value};

use crate::helpers::{engines, error_code, TestApp};

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A report to `office` about place `place`, received on `received_on`.
fn report(place: &str, received_on: &str) -> Value {
    json!({
        "source": "TEMUAN", "placeCode": place, "electionRegionCode": place,
        "occurredOn": "2026-11-28", "knownOn": "2026-11-29", "receivedOn": received_on,
        "summary": "A village official joined a campaign convoy.",
        "allegations": [{ "newOfficial": { "subjectKind": "NON_ASN", "fullName": "Test Staff", "position": "Staf",
            "employerCode": format!("PEMDA-{place}"), "workRegionCode": place },
            "violationCode": "CAMPAIGN_JOIN", "actOn": "2026-11-28", "description": "Rode in the convoy." }],
        "evidence": [{ "kind": "PHOTO", "description": "Photo of the convoy", "sha256": SHA, "sizeBytes": 2048,
            "capturedAt": "2026-11-28T03:00:00Z" }]
    })
}

async fn receive(app: &TestApp, office: &str, input: Value) -> Value {
    let token = app.token_with(office, &["read", "write"]);
    let q = "mutation($input: ReceiveCaseInput!) { receiveCase(input: $input) { case { number version receivedOn timeline { occurredAt } } } }";
    app.gql(Some(&token), q, json!({ "input": input })).await.1
}

#[tokio::test]
async fn an_office_acts_on_its_own_local_date() {
    for engine in engines() {
        // 16:30 UTC on 1 December: 23:30 in Palembang (WIB), already 2 December in Jayapura (WIT).
        let now = "2026-12-01T16:30:00Z";
        let app = TestApp::spawn_with(engine, |c| c.clock = Clock::fixed(now.parse().unwrap())).await;

        let papua = receive(&app, "BAWASLU-91", report("91", "2026-12-02")).await;
        assert!(papua.get("errors").is_none(), "{engine:?}: 2 December is today in Jayapura: {papua}");
        let case = &papua["data"]["receiveCase"]["case"];
        assert_eq!(case["receivedOn"], "2026-12-02");
        assert_eq!(case["timeline"][0]["occurredAt"], "2026-12-01T16:30:00.000Z", "received now, on the fixed clock");

        let sumatra = receive(&app, "BAWASLU-16", report("16", "2026-12-02")).await;
        assert_eq!(error_code(&sumatra), "BAD_USER_INPUT", "{engine:?}: 2 December is tomorrow in Palembang");
        let sumatra = receive(&app, "BAWASLU-16", report("16", "2026-12-01")).await;
        assert!(sumatra.get("errors").is_none(), "{sumatra}");

        // A later step follows the same rule: not after the office's today.
        let token = app.token_with("BAWASLU-91", &["read", "write"]);
        let q = "mutation($input: StepInput!) { startFormalCheck(input: $input) { case { state } } }";
        let input = |on: &str| json!({ "input": { "caseNumber": case["number"], "expectedVersion": case["version"], "on": on } });
        let (_, late) = app.gql(Some(&token), q, input("2026-12-03")).await;
        assert_eq!(error_code(&late), "BAD_USER_INPUT", "{late}");
        let (_, ok) = app.gql(Some(&token), q, input("2026-12-02")).await;
        assert_eq!(ok["data"]["startFormalCheck"]["case"]["state"], "FORMAL_MATERIAL_CHECK", "{ok}");
    }
}
