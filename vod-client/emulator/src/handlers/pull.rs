//! URL pulls: `pullVideo` creates a task per batch; `pullVideoQuery` reports it. The emulator
//! does not fetch anything: each URL "arrives" as a 1 MiB, 60 s video when the task ends.

use serde::Serialize;
use serde_json::Value;

use super::wire::Text;
use super::{Ctx, Reply};
use crate::errors::ApiError;
use crate::params::Params;
use crate::tasks::{Phase, PullItem, Task, TaskKind};
use crate::util::b64_decode_any;

/// `fileList`: URL-safe base64 of a JSON array of `{fileName, fetchUrl, md5}` (at most 50).
fn file_list(p: &Params) -> Result<Vec<PullItem>, ApiError> {
    let text = p.required_text("fileList")?;
    let bad =
        || p.error("fileList must be URL-safe base64 of a JSON array of {fileName, fetchUrl, md5}");
    let bytes = b64_decode_any(&text).ok_or_else(bad)?;
    let list: Vec<Value> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if list.is_empty() || list.len() > 50 {
        return Err(p.error("fileList must hold 1 to 50 entries"));
    }
    list.iter().map(|item| pull_item(p, item)).collect()
}

fn pull_item(p: &Params, item: &Value) -> Result<PullItem, ApiError> {
    let text = |name: &str| {
        item.get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let url = text("fetchUrl").ok_or_else(|| p.error("every fileList entry needs a fetchUrl"))?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(p.error(format!("fetchUrl {url:?} must be an http or https URL")));
    }
    let last_segment = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|s| !s.is_empty())
        .unwrap_or("video.mp4");
    Ok(PullItem {
        file_name: text("fileName").unwrap_or(last_segment).to_string(),
        fetch_url: url.to_string(),
        md5: text("md5").unwrap_or_default().to_string(),
        video_id: None,
    })
}

pub(crate) fn pull_video(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let trans_no = p.text("transNo")?;
    let with_cmd = p.text("cmd")?.is_some();
    let items = file_list(p)?;
    p.text("workflowId")?;
    p.text("notifyUrl")?;
    let id = ctx.shared.ids.hex32();
    let run_for = ctx.shared.task_duration();
    let now_ms = ctx.shared.clock.now_millis();
    let mut inner = ctx.shared.lock();
    if let Some(t) = &trans_no {
        if inner.tasks.trans_no_used("pullVideo", t) {
            return Err(p.error(format!("transNo {t} is already used")));
        }
    }
    let kind = TaskKind::Pull { items, with_cmd };
    let task_id = inner.start_task(
        id,
        trans_no.clone(),
        kind,
        run_for,
        ctx.caller.user.to_string(),
        now_ms,
    );
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Started<'a> {
        tran_no: &'a str,
        task_id: &'a str,
    }
    Ok(Reply::data(&Started {
        tran_no: trans_no.as_deref().unwrap_or_default(),
        task_id: &task_id,
    }))
}

pub(crate) fn pull_video_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let task_id = p.text("taskId")?;
    let trans_no = p.text("transNo")?;
    let inner = ctx.shared.lock();
    let task: Option<&Task> = match (&task_id, &trans_no) {
        (Some(id), _) => inner.tasks.get(id),
        (None, Some(t)) => inner.tasks.by_trans_no("pullVideo", t),
        (None, None) => return Err(p.error("one of taskId and transNo is required")),
    };
    let task = task
        .filter(|t| matches!(t.kind, TaskKind::Pull { .. }))
        .ok_or_else(|| p.error("no pull task with this taskId or transNo"))?;
    Ok(Reply::data(&pull_report(task, &inner)))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PullReport<'a> {
    task_id: &'a str,
    trans_no: &'a str,
    timestamp: Text<i64>,
    status: i64,
    items: Vec<PullItemReport<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PullItemReport<'a> {
    file_name: &'a str,
    fetch_url: &'a str,
    md5: &'a str,
    pull_status: i64,
    cmd_status: i64,
    video_info: PulledVideo<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PulledVideo<'a> {
    video_id: &'a str,
    duration: u64,
    video_file_list: Vec<PulledFile>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PulledFile {
    clarity: i64,
    server_type: i64,
    bitrate: i64,
    resolution: &'static str,
    file_size: u64,
    file_url: String,
}

fn pull_report<'a>(task: &'a Task, inner: &'a crate::state::Inner) -> PullReport<'a> {
    let phase = task.phase(std::time::Instant::now());
    let (pull_status, status) = match phase {
        Phase::Queued | Phase::Running => (1, 1),
        Phase::Succeeded => (2, 2),
        Phase::Failed => (3, 2),
    };
    let (items, with_cmd) = match &task.kind {
        TaskKind::Pull { items, with_cmd } => (items.as_slice(), *with_cmd),
        _ => (&[][..], false),
    };
    let items = items
        .iter()
        .map(|item| {
            let video = item.video_id.as_ref().and_then(|id| inner.videos.get(id));
            // The SDK marks videoInfo as always present: empty until the video exists.
            let video_info = match video {
                Some(video) => PulledVideo {
                    video_id: &video.video_id,
                    duration: video.video_duration,
                    video_file_list: vec![PulledFile {
                        clarity: 1,
                        server_type: 1,
                        bitrate: 1000,
                        resolution: "1920x1080",
                        file_size: video.video_size,
                        file_url: format!(
                            "http://{}/{}/source.mp4",
                            video.publish_domain, video.video_id
                        ),
                    }],
                },
                None => PulledVideo {
                    video_id: "",
                    duration: 0,
                    video_file_list: Vec::new(),
                },
            };
            PullItemReport {
                file_name: &item.file_name,
                fetch_url: &item.fetch_url,
                md5: &item.md5,
                pull_status,
                // Without a command there is nothing to run after the fetch: it counts as
                // done with the fetch.
                cmd_status: if with_cmd {
                    pull_status
                } else {
                    pull_status.max(2)
                },
                video_info,
            }
        })
        .collect();
    PullReport {
        task_id: &task.id,
        trans_no: task.trans_no.as_deref().unwrap_or_default(),
        timestamp: Text(task.created_unix_ms),
        status,
        items,
    }
}
