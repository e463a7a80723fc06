//! Answers with an odd optional value, through the client's whole send path: the answer
//! still decodes, and `send_with_metadata` hands out what was left unread.

use crate::support::*;
use serde_json::json;
use vod_client::Error;

/// A page of two listed videos; the first one's `member` is `value`.
fn page(member: &str, value: serde_json::Value) -> serde_json::Value {
    let mut first =
        json!({"videoName": "a", "videoId": "v1", "videoState": 0, "transcodeState": 2});
    first[member] = value;
    let second = json!({"videoName": "b", "videoId": "v2", "videoState": 0, "transcodeState": 2,
                        "videoSize": "20"});
    json!({"videoTotal": 2, "videoListInfo": [first, second]})
}

#[tokio::test]
async fn send_with_metadata_counts_the_fields_left_unread() {
    let server = Server::scripted(vec![ok(page("videoSize", json!("s")))]).await;
    let client = server.client().build().expect("client");
    let answer = client
        .get_video_list()
        .send_with_metadata()
        .await
        .expect("one odd value does not sink the page");
    let videos = &answer.data.video_list_info;
    assert_eq!(videos.len(), 2);
    assert_eq!(videos[0].video_size, None);
    assert_eq!(videos[1].video_size, Some(20));
    let warnings = answer.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].path, "data.videoListInfo[0].videoSize");
    assert_eq!(warnings[0].excerpt, "s");
    assert_eq!(
        warnings[0].to_string(),
        format!(
            "data.videoListInfo[0].videoSize: `s` ({})",
            warnings[0].reason
        )
    );
}

#[tokio::test]
async fn send_decodes_the_same_and_a_clean_answer_has_no_warnings() {
    let server = Server::scripted(vec![
        ok(page("videoSize", json!("-"))),
        ok(page("videoSize", json!("10"))),
    ])
    .await;
    let client = server.client().build().expect("client");
    let data = client.get_video_list().send().await.expect("decodes");
    assert_eq!(data.video_list_info[0].video_size, None);
    let clean = client
        .get_video_list()
        .send_with_metadata()
        .await
        .expect("decodes");
    assert_eq!(clean.data.video_list_info[0].video_size, Some(10));
    assert!(clean.warnings().is_empty());
}

#[tokio::test]
async fn a_required_field_that_cannot_be_read_still_fails_with_its_path() {
    let mut body = page("videoSize", json!("s"));
    body["videoTotal"] = json!("many");
    let server = Server::scripted(vec![ok(body)]).await;
    let client = server.client().build().expect("client");
    match client.get_video_list().send_with_metadata().await {
        Err(Error::Decode {
            operation, path, ..
        }) => assert_eq!(
            (operation, path.as_str()),
            ("getVideoList", "data.videoTotal")
        ),
        other => panic!("{other:?}"),
    }
}
