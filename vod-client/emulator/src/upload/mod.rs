//! The storage side of uploads (WCS v1 as the VoD docs describe it): form upload
//! (`/file/upload`) and block/chunk upload (`/mkblk`, `/bput`, `/mkfile`), served under
//! `<base>/upload` — the `uploadUrl` that `getUploadToken` hands out.
//!
//! Bodies are streamed: each frame updates the chunk's MD5/CRC-32 and the file's etag piece
//! hasher and is then dropped, so no request holds more than one network frame of file data
//! and a multi-gigabyte upload costs the emulator a few hundred bytes per block. The emulator
//! keeps each object's size and etag, not its bytes (nothing ever reads them back).
//!
//! Errors follow the storage service: HTTP status = code, body
//! `{"code":"<status as text>","message":..}`, header `X-Reqid` on every answer.
//!
//! A ctx is bound to its upload (the bucket and key of the token that created it): a `bput` or
//! `mkfile` naming a ctx of another upload gets 701. Ctx values and pending uploads expire with
//! the token they came with (a later token of the same scope extends them), and are swept
//! regularly, so a long-running emulator's memory stays bounded by the uploads in progress.
//!
//! Once an upload completes and a callback URL is configured
//! ([`EmulatorBuilder::callback_url`](super::EmulatorBuilder::callback_url)), the documented
//! upload callback is POSTed to it (see the `callbacks` module).

mod callbacks;
mod checksum;
pub(crate) mod chunked;
pub mod etag;
pub(crate) mod form;
pub mod token;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::json;
use vod_client::model::{AudioId, MaterialId, VideoId};
use vod_client::Time;

use super::faults::Injected;
use super::state::model::{self, CategoryPath};
use super::state::Shared;

/// An upload answer error: the HTTP status doubles as the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadError {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl UploadError {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        UploadError {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({ "code": self.status.to_string(), "message": self.message });
        super::errors::json_response(status, &body)
    }
}

/// What an upload key becomes once its bytes arrive (recorded by the token operations).
#[derive(Debug, Clone)]
pub(crate) enum PendingUpload {
    Video {
        video_id: VideoId,
        name: String,
        categories: Vec<CategoryPath>,
        domain: String,
        auto_transcode: bool,
        user: String,
        file_id: Option<String>,
    },
    Audio {
        audio_id: AudioId,
        name: String,
        domain: String,
        user: String,
        url: String,
    },
    Material {
        material_id: MaterialId,
        name: String,
        suffix: String,
        domain: String,
        user: String,
        url: String,
    },
}

/// The state of one block after some chunks: immutable once stored under its ctx, so a
/// replayed `bput` with the same ctx finds the same starting point.
#[derive(Debug, Clone)]
pub(crate) struct BlockCtx {
    /// `bucket:key` of the upload the block belongs to.
    pub(crate) owner: String,
    /// Unix milliseconds after which the ctx is forgotten (its token's deadline).
    pub(crate) expires_ms: i64,
    pub(crate) block_index: u64,
    pub(crate) block_size: u64,
    pub(crate) received: u64,
    pub(crate) hasher: etag::PieceHasher,
}

/// Expired ctx values and pending uploads are swept every this many new ctx values, and when
/// this much emulator time passed since the last sweep.
const SWEEP_EVERY: u64 = 256;
const SWEEP_AFTER_MS: i64 = 60_000;

/// Upload contexts and stored objects, under their own lock.
#[derive(Debug, Default)]
pub(crate) struct UploadStore {
    inner: Mutex<UploadInner>,
    calls: UploadCalls,
    callback_url: std::sync::OnceLock<String>,
}

#[derive(Debug, Default)]
struct UploadInner {
    ctxs: HashMap<String, BlockCtx>,
    objects: HashMap<String, (u64, String)>,
    inserted: u64,
    last_sweep_ms: i64,
}

/// How many calls of each upload step the emulator answered (faults included).
#[derive(Debug, Default)]
pub struct UploadCalls {
    form: AtomicU64,
    mkblk: AtomicU64,
    bput: AtomicU64,
    mkfile: AtomicU64,
}

/// A snapshot of [`UploadCalls`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadCallCounts {
    /// `file/upload` calls.
    pub form: u64,
    /// `mkblk` calls.
    pub mkblk: u64,
    /// `bput` calls.
    pub bput: u64,
    /// `mkfile` calls.
    pub mkfile: u64,
}

