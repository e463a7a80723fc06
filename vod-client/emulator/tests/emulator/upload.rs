//! The upload protocol against the emulator: token format, form upload, block/chunk upload,
//! etags checked against an independent implementation, and the storage error codes.

use crate::support::{emulator, Raw};
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use vod_client::model::ErrorCode;

const MIB: usize = 1024 * 1024;

/// The etag as upload-facts §4 defines it, written from the text, not from the emulator.
fn expected_etag(data: &[u8]) -> String {
    let mut raw = Vec::new();
    if data.len() <= 4 * MIB {
        raw.push(0x16);
        raw.extend_from_slice(&Sha1::digest(data));
    } else {
        let mut outer = Sha1::new();
        for piece in data.chunks(4 * MIB) {
            outer.update(Sha1::digest(piece));
        }
        raw.push(0x96);
        raw.extend_from_slice(&outer.finalize());
    }
    URL_SAFE.encode(raw)
}

/// Deterministic test bytes.
fn data(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

struct Upload {
    url: String,
    token: String,
    video_id: String,
    key: String,
}

async fn video_token(raw: &Raw, name: &str, extra: Value) -> Upload {
    let mut body = json!({ "originFileName": name });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let r = raw.call("/vod/videoManage/getUploadToken", body).await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    let d = r.data();
    Upload {
        url: d["uploadUrl"].as_str().unwrap_or_default().to_string(),
        token: d["uploadToken"].as_str().unwrap_or_default().to_string(),
        video_id: d["videoId"].as_str().unwrap_or_default().to_string(),
        key: d["fileKey"].as_str().unwrap_or_default().to_string(),
    }
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----emulator-test-boundary-7d1";
    let mut body = Vec::new();
    for (name, filename, value) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let resp = http
        .post(url)
        .header("Authorization", token)
        .header("Content-Type", content_type)
        .header("UploadBatch", "batch-1")
        .body(body)
        .send()
        .await
        .expect("upload request");
    let status = resp.status().as_u16();
    assert!(resp.headers().contains_key("x-reqid"));
    let bytes = resp.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn form_upload(raw: &Raw, up: &Upload, bytes: &[u8], file_first: bool) -> (u16, Value) {
    let token = ("token", None, up.token.as_bytes());
    let file = ("file", Some("clip.mp4"), bytes);
    let parts = if file_first {
        [file, token]
    } else {
        [token, file]
    };
    let (ct, body) = multipart(&parts);
    post(&raw.http, format!("{}/file/upload", up.url), "", &ct, body).await
}

async fn listed_video(raw: &Raw, id: &str) -> Value {
    let r = raw
        .call("/vod/videoManage/getVideoList", json!({ "videoId": id }))
        .await;
    r.data()["videoListInfo"][0].clone()
}

#[tokio::test]
async fn token_has_the_documented_format() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let up = video_token(&raw, "talk.mp4", json!({})).await;
    assert!(up.url.starts_with(emu.base_url()), "{}", up.url);
    assert!(
        up.key.starts_with("video/") && up.key.ends_with("/talk.mp4"),
        "{}",
        up.key
    );
    let parts: Vec<&str> = up.token.split(':').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], emu.access_key());
    assert_eq!(parts[1].len(), 56);
    let mut mac = Hmac::<Sha1>::new_from_slice(emu.secret_key().as_bytes()).expect("hmac");
    mac.update(parts[2].as_bytes());
    let hex_text = hex::encode(mac.finalize().into_bytes());
    assert_eq!(parts[1], URL_SAFE.encode(hex_text.as_bytes()));
    let policy: Value =
        serde_json::from_slice(&URL_SAFE.decode(parts[2]).expect("b64")).expect("json");
    assert_eq!(policy["scope"], format!("vod-emulator:{}", up.key));
    assert!(policy["deadline"]
        .as_str()
        .is_some_and(|d| d.parse::<i64>().is_ok()));
    emu.shutdown().await;
}

#[tokio::test]
async fn form_upload_of_zero_and_one_byte() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    for (len, file_first) in [(0usize, false), (1, true), (1000, false)] {
        let up = video_token(&raw, "tiny.mp4", json!({})).await;
        let bytes = data(len, 7);
        let (status, body) = form_upload(&raw, &up, &bytes, file_first).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["hash"], expected_etag(&bytes));
        assert_eq!(body["response"], "{\"success\":0}");
        let video = listed_video(&raw, &up.video_id).await;
        assert_eq!(video["videoSize"], len.to_string());
        assert_eq!(video["transcodeState"], 2);
        assert_eq!(video["videoName"], "tiny.mp4");
    }
    assert_eq!(expected_etag(b""), "Fto5o-5ea0sNMlW_75VgGJCv2AcJ");
    emu.shutdown().await;
}

