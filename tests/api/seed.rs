//! Demo and synthetic data: idempotence, coverage of the state machine,
//! valid identifiers, determinism.

use std::collections::{BTreeMap, HashSet};

use netra::config::Deadlines;
use netra::domain::{CaseState, Nip};
use netra::seed::synthetic::{load_synthetic, SyntheticOptions};
use sea_orm::Iterable;

use crate::helpers::{engines, TestApp};

#[tokio::test]
async fn seeding_the_demo_twice_changes_nothing() {
    for app in TestApp::demo_on_each_engine().await {
        let before =
            app.count("SELECT COUNT(*) FROM \"case\"").await + app.count("SELECT COUNT(*) FROM official").await;
        let again = netra::seed::load_demo(&app.db).await.unwrap();
        assert_eq!(again.cases, 0);
        assert_eq!(again.officials, 0);
        let after = app.count("SELECT COUNT(*) FROM \"case\"").await + app.count("SELECT COUNT(*) FROM official").await;
        assert_eq!(before, after);
        // Reference data is loaded once too.
        netra::reference::load(&app.db).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM region WHERE level = 1").await, 38);
    }
}

#[tokio::test]
async fn the_demo_covers_every_state_with_consistent_facts() {
    for app in TestApp::demo_on_each_engine().await {
        let officials = app.count("SELECT COUNT(*) FROM official").await;
        let cases = app.count("SELECT COUNT(*) FROM \"case\"").await;
        assert!((55..=65).contains(&officials), "about 60 officials: {officials}");
        assert!((38..=44).contains(&cases), "about 40 cases: {cases}");
        for state in CaseState::iter() {
            let n = app.count(&format!("SELECT COUNT(*) FROM \"case\" WHERE state = '{}'", state.as_str())).await;
            assert!(n >= 2, "state {} appears {n} times", state.as_str());
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM \"case\" WHERE (state = 'CLOSED') <> (closure_reason IS NOT NULL)").await,
            0
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM \"case\" c LEFT JOIN reporter r ON r.case_id = c.id WHERE (c.source = 'LAPORAN') <> (r.id IS NOT NULL)").await,
            0,
            "exactly the reports have a reporter"
        );
        for nip in app.strings("SELECT nip FROM official WHERE nip IS NOT NULL").await {
            assert!(Nip::parse(&nip).is_ok(), "{nip}");
        }
        for place in ["16.73", "16.71", "16.02", "16.08", "16.04", "16.06", "18.71"] {
            let n = app.count(&format!("SELECT COUNT(*) FROM \"case\" WHERE regency_code = '{place}'")).await;
            assert!(n > 0, "a demo case in {place}");
        }
        // Every case's timeline ends in its current state.
        let mismatched = app
            .count(
                "SELECT COUNT(*) FROM \"case\" c WHERE c.state <> (SELECT e.to_state FROM case_event e WHERE e.case_id = c.id \
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)",
            )
            .await;
        assert_eq!(mismatched, 0);
    }
}

