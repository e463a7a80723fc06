//! Media processing: clip, concat, transcode, AI ad removal and workflows, plus the queries
//! that report their tasks. Tasks finish after the emulator's task duration (see
//! [`crate::tasks`]).

use std::collections::HashSet;

use vod_client::model::{
    AdRemovalStatus, ClearAdTaskQueryOutput, ClearAdTaskQueryRequest, ClipContainer,
    CreateClearAdTaskOutput, CreateClearAdTaskRequest, ErrorCode, StartWorkflowOutput,
    StartWorkflowRequest, TaskStatus, TaskVideoInfo, TransCodeRequest, VideoClipQueryOutput,
    VideoClipQueryRequest, VideoClipRequest, VideoConcatQueryOutput, VideoConcatQueryRequest,
    VideoConcatRequest, VideoId,
};
use vod_client::operation::Request;

use super::outputs::task_video_info;
use super::{start_task, Ctx};
use crate::errors::ApiError;
use crate::tasks::{Phase, Task, TaskKind};
use crate::util::is_id_like;

pub(crate) fn video_clip(ctx: &Ctx<'_>, request: VideoClipRequest) -> Result<String, ApiError> {
    let VideoClipRequest {
        trans_no,
        video_id,
        seek_start,
        duration,
        filename,
        ..
    } = &request;
    check_clip_output(&request)?;
    let id = ctx.shared.ids.hex32();
    let operation = VideoClipRequest::OPERATION.name;
    let mut inner = ctx.shared.lock();
    if inner.tasks.trans_no_used(operation, trans_no) {
        return Err(ctx.error(format!("transNo {trans_no} is already used")));
    }
    let source = inner.videos.get(video_id).ok_or_else(|| {
        ApiError::spec(
            ErrorCode::VideoNotFound,
            format!("video {video_id} does not exist"),
        )
    })?;
    let available = i64::try_from(source.video_duration).unwrap_or(i64::MAX);
    if available > 0 && i64::from(*seek_start).saturating_add(i64::from(*duration)) > available {
        return Err(ctx.error("the clip ends after the end of the video"));
    }
    let kind = TaskKind::Clip {
        source: video_id.clone(),
        filename: filename.clone(),
        duration: u64::try_from(*duration).unwrap_or(0),
    };
    Ok(start_task(
        ctx,
        &mut inner,
        id,
        Some(trans_no.clone()),
        kind,
    ))
}

