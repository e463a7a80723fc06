//! Listing every video: a paginator streams the items of all pages, fetching the next page
//! only when the items of the last one are used up.
//!
//! ```text
//! cargo run -p vod-examples --example list_videos
//! ```
//!
//! It starts a local emulator holding 57 videos and lists them, 20 to a page.

use std::error::Error;

use futures_util::TryStreamExt as _;
use vod_client::Client;
use vod_emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let emulator = Emulator::start().await?;
    for i in 1..=57 {
        emulator.state().add_video(&format!("lecture-{i:02}.mp4"));
    }
    let client = Client::builder()
        .endpoint(emulator.base_url())
        .credentials(emulator.access_key(), emulator.secret_key())
        .build()?;

    // Item by item, as a stream: stop early and no further page is fetched.
    let mut items = client
        .get_video_list()
        .page_size(20)
        .into_paginator()
        .items();
    let mut count = 0;
    while let Some(video) = items.try_next().await? {
        count += 1;
        println!("{:>3}  {}  {}", count, video.video_id, video.video_name);
    }

    // Page by page, e.g. to show progress.
    let pages: Vec<usize> = client
        .get_video_list()
        .page_size(20)
        .into_paginator()
        .pages()
        .map_ok(|page| page.video_list_info.len())
        .try_collect()
        .await?;
    println!("pages of {pages:?}");

    // The stream is 'static: it can run on a task of its own.
    let names = tokio::spawn(
        client
            .get_video_list()
            .page_size(50)
            .into_paginator()
            .items()
            .map_ok(|video| video.video_name)
            .try_collect::<Vec<_>>(),
    )
    .await??;
    assert_eq!(names.len(), count);

    emulator.shutdown().await;
    println!("listed {count} videos");
    Ok(())
}
