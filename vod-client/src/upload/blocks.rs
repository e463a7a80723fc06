//! Block upload: `mkblk` / `bput` per block, several blocks at once, then `mkfile`.
//!
//! Up to `parallel` blocks are in flight; the chunks of one block go in order (each needs the
//! previous ctx). A worker reads and checksums its next chunk on the blocking pool while the
//! current one is on the wire, so reading, hashing and sending overlap and memory stays at
//! about two chunks per worker. Finished blocks are recorded (resume) as they complete.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use futures_util::StreamExt as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use super::error::{Step, UploadError};
use super::etag::PieceHasher;
use super::grant::{Grant, TokenCell};
use super::http::{self, Action, Failed};
use super::progress::{Reporter, UploadEvent};
use super::resume::{DoneBlock, ResumeStore, State};
use super::source::{Chunk, Opened, Sums};
use crate::Error;

/// How often one block is restarted from `mkblk` after its ctx was refused.
const MAX_BLOCK_RESTARTS: u32 = 3;
/// How often one request is resent with a renewed token.
const MAX_RENEWALS: u32 = 3;

/// Everything the blocks of one upload share.
pub(crate) struct Job {
    pub(crate) http: reqwest::Client,
    pub(crate) label: String,
    pub(crate) source: Arc<Opened>,
    pub(crate) size: u64,
    pub(crate) block_size: u64,
    pub(crate) chunk_size: u64,
    pub(crate) parallel: usize,
    pub(crate) retries: u32,
    pub(crate) retry_delay: Duration,
    pub(crate) tokens: Arc<TokenCell>,
    pub(crate) reporter: Reporter,
    pub(crate) mime: Option<String>,
    pub(crate) verify_md5: bool,
}

/// The resume state of an upload and where it is saved (no store: kept in memory only).
pub(crate) struct Recorder {
    pub(crate) store: Option<(Arc<dyn ResumeStore>, String)>,
    pub(crate) state: Mutex<State>,
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn batch(&self) -> String {
        self.lock().batch.clone()
    }

    pub(crate) fn done(&self) -> Vec<DoneBlock> {
        self.lock().blocks.clone()
    }

    /// Records the grant in use (saved with the next block).
    pub(crate) fn set_grant(&self, grant: &Grant) {
        let mut state = self.lock();
        state.upload_url = grant.base.clone();
        state.token = grant.token.clone();
        state.file_key = grant.key.clone();
        state.asset_id = grant.asset_id.clone();
        state.url = grant.url.clone();
    }

    fn finish_block(&self, block: DoneBlock, grant: &Grant) -> std::io::Result<()> {
        let bytes = {
            let mut state = self.lock();
            state.token = grant.token.clone();
            state.add_block(block);
            // The state grows with every block: encoding it with no store to save it in would
            // cost time quadratic in the number of blocks, for nothing.
            self.store.as_ref().map(|_| state.encode())
        };
        match (&self.store, bytes) {
            (Some((store, key)), Some(bytes)) => store.save(key, &bytes),
            _ => Ok(()),
        }
    }

    /// Forgets every block and starts a new batch (after a 412 on `mkfile`).
    pub(crate) fn restart(&self, batch: String) {
        let mut state = self.lock();
        state.blocks.clear();
        state.batch = batch;
    }

    pub(crate) fn remove(&self) {
        if let Some((store, key)) = &self.store {
            if let Err(e) = store.remove(key) {
                tracing::warn!(error = %e, "cannot remove the upload's resume state");
            }
        }
    }
}

/// How a block upload ended, when it did not succeed.
pub(crate) enum Stop {
    /// `mkfile` answered 412: the whole file must go again.
    RestartFile(UploadError),
    Failed(UploadError),
}

impl From<UploadError> for Stop {
    fn from(e: UploadError) -> Stop {
        Stop::Failed(e)
    }
}

