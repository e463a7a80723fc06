//! URL pulls: `pullVideo` creates a task per batch; `pullVideoQuery` reports it. The emulator
//! does not fetch anything: each URL "arrives" as a 1 MiB, 60 s video when the task ends.

use serde_json::{json, Value};

use super::{Ctx, Reply};
use crate::emulator::errors::ApiError;
use crate::emulator::params::Params;
use crate::emulator::tasks::{Phase, PullItem, Task, TaskKind};
use crate::emulator::util::b64_decode_any;

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
    let trans_no = p.text_max("transNo", 32)?;
    let with_cmd = p.text("cmd")?.is_some();
    let items = file_list(p)?;
    p.text("workflowId")?;
    p.text("notifyUrl")?;
    p.int_enum("separate", &[0, 1])?;
    p.int_enum("fetchTs", &[0, 1])?;
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
        ctx.caller.user.clone(),
        now_ms,
    );
    Ok(Reply::Data(
        json!({ "tranNo": trans_no.unwrap_or_default(), "taskId": task_id }),
    ))
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
    Ok(Reply::Data(pull_report(task, &inner)))
}

fn pull_report(task: &Task, inner: &crate::emulator::state::Inner) -> Value {
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
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut entry = json!({
                "fileName": item.file_name,
                "fetchUrl": item.fetch_url,
                "md5": item.md5,
                "pullStatus": pull_status,
            });
            // Without a command there is nothing to run after the fetch: it counts as done
            // with the fetch. (The SDK marks cmdStatus and videoInfo as always present.)
            entry["cmdStatus"] = json!(if with_cmd { pull_status } else { pull_status.max(2) });
            entry["videoInfo"] = json!({ "videoId": "", "duration": 0, "videoFileList": [] });
            if let Some(video) = item.video_id.as_ref().and_then(|id| inner.videos.get(id)) {
                entry["videoInfo"] = json!({
                    "videoId": video.video_id,
                    "duration": video.video_duration,
                    "videoFileList": [{
                        "clarity": 1,
                        "serverType": 1,
                        "bitrate": 1000,
                        "resolution": "1920x1080",
                        "fileSize": video.video_size,
                        "fileUrl": format!("http://{}/{}/source.mp4", video.publish_domain, video.video_id),
                    }],
                });
            }
            entry
        })
        .collect();
    json!({
        "taskId": task.id,
        "transNo": task.trans_no.clone().unwrap_or_default(),
        "timestamp": task.created_unix_ms.to_string(),
        "status": status,
        "items": items,
    })
}
