//! Decoding one getVideoList page of ten videos (sizes as text, service times, enums), as
//! answers and callbacks are decoded: inside the lenient scope that salvages unreadable
//! optional fields. A clean page is the hot path; the bench keeps it honest.
//!
//! ```text
//! cargo bench -p vod-client --bench decode
//! ```

use std::hint::black_box;

use vod_client::model::GetVideoListOutput;

fn main() {
    divan::main();
}

/// A page of ten listed videos, every member present and readable.
fn page() -> Vec<u8> {
    let video = |i: usize| {
        format!(
            r#"{{"videoName":"video {i}","videoId":"{i:032x}","createUser":"alice","encrypt":0,
            "videoSize":"{size}","videoDuration":"61.5","createTime":"2024-02-29 23:59:59",
            "uploadTime":"2024-02-29 23:59:59","updateTime":"2024-03-01 00:00:01",
            "videoDescription":"a talk","videoClassification":"talks","imageUrl":"https://x/y.jpg",
            "publishDomain":"v.example.com","playerName":"p","playerId":"1","videoState":0,
            "transcodeState":2,"videoSourceCode":1}}"#,
            size = 1_000_000 + i
        )
    };
    let videos: Vec<String> = (0..10).map(video).collect();
    format!(
        r#"{{"videoTotal":10,"videoListInfo":[{}]}}"#,
        videos.join(",")
    )
    .into_bytes()
}

#[divan::bench]
fn clean_page(bencher: divan::Bencher) {
    let body = page();
    bencher.bench(|| {
        let out: GetVideoListOutput =
            vod_client::callback::decode("getVideoList", black_box(&body), false)
                .unwrap_or_else(|e| panic!("{e}"));
        out
    });
}

/// The same page with every size unreadable: the cost of salvaging ten fields.
#[divan::bench]
fn page_with_ten_unreadable_sizes(bencher: divan::Bencher) {
    let text = String::from_utf8(page()).unwrap_or_default();
    let body = text
        .split("\"videoSize\":\"")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                format!("-{}", &part[7..])
            }
        })
        .collect::<Vec<_>>()
        .join("\"videoSize\":\"")
        .into_bytes();
    bencher.bench(|| {
        let out: GetVideoListOutput =
            vod_client::callback::decode("getVideoList", black_box(&body), false)
                .unwrap_or_else(|e| panic!("{e}"));
        out
    });
}
