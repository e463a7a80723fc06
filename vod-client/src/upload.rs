//! Uploading files: `client.upload_video("talk.mp4").parallel(4).resume_dir(dir).send().await`.
//!
//! Cloud VoD does not take the bytes itself. `getUploadToken` (or the audio and material token
//! operations) hands out an upload URL and a token for the storage service behind it, and the
//! client then speaks that service's protocol (upload facts §2–§3):
//!
//! * **form upload** (`POST {uploadUrl}/file/upload`) for files up to
//!   [`Upload::form_threshold`] (and always for empty files): one request, streamed;
//! * **block upload** above it: the file is cut into blocks (4 MiB by default); each block is
//!   created with `mkblk` carrying its first chunk and completed with `bput` chunks, up to
//!   [`Upload::parallel`] blocks at once; then `mkfile` joins the blocks' last ctx values.
//!
//! Reading, hashing (CRC-32 and MD5 of each chunk, checked against the answer; SHA-1 of the
//! 4 MiB pieces for the etag) and sending overlap, and memory stays at about two chunks per
//! parallel block whatever the file size. The etag of the bytes sent is compared with the
//! `hash` the service answers, the protocol's only end-to-end check.
//!
//! **Errors** follow the protocol's table (upload facts §5): 5xx and transport failures are
//! resent with backoff (honouring `Retry-After`); a refused ctx (701) restarts its block from
//! `mkblk` at once; 401 "Token Expired" gets a new token for the same `fileId` and continues
//! (a video's; audio and material tokens come one asset per request, so a second request
//! would make a second, empty asset: their expiry fails the upload with a clear
//! [`UploadError`], and a rerun starts over on a fresh asset);
//! 412 on `mkfile` uploads the file again, once; 579 (stored, callback failed) is never
//! repeated. Every [`UploadError`] names the file, step, block and offset.
//!
//! **Resume**: with [`Upload::resume_dir`] (or any [`ResumeStore`]), each finished block is
//! recorded; running the same upload again (in a later process, after a crash or Ctrl-C) sends
//! only the missing blocks, unless the file changed (size, mtime, SHA-1 of the first block).
//!
//! ```no_run
//! # async fn demo(client: vod_client::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let video = client
//!     .upload_video("talk.mp4")
//!     .parallel(4)
//!     .resume_dir(".vod-resume")
//!     .progress(|done, total| eprintln!("{done}/{total}"))
//!     .send()
//!     .await?;
//! println!("{} {}", video.id, video.hash);
//! # Ok(())
//! # }
//! ```

mod blocks;
mod error;
#[doc(hidden)] // shared with the emulator, which computes the same etags
pub mod etag;
mod form;
mod grant;
mod http;
mod progress;
mod resume;
mod source;
mod tokens;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use error::{Cause, Step, UploadError};
pub use etag::{crc32, Etag, PIECE};
pub use progress::{Progress, UploadEvent, UploadEvents};
pub use resume::{FsResumeStore, ResumeStore};
pub use source::UploadSource;

/// A saved state decoded and encoded again (`None`: not usable), for the fuzz targets.
pub(crate) fn resume_state_round_trip(bytes: &[u8]) -> Option<Vec<u8>> {
    resume::State::decode(bytes).map(|state| state.encode())
}

use blocks::{Job, Recorder, Stop};
use grant::{Grant, GrantSource, TokenCell};
use progress::Reporter;
use resume::State;

use crate::model::GetUploadTokenRequest;
use crate::{Client, Error};

/// Files up to this size go in one form upload by default (the etag's piece size: above it,
/// the storage SDKs all switch to blocks).
pub const DEFAULT_FORM_THRESHOLD: u64 = PIECE;
/// Default chunk size of a block upload (a whole default block in one `mkblk`).
pub const DEFAULT_CHUNK_SIZE: u64 = 4 * 1024 * 1024;
/// Default number of blocks in flight.
pub const DEFAULT_PARALLEL: usize = 4;
/// Default number of times one failed request of an upload is resent.
pub const DEFAULT_RETRIES: u32 = 3;

/// A token reused from a resume state must stay valid at least this long.
const TOKEN_MARGIN_MS: i64 = 10 * 60 * 1000;

