//! The runtime's send path against a tiny HTTP/1.1 server on 127.0.0.1: what goes on the wire
//! (method, path, query, headers, body, signature), how answers are classified and decoded,
//! and when failures are retried.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use crate::support::*;
use serde_json::{json, Value};
use vod_client::signer;
use vod_client::{AuthProfile, Client, Error, RequestBuilder, RetryPolicy};

#[tokio::test]
async fn post_json_goes_out_signed_over_the_exact_bytes() {
    let server = Server::scripted(vec![ok(list_page(1, &["v1"]))]).await;
    let client = server
        .client()
        .clock(|| UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .build()
        .expect("client");
    let request = ListVideos {
        video_name: Some("猫 a+b".into()),
        page_size: Some(20),
        ..ListVideos::default()
    };
    let out = RequestBuilder::new(client.clone(), request.clone())
        .send()
        .await
        .expect("success");
    assert_eq!(out.total, 1);
    assert_eq!(out.videos[0].video_id, "v1");

    let got = server.only_request();
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/vod/videoManage/getVideoList");
    assert_eq!(got.header("Content-Type"), Some("application/json"));
    let port = server.endpoint.rsplit(':').next().expect("port");
    assert_eq!(
        got.header("Host"),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert_eq!(got.header("X-WS-AccessKey"), Some(AK));
    assert_eq!(got.header("X-WS-Timestamp"), Some("1700000000"));
    assert!(got
        .header("User-Agent")
        .is_some_and(|ua| ua.starts_with("vod-client/")));
    assert_eq!(got.body, serde_json::to_vec(&request).expect("json"));
    assert_eq!(got.json(), json!({"videoName": "猫 a+b", "pageSize": 20}));
    let expected = expected_authorization(signer::AuthProfile::Ws3, &got, "1700000000");
    assert_eq!(got.header("Authorization"), Some(expected.as_str()));
    assert!(expected.starts_with(
        "WS3-HMAC-SHA256 Credential=test-ak, SignedHeaders=content-type;host, Signature="
    ));
}

#[tokio::test]
async fn metadata_and_request_id_are_kept() {
    let mut r = ok(list_page(0, &[]));
    r.headers = vec![("x-cnc-request-id", "cnc-7".into())];
    let server = Server::scripted(vec![r]).await;
    let client = server.client().build().expect("client");
    let resp = RequestBuilder::new(client.clone(), ListVideos::default())
        .send_with_metadata()
        .await
        .expect("success");
    assert_eq!(resp.code, Some(200));
    assert_eq!(resp.message.as_deref(), Some("Operation succeeded"));
    assert_eq!(resp.request_id.as_deref(), Some("cnc-7"));
    assert!(resp.data.videos.is_empty());
}

#[tokio::test]
async fn service_error_names_operation_code_and_request_id() {
    let server = Server::scripted(vec![reply(
        200,
        json!({"code": 1502, "message": "video does not exist"}),
    )])
    .await;
    let client = server.client().build().expect("client");
    let err = client
        .send(&DeleteVideo {
            video_id: "v9".into(),
        })
        .await
        .expect_err("service error");
    assert_eq!(err.service_code(), Some(1502));
    assert_eq!(err.request_id(), Some("req-42"));
    assert_eq!(err.operation(), Some("deleteVideo"));
    let text = err.to_string();
    assert!(
        text.contains("deleteVideo")
            && text.contains("1502")
            && text.contains("video does not exist"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1, "service errors are not retried");
}

#[tokio::test]
async fn http_503_is_retried_for_retry_safe_operations_with_a_fresh_signature() {
    let server = Server::scripted(vec![
        reply(503, json!("busy")),
        reply(502, json!("busy")),
        ok(list_page(2, &["a", "b"])),
    ])
    .await;
    let tick = Arc::new(AtomicU64::new(1_700_000_000));
    let clock = tick.clone();
    let client = server
        .client()
        .clock(move || UNIX_EPOCH + Duration::from_secs(clock.fetch_add(1, Ordering::SeqCst)))
        .build()
        .expect("client");
    let out = client
        .send(&ListVideos::default())
        .await
        .expect("third attempt succeeds");
    assert_eq!(out.total, 2);
    let all = server.requests();
    assert_eq!(all.len(), 3);
    let stamps: Vec<&str> = all
        .iter()
        .map(|r| r.header("X-WS-Timestamp").expect("ts"))
        .collect();
    assert_eq!(stamps, ["1700000000", "1700000001", "1700000002"]);
    for got in &all {
        let ts = got.header("X-WS-Timestamp").expect("ts");
        let expected = expected_authorization(signer::AuthProfile::Ws3, got, ts);
        assert_eq!(got.header("Authorization"), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let server = Server::scripted(vec![reply(503, json!({"error": "busy"}))]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("always busy");
    assert!(
        matches!(&err, Error::Http { status: 503, request_id: Some(id), .. } if id == "req-42"),
        "{err:?}"
    );
    assert!(err.to_string().contains("busy"), "{err}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn state_changing_operations_are_not_retried() {
    let server = Server::scripted(vec![reply(503, json!("busy")), ok(Value::Null)]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send(&DeleteVideo {
            video_id: "v1".into(),
        })
        .await
        .expect_err("no retry");
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_is_respected() {
    let mut busy = reply(429, json!({"code": 429, "message": "slow down"}));
    busy.headers.push(("Retry-After", "1".into()));
    let server = Server::scripted(vec![busy, ok(list_page(0, &[]))]).await;
    let client = server.client().build().expect("client");
    let started = Instant::now();
    client
        .send(&ListVideos::default())
        .await
        .expect("second attempt");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn decode_error_names_the_field_path() {
    let page = json!({"total": 3, "videoListInfo": [{"videoId": "a"}, {"videoId": "b"}, {"videoId": ["x"]}]});
    let server = Server::scripted(vec![ok(page)]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("bad field");
    match &err {
        Error::Decode {
            operation,
            path,
            body_excerpt,
            ..
        } => {
            assert_eq!(*operation, "getVideoList");
            assert_eq!(path, "data.videoListInfo[2].videoId");
            assert!(body_excerpt.contains("videoListInfo"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("data.videoListInfo[2].videoId"),
        "{err}"
    );
}

#[tokio::test]
async fn numbers_and_booleans_as_strings_decode() {
    let page = json!({"code": "200", "message": "ok", "data": {"total": "2", "videoListInfo": [
        {"videoId": 123, "duration": "12.5", "enabled": "1"},
        {"videoId": "b", "duration": 3, "enabled": 0}
    ]}});
    let server = Server::scripted(vec![reply(200, page)]).await;
    let client = server.client().build().expect("client");
    let out = client.send(&ListVideos::default()).await.expect("lenient");
    assert_eq!(out.total, 2);
    assert_eq!(out.videos[0].video_id, "123");
    assert_eq!(out.videos[0].duration, Some(12.5));
    assert_eq!(out.videos[0].enabled, Some(true));
    assert_eq!(out.videos[1].enabled, Some(false));
}

#[tokio::test]
async fn query_operations_encode_space_and_plus_as_escapes() {
    let server = Server::scripted(vec![ok(json!(12345))]).await;
    let client = server.client().build().expect("client");
    let request = AudioToken {
        audio_name: "a b+c&d=猫".into(),
        tags: vec!["x y".into()],
        private: true,
        size: 7,
    };
    let token = client.send(&request).await.expect("token");
    assert_eq!(token, "12345");
    let got = server.only_request();
    assert_eq!(got.method, "GET");
    assert_eq!(
        got.target,
        "/vod/audio/getUploadToken?audioName=a%20b%2Bc%26d%3D%E7%8C%AB&tags=%5B%22x%20y%22%5D&isPrivate=true&size=7"
    );
    assert!(got.body.is_empty());
    assert_eq!(
        got.header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    let ts = got.header("X-WS-Timestamp").expect("ts");
    let expected = expected_authorization(signer::AuthProfile::Ws3, &got, ts);
    assert_eq!(got.header("Authorization"), Some(expected.as_str()));
}

#[tokio::test]
async fn cnc_profile_sends_its_headers() {
    let server = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let client = server
        .client()
        .auth_profile(AuthProfile::Cnc)
        .build()
        .expect("client");
    client.send(&ListVideos::default()).await.expect("success");
    let got = server.only_request();
    assert_eq!(got.header("x-cnc-accessKey"), Some(AK));
    assert_eq!(got.header("x-cnc-auth-method"), Some("AKSK"));
    assert!(got.header("X-WS-AccessKey").is_none());
    let ts = got.header("x-cnc-timestamp").expect("cnc timestamp");
    let expected = expected_authorization(signer::AuthProfile::Cnc, &got, ts);
    assert_eq!(got.header("Authorization"), Some(expected.as_str()));
    assert!(expected.starts_with("CNC-HMAC-SHA256 "));
    let now = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("now")
        .as_secs();
    let sent: u64 = ts.parse().expect("unix seconds");
    assert!(now.abs_diff(sent) < 60);
}

#[tokio::test]
async fn invalid_requests_are_not_sent() {
    let server = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let client = server.client().build().expect("client");
    let request = ListVideos {
        video_name: Some("x".repeat(41)),
        page_size: Some(80),
        ..ListVideos::default()
    };
    let err = client.send(&request).await.expect_err("invalid");
    let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["pageSize", "videoName"]);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn timeouts_and_connect_failures() {
    let server = Server::scripted(vec![Reply {
        status: 0,
        headers: vec![],
        body: String::new(),
    }])
    .await;
    let client = server
        .client()
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("timeout");
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "getVideoList",
                ..
            }
        ),
        "{err:?}"
    );

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let client = Client::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(AK, SK)
        .retry_policy(
            RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .build()
        .expect("client");
    let err = client
        .send(&DeleteVideo {
            video_id: "v".into(),
        })
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(!format!("{err:?} {err}").contains(SK));
}
