//! URL pulls: `pullVideo` creates a task per batch; `pullVideoQuery` reports it. The emulator
//! does not fetch anything: each URL "arrives" as a 1 MiB, 60 s video when the task ends.

use vod_client::model::{
    Clarity, PullFile, PullTaskStatus, PullVideoFile, PullVideoInfo, PullVideoItem,
    PullVideoOutput, PullVideoQueryOutput, PullVideoQueryRequest, PullVideoRequest, ServerType,
    TaskStatus,
};
use vod_client::operation::Request;

use super::{given, start_task, Ctx};
use crate::errors::ApiError;
use crate::state::Inner;
use crate::tasks::{Phase, PullItem, Task, TaskKind};

/// One URL of the batch, named after its last path segment when the caller gave no name.
fn pull_item(file: &PullFile) -> PullItem {
    let url = file.fetch_url.trim();
    let last_segment = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("video.mp4");
    PullItem {
        file_name: given(file.file_name.as_ref())
            .unwrap_or(last_segment)
            .to_string(),
        fetch_url: url.to_string(),
        md5: given(file.md5.as_ref()).unwrap_or_default().to_string(),
        video_id: None,
    }
}

pub(crate) fn pull_video(
    ctx: &Ctx<'_>,
    request: PullVideoRequest,
) -> Result<PullVideoOutput, ApiError> {
    let trans_no = given(request.trans_no.as_ref()).map(str::to_string);
    let items = request.file_list.iter().map(pull_item).collect();
    let id = ctx.shared.ids.hex32();
    let operation = PullVideoRequest::OPERATION.name;
    let mut inner = ctx.shared.lock();
    if let Some(t) = &trans_no {
        if inner.tasks.trans_no_used(operation, t) {
            return Err(ctx.error(format!("transNo {t} is already used")));
        }
    }
    let kind = TaskKind::Pull {
        items,
        with_cmd: request.cmd.is_some(),
    };
    let task_id = start_task(ctx, &mut inner, id, trans_no.clone(), kind);
    Ok(PullVideoOutput::new(task_id).with_trans_no(trans_no.unwrap_or_default()))
}

pub(crate) fn pull_video_query(
    ctx: &Ctx<'_>,
    request: PullVideoQueryRequest,
) -> Result<PullVideoQueryOutput, ApiError> {
    let inner = ctx.shared.lock();
    let task: Option<&Task> = match (
        given(request.task_id.as_ref()),
        given(request.trans_no.as_ref()),
    ) {
        (Some(id), _) => inner.tasks.get(id),
        (None, Some(t)) => inner.tasks.by_trans_no(PullVideoRequest::OPERATION.name, t),
        (None, None) => return Err(ctx.error("a task id or a transNo is required")),
    };
    let task = task
        .filter(|t| matches!(t.kind, TaskKind::Pull { .. }))
        .ok_or_else(|| ctx.error("no pull task with this task id or transNo"))?;
    Ok(pull_report(task, &inner))
}

fn pull_report(task: &Task, inner: &Inner) -> PullVideoQueryOutput {
    let (pull_status, status) = match task.phase(std::time::Instant::now()) {
        Phase::Queued | Phase::Running => (TaskStatus::Running, PullTaskStatus::Running),
        Phase::Succeeded => (TaskStatus::Succeeded, PullTaskStatus::Finished),
        Phase::Failed => (TaskStatus::Failed, PullTaskStatus::Finished),
    };
    let (items, with_cmd) = match &task.kind {
        TaskKind::Pull { items, with_cmd } => (items.as_slice(), *with_cmd),
        _ => (&[][..], false),
    };
    // Without a command there is nothing to run after the fetch: it counts as done with it.
    let cmd_status = match (&pull_status, with_cmd) {
        (TaskStatus::Running, false) => TaskStatus::Succeeded,
        _ => pull_status.clone(),
    };
    let items = items.iter().map(|item| {
        let video = item.video_id.as_ref().and_then(|id| inner.videos.get(id));
        // The SDK marks videoInfo as always present: empty until the video exists.
        let video_info = match video {
            Some(video) => PullVideoInfo::new(video.video_id.as_str())
                .with_duration(i64::try_from(video.video_duration).unwrap_or(i64::MAX))
                .with_video_file_list([PullVideoFile::new(Clarity::Original)
                    .with_server_type(ServerType::Mobile)
                    .with_bitrate(1000)
                    .with_resolution("1920x1080")
                    .with_file_size(video.video_size)
                    .with_file_url(format!(
                        "http://{}/{}/source.mp4",
                        video.publish_domain, video.video_id
                    ))]),
            None => PullVideoInfo::new("")
                .with_duration(0)
                .with_video_file_list([]),
        };
        PullVideoItem::new(
            item.fetch_url.as_str(),
            pull_status.clone(),
            cmd_status.clone(),
        )
        .with_file_name(item.file_name.as_str())
        .with_md5(item.md5.as_str())
        .with_video_info(video_info)
    });
    PullVideoQueryOutput::new(
        task.id.as_str(),
        task.trans_no.as_deref().unwrap_or_default(),
        status,
        items,
    )
    .with_timestamp(task.created.clone())
}
