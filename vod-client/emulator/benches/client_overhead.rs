//! What the client costs above the wire: [`vod_client::Client`] against raw `reqwest` with
//! pre-signed headers plus one plain `serde_json` decode into the same output type.
//!
//! ```text
//! cargo bench -p vod-emulator --bench client_overhead
//! BENCH_ROUNDS=60 BENCH_CALLS=800 cargo bench -p vod-emulator --bench client_overhead
//! ```
//!
//! A loopback HTTP/1.1 server replays one real `getVideoList` answer (captured once from the
//! emulator, 10 videos) to every request, so neither side waits on server work. 16 callers
//! share one client in each case; both sides run on one two-worker Tokio runtime with the
//! server, matching a 2-core machine. Rounds alternate between the two (see
//! `support/mod.rs`) and the printed figure is our throughput over raw's, per round.
//!
//! Ours does everything a user's call does: validate, encode, sign with a fresh timestamp,
//! send, classify the envelope and decode the typed page. Raw does only the transport and
//! the decode: its headers were signed once, before timing.

#[path = "../../benches/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vod_client::model::GetVideoListOutput;
use vod_client::signer::{self, AuthProfile, SigningRequest};
use vod_client::Client;
use vod_emulator::Emulator;

use support::{env_number, Interleaved, Unit};

const CALLERS: usize = 16;
const PATH: &str = "/vod/videoManage/getVideoList";
const BODY: &[u8] = br#"{"pageSize":10}"#;

/// The raw side's decode target: the envelope around the same output type.
#[derive(serde::Deserialize)]
struct Answer {
    data: GetVideoListOutput,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn signed_headers(host: &str, ak: &str, sk: &str) -> Result<HeaderMap, Failure> {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)?
        .as_secs()
        .to_string();
    let pairs = [
        ("Content-Type", "application/json"),
        ("Host", host),
        ("X-WS-AccessKey", ak),
        ("X-WS-Timestamp", ts.as_str()),
    ];
    let signed = signer::sign(
        AuthProfile::Ws3,
        ak,
        sk,
        &SigningRequest {
            method: "POST",
            uri: PATH,
            headers: &pairs,
            body: BODY,
            timestamp: &ts,
            signed_headers: None,
        },
    );
    let mut headers = HeaderMap::new();
    for (name, value) in pairs
        .iter()
        .chain([&("Authorization", signed.authorization())])
    {
        headers.insert(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value)?,
        );
    }
    Ok(headers)
}

/// One real answer, taken from the emulator so it has the service's shape.
async fn captured_answer() -> Result<Vec<u8>, Failure> {
    let emulator = Emulator::start().await?;
    for i in 0..10 {
        emulator.state().add_video(&format!("bench video {i}"));
    }
    let origin = emulator.base_url().to_string();
    let host = origin.trim_start_matches("http://").to_string();
    let headers = signed_headers(&host, emulator.access_key(), emulator.secret_key())?;
    let answer = reqwest::Client::new()
        .post(format!("{origin}{PATH}"))
        .headers(headers)
        .body(BODY)
        .send()
        .await?
        .bytes()
        .await?
        .to_vec();
    emulator.shutdown().await;
    let decoded: Answer = serde_json::from_slice(&answer)?;
    if decoded.data.video_list_info.len() != 10 {
        return Err(format!("unexpected answer: {}", String::from_utf8_lossy(&answer)).into());
    }
    Ok(answer)
}

/// Serves `answer` to every request on every connection, keep-alive, until the task ends.
async fn replay(listener: TcpListener, answer: Arc<Vec<u8>>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(serve(stream, answer.clone()));
    }
}

async fn serve(mut stream: TcpStream, answer: Arc<Vec<u8>>) {
    let _ = stream.set_nodelay(true);
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-ws-requestid: bench\r\n\r\n",
        answer.len()
    )
    .into_bytes();
    response.extend_from_slice(&answer);
    let mut buf = Vec::with_capacity(4096);
    loop {
        // Read one request: headers up to the blank line, then `content-length` body bytes.
        let (head_end, body_len) = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break (end + 4, content_length(&buf[..end]));
            }
            if !read_more(&mut stream, &mut buf).await {
                return;
            }
        };
        while buf.len() < head_end + body_len {
            if !read_more(&mut stream, &mut buf).await {
                return;
            }
        }
        buf.drain(..head_end + body_len);
        if stream.write_all(&response).await.is_err() {
            return;
        }
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// Runs `calls` calls spread over [`CALLERS`] tasks; panics if any call fails, since a
/// failing side would be measuring its error path.
async fn round<F, Fut>(calls: usize, call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<usize, String>> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                for _ in 0..calls / CALLERS {
                    match call().await {
                        Ok(10) => {}
                        Ok(n) => panic!("expected 10 videos, got {n}"),
                        Err(e) => panic!("call failed: {e}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        if let Err(e) = task.await {
            panic!("caller task: {e}");
        }
    }
    started.elapsed()
}

async fn run(rounds: usize, calls: usize) -> Result<(), Failure> {
    let answer = Arc::new(captured_answer().await?);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(replay(listener, answer.clone()));
    let origin = format!("http://{addr}");
    let (ak, sk) = ("AKBENCH", "bench-secret-key");

    let ours = Arc::new(
        Client::builder()
            .endpoint(&origin)
            .credentials(ak, sk)
            .build()?,
    );
    let raw = reqwest::Client::new();
    let raw_headers = signed_headers(&addr.to_string(), ak, sk)?;
    let url = format!("{origin}{PATH}");

    let ours_call = move || {
        let ours = ours.clone();
        async move {
            let page = ours
                .get_video_list()
                .page_size(10)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            Ok(page.video_list_info.len())
        }
    };
    let raw_call = move || {
        let (raw, url, headers) = (raw.clone(), url.clone(), raw_headers.clone());
        async move {
            let bytes = raw
                .post(url)
                .headers(headers)
                .body(BODY)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .bytes()
                .await
                .map_err(|e| e.to_string())?;
            let answer: Answer = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
            Ok(answer.data.video_list_info.len())
        }
    };

    let handle = tokio::runtime::Handle::current();
    // The interleaving helper is synchronous; each batch blocks this (non-worker) thread
    // while the runtime's two workers run the calls.
    let result = tokio::task::spawn_blocking(move || {
        let timed_raw = || handle.block_on(round(calls, raw_call.clone()));
        let timed_ours = || handle.block_on(round(calls, ours_call.clone()));
        Interleaved::run(rounds, calls as u32, timed_raw, timed_ours)
    })
    .await?;
    println!(
        "\ngetVideoList on loopback, {CALLERS} callers, {rounds} rounds of {calls} calls each:"
    );
    result.report_rate("client throughput", "raw", "ours", Unit::PerSecond);
    server.abort();
    Ok(())
}

fn main() {
    // `cargo test --benches` runs this binary without `--bench`: keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = env_number("BENCH_ROUNDS", if quick { 2 } else { 40 });
    let calls = env_number("BENCH_CALLS", if quick { 64 } else { 800 });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(rounds, calls)) {
        eprintln!("client_overhead: {e}");
        std::process::exit(1);
    }
}
