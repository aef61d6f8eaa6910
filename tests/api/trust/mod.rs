//! The trust registry (NETRA_TRUST_FILE): production issuers with their own
//! keys, algorithms and agencies. Each rule has a test that shows the refusal
//! (HTTP 401, `UNAUTHENTICATED`, no data) next to the well-formed token of the
//! same issuer being accepted. Keys are the test-only fixtures in
//! `tests/fixtures/keys/`; remote JWKS are served on 127.0.0.1 by the test.

mod files;
mod remote;
mod tokens;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use netra::auth::{load_trust_file, Authenticator, DevIssuer, JwksPolicy, TrustError, TrustedIssuer};
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::helpers::{error_code, Engine, TestApp, SECRET};

/// What every test asks: the caller's agency.
pub const ME: &str = "{ me { agency { code } } }";
/// Bawaslu's (invented) single sign-on.
pub const BAWASLU_SSO: &str = "https://sso.bawaslu.example";
/// Kota Lubuk Linggau's (invented) single sign-on.
pub const PEMDA_SSO: &str = "https://sso.lubuklinggaukota.example";

/// A file of `tests/fixtures/keys/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys").join(name)
}

/// The fixture key pairs.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Rsa,
    Attacker,
    Ec,
    Ed,
}

impl Key {
    fn stem(self) -> &'static str {
        match self {
            Self::Rsa => "test-only-rsa",
            Self::Attacker => "test-only-rsa-attacker",
            Self::Ec => "test-only-ec-p256",
            Self::Ed => "test-only-ed25519",
        }
    }

    /// The private key, for signing.
    pub fn encoding(self) -> EncodingKey {
        let pem = std::fs::read(fixture(&format!("{}.pem", self.stem()))).unwrap();
        match self {
            Self::Rsa | Self::Attacker => EncodingKey::from_rsa_pem(&pem).unwrap(),
            Self::Ec => EncodingKey::from_ec_pem(&pem).unwrap(),
            Self::Ed => EncodingKey::from_ed_pem(&pem).unwrap(),
        }
    }

    /// The public JWK (with `kid`, `alg` and `use`).
    pub fn jwk(self) -> Value {
        let text = std::fs::read_to_string(self.jwks_path()).unwrap();
        serde_json::from_str::<Value>(&text).unwrap()["keys"][0].clone()
    }

    /// The fixture JWKS file holding only this key.
    pub fn jwks_path(self) -> PathBuf {
        fixture(&format!("{}.jwks.json", self.stem()))
    }

    /// The key's `kid` in its JWKS.
    pub fn kid(self) -> &'static str {
        match self {
            Self::Rsa => "test-rsa-1",
            Self::Attacker => "attacker-rsa",
            Self::Ec => "test-ec-1",
            Self::Ed => "test-ed-1",
        }
    }

    /// The algorithm the key signs with by default.
    pub fn alg(self) -> Algorithm {
        match self {
            Self::Rsa | Self::Attacker => Algorithm::RS256,
            Self::Ec => Algorithm::ES256,
            Self::Ed => Algorithm::EdDSA,
        }
    }
}

/// A JWKS document of `keys`.
pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// Claims as a production issuer sends them, valid for ten minutes.
pub fn claims(iss: &str, agency: &str) -> Value {
    let now = Utc::now().timestamp();
    json!({
        "iss": iss, "aud": "netra", "sub": "petugas-7", "exp": now + 600, "iat": now,
        "agency": agency, "permissions": ["read"],
    })
}

/// `claims` with `changes` applied; a `null` change removes the claim.
pub fn with(mut claims: Value, changes: Value) -> Value {
    let Value::Object(changes) = changes else { panic!("changes must be an object") };
    for (k, v) in changes {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(&k);
        } else {
            claims[k] = v;
        }
    }
    claims
}

/// A header with `alg` and `kid`.
pub fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    Header { kid: kid.map(str::to_owned), ..Header::new(alg) }
}

/// Signs `claims` with `key`, its usual algorithm and its `kid`.
pub fn sign(key: Key, claims: &Value) -> String {
    encode(&header(key.alg(), Some(key.kid())), claims, &key.encoding()).unwrap()
}

