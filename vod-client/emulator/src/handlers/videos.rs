//! Video operations: list, edit, block, enable, delete, publish code.

use serde::Serialize;
use serde_json::Value;
use vod_client::model::ErrorCode;

use super::wire::{VideoInfo, VideoList};
use super::{
    comma_list, fuzzy, in_window, is_label_like, page_of, paging, time_window, Ctx, Reply,
};
use crate::errors::ApiError;
use crate::params::Params;
use crate::state::{CategoryPath, Inner, Video};
use crate::util::{b64_decode_any, is_domain_like, is_id_like};

/// The filters of `getVideoList`, read and checked before the state is locked.
struct VideoFilter {
    users: Option<Vec<String>>,
    window: (Option<i64>, Option<i64>),
    name: Option<String>,
    id: Option<String>,
    status: Option<i64>,
    transcode: Option<i64>,
    classes: Option<Vec<String>>,
}

impl VideoFilter {
    fn read(p: &Params) -> Result<Self, ApiError> {
        let classes = comma_list(p, "videoClassification")?;
        if let Some(bad) = classes.iter().flatten().find(|c| !is_label_like(c)) {
            return Err(p.error(format!(
                "videoClassification item {bad:?} has illegal characters"
            )));
        }
        Ok(VideoFilter {
            users: comma_list(p, "createUser")?,
            window: time_window(p)?,
            name: p.text("videoName")?,
            id: p.text("videoId")?,
            status: p.int("videoStatus")?,
            transcode: p.int("transcodeState")?,
            classes,
        })
    }

    fn matches(&self, v: &Video) -> bool {
        self.users
            .as_ref()
            .is_none_or(|u| u.contains(&v.create_user))
            && in_window(v.create_time, self.window)
            && self.name.as_ref().is_none_or(|n| fuzzy(&v.video_name, n))
            && self.id.as_ref().is_none_or(|id| *id == v.video_id)
            && self.status.is_none_or(|s| s == v.video_state)
            && self
                .transcode
                .is_none_or(|t| t == v.transcode_state.wire_value())
            && self
                .classes
                .as_ref()
                .is_none_or(|cs| v.categories.iter().any(|c| cs.contains(&c.child_name)))
    }
}

pub(crate) fn get_video_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let filter = VideoFilter::read(p)?;
    let oldest_first = p.int("listOrder")? == Some(1);
    let paging = paging(p)?;
    // Sort references and render only the requested page, under one short lock.
    let inner = ctx.shared.lock();
    let mut found: Vec<&Video> = inner
        .videos
        .values()
        .filter(|v| filter.matches(v))
        .collect();
    found.sort_by_key(|v| (v.create_time, v.seq));
    if !oldest_first {
        found.reverse();
    }
    let items: Vec<VideoInfo<'_>> = page_of(&found, paging)
        .iter()
        .map(|v| VideoInfo::listed(v))
        .collect();
    Ok(Reply::data(&VideoList {
        video_total: items.len(),
        video_list_info: items,
    }))
}

/// `videoId` with the block/enable/publish-code codes: 1503 empty, 1504 illegal.
fn strict_video_id(p: &Params) -> Result<String, ApiError> {
    let id = p
        .text("videoId")?
        .ok_or_else(|| ApiError::business(ErrorCode::VideoIdEmpty.code(), "videoId is empty"))?;
    if !is_id_like(&id) {
        return Err(ApiError::business(
            ErrorCode::VideoIdIllegal.code(),
            "videoId contains illegal characters",
        ));
    }
    Ok(id)
}

fn not_found(id: &str) -> ApiError {
    ApiError::business(
        ErrorCode::VideoNotFound.code(),
        format!("video {id} does not exist"),
    )
}

pub(crate) fn video_block(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    set_state(
        ctx,
        1,
        ErrorCode::VideoAlreadyBlocked.code(),
        "the video is already blocked",
    )
}

pub(crate) fn video_enable(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    set_state(
        ctx,
        0,
        ErrorCode::VideoAlreadyEnabled.code(),
        "the video is already enabled",
    )
}

fn set_state(
    ctx: &Ctx<'_>,
    state: i64,
    same_code: i64,
    same_message: &str,
) -> Result<Reply, ApiError> {
    let id = strict_video_id(ctx.params)?;
    let now = ctx.shared.clock.now_unix();
    let mut inner = ctx.shared.lock();
    let video = inner.videos.get_mut(&id).ok_or_else(|| not_found(&id))?;
    if video.video_state == state {
        return Err(ApiError::business(same_code, same_message));
    }
    video.video_state = state;
    video.update_time = now;
    Ok(Reply::data(""))
}

