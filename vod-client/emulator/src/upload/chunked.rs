//! Block/chunk upload: `mkblk` starts a block with its first chunk, `bput` appends the next
//! chunk of a block, `mkfile` joins the blocks' last contexts into the object.
//!
//! Each answer's `ctx` names an immutable snapshot of the block ([`BlockCtx`]), so a client
//! that retries a `bput` with the same ctx and offset gets the same result. Checks follow
//! upload-facts §3.9: unknown ctx or wrong offset → 701; chunk larger than its block → 701
//! (`bput`) or 400 (`mkblk`); `mkfile` with no ctx → 401 "ctx can not be null"; blocks
//! missing, out of order, incomplete, not 4 MiB multiples (except the last) or not adding up
//! to the declared size → 412. A ctx is bound to its upload (bucket and key of the token, or
//! the `Key` header when the scope names no key): another upload's ctx → 701.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::checksum::{Crc32, Md5};
use super::etag::{etag_from_pieces, PieceHasher, PIECE_SIZE};
use super::form::check_size_limit;
use super::token::{self, Policy};
use super::{complete, injected, success_body, BlockCtx, UploadError};
use crate::errors::json_response;
use crate::state::Shared;
use crate::util::b64_decode_any;

/// Largest `mkfile` body (the ctx list): room for tens of thousands of blocks.
const MAX_CTX_LIST: usize = 4 * 1024 * 1024;

