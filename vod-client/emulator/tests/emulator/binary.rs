//! The `vod-emulator` binary: prints one `listening on` line, serves signed requests with the
//! given keys, logs to stderr, and exits cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Raw;
use serde_json::json;

fn wait_for_exit(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[cfg(unix)]
#[tokio::test]
async fn serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vod-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--access-key",
            "AK1",
            "--secret-key",
            "SK1",
            "--task-ms",
            "20",
        ])
        .env("RUST_LOG", "vod_emulator=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vod-emulator");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let raw = Raw {
        host: base.trim_start_matches("http://").to_string(),
        base: base.clone(),
        ak: "AK1".into(),
        sk: "SK1".into(),
        http: reqwest::Client::new(),
    };
    let r = raw.call("/vod/videoManage/getVideoList", json!({})).await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    let mut demo = raw.clone();
    demo.ak = vod_emulator::DEMO_ACCESS_KEY.into();
    demo.sk = vod_emulator::DEMO_SECRET_KEY.into();
    assert_eq!(
        demo.call("/vod/videoManage/getVideoList", json!({}))
            .await
            .code(),
        2004,
        "only the given pair"
    );

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = wait_for_exit(&mut child, Duration::from_secs(5));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(lines.next().is_none(), "exactly one line on stdout");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(
        stderr.contains("/vod/videoManage/getVideoList"),
        "request logged: {stderr}"
    );
}

#[test]
fn bad_flags_exit_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_vod-emulator"))
        .args(["--nope", "1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Usage: vod-emulator"), "{stderr}");
    assert!(stderr.contains("--nope"), "names the flag: {stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_vod-emulator"))
        .args(["--access-key", "only-one"])
        .env_remove(vod_emulator::args::SECRET_KEY_ENV)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs its secret key"));
    let help = Command::new(env!("CARGO_BIN_EXE_vod-emulator"))
        .arg("--help")
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--listen",
        "--task-ms",
        "--secret-key-file",
        "--throttle",
        "--callback-url",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}

/// Starts the binary with `args` and `env`, and returns it with its base URL.
fn spawn_with(args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vod-emulator"));
    command
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("VOD_EMULATOR_ACCESS_KEY")
        .env_remove("VOD_EMULATOR_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("spawn vod-emulator");
    let stdout = child.stdout.take().expect("stdout");
    let first = BufReader::new(stdout)
        .lines()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    let base = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    (child, base)
}

async fn answers_with(base: &str, ak: &str, sk: &str) -> i64 {
    let raw = Raw {
        host: base.trim_start_matches("http://").to_string(),
        base: base.to_string(),
        ak: ak.into(),
        sk: sk.into(),
        http: reqwest::Client::new(),
    };
    raw.call("/vod/videoManage/getVideoList", json!({}))
        .await
        .code()
}

#[tokio::test]
async fn secret_key_from_environment_or_file_not_argv() {
    let (mut child, base) = spawn_with(
        &["--access-key", "AK-ENV"],
        &[("VOD_EMULATOR_SECRET_KEY", "sk-from-env")],
    );
    assert_eq!(answers_with(&base, "AK-ENV", "sk-from-env").await, 200);
    assert_eq!(answers_with(&base, "AK-ENV", "other").await, 2009);
    let _ = child.kill();
    let _ = child.wait();

    let path = std::env::temp_dir().join(format!("vod-emulator-test-sk-{}", std::process::id()));
    std::fs::write(&path, "sk-from-file\n").expect("write key file");
    let file = path.to_string_lossy().to_string();
    let (mut child, base) = spawn_with(
        &["--secret-key-file", &file],
        &[("VOD_EMULATOR_ACCESS_KEY", "AK-FILE")],
    );
    assert_eq!(answers_with(&base, "AK-FILE", "sk-from-file").await, 200);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&path);
}