/// Sends the missing blocks and `mkfile`; returns the file's etag pieces and the service's hash.
pub(crate) async fn upload(
    job: Arc<Job>,
    rec: Arc<Recorder>,
) -> Result<(Vec<[u8; 20]>, Option<String>), Stop> {
    let count = job.size.div_ceil(job.block_size);
    let count = u32::try_from(count).map_err(|_| {
        UploadError::new(
            &job.label,
            Step::Check,
            Error::Config("the file has more than 2^32 blocks; use a larger block size".into()),
        )
    })?;
    let mut done: BTreeMap<u32, DoneBlock> = rec.done().into_iter().map(|b| (b.index, b)).collect();
    done.retain(|i, _| *i < count);
    let resumed: u64 = done.keys().map(|i| block_len(&job, *i)).sum();
    job.reporter.start(job.size, count, resumed);
    let todo: Vec<u32> = (0..count).filter(|i| !done.contains_key(i)).collect();
    let batch = rec.batch();
    let inputs = futures_util::stream::iter(todo).then(|index| {
        let job = job.clone();
        async move {
            if job.source.seekable() {
                return (index, Ok(None));
            }
            let start = u64::from(index) * job.block_size;
            let len = block_len(&job, index) as usize;
            let read = job.source.read_forward(start, len).await;
            let read = read
                .map(Some)
                .map_err(|e| read_error(&job, e).at(index, start));
            (index, read)
        }
    });
    let running = inputs
        .map(|(index, data)| {
            let (job, batch) = (job.clone(), batch.clone());
            async move { upload_block(&job, &batch, index, data?).await }
        })
        .buffer_unordered(job.parallel.max(1));
    let mut running = std::pin::pin!(running);
    while let Some(finished) = running.next().await {
        let (index, block, grant) = finished?;
        rec.finish_block(block.clone(), &grant).map_err(|e| {
            UploadError::new(
                &job.label,
                Step::Resume,
                Error::Config(format!("cannot save the resume state: {e}")),
            )
        })?;
        job.reporter.block_done(index);
        done.insert(index, block);
    }
    let mut pieces = Vec::new();
    let mut ctxs = Vec::with_capacity(done.len());
    for block in done.values() {
        let digests = block.digests().ok_or_else(|| {
            UploadError::new(
                &job.label,
                Step::Resume,
                Error::Config("the resume state holds a malformed piece digest".into()),
            )
        })?;
        pieces.extend(digests);
        ctxs.push(block.ctx.as_str());
    }
    let hash = mkfile(&job, &batch, &ctxs.join(",")).await?;
    Ok((pieces, hash))
}

/// The length of block `index` (0 for an index past the end of the file).
pub(crate) fn block_len(job: &Job, index: u32) -> u64 {
    let start = u64::from(index) * job.block_size;
    job.block_size.min(job.size.saturating_sub(start))
}

fn read_error(job: &Job, e: std::io::Error) -> UploadError {
    UploadError::new(
        &job.label,
        Step::Read,
        Error::LocalFile {
            path: job.label.clone().into(),
            message: format!("{e} (did the file change during the upload?)"),
        },
    )
}

/// The headers of every multipart call.
fn headers(grant: &Grant, batch: &str, content_type: &'static str) -> Result<HeaderMap, Error> {
    let value = |v: &str, what: &str| {
        HeaderValue::from_str(v)
            .map_err(|_| Error::Config(format!("{what} is not valid in an HTTP header")))
    };
    let mut h = HeaderMap::new();
    h.insert(AUTHORIZATION, value(&grant.token, "the upload token")?);
    h.insert("UploadBatch", value(batch, "the upload batch")?);
    let key = base64::engine::general_purpose::URL_SAFE.encode(grant.key.as_bytes());
    h.insert("Key", value(&key, "the file key")?);
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(h)
}

/// Why a block attempt ended.
enum BlockFail {
    /// The ctx was refused: start the block again.
    Restart(UploadError),
    Fatal(UploadError),
}

/// One block, restarted from `mkblk` when its ctx is refused.
async fn upload_block(
    job: &Job,
    batch: &str,
    index: u32,
    data: Option<Bytes>,
) -> Result<(u32, DoneBlock, Arc<Grant>), UploadError> {
    let mut restarts = 0;
    loop {
        let mut sent = 0u64;
        match try_block(job, batch, index, data.as_ref(), &mut sent).await {
            Ok((ctx, pieces, grant)) => {
                return Ok((index, DoneBlock::new(index, ctx, &pieces), grant))
            }
            Err(BlockFail::Restart(e)) if restarts < MAX_BLOCK_RESTARTS => {
                restarts += 1;
                tracing::debug!(error = %e, block = index, "ctx refused; restarting the block");
                job.reporter.take_back(sent);
                job.reporter.event(UploadEvent::BlockRestarted { index });
            }
            Err(BlockFail::Restart(e) | BlockFail::Fatal(e)) => return Err(e),
        }
    }
}

