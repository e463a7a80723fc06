//! `vod_client::blocking::Client` against the emulator: operations, paginators as iterators,
//! waiters, uploads, errors, and what happens when it is called inside an async runtime.
//!
//! The emulator runs on a runtime of the test's own (its worker threads serve it), so the
//! test threads themselves stay outside any runtime, as a blocking program's do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use vod_client::blocking::Client;
use vod_client::upload::{Step, UploadSource};
use vod_client::{Error, WaitOptions};
use vod_emulator::{Emulator, FaultAction, FaultRule};

/// The client, the emulator and the runtime serving it, dropped in that order.
struct Setup {
    client: Client,
    emu: Emulator,
    _server: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    let server = tokio::runtime::Runtime::new().expect("runtime");
    let emu = server
        .block_on(
            Emulator::builder()
                .credentials("AK", "SK")
                .task_duration(Duration::from_millis(10))
                .start(),
        )
        .expect("emulator");
    let client = Client::builder()
        .endpoint(emu.base_url())
        .credentials("AK", "SK")
        .build()
        .expect("client");
    Setup {
        client,
        emu,
        _server: server,
    }
}

fn fast() -> WaitOptions {
    WaitOptions::every(Duration::from_millis(10), Duration::from_secs(30))
}

#[test]
fn operations_send_and_return_their_data() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();
    let id = emu.state().add_video("talk.mp4");

    client
        .video_edit(&id)
        .video_name("Keynote")
        .video_description("the opening talk")
        .send()
        .expect("videoEdit");
    assert_eq!(
        emu.state().video(&id).expect("stored").video_name,
        "Keynote"
    );

    let answer = client
        .get_video_list()
        .video_name("Keynote")
        .send_with_metadata()
        .expect("getVideoList");
    assert_eq!(answer.data.video_list_info.len(), 1);
    assert_eq!(answer.data.video_list_info[0].video_id, id);

    // A request built beforehand, sent through the client (as with the async one).
    let request = client.get_video_list().page_size(5).into_request();
    assert_eq!(client.send(&request).expect("send").video_total, 1);
}

#[test]
fn clones_are_used_from_many_threads_at_once() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();
    for i in 0..3 {
        emu.state().add_video(&format!("v{i}.mp4"));
    }
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.get_video_list().page_size(10).send())
        })
        .collect();
    for thread in threads {
        let page = thread.join().expect("thread").expect("getVideoList");
        assert_eq!(page.video_list_info.len(), 3);
    }
}

#[test]
fn paginators_iterate_over_several_pages() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();
    let mut added: Vec<String> = (0..7)
        .map(|i| emu.state().add_video(&format!("clip{i}.mp4")).to_string())
        .collect();

    let mut seen: Vec<String> = client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .items()
        .map(|video| video.map(|v| v.video_id.to_string()))
        .collect::<Result<_, _>>()
        .expect("items");
    added.sort();
    seen.sort();
    assert_eq!(seen, added);

    let sizes: Vec<usize> = client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .pages()
        .map(|page| page.expect("page").video_list_info.len())
        .collect();
    assert_eq!(sizes, [2, 2, 2, 1]);

    let first = client
        .get_video_list()
        .page_size(3)
        .into_paginator()
        .max_pages(2)
        .collect_items()
        .expect("collect");
    assert_eq!(first.len(), 6);
}

#[test]
fn a_failed_page_is_yielded_once_then_the_iterator_ends() {
    let Setup {
        client,
        emu: _emu,
        _server,
    } = setup();
    let mut items = client
        .get_video_list()
        .page_size(0)
        .into_paginator()
        .items();
    let err = items
        .next()
        .expect("one item")
        .expect_err("invalid page size");
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                operation: "getVideoList",
                ..
            }
        ),
        "{err}"
    );
    assert!(items.next().is_none());
    assert!(items.next().is_none(), "fused");
}

#[test]
fn tasks_are_waited_for_on_the_calling_thread() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();
    let (a, b) = (
        emu.state().add_video("a.mp4"),
        emu.state().add_video("b.mp4"),
    );

    let mut task = client.trans_code([&a, &b]).start().expect("transCode");
    let done = task.wait_with(fast()).expect("wait");
    assert!(done.all_succeeded());
    assert_eq!(done.outcomes().len(), 2);
    assert_eq!(task.last_outcomes().len(), 2);

    emu.state().fail_next_tasks(1);
    let err = client
        .trans_code([&a])
        .start()
        .expect("transCode")
        .wait_with(fast())
        .expect_err("the task fails");
    assert!(
        matches!(&err, Error::TaskFailed { operation: "transCode", failures } if failures.len() == 1),
        "{err}"
    );
}

