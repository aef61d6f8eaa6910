//! Open data: `GET /public/publications/{id}.csv` and `.json`, for anyone.
//! A publication never changes, so each file carries a strong ETag (the
//! SHA-256 of its bytes), answers `If-None-Match` with 304, and may be cached
//! by anyone for a year. Authorization headers are ignored: the files are
//! public.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::document::sha256_hex;
use super::service;
use sea_orm::DatabaseConnection;

/// `Cache-Control` of a published file: public and immutable.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The two renderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8; header=present",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// Splits `12.csv` into the id and the format.
fn parse(file: &str) -> Option<(i64, Format)> {
    let (id, ext) = file.rsplit_once('.')?;
    let format = match ext {
        "csv" => Format::Csv,
        "json" => Format::Json,
        _ => return None,
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((id.parse().ok()?, format))
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').map(str::trim).any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "no such publication\n")
        .into_response()
}

/// `GET /public/publications/{id}.csv` and `GET /public/publications/{id}.json`.
pub async fn open_data(State(db): State<DatabaseConnection>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((id, format)) = parse(&file) else { return not_found() };
    let found = service::publication_by_id(&db, id).await.and_then(|m| {
        let Some(m) = m else { return Ok(None) };
        let body = match format {
            Format::Json => m.content.clone(),
            Format::Csv => service::document(&m)?.to_csv(),
        };
        Ok(Some((m, body)))
    });
    let (model, body) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = ?e, "reading a publication failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response();
        }
    };
    let hash = match format {
        Format::Json => model.content_sha256.clone(),
        Format::Csv => sha256_hex(body.as_bytes()),
    };
    let etag = format!("\"{hash}\"");
    let mut out = HeaderMap::new();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            out.insert(name, v);
        }
    };
    set(header::ETAG, etag.clone());
    set(header::CACHE_CONTROL, CACHE_CONTROL.to_owned());
    set(header::LAST_MODIFIED, model.published_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    if not_modified(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    set(header::CONTENT_TYPE, format.content_type().to_owned());
    set(
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"netra-publication-{id}-v{}.{}\"", model.version, format.extension()),
    );
    (StatusCode::OK, out, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numeric_ids_with_a_known_extension_are_files() {
        assert_eq!(parse("12.csv"), Some((12, Format::Csv)));
        assert_eq!(parse("3.json"), Some((3, Format::Json)));
        assert_eq!(parse("12.xml"), None);
        assert_eq!(parse("12"), None);
        assert_eq!(parse("-1.csv"), None);
        assert_eq!(parse(".csv"), None);
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(not_modified(&h, "\"b\""));
        assert!(!not_modified(&h, "\"c\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, "\"c\""));
    }
}
