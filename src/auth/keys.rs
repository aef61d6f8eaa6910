//! Verification keys of the trusted issuers: JWKS parsing, key selection by
//! `kid` and algorithm, and the cache of JWKS fetched over HTTP(S). It never
//! looks at a token's claims, and never takes a key from a token (`jku`,
//! `x5u` and an embedded `jwk` are not read here or anywhere).

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use super::AuthError;

/// Smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// How remote JWKS are fetched and cached. The defaults suit production;
/// tests shorten the intervals.
#[derive(Debug, Clone)]
pub struct JwksPolicy {
    /// At most one fetch per issuer in this interval, whatever tokens arrive
    /// (unknown `kid`s, an unreachable server): the bound on the refresh rate.
    pub min_refresh_interval: Duration,
    /// Keys older than this are fetched again before use; if that fetch
    /// fails, tokens are refused (fail closed) rather than checked against
    /// keys that may have been withdrawn.
    pub max_age: Duration,
    /// Time limit of one fetch.
    pub fetch_timeout: Duration,
    /// Largest JWKS document accepted, in bytes.
    pub max_bytes: usize,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        Self {
            min_refresh_interval: Duration::from_secs(30),
            max_age: Duration::from_secs(600),
            fetch_timeout: Duration::from_secs(5),
            max_bytes: 256 * 1024,
        }
    }
}

/// The kind of a verification key, which fixes the algorithms it may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    /// RSA (`kty` `RSA`), at least 2048 bits.
    Rsa,
    /// EC on P-256 (`kty` `EC`, `crv` `P-256`).
    EcP256,
    /// Ed25519 (`kty` `OKP`, `crv` `Ed25519`).
    Ed25519,
    /// A shared HMAC secret.
    Secret,
}

impl KeyKind {
    /// Whether a key of this kind may verify `alg`: this is what stops
    /// algorithm confusion (an HS256 token "signed" with an RSA public key).
    fn fits(self, alg: Algorithm) -> bool {
        use Algorithm as A;
        match self {
            Self::Rsa => matches!(alg, A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512),
            Self::EcP256 => alg == A::ES256,
            Self::Ed25519 => alg == A::EdDSA,
            Self::Secret => matches!(alg, A::HS256 | A::HS384 | A::HS512),
        }
    }
}

/// One key netra may verify with.
#[derive(Clone)]
struct VerifyingKey {
    kid: Option<String>,
    kind: KeyKind,
    /// The JWK's own `alg`, if it names one: then only that algorithm.
    alg: Option<Algorithm>,
    key: DecodingKey,
}

impl VerifyingKey {
    fn fits(&self, alg: Algorithm) -> bool {
        self.kind.fits(alg) && self.alg.is_none_or(|a| a == alg)
    }
}

/// The usable signing keys of one JWKS document.
#[derive(Clone)]
pub(crate) struct KeySet {
    keys: Vec<VerifyingKey>,
}

/// The document's shape; each key is parsed on its own so one odd key (an
/// encryption key, an unsupported curve) does not hide the others.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// Parses a JWKS document. Keys netra cannot or must not use (encryption
    /// keys, symmetric keys, unsupported curves, RSA under 2048 bits) are left
    /// out and reported in the second value; no usable key at all is an error.
    pub(crate) fn from_jwks(bytes: &[u8]) -> Result<(Self, Vec<String>), String> {
        let raw: RawSet = serde_json::from_slice(bytes).map_err(|e| format!("is not a JWKS document: {e}"))?;
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for (n, value) in raw.keys.into_iter().enumerate() {
            match usable(value) {
                Ok(key) => keys.push(key),
                Err(why) => skipped.push(format!("key #{}: {why}", n + 1)),
            }
        }
        if keys.is_empty() {
            return Err(format!("has no usable signing key ({})", skipped.join("; ")));
        }
        Ok((Self { keys }, skipped))
    }

    /// Whether some key can verify one of `algorithms`.
    pub(crate) fn serves_any(&self, algorithms: &[Algorithm]) -> bool {
        self.keys.iter().any(|k| algorithms.iter().any(|a| k.fits(*a)))
    }

    /// The key for a token with header `alg` and `kid`.
    fn choose(&self, alg: Algorithm, kid: Option<&str>) -> Choice {
        let named: Vec<&VerifyingKey> = match kid {
            Some(kid) => {
                let named: Vec<_> = self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid)).collect();
                if named.is_empty() {
                    return Choice::UnknownKid;
                }
                named
            }
            None => self.keys.iter().collect(),
        };
        let mut fitting = named.iter().filter(|k| k.fits(alg));
        match (fitting.next(), fitting.next()) {
            (Some(key), None) => Choice::Key(key.key.clone()),
            (None, _) if kid.is_some() => Choice::WrongAlgorithm,
            (None, _) => Choice::NoKey,
            (Some(_), Some(_)) => Choice::Ambiguous,
        }
    }
}

/// The outcome of looking a key up.
enum Choice {
    Key(DecodingKey),
    UnknownKid,
    WrongAlgorithm,
    NoKey,
    Ambiguous,
}

