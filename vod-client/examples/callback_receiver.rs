//! A webhook receiver for the upload callbacks: an axum server on 127.0.0.1 decoding the
//! Video Upload Callbacks that a local emulator POSTs to it once each upload completes.
//!
//! ```text
//! cargo run -p vod-examples --example callback_receiver
//! ```
//!
//! It uploads three files, stops once their three callbacks have arrived (or after 30 s), and
//! shuts the server down.

use std::error::Error;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;
use vod_client::model::VideoUploadCallback;
use vod_client::upload::UploadSource;
use vod_client::Client;
use vod_emulator::Emulator;

/// Answers 200 to a callback it could decode (anything else makes the sender deliver again)
/// and hands it to the rest of the program.
async fn upload_callback(
    State(received): State<mpsc::UnboundedSender<VideoUploadCallback>>,
    body: Bytes,
) -> StatusCode {
    match VideoUploadCallback::from_body(&body) {
        Ok(notice) => {
            let _ = received.send(notice);
            StatusCode::OK
        }
        Err(e) => {
            // The error names the field that did not fit.
            eprintln!("undecodable callback: {e}");
            StatusCode::BAD_REQUEST
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (sender, mut received) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/vod/callback", post(upload_callback))
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/vod/callback", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    println!("receiving callbacks at {url}");

    // The emulator plays the service, with `url` as the account's callback address.
    let emulator = Emulator::builder().callback_url(&url).start().await?;
    let client = Client::builder()
        .endpoint(emulator.base_url())
        .credentials(emulator.access_key(), emulator.secret_key())
        .build()?;
    let names = ["intro.mp4", "talk.mp4", "outro.mp4"];
    for name in names {
        let bytes: Vec<u8> = (0..32 * 1024u32).map(|i| (i % 253) as u8).collect();
        let video = client
            .upload_video(UploadSource::bytes(name, bytes))
            .send()
            .await?;
        println!("uploaded {name} as {}", video.id);
    }

    let mut notified = 0;
    let deadline = tokio::time::sleep(Duration::from_secs(30));
    tokio::pin!(deadline);
    while notified < names.len() {
        tokio::select! {
            notice = received.recv() => {
                let Some(notice) = notice else { break };
                for video in &notice.video_list_info {
                    notified += 1;
                    println!("callback: video {} ({}) uploaded", video.video_id, video.video_name);
                }
            }
            () = &mut deadline => return Err("callbacks did not arrive within 30 s".into()),
        }
    }

    emulator.shutdown().await;
    let _ = stop.send(());
    server.await??;
    assert!(notified >= names.len(), "a callback for every upload");
    println!("received {notified} upload callbacks");
    Ok(())
}