async fn fingerprint(app: &TestApp) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for table in ["official", "\"case\"", "allegation", "forwarding", "agency_decision", "case_event"] {
        out.insert(table.to_owned(), app.count(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    for state in app.strings("SELECT DISTINCT state FROM \"case\"").await {
        out.insert(state.clone(), app.count(&format!("SELECT COUNT(*) FROM \"case\" WHERE state = '{state}'")).await);
    }
    let names = app.strings("SELECT full_name FROM official ORDER BY id LIMIT 20").await;
    out.insert(names.join("|"), 0);
    out
}

#[tokio::test]
async fn synthetic_data_is_deterministic_valid_and_spread_over_provinces() {
    for engine in engines() {
        let opts = SyntheticOptions { officials: 3000, cases: 400, seed: 7 };
        let a = TestApp::spawn(engine).await;
        let report = load_synthetic(&a.db, opts, Deadlines::default()).await.unwrap();
        assert_eq!(report.officials, 3000);
        assert!(report.cases >= 390, "{report:?}");
        let b = TestApp::spawn(engine).await;
        load_synthetic(&b.db, opts, Deadlines::default()).await.unwrap();
        assert_eq!(fingerprint(&a).await, fingerprint(&b).await, "same seed, same data");
        let c = TestApp::spawn(engine).await;
        load_synthetic(&c.db, SyntheticOptions { seed: 8, ..opts }, Deadlines::default()).await.unwrap();
        assert_ne!(fingerprint(&a).await, fingerprint(&c).await, "another seed, other data");

        let nips = a.strings("SELECT nip FROM official WHERE nip IS NOT NULL").await;
        assert!(nips.len() > 2000);
        assert_eq!(nips.iter().collect::<HashSet<_>>().len(), nips.len());
        assert!(nips.iter().all(|n| Nip::parse(n).is_ok()));
        let provinces = a.count("SELECT COUNT(DISTINCT province_code) FROM \"case\"").await;
        assert!(provinces >= 30, "cases in {provinces} provinces");
        // Ids continue after the bulk load: the demo still loads on top of it.
        let demo = netra::seed::load_demo(&a.db).await.unwrap();
        assert!(demo.cases > 0);
    }
}

#[tokio::test]
async fn synthetic_data_uses_only_the_apis_actions_and_number_formats() {
    use netra::domain::numbering::{
        parse_case_number, parse_receipt_number, parse_registration_number, registration_number,
    };
    use netra::domain::Action;
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        load_synthetic(&app.db, SyntheticOptions { officials: 2000, cases: 300, seed: 3 }, Deadlines::default())
            .await
            .unwrap();
        let actions = app.strings("SELECT DISTINCT action FROM case_event").await;
        assert!(actions.len() >= 12, "{engine:?}: the synthetic cases take most steps: {actions:?}");
        for action in &actions {
            assert!(Action::from_name(action).is_some(), "{engine:?}: {action} is not an action of the workflow");
        }
        let rows = app
            .strings(
                "SELECT c.number || '|' || COALESCE(c.receipt_number, '-') || '|' || COALESCE(c.registration_number, '-') \
                 || '|' || COALESCE(h.region_code, '00') FROM \"case\" c JOIN agency h ON h.id = c.handling_agency_id",
            )
            .await;
        assert!(rows.len() >= 290, "{engine:?}: {} cases", rows.len());
        let mut registered = 0;
        for row in rows {
            let [number, receipt, registration, region]: [&str; 4] =
                row.split('|').collect::<Vec<_>>().try_into().unwrap();
            let parsed = parse_case_number(number).unwrap_or_else(|| panic!("{engine:?}: case number {number}"));
            assert_eq!(parsed.handling_region, region, "{number} is numbered by its office");
            assert_eq!(
                parse_receipt_number(receipt),
                Some(parsed.clone()),
                "{engine:?}: receipt {receipt} of {number}"
            );
            if registration != "-" {
                registered += 1;
                assert_eq!(parse_registration_number(registration), Some(parsed), "{engine:?}: {registration}");
                assert_eq!(registration, registration_number(number));
            }
        }
        assert!(registered > 200, "{engine:?}: most cases are registered ({registered})");
        // Every timeline starts with RECEIVE, and every step starts from a state the workflow allows.
        let receives = app.count("SELECT COUNT(*) FROM case_event WHERE action = 'RECEIVE'").await;
        assert_eq!(receives, app.count("SELECT COUNT(*) FROM \"case\"").await);
        let moves = app
            .strings("SELECT DISTINCT action || '|' || from_state FROM case_event WHERE from_state IS NOT NULL")
            .await;
        for m in moves {
            let (action, from) = m.split_once('|').unwrap();
            let action = Action::from_name(action).unwrap();
            let from = CaseState::iter().find(|s| s.as_str() == from).unwrap();
            assert!(action.allowed_in(from, true) || action.allowed_in(from, false), "{engine:?}: {m}");
        }
    }
}
