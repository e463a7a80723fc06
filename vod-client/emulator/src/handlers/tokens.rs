//! Upload tokens for videos, audio and materials.
//!
//! Each token is a real WCS token (see [`crate::upload::token`]) signed with the
//! caller's key pair; its policy scope names the storage key, and a pending record remembers
//! what the key becomes once its bytes arrive. `uploadUrl` points at the emulator itself.
//! Passing the same `fileId` again returns the same `videoId` and key (resumable uploads).

use serde::Serialize;
use serde_json::{json, Value};

use super::videos::categories_from_json;
use super::wire::BatchItem;
use super::{Ctx, Reply};
use crate::errors::ApiError;
use crate::params::Params;
use crate::state::{Inner, Shared};
use crate::upload::token::make_token;
use crate::upload::PendingUpload;
use crate::util::{b64_decode_any, year_month};

/// Now and the deadline of a token made now (Unix milliseconds).
fn token_times(shared: &Shared) -> (i64, i64) {
    let now_ms = shared.clock.now_millis();
    (now_ms, now_ms.saturating_add(shared.token_lifetime_ms))
}

/// A signed token for one storage key, valid until `deadline_ms`.
fn token_for(ctx: &Ctx<'_>, key: &str, overwrite: bool, deadline_ms: i64) -> String {
    let shared = ctx.shared;
    let policy = json!({
        "scope": format!("{}:{key}", shared.bucket),
        "deadline": deadline_ms.to_string(),
        "overwrite": i32::from(overwrite),
        "fsizeLimit": 0,
        "callbackUrl": format!("{}/callback", shared.upload_url()),
        "callbackBody": "bucket=$(bucket)&key=$(key)&fname=$(fname)&hash=$(hash)&fsize=$(fsize)",
    });
    let secret = shared
        .accounts
        .get(ctx.caller.access_key)
        .map(|a| a.secret.as_str())
        .unwrap_or_default();
    make_token(ctx.caller.access_key, secret, &policy.to_string())
}

/// A domain parameter: absent gives the default; an unknown one is an error.
fn domain(inner: &Inner, p: &Params, default: &str) -> Result<String, ApiError> {
    match p.text("domain")? {
        None => Ok(default.to_string()),
        Some(d) if inner.domains.contains(&d) => Ok(d),
        Some(d) => Err(p.error(format!("domain {d} does not exist"))),
    }
}

fn storage_key(shared: &Shared, kind: &str, id: &str, name: &str) -> String {
    let now = shared.clock.now_unix();
    format!("{kind}/{}/{id}_{now}/{name}", year_month(now))
}

pub(crate) fn get_upload_token(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let name = p.required_text("originFileName")?;
    if !name.contains('.') || name.contains('/') {
        return Err(p.error("originFileName must be a file name with an extension"));
    }
    let file_id = p.text("fileId")?;
    p.text("fileMd5")?;
    let overwrite = p.int("overwrite")?.unwrap_or(1) == 1;
    let categories = p.text("categoryNames")?;
    let mut auto_transcode = false;
    for field in [
        "workflowId",
        "waterMarkName",
        "transCodeCombineName",
        "subtitleId",
    ] {
        auto_transcode |= p.text(field)?.is_some();
    }
    p.text("subtitle")?;
    let shared = ctx.shared;
    let (now_ms, deadline_ms) = token_times(shared);
    let (video_id, key) = {
        let mut inner = shared.lock();
        let domain = domain(&inner, p, &shared.video_domain)?;
        let categories = match categories {
            Some(text) => categories_from_json(&inner, p, text.as_bytes())?,
            None => Vec::new(),
        };
        let resumed = file_id.as_ref().and_then(|f| resume(&inner, f));
        let (video_id, key) = resumed.unwrap_or_else(|| {
            let id = shared.ids.hex32();
            let key = storage_key(shared, "video", &id, &name);
            (id, key)
        });
        let pending = PendingUpload::Video {
            video_id: video_id.clone(),
            name: name.clone(),
            categories,
            domain,
            auto_transcode,
            user: ctx.caller.user.to_string(),
            file_id,
        };
        inner
            .pending_uploads
            .insert(key.clone(), pending, now_ms, deadline_ms);
        (video_id, key)
    };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct VideoToken<'a> {
        upload_url: &'a str,
        file_key: &'a str,
        http_dns_server: &'a str,
        video_id: &'a str,
        upload_token: String,
        speed_domainl_url: &'a str,
        bucket_name: &'a str,
    }
    let upload_url = shared.upload_url();
    Ok(Reply::data(&VideoToken {
        upload_url: &upload_url,
        file_key: &key,
        http_dns_server: "",
        video_id: &video_id,
        upload_token: token_for(ctx, &key, overwrite, deadline_ms),
        speed_domainl_url: &upload_url,
        bucket_name: &shared.bucket,
    }))
}

/// The video id and key of an unfinished upload with this `fileId`.
fn resume(inner: &Inner, file_id: &str) -> Option<(String, String)> {
    inner
        .pending_uploads
        .iter()
        .find_map(|(key, pending)| match pending {
            PendingUpload::Video {
                video_id,
                file_id: Some(f),
                ..
            } if f == file_id => Some((video_id.clone(), key.clone())),
            _ => None,
        })
}

