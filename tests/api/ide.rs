//! The offline IDE: every file `/graphiql` needs is served by netra from the
//! binary (no CDN), the page has no inline script, and headless Chromium,
//! with every host but 127.0.0.1 unreachable, loads it, introspects with the
//! token set before, runs a query and saves a screenshot. The Chromium check
//! runs where `chromium` is installed (`.ci/run` installs it) and fails under
//! CI when it is missing. The same server answers `examples/python`'s analyst
//! script, which pages the token's cases into CSV.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::helpers::{Engine, TestApp};

/// The `src` and `href` values of the page that name `/graphiql/assets/`.
fn asset_paths(page: &str) -> Vec<String> {
    page.split('"').filter(|s| s.starts_with("/graphiql/assets/")).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_ide_is_served_entirely_by_netra() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let resp = app.router.clone().oneshot(Request::get("/graphiql").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let page = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(!page.contains("http://") && !page.contains("https://"), "no external URL: {page}");
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script src=\"/graphiql/assets/").count(),
        "no inline script"
    );
    assert!(!page.contains("style=\""), "no inline style");
    let assets = asset_paths(&page);
    assert_eq!(assets.len(), 6, "{assets:?}");
    let sums = include_str!("../../assets/graphiql/vendor/SHA256SUMS");
    for path in assets {
        let resp = app.router.clone().oneshot(Request::get(&path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let kind = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind == "text/javascript" || kind == "text/css", "{path}: {kind}");
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains("unpkg.com/"), "{path} loads from a CDN");
        if !path.contains("netra-") {
            // The pinned build, byte for byte as assets/graphiql/update.sh fetched it.
            let digest = hex::encode(Sha256::digest(&bytes));
            assert!(sums.contains(&digest), "{path} is not a file listed in vendor/SHA256SUMS");
        }
    }
    let (status, _) = app.send(Request::get("/graphiql/assets/nothing.js").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_ide_can_be_switched_off() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.ide = false).await;
    for path in ["/graphiql", "/graphiql/assets/netra-ide.js"] {
        let (status, _) = app.send(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = app.gql(None, "{ regions { code } }", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::OK, "the API itself stays");
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| Command::new(c).arg("--version").output().is_ok())
}

/// Runs headless Chromium on `url` with `extra` (a fresh profile, no network but 127.0.0.1).
fn headless(browser: &str, url: &str, extra: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--window-size=1400,900",
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn headless_chromium_runs_a_query_with_a_token_in_the_offline_ide() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium (see .ci/run)");
        eprintln!("chromium is not installed: the IDE's browser check did not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_netra"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "error")
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("netra.db").display()))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines().map_while(Result::ok);
    let mut base = None;
    let mut token = None;
    for line in lines.by_ref() {
        if let Some(url) = line.strip_prefix("  GraphiQL:  ") {
            base = Some(url.trim().to_owned());
        }
        if let Some(t) = line.trim().strip_prefix("BAWASLU-16.73 ") {
            token = Some(t.trim().to_owned());
            break;
        }
    }
    let (base, token) = (base.expect("serve prints the IDE's URL"), token.expect("serve --demo prints tokens"));
    let url = format!("{base}#token={token}&run");
    let dom = headless(browser, &url, &["--dump-dom"]);
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("graphiql.png");
    let _ = std::fs::remove_file(&shot);
    let pic = headless(browser, &url, &[&format!("--screenshot={}", shot.display())]);
    // The analyst example pages every case of the token into CSV.
    let csv = dir.path().join("cases.csv");
    let py = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/python/cases_to_csv.py"))
        .arg(&csv)
        .env("NETRA_URL", base.replace("/graphiql", "/graphql"))
        .env("NETRA_TOKEN", &token)
        .output();
    server.kill().unwrap();
    server.wait().unwrap();
    let py = py.unwrap();
    let report = String::from_utf8_lossy(&py.stderr);
    assert!(py.status.success(), "{report}");
    let lines = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert!(lines > 1 && report.contains(&format!("{} of {} cases written", lines - 1, lines - 1)), "{report}");

    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("data-netra-introspected=\"with-token\""), "the schema was fetched with the token:\n{dom}");
    assert!(dom.contains("graphiql-container"), "GraphiQL rendered");
    assert!(dom.contains("BAWASLU-16.73"), "the query ran with the token (me.agency.code in the result):\n{dom}");
    assert!(dom.contains("totalCount"), "{dom}");
    let png =
        std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&pic.stderr)));
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot at {}", shot.display());
    eprintln!("IDE screenshot: {}", shot.display());
}
