//! Authentication: every way a signature can be wrong gets its own code, and right ones pass
//! (WS3 and CNC, JSON without Content-Type, form bodies, GET with a query).

use crate::support::{emulator, now, Raw, RawRequest};
use serde_json::json;
use vod_client::model::ErrorCode;
use vod_client::signer::AuthProfile;

const LIST: &str = "/vod/videoManage/getVideoList";

fn list() -> RawRequest {
    RawRequest::post_json(LIST, &json!({ "pageSize": 5 }))
}

async fn expect_error(raw: &Raw, req: RawRequest, status: u16, code: i64) -> String {
    let resp = raw.send(req).await;
    assert_eq!(
        (resp.status, resp.code()),
        (status, code),
        "{:?}",
        resp.body
    );
    assert!(resp.header("X-WS-RequestId").is_some() || resp.header("x-cnc-request-id").is_some());
    resp.body["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn valid_signatures_pass() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let ok = raw.send(list()).await;
    assert_eq!((ok.status, ok.code()), (200, 200), "{:?}", ok.body);
    assert!(ok.header("X-WS-RequestId").is_some_and(|id| id.len() == 32));

    let mut cnc = list();
    cnc.algorithm = AuthProfile::Cnc;
    let ok = raw.send(cnc).await;
    assert_eq!(ok.code(), 200, "{:?}", ok.body);
    assert!(ok.header("x-cnc-request-id").is_some());

    // The Python SDK's way: a JSON body without Content-Type, signed with an empty value.
    let ok = raw
        .send(RawRequest::new(
            "POST",
            LIST,
            None,
            br#"{"pageSize":3}"#.to_vec(),
        ))
        .await;
    assert_eq!(ok.code(), 200, "{:?}", ok.body);

    let ok = raw
        .send(RawRequest::post_form(LIST, "pageSize=3&videoName=a%20b"))
        .await;
    assert_eq!(ok.code(), 200, "{:?}", ok.body);

    // GET signs the canonical query; '%20' is decoded, order kept.
    let ok = raw
        .send(RawRequest::get(&format!(
            "{LIST}?videoName=a%20b&pageSize=2"
        )))
        .await;
    assert_eq!(ok.code(), 200, "{:?}", ok.body);

    // Extra signed headers are fine as long as content-type and host are among them.
    let mut extra = list();
    extra.signed_headers = Some(vec!["content-type", "host", "x-ws-accesskey"]);
    assert_eq!(raw.send(extra).await.code(), 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn each_signature_failure_has_its_own_code() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);

    let mut r = list();
    r.authorization = Some(String::new());
    let m = expect_error(&raw, r, 401, ErrorCode::AuthMissingHeader.code()).await;
    assert!(m.contains("Authorization"), "{m}");

    let mut r = list();
    r.omit = vec!["x-ws-accesskey"];
    let m = expect_error(&raw, r, 401, ErrorCode::AuthMissingHeader.code()).await;
    assert!(m.contains("X-WS-AccessKey"), "{m}");

    let mut r = list();
    r.omit = vec!["x-ws-timestamp"];
    let m = expect_error(&raw, r, 401, ErrorCode::AuthMissingHeader.code()).await;
    assert!(m.contains("X-WS-Timestamp"), "{m}");

    let mut r = list();
    r.authorization = Some("WS3-HMAC-SHA256 Credential=x, Signature=abc".into());
    expect_error(&raw, r, 401, ErrorCode::AuthMalformed.code()).await;

    let mut r = list();
    r.authorization = Some("garbage".into());
    expect_error(&raw, r, 401, ErrorCode::AuthUnknownAlgorithm.code()).await;

    let mut r = list();
    r.authorization = Some(format!(
        "HMAC-SHA1 Credential={}, SignedHeaders=content-type;host, Signature={}",
        raw.ak,
        "0".repeat(64)
    ));
    expect_error(&raw, r, 401, ErrorCode::AuthUnknownAlgorithm.code()).await;

    let mut r = list();
    r.access_key = Some("NOBODY".into());
    expect_error(&raw, r, 403, ErrorCode::AuthUnknownAccessKey.code()).await;

    let mut r = list();
    r.timestamp = Some("yesterday".into());
    expect_error(&raw, r, 401, ErrorCode::AuthBadTimestamp.code()).await;

    let mut r = list();
    r.timestamp = Some((now() - 301).to_string());
    expect_error(&raw, r, 401, ErrorCode::AuthTimestampExpired.code()).await;

    let mut r = list();
    r.timestamp = Some((now() + 400).to_string());
    expect_error(&raw, r, 401, ErrorCode::AuthTimestampExpired.code()).await;

    let mut r = list();
    r.authorization = Some(format!(
        "WS3-HMAC-SHA256 Credential=SOMEONE-ELSE, SignedHeaders=content-type;host, Signature={}",
        "0".repeat(64)
    ));
    expect_error(&raw, r, 403, ErrorCode::AuthCredentialMismatch.code()).await;

    let mut r = list();
    r.signed_headers = Some(vec!["host"]);
    expect_error(&raw, r, 401, ErrorCode::AuthSignedHeaders.code()).await;

    let mut r = list();
    r.sign_secret = Some("wrong secret".into());
    expect_error(&raw, r, 403, ErrorCode::AuthSignatureMismatch.code()).await;

    let mut r = list();
    r.tamper_body = Some(br#"{"pageSize":6}"#.to_vec());
    expect_error(&raw, r, 403, ErrorCode::AuthSignatureMismatch.code()).await;

    // The content type is signed lower-cased: a charset suffix in any case still verifies,
    // but a different type sent than signed does not.
    let mut r = list();
    r.content_type = Some("application/json; charset=UTF-8".into());
    assert_eq!(raw.send(r).await.code(), 200);
    let mut r = list();
    r.extra = vec![("X-Unsigned".into(), "x".into())];
    assert_eq!(
        raw.send(r).await.code(),
        200,
        "unsigned headers do not matter"
    );

    // The query of a GET is signed: changing it after signing breaks the signature.
    let mut r = RawRequest::get(&format!("{LIST}?pageSize=2"));
    r.authorization = Some(raw_authorization(
        &raw,
        "GET",
        &format!("{LIST}?pageSize=3"),
    ));
    expect_error(&raw, r, 403, ErrorCode::AuthSignatureMismatch.code()).await;
    emu.shutdown().await;
}

/// An Authorization value computed for another target (to send with a different one).
fn raw_authorization(raw: &Raw, method: &str, target: &str) -> String {
    // Signed within the same second as the request that carries it.
    let ts = now().to_string();
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", raw.host.as_str()),
    ];
    vod_client::signer::sign(
        AuthProfile::Ws3,
        &raw.ak,
        &raw.sk,
        &vod_client::signer::SigningRequest {
            method,
            uri: target,
            headers: &headers,
            body: b"",
            timestamp: &ts,
            signed_headers: None,
        },
    )
    .authorization()
    .to_owned()
}

#[tokio::test]
async fn clock_skew_moves_the_window() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    emu.state().set_clock_skew(3600);
    let r = raw.send(list()).await;
    assert_eq!(r.code(), ErrorCode::AuthTimestampExpired.code());
    let mut later = list();
    later.timestamp = Some((now() + 3600).to_string());
    assert_eq!(raw.send(later).await.code(), 200);
    emu.state().set_clock_skew(0);
    assert_eq!(raw.send(list()).await.code(), 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn transport_level_rejections() {
    let emu = vod_emulator::Emulator::builder()
        .body_limit(1024)
        .start()
        .await
        .expect("start");
    let raw = Raw::new(&emu);
    let big = json!({ "videoName": "x".repeat(2000) });
    let r = raw.send(RawRequest::post_json(LIST, &big)).await;
    assert_eq!((r.status, r.code()), (413, ErrorCode::BodyTooLarge.code()));

    let r = raw.call("/vod/videoManage/noSuchThing", json!({})).await;
    assert_eq!(
        (r.status, r.code()),
        (404, ErrorCode::NoSuchOperation.code())
    );

    let r = raw
        .send(RawRequest::new(
            "PUT",
            LIST,
            Some("application/json"),
            b"{}".to_vec(),
        ))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (405, ErrorCode::MethodNotAllowed.code())
    );

    // Material operations take JSON only.
    let r = raw
        .send(RawRequest::get("/vod/material/getMaterialList?pageSize=1"))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (405, ErrorCode::MethodNotAllowed.code())
    );
    let r = raw
        .send(RawRequest::post_form(
            "/vod/material/getMaterialList",
            "pageSize=1",
        ))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (415, ErrorCode::UnsupportedMediaType.code())
    );
    let r = raw
        .send(RawRequest::new(
            "POST",
            LIST,
            Some("text/plain"),
            b"x".to_vec(),
        ))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (415, ErrorCode::UnsupportedMediaType.code())
    );
    emu.shutdown().await;
}

