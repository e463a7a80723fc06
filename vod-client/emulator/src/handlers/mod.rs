//! One function per operation, grouped by resource, and the table that routes paths to them.
//!
//! Handlers are synchronous and pure over the state: they read [`Params`], take the state lock
//! for as short as they can, and return a [`Reply`] or an [`ApiError`]. Transport concerns
//! (body limits, authentication, faults, envelopes, request ids) live in
//! [`crate::server`], so a handler reads like the operation's documentation.

pub(crate) mod audio;
pub(crate) mod categories;
pub(crate) mod materials;
pub(crate) mod processing;
pub(crate) mod pull;
#[cfg(test)]
mod robustness_tests;
pub(crate) mod tokens;
pub(crate) mod videos;
pub(crate) mod wire;

use serde::Serialize;

use super::auth::Caller;
use super::errors::{ApiError, ParamStyle};
use super::params::Params;
use super::state::Shared;
use super::util::parse_time;

/// What a handler has to work with.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) caller: &'a Caller<'a>,
    pub(crate) params: &'a Params,
}

/// The `message` of successful answers (spelled out in the bodies below).
#[cfg(test)]
const SUCCESS_MESSAGE: &str = "Operation succeeded";

/// The start of every success envelope with `data`; a test checks it against the envelope
/// serde would write.
const DATA_HEAD: &[u8] = br#"{"code":200,"message":"Operation succeeded","data":"#;

/// A successful answer: the whole JSON body, already written. Handlers serialize while they
/// still hold the state lock, so answers can borrow from the records instead of copying them.
#[derive(Debug)]
pub(crate) struct Reply(pub(crate) Vec<u8>);

impl Reply {
    /// `{"code":200,"message":..,"data":<data>}`.
    pub(crate) fn data<T: Serialize + ?Sized>(data: &T) -> Reply {
        let mut body = Vec::with_capacity(512);
        body.extend_from_slice(DATA_HEAD);
        if serde_json::to_writer(&mut body, data).is_err() {
            // Cannot happen for the answer types (no maps with non-text keys); stay valid JSON.
            body.truncate(DATA_HEAD.len());
            body.extend_from_slice(b"null");
        }
        body.push(b'}');
        Reply(body)
    }

    /// `{"code":200,"message":..}` (no `data`).
    pub(crate) fn no_data() -> Reply {
        Reply(br#"{"code":200,"message":"Operation succeeded"}"#.to_vec())
    }

    /// The value itself, without envelope (startWorkflow).
    pub(crate) fn bare<T: Serialize + ?Sized>(value: &T) -> Reply {
        Reply(serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec()))
    }
}

