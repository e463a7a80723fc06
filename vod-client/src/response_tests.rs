//! Classification and decoding of answers, for each envelope and data kind.

use super::*;
use crate::operation::{BodyKind, HttpMethod};
use serde::Deserialize;

const OBJECT: &OperationSpec = &OperationSpec {
    name: "getVideoList",
    method: HttpMethod::Post,
    path: "/vod/videoManage/getVideoList",
    body: BodyKind::Json,
    envelope: Envelope::Standard,
    data: DataKind::Object,
    retry_safe: true,
};
const SINGLE: &OperationSpec = &OperationSpec {
    name: "getVideoInfo",
    data: DataKind::SingleItemList,
    ..*OBJECT
};
const STRING: &OperationSpec = &OperationSpec {
    name: "transCode",
    data: DataKind::String,
    ..*OBJECT
};
const NONE: &OperationSpec = &OperationSpec {
    name: "deleteVideo",
    data: DataKind::None,
    ..*OBJECT
};
const BARE: &OperationSpec = &OperationSpec {
    name: "getUploadToken",
    envelope: Envelope::Bare,
    ..*OBJECT
};
const BARE_STRING: &OperationSpec = &OperationSpec {
    name: "getPlayUrl",
    envelope: Envelope::Bare,
    data: DataKind::String,
    ..*OBJECT
};

