//! Tasks from creation to done: clip, concat, transcode, AI ad removal, workflows, pulls —
//! and the planned failures that let a test see the failure path.

use crate::support::{emulator, eventually, Raw};
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use serde_json::{json, Value};
use vod_client::model::ErrorCode;

async fn status_of(raw: &Raw, path: &str, body: Value) -> (i64, Value) {
    let r = raw.call(path, body).await;
    (r.data()["status"].as_i64().unwrap_or(-1), r.data().clone())
}

#[tokio::test]
async fn clip_runs_then_produces_a_video() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let source = emu.state().add_video("source");
    let clip = json!({ "transNo": "clip-1", "videoId": source, "seekStart": 5, "duration": 10, "filename": "cut", "suffix": "mp4", "frameRate": 25, "tassamplingRatekId": 44100 });
    let r = raw.call("/vod/videoManage/videoClip", clip.clone()).await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    assert!(r.data().is_string());
    let query = "/vod/videoManage/videoClipQuery";
    let (status, data) = status_of(&raw, query, json!({ "transNo": "clip-1" })).await;
    assert_eq!(status, 1, "running at first: {data}");
    assert!(data.get("videoInfo").is_none());
    assert!(
        eventually(|| async {
            status_of(&raw, query, json!({ "transNo": "clip-1" }))
                .await
                .0
                == 2
        })
        .await
    );
    let (_, data) = status_of(&raw, query, json!({ "transNo": "clip-1" })).await;
    let new_id = data["videoInfo"]["videoId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let video = emu.state().video(&new_id).expect("clip output exists");
    assert_eq!(
        (
            video.video_name.as_str(),
            video.video_source_code,
            video.video_duration
        ),
        ("cut", vod_client::model::VideoSource::Clip, 10)
    );

    assert_eq!(
        raw.call("/vod/videoManage/videoClip", clip.clone())
            .await
            .code(),
        ErrorCode::InvalidParameter.code(),
        "transNo reused"
    );
    let mut bad = clip.clone();
    bad["transNo"] = json!("clip-2");
    bad["frameRate"] = json!(0);
    assert_eq!(
        raw.call("/vod/videoManage/videoClip", bad.clone())
            .await
            .code(),
        ErrorCode::InvalidFrameRate.code()
    );
    bad["frameRate"] = json!(25);
    bad["suffix"] = json!("flv");
    bad["tassamplingRatekId"] = json!(8000);
    assert_eq!(
        raw.call("/vod/videoManage/videoClip", bad.clone())
            .await
            .code(),
        ErrorCode::InvalidSamplingRate.code()
    );
    bad["tassamplingRatekId"] = json!(44100);
    bad["videoBitRate"] = json!(-1);
    assert_eq!(
        raw.call("/vod/videoManage/videoClip", bad.clone())
            .await
            .code(),
        ErrorCode::InvalidVideoBitrate.code()
    );
    bad["videoBitRate"] = json!(1250);
    bad["videoId"] = json!("nope");
    assert_eq!(
        raw.call("/vod/videoManage/videoClip", bad).await.code(),
        ErrorCode::VideoNotFound.code()
    );
    assert_eq!(
        raw.call(query, json!({ "transNo": "unknown" }))
            .await
            .code(),
        ErrorCode::InvalidParameter.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn planned_failures_reach_the_failure_state() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let a = emu.state().add_video("a");
    let b = emu.state().add_video("b");
    emu.state().fail_next_tasks(1);
    let r = raw
        .call(
            "/vod/videoManage/videoConcat",
            json!({ "transNo": "cc-1", "videoIds": format!("{a},{b}"), "filename": "joined" }),
        )
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    let query = "/vod/videoManage/videoConcatQuery";
    assert!(
        eventually(|| async { status_of(&raw, query, json!({ "transNo": "cc-1" })).await.0 == 3 })
            .await
    );
    let r = raw
        .call(
            "/vod/videoManage/videoConcat",
            json!({ "transNo": "cc-2", "videoIds": format!("{a},{b}"), "filename": "joined" }),
        )
        .await;
    assert_eq!(r.code(), 200);
    assert!(
        eventually(|| async { status_of(&raw, query, json!({ "transNo": "cc-2" })).await.0 == 2 })
            .await
    );
    let (_, data) = status_of(&raw, query, json!({ "transNo": "cc-2" })).await;
    assert_eq!(data["videoInfo"]["videoSourceCode"], 5);
    let tasks = emu.state().tasks();
    assert_eq!(
        tasks.iter().map(|t| t.state).collect::<Vec<_>>(),
        ["failed", "succeeded"]
    );

    let concat = "/vod/videoManage/videoConcat";
    let cases = [
        (
            json!({ "transNo": "x1", "videoIds": "", "filename": "f" }),
            ErrorCode::ConcatVideoIdsEmpty.code(),
        ),
        (
            json!({ "transNo": "x2", "videoIds": "a;b", "filename": "f" }),
            ErrorCode::ConcatVideoIdsIllegal.code(),
        ),
        (
            json!({ "transNo": "x3", "videoIds": format!("{a},,{b}"), "filename": "f" }),
            ErrorCode::ConcatVideoIdsMalformed.code(),
        ),
        (
            json!({ "transNo": "x4", "videoIds": format!("{a},{a}"), "filename": "f" }),
            ErrorCode::ConcatDuplicateVideoIds.code(),
        ),
        (
            json!({ "transNo": "x5", "videoIds": format!("{a},missing"), "filename": "f" }),
            ErrorCode::ConcatVideosUnavailable.code(),
        ),
        (
            json!({ "transNo": "x6", "videoIds": a.clone(), "filename": "f".repeat(41) }),
            ErrorCode::VideoNameTooLong.code(),
        ),
        (
            json!({ "transNo": "cc-1", "videoIds": a.clone(), "filename": "f" }),
            ErrorCode::InvalidTransNo.code(),
        ),
        (
            json!({ "transNo": "x7", "videoIds": a.clone(), "filename": "f", "suffix": "avi" }),
            ErrorCode::InvalidParameter.code(),
        ),
    ];
    for (body, code) in cases {
        assert_eq!(raw.call(concat, body.clone()).await.code(), code, "{body}");
    }
    let many: Vec<String> = (0..51).map(|i| format!("v{i}")).collect();
    let r = raw
        .call(
            concat,
            json!({ "transNo": "x8", "videoIds": many.join(","), "filename": "f" }),
        )
        .await;
    assert_eq!(r.code(), ErrorCode::ConcatTooManyVideos.code());
    emu.shutdown().await;
}

#[tokio::test]
async fn transcode_moves_the_video_state() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let id = emu.state().add_video("raw");
    emu.state().update_video(&id, |v| {
        v.transcode_state = vod_client::model::TranscodeState::UnencryptedOrNotTranscoded;
        v.resolutions.clear();
    });
    let r = raw
        .call(
            "/vod/videoManage/transCode",
            json!({ "videoIds": id, "transCodeTemplateName": "default" }),
        )
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    assert_eq!(
        emu.state().video(&id).map(|v| v.transcode_state),
        Some(vod_client::model::TranscodeState::Running)
    );
    let busy = raw
        .call("/vod/videoManage/transCode", json!({ "videoIds": id }))
        .await;
    assert_eq!(
        busy.code(),
        ErrorCode::InvalidParameter.code(),
        "already transcoding"
    );
    let del = raw
        .call("/vod/videoManage/deleteVideo", json!({ "videoId": id }))
        .await;
    assert_eq!(del.code(), ErrorCode::VideoOperationForbidden.code());
    assert!(
        eventually(|| async {
            emu.state()
                .video(&id)
                .is_some_and(|v| v.transcode_state == vod_client::model::TranscodeState::Done)
        })
        .await
    );
    assert!(emu
        .state()
        .video(&id)
        .is_some_and(|v| v.resolutions.len() > 1));

    emu.state().fail_next_tasks(1);
    raw.call("/vod/videoManage/transCode", json!({ "videoIds": id }))
        .await;
    assert!(
        eventually(|| async {
            emu.state()
                .video(&id)
                .is_some_and(|v| v.transcode_state == vod_client::model::TranscodeState::Failed)
        })
        .await
    );

    let tc = "/vod/videoManage/transCode";
    assert_eq!(
        raw.call(tc, json!({})).await.code(),
        ErrorCode::TranscodeVideoIdsEmpty.code()
    );
    assert_eq!(
        raw.call(tc, json!({ "videoIds": ",," })).await.code(),
        ErrorCode::TranscodeVideoIdsOnlyCommas.code()
    );
    assert_eq!(
        raw.call(tc, json!({ "videoIds": "a$b" })).await.code(),
        ErrorCode::TranscodeVideoIdsIllegal.code()
    );
    assert_eq!(
        raw.call(tc, json!({ "videoIds": "missing" })).await.code(),
        ErrorCode::TranscodeVideosUnavailable.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn clear_ad_task_states() {
    let emu = vod_emulator::Emulator::builder()
        .task_duration(std::time::Duration::from_millis(200))
        .start()
        .await
        .expect("start");
    let raw = Raw::new(&emu);
    let id = emu.state().add_video("with ads");
    let create = "/vod/ai/createClearAdTask";
    let r = raw
        .call(
            create,
            json!({ "videoId": id, "clearVideoAd": true, "notifyUrl": "https://example.com/n" }),
        )
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    let task = r.data()["taskId"].as_str().unwrap_or_default().to_string();
    assert_eq!(task.len(), 36, "UUID-shaped");
    let query = "/vod/ai/clearAdTaskQuery";
    let (first, _) = status_of(&raw, query, json!({ "taskId": task })).await;
    assert_eq!(first, 0, "not started yet");
    assert!(
        eventually(|| async { status_of(&raw, query, json!({ "taskId": task })).await.0 == 1 })
            .await
    );
    assert!(
        eventually(|| async { status_of(&raw, query, json!({ "taskId": task })).await.0 == 2 })
            .await
    );
    let (_, data) = status_of(&raw, query, json!({ "taskId": task })).await;
    assert!(emu
        .state()
        .video(data["output"].as_str().unwrap_or_default())
        .is_some());

    let no_flag = raw
        .call(
            create,
            json!({ "videoId": id, "notifyUrl": "https://example.com/n" }),
        )
        .await;
    assert_eq!(no_flag.code(), ErrorCode::InvalidParameter.code());
    let bad_url = raw
        .call(
            create,
            json!({ "videoId": id, "clearTextAd": "true", "notifyUrl": "ftp://x" }),
        )
        .await;
    assert_eq!(bad_url.code(), ErrorCode::InvalidParameter.code());
    let bad_type = raw.call(create, json!({ "videoId": id, "clearTextAd": true, "notifyUrl": "http://x", "videoAdTypes": "1" })).await;
    assert_eq!(bad_type.code(), ErrorCode::InvalidParameter.code());
    assert_eq!(
        raw.call(query, json!({ "taskId": "nope" })).await.code(),
        ErrorCode::InvalidParameter.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn workflow_answers_a_bare_object() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let id = emu.state().add_video("wf");
    let path = "/workflow/startWorkflow";
    let r = raw
        .call(
            path,
            json!({ "targetId": id, "transNo": "wf-1", "workflowId": "w1" }),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.get("code").is_none(),
        "success is bare: {:?}",
        r.body
    );
    assert!(r.body["id"].is_string());
    let again = raw
        .call(
            path,
            json!({ "targetId": id, "transNo": "wf-1", "workflowId": "w1" }),
        )
        .await;
    assert_eq!(again.code(), ErrorCode::TransNoAlreadyUsed.code());
    let missing = raw.call(path, json!({ "targetId": id })).await;
    assert_eq!(missing.code(), ErrorCode::InvalidParameter.code());
    let message = missing.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("transNo"),
        "names the missing field: {message}"
    );
    assert!(
        eventually(|| async {
            emu.state()
                .video(&id)
                .is_some_and(|v| v.transcode_state == vod_client::model::TranscodeState::Done)
        })
        .await
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn pull_task_creates_videos() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let list = URL_SAFE.encode(br#"[{"fetchUrl":"https://media.example.com/a/movie.mp4"},{"fetchUrl":"http://x.example/b.flv","fileName":"named.flv"}]"#);
    let r = raw
        .call(
            "/vod/videoManage/pullVideo",
            json!({ "transNo": "pull-1", "fileList": list }),
        )
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    assert_eq!(r.data()["tranNo"], "pull-1");
    let task = r.data()["taskId"].as_str().unwrap_or_default().to_string();
    let query = "/vod/videoManage/pullVideoQuery";
    let (status, data) = status_of(&raw, query, json!({ "taskId": task })).await;
    assert_eq!(
        (status, data["items"][0]["pullStatus"].as_i64()),
        (1, Some(1))
    );
    assert!(
        eventually(|| async {
            status_of(&raw, query, json!({ "transNo": "pull-1" }))
                .await
                .0
                == 2
        })
        .await
    );
    let (_, data) = status_of(&raw, query, json!({ "transNo": "pull-1" })).await;
    assert_eq!(data["items"][0]["fileName"], "movie.mp4");
    assert_eq!(data["items"][1]["fileName"], "named.flv");
    let vid = data["items"][1]["videoInfo"]["videoId"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        emu.state().video(vid).map(|v| v.video_source_code),
        Some(vod_client::model::VideoSource::UrlPull)
    );
    // `unix_millis` in the spec: milliseconds since the epoch, in the past.
    assert!(data["timestamp"]
        .as_i64()
        .is_some_and(|ms| ms > 1_600_000_000_000));

    assert_eq!(
        raw.call(query, json!({})).await.code(),
        ErrorCode::InvalidParameter.code()
    );
    let bad = URL_SAFE.encode(br#"[{"fileName":"x.mp4"}]"#);
    assert_eq!(
        raw.call("/vod/videoManage/pullVideo", json!({ "fileList": bad }))
            .await
            .code(),
        ErrorCode::InvalidParameter.code()
    );
    assert_eq!(
        raw.call("/vod/videoManage/pullVideo", json!({ "fileList": "%%%" }))
            .await
            .code(),
        ErrorCode::InvalidParameter.code()
    );
    emu.shutdown().await;
}
