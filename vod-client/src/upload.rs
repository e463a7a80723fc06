//! Uploading a video file: `client.upload_video("talk.mp4").send().await`.
//!
//! Cloud VoD does not take the bytes itself. `getUploadToken` hands out an upload URL and a
//! token for the storage service behind it, and the client then speaks that service's protocol:
//!
//! * **form upload** (`POST {uploadUrl}/file/upload`, multipart `token` + `file`) for files up to
//!   [`UploadVideo::form_threshold`]: one request, the file streamed from disk (its length is
//!   known, so `Content-Length` is exact and the file is never held in memory);
//! * **block upload** above it: the file is cut into 4 MiB blocks; each block is created with
//!   `mkblk` carrying its first chunk and completed with `bput` chunks (each needs the `ctx` of
//!   the previous one, so chunks of a block are sequential), then `mkfile` joins the blocks'
//!   last `ctx` values. Only one block is in memory at a time, so a failed chunk can be resent
//!   (and a block restarted) without reading the disk again.
//!
//! Both paths feed the exact bytes sent into the storage service's etag (see the `etag` module) and
//! compare it with the `hash` the service answers, which is the protocol's only end-to-end
//! integrity check. Every failure names its step (`upload (bput)`, ...) in the error's
//! operation, so a log line says where the upload stopped.

mod etag;
mod transfer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use etag::{Etag, PIECE};

use crate::model::GetUploadTokenRequest;
use crate::{Client, Error};

/// A progress callback: `(bytes sent, total bytes)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync + 'static>;

/// Files up to this size go in one form upload by default (the etag's piece size: above it,
/// the storage SDKs all switch to blocks).
pub const DEFAULT_FORM_THRESHOLD: u64 = PIECE;
/// Default chunk size of a block upload.
pub const DEFAULT_CHUNK_SIZE: u64 = 1024 * 1024;
/// Default number of times one failed request of an upload is resent.
pub const DEFAULT_RETRIES: u32 = 3;

/// The result of a successful upload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadedVideo {
    /// The id of the new video, for later API calls.
    pub video_id: String,
    /// The storage key the file was stored under.
    pub file_key: String,
    /// The storage service's etag of the stored file (checked against the local one).
    pub hash: String,
    /// Bytes uploaded.
    pub size: u64,
}

type TokenEdit<'a> = Box<dyn FnOnce(&mut GetUploadTokenRequest) + Send + 'a>;

/// A video upload being configured; see [`Client::upload_video`].
#[must_use = "an upload does nothing until `send` is awaited"]
pub struct UploadVideo<'a> {
    client: &'a Client,
    path: PathBuf,
    file_name: Option<String>,
    edits: Vec<TokenEdit<'a>>,
    progress: Option<Progress>,
    form_threshold: u64,
    block_size: u64,
    chunk_size: u64,
    retries: u32,
    retry_delay: Duration,
}

impl Client {
    /// Starts configuring the upload of the video file at `path`.
    pub fn upload_video(&self, path: impl AsRef<Path>) -> UploadVideo<'_> {
        UploadVideo {
            client: self,
            path: path.as_ref().to_path_buf(),
            file_name: None,
            edits: Vec::new(),
            progress: None,
            form_threshold: DEFAULT_FORM_THRESHOLD,
            block_size: PIECE,
            chunk_size: DEFAULT_CHUNK_SIZE,
            retries: DEFAULT_RETRIES,
            retry_delay: Duration::from_millis(250),
        }
    }
}

