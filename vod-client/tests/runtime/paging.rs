//! Paging, task waiting and JSON invocation on top of the send path, against the same tiny
//! local server as `runtime_send.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use futures_util::StreamExt;
use serde_json::json;
use vod_client::{Error, RequestBuilder, WaitOptions};

#[tokio::test]
async fn paginator_walks_until_a_short_page() {
    let server = Server::start(|got| {
        let index = got.json()["pageIndex"].as_i64().unwrap_or(1);
        let ids: &[&str] = match index {
            1 => &["a", "b"],
            2 => &["c", "d"],
            3 => &["e"],
            _ => &["never"],
        };
        ok(list_page(5, ids))
    })
    .await;
    let client = server.client().build().expect("client");
    let request = ListVideos {
        page_size: Some(2),
        ..ListVideos::default()
    };
    let items = RequestBuilder::new(client.clone(), request.clone())
        .into_paginator()
        .collect_items()
        .await
        .expect("all pages");
    let ids: Vec<String> = items.into_iter().map(|v| v.video_id).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let indexes: Vec<i64> = server
        .requests()
        .iter()
        .map(|r| r.json()["pageIndex"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(indexes, [1, 2, 3]);

    let pages: Vec<_> = RequestBuilder::new(client.clone(), request.clone())
        .into_paginator()
        .max_pages(2)
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    let mut from_two = request;
    from_two.page_index = Some(2);
    let rest = RequestBuilder::new(client.clone(), from_two)
        .into_paginator()
        .collect_items()
        .await
        .expect("from page 2");
    assert_eq!(rest.len(), 3);
}

#[tokio::test]
async fn paginator_stops_on_errors_and_empty_pages() {
    let server = Server::start(|got| match got.json()["pageIndex"].as_i64().unwrap_or(1) {
        1 => ok(list_page(9, &["a", "b"])),
        _ => reply(200, json!({"code": 1000, "message": "bad page"})),
    })
    .await;
    let client = server.client().build().expect("client");
    let request = ListVideos {
        page_size: Some(2),
        ..ListVideos::default()
    };

    let items: Vec<_> = RequestBuilder::new(client.clone(), request)
        .into_paginator()
        .items()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert_eq!(
        items[2].as_ref().err().and_then(Error::service_code),
        Some(1000)
    );

    let empty = Server::scripted(vec![ok(list_page(0, &[]))]).await;
    let client = empty.client().build().expect("client");
    let all = RequestBuilder::new(client.clone(), ListVideos::default())
        .into_paginator()
        .collect_items()
        .await
        .expect("empty");
    assert!(all.is_empty());
    assert_eq!(empty.requests().len(), 1);
}

#[tokio::test]
async fn paginator_respects_the_result_cap() {
    let server = Server::start(|_| {
        let ids = vec!["x"; 50];
        ok(list_page(1_000_000, &ids))
    })
    .await;
    let client = server.client().build().expect("client");
    let request = ListVideos {
        page_size: Some(50),
        page_index: Some(1995),
        ..ListVideos::default()
    };
    let items = RequestBuilder::new(client.clone(), request)
        .into_paginator()
        .collect_items()
        .await
        .expect("capped");
    // Pages 1995..=2000 hold results up to 100 000; page 2001 would go beyond.
    assert_eq!(server.requests().len(), 6);
    assert_eq!(items.len(), 300);
}

#[tokio::test]
async fn tasks_are_polled_until_a_final_state() {
    let polls = Arc::new(AtomicU64::new(0));
    let count = polls.clone();
    let server = Server::start(move |got| {
        if got.target.ends_with("/transCode") {
            return ok(json!("task-1"));
        }
        assert_eq!(got.json(), json!({"taskId": "task-1"}));
        let n = count.fetch_add(1, Ordering::SeqCst);
        ok(json!({"state": if n < 2 { "1" } else { "2" }}))
    })
    .await;
    let client = server.client().build().expect("client");
    let task = RequestBuilder::new(
        client.clone(),
        Transcode {
            video_id: "v".into(),
        },
    )
    .start()
    .await
    .expect("started");
    assert_eq!(task.output(), "task-1");
    let options = WaitOptions::every(Duration::from_millis(10), Duration::from_secs(5));
    let mut task = task;
    let done = task.wait_with(options).await.expect("succeeded");
    assert_eq!(done.answer().and_then(|a| a.state), Some(2));
    assert_eq!(done.outcomes()[0].subject, "taskId=task-1");
    assert_eq!(polls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn failed_and_endless_tasks() {
    let server = Server::start(|got| {
        if got.target.ends_with("/transCode") {
            ok(json!("task-2"))
        } else if got.json()["taskId"] == "task-2" {
            ok(json!({"state": 3}))
        } else {
            ok(json!({}))
        }
    })
    .await;
    let client = server.client().build().expect("client");
    let options = WaitOptions::every(Duration::from_millis(10), Duration::from_millis(100));
    let task = RequestBuilder::new(
        client.clone(),
        Transcode {
            video_id: "v".into(),
        },
    )
    .start()
    .await
    .expect("started");
    let mut task = task;
    let err = task.wait_with(options).await.expect_err("failed");
    assert!(
        matches!(&err, Error::TaskFailed { operation: "transCode", failures }
            if failures.len() == 1 && failures[0].state == "3" && failures[0].subject == "taskId=task-2"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("taskId=task-2 ended in state `3`"),
        "{err}"
    );

    let mut endless = vod_client::Task::new(
        client.clone(),
        Transcode {
            video_id: "v".into(),
        },
        "task-3".to_string(),
    );
    let err = endless.wait_with(options).await.expect_err("never ends");
    assert!(
        matches!(&err, Error::WaitTimeout { pending, .. } if pending == &["taskId=task-3"]),
        "{err:?}"
    );
    assert_eq!(
        endless.last_outcomes()[0].state,
        vod_client::operation::TaskState::Running
    );
    assert!(
        endless.last_outcomes()[0].answer.is_some(),
        "the last answer is kept"
    );
}

#[tokio::test]
async fn invoke_json_goes_through_the_typed_request() {
    let server = Server::scripted(vec![ok(list_page(1, &["v1"]))]).await;
    let client = server.client().build().expect("client");
    let out = vod_client::operation::invoke_json::<ListVideos>(
        &client,
        json!({"pageSize": "5", "videoName": "cat"}),
    )
    .await
    .expect("json call");
    assert_eq!(
        out,
        json!({"total": 1, "videoListInfo": [{"videoId": "v1", "duration": null, "enabled": null}]})
    );
    assert_eq!(
        server.only_request().json(),
        json!({"videoName": "cat", "pageSize": 5})
    );

    let err =
        vod_client::operation::invoke_json::<ListVideos>(&client, json!({"pageSize": "many"}))
            .await
            .expect_err("bad field");
    assert_eq!(
        err.problems().first().map(|p| p.field.as_str()),
        Some("pageSize")
    );
    let err = vod_client::operation::invoke_json::<DeleteVideo>(&client, json!({}))
        .await
        .expect_err("missing field");
    assert_eq!(
        err.problems().first().map(|p| p.field.as_str()),
        Some("videoId")
    );
    let err = vod_client::operation::invoke_json::<ListVideos>(&client, json!({"pageSize": 99}))
        .await
        .expect_err("out of range");
    assert!(err.to_string().contains("pageSize"), "{err}");
    assert_eq!(server.requests().len(), 1);
}
