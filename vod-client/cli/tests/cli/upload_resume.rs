//! Resumable uploads: a `vod upload` child process killed mid-upload and run again sends only
//! the missing blocks; a cancelled upload resumes; a changed file starts over; the resume
//! state disappears once the upload succeeds.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use vod_client::upload::{file_etag, UploadEvent};
use vod_emulator::{Emulator, FaultAction, FaultRule};

const AK: &str = "resume-ak";
const SK: &str = "resume-sk";
const BLOCK: usize = 4 << 20;

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("vod-upload-resume-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, len: usize, seed: u8) {
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    std::fs::write(path, bytes).unwrap();
}

async fn emulator(latency: Option<Duration>) -> (Emulator, vod_client::Client) {
    let mut builder = Emulator::builder().credentials(AK, SK);
    if let Some(latency) = latency {
        builder = builder.fault(FaultRule::new(FaultAction::Latency(latency)).on("mkblk"));
    }
    let emulator = builder.start().await.unwrap();
    let client = vod_client::Client::builder()
        .endpoint(emulator.base_url())
        .credentials(AK, SK)
        .build()
        .unwrap();
    (emulator, client)
}

/// The unfinished uploads' state files in a resume directory, with their finished blocks.
fn states(dir: &Path) -> Vec<(PathBuf, usize)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".json") && !name.starts_with('.') && name != "finished-files.json"
        })
        .map(|p| {
            let value: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&p).unwrap_or_default()).unwrap_or_default();
            let blocks = value["blocks"].as_array().map_or(0, Vec::len);
            (p, blocks)
        })
        .collect()
}

/// The emulator's mkblk count once it has stayed the same for several times the injected
/// latency, so that requests of a killed or cancelled upload still in flight are counted.
async fn settled_mkblk(emulator: &Emulator) -> u64 {
    let mut last = emulator.state().upload_calls().mkblk;
    loop {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let now = emulator.state().upload_calls().mkblk;
        if now == last {
            return now;
        }
        last = now;
    }
}