impl<'a> UploadVideo<'a> {
    /// Called after every piece of the file the storage service accepted (and once with 0
    /// at the start), with `(bytes sent, total bytes)`.
    pub fn progress(mut self, callback: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// The file name the service records (`originFileName`); default: the path's file name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Caller-chosen id (`fileId`, at most 32 characters) that the service documents as the
    /// precondition of resumable uploads.
    pub fn file_id(self, id: impl Into<String>) -> Self {
        let id = id.into();
        self.token_request(move |r| r.file_id = Some(id))
    }

    /// Publishing domain of the video (`domain`); the account's default when unset.
    pub fn domain(self, domain: impl Into<String>) -> Self {
        let domain = domain.into();
        self.token_request(move |r| r.domain = Some(domain))
    }

    /// Workflow to run once the upload is complete (`workflowId`).
    pub fn workflow_id(self, id: impl Into<String>) -> Self {
        let id = id.into();
        self.token_request(move |r| r.workflow_id = Some(id))
    }

    /// Categories to file the video under (`categoryNames`, sent as JSON text).
    pub fn category_names(
        self,
        names: impl IntoIterator<Item = crate::model::CategoryName>,
    ) -> Self {
        let names: Vec<_> = names.into_iter().collect();
        self.token_request(move |r| r.category_names = Some(names))
    }

    /// Any other change to the `getUploadToken` request (transcoding template, watermark, ...).
    pub fn token_request(
        mut self,
        edit: impl FnOnce(&mut GetUploadTokenRequest) + Send + 'a,
    ) -> Self {
        self.edits.push(Box::new(edit));
        self
    }

    /// Files up to this many bytes use one form upload; larger ones use blocks. Default 4 MiB.
    pub fn form_threshold(mut self, bytes: u64) -> Self {
        self.form_threshold = bytes;
        self
    }

    /// Block size of a block upload, rounded up to a multiple of 4 MiB (the storage service
    /// computes its hash on 4 MiB pieces and rejects other block sizes). Default 4 MiB.
    pub fn block_size(mut self, bytes: u64) -> Self {
        self.block_size = bytes.max(1).div_ceil(PIECE).saturating_mul(PIECE);
        self
    }

    /// Bytes per `mkblk`/`bput` request of a block upload (at least 1; at most the block
    /// size). Default 1 MiB.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// How often one failed request (a chunk, the form, `mkfile`) is resent after a transient
    /// failure (network error, HTTP 5xx, a chunk whose CRC does not match). Default 3.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The first pause before a resend; it doubles on each further attempt (capped at 8 s).
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// Asks for an upload token and uploads the file.
    pub async fn send(self) -> Result<UploadedVideo, Error> {
        let path = self.path.clone();
        let size = file_size(&path)?;
        let name = match &self.file_name {
            Some(name) => name.clone(),
            None => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| Error::LocalFile {
                    path: path.to_path_buf(),
                    message: "the path names no file".into(),
                })?,
        };
        let mut builder = self.client.get_upload_token(name.clone());
        for edit in self.edits {
            edit(builder.request_mut());
        }
        let token = builder.send().await?;
        let base = normalize_base(&token.upload_url);
        let plan = transfer::Plan {
            http: upload_http(&base)?,
            base,
            token: token.upload_token.clone(),
            file_key: token.file_key.clone(),
            path,
            file_name: name,
            size,
            progress: self.progress,
            block_size: self.block_size,
            chunk_size: self.chunk_size.min(self.block_size),
            retries: self.retries,
            retry_delay: self.retry_delay,
        };
        let (local, remote) = if size <= self.form_threshold {
            plan.form_upload().await?
        } else {
            plan.block_upload().await?
        };
        let hash = match remote {
            Some(remote) if remote != local => {
                return Err(Error::Decode {
                    operation: transfer::STEP_VERIFY,
                    path: "hash".into(),
                    message: format!(
                        "the storage service stored a file with hash {remote}, but the bytes sent hash to {local}"
                    ),
                    body_excerpt: String::new(),
                })
            }
            Some(remote) => remote,
            None => local,
        };
        Ok(UploadedVideo {
            video_id: token.video_id.to_string(),
            file_key: token.file_key.clone(),
            hash,
            size,
        })
    }
}

/// The etag of a file on disk, as the storage service computes it.
pub fn file_etag(path: &Path) -> std::io::Result<String> {
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

fn file_size(path: &Path) -> Result<u64, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::LocalFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if !meta.is_file() {
        return Err(Error::LocalFile {
            path: path.to_path_buf(),
            message: "not a regular file".into(),
        });
    }
    Ok(meta.len())
}

/// The HTTP client of the upload host. It is not the API client's: uploads need no request
/// timeout (a large chunk on a slow link may take minutes), only connect and read timeouts,
/// and a loopback upload host (the emulator) must bypass proxies.
fn upload_http(base: &str) -> Result<reqwest::Client, Error> {
    let loopback = reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| {
            let bare = h.trim_start_matches('[').trim_end_matches(']');
            bare.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!(
            "vod-client/",
            env!("CARGO_PKG_VERSION"),
            " (upload)"
        ))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(120));
    if loopback {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot set up the upload HTTP client: {e}")))
}

/// `uploadUrl` as a base URL: a scheme added when missing (the storage SDKs do the same; HTTPS,
/// since the token travels with every request) and trailing slashes removed.
fn normalize_base(upload_url: &str) -> String {
    let url = upload_url.trim();
    let url = if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    };
    url.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(normalize_base("http://h:1/"), "http://h:1");
        assert_eq!(
            normalize_base(" upload.example.com "),
            "https://upload.example.com"
        );
        assert_eq!(normalize_base("https://h/up//"), "https://h/up");
    }

    #[test]
    fn etag_of_a_file() {
        let path = std::env::temp_dir().join(format!("vod-etag-{}", std::process::id()));
        std::fs::write(&path, b"hello world").unwrap();
        assert_eq!(file_etag(&path).unwrap(), "FiqubDXJT8-0FdvpX0CLnOke6Ebt");
        let _ = std::fs::remove_file(&path);
    }
}
