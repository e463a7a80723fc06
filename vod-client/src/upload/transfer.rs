//! The storage service's upload protocol: form upload, and `mkblk` / `bput` / `mkfile`.
//!
//! Each request is resent on transient failures (network errors, HTTP 408/429/5xx except 579,
//! which means "stored, but the callback failed" and must not be repeated). A block whose
//! `ctx` the service no longer accepts (701, or 412) is restarted from `mkblk` once. Every
//! error carries the step as its operation name.

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use super::etag::{crc32, Etag};
use super::Progress;
use crate::Error;

/// Step name of a form upload.
pub const STEP_FORM: &str = "upload (file/upload)";
/// Step name of a block's first chunk.
pub const STEP_MKBLK: &str = "upload (mkblk)";
/// Step name of a block's further chunks.
pub const STEP_BPUT: &str = "upload (bput)";
/// Step name of joining the blocks.
pub const STEP_MKFILE: &str = "upload (mkfile)";
/// Step name of reading the local file.
pub const STEP_READ: &str = "upload (read file)";
/// Step name of the final hash comparison.
pub const STEP_VERIFY: &str = "upload (verify hash)";

/// Bytes read from disk per piece of a streamed form upload.
const READ_PIECE: usize = 256 * 1024;

/// Everything one upload needs, fixed before the first byte is sent.
pub struct Plan {
    pub http: reqwest::Client,
    /// `uploadUrl` without a trailing slash.
    pub base: String,
    pub token: String,
    pub file_key: String,
    pub path: PathBuf,
    pub file_name: String,
    pub size: u64,
    pub progress: Option<Progress>,
    /// A multiple of 4 MiB.
    pub block_size: u64,
    /// At most `block_size`.
    pub chunk_size: u64,
    pub retries: u32,
    pub retry_delay: Duration,
}

/// The outcome of one attempt of a request: the body of a 2xx answer, or an error and whether
/// resending may help.
type Attempt = Result<Bytes, (Error, bool)>;

impl Plan {
    fn report(&self, sent: u64) {
        if let Some(progress) = &self.progress {
            progress(sent, self.size);
        }
    }

    fn read_error(&self, e: impl std::fmt::Display) -> Error {
        Error::LocalFile {
            path: self.path.clone(),
            message: format!("{STEP_READ}: {e}"),
        }
    }

    /// Pause before resend number `attempt` (1-based), doubling, capped at 8 s.
    async fn backoff(&self, attempt: u32) {
        let factor = 1u32 << attempt.saturating_sub(1).min(5);
        let delay = self
            .retry_delay
            .saturating_mul(factor)
            .min(Duration::from_secs(8));
        tokio::time::sleep(delay).await;
    }

