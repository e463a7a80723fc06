//! Fault injection: every switch, deterministic, off by default.

use std::time::{Duration, Instant};
use vod_client::model::ErrorCode;

use crate::support::{emulator, Raw};
use serde_json::json;
use vod_emulator::{Emulator, FaultAction, FaultRule};

const LIST: &str = "/vod/videoManage/getVideoList";

#[tokio::test]
async fn busy_every_nth_call_of_one_operation() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    emu.faults()
        .add(
            FaultRule::new(FaultAction::ServiceBusy)
                .on("getVideoList")
                .every_nth(3),
        )
        .expect("a valid fault rule");
    let mut codes_seen = Vec::new();
    for _ in 0..6 {
        codes_seen.push(raw.call(LIST, json!({})).await.code());
    }
    assert_eq!(
        codes_seen,
        [
            200,
            200,
            ErrorCode::ServiceBusy.code(),
            200,
            200,
            ErrorCode::ServiceBusy.code()
        ]
    );
    // Other operations are untouched.
    let other = raw
        .call("/vod/videoCategory/getCategoryList", json!({}))
        .await;
    assert_eq!(other.code(), 200);
    emu.faults().clear();
    assert_eq!(raw.call(LIST, json!({})).await.code(), 200);
    // Any business code, e.g. one a client's retry policy treats as busy.
    emu.faults()
        .add(FaultRule::new(FaultAction::ServiceCode(503)).first(1))
        .expect("a valid fault rule");
    let r = raw.call(LIST, json!({})).await;
    assert_eq!((r.status, r.code()), (200, 503));
    assert_eq!(raw.call(LIST, json!({})).await.code(), 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn http_errors_and_first_n() {
    let emu = Emulator::builder()
        .fault(FaultRule::new(FaultAction::HttpStatus(503)).first(2))
        .start()
        .await
        .expect("start");
    let raw = Raw::new(&emu);
    let r = raw.call(LIST, json!({})).await;
    assert_eq!((r.status, r.code()), (503, 503));
    assert!(r.header("X-WS-RequestId").is_some());
    assert_eq!(raw.call(LIST, json!({})).await.status, 503);
    assert_eq!(raw.call(LIST, json!({})).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn faults_never_hide_authentication() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    emu.faults()
        .add(FaultRule::new(FaultAction::HttpStatus(500)))
        .expect("a valid fault rule");
    let mut bad = crate::support::RawRequest::post_json(LIST, &json!({}));
    bad.sign_secret = Some("wrong".into());
    assert_eq!(
        raw.send(bad).await.code(),
        ErrorCode::AuthSignatureMismatch.code()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn connection_reset_mid_response() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    emu.state().add_video("v");
    emu.faults()
        .add(
            FaultRule::new(FaultAction::ResetConnection)
                .on("getVideoList")
                .first(1),
        )
        .expect("a valid fault rule");
    let broken = raw
        .try_send(crate::support::RawRequest::post_json(LIST, &json!({})))
        .await;
    assert!(broken.is_err(), "the body is cut off: {broken:?}");
    assert_eq!(
        raw.call(LIST, json!({})).await.code(),
        200,
        "the next call works"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn added_latency() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    emu.faults()
        .add(FaultRule::new(FaultAction::Latency(Duration::from_millis(150))).on("getVideoList"))
        .expect("a valid fault rule");
    let started = Instant::now();
    assert_eq!(raw.call(LIST, json!({})).await.code(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    emu.shutdown().await;
}

#[tokio::test]
async fn throttling_per_window() {
    let emu = Emulator::builder()
        .throttle(3, Duration::from_millis(300))
        .start()
        .await
        .expect("start");
    let raw = Raw::new(&emu);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = raw.call(LIST, json!({})).await;
        statuses.push((r.status, r.code()));
    }
    assert_eq!(&statuses[..3], &[(200, 200); 3]);
    assert_eq!(&statuses[3..], &[(429, ErrorCode::Throttled.code()); 2]);
    let throttled = raw.call(LIST, json!({})).await;
    assert_eq!(throttled.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(raw.call(LIST, json!({})).await.code(), 200, "a new window");
    emu.shutdown().await;
}

#[tokio::test]
async fn seeded_rate_is_reproducible() {
    async fn run() -> Vec<i64> {
        let emu = Emulator::builder()
            .fault(FaultRule::new(FaultAction::ServiceBusy).rate(0.5, 99))
            .start()
            .await
            .expect("start");
        let raw = Raw::new(&emu);
        let mut seen = Vec::new();
        for _ in 0..20 {
            seen.push(raw.call(LIST, json!({})).await.code());
        }
        emu.shutdown().await;
        seen
    }
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(
        first.contains(&200) && first.contains(&ErrorCode::ServiceBusy.code()),
        "{first:?}"
    );
}

#[tokio::test]
async fn upload_calls_have_faults_too() {
    let emu = emulator().await;
    let raw = Raw::new(&emu);
    let token = raw
        .call(
            "/vod/videoManage/getUploadToken",
            json!({ "originFileName": "f.mp4" }),
        )
        .await;
    let url = token.data()["uploadUrl"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let tok = token.data()["uploadToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    emu.faults()
        .add(
            FaultRule::new(FaultAction::ServiceBusy)
                .on("mkblk")
                .first(1),
        )
        .expect("a valid fault rule");
    let send = || {
        raw.http
            .post(format!("{url}/mkblk/4/0"))
            .header("Authorization", tok.clone())
            .body("abcd")
            .send()
    };
    assert_eq!(send().await.map(|r| r.status().as_u16()).ok(), Some(503));
    assert_eq!(send().await.map(|r| r.status().as_u16()).ok(), Some(200));
    emu.shutdown().await;
}

/// The journal says what the emulator answered: here a busy answer, then the client's retry.
#[tokio::test]
async fn the_journal_records_each_attempt_and_the_fault_applied() {
    let emu = Emulator::start().await.expect("emulator");
    emu.faults()
        .add(
            FaultRule::new(FaultAction::ServiceBusy)
                .on("getVideoList")
                .first(1),
        )
        .expect("a valid fault rule");
    let client = emu.client_builder().build().expect("client");
    client
        .get_video_list()
        .send()
        .await
        .expect("retried past the busy answer");
    let calls: Vec<_> = emu
        .journal()
        .into_iter()
        .filter(|c| c.operation == "getVideoList")
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!((calls[0].attempt, calls[1].attempt), (1, 2));
    assert_eq!(calls[0].faults, ["ServiceBusy"]);
    assert_eq!(calls[0].code, ErrorCode::ServiceBusy.code());
    assert!(calls[1].faults.is_empty());
    assert_eq!(calls[1].code, vod_client::SUCCESS_CODE);
    emu.shutdown().await;
}

/// A rule that could never fire is refused where it is given, not silently kept.
#[tokio::test]
async fn a_builder_with_a_rule_naming_no_operation_does_not_start() {
    let err = Emulator::builder()
        .fault(FaultRule::new(FaultAction::ServiceBusy).on("getVideoLists"))
        .start()
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("did you mean `getVideoList`?"),
        "{err}"
    );
}

/// `fail_tasks` (and `vod-emulator --fail-tasks`) makes the next tasks fail.
#[tokio::test]
async fn planned_task_failures_can_be_set_when_starting() {
    let emu = Emulator::builder()
        .task_duration(std::time::Duration::from_millis(10))
        .fail_tasks(1)
        .start()
        .await
        .expect("emulator");
    let video = emu.state().add_video("a.mp4");
    let client = emu.client_builder().build().expect("client");
    let err = client
        .trans_code([&video])
        .start()
        .await
        .expect("started")
        .wait_until_done()
        .await
        .expect_err("the planned failure");
    assert!(matches!(err, vod_client::Error::TaskFailed { .. }), "{err}");
    emu.shutdown().await;
}
