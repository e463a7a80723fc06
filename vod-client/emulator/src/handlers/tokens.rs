//! Upload tokens for videos, audio and materials.
//!
//! Each token is a real WCS token (see [`crate::upload::token`]) signed with the
//! caller's key pair; its policy scope names the storage key, and a pending record remembers
//! what the key becomes once its bytes arrive. `uploadUrl` points at the emulator itself.
//! Passing the same `fileId` again returns the same `videoId` and key (resumable uploads).

use serde_json::json;
use vod_client::model::{
    AudioId, AudioUploadItem, GetAudioUploadTokenOutput, GetAudioUploadTokenRequest,
    GetMaterialUploadTokenOutput, GetMaterialUploadTokenRequest, GetUploadTokenOutput,
    GetUploadTokenRequest, MaterialId, MaterialUploadItem, VideoId, YesNo,
};

use super::videos::categories_from_pairs;
use super::{given, Ctx};
use crate::errors::ApiError;
use crate::state::{Inner, Shared};
use crate::upload::token::make_token;
use crate::upload::PendingUpload;
use crate::util::year_month;

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
fn domain(
    ctx: &Ctx<'_>,
    inner: &Inner,
    given_domain: Option<&String>,
    default: &str,
) -> Result<String, ApiError> {
    match given(given_domain) {
        None => Ok(default.to_string()),
        Some(d) if inner.domains.contains(d) => Ok(d.to_string()),
        Some(d) => Err(ctx.error(format!("domain {d} does not exist"))),
    }
}

fn storage_key(shared: &Shared, kind: &str, id: &str, name: &str) -> String {
    let now = shared.clock.now_unix();
    format!("{kind}/{}/{id}_{now}/{name}", year_month(now))
}