/// Uploads `bytes` in blocks of `block` bytes and chunks of `chunk` bytes; blocks in parallel.
async fn chunked_upload(
    raw: &Raw,
    up: &Upload,
    bytes: &[u8],
    block: usize,
    chunk: usize,
) -> (u16, Value) {
    let uploads = bytes
        .chunks(block)
        .enumerate()
        .map(|(index, block_bytes)| async move {
            let mut pieces = block_bytes.chunks(chunk);
            let first = pieces.next().unwrap_or_default();
            let url = format!("{}/mkblk/{}/{index}", up.url, block_bytes.len());
            let (status, mut answer) = post(
                &raw.http,
                url,
                &up.token,
                "application/octet-stream",
                first.to_vec(),
            )
            .await;
            assert_eq!(status, 200, "{answer}");
            for piece in pieces {
                let url = format!(
                    "{}/bput/{}/{}",
                    up.url,
                    answer["ctx"].as_str().unwrap_or_default(),
                    answer["offset"]
                );
                let (status, next) = post(
                    &raw.http,
                    url,
                    &up.token,
                    "application/octet-stream",
                    piece.to_vec(),
                )
                .await;
                assert_eq!(status, 200, "{next}");
                answer = next;
            }
            assert_eq!(answer["offset"], block_bytes.len());
            answer["ctx"].as_str().unwrap_or_default().to_string()
        });
    let ctxs = futures_util::future::join_all(uploads).await;
    let url = format!("{}/mkfile/{}", up.url, bytes.len());
    post(
        &raw.http,
        url,
        &up.token,
        "text/plain",
        ctxs.join(",").into_bytes(),
    )
    .await
}

#[tokio::test]
async fn one_block_of_exactly_four_mib() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let up = video_token(&raw, "four.mp4", json!({})).await;
    let bytes = data(4 * MIB, 3);
    let (status, body) = chunked_upload(&raw, &up, &bytes, 4 * MIB, MIB).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hash"], expected_etag(&bytes));
    assert!(body["hash"]
        .as_str()
        .is_some_and(|h| h.starts_with('F') && h.len() == 28));
    assert_eq!(body["key"], up.key.as_str());
    assert_eq!(
        listed_video(&raw, &up.video_id).await["videoSize"],
        (4 * MIB).to_string()
    );
    assert_eq!(
        emu.state().object(&up.key).map(|o| o.0),
        Some(4 * MIB as u64)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn several_blocks_with_a_short_last_one() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let up = video_token(&raw, "long.mp4", json!({})).await;
    let bytes = data(9 * MIB + 123, 5);
    let (status, body) = chunked_upload(&raw, &up, &bytes, 4 * MIB, 1536 * 1024).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hash"], expected_etag(&bytes));
    assert!(body["hash"].as_str().is_some_and(|h| h.starts_with('l')));
    // 8 MiB blocks give the same etag: pieces are 4 MiB whatever the block size.
    let up2 = video_token(&raw, "long2.mp4", json!({})).await;
    let (_, body2) = chunked_upload(&raw, &up2, &bytes, 8 * MIB, 3 * MIB).await;
    assert_eq!(body2["hash"], body["hash"]);
    // The documented vector: 2 MiB of 0x55, 2 MiB of 0x4D, then "0".
    let mut vector = vec![0x55u8; 2 * MIB];
    vector.extend(std::iter::repeat_n(0x4Du8, 2 * MIB));
    vector.push(b'0');
    let up3 = video_token(&raw, "vector.mp4", json!({})).await;
    let (_, body3) = chunked_upload(&raw, &up3, &vector, 4 * MIB, MIB).await;
    assert_eq!(body3["hash"], "ljQoZqmvLKtOnK_5OHnMRw1djggC");
    emu.shutdown().await;
}

#[tokio::test]
async fn chunk_answers_carry_md5_and_crc32() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let up = video_token(&raw, "hello.mp4", json!({})).await;
    let (status, body) = post(
        &raw.http,
        format!("{}/mkblk/11/0", up.url),
        &up.token,
        "application/octet-stream",
        b"hello world".to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["checksum"], "5eb63bbbe01eeed093cb22bb8f5acdc3");
    assert_eq!(body["crc32"], 222_957_957u32);
    assert_eq!(body["offset"], 11);
    assert_eq!(body["ctx"].as_str().map(str::len), Some(32));
    emu.shutdown().await;
}