impl UploadCalls {
    pub(crate) fn count(&self, operation: &str) {
        let counter = match operation {
            "formUpload" => &self.form,
            "mkblk" => &self.mkblk,
            "bput" => &self.bput,
            _ => &self.mkfile,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> UploadCallCounts {
        UploadCallCounts {
            form: self.form.load(Ordering::Relaxed),
            mkblk: self.mkblk.load(Ordering::Relaxed),
            bput: self.bput.load(Ordering::Relaxed),
            mkfile: self.mkfile.load(Ordering::Relaxed),
        }
    }
}

impl super::StateHandle {
    /// How many upload calls of each step the emulator answered so far.
    pub fn upload_calls(&self) -> UploadCallCounts {
        self.shared.uploads.calls.snapshot()
    }

    /// How many ctx values the emulator currently keeps (expired ones are swept).
    pub fn live_upload_contexts(&self) -> usize {
        self.shared.uploads.lock().ctxs.len()
    }
}

impl UploadStore {
    pub(crate) fn put_ctx(&self, shared: &Shared, ctx: String, block: BlockCtx) {
        let now = shared.clock.now_millis();
        let sweep = {
            let mut inner = self.lock();
            inner.ctxs.insert(ctx, block);
            inner.inserted += 1;
            let due = inner.inserted.is_multiple_of(SWEEP_EVERY)
                || now - inner.last_sweep_ms > SWEEP_AFTER_MS;
            if due {
                inner.last_sweep_ms = now;
            }
            due
        };
        if sweep {
            self.sweep(shared);
        }
    }

    pub(crate) fn ctx(&self, ctx: &str) -> Option<BlockCtx> {
        self.lock().ctxs.get(ctx).cloned()
    }

    /// Forgets ctx values whose token expired (pending uploads expire in their own store,
    /// `state::pending`, which records each one's deadline when its token is handed out).
    pub(crate) fn sweep(&self, shared: &Shared) {
        let now = shared.clock.now_millis();
        self.lock().ctxs.retain(|_, b| b.expires_ms >= now);
        shared.lock().pending_uploads.prune(now);
    }

    pub(crate) fn object(&self, key: &str) -> Option<(u64, String)> {
        self.lock().objects.get(key).cloned()
    }

    /// Stores an object unless it exists and `overwrite` is off (406).
    pub(crate) fn put_object(
        &self,
        key: &str,
        size: u64,
        hash: &str,
        overwrite: bool,
    ) -> Result<(), UploadError> {
        let mut inner = self.lock();
        if !overwrite && inner.objects.contains_key(key) {
            return Err(UploadError::new(406, format!("file exists: {key}")));
        }
        inner
            .objects
            .insert(key.to_string(), (size, hash.to_string()));
        Ok(())
    }

    /// Sets where upload callbacks go (once, before the server starts).
    pub(crate) fn set_callback_url(&self, url: String) {
        let _ = self.callback_url.set(url);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, UploadInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The success body of a finished upload, VoD callback style: `hash`, the object `key`, and
/// the callback's answer relayed as text in `response`.
pub(crate) fn success_body(key: &str, hash: &str) -> serde_json::Value {
    json!({ "key": key, "hash": hash, "response": "{\"success\":0}" })
}

/// Records a finished upload: stores the object and turns a pending asset into a real one.
pub(crate) fn complete(
    shared: &Shared,
    key: &str,
    size: u64,
    hash: &str,
    overwrite: bool,
) -> Result<(), UploadError> {
    shared.uploads.put_object(key, size, hash, overwrite)?;
    let now = shared.clock.now();
    let run_for = shared.task_duration();
    let id = shared.ids.hex32();
    let now_ms = shared.clock.now_millis_time();
    let callback = {
        let mut inner = shared.lock();
        let Some(pending) = inner.pending_uploads.remove(key) else {
            return Ok(());
        };
        register(
            &mut inner, pending, key, size, hash, now, now_ms, run_for, id,
        )
    };
    if let (Some(url), Some(callback)) = (shared.uploads.callback_url.get(), callback) {
        callbacks::deliver(url.clone(), callback);
    }
    Ok(())
}

/// Turns a pending upload into its asset; returns the callback announcing it (`None` only if
/// the asset vanished in between, which the lock rules out).
#[allow(clippy::too_many_arguments)]
fn register(
    inner: &mut super::state::Inner,
    pending: PendingUpload,
    key: &str,
    size: u64,
    hash: &str,
    now: Time,
    now_ms: Time,
    run_for: std::time::Duration,
    id: String,
) -> Option<callbacks::Callback> {
    match pending {
        PendingUpload::Video {
            video_id,
            name,
            categories,
            domain,
            auto_transcode,
            user,
            ..
        } => {
            inner.create_video(video_id.clone(), name, user.clone(), now);
            if let Some(v) = inner.videos.get_mut(&video_id) {
                v.video_size = size;
                v.video_duration = (size / 125_000).max(1);
                v.hash = Some(hash.to_string());
                v.file_key = Some(key.to_string());
                v.categories = categories;
                v.publish_domain = domain;
                v.resolutions = vec![v.source_resolution()];
                v.transcode_state = vod_client::model::TranscodeState::UnencryptedOrNotTranscoded;
            }
            if auto_transcode {
                let kind = super::tasks::TaskKind::Transcode {
                    video_id: video_id.clone(),
                };
                inner.start_task(id, None, kind, run_for, user, now_ms);
            }
            let video = inner.videos.get(&video_id);
            video.map(callbacks::Callback::video)
        }
        PendingUpload::Audio {
            audio_id,
            name,
            domain,
            user,
            url,
        } => {
            let seq = inner.next_seq();
            inner.audios.insert(
                audio_id.clone(),
                model::Audio {
                    audio_id: audio_id.clone(),
                    audio_name: name,
                    create_user: user,
                    audio_size: size,
                    audio_duration: (size / 16_000).max(1),
                    url,
                    suffix: "mp3".into(),
                    create_time: now.clone(),
                    upload_time: now,
                    publish_domain: domain,
                    occupied: false,
                    seq,
                },
            );
            inner.audios.get(&audio_id).map(callbacks::Callback::audio)
        }
        PendingUpload::Material {
            material_id,
            name,
            suffix,
            domain,
            user,
            url,
        } => {
            let seq = inner.next_seq();
            inner.materials.insert(
                material_id.clone(),
                model::Material {
                    id: material_id.clone(),
                    name,
                    suffix,
                    file_size: size,
                    url,
                    create_user: user,
                    create_time: now,
                    publish_domain: domain,
                    occupied: false,
                    seq,
                },
            );
            let material = inner.materials.get(&material_id);
            material.map(callbacks::Callback::material)
        }
    }
}

/// A callback payload as JSON (the same members the list operations answer).
/// Applies fault injection to an upload call; `Some` replaces the answer.
pub(crate) async fn injected(shared: &Shared, operation: &str) -> Option<Response> {
    shared.uploads.calls.count(operation);
    let decision = shared.faults.decide(operation);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.outcome? {
        Injected::Reset => {
            let body = serde_json::to_vec(&success_body("", "")).unwrap_or_default();
            Some(super::faults::reset_response(StatusCode::OK, body))
        }
        Injected::Error(e) => {
            // A business "busy" has no meaning on the storage host; it answers 503 there.
            let status = if e.status == StatusCode::OK {
                503
            } else {
                e.status.as_u16()
            };
            Some(UploadError::new(status, e.message).into_response())
        }
    }
}

/// The upload routes, mounted at `/upload` and at the root.
pub(crate) fn routes(shared: Arc<Shared>) -> Router {
    let routes = Router::new()
        .route("/file/upload", post(form::form_upload))
        .route("/mkblk/{block_size}", post(chunked::mkblk_first))
        .route("/mkblk/{block_size}/{block_index}", post(chunked::mkblk))
        .route("/bput/{ctx}/{offset}", post(chunked::bput))
        .route("/mkfile/{file_size}", post(chunked::mkfile))
        .route("/mkfile/{file_size}/{*extra}", post(chunked::mkfile_extra))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::map_response(add_reqid));
    let routes = routes.with_state(shared);
    Router::new().nest("/upload", routes.clone()).merge(routes)
}

async fn add_reqid(mut response: Response) -> Response {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(value) = HeaderValue::from_str(&format!("emu-upload-{n:012}")) {
        response.headers_mut().insert("X-Reqid", value);
    }
    response
}
