//! The `changes` subscription over graphql-transport-ws: scope per entry,
//! resume by cursor, fan-out across instances, token checks and expiry.

use std::time::{Duration, Instant};

use super::ws::{serve, Client, Event};
use super::{decide, forward, receive};
use crate::helpers::{engines, Engine, TestApp};

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(700);

#[tokio::test]
async fn a_forwarding_reaches_the_ppk_and_its_office_but_nothing_reaches_lampung() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let case = decide(&app, receive(&app).await).await;
        let addr = serve(app.router.clone()).await;
        let mut pemda = Client::connected(addr, &app.token("PEMDA-16.73")).await;
        let mut office = Client::connected(addr, &app.token("BAWASLU-16.73")).await;
        let mut lampung = Client::connected(addr, &app.token("BAWASLU-18")).await;
        for c in [&mut pemda, &mut office, &mut lampung] {
            c.subscribe("1", None).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        forward(&app, &case).await;
        let got = pemda.entry(WAIT).await.expect("PEMDA-16.73 is pushed the forwarding");
        assert_eq!(got["kind"], "FORWARDING_SENT", "{engine:?}");
        assert_eq!(got["case"]["number"], case["number"]);
        assert_eq!(got["case"]["state"], "FORWARDED");
        assert_eq!(office.entry(WAIT).await.expect("the handling office too")["kind"], "FORWARDING_SENT");
        assert!(lampung.entry(QUIET).await.is_none(), "{engine:?}: BAWASLU-18 is sent nothing, not even an id");
        // Nothing older was replayed to the PPK when the case became visible to it.
        assert!(pemda.entry(QUIET).await.is_none(), "{engine:?}");
    }
}

#[tokio::test]
async fn a_subscriber_resumes_from_its_cursor_with_no_gap_and_no_duplicate() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let addr = serve(app.router.clone()).await;
        let token = app.token("BAWASLU-16.73");
        let mut first = Client::connected(addr, &token).await;
        first.subscribe("a", None).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let case = receive(&app).await;
        let received = first.entry(WAIT).await.expect("the intake");
        assert_eq!(received["kind"], "CASE_RECEIVED", "{engine:?}");
        first.close().await;
        // Four steps commit while the client is away.
        decide(&app, case).await;
        let mut again = Client::connected(addr, &token).await;
        again.subscribe("b", received["cursor"].as_str()).await;
        let mut actions = Vec::new();
        while let Some(e) = again.entry(QUIET).await {
            actions.push(e["action"].as_str().unwrap().to_owned());
        }
        assert_eq!(
            actions,
            ["START_FORMAL_CHECK", "COMPLETE_FORMAL_CHECK", "START_CLARIFICATION", "DECIDE"],
            "{engine:?}"
        );
    }
}

#[tokio::test]
async fn an_entry_committed_on_one_instance_reaches_a_subscriber_on_another_within_a_second() {
    for engine in engines().into_iter().filter(|e| *e == Engine::Postgres) {
        let app = TestApp::spawn(engine).await;
        let case = decide(&app, receive(&app).await).await;
        let (other, _db) = app.second_instance().await;
        let addr = serve(other).await;
        let mut pemda = Client::connected(addr, &app.token("PEMDA-16.73")).await;
        pemda.subscribe("1", None).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        forward(&app, &case).await;
        let committed = Instant::now();
        let got = pemda.entry(WAIT).await.expect("pushed across instances");
        assert_eq!(got["kind"], "FORWARDING_SENT");
        assert!(committed.elapsed() < Duration::from_secs(1), "took {:?}", committed.elapsed());
    }
}

#[tokio::test]
async fn connection_init_checks_the_token_as_http_does() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let addr = serve(app.router.clone()).await;
        let mut bad = Client::open(addr).await;
        match bad.init(Some("not-a-token")).await {
            Event::Closed(code, _) => assert_eq!(code, 4401, "{engine:?}"),
            other => panic!("{other:?}"),
        }
        let mut no_read = Client::open(addr).await;
        match no_read.init(Some(&app.token_with("BAWASLU-16.73", &["write"]))).await {
            Event::Closed(code, _) => assert_eq!(code, 4403, "{engine:?}"),
            other => panic!("{other:?}"),
        }
        // Anonymous: connected, but the feed is refused.
        let mut anon = Client::open(addr).await;
        assert!(matches!(anon.init(None).await, Event::Other(v) if v["type"] == "connection_ack"));
        anon.subscribe("1", None).await;
        match anon.next(WAIT).await {
            Some(Event::Next(v)) => {
                assert_eq!(v["data"], serde_json::Value::Null, "{v}");
                assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{v}");
            }
            other => panic!("{other:?}"),
        }
        // A valid reader is acknowledged.
        Client::connected(addr, &app.token("BAWASLU-16.73")).await.close().await;
    }
}

#[tokio::test]
async fn an_expired_token_ends_the_subscription_with_4401() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let addr = serve(app.router.clone()).await;
        let token = app.issuer.mint("tester", "BAWASLU-16.73", &["read"], Duration::from_secs(2)).unwrap();
        let mut c = Client::connected(addr, &token).await;
        c.subscribe("1", None).await;
        let started = Instant::now();
        match c.next(Duration::from_secs(6)).await {
            Some(Event::Closed(code, reason)) => {
                assert_eq!(code, 4401, "{engine:?}");
                assert!(reason.contains("expired"), "{reason}");
            }
            other => panic!("{engine:?}: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(4));
    }
}

#[tokio::test]
async fn every_pushed_batch_leaves_an_audit_event_as_a_read_by_the_subscriber() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let addr = serve(app.router.clone()).await;
        let mut office = Client::connected(addr, &app.token("BAWASLU-16.73")).await;
        office.subscribe("1", None).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        receive(&app).await;
        assert_eq!(office.entry(WAIT).await.expect("the intake")["kind"], "CASE_RECEIVED");
        let sql = "SELECT COUNT(*) FROM audit_event WHERE kind = 'REQUEST' AND agency_code = 'BAWASLU-16.73' \
                   AND details LIKE '%\"subscription\":\"changes\"%'";
        assert_eq!(app.count(sql).await, 1, "{engine:?}");
    }
}

#[tokio::test]
async fn subscriptions_count_against_the_agencys_rate_limit() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.rate_limit_agency = 2).await;
        let addr = serve(app.router.clone()).await;
        let token = app.token("BAWASLU-16.73");
        // Two connections pass (the limit), the third is refused with 4429.
        for _ in 0..2 {
            let mut ok = Client::open(addr).await;
            assert!(matches!(ok.init(Some(&token)).await, Event::Other(v) if v["type"] == "connection_ack"));
        }
        let mut over = Client::open(addr).await;
        match over.init(Some(&token)).await {
            Event::Closed(code, reason) => {
                assert_eq!(code, 4429, "{engine:?}");
                assert!(reason.contains("rate limited"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // Another agency has its own budget.
        let mut other = Client::open(addr).await;
        let pemda = app.token("PEMDA-16.73");
        assert!(matches!(other.init(Some(&pemda)).await, Event::Other(v) if v["type"] == "connection_ack"));
    }
}
