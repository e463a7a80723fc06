//! Server CPU per signed `getVideoList` call: the emulator against a trivial axum server that
//! answers the same bytes, in the same run.
//!
//! ```text
//! cargo bench -p vod-emulator --bench emulator_vs_axum
//! BENCH_REQUESTS=20000 BENCH_CONCURRENCY=8 cargo bench -p vod-emulator --bench emulator_vs_axum
//! ```
//!
//! Method. Each server runs alone on its own OS thread, inside a current-thread Tokio runtime,
//! so all of its work — accepting, parsing HTTP, verifying the signature, filtering and
//! rendering (emulator) or copying a fixed body (axum), writing — happens on that one thread.
//! Its CPU time is read on that thread (a task spawned onto its runtime reads
//! `/proc/thread-self/schedstat`, nanoseconds on CPU; `/proc/thread-self/stat` ticks where
//! schedstat is missing) before and after `BENCH_REQUESTS` calls made by `vod_client::Client`
//! from a separate client runtime with `BENCH_CONCURRENCY` callers. CPU ÷ calls is the
//! server's cost per request; the client's work (signing, decoding) is not counted. The
//! emulator holds 20 videos and answers pages of 10; the axum server answers the emulator's
//! exact answer bytes with the same content type. Three rounds alternate the two servers;
//! the median round is reported, with the ratio.
//!
//! Divan then times one sequential call against each server (wall clock, for latency).

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use tokio::runtime::{Handle, Runtime};
use vod_client::Client;
use vod_emulator::Emulator;

/// A server's own thread and runtime.
struct ServerThread {
    handle: Handle,
}