    /// One form upload; returns (local etag, the service's hash if it sent one).
    pub async fn form_upload(&self) -> Result<(String, Option<String>), Error> {
        let url = format!("{}/file/upload", self.base);
        let mut attempt = 0;
        loop {
            self.report(0);
            let etag = Arc::new(Mutex::new(Etag::new()));
            let read_failure = Arc::new(Mutex::new(None::<String>));
            let file = std::fs::File::open(&self.path).map_err(|e| self.read_error(e))?;
            let stream = file_stream(
                file,
                self.size,
                etag.clone(),
                read_failure.clone(),
                self.progress.clone(),
            );
            let part = reqwest::multipart::Part::stream_with_length(
                reqwest::Body::wrap_stream(stream),
                self.size,
            )
            .file_name(self.file_name.clone())
            .mime_str("application/octet-stream")
            .map_err(|source| Error::Transport {
                operation: STEP_FORM,
                source: source.into(),
            })?;
            let form = reqwest::multipart::Form::new()
                .text("token", self.token.clone())
                .part("file", part);
            let sent = self.http.post(&url).multipart(form).send().await;
            if let Some(message) = read_failure.lock().ok().and_then(|mut m| m.take()) {
                return Err(self.read_error(message));
            }
            match finish(STEP_FORM, sent).await {
                Ok(body) => {
                    let local = match Arc::try_unwrap(etag) {
                        Ok(m) => m.into_inner().unwrap_or_default().finish(),
                        Err(shared) => shared
                            .lock()
                            .map(|e| e.clone().finish())
                            .unwrap_or_default(),
                    };
                    return Ok((local, form_hash(&body)));
                }
                Err((e, retry)) if retry && attempt < self.retries => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "form upload failed; resending");
                    self.backoff(attempt).await;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    /// A block upload; returns (local etag, the service's hash if it sent one).
    pub async fn block_upload(&self) -> Result<(String, Option<String>), Error> {
        let batch = super::etag::batch_id(&self.file_key);
        let mut headers = HeaderMap::new();
        let header = |value: &str, what: &str| {
            HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("{what} is not valid in an HTTP header")))
        };
        headers.insert(AUTHORIZATION, header(&self.token, "the upload token")?);
        headers.insert("UploadBatch", header(&batch, "the upload batch")?);
        let key = base64::engine::general_purpose::URL_SAFE.encode(self.file_key.as_bytes());
        headers.insert("Key", header(&key, "the file key")?);

        let mut file = std::fs::File::open(&self.path).map_err(|e| self.read_error(e))?;
        let mut etag = Etag::new();
        let mut ctxs = Vec::new();
        let mut start = 0u64;
        self.report(0);
        while start < self.size {
            let len = self.block_size.min(self.size - start);
            let (returned, block) = read_block(file, len)
                .await
                .map_err(|e| self.read_error(e))?;
            file = returned;
            etag.update(&block);
            let index = ctxs.len();
            ctxs.push(self.upload_block(&headers, index, start, block).await?);
            start += len;
        }
        let url = format!("{}/mkfile/{}", self.base, self.size);
        let body = ctxs.join(",");
        let mut mkfile_headers = headers.clone();
        mkfile_headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain;charset=UTF-8"),
        );
        let answer = self
            .with_retries(STEP_MKFILE, || {
                self.http
                    .post(&url)
                    .headers(mkfile_headers.clone())
                    .body(body.clone())
                    .send()
            })
            .await?;
        let hash = serde_json::from_slice::<Value>(&answer)
            .ok()
            .and_then(|v| v.get("hash").and_then(Value::as_str).map(str::to_string));
        Ok((etag.finish(), hash))
    }

    /// Uploads one block (chunk by chunk) and returns its last `ctx`. A block whose `ctx` the
    /// service rejects as stale (701 / 412) is restarted from `mkblk` once.
    async fn upload_block(
        &self,
        headers: &HeaderMap,
        index: usize,
        start: u64,
        block: Bytes,
    ) -> Result<String, Error> {
        let mut restarted = false;
        loop {
            match self.try_block(headers, index, start, &block).await {
                Err(e) if !restarted && matches!(status_of(&e), Some(701 | 412)) => {
                    tracing::debug!(error = %e, index, "block context rejected; restarting the block");
                    restarted = true;
                }
                other => return other,
            }
        }
    }

    async fn try_block(
        &self,
        headers: &HeaderMap,
        index: usize,
        start: u64,
        block: &Bytes,
    ) -> Result<String, Error> {
        let block_len = block.len() as u64;
        let chunk = usize::try_from(self.chunk_size).unwrap_or(usize::MAX);
        let mut offset = 0usize;
        let mut ctx = String::new();
        let mut chunk_headers = headers.clone();
        chunk_headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        while offset < block.len() {
            let end = block.len().min(offset.saturating_add(chunk));
            let body = block.slice(offset..end);
            let (step, url) = if offset == 0 {
                (
                    STEP_MKBLK,
                    format!("{}/mkblk/{block_len}/{index}", self.base),
                )
            } else {
                (STEP_BPUT, format!("{}/bput/{ctx}/{offset}", self.base))
            };
            let expected_offset = end as u64;
            let expected_crc = crc32(&body);
            let answer = self
                .with_checked_retries(step, index, || {
                    let request = self
                        .http
                        .post(&url)
                        .headers(chunk_headers.clone())
                        .body(body.clone());
                    async move {
                        let bytes = finish(step, request.send().await).await?;
                        check_chunk(step, index, &bytes, expected_offset, expected_crc)
                    }
                })
                .await?;
            ctx = answer;
            offset = end;
            self.report(start + offset as u64);
        }
        Ok(ctx)
    }

    /// Runs one request until it succeeds, fails for good, or runs out of resends.
    async fn with_retries<F, Fut>(&self, step: &'static str, send: F) -> Result<Bytes, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
    {
        self.with_checked_retries(step, usize::MAX, || async {
            finish(step, send().await).await
        })
        .await
    }

    async fn with_checked_retries<T, F, Fut>(
        &self,
        step: &'static str,
        index: usize,
        attempt_once: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, (Error, bool)>>,
    {
        let mut attempt = 0;
        loop {
            match attempt_once().await {
                Ok(value) => return Ok(value),
                Err((e, retry)) if retry && attempt < self.retries => {
                    attempt += 1;
                    tracing::debug!(error = %e, step, block = index, attempt, "upload request failed; resending");
                    self.backoff(attempt).await;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }
}

/// The body of a 2xx answer, or the error (with "worth resending?").
async fn finish(step: &'static str, sent: Result<reqwest::Response, reqwest::Error>) -> Attempt {
    let response = sent.map_err(|source| {
        (
            Error::Transport {
                operation: step,
                source: source.into(),
            },
            true,
        )
    })?;
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("X-Reqid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.bytes().await.map_err(|source| {
        (
            Error::Transport {
                operation: step,
                source: source.into(),
            },
            true,
        )
    })?;
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let retry = matches!(status, 408 | 429 | 599) || (status >= 500 && status != 579);
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let code = parsed.as_ref().and_then(|v| match v.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string));
    let error = match (code, message) {
        (Some(code), Some(message)) => Error::Service {
            operation: step,
            code,
            message,
            request_id,
            http_status: status,
        },
        _ => Error::Http {
            operation: step,
            status,
            request_id,
            body_excerpt: crate::error::excerpt(&body, 512),
        },
    };
    Err((error, retry))
}

/// Reads a chunk answer `{ctx, offset, crc32?, checksum?}` and checks that the service got the
/// whole chunk (offset) intact (CRC-32, when reported). A CRC mismatch is worth resending.
fn check_chunk(
    step: &'static str,
    index: usize,
    body: &[u8],
    expected_offset: u64,
    expected_crc: u32,
) -> Result<String, (Error, bool)> {
    let decode = |path: &str, message: String| Error::Decode {
        operation: step,
        path: path.to_string(),
        message: format!("block {index}: {message}"),
        body_excerpt: crate::error::excerpt(body, 512),
    };
    let value: Value =
        serde_json::from_slice(body).map_err(|e| (decode("", format!("not JSON: {e}")), false))?;
    let ctx = value
        .get("ctx")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| (decode("ctx", "missing".into()), false))?
        .to_string();
    let offset = value.get("offset").and_then(lenient_u64);
    if offset != Some(expected_offset) {
        return Err((
            decode(
                "offset",
                format!(
                    "expected {expected_offset}, got {}",
                    value.get("offset").unwrap_or(&Value::Null)
                ),
            ),
            false,
        ));
    }
    if let Some(crc) = value.get("crc32").and_then(lenient_u64) {
        if crc != u64::from(expected_crc) {
            return Err((
                decode(
                    "crc32",
                    format!("expected {expected_crc}, got {crc}: chunk damaged in transit"),
                ),
                true,
            ));
        }
    }
    Ok(ctx)
}

fn lenient_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The hash in a form upload's answer: JSON `{"hash": ...}`, or (plain storage without a
/// callback) URL-safe base64 of `hash=...&...`.
fn form_hash(body: &[u8]) -> Option<String> {
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        return value
            .get("hash")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    let decoded = base64::engine::general_purpose::URL_SAFE
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    decoded
        .split('&')
        .find_map(|pair| pair.strip_prefix("hash="))
        .map(str::to_string)
}

/// The HTTP status an upload error came with, if any.
fn status_of(error: &Error) -> Option<u16> {
    match error {
        Error::Service { code, .. } => u16::try_from(*code).ok(),
        Error::Http { status, .. } => Some(*status),
        _ => None,
    }
}

/// Reads the next `len` bytes of `file` on the blocking pool (the file comes back for the next
/// block).
async fn read_block(mut file: std::fs::File, len: u64) -> Result<(std::fs::File, Bytes), String> {
    let len = usize::try_from(len).map_err(|_| "block too large for memory".to_string())?;
    tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; len];
        file.read_exact(&mut buf)
            .map_err(|e| format!("{e} (did the file change during the upload?)"))?;
        Ok((file, Bytes::from(buf)))
    })
    .await
    .map_err(|e| format!("reader task failed: {e}"))?
}

