//! The `netra` binary's contract: `token` prints the token alone, `schema`
//! prints the checked-in SDL, invalid configuration stops with a message.

use std::process::Command;

use crate::helpers::SECRET;

fn netra(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_netra"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("RUST_LOG", "error");
    cmd
}

#[test]
fn token_prints_only_a_token_for_a_registered_agency() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("netra.db");
    let out = netra(&db)
        .env("NETRA_DEV_SECRET", SECRET)
        .args(["token", "--agency", "BAWASLU-16.73", "--ttl", "30m"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.trim_end();
    assert_eq!(stdout.lines().count(), 1);
    assert_eq!(token.split('.').count(), 3, "{token}");
    let issuer = netra::auth::DevIssuer::new(&secrecy::SecretString::from(SECRET));
    let claims = issuer.verify(token).unwrap();
    assert_eq!(claims.agency, "BAWASLU-16.73");
    assert_eq!(claims.permissions, vec!["read"]);
    assert!(claims.exp - claims.iat <= 1800);

    let unknown =
        netra(&db).env("NETRA_DEV_SECRET", SECRET).args(["token", "--agency", "BAWASLU-99"]).output().unwrap();
    assert!(!unknown.status.success());
    assert!(unknown.stdout.is_empty());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not an agency"));
}

#[test]
fn token_is_refused_without_the_development_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let out = netra(&dir.path().join("netra.db")).args(["token", "--agency", "BAWASLU"]).output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NETRA_DEV_SECRET"));
}

#[test]
fn schema_command_prints_the_checked_in_sdl() {
    let dir = tempfile::tempdir().unwrap();
    let out = netra(&dir.path().join("netra.db")).arg("schema").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed == include_str!("../../schema.graphql").replace("\r\n", "\n"),
        "`netra schema` differs from schema.graphql"
    );
}

#[test]
fn production_refuses_the_development_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let out = netra(&dir.path().join("netra.db"))
        .env("NETRA_ENV", "production")
        .env("NETRA_DEV_SECRET", SECRET)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NETRA_DEV_SECRET must not be set"));
    let ok = netra(&dir.path().join("netra.db")).env("NETRA_ENV", "production").arg("migrate").output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn help_lists_every_variable_with_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let top = netra(&dir.path().join("netra.db")).arg("--help").output().unwrap();
    let serve = netra(&dir.path().join("netra.db")).args(["serve", "--help"]).output().unwrap();
    assert!(top.status.success() && serve.status.success());
    let known = netra::config::known_variables(&<netra::cli::Cli as clap::CommandFactory>::command());
    assert!(known.len() >= 20, "{known:?}");
    for help in [String::from_utf8(top.stdout).unwrap(), String::from_utf8(serve.stdout).unwrap()] {
        for name in &known {
            assert!(help.contains(&format!("[env: {name}")), "`{name}` missing from:\n{help}");
        }
        assert!(help.contains("[default: 127.0.0.1:8080]"), "{help}");
        assert!(help.contains("[default: sqlite://netra.db?mode=rwc]"), "{help}");
        assert!(help.contains("[default: 100]"), "{help}");
        assert!(help.contains("--listen <ADDR>") && help.contains("--database-url"), "{help}");
    }
}

#[test]
fn help_never_shows_the_value_of_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("secret-path.db");
    let out = netra(&db).env("NETRA_DEV_SECRET", SECRET).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("NETRA_DEV_SECRET"), "{help}");
    assert!(!help.contains(SECRET) && !help.contains("secret-path"), "{help}");
}

#[test]
fn token_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_netra"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NETRA_DEV_SECRET", SECRET)
        .current_dir(dir.path())
        .args(["token", "--agency", "PEMDA-16.73"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().split('.').count(), 3);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "token left files behind: {left:?}");
}

#[test]
fn a_misspelt_variable_is_warned_about_and_an_empty_one_means_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = netra(&dir.path().join("netra.db"))
        .env("RUST_LOG", "warn")
        .env("NETRA_MAX_PAGESIZE", "5")
        .env("NETRA_MAX_PAGE_SIZE", "")
        .env("NETRA_TEST_POSTGRES_URL", "postgres://ignored")
        .arg("migrate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("NETRA_MAX_PAGESIZE is not a netra setting") && stderr.contains("NETRA_MAX_PAGE_SIZE?"),
        "{stderr}"
    );
    assert!(!stderr.contains("NETRA_TEST_POSTGRES_URL"), "{stderr}");
    let bad = netra(&dir.path().join("netra.db")).env("NETRA_MAX_PAGE_SIZE", "many").arg("migrate").output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("many"), "{}", String::from_utf8_lossy(&bad.stderr));
}

#[test]
fn options_override_their_variables() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere.db");
    let out = netra(&dir.path().join("netra.db"))
        .args(["migrate", "--database-url", &format!("sqlite://{}?mode=rwc", elsewhere.display())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(elsewhere.exists());
    assert!(!dir.path().join("netra.db").exists());
}

#[test]
fn serve_listens_where_the_option_says_over_the_variable() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = netra(&dir.path().join("netra.db"))
        // An address of no interface here: serving there would fail.
        .env("NETRA_LISTEN", "192.0.2.1:8080")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.contains("netra is serving") && first.contains("http://127.0.0.1:"), "{first}");
}