/// A signed `getVideoList` as raw HTTP/1.1 bytes, with these `Host` lines (the signature
/// covers the emulator's real address).
fn signed_with_hosts(raw: &Raw, version: &str, hosts: &[&str]) -> Vec<u8> {
    use vod_client::signer::{self, AuthProfile, SigningRequest};
    let timestamp = crate::support::now().to_string();
    let headers = [
        ("content-type", "application/json"),
        ("host", raw.host.as_str()),
        ("X-WS-AccessKey", raw.ak.as_str()),
        ("X-WS-Timestamp", timestamp.as_str()),
    ];
    let signed = signer::sign(
        AuthProfile::Ws3,
        &raw.ak,
        &raw.sk,
        &SigningRequest {
            method: "POST",
            uri: LIST,
            headers: &headers,
            body: b"{}",
            timestamp: &timestamp,
            signed_headers: None,
        },
    );
    let host_lines: String = hosts.iter().map(|h| format!("Host: {h}\r\n")).collect();
    format!(
        "POST {LIST} {version}\r\n{host_lines}Content-Type: application/json\r\n\
         X-WS-AccessKey: {}\r\nX-WS-Timestamp: {timestamp}\r\nAuthorization: {}\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n{{}}",
        raw.ak,
        signed.authorization()
    )
    .into_bytes()
}

