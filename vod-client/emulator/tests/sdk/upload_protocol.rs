//! `Client::upload_video` against a scripted storage service that checks the wire protocol
//! strictly (headers, block sizes, chunk offsets, ctx chaining) and can inject failures, so the
//! retry and error paths are exercised deterministically. The emulator tests
//! (`upload_emulator.rs`) cover the same code against the full local service.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::json;
use vod_client::upload::Etag;

const FILE_KEY: &str = "video/202401/abc/test.bin";
const TOKEN: &str = "AK:sign:policy";

#[derive(Default)]
struct Storage {
    /// ctx → (block size, bytes so far).
    ctxs: HashMap<String, (u64, Vec<u8>)>,
    next_ctx: u64,
    /// Requests seen, as `step` names.
    log: Vec<String>,
    /// Answer the next N bput calls with HTTP 503.
    fail_bput: u32,
    /// Answer every mkblk with this status.
    mkblk_status: Option<u16>,
    /// Answer mkfile with this hash instead of the right one.
    wrong_hash: bool,
    /// The assembled file of the last mkfile / form upload.
    stored: Option<Vec<u8>>,
    batches: Vec<String>,
    /// Answer the next N bput calls with 701 (ctx refused).
    bput_701: u32,
    /// Answer the next N multipart calls with 401 "Token Expired".
    expire: u32,
    /// Answer the next N mkfile calls with 412.
    mkfile_412: u32,
    /// Answer every mkfile with this status.
    mkfile_status: Option<u16>,
    /// Answer the next N mkblk calls with 503 and `Retry-After: 0`.
    mkblk_503: u32,
    /// Answer mkblk with a redirect to this URL.
    redirect: Option<String>,
    /// getUploadToken calls.
    token_calls: u32,
    /// The ctx values each bput was sent with.
    bput_ctxs: Vec<String>,
}

type Shared = Arc<Mutex<Storage>>;

fn etag(bytes: &[u8]) -> String {
    let mut e = Etag::new();
    e.update(bytes);
    e.finish()
}

fn error(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"code": status.as_u16().to_string(), "message": message});
    (status, [("X-Reqid", "req-up-1")], Json(body)).into_response()
}

/// The headers every multipart call must carry: `Some(rejection)` when one is wrong.
fn check_headers(headers: &HeaderMap, storage: &mut Storage) -> Option<Response> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if get("authorization") != TOKEN {
        return Some(error(401, "bad token"));
    }
    let key = base64::engine::general_purpose::URL_SAFE.encode(FILE_KEY);
    if get("key") != key {
        return Some(error(400, "bad Key header"));
    }
    let batch = get("uploadbatch").to_string();
    if batch.is_empty() {
        return Some(error(400, "no UploadBatch"));
    }
    storage.batches.push(batch);
    if storage.expire > 0 {
        storage.expire -= 1;
        return Some(error(401, "Token Expired"));
    }
    None
}

