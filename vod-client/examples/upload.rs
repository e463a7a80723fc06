//! Uploading a large file: parallel blocks, a progress callback and event stream, and resuming
//! an interrupted upload from a resume directory.
//!
//! ```text
//! cargo run -p vod-examples --example upload            # local emulator
//! VOD_ENDPOINT=... VOD_ACCESS_KEY=... VOD_SECRET_KEY=... \
//!     cargo run -p vod-examples --example upload -- talk.mp4
//! ```
//!
//! Without `VOD_ENDPOINT` it starts an in-process emulator, uploads a generated 40 MiB file,
//! interrupts that upload after three blocks and runs it again: the second run sends only
//! the blocks the first did not finish. With a file of your own, interrupt it (Ctrl-C) and
//! run it again on the same file: finished blocks are not sent again (the state lives in
//! `./.vod-resume`).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use vod_client::upload::{UploadEvent, Uploaded};
use vod_client::Client;
use vod_emulator::Emulator;

/// One upload run. `stop_after`: cancel once that many blocks are done (the demo's
/// interruption); `None` runs to the end or until Ctrl-C.
async fn upload(
    client: &Client,
    path: &Path,
    resume_dir: &Path,
    stop_after: Option<u32>,
) -> Result<Option<Uploaded>, Box<dyn Error>> {
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });

    // The callback runs on the upload's tasks: print each new tenth only.
    let last_tenth = Arc::new(AtomicU64::new(u64::MAX));
    let mut upload = client
        .upload_video(path)
        .parallel(4)
        .resume_dir(resume_dir)
        .cancel_on(cancel.clone())
        .progress(move |done, total| {
            let tenth = done * 10 / total.max(1);
            if last_tenth.swap(tenth, Ordering::Relaxed) != tenth {
                println!("  {:>3}% ({done}/{total} bytes)", tenth * 10);
            }
        });
    let mut events = upload.events();
    // The upload future owns its client: it can run on its own task.
    let task = tokio::spawn(upload.send());
    let mut blocks_done = 0;
    while let Some(event) = events.next().await {
        match event {
            UploadEvent::Started {
                total,
                blocks,
                resumed,
            } => println!("{total} bytes in {blocks} blocks, {resumed} bytes already stored"),
            UploadEvent::BlockDone { index, .. } => {
                blocks_done += 1;
                println!("  block {index} done");
                if stop_after == Some(blocks_done) {
                    println!("  interrupting the upload");
                    cancel.cancel();
                }
            }
            UploadEvent::Retrying { step, error, .. } => println!("  resending {step}: {error}"),
            UploadEvent::Finished { hash } => println!("stored, hash {hash}"),
            _ => {}
        }
    }
    ctrl_c.abort();
    match task.await? {
        Ok(video) => Ok(Some(video)),
        Err(e) if e.is_cancelled() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (client, emulator) = match std::env::var("VOD_ENDPOINT") {
        Ok(_) => (Client::from_env()?, None),
        Err(_) => {
            let emulator = Emulator::start().await?;
            let client = Client::builder()
                .endpoint(emulator.base_url())
                .credentials(emulator.access_key(), emulator.secret_key())
                .build()?;
            (client, Some(emulator))
        }
    };

    let video = match std::env::args().nth(1) {
        Some(path) => {
            let video = upload(&client, Path::new(&path), Path::new(".vod-resume"), None).await?;
            let Some(video) = video else {
                println!("interrupted; run again to continue");
                return Ok(());
            };
            video
        }
        None => {
            let dir =
                std::env::temp_dir().join(format!("vod-upload-example-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let path: PathBuf = dir.join("talk.mp4");
            let bytes: Vec<u8> = (0..40u32 << 20).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, bytes)?;
            let resume_dir = dir.join("resume");

            println!("first run:");
            if upload(&client, &path, &resume_dir, Some(3))
                .await?
                .is_some()
            {
                println!("(the upload finished before the interruption took effect)");
            }
            println!("second run, same file and resume directory:");
            let video = upload(&client, &path, &resume_dir, None).await?;
            std::fs::remove_dir_all(&dir)?;
            let video = video.ok_or("the second run was interrupted")?;
            assert_eq!(
                video.size,
                40 << 20,
                "every byte stored, across the two runs"
            );
            video
        }
    };
    println!("video {} ({} bytes)", video.id, video.size);
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}
