//! Form upload: `POST {uploadUrl}/file/upload`, `multipart/form-data` with `token` and `file`
//! (plus optional `key`, `mimeType`, `x:<name>`...), parts in any order — the js SDK sends
//! `file` before `token`, so the token can only be checked once the parts have been read.
//! When `token` comes first (the documented order) it is checked before any file byte is.

use std::sync::Arc;

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::etag::{etag_from_pieces, PieceHasher};
use super::token::{self, Policy};
use super::{complete, injected, success_body, UploadError};
use crate::errors::json_response;
use crate::state::Shared;

/// Largest accepted text part (token, key, custom variables).
const MAX_TEXT_PART: usize = 64 * 1024;

pub(crate) async fn form_upload(
    State(shared): State<Arc<Shared>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Some(response) = injected(&shared, "formUpload").await {
        return response;
    }
    match receive(&shared, multipart).await {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => e.into_response(),
    }
}

fn bad_multipart(e: MultipartError) -> UploadError {
    UploadError::new(400, format!("malformed multipart body: {e}"))
}

async fn receive(
    shared: &Shared,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Value, UploadError> {
    let mut multipart = multipart
        .map_err(|e| UploadError::new(400, format!("expected multipart/form-data: {e}")))?;
    let now_ms = shared.clock.now_millis();
    let mut policy: Option<Policy> = None;
    let mut key_part: Option<String> = None;
    let mut file: Option<(u64, String)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_multipart)? {
        match field.name().unwrap_or_default() {
            "token" => {
                let text = small_text(&mut field).await?;
                policy = Some(token::verify(shared, &text, now_ms)?);
            }
            "key" => key_part = Some(small_text(&mut field).await?),
            "file" => file = Some(stream_file(shared, &mut field, policy.as_ref()).await?),
            _ => drop(small_text(&mut field).await?),
        }
    }
    let policy = policy.ok_or_else(|| UploadError::new(401, "token is missing"))?;
    let (size, hash) = file.ok_or_else(|| UploadError::new(400, "file is missing"))?;
    check_size_limit(&policy, size)?;
    let key = policy
        .key
        .clone()
        .or(key_part.filter(|k| !k.is_empty()))
        .ok_or_else(|| {
            UploadError::new(
                400,
                "no key: the token scope names none and no key part was sent",
            )
        })?;
    complete(shared, &key, size, &hash, policy.overwrite)?;
    Ok(success_body(&key, &hash))
}

/// 413 when the policy's `fsizeLimit` is set and exceeded.
pub(crate) fn check_size_limit(policy: &Policy, size: u64) -> Result<(), UploadError> {
    if policy.fsize_limit > 0 && size > policy.fsize_limit {
        return Err(UploadError::new(
            413,
            format!(
                "file size {size} exceeds the token's fsizeLimit {}",
                policy.fsize_limit
            ),
        ));
    }
    Ok(())
}

async fn small_text(field: &mut Field<'_>) -> Result<String, UploadError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
        if bytes.len() + chunk.len() > MAX_TEXT_PART {
            return Err(UploadError::new(400, "a text part is larger than 64 KiB"));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&bytes).trim().to_string())
}

/// Reads the file part frame by frame into the etag hasher; returns (size, etag).
async fn stream_file(
    shared: &Shared,
    field: &mut Field<'_>,
    policy: Option<&Policy>,
) -> Result<(u64, String), UploadError> {
    let mut hasher = PieceHasher::default();
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
        size += chunk.len() as u64;
        if size > shared.upload_limit {
            return Err(UploadError::new(
                413,
                format!(
                    "file larger than the emulator's limit of {} bytes",
                    shared.upload_limit
                ),
            ));
        }
        if let Some(policy) = policy {
            check_size_limit(policy, size)?;
        }
        hasher.update(&chunk);
    }
    Ok((size, etag_from_pieces(&hasher.finish())))
}