/// The sampling rate of flv output (1562). Frame rate, bitrates and the resolution's shape
/// have the spec's rules, checked before this runs; what the spec cannot state is a rule
/// across fields: flv output takes only the sampling rates its doc lists.
fn check_clip_output(request: &VideoClipRequest) -> Result<(), ApiError> {
    let flv = request
        .suffix
        .as_ref()
        .is_none_or(|s| *s == ClipContainer::Flv);
    match request.sampling_rate {
        Some(rate) if flv && ![11_025, 22_050, 44_100].contains(&rate) => Err(ApiError::spec(
            ErrorCode::InvalidSamplingRate,
            format!("flv output takes 11025, 22050 or 44100 Hz, not {rate}"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn video_clip_query(
    ctx: &Ctx<'_>,
    request: VideoClipQueryRequest,
) -> Result<VideoClipQueryOutput, ApiError> {
    let (task_id, status, video) =
        task_query(ctx, VideoClipRequest::OPERATION.name, &request.trans_no)?;
    let mut output = VideoClipQueryOutput::new(task_id, request.trans_no, status);
    output.video_info = video;
    Ok(output)
}

pub(crate) fn video_concat_query(
    ctx: &Ctx<'_>,
    request: VideoConcatQueryRequest,
) -> Result<VideoConcatQueryOutput, ApiError> {
    let (task_id, status, video) =
        task_query(ctx, VideoConcatRequest::OPERATION.name, &request.trans_no)?;
    let mut output = VideoConcatQueryOutput::new(task_id, request.trans_no, status);
    output.video_info = video;
    Ok(output)
}

/// Clip and concat queries: the task's id, its state, and its video once made.
fn task_query(
    ctx: &Ctx<'_>,
    operation: &'static str,
    trans_no: &str,
) -> Result<(String, TaskStatus, Option<TaskVideoInfo>), ApiError> {
    let inner = ctx.shared.lock();
    let task = inner
        .tasks
        .by_trans_no(operation, trans_no)
        .ok_or_else(|| ctx.error(format!("no {operation} task with transNo {trans_no}")))?;
    let status = match task.phase(std::time::Instant::now()) {
        Phase::Queued | Phase::Running => TaskStatus::Running,
        Phase::Succeeded => TaskStatus::Succeeded,
        Phase::Failed => TaskStatus::Failed,
    };
    let video = task.output.as_ref().and_then(|id| inner.videos.get(id));
    Ok((task.id.clone(), status, video.and_then(task_video_info)))
}

/// The ids of a comma list, each made of the characters ids are made of (`illegal`
/// otherwise). Empty lists and empty items are the spec's checks, run before this.
fn id_list(ids: &[VideoId], illegal: ErrorCode) -> Result<&[VideoId], ApiError> {
    match ids.iter().find(|i| !is_id_like(i.as_str())) {
        Some(bad) => Err(ApiError::spec(
            illegal,
            format!("video id {bad:?} has illegal characters"),
        )),
        None => Ok(ids),
    }
}

pub(crate) fn video_concat(ctx: &Ctx<'_>, request: VideoConcatRequest) -> Result<String, ApiError> {
    let trans_no = request.trans_no;
    let ids = id_list(&request.video_ids, ErrorCode::ConcatVideoIdsIllegal)?.to_vec();
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(ApiError::spec(
            ErrorCode::ConcatDuplicateVideoIds,
            "the list holds duplicate video ids",
        ));
    }
    let id = ctx.shared.ids.hex32();
    let operation = VideoConcatRequest::OPERATION.name;
    let mut inner = ctx.shared.lock();
    if inner.tasks.trans_no_used(operation, &trans_no) {
        return Err(ApiError::spec(
            ErrorCode::InvalidTransNo,
            format!("transNo {trans_no} is already used"),
        ));
    }
    if let Some(missing) = ids.iter().find(|i| !inner.videos.contains_key(*i)) {
        return Err(ApiError::spec(
            ErrorCode::ConcatVideosUnavailable,
            format!("video {missing} does not exist"),
        ));
    }
    if ids
        .iter()
        .filter_map(|i| inner.videos.get(i))
        .any(|v| v.video_state == vod_client::model::VideoState::Blocked)
    {
        return Err(ApiError::spec(
            ErrorCode::ConcatNotPossible,
            "a blocked video cannot be concatenated",
        ));
    }
    let kind = TaskKind::Concat {
        sources: ids,
        filename: request.filename,
    };
    Ok(start_task(ctx, &mut inner, id, Some(trans_no), kind))
}

pub(crate) fn trans_code(ctx: &Ctx<'_>, request: TransCodeRequest) -> Result<String, ApiError> {
    let ids = id_list(&request.video_ids, ErrorCode::TranscodeVideoIdsIllegal)?;
    let mut inner = ctx.shared.lock();
    if let Some(missing) = ids.iter().find(|i| !inner.videos.contains_key(*i)) {
        return Err(ApiError::spec(
            ErrorCode::TranscodeVideosUnavailable,
            format!("video {missing} does not exist"),
        ));
    }
    if let Some(busy) = ids.iter().find(|i| inner.tasks.busy_with(i)) {
        return Err(ctx.error(format!(
            "video {busy} is being transcoded; wait until it finishes"
        )));
    }
    for video_id in ids {
        let id = ctx.shared.ids.hex32();
        let kind = TaskKind::Transcode {
            video_id: video_id.clone(),
        };
        start_task(ctx, &mut inner, id, None, kind);
    }
    Ok(String::new())
}

pub(crate) fn create_clear_ad_task(
    ctx: &Ctx<'_>,
    request: CreateClearAdTaskRequest,
) -> Result<CreateClearAdTaskOutput, ApiError> {
    let video_id = request.video_id;
    // The spec asks for one of the three flags; removing nothing is refused as well.
    let flags = [
        request.clear_video_ad,
        request.clear_watermark_ad,
        request.clear_text_ad,
    ];
    if !flags.contains(&Some(true)) {
        return Err(ctx.error("at least one kind of ad must be chosen for removal"));
    }
    let id = ctx.shared.ids.uuid();
    let mut inner = ctx.shared.lock();
    if !inner.videos.contains_key(&video_id) {
        return Err(ctx.error(format!("video {video_id} does not exist")));
    }
    let kind = TaskKind::ClearAd { video_id };
    let task_id = start_task(ctx, &mut inner, id, None, kind);
    Ok(CreateClearAdTaskOutput::new(task_id))
}

pub(crate) fn clear_ad_task_query(
    ctx: &Ctx<'_>,
    request: ClearAdTaskQueryRequest,
) -> Result<ClearAdTaskQueryOutput, ApiError> {
    let task_id = request.task_id;
    let inner = ctx.shared.lock();
    let task: &Task = inner
        .tasks
        .get(&task_id)
        .filter(|t| matches!(t.kind, TaskKind::ClearAd { .. }))
        .ok_or_else(|| ctx.error(format!("task {task_id} does not exist")))?;
    let status = match task.phase(std::time::Instant::now()) {
        Phase::Queued => AdRemovalStatus::NotStarted,
        Phase::Running => AdRemovalStatus::Running,
        Phase::Succeeded => AdRemovalStatus::Succeeded,
        Phase::Failed => AdRemovalStatus::Failed,
    };
    let output = task.output.clone().unwrap_or_default();
    Ok(ClearAdTaskQueryOutput::new(
        task_id.as_str(),
        status,
        output,
    ))
}

pub(crate) fn start_workflow(
    ctx: &Ctx<'_>,
    request: StartWorkflowRequest,
) -> Result<StartWorkflowOutput, ApiError> {
    let target = request.video_id;
    let trans_no = request.trans_no;
    let id = ctx.shared.ids.hex32();
    let mut inner = ctx.shared.lock();
    if !inner.used_workflow_trans_nos.insert(trans_no.clone()) {
        return Err(ApiError::spec(
            ErrorCode::TransNoAlreadyUsed,
            format!("transNo {trans_no} is already used"),
        ));
    }
    if !inner.videos.contains_key(&target) {
        inner.used_workflow_trans_nos.remove(&trans_no);
        return Err(ApiError::spec(
            ErrorCode::OperationFailed,
            format!("video {target} does not exist"),
        ));
    }
    let kind = TaskKind::Workflow { target };
    let run_id = start_task(ctx, &mut inner, id, Some(trans_no), kind);
    Ok(StartWorkflowOutput::new(run_id))
}
