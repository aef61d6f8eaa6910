//! The trust registry file (`NETRA_TRUST_FILE`): which token issuers netra
//! trusts, with their audience, algorithms, key source and the agency codes
//! each may speak for. This module parses and validates the TOML text and
//! nothing else: it reads no file, no key, no environment and no network
//! (`keys` and `verify` do that with what it returns).

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use jsonwebtoken::Algorithm;
use serde::Deserialize;

use super::DEV_ISSUER;

/// Clock skew allowed for `exp`, `nbf` and `iat` when an issuer names none.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;
/// The largest `leeway_seconds` an issuer may ask for.
pub const MAX_LEEWAY_SECS: u64 = 300;

/// Why a trust file was refused. Its display names the file and, where one is
/// to blame, the issuer, so an operator can fix it from the message alone.
#[derive(Debug, Clone, thiserror::Error)]
#[error("trust file `{}`: {}{message}", file.display(), issuer.as_deref().map(|i| format!("{i}: ")).unwrap_or_default())]
pub struct TrustError {
    /// The trust file.
    pub file: PathBuf,
    /// The issuer entry at fault, as `issuer `…`` or `[[issuer]] #N`; `None` for the file as a whole.
    pub issuer: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Where an issuer's verification keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// An HS256/384/512 secret, read at start from this environment variable.
    SecretEnv(String),
    /// A JWKS file; relative paths are already resolved against the trust file's directory.
    JwksFile(PathBuf),
    /// A JWKS fetched over HTTPS (plain HTTP only on the loopback interface).
    JwksUrl(String),
}

/// One entry of an issuer's `agencies`: an exact agency code, or a prefix
/// pattern ending in `*` (`BAWASLU-*` matches `BAWASLU-16.73`, not `BAWASLU`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyPattern {
    /// Exactly this code.
    Exact(String),
    /// Any code that starts with this prefix and goes on.
    Prefix(String),
}

impl AgencyPattern {
    /// Parses one pattern; `Err` says what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (body, prefix) = match raw.strip_suffix('*') {
            Some(body) => (body, true),
            None => (raw, false),
        };
        if body.is_empty() {
            return Err(format!(
                "agency pattern `{raw}` has no prefix; a pattern must name at least the start of a code, like `BAWASLU-*`"
            ));
        }
        let valid = body.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'));
        if !valid {
            return Err(format!(
                "agency pattern `{raw}` is not an agency code (A-Z, 0-9, `-`, `.`, `_`) optionally followed by one `*`"
            ));
        }
        Ok(if prefix { Self::Prefix(body.to_owned()) } else { Self::Exact(body.to_owned()) })
    }

    /// Whether `code` falls under this pattern.
    pub fn matches(&self, code: &str) -> bool {
        match self {
            Self::Exact(c) => c == code,
            Self::Prefix(p) => code.len() > p.len() && code.starts_with(p.as_str()),
        }
    }
}

/// A validated `[[issuer]]` entry.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// The `aud` its tokens must carry.
    pub audience: String,
    /// The header algorithms accepted from it; never empty, never `none`.
    pub algorithms: Vec<Algorithm>,
    /// Where its keys come from.
    pub keys: KeySource,
    /// The agency codes it may speak for; never empty.
    pub agencies: Vec<AgencyPattern>,
    /// Allowed clock skew in seconds.
    pub leeway_secs: u64,
}

impl IssuerConfig {
    /// Whether this issuer may issue tokens for agency `code`.
    pub fn may_speak_for(&self, code: &str) -> bool {
        self.agencies.iter().any(|p| p.matches(code))
    }
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    issuer: Vec<toml::Table>,
}

/// One `[[issuer]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    issuer: String,
    audience: String,
    algorithms: Vec<String>,
    jwks_file: Option<PathBuf>,
    jwks_url: Option<String>,
    secret_env: Option<String>,
    agencies: Vec<String>,
    leeway_seconds: Option<u64>,
}

/// Algorithms whose key is a shared secret (`secret_env`).
fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// Parses and validates the text of trust file `file` (used for messages and to
/// resolve relative `jwks_file` paths).
pub fn parse(text: &str, file: &Path) -> Result<Vec<IssuerConfig>, TrustError> {
    let err = |issuer: Option<String>, message: String| TrustError { file: file.to_owned(), issuer, message };
    let raw: RawFile = toml::from_str(text).map_err(|e| err(None, format!("is not a valid trust registry: {e}")))?;
    if raw.issuer.is_empty() {
        return Err(err(None, "declares no `[[issuer]]`; remove NETRA_TRUST_FILE or add an issuer".into()));
    }
    let base = file.parent().unwrap_or_else(|| Path::new(""));
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(raw.issuer.len());
    for (n, table) in raw.issuer.into_iter().enumerate() {
        let name = match table.get("issuer").and_then(toml::Value::as_str) {
            Some(iss) => format!("issuer `{iss}`"),
            None => format!("[[issuer]] #{}", n + 1),
        };
        let entry: RawIssuer =
            table.try_into().map_err(|e| err(Some(name.clone()), e.message().trim_end().to_owned()))?;
        let issuer = validate(entry, base).map_err(|m| err(Some(name.clone()), m))?;
        if !seen.insert(issuer.issuer.clone()) {
            return Err(err(Some(name), "is declared twice; each issuer gets exactly one `[[issuer]]`".into()));
        }
        out.push(issuer);
    }
    Ok(out)
}