impl ServerThread {
    fn start(name: &str) -> ServerThread {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                let _ = tx.send(runtime.handle().clone());
                // Serves until the process exits.
                runtime.block_on(std::future::pending::<()>());
            });
        spawned.expect("server thread");
        ServerThread {
            handle: rx.recv().expect("server runtime handle"),
        }
    }

    /// Runs `future` on the server's thread and waits for it from `client`.
    fn run<F>(&self, client: &Runtime, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        client
            .block_on(self.handle.spawn(future))
            .expect("server task")
    }

    /// CPU time the server thread has used so far.
    fn cpu(&self, client: &Runtime) -> Duration {
        self.run(client, async { thread_cpu() })
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    if let Ok(text) = std::fs::read_to_string("/proc/thread-self/schedstat") {
        if let Some(ns) = text.split_whitespace().next().and_then(|n| n.parse().ok()) {
            return Duration::from_nanos(ns);
        }
    }
    // Fields 14 and 15 (utime, stime) in clock ticks, after the `(name)` field.
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

struct Setup {
    client_runtime: Runtime,
    emulator_server: ServerThread,
    axum_server: ServerThread,
    emulator_client: Arc<Client>,
    axum_client: Arc<Client>,
    _emulator: Emulator,
}

static SETUP: OnceLock<Setup> = OnceLock::new();

fn client_for(base_url: &str, emulator: &Emulator) -> Arc<Client> {
    Arc::new(
        Client::builder()
            .endpoint(base_url)
            .credentials(emulator.access_key(), emulator.secret_key())
            .build()
            .expect("client"),
    )
}

/// The emulator's raw answer to the call the benchmark makes.
async fn answer_bytes(emulator_url: String, ak: String, sk: String) -> Vec<u8> {
    use vod_client::signer::{self, AuthProfile, SigningRequest};
    let host = emulator_url.trim_start_matches("http://").to_string();
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string();
    let body = br#"{"pageSize":10}"#;
    let headers = [
        ("content-type", "application/json"),
        ("host", host.as_str()),
        ("X-WS-AccessKey", ak.as_str()),
        ("X-WS-Timestamp", timestamp.as_str()),
    ];
    let path = "/vod/videoManage/getVideoList";
    let signed = signer::sign(
        AuthProfile::Ws3,
        &ak,
        &sk,
        &SigningRequest {
            method: "POST",
            uri: path,
            headers: &headers,
            body,
            timestamp: &timestamp,
            signed_headers: None,
        },
    );
    let response = reqwest::Client::new()
        .post(format!("{emulator_url}{path}"))
        .header("Content-Type", "application/json")
        .header("X-WS-AccessKey", ak)
        .header("X-WS-Timestamp", timestamp)
        .header("Authorization", signed.authorization())
        .body(body.to_vec())
        .send()
        .await
        .expect("emulator answers");
    response.bytes().await.expect("answer body").to_vec()
}

/// A server that answers every `getVideoList` with `bytes`.
async fn trivial_axum(bytes: Vec<u8>) -> String {
    let bytes = bytes::Bytes::from(bytes);
    let app = axum::Router::new().route(
        "/vod/videoManage/getVideoList",
        axum::routing::post(move || {
            let bytes = bytes.clone();
            async move {
                (
                    [
                        (CONTENT_TYPE, "application/json;charset=UTF-8"),
                        (
                            axum::http::HeaderName::from_static("x-ws-requestid"),
                            "0000000000000000000000000000000",
                        ),
                    ],
                    bytes,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

impl Setup {
    fn new() -> Setup {
        let client_runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("client runtime");
        let emulator_server = ServerThread::start("emulator");
        let axum_server = ServerThread::start("trivial-axum");
        let emulator = emulator_server.run(&client_runtime, async {
            let emulator = Emulator::builder().seed(1).start().await.expect("emulator");
            for i in 0..20 {
                emulator.state().add_video(&format!("bench video {i}"));
            }
            emulator
        });
        let bytes = client_runtime.block_on(answer_bytes(
            emulator.base_url().to_string(),
            emulator.access_key().to_string(),
            emulator.secret_key().to_string(),
        ));
        assert!(
            bytes.windows(13).any(|w| w == b"videoListInfo"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let axum_url = axum_server.run(&client_runtime, trivial_axum(bytes));
        Setup {
            emulator_client: client_for(emulator.base_url(), &emulator),
            axum_client: client_for(&axum_url, &emulator),
            client_runtime,
            emulator_server,
            axum_server,
            _emulator: emulator,
        }
    }
}

async fn one_call(client: &Client) {
    let page = client
        .get_video_list()
        .page_size(10)
        .send()
        .await
        .expect("getVideoList");
    assert_eq!(page.video_list_info.len(), 10);
}

/// Server CPU per call over `total` calls from `concurrency` callers.
fn cpu_per_call(
    setup: &Setup,
    server: &ServerThread,
    client: &Arc<Client>,
    total: usize,
    concurrency: usize,
) -> Duration {
    let run = |calls: usize| {
        let per_caller = calls / concurrency.max(1);
        setup.client_runtime.block_on(async {
            let callers: Vec<_> = (0..concurrency)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        for _ in 0..per_caller {
                            one_call(&client).await;
                        }
                    })
                })
                .collect();
            for caller in callers {
                caller.await.expect("caller");
            }
        });
        per_caller * concurrency.max(1)
    };
    run(concurrency * 20);
    let before = server.cpu(&setup.client_runtime);
    let calls = run(total);
    let used = server.cpu(&setup.client_runtime).saturating_sub(before);
    used / u32::try_from(calls.max(1)).unwrap_or(u32::MAX)
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn report(setup: &Setup) {
    // `cargo test --benches` runs this without `--bench`: keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let total = env_number("BENCH_REQUESTS", if quick { 40 } else { 5_000 });
    let concurrency = env_number("BENCH_CONCURRENCY", 8);
    let rounds = if quick { 1 } else { 3 };
    let mut results = Vec::new();
    for _ in 0..rounds {
        let emulator = cpu_per_call(
            setup,
            &setup.emulator_server,
            &setup.emulator_client,
            total,
            concurrency,
        );
        let axum = cpu_per_call(
            setup,
            &setup.axum_server,
            &setup.axum_client,
            total,
            concurrency,
        );
        results.push((emulator, axum));
    }
    results.sort_by(|a, b| {
        let ratio = |(e, x): &(Duration, Duration)| e.as_secs_f64() / x.as_secs_f64().max(1e-12);
        ratio(a).total_cmp(&ratio(b))
    });
    let (emulator, axum) = results[results.len() / 2];
    println!(
        "emulator_vs_axum: server CPU per signed getVideoList ({total} calls, {concurrency} callers, median of {rounds}): \
         emulator {:.1} µs, trivial axum {:.1} µs, ratio {:.2}x",
        emulator.as_secs_f64() * 1e6,
        axum.as_secs_f64() * 1e6,
        emulator.as_secs_f64() / axum.as_secs_f64().max(1e-12),
    );
}

fn setup() -> &'static Setup {
    SETUP.get_or_init(Setup::new)
}

#[divan::bench]
fn emulator_call(bencher: divan::Bencher) {
    let setup = setup();
    bencher.bench(|| {
        setup
            .client_runtime
            .block_on(one_call(&setup.emulator_client))
    });
}

#[divan::bench]
fn trivial_axum_call(bencher: divan::Bencher) {
    let setup = setup();
    bencher.bench(|| setup.client_runtime.block_on(one_call(&setup.axum_client)));
}

fn main() {
    report(setup());
    divan::main();
}
