//! An invalid trust file stops the start with a message naming the file and
//! the issuer at fault: through the loader, and through `netra serve`.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use netra::auth::JwksPolicy;

use super::{issuer, load, TrustDir, BAWASLU_SSO};

/// Bawaslu's issuer with one line replaced or added.
fn bawaslu_with(algorithms: &[&str], source: &str, agencies: &[&str], extra: &str) -> String {
    issuer(BAWASLU_SSO, algorithms, source, agencies, extra)
}

const RSA_FILE: &str = r#"jwks_file = "keys/rsa.jwks.json""#;
const SECRET_ENV: &str = r#"secret_env = "BAWASLU_SSO_SECRET""#;
const NAMED: &str = "issuer `https://sso.bawaslu.example`: ";

#[test]
fn an_invalid_trust_file_stops_the_start_naming_the_file_and_the_issuer() {
    let dir = TrustDir::new();
    dir.write("keys/empty.jwks.json", r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#);
    let good = bawaslu_with(&["RS256"], RSA_FILE, &["BAWASLU"], "");
    let cases: Vec<(String, &str, &str)> = vec![
        ("[[issuer]\n".into(), "", "is not a valid trust registry"),
        ("".into(), "", "declares no `[[issuer]]`"),
        (format!("{good}[extra]\nx = 1\n"), "", "unknown field `extra`"),
        (bawaslu_with(&["RS256"], RSA_FILE, &["BAWASLU"], r#"audiance = "netra""#), NAMED, "unknown field `audiance`"),
        (bawaslu_with(&["RS256"], RSA_FILE, &[], ""), NAMED, "`agencies` is empty"),
        (bawaslu_with(&["RS256"], RSA_FILE, &["*"], ""), NAMED, "agency pattern `*` has no prefix"),
        (bawaslu_with(&["RS256"], RSA_FILE, &["BAW*SLU"], ""), NAMED, "agency pattern `BAW*SLU`"),
        (bawaslu_with(&["RS256"], RSA_FILE, &["bawaslu"], ""), NAMED, "agency pattern `bawaslu`"),
        (format!("{good}{good}"), NAMED, "is declared twice"),
        (bawaslu_with(&["RS256"], "", &["BAWASLU"], ""), NAMED, "has no key source"),
        (
            bawaslu_with(
                &["RS256"],
                &format!("{RSA_FILE}\njwks_url = \"https://sso.bawaslu.example/jwks\""),
                &["BAWASLU"],
                "",
            ),
            NAMED,
            "more than one key source",
        ),
        (bawaslu_with(&["ES512"], RSA_FILE, &["BAWASLU"], ""), NAMED, "unsupported algorithm `ES512`"),
        (bawaslu_with(&["RS256", "none"], RSA_FILE, &["BAWASLU"], ""), NAMED, "algorithm `none` is never allowed"),
        (bawaslu_with(&[], RSA_FILE, &["BAWASLU"], ""), NAMED, "at least one algorithm"),
        (bawaslu_with(&["RS256", "HS256"], RSA_FILE, &["BAWASLU"], ""), NAMED, "`HS256` needs a shared secret"),
        (bawaslu_with(&["RS256"], SECRET_ENV, &["BAWASLU"], ""), NAMED, "`RS256` needs a public key"),
        (bawaslu_with(&["RS256"], RSA_FILE, &["BAWASLU"], "leeway_seconds = 301"), NAMED, "more than the maximum 300"),
        (issuer("netra-dev", &["RS256"], RSA_FILE, &["BAWASLU"], ""), "issuer `netra-dev`: ", "development issuer"),
        (bawaslu_with(&["HS256"], r#"secret_env = "NOT_SET_ANYWHERE""#, &["BAWASLU"], ""), NAMED, "`NOT_SET_ANYWHERE`"),
        (bawaslu_with(&["HS256"], r#"secret_env = "SHORT_SECRET""#, &["BAWASLU"], ""), NAMED, "fewer than 32 bytes"),
        (
            bawaslu_with(&["RS256"], r#"jwks_file = "keys/missing.json""#, &["BAWASLU"], ""),
            NAMED,
            "cannot read jwks_file",
        ),
        (
            bawaslu_with(&["RS256"], r#"jwks_file = "keys/empty.jwks.json""#, &["BAWASLU"], ""),
            NAMED,
            "no usable signing key",
        ),
        (bawaslu_with(&["ES256"], RSA_FILE, &["BAWASLU"], ""), NAMED, "has no key for the algorithms"),
        (
            bawaslu_with(&["RS256"], r#"jwks_url = "http://sso.bawaslu.example/jwks""#, &["BAWASLU"], ""),
            NAMED,
            "must use https",
        ),
        (
            format!("{good}[[issuer]]\nissuer = \"https://x.example\"\n"),
            "issuer `https://x.example`: ",
            "missing field",
        ),
    ];
    let env = [("SHORT_SECRET", "too-short"), ("BAWASLU_SSO_SECRET", "a-secret-of-more-than-32-bytes-0123456789")];
    for (toml, who, fragment) in cases {
        let path = dir.trust(&toml);
        let err = match load(&path, &env, &JwksPolicy::default()) {
            Ok(_) => panic!("accepted:\n{toml}"),
            Err(e) => e.to_string(),
        };
        let file = format!("trust file `{}`: ", path.display());
        assert!(err.starts_with(&format!("{file}{who}")), "names file and issuer: {err}");
        assert!(err.contains(fragment), "`{fragment}` in: {err}");
    }
    // The unchanged entry loads, and an unreadable file names itself too.
    assert_eq!(load(&dir.trust(&good), &env, &JwksPolicy::default()).unwrap().len(), 1);
    let missing = dir.dir.path().join("nowhere.toml");
    let err = load(&missing, &env, &JwksPolicy::default()).err().unwrap().to_string();
    assert!(err.starts_with(&format!("trust file `{}`: cannot be read", missing.display())), "{err}");
}

/// Runs `netra serve` with `trust` as NETRA_TRUST_FILE until it exits
/// (`Some(success)`) or says it is serving (`None`; then it is stopped).
fn serve(trust: &std::path::Path, db: &std::path::Path) -> (Option<bool>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netra"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("NETRA_LISTEN", "127.0.0.1:0")
        .env("NETRA_TRUST_FILE", trust)
        .env("RUST_LOG", "error")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut out = String::new();
    let exited = loop {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let serving = line.contains("netra is serving");
            out.push_str(&line);
            out.push('\n');
            if serving {
                break None;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status.success());
        }
        assert!(started.elapsed() < Duration::from_secs(60), "netra serve neither started nor stopped: {out}");
    };
    if exited.is_none() {
        child.kill().unwrap();
    }
    child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (exited, out, err)
}

#[test]
fn netra_serve_refuses_to_start_with_an_invalid_trust_file_and_starts_with_a_valid_one() {
    let dir = TrustDir::new();
    let db = dir.dir.path().join("netra.db");
    let bad = dir.write("bad.toml", &bawaslu_with(&["none"], RSA_FILE, &["BAWASLU"], ""));
    let (exited, out, err) = serve(&bad, &db);
    assert_eq!(exited, Some(false), "must stop: {out} {err}");
    assert!(err.contains("bad.toml") && err.contains(BAWASLU_SSO) && err.contains("`none`"), "{err}");
    assert!(!out.contains("serving"), "{out}");
    let good = dir.trust(&bawaslu_with(&["RS256"], RSA_FILE, &["BAWASLU"], ""));
    let (exited, out, err) = serve(&good, &db);
    assert_eq!(exited, None, "a valid registry keeps netra serving: {out} {err}");
    assert!(out.contains("netra is serving"), "{out} {err}");
}
