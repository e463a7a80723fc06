//! Asset operations over raw signed HTTP: videos, categories, audio, materials, publish
//! codes — happy paths, filters, paging, and the documented error codes for bad input.

use crate::support::{emulator, Raw, RawRequest};
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use serde_json::{json, Value};
use vod_client::model::ErrorCode;

const LIST: &str = "/vod/videoManage/getVideoList";

fn ids(page: &Value) -> Vec<String> {
    page["videoListInfo"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["videoId"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn video_list_filters_order_and_paging() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let state = emu.state();
    let a = state.add_video("cat video");
    let b = state.add_video("dog video");
    let c = state.add_video("Cat again");
    state.update_video(&b, |v| {
        v.video_state = vod_client::model::VideoState::Blocked;
    });
    state.update_video(&c, |v| {
        v.transcode_state = vod_client::model::TranscodeState::UnencryptedOrNotTranscoded
    });

    let all = raw.call(LIST, json!({})).await;
    assert_eq!(all.code(), 200);
    assert_eq!(
        ids(all.data()),
        [c.clone(), b.clone(), a.clone()],
        "newest first by default"
    );
    assert_eq!(all.data()["videoTotal"], 3);
    let item = &all.data()["videoListInfo"][0];
    for field in [
        "videoName",
        "createUser",
        "videoSize",
        "createTime",
        "transcodeState",
        "videoResolutions",
    ] {
        assert!(item.get(field).is_some(), "{field} in {item}");
    }
    assert!(item["videoSize"].is_string(), "videoSize is sent as text");

    let oldest = raw.call(LIST, json!({ "listOrder": 1 })).await;
    assert_eq!(ids(oldest.data()), [a.clone(), b.clone(), c.clone()]);
    let cats = raw.call(LIST, json!({ "videoName": "cat" })).await;
    assert_eq!(ids(cats.data()).len(), 2, "fuzzy, case-insensitive");
    let blocked = raw.call(LIST, json!({ "videoStatus": 1 })).await;
    assert_eq!(ids(blocked.data()), [b.as_str()]);
    let fresh = raw.call(LIST, json!({ "transcodeState": "2" })).await;
    assert_eq!(ids(fresh.data()), [c.as_str()]);
    let by_id = raw.call(LIST, json!({ "videoId": a })).await;
    assert_eq!(ids(by_id.data()), [a.as_str()]);
    let by_user = raw.call(LIST, json!({ "createUser": "demo,other" })).await;
    assert_eq!(ids(by_user.data()).len(), 3);
    let window = raw
        .call(
            LIST,
            json!({ "startTime": "2000-01-01 00:00:00", "endTime": "2001-01-01 00:00:00" }),
        )
        .await;
    assert_eq!(ids(window.data()).len(), 0);
    // Both ends are inclusive: a window of one second holds what was created in it.
    let created = emu
        .state()
        .video(&a)
        .map(|v| v.create_time.to_service_text());
    let second = raw
        .call(LIST, json!({ "startTime": created, "endTime": created }))
        .await;
    assert!(
        ids(second.data()).iter().any(|id| *id == a),
        "{:?}",
        second.body
    );
    let page2 = raw
        .call(LIST, json!({ "pageSize": 2, "pageIndex": 2 }))
        .await;
    assert_eq!(ids(page2.data()), [a.as_str()]);
    assert_eq!(page2.data()["videoTotal"], 1, "videoTotal counts this page");
    // GET with a query and a form body read the same parameters.
    let get = raw
        .send(RawRequest::get(&format!("{LIST}?videoName=dog&pageSize=5")))
        .await;
    assert_eq!(ids(get.data()), [b.as_str()]);
    let form = raw.send(RawRequest::post_form(LIST, "videoName=dog")).await;
    assert_eq!(ids(form.data()), [b.as_str()]);
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_input_codes() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let cases = [
        json!({ "pageSize": 0 }),
        json!({ "pageSize": 51 }),
        json!({ "pageIndex": 0 }),
        json!({ "pageIndex": 2001, "pageSize": 50 }),
        json!({ "pageSize": "ten" }),
        json!({ "pageSize": 1.5 }),
        json!({ "listOrder": 2 }),
        json!({ "videoStatus": 7 }),
        json!({ "transcodeState": 9 }),
        json!({ "videoName": { "nested": true } }),
        json!({ "startTime": "2020/01/01" }),
        json!({ "startTime": "2020-02-01 00:00:00", "endTime": "2020-01-01 00:00:00" }),
        json!({ "createUser": "a,,b" }),
        // Far-future and absurd times are parameter errors, not overflows.
        json!({ "startTime": "99999-01-01 00:00:00" }),
        json!({ "startTime": "9223372036854775807-12-31 23:59:59" }),
        json!({ "endTime": "292277026596-12-04 15:30:07" }),
        json!({ "startTime": "2020-01-01 9223372036854775807:00:00" }),
    ];
    for case in cases {
        let r = raw.call(LIST, case.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (200, ErrorCode::InvalidParameter.code()),
            "{case} -> {:?}",
            r.body
        );
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let malformed = raw
        .send(RawRequest::new(
            "POST",
            LIST,
            Some("application/json"),
            b"{\"pageSize\":".to_vec(),
        ))
        .await;
    assert_eq!(malformed.code(), ErrorCode::InvalidParameter.code());
    let not_object = raw
        .send(RawRequest::new(
            "POST",
            LIST,
            Some("application/json"),
            b"[1,2]".to_vec(),
        ))
        .await;
    assert_eq!(not_object.code(), ErrorCode::InvalidParameter.code());
    let missing = raw
        .call("/vod/videoManage/videoEdit", json!({ "videoName": "x" }))
        .await;
    assert_eq!(missing.code(), ErrorCode::InvalidParameter.code());
    assert!(missing.body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("videoId"));
    // Audio and material operations use 1004; category operations 24112000 with HTTP 400.
    let audio = raw
        .call("/vod/audioManage/getAudioList", json!({ "pageSize": "0" }))
        .await;
    assert_eq!(audio.code(), ErrorCode::BadParameter.code());
    let cat = raw
        .call("/vod/videoCategory/createCategory", json!({}))
        .await;
    assert_eq!(
        (cat.status, cat.code()),
        (400, ErrorCode::CategoryParameterError.code())
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn edit_block_enable_delete() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let state = emu.state();
    let id = state.add_video("original");
    let parent = state.add_category("Movies", None);
    state.add_category("Comedy", Some(parent));
    state.add_domain("cdn.example.com");

    let names = URL_SAFE.encode(br#"[{"parentName":"Movies","childName":"Comedy"}]"#);
    let edit = raw
        .call(
            "/vod/videoManage/videoEdit",
            json!({ "videoId": id, "videoName": "renamed", "videoDescription": "d", "categoryNames": names, "publishDomain": "cdn.example.com", "playerId": "p1" }),
        )
        .await;
    assert_eq!(edit.code(), 200, "{:?}", edit.body);
    assert!(
        edit.body.get("data").is_none(),
        "videoEdit answers without data"
    );
    let video = state.video(&id).expect("video");
    assert_eq!(
        (video.video_name.as_str(), video.classification().as_str()),
        ("renamed", "Comedy")
    );
    assert_eq!(video.publish_domain, "cdn.example.com");
    let by_class = raw
        .call(LIST, json!({ "videoClassification": "Comedy" }))
        .await;
    assert_eq!(ids(by_class.data()), [id.as_str()]);

    let too_long = raw
        .call(
            "/vod/videoManage/videoEdit",
            json!({ "videoId": id, "videoName": "x".repeat(41) }),
        )
        .await;
    assert_eq!(too_long.code(), ErrorCode::VideoNameTooLong.code());
    let unknown_cat = raw
        .call(
            "/vod/videoManage/videoEdit",
            json!({ "videoId": id, "videoClassification": "Drama" }),
        )
        .await;
    assert_eq!(unknown_cat.code(), ErrorCode::InvalidParameter.code());

    let block = "/vod/videoManage/videoBlock";
    let enable = "/vod/videoManage/videoEnable";
    assert_eq!(raw.call(block, json!({ "videoId": id })).await.code(), 200);
    assert_eq!(
        raw.call(block, json!({ "videoId": id })).await.code(),
        ErrorCode::VideoAlreadyBlocked.code()
    );
    assert_eq!(raw.call(enable, json!({ "videoId": id })).await.code(), 200);
    assert_eq!(
        raw.call(enable, json!({ "videoId": id })).await.code(),
        ErrorCode::VideoAlreadyEnabled.code()
    );
    assert_eq!(
        raw.call(block, json!({})).await.code(),
        ErrorCode::VideoIdEmpty.code()
    );
    assert_eq!(
        raw.call(block, json!({ "videoId": "a b" })).await.code(),
        ErrorCode::VideoIdIllegal.code()
    );
    assert_eq!(
        raw.call(enable, json!({ "videoId": "f00" })).await.code(),
        ErrorCode::VideoNotFound.code()
    );

    let delete = "/vod/videoManage/deleteVideo";
    state.update_video(&id, |v| v.occupied = true);
    assert_eq!(
        raw.call(delete, json!({ "videoId": id })).await.code(),
        ErrorCode::ResourceInUse.code()
    );
    assert_eq!(
        raw.call(delete, json!({ "videoId": id, "validateOccupy": 0 }))
            .await
            .code(),
        200
    );
    assert!(state.video(&id).is_none());
    assert_eq!(
        raw.call(delete, json!({ "videoId": id })).await.code(),
        ErrorCode::VideoNotFound.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn publish_codes() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let id = emu.state().add_video("play me");
    let path = "/vod/videoManage/getPublishCode";
    let all = raw.call(path, json!({ "videoId": id })).await;
    assert_eq!(all.code(), 200);
    let urls = all.data()["videoUrl"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(urls.len(), 2);
    assert!(urls[0]["originUrl"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://")));
    let only_urls = raw
        .call(path, json!({ "videoId": id, "codeType": 4 }))
        .await;
    assert_eq!(only_urls.data()["swfCode"], "");
    assert_eq!(
        raw.call(path, json!({ "videoId": id, "codeType": 3 }))
            .await
            .code(),
        ErrorCode::InvalidCodeType.code()
    );
    assert_eq!(
        raw.call(path, json!({ "videoId": "" })).await.code(),
        ErrorCode::VideoIdEmpty.code()
    );
    assert_eq!(
        raw.call(path, json!({ "videoId": "nope" })).await.code(),
        ErrorCode::VideoNotFound.code()
    );

    let audio = emu.state().add_audio("song");
    let a = raw
        .call("/vod/audioManage/getPublishCode", json!({ "id": audio }))
        .await;
    assert!(
        a.data()["url"]
            .as_str()
            .is_some_and(|u| u.contains("wsSecret=")),
        "{:?}",
        a.body
    );
    let a = raw
        .call("/vod/audioManage/getPublishCode", json!({ "id": "nope" }))
        .await;
    assert_eq!(a.code(), ErrorCode::BadParameter.code());
    emu.shutdown().await;
}

#[tokio::test]
async fn categories() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let create = "/vod/videoCategory/createCategory";
    let list = "/vod/videoCategory/getCategoryList";
    let top = raw.call(create, json!({ "labelName": "Sports" })).await;
    assert_eq!(top.code(), 200, "{:?}", top.body);
    let top_id = top.data()["nodeId"].as_i64().expect("nodeId");
    let child = raw
        .send(RawRequest::post_form(
            create,
            &format!("labelName=Football&parentNodeId={top_id}"),
        ))
        .await;
    let child_id = child.data()["nodeId"].as_i64().expect("child nodeId");
    let dup = raw.call(create, json!({ "labelName": "Sports" })).await;
    assert_eq!(
        (dup.status, dup.code()),
        (400, ErrorCode::CategoryParameterError.code())
    );
    let third = raw
        .call(
            create,
            json!({ "labelName": "Deep", "parentNodeId": child_id }),
        )
        .await;
    assert_eq!(
        third.code(),
        ErrorCode::CategoryParameterError.code(),
        "two levels only"
    );
    let bad = raw.call(create, json!({ "labelName": "bad!label" })).await;
    assert_eq!(bad.code(), ErrorCode::CategoryParameterError.code());

    let roots = raw.call(list, json!({})).await;
    assert_eq!(roots.data()["total"], 1);
    assert_eq!(roots.data()["categoryList"][0]["labelName"], "Sports");
    let children = raw
        .call(list, json!({ "parentNodeId": top_id.to_string() }))
        .await;
    assert_eq!(children.data()["categoryList"][0]["parentNodeId"], top_id);
    assert_eq!(
        raw.call(list, json!({ "pageSize": 101 })).await.code(),
        ErrorCode::CategoryParameterError.code()
    );
    // The answer names the page it holds.
    for label in ["Music", "News"] {
        let created = raw.call(create, json!({ "labelName": label })).await;
        assert_eq!(created.code(), 200, "{:?}", created.body);
    }
    let page = raw
        .call(list, json!({ "pageSize": 2, "pageIndex": 2 }))
        .await;
    assert_eq!(page.data()["total"], 3, "{:?}", page.body);
    assert_eq!(
        page.data()["categoryList"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        (
            page.data()["pageIndex"].clone(),
            page.data()["pageSize"].clone()
        ),
        (json!(2), json!(2))
    );

    // Videos under the child are deleted by deleteVideoByCategory on the parent.
    let video = emu.state().add_video("match");
    emu.state().update_video(&video, |v| {
        v.categories = vec![vod_emulator::CategoryPath {
            parent_name: "Sports".into(),
            child_name: "Football".into(),
        }]
    });
    let del = "/vod/videoCategory/deleteCategory";
    assert_eq!(
        raw.call(del, json!({ "nodeId": top_id })).await.code(),
        ErrorCode::CategoryParameterError.code(),
        "has children"
    );
    let by_cat = raw
        .call(
            "/vod/videoCategory/deleteVideoByCategory",
            json!({ "nodeId": top_id }),
        )
        .await;
    assert!(by_cat.data()["taskId"].is_i64(), "{:?}", by_cat.body);
    assert!(emu.state().video(&video).is_none());
    assert_eq!(
        raw.call(del, json!({ "nodeId": child_id })).await.code(),
        200
    );
    assert_eq!(raw.call(del, json!({ "nodeId": top_id })).await.code(), 200);
    assert_eq!(
        raw.call(del, json!({ "nodeId": top_id })).await.code(),
        ErrorCode::CategoryParameterError.code()
    );
    assert_eq!(
        raw.call(del, json!({ "nodeId": "x" })).await.code(),
        ErrorCode::CategoryParameterError.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn audio_operations() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let state = emu.state();
    let a = state.add_audio("first song");
    let b = state.add_audio("second song");
    let list = raw
        .call(
            "/vod/audioManage/getAudioList",
            json!({ "pageSize": "1", "listOrder": "1" }),
        )
        .await;
    assert_eq!(
        list.data()["audioGetListResponseList"][0]["audioId"],
        a.as_str()
    );
    assert_eq!(list.data()["audioTotal"], 2);
    let named = raw
        .call(
            "/vod/audioManage/getAudioList",
            json!({ "audioName": "SECOND" }),
        )
        .await;
    assert_eq!(
        named.data()["audioGetListResponseList"][0]["audioId"],
        b.as_str()
    );

    let edit = "/vod/audioManage/editAudio";
    assert_eq!(
        raw.call(edit, json!({ "audioId": a, "audioName": "renamed" }))
            .await
            .code(),
        200
    );
    assert_eq!(
        state.audio(&a).map(|x| x.audio_name),
        Some("renamed".into())
    );
    assert_eq!(
        raw.call(edit, json!({ "audioId": a })).await.code(),
        ErrorCode::BadParameter.code()
    );
    assert_eq!(
        raw.call(
            edit,
            json!({ "audioId": a, "publishDomain": "bad domain!" })
        )
        .await
        .code(),
        ErrorCode::DomainIllegal.code()
    );
    assert_eq!(
        raw.call(
            edit,
            json!({ "audioId": a, "publishDomain": "unknown.example" })
        )
        .await
        .code(),
        ErrorCode::DomainNotFound.code()
    );
    assert_eq!(
        raw.call(edit, json!({ "audioId": "nope", "audioName": "x" }))
            .await
            .code(),
        ErrorCode::BadParameter.code()
    );

    let delete = "/vod/audioManage/deleteAudio";
    state.update_audio(&b, |x| x.occupied = true);
    assert_eq!(
        raw.call(delete, json!({ "audioId": b })).await.code(),
        ErrorCode::ResourceInUse.code()
    );
    assert_eq!(
        raw.call(delete, json!({ "audioId": b, "validateOccupy": 0 }))
            .await
            .code(),
        200
    );
    assert_eq!(
        raw.call(delete, json!({ "audioId": b })).await.code(),
        ErrorCode::BadParameter.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn material_operations() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let state = emu.state();
    let logo = state.add_material("logo", "png");
    let subs = state.add_material("subtitles", "srt");
    let list = "/vod/material/getMaterialList";
    let all = raw.call(list, json!({})).await;
    assert_eq!(all.data()["total"], 2);
    assert_eq!(
        all.data()["materialList"][0]["id"],
        subs.as_str(),
        "newest first"
    );
    let pngs = raw.call(list, json!({ "suffix": "png" })).await;
    assert_eq!(pngs.data()["materialList"][0]["id"], logo.as_str());
    let bad_window = raw
        .call(list, json!({ "uploadTimeStart": 10, "uploadTimeEnd": 5 }))
        .await;
    assert_eq!(bad_window.code(), ErrorCode::StartAfterEnd.code());

    let edit = "/vod/material/materialEdit";
    assert_eq!(
        raw.call(edit, json!({ "id": logo, "name": "brand" }))
            .await
            .code(),
        200
    );
    assert_eq!(state.material(&logo).map(|m| m.name), Some("brand".into()));
    assert_eq!(
        raw.call(edit, json!({ "id": logo, "name": "x".repeat(41) }))
            .await
            .code(),
        ErrorCode::BadParameter.code()
    );
    assert_eq!(
        raw.call(edit, json!({ "id": logo, "publishDomain": "nope.example" }))
            .await
            .code(),
        ErrorCode::DomainNotFound.code()
    );

    let delete = "/vod/material/deleteMaterial";
    state.update_material(&logo, |m| m.occupied = true);
    assert_eq!(
        raw.call(delete, json!({ "id": logo })).await.code(),
        ErrorCode::ResourceInUse.code()
    );
    assert_eq!(
        raw.call(delete, json!({ "id": logo, "validateOccupy": "0" }))
            .await
            .code(),
        200
    );
    assert_eq!(
        raw.call(delete, json!({ "id": logo })).await.code(),
        ErrorCode::BadParameter.code()
    );
    assert_eq!(
        raw.call(delete, json!({ "id": subs, "validateOccupy": "2" }))
            .await
            .code(),
        ErrorCode::BadParameter.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn far_future_times_answer_parameter_errors_everywhere() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let far = "9223372036854775807-12-31 23:59:59";
    for (path, code) in [
        (LIST, ErrorCode::InvalidParameter.code()),
        (
            "/vod/audioManage/getAudioList",
            ErrorCode::BadParameter.code(),
        ),
    ] {
        for field in ["startTime", "endTime"] {
            let r = raw.call(path, json!({ field: far })).await;
            assert_eq!(
                (r.status, r.code()),
                (200, code),
                "{path} {field}: {:?}",
                r.body
            );
        }
    }
    // The latest time both sides represent (the SDK's `Time` ends late on 9999-12-30 UTC, so
    // the client refuses later ones before sending, and the emulator's checks are the client's)
    // still works as a filter.
    let r = raw
        .call(LIST, json!({ "startTime": "9999-12-30 23:59:59" }))
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    emu.shutdown().await;
}

#[tokio::test]
async fn unused_upload_tokens_expire_and_stay_bounded() {
    let emu = vod_emulator::Emulator::builder()
        .upload_token_lifetime(std::time::Duration::from_millis(300))
        .max_pending_uploads(50)
        .start()
        .await
        .expect("start");
    let raw = Raw::new(&emu);
    for i in 0..120 {
        let r = raw
            .call(
                "/vod/videoManage/getUploadToken",
                json!({ "originFileName": format!("unused{i}.mp4") }),
            )
            .await;
        assert_eq!(r.code(), 200, "{:?}", r.body);
        if i == 0 {
            // The token's deadline is the configured lifetime away.
            let token = r.data()["uploadToken"].as_str().unwrap_or_default();
            let policy = token.rsplit(':').next().unwrap_or_default();
            let policy: Value = URL_SAFE
                .decode(policy)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            let deadline: i64 = policy["deadline"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .unwrap_or(0);
            let now_ms = crate::support::now() * 1000;
            assert!(
                (now_ms - 2_000..=now_ms + 2_000).contains(&deadline),
                "{policy}"
            );
        }
    }
    assert_eq!(emu.state().pending_uploads(), 50, "bounded");
    let expired = crate::support::eventually(|| {
        let state = emu.state();
        async move { state.pending_uploads() == 0 }
    })
    .await;
    assert!(expired, "expired tokens are forgotten");
    emu.shutdown().await;
}

/// Every operation, over HTTP (JSON body, form body and query string), with every parameter
/// set to one edge value at a time: never a 5xx, never a dropped connection.
#[tokio::test]
async fn edge_values_over_http_never_answer_5xx() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let video = emu.state().add_video("v.mp4");
    const NAMES: &[&str] = &[
        "videoId",
        "videoIds",
        "audioId",
        "id",
        "materialId",
        "nodeId",
        "parentNodeId",
        "taskId",
        "transNo",
        "targetId",
        "workflowId",
        "pageIndex",
        "pageSize",
        "startTime",
        "endTime",
        "uploadTimeStart",
        "uploadTimeEnd",
        "seekStart",
        "duration",
        "filename",
        "fileList",
        "originFileName",
        "categoryNames",
        "videoClassification",
        "createUser",
        "labelName",
        "codeType",
        "frameRate",
        "samplingRate",
        "resolution",
        "notifyUrl",
        "clearVideoAd",
        "validateOccupy",
        "overwrite",
        "listOrder",
        "publishDomain",
    ];
    let texts = [
        "9223372036854775807-12-31 23:59:59".to_string(),
        "99999-01-01 00:00:00".to_string(),
        "9223372036854775807".to_string(),
        "-9223372036854775808".to_string(),
        "18446744073709551616".to_string(),
        "-1".to_string(),
        ",,".to_string(),
        "%ff%fe".to_string(),
        "x".repeat(4000),
        "W3t9XQ==".to_string(),
    ];
    let paths: Vec<&str> = [
        "/vod/videoManage/getUploadToken",
        "/vod/audioManage/getAudioUploadToken",
        "/vod/material/getMaterialUploadToken",
        "/vod/videoManage/pullVideo",
        "/vod/videoManage/pullVideoQuery",
        LIST,
        "/vod/videoManage/videoEdit",
        "/vod/videoManage/videoBlock",
        "/vod/videoManage/videoEnable",
        "/vod/videoManage/deleteVideo",
        "/vod/videoManage/getPublishCode",
        "/vod/audioManage/getAudioList",
        "/vod/audioManage/editAudio",
        "/vod/audioManage/deleteAudio",
        "/vod/audioManage/getPublishCode",
        "/vod/material/getMaterialList",
        "/vod/material/materialEdit",
        "/vod/material/deleteMaterial",
        "/vod/videoCategory/getCategoryList",
        "/vod/videoCategory/createCategory",
        "/vod/videoCategory/deleteCategory",
        "/vod/videoCategory/deleteVideoByCategory",
        "/vod/videoManage/videoClip",
        "/vod/videoManage/videoClipQuery",
        "/vod/videoManage/videoConcat",
        "/vod/videoManage/videoConcatQuery",
        "/vod/videoManage/transCode",
        "/vod/ai/createClearAdTask",
        "/vod/ai/clearAdTaskQuery",
        "/workflow/startWorkflow",
    ]
    .to_vec();
    let mut failures = Vec::new();
    for path in &paths {
        for text in &texts {
            let mut object = serde_json::Map::new();
            for name in NAMES {
                object.insert((*name).to_string(), json!(text));
            }
            object.insert("videoId".into(), json!(video));
            let form: String = NAMES
                .iter()
                .map(|n| format!("{n}={text}"))
                .collect::<Vec<_>>()
                .join("&");
            let mut requests = vec![
                RawRequest::post_json(path, &Value::Object(object)),
                RawRequest::post_form(path, &form),
            ];
            // Very long query strings are the HTTP client's to refuse, not the emulator's.
            if form.len() < 8_000 {
                requests.push(RawRequest::get(&format!("{path}?{form}")));
            }
            for request in requests {
                match raw.try_send(request).await {
                    Ok(r) if r.status < 500 => {}
                    Ok(r) => failures.push(format!("{path} {text:.40}: HTTP {}", r.status)),
                    Err(e) => failures.push(format!("{path} {text:.40}: {:.200}", e.to_string())),
                }
            }
        }
    }
    for value in [
        json!(i64::MAX),
        json!(u64::MAX),
        json!(-1e308),
        json!([[]]),
        json!({}),
    ] {
        for path in &paths {
            let object: serde_json::Map<String, Value> = NAMES
                .iter()
                .map(|n| ((*n).to_string(), value.clone()))
                .collect();
            match raw
                .try_send(RawRequest::post_json(path, &Value::Object(object)))
                .await
            {
                Ok(r) if r.status < 500 => {}
                Ok(r) => failures.push(format!("{path} {value}: HTTP {}", r.status)),
                Err(e) => failures.push(format!("{path} {value}: {:.200}", e.to_string())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    emu.shutdown().await;
}