#[tokio::test]
async fn upload_errors() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let http = &raw.http;
    let up = video_token(&raw, "err.mp4", json!({})).await;
    let octet = "application/octet-stream";
    let code = |v: &Value| v["code"].as_str().unwrap_or_default().to_string();

    let (s, b) = post(
        http,
        format!("{}/mkblk/4/0", up.url),
        "",
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!((s, code(&b)), (401, "401".to_string()), "{b}");
    let tampered = format!("{}x", up.token);
    let (s, _) = post(
        http,
        format!("{}/mkblk/4/0", up.url),
        &tampered,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!(s, 401);
    let policy =
        json!({ "scope": format!("vod-emulator:{}", up.key), "deadline": 1000 }).to_string();
    let expired =
        vod_emulator::upload::token::make_token(emu.access_key(), emu.secret_key(), &policy);
    let (s, b) = post(
        http,
        format!("{}/mkblk/4/0", up.url),
        &expired,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!((s, b["message"].as_str()), (401, Some("Token Expired")));
    let (s, _) = post(
        http,
        format!("{}/mkblk/2/0", up.url),
        &up.token,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!(s, 400, "chunk larger than its block");

    let (_, first) = post(
        http,
        format!("{}/mkblk/8/0", up.url),
        &up.token,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    let ctx = first["ctx"].as_str().unwrap_or_default().to_string();
    let (s, _) = post(
        http,
        format!("{}/bput/{ctx}/3", up.url),
        &up.token,
        octet,
        b"efgh".to_vec(),
    )
    .await;
    assert_eq!(s, 701, "wrong offset");
    let (s, _) = post(
        http,
        format!("{}/bput/{}/4", up.url, "0".repeat(32)),
        &up.token,
        octet,
        b"efgh".to_vec(),
    )
    .await;
    assert_eq!(s, 701, "unknown ctx");
    let (s, _) = post(
        http,
        format!("{}/bput/{ctx}/4", up.url),
        &up.token,
        octet,
        b"efghi".to_vec(),
    )
    .await;
    assert_eq!(s, 701, "past the end of the block");
    // Replaying a bput with the same ctx gives the same answer (retries are safe).
    let (_, again1) = post(
        http,
        format!("{}/bput/{ctx}/4", up.url),
        &up.token,
        octet,
        b"efgh".to_vec(),
    )
    .await;
    let (_, again2) = post(
        http,
        format!("{}/bput/{ctx}/4", up.url),
        &up.token,
        octet,
        b"efgh".to_vec(),
    )
    .await;
    assert_eq!(
        (again1["offset"].clone(), again1["crc32"].clone()),
        (again2["offset"].clone(), again2["crc32"].clone())
    );

    let (s, b) = post(
        http,
        format!("{}/mkfile/8", up.url),
        &up.token,
        "text/plain",
        Vec::new(),
    )
    .await;
    assert_eq!(
        (s, b["message"].as_str()),
        (401, Some("ctx can not be null"))
    );
    let (s, _) = post(
        http,
        format!("{}/mkfile/8", up.url),
        &up.token,
        "text/plain",
        ctx.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 412, "incomplete block");
    let full = again1["ctx"].as_str().unwrap_or_default().to_string();
    let (s, _) = post(
        http,
        format!("{}/mkfile/9", up.url),
        &up.token,
        "text/plain",
        full.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 412, "size mismatch");
    let (s, b) = post(
        http,
        format!("{}/mkfile/8", up.url),
        &up.token,
        "text/plain",
        format!("{full},").into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["hash"], expected_etag(b"abcdefgh"));

    // overwrite=0: a second upload to the same key is refused with 406.
    let once = video_token(&raw, "once.mp4", json!({ "overwrite": 0 })).await;
    let (s, _) = form_upload(&raw, &once, b"one", false).await;
    assert_eq!(s, 200);
    let (s, _) = form_upload(&raw, &once, b"two", false).await;
    assert_eq!(s, 406);
    let (s, _) = post(
        http,
        format!("{}/file/upload", up.url),
        "",
        "text/plain",
        b"x".to_vec(),
    )
    .await;
    assert_eq!(s, 400, "not multipart");
    emu.shutdown().await;
}

#[tokio::test]
async fn audio_and_material_uploads_register_assets() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let list = URL_SAFE.encode(br#"[{"name":"song.mp3","suffix":"mp3"}]"#);
    let r = raw
        .send(crate::support::RawRequest::get(&format!(
            "/vod/audioManage/getAudioUploadToken?fileList={list}"
        )))
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    let item = r.data()["items"][0].clone();
    let up = Upload {
        url: r.data()["uploadUrl"].as_str().unwrap_or_default().into(),
        token: item["uploadToken"].as_str().unwrap_or_default().into(),
        video_id: String::new(),
        key: String::new(),
    };
    let (s, _) = form_upload(&raw, &up, &data(5000, 1), false).await;
    assert_eq!(s, 200);
    let audio_id = item["audioId"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        emu.state().audio(&audio_id).map(|a| a.audio_size),
        Some(5000)
    );
    let wav = URL_SAFE.encode(br#"[{"name":"song.wav","suffix":"wav"}]"#);
    let r = raw
        .send(crate::support::RawRequest::get(&format!(
            "/vod/audioManage/getAudioUploadToken?fileList={wav}"
        )))
        .await;
    assert_eq!(r.code(), ErrorCode::BadParameter.code());

    let r = raw
        .call(
            "/vod/material/getMaterialUploadToken",
            json!({ "fileList": [{ "name": "logo.png", "suffix": "png" }] }),
        )
        .await;
    assert_eq!(r.code(), 200, "{:?}", r.body);
    let item = r.data()["items"][0].clone();
    let up = Upload {
        url: r.data()["uploadUrl"].as_str().unwrap_or_default().into(),
        token: item["uploadToken"].as_str().unwrap_or_default().into(),
        video_id: String::new(),
        key: String::new(),
    };
    assert_eq!(form_upload(&raw, &up, b"png!", true).await.0, 200);
    let id = item["materialId"].as_str().unwrap_or_default();
    assert_eq!(emu.state().material(id).map(|m| m.file_size), Some(4));
    let too_many: Vec<Value> = (0..51)
        .map(|i| json!({ "name": format!("f{i}.png") }))
        .collect();
    let r = raw
        .call(
            "/vod/material/getMaterialUploadToken",
            json!({ "fileList": too_many }),
        )
        .await;
    assert_eq!(r.code(), ErrorCode::BadParameter.code());
    emu.shutdown().await;
}

#[tokio::test]
async fn resumed_token_keeps_the_video_id() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let a = video_token(&raw, "big.mp4", json!({ "fileId": "resume-1" })).await;
    let b = video_token(&raw, "big.mp4", json!({ "fileId": "resume-1" })).await;
    assert_eq!((a.video_id.clone(), a.key.clone()), (b.video_id, b.key));
    let c = video_token(&raw, "big.mp4", json!({})).await;
    assert_ne!(a.video_id, c.video_id);
    let bad = raw
        .call(
            "/vod/videoManage/getUploadToken",
            json!({ "originFileName": "noextension" }),
        )
        .await;
    assert_eq!(bad.code(), ErrorCode::InvalidParameter.code());
    let bad = raw
        .call(
            "/vod/videoManage/getUploadToken",
            json!({ "originFileName": "a.mp4", "fileId": "x".repeat(33) }),
        )
        .await;
    assert_eq!(bad.code(), ErrorCode::InvalidParameter.code());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_ctx_of_another_upload_is_refused() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let a = video_token(&raw, "a.mp4", json!({})).await;
    let b = video_token(&raw, "b.mp4", json!({})).await;
    let octet = "application/octet-stream";
    let (s, made) = post(
        &raw.http,
        format!("{}/mkblk/8/0", a.url),
        &a.token,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{made}");
    let ctx = made["ctx"].as_str().unwrap().to_string();
    let (s, body) = post(
        &raw.http,
        format!("{}/bput/{ctx}/4", b.url),
        &b.token,
        octet,
        b"efgh".to_vec(),
    )
    .await;
    assert_eq!(s, 701, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("another upload"));
    let (s, done) = post(
        &raw.http,
        format!("{}/bput/{ctx}/4", a.url),
        &a.token,
        octet,
        b"efgh".to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    let last = done["ctx"].as_str().unwrap().to_string();
    let (s, _) = post(
        &raw.http,
        format!("{}/mkfile/8", b.url),
        &b.token,
        "text/plain",
        last.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 701);
    let (s, stored) = post(
        &raw.http,
        format!("{}/mkfile/8", a.url),
        &a.token,
        "text/plain",
        last.into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{stored}");
    emu.shutdown().await;
}

#[tokio::test]
async fn ctx_values_and_pending_uploads_expire_with_their_token() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let up = video_token(&raw, "late.mp4", json!({})).await;
    let octet = "application/octet-stream";
    let (s, _) = post(
        &raw.http,
        format!("{}/mkblk/8/0", up.url),
        &up.token,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(emu.state().live_upload_contexts(), 1);
    let pending = emu.state().pending_uploads();
    assert!(pending >= 1);
    // A day and more later, the 24-hour token and everything it made are gone.
    emu.state().set_clock_skew(25 * 3600);
    let policy =
        json!({ "scope": "vod-emulator:other/key.mp4", "deadline": "4102444800000" }).to_string();
    let fresh =
        vod_emulator::upload::token::make_token(emu.access_key(), emu.secret_key(), &policy);
    let (s, b) = post(
        &raw.http,
        format!("{}/mkblk/8/0", up.url),
        &fresh,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        emu.state().live_upload_contexts(),
        1,
        "only the new ctx is kept"
    );
    assert_eq!(emu.state().pending_uploads(), pending - 1);
    let (s, _) = post(
        &raw.http,
        format!("{}/mkblk/8/0", up.url),
        &up.token,
        octet,
        b"abcd".to_vec(),
    )
    .await;
    assert_eq!(s, 401, "the old token expired");
    emu.shutdown().await;
}
