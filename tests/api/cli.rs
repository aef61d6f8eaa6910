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
