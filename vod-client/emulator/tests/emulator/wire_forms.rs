//! The emulator reads every documented form of a request value, as the service's documents
//! and the vendor's examples write them: comma lists as text or JSON arrays, `base64_json` as
//! base64 or plain JSON, numbers as numbers or text, times as the service's text or RFC 3339,
//! enum values by number, numeric text or name. It decodes requests into the SDK's request
//! types, so these go through the same `Deserialize` the SDK's users get.

use serde_json::{json, Value};
use vod_client::model::{TranscodeState, VideoId};

use crate::support::{emulator, Raw, RawRequest};

const TRANSCODE: &str = "/vod/videoManage/transCode";
const CONCAT: &str = "/vod/videoManage/videoConcat";
const LIST: &str = "/vod/videoManage/getVideoList";
const EDIT: &str = "/vod/videoManage/videoEdit";

/// A video the emulator will transcode (not transcoded yet).
fn fresh_video(emu: &vod_emulator::Emulator, name: &str) -> VideoId {
    let id = emu.state().add_video(name);
    emu.state().update_video(&id, |v| {
        v.transcode_state = TranscodeState::UnencryptedOrNotTranscoded;
    });
    id
}

#[tokio::test]
async fn video_ids_come_as_comma_text_or_a_json_array() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let (a, b, c, d) = (
        fresh_video(&emu, "a"),
        fresh_video(&emu, "b"),
        fresh_video(&emu, "c"),
        fresh_video(&emu, "d"),
    );
    for ids in [json!(format!("{a},{b}")), json!([c, d])] {
        let r = raw.call(TRANSCODE, json!({ "videoIds": ids })).await;
        assert_eq!(r.code(), 200, "transCode {ids}: {:?}", r.body);
    }
    for id in [&a, &b, &c, &d] {
        let state = emu.state().video(id).map(|v| v.transcode_state);
        assert_eq!(state, Some(TranscodeState::Running), "{id} is transcoding");
    }
    for (n, ids) in [json!(format!("{a},{b}")), json!([a, b])]
        .into_iter()
        .enumerate()
    {
        let body = json!({ "transNo": format!("concat-{n}"), "videoIds": ids, "filename": "f" });
        let r = raw.call(CONCAT, body).await;
        assert_eq!(r.code(), 200, "videoConcat {ids}: {:?}", r.body);
    }
    emu.shutdown().await;
}

/// The list the emulator answers for `body`, which it must accept.
async fn list(raw: &Raw, body: Value) -> Value {
    let r = raw.call(LIST, body.clone()).await;
    assert_eq!(r.code(), 200, "getVideoList {body}: {:?}", r.body);
    r.data().clone()
}

#[tokio::test]
async fn a_list_query_means_the_same_in_every_form() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    for name in ["one", "two", "three"] {
        emu.state().add_video(name);
    }
    let canonical = list(
        &raw,
        json!({"startTime": "2000-01-01 08:00:00", "videoStatus": 0, "listOrder": 1,
               "pageIndex": 1, "pageSize": 2}),
    )
    .await;
    assert_eq!(
        canonical["videoListInfo"].as_array().map(Vec::len),
        Some(2),
        "the query finds videos: {canonical}"
    );
    for other in [
        json!({"startTime": "2000-01-01T00:00:00Z", "videoStatus": "enabled",
               "listOrder": "oldest-first", "pageIndex": "1", "pageSize": "2"}),
        json!({"startTime": "2000-01-01T08:00:00+08:00", "videoStatus": "0",
               "listOrder": "oldest_first", "pageIndex": 1, "pageSize": 2}),
    ] {
        assert_eq!(list(&raw, other.clone()).await, canonical, "{other}");
    }
    // As a form body (the spec marks getVideoList `form_body`), where every value is text.
    let form = "startTime=2000-01-01T00%3A00%3A00Z&videoStatus=enabled&listOrder=oldest-first\
                &pageIndex=1&pageSize=2";
    let r = raw.send(RawRequest::post_form(LIST, form)).await;
    assert_eq!(r.code(), 200, "{form}: {:?}", r.body);
    assert_eq!(r.data(), &canonical, "{form}");
    // Comma filters as text or as arrays are both accepted.
    for users in [json!("alice,bob"), json!(["alice", "bob"])] {
        list(&raw, json!({ "createUser": users })).await;
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn numbers_come_as_numbers_or_text_and_base64_json_as_base64() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    for name in ["one", "two", "three"] {
        emu.state().add_video(name);
    }
    let canonical = list(
        &raw,
        json!({"videoStatus": 0, "pageIndex": 1, "pageSize": 2}),
    )
    .await;
    assert_eq!(
        canonical["videoListInfo"].as_array().map(Vec::len),
        Some(2),
        "{canonical}"
    );
    let text = json!({"videoStatus": "0", "pageIndex": "1", "pageSize": "2"});
    assert_eq!(list(&raw, text).await, canonical);
    let form = "videoStatus=0&pageIndex=1&pageSize=2";
    let r = raw.send(RawRequest::post_form(LIST, form)).await;
    assert_eq!(r.code(), 200, "{form}: {:?}", r.body);
    assert_eq!(r.data(), &canonical, "{form}");
    let id = emu.state().add_video("edited");
    // `[]` (clears the categories) as URL-safe base64.
    let r = raw
        .call(EDIT, json!({ "videoId": id, "categoryNames": "W10=" }))
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    emu.shutdown().await;
}

#[tokio::test]
async fn base64_json_comes_as_plain_json_too() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let id = emu.state().add_video("edited");
    for form in [json!([]), json!("[]")] {
        let r = raw
            .call(EDIT, json!({ "videoId": id, "categoryNames": form }))
            .await;
        assert_eq!(r.code(), 200, "categoryNames {form}: {:?}", r.body);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_value_in_none_of_the_forms_is_refused() {
    // Input is never salvaged: what is none of the documented forms is refused, not ignored.
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let id = emu.state().add_video("edited");
    let r = raw
        .call(EDIT, json!({ "videoId": id, "categoryNames": "%%%" }))
        .await;
    assert_ne!(r.code(), 200, "{:?}", r.body);
    for body in [
        json!({ "videoStatus": "sideways" }),
        json!({ "pageSize": "two" }),
        json!({ "startTime": "yesterday" }),
    ] {
        let r = raw.call(LIST, body.clone()).await;
        assert_ne!(r.code(), 200, "{body}: {:?}", r.body);
    }
    emu.shutdown().await;
}
