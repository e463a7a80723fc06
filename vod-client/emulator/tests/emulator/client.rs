//! Every operation through the generated [`vod_client::Client`] against the emulator: one
//! happy path and at least one error path each. This is where the spec, the generated code,
//! the runtime and the emulator have to agree (field names, types, envelopes, signatures).

use std::time::Duration;
use vod_client::model::ErrorCode;

use vod_client::model::*;
use vod_client::{Client, Error, WaitOptions};
use vod_emulator::Emulator;

async fn setup() -> (Emulator, Client) {
    let emu = Emulator::builder()
        .task_duration(Duration::from_millis(30))
        .start()
        .await
        .expect("emulator");
    let client = emu.client_builder().build().expect("client");
    (emu, client)
}

/// The service code of an error (panics on any other kind of error).
fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> i64 {
    match result {
        Err(Error::Service { code, .. }) => code,
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn fast() -> WaitOptions {
    WaitOptions::new(
        Duration::from_millis(5),
        Duration::from_millis(40),
        Duration::from_secs(5),
    )
}

#[tokio::test]
async fn video_operations() {
    let (emu, client) = setup().await;
    let a = emu.state().add_video("alpha");
    let b = emu.state().add_video("beta");

    let page = client
        .get_video_list()
        .page_size(10)
        .send()
        .await
        .expect("list");
    assert_eq!(page.video_total, 2);
    assert_eq!(page.video_list_info[0].video_id, b, "newest first");
    let alpha = client
        .get_video_list()
        .video_name("alp")
        .list_order(ListOrder::from_wire(1))
        .send()
        .await
        .expect("filtered");
    assert_eq!(alpha.video_list_info.len(), 1);
    let all: Vec<VideoInfo> = client
        .get_video_list()
        .page_size(1)
        .into_paginator()
        .collect_items()
        .await
        .expect("paginate");
    assert_eq!(all.len(), 2);
    // A malformed time is refused before sending (format: datetime in the spec); a window
    // that ends before it starts is the service's to refuse.
    let malformed = client
        .get_video_list()
        .start_time("not a time")
        .send()
        .await;
    assert!(
        matches!(
            &malformed,
            Err(Error::InvalidRequest {
                operation: "getVideoList",
                ..
            })
        ),
        "{malformed:?}"
    );
    assert_eq!(
        code(
            client
                .get_video_list()
                .start_time("2024-01-02 00:00:00")
                .end_time("2024-01-01 00:00:00")
                .send()
                .await
        ),
        ErrorCode::InvalidParameter.code()
    );

    client
        .video_edit(&a)
        .video_name("renamed")
        .send()
        .await
        .expect("edit");
    assert_eq!(
        emu.state().video(&a).map(|v| v.video_name),
        Some("renamed".into())
    );
    assert_eq!(
        code(client.video_edit("missing").video_name("x").send().await),
        ErrorCode::InvalidParameter.code()
    );

    client.video_block(&a).send().await.expect("block");
    assert_eq!(
        code(client.video_block(&a).send().await),
        ErrorCode::VideoAlreadyBlocked.code()
    );
    client.video_enable(&a).send().await.expect("enable");
    assert_eq!(
        code(client.video_enable(&a).send().await),
        ErrorCode::VideoAlreadyEnabled.code()
    );

    client.delete_video(&b).send().await.expect("delete");
    assert_eq!(
        code(client.delete_video(&b).send().await),
        ErrorCode::VideoNotFound.code()
    );

    let publish = client
        .get_publish_code(&a)
        .send()
        .await
        .expect("publish code");
    let play_urls = publish.video_url.as_deref().unwrap_or_default();
    assert_eq!(play_urls.len(), 2);
    let origin = play_urls[0].origin_url.as_deref().unwrap_or_default();
    assert!(origin.starts_with("http://"), "{origin}");
    let urls = client
        .get_publish_code(&a)
        .code_type(PublishCodeType::VideoUrls)
        .send()
        .await
        .expect("urls only");
    assert!(urls.swf_code.as_deref().unwrap_or_default().is_empty());
    assert_eq!(
        code(client.get_publish_code("nope").send().await),
        ErrorCode::VideoNotFound.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn audio_and_material_operations() {
    let (emu, client) = setup().await;
    let song = emu.state().add_audio("song");
    let list = client
        .get_audio_list()
        .page_size(10)
        .send()
        .await
        .expect("audio list");
    assert_eq!(list.audio_total, 1);
    assert_eq!(list.audio_get_list_response_list[0].audio_id, song);
    // Out of the documented 1..=50: refused before sending (numeric text is checked too).
    let zero = client.get_audio_list().page_size(0).send().await;
    assert!(
        matches!(
            &zero,
            Err(Error::InvalidRequest {
                operation: "getAudioList",
                ..
            })
        ),
        "{zero:?}"
    );
    assert_eq!(
        code(
            client
                .get_audio_list()
                .start_time("2024-01-02 00:00:00")
                .end_time("2024-01-01 00:00:00")
                .send()
                .await
        ),
        ErrorCode::BadParameter.code()
    );
    client
        .edit_audio(&song)
        .audio_name("tune")
        .send()
        .await
        .expect("edit audio");
    // Neither a name nor a domain: the client refuses before sending (the spec's
    // at_least_one rule); emulator_assets covers the service's own answer to it.
    let nothing = client.edit_audio(&song).send().await;
    assert!(
        matches!(
            &nothing,
            Err(Error::InvalidRequest {
                operation: "editAudio",
                ..
            })
        ),
        "{nothing:?}"
    );
    assert_eq!(
        code(
            client
                .edit_audio("no-such-audio")
                .audio_name("x")
                .send()
                .await
        ),
        ErrorCode::BadParameter.code()
    );
    let url = client
        .get_audio_publish_code(song.as_str())
        .send()
        .await
        .expect("audio url");
    assert!(url.url.contains("wsSecret="));
    assert_eq!(
        code(client.get_audio_publish_code("nope").send().await),
        ErrorCode::BadParameter.code()
    );
    client
        .delete_audio(&song)
        .send()
        .await
        .expect("delete audio");
    assert_eq!(
        code(client.delete_audio(&song).send().await),
        ErrorCode::BadParameter.code()
    );

    let logo = emu.state().add_material("logo", "png");
    let mats = client
        .get_material_list()
        .suffix("png")
        .send()
        .await
        .expect("materials");
    assert_eq!(mats.total, 1);
    assert_eq!(mats.material_list[0].id, logo);
    let bad = client
        .get_material_list()
        .upload_time_start(vod_client::Time::from_unix_seconds(10))
        .upload_time_end(vod_client::Time::from_unix_seconds(5))
        .send()
        .await;
    assert_eq!(code(bad), ErrorCode::StartAfterEnd.code());
    client
        .material_edit(&logo)
        .name("brand")
        .send()
        .await
        .expect("edit material");
    let unknown = client
        .material_edit(&logo)
        .publish_domain("nope.example")
        .send()
        .await;
    assert_eq!(code(unknown), ErrorCode::DomainNotFound.code());
    client
        .delete_material(&logo)
        .send()
        .await
        .expect("delete material");
    assert_eq!(
        code(client.delete_material(&logo).send().await),
        ErrorCode::BadParameter.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn category_operations() {
    let (emu, client) = setup().await;
    let top = client
        .create_category("Sports")
        .send()
        .await
        .expect("create")
        .node_id;
    let child = client
        .create_category("Football")
        .parent_node_id(top)
        .send()
        .await
        .expect("child")
        .node_id;
    assert_eq!(
        code(client.create_category("Sports").send().await),
        ErrorCode::CategoryParameterError.code()
    );
    let roots = client.get_category_list().send().await.expect("roots");
    assert_eq!(roots.total, 1);
    assert_eq!(roots.category_list[0].label_name, "Sports");
    let children = client
        .get_category_list()
        .parent_node_id(top)
        .send()
        .await
        .expect("children");
    assert_eq!(children.category_list[0].node_id, child);
    let missing_parent = client
        .get_category_list()
        .parent_node_id(999_999_999)
        .send()
        .await;
    assert_eq!(
        code(missing_parent),
        ErrorCode::CategoryParameterError.code()
    );

    let deleted = client
        .delete_video_by_category(top)
        .send()
        .await
        .expect("by category");
    assert!(deleted.task_id > 0);
    assert_eq!(
        code(client.delete_video_by_category(1).send().await),
        ErrorCode::CategoryParameterError.code()
    );
    assert_eq!(
        code(client.delete_category(top).send().await),
        ErrorCode::CategoryParameterError.code()
    );
    client
        .delete_category(child)
        .send()
        .await
        .expect("delete child");
    client
        .delete_category(top)
        .send()
        .await
        .expect("delete top");
    emu.shutdown().await;
}

#[tokio::test]
async fn processing_operations() {
    let (emu, client) = setup().await;
    let source = emu.state().add_video("source");
    let other = emu.state().add_video("other");

    let mut clip = client
        .video_clip("clip-1", &source, 0, 10, "cut")
        .start()
        .await
        .expect("clip started");
    let done = clip.wait_with(fast()).await.expect("clip done");
    let made = done
        .into_answer()
        .and_then(|a| a.video_info)
        .expect("video info when done");
    assert_eq!(made.video_name, "cut");
    assert_eq!(
        code(client.video_clip("clip-2", "nope", 0, 1, "x").send().await),
        ErrorCode::VideoNotFound.code()
    );
    let query = client
        .video_clip_query("clip-1")
        .send()
        .await
        .expect("query");
    assert_eq!(query.status.wire_value(), 2);
    assert_eq!(
        code(client.video_clip_query("unknown").send().await),
        ErrorCode::InvalidParameter.code()
    );

    let mut concat = client
        .video_concat("cc-1", [&source, &other], "joined")
        .start()
        .await
        .expect("concat");
    let joined = concat.wait_with(fast()).await.expect("concat done");
    assert_eq!(
        joined
            .into_answer()
            .and_then(|a| a.video_info)
            .and_then(|v| v.video_source_code)
            .map(|s| s.wire_value()),
        Some(5)
    );
    assert_eq!(
        code(
            client
                .video_concat("cc-2", [&source, &source], "x")
                .send()
                .await
        ),
        ErrorCode::ConcatDuplicateVideoIds.code()
    );
    assert_eq!(
        code(client.video_concat_query("none").send().await),
        ErrorCode::InvalidParameter.code()
    );

    emu.state().update_video(&source, |v| {
        v.transcode_state = vod_client::model::TranscodeState::UnencryptedOrNotTranscoded
    });
    let mut transcode = client
        .trans_code([&source])
        .start()
        .await
        .expect("transcode");
    let state = transcode.wait_with(fast()).await.expect("transcoded");
    let state = state.answer().expect("answer");
    assert_eq!(state.video_list_info[0].transcode_state.wire_value(), 1);
    assert_eq!(
        code(client.trans_code(["missing"]).send().await),
        ErrorCode::TranscodeVideosUnavailable.code()
    );

    emu.state().fail_next_tasks(1);
    let mut failing = client
        .video_clip("clip-f", &source, 0, 5, "bad")
        .start()
        .await
        .expect("start");
    match failing.wait_with(fast()).await {
        Err(Error::TaskFailed { failures, .. }) => assert_eq!(failures[0].state, "3"),
        other => panic!("expected a failed task, got {other:?}"),
    }

    let ad = client
        .create_clear_ad_task(&source, "https://example.com/notify")
        .clear_video_ad(true)
        .send()
        .await
        .expect("clear ad");
    let mut status = 0;
    for _ in 0..200 {
        let q = client
            .clear_ad_task_query(&ad.task_id)
            .send()
            .await
            .expect("ad query");
        status = q.status.wire_value();
        if status == 2 {
            assert!(emu.state().video(q.output.as_str()).is_some());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, 2);
    let no_flag = client
        .create_clear_ad_task(&source, "https://example.com/n")
        .send()
        .await;
    assert!(
        matches!(
            &no_flag,
            Err(Error::InvalidRequest {
                operation: "createClearAdTask",
                ..
            })
        ),
        "no clear* flag set is refused before sending: {no_flag:?}"
    );
    assert_eq!(
        code(client.clear_ad_task_query("nope").send().await),
        ErrorCode::InvalidParameter.code()
    );

    let run = client
        .start_workflow(&other, "wf-1", "workflow-1")
        .send()
        .await
        .expect("workflow");
    assert!(!run.id.is_empty());
    assert_eq!(
        code(
            client
                .start_workflow(&other, "wf-1", "workflow-1")
                .send()
                .await
        ),
        ErrorCode::TransNoAlreadyUsed.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn upload_and_pull_operations() {
    let (emu, client) = setup().await;
    let token = client
        .get_upload_token("movie.mp4")
        .send()
        .await
        .expect("token");
    assert!(token.upload_url.starts_with(emu.base_url()));
    assert_eq!(token.upload_token.split(':').count(), 3);
    // A name without extension: the service answers 1000 (emulator_upload checks that on the
    // wire); the client refuses it before sending (spec `format: file_name`).
    let bare_name = client.get_upload_token("noext").send().await;
    assert!(
        matches!(
            &bare_name,
            Err(Error::InvalidRequest {
                operation: "getUploadToken",
                ..
            })
        ),
        "a file name without extension is refused before sending: {bare_name:?}"
    );

    // The runtime's uploader, both protocols: a form upload and a block upload.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("vod-emulator-client");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let small = dir.join("small.mp4");
    std::fs::write(&small, vec![7u8; 10_000]).expect("write");
    let up = client
        .upload_video(&small)
        .send()
        .await
        .expect("form upload");
    assert_eq!(up.hash, vod_emulator::wcs_etag(&[7u8; 10_000]));
    let listed = client
        .get_video_list()
        .video_id(&up.id)
        .send()
        .await
        .expect("listed");
    assert_eq!(listed.video_list_info[0].video_size, Some(10_000));
    let big = dir.join("big.mp4");
    let bytes: Vec<u8> = (0..9 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    std::fs::write(&big, &bytes).expect("write");
    let up = client
        .upload_video(&big)
        .form_threshold(1024 * 1024)
        .chunk_size(1024 * 1024)
        .send()
        .await
        .expect("block upload");
    assert_eq!(up.hash, vod_emulator::wcs_etag(&bytes));
    assert_eq!(
        emu.state().video(&up.id).map(|v| v.video_size),
        Some(bytes.len() as u64)
    );
    let _ = std::fs::remove_dir_all(&dir);

    let audio = client
        .get_audio_upload_token([AudioUploadFile::new("song.mp3", "mp3")])
        .send()
        .await
        .expect("audio token");
    assert_eq!(audio.items.len(), 1);
    let wav = AudioUploadFile::new("song.wav", "wav");
    assert_eq!(
        code(client.get_audio_upload_token([wav]).send().await),
        ErrorCode::BadParameter.code()
    );

    let file = MaterialUploadFile::new("logo.png").with_suffix("png");
    let material = client
        .get_material_upload_token(vec![file])
        .send()
        .await
        .expect("material token");
    assert_eq!(material.items[0].suffix.as_deref(), Some("png"));
    let bad = MaterialUploadFile::new("x".repeat(41));
    assert!(client
        .get_material_upload_token(vec![bad])
        .send()
        .await
        .is_err());

    let pull = client
        .pull_video([PullFile::new("https://media.example.com/a.mp4")])
        .trans_no("pull-1")
        .send()
        .await
        .expect("pull");
    let mut status = 0;
    for _ in 0..200 {
        let q = client
            .pull_video_query()
            .task_id(&pull.task_id)
            .send()
            .await
            .expect("pull query");
        status = q.status.wire_value();
        if status == 2 {
            let info = q.items[0]
                .video_info
                .as_ref()
                .expect("video of a pulled item");
            assert!(emu.state().video(info.video_id.as_str()).is_some());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, 2);
    assert_eq!(
        code(client.pull_video_query().trans_no("none").send().await),
        ErrorCode::InvalidParameter.code()
    );
    // Text that is not base64 of the file list is refused before anything is sent.
    let pasted = vod_client::operation::invoke_json::<vod_client::model::PullVideoRequest>(
        &client,
        serde_json::json!({"fileList": "bm90IGpzb24"}),
    )
    .await
    .expect_err("not a file list");
    assert!(
        matches!(&pasted, Error::InvalidRequest { .. }),
        "{pasted:?}"
    );
    assert!(pasted.to_string().contains("fileList"), "{pasted}");
    emu.shutdown().await;
}