/// One `{name, suffix}` entry of a file list.
struct FileEntry {
    name: String,
    suffix: String,
}

fn entries(
    p: &Params,
    list: &[Value],
    max_name: usize,
    mp3_only: bool,
) -> Result<Vec<FileEntry>, ApiError> {
    if list.is_empty() || list.len() > 50 {
        return Err(p.error("fileList must hold 1 to 50 entries"));
    }
    list.iter()
        .map(|item| {
            let text = |n: &str| {
                item.get(n)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let name = text("name").ok_or_else(|| p.error("every fileList entry needs a name"))?;
            if name.chars().count() > max_name {
                return Err(p.error(format!("file name must be at most {max_name} characters")));
            }
            let suffix = text("suffix")
                .or_else(|| name.rsplit_once('.').map(|(_, s)| s))
                .unwrap_or_default()
                .trim_start_matches('.')
                .to_ascii_lowercase();
            if mp3_only && suffix != "mp3" {
                return Err(p.error(format!(
                    "only mp3 audio is supported, got suffix {suffix:?}"
                )));
            }
            Ok(FileEntry {
                name: name.to_string(),
                suffix,
            })
        })
        .collect()
}

pub(crate) fn get_audio_upload_token(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let text = p.required_text("fileList")?;
    let bad = || p.error("fileList must be URL-safe base64 of a JSON array of {name, suffix}");
    let list: Vec<Value> = b64_decode_any(&text)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(bad)?;
    let files = entries(p, &list, 200, true)?;
    let overwrite = p.bool("overwrite")?.unwrap_or(true);
    let shared = ctx.shared;
    let (now_ms, deadline_ms) = token_times(shared);
    let mut items = Vec::new();
    {
        let mut inner = shared.lock();
        let domain = domain(&inner, p, &shared.audio_domain)?;
        for file in files {
            let id = shared.ids.hex32();
            let key = storage_key(shared, "audio", &id, &format!("{id}.mp3"));
            let url = format!("http://{domain}/{key}");
            let pending = PendingUpload::Audio {
                audio_id: id.clone(),
                name: file.name.clone(),
                domain: domain.clone(),
                user: ctx.caller.user.to_string(),
                url: url.clone(),
            };
            inner
                .pending_uploads
                .insert(key.clone(), pending, now_ms, deadline_ms);
            items.push((file, id, key, url));
        }
    }
    Ok(batch_token_reply(
        ctx,
        items,
        "audioId",
        overwrite,
        deadline_ms,
    ))
}

pub(crate) fn get_material_upload_token(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let list: Vec<Value> = match p.value("fileList") {
        Some(Value::Array(list)) => list.clone(),
        Some(Value::String(text)) => serde_json::from_str(text)
            .map_err(|_| p.error("fileList must be a JSON array of {name, suffix}"))?,
        Some(_) => return Err(p.error("fileList must be a JSON array of {name, suffix}")),
        None => return Err(p.error("missing required parameter fileList")),
    };
    let files = entries(p, &list, 40, false)?;
    let overwrite = p.bool("overwrite")?.unwrap_or(false);
    let shared = ctx.shared;
    let (now_ms, deadline_ms) = token_times(shared);
    let mut prepared = Vec::new();
    {
        let mut inner = shared.lock();
        let domain = domain(&inner, p, &shared.material_domain)?;
        for file in files {
            let id = shared.ids.hex32();
            let key = storage_key(shared, "material", &id, &format!("{id}.{}", file.suffix));
            let url = format!("http://{domain}/{key}");
            inner.pending_uploads.insert(
                key.clone(),
                PendingUpload::Material {
                    material_id: id.clone(),
                    name: file.name.clone(),
                    suffix: file.suffix.clone(),
                    domain: domain.clone(),
                    user: ctx.caller.user.to_string(),
                    url: url.clone(),
                },
                now_ms,
                deadline_ms,
            );
            prepared.push((file, id, key, url));
        }
    }
    Ok(batch_token_reply(
        ctx,
        prepared,
        "materialId",
        overwrite,
        deadline_ms,
    ))
}

/// The answer of the batch token operations (audio, materials): one token per prepared file,
/// each under the id member the operation names.
fn batch_token_reply(
    ctx: &Ctx<'_>,
    prepared: Vec<(FileEntry, String, String, String)>,
    id_member: &'static str,
    overwrite: bool,
    deadline_ms: i64,
) -> Reply {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Batch<'a> {
        upload_url: String,
        bucket_name: &'a str,
        http_dns_server: &'a str,
        items: Vec<BatchItem<'a>>,
    }
    let items = prepared
        .iter()
        .map(|(file, id, key, url)| BatchItem {
            name: &file.name,
            suffix: &file.suffix,
            id_member,
            id,
            upload_token: token_for(ctx, key, overwrite, deadline_ms),
            file_full_url: url,
        })
        .collect();
    let shared = ctx.shared;
    Reply::data(&Batch {
        upload_url: shared.upload_url(),
        bucket_name: &shared.bucket,
        http_dns_server: "",
        items,
    })
}
