//! Salvaging optional answer fields, through the real answer decoding and generated types.

use crate::model::{
    GetVideoListOutput, GetVideoListRequest, VideoClipQueryOutput, VideoClipQueryRequest,
    VideoConcatQueryOutput, VideoConcatQueryRequest, VideoInfo,
};
use crate::operation::Request;
use crate::response::{interpret, interpret_keeping, Keep, RawResponse, Response};
use crate::{DecodeWarning, Error, Time};

fn raw(body: &str) -> RawResponse {
    RawResponse {
        status: 200,
        request_id: None,
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
    }
}

fn answer<R: Request>(body: &str) -> Result<Response<R::Output>, Error> {
    interpret::<R::Output>(R::OPERATION, raw(body))
}

/// The required members of a listed video besides its name and id.
const REQUIRED: &str = r#""videoState":0,"transcodeState":2"#;

/// A getVideoList page of two videos, the first with `member` set to `value` (JSON text).
fn page_with(member: &str, value: &str) -> String {
    format!(
        r#"{{"code":200,"message":"ok","data":{{"videoTotal":2,"videoListInfo":[
            {{"videoName":"a","videoId":"v1",{REQUIRED},"{member}":{value}}},
            {{"videoName":"b","videoId":"v2",{REQUIRED},"videoSize":"20"}}]}}}}"#
    )
}

fn paths(warnings: &[DecodeWarning]) -> Vec<(&str, &str)> {
    warnings
        .iter()
        .map(|w| (w.path.as_str(), w.excerpt.as_str()))
        .collect()
}

#[test]
fn an_unreadable_optional_number_is_unset_and_reported() {
    for odd in [r#""s""#, r#""""#, r#""-""#, r#""null""#, r#""1.5""#, "-3"] {
        let page = answer::<GetVideoListRequest>(&page_with("videoSize", odd))
            .unwrap_or_else(|e| panic!("{odd}: {e}"));
        let first = &page.data.video_list_info[0];
        assert_eq!(first.video_size, None, "{odd}");
        assert_eq!(first.video_name, "a");
        assert_eq!(page.data.video_list_info[1].video_size, Some(20));
        let excerpt = odd.trim_matches('"');
        assert_eq!(
            paths(page.warnings()),
            [("data.videoListInfo[0].videoSize", excerpt)],
            "{odd}"
        );
    }
}

