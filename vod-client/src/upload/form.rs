//! Form upload: `POST {uploadUrl}/file/upload`, multipart `token` then `file`, the file part
//! streamed from its source with an exact length (so `Content-Length` is sent and the file is
//! never held in memory) and hashed on the way out.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;

use super::blocks::{renew, Job};
use super::error::{Step, UploadError};
use super::etag::PieceHasher;
use super::http::{self, Action, Failed};
use super::progress::UploadEvent;
use crate::Error;

/// Bytes read per piece of a streamed form upload.
const READ_PIECE: usize = 256 * 1024;

/// One form upload (resent on transient failures); returns the etag pieces and the service's hash.
pub(crate) async fn upload(
    job: &Job,
    file_name: &str,
) -> Result<(Vec<[u8; 20]>, Option<String>), UploadError> {
    let (mut attempts, mut renewals) = (0u32, 0u32);
    let fail = |e: Error| UploadError::new(&job.label, Step::Form, e);
    loop {
        job.reporter.start(job.size, 1, 0);
        let (generation, grant) = job.tokens.get().await;
        let hasher = Arc::new(Mutex::new(PieceHasher::default()));
        let read_failure = Arc::new(Mutex::new(None::<std::io::Error>));
        let stream = file_stream(job, hasher.clone(), read_failure.clone());
        let part = reqwest::multipart::Part::stream_with_length(
            reqwest::Body::wrap_stream(stream),
            job.size,
        )
        .file_name(file_name.to_string())
        .mime_str(job.mime.as_deref().unwrap_or("application/octet-stream"))
        .map_err(|source| {
            fail(Error::Transport {
                operation: Step::Form.operation(),
                source: source.into(),
            })
        })?;
        let form = reqwest::multipart::Form::new()
            .text("token", grant.token.clone())
            .part("file", part);
        let url = format!("{}/file/upload", grant.base);
        let sent = job.http.post(&url).multipart(form).send().await;
        if let Some(e) = read_failure.lock().ok().and_then(|mut m| m.take()) {
            return Err(UploadError::new(
                &job.label,
                Step::Read,
                Error::LocalFile {
                    path: job.label.clone().into(),
                    message: format!("{e} (did the file change during the upload?)"),
                },
            ));
        }
        let Failed { error, action } = match http::finish(Step::Form.operation(), false, sent).await
        {
            Ok(body) => {
                let pieces = std::mem::take(
                    &mut *hasher
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                )
                .finish();
                return Ok((pieces, form_hash(&body)));
            }
            Err(failed) => failed,
        };
        match action {
            Action::Resend(asked) if attempts < job.retries => {
                attempts += 1;
                job.reporter.event(UploadEvent::Retrying {
                    step: Step::Form.as_str(),
                    block: None,
                    error: error.to_string(),
                });
                tokio::time::sleep(http::backoff(job.retry_delay, attempts, asked)).await;
            }
            Action::RenewToken if renewals < 3 => {
                renewals += 1;
                renew(job, generation, error).await?;
            }
            _ => return Err(fail(error)),
        }
    }
}

/// The source as a stream of pieces, hashed and reported as they go out. A read failure is
/// kept in `failure`, so the caller can name it instead of the transport error it causes.
fn file_stream(
    job: &Job,
    hasher: Arc<Mutex<PieceHasher>>,
    failure: Arc<Mutex<Option<std::io::Error>>>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let (source, len, reporter) = (job.source.clone(), job.size, job.reporter.clone());
    futures_util::stream::unfold(Some(0u64), move |state| {
        let (source, hasher, failure, reporter) = (
            source.clone(),
            hasher.clone(),
            failure.clone(),
            reporter.clone(),
        );
        async move {
            let sent = state?;
            if sent >= len {
                return None;
            }
            let want = usize::try_from(len - sent)
                .unwrap_or(READ_PIECE)
                .min(READ_PIECE);
            match source.read_at(sent, want).await {
                Ok(bytes) => {
                    hasher
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .update(&bytes);
                    reporter.add(bytes.len() as u64);
                    Some((Ok(bytes), Some(sent + want as u64)))
                }
                Err(e) => {
                    let message = e.to_string();
                    if let Ok(mut f) = failure.lock() {
                        *f = Some(e);
                    }
                    Some((Err(std::io::Error::other(message)), None))
                }
            }
        }
    })
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
}
