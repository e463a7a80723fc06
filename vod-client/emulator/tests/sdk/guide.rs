//! The SDK's documentation examples, run for real against the emulator. In the SDK they are
//! compile-checked only (`no_run`): the SDK does not depend on the emulator, so its examples
//! cannot start one. Each test here is the example as it appears in the docs, with the emulator
//! the docs leave out, so what users read is known to work. Keep them in step: a change to an
//! example there is made here too.

/// vod-client/src/lib.rs, "Getting started"
#[tokio::test]
async fn guide_getting_started() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    emu.state().add_video("cat.mp4");
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    // let client = vod_client::Client::from_env()?;   // against the real service
    let page = client
        .get_video_list()
        .video_name("cat")
        .page_size(20)
        .send()
        .await?;
    for video in &page.video_list_info {
        println!("{} {}", video.video_id, video.video_name);
    }
    assert_eq!(page.video_list_info.len(), 1);
    Ok(())
}

/// vod-client/src/lib.rs, "Credentials and profiles"
#[tokio::test]
async fn guide_credentials_and_profiles() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    // What a deployment would set; here, a local emulator's address and keys.
    std::env::set_var("VOD_ACCESS_KEY", emu.access_key());
    std::env::set_var("VOD_SECRET_KEY", emu.secret_key());
    std::env::set_var("VOD_ENDPOINT", emu.base_url());
    let client = vod_client::Client::from_env()?;
    assert_eq!(client.endpoint(), emu.base_url());
    client.get_video_list().send().await?;
    Ok(())
}

/// vod-client/src/lib.rs, "Errors and matching codes"
#[tokio::test]
async fn guide_errors_and_matching_codes() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use vod_client::model::ErrorCode;

    let err = client
        .video_block("no-such-video")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    match err.code() {
        Some(ErrorCode::VideoNotFound) => println!("gone already ({:?})", err.request_id()),
        Some(other) => println!("service said {other}"),
        None => return Err(err.into()),
    }

    // Invalid requests never leave the machine, and name the field.
    let err = client
        .get_video_list()
        .page_size(100_000)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_invalid_parameter());
    println!("{err}");
    Ok(())
}

/// vod-client/src/lib.rs, "Retries and timeouts"
#[tokio::test]
async fn guide_retries_and_timeouts() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    use std::time::Duration;
    use vod_client::{CallOptions, Client, RetryPolicy};

    let client = Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .retry_policy(RetryPolicy::default().with_max_attempts(5))
        .attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(60))
        .build()?;

    let request = client.get_video_list().page_size(10).into_request();
    // This call: 5 s in all, no retries.
    let options = CallOptions::new()
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::none());
    let page = client.send_with_options(&request, &options).await?;
    let _ = page;
    Ok(())
}

/// vod-client/src/lib.rs, "Pagination"
#[tokio::test]
async fn guide_pagination() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    for i in 0..25 {
        emu.state().add_video(&format!("v{i}.mp4"));
    }
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use futures_util::TryStreamExt;

    let videos: Vec<_> = client
        .get_video_list()
        .page_size(10)
        .into_paginator()
        .items()
        .try_collect()
        .await?;
    assert_eq!(videos.len(), 25);
    Ok(())
}

/// vod-client/src/lib.rs, "Waiting for tasks"
#[tokio::test]
async fn guide_waiting_for_tasks() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::builder()
        .task_duration(std::time::Duration::from_millis(50))
        .start()
        .await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use std::time::Duration;
    use vod_client::WaitOptions;

    let (first, second) = (
        emu.state().add_video("a.mp4"),
        emu.state().add_video("b.mp4"),
    );
    // Several ids in one call: the task follows each video.
    let done = client
        .trans_code([&first, &second])
        .start()
        .await?
        .wait_until_done()
        .await?;
    assert_eq!(done.outcomes().len(), 2);

    let mut task = client.trans_code([&first]).start().await?;
    let options = WaitOptions::every(Duration::from_millis(20), Duration::from_secs(30));
    let finished = task.wait_for_all(options).await?;
    for outcome in finished.outcomes() {
        println!("{}: {:?}", outcome.subject, outcome.state);
    }
    Ok(())
}

