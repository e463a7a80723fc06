//! Video operations: list, edit, block, enable, delete, publish code.

use vod_client::model::{
    CategoryName, DeleteScope, DeleteVideoRequest, ErrorCode, GetPublishCodeOutput,
    GetPublishCodeRequest, GetVideoListOutput, GetVideoListRequest, ListOrder, OccupancyCheck,
    PlayUrl, PublishCodeType, ServerType, TranscodeState, VideoBlockRequest, VideoEditRequest,
    VideoEnableRequest, VideoId, VideoState,
};

use super::outputs::video_info;
use super::{fuzzy, given, in_window, is_label_like, page_of, paging, time_window, Ctx, Window};
use crate::errors::ApiError;
use crate::state::{CategoryPath, Inner, Video};
use crate::util::{is_domain_like, is_id_like};

/// The filters of `getVideoList`, read and checked before the state is locked.
struct VideoFilter<'a> {
    users: Option<&'a [String]>,
    window: Window,
    name: Option<&'a str>,
    id: Option<&'a VideoId>,
    status: Option<&'a VideoState>,
    transcode: Option<&'a TranscodeState>,
    classes: Option<&'a [String]>,
}

impl<'a> VideoFilter<'a> {
    fn read(ctx: &Ctx<'_>, r: &'a GetVideoListRequest) -> Result<Self, ApiError> {
        let classes = r.video_classification.as_deref();
        if let Some(bad) = classes.into_iter().flatten().find(|c| !is_label_like(c)) {
            return Err(ctx.error(format!("category name {bad:?} has illegal characters")));
        }
        let later = || ctx.error("the start time must not be later than the end time");
        Ok(VideoFilter {
            users: r.create_user.as_deref(),
            window: time_window(ctx, r.start_time.as_ref(), r.end_time.as_ref(), later)?,
            name: given(r.video_name.as_ref()),
            id: r.video_id.as_ref(),
            status: r.video_status.as_ref(),
            transcode: r.transcode_state.as_ref(),
            classes,
        })
    }

    fn matches(&self, v: &Video) -> bool {
        self.users.is_none_or(|u| u.contains(&v.create_user))
            && in_window(&v.create_time, self.window)
            && self.name.is_none_or(|n| fuzzy(&v.video_name, n))
            && self.id.is_none_or(|id| *id == v.video_id)
            && self.status.is_none_or(|s| *s == v.video_state)
            && self.transcode.is_none_or(|t| *t == v.transcode_state)
            && self
                .classes
                .is_none_or(|cs| v.categories.iter().any(|c| cs.contains(&c.child_name)))
    }
}

pub(crate) fn get_video_list(
    ctx: &Ctx<'_>,
    request: GetVideoListRequest,
) -> Result<GetVideoListOutput, ApiError> {
    let filter = VideoFilter::read(ctx, &request)?;
    let oldest_first = request.list_order == Some(ListOrder::OldestFirst);
    let paging = paging(ctx, &request)?;
    // Sort references and copy out only the requested page, under one short lock.
    let inner = ctx.shared.lock();
    let mut found: Vec<&Video> = inner
        .videos
        .values()
        .filter(|v| filter.matches(v))
        .collect();
    found.sort_by_key(|v| (v.create_time.timestamp(), v.seq));
    if !oldest_first {
        found.reverse();
    }
    let items: Vec<_> = page_of(&found, paging)
        .iter()
        .map(|v| video_info(v))
        .collect();
    Ok(GetVideoListOutput::new(
        i32::try_from(items.len()).unwrap_or(i32::MAX),
        items,
    ))
}

/// The block/enable/publish-code id rule: ids are made of letters, digits, `-` and `_`
/// (1504 otherwise; the spec's code for an empty id comes first).
fn strict_video_id(id: &VideoId) -> Result<&str, ApiError> {
    if !is_id_like(id.as_str()) {
        return Err(ApiError::spec(
            ErrorCode::VideoIdIllegal,
            "the video id contains illegal characters",
        ));
    }
    Ok(id.as_str())
}

