//! Hundreds of concurrent requests leave the state consistent.

use std::collections::HashSet;

use vod_client::model::NodeId;

use crate::support::{emulator, Raw};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writes_and_reads_stay_consistent() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let videos: Vec<String> = (0..50)
        .map(|i| emu.state().add_video(&format!("v{i}")).to_string())
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
    let ids: HashSet<NodeId> = categories.iter().map(|c| c.node_id).collect();
    assert_eq!(ids.len(), 301, "node ids are unique");
    assert!(emu
        .state()
        .videos()
        .iter()
        .all(|v| v.video_state == vod_client::model::VideoState::Blocked));

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

/// Reads from `stream` until the server closes it, with a guard for a server that never does.
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the emulator kept an idle connection open");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn idle_and_stalled_connections_are_closed() {
    use tokio::io::AsyncWriteExt as _;
    let emu = vod_emulator::Emulator::builder()
        .idle_timeout(std::time::Duration::from_secs(1))
        .start()
        .await
        .expect("start");
    // Connected, silent.
    let mut silent = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connect");
    assert_eq!(read_until_closed(&mut silent).await, "");
    // One keep-alive request (answered), then silence.
    let mut kept = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connect");
    kept.write_all(b"POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await
        .expect("write");
    let answer = read_until_closed(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    // Half a request head.
    let mut half = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connect");
    half.write_all(b"POST /vod/videoManage/getVideoList HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    read_until_closed(&mut half).await;
    // A body that stops after 2 of 10 bytes: 408, code 2014.
    let mut stalled = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connect");
    stalled
        .write_all(
            b"POST /vod/videoManage/getVideoList HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"",
        )
        .await
        .expect("write");
    let answer = read_until_closed(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":2014"), "{answer}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_do_not_starve_real_clients() {
    let emu = emulator().await;
    emu.state().add_video("still served.mp4");
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(
            tokio::net::TcpStream::connect(emu.addr())
                .await
                .expect("connect"),
        );
    }
    let client = emu.client_builder().build().expect("client");
    let page = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        client.get_video_list().page_size(10).send(),
    )
    .await
    .expect("a signed call is answered despite 300 idle connections")
    .expect("the call succeeds");
    assert_eq!(page.video_list_info.len(), 1);
    drop(idle);
    emu.shutdown().await;
}