#[test]
fn a_clean_answer_has_no_warnings() {
    let page = answer::<GetVideoListRequest>(&page_with("videoDuration", r#""12.5""#)).unwrap();
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
    assert_eq!(page.data.video_list_info[0].video_duration, Some(12.5));
}

#[test]
fn the_metadata_less_path_decodes_the_same() {
    let body = page_with("videoSize", r#""s""#);
    let op = GetVideoListRequest::OPERATION;
    let page = interpret_keeping::<GetVideoListOutput>(op, raw(&body), Keep::Data).unwrap();
    assert_eq!(page.data.video_list_info[0].video_size, None);
    assert_eq!(page.warnings.len(), 1);
}

#[test]
fn an_unreadable_optional_time_keeps_its_text() {
    let page = answer::<GetVideoListRequest>(&page_with("createTime", r#""yesterday""#)).unwrap();
    let first = &page.data.video_list_info[0];
    assert_eq!(first.create_time, Some(Time::Unparsed("yesterday".into())));
    assert_eq!(
        paths(page.warnings()),
        [("data.videoListInfo[0].createTime", "yesterday")]
    );
    // Nothing to keep: unset.
    let page = answer::<GetVideoListRequest>(&page_with("createTime", r#""""#)).unwrap();
    assert_eq!(page.data.video_list_info[0].create_time, None);
    assert_eq!(page.warnings.len(), 1);
    // The service's text and RFC 3339 read without a warning.
    for good in [r#""2024-01-01 08:00:00""#, r#""2024-01-01T00:00:00Z""#] {
        let page = answer::<GetVideoListRequest>(&page_with("createTime", good)).unwrap();
        let time = page.data.video_list_info[0].create_time.clone();
        assert_eq!(
            time.and_then(|t| t.timestamp()).map(|t| t.as_second()),
            Some(1_704_067_200)
        );
        assert!(page.warnings.is_empty(), "{good}: {:?}", page.warnings);
    }
}

/// Unix-second and Unix-millisecond times keep unreadable text too, as the service's date-time
/// text does (each encoding has its own `keep_unread`).
#[test]
fn unreadable_unix_times_keep_their_text() {
    let audio = r#"{"code":200,"message":"ok","data":{"audioTotal":1,"audioGetListResponseList":[
        {"audioName":"a","audioId":"a1","createTime":"yesterday","uploadTime":1700000000}]}}"#;
    let page = answer::<crate::model::GetAudioListRequest>(audio).unwrap();
    let item = &page.data.audio_get_list_response_list[0];
    assert_eq!(item.create_time, Some(Time::Unparsed("yesterday".into())));
    assert_eq!(
        item.upload_time,
        Some(Time::from_unix_seconds(1_700_000_000))
    );
    assert_eq!(
        paths(page.warnings()),
        [("data.audioGetListResponseList[0].createTime", "yesterday")]
    );
    let pull = r#"{"code":200,"message":"ok","data":{"taskId":"t","transNo":"n","status":1,
        "items":[],"timestamp":"soon"}}"#;
    let report = answer::<crate::model::PullVideoQueryRequest>(pull).unwrap();
    assert_eq!(report.data.timestamp, Some(Time::Unparsed("soon".into())));
    assert_eq!(paths(report.warnings()), [("data.timestamp", "soon")]);
}

#[test]
fn an_unreadable_optional_enum_is_unset() {
    let page = answer::<GetVideoListRequest>(&page_with("encrypt", r#""maybe""#)).unwrap();
    assert_eq!(page.data.video_list_info[0].encrypt, None);
    assert_eq!(
        paths(page.warnings()),
        [("data.videoListInfo[0].encrypt", "maybe")]
    );
}

#[test]
fn clip_and_concat_queries_keep_their_answer() {
    let body = r#"{"code":200,"data":{"taskId":"t1","transNo":"n1","status":2,
        "videoInfo":{"videoName":"out","videoId":"v9","videoState":0,"transcodeState":2,
        "videoSize":"s","videoDuration":"-"}}}"#;
    let clip = answer::<VideoClipQueryRequest>(body).unwrap();
    let concat = answer::<VideoConcatQueryRequest>(body).unwrap();
    let expected = [
        ("data.videoInfo.videoSize", "s"),
        ("data.videoInfo.videoDuration", "-"),
    ];
    assert_eq!(paths(clip.warnings()), expected);
    assert_eq!(paths(concat.warnings()), expected);
    let clip: VideoClipQueryOutput = clip.data;
    let concat: VideoConcatQueryOutput = concat.data;
    for video in [clip.video_info, concat.video_info] {
        let video = video.expect("the video is kept");
        assert_eq!((video.video_size, video.video_duration), (None, None));
        assert_eq!(video.video_id.as_str(), "v9");
    }
}

#[test]
fn a_required_field_still_fails_with_its_path() {
    let body = r#"{"code":200,"data":{"videoTotal":"s","videoListInfo":[]}}"#;
    match answer::<GetVideoListRequest>(body) {
        Err(Error::Decode { path, .. }) => assert_eq!(path, "data.videoTotal"),
        other => panic!("{other:?}"),
    }
    let body = r#"{"code":200,"data":{"videoTotal":1,"videoListInfo":[{"videoName":"a",
        "videoId":"v1","videoState":"s","transcodeState":2}]}}"#;
    match answer::<GetVideoListRequest>(body) {
        Err(Error::Decode { path, message, .. }) => {
            assert_eq!(path, "data.videoListInfo[0].videoState", "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_object_or_list_where_a_scalar_belongs_still_fails() {
    // The parser would be left inside the value: nothing to salvage.
    for odd in [r#"{"x":1}"#, r#"["1"]"#] {
        match answer::<GetVideoListRequest>(&page_with("videoSize", odd)) {
            Err(Error::Decode { path, .. }) => {
                assert_eq!(path, "data.videoListInfo[0].videoSize", "{odd}")
            }
            other => panic!("{odd}: {other:?}"),
        }
    }
}

#[test]
fn outside_an_answer_nothing_is_salvaged() {
    let json = format!(r#"{{"videoName":"a","videoId":"v1",{REQUIRED},"videoSize":"s"}}"#);
    let err = serde_json::from_str::<VideoInfo>(&json).expect_err("strict outside an answer");
    assert!(err.to_string().contains("\"s\""), "{err}");
    // Nor is a note left behind for a later answer.
    let page = answer::<GetVideoListRequest>(&page_with("videoSize", "1")).unwrap();
    assert!(page.warnings.is_empty());
}

#[test]
fn long_values_are_cut_in_the_excerpt() {
    let long = "x".repeat(200);
    let page =
        answer::<GetVideoListRequest>(&page_with("videoSize", &format!("\"{long}\""))).unwrap();
    let excerpt = &page.warnings[0].excerpt;
    assert_eq!(excerpt.chars().count(), 65, "64 characters and an ellipsis");
    assert!(excerpt.ends_with('…'));
}

#[test]
fn escaped_text_is_reported_too() {
    let page = answer::<GetVideoListRequest>(&page_with("videoSize", r#""\u0073ize""#)).unwrap();
    assert_eq!(
        paths(page.warnings()),
        [("data.videoListInfo[0].videoSize", "size")]
    );
}

#[test]
fn the_position_is_read_from_the_message() {
    assert_eq!(
        super::split_position("invalid value: string \"s\" at line 3 column 14"),
        ("invalid value: string \"s\"", Some((3, 14)))
    );
    assert_eq!(super::split_position("no position"), ("no position", None));
    assert_eq!(
        super::split_position("odd at line x column 2"),
        ("odd at line x column 2", None)
    );
}