/// Checks one entry; `Err` is the message.
fn validate(raw: RawIssuer, base: &Path) -> Result<IssuerConfig, String> {
    if raw.issuer.trim().is_empty() || raw.issuer.trim() != raw.issuer {
        return Err("`issuer` must be the exact, non-empty `iss` of the tokens".into());
    }
    if raw.issuer == DEV_ISSUER {
        return Err(format!(
            "`{DEV_ISSUER}` is netra's development issuer and cannot be declared in a trust file (it is enabled by NETRA_DEV_SECRET)"
        ));
    }
    if raw.audience.trim().is_empty() {
        return Err("`audience` must not be empty".into());
    }
    if raw.algorithms.is_empty() {
        return Err("`algorithms` must name at least one algorithm".into());
    }
    let mut algorithms = Vec::new();
    for name in &raw.algorithms {
        if name.eq_ignore_ascii_case("none") {
            return Err("algorithm `none` is never allowed: every token must be signed".into());
        }
        let alg = Algorithm::from_str(name).ok().filter(|a| *a != Algorithm::ES384).ok_or_else(|| {
            format!(
                "unsupported algorithm `{name}`; supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, EdDSA, \
                 HS256, HS384, HS512"
            )
        })?;
        if !algorithms.contains(&alg) {
            algorithms.push(alg);
        }
    }
    let keys = match (raw.secret_env, raw.jwks_file, raw.jwks_url) {
        (Some(var), None, None) => {
            if !var.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') || var.is_empty() {
                return Err(format!(
                    "`secret_env` = `{var}` is not an environment variable name like `BAWASLU_SSO_SECRET`"
                ));
            }
            if let Some(alg) = algorithms.iter().find(|a| !is_hmac(**a)) {
                return Err(format!(
                    "algorithm `{alg:?}` needs a public key (`jwks_file` or `jwks_url`); `secret_env` serves only HS256, HS384, HS512"
                ));
            }
            KeySource::SecretEnv(var)
        }
        (None, Some(path), None) => KeySource::JwksFile(if path.is_absolute() { path } else { base.join(path) }),
        (None, None, Some(url)) => KeySource::JwksUrl(check_url(&url)?),
        (None, None, None) => {
            return Err("has no key source: set one of `jwks_file`, `jwks_url` or `secret_env`".into());
        }
        _ => {
            return Err(
                "has more than one key source: set exactly one of `jwks_file`, `jwks_url` or `secret_env`".into()
            )
        }
    };
    if !matches!(keys, KeySource::SecretEnv(_)) {
        if let Some(alg) = algorithms.iter().find(|a| is_hmac(**a)) {
            return Err(format!(
                "algorithm `{alg:?}` needs a shared secret (`secret_env`); a JWKS holds public keys only"
            ));
        }
    }
    if raw.agencies.is_empty() {
        return Err(
            "`agencies` is empty: list the agency codes (or `PREFIX-*` patterns) this issuer may speak for".into()
        );
    }
    let agencies = raw.agencies.iter().map(|p| AgencyPattern::parse(p)).collect::<Result<Vec<_>, _>>()?;
    let leeway_secs = raw.leeway_seconds.unwrap_or(DEFAULT_LEEWAY_SECS);
    if leeway_secs > MAX_LEEWAY_SECS {
        return Err(format!("`leeway_seconds` = {leeway_secs} is more than the maximum {MAX_LEEWAY_SECS}"));
    }
    Ok(IssuerConfig { issuer: raw.issuer, audience: raw.audience, algorithms, keys, agencies, leeway_secs })
}

/// A JWKS URL must be HTTPS, so nobody on the path can swap the keys; plain
/// HTTP is accepted only on the loopback interface (a local SSO, tests).
fn check_url(raw: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(raw).map_err(|e| format!("`jwks_url` = `{raw}` is not a URL: {e}"))?;
    let loopback = match url.host_str() {
        Some("localhost") => true,
        Some(host) => {
            host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    };
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if loopback => Ok(raw.to_owned()),
        _ => Err(format!("`jwks_url` = `{raw}` must use https (plain http only on 127.0.0.1, [::1] or localhost)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_pattern_matches_longer_codes_only() {
        let p = AgencyPattern::parse("BAWASLU-*").unwrap();
        assert!(p.matches("BAWASLU-16.73"));
        assert!(!p.matches("BAWASLU"));
        assert!(!p.matches("BAWASLU-"));
        assert!(!p.matches("PEMDA-16"));
        assert!(AgencyPattern::parse("BAWASLU").unwrap().matches("BAWASLU"));
        assert!(!AgencyPattern::parse("BAWASLU").unwrap().matches("BAWASLU-16"));
    }

    #[test]
    fn patterns_without_a_prefix_or_with_inner_stars_are_refused() {
        for bad in ["*", "", "BAW*SLU", "bawaslu", "BAWASLU-**", "BAWASLU *"] {
            assert!(AgencyPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_https_or_loopback_http_jwks_urls_are_accepted() {
        assert!(check_url("https://sso.example/jwks.json").is_ok());
        assert!(check_url("http://127.0.0.1:8000/jwks").is_ok());
        assert!(check_url("http://localhost/jwks").is_ok());
        assert!(check_url("http://[::1]:9/jwks").is_ok());
        assert!(check_url("http://sso.example/jwks").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
    }
}