async fn try_block(
    job: &Job,
    batch: &str,
    index: u32,
    data: Option<&Bytes>,
    sent: &mut u64,
) -> Result<(String, Vec<[u8; 20]>, Arc<Grant>), BlockFail> {
    let start = u64::from(index) * job.block_size;
    let len = block_len(job, index);
    let read = |offset: u64| {
        let n = job.chunk_size.min(len - offset) as usize;
        async move {
            match data {
                Some(buf) => Ok(buf.slice(offset as usize..offset as usize + n)),
                None => job.source.read_at(start + offset, n).await,
            }
        }
    };
    let fatal_read = |e, offset| BlockFail::Fatal(read_error(job, e).at(index, start + offset));
    let first = read(0).await.map_err(|e| fatal_read(e, 0))?;
    let mut chunk = Chunk::start(first, PieceHasher::default(), job.verify_md5);
    let mut offset = 0u64;
    let mut ctx = String::new();
    loop {
        let next = offset + chunk.bytes.len() as u64;
        // Read the next chunk while this one is on the wire (and being checksummed).
        let ahead = async {
            if next < len {
                Some(read(next).await)
            } else {
                None
            }
        };
        let send = send_chunk(job, batch, index, len, offset, &ctx, &mut chunk);
        let (answer, ahead) = tokio::join!(send, ahead);
        let (new_ctx, grant) = answer?;
        ctx = new_ctx;
        let chunk_len = chunk.bytes.len() as u64;
        *sent += chunk_len;
        job.reporter.add(chunk_len);
        let hasher = chunk
            .into_hasher()
            .await
            .map_err(|e| fatal_read(e, offset))?;
        offset = next;
        match ahead {
            None => return Ok((ctx, hasher.finish(), grant)),
            Some(Ok(bytes)) => chunk = Chunk::start(bytes, hasher, job.verify_md5),
            Some(Err(e)) => return Err(fatal_read(e, next)),
        }
    }
}

/// Sends one chunk (`mkblk` at offset 0, else `bput`) until it is accepted or fails for good.
async fn send_chunk(
    job: &Job,
    batch: &str,
    index: u32,
    block_len: u64,
    offset: u64,
    ctx: &str,
    chunk: &mut Chunk,
) -> Result<(String, Arc<Grant>), BlockFail> {
    let step = if offset == 0 { Step::Mkblk } else { Step::Bput };
    let position = u64::from(index) * job.block_size + offset;
    let fail = |e: Error| UploadError::new(&job.label, step, e).at(index, position);
    let (mut attempts, mut renewals) = (0u32, 0u32);
    let expected_offset = offset + chunk.bytes.len() as u64;
    loop {
        let (generation, grant) = job.tokens.get().await;
        let url = if offset == 0 {
            format!("{}/mkblk/{block_len}/{index}", grant.base)
        } else {
            format!("{}/bput/{ctx}/{offset}", grant.base)
        };
        let headers = headers(&grant, batch, "application/octet-stream")
            .map_err(|e| BlockFail::Fatal(fail(e)))?;
        let sent = job
            .http
            .post(&url)
            .headers(headers)
            .body(chunk.bytes.clone())
            .send()
            .await;
        let outcome = match http::finish(step.operation(), false, sent).await {
            Ok(body) => {
                let sums = chunk
                    .sums()
                    .await
                    .map_err(|e| BlockFail::Fatal(read_error(job, e).at(index, position)))?;
                check_chunk(step, index, &body, expected_offset, &sums)
            }
            Err(failed) => Err(failed),
        };
        let Failed { error, action } = match outcome {
            Ok(ctx) => return Ok((ctx, grant)),
            Err(failed) => failed,
        };
        match action {
            Action::Resend(asked) if attempts < job.retries => {
                attempts += 1;
                job.reporter.event(UploadEvent::Retrying {
                    step: step.as_str(),
                    block: Some(index),
                    error: error.to_string(),
                });
                tracing::debug!(%error, block = index, attempts, "chunk failed; resending");
                tokio::time::sleep(http::backoff(job.retry_delay, attempts, asked)).await;
            }
            Action::RenewToken if renewals < MAX_RENEWALS => {
                renewals += 1;
                renew(job, generation, error)
                    .await
                    .map_err(|e| BlockFail::Fatal(e.at(index, position)))?;
            }
            Action::RestartBlock | Action::RestartFile => {
                return Err(BlockFail::Restart(fail(error)))
            }
            _ => return Err(BlockFail::Fatal(fail(error))),
        }
    }
}

