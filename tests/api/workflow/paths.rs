//! The life of a case for each subject kind, acted by the agency that acts
//! at each step: ASN through BKN to an executed sanction, non-ASN to their
//! own authority, BKN closing or escalating, appeals.

use serde_json::json;

use super::{bawaslu_steps, day, new_official, receive, s, step, timeline};
use crate::helpers::{engines, error_code, TestApp};

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
