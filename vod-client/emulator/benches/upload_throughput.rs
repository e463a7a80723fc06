//! Upload throughput: `Client::upload_video` against a `vod-emulator` child process, next to a
//! raw streaming upload of the same bytes to the same emulator (one `mkblk` of the whole file,
//! then `mkfile`, with plain reqwest), in the same run.
//!
//! ```text
//! cargo bench -p vod-emulator --bench upload_throughput
//! BENCH_UPLOAD_MIB=512 BENCH_ROUNDS=3 BENCH_PARALLEL=4 BENCH_CHUNK_MIB=4 BENCH_MD5=0 \
//!     cargo bench -p vod-emulator --bench upload_throughput
//! ```
//!
//! Prints, per round and as the best of the rounds, MiB/s of both uploads, their ratio, and
//! the CPU seconds the client and the emulator spent on each (on a shared machine the ratio
//! follows the CPU the machine has to spare), and the client's peak RSS during each (Linux:
//! `VmHWM`, reset through `/proc/self/clear_refs` before each upload). Each round also prints
//! the load average and the "CPU ratio": the raw upload's CPU (client + emulator) over the
//! SDK's, the throughput ratio to expect when the machine has no core to spare. The file is
//! generated in the temp dir and removed at the end. Goals: ratio ≥ 0.9, SDK peak RSS < 64 MiB.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vod_client::Client;
use vod_emulator::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A `vod-emulator` child, killed on drop.
struct EmulatorProcess {
    child: Child,
    endpoint: String,
}

impl EmulatorProcess {
    fn start() -> Result<EmulatorProcess, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vod-emulator"))
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "vod_emulator=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start vod-emulator: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the emulator's first line: {e}"))?;
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected emulator line {line:?}"))?
            .to_string();
        Ok(EmulatorProcess { child, endpoint })
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn make_file(path: &Path, mib: u64) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut piece = vec![0u8; 1 << 20];
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..mib {
        for b in piece.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        file.write_all(&piece)?;
    }
    file.flush()
}

