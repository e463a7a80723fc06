//! How the send path survives a hostile network and service: redirects are refused, "too many
//! requests" is resent whatever the operation, a skewed clock is corrected from the answer's
//! `Date`, lost answers of state-changing requests are reported as ambiguous (never resent),
//! and timeouts bound attempts and whole calls. Against a scripted server on 127.0.0.1.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::*;
use serde_json::{json, Value};
use vod_client::{CallOptions, Client, Error, RetryPolicy};

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[tokio::test]
async fn redirects_are_errors_naming_the_location_and_never_followed() {
    let elsewhere = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let location = format!("{}/vod/videoManage/getVideoList", elsewhere.endpoint);
    let mut moved = reply(307, json!({}));
    moved.headers.push(("Location", location.clone()));
    let server = Server::scripted(vec![moved]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("a redirect is an error");
    match &err {
        Error::Redirect {
            operation,
            status,
            location: got,
            request_id,
        } => {
            assert_eq!((*operation, *status), ("getVideoList", 307));
            assert_eq!(got, &location);
            assert_eq!(request_id.as_deref(), Some("req-42"));
        }
        other => panic!("expected a redirect error, got {other:?}"),
    }
    assert!(err.to_string().contains(&location), "{err}");
    assert_eq!(server.requests().len(), 1, "not retried");
    assert!(
        elsewhere.requests().is_empty(),
        "the signed request must not reach the Location"
    );
}

#[tokio::test]
async fn too_many_requests_is_resent_even_for_state_changing_operations() {
    let server = Server::scripted(vec![
        reply(429, json!({"code": 429, "message": "slow down"})),
        reply(200, json!({"code": 2101, "message": "busy"})),
        ok(Value::Null),
    ])
    .await;
    let client = server.client().build().expect("client");
    client
        .send(&DeleteVideo {
            video_id: "v1".into(),
        })
        .await
        .expect("resent after 429 and the spec's busy code");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_refused_timestamp_corrects_the_clock_for_this_and_later_calls() {
    let ahead = httpdate::fmt_http_date(at(1_700_003_600));
    let mut refused = reply(
        401,
        json!({"code": 2006, "message": "X-WS-Timestamp is more than 5 minutes away"}),
    );
    refused.headers.push(("Date", ahead));
    let server = Server::scripted(vec![refused, ok(Value::Null)]).await;
    let client = server
        .client()
        .clock(|| at(1_700_000_000))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    // Not retry-safe and no retries allowed: the clock correction is a re-sign, not a retry.
    client
        .send(&DeleteVideo {
            video_id: "v1".into(),
        })
        .await
        .expect("signed again with the corrected clock");
    assert_eq!(client.clock_offset(), 3600);
    client
        .send(&DeleteVideo {
            video_id: "v2".into(),
        })
        .await
        .expect("later call");
    let stamps: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("X-WS-Timestamp").expect("ts").to_string())
        .collect();
    assert_eq!(stamps, ["1700000000", "1700003600", "1700003600"]);
    for got in server.requests() {
        let ts = got.header("X-WS-Timestamp").expect("ts");
        let expected = expected_authorization(vod_client::signer::AuthProfile::Ws3, &got, ts);
        assert_eq!(got.header("Authorization"), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn the_clock_is_corrected_once_per_call_and_only_for_auth_refusals() {
    let mut refused = reply(401, json!({"code": 2006, "message": "expired"}));
    refused
        .headers
        .push(("Date", httpdate::fmt_http_date(at(1_700_003_600))));
    let server = Server::scripted(vec![refused]).await;
    let client = server
        .client()
        .clock(|| at(1_700_000_000))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("still refused");
    assert!(err.is_auth(), "{err}");
    assert_eq!(server.requests().len(), 2, "one re-sign, no loop");

    let mut other = reply(200, json!({"code": 1000, "message": "bad"}));
    other
        .headers
        .push(("Date", httpdate::fmt_http_date(at(1_700_003_600))));
    let server = Server::scripted(vec![other]).await;
    let client = server
        .client()
        .clock(|| at(1_700_000_000))
        .build()
        .expect("client");
    let err = client.send(&ListVideos::default()).await.expect_err("1000");
    assert!(err.is_invalid_parameter());
    assert_eq!(client.clock_offset(), 0);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_lost_answer_of_a_state_changing_request_is_ambiguous_and_not_resent() {
    let server = Server::scripted(vec![hang_up(), ok(Value::Null)]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send(&DeleteVideo {
            video_id: "v1".into(),
        })
        .await
        .expect_err("answer lost");
    assert!(err.is_ambiguous(), "{err:?}");
    assert!(
        matches!(&err, Error::Ambiguous { operation: "deleteVideo", source } if matches!(**source, Error::Transport { .. })),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1, "never resent");

    // The same loss on a read is simply retried.
    let server = Server::scripted(vec![hang_up(), ok(list_page(0, &[]))]).await;
    let client = server.client().build().expect("client");
    client.send(&ListVideos::default()).await.expect("retried");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_timeout_after_sending_is_ambiguous_a_refused_connection_is_not() {
    let server = Server::scripted(vec![Reply {
        status: 0,
        headers: vec![],
        body: String::new(),
    }])
    .await;
    let client = server
        .client()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let err = client
        .send(&DeleteVideo {
            video_id: "v1".into(),
        })
        .await
        .expect_err("no answer");
    assert!(err.is_ambiguous(), "{err:?}");
    assert!(
        matches!(&err, Error::Ambiguous { source, .. } if matches!(**source, Error::Timeout { .. })),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let client = Client::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(AK, SK)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .send(&DeleteVideo {
            video_id: "v".into(),
        })
        .await
        .expect_err("refused");
    assert!(!err.is_ambiguous(), "{err:?}");
    match &err {
        Error::Transport { source, .. } => assert!(source.is_not_sent()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let silent = Reply {
        status: 0,
        headers: vec![],
        body: String::new(),
    };
    let server = Server::scripted(vec![silent]).await;
    let client = server
        .client()
        .timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("timeout");
    match err {
        Error::Timeout { operation, after } => {
            assert_eq!(operation, "getVideoList");
            assert_eq!(
                after,
                Duration::from_millis(300),
                "the call's timeout is named"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn call_options_override_the_clients_settings() {
    let server = Server::scripted(vec![reply(503, json!("busy")), ok(list_page(0, &[]))]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send_with_options(
            &ListVideos::default(),
            &CallOptions::new().retry(RetryPolicy::none()),
        )
        .await
        .expect_err("no retries for this call");
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);

    let silent = Reply {
        status: 0,
        headers: vec![],
        body: String::new(),
    };
    let server = Server::scripted(vec![silent]).await;
    let client = server.client().build().expect("client");
    let err = client
        .send_with_options(
            &ListVideos::default(),
            &CallOptions::new()
                .attempt_timeout(Duration::from_millis(100))
                .timeout(Duration::from_millis(250)),
        )
        .await
        .expect_err("timeout");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        (1..=3).contains(&server.requests().len()),
        "attempts are bounded by the call's timeout"
    );
}

#[tokio::test]
async fn each_attempt_asks_the_credentials_provider_so_keys_can_rotate() {
    use std::sync::{Arc, RwLock};
    use vod_client::{Credentials, CredentialsProvider};

    #[derive(Debug)]
    struct Rotating(RwLock<Credentials>);
    impl CredentialsProvider for Rotating {
        fn credentials(&self) -> Result<Credentials, Error> {
            Ok(self.0.read().expect("lock").clone())
        }
    }

    let server = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let keys = Arc::new(Rotating(RwLock::new(Credentials::new("AK1", "SK1"))));
    let client = Client::builder()
        .endpoint(server.endpoint.as_str())
        .credentials_provider(keys.clone())
        .build()
        .expect("client");
    client.send(&ListVideos::default()).await.expect("first");
    *keys.0.write().expect("lock") = Credentials::new("AK2", "SK2");
    client.send(&ListVideos::default()).await.expect("second");
    let sent: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("X-WS-AccessKey").expect("ak").to_string())
        .collect();
    assert_eq!(sent, ["AK1", "AK2"]);
    *keys.0.write().expect("lock") = Credentials::new("", "SK3");
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("empty key");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(server.requests().len(), 2, "nothing sent with a bad key");
}

#[tokio::test]
async fn a_caller_supplied_http_client_is_used() {
    let server = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let http = reqwest::Client::builder()
        .user_agent("my-app/1.0")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let client = server.client().http_client(http).build().expect("client");
    client.send(&ListVideos::default()).await.expect("sent");
    assert_eq!(
        server.only_request().header("User-Agent"),
        Some("my-app/1.0")
    );
}

#[tokio::test]
async fn rate_limits_pace_calls_and_a_turn_past_the_deadline_is_a_timeout() {
    use vod_client::ratelimit::{RateLimit, RateLimits};
    let server = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let hourly = RateLimit::new(2, Duration::from_secs(3600)).expect("limit");
    let client = server
        .client()
        .rate_limits(RateLimits::from_spec().set("getVideoList", hourly))
        .operation_timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    for _ in 0..2 {
        client
            .send(&ListVideos::default())
            .await
            .expect("within the burst");
    }
    let err = client
        .send(&ListVideos::default())
        .await
        .expect_err("the next turn is 30 minutes away");
    assert!(
        matches!(err, Error::Timeout { operation: "getVideoList", after } if after == Duration::from_secs(5)),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2, "the third call was never sent");
    // Other operations have their own buckets.
    client
        .send(&DeleteVideo {
            video_id: "v".into(),
        })
        .await
        .expect("own bucket");
}

/// `deleteVideo` with a check whose answer the test picks.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(transparent)]
struct CheckedDelete {
    #[serde(skip)]
    verdict: Option<bool>,
    inner: DeleteVideo,
}

impl vod_client::operation::Request for CheckedDelete {
    type Output = ();
    const OPERATION: &'static vod_client::operation::OperationSpec =
        <DeleteVideo as vod_client::operation::Request>::OPERATION;
    fn validate(&self) -> Result<(), Error> {
        vod_client::operation::Request::validate(&self.inner)
    }
    fn resolve_ambiguous<'a>(
        &'a self,
        _client: &'a Client,
    ) -> Option<vod_client::ambiguous::ResolveFuture<'a, ()>> {
        use vod_client::ambiguous::Resolution;
        let verdict = self.verdict;
        Some(Box::pin(async move {
            match verdict {
                Some(true) => Ok(Resolution::Done(())),
                Some(false) => Ok(Resolution::NotDone),
                None => Err(Error::Config("cannot look".into())),
            }
        }))
    }
}

#[tokio::test]
async fn the_check_decides_between_the_result_a_resend_and_the_ambiguous_error() {
    let request = |verdict| CheckedDelete {
        verdict,
        inner: DeleteVideo {
            video_id: "v1".into(),
        },
    };
    // Not carried out: sent again, and that answer counts.
    let server = Server::scripted(vec![hang_up(), ok(Value::Null)]).await;
    let client = server.client().build().expect("client");
    client
        .send(&request(Some(false)))
        .await
        .expect("sent again");
    assert_eq!(server.requests().len(), 2);
    // Carried out: the check's result, nothing sent again.
    let server = Server::scripted(vec![hang_up(), ok(Value::Null)]).await;
    let client = server.client().build().expect("client");
    let answer = client
        .send_with_metadata(&request(Some(true)))
        .await
        .expect("resolved");
    assert_eq!((answer.code, answer.request_id), (None, None));
    assert_eq!(server.requests().len(), 1);
    // Cannot tell: the original ambiguous error.
    let server = Server::scripted(vec![hang_up()]).await;
    let client = server.client().build().expect("client");
    let err = client.send(&request(None)).await.expect_err("unknown");
    assert!(err.is_ambiguous(), "{err:?}");
    // Never carried out, every time: bounded by the retry policy's attempts (3).
    let err = client
        .send(&request(Some(false)))
        .await
        .expect_err("gives up");
    assert!(err.is_ambiguous(), "{err:?}");
    assert_eq!(server.requests().len(), 1 + 3);
}