fn not_found(id: &str) -> ApiError {
    ApiError::spec(
        ErrorCode::VideoNotFound,
        format!("video {id} does not exist"),
    )
}

pub(crate) fn video_block(ctx: &Ctx<'_>, request: VideoBlockRequest) -> Result<String, ApiError> {
    set_state(
        ctx,
        &request.video_id,
        VideoState::Blocked,
        ApiError::spec(
            ErrorCode::VideoAlreadyBlocked,
            "the video is already blocked",
        ),
    )
}

pub(crate) fn video_enable(ctx: &Ctx<'_>, request: VideoEnableRequest) -> Result<String, ApiError> {
    set_state(
        ctx,
        &request.video_id,
        VideoState::Enabled,
        ApiError::spec(
            ErrorCode::VideoAlreadyEnabled,
            "the video is already enabled",
        ),
    )
}

fn set_state(
    ctx: &Ctx<'_>,
    id: &VideoId,
    state: VideoState,
    already: ApiError,
) -> Result<String, ApiError> {
    let id = strict_video_id(id)?;
    let now = ctx.shared.clock.now();
    let mut inner = ctx.shared.lock();
    let video = inner.videos.get_mut(id).ok_or_else(|| not_found(id))?;
    if video.video_state == state {
        return Err(already);
    }
    video.video_state = state;
    video.update_time = now;
    Ok(String::new())
}

pub(crate) fn delete_video(ctx: &Ctx<'_>, request: DeleteVideoRequest) -> Result<(), ApiError> {
    let id = &request.video_id;
    let check_occupied = request.validate_occupy != Some(OccupancyCheck::Skip);
    let only_source = request.only_delete_source == Some(DeleteScope::SourceOnly);
    let mut inner = ctx.shared.lock();
    let video = inner.videos.get(id).ok_or_else(|| not_found(id.as_str()))?;
    if check_occupied && video.occupied {
        return Err(ApiError::spec(
            ErrorCode::ResourceInUse,
            "the video is in use and cannot be deleted",
        ));
    }
    if inner.tasks.busy_with(id) {
        return Err(ApiError::spec(
            ErrorCode::VideoOperationForbidden,
            "the video is being processed; operations on it are forbidden",
        ));
    }
    if only_source {
        if let Some(v) = inner.videos.get_mut(id) {
            v.resolutions
                .retain(|r| r.server_type != ServerType::Source);
        }
    } else {
        inner.videos.remove(id);
    }
    Ok(())
}

pub(crate) fn video_edit(ctx: &Ctx<'_>, request: VideoEditRequest) -> Result<(), ApiError> {
    let id = request.video_id.as_str();
    let name = given(request.video_name.as_ref());
    let description = given(request.video_description.as_ref());
    let domain = given(request.publish_domain.as_ref());
    if domain.is_some_and(|d| !is_domain_like(d)) {
        return Err(ctx.error("the publishing domain contains illegal characters"));
    }
    let player_id = given(request.player_id.as_ref());
    let now = ctx.shared.clock.now();
    let mut inner = ctx.shared.lock();
    if !inner.videos.contains_key(id) {
        return Err(ctx.error(format!("video {id} does not exist")));
    }
    if domain.is_some_and(|d| !inner.domains.contains(d)) {
        return Err(ctx.error("the publishing domain does not exist"));
    }
    let categories = match (&request.category_names, &request.video_classification) {
        (Some(pairs), _) => Some(categories_from_pairs(ctx, &inner, pairs)?),
        (None, Some(names)) => Some(categories_from_names(ctx, &inner, names)?),
        (None, None) => None,
    };
    let Some(video) = inner.videos.get_mut(id) else {
        return Err(ctx.error(format!("video {id} does not exist")));
    };
    if let Some(name) = name {
        video.video_name = name.to_string();
    }
    if let Some(description) = description {
        video.video_description = description.to_string();
    }
    if let Some(domain) = domain {
        video.publish_domain = domain.to_string();
    }
    if let Some(player_id) = player_id {
        video.player_name = format!("player-{player_id}");
        video.player_id = player_id.to_string();
    }
    if let Some(categories) = categories {
        video.categories = categories;
    }
    video.update_time = now;
    Ok(())
}

