//! Quick start: upload a video, list it, edit it, transcode it, print its play URL.
//!
//! ```text
//! cargo run -p vod-examples --example quickstart
//! ```
//!
//! Without `VOD_ACCESS_KEY` / `VOD_SECRET_KEY` in the environment it starts a local emulator
//! in this process and talks to it; with them it talks to the real service (`VOD_ENDPOINT`
//! overrides the endpoint) — and uploads a small generated file to your account.

use std::error::Error;
use std::time::Duration;

use vod_client::model::PublishCodeType;
use vod_client::{Client, WaitOptions};
use vod_emulator::Emulator;

/// A client for the real service when credentials are set, otherwise for a local emulator
/// (which must stay alive as long as the client is used).
async fn connect() -> Result<(Client, Option<Emulator>), Box<dyn Error>> {
    let has_keys = ["VOD_ACCESS_KEY", "VOD_SECRET_KEY"]
        .iter()
        .all(|name| std::env::var(name).is_ok_and(|v| !v.is_empty()));
    if has_keys {
        println!("using the Cloud VoD service (credentials from the environment)");
        return Ok((Client::from_env()?, None));
    }
    let emulator = Emulator::builder()
        .task_duration(Duration::from_millis(800))
        .start()
        .await?;
    println!("started a local emulator at {}", emulator.base_url());
    let client = Client::builder()
        .endpoint(emulator.base_url())
        .credentials(emulator.access_key(), emulator.secret_key())
        .build()?;
    Ok((client, Some(emulator)))
}

/// Writes a small file to upload (its content does not matter to the API).
fn sample_file() -> std::io::Result<std::path::PathBuf> {
    let path = std::env::temp_dir().join(format!("vod-quickstart-{}.mp4", std::process::id()));
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.extend((0..256 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&path, bytes)?;
    Ok(path)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (client, emulator) = connect().await?;

    let path = sample_file()?;
    let uploaded = client.upload_video(&path).send().await?;
    let _ = std::fs::remove_file(&path);
    assert!(uploaded.size > 0, "the upload stored the file");
    println!(
        "uploaded {} bytes as video {} (hash {})",
        uploaded.size, uploaded.id, uploaded.hash
    );

    let page = client.get_video_list().page_size(5).send().await?;
    assert!(
        page.video_list_info
            .iter()
            .any(|v| v.video_id == uploaded.id),
        "the uploaded video is on the first page"
    );
    println!("{} video(s) on the first page:", page.video_total);
    for video in &page.video_list_info {
        println!(
            "  {}  {:<30} transcodeState {}",
            video.video_id, video.video_name, video.transcode_state
        );
    }

    client
        .video_edit(&uploaded.id)
        .video_name("Quick start demo")
        .video_description("uploaded by examples/quickstart.rs")
        .send()
        .await?;
    let renamed = client
        .get_video_list()
        .video_name("Quick start demo")
        .send()
        .await?;
    assert!(renamed
        .video_list_info
        .iter()
        .any(|v| v.video_id == uploaded.id));
    println!("renamed the video to \"Quick start demo\"");

    println!("transcoding...");
    let mut task = client.trans_code([&uploaded.id]).start().await?;
    let options = WaitOptions::new(
        Duration::from_millis(100),
        Duration::from_secs(2),
        Duration::from_secs(600),
    );
    let done = task.wait_with(options).await?;
    assert!(done.all_succeeded(), "the transcode finished");
    if let Some(video) = done.answer().and_then(|a| a.video_list_info.first()) {
        let renditions = video.video_resolutions.as_ref().map_or(0, Vec::len);
        println!("transcoded: {renditions} rendition(s)");
    }

    let code = client
        .get_publish_code(&uploaded.id)
        .code_type(PublishCodeType::VideoUrls)
        .send()
        .await?;
    let play_url = code
        .video_url
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find_map(|urls| {
            let url = urls.origin_url.as_deref()?;
            Some((urls.url_type.clone(), url.to_string()))
        });
    // The emulator always has one; the real service once the video is published.
    assert!(play_url.is_some() || emulator.is_none(), "a play URL");
    match play_url {
        Some((kind, url)) => println!("play URL ({kind}): {url}"),
        None => println!("no play URL yet"),
    }

    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}