/// vod-client/src/lib.rs, "Uploads"
#[tokio::test]
async fn guide_uploads() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    let dir = std::env::temp_dir().join(format!("vod-doc-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("talk.mp4");
    std::fs::write(&path, vec![7u8; 9 << 20])?;
    let uploaded = client
        .upload_video(&path)
        .parallel(4)
        .resume_dir(dir.join("resume"))
        .progress(|done, total| eprintln!("{done}/{total} bytes"))
        .send()
        .await?;
    println!(
        "video {} ({} bytes, hash {})",
        uploaded.id, uploaded.size, uploaded.hash
    );
    assert_eq!(uploaded.size, 9 << 20);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// vod-client/src/lib.rs, "Testing your own code with the emulator"
#[tokio::test]
async fn guide_testing_your_own_code_with_the_emulator() -> Result<(), Box<dyn std::error::Error>> {
    use vod_client::{Client, RetryPolicy};
    use vod_emulator::{Emulator, FaultAction, FaultRule};

    let emu = Emulator::start().await?;
    let client = Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .retry_policy(RetryPolicy::none())
        .build()?;

    emu.faults()
        .add(
            FaultRule::new(FaultAction::HttpStatus(503))
                .on("getVideoList")
                .first(1),
        )
        .expect("a valid fault rule");
    let err = client.get_video_list().send().await.unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert!(err.is_retryable());
    client.get_video_list().send().await?; // the rule fired once
    emu.shutdown().await;
    Ok(())
}

/// vod-client/src/client.rs
#[tokio::test]
async fn client_client() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::builder()
        .task_duration(std::time::Duration::from_millis(10))
        .start()
        .await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use futures_util::TryStreamExt;
    use std::time::Duration;
    use vod_client::upload::UploadSource;

    let uploaded = client
        .upload_video(UploadSource::bytes("talk.mp4", vec![1u8; 4096]))
        .send()
        .await?;
    client
        .video_edit(&uploaded.id)
        .video_description("the keynote")
        .send()
        .await?;
    let videos: Vec<_> = client
        .get_video_list()
        .into_paginator()
        .items()
        .try_collect()
        .await?;
    assert_eq!(videos[0].video_id, uploaded.id);
    let mut task = client.trans_code([&uploaded.id]).start().await?;
    task.wait_with(vod_client::WaitOptions::every(
        Duration::from_millis(10),
        Duration::from_secs(30),
    ))
    .await?;
    Ok(())
}

/// vod-client/src/client.rs
#[tokio::test]
async fn client_send_with_options() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use std::time::Duration;
    use vod_client::{CallOptions, RetryPolicy};

    let request = client.get_video_list().into_request();
    let options = CallOptions::new()
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::default().with_max_attempts(2));
    let page = client.send_with_options(&request, &options).await?;
    assert!(page.video_list_info.is_empty());
    Ok(())
}

/// vod-client/src/builder.rs
#[tokio::test]
async fn builder_requestbuilder() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    let video_id = emu.state().add_video("talk.mp4");

    // Required parameters are arguments, optional ones setters.
    client
        .video_edit(&video_id)
        .video_name("Keynote")
        .send()
        .await?;

    // With the envelope's metadata: the request id is what support asks for.
    let answer = client
        .get_video_list()
        .video_name("Keynote")
        .send_with_metadata()
        .await?;
    assert_eq!(answer.data.video_list_info[0].video_id, video_id);
    println!("request id {:?}", answer.request_id);

    // A plain request to keep and send later (any number of times).
    let request = client.get_video_list().page_size(10).into_request();
    let page = client.send(&request).await?;
    assert_eq!(page.video_total, 1);
    Ok(())
}

/// vod-client/src/error.rs
#[tokio::test]
async fn error_error() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use vod_client::model::ErrorCode;
    use vod_client::Error;

    match client.video_block("no-such-video").send().await {
        Err(Error::Service {
            code,
            message,
            request_id,
            ..
        }) => {
            assert_eq!(ErrorCode::from_code(code), ErrorCode::VideoNotFound);
            println!("{code}: {message} (request {request_id:?})");
        }
        other => panic!("expected a service error, got {other:?}"),
    }

    // Refused before sending: every bad field is named.
    let err = client
        .get_video_list()
        .page_size(0)
        .send()
        .await
        .unwrap_err();
    let Error::InvalidRequest {
        operation,
        problems,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*operation, "getVideoList");
    assert!(!problems.is_empty());
    Ok(())
}

