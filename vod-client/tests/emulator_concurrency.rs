//! Hundreds of concurrent requests leave the state consistent.

mod emulator_support;

use std::collections::HashSet;

use emulator_support::{emulator, Raw};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writes_and_reads_stay_consistent() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let videos: Vec<String> = (0..50)
        .map(|i| emu.state().add_video(&format!("v{i}")))
        .collect();

    let mut handles = Vec::new();
    // 300 category creations with distinct labels, 100 with a shared one (exactly one wins).
    for i in 0..400 {
        let raw = raw.clone();
        let label = if i < 300 {
            format!("label{i}")
        } else {
            "contested".to_string()
        };
        handles.push(tokio::spawn(async move {
            raw.call(
                "/vod/videoCategory/createCategory",
                json!({ "labelName": label }),
            )
            .await
            .code()
        }));
    }
    // 200 blocks racing on 50 videos: per video, exactly one block succeeds.
    for i in 0..200 {
        let raw = raw.clone();
        let id = videos[i % 50].clone();
        handles.push(tokio::spawn(async move {
            raw.call("/vod/videoManage/videoBlock", json!({ "videoId": id }))
                .await
                .code()
        }));
    }
    // 200 reads in between.
    for _ in 0..200 {
        let raw = raw.clone();
        handles.push(tokio::spawn(async move {
            raw.call("/vod/videoManage/getVideoList", json!({ "pageSize": 50 }))
                .await
                .code()
        }));
    }
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.expect("task"));
    }
    let (creates, rest) = results.split_at(400);
    let (blocks, reads) = rest.split_at(200);
    assert!(creates[..300].iter().all(|&c| c == 200));
    assert_eq!(creates[300..].iter().filter(|&&c| c == 200).count(), 1);
    assert_eq!(blocks.iter().filter(|&&c| c == 200).count(), 50);
    assert_eq!(blocks.iter().filter(|&&c| c == 1506).count(), 150);
    assert!(reads.iter().all(|&c| c == 200));

    let categories = emu.state().categories();
    assert_eq!(categories.len(), 301);
    let ids: HashSet<i64> = categories.iter().map(|c| c.node_id).collect();
    assert_eq!(ids.len(), 301, "node ids are unique");
    assert!(emu.state().videos().iter().all(|v| v.video_state == 1));

    let page = raw
        .call(
            "/vod/videoCategory/getCategoryList",
            json!({ "pageSize": 100, "pageIndex": 4 }),
        )
        .await;
    assert_eq!(page.data()["total"], 301);
    assert_eq!(
        page.data()["categoryList"].as_array().map(Vec::len),
        Some(1)
    );
    let _: &Value = page.data();
    emu.shutdown().await;
}
