//! The case workflow end to end: the life of a case for each subject kind,
//! acted by the agency that acts at each step; illegal steps, wrong agencies,
//! stale versions, concurrent updates, and failures that leave nothing behind.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{engines, error_code, TestApp};

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

#[tokio::test]
async fn an_asn_case_goes_from_report_to_executed_sanction() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73.01",
            new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        assert_eq!(case["state"], "RECEIVED");
        assert_eq!(case["version"], 1);
        let case = bawaslu_steps(&app, "BAWASLU-16.73", case, "PERUNDANGAN_LAINNYA", 0).await;
        assert_eq!(case["state"], "DECIDED");
        let case = step(
            &app,
            "BAWASLU-16.73",
            "forwardCase",
            s(&case, None, json!({ "letterNumber": "001/PP.01.02/K.SS-16/2024" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "FORWARDED");
        // The forwarding went to BKN with a copy to the PPK's government.
        let data = app.data_as(Some("BAWASLU"), "query($n: String!) { case(number: $n) { allegations { forwardings { to { code } copyTo { code } dueOn } } } }", json!({ "n": case["number"] })).await;
        let f = &data["case"]["allegations"][0]["forwardings"][0];
        assert_eq!(f["to"]["code"], "BKN");
        assert_eq!(f["copyTo"]["code"], "PEMDA-16.73");
        // The PPK cannot act before BKN.
        let early = step(&app, "PEMDA-16.73", "openExamination", s(&case, None, json!({}))).await.unwrap_err();
        assert_eq!(error_code(&early), "BAD_USER_INPUT", "{early}");
        let case = step(&app, "BKN", "acknowledgeForwarding", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(case["state"], "AGENCY_VERIFYING");
        let case = step(
            &app,
            "BKN",
            "verifyForwarding",
            s(&case, None, json!({ "outcome": "PROVEN", "recommendedSanction": "DEMOTION_12M" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "SANCTION_RECOMMENDED");
        let case = step(&app, "PEMDA-16.73", "openExamination", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(case["state"], "PPK_EXAMINATION");
        let wrong = step(
            &app,
            "PEMDA-16.73",
            "imposeSanction",
            s(&case, None, json!({ "sanctionCode": "MORAL_OPEN", "decreeNumber": "800/1/2024" })),
        )
        .await
        .unwrap_err();
        assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
        assert!(wrong["errors"][0]["message"].as_str().unwrap().contains("heavy"), "{wrong}");
        let case = step(
            &app,
            "PEMDA-16.73",
            "imposeSanction",
            s(&case, None, json!({ "sanctionCode": "DEMOTION_12M", "decreeNumber": "800.1.6.3/12/BKPSDM/2024" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "SANCTION_IMPOSED");
        let case = step(&app, "PEMDA-16.73", "startMonitoring", s(&case, None, json!({}))).await.unwrap();
        let premature = step(&app, "BAWASLU-16.73", "closeCase", s(&case, None, json!({}))).await.unwrap_err();
        assert_eq!(error_code(&premature), "BAD_USER_INPUT", "no close before a completed check");
        let case = step(
            &app,
            "INSPEKTORAT-16.73",
            "recordExecutionCheck",
            s(&case, None, json!({ "status": "DONE", "proofRef": "BA-7/INSP/2024" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "EXECUTION_MONITORING");
        let case = step(&app, "BAWASLU-16.73", "closeCase", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(case["state"], "CLOSED");
        assert_eq!(case["closureReason"], "SANCTION_EXECUTED");
        let actors = timeline(&app, case["number"].as_str().unwrap()).await;
        let expected = [
            ("RECEIVE", "BAWASLU-16.73"),
            ("START_FORMAL_CHECK", "BAWASLU-16.73"),
            ("COMPLETE_FORMAL_CHECK", "BAWASLU-16.73"),
            ("START_CLARIFICATION", "BAWASLU-16.73"),
            ("DECIDE", "BAWASLU-16.73"),
            ("FORWARD", "BAWASLU-16.73"),
            ("ACKNOWLEDGE", "BKN"),
            ("VERIFY", "BKN"),
            ("OPEN_EXAMINATION", "PEMDA-16.73"),
            ("IMPOSE_SANCTION", "PEMDA-16.73"),
            ("START_MONITORING", "PEMDA-16.73"),
            ("CHECK_EXECUTION", "INSPEKTORAT-16.73"),
            ("CLOSE", "BAWASLU-16.73"),
        ];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        assert_eq!(actors, expected, "{engine:?}");
        assert_eq!(case["version"], 13);
    }
}

#[tokio::test]
async fn non_asn_subjects_skip_bkn_and_go_to_their_own_authority() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        // A village head → the bupati's government, sanctioned under village law.
        let case = receive(
            &app,
            "BAWASLU-16.02",
            "16.02",
            new_official("VILLAGE_HEAD", None, "PEMDA-16.02", "16.02.05"),
            "CAMPAIGN_JOIN",
            0,
        )
        .await;
        let case = bawaslu_steps(&app, "BAWASLU-16.02", case, "PERUNDANGAN_LAINNYA", 0).await;
        let case =
            step(&app, "BAWASLU-16.02", "forwardCase", s(&case, None, json!({ "letterNumber": "L-1" }))).await.unwrap();
        let bkn = step(&app, "BKN", "acknowledgeForwarding", s(&case, None, json!({}))).await.unwrap_err();
        assert_eq!(error_code(&bkn), "NOT_FOUND", "BKN has no part in a village head's case");
        let case = step(&app, "PEMDA-16.02", "openExamination", s(&case, None, json!({}))).await.unwrap();
        let case = step(
            &app,
            "PEMDA-16.02",
            "imposeSanction",
            s(&case, None, json!({ "sanctionCode": "TEGURAN_TERTULIS", "decreeNumber": "141/5/2024" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "SANCTION_IMPOSED");

        // A soldier → TNI, recorded as an internal outcome.
        let case = receive(&app, "BAWASLU-16.73", "16.73", new_official("TNI", None, "TNI", "16.73"), "OTHER", 0).await;
        let case = bawaslu_steps(&app, "BAWASLU-16.73", case, "PERUNDANGAN_LAINNYA", 0).await;
        let case =
            step(&app, "BAWASLU-16.73", "forwardCase", s(&case, None, json!({ "letterNumber": "L-2" }))).await.unwrap();
        let case = step(&app, "TNI", "openExamination", s(&case, None, json!({}))).await.unwrap();
        let case = step(
            &app,
            "TNI",
            "imposeSanction",
            s(&case, None, json!({ "sanctionCode": "INTERNAL_DISCIPLINE", "decreeNumber": "KEP/1/2024" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "SANCTION_IMPOSED");
        let data = app
            .data_as(
                Some("TNI"),
                "query($n: String!) { case(number: $n) { sanctions { kind sanctionCode } } }",
                json!({ "n": case["number"] }),
            )
            .await;
        assert_eq!(data["case"]["sanctions"][0]["kind"], "INTERNAL");

        // A regional official on the criminal track → Gakkumdu's verdict.
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("STATE_OFFICIAL", None, "PEMDA-16.73", "16.73"),
            "DIS_FAVORING_DECISION",
            0,
        )
        .await;
        let case = bawaslu_steps(&app, "BAWASLU-16.73", case, "TINDAK_PIDANA_PEMILIHAN", 0).await;
        assert_eq!(case["state"], "CRIMINAL_PROCESS");
        let case = step(
            &app,
            "GAKKUMDU-16.73",
            "recordVerdict",
            s(&case, None, json!({ "guilty": true, "verdictNumber": "12/Pid.S/2024/PN Llg" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "CLOSED");
        assert_eq!(case["closureReason"], "CRIMINAL_VERDICT");
    }
}

#[tokio::test]
async fn bkn_closes_unproven_cases_and_escalates_an_overdue_ppk() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = receive(
            &app,
            "BAWASLU-16.71",
            "16.71.04",
            new_official("PNS", Some("197801152005011002"), "PEMDA-16.71", "16.71"),
            "ETH_PHOTO_SYMBOL",
            0,
        )
        .await;
        let case = bawaslu_steps(&app, "BAWASLU-16.71", case, "PERUNDANGAN_LAINNYA", 0).await;
        let case =
            step(&app, "BAWASLU-16.71", "forwardCase", s(&case, None, json!({ "letterNumber": "L-3" }))).await.unwrap();
        let case = step(&app, "BKN", "acknowledgeForwarding", s(&case, None, json!({}))).await.unwrap();
        let case =
            step(&app, "BKN", "verifyForwarding", s(&case, None, json!({ "outcome": "NOT_PROVEN" }))).await.unwrap();
        assert_eq!(case["state"], "CLOSED");
        assert_eq!(case["closureReason"], "NOT_PROVEN");

        // Dated 40 days back, the PPK's 14 days run out.
        let case = receive(
            &app,
            "BAWASLU-16.71",
            "16.71",
            new_official("PNS", Some("198001012006041003"), "PEMDA-16.71", "16.71"),
            "DIS_PHOTO_SYMBOL",
            40,
        )
        .await;
        let case = bawaslu_steps(&app, "BAWASLU-16.71", case, "PERUNDANGAN_LAINNYA", 40).await;
        let case =
            step(&app, "BAWASLU-16.71", "forwardCase", s(&case, Some(day(-39)), json!({ "letterNumber": "L-4" })))
                .await
                .unwrap();
        let case = step(&app, "BKN", "acknowledgeForwarding", s(&case, Some(day(-37)), json!({}))).await.unwrap();
        let case = step(
            &app,
            "BKN",
            "verifyForwarding",
            s(&case, Some(day(-35)), json!({ "outcome": "PROVEN", "recommendedSanction": "DEMOTION_12M" })),
        )
        .await
        .unwrap();
        assert_eq!(case["overdue"], true, "the PPK's deadline has passed: {case}");
        let early = step(&app, "BKN", "escalateOverdue", s(&case, Some(day(-30)), json!({ "kind": "SIASN_BLOCK" })))
            .await
            .unwrap_err();
        assert!(early["errors"][0]["message"].as_str().unwrap().contains("has until"), "{early}");
        for agency in ["BKN", "PEMDA-16.71", "INSPEKTORAT-16.71", "KEMENDAGRI", "KEMENPANRB"] {
            let data = app
                .data_as(
                    Some(agency),
                    "{ overdueForwardings { totalCount edges { node { caseNumber overdue } } } }",
                    json!({}),
                )
                .await;
            assert_eq!(data["overdueForwardings"]["totalCount"], 1, "{agency} follows the overdue PPK");
            assert_eq!(data["overdueForwardings"]["edges"][0]["node"]["overdue"], true);
        }
        for agency in ["PEMDA-16.73", "TNI"] {
            let data = app.data_as(Some(agency), "{ overdueForwardings { totalCount } }", json!({})).await;
            assert_eq!(data["overdueForwardings"]["totalCount"], 0, "{agency} does not");
        }
        let case = step(
            &app,
            "BKN",
            "escalateOverdue",
            s(&case, None, json!({ "kind": "SIASN_BLOCK", "letterNumber": "B-1/BKN/2024" })),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "OVERDUE_ESCALATED");
        let case = step(&app, "PEMDA-16.71", "openExamination", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(case["state"], "PPK_EXAMINATION");
        // An appeal that changes the sanction records a new decree; the first stays in history.
        let case = step(
            &app,
            "PEMDA-16.71",
            "imposeSanction",
            s(&case, None, json!({ "sanctionCode": "DEMOTION_12M", "decreeNumber": "SK-1" })),
        )
        .await
        .unwrap();
        let case = step(&app, "PEMDA-16.71", "fileAppeal", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(case["state"], "ADMIN_APPEAL");
        let case = step(
            &app,
            "PEMDA-16.71",
            "resolveAppeal",
            s(
                &case,
                None,
                json!({ "changedDecree": { "sanctionCode": "RELIEF_TO_PELAKSANA_12M", "decreeNumber": "SK-2" } }),
            ),
        )
        .await
        .unwrap();
        assert_eq!(case["state"], "SANCTION_IMPOSED");
        let data = app
            .data_as(
                Some("BAWASLU"),
                "query($n: String!) { case(number: $n) { sanctions { kind sanctionCode decreeNumber } } }",
                json!({ "n": case["number"] }),
            )
            .await;
        let codes: Vec<&str> =
            data["case"]["sanctions"].as_array().unwrap().iter().map(|d| d["decreeNumber"].as_str().unwrap()).collect();
        assert_eq!(codes, vec!["SK-1", "SK-2"]);
    }
}

#[tokio::test]
async fn a_late_or_incomplete_report_is_kept_as_not_registered_with_the_reason() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let mut allegation = new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73");
        allegation["violationCode"] = json!("DIS_SOCMED_INTERACT");
        allegation["actOn"] = json!(day(-20));
        allegation["description"] = json!("Liked posts.");
        let input = json!({
            "source": "LAPORAN", "placeCode": "16.73", "electionRegionCode": "16.73",
            "occurredOn": day(-20), "knownOn": day(-15), "receivedOn": day(-1), "summary": "Late report.",
            "reporter": { "kind": "VOTER", "name": "R", "nik": "1673014101900001", "voterRegionCode": "16.73" },
            "allegations": [allegation]
        });
        let case = step(&app, "BAWASLU-16.73", "receiveCase", input).await.unwrap();
        let case = step(&app, "BAWASLU-16.73", "startFormalCheck", s(&case, None, json!({}))).await.unwrap();
        let case = step(&app, "BAWASLU-16.73", "completeFormalCheck", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(case["state"], "NOT_REGISTERED");
        let reason = case["notRegisteredReason"].as_str().unwrap();
        assert!(reason.contains("more than 7 days") && reason.contains("no evidence"), "{reason}");
        assert!(case["registrationNumber"].is_null());
        let after = step(&app, "BAWASLU-16.73", "startClarification", s(&case, None, json!({}))).await.unwrap_err();
        assert!(after["errors"][0]["message"].as_str().unwrap().contains("NOT_REGISTERED"), "{after}");
        // A timely, complete one is registered with a number.
        let ok = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("199001012015031004"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        let ok = step(&app, "BAWASLU-16.73", "startFormalCheck", s(&ok, None, json!({}))).await.unwrap();
        let ok = step(&app, "BAWASLU-16.73", "completeFormalCheck", s(&ok, None, json!({}))).await.unwrap();
        assert_eq!(ok["state"], "REGISTERED");
        assert!(ok["registrationNumber"].as_str().unwrap().contains("/Reg/"));
    }
}

#[tokio::test]
async fn illegal_steps_name_the_state_and_the_allowed_next_steps() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        for (m, extra) in [
            ("decideCase", json!({ "classification": "BUKAN_PELANGGARAN" })),
            ("forwardCase", json!({ "letterNumber": "L" })),
            ("startClarification", json!({})),
            ("closeCase", json!({})),
        ] {
            let err = step(&app, "BAWASLU-16.73", m, s(&case, None, extra)).await.unwrap_err();
            assert_eq!(error_code(&err), "BAD_USER_INPUT", "{m}");
            let message = err["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains("RECEIVED") && message.contains("START_FORMAL_CHECK") && message.contains("TRANSFER"),
                "{m}: {message}"
            );
        }
        let events = app.count("SELECT COUNT(*) FROM case_event").await;
        assert_eq!(events, 1, "refused steps write nothing");
    }
}

#[tokio::test]
async fn agencies_that_may_not_act_get_the_answer_of_a_missing_case() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        let missing = step(
            &app,
            "BAWASLU-16.73",
            "startFormalCheck",
            json!({ "caseNumber": "16.73/LP/2024/9999", "expectedVersion": 1 }),
        )
        .await
        .unwrap_err();
        assert_eq!(error_code(&missing), "NOT_FOUND");
        for agency in ["BAWASLU-16.71", "BAWASLU-16", "PEMDA-16.73", "BKN", "INSPEKTORAT-16.73", "KEMENDAGRI"] {
            let err = step(&app, agency, "startFormalCheck", s(&case, None, json!({}))).await.unwrap_err();
            assert_eq!(error_code(&err), "NOT_FOUND", "{agency}");
            assert_eq!(
                err["errors"][0]["message"], missing["errors"][0]["message"],
                "{agency}: same answer as a missing case"
            );
        }
        let reader = app.token("BAWASLU-16.73");
        let (_, body) = app
            .gql(
                Some(&reader),
                "mutation($i: StepInput!) { startFormalCheck(input: $i) { case { state } } }",
                json!({ "i": s(&case, None, json!({})) }),
            )
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "read-only token cannot act");
        let (_, body) = app
            .gql(
                None,
                "mutation($i: StepInput!) { startFormalCheck(input: $i) { case { state } } }",
                json!({ "i": s(&case, None, json!({})) }),
            )
            .await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
        let outside = step(&app, "BAWASLU-18.71", "receiveCase", json!({ "source": "TEMUAN", "placeCode": "16.73", "electionRegionCode": "16.73",
            "occurredOn": day(-1), "knownOn": day(-1), "summary": "x", "allegations": [{ "nip": "198609262015051001", "violationCode": "OTHER", "actOn": day(-1), "description": "x" }] })).await.unwrap_err();
        assert_eq!(error_code(&outside), "FORBIDDEN", "an office records cases of its own jurisdiction only");
        // The handling office may act.
        assert!(step(&app, "BAWASLU-16.73", "startFormalCheck", s(&case, None, json!({}))).await.is_ok());
    }
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_writes_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        let moved = step(&app, "BAWASLU-16.73", "startFormalCheck", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(moved["version"], 2);
        let events = app.count("SELECT COUNT(*) FROM case_event").await;
        let stale =
            step(&app, "BAWASLU-16.73", "recordCorrection", s(&case, None, json!({ "note": "typo in the summary" })))
                .await
                .unwrap_err();
        assert_eq!(error_code(&stale), "CONFLICT");
        assert!(stale["errors"][0]["message"].as_str().unwrap().contains("version 2"));
        assert_eq!(app.count("SELECT COUNT(*) FROM case_event").await, events);
        let fresh =
            step(&app, "BAWASLU-16.73", "recordCorrection", s(&moved, None, json!({ "note": "typo in the summary" })))
                .await
                .unwrap();
        assert_eq!(fresh["version"], 3);
        assert_eq!(fresh["state"], "FORMAL_MATERIAL_CHECK", "a correction is an event, not a change of state");
    }
}

#[tokio::test]
async fn concurrent_updates_of_one_case_let_exactly_one_win_per_version_and_lose_none() {
    for engine in engines() {
        let app = std::sync::Arc::new(TestApp::spawn(engine).await);
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        // Ten writers race on version 1: one wins, nine get CONFLICT.
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (app, case) = (app.clone(), case.clone());
            tasks.push(tokio::spawn(async move {
                step(
                    &app,
                    "BAWASLU-16.73",
                    "recordCorrection",
                    s(&case, None, json!({ "note": format!("writer {i}") })),
                )
                .await
            }));
        }
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(c) => {
                    won += 1;
                    assert_eq!(c["version"], 2);
                }
                Err(e) => assert_eq!(error_code(&e), "CONFLICT", "{e}"),
            }
        }
        assert_eq!(won, 1, "{engine:?}");
        // Eight writers that retry on conflict: every update lands, one version each.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let app = app.clone();
            let number = case["number"].clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..200 {
                    let data = app
                        .data_as(
                            Some("BAWASLU"),
                            "query($n: String!) { case(number: $n) { number version } }",
                            json!({ "n": number }),
                        )
                        .await;
                    match step(
                        &app,
                        "BAWASLU-16.73",
                        "recordCorrection",
                        s(&data["case"], None, json!({ "note": format!("retrying writer {i}") })),
                    )
                    .await
                    {
                        Ok(_) => return true,
                        Err(e) if error_code(&e) == "CONFLICT" => tokio::task::yield_now().await,
                        Err(e) => panic!("{e}"),
                    }
                }
                false
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap(), "every writer eventually lands");
        }
        let data = app
            .data_as(
                Some("BAWASLU"),
                "query($n: String!) { case(number: $n) { version timeline { note } } }",
                json!({ "n": case["number"] }),
            )
            .await;
        assert_eq!(data["case"]["version"], 10, "1 + 1 winner + 8 retrying writers");
        let notes = data["case"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["note"].as_str().is_some_and(|n| n.starts_with("retrying")))
            .count();
        assert_eq!(notes, 8, "no update lost");
    }
}

#[tokio::test]
async fn a_failure_in_the_middle_of_a_mutation_leaves_nothing_behind() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let officials = app.count("SELECT COUNT(*) FROM official").await;
        // The first allegation creates an official; the second names one that does not exist.
        let mut first = new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73");
        first["violationCode"] = json!("OTHER");
        first["actOn"] = json!(day(-1));
        first["description"] = json!("x");
        let input = json!({ "source": "TEMUAN", "placeCode": "16.73", "electionRegionCode": "16.73", "occurredOn": day(-1), "knownOn": day(-1),
            "summary": "x", "allegations": [first, { "officialId": "T2ZmaWNpYWw6OTk5OTk=", "violationCode": "OTHER", "actOn": day(-1), "description": "x" }] });
        let err = step(&app, "BAWASLU-16.73", "receiveCase", input).await.unwrap_err();
        assert_eq!(error_code(&err), "BAD_USER_INPUT", "{err}");
        assert_eq!(app.count("SELECT COUNT(*) FROM official").await, officials, "the new official was rolled back");
        assert_eq!(app.count("SELECT COUNT(*) FROM \"case\"").await, 0);

        // A storage failure after the case row changed: the change is rolled back.
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("199001012015031004"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        use sea_orm::ConnectionTrait;
        let rename = "ALTER TABLE case_event RENAME TO case_event_gone";
        app.db.execute_unprepared(rename).await.unwrap();
        let err = step(&app, "BAWASLU-16.73", "startFormalCheck", s(&case, None, json!({}))).await.unwrap_err();
        assert_eq!(error_code(&err), "INTERNAL");
        app.db.execute_unprepared("ALTER TABLE case_event_gone RENAME TO case_event").await.unwrap();
        let data = app
            .data_as(
                Some("BAWASLU"),
                "query($n: String!) { case(number: $n) { state version } }",
                json!({ "n": case["number"] }),
            )
            .await;
        assert_eq!(data["case"]["state"], "RECEIVED");
        assert_eq!(data["case"]["version"], 1);
    }
}

#[tokio::test]
async fn bad_intake_input_is_refused_with_the_field_named() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).await;
    let base = json!({ "source": "TEMUAN", "placeCode": "16.73", "electionRegionCode": "16.73", "occurredOn": day(-2), "knownOn": day(-1),
        "summary": "x", "allegations": [{ "nip": "198609262015051001", "violationCode": "OTHER", "actOn": day(-2), "description": "x" }] });
    let cases = [
        ("placeCode", json!("16.73.99")),
        ("electionRegionCode", json!("18.71")),
        ("knownOn", json!(day(3))),
        ("reporter", json!({ "kind": "VOTER", "name": "x" })),
        (
            "evidence",
            json!([{ "kind": "PHOTO", "description": "x", "sha256": "abc", "capturedAt": "2024-10-01T00:00:00Z" }]),
        ),
    ];
    for (field, value) in cases {
        let mut input = base.clone();
        input[field] = value;
        let err = step(&app, "BAWASLU-16.73", "receiveCase", input).await.unwrap_err();
        assert_eq!(error_code(&err), "BAD_USER_INPUT", "{field}: {err}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM \"case\"").await, 0);
}

#[tokio::test]
async fn every_step_writes_its_audit_event_in_its_own_transaction() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let writes = "SELECT COUNT(*) FROM audit_event WHERE kind = 'WRITE'";
        let case = receive(
            &app,
            "BAWASLU-16.73",
            "16.73",
            new_official("PNS", Some("198609262015051001"), "PEMDA-16.73", "16.73"),
            "DIS_SOCMED_INTERACT",
            0,
        )
        .await;
        assert_eq!(app.count(writes).await, 1, "intake");
        let moved = step(&app, "BAWASLU-16.73", "startFormalCheck", s(&case, None, json!({}))).await.unwrap();
        assert_eq!(app.count(writes).await, 2, "one event per step");
        let id =
            app.count(&format!("SELECT id FROM \"case\" WHERE number = '{}'", case["number"].as_str().unwrap())).await;
        let named = app
            .count(&format!("SELECT COUNT(*) FROM audit_event_case WHERE access = 'WRITE' AND case_id = {id}"))
            .await;
        assert_eq!(named, 2, "the events name the case");
        // Refused steps roll back: no WRITE event.
        let _ = step(&app, "BAWASLU-16.73", "startFormalCheck", s(&case, None, json!({}))).await.unwrap_err();
        let _ = step(&app, "BKN", "decideCase", s(&moved, None, json!({ "classification": "BUKAN_PELANGGARAN" })))
            .await
            .unwrap_err();
        assert_eq!(app.count(writes).await, 2);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_netra"))
            .args(["audit", "verify"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.url)
            .output()
            .unwrap();
        assert!(out.status.success(), "the chain verifies: {}", String::from_utf8_lossy(&out.stderr));
    }
}
