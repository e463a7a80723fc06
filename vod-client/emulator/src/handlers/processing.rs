//! Media processing: clip, concat, transcode, AI ad removal and workflows, plus the queries
//! that report their tasks. Tasks finish after the emulator's task duration (see
//! [`crate::tasks`]).

use std::collections::HashSet;
use vod_client::model::ErrorCode;

use serde::Serialize;

use super::wire::VideoInfo;
use super::{Ctx, Reply};
use crate::errors::ApiError;
use crate::params::Params;
use crate::state::Inner;
use crate::tasks::{Phase, Task, TaskKind};
use crate::util::is_id_like;

/// Starts a task in the locked state with the emulator's current timing.
fn start(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: String,
    trans_no: Option<String>,
    kind: TaskKind,
) -> String {
    let run_for = ctx.shared.task_duration();
    let now_ms = ctx.shared.clock.now_millis();
    inner.start_task(
        id,
        trans_no,
        kind,
        run_for,
        ctx.caller.user.to_string(),
        now_ms,
    )
}

/// A `transNo` (required, at most 32 characters).
fn trans_no(p: &Params, code: Option<i64>) -> Result<String, ApiError> {
    let err = |m: &str| match code {
        Some(c) => ApiError::business(c, m),
        None => p.error(m),
    };
    let value = p
        .text("transNo")?
        .ok_or_else(|| err("missing required parameter transNo"))?;
    if value.chars().count() > 32 {
        return Err(err("transNo must be at most 32 characters"));
    }
    Ok(value)
}

fn suffix(p: &Params, allowed: &[&str]) -> Result<String, ApiError> {
    Ok(p.text_enum("suffix", allowed)?
        .unwrap_or_else(|| "flv".to_string()))
}

pub(crate) fn video_clip(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let trans_no = trans_no(p, None)?;
    let video_id = p.required_text("videoId")?;
    let seek = p.required_int("seekStart")?;
    let duration = p.required_int("duration")?;
    if seek < 0 || duration <= 0 {
        return Err(p.error("seekStart must be >= 0 and duration > 0"));
    }
    let filename = p.required_text("filename")?;
    if filename.chars().count() > 40 {
        return Err(ApiError::business(
            ErrorCode::VideoNameTooLong.code(),
            "filename is longer than 40 characters",
        ));
    }
    check_clip_output(p)?;
    p.text("notifyUrl")?;
    let id = ctx.shared.ids.hex32();
    let mut inner = ctx.shared.lock();
    if inner.tasks.trans_no_used("videoClip", &trans_no) {
        return Err(p.error(format!("transNo {trans_no} is already used")));
    }
    let source = inner.videos.get(&video_id).ok_or_else(|| {
        ApiError::business(
            ErrorCode::VideoNotFound.code(),
            format!("video {video_id} does not exist"),
        )
    })?;
    let available = i64::try_from(source.video_duration).unwrap_or(i64::MAX);
    if available > 0 && seek.saturating_add(duration) > available {
        return Err(p.error("seekStart + duration exceeds the video duration"));
    }
    let kind = TaskKind::Clip {
        source: video_id,
        filename,
        duration: u64::try_from(duration).unwrap_or(0),
    };
    let task_id = start(ctx, &mut inner, id, Some(trans_no), kind);
    Ok(Reply::data(&task_id))
}

/// Output parameters of a clip: resolution, and the sampling rate of flv output (1562; the
/// spec's doc of `tassamplingRatekId`: flv allows 44100, 22050 and 11025 only).
fn check_clip_output(p: &Params) -> Result<(), ApiError> {
    let suffix = suffix(p, &["flv", "mp4"])?;
    if let Some(res) = p.text("resolution")? {
        let ok = res.split_once('x').is_some_and(|(w, h)| {
            w.parse::<u32>().is_ok_and(|w| w > 0) && h.parse::<u32>().is_ok_and(|h| h > 0)
        });
        if !ok {
            return Err(p.error(format!("resolution must be WIDTHxHEIGHT, got {res:?}")));
        }
    }
    let coded = |name: &str, code: i64, ok: &dyn Fn(i64) -> bool| -> Result<(), ApiError> {
        match p
            .int(name)
            .map_err(|e| ApiError::business(code, e.message))?
        {
            Some(v) if !ok(v) => Err(ApiError::business(code, format!("invalid {name} {v}"))),
            _ => Ok(()),
        }
    };
    // Frame rate and bitrates have the spec's rules (positive, codes 1561 and 1563), checked
    // before this runs. What the spec cannot state is a rule across fields: flv output takes
    // only the sampling rates its doc lists (1562).
    if suffix != "flv" {
        return Ok(());
    }
    let rates: &[i64] = &[11_025, 22_050, 44_100];
    coded(
        "tassamplingRatekId",
        ErrorCode::InvalidSamplingRate.code(),
        &|v| rates.contains(&v),
    )?;
    coded(
        "samplingRate",
        ErrorCode::InvalidSamplingRate.code(),
        &|v| rates.contains(&v),
    )
}