pub(crate) fn delete_video(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("videoId")?;
    let check_occupied = p.int("validateOccupy")?.unwrap_or(1) == 1;
    let only_source = p.int("onlyDeleteSource")? == Some(1);
    p.text("notifyUrl")?;
    let mut inner = ctx.shared.lock();
    let video = inner.videos.get(&id).ok_or_else(|| not_found(&id))?;
    if check_occupied && video.occupied {
        return Err(ApiError::business(
            ErrorCode::ResourceInUse.code(),
            "the video is in use and cannot be deleted",
        ));
    }
    if inner.tasks.busy_with(&id) {
        return Err(ApiError::business(
            ErrorCode::VideoOperationForbidden.code(),
            "the video is being processed; operations on it are forbidden",
        ));
    }
    if only_source {
        if let Some(v) = inner.videos.get_mut(&id) {
            v.resolutions.retain(|r| r.server_type != -1);
        }
    } else {
        inner.videos.remove(&id);
    }
    Ok(Reply::data(""))
}

pub(crate) fn video_edit(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("videoId")?;
    let name = p.text("videoName")?;
    if name.as_ref().is_some_and(|n| n.chars().count() > 40) {
        return Err(ApiError::business(
            ErrorCode::VideoNameTooLong.code(),
            "videoName is longer than 40 characters",
        ));
    }
    let description = p.text("videoDescription")?;
    let domain = p.text("publishDomain")?;
    if domain.as_ref().is_some_and(|d| !is_domain_like(d)) {
        return Err(p.error("publishDomain contains illegal characters"));
    }
    let player_id = p.text("playerId")?;
    let category_names = p.text("categoryNames")?;
    let classification = comma_list(p, "videoClassification")?;
    let now = ctx.shared.clock.now_unix();
    let mut inner = ctx.shared.lock();
    if !inner.videos.contains_key(&id) {
        return Err(p.error(format!("video {id} does not exist")));
    }
    if domain.as_ref().is_some_and(|d| !inner.domains.contains(d)) {
        return Err(p.error("publishDomain does not exist"));
    }
    let categories = match (category_names, classification) {
        (Some(text), _) => Some(categories_from_base64(&inner, p, &text)?),
        (None, Some(names)) => Some(categories_from_names(&inner, p, &names)?),
        (None, None) => None,
    };
    let Some(video) = inner.videos.get_mut(&id) else {
        return Err(p.error(format!("video {id} does not exist")));
    };
    if let Some(name) = name {
        video.video_name = name;
    }
    if let Some(description) = description {
        video.video_description = description;
    }
    if let Some(domain) = domain {
        video.publish_domain = domain;
    }
    if let Some(player_id) = player_id {
        video.player_name = format!("player-{player_id}");
        video.player_id = player_id;
    }
    if let Some(categories) = categories {
        video.categories = categories;
    }
    video.update_time = now;
    Ok(Reply::no_data())
}

/// `categoryNames`: URL-safe base64 of a JSON array of `{parentName, childName}`; each pair
/// must name an existing first-level node and one of its children.
pub(crate) fn categories_from_base64(
    inner: &Inner,
    p: &Params,
    text: &str,
) -> Result<Vec<CategoryPath>, ApiError> {
    let bytes = b64_decode_any(text).ok_or_else(|| p.error("categoryNames is not base64"))?;
    categories_from_json(inner, p, &bytes)
}

/// `categoryNames` as plain JSON array text (getUploadToken).
pub(crate) fn categories_from_json(
    inner: &Inner,
    p: &Params,
    bytes: &[u8],
) -> Result<Vec<CategoryPath>, ApiError> {
    let bad = || p.error("categoryNames must be a JSON array of {parentName, childName}");
    let list: Vec<Value> = serde_json::from_slice(bytes).map_err(|_| bad())?;
    let mut out = Vec::new();
    for item in list {
        let parent = item
            .get("parentName")
            .and_then(Value::as_str)
            .ok_or_else(bad)?;
        let child = item
            .get("childName")
            .and_then(Value::as_str)
            .ok_or_else(bad)?;
        let exists = inner.categories.values().any(|c| {
            c.label_name == child
                && c.parent_node_id
                    .and_then(|pid| inner.categories.get(&pid))
                    .is_some_and(|parent_node| parent_node.label_name == parent)
        });
        if !exists {
            return Err(p.error(format!("category {parent}/{child} does not exist")));
        }
        out.push(CategoryPath {
            parent_name: parent.to_string(),
            child_name: child.to_string(),
        });
    }
    Ok(out)
}