/// Peak RSS of this process in KiB since the last reset (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The raw baseline: one `mkblk` carrying the whole file, streamed, then `mkfile`.
async fn raw_upload(client: &Client, path: &Path, size: u64) -> Result<Duration, String> {
    let token = client
        .get_upload_token("raw.mp4")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let base = token.upload_url.trim_end_matches('/').to_string();
    let path = path.to_path_buf();
    let started = Instant::now();
    let stream = futures_util::stream::unfold(
        Some(std::fs::File::open(&path).map_err(|e| e.to_string())?),
        |file| async move {
            let mut file = file?;
            let mut buf = vec![0u8; 1 << 20];
            let n = tokio::task::block_in_place(|| file.read(&mut buf));
            match n {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok::<_, std::io::Error>(bytes::Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        },
    );
    let answer = http
        .post(format!("{base}/mkblk/{size}/0"))
        .header("Authorization", &token.upload_token)
        .header("UploadBatch", "raw-bench")
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", size)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: serde_json::Value = answer.json().await.map_err(|e| e.to_string())?;
    let ctx = body["ctx"]
        .as_str()
        .ok_or(format!("mkblk: {body}"))?
        .to_string();
    let done = http
        .post(format!("{base}/mkfile/{size}"))
        .header("Authorization", &token.upload_token)
        .header("UploadBatch", "raw-bench")
        .body(ctx)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !done.status().is_success() {
        return Err(format!("mkfile: HTTP {}", done.status()));
    }
    Ok(started.elapsed())
}

async fn sdk_upload(
    client: &Client,
    path: &Path,
    parallel: u64,
    chunk: u64,
) -> Result<Duration, String> {
    let started = Instant::now();
    client
        .upload_video(path)
        .parallel(parallel as usize)
        .chunk_size(chunk << 20)
        .verify_md5(env_number("BENCH_MD5", 1) == 1)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(started.elapsed())
}

/// The 1-minute load average (Linux: `/proc/loadavg`), to judge a round on a shared machine.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// CPU seconds (user + system) this process used so far (Linux: `/proc/self/stat`).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15 (in clock ticks).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds a process used so far (Linux: `/proc/PID/stat`).
fn cpu_secs_of(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// One measured upload in this (fresh) process; prints `seconds peak_rss_kib cpu_secs`.
fn child(role: &str) -> Result<(), String> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let endpoint = var("BENCH_ENDPOINT")?;
    let path = PathBuf::from(var("BENCH_FILE")?);
    let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client = Client::builder()
        .endpoint(&endpoint)
        .credentials(DEMO_ACCESS_KEY, DEMO_SECRET_KEY)
        .build()
        .map_err(|e| e.to_string())?;
    reset_peak_rss();
    let cpu = cpu_secs();
    let elapsed = match role {
        "raw" => runtime.block_on(raw_upload(&client, &path, size))?,
        _ => runtime.block_on(sdk_upload(
            &client,
            &path,
            env_number("BENCH_PARALLEL", 4),
            env_number("BENCH_CHUNK_MIB", 4),
        ))?,
    };
    println!(
        "{} {} {}",
        elapsed.as_secs_f64(),
        peak_rss_kib().unwrap_or(0),
        cpu_secs() - cpu
    );
    Ok(())
}

/// Runs one upload in a child process: (seconds, peak RSS KiB, CPU seconds).
fn measure(role: &str, endpoint: &str, path: &Path) -> Result<(f64, u64, f64), String> {
    let output = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .env("BENCH_ROLE", role)
        .env("BENCH_ENDPOINT", endpoint)
        .env("BENCH_FILE", path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let parts: Vec<&str> = text.split_whitespace().collect();
    let parse = |i: usize| parts.get(i).and_then(|v| v.parse::<f64>().ok());
    match (parse(0), parse(1), parse(2)) {
        (Some(s), Some(rss), Some(cpu)) => Ok((s, rss as u64, cpu)),
        _ => Err(format!("unexpected child output {text:?}")),
    }
}

fn main() {
    if let Ok(role) = std::env::var("BENCH_ROLE") {
        if let Err(e) = child(&role) {
            eprintln!("{role} upload failed: {e}");
            std::process::exit(1);
        }
        return;
    }
    let mib = env_number("BENCH_UPLOAD_MIB", 1024);
    let rounds = env_number("BENCH_ROUNDS", 2).max(1);
    let parallel = env_number("BENCH_PARALLEL", 4);
    let chunk = env_number("BENCH_CHUNK_MIB", 4);
    let path: PathBuf =
        std::env::temp_dir().join(format!("vod-upload-bench-{}.mp4", std::process::id()));
    if let Err(e) = make_file(&path, mib) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
    let emulator = match EmulatorProcess::start() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "upload_throughput: {mib} MiB, parallel {parallel}, chunk {chunk} MiB, {rounds} rounds; \
         emulator and each upload in their own process"
    );
    let rate = |secs: f64| mib as f64 / secs;
    let (mut best_raw, mut best_sdk) = (0f64, 0f64);
    let (mut raw_rss, mut sdk_rss) = (0u64, 0u64);
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let pid = emulator.child.id();
        let load = load_average();
        let e0 = cpu_secs_of(pid);
        let raw = measure("raw", &emulator.endpoint, &path);
        let e1 = cpu_secs_of(pid);
        let sdk = measure("sdk", &emulator.endpoint, &path);
        let e2 = cpu_secs_of(pid);
        match (raw, sdk) {
            (Ok((raw, rss_raw, cpu_raw)), Ok((sdk, rss_sdk, cpu_sdk))) => {
                let (emu_raw, emu_sdk) = (e1 - e0, e2 - e1);
                println!(
                    "round {round} (load {load}): raw {:.0} MiB/s (CPU client {cpu_raw:.1} s + emulator {emu_raw:.1} s, peak RSS {} MiB), \
                     sdk {:.0} MiB/s (CPU client {cpu_sdk:.1} s + emulator {emu_sdk:.1} s, peak RSS {} MiB), ratio {:.2}, \
                     CPU ratio {:.2}",
                    rate(raw),
                    rss_raw / 1024,
                    rate(sdk),
                    rss_sdk / 1024,
                    raw / sdk,
                    (cpu_raw + emu_raw) / (cpu_sdk + emu_sdk).max(f64::MIN_POSITIVE)
                );
                ratios.push(raw / sdk);
                best_raw = best_raw.max(rate(raw));
                best_sdk = best_sdk.max(rate(sdk));
                raw_rss = raw_rss.max(rss_raw);
                sdk_rss = sdk_rss.max(rss_sdk);
            }
            (raw, sdk) => eprintln!("round {round} failed: raw {raw:?}, sdk {sdk:?}"),
        }
    }
    ratios.sort_by(f64::total_cmp);
    if let (Some(low), Some(high)) = (ratios.first(), ratios.last()) {
        println!(
            "ratio per round: min {low:.2}, median {:.2}, max {high:.2}",
            ratios[ratios.len() / 2]
        );
    }
    println!(
        "best: raw {best_raw:.0} MiB/s, sdk {best_sdk:.0} MiB/s, ratio {:.2}; peak RSS raw {} MiB, sdk {} MiB",
        best_sdk / best_raw.max(f64::MIN_POSITIVE),
        raw_rss / 1024,
        sdk_rss / 1024
    );
    drop(emulator);
    let _ = std::fs::remove_file(&path);
}