/// Signs `claims` under `header` with `key`.
pub fn sign_with(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    encode(header, claims, key).unwrap()
}

/// One `[[issuer]]` table; `source` is the key-source line, `extra` more lines.
pub fn issuer(iss: &str, algorithms: &[&str], source: &str, agencies: &[&str], extra: &str) -> String {
    format!(
        "[[issuer]]\nissuer = \"{iss}\"\naudience = \"netra\"\nalgorithms = {}\n{source}\nagencies = {}\n{extra}\n",
        json!(algorithms),
        json!(agencies)
    )
}

/// A directory holding a trust file and, in `keys/`, the fixture JWKS as
/// `rsa.jwks.json`, `attacker.jwks.json`, `ec.jwks.json` and `ed.jwks.json`.
pub struct TrustDir {
    pub dir: tempfile::TempDir,
}

impl TrustDir {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        for (key, name) in [(Key::Rsa, "rsa"), (Key::Attacker, "attacker"), (Key::Ec, "ec"), (Key::Ed, "ed")] {
            std::fs::copy(key.jwks_path(), keys.join(format!("{name}.jwks.json"))).unwrap();
        }
        Self { dir }
    }

    /// Writes `contents` at `rel` (parents created) and returns the path.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Writes the trust file `trust.toml`.
    pub fn trust(&self, toml: &str) -> PathBuf {
        self.write("trust.toml", toml)
    }
}

/// Loads trust file `path` with `env` as the only environment variables.
pub fn load(path: &Path, env: &[(&str, &str)], policy: &JwksPolicy) -> Result<Vec<TrustedIssuer>, TrustError> {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    load_trust_file(path, &|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()), policy)
}

/// An app trusting the development issuer and the issuers of `toml`.
pub async fn app(toml: &str) -> TestApp {
    app_with(toml, &[], &JwksPolicy::default()).await
}

/// Like [`app`], with environment variables for `secret_env` and a JWKS policy.
pub async fn app_with(toml: &str, env: &[(&str, &str)], policy: &JwksPolicy) -> TestApp {
    let dir = TrustDir::new();
    let issuers = load(&dir.trust(toml), env, policy).unwrap();
    let dev = DevIssuer::new(&SecretString::from(SECRET));
    TestApp::spawn_with_authenticator(Engine::Sqlite, Authenticator::with_issuers(Some(dev), issuers)).await
}

/// Asserts `token` is refused the netra way and returns the message.
pub async fn refused(app: &TestApp, token: &str, why: &str) -> String {
    let (status, body) = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{why}: {body}");
    assert!(body["data"].is_null(), "{why}: a refused token gets no data: {body}");
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

/// Asserts `token` is accepted as `agency`.
pub async fn accepted(app: &TestApp, token: &str, agency: &str) {
    let (status, body) = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["me"]["agency"]["code"], agency, "{body}");
}

/// What the test JWKS server answers, and how often it was asked.
#[derive(Clone)]
struct Served {
    hits: Arc<AtomicUsize>,
    answer: Arc<Mutex<(StatusCode, String)>>,
}

/// A JWKS endpoint on 127.0.0.1 that counts its requests.
pub struct JwksServer {
    pub url: String,
    served: Served,
    task: tokio::task::JoinHandle<()>,
}

async fn serve_jwks(State(s): State<Served>) -> impl IntoResponse {
    s.hits.fetch_add(1, Ordering::SeqCst);
    let (status, body) = s.answer.lock().unwrap().clone();
    (status, [(header::CONTENT_TYPE, "application/json")], body)
}

impl JwksServer {
    /// Serves `doc` at `/jwks.json`.
    pub async fn start(doc: String) -> Self {
        let served = Served { hits: Arc::default(), answer: Arc::new(Mutex::new((StatusCode::OK, doc))) };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let router = Router::new().route("/jwks.json", get(serve_jwks)).with_state(served.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { url, served, task }
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.served.hits.load(Ordering::SeqCst)
    }

    /// Answers `status` with `doc` from now on.
    pub fn answer(&self, status: StatusCode, doc: String) {
        *self.served.answer.lock().unwrap() = (status, doc);
    }

    /// Stops listening: connections are refused from now on.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// A loopback URL where nothing listens.
pub async fn unreachable_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/jwks.json")
}