/// `videoClassification`: every sub-category with one of these names.
fn categories_from_names(
    inner: &Inner,
    p: &Params,
    names: &[String],
) -> Result<Vec<CategoryPath>, ApiError> {
    let mut out = Vec::new();
    for name in names {
        if !is_label_like(name) {
            return Err(p.error(format!(
                "videoClassification item {name:?} has illegal characters"
            )));
        }
        let before = out.len();
        for child in inner.categories.values().filter(|c| &c.label_name == name) {
            if let Some(parent) = child
                .parent_node_id
                .and_then(|pid| inner.categories.get(&pid))
            {
                out.push(CategoryPath {
                    parent_name: parent.label_name.clone(),
                    child_name: name.clone(),
                });
            }
        }
        if out.len() == before {
            return Err(p.error(format!("sub-category {name:?} does not exist")));
        }
    }
    Ok(out)
}

pub(crate) fn get_publish_code(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = strict_video_id(p)?;
    let code_type = p
        .int("codeType")
        .map_err(|e| ApiError::business(ErrorCode::InvalidCodeType.code(), e.message))?
        .unwrap_or(0);
    if ![0, 2, 4, 5, 6, 7, 8].contains(&code_type) {
        return Err(ApiError::business(
            ErrorCode::InvalidCodeType.code(),
            format!("invalid codeType {code_type}"),
        ));
    }
    let inner = ctx.shared.lock();
    let video = inner.videos.get(&id).ok_or_else(|| not_found(&id))?;
    Ok(Reply::data(&publish_code(
        video,
        code_type,
        &ctx.shared.video_domain,
    )))
}

/// The `data` of `getPublishCode`: the codes and URLs of one code type (all for 0).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublishCode<'a> {
    video_id: &'a str,
    encrypt: i64,
    auto_code: String,
    swf_code: String,
    custom_code: String,
    video_url: Vec<PlayUrls>,
    try_watch_auto_code: String,
    try_watch_video_url: Vec<PlayUrls>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlayUrls {
    url_type: &'static str,
    origin_url: String,
    fluent_url: String,
    sd_url: String,
    high_url: String,
    hd_pull_url: String,
}

fn publish_code<'a>(video: &'a Video, code_type: i64, default_domain: &str) -> PublishCode<'a> {
    let domain = if video.publish_domain.is_empty() {
        default_domain
    } else {
        &video.publish_domain
    };
    let base = format!("http://{domain}/{}", video.video_id);
    let urls = |prefix: &str| {
        vec![
            play_urls("PC", &base, prefix),
            play_urls("mobile", &base, prefix),
        ]
    };
    let auto_code = format!(
        "<script src=\"http://{domain}/player.js\" data-video=\"{}\"></script>",
        video.video_id
    );
    let swf_code = format!(
        "<embed src=\"http://{domain}/player.swf?vid={}\"/>",
        video.video_id
    );
    let pick = |types: &[i64]| code_type == 0 || types.contains(&code_type);
    let when = |on: bool, code: &String| if on { code.clone() } else { String::new() };
    PublishCode {
        video_id: &video.video_id,
        encrypt: video.encrypt,
        auto_code: when(pick(&[5]), &auto_code),
        swf_code: when(pick(&[2]), &swf_code),
        custom_code: when(code_type == 8, &auto_code),
        video_url: if pick(&[4]) { urls("") } else { Vec::new() },
        try_watch_auto_code: when(pick(&[7]), &auto_code),
        try_watch_video_url: if pick(&[6]) {
            urls("preview-")
        } else {
            Vec::new()
        },
    }
}

fn play_urls(url_type: &'static str, base: &str, prefix: &str) -> PlayUrls {
    let terminal = if url_type == "PC" { "pc" } else { "m" };
    let url = |tier: &str| format!("{base}/{prefix}{terminal}-{tier}.mp4");
    PlayUrls {
        url_type,
        origin_url: url("origin"),
        fluent_url: url("fluent"),
        sd_url: url("sd"),
        high_url: url("hd"),
        hd_pull_url: url("fhd"),
    }
}
