//! Throughput of signed `getVideoList` calls through [`vod_client::Client`] against an
//! in-process emulator on loopback: the client signs, the emulator verifies the signature,
//! filters and pages 20 videos, and answers; the client decodes the typed page.
//!
//! ```text
//! cargo bench -p vod-emulator --bench emulator_throughput
//! BENCH_REQUESTS=50000 BENCH_CONCURRENCY=64 cargo bench -p vod-emulator --bench emulator_throughput
//! ```
//!
//! Prints requests per second. Both sides share one Tokio runtime with two worker threads,
//! matching a 2-core machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use vod_client::Client;
use vod_emulator::Emulator;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run_calls(client: Arc<Client>, calls: usize) -> usize {
    let mut ok = 0;
    for _ in 0..calls {
        match client.get_video_list().page_size(10).send().await {
            Ok(page) if !page.video_list_info.is_empty() => ok += 1,
            Ok(_) => eprintln!("empty page"),
            Err(e) => eprintln!("call failed: {e}"),
        }
    }
    ok
}

async fn measure(client: &Arc<Client>, total: usize, concurrency: usize) -> (usize, Duration) {
    let per_worker = total / concurrency.max(1);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(run_calls(client.clone(), per_worker)))
        .collect();
    let mut ok = 0;
    for worker in workers {
        ok += worker.await.unwrap_or(0);
    }
    (ok, started.elapsed())
}

fn main() {
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
    // `cargo test --benches` runs this binary with `--bench` absent: keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let total = env_number("BENCH_REQUESTS", if quick { 200 } else { 30_000 });
    let concurrency = env_number("BENCH_CONCURRENCY", 32);
    runtime.block_on(async move {
        let emulator = match Emulator::start().await {
            Ok(emulator) => emulator,
            Err(e) => {
                eprintln!("cannot start the emulator: {e}");
                std::process::exit(1);
            }
        };
        for i in 0..20 {
            emulator.state().add_video(&format!("bench video {i}"));
        }
        let client = match Client::builder()
            .endpoint(emulator.base_url())
            .credentials(emulator.access_key(), emulator.secret_key())
            .build()
        {
            Ok(client) => Arc::new(client),
            Err(e) => {
                eprintln!("cannot build the client: {e}");
                std::process::exit(1);
            }
        };
        let _ = measure(&client, concurrency * 10, concurrency).await;
        let (ok, elapsed) = measure(&client, total, concurrency).await;
        let rate = ok as f64 / elapsed.as_secs_f64();
        println!(
            "emulator_throughput: {ok} signed getVideoList calls in {:.2} s with {concurrency} concurrent callers: {rate:.0} req/s",
            elapsed.as_secs_f64()
        );
        emulator.shutdown().await;
    });
}
