//! Waiters over tasks that cover several resources, against the emulator: each id is polled
//! until it is final, mixed outcomes say which id failed, and the last answers are kept.

use std::time::Duration;

use vod_client::operation::TaskState;
use vod_client::{Client, Error, WaitOptions};
use vod_emulator::Emulator;

async fn setup() -> (Emulator, Client) {
    let emu = Emulator::builder()
        .task_duration(Duration::from_millis(30))
        .start()
        .await
        .expect("emulator");
    let client = emu.client_builder().build().expect("client");
    (emu, client)
}

fn fast() -> WaitOptions {
    WaitOptions::new(
        Duration::from_millis(5),
        Duration::from_millis(40),
        Duration::from_secs(10),
    )
}

#[tokio::test]
async fn transcoding_two_videos_waits_for_both() {
    let (emu, client) = setup().await;
    let a = emu.state().add_video("a");
    let b = emu.state().add_video("b");
    let mut task = client.trans_code([&a, &b]).start().await.expect("started");
    let done = task.wait_with(fast()).await.expect("both transcoded");
    assert!(done.all_succeeded());
    let subjects: Vec<&str> = done.outcomes().iter().map(|o| o.subject.as_str()).collect();
    assert_eq!(subjects, [format!("videoId={a}"), format!("videoId={b}")]);
    for outcome in done.outcomes() {
        let answer = outcome.answer.as_ref().expect("last answer");
        assert_eq!(answer.video_list_info[0].transcode_state.as_str(), "done");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn mixed_outcomes_name_the_failed_video() {
    let (emu, client) = setup().await;
    let a = emu.state().add_video("a");
    let b = emu.state().add_video("b");
    emu.state().fail_next_tasks(1);
    let mut task = client.trans_code([&a, &b]).start().await.expect("started");
    let err = task.wait_with(fast()).await.expect_err("one failed");
    let Error::TaskFailed { failures, .. } = &err else {
        panic!("expected a failed task, got {err:?}");
    };
    assert_eq!(failures.len(), 1, "{err}");
    assert!(err.to_string().contains("videoId="), "{err}");
    // The other video's success is kept with its last answer.
    let states: Vec<&TaskState> = task.last_outcomes().iter().map(|o| &o.state).collect();
    assert_eq!(
        states
            .iter()
            .filter(|s| ***s == TaskState::Succeeded)
            .count(),
        1
    );
    let failed = &failures[0].subject;
    let succeeded = task
        .last_outcomes()
        .iter()
        .find(|o| o.state == TaskState::Succeeded)
        .expect("one success");
    assert_ne!(&succeeded.subject, failed);
    // wait_for_all reports both without an error.
    let all = task.wait_for_all(fast()).await.expect("all final");
    assert_eq!(all.failures().count(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_spawned_task_finishes_on_another_thread() {
    let (emu, client) = setup().await;
    let a = emu.state().add_video("a");
    let task = client.trans_code([a]).start().await.expect("started");
    let handle = tokio::spawn(async move {
        let mut task = task;
        task.wait_with(fast())
            .await
            .map(|done| done.all_succeeded())
    });
    assert!(handle.await.expect("join").expect("waited"));
    emu.shutdown().await;
}
