//! Testing your own code against the emulator, failures included: inject faults and assert on
//! the errors your code sees.
//!
//! ```text
//! cargo run -p vod-examples --example testing
//! ```
//!
//! The same code belongs in a `#[tokio::test]`; it is a program here so that it can be run
//! (and read) on its own.

use std::error::Error;
use std::time::Duration;

use vod_client::model::ErrorCode;
use vod_client::{Client, RetryPolicy};
use vod_emulator::{Emulator, FaultAction, FaultRule};

/// The code under test: the names of the videos whose name contains `word`.
async fn video_names(client: &Client, word: &str) -> Result<Vec<String>, vod_client::Error> {
    let page = client.get_video_list().video_name(word).send().await?;
    Ok(page
        .video_list_info
        .into_iter()
        .map(|v| v.video_name)
        .collect())
}

fn client_for(emulator: &Emulator) -> vod_client::ClientBuilder {
    Client::builder()
        .endpoint(emulator.base_url())
        .credentials(emulator.access_key(), emulator.secret_key())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let emulator = Emulator::start().await?;
    let cat = emulator.state().add_video("cat on a piano.mp4");
    emulator.state().add_video("dog.mp4");

    // The happy path, against seeded state.
    let client = client_for(&emulator).build()?;
    assert_eq!(video_names(&client, "cat").await?, ["cat on a piano.mp4"]);
    println!("ok: seeded state is listed");

    // Two "busy" answers: the default retry policy resends, the caller sees none of them.
    emulator
        .faults()
        .add(
            FaultRule::new(FaultAction::ServiceBusy)
                .on("getVideoList")
                .first(2),
        )
        .expect("a valid fault rule");
    assert_eq!(video_names(&client, "dog").await?, ["dog.mp4"]);
    println!("ok: busy answers are retried");

    // Without retries the same fault reaches the caller, as a throttled service error.
    let no_retry = client_for(&emulator)
        .retry_policy(RetryPolicy::none())
        .build()?;
    emulator
        .faults()
        .add(
            FaultRule::new(FaultAction::ServiceBusy)
                .on("getVideoList")
                .first(1),
        )
        .expect("a valid fault rule");
    let err = video_names(&no_retry, "dog").await.unwrap_err();
    assert!(err.is_throttled() && err.is_retryable(), "{err}");
    assert_eq!(err.operation(), Some("getVideoList"));
    println!("ok: {err}");

    // Any documented code, e.g. one your code must handle specially.
    emulator
        .faults()
        .add(FaultRule::new(FaultAction::ServiceCode(ErrorCode::VideoNotFound.code())).first(1))
        .expect("a valid fault rule");
    let err = video_names(&no_retry, "dog").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::VideoNotFound));
    assert!(err.is_not_found());
    println!("ok: {err}");

    // HTTP errors and a slow service against the caller's deadline.
    emulator
        .faults()
        .add(FaultRule::new(FaultAction::HttpStatus(502)).first(1))
        .expect("a valid fault rule");
    let err = video_names(&no_retry, "dog").await.unwrap_err();
    assert_eq!(err.http_status(), Some(502));
    println!("ok: {err}");
    emulator
        .faults()
        .add(FaultRule::new(FaultAction::Latency(Duration::from_secs(2))).first(1))
        .expect("a valid fault rule");
    let impatient = client_for(&emulator)
        .retry_policy(RetryPolicy::none())
        .operation_timeout(Duration::from_millis(200))
        .build()?;
    let err = video_names(&impatient, "dog").await.unwrap_err();
    assert!(matches!(err, vod_client::Error::Timeout { .. }), "{err:?}");
    println!("ok: {err}");

    // A lost answer to a request that is not safe to repeat. `createCategory` has an outcome
    // check: the client looks the label up and answers as if nothing had been lost.
    emulator
        .faults()
        .add(
            FaultRule::new(FaultAction::ResetConnection)
                .on("createCategory")
                .first(1),
        )
        .expect("a valid fault rule");
    let created = client.create_category("lectures").send().await?;
    let listed = client.get_category_list().send().await?;
    assert!(listed
        .category_list
        .iter()
        .any(|c| c.node_id == created.node_id));
    println!(
        "ok: the lost createCategory answer was resolved (node {})",
        created.node_id
    );

    // `videoEdit` has none: whether the edit happened is unknown, and the error says so
    // instead of sending it twice. Your code decides (look, then edit again).
    emulator
        .faults()
        .add(
            FaultRule::new(FaultAction::ResetConnection)
                .on("videoEdit")
                .first(1),
        )
        .expect("a valid fault rule");
    let err = client
        .video_edit(&cat)
        .video_name("cat on a grand piano.mp4")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    println!("ok: {err}");

    emulator.faults().clear();
    assert_eq!(video_names(&no_retry, "").await?.len(), 2);
    emulator.shutdown().await;
    println!("all assertions held");
    Ok(())
}
