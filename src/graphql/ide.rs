//! The in-browser IDE at `/graphiql`: GraphiQL 4.1.2 on React 18.3.1, their
//! production builds embedded in the binary (pinned in
//! `assets/graphiql/package.json`, refreshed by `assets/graphiql/update.sh`),
//! so the IDE needs no network beyond netra itself. The page holds no inline
//! script or style: a strict Content-Security-Policy (`script-src 'self'`)
//! holds. Serves files only; no GraphQL or database access here.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The page: the token bar, then GraphiQL once a token (or none) is chosen.
const PAGE: &str = include_str!("../../assets/graphiql/index.html");

/// The embedded files: name under `/graphiql/assets/`, content type, bytes.
/// Third-party names carry their version, so they may be cached for ever.
const ASSETS: [(&str, &str, &[u8]); 6] = [
    ("graphiql-4.1.2.min.js", "text/javascript", include_bytes!("../../assets/graphiql/vendor/graphiql.min.js")),
    ("graphiql-4.1.2.min.css", "text/css", include_bytes!("../../assets/graphiql/vendor/graphiql.min.css")),
    (
        "react-18.3.1.production.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/vendor/react.production.min.js"),
    ),
    (
        "react-dom-18.3.1.production.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/vendor/react-dom.production.min.js"),
    ),
    ("netra-ide.js", "text/javascript", include_bytes!("../../assets/graphiql/netra-ide.js")),
    ("netra-ide.css", "text/css", include_bytes!("../../assets/graphiql/netra-ide.css")),
];

/// `GET /graphiql`.
pub async fn page() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], PAGE).into_response()
}

/// `GET /graphiql/assets/{file}`.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((name, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // netra's own two files change with netra; the pinned builds never do.
    let cache = if name.starts_with("netra-") { "no-cache" } else { "public, max-age=31536000, immutable" };
    ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, cache)], *bytes).into_response()
}
