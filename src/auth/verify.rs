//! Tokens of the issuers declared in the trust registry: loading the registry
//! with its keys at start, and verifying one token against the one issuer it
//! names. Which agency the token may speak for is checked by the caller
//! (`Authenticator`), with the issuer's patterns and netra's own registry.

use std::path::Path;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{decode, Algorithm, Validation};
use serde::Deserialize;

use super::jwt::refusal;
use super::keys::{JwksPolicy, KeySet, KeyStore, RemoteJwks};
use super::trust::{self, IssuerConfig, KeySource, TrustError};
use super::{AuthError, Claims};

/// Shortest HMAC secret accepted from `secret_env`, in bytes.
const MIN_SECRET_BYTES: usize = 32;

/// A trusted issuer: its validated entry and its keys.
pub struct TrustedIssuer {
    config: IssuerConfig,
    keys: KeyStore,
}

/// The header fields netra reads. `jku`, `x5u`, `x5c` and `jwk` are
/// deliberately absent: keys never come from the token.
#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

/// The claims as a production issuer sends them (`aud` may be a list). The
/// required ones are optional here so that their absence is reported as such
/// by the validation rather than as a malformed token.
#[derive(Deserialize)]
struct IssuedClaims {
    iss: Option<String>,
    sub: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    nbf: Option<i64>,
    agency: Option<String>,
    #[serde(default)]
    permissions: Vec<String>,
}

/// Decodes one base64url JSON segment of a token, without verifying anything.
pub(crate) fn segment<T: serde::de::DeserializeOwned>(token: &str, index: usize) -> Result<T, AuthError> {
    let malformed = || AuthError("the token is malformed".into());
    let parts: Vec<&str> = token.split('.').collect();
    let part = parts.get(index).filter(|_| parts.len() == 3).ok_or_else(malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| malformed())?;
    serde_json::from_slice(&bytes).map_err(|_| malformed())
}

impl TrustedIssuer {
    /// Builds the keys of one validated entry. `env` looks environment
    /// variables up (the process environment in production, a map in tests).
    fn build(config: IssuerConfig, env: &dyn Fn(&str) -> Option<String>, policy: &JwksPolicy) -> Result<Self, String> {
        let keys = match &config.keys {
            KeySource::SecretEnv(var) => {
                let secret = env(var).ok_or_else(|| format!("environment variable `{var}` (secret_env) is not set"))?;
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(format!(
                        "environment variable `{var}` (secret_env) holds fewer than {MIN_SECRET_BYTES} bytes"
                    ));
                }
                KeyStore::secret(secret.as_bytes())
            }
            KeySource::JwksFile(path) => {
                let bytes =
                    std::fs::read(path).map_err(|e| format!("cannot read jwks_file `{}`: {e}", path.display()))?;
                let (set, skipped) =
                    KeySet::from_jwks(&bytes).map_err(|e| format!("jwks_file `{}` {e}", path.display()))?;
                for why in skipped {
                    tracing::warn!(issuer = %config.issuer, file = %path.display(), "JWKS key left out: {why}");
                }
                if !set.serves_any(&config.algorithms) {
                    return Err(format!(
                        "jwks_file `{}` has no key for the algorithms {:?}",
                        path.display(),
                        config.algorithms
                    ));
                }
                KeyStore::Static(set)
            }
            KeySource::JwksUrl(url) => KeyStore::Remote(RemoteJwks::new(url.clone(), policy.clone())?),
        };
        Ok(Self { config, keys })
    }

    /// The validated entry.
    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    /// Verifies `token`, which names this issuer in its (unverified) `iss`,
    /// with this issuer's keys only.
    pub(crate) async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header: Header = segment(token, 0)?;
        let alg = Algorithm::from_str(&header.alg)
            .ok()
            .filter(|a| self.config.algorithms.contains(a))
            .ok_or_else(|| AuthError("the token's algorithm is not allowed for this issuer".into()))?;
        if header.crit.is_some() {
            // RFC 7515 §4.1.11: extensions named critical must be understood; netra understands none.
            return Err(AuthError("the token names critical header extensions netra does not support".into()));
        }
        let key = self.keys.key_for(alg, header.kid.as_deref()).await?;
        let c = &self.config;
        // Exactly the header's algorithm, already checked against the issuer's list and the key's type.
        let mut v = Validation::new(alg);
        v.leeway = c.leeway_secs;
        v.validate_nbf = true;
        v.set_issuer(&[&c.issuer]);
        v.set_audience(&[&c.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = decode::<IssuedClaims>(token, &key, &v).map_err(|e| refusal(&e))?.claims;
        let (Some(iss), Some(sub), Some(exp), Some(iat)) = (claims.iss, claims.sub, claims.exp, claims.iat) else {
            return Err(AuthError("the token lacks a required claim".into()));
        };
        let leeway = i64::try_from(c.leeway_secs).unwrap_or(i64::MAX);
        if iat > Utc::now().timestamp().saturating_add(leeway) {
            return Err(AuthError("the token was issued in the future".into()));
        }
        let agency = claims.agency.ok_or_else(|| AuthError("the token lacks the agency claim".into()))?;
        Ok(Claims {
            iss,
            aud: c.audience.clone(),
            sub,
            exp,
            iat,
            nbf: claims.nbf,
            agency,
            permissions: claims.permissions,
        })
    }
}

/// Loads trust file `path`: parses and validates it, reads every
/// `secret_env` variable through `env` and every `jwks_file`. `jwks_url`
/// keys are fetched later, on first use. Any problem stops the start.
pub fn load_trust_file(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    policy: &JwksPolicy,
) -> Result<Vec<TrustedIssuer>, TrustError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrustError {
        file: path.to_owned(),
        issuer: None,
        message: format!("cannot be read: {e}"),
    })?;
    trust::parse(&text, path)?
        .into_iter()
        .map(|config| {
            let issuer = format!("issuer `{}`", config.issuer);
            TrustedIssuer::build(config, env, policy).map_err(|message| TrustError {
                file: path.to_owned(),
                issuer: Some(issuer),
                message,
            })
        })
        .collect()
}