/// The file as a stream of pieces for a form upload: read on the blocking pool, fed into the
/// etag and reported to the progress callback as they go out. A read failure is recorded in
/// `failure`, so the caller can name it instead of the transport error it causes.
fn file_stream(
    file: std::fs::File,
    len: u64,
    etag: Arc<Mutex<Etag>>,
    failure: Arc<Mutex<Option<String>>>,
    progress: Option<Progress>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::unfold(Some((file, 0u64)), move |state| {
        let (etag, failure, progress) = (etag.clone(), failure.clone(), progress.clone());
        async move {
            let (mut file, sent) = state?;
            if sent >= len {
                return None;
            }
            let want = usize::try_from(len - sent)
                .unwrap_or(READ_PIECE)
                .min(READ_PIECE);
            let read = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; want];
                file.read_exact(&mut buf).map(|()| (file, buf))
            })
            .await;
            match read {
                Ok(Ok((file, buf))) => {
                    if let Ok(mut e) = etag.lock() {
                        e.update(&buf);
                    }
                    let sent = sent + buf.len() as u64;
                    if let Some(progress) = &progress {
                        progress(sent, len);
                    }
                    Some((Ok(Bytes::from(buf)), Some((file, sent))))
                }
                Ok(Err(e)) => {
                    let message = format!("{e} (did the file change during the upload?)");
                    if let Ok(mut f) = failure.lock() {
                        *f = Some(message.clone());
                    }
                    Some((Err(std::io::Error::other(message)), None))
                }
                Err(e) => {
                    let message = format!("reader task failed: {e}");
                    if let Ok(mut f) = failure.lock() {
                        *f = Some(message.clone());
                    }
                    Some((Err(std::io::Error::other(message)), None))
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_answers_in_both_shapes() {
        assert_eq!(
            form_hash(br#"{"hash":"Fabc","response":"{\"success\":0}"}"#).as_deref(),
            Some("Fabc")
        );
        // base64url("hash=Fq2kv_iyh6W_ULblz5JXYwBiEVMN"), from the storage service's trace.
        assert_eq!(
            form_hash(b"aGFzaD1GcTJrdl9peWg2V19VTGJsejVKWFl3QmlFVk1O").as_deref(),
            Some("Fq2kv_iyh6W_ULblz5JXYwBiEVMN")
        );
        assert_eq!(form_hash(b"\xff"), None);
    }

    #[test]
    fn chunk_answers_are_checked() {
        let crc = crc32(b"hello world");
        let ok = format!(r#"{{"ctx":"c1","offset":11,"crc32":{crc}}}"#);
        assert_eq!(
            check_chunk(STEP_MKBLK, 0, ok.as_bytes(), 11, crc).unwrap(),
            "c1"
        );
        let stringly = format!(r#"{{"ctx":"c1","offset":"11","crc32":"{crc}"}}"#);
        assert!(check_chunk(STEP_MKBLK, 0, stringly.as_bytes(), 11, crc).is_ok());
        let (e, retry) = check_chunk(
            STEP_BPUT,
            2,
            br#"{"ctx":"c","offset":11,"crc32":1}"#,
            11,
            crc,
        )
        .unwrap_err();
        assert!(retry);
        assert!(
            e.to_string().contains("upload (bput)") && e.to_string().contains("block 2"),
            "{e}"
        );
        let (e, retry) =
            check_chunk(STEP_BPUT, 0, br#"{"ctx":"c","offset":5}"#, 11, crc).unwrap_err();
        assert!(!retry && e.to_string().contains("offset"), "{e}");
        assert!(check_chunk(STEP_BPUT, 0, br#"{"offset":11}"#, 11, crc).is_err());
    }
}