pub(crate) fn video_clip_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    task_query(ctx, "videoClip")
}

pub(crate) fn video_concat_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    task_query(ctx, "videoConcat")
}

/// Clip and concat queries: status 1 running, 2 success, 3 failed; `videoInfo` once done.
fn task_query(ctx: &Ctx<'_>, operation: &'static str) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let trans_no = trans_no(p, None)?;
    let inner = ctx.shared.lock();
    let task = inner
        .tasks
        .by_trans_no(operation, &trans_no)
        .ok_or_else(|| p.error(format!("no {operation} task with transNo {trans_no}")))?;
    let status = match task.phase(std::time::Instant::now()) {
        Phase::Queued | Phase::Running => 1,
        Phase::Succeeded => 2,
        Phase::Failed => 3,
    };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct TaskReport<'a> {
        task_id: &'a str,
        trans_no: &'a str,
        status: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        video_info: Option<VideoInfo<'a>>,
    }
    let video = task.output.as_ref().and_then(|id| inner.videos.get(id));
    Ok(Reply::data(&TaskReport {
        task_id: &task.id,
        trans_no: &trans_no,
        status,
        video_info: video.map(VideoInfo::of_task),
    }))
}

/// Checks a comma-separated id list with the operation's own codes:
/// (empty, illegal characters, bad format).
fn id_list(
    p: &Params,
    name: &str,
    (empty, illegal, format): (i64, i64, i64),
) -> Result<Vec<String>, ApiError> {
    let text = p
        .text(name)
        .map_err(|e| ApiError::business(illegal, e.message))?
        .ok_or_else(|| ApiError::business(empty, format!("{name} is empty")))?;
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.iter().all(|i| i.is_empty()) {
        return Err(ApiError::business(
            format,
            format!("{name} holds only commas"),
        ));
    }
    if let Some(bad) = items.iter().find(|i| !i.is_empty() && !is_id_like(i)) {
        return Err(ApiError::business(
            illegal,
            format!("{name} item {bad:?} has illegal characters"),
        ));
    }
    if items.iter().any(|i| i.is_empty()) {
        return Err(ApiError::business(
            format,
            format!("{name} must be ids separated by single commas"),
        ));
    }
    Ok(items.into_iter().map(str::to_string).collect())
}

pub(crate) fn video_concat(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let trans_no = trans_no(p, Some(ErrorCode::InvalidTransNo.code()))?;
    let ids = id_list(
        p,
        "videoIds",
        (
            ErrorCode::ConcatVideoIdsEmpty.code(),
            ErrorCode::ConcatVideoIdsIllegal.code(),
            ErrorCode::ConcatVideoIdsMalformed.code(),
        ),
    )?;
    if ids.len() > 50 {
        return Err(ApiError::business(
            ErrorCode::ConcatTooManyVideos.code(),
            "videoIds holds more than 50 videos",
        ));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(ApiError::business(
            ErrorCode::ConcatDuplicateVideoIds.code(),
            "videoIds holds duplicate ids",
        ));
    }
    let filename = p.required_text("filename")?;
    if filename.chars().count() > 40 {
        return Err(ApiError::business(
            ErrorCode::VideoNameTooLong.code(),
            "filename is longer than 40 characters",
        ));
    }
    suffix(p, &["flv", "mp4", "m3u8"])?;
    p.text("dirId")?;
    p.text("notifyUrl")?;
    let id = ctx.shared.ids.hex32();
    let mut inner = ctx.shared.lock();
    if inner.tasks.trans_no_used("videoConcat", &trans_no) {
        return Err(ApiError::business(
            ErrorCode::InvalidTransNo.code(),
            format!("transNo {trans_no} is already used"),
        ));
    }
    if let Some(missing) = ids.iter().find(|i| !inner.videos.contains_key(*i)) {
        return Err(ApiError::business(
            ErrorCode::ConcatVideosUnavailable.code(),
            format!("video {missing} does not exist"),
        ));
    }
    if ids
        .iter()
        .filter_map(|i| inner.videos.get(i))
        .any(|v| v.video_state == 1)
    {
        return Err(ApiError::business(
            1558,
            "a blocked video cannot be concatenated",
        ));
    }
    let kind = TaskKind::Concat {
        sources: ids,
        filename,
    };
    let task_id = start(ctx, &mut inner, id, Some(trans_no), kind);
    Ok(Reply::data(&task_id))
}