#[test]
fn small_and_multi_block_uploads() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();

    let small = client
        .upload_video(UploadSource::bytes("small.mp4", vec![3u8; 10_000]))
        .send()
        .expect("form upload");
    assert_eq!(small.size, 10_000);
    assert_eq!(
        emu.state().video(&small.id).expect("registered").video_name,
        "small.mp4"
    );

    let len = (9u64 << 20) + 17;
    let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    let expected = {
        let mut etag = vod_client::upload::Etag::new();
        etag.update(&bytes);
        etag.finish()
    };
    let done = Arc::new(AtomicU64::new(0));
    let seen = done.clone();
    let big = client
        .upload_video(UploadSource::bytes("big.mp4", bytes))
        .chunk_size(1 << 20)
        .parallel(2)
        .progress(move |bytes, _| seen.store(bytes, Ordering::Relaxed))
        .send()
        .expect("block upload");
    assert_eq!(big.size, len);
    assert_eq!(big.hash, expected);
    assert_eq!(done.load(Ordering::Relaxed), len);
    assert_eq!(
        emu.state().video(&big.id).expect("registered").video_size,
        len
    );

    let material = client
        .upload_material(UploadSource::bytes("logo.png", vec![9u8; 512]))
        .send()
        .expect("material upload");
    assert!(emu.state().material(&material.id).is_some());
}

#[test]
fn errors_are_the_async_clients() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();

    let err = client
        .video_edit("no-such-video")
        .video_name("x")
        .send()
        .expect_err("unknown video");
    assert_eq!(err.operation(), Some("videoEdit"));
    assert!(err.code().is_some(), "a service error: {err}");

    // The same retry policy: one busy answer is retried, and the call succeeds.
    emu.faults()
        .add(
            FaultRule::new(FaultAction::ServiceBusy)
                .on("getVideoList")
                .first(1),
        )
        .expect("a valid fault rule");
    client.get_video_list().send().expect("retried");

    let missing = std::env::temp_dir().join("vod-blocking-no-such-file.mp4");
    let err = client.upload_video(&missing).send().expect_err("no file");
    assert_eq!(err.step, Step::Check);
    assert!(
        matches!(err.error(), Some(Error::LocalFile { .. })),
        "{err}"
    );
}

#[test]
fn a_client_wraps_an_async_one() {
    let Setup {
        client,
        emu,
        _server,
    } = setup();
    let async_client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials("AK", "SK")
        .build()
        .expect("async client");
    let wrapped = Client::from_async(async_client).expect("blocking client");
    assert_eq!(wrapped.endpoint(), client.endpoint());
    emu.state().add_video("a.mp4");
    assert_eq!(
        wrapped.get_video_list().send().expect("send").video_total,
        1
    );
    let answer = client
        .block_on(client.as_async().get_video_list().send())
        .expect("block_on")
        .expect("send");
    assert_eq!(answer.video_total, 1);
}

/// Inside async code every blocking call fails with `BlockingInAsync` (Tokio would panic, and
/// a blocked worker would stall the emulator serving this very test); a thread of its own is
/// the way out, and dropping the client there is fine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_runtime_calls_fail_with_a_clear_error() {
    let emu = Emulator::builder()
        .credentials("AK", "SK")
        .start()
        .await
        .expect("emulator");
    let id = emu.state().add_video("a.mp4");
    // Building one is fine anywhere: it only starts threads.
    let client = Client::builder()
        .endpoint(emu.base_url())
        .credentials("AK", "SK")
        .build()
        .expect("client");

    let in_async = |err: &Error, op: &str| matches!(err, Error::BlockingInAsync { operation } if *operation == op);
    let err = client.get_video_list().send().expect_err("refused");
    assert!(in_async(&err, "getVideoList"), "{err}");
    assert!(
        err.to_string()
            .contains("use vod_client::Client with .await"),
        "{err}"
    );
    assert_eq!(err.operation(), Some("getVideoList"));

    let err = client.trans_code([&id]).start().expect_err("refused");
    assert!(in_async(&err, "transCode"), "{err}");

    let mut items = client.get_video_list().into_paginator().items();
    let err = items.next().expect("an error").expect_err("refused");
    assert!(in_async(&err, "getVideoList"), "{err}");
    assert!(items.next().is_none());

    let err = client
        .upload_video(UploadSource::bytes("a.mp4", vec![1u8; 100]))
        .send()
        .expect_err("refused");
    assert_eq!(err.step, Step::Check);
    assert!(
        matches!(err.error(), Some(Error::BlockingInAsync { .. })),
        "{err}"
    );
    assert!(client.block_on(async {}).is_err());

    // Tokio's blocking threads count as inside the runtime too (documented).
    let inside = client.clone();
    let err = tokio::task::spawn_blocking(move || inside.get_video_list().send())
        .await
        .expect("joined")
        .expect_err("refused");
    assert!(in_async(&err, "getVideoList"), "{err}");

    // From a thread of its own it works, with the emulator served by this runtime.
    let outside = client.clone();
    let page = tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || outside.get_video_list().send())
            .join()
            .expect("thread")
    })
    .await
    .expect("joined")
    .expect("getVideoList");
    assert_eq!(page.video_total, 1);

    // The last clone dropped inside the runtime: no panic, its runtime stops in the background.
    drop(client);
    emu.shutdown().await;
}