fn vod_upload(emulator: &Emulator, file: &Path, resume: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vod"));
    cmd.env_remove("VOD_PROFILE")
        .env("VOD_CONFIG_FILE", resume.join("no-config.toml"))
        .env("VOD_ENDPOINT", emulator.base_url())
        .env("VOD_ACCESS_KEY", AK)
        .env("VOD_SECRET_KEY", SK)
        .args(["upload", "--no-progress", "--parallel", "2", "--resume-dir"])
        .arg(resume)
        .arg(file)
        .stdin(std::process::Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_child_is_resumed_and_sends_only_the_missing_blocks() {
    let (emulator, _client) = emulator(Some(Duration::from_millis(150))).await;
    let dir = temp_dir("killed");
    let resume = dir.join("resume");
    let file = dir.join("long.mp4");
    let blocks = 12;
    write(&file, blocks * BLOCK + 1000, 1);
    let total_blocks = blocks as u64 + 1;

    let mut child = vod_upload(&emulator, &file, &resume)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while states(&resume).first().map_or(0, |s| s.1) < 3 {
        assert!(std::time::Instant::now() < deadline, "no progress recorded");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child finished too early"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let recorded = states(&resume);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let done = recorded[0].1 as u64;
    assert!(done >= 3 && done < total_blocks, "{done}");

    // The killed child may have left a request in flight, which the emulator still answers
    // (and counts): wait until the counts stop moving.
    let before_mkblk = settled_mkblk(&emulator).await;
    let before = emulator.state().upload_calls();
    let output = tokio::task::spawn_blocking({
        let mut cmd = vod_upload(&emulator, &file, &resume);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = emulator.state().upload_calls();
    assert_eq!(after.mkblk - before_mkblk, total_blocks - done);
    assert_eq!(after.mkfile - before.mkfile, 1);
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed[0]["hash"], file_etag(&file).unwrap());
    assert_eq!(printed[0]["resumed"], done * BLOCK as u64);
    let video_id = printed[0]["videoId"].as_str().unwrap().to_string();
    assert_eq!(
        emulator.state().video(&video_id).map(|v| v.video_size),
        Some((blocks * BLOCK + 1000) as u64)
    );
    assert!(states(&resume).is_empty(), "state removed on success");

    // A third run skips the finished file.
    let output = tokio::task::spawn_blocking({
        let mut cmd = vod_upload(&emulator, &file, &resume);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed[0]["skipped"], true);
    assert_eq!(emulator.state().upload_calls().mkblk, after.mkblk);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Uploads `file` and cancels once `stop_after` blocks are done; returns the error.
async fn cancelled_upload(
    client: &vod_client::Client,
    file: &Path,
    resume: &Path,
    stop_after: usize,
) -> vod_client::upload::UploadError {
    let token = CancellationToken::new();
    let mut upload = client
        .upload_video(file)
        .parallel(2)
        .resume_dir(resume)
        .cancel_on(token.clone());
    let mut events = upload.events();
    let task = tokio::spawn(upload.send());
    let mut done = 0;
    while let Some(event) = events.next().await {
        if matches!(event, UploadEvent::BlockDone { .. }) {
            done += 1;
            if done == stop_after {
                token.cancel();
                break;
            }
        }
    }
    task.await.unwrap().unwrap_err()
}

#[tokio::test]
async fn a_cancelled_upload_resumes_and_a_changed_file_starts_over() {
    let (emulator, client) = emulator(Some(Duration::from_millis(30))).await;
    let dir = temp_dir("cancel");
    let resume = dir.join("resume");
    let file = dir.join("clip.mp4");
    write(&file, 6 * BLOCK + 5, 2);

    let err = cancelled_upload(&client, &file, &resume, 2).await;
    assert!(err.is_cancelled(), "{err}");
    let done = states(&resume)[0].1 as u64;
    assert!(done >= 2, "{done}");
    let before = settled_mkblk(&emulator).await;
    let resumed = client
        .upload_video(&file)
        .resume_dir(&resume)
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.state().upload_calls().mkblk - before, 7 - done);
    assert_eq!(resumed.resumed, done * BLOCK as u64);
    assert_eq!(resumed.hash, file_etag(&file).unwrap());
    assert!(states(&resume).is_empty());

    // Interrupted again, then changed (same size, other bytes): everything is sent again.
    let err = cancelled_upload(&client, &file, &resume, 2).await;
    assert!(err.is_cancelled());
    write(&file, 6 * BLOCK + 5, 3);
    let before = emulator.state().upload_calls().mkblk;
    let fresh = client
        .upload_video(&file)
        .resume_dir(&resume)
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.state().upload_calls().mkblk - before, 7);
    assert_eq!(fresh.resumed, 0);
    assert_eq!(fresh.hash, file_etag(&file).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn dropping_the_future_keeps_finished_blocks() {
    let (emulator, client) = emulator(Some(Duration::from_millis(30))).await;
    let dir = temp_dir("drop");
    let resume = dir.join("resume");
    let file = dir.join("dropped.mp4");
    write(&file, 5 * BLOCK, 4);
    let blocks_done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut upload = client.upload_video(&file).parallel(1).resume_dir(&resume);
    let mut events = upload.events();
    let counter = blocks_done.clone();
    let watcher = async move {
        while let Some(event) = events.next().await {
            if matches!(event, UploadEvent::BlockDone { .. })
                && counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 2
            {
                return;
            }
        }
    };
    tokio::select! {
        _ = upload.send() => panic!("the upload should have been dropped first"),
        () = watcher => {}
    }
    assert_eq!(states(&resume)[0].1, 2);
    let mut resumed = client.upload_video(&file).resume_dir(&resume);
    let mut events = resumed.events();
    let video = resumed.send().await.unwrap();
    assert_eq!(video.hash, file_etag(&file).unwrap());
    let mut sent = Vec::new();
    while let Some(event) = events.next().await {
        match event {
            UploadEvent::Started { resumed, .. } => assert_eq!(resumed, 2 * BLOCK as u64),
            UploadEvent::BlockDone { index, .. } => sent.push(index),
            _ => {}
        }
    }
    sent.sort_unstable();
    assert_eq!(sent, [2, 3, 4], "only the missing blocks are sent again");
    // The dropped run may have had one mkblk in flight, which the emulator still counts.
    let mkblk = emulator.state().upload_calls().mkblk;
    assert!((5..=6).contains(&mkblk), "{mkblk} mkblk calls in both runs");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_vod_upload_and_the_same_command_continues() {
    let (emulator, _client) = emulator(Some(Duration::from_millis(150))).await;
    let dir = temp_dir("sigint");
    let resume = dir.join("resume");
    let file = dir.join("interrupted.mp4");
    write(&file, 10 * BLOCK, 5);
    let child = vod_upload(&emulator, &file, &resume)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while states(&resume).first().map_or(0, |s| s.1) < 2 {
        assert!(std::time::Instant::now() < deadline, "no progress recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rerun the same command"), "{stderr}");
    let done = states(&resume)[0].1 as u64;

    let output = tokio::task::spawn_blocking({
        let mut cmd = vod_upload(&emulator, &file, &resume);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed[0]["resumed"], done * BLOCK as u64);
    assert_eq!(printed[0]["hash"], file_etag(&file).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
