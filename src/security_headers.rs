//! Security headers on every HTTP response, as one middleware:
//! `X-Content-Type-Options: nosniff` everywhere, `Cache-Control: no-store`
//! on every answer to a request that carried credentials (no shared cache
//! may keep a role's data), and a Content-Security-Policy that forbids
//! framing, plus `Referrer-Policy`, on the IDE. It only adds headers (and
//! turns the body-limit layer's plain-text 413 on `/graphql` into a GraphQL
//! error): it never reads request bodies or decides access.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::graphql::protocol::{MediaType, Rejection};

/// The path of the in-browser IDE.
pub const IDE_PATH: &str = "/graphiql";

/// The IDE's Content-Security-Policy. The page and its scripts, styles and
/// fonts are all served by netra itself (embedded in the binary), so
/// everything is `'self'`: no CDN, no inline script. Inline styles stay
/// allowed because GraphiQL's editor sets element styles as it lays out.
/// `frame-ancestors 'none'` stops click-jacking, and the page may talk to
/// this origin only.
pub const IDE_CSP: &str = "default-src 'none'; \
     script-src 'self'; \
     style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; \
     font-src 'self' data:; \
     connect-src 'self'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn is_json(resp: &Response) -> bool {
    resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"))
}

/// The middleware: run the request, then add the headers.
pub async fn set(req: Request, next: Next) -> Response {
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let ide = req.uri().path() == IDE_PATH;
    let graphql = req.uri().path() == "/graphql";
    let mut resp = next.run(req).await;
    if graphql && resp.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json(&resp) {
        // The body limit layer answers in plain text; GraphQL clients get a GraphQL error.
        let refusal = Rejection {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "BAD_USER_INPUT",
            message: "the request body is larger than the server accepts".to_owned(),
        };
        resp = refusal.into_response(MediaType::Json);
    }
    let headers = resp.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if authenticated {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if ide {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(IDE_CSP));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    resp
}