fn chunk_answer(storage: &mut Storage, block_size: u64, data: Vec<u8>, chunk: &[u8]) -> Response {
    storage.next_ctx += 1;
    let ctx = format!("ctx{:06}", storage.next_ctx);
    let offset = data.len();
    storage.ctxs.insert(ctx.clone(), (block_size, data));
    let crc = crc32(chunk);
    let md5 = hex::encode(<md5::Md5 as md5::Digest>::digest(chunk));
    Json(json!({"ctx": ctx, "offset": offset, "crc32": crc, "checksum": md5})).into_response()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn mkblk(
    State(s): State<Shared>,
    Path((size, index)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut st = s.lock().unwrap();
    st.log.push(format!("mkblk {index}"));
    if let Some(r) = check_headers(&headers, &mut st) {
        return r;
    }
    if let Some(status) = st.mkblk_status {
        return error(status, "mkblk refused");
    }
    if let Some(to) = st.redirect.clone() {
        return (StatusCode::TEMPORARY_REDIRECT, [("Location", to)]).into_response();
    }
    if st.mkblk_503 > 0 {
        st.mkblk_503 -= 1;
        let mut answer = error(503, "slow down");
        answer
            .headers_mut()
            .insert("Retry-After", axum::http::HeaderValue::from_static("0"));
        return answer;
    }
    if body.is_empty() || body.len() as u64 > size {
        return error(400, "bad first chunk");
    }
    chunk_answer(&mut st, size, body.to_vec(), &body)
}

async fn bput(
    State(s): State<Shared>,
    Path((ctx, offset)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut st = s.lock().unwrap();
    st.log.push("bput".into());
    if let Some(r) = check_headers(&headers, &mut st) {
        return r;
    }
    st.bput_ctxs.push(ctx.clone());
    if st.fail_bput > 0 {
        st.fail_bput -= 1;
        return error(503, "busy");
    }
    if st.bput_701 > 0 {
        st.bput_701 -= 1;
        return error(701, "ctx refused");
    }
    let Some((size, data)) = st.ctxs.get(&ctx).cloned() else {
        return error(701, "invalid ctx");
    };
    if offset != data.len() as u64 || offset + body.len() as u64 > size {
        return error(701, "bad offset");
    }
    let mut data = data;
    data.extend_from_slice(&body);
    chunk_answer(&mut st, size, data, &body)
}

async fn mkfile(
    State(s): State<Shared>,
    Path(size): Path<u64>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut st = s.lock().unwrap();
    st.log.push("mkfile".into());
    if let Some(r) = check_headers(&headers, &mut st) {
        return r;
    }
    if let Some(status) = st.mkfile_status {
        return error(status, "callback failed");
    }
    if st.mkfile_412 > 0 {
        st.mkfile_412 -= 1;
        return error(412, "block missing");
    }
    let mut file = Vec::new();
    for ctx in body.split(',') {
        let Some((block_size, data)) = st.ctxs.get(ctx) else {
            return error(701, "unknown ctx");
        };
        if data.len() as u64 != *block_size {
            return error(412, "incomplete block");
        }
        file.extend_from_slice(data);
    }
    if file.len() as u64 != size {
        return error(400, "size mismatch");
    }
    let hash = if st.wrong_hash {
        etag(b"other")
    } else {
        etag(&file)
    };
    st.stored = Some(file);
    Json(json!({"hash": hash, "key": FILE_KEY})).into_response()
}

/// Finds the `file` part of a multipart body (enough for the one form this client sends).
fn file_part(content_type: &str, body: &[u8]) -> Option<Vec<u8>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let marker = b"name=\"file\"";
    let start = body.windows(marker.len()).position(|w| w == marker)?;
    let head_end = start + body[start..].windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let closing = format!("\r\n--{boundary}");
    let len = body[head_end..]
        .windows(closing.len())
        .position(|w| w == closing.as_bytes())?;
    Some(body[head_end..head_end + len].to_vec())
}

async fn form(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut st = s.lock().unwrap();
    st.log.push("form".into());
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let text = String::from_utf8_lossy(&body);
    if !text.contains(TOKEN) || headers.get("content-length").is_none() {
        return error(401, "no token or length");
    }
    let Some(file) = file_part(content_type, &body) else {
        return error(400, "no file part");
    };
    let hash = etag(&file);
    st.stored = Some(file);
    Json(json!({"hash": hash, "response": "{\"success\":0}"})).into_response()
}

async fn start() -> (vod_client::Client, Shared) {
    let shared: Shared = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let upload_url = format!("{base}/up/");
    let counter = shared.clone();
    let token = move || {
        let upload_url = upload_url.clone();
        counter.lock().unwrap().token_calls += 1;
        async move {
            Json(json!({"code": 200, "message": "ok", "data": {
                "uploadUrl": upload_url, "uploadToken": TOKEN, "fileKey": FILE_KEY,
                "videoId": "vid-1", "bucketName": "b", "httpDnsServer": "", "speedDomainlUrl": ""
            }}))
        }
    };
    let app = Router::new()
        .route("/vod/videoManage/getUploadToken", post(token))
        .route("/up/file/upload", post(form))
        .route("/up/mkblk/{size}/{index}", post(mkblk))
        .route("/up/bput/{ctx}/{offset}", post(bput))
        .route("/up/mkfile/{size}", post(mkfile))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = vod_client::Client::builder()
        .endpoint(base)
        .credentials("AK", "SK")
        .build()
        .unwrap();
    (client, shared)
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("vod-upload-protocol");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

type Calls = Arc<Mutex<Vec<(u64, u64)>>>;

fn recorder() -> (Calls, impl Fn(u64, u64) + Send + Sync + 'static) {
    let calls: Calls = Arc::default();
    let sink = calls.clone();
    (calls, move |sent, total| {
        sink.lock().unwrap().push((sent, total))
    })
}

#[tokio::test]
async fn small_files_go_in_one_streamed_form_upload() {
    let (client, storage) = start().await;
    let data = pattern(300_000);
    let path = temp_file("small.bin", &data);
    let (calls, progress) = recorder();
    let video = client
        .upload_video(&path)
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(video.id, "vid-1");
    assert_eq!(video.file_key, FILE_KEY);
    assert_eq!(video.size, 300_000);
    assert_eq!(video.hash, etag(&data));
    let st = storage.lock().unwrap();
    assert_eq!(st.log, ["form"]);
    assert_eq!(st.stored.as_deref(), Some(&data[..]));
    let calls = calls.lock().unwrap();
    assert_eq!(calls.last(), Some(&(300_000, 300_000)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
}

#[tokio::test]
async fn large_files_go_in_blocks_and_a_failed_chunk_is_resent() {
    let (client, storage) = start().await;
    storage.lock().unwrap().fail_bput = 2;
    let data = pattern((9 << 20) + 123);
    let path = temp_file("large.bin", &data);
    let (calls, progress) = recorder();
    let video = client
        .upload_video(&path)
        .chunk_size(1 << 20)
        .retry_delay(std::time::Duration::from_millis(1))
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, etag(&data));
    assert!(
        video.hash.starts_with('l'),
        "multi-piece etag: {}",
        video.hash
    );
    let st = storage.lock().unwrap();
    assert_eq!(st.stored.as_deref(), Some(&data[..]));
    let mut mkblks: Vec<&String> = st.log.iter().filter(|l| l.starts_with("mkblk")).collect();
    mkblks.sort();
    assert_eq!(mkblks, ["mkblk 0", "mkblk 1", "mkblk 2"]);
    // Blocks 0 and 1: mkblk + 3 bput each; block 2 (1 MiB + 123 bytes): mkblk + 1 bput;
    // plus the 2 refused bput calls, resent.
    assert_eq!(
        st.log.iter().filter(|l| *l == "bput").count(),
        3 + 3 + 1 + 2
    );
    assert_eq!(st.log.last().map(String::as_str), Some("mkfile"));
    assert!(
        st.batches.windows(2).all(|w| w[0] == w[1]),
        "one UploadBatch per file"
    );
    let calls = calls.lock().unwrap();
    assert_eq!(calls.last(), Some(&(data.len() as u64, data.len() as u64)));
}

#[tokio::test]
async fn a_hash_mismatch_is_an_error_naming_the_step() {
    let (client, storage) = start().await;
    storage.lock().unwrap().wrong_hash = true;
    let path = temp_file("mismatch.bin", &pattern(5 << 20));
    let err = client.upload_video(&path).send().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("verify hash"), "{text}");
}

#[tokio::test]
async fn a_refused_block_fails_with_the_service_message_and_step() {
    let (client, storage) = start().await;
    storage.lock().unwrap().mkblk_status = Some(406);
    let path = temp_file("refused.bin", &pattern(5 << 20));
    let err = client.upload_video(&path).send().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("upload (mkblk)") && text.contains("mkblk refused"),
        "{text}"
    );
    assert_eq!(err.request_id(), Some("req-up-1"));
    // 406 is not transient: sent once.
    let st = storage.lock().unwrap();
    assert_eq!(st.log.iter().filter(|l| l.starts_with("mkblk")).count(), 1);
}

#[tokio::test]
async fn a_missing_file_is_reported_before_any_request() {
    let (client, storage) = start().await;
    let err = client
        .upload_video("/nonexistent/video.mp4")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/video.mp4"), "{err}");
    assert!(storage.lock().unwrap().log.is_empty());
}

fn mkblks(st: &Storage) -> usize {
    st.log.iter().filter(|l| l.starts_with("mkblk")).count()
}

#[tokio::test]
async fn a_refused_ctx_restarts_its_block_at_once() {
    let (client, storage) = start().await;
    storage.lock().unwrap().bput_701 = 1;
    let data = pattern((4 << 20) + 10);
    let path = temp_file("refused-ctx.bin", &data);
    let video = client
        .upload_video(&path)
        .chunk_size(1 << 20)
        .parallel(1)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, etag(&data));
    let st = storage.lock().unwrap();
    // Block 0 restarted once from mkblk (block 1 is one chunk); the refused ctx is never resent.
    assert_eq!(mkblks(&st), 3);
    let refused = &st.bput_ctxs[0];
    assert_eq!(st.bput_ctxs.iter().filter(|c| *c == refused).count(), 1);
}

#[tokio::test]
async fn an_expired_token_is_renewed_and_the_upload_continues() {
    let (client, storage) = start().await;
    let data = pattern((8 << 20) + 1);
    let path = temp_file("expired.bin", &data);
    storage.lock().unwrap().expire = 1;
    let video = client
        .upload_video(&path)
        .chunk_size(1 << 20)
        .parallel(2)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, etag(&data));
    let st = storage.lock().unwrap();
    assert_eq!(st.token_calls, 2, "one token, one renewal");
    assert_eq!(st.stored.as_deref(), Some(&data[..]));
}