/// Replaces an expired token; an error when the source cannot renew for the same asset.
pub(crate) async fn renew(job: &Job, generation: u64, expired: Error) -> Result<(), UploadError> {
    match job.tokens.renew(generation).await {
        Some(Ok(_)) => {
            job.reporter.event(UploadEvent::TokenRenewed);
            Ok(())
        }
        Some(Err(e)) => Err(UploadError::new(&job.label, Step::Token, e)),
        None => Err(UploadError::new(&job.label, Step::Token, expired)),
    }
}

/// `mkfile`, resent on transient failures and after a token renewal; never after 579.
async fn mkfile(job: &Job, batch: &str, body: &str) -> Result<Option<String>, Stop> {
    let fail = |e: Error| UploadError::new(&job.label, Step::Mkfile, e);
    let (mut attempts, mut renewals) = (0u32, 0u32);
    loop {
        let (generation, grant) = job.tokens.get().await;
        let url = format!("{}/mkfile/{}", grant.base, job.size);
        let mut headers = headers(&grant, batch, "text/plain;charset=UTF-8").map_err(fail)?;
        if let Some(mime) = job
            .mime
            .as_deref()
            .and_then(|m| HeaderValue::from_str(m).ok())
        {
            headers.insert("MimeType", mime);
        }
        let sent = job
            .http
            .post(&url)
            .headers(headers)
            .body(body.to_string())
            .send()
            .await;
        let Failed { error, action } =
            match http::finish(Step::Mkfile.operation(), true, sent).await {
                Ok(answer) => {
                    return Ok(serde_json::from_slice::<Value>(&answer)
                        .ok()
                        .and_then(|v| v.get("hash")?.as_str().map(str::to_string)))
                }
                Err(failed) => failed,
            };
        match action {
            Action::Resend(asked) if attempts < job.retries => {
                attempts += 1;
                job.reporter.event(UploadEvent::Retrying {
                    step: Step::Mkfile.as_str(),
                    block: None,
                    error: error.to_string(),
                });
                tokio::time::sleep(http::backoff(job.retry_delay, attempts, asked)).await;
            }
            Action::RenewToken if renewals < MAX_RENEWALS => {
                renewals += 1;
                renew(job, generation, error).await?;
            }
            Action::RestartFile => return Err(Stop::RestartFile(fail(error))),
            _ => return Err(Stop::Failed(fail(error))),
        }
    }
}

/// Reads a chunk answer `{ctx, offset, crc32, checksum}` and checks that the service got the
/// whole chunk (offset) intact (CRC-32 and MD5, when reported). A checksum mismatch is worth
/// resending.
fn check_chunk(
    step: Step,
    index: u32,
    body: &[u8],
    expected_offset: u64,
    chunk: &Sums,
) -> Result<String, Failed> {
    let decode = |path: &str, message: String, action| Failed {
        error: Error::Decode {
            operation: step.operation(),
            path: path.to_string(),
            message: format!("block {index}: {message}"),
            body_excerpt: crate::error::excerpt(body, 512),
        },
        action,
    };
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| decode("", format!("not JSON: {e}"), Action::Fail))?;
    let ctx = value
        .get("ctx")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| decode("ctx", "missing".into(), Action::Fail))?
        .to_string();
    let offset = value.get("offset").and_then(lenient_u64);
    if offset != Some(expected_offset) {
        let got = value.get("offset").unwrap_or(&Value::Null);
        return Err(decode(
            "offset",
            format!("expected {expected_offset}, got {got}"),
            Action::Fail,
        ));
    }
    if let Some(crc) = value.get("crc32").and_then(lenient_u64) {
        if crc != u64::from(chunk.crc32) {
            let message = format!(
                "expected {}, got {crc}: chunk damaged in transit",
                chunk.crc32
            );
            return Err(decode("crc32", message, Action::Resend(None)));
        }
    }
    let answered = value.get("checksum").and_then(Value::as_str);
    if let (Some(md5), Some(own)) = (answered, chunk.md5.as_deref()) {
        if !md5.eq_ignore_ascii_case(own) {
            let message = format!("expected MD5 {own}, got {md5}: chunk damaged in transit");
            return Err(decode("checksum", message, Action::Resend(None)));
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

#[cfg(test)]
mod tests;
