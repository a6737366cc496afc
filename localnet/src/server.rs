//! HTTP JSON-RPC endpoint, the WebSocket endpoint, the slot clock and the snapshot timer.
use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Duration};

use hyper::{
    body::HttpBody,
    header::{HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE},
    service::{make_service_fn, service_fn},
    Body, Method, Request, Response, StatusCode,
};
use log::{error, warn};
use tokio::net::TcpListener;

use crate::{chain::Chain, pubsub, rpc};

/// Largest JSON-RPC request body accepted.
const MAX_BODY_BYTES: u64 = 1 << 20;

fn cors(mut res: Response<Body>) -> Response<Body> {
    let h = res.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET, OPTIONS"));
    h.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, solana-client"));
    res
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res
}

async fn handle(chain: Arc<Chain>, req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let res = match (req.method(), req.uri().path()) {
        (&Method::OPTIONS, _) => text(StatusCode::OK, ""),
        (&Method::GET, "/health") => text(StatusCode::OK, "ok"),
        (&Method::POST, _) => {
            if req.body().size_hint().lower() > MAX_BODY_BYTES {
                text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
            } else {
                match hyper::body::to_bytes(req.into_body()).await {
                    Err(_) => text(StatusCode::BAD_REQUEST, "cannot read request body"),
                    Ok(body) if body.len() as u64 > MAX_BODY_BYTES => text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
                    Ok(body) => {
                        let out = tokio::task::spawn_blocking(move || rpc::handle_body(&chain, &body)).await;
                        match out {
                            Ok(v) => {
                                let mut res = Response::new(Body::from(v.to_string()));
                                res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                                res
                            }
                            Err(e) => {
                                error!("request handler failed: {e}");
                                text(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
                            }
                        }
                    }
                }
            }
        }
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "use POST with a JSON-RPC body"),
    };
    Ok(cors(res))
}

pub struct Endpoints {
    pub rpc: SocketAddr,
    pub ws: SocketAddr,
}

/// Binds both endpoints and starts serving; returns once they accept connections.
pub async fn start(chain: Arc<Chain>, rpc_addr: SocketAddr, ws_addr: SocketAddr, slot_ms: u64) -> std::io::Result<Endpoints> {
    let rpc_listener = std::net::TcpListener::bind(rpc_addr)?;
    rpc_listener.set_nonblocking(true)?;
    let ws_listener = TcpListener::bind(ws_addr).await?;
    let endpoints = Endpoints { rpc: rpc_listener.local_addr()?, ws: ws_listener.local_addr()? };

    let c = chain.clone();
    let make = make_service_fn(move |_| {
        let c = c.clone();
        async move { Ok::<_, Infallible>(service_fn(move |req| handle(c.clone(), req))) }
    });
    let server = hyper::Server::from_tcp(rpc_listener).map_err(std::io::Error::other)?.serve(make);
    tokio::spawn(async move {
        if let Err(e) = server.await {
            error!("rpc server stopped: {e}");
        }
    });
    tokio::spawn(pubsub::serve(ws_listener, chain.clone()));

    let c = chain.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(slot_ms));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let c = c.clone();
            if tokio::task::spawn_blocking(move || c.tick()).await.is_err() {
                error!("slot advance failed");
            }
        }
    });
    let c = chain;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            let c = c.clone();
            match tokio::task::spawn_blocking(move || c.snapshot(false)).await {
                Ok(Err(e)) => warn!("ledger snapshot failed: {e:#}"),
                Err(e) => warn!("ledger snapshot task failed: {e}"),
                Ok(Ok(_)) => {}
            }
        }
    });
    Ok(endpoints)
}