#[tokio::test]
async fn mkfile_412_uploads_the_file_again_once() {
    let (client, storage) = start().await;
    storage.lock().unwrap().mkfile_412 = 1;
    let data = pattern((4 << 20) + 5);
    let path = temp_file("reassemble.bin", &data);
    let video = client.upload_video(&path).send().await.unwrap();
    assert_eq!(video.hash, etag(&data));
    let st = storage.lock().unwrap();
    assert_eq!(mkblks(&st), 4, "both blocks sent twice");
    assert_eq!(st.log.iter().filter(|l| *l == "mkfile").count(), 2);
    assert!(st.batches.last() != st.batches.first(), "a new UploadBatch");
}

#[tokio::test]
async fn mkfile_579_is_never_repeated() {
    let (client, storage) = start().await;
    storage.lock().unwrap().mkfile_status = Some(579);
    let path = temp_file("callback-failed.bin", &pattern((4 << 20) + 5));
    let err = client.upload_video(&path).send().await.unwrap_err();
    assert_eq!(err.step, vod_client::upload::Step::Mkfile);
    assert_eq!(err.status(), Some(579));
    let text = err.to_string();
    assert!(
        text.contains("callback-failed.bin") && text.contains("mkfile"),
        "{text}"
    );
    let st = storage.lock().unwrap();
    assert_eq!(st.log.iter().filter(|l| *l == "mkfile").count(), 1);
}

