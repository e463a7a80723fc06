//! `Client::upload_video` against the in-process emulator: the stored object, the registered
//! video, and resends of failed upload calls (the emulator's fault injection).

use std::time::Duration;

use vod_client::upload::file_etag;
use vod_emulator::{Emulator, FaultAction, FaultRule};

fn write(name: &str, len: usize) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("vod-upload-emulator");
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

#[tokio::test]
async fn a_parallel_upload_hashes_to_the_local_etag() {
    let (emulator, client) = start(Vec::new()).await;
    let path = write("parallel.mp4", (37 << 20) + 11);
    let video = client
        .upload_video(&path)
        .parallel(4)
        .block_size(8 << 20)
        .chunk_size(3 << 20)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, file_etag(&path).unwrap());
    let calls = emulator.state().upload_calls();
    assert_eq!(calls.mkblk, 5);
    assert_eq!(calls.mkfile, 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_refused_ctx_restarts_only_its_block() {
    let faults = vec![FaultRule::new(FaultAction::HttpStatus(701))
        .on("bput")
        .first(1)];
    let (emulator, client) = start(faults).await;
    let path = write("restart.mp4", (12 << 20) + 3);
    let video = client
        .upload_video(&path)
        .chunk_size(1 << 20)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, file_etag(&path).unwrap());
    assert_eq!(emulator.state().upload_calls().mkblk, 4 + 1);
    emulator.shutdown().await;
}

/// A local callback receiver: answers the first request 500 (to see the retry), the rest 200.
async fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    use axum::routing::post;
    let seen: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>> = Default::default();
    let sink = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let mut seen = sink.lock().unwrap();
                seen.push(body.to_vec());
                if seen.len() == 1 {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn upload_callbacks_reach_a_local_listener() {
    use vod_client::model::{AudioUploadCallback, MaterialUploadCallback, VideoUploadCallback};
    let (url, seen) = receiver().await;
    let emulator = Emulator::builder()
        .credentials("AK", "SK")
        .callback_url(url)
        .start()
        .await
        .unwrap();
    let client = vod_client::Client::builder()
        .endpoint(emulator.base_url())
        .credentials("AK", "SK")
        .build()
        .unwrap();
    let video = client
        .upload_video(write("called.mp4", (5 << 20) + 1))
        .send()
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seen.lock().unwrap().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "no callback arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let audio = client
        .upload_audio(write("song.mp3", 20_000))
        .send()
        .await
        .unwrap();
    let material = client
        .upload_material(write("cover.png", 3_000))
        .send()
        .await
        .unwrap();
    while seen.lock().unwrap().len() < 4 {
        assert!(std::time::Instant::now() < deadline, "callbacks missing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let bodies = seen.lock().unwrap().clone();
    assert_eq!(
        bodies[0], bodies[1],
        "the refused delivery was retried as is"
    );
    let v = VideoUploadCallback::from_body(&bodies[1]).unwrap();
    assert_eq!(v.video_total, 1);
    assert_eq!(v.video_list_info[0].video_id, video.id);
    assert_eq!(v.video_list_info[0].video_name, "called.mp4");
    let a = AudioUploadCallback::from_body(&bodies[2]).unwrap();
    assert_eq!(a.audio_get_list_response_list[0].audio_id, audio.id);
    assert!(emulator.state().audio(&audio.id).is_some());
    let m = MaterialUploadCallback::from_body(&bodies[3]).unwrap();
    assert_eq!(m.material_list[0].id, material.id);
    assert_eq!(material.size, 3_000);
    emulator.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_and_server_errors_are_resent() {
    let faults = vec![
        FaultRule::new(FaultAction::ResetConnection)
            .on("mkblk")
            .first(2),
        FaultRule::new(FaultAction::HttpStatus(502))
            .on("mkfile")
            .first(1),
    ];
    let (emulator, client) = start(faults).await;
    let path = write("reset.mp4", (8 << 20) + 9);
    let mut upload = client
        .upload_video(&path)
        .retry_delay(Duration::from_millis(1));
    let events = upload.events();
    let video = upload.send().await.unwrap();
    assert_eq!(video.hash, file_etag(&path).unwrap());
    let calls = emulator.state().upload_calls();
    assert_eq!((calls.mkblk, calls.mkfile), (3 + 2, 2));
    use futures_util::StreamExt as _;
    let events: Vec<_> = events.collect().await;
    let resends = events
        .iter()
        .filter(|e| matches!(e, vod_client::upload::UploadEvent::Retrying { .. }))
        .count();
    assert_eq!(resends, 3, "{events:?}");
    assert!(matches!(
        events.last(),
        Some(vod_client::upload::UploadEvent::Finished { .. })
    ));
    emulator.shutdown().await;
}
