//! Shared harness of the `cli_*` tests: a `vod emulator` child process and `vod` commands
//! pointed at it.
//!
//! The emulator runs as the real binary (`vod emulator --listen 127.0.0.1:0`), so the tests
//! also cover that command: its one `listening on http://ADDR` line tells the port. Every `vod`
//! command gets a clean environment: the `VOD_*` variables of the developer's shell are removed
//! and `VOD_CONFIG_FILE` points at a file that does not exist, so no real profile leaks in.

#![allow(dead_code)] // each test file uses a different part of the harness

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Access key the test emulators accept.
pub const AK: &str = "cli-test-access-key";
/// Its secret key.
pub const SK: &str = "cli-test-secret-key";

/// Every variable `vod` reads.
const VOD_VARS: &[&str] = &[
    "VOD_ACCESS_KEY",
    "VOD_SECRET_KEY",
    "VOD_ENDPOINT",
    "VOD_PROFILE",
    "VOD_CONFIG_FILE",
];

/// A `vod emulator` child process, killed on drop.
pub struct Emulator {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Emulator {
    /// Starts `vod emulator` on a free port and waits for its `listening on` line.
    pub fn start() -> Emulator {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_vod"));
        for var in VOD_VARS {
            command.env_remove(var);
        }
        let mut child = command
            .args(["emulator", "--listen", "127.0.0.1:0", "--task-ms", "50"])
            .args(["--access-key", AK, "--secret-key", SK])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vod emulator");
        let stdout = child.stdout.take().expect("emulator stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the emulator never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("vod emulator printed no `listening on` line within 60 s");
            }
        };
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from vod emulator: {line:?}"))
            .to_string();
        assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
        Emulator { child, endpoint }
    }

    /// `vod` with this emulator's endpoint and credentials in the environment.
    pub fn vod(&self) -> assert_cmd::Command {
        let mut cmd = vod();
        cmd.env("VOD_ENDPOINT", &self.endpoint)
            .env("VOD_ACCESS_KEY", AK)
            .env("VOD_SECRET_KEY", SK);
        cmd
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `vod` with a clean environment and no profile file.
pub fn vod() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("vod").expect("vod binary");
    for var in VOD_VARS {
        cmd.env_remove(var);
    }
    cmd.env(
        "VOD_CONFIG_FILE",
        temp_dir("no-config").join("missing.toml"),
    );
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vod-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Asserts success and parses stdout as JSON.
pub fn json_ok(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Asserts the exit code and returns stderr.
pub fn fails_with(output: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&output.stdout)
    );
    stderr
}