pub(crate) type Handler = fn(&Ctx<'_>) -> Result<Reply, ApiError>;

/// One operation of the API.
pub(crate) struct OpDef {
    pub(crate) name: &'static str,
    pub(crate) path: &'static str,
    /// Only POST with a JSON body (materials, startWorkflow); others also take form bodies
    /// and GET with a query string.
    pub(crate) json_only: bool,
    pub(crate) style: ParamStyle,
    pub(crate) handler: Handler,
}

const fn op(name: &'static str, path: &'static str, style: ParamStyle, handler: Handler) -> OpDef {
    OpDef {
        name,
        path,
        json_only: false,
        style,
        handler,
    }
}

const fn json_op(
    name: &'static str,
    path: &'static str,
    style: ParamStyle,
    handler: Handler,
) -> OpDef {
    OpDef {
        name,
        path,
        json_only: true,
        style,
        handler,
    }
}

use ParamStyle::{Asset, Category, Generic};

/// Every operation, by path.
pub(crate) static OPERATIONS: &[OpDef] = &[
    op(
        "getUploadToken",
        "/vod/videoManage/getUploadToken",
        Generic,
        tokens::get_upload_token,
    ),
    op(
        "getAudioUploadToken",
        "/vod/audioManage/getAudioUploadToken",
        Asset,
        tokens::get_audio_upload_token,
    ),
    json_op(
        "getMaterialUploadToken",
        "/vod/material/getMaterialUploadToken",
        Asset,
        tokens::get_material_upload_token,
    ),
    op(
        "pullVideo",
        "/vod/videoManage/pullVideo",
        Generic,
        pull::pull_video,
    ),
    op(
        "pullVideoQuery",
        "/vod/videoManage/pullVideoQuery",
        Generic,
        pull::pull_video_query,
    ),
    op(
        "getVideoList",
        "/vod/videoManage/getVideoList",
        Generic,
        videos::get_video_list,
    ),
    op(
        "videoEdit",
        "/vod/videoManage/videoEdit",
        Generic,
        videos::video_edit,
    ),
    op(
        "videoBlock",
        "/vod/videoManage/videoBlock",
        Generic,
        videos::video_block,
    ),
    op(
        "videoEnable",
        "/vod/videoManage/videoEnable",
        Generic,
        videos::video_enable,
    ),
    op(
        "deleteVideo",
        "/vod/videoManage/deleteVideo",
        Generic,
        videos::delete_video,
    ),
    op(
        "getPublishCode",
        "/vod/videoManage/getPublishCode",
        Generic,
        videos::get_publish_code,
    ),
    op(
        "getAudioList",
        "/vod/audioManage/getAudioList",
        Asset,
        audio::get_audio_list,
    ),
    op(
        "editAudio",
        "/vod/audioManage/editAudio",
        Asset,
        audio::edit_audio,
    ),
    op(
        "deleteAudio",
        "/vod/audioManage/deleteAudio",
        Asset,
        audio::delete_audio,
    ),
    op(
        "getAudioPublishCode",
        "/vod/audioManage/getPublishCode",
        Asset,
        audio::get_audio_publish_code,
    ),
    json_op(
        "getMaterialList",
        "/vod/material/getMaterialList",
        Asset,
        materials::get_material_list,
    ),
    json_op(
        "materialEdit",
        "/vod/material/materialEdit",
        Asset,
        materials::material_edit,
    ),
    json_op(
        "deleteMaterial",
        "/vod/material/deleteMaterial",
        Asset,
        materials::delete_material,
    ),
    op(
        "getCategoryList",
        "/vod/videoCategory/getCategoryList",
        Category,
        categories::get_category_list,
    ),
    op(
        "createCategory",
        "/vod/videoCategory/createCategory",
        Category,
        categories::create_category,
    ),
    op(
        "deleteCategory",
        "/vod/videoCategory/deleteCategory",
        Category,
        categories::delete_category,
    ),
    op(
        "deleteVideoByCategory",
        "/vod/videoCategory/deleteVideoByCategory",
        Category,
        categories::delete_video_by_category,
    ),
    op(
        "videoClip",
        "/vod/videoManage/videoClip",
        Generic,
        processing::video_clip,
    ),
    op(
        "videoClipQuery",
        "/vod/videoManage/videoClipQuery",
        Generic,
        processing::video_clip_query,
    ),
    op(
        "videoConcat",
        "/vod/videoManage/videoConcat",
        Generic,
        processing::video_concat,
    ),
    op(
        "videoConcatQuery",
        "/vod/videoManage/videoConcatQuery",
        Generic,
        processing::video_concat_query,
    ),
    op(
        "transCode",
        "/vod/videoManage/transCode",
        Generic,
        processing::trans_code,
    ),
    op(
        "createClearAdTask",
        "/vod/ai/createClearAdTask",
        Generic,
        processing::create_clear_ad_task,
    ),
    op(
        "clearAdTaskQuery",
        "/vod/ai/clearAdTaskQuery",
        Generic,
        processing::clear_ad_task_query,
    ),
    json_op(
        "startWorkflow",
        "/workflow/startWorkflow",
        Generic,
        processing::start_workflow,
    ),
];

/// The operation served at `path`.
pub(crate) fn find(path: &str) -> Option<&'static OpDef> {
    OPERATIONS.iter().find(|op| op.path == path)
}

