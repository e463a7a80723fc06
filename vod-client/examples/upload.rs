//! Uploading a large file: parallel blocks, a resume directory, and a progress stream.
//!
//! ```text
//! cargo run -p vod-client --example upload --features emulator            # local emulator
//! VOD_ENDPOINT=... VOD_ACCESS_KEY=... VOD_SECRET_KEY=... \
//!     cargo run -p vod-client --example upload --features emulator -- talk.mp4
//! ```
//!
//! Without `VOD_ENDPOINT` it starts an in-process emulator and uploads a generated 40 MiB
//! file. Interrupt it (Ctrl-C) and run it again on the same file: finished blocks are not sent
//! again (the state lives in `./.vod-resume`).

use std::error::Error;

use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use vod_client::emulator::Emulator;
use vod_client::upload::UploadEvent;
use vod_client::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (client, _emulator) = match std::env::var("VOD_ENDPOINT") {
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
    let path = match std::env::args().nth(1) {
        Some(path) => path.into(),
        None => {
            let path = std::env::temp_dir().join("vod-upload-example.mp4");
            let bytes: Vec<u8> = (0..40u32 << 20).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, bytes)?;
            path
        }
    };

    // Ctrl-C cancels; the finished blocks stay in the resume directory.
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });

    let mut upload = client
        .upload_video(&path)
        .parallel(4)
        .resume_dir(".vod-resume")
        .cancel_on(cancel);
    let mut events = upload.events();
    // The upload future owns its client: it can run on its own task.
    let task = tokio::spawn(upload.send());
    while let Some(event) = events.next().await {
        match event {
            UploadEvent::Started {
                total,
                blocks,
                resumed,
            } => {
                println!("{total} bytes in {blocks} blocks, {resumed} already stored")
            }
            UploadEvent::BlockDone { index, done, total } => {
                println!("block {index} done: {done}/{total}")
            }
            UploadEvent::Retrying { step, error, .. } => println!("resending {step}: {error}"),
            UploadEvent::Finished { hash } => println!("stored, hash {hash}"),
            _ => {}
        }
    }
    match task.await? {
        Ok(video) => println!("video {} ({} bytes)", video.id, video.size),
        Err(e) if e.is_cancelled() => println!("interrupted; run again to continue"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
