//! The development issuer `netra-dev`: HS256 tokens signed with
//! `NETRA_DEV_SECRET`, for local work and tests. Production issuers (RS256,
//! ES256, EdDSA, JWKS) come through the trust registry (`trust`, `verify`).

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::AuthError;

/// `iss` of development tokens.
pub const DEV_ISSUER: &str = "netra-dev";
/// `aud` netra requires.
pub const DEV_AUDIENCE: &str = "netra";
/// Allowed clock skew for `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// The claims netra reads from a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Subject: the user at the agency.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Agency code in netra's registry.
    pub agency: String,
    /// Granted permissions.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// Signs and verifies development tokens.
#[derive(Clone)]
pub struct DevIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl DevIssuer {
    /// An issuer for `secret`.
    pub fn new(secret: &SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        Self { encoding: EncodingKey::from_secret(bytes), decoding: DecodingKey::from_secret(bytes) }
    }

    /// Mints a token for `agency` with `permissions`, valid for `ttl`.
    pub fn mint(&self, subject: &str, agency: &str, permissions: &[&str], ttl: Duration) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: DEV_ISSUER.into(),
            aud: DEV_AUDIENCE.into(),
            sub: subject.into(),
            exp: now + i64::try_from(ttl.as_secs())?,
            iat: now,
            nbf: None,
            agency: agency.into(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// Signs arbitrary claims (tests use it to build malformed tokens).
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(encode(&Header::new(Algorithm::HS256), claims, &self.encoding)?)
    }

    /// Checks signature, algorithm, issuer, audience and times.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = LEEWAY_SECS;
        v.validate_nbf = true;
        v.set_issuer(&[DEV_ISSUER]);
        v.set_audience(&[DEV_AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = decode::<Claims>(token, &self.decoding, &v).map_err(|e| refusal(&e))?;
        let now = Utc::now().timestamp();
        // `iat` in the future beyond the leeway means a wrong clock or a forged token.
        if data.claims.iat > now + LEEWAY_SECS as i64 {
            return Err(AuthError("the token was issued in the future".into()));
        }
        Ok(data.claims)
    }
}

/// Says why `jsonwebtoken` refused a token, in words safe for the caller.
pub(super) fn refusal(e: &jsonwebtoken::errors::Error) -> AuthError {
    use jsonwebtoken::errors::ErrorKind as K;
    AuthError(
        match e.kind() {
            K::ExpiredSignature => "the token has expired",
            K::ImmatureSignature => "the token is not valid yet",
            K::InvalidIssuer => "the token's issuer is not trusted",
            K::InvalidAudience => "the token is not meant for netra",
            K::InvalidSignature => "the token's signature does not verify",
            K::InvalidAlgorithm => "the token's algorithm is not allowed for this key",
            K::MissingRequiredClaim(_) => "the token lacks a required claim",
            _ => "the token is malformed",
        }
        .into(),
    )
}
