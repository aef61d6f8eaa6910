//! What the operator reads in the logs of the real binary: with
//! `NETRA_LOG_FORMAT=json` one JSON object per line, one access-log line per
//! request at info carrying the request id (from the request's span), the
//! agency and the operation name, never the token or the variables; and
//! SIGTERM ends the process within its grace time.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use netra::auth::DevIssuer;
use secrecy::SecretString;

use crate::helpers::SECRET;

#[test]
fn json_logs_carry_one_access_line_per_request_with_its_id_and_sigterm_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_netra"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("netra.db").display()))
        .env("RUST_LOG", "info")
        .env("NETRA_LOG_FORMAT", "json")
        .env("NETRA_DEV_SECRET", SECRET)
        .env("NETRA_SHUTDOWN_GRACE_SECS", "2")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open to the end: netra prints more lines, and a closed pipe would kill it.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let addr = first.split("http://").nth(1).unwrap().trim().to_owned();
    let token = DevIssuer::new(&SecretString::from(SECRET))
        .mint("log-tester", "BAWASLU-16", &["read"], Duration::from_secs(60))
        .unwrap();
    let body = r#"{"query":"query Totals($n: Int) { cases(first: $n) { totalCount } }","variables":{"n":3}}"#;
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /graphql HTTP/1.1\r\nHost: netra\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\n\
         x-request-id: log-test-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    let read = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    if !answer.starts_with("HTTP/1.1 200") {
        let _ = child.kill();
        let mut logs = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut logs);
        panic!("{read:?}: {answer}\nserver log:\n{logs}");
    }

    let started = Instant::now();
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    drop(stdout);
    assert!(started.elapsed() < Duration::from_secs(4), "stopped after {:?}", started.elapsed());
    assert!(status.success(), "{status:?}");

    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let lines: Vec<serde_json::Value> =
        logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect();
    let access: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["fields"]["message"] == "request" && l["span"]["id"] == "log-test-1").collect();
    assert_eq!(access.len(), 1, "{logs}");
    let f = &access[0]["fields"];
    assert_eq!(access[0]["level"], "INFO");
    assert_eq!(f["method"], "POST");
    assert_eq!(f["path"], "/graphql");
    assert_eq!(f["status"], 200);
    assert_eq!(f["agency"], "BAWASLU-16");
    assert_eq!(f["operation"], "Totals");
    assert_eq!(f["request_id"], "log-test-1");
    assert!(f["duration_ms"].is_u64());
    assert!(!logs.contains(&token) && !logs.contains("\"n\":3"), "no token or variables in the logs");
}
