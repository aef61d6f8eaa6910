//! Global object identification: the opaque ids of every object that
//! implements `Node`. The `Node` interface itself, which unites the slices,
//! is assembled in `app::node`.

use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The global id of `kind` with local `key`.
pub fn global_id(kind: &str, key: impl std::fmt::Display) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// Splits a global id into its kind and local key; `None` if malformed.
pub fn parse_global_id(id: &str) -> Option<(String, String)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (kind, key) = raw.split_once(':')?;
    Some((kind.to_owned(), key.to_owned()))
}
