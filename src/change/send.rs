//! One HTTP delivery of a signed entry to an endpoint. The host is resolved
//! here and every address checked (no private, loopback or link-local
//! address unless NETRA_WEBHOOK_ALLOW_PRIVATE), and the request is pinned to
//! the checked addresses so a second lookup cannot swap them. Redirects are
//! not followed (a 3xx is a failed attempt); connect and total times are
//! bounded; at most [`MAX_RESPONSE`] bytes of the answer are read.

use std::net::SocketAddr;
use std::time::Duration;

use super::sign;
use super::webhook::is_internal;
use crate::entity::webhook;

/// Most bytes of a receiver's answer that are read.
pub const MAX_RESPONSE: usize = 64 * 1024;
/// Time to connect.
const CONNECT: Duration = Duration::from_secs(5);
/// Time for the whole exchange.
const TOTAL: Duration = Duration::from_secs(10);

/// How an attempt went.
#[derive(Debug)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered(u16),
    /// It answered with another status.
    Refused(u16),
    /// No answer: resolution, address check, connection or timeout.
    Failed(String),
}

impl Outcome {
    /// The HTTP status, if the receiver answered.
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::Delivered(c) | Self::Refused(c) => Some(*c),
            Self::Failed(_) => None,
        }
    }

    /// What went wrong, for `webhookDeliveries`.
    pub fn error(&self) -> Option<String> {
        match self {
            Self::Delivered(_) => None,
            Self::Refused(c) => Some(format!("the receiver answered HTTP {c}")),
            Self::Failed(e) => Some(e.clone()),
        }
    }
}

/// The `webhook-id` of an entry: the same on every retry, so receivers can
/// drop a repeat.
pub fn message_id(change_id: i64) -> String {
    format!("msg_netra_{change_id}")
}

/// The checked addresses of `url`'s host.
async fn resolve(url: &reqwest::Url, allow_private: bool) -> Result<(String, Vec<SocketAddr>), String> {
    let host = url.host_str().ok_or("the URL has no host")?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| format!("could not resolve {host}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !allow_private && addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(format!("{host} resolves to a private, loopback or link-local address"));
    }
    Ok((host, addrs))
}

/// Posts `body` to the endpoint, signed with its secret.
pub async fn send(hook: &webhook::Model, body: &str, change_id: i64, allow_private: bool) -> Outcome {
    let Ok(url) = reqwest::Url::parse(&hook.url) else { return Outcome::Failed("the URL does not parse".into()) };
    let (host, addrs) = match resolve(&url, allow_private).await {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT)
        .timeout(TOTAL)
        .resolve_to_addrs(&host, &addrs)
        .user_agent("netra-webhooks")
        .build()
    {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(format!("client: {e}")),
    };
    let id = message_id(change_id);
    let timestamp = chrono::Utc::now().timestamp();
    let signature = sign::signature(&hook.secret, &id, timestamp, body);
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await;
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Outcome::Failed("the receiver did not answer in time".into()),
        Err(_) => return Outcome::Failed("could not connect to the receiver".into()),
    };
    let status = resp.status().as_u16();
    // Read (and drop) a bounded part of the answer, so the connection ends cleanly.
    let mut read = 0usize;
    while read < MAX_RESPONSE {
        match resp.chunk().await {
            Ok(Some(c)) => read += c.len(),
            _ => break,
        }
    }
    if (200..300).contains(&status) {
        Outcome::Delivered(status)
    } else {
        Outcome::Refused(status)
    }
}