impl Choice {
    fn into_key(self) -> Result<DecodingKey, AuthError> {
        let message = match self {
            Self::Key(key) => return Ok(key),
            Self::UnknownKid => "the token's key id is not among the issuer's keys",
            Self::WrongAlgorithm => "the token's algorithm is not allowed for this key",
            Self::NoKey => "no key of the issuer fits the token's algorithm",
            Self::Ambiguous => "the token names no key id and the issuer has several keys for its algorithm",
        };
        Err(AuthError(message.into()))
    }
}

/// Turns one JWK into a usable key, or says why not.
fn usable(value: serde_json::Value) -> Result<VerifyingKey, String> {
    let jwk: Jwk = serde_json::from_value(value).map_err(|e| format!("not a supported JWK ({e})"))?;
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err("not a signing key (`use` is not `sig`)".into()),
    }
    if let Some(ops) = &jwk.common.key_operations {
        if !ops.iter().any(|op| matches!(op, KeyOperations::Verify)) {
            return Err("`key_ops` does not allow `verify`".into());
        }
    }
    let alg = match jwk.common.key_algorithm {
        None => None,
        Some(a) => {
            Some(Algorithm::from_str(&a.to_string()).map_err(|_| format!("`alg` {a} is not a signature algorithm"))?)
        }
    };
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(p) => {
            let n = URL_SAFE_NO_PAD.decode(p.n.trim_end_matches('=')).map_err(|_| "RSA modulus is not base64url")?;
            let bits = n.iter().position(|b| *b != 0).map_or(0, |i| (n.len() - i) * 8);
            if bits < MIN_RSA_BITS {
                return Err(format!("RSA key of {bits} bits; at least {MIN_RSA_BITS} are required"));
            }
            KeyKind::Rsa
        }
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => KeyKind::EcP256,
        AlgorithmParameters::EllipticCurve(p) => {
            return Err(format!("EC curve {:?} is not supported (only P-256)", p.curve))
        }
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => KeyKind::Ed25519,
        AlgorithmParameters::OctetKeyPair(p) => {
            return Err(format!("OKP curve {:?} is not supported (only Ed25519)", p.curve))
        }
        AlgorithmParameters::OctetKey(_) => {
            return Err("a symmetric (`oct`) key; secrets never belong in a JWKS, use `secret_env`".into());
        }
    };
    if let Some(a) = alg {
        if !kind.fits(a) {
            return Err(format!("its `alg` {a:?} does not fit its key type"));
        }
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unreadable key material ({e})"))?;
    Ok(VerifyingKey { kid: jwk.common.key_id, kind, alg, key })
}

/// An issuer's keys: fixed at start, or fetched and cached.
pub(crate) enum KeyStore {
    /// One HMAC secret (`secret_env`); a `kid` in the token is irrelevant.
    Secret(DecodingKey),
    /// A JWKS read from a file at start.
    Static(KeySet),
    /// A JWKS fetched from a URL.
    Remote(RemoteJwks),
}

impl KeyStore {
    /// A store for an HMAC secret.
    pub(crate) fn secret(secret: &[u8]) -> Self {
        Self::Secret(DecodingKey::from_secret(secret))
    }

    /// The key that verifies a token whose header says `alg` and `kid`. The
    /// caller has already checked `alg` against the issuer's algorithms.
    pub(crate) async fn key_for(&self, alg: Algorithm, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        match self {
            Self::Secret(key) if KeyKind::Secret.fits(alg) => Ok(key.clone()),
            Self::Secret(_) => Err(AuthError("the token's algorithm is not allowed for this key".into())),
            Self::Static(set) => set.choose(alg, kid).into_key(),
            Self::Remote(remote) => remote.key_for(alg, kid).await,
        }
    }
}

/// A JWKS at a URL, with its cache.
pub(crate) struct RemoteJwks {
    url: String,
    client: reqwest::Client,
    policy: JwksPolicy,
    cache: tokio::sync::Mutex<Cache>,
}

/// What was fetched, and when a fetch was last tried.
#[derive(Default)]
struct Cache {
    keys: Option<(Arc<KeySet>, Instant)>,
    last_attempt: Option<Instant>,
}

impl Cache {
    /// Whether the refresh-rate bound allows a fetch now.
    fn may_fetch(&self, policy: &JwksPolicy) -> bool {
        self.last_attempt.is_none_or(|t| t.elapsed() >= policy.min_refresh_interval)
    }
}