fn answer(result: Result<Value, UploadError>) -> Response {
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

fn check_token(shared: &Shared, headers: &HeaderMap) -> Result<Policy, UploadError> {
    let value = headers
        .get("authorization")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    token::verify(shared, &value, shared.clock.now_millis())
}

/// The upload a request belongs to: `bucket:key` (key from the scope, else the `Key` header).
fn owner(policy: &Policy, headers: &HeaderMap) -> String {
    let key = policy
        .key
        .clone()
        .or_else(|| key_from_header(headers))
        .unwrap_or_default();
    format!("{}:{key}", policy.bucket)
}

fn foreign_ctx(ctx: &str) -> UploadError {
    UploadError::new(701, format!("ctx {ctx} belongs to another upload"))
}

fn parse_u64(text: &str, what: &str) -> Result<u64, UploadError> {
    text.parse().map_err(|_| {
        UploadError::new(
            400,
            format!("{what} must be a non-negative integer, got {text:?}"),
        )
    })
}

/// One chunk's digests.
struct Chunk {
    len: u64,
    md5: String,
    crc32: u32,
}

/// Streams a body into `hasher`, failing with `too_big` once more than `room` bytes arrive.
async fn stream_chunk(
    body: Body,
    room: u64,
    hasher: &mut PieceHasher,
    too_big: UploadError,
) -> Result<Chunk, UploadError> {
    let mut stream = body.into_data_stream();
    let (mut md5, mut crc, mut len) = (Md5::new(), Crc32::new(), 0u64);
    while let Some(frame) = stream.next().await {
        let bytes =
            frame.map_err(|e| UploadError::new(400, format!("cannot read the body: {e}")))?;
        len += bytes.len() as u64;
        if len > room {
            return Err(too_big);
        }
        md5.update(&bytes);
        crc.update(&bytes);
        hasher.update(&bytes);
    }
    Ok(Chunk {
        len,
        md5: md5.finish_hex(),
        crc32: crc.finish(),
    })
}

/// Stores the new block state under a fresh ctx and answers with it.
fn chunk_answer(shared: &Shared, block: BlockCtx, chunk: &Chunk) -> Value {
    let ctx = shared.ids.hex32();
    let offset = block.received;
    shared.uploads.put_ctx(shared, ctx.clone(), block);
    json!({ "ctx": ctx, "checksum": chunk.md5, "crc32": chunk.crc32, "offset": offset })
}

pub(crate) async fn mkblk(
    State(shared): State<Arc<Shared>>,
    Path((block_size, block_index)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = injected(&shared, "mkblk").await {
        return response;
    }
    answer(make_block(&shared, &block_size, &block_index, &headers, body).await)
}

/// `mkblk/{blockSize}` without an index (Qiniu style): block 0.
pub(crate) async fn mkblk_first(
    State(shared): State<Arc<Shared>>,
    Path(block_size): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = injected(&shared, "mkblk").await {
        return response;
    }
    answer(make_block(&shared, &block_size, "0", &headers, body).await)
}

async fn make_block(
    shared: &Shared,
    size: &str,
    index: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, UploadError> {
    let policy = check_token(shared, headers)?;
    let block_size = parse_u64(size, "blockSize")?;
    let block_index = parse_u64(index, "blockIndex")?;
    if block_size == 0 || block_size > shared.upload_limit {
        return Err(UploadError::new(
            400,
            format!("blockSize must be between 1 and {}", shared.upload_limit),
        ));
    }
    check_size_limit(&policy, block_size)?;
    let mut hasher = PieceHasher::default();
    let too_big = UploadError::new(400, "the chunk is larger than the block");
    let chunk = stream_chunk(body, block_size, &mut hasher, too_big).await?;
    if chunk.len == 0 {
        return Err(UploadError::new(
            400,
            "the first chunk of a block must not be empty",
        ));
    }
    let block = BlockCtx {
        owner: owner(&policy, headers),
        expires_ms: policy.deadline_ms,
        block_index,
        block_size,
        received: chunk.len,
        hasher,
    };
    Ok(chunk_answer(shared, block, &chunk))
}

pub(crate) async fn bput(
    State(shared): State<Arc<Shared>>,
    Path((ctx, offset)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = injected(&shared, "bput").await {
        return response;
    }
    answer(put_chunk(&shared, &ctx, &offset, &headers, body).await)
}

async fn put_chunk(
    shared: &Shared,
    ctx: &str,
    offset: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, UploadError> {
    let policy = check_token(shared, headers)?;
    let offset = parse_u64(offset, "offset")?;
    let mut block = shared
        .uploads
        .ctx(ctx)
        .ok_or_else(|| UploadError::new(701, format!("invalid ctx {ctx}")))?;
    if block.owner != owner(&policy, headers) {
        return Err(foreign_ctx(ctx));
    }
    // A newer token of the same upload keeps the block alive until its own deadline.
    block.expires_ms = block.expires_ms.max(policy.deadline_ms);
    if offset != block.received {
        return Err(UploadError::new(
            701,
            format!(
                "offset {offset} does not match the {} bytes received for this ctx",
                block.received
            ),
        ));
    }
    let room = block.block_size - block.received;
    let too_big = UploadError::new(701, "the chunk runs past the end of its block");
    let chunk = stream_chunk(body, room, &mut block.hasher, too_big).await?;
    block.received += chunk.len;
    Ok(chunk_answer(shared, block, &chunk))
}

pub(crate) async fn mkfile(
    State(shared): State<Arc<Shared>>,
    Path(file_size): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = injected(&shared, "mkfile").await {
        return response;
    }
    answer(make_file(&shared, &file_size, "", &headers, body).await)
}

pub(crate) async fn mkfile_extra(
    State(shared): State<Arc<Shared>>,
    Path((file_size, extra)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = injected(&shared, "mkfile").await {
        return response;
    }
    answer(make_file(&shared, &file_size, &extra, &headers, body).await)
}

/// The key named by `/key/<b64>` among the extra path pairs.
fn key_from_path(extra: &str) -> Option<String> {
    let parts: Vec<&str> = extra.split('/').filter(|p| !p.is_empty()).collect();
    parts
        .chunks(2)
        .find(|pair| pair.first() == Some(&"key"))
        .and_then(|pair| pair.get(1))
        .and_then(|v| b64_decode_any(v))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn key_from_header(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("key")?.to_str().ok()?;
    let bytes = b64_decode_any(value)?;
    Some(String::from_utf8_lossy(&bytes).into_owned()).filter(|k| !k.is_empty())
}

async fn make_file(
    shared: &Shared,
    size: &str,
    extra: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, UploadError> {
    let policy = check_token(shared, headers)?;
    let file_size = parse_u64(size, "fileSize")?;
    let bytes = axum::body::to_bytes(body, MAX_CTX_LIST)
        .await
        .map_err(|_| UploadError::new(400, "the ctx list is too large"))?;
    let text = String::from_utf8_lossy(&bytes);
    let ctxs: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if ctxs.is_empty() {
        return Err(UploadError::new(401, "ctx can not be null"));
    }
    let pieces = assemble(shared, &ctxs, file_size, &owner(&policy, headers))?;
    check_size_limit(&policy, file_size)?;
    let key = policy
        .key
        .clone()
        .or_else(|| key_from_header(headers))
        .or_else(|| key_from_path(extra))
        .ok_or_else(|| {
            UploadError::new(
                400,
                "no key: the token scope names none and no Key header was sent",
            )
        })?;
    let hash = etag_from_pieces(&pieces);
    complete(shared, &key, file_size, &hash, policy.overwrite)?;
    Ok(success_body(&key, &hash))
}

/// Checks the blocks named by `ctxs` and returns the file's etag piece digests.
fn assemble(
    shared: &Shared,
    ctxs: &[&str],
    file_size: u64,
    owner: &str,
) -> Result<Vec<[u8; 20]>, UploadError> {
    let mut pieces = Vec::new();
    let mut total: u64 = 0;
    for (position, ctx) in ctxs.iter().enumerate() {
        let block = shared
            .uploads
            .ctx(ctx)
            .ok_or_else(|| UploadError::new(701, format!("invalid ctx {ctx}")))?;
        if block.owner != owner {
            return Err(foreign_ctx(ctx));
        }
        let fail = |m: String| UploadError::new(412, m);
        if block.block_index != position as u64 {
            return Err(fail(format!(
                "block {position} is missing or out of order (ctx names block {})",
                block.block_index
            )));
        }
        if block.received != block.block_size {
            return Err(fail(format!(
                "block {position} is incomplete: {} of {} bytes",
                block.received, block.block_size
            )));
        }
        if position + 1 < ctxs.len() && block.block_size % PIECE_SIZE != 0 {
            return Err(fail(format!("block {position} is not a multiple of 4 MiB")));
        }
        total += block.block_size;
        pieces.extend(block.hasher.finish());
    }
    if total != file_size {
        return Err(UploadError::new(
            412,
            format!("the blocks hold {total} bytes, mkfile declared {file_size}"),
        ));
    }
    Ok(pieces)
}
