use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::*;
use crate::model::GetVideoListOutput;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Outer {
    #[serde(default, deserialize_with = "crate::de::lenient")]
    total: Option<i64>,
    items: Vec<Inner>,
    #[serde(rename = "the key", default)]
    spaced: Option<Inner>,
    #[serde(default)]
    nested: Option<Vec<Vec<u8>>>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Inner {
    id: String,
    #[serde(default, deserialize_with = "crate::de::lenient")]
    size: Option<u32>,
    #[serde(default)]
    flag: Option<bool>,
}

/// What `serde_path_to_error` says, and what the scan of the position says. For a body that
/// is not JSON (syntax error, cut short) the two differ at the very end (tracking says `?` for
/// a member it was about to read, or nothing for a list element it was about to read; the scan
/// names the last member read or the next element), so there the scan must extend the
/// tracked path, and only that is compared.
fn both<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> (String, String) {
    let mut json = serde_json::Deserializer::from_str(body);
    // Trailing text fails after the value, outside any path: `.`, as tracking leaves it.
    let (tracked_path, tracked) = match serde_path_to_error::deserialize::<_, T>(&mut json) {
        Ok(_) => (".".to_string(), json.end().expect_err(body)),
        Err(e) => (e.path().to_string(), e.into_inner()),
    };
    let plain = {
        let mut json = serde_json::Deserializer::from_str(body);
        T::deserialize(&mut json)
            .and_then(|v| json.end().map(|()| v))
            .expect_err(body)
    };
    assert_eq!(plain.to_string(), tracked.to_string(), "{body}");
    let scanned = error_path(body.as_bytes(), &plain);
    if !plain.is_data() {
        let known = tracked_path.trim_end_matches(".?");
        if known == "." || scanned.starts_with(known) {
            return (scanned.clone(), scanned);
        }
    }
    (tracked_path, scanned)
}

#[test]
fn paths_from_positions_agree_with_tracking() {
    let bodies = [
        r#"{"total": "x", "items": []}"#,
        r#"{"total": 1, "items": [{"id": "a"}, {"id": 7}]}"#,
        r#"{"items": [{"id": "a", "size": "big"}]}"#,
        r#"{"items": [{"id": "a", "size": -1}]}"#,
        r#"{"items": [{"id": "a"}, {"size": 1}]}"#,
        r#"{"items": [{"id": "a", "flag": "maybe"}]}"#,
        r#"{"items": {"id": "a"}}"#,
        r#"{"items": [{"id": {"no": 1}}]}"#,
        r#"{"total": [1], "items": []}"#,
        r#"{"total": {"a": 1}, "items": []}"#,
        r#"{"total": [], "items": []}"#,
        r#"{"items": [{"id": "a", "size": ["1"]}]}"#,
        r#"{"items": [{"id": "a", "size": {"n": 1}}]}"#,
        r#"{"items": [], "nested": [[1, 2], [[3]]]}"#,
        r#"{"items": [], "nested": [{"a": 1}]}"#,
        r#"{"items": [[1]]}"#,
        r#"{"total": 1}"#,
        r#"{"items": [], "the key": {"id": 1}}"#,
        r#"{"items": [], "the key": {"id": "a\"b", "size": true}}"#,
        r#"{"ite\u006ds": [{"id": "x", "size": "q"}]}"#,
        r#"{"items": [], "nested": [[1, 2], [3, 300]]}"#,
        r#"{"items": [], "nested": [[1, 2], "x"]}"#,
        "{\n  \"items\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"size\": \"z\"}\n  ]\n}",
        r#"{"items": [{"id": "a", "id": "b"}]}"#,
        r#"{"items": [{"id": "a"}]} trailing"#,
        r#"{"items": [{"id": "a""#,
        r#"{"items": [{"id": "a"},"#,
        r#"{"items": [{"id": "a"}], "total": "#,
        r#"[1, 2]"#,
        r#""text""#,
        r#"{"items": [{"id": "a", "size": 1e40}]}"#,
    ];
    for body in bodies {
        let (tracked, scanned) = both::<Outer>(body);
        assert_eq!(scanned, tracked, "body: {body}");
    }
}

#[test]
fn paths_agree_for_a_generated_output() {
    let bodies = [
        r#"{"videoTotal": "many", "videoListInfo": []}"#,
        r#"{"videoTotal": 2, "videoListInfo": [{"videoId": "a"}, {"videoId": ["x"]}]}"#,
        r#"{"videoTotal": 2, "videoListInfo": [{}]}"#,
        r#"{"videoTotal": 3, "videoListInfo": [{"videoId": "a"}, {"videoId": ["x"]}]}"#,
        r#"{"videoTotal": [3], "videoListInfo": []}"#,
        r#"{"videoTotal": 2, "videoListInfo": null, "videoListInfo": []}"#,
    ];
    for body in bodies {
        let (tracked, scanned) = both::<GetVideoListOutput>(body);
        assert_eq!(scanned, tracked, "body: {body}");
    }
}

#[test]
fn offsets_count_lines_and_bytes() {
    let body = b"{\n\"a\":\n  1}";
    assert_eq!(error_offset(body, 1, 0), 0);
    assert_eq!(error_offset(body, 2, 3), 5);
    assert_eq!(error_offset(body, 3, 3), 10);
    assert_eq!(error_offset(body, 9, 0), body.len());
}

#[test]
fn a_key_counts_from_its_colon() {
    let body = br#"{"a": {"b": 1, "c"#;
    assert_eq!(path_at(body, 5), "a");
    assert_eq!(path_at(body, 11), "a.b");
    assert_eq!(path_at(body, 14), "a");
    assert_eq!(path_at(body, body.len()), "a");
    assert_eq!(path_at(b"[0, [1, 2]]", 8), "[1][1]");
    assert_eq!(path_at(b"", 0), ".");
}