/// vod-client/src/paginate.rs
#[tokio::test]
async fn paginate_paginator() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    for i in 0..5 {
        emu.state().add_video(&format!("v{i}.mp4"));
    }
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use futures_util::TryStreamExt;

    let mut items = client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .items();
    let mut names = Vec::new();
    while let Some(video) = items.try_next().await? {
        names.push(video.video_name);
    }
    assert_eq!(names.len(), 5);

    // At most 2 pages: 4 of the 5 videos.
    let first: Vec<_> = client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .max_pages(2)
        .collect_items()
        .await?;
    assert_eq!(first.len(), 4);
    Ok(())
}

/// vod-client/src/wait.rs
#[tokio::test]
async fn wait_task() -> Result<(), Box<dyn std::error::Error>> {
    let emu = vod_emulator::Emulator::start().await?;
    emu.state()
        .set_task_duration(std::time::Duration::from_millis(20));
    let client = vod_client::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    use std::time::Duration;
    use vod_client::{Error, WaitOptions};

    let (a, b) = (
        emu.state().add_video("a.mp4"),
        emu.state().add_video("b.mp4"),
    );
    let options = WaitOptions::every(Duration::from_millis(20), Duration::from_secs(30));
    let mut task = client.trans_code([&a, &b]).start().await?;
    let done = task.wait_with(options).await?;
    assert!(done.all_succeeded() && done.outcomes().len() == 2);

    // A failed task names the videos that failed.
    emu.state().fail_next_tasks(1);
    let err = client
        .trans_code([&a])
        .start()
        .await?
        .wait_with(options)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TaskFailed { .. }), "{err}");
    Ok(())
}

/// vod-client/src/blocking.rs
#[test]
fn blocking_module() -> Result<(), Box<dyn std::error::Error>> {
    let server = tokio::runtime::Runtime::new()?;
    let emu = server.block_on(
        vod_emulator::Emulator::builder()
            .task_duration(std::time::Duration::from_millis(10))
            .start(),
    )?;
    use std::time::Duration;
    use vod_client::upload::UploadSource;
    use vod_client::WaitOptions;

    let client = vod_client::blocking::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;

    let video = client
        .upload_video(UploadSource::bytes("talk.mp4", vec![7u8; 4096]))
        .parallel(2)
        .send()?;
    client.video_edit(&video.id).video_name("Keynote").send()?;

    // Pages are fetched as the iterator advances.
    for entry in client
        .get_video_list()
        .page_size(10)
        .into_paginator()
        .items()
    {
        println!("{}", entry?.video_name);
    }

    let options = WaitOptions::every(Duration::from_millis(10), Duration::from_secs(30));
    let done = client.trans_code([&video.id]).start()?.wait_with(options)?;
    assert!(done.all_succeeded());
    Ok(())
}

/// vod-client/src/blocking/paginate.rs
#[test]
fn blocking_paginate_paginator() -> Result<(), Box<dyn std::error::Error>> {
    let server = tokio::runtime::Runtime::new()?;
    let emu = server.block_on(vod_emulator::Emulator::start())?;
    for i in 0..5 {
        emu.state().add_video(&format!("v{i}.mp4"));
    }
    let client = vod_client::blocking::Client::builder()
        .endpoint(emu.base_url())
        .credentials(emu.access_key(), emu.secret_key())
        .build()?;
    let mut names = Vec::new();
    for video in client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .items()
    {
        names.push(video?.video_name);
    }
    assert_eq!(names.len(), 5);

    let pages = client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .pages()
        .count();
    assert_eq!(pages, 3);
    let first = client
        .get_video_list()
        .page_size(2)
        .into_paginator()
        .max_pages(1)
        .collect_items()?;
    assert_eq!(first.len(), 2);
    Ok(())
}
