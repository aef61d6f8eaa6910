//! A minimal graphql-transport-ws client for the tests, over a netra served
//! on 127.0.0.1.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Serves `router` on an ephemeral port of 127.0.0.1 until the test ends.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// One WebSocket connection.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server sent next.
#[derive(Debug)]
pub enum Event {
    /// A `next` message's payload.
    Next(Value),
    /// Another protocol message.
    Other(Value),
    /// The close frame's code and reason.
    Closed(u16, String),
}

impl Client {
    /// Opens a socket to `/graphql` offering graphql-transport-ws.
    pub async fn open(addr: SocketAddr) -> Self {
        let mut req = format!("ws://{addr}/graphql").into_client_request().unwrap();
        req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
        assert_eq!(resp.headers()["sec-websocket-protocol"], "graphql-transport-ws");
        Self { ws }
    }

    /// Sends a protocol message.
    pub async fn send(&mut self, msg: Value) {
        self.ws.send(Message::Text(msg.to_string().into())).await.unwrap();
    }

    /// The next event, or `None` after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Event> {
        loop {
            let msg = tokio::time::timeout(wait, self.ws.next()).await.ok()?;
            match msg {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    return Some(match v["type"].as_str() {
                        Some("next") => Event::Next(v["payload"].clone()),
                        Some("ping") => {
                            self.send(json!({ "type": "pong" })).await;
                            continue;
                        }
                        _ => Event::Other(v),
                    });
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame.map_or((1005, String::new()), |f| (f.code.into(), f.reason.to_string()));
                    return Some(Event::Closed(code, reason));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(Event::Closed(1006, String::new())),
            }
        }
    }

    /// Sends `connection_init` with `token` and returns the answer.
    pub async fn init(&mut self, token: Option<&str>) -> Event {
        let payload = token.map_or(json!({}), |t| json!({ "authorization": format!("Bearer {t}") }));
        self.send(json!({ "type": "connection_init", "payload": payload })).await;
        self.next(Duration::from_secs(5)).await.expect("an answer to connection_init")
    }

    /// A connection initialised with `token`, acknowledged.
    pub async fn connected(addr: SocketAddr, token: &str) -> Self {
        let mut c = Self::open(addr).await;
        match c.init(Some(token)).await {
            Event::Other(v) if v["type"] == "connection_ack" => c,
            other => panic!("not acknowledged: {other:?}"),
        }
    }

    /// Subscribes to `changes` (with `after` when given) as operation `id`.
    pub async fn subscribe(&mut self, id: &str, after: Option<&str>) {
        let query =
            "subscription($after: String) { changes(after: $after) { cursor kind action case { number state } } }";
        self.send(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": { "after": after } } }),
        )
        .await;
    }

    /// The next pushed entry within `wait`; `None` if nothing came.
    pub async fn entry(&mut self, wait: Duration) -> Option<Value> {
        match self.next(wait).await? {
            Event::Next(p) => {
                assert!(p.get("errors").is_none(), "{p}");
                Some(p["data"]["changes"].clone())
            }
            other => panic!("expected an entry, got {other:?}"),
        }
    }

    /// Closes the socket.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
