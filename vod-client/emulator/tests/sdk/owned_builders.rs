//! Builders, paginators, tasks and the futures they return own their client: they are
//! `'static + Send`, so they can be stored, returned and moved into `tokio::spawn`.
//! Most of this file is checked by the compiler; the one runtime test spawns a paginator.

use futures_util::StreamExt;
use vod_client::model::{GetVideoListBuilder, GetVideoListRequest, TransCodeRequest};
use vod_client::{Client, Paginator, Task};

fn assert_static_send<T: Send + 'static>(_: &T) {}

#[allow(dead_code)]
fn builders_tasks_and_futures_are_static_and_send(client: &Client) {
    let builder: GetVideoListBuilder = client.get_video_list();
    assert_static_send(&builder);
    assert_static_send(&client.get_video_list().send());
    assert_static_send(&client.get_video_list().send_with_metadata());
    let paginator: Paginator<GetVideoListRequest> = client.get_video_list().into_paginator();
    assert_static_send(&paginator);
    assert_static_send(&client.get_video_list().into_paginator().items());
    assert_static_send(&client.get_video_list().into_paginator().pages());
    assert_static_send(&client.trans_code(["v1", "v2"]).start());
    fn task_is_static_send(mut task: Task<TransCodeRequest>) {
        assert_static_send(&task);
        assert_static_send(&async move { task.wait_until_done().await });
    }
    let _ = task_is_static_send;
}

/// A builder returned from a function whose client is gone, then walked on another task.
fn list_everything() -> Paginator<GetVideoListRequest> {
    let client = vod_client::Client::builder()
        .endpoint("http://127.0.0.1:9")
        .credentials("ak", "sk")
        .build()
        .expect("client");
    client.get_video_list().page_size(5).into_paginator()
}

#[tokio::test]
async fn a_paginator_moves_into_spawn() {
    let emulator = vod_emulator::Emulator::start().await.expect("emulator");
    let client = Client::builder()
        .endpoint(emulator.base_url())
        .credentials(emulator.access_key(), emulator.secret_key())
        .build()
        .expect("client");
    for i in 0..7 {
        emulator.state().add_video(&format!("clip-{i}.mp4"));
    }
    let walk = client.get_video_list().page_size(3).into_paginator();
    let handle = tokio::spawn(async move { walk.items().collect::<Vec<_>>().await });
    let items = handle.await.expect("join");
    assert_eq!(items.len(), 7, "{items:?}");
    assert!(items.iter().all(Result::is_ok), "{items:?}");
    // A finished stream stays finished: polling it again is `None`, not a panic.
    let mut again = client
        .get_video_list()
        .page_size(3)
        .into_paginator()
        .items();
    while again.next().await.is_some() {}
    assert!(again.next().await.is_none());
    let mut pages = client
        .get_video_list()
        .page_size(3)
        .into_paginator()
        .pages();
    while pages.next().await.is_some() {}
    assert!(pages.next().await.is_none());
    // An unreachable endpoint fails inside the spawned task, not at build time.
    let failing = tokio::spawn(async move { list_everything().collect_items().await });
    assert!(failing.await.expect("join").is_err());
}
