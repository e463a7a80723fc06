//! A one-purpose HTTP server for unit tests that must go over the wire (paging, waiting,
//! block uploads): each request is answered by a closure, one request per connection.
//! Integration tests use the emulator instead.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// `POST /path?query`.
    pub(crate) line: String,
    /// The header lines, lower-cased.
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Hit {
    /// The path of the request line (`/mkblk/4/0`).
    pub(crate) fn path(&self) -> &str {
        self.line.split(' ').nth(1).unwrap_or_default()
    }
}

/// The requests a server received, in order.
pub(crate) type Hits = Arc<Mutex<Vec<Hit>>>;

/// Starts a server answering each request with `answer(request)`: an HTTP status and a JSON
/// text. Returns its endpoint and the requests it received.
pub(crate) async fn serve_raw<F>(answer: F) -> (String, Hits)
where
    F: Fn(&Hit) -> (u16, String) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let hits: Hits = Arc::default();
    let log = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let Some(hit) = read_request(&mut socket).await else {
                continue;
            };
            let (status, reply) = answer(&hit);
            log.lock().expect("log").push(hit);
            let response = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    (endpoint, hits)
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Hit> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let (head_end, length) = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap_or(0));
            break (end + 4, length);
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf[..head_end]);
    let (line, head) = text.split_once("\r\n").unwrap_or((&text, ""));
    Some(Hit {
        line: line.to_string(),
        head: head.to_ascii_lowercase(),
        body: buf[head_end..head_end + length].to_vec(),
    })
}

/// The JSON bodies of the requests a [`serve`] server received, in order.
pub(crate) type Seen = Arc<Mutex<Vec<serde_json::Value>>>;

/// Starts a server answering each request body (JSON) with `answer(body)`, a JSON text sent
/// with HTTP 200. Returns its endpoint and the request bodies it received.
pub(crate) async fn serve<F>(answer: F) -> (String, Seen)
where
    F: Fn(&serde_json::Value) -> String + Send + Sync + 'static,
{
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let (endpoint, _) = serve_raw(move |hit| {
        let body: serde_json::Value = serde_json::from_slice(&hit.body).expect("a JSON body");
        let reply = answer(&body);
        log.lock().expect("log").push(body);
        (200, reply)
    })
    .await;
    (endpoint, seen)
}

/// A client of `endpoint` that never retries (a failure shows at once).
pub(crate) fn client(endpoint: &str) -> crate::Client {
    crate::Client::builder()
        .endpoint(endpoint)
        .credentials("AK", "SK")
        .retry_policy(crate::RetryPolicy::none())
        .build()
        .expect("client")
}
