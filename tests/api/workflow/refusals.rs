//! What the workflow refuses and what it leaves behind: late or incomplete
//! reports, illegal steps, agencies that may not act, stale versions,
//! concurrent updates, failures mid-mutation, bad input, and the audit event
//! of each step.

use serde_json::json;

use super::{day, new_official, receive, s, step};
use crate::helpers::{engines, error_code, TestApp};

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