/// What kind of asset an upload creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    /// A video (`getUploadToken`).
    Video,
    /// An mp3 audio file (`getAudioUploadToken`).
    Audio,
    /// A material: image, document... (`getMaterialUploadToken`).
    Material,
}

/// The result of a successful upload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Uploaded {
    /// What was created.
    pub kind: AssetKind,
    /// The id of the new asset (`videoId`, `audioId` or `materialId`), for later API calls.
    pub id: String,
    /// The storage key the file was stored under.
    pub file_key: String,
    /// The storage service's etag of the stored file (equal to the local one).
    pub hash: String,
    /// Bytes uploaded.
    pub size: u64,
    /// Where the asset is served (audio and materials).
    pub url: Option<String>,
    /// Bytes an earlier, interrupted run had already stored (not sent again).
    pub resumed: u64,
}

/// The old name of an upload builder.
pub type UploadVideo = Upload;

enum Kind {
    Video(Box<GetUploadTokenRequest>),
    Audio { domain: Option<String> },
    Material { domain: Option<String> },
}

/// An upload being configured; see [`Client::upload_video`], [`Client::upload_audio`] and
/// [`Client::upload_material`]. It owns its [`Client`] (a cheap clone), so the future of
/// [`Upload::send`] is `'static + Send` and can be spawned.
///
/// The mode parameter is [`Async`](crate::Async) for uploads made by [`Client`]; those of a
/// `blocking::Client` (feature `blocking`) have the same setters and a blocking `send`.
#[must_use = "an upload does nothing until it is sent"]
pub struct Upload<M = crate::Async> {
    client: Client,
    mode: M,
    source: UploadSource,
    kind: Kind,
    reporter: Reporter,
    form_threshold: u64,
    block_size: u64,
    chunk_size: u64,
    parallel: usize,
    retries: u32,
    retry_delay: Duration,
    store: Option<Arc<dyn ResumeStore>>,
    resume_key: Option<String>,
    cancel: Option<CancellationToken>,
    mime: Option<String>,
    verify_md5: bool,
}

impl<M> std::fmt::Debug for Upload<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("source", &self.source)
            .field("parallel", &self.parallel)
            .field("block_size", &self.block_size)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring the upload of a video: a path, or any [`UploadSource`] (bytes, a
    /// reader of known length).
    pub fn upload_video(&self, source: impl Into<UploadSource>) -> Upload {
        Upload::new(self.clone(), source.into(), AssetKind::Video, crate::Async)
    }

    /// Starts configuring the upload of an mp3 audio file (`getAudioUploadToken`).
    pub fn upload_audio(&self, source: impl Into<UploadSource>) -> Upload {
        Upload::new(self.clone(), source.into(), AssetKind::Audio, crate::Async)
    }

    /// Starts configuring the upload of a material (image, document, ...;
    /// `getMaterialUploadToken`).
    pub fn upload_material(&self, source: impl Into<UploadSource>) -> Upload {
        Upload::new(
            self.clone(),
            source.into(),
            AssetKind::Material,
            crate::Async,
        )
    }
}

impl Upload {
    /// Asks for an upload token and uploads.
    pub async fn send(self) -> Result<Uploaded, UploadError> {
        self.drive().await
    }
}

impl<M> Upload<M> {
    pub(crate) fn new(client: Client, source: UploadSource, kind: AssetKind, mode: M) -> Self {
        let kind = match kind {
            AssetKind::Video => {
                Kind::Video(Box::new(GetUploadTokenRequest::new(source.name.clone())))
            }
            AssetKind::Audio => Kind::Audio { domain: None },
            AssetKind::Material => Kind::Material { domain: None },
        };
        Upload {
            client,
            mode,
            source,
            kind,
            reporter: Reporter::default(),
            form_threshold: DEFAULT_FORM_THRESHOLD,
            block_size: PIECE,
            chunk_size: DEFAULT_CHUNK_SIZE,
            parallel: DEFAULT_PARALLEL,
            retries: DEFAULT_RETRIES,
            retry_delay: Duration::from_millis(250),
            store: None,
            resume_key: None,
            cancel: None,
            mime: None,
            verify_md5: true,
        }
    }

    /// Called whenever more bytes are stored (and once at the start), with
    /// `(bytes done, total bytes)`; blocks finished by an earlier run count as done.
    pub fn progress(mut self, callback: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.reporter.set_callback(Arc::new(callback));
        self
    }