/// `pageIndex` (from 1, default 1) and `pageSize` (1..=max, default 10), with the service's
/// rule that `pageIndex * pageSize` may not exceed 100000. Returns (offset, size).
pub(crate) fn paging(p: &Params, max_size: i64) -> Result<(usize, usize), ApiError> {
    let index = p.int("pageIndex")?.unwrap_or(1);
    if index < 1 {
        return Err(p.error(format!(
            "parameter pageIndex must be at least 1, got {index}"
        )));
    }
    let size = p.int_range("pageSize", 1, max_size)?.unwrap_or(10);
    if index.saturating_mul(size) > 100_000 {
        return Err(p.error("pageIndex * pageSize must not exceed 100000"));
    }
    let offset =
        usize::try_from(index.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX);
    Ok((offset, usize::try_from(size).unwrap_or(10)))
}

/// One page of `items`, by reference.
pub(crate) fn page_of<T>(items: &[T], (offset, size): (usize, usize)) -> &[T] {
    let start = offset.min(items.len());
    let end = start.saturating_add(size).min(items.len());
    items.get(start..end).unwrap_or_default()
}

/// A `yyyy-MM-dd HH:mm:ss` parameter as Unix seconds.
pub(crate) fn time_param(p: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    match p.text(name)? {
        None => Ok(None),
        Some(text) => parse_time(&text).map(Some).ok_or_else(|| {
            p.error(format!(
                "parameter {name} must be formatted yyyy-MM-dd HH:mm:ss, got {text:?}"
            ))
        }),
    }
}

/// A creation-time window: `startTime` and `endTime`, start not after end.
pub(crate) fn time_window(p: &Params) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let start = time_param(p, "startTime")?;
    let end = time_param(p, "endTime")?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(p.error("startTime must not be later than endTime"));
        }
    }
    Ok((start, end))
}

/// A comma-separated list without empty items (`createUser`, `videoClassification`).
pub(crate) fn comma_list(p: &Params, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(text) = p.text(name)? else {
        return Ok(None);
    };
    let items: Vec<String> = text.split(',').map(|s| s.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(p.error(format!(
            "parameter {name} must not have empty items or stray commas"
        )));
    }
    Ok(Some(items))
}

/// True when `value` falls in the optional window.
pub(crate) fn in_window(value: i64, (start, end): (Option<i64>, Option<i64>)) -> bool {
    start.is_none_or(|s| value >= s) && end.is_none_or(|e| value <= e)
}

/// Case-insensitive substring match (the service's "fuzzy" name filters).
pub(crate) fn fuzzy(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// A category label: letters, digits, CJK, underscore and space, not starting with a space.
pub(crate) fn is_label_like(label: &str) -> bool {
    !label.starts_with(' ')
        && !label.is_empty()
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_the_documented_json() {
        let data: serde_json::Value =
            serde_json::from_slice(&Reply::data(&[1, 2]).0).unwrap_or_default();
        assert_eq!(
            data,
            serde_json::json!({ "code": vod_client::SUCCESS_CODE, "message": SUCCESS_MESSAGE, "data": [1, 2] })
        );
        let none: serde_json::Value =
            serde_json::from_slice(&Reply::no_data().0).unwrap_or_default();
        assert_eq!(
            none,
            serde_json::json!({ "code": vod_client::SUCCESS_CODE, "message": SUCCESS_MESSAGE })
        );
    }

    #[test]
    fn pages_never_index_out_of_range() {
        let items = [1, 2, 3];
        assert_eq!(page_of(&items, (1, 10)), &[2, 3]);
        assert_eq!(page_of(&items, (usize::MAX, usize::MAX)), &[] as &[i32]);
        assert_eq!(page_of(&items, (0, usize::MAX)), &[1, 2, 3]);
    }
}
