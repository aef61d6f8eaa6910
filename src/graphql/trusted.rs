//! Trusted documents: requests that name their document by hash instead of
//! (or as well as) sending it, and the allow-list mode of production.
//!
//! Two protocols reach the same documents:
//!
//! - **Apollo's automatic persisted queries** (APQ): `extensions:
//!   {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}`. A hash
//!   without `query` runs the manifest's document or the one registered
//!   earlier; an unknown one is answered `PersistedQueryNotFound`
//!   (`PERSISTED_QUERY_NOT_FOUND`), and the client sends the hash again with
//!   the `query`, which netra checks against the hash and registers.
//! - **graphql-codegen's persisted documents**: `documentId: "<hex>"` (or
//!   `sha256:<hex>`) in the body or the `GET` parameters, looked up in the
//!   manifest (`NETRA_TRUSTED_DOCUMENTS`) alone.
//!
//! With `NETRA_TRUSTED_DOCUMENTS_ONLY=true` only the manifest's documents
//! run: by id, by APQ hash, or as a full `query` whose SHA-256 is in the
//! manifest. Anything else is refused before it runs (HTTP 400,
//! `PERSISTED_QUERY_NOT_ALLOWED`), and APQ registration is refused too.
//!
//! Registered APQ documents live in this instance's memory only, in a
//! cache bounded by count ([`APQ_MAX_DOCUMENTS`]) and
//! by bytes ([`APQ_MAX_BYTES`]); each instance behind a load balancer learns
//! them on its own (a client whose hash is unknown just sends the query
//! again). No database and no I/O here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::StatusCode;
use serde_json::Value;

use super::protocol::{Params, Rejection};
use crate::config::trusted::{document_hash, parse_document_id};
use crate::config::{Config, Manifest};

/// Most APQ documents one instance keeps.
pub const APQ_MAX_DOCUMENTS: usize = 2048;
/// Most bytes of APQ documents one instance keeps.
pub const APQ_MAX_BYTES: usize = 16 * 1024 * 1024;

/// `extensions.code` of an unknown hash or document id.
pub const NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// `extensions.code` of a document outside the manifest in allow-list mode.
pub const NOT_ALLOWED: &str = "PERSISTED_QUERY_NOT_ALLOWED";

/// The registered APQ documents, bounded by count and bytes: when full, the
/// least recently used go first (a scan, only when full: a few thousand
/// entries at most).
#[derive(Default)]
struct Cache {
    /// Hash → document and the tick of its last use.
    documents: HashMap<String, (Arc<str>, u64)>,
    bytes: usize,
    tick: u64,
}

impl Cache {
    fn get(&mut self, hash: &str) -> Option<Arc<str>> {
        self.tick += 1;
        let tick = self.tick;
        self.documents.get_mut(hash).map(|(doc, used)| {
            *used = tick;
            doc.clone()
        })
    }

    fn insert(&mut self, hash: String, document: Arc<str>) {
        self.tick += 1;
        self.bytes += document.len();
        if let Some((old, _)) = self.documents.insert(hash, (document, self.tick)) {
            self.bytes -= old.len();
        }
        while self.bytes > APQ_MAX_BYTES || self.documents.len() > APQ_MAX_DOCUMENTS {
            let Some(oldest) = self.documents.iter().min_by_key(|(_, (_, used))| *used).map(|(h, _)| h.clone()) else {
                break;
            };
            if let Some((old, _)) = self.documents.remove(&oldest) {
                self.bytes -= old.len();
            }
        }
    }
}

/// The manifest, the mode and the APQ cache of this instance.
pub struct TrustedDocuments {
    manifest: Option<Arc<Manifest>>,
    only: bool,
    cache: Mutex<Cache>,
}

/// How a request's document was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The parameters, `query` filled in and `persistedQuery` removed.
    pub params: Params,
    /// The document's hash when the request named it by hash or id, or sent
    /// a document of the manifest; recorded in the audit event.
    pub document_id: Option<String>,
}