#[tokio::test]
async fn busy_answers_are_resent_after_their_retry_after() {
    let (client, storage) = start().await;
    storage.lock().unwrap().mkblk_503 = 2;
    let data = pattern((4 << 20) + 5);
    let path = temp_file("busy.bin", &data);
    let video = client
        .upload_video(&path)
        .parallel(1)
        .retry_delay(std::time::Duration::from_millis(1))
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, etag(&data));
    assert_eq!(mkblks(&storage.lock().unwrap()), 4);
}

#[tokio::test]
async fn a_redirect_is_an_error_naming_its_location() {
    let (client, storage) = start().await;
    storage.lock().unwrap().redirect = Some("http://127.0.0.1:9/elsewhere".into());
    let path = temp_file("redirected.bin", &pattern((4 << 20) + 5));
    let err = client
        .upload_video(&path)
        .parallel(1)
        .send()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("http://127.0.0.1:9/elsewhere"), "{text}");
    assert!(text.contains("block 0, offset 0"), "{text}");
    assert_eq!(err.status(), Some(307));
    assert_eq!(
        mkblks(&storage.lock().unwrap()),
        1,
        "not followed, not resent"
    );
}

#[tokio::test]
async fn bytes_and_readers_upload_too() {
    let (client, storage) = start().await;
    let data = pattern((9 << 20) + 7);
    let video = client
        .upload_video(vod_client::upload::UploadSource::bytes(
            "mem.mp4",
            data.clone(),
        ))
        .chunk_size(1 << 20)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, etag(&data));
    let reader = std::io::Cursor::new(data.clone());
    let source = vod_client::upload::UploadSource::reader("pipe.mp4", reader, data.len() as u64);
    let video = client
        .upload_video(source)
        .parallel(3)
        .send()
        .await
        .unwrap();
    assert_eq!(video.hash, etag(&data));
    assert_eq!(storage.lock().unwrap().stored.as_deref(), Some(&data[..]));
}

#[tokio::test]
async fn edge_sizes() {
    let (client, storage) = start().await;
    for (name, len, blocks) in [
        ("zero.bin", 0usize, 0usize),
        ("one.bin", 1, 0),
        ("four.bin", 4 << 20, 0),
        ("four-plus-one.bin", (4 << 20) + 1, 2),
    ] {
        storage.lock().unwrap().log.clear();
        let data = pattern(len);
        let path = temp_file(name, &data);
        let video = client.upload_video(&path).send().await.unwrap();
        assert_eq!(video.hash, etag(&data), "{name}");
        assert_eq!(video.size, len as u64);
        let st = storage.lock().unwrap();
        assert_eq!(st.stored.as_deref(), Some(&data[..]), "{name}");
        assert_eq!(mkblks(&st), blocks, "{name}: {:?}", st.log);
    }
}