impl RemoteJwks {
    /// A store for `url`; nothing is fetched until the first token needs it,
    /// so an issuer whose server is down does not stop netra's start.
    pub(crate) fn new(url: String, policy: JwksPolicy) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .timeout(policy.fetch_timeout)
            .connect_timeout(policy.fetch_timeout)
            // A redirect could lead from https to http; a JWKS endpoint has no reason to redirect.
            .redirect(reqwest::redirect::Policy::none())
            // Fetches are rare (bounded rate); fresh connections also make a stopped server visible at once.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("netra/", env!("CARGO_PKG_VERSION")));
        if url.starts_with("http://") {
            // Plain HTTP is only accepted on loopback (see `trust`); never send that through a proxy.
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| format!("cannot build the HTTP client for `jwks_url`: {e}"))?;
        Ok(Self { url, client, policy, cache: tokio::sync::Mutex::new(Cache::default()) })
    }

    async fn key_for(&self, alg: Algorithm, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        // One lock per issuer: concurrent requests wait for one fetch instead of each starting one.
        let mut cache = self.cache.lock().await;
        let fresh = cache.keys.as_ref().is_some_and(|(_, at)| at.elapsed() < self.policy.max_age);
        if !fresh {
            if cache.may_fetch(&self.policy) {
                self.fetch_into(&mut cache).await;
            }
            if cache.keys.as_ref().is_none_or(|(_, at)| at.elapsed() >= self.policy.max_age) {
                // Fail closed: no keys, or keys past their age that could not be renewed.
                cache.keys = None;
                return Err(AuthError("the issuer's keys cannot be fetched right now".into()));
            }
        }
        let Some((set, _)) = cache.keys.clone() else {
            return Err(AuthError("the issuer's keys cannot be fetched right now".into()));
        };
        match set.choose(alg, kid) {
            Choice::UnknownKid if cache.may_fetch(&self.policy) => {
                // The issuer may have rotated its keys: look once more, within the rate bound.
                self.fetch_into(&mut cache).await;
                match &cache.keys {
                    Some((set, _)) => set.choose(alg, kid).into_key(),
                    None => Choice::UnknownKid.into_key(),
                }
            }
            other => other.into_key(),
        }
    }

    /// Fetches the JWKS and, on success, replaces the cached keys. A failure
    /// keeps what was there (the caller decides whether it is still usable).
    async fn fetch_into(&self, cache: &mut Cache) {
        cache.last_attempt = Some(Instant::now());
        match self.fetch().await {
            Ok((set, skipped)) => {
                for why in skipped {
                    tracing::warn!(url = %self.url, "JWKS key left out: {why}");
                }
                cache.keys = Some((Arc::new(set), Instant::now()));
            }
            Err(why) => tracing::warn!(url = %self.url, "JWKS fetch failed: {why}"),
        }
    }

    async fn fetch(&self) -> Result<(KeySet, Vec<String>), String> {
        let mut resp = self
            .client
            .get(&self.url)
            .header(reqwest::header::ACCEPT, "application/jwk-set+json, application/json")
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("HTTP status {}", resp.status()));
        }
        if resp.content_length().is_some_and(|n| n > self.policy.max_bytes as u64) {
            return Err(format!("document larger than {} bytes", self.policy.max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| format!("reading the body failed: {e}"))? {
            body.extend_from_slice(&chunk);
            if body.len() > self.policy.max_bytes {
                return Err(format!("document larger than {} bytes", self.policy.max_bytes));
            }
        }
        KeySet::from_jwks(&body).map_err(|e| format!("the document {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(json: &str) -> Result<(KeySet, Vec<String>), String> {
        KeySet::from_jwks(json.as_bytes())
    }

    const ED: &str = r#"{"kty":"OKP","crv":"Ed25519","x":"khY2aODzPaE_LhYhsTF8OJc0XBZYH8sydiZa92d8s8M"}"#;

    #[test]
    fn symmetric_encryption_and_small_rsa_keys_are_left_out() {
        let doc = format!(
            r#"{{"keys":[{{"kty":"oct","k":"c2VjcmV0"}},{{"kty":"RSA","n":"AQAB","e":"AQAB"}},
               {{"kty":"OKP","crv":"Ed25519","use":"enc","x":"khY2aODzPaE_LhYhsTF8OJc0XBZYH8sydiZa92d8s8M"}},{ED}]}}"#
        );
        let (keys, skipped) = set(&doc).unwrap();
        assert_eq!(keys.keys.len(), 1);
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(set(r#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#).is_err());
        assert!(set("not json").is_err());
    }

    #[test]
    fn a_key_verifies_only_the_algorithms_of_its_type_and_its_own_alg() {
        let (keys, _) = set(&format!(r#"{{"keys":[{ED}]}}"#)).unwrap();
        assert!(matches!(keys.choose(Algorithm::EdDSA, None), Choice::Key(_)));
        assert!(matches!(keys.choose(Algorithm::ES256, None), Choice::NoKey));
        assert!(matches!(keys.choose(Algorithm::EdDSA, Some("x")), Choice::UnknownKid));
        let pinned = ED.replace(r#""kty""#, r#""kid":"a","alg":"EdDSA","kty""#);
        let (keys, _) = set(&format!(r#"{{"keys":[{pinned}]}}"#)).unwrap();
        assert!(matches!(keys.choose(Algorithm::EdDSA, Some("a")), Choice::Key(_)));
        assert!(matches!(keys.choose(Algorithm::HS256, Some("a")), Choice::WrongAlgorithm));
    }
}
