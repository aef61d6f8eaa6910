//! The trusted-documents manifest (`NETRA_TRUSTED_DOCUMENTS`): the JSON map
//! of document id to GraphQL document that graphql-codegen's client preset
//! writes with `persistedDocuments: true` (`{"<sha256 hex>": "query …", …}`).
//! A key is the lower-case hex SHA-256 of the UTF-8 bytes of its document,
//! written bare or as `sha256:<hex>`; a key that is not the hash of its
//! document stops the start. Only parsing and checking here; how requests
//! use the manifest is `graphql::trusted`'s.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `text`: the id of a document.
pub fn document_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The hex hash of a document id written bare or as `sha256:<hex>` (either
/// case), or `None` when it is neither.
pub fn parse_document_id(raw: &str) -> Option<String> {
    let hex = raw.strip_prefix("sha256:").unwrap_or(raw);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

/// The documents a production frontend may send, by their hash.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    documents: HashMap<String, Arc<str>>,
}

impl std::fmt::Debug for Manifest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Manifest({} documents)", self.documents.len())
    }
}

impl Manifest {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("NETRA_TRUSTED_DOCUMENTS: cannot read `{}`", path.display()))?;
        Self::parse(&text)
            .with_context(|| format!("NETRA_TRUSTED_DOCUMENTS: `{}` is not a valid manifest", path.display()))
    }

    /// Parses and checks a manifest: a JSON object whose every key is the
    /// SHA-256 (hex, bare or `sha256:`-prefixed) of its value, a string.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let value: serde_json::Value = serde_json::from_str(text).context("it is not JSON")?;
        let serde_json::Value::Object(map) = value else {
            bail!("it must be a JSON object of `\"<sha256 hex>\": \"<document>\"` pairs")
        };
        let mut documents = HashMap::with_capacity(map.len());
        for (key, value) in map {
            let serde_json::Value::String(document) = value else {
                bail!("the value of `{key}` is not a string (a GraphQL document)")
            };
            let Some(hash) = parse_document_id(&key) else {
                bail!("the key `{key}` is not a SHA-256 hex digest (64 hex digits, optionally prefixed `sha256:`)")
            };
            let actual = document_hash(&document);
            if actual != hash {
                bail!("the key `{key}` is not the SHA-256 of its document (which hashes to {actual})");
            }
            if async_graphql::parser::parse_query(&document).is_err() {
                bail!("the document of `{key}` is not valid GraphQL");
            }
            documents.insert(hash, Arc::from(document));
        }
        Ok(Self { documents })
    }

    /// The document with hash `hash` (lower-case hex).
    pub fn get(&self, hash: &str) -> Option<&Arc<str>> {
        self.documents.get(hash)
    }

    /// Whether a document hashing to `hash` is in the manifest.
    pub fn contains(&self, hash: &str) -> bool {
        self.documents.contains_key(hash)
    }

    /// How many documents it holds.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_the_hash_of_their_document() {
        let doc = "query Me { me { agency { code } } }";
        let hash = document_hash(doc);
        let ok = Manifest::parse(&serde_json::json!({ hash.clone(): doc }).to_string()).unwrap();
        assert_eq!(ok.get(&hash).map(|d| &**d), Some(doc));
        let prefixed =
            Manifest::parse(&serde_json::json!({ format!("sha256:{}", hash.to_uppercase()): doc }).to_string());
        assert!(prefixed.unwrap().contains(&hash));
        let wrong = Manifest::parse(&serde_json::json!({ "0".repeat(64): doc }).to_string()).unwrap_err();
        assert!(format!("{wrong:#}").contains("is not the SHA-256 of its document"), "{wrong:#}");
        for bad in ["[]", "{\"abc\": \"{ a }\"}", "{\"x\": 1}", "not json"] {
            assert!(Manifest::parse(bad).is_err(), "{bad}");
        }
        let broken = "query {";
        let err = Manifest::parse(&serde_json::json!({ document_hash(broken): broken }).to_string()).unwrap_err();
        assert!(format!("{err:#}").contains("not valid GraphQL"));
    }

    #[test]
    fn document_ids_are_bare_or_prefixed_hex() {
        let hex = "a".repeat(64);
        assert_eq!(parse_document_id(&hex).as_deref(), Some(hex.as_str()));
        assert_eq!(parse_document_id(&format!("sha256:{}", "A".repeat(64))).as_deref(), Some(hex.as_str()));
        assert_eq!(parse_document_id("abc"), None);
        assert_eq!(parse_document_id(&"g".repeat(64)), None);
    }
}
