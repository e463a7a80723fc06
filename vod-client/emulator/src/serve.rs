//! Accepting and serving connections, with the timeouts a server on a shared port needs.
//!
//! `axum::serve` has no timeouts: a client that connects and sends nothing, or sends headers
//! and then stalls its body, holds a connection (and a task) forever. This loop serves each
//! connection with hyper directly so that
//! - the request head must arrive within the idle timeout of the connection becoming idle
//!   (hyper's header-read timeout, which also runs between keep-alive requests), and
//! - each frame of a request body must arrive within the idle timeout of the previous one.
//!
//! Idle connections cost one parked task each and never block the accept loop, so hundreds
//! of them do not delay real clients. On shutdown the listener closes first, then each
//! connection finishes the request it is serving and closes.

use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;
use tower_http::timeout::TimeoutBody;
use tower_service::Service as _;

/// Default idle timeout of a connection (see [`crate::EmulatorBuilder::idle_timeout`]).
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    idle_timeout: Duration,
    mut stop: oneshot::Receiver<()>,
) {
    let (closing, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let app = app.clone();
                    let closing = closing_rx.clone();
                    connections.spawn(serve_connection(stream, app, idle_timeout, closing));
                }
                // Out of file descriptors or similar: wait a little instead of spinning.
                Err(e) => {
                    tracing::warn!(target: "vod_emulator", "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    idle_timeout: Duration,
    mut closing: watch::Receiver<bool>,
) {
    // Answers are small and written at once; Nagle would only delay them.
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let request = request.map(|body| Body::new(TimeoutBody::new(idle_timeout, body)));
        app.clone().call(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(idle_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        served = connection.as_mut() => {
            if let Err(e) = served {
                tracing::debug!(target: "vod_emulator", "connection closed: {e}");
            }
        }
        () = async {
            // The guard `wait_for` returns is not `Send`: drop it here.
            let _ = closing.wait_for(|closing| *closing).await;
        } => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
