//! The HTTP/1 server loop under the router, on hyper directly because
//! `axum::serve` offers neither of the two deadlines netra needs:
//!
//! - a **header-read timeout** (`NETRA_HEADER_READ_TIMEOUT_SECS`): a client
//!   that has not sent a complete request head in time is disconnected, so
//!   half-sent heads cannot hold connections open;
//! - a **shutdown deadline** (`NETRA_SHUTDOWN_GRACE_SECS`): on the signal the
//!   listener closes, idle connections close, requests in flight may finish
//!   within the grace time, and whatever is left then is cut.
//!
//! Each request carries the peer address (`ConnectInfo`), for the per-address
//! rate limit. Connections may be upgraded (`GET /graphql` to a WebSocket
//! for subscriptions); an upgraded connection is no longer a request in
//! flight and is cut with the process.

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;

/// The deadlines of [`serve_until`].
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// Time to receive a request head.
    pub header_read: Duration,
    /// Time in-flight requests get after the shutdown signal.
    pub grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then drains
/// within `deadlines.grace`.
pub async fn serve_until(
    router: Router,
    listener: tokio::net::TcpListener,
    deadlines: Deadlines,
    shutdown: impl Future<Output = ()>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(deadlines.header_read).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Reap the connections that ended.
        while connections.try_join_next().is_some() {}
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req.map(axum::body::Body::new))
        });
        // Upgrades: `GET /graphql` may become a WebSocket (subscriptions).
        let conn = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let mut stop = stopped.clone();
        connections.spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let ended = tokio::select! {
                ended = conn.as_mut() => ended,
                _ = stop.changed() => {
                    // Finish the request in flight, take no new one.
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!(grace_secs = deadlines.grace.as_secs(), "shutting down: draining requests in flight");
    let _ = stop.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(deadlines.grace, drained).await.is_err() {
        tracing::warn!("shutdown deadline reached; the remaining connections are cut");
        connections.abort_all();
    }
}
