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
mod tests {
    use super::*;

    /// A resume state of batch `b1` for a 10-byte file in blocks of 4, holding `blocks`.
    fn recorder(blocks: &[DoneBlock]) -> Recorder {
        let identity = crate::upload::source::Identity {
            size: 10,
            mtime: None,
            head: String::new(),
        };
        let mut state = State::new(identity, 4, "b1".into());
        for block in blocks {
            state.add_block(block.clone());
        }
        Recorder {
            store: None,
            state: Mutex::new(state),
        }
    }

    fn prepared(bytes: &'static [u8]) -> Sums {
        Sums {
            crc32: crc32fast::hash(bytes),
            md5: Some(hex::encode(<md5::Md5 as md5::Digest>::digest(bytes))),
        }
    }

    #[test]
    fn chunk_answers_are_checked() {
        let chunk = prepared(b"hello world");
        let ok = br#"{"ctx":"c1","offset":11,"crc32":222957957,"checksum":"5eb63bbbe01eeed093cb22bb8f5acdc3"}"#;
        assert_eq!(check_chunk(Step::Mkblk, 0, ok, 11, &chunk).unwrap(), "c1");
        let stringly = br#"{"ctx":"c1","offset":"11","crc32":"222957957"}"#;
        assert!(check_chunk(Step::Mkblk, 0, stringly, 11, &chunk).is_ok());
        let bad_crc = br#"{"ctx":"c","offset":11,"crc32":1}"#;
        let f = check_chunk(Step::Bput, 2, bad_crc, 11, &chunk).unwrap_err();
        assert_eq!(f.action, Action::Resend(None));
        let text = f.error.to_string();
        assert!(
            text.contains("upload (bput)") && text.contains("block 2"),
            "{text}"
        );
        let bad_md5 = br#"{"ctx":"c","offset":11,"checksum":"00"}"#;
        let f = check_chunk(Step::Bput, 0, bad_md5, 11, &chunk).unwrap_err();
        assert!(f.error.to_string().contains("MD5"), "{}", f.error);
        let f = check_chunk(Step::Bput, 0, br#"{"ctx":"c","offset":5}"#, 11, &chunk).unwrap_err();
        assert_eq!(f.action, Action::Fail);
        assert!(check_chunk(Step::Bput, 0, br#"{"offset":11}"#, 11, &chunk).is_err());
    }

    #[test]
    fn a_restart_forgets_the_blocks_and_takes_the_new_batch() {
        let rec = recorder(&[DoneBlock::new(0, "c0".into(), &[[1; 20]])]);
        assert_eq!(rec.batch(), "b1");
        assert_eq!(rec.done().len(), 1);
        rec.restart("b2".into());
        assert_eq!(rec.batch(), "b2");
        assert!(rec.done().is_empty());
    }

    /// The block protocol end to end against a local storage host: 10 bytes in blocks of 4,
    /// chunks of 2.
    mod storage {
        use std::collections::HashMap;

        use super::*;
        use crate::test_server::{serve_raw, Hit, Hits};
        use crate::upload::grant::GrantSource;
        use crate::upload::source::{open, SourceKind};
        use crate::upload::tokens::BatchGrants;

        const DATA: &[u8] = b"0123456789";

        /// A storage host that accepts every chunk (ctx `b<block>-<len>[-<len>...]`) unless
        /// `fault(request, how many times its path was asked before)` answers instead.
        async fn host<F>(fault: F) -> (String, Hits)
        where
            F: Fn(&Hit, usize) -> Option<(u16, String)> + Send + Sync + 'static,
        {
            let asked = Mutex::new(HashMap::<String, usize>::new());
            serve_raw(move |hit| {
                let path = hit.path().to_string();
                let before = {
                    let mut asked = asked.lock().expect("asked");
                    let n = asked.entry(path.clone()).or_default();
                    *n += 1;
                    *n - 1
                };
                if let Some(answer) = fault(hit, before) {
                    return answer;
                }
                let parts: Vec<&str> = path.split('/').collect();
                let len = hit.body.len() as u64;
                let crc = crc32fast::hash(&hit.body);
                let (ctx, offset) = match parts[1] {
                    "mkblk" => (format!("b{}-{len}", parts[3]), len),
                    "bput" => (
                        format!("{}-{len}", parts[2]),
                        parts[3].parse::<u64>().expect("offset") + len,
                    ),
                    "mkfile" => return (200, r#"{"hash":"the-hash","key":"k"}"#.into()),
                    _ => return (404, "{}".into()),
                };
                let answer = serde_json::json!({"ctx": ctx, "offset": offset, "crc32": crc});
                (200, answer.to_string())
            })
            .await
        }

        fn job(base: &str, kind: SourceKind) -> Job {
            let (source, size, _) = open(kind, "clip.mp4").expect("source");
            let grants = GrantSource::Batch(BatchGrants {
                client: crate::test_server::client("http://127.0.0.1:9"),
                name: "clip.mp4".into(),
                domain: None,
                audio: false,
            });
            let grant = Grant {
                base: base.into(),
                token: "tok".into(),
                key: "k".into(),
                asset_id: "m1".into(),
                url: None,
            };
            Job {
                http: http::client(base).expect("http"),
                label: "clip.mp4".into(),
                source: Arc::new(source),
                size,
                block_size: 4,
                chunk_size: 2,
                parallel: 1,
                retries: 2,
                retry_delay: Duration::from_millis(1),
                tokens: Arc::new(TokenCell::new(grants, grant)),
                reporter: Reporter::default(),
                mime: None,
                verify_md5: false,
            }
        }

        fn bytes() -> SourceKind {
            SourceKind::Bytes(Bytes::from_static(DATA))
        }

        fn paths(hits: &Hits) -> Vec<String> {
            hits.lock()
                .expect("hits")
                .iter()
                .map(|h| h.path().to_string())
                .collect()
        }

        fn mkfile_body(hits: &Hits) -> String {
            let hits = hits.lock().expect("hits");
            let hit = hits.iter().find(|h| h.path().starts_with("/mkfile/"));
            String::from_utf8(hit.expect("mkfile").body.clone()).expect("text")
        }

        /// The etag pieces of blocks `0123`, `4567` and `89`.
        fn pieces() -> Vec<[u8; 20]> {
            DATA.chunks(4)
                .flat_map(|block| {
                    let mut h = PieceHasher::default();
                    h.update(block);
                    h.finish()
                })
                .collect()
        }

        async fn run(job: Job, rec: Recorder) -> Result<(Vec<[u8; 20]>, Option<String>), Stop> {
            upload(Arc::new(job), Arc::new(rec)).await
        }

        fn failure(stop: Stop) -> UploadError {
            match stop {
                Stop::Failed(e) => e,
                Stop::RestartFile(e) => panic!("restart file: {e}"),
            }
        }

        const ALL: [&str; 6] = [
            "/mkblk/4/0",
            "/bput/b0-2/2",
            "/mkblk/4/1",
            "/bput/b1-2/2",
            "/mkblk/2/2",
            "/mkfile/10",
        ];

        #[tokio::test]
        async fn every_block_goes_in_chunks_then_mkfile_joins_the_last_ctxs() {
            for kind in [bytes(), SourceKind::Reader(Box::new(DATA), 10)] {
                let (base, hits) = host(|_, _| None).await;
                let rec = recorder(&[]);
                let (got, hash) = upload(Arc::new(job(&base, kind)), Arc::new(rec))
                    .await
                    .map_err(failure)
                    .expect("uploaded");
                assert_eq!(got, pieces());
                assert_eq!(hash.as_deref(), Some("the-hash"));
                assert_eq!(paths(&hits), ALL);
                assert_eq!(mkfile_body(&hits), "b0-2-2,b1-2-2,b2-2");
                let sent: Vec<Vec<u8>> = hits.lock().expect("hits")[..5]
                    .iter()
                    .map(|h| h.body.clone())
                    .collect();
                assert_eq!(sent, [&b"01"[..], b"23", b"45", b"67", b"89"]);
                for hit in hits.lock().expect("hits").iter() {
                    assert!(hit.head.contains("uploadbatch: b1\r\n"), "{}", hit.head);
                    assert!(hit.head.contains("authorization: tok\r\n"), "{}", hit.head);
                }
            }
        }

        #[tokio::test]
        async fn finished_blocks_are_recorded_and_not_sent_again() {
            let (base, hits) = host(|_, _| None).await;
            let rec = Arc::new(recorder(&[
                DoneBlock::new(1, "old1".into(), &pieces()[1..2]),
                // Past the end of the file (a smaller file under the same key): dropped.
                DoneBlock::new(7, "old7".into(), &[[7; 20]]),
            ]));
            let (got, _) = upload(Arc::new(job(&base, bytes())), Arc::clone(&rec))
                .await
                .map_err(failure)
                .expect("uploaded");
            assert_eq!(got, pieces());
            assert_eq!(
                paths(&hits),
                ["/mkblk/4/0", "/bput/b0-2/2", "/mkblk/2/2", "/mkfile/10"]
            );
            assert_eq!(mkfile_body(&hits), "b0-2-2,old1,b2-2");
            let done: Vec<(u32, String)> =
                rec.done().into_iter().map(|b| (b.index, b.ctx)).collect();
            assert_eq!(
                done[..3],
                [(0, "b0-2-2".into()), (1, "old1".into()), (2, "b2-2".into())]
            );
        }

        #[tokio::test]
        async fn transient_failures_are_resent() {
            let (base, hits) = host(|hit, before| {
                let flaky = hit.path() == "/bput/b1-2/2" || hit.path() == "/mkfile/10";
                (flaky && before < 2).then(|| (503, r#"{"error":"busy"}"#.into()))
            })
            .await;
            let (got, hash) = run(job(&base, bytes()), recorder(&[]))
                .await
                .map_err(failure)
                .expect("uploaded after two resends each");
            assert_eq!((got, hash.as_deref()), (pieces(), Some("the-hash")));
            let asked = paths(&hits);
            assert_eq!(asked.iter().filter(|p| *p == "/bput/b1-2/2").count(), 3);
            assert_eq!(asked.iter().filter(|p| *p == "/mkfile/10").count(), 3);
        }

        #[tokio::test]
        async fn resends_are_bounded_by_the_retry_count() {
            let (base, hits) = host(|hit, _| {
                (hit.path() == "/mkfile/10").then(|| (503, r#"{"error":"busy"}"#.into()))
            })
            .await;
            let err = failure(
                run(job(&base, bytes()), recorder(&[]))
                    .await
                    .expect_err("busy"),
            );
            assert_eq!(err.step, Step::Mkfile);
            assert_eq!(err.status(), Some(503));
            let asked = paths(&hits);
            assert_eq!(asked.iter().filter(|p| *p == "/mkfile/10").count(), 3);

            let (base, hits) = host(|hit, _| {
                (hit.path() == "/bput/b1-2/2").then(|| (503, r#"{"error":"busy"}"#.into()))
            })
            .await;
            let err = failure(
                run(job(&base, bytes()), recorder(&[]))
                    .await
                    .expect_err("busy"),
            );
            assert_eq!(
                (err.step, err.block, err.offset),
                (Step::Bput, Some(1), Some(6))
            );
            let asked = paths(&hits);
            assert_eq!(asked.iter().filter(|p| *p == "/bput/b1-2/2").count(), 3);
        }

        #[tokio::test]
        async fn a_refused_ctx_restarts_the_block_a_bounded_number_of_times() {
            let (base, hits) = host(|hit, _| {
                (hit.path() == "/bput/b1-2/2").then(|| (701, r#"{"error":"bad ctx"}"#.into()))
            })
            .await;
            let err = failure(
                run(job(&base, bytes()), recorder(&[]))
                    .await
                    .expect_err("701"),
            );
            assert_eq!(err.step, Step::Bput);
            assert_eq!((err.block, err.offset), (Some(1), Some(6)));
            assert_eq!(err.status(), Some(701));
            let asked = paths(&hits);
            assert_eq!(asked.iter().filter(|p| *p == "/mkblk/4/1").count(), 4);
            assert!(!asked.iter().any(|p| p.starts_with("/mkfile/")));
        }

        #[tokio::test]
        async fn a_restarted_block_can_still_succeed() {
            let (base, hits) = host(|hit, before| {
                (hit.path() == "/bput/b1-2/2" && before == 0)
                    .then(|| (701, r#"{"error":"bad ctx"}"#.into()))
            })
            .await;
            let (got, _) = run(job(&base, bytes()), recorder(&[]))
                .await
                .map_err(failure)
                .expect("uploaded");
            assert_eq!(got, pieces());
            let asked = paths(&hits);
            assert_eq!(asked.iter().filter(|p| *p == "/mkblk/4/1").count(), 2);
        }

        #[tokio::test]
        async fn an_expired_token_on_mkfile_asks_for_a_renewal() {
            // Material tokens cannot be renewed for the same asset: the renewal step fails.
            let (base, _) = host(|hit, _| {
                (hit.path() == "/mkfile/10")
                    .then(|| (401, r#"{"code":401,"message":"Token Expired"}"#.into()))
            })
            .await;
            let err = failure(
                run(job(&base, bytes()), recorder(&[]))
                    .await
                    .expect_err("401"),
            );
            assert_eq!(err.step, Step::Token);
            assert_eq!(err.status(), Some(401));
        }

        #[tokio::test]
        async fn an_expired_token_is_renewed_a_bounded_number_of_times() {
            use std::sync::OnceLock;

            use crate::model::GetUploadTokenRequest;
            use crate::upload::tokens::VideoGrants;

            // One server is both the API (getUploadToken) and the storage host, whose bput
            // always says the token expired.
            let me = Arc::new(OnceLock::<String>::new());
            let grants = Arc::new(Mutex::new(0u32));
            let (base, hits) = host({
                let (me, grants) = (Arc::clone(&me), Arc::clone(&grants));
                move |hit, _| match hit.path() {
                    "/vod/videoManage/getUploadToken" => {
                        let mut n = grants.lock().expect("grants");
                        *n += 1;
                        let data = serde_json::json!({"uploadUrl": me.get().expect("base"),
                            "fileKey": "k", "videoId": "v1", "uploadToken": format!("tok-{n}")});
                        Some((
                            200,
                            serde_json::json!({"code": 200, "data": data}).to_string(),
                        ))
                    }
                    "/bput/b0-2/2" => {
                        Some((401, r#"{"code":401,"message":"Token Expired"}"#.into()))
                    }
                    _ => None,
                }
            })
            .await;
            me.set(base.clone()).expect("once");
            let mut job = job(&base, bytes());
            let grant = job.tokens.get().await.1.as_ref().clone();
            let source = GrantSource::Video(VideoGrants {
                client: crate::test_server::client(&base),
                request: GetUploadTokenRequest::new("clip.mp4").with_file_id("f1"),
            });
            job.tokens = Arc::new(TokenCell::new(source, grant));
            let err = failure(run(job, recorder(&[])).await.expect_err("expired"));
            assert_eq!((err.step, err.status()), (Step::Bput, Some(401)));
            assert_eq!(*grants.lock().expect("grants"), MAX_RENEWALS);
            let hits = hits.lock().expect("hits");
            let tokens: Vec<&str> = hits
                .iter()
                .filter(|h| h.path() == "/bput/b0-2/2")
                .map(|h| {
                    let line = h.head.lines().find(|l| l.starts_with("authorization:"));
                    line.expect("token").trim_start_matches("authorization: ")
                })
                .collect();
            // The first token, then each renewed one.
            assert_eq!(tokens, ["tok", "tok-1", "tok-2", "tok-3"]);
        }

        #[tokio::test]
        async fn a_file_that_shrinks_during_the_upload_fails_where_the_read_did() {
            let path = std::env::temp_dir().join(format!("vod-blocks-{}.mp4", std::process::id()));
            std::fs::write(&path, DATA).expect("write");
            let (base, hits) = host(|_, _| None).await;
            let job = job(&base, SourceKind::Path(path.clone()));
            // Bytes 7.. are gone: block 1's second chunk (6..8) cannot be read.
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(7))
                .expect("truncate");
            let result = run(job, recorder(&[])).await;
            let _ = std::fs::remove_file(&path);
            let err = failure(result.expect_err("short file"));
            assert_eq!(err.step, Step::Read);
            assert_eq!((err.block, err.offset), (Some(1), Some(6)));
            assert_eq!(
                paths(&hits)[..3],
                ["/mkblk/4/0", "/bput/b0-2/2", "/mkblk/4/1"]
            );
        }
    }
}
