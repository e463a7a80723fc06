//! `Client::upload_video` against the in-process emulator: the stored object, the registered
//! video, and resends of failed upload calls (the emulator's fault injection).

use std::time::Duration;

use vod_client::emulator::{Emulator, FaultAction, FaultRule};
use vod_client::upload::file_etag;

fn write(name: &str, len: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vod-upload-emulator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let bytes: Vec<u8> = (0..len).map(|i| (i * 13 % 241) as u8).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn start(faults: Vec<FaultRule>) -> (Emulator, vod_client::Client) {
    let mut builder = Emulator::builder().credentials("AK", "SK");
    for rule in faults {
        builder = builder.fault(rule);
    }
    let emulator = builder.start().await.unwrap();
    let client = vod_client::Client::builder()
        .endpoint(emulator.base_url())
        .credentials("AK", "SK")
        .build()
        .unwrap();
    (emulator, client)
}

#[tokio::test]
async fn form_and_block_uploads_register_videos() {
    let (emulator, client) = start(Vec::new()).await;
    for (name, len) in [("form.mp4", 10_000), ("blocks.mp4", (9 << 20) + 1)] {
        let path = write(name, len);
        let video = client
            .upload_video(&path)
            .chunk_size(512 * 1024)
            .send()
            .await
            .unwrap();
        assert_eq!(video.size, len as u64);
        assert_eq!(video.hash, file_etag(&path).unwrap());
        let stored = emulator.state().video(&video.id).expect("registered");
        assert_eq!(stored.video_size, len as u64);
        assert_eq!(stored.video_name, name);
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn failed_chunks_are_resent() {
    let faults = vec![FaultRule::new(FaultAction::HttpStatus(503))
        .on("bput")
        .first(2)];
    let (emulator, client) = start(faults).await;
    let path = write("flaky.mp4", (5 << 20) + 3);
    let video = client
        .upload_video(&path)
        .chunk_size(1 << 20)
        .retry_delay(Duration::from_millis(1))
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, file_etag(&path).unwrap());
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_step_that_keeps_failing_is_named() {
    let faults = vec![FaultRule::new(FaultAction::HttpStatus(500)).on("mkfile")];
    let (emulator, client) = start(faults).await;
    let path = write("doomed.mp4", (4 << 20) + 10);
    let err = client
        .upload_video(&path)
        .retries(1)
        .retry_delay(Duration::from_millis(1))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("upload (mkfile)"), "{err}");
    emulator.shutdown().await;
}