/// Category assignments given as `{parentName, childName}` pairs: each must name an
/// existing first-level node and one of its children.
pub(crate) fn categories_from_pairs(
    ctx: &Ctx<'_>,
    inner: &Inner,
    pairs: &[CategoryName],
) -> Result<Vec<CategoryPath>, ApiError> {
    let mut out = Vec::new();
    for pair in pairs {
        let (parent, child) = (pair.parent_name.as_str(), given(pair.child_name.as_ref()));
        let Some(child) = child else {
            return Err(ctx.error(format!("category {parent} names no child")));
        };
        let exists = inner.categories.values().any(|c| {
            c.label_name == child
                && c.parent_node_id
                    .and_then(|pid| inner.categories.get(&pid))
                    .is_some_and(|parent_node| parent_node.label_name == parent)
        });
        if !exists {
            return Err(ctx.error(format!("category {parent}/{child} does not exist")));
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
    ctx: &Ctx<'_>,
    inner: &Inner,
    names: &[String],
) -> Result<Vec<CategoryPath>, ApiError> {
    let mut out = Vec::new();
    for name in names {
        if !is_label_like(name) {
            return Err(ctx.error(format!("category name {name:?} has illegal characters")));
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
            return Err(ctx.error(format!("sub-category {name:?} does not exist")));
        }
    }
    Ok(out)
}

pub(crate) fn get_publish_code(
    ctx: &Ctx<'_>,
    request: GetPublishCodeRequest,
) -> Result<GetPublishCodeOutput, ApiError> {
    let id = strict_video_id(&request.video_id)?;
    let code_type = request.code_type.unwrap_or(PublishCodeType::All);
    let inner = ctx.shared.lock();
    let video = inner.videos.get(id).ok_or_else(|| not_found(id))?;
    Ok(publish_code(video, &code_type, &ctx.shared.video_domain))
}

/// The codes and URLs of one code type (all of them for `All`).
fn publish_code(
    video: &Video,
    code_type: &PublishCodeType,
    default_domain: &str,
) -> GetPublishCodeOutput {
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
    let pick = |one: PublishCodeType| *code_type == PublishCodeType::All || *code_type == one;
    let when = |on: bool, code: &String| if on { code.clone() } else { String::new() };
    GetPublishCodeOutput::new(video.video_id.as_str())
        .with_encrypt(video.encrypt.clone())
        .with_auto_code(when(pick(PublishCodeType::Adaptive), &auto_code))
        .with_swf_code(when(pick(PublishCodeType::Swf), &swf_code))
        .with_custom_code(when(
            *code_type == PublishCodeType::EncryptedCustom,
            &auto_code,
        ))
        .with_video_url(if pick(PublishCodeType::VideoUrls) {
            urls("")
        } else {
            Vec::new()
        })
        .with_try_watch_auto_code(when(pick(PublishCodeType::PreviewAdaptive), &auto_code))
        .with_try_watch_video_url(if pick(PublishCodeType::PreviewUrls) {
            urls("preview-")
        } else {
            Vec::new()
        })
}

fn play_urls(url_type: &str, base: &str, prefix: &str) -> PlayUrl {
    let terminal = if url_type == "PC" { "pc" } else { "m" };
    let url = |tier: &str| format!("{base}/{prefix}{terminal}-{tier}.mp4");
    PlayUrl::new(url_type)
        .with_origin_url(url("origin"))
        .with_fluent_url(url("fluent"))
        .with_sd_url(url("sd"))
        .with_high_url(url("hd"))
        .with_hd_pull_url(url("fhd"))
}