fn not_found(what: &str) -> Rejection {
    Rejection { status: StatusCode::BAD_REQUEST, code: NOT_FOUND, message: what.to_owned() }
}

fn not_allowed(message: &str) -> Rejection {
    Rejection { status: StatusCode::BAD_REQUEST, code: NOT_ALLOWED, message: message.to_owned() }
}

impl TrustedDocuments {
    /// The trusted documents `config` asks for.
    pub fn new(config: &Config) -> Self {
        Self {
            manifest: config.trusted_documents.clone(),
            only: config.trusted_documents_only,
            cache: Mutex::default(),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // Every update leaves the cache whole: a panic elsewhere cannot matter.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn in_manifest(&self, hash: &str) -> Option<Arc<str>> {
        self.manifest.as_ref().and_then(|m| m.get(hash)).cloned()
    }

    /// APQ documents this instance holds now.
    pub fn registered(&self) -> usize {
        self.cache().documents.len()
    }

    /// Finds the request's document: by `documentId`, by the APQ hash, or
    /// as sent; registers an APQ document sent with its hash; in allow-list
    /// mode refuses every document outside the manifest.
    pub fn resolve(&self, mut params: Params) -> Result<Resolved, Rejection> {
        let persisted = params.extensions.as_mut().and_then(|e| e.remove("persistedQuery"));
        if let Some(raw) = params.document_id.take() {
            if persisted.is_some() {
                return Err(Rejection::bad_request(
                    "send either `documentId` or `extensions.persistedQuery`, not both",
                ));
            }
            let hash = parse_document_id(&raw).ok_or_else(|| {
                Rejection::bad_request("`documentId` must be a SHA-256 hex digest, bare or as `sha256:<hex>`")
            })?;
            let document = self
                .in_manifest(&hash)
                .ok_or_else(|| not_found("PersistedQueryNotFound: no trusted document has this `documentId`"))?;
            if params.query.as_deref().is_some_and(|q| *q != *document) {
                return Err(Rejection::bad_request("the `query` is not the document of this `documentId`"));
            }
            params.query = Some(document.to_string());
            return Ok(Resolved { params, document_id: Some(hash) });
        }
        if let Some(persisted) = persisted {
            return self.apq(params, &persisted);
        }
        let Some(query) = params.query.as_deref() else { return Ok(Resolved { params, document_id: None }) };
        if self.manifest.is_none() {
            return Ok(Resolved { params, document_id: None });
        }
        let hash = document_hash(query);
        if self.in_manifest(&hash).is_some() {
            return Ok(Resolved { params, document_id: Some(hash) });
        }
        if self.only {
            return Err(not_allowed(
                "this server runs trusted documents only, and this query is not one of them: send the `documentId` \
                 of a document in its manifest",
            ));
        }
        Ok(Resolved { params, document_id: None })
    }

    /// `extensions.persistedQuery` (APQ).
    fn apq(&self, mut params: Params, persisted: &Value) -> Result<Resolved, Rejection> {
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Err(Rejection::bad_request("`extensions.persistedQuery.version` must be 1"));
        }
        let hash =
            persisted.get("sha256Hash").and_then(Value::as_str).and_then(parse_document_id).ok_or_else(|| {
                Rejection::bad_request("`extensions.persistedQuery.sha256Hash` must be a SHA-256 hex digest")
            })?;
        let Some(query) = params.query.as_deref() else {
            let document = self.in_manifest(&hash).or_else(|| self.cache().get(&hash));
            let document = document.ok_or_else(|| not_found("PersistedQueryNotFound"))?;
            params.query = Some(document.to_string());
            return Ok(Resolved { params, document_id: Some(hash) });
        };
        let actual = document_hash(query);
        if actual != hash {
            return Err(Rejection::bad_request(format!(
                "`extensions.persistedQuery.sha256Hash` is {hash}, but the `query` sent hashes to {actual}: \
                 the hash must be the SHA-256 of the exact query text"
            )));
        }
        if self.in_manifest(&hash).is_none() {
            if self.only {
                return Err(not_allowed(
                    "this server runs trusted documents only and does not register persisted queries: \
                     this query is not in its manifest",
                ));
            }
            self.cache().insert(hash.clone(), Arc::from(query));
        }
        Ok(Resolved { params, document_id: Some(hash) })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn trusted(documents: &[&str], only: bool) -> TrustedDocuments {
        let mut config = Config::for_database("sqlite::memory:");
        let map: serde_json::Map<String, Value> =
            documents.iter().map(|d| (document_hash(d), Value::String((*d).to_owned()))).collect();
        config.trusted_documents = Some(Arc::new(Manifest::parse(&Value::Object(map).to_string()).unwrap()));
        config.trusted_documents_only = only;
        TrustedDocuments::new(&config)
    }

    fn apq(hash: &str, query: Option<&str>) -> Params {
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        Params { query: query.map(str::to_owned), extensions: ext.as_object().cloned(), ..Params::default() }
    }

    #[test]
    fn an_apq_hash_is_unknown_until_registered_with_its_query() {
        let t = trusted(&[], false);
        let q = "{ me { agency { code } } }";
        let h = document_hash(q);
        assert_eq!(t.resolve(apq(&h, None)).unwrap_err().code, NOT_FOUND);
        let registered = t.resolve(apq(&h, Some(q))).unwrap();
        assert_eq!(registered.document_id.as_deref(), Some(h.as_str()));
        assert!(registered.params.extensions.unwrap().get("persistedQuery").is_none());
        let by_hash = t.resolve(apq(&h, None)).unwrap();
        assert_eq!(by_hash.params.query.as_deref(), Some(q));
        let mismatch = t.resolve(apq(&"0".repeat(64), Some(q))).unwrap_err();
        assert_eq!((mismatch.code, mismatch.status), ("BAD_USER_INPUT", StatusCode::BAD_REQUEST));
        assert!(mismatch.message.contains(&h), "{}", mismatch.message);
    }

    #[test]
    fn allow_list_mode_runs_manifest_documents_only() {
        let q = "{ regions { code } }";
        let t = trusted(&[q], true);
        let h = document_hash(q);
        let by_id = t.resolve(Params { document_id: Some(format!("sha256:{h}")), ..Params::default() }).unwrap();
        assert_eq!((by_id.params.query.as_deref(), by_id.document_id.as_deref()), (Some(q), Some(h.as_str())));
        let sent = t.resolve(Params { query: Some(q.to_owned()), ..Params::default() }).unwrap();
        assert_eq!(sent.document_id.as_deref(), Some(h.as_str()));
        let ad_hoc = Params { query: Some("{ me { agency { code } } }".to_owned()), ..Params::default() };
        assert_eq!(t.resolve(ad_hoc).unwrap_err().code, NOT_ALLOWED);
        let other = "{ elections { id } }";
        assert_eq!(t.resolve(apq(&document_hash(other), Some(other))).unwrap_err().code, NOT_ALLOWED);
        assert_eq!(t.registered(), 0, "nothing was registered");
        let unknown = Params { document_id: Some("1".repeat(64)), ..Params::default() };
        assert_eq!(t.resolve(unknown).unwrap_err().code, NOT_FOUND);
    }

    #[test]
    fn the_apq_cache_is_bounded() {
        let t = trusted(&[], false);
        for i in 0..APQ_MAX_DOCUMENTS + 10 {
            let q = format!("{{ q{i}: __typename }}");
            t.resolve(apq(&document_hash(&q), Some(&q))).unwrap();
        }
        assert_eq!(t.registered(), APQ_MAX_DOCUMENTS);
        let big = format!("{{ __typename }}{}", " ".repeat(APQ_MAX_BYTES / 4));
        for i in 0..5 {
            let q = format!("{big}#{i}");
            t.resolve(apq(&document_hash(&q), Some(&q))).unwrap();
        }
        assert!(t.cache().bytes <= APQ_MAX_BYTES);
        assert!(t.registered() <= 4);
    }
}