    /// A stream of this upload's [`UploadEvent`]s (start, bytes, finished blocks, resends,
    /// token renewals, the end). It ends when the upload does.
    pub fn events(&mut self) -> UploadEvents {
        self.reporter.subscribe()
    }

    /// The file name the service records; default: the source's name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if let Kind::Video(r) = &mut self.kind {
            r.origin_file_name = name.clone();
        }
        self.source.name = name;
        self
    }

    /// Caller-chosen id (`fileId`, at most 32 characters), the service's precondition for
    /// resuming. Default for videos: derived from the resume key, or random.
    pub fn file_id(self, id: impl Into<String>) -> Self {
        let id = id.into();
        self.token_request(move |r| r.file_id = Some(id))
    }

    /// Publishing domain (`domain`); the account's default when unset.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        let domain = domain.into();
        match &mut self.kind {
            Kind::Video(r) => r.domain = Some(domain),
            Kind::Audio { domain: d } | Kind::Material { domain: d } => *d = Some(domain),
        }
        self
    }

    /// Workflow to run once a video is uploaded (`workflowId`).
    pub fn workflow_id(self, id: impl Into<String>) -> Self {
        let id = id.into();
        self.token_request(move |r| r.workflow_id = Some(id))
    }

    /// Categories to file a video under (`categoryNames`, sent as JSON text).
    pub fn category_names(
        self,
        names: impl IntoIterator<Item = crate::model::CategoryName>,
    ) -> Self {
        let names: Vec<_> = names.into_iter().collect();
        self.token_request(move |r| r.category_names = Some(names))
    }

    /// Any other change to a video's `getUploadToken` request (template, watermark, ...).
    /// Ignored by audio and material uploads.
    pub fn token_request(mut self, edit: impl FnOnce(&mut GetUploadTokenRequest)) -> Self {
        if let Kind::Video(r) = &mut self.kind {
            edit(r);
        }
        self
    }

    /// MIME type to store with the object (sent as `MimeType` / the form part's type).
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// Files up to this many bytes use one form upload; larger ones use blocks. Default 4 MiB.
    pub fn form_threshold(mut self, bytes: u64) -> Self {
        self.form_threshold = bytes;
        self
    }

    /// Block size, rounded up to a multiple of 4 MiB (the storage service hashes 4 MiB pieces
    /// and rejects other block sizes). Default 4 MiB.
    pub fn block_size(mut self, bytes: u64) -> Self {
        self.block_size = bytes.max(1).div_ceil(PIECE).saturating_mul(PIECE);
        self
    }

    /// Bytes per `mkblk`/`bput` request (at least 1; at most the block size). Default 4 MiB.
    /// Memory use is about two chunks per parallel block.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Blocks in flight at once (at least 1). Default 4.
    pub fn parallel(mut self, blocks: usize) -> Self {
        self.parallel = blocks.max(1);
        self
    }

    /// How often one failed request is resent after a transient failure (network error, HTTP
    /// 5xx but 579, 408, 429, a chunk whose checksum does not match). Default 3.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The first pause before a resend; it doubles on each further attempt (capped at 8 s),
    /// and is at least the answer's `Retry-After`.
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// Whether each chunk answer's `checksum` (MD5) is compared with the chunk's own, on top of
    /// its CRC-32 (default: yes). MD5 is the most expensive step on the client (about two thirds
    /// of its CPU time); turning it off leaves the CRC-32 per chunk and the etag of the file.
    pub fn verify_md5(mut self, verify: bool) -> Self {
        self.verify_md5 = verify;
        self
    }

    /// Keeps resume state in `dir` (a [`FsResumeStore`]).
    pub fn resume_dir(self, dir: impl Into<PathBuf>) -> Self {
        self.resume(FsResumeStore::new(dir))
    }

    /// Keeps resume state in `store`. Files and bytes can be resumed; readers cannot.
    pub fn resume(mut self, store: impl ResumeStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// The key the state is saved under (ASCII letters, digits, `-`, `_`). Default: a hash of
    /// the kind, the file's absolute path (or the source's name) and the API endpoint.
    pub fn resume_key(mut self, key: impl Into<String>) -> Self {
        self.resume_key = Some(key.into());
        self
    }

    /// Stops the upload when `token` is cancelled; finished blocks stay in the resume store.
    /// (Dropping the future of [`Upload::send`] does the same.)
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// The mode's means of running the upload (the blocking one's runtime).
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn mode(&self) -> &M {
        &self.mode
    }

    /// The file as error messages name it.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn label(&self) -> String {
        self.source.label()
    }

    /// The upload, stopped early when its cancellation token fires; each mode's `send` runs it.
    pub(crate) async fn drive(self) -> Result<Uploaded, UploadError> {
        let label = self.source.label();
        match self.cancel.clone() {
            Some(token) => tokio::select! {
                result = self.run() => result,
                () = token.cancelled() => Err(UploadError::cancelled(&label)),
            },
            None => self.run().await,
        }
    }

    async fn run(self) -> Result<Uploaded, UploadError> {
        let label = self.source.label();
        let check = |e: Error| UploadError::new(&label, Step::Check, e);
        if self.source.name.is_empty() {
            return Err(check(Error::LocalFile {
                path: label.clone().into(),
                message: "the path names no file".into(),
            }));
        }
        let absolute = self
            .source
            .file_path()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
        let (opened, size, mtime) = source::open(self.source.kind, &label).map_err(check)?;
        let form = size == 0 || size <= self.form_threshold;
        let opened = Arc::new(opened);
        let block_size = self.block_size;
        let kind_name = match self.kind {
            Kind::Video(_) => "video",
            Kind::Audio { .. } => "audio",
            Kind::Material { .. } => "material",
        };

        // Resume state: loaded when the file is unchanged, else started afresh.
        let mut store = None;
        let mut resumed_state = None;
        let mut identity = None;
        if let (Some(s), false, true) = (self.store.clone(), form, opened.seekable()) {
            let where_ = absolute
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| self.source.name.clone());
            let key = self
                .resume_key
                .clone()
                .unwrap_or_else(|| resume::key_for(&[kind_name, &where_, &self.client.endpoint()]));
            let id = opened
                .identity(size, mtime, block_size)
                .await
                .map_err(|e| check(read_failure(&label, e)))?;
            let loaded = s
                .load(&key)
                .map_err(|e| check(Error::Config(format!("cannot read the resume state: {e}"))))?;
            resumed_state = loaded
                .as_deref()
                .and_then(State::decode)
                .filter(|st| st.identity == id && st.block_size == block_size);
            if loaded.is_some() && resumed_state.is_none() {
                tracing::info!(file = %label, "the saved state does not fit this file (it changed, or another version saved it); starting over");
                let _ = s.remove(&key);
            }
            identity = Some(id);
            store = Some((s, key));
        }

        // The token: reused from the state while valid, else asked for (same fileId).
        let file_id = match (&self.kind, &resumed_state) {
            (Kind::Video(r), _) if r.file_id.is_some() => r.file_id.clone(),
            (Kind::Video(_), Some(st)) if st.file_id.is_some() => st.file_id.clone(),
            (Kind::Video(_), _) => Some(match &store {
                Some((_, key)) => key.chars().take(32).collect(),
                None => etag::batch_id(&label),
            }),
            _ => None,
        };
        let grants = match self.kind {
            Kind::Video(mut request) => {
                request.file_id = file_id.clone();
                GrantSource::Video(tokens::VideoGrants {
                    client: self.client.clone(),
                    request: *request,
                })
            }
            Kind::Audio { domain } => GrantSource::Batch(tokens::BatchGrants {
                client: self.client.clone(),
                name: self.source.name.clone(),
                domain,
                audio: true,
            }),
            Kind::Material { domain } => GrantSource::Batch(tokens::BatchGrants {
                client: self.client.clone(),
                name: self.source.name.clone(),
                domain,
                audio: false,
            }),
        };
        let reused = resumed_state.as_ref().map(|st| Grant {
            base: st.upload_url.clone(),
            token: st.token.clone(),
            key: st.file_key.clone(),
            asset_id: st.asset_id.clone(),
            url: st.url.clone(),
        });
        let grant = match reused.filter(|g| g.valid_for(TOKEN_MARGIN_MS)) {
            Some(g) => g,
            None => {
                let fresh = grants
                    .fetch()
                    .await
                    .map_err(|e| UploadError::new(&label, Step::Token, e))?;
                if resumed_state
                    .as_ref()
                    .is_some_and(|st| st.file_key != fresh.key)
                {
                    tracing::info!(file = %label, "a new token names another key; starting over");
                    resumed_state = None;
                }
                fresh
            }
        };
        let state = resumed_state.unwrap_or_else(|| {
            let id = identity.clone().unwrap_or(source::Identity {
                size,
                mtime: None,
                head: String::new(),
            });
            State::new(id, block_size, etag::batch_id(&grant.key))
        });
        let recorder = Arc::new(Recorder {
            store,
            state: Mutex::new(State { file_id, ..state }),
        });
        recorder.set_grant(&grant);

        let http = http::client(&grant.base).map_err(check)?;
        let job = Arc::new(Job {
            http,
            label: label.clone(),
            source: opened,
            size,
            block_size,
            chunk_size: self.chunk_size.min(block_size),
            parallel: self.parallel,
            retries: self.retries,
            retry_delay: self.retry_delay,
            tokens: Arc::new(TokenCell::new(grants, grant)),
            reporter: self.reporter.clone(),
            mime: self.mime.clone(),
            verify_md5: self.verify_md5,
        });
        let resumed: u64 = recorder
            .done()
            .iter()
            .map(|b| blocks::block_len(&job, b.index))
            .sum();
        let (pieces, remote) = if form {
            form::upload(&job, &self.source.name).await?
        } else {
            let mut restarted = false;
            loop {
                match blocks::upload(job.clone(), recorder.clone()).await {
                    Ok(done) => break done,
                    Err(Stop::RestartFile(e)) if !restarted => {
                        tracing::info!(error = %e, "mkfile could not assemble the blocks; uploading again");
                        restarted = true;
                        recorder.restart(etag::batch_id(&label));
                        job.reporter.reset();
                    }
                    Err(Stop::RestartFile(e)) => return Err(e),
                    Err(Stop::Failed(e)) => {
                        if e.step == Step::Mkfile && e.status() == Some(579) {
                            // Stored: a rerun must not join the blocks again.
                            recorder.remove();
                        }
                        return Err(e);
                    }
                }
            }
        };
        let local = etag::etag_from_pieces(&pieces);
        let (_, grant) = job.tokens.get().await;
        let hash = match remote {
            Some(remote) if remote != local => {
                recorder.remove();
                return Err(UploadError::new(
                    &label,
                    Step::Verify,
                    Error::Decode {
                        operation: Step::Verify.operation(),
                        path: "hash".into(),
                        message: format!(
                            "the storage service stored a file with hash {remote}, but the bytes sent hash to {local}"
                        ),
                        body_excerpt: String::new(),
                    },
                ));
            }
            Some(remote) => remote,
            None => local,
        };
        recorder.remove();
        job.reporter
            .event(UploadEvent::Finished { hash: hash.clone() });
        Ok(Uploaded {
            kind: match kind_name {
                "video" => AssetKind::Video,
                "audio" => AssetKind::Audio,
                _ => AssetKind::Material,
            },
            id: grant.asset_id.clone(),
            file_key: grant.key.clone(),
            hash,
            size,
            url: grant.url.clone(),
            resumed,
        })
    }
}

fn read_failure(label: &str, e: std::io::Error) -> Error {
    Error::LocalFile {
        path: label.into(),
        message: e.to_string(),
    }
}

/// The etag of a file on disk, as the storage service computes it.
pub fn file_etag(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut etag = Etag::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(etag.finish());
        }
        etag.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_of_a_file() {
        let path = std::env::temp_dir().join(format!("vod-etag-{}", std::process::id()));
        std::fs::write(&path, b"hello world").unwrap();
        assert_eq!(file_etag(&path).unwrap(), "FiqubDXJT8-0FdvpX0CLnOke6Ebt");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn upload_futures_can_be_spawned() {
        fn spawnable<T: std::future::Future + Send + 'static>(_: &T) {}
        let client = Client::builder()
            .endpoint("http://127.0.0.1:9")
            .credentials("AK", "SK")
            .build()
            .unwrap();
        let future = client.upload_video("a.mp4").parallel(2).send();
        spawnable(&future);
        drop(client);
        drop(future);
    }
}