#[derive(Debug, Deserialize, PartialEq)]
struct Video {
    #[serde(rename = "videoId")]
    video_id: String,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    size: Option<i64>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Page {
    #[serde(rename = "videoListInfo")]
    videos: Vec<Video>,
}

fn raw(status: u16, body: &str) -> RawResponse {
    RawResponse {
        status,
        request_id: Some("req-9".into()),
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
    }
}

fn ok<T: DeserializeOwned>(op: &'static OperationSpec, body: &str) -> T {
    match interpret::<T>(op, raw(200, body)) {
        Ok(r) => r.data,
        Err(e) => panic!("{body}: {e}"),
    }
}

fn err<T: DeserializeOwned + fmt::Debug>(
    op: &'static OperationSpec,
    status: u16,
    body: &str,
) -> Error {
    interpret::<T>(op, raw(status, body)).expect_err(body)
}

#[test]
fn standard_success_keeps_metadata() {
    let r = interpret::<Page>(
        OBJECT,
        raw(200, r#"{"code":"200","message":"ok","data":{"videoListInfo":[{"videoId":"v1","size":"12"}]}}"#),
    )
    .expect("success");
    assert_eq!(r.code, Some(200));
    assert_eq!(r.message.as_deref(), Some("ok"));
    assert_eq!(r.request_id.as_deref(), Some("req-9"));
    assert_eq!(r.http_status, 200);
    assert_eq!(
        r.data.videos,
        [Video {
            video_id: "v1".into(),
            size: Some(12)
        }]
    );
}

#[test]
fn service_error_with_http_200() {
    let e = err::<Page>(
        OBJECT,
        200,
        r#"{"code":1502,"message":"video does not exist","data":null}"#,
    );
    match &e {
        Error::Service {
            operation,
            code,
            message,
            request_id,
            http_status,
        } => {
            assert_eq!(
                (*operation, *code, *http_status),
                ("getVideoList", 1502, 200)
            );
            assert_eq!(message, "video does not exist");
            assert_eq!(request_id.as_deref(), Some("req-9"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err::<Page>(OBJECT, 200, r#"{"code":"1000"}"#).service_code(),
        Some(1000)
    );
    assert_eq!(
        err::<Page>(OBJECT, 200, r#"{"code":1000.0}"#).service_code(),
        Some(1000)
    );
}

#[test]
fn non_2xx_answers() {
    let e = err::<Page>(OBJECT, 403, r#"{"code":1301,"message":"no permission"}"#);
    assert_eq!(e.service_code(), Some(1301));
    assert!(matches!(
        e,
        Error::Service {
            http_status: 403,
            ..
        }
    ));
    let e = err::<Page>(OBJECT, 502, "<html>Bad Gateway</html>");
    match e {
        Error::Http {
            status,
            body_excerpt,
            ..
        } => assert_eq!(
            (status, body_excerpt.as_str()),
            (502, "<html>Bad Gateway</html>")
        ),
        other => panic!("{other:?}"),
    }
    let e = err::<Page>(OBJECT, 500, r#"{"code":200}"#);
    assert!(matches!(e, Error::Http { status: 500, .. }), "{e:?}");
    let long = "x".repeat(2000);
    match err::<Page>(OBJECT, 500, &long) {
        Error::Http { body_excerpt, .. } => assert!(body_excerpt.len() <= EXCERPT_BYTES + 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn decode_error_names_operation_and_path() {
    let body =
        r#"{"code":200,"data":{"videoListInfo":[{"videoId":"a"},{"videoId":"b"},{"videoId":{}}]}}"#;
    let e = err::<Page>(OBJECT, 200, body);
    match &e {
        Error::Decode {
            operation,
            path,
            body_excerpt,
            ..
        } => {
            assert_eq!(*operation, "getVideoList");
            assert_eq!(path, "data.videoListInfo[2].videoId");
            assert_eq!(body_excerpt, body);
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("getVideoList") && text.contains("data.videoListInfo[2].videoId"),
        "{text}"
    );
    let e = err::<Page>(OBJECT, 200, r#"{"code":200,"data":{}}"#);
    assert!(e.to_string().contains("videoListInfo"), "{e}");
    let e = err::<Page>(OBJECT, 200, r#"{"code":200}"#);
    assert!(e.to_string().contains("missing field `data`"), "{e}");
    // A type that can be "nothing" (raw requests read `Value`) takes an answer without data.
    let nothing: serde_json::Value = ok(OBJECT, r#"{"code":200,"message":"Operation succeeded"}"#);
    assert_eq!(nothing, serde_json::Value::Null);
    let none: Option<Page> = ok(SINGLE, r#"{"code":200}"#);
    assert!(none.is_none());
    let e = err::<Page>(OBJECT, 200, r#"{"code":200,"data":null}"#);
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[test]
fn malformed_envelopes() {
    let e = err::<Page>(OBJECT, 200, "<html>");
    assert!(
        matches!(&e, Error::Decode { message, .. } if message.contains("not a JSON object")),
        "{e:?}"
    );
    let e = err::<Page>(OBJECT, 200, r#"{"data":{"videoListInfo":[]}}"#);
    assert!(e.to_string().contains("missing field `code`"), "{e}");
    let e = err::<Page>(OBJECT, 200, r#"{"code":"OK","data":{}}"#);
    assert!(
        matches!(&e, Error::Decode { path, .. } if path == "code"),
        "{e:?}"
    );
    let e = err::<Page>(
        OBJECT,
        200,
        r#"{"code":200,"data":{"videoListInfo":[]}} trailing"#,
    );
    assert!(matches!(e, Error::Decode { .. }));
}

#[test]
fn single_item_list_accepts_object_or_one_element_list() {
    let v: Video = ok(SINGLE, r#"{"code":200,"data":{"videoId":"a"}}"#);
    assert_eq!(v.video_id, "a");
    let v: Video = ok(SINGLE, r#"{"code":200,"data":[{"videoId":"b","size":3}]}"#);
    assert_eq!((v.video_id.as_str(), v.size), ("b", Some(3)));
    let e = err::<Video>(SINGLE, 200, r#"{"code":200,"data":[]}"#);
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    let e = err::<Video>(
        SINGLE,
        200,
        r#"{"code":200,"data":[{"videoId":"a"},{"videoId":"b"}]}"#,
    );
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    let e = err::<Video>(SINGLE, 200, r#"{"code":200,"data":[{"videoId":1.5e400}]}"#);
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    // An optional member that cannot be read is left unset, with a warning naming its path.
    let r = interpret::<Video>(
        SINGLE,
        raw(200, r#"{"code":200,"data":[{"size":"x","videoId":"a"}]}"#),
    )
    .expect("salvaged");
    assert_eq!(r.data.size, None);
    assert_eq!(r.warnings[0].path, "data[0].size");
}

#[test]
fn string_data_accepts_string_number_null_or_absent() {
    assert_eq!(
        ok::<String>(STRING, r#"{"code":200,"data":"task-1"}"#),
        "task-1"
    );
    assert_eq!(ok::<String>(STRING, r#"{"code":200,"data":42}"#), "42");
    assert_eq!(ok::<String>(STRING, r#"{"code":200,"data":null}"#), "");
    assert_eq!(ok::<String>(STRING, r#"{"code":200}"#), "");
    let e = err::<String>(STRING, 200, r#"{"code":200,"data":{"a":1}}"#);
    assert!(
        matches!(&e, Error::Decode { path, .. } if path == "data"),
        "{e:?}"
    );
}

#[test]
fn none_data_ignores_whatever_comes() {
    ok::<()>(NONE, r#"{"code":200,"data":{"anything":[1,2]}}"#);
    ok::<()>(NONE, r#"{"code":200,"message":"deleted"}"#);
    ok::<()>(NONE, r#"{"code":200,"data":null}"#);
}

#[test]
fn bare_envelope() {
    let v: Video = ok(BARE, r#"{"videoId":"x","size":"5"}"#);
    assert_eq!(v.size, Some(5));
    let v: Video = ok(BARE, r#"{"code":200,"videoId":"y"}"#);
    assert_eq!(v.video_id, "y");
    let e = err::<Video>(BARE, 200, r#"{"code":1004,"message":"bad"}"#);
    assert_eq!(e.service_code(), Some(1004));
    let e = err::<Video>(BARE, 200, r#"{"size":1}"#);
    assert!(e.to_string().contains("videoId"), "{e}");
    assert_eq!(
        ok::<String>(BARE_STRING, r#""http://play/x.m3u8""#),
        "http://play/x.m3u8"
    );
    assert_eq!(
        ok::<String>(BARE_STRING, "http://play/raw.mp4\n"),
        "http://play/raw.mp4"
    );
    assert_eq!(ok::<String>(BARE_STRING, ""), "");
    let r = interpret::<Video>(BARE, raw(200, r#"{"videoId":"z"}"#)).expect("bare");
    assert_eq!((r.code, r.message), (None, None));
}

/// startWorkflow is documented bare, but a gateway may send it in the standard envelope.
#[test]
fn a_bare_answer_inside_the_envelope_decodes_too() {
    let body = r#"{"code":200,"message":"ok","data":{"videoId":"w1","size":3}}"#;
    let r = interpret::<Video>(BARE, raw(200, body)).expect("enveloped bare answer");
    assert_eq!(r.data.video_id, "w1");
    assert_eq!(r.data.size, Some(3));
    assert_eq!(r.message.as_deref(), Some("ok"));
    // A failure in the envelope is still a service error, and `data: null` is not an envelope.
    let e = err::<Video>(
        BARE,
        200,
        r#"{"code":1000,"message":"Parameter error","data":null}"#,
    );
    assert_eq!(e.service_code(), Some(1000));
    let e = err::<Video>(BARE, 200, r#"{"code":200,"data":{"size":1}}"#);
    assert!(
        e.to_string().contains("at `data`") && e.to_string().contains("videoId"),
        "names the field inside data: {e}"
    );
}

/// The one-pass read is only a shortcut: for any body, status and data kind it must give what
/// the careful path gives (same data, same metadata, same error).
#[test]
fn one_pass_agrees_with_the_careful_path() {
    const BODIES: &[&str] = &[
        r#"{"code":200,"message":"ok","data":{"videoListInfo":[{"videoId":"v1","size":"12"}]}}"#,
        r#"{"data":{"videoListInfo":[]},"code":"200","message":null}"#,
        r#"{"code":200.0,"data":{"videoListInfo":[]}}"#,
        r#"{"code":200,"message":{"zh":"好"},"data":[{"videoListInfo":[]}]}"#,
        r#"{"code":200,"data":[{"videoListInfo":[]},{"videoListInfo":[]}]}"#,
        r#"{"code":200,"code":200,"data":{"videoListInfo":[]}}"#,
        r#"{"code":200,"message":"a","message":"b","data":{"videoListInfo":[]}}"#,
        r#"{"code":200,"data":{"videoListInfo":[]},"data":"second ignored"}"#,
        r#"{"code":null,"data":{"videoListInfo":[]}}"#,
        r#"{"code":"x","data":{"videoListInfo":[]}}"#,
        r#"{"code":200}"#,
        r#"{"code":200,"data":null}"#,
        r#"{"code":200,"data":"task-1"}"#,
        r#"{"code":200,"data":{"videoListInfo":[{"videoId":7}]}}"#,
        r#"{"code":500,"message":"boom","data":{"videoListInfo":[]}}"#,
        r#"{"code":200,"data":{"videoListInfo":[]}} trailing"#,
        r#"[200,"ok"]"#,
        r#"{"\u0063ode":200,"data":{"videoListInfo":[]}}"#,
        r#""just text""#,
        "",
        "not json",
    ];
    fn same<T: DeserializeOwned + fmt::Debug>(op: &'static OperationSpec) {
        for status in [200, 201, 404, 500] {
            for body in BODIES {
                let fast = interpret::<T>(op, raw(status, body));
                let careful = interpret_carefully::<T>(op, &raw(status, body));
                assert_eq!(
                    format!("{fast:?}"),
                    format!("{careful:?}"),
                    "{} {status} {body}",
                    op.name
                );
            }
        }
    }
    same::<Page>(OBJECT);
    same::<Page>(SINGLE);
    same::<serde_json::Value>(OBJECT);
    same::<String>(STRING);
    same::<()>(NONE);
    same::<Page>(BARE);
    same::<String>(BARE_STRING);
}

#[test]
fn a_broken_field_is_still_named_after_the_one_pass_read_fails() {
    let e = err::<Page>(
        OBJECT,
        200,
        r#"{"code":200,"data":{"videoListInfo":[{"videoId":"a"},{"videoId":7}]}}"#,
    );
    match e {
        Error::Decode { path, .. } => assert_eq!(path, "data.videoListInfo[1].videoId"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_leading_code_is_read_without_the_rest() {
    assert_eq!(
        leading_code(br#"{"code":200,"data":"#),
        Some(200),
        "stops before data"
    );
    assert_eq!(
        leading_code(br#"{"message":"ok","code":"200","data":{}}"#),
        Some(200)
    );
    assert_eq!(
        leading_code(br#"{"code":1000,"message":"Parameter error"}"#),
        Some(1000)
    );
    assert_eq!(
        leading_code(br#"{"data":{"code":200},"code":500}"#),
        None,
        "data first"
    );
    assert_eq!(leading_code(br#"{"id":"abc"}"#), None);
    assert_eq!(leading_code(b"[1,2]"), None);
    assert_eq!(leading_code(b"not json"), None);
    assert_eq!(leading_code(br#"{"code":null}"#), None);
}

#[test]
fn the_byte_level_code_agrees_with_the_parser() {
    let bodies: [&[u8]; 14] = [
        br#"{"code":200,"data":{}}"#,
        b" {\n \"code\" :\t200 ,\"data\":1}",
        br#"{"code":2101}"#,
        br#"{"code":0200,"data":1}"#,
        br#"{"code":-200,"data":1}"#,
        br#"{"code":200.5,"data":1}"#,
        br#"{"code":2e2,"data":1}"#,
        br#"{"code":"200","data":1}"#,
        br#"{"code":200"#,
        br#"{"code":1234567890123456789,"data":1}"#,
        br#"{"cod\u0065":200,"data":1}"#,
        br#"{"message":"ok","code":200}"#,
        br#"{"code""#,
        b"",
    ];
    for body in bodies {
        let fast = first_member_integer_code(body);
        if let Some(code) = fast {
            let head = Head::read(body).and_then(|h| h.code());
            let stopped = leading_code_by_parser(body);
            assert!(
                head == Some(code) || stopped == Some(code),
                "{:?}: bytes {fast:?}, parser {stopped:?}, head {head:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
    assert_eq!(
        first_member_integer_code(br#"{"code":200,"data":{}}"#),
        Some(200)
    );
    assert_eq!(
        first_member_integer_code(b" {\n \"code\" :\t200 ,\"data\":1}"),
        Some(200)
    );
    assert_eq!(first_member_integer_code(br#"{"code":200.5}"#), None);
    assert_eq!(first_member_integer_code(br#"{"code":"200"}"#), None);
    assert_eq!(first_member_integer_code(br#"{"code":200"#), None);
}

/// `leading_code` without its byte-level shortcut.
fn leading_code_by_parser(body: &[u8]) -> Option<i64> {
    let value: serde_json::Value = serde_json::Deserializer::from_slice(body)
        .into_iter()
        .next()?
        .ok()?;
    code_number(value.get("code")?)
}

#[test]
fn the_early_success_check_agrees_with_the_full_head() {
    let bodies: [&[u8]; 9] = [
        br#"{"code":200,"message":"ok","data":{"a":1}}"#,
        br#"{"code":200,"code":500}"#,
        br#"{"code":200,"data":"#,
        br#"{"message":"x","code":2101}"#,
        br#"{"data":{},"code":2101,"message":"busy"}"#,
        br#"{"code":"24112000","message":"bad"}"#,
        br#"{"code":200.0}"#,
        br#"{"id":"bare"}"#,
        b"",
    ];
    for body in bodies {
        for status in [200, 400, 503] {
            let raw = RawResponse {
                status,
                request_id: None,
                body: bytes::Bytes::copy_from_slice(body),
            };
            let early = failure(OBJECT, &raw).map(|e| e.to_string());
            // The full head, as `failure` read it before the early check.
            let head = Head::read(body);
            let code = head.as_ref().and_then(Head::code);
            let expected_failure =
                !(200..300).contains(&status) || code.is_some_and(|c| c != SUCCESS_CODE);
            assert_eq!(
                early.is_some(),
                expected_failure,
                "{status} {:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}

#[test]
fn keeping_only_the_data_skips_the_message_and_nothing_else() {
    let bodies = [
        r#"{"code":200,"message":"ok","data":{"videoId":"a"}}"#,
        r#"{"code":200,"message":{"text":"ok"},"data":{"videoId":"a"}}"#,
        r#"{"code":200,"message":"a","message":"b","data":{"videoId":"a"}}"#,
        r#"{"code":500,"message":"busy","data":{"videoId":"a"}}"#,
        r#"{"code":200,"message":"ok","data":{"videoId":7}}"#,
    ];
    for body in bodies {
        let data = interpret_keeping::<Video>(OBJECT, raw(200, body), Keep::Data);
        let full = interpret::<Video>(OBJECT, raw(200, body));
        match (data, full) {
            (Ok(data), Ok(full)) => {
                assert_eq!(data.data, full.data, "{body}");
                assert_eq!(data.message, None, "{body}");
                assert!(full.message.is_some(), "{body}");
            }
            (Err(data), Err(full)) => assert_eq!(data.to_string(), full.to_string(), "{body}"),
            (data, full) => panic!("{body}: {data:?} against {full:?}"),
        }
    }
}