#[tokio::test]
async fn host_header_must_appear_exactly_once() {
    use crate::support::{raw_exchange, raw_status};
    let emu = crate::support::emulator().await;
    let raw = Raw::new(&emu);
    let host = raw.host.clone();
    let ok = raw_exchange(emu.addr(), &signed_with_hosts(&raw, "HTTP/1.1", &[&host])).await;
    assert_eq!(raw_status(&ok), 200, "{ok}");
    assert!(ok.contains("\"code\":200"), "{ok}");
    for (version, hosts) in [
        ("HTTP/1.1", vec![]),
        ("HTTP/1.0", vec![]),
        ("HTTP/1.1", vec![host.as_str(), "attacker.example"]),
        ("HTTP/1.1", vec!["attacker.example", host.as_str()]),
        ("HTTP/1.1", vec![host.as_str(), host.as_str()]),
    ] {
        let answer = raw_exchange(emu.addr(), &signed_with_hosts(&raw, version, &hosts)).await;
        assert_eq!(raw_status(&answer), 400, "{version} {hosts:?}: {answer}");
        assert!(
            answer.contains(&format!("\"code\":{}", ErrorCode::BadHostHeader.code())),
            "{version} {hosts:?}: {answer}"
        );
    }
    // The storage side answers in its own shape.
    let upload = raw_exchange(
        emu.addr(),
        b"POST /upload/mkblk/4/0 HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd",
    )
    .await;
    assert_eq!(raw_status(&upload), 400, "{upload}");
    assert!(upload.contains("\"code\":\"400\""), "{upload}");
    emu.shutdown().await;
}

/// A `MakeWriter` that appends every log line to one shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Starts an emulator with a canary secret, drives signed calls (successful, failing, and
/// rejected) with trace-level logging captured, formats `Debug` of every public emulator type
/// and of the client's, and looks for the canary in all of it.
#[test]
fn the_secret_key_never_shows_in_logs_or_debug() {
    use std::fmt::Write as _;
    use vod_client::{Client, Credentials};
    use vod_emulator::{Emulator, FaultAction, FaultPlan, FaultRule, Trigger};

    const CANARY: &str = "canary-5f3a9c-SECRET";
    const AK: &str = "CANARY_AK";
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    // A current-thread runtime keeps the emulator's and the client's tasks on this thread,
    // where the subscriber is installed.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut debug = String::new();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let builder = Emulator::builder()
                .credentials(AK, CANARY)
                .fault(FaultRule::new(FaultAction::ServiceBusy).on("videoEnable"));
            let _ = write!(debug, "{builder:?}");
            let emu = builder.start().await.expect("start");
            let video = emu.state().add_video("canary.mp4");
            emu.state().add_audio("a.mp3");
            emu.state().add_material("m", "png");
            emu.state().add_category("c", None);
            let client_builder = Client::builder()
                .endpoint(emu.base_url())
                .credentials(AK, CANARY);
            let _ = write!(debug, "{client_builder:?}");
            let client = client_builder.build().expect("client");
            let _ = write!(debug, "{client:?} {:?}", Credentials::new(AK, CANARY));
            let page = client.get_video_list().page_size(5).send().await;
            assert!(page.is_ok(), "{page:?}");
            let _ = write!(debug, "{page:?}");
            let token = client.get_upload_token("movie.mp4").send().await;
            assert!(token.is_ok(), "{token:?}");
            let _ = write!(debug, "{token:?}");
            let failures = [
                client.video_block("no-such-video").send().await.err(),
                client.video_enable(&video).send().await.err(),
            ];
            for failure in failures {
                let failure = failure.expect("the call fails");
                let _ = write!(debug, "{failure:?} {failure}");
            }
            // The same key pair at an emulator that does not know it: a rejected signature.
            let stranger = Emulator::start().await.expect("start");
            let rejected = Client::builder()
                .endpoint(stranger.base_url())
                .credentials(AK, CANARY)
                .build()
                .expect("client")
                .get_video_list()
                .send()
                .await
                .expect_err("unknown key");
            let _ = write!(debug, "{rejected:?} {rejected}");
            let state = emu.state();
            let _ = write!(
                debug,
                "{emu:?} {state:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                state.videos(),
                state.audio("x"),
                state.categories(),
                state.tasks(),
                emu.faults(),
                FaultPlan::default(),
                Trigger::Always,
            );
            stranger.shutdown().await;
            emu.shutdown().await;
        });
    });
    let logs = logs.0.lock().map(|b| b.clone()).unwrap_or_default();
    let logs = String::from_utf8_lossy(&logs);
    assert!(
        logs.contains("getVideoList"),
        "trace logs were captured: {logs}"
    );
    assert!(debug.contains(AK), "Debug output was produced: {debug}");
    assert!(!logs.contains(CANARY), "secret in the logs:\n{logs}");
    assert!(!debug.contains(CANARY), "secret in Debug output:\n{debug}");
}