pub(crate) fn get_upload_token(
    ctx: &Ctx<'_>,
    request: GetUploadTokenRequest,
) -> Result<GetUploadTokenOutput, ApiError> {
    let name = request.origin_file_name.trim().to_string();
    let file_id = given(request.file_id.as_ref()).map(str::to_string);
    let overwrite = request.overwrite != Some(YesNo::No);
    let auto_transcode = [
        &request.workflow_id,
        &request.water_mark_name,
        &request.trans_code_combine_name,
        &request.subtitle_id,
    ]
    .into_iter()
    .any(|field| given(field.as_ref()).is_some());
    let shared = ctx.shared;
    let (now_ms, deadline_ms) = token_times(shared);
    let (video_id, key) = {
        let mut inner = shared.lock();
        let domain = domain(ctx, &inner, request.domain.as_ref(), &shared.video_domain)?;
        let categories = match &request.category_names {
            Some(pairs) => categories_from_pairs(ctx, &inner, pairs)?,
            None => Vec::new(),
        };
        let resumed = file_id.as_ref().and_then(|f| resume(&inner, f));
        let (video_id, key) = resumed.unwrap_or_else(|| {
            let id = shared.ids.video_id();
            let key = storage_key(shared, "video", id.as_str(), &name);
            (id, key)
        });
        let pending = PendingUpload::Video {
            video_id: video_id.clone(),
            name,
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
    let upload_url = shared.upload_url();
    let token = token_for(ctx, &key, overwrite, deadline_ms);
    Ok(
        GetUploadTokenOutput::new(upload_url.as_str(), key, video_id, token)
            .with_http_dns_server("")
            .with_speed_domain_url(upload_url)
            .with_bucket_name(shared.bucket.as_str()),
    )
}

/// The video id and key of an unfinished upload with this `fileId`.
fn resume(inner: &Inner, file_id: &str) -> Option<(VideoId, String)> {
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

/// One file of a batch: its name and its extension (from the name when not given).
struct FileEntry {
    name: String,
    suffix: String,
}

impl FileEntry {
    fn new(name: &str, suffix: Option<&String>) -> FileEntry {
        let name = name.trim();
        let suffix = given(suffix)
            .or_else(|| name.rsplit_once('.').map(|(_, s)| s))
            .unwrap_or_default()
            .trim_start_matches('.')
            .to_ascii_lowercase();
        FileEntry {
            name: name.to_string(),
            suffix,
        }
    }
}

/// A file of a batch, prepared: its entry, new id, storage key and final URL.
struct Prepared {
    file: FileEntry,
    id: String,
    key: String,
    url: String,
}

pub(crate) fn get_audio_upload_token(
    ctx: &Ctx<'_>,
    request: GetAudioUploadTokenRequest,
) -> Result<GetAudioUploadTokenOutput, ApiError> {
    let files: Vec<FileEntry> = request
        .file_list
        .iter()
        .map(|f| FileEntry::new(&f.name, Some(&f.suffix)))
        .collect();
    // The spec's doc of the suffix: only mp3 is supported.
    if let Some(other) = files.iter().find(|f| f.suffix != "mp3") {
        return Err(ctx.error(format!(
            "only mp3 audio is supported, got suffix {:?}",
            other.suffix
        )));
    }
    let overwrite = request.overwrite.unwrap_or(true);
    let shared = ctx.shared;
    let (now_ms, deadline_ms) = token_times(shared);
    let mut prepared = Vec::new();
    {
        let mut inner = shared.lock();
        let domain = domain(ctx, &inner, request.domain.as_ref(), &shared.audio_domain)?;
        for file in files {
            let id = shared.ids.hex32();
            let key = storage_key(shared, "audio", &id, &format!("{id}.mp3"));
            let url = format!("http://{domain}/{key}");
            let pending = PendingUpload::Audio {
                audio_id: AudioId::new(&id),
                name: file.name.clone(),
                domain: domain.clone(),
                user: ctx.caller.user.to_string(),
                url: url.clone(),
            };
            inner
                .pending_uploads
                .insert(key.clone(), pending, now_ms, deadline_ms);
            prepared.push(Prepared { file, id, key, url });
        }
    }
    let items = prepared.into_iter().map(|p| {
        let token = token_for(ctx, &p.key, overwrite, deadline_ms);
        AudioUploadItem::new(p.file.name, p.id, token)
            .with_suffix(p.file.suffix)
            .with_file_full_url(p.url)
    });
    Ok(GetAudioUploadTokenOutput::new(shared.upload_url(), items)
        .with_bucket_name(shared.bucket.as_str())
        .with_http_dns_server(""))
}

pub(crate) fn get_material_upload_token(
    ctx: &Ctx<'_>,
    request: GetMaterialUploadTokenRequest,
) -> Result<GetMaterialUploadTokenOutput, ApiError> {
    let files: Vec<FileEntry> = request
        .file_list
        .iter()
        .map(|f| FileEntry::new(&f.name, f.suffix.as_ref()))
        .collect();
    let overwrite = request.overwrite.unwrap_or(false);
    let shared = ctx.shared;
    let (now_ms, deadline_ms) = token_times(shared);
    let mut prepared = Vec::new();
    {
        let mut inner = shared.lock();
        let domain = domain(
            ctx,
            &inner,
            request.domain.as_ref(),
            &shared.material_domain,
        )?;
        for file in files {
            let id = shared.ids.hex32();
            let key = storage_key(shared, "material", &id, &format!("{id}.{}", file.suffix));
            let url = format!("http://{domain}/{key}");
            inner.pending_uploads.insert(
                key.clone(),
                PendingUpload::Material {
                    material_id: MaterialId::new(&id),
                    name: file.name.clone(),
                    suffix: file.suffix.clone(),
                    domain: domain.clone(),
                    user: ctx.caller.user.to_string(),
                    url: url.clone(),
                },
                now_ms,
                deadline_ms,
            );
            prepared.push(Prepared { file, id, key, url });
        }
    }
    let items = prepared.into_iter().map(|p| {
        let token = token_for(ctx, &p.key, overwrite, deadline_ms);
        MaterialUploadItem::new(p.file.name, p.id, token)
            .with_suffix(p.file.suffix)
            .with_file_full_url(p.url)
    });
    Ok(
        GetMaterialUploadTokenOutput::new(shared.upload_url(), items)
            .with_bucket_name(shared.bucket.as_str())
            .with_http_dns_server(""),
    )
}