pub(crate) fn trans_code(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let ids = id_list(
        p,
        "videoIds",
        (
            ErrorCode::TranscodeVideoIdsEmpty.code(),
            ErrorCode::TranscodeVideoIdsIllegal.code(),
            ErrorCode::TranscodeVideoIdsOnlyCommas.code(),
        ),
    )?;
    if p.text("waterMarkTemplateName")?
        .is_some_and(|n| n.chars().count() > 64)
    {
        return Err(ApiError::business(
            ErrorCode::WatermarkNameTooLong.code(),
            "waterMarkTemplateName is too long",
        ));
    }
    if p.text("transCodeTemplateName")?
        .is_some_and(|n| n.chars().count() > 64)
    {
        return Err(ApiError::business(
            ErrorCode::TranscodeTemplateNameTooLong.code(),
            "transCodeTemplateName is too long",
        ));
    }
    for name in [
        "watermarkTemplateId",
        "transCodeTemplateId",
        "subtitleId",
        "subtitle",
    ] {
        p.text(name)?;
    }
    let mut inner = ctx.shared.lock();
    if let Some(missing) = ids.iter().find(|i| !inner.videos.contains_key(*i)) {
        return Err(ApiError::business(
            ErrorCode::TranscodeVideosUnavailable.code(),
            format!("video {missing} does not exist"),
        ));
    }
    if let Some(busy) = ids.iter().find(|i| inner.tasks.busy_with(i)) {
        return Err(p.error(format!(
            "video {busy} is being transcoded; wait until it finishes"
        )));
    }
    for video_id in ids {
        let id = ctx.shared.ids.hex32();
        start(ctx, &mut inner, id, None, TaskKind::Transcode { video_id });
    }
    Ok(Reply::data(""))
}

/// The `data` of `createClearAdTask` (the id) and `clearAdTaskQuery` (also status, output).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClearAdTask<'a> {
    task_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a str>,
}

pub(crate) fn create_clear_ad_task(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let video_id = p.required_text("videoId")?;
    let flags = [
        p.bool("clearVideoAd")?,
        p.bool("clearWatermarkAd")?,
        p.bool("clearTextAd")?,
    ];
    if !flags.contains(&Some(true)) {
        return Err(
            p.error("at least one of clearVideoAd, clearWatermarkAd, clearTextAd must be true")
        );
    }
    p.text_enum("videoAdTypes", &["0", "0,1,2"])?;
    for name in ["videoAdLevel", "watermarkAdType", "textAdType"] {
        p.int(name)?;
    }
    let notify = p.required_text("notifyUrl")?;
    if !(notify.starts_with("http://") || notify.starts_with("https://"))
        || notify.chars().count() > 255
    {
        return Err(
            p.error("notifyUrl must start with http:// or https:// and be at most 255 characters")
        );
    }
    let id = ctx.shared.ids.uuid();
    let mut inner = ctx.shared.lock();
    if !inner.videos.contains_key(&video_id) {
        return Err(p.error(format!("video {video_id} does not exist")));
    }
    let task_id = start(ctx, &mut inner, id, None, TaskKind::ClearAd { video_id });
    Ok(Reply::data(&ClearAdTask {
        task_id: &task_id,
        status: None,
        output: None,
    }))
}

pub(crate) fn clear_ad_task_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let task_id = p.required_text("taskId")?;
    let inner = ctx.shared.lock();
    let task: &Task = inner
        .tasks
        .get(&task_id)
        .filter(|t| matches!(t.kind, TaskKind::ClearAd { .. }))
        .ok_or_else(|| p.error(format!("task {task_id} does not exist")))?;
    let status = match task.phase(std::time::Instant::now()) {
        Phase::Queued => 0,
        Phase::Running => 1,
        Phase::Succeeded => 2,
        Phase::Failed => 3,
    };
    Ok(Reply::data(&ClearAdTask {
        task_id: &task_id,
        status: Some(status),
        output: Some(task.output.as_deref().unwrap_or_default()),
    }))
}

pub(crate) fn start_workflow(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let parameter_error =
        || ApiError::business(ErrorCode::InvalidParameter.code(), "Parameter error");
    let target = p.text("targetId")?.ok_or_else(parameter_error)?;
    let trans_no = p.text("transNo")?.ok_or_else(parameter_error)?;
    p.text("workflowId")?.ok_or_else(parameter_error)?;
    let id = ctx.shared.ids.hex32();
    let mut inner = ctx.shared.lock();
    if !inner.used_workflow_trans_nos.insert(trans_no.clone()) {
        return Err(ApiError::business(
            ErrorCode::TransNoAlreadyUsed.code(),
            format!("transNo {trans_no} is already used"),
        ));
    }
    if !inner.videos.contains_key(&target) {
        inner.used_workflow_trans_nos.remove(&trans_no);
        return Err(ApiError::business(
            ErrorCode::OperationFailed.code(),
            format!("video {target} does not exist"),
        ));
    }
    let run_id = start(
        ctx,
        &mut inner,
        id,
        Some(trans_no),
        TaskKind::Workflow { target },
    );
    #[derive(Serialize)]
    struct Run<'a> {
        id: &'a str,
    }
    Ok(Reply::bare(&Run { id: &run_id }))
}
