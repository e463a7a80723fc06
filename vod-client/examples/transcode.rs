//! Transcoding and waiting: start the task, then poll each video until it is done, and see
//! what a failed task looks like.
//!
//! ```text
//! cargo run -p vod-examples --example transcode
//! ```

use std::error::Error;
use std::time::Duration;

use vod_client::upload::UploadSource;
use vod_client::{Client, WaitOptions};
use vod_emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let emulator = Emulator::builder()
        .task_duration(Duration::from_millis(300))
        .start()
        .await?;
    let client = Client::builder()
        .endpoint(emulator.base_url())
        .credentials(emulator.access_key(), emulator.secret_key())
        .build()?;

    let mut ids = Vec::new();
    for name in ["intro.mp4", "talk.mp4"] {
        let bytes: Vec<u8> = (0..64 * 1024u32).map(|i| (i % 251) as u8).collect();
        let video = client
            .upload_video(UploadSource::bytes(name, bytes))
            .send()
            .await?;
        println!("uploaded {name} as {}", video.id);
        ids.push(video.id);
    }

    // One call for both videos; the task follows each of them.
    let mut task = client.trans_code(&ids).start().await?;
    let options = WaitOptions::new(
        Duration::from_millis(100),
        Duration::from_secs(1),
        Duration::from_secs(120),
    );
    let done = task.wait_with(options).await?;
    assert!(
        done.all_succeeded() && done.outcomes().len() == 2,
        "both videos transcoded"
    );
    for outcome in done.outcomes() {
        let renditions = outcome
            .answer
            .as_ref()
            .and_then(|a| a.video_list_info.first())
            .and_then(|v| v.video_resolutions.as_ref())
            .map_or(0, Vec::len);
        println!(
            "{}: {:?}, {renditions} rendition(s)",
            outcome.subject, outcome.state
        );
    }

    // A task that fails: wait_until_done names the videos that did not make it.
    emulator.state().fail_next_tasks(1);
    let mut task = client.trans_code([&ids[0]]).start().await?;
    match task.wait_until_done().await {
        Err(vod_client::Error::TaskFailed { failures, .. }) => {
            assert_eq!(
                failures.len(),
                1,
                "the one video of the failed task is named"
            );
            for failure in &failures {
                println!("failed: {} (state {})", failure.subject, failure.state);
            }
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("the emulator was told to fail this task".into()),
    }

    emulator.shutdown().await;
    println!("transcoded {} videos", done.outcomes().len());
    Ok(())
}
