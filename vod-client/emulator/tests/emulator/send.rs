//! The send path against the emulator: a skewed client clock is corrected from the service's
//! refusal, and lost answers of `createCategory` are resolved by looking the label up, so
//! every create succeeds exactly once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;
use vod_client::ambiguous::{Resolution, ResolveFuture};
use vod_client::model::*;
use vod_client::operation::{OperationSpec, Request};
use vod_client::{Client, Error, RetryPolicy};
use vod_emulator::{Emulator, FaultAction, FaultRule};

fn client_for(emu: &Emulator) -> vod_client::ClientBuilder {
    emu.client_builder().retry_policy(
        RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
    )
}

#[tokio::test]
async fn a_skewed_client_clock_is_corrected_from_the_refusal() {
    let emu = Emulator::start().await.expect("emulator");
    let client = client_for(&emu)
        .clock_offset(-3600)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let created = client
        .create_category("skewed")
        .send()
        .await
        .expect("signed again with the service's time");
    assert!(created.node_id.get() > 0);
    let offset = client.clock_offset();
    assert!((3598..=3602).contains(&offset), "offset {offset}");
    // Later calls use the corrected clock: one request each, no refusal.
    let list = client.get_category_list().send().await.expect("list");
    assert_eq!(list.category_list.len(), 1);
    emu.shutdown().await;
}

/// `createCategory` that knows how to check its own outcome: a node with its label under its
/// parent means it was created. The lead will generate such impls from a spec key; this one
/// is written by hand to show the hook.
/// How many outcome checks ran (the 100-create test asserts the faults did fire).
static CHECKS: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
struct CheckedCreate(CreateCategoryRequest);

impl Request for CheckedCreate {
    type Output = CreateCategoryOutput;
    const OPERATION: &'static OperationSpec = CreateCategoryRequest::OPERATION;

    fn validate(&self) -> Result<(), Error> {
        self.0.validate()
    }

    fn resolve_ambiguous<'a>(
        &'a self,
        client: &'a Client,
    ) -> Option<ResolveFuture<'a, CreateCategoryOutput>> {
        CHECKS.fetch_add(1, Ordering::SeqCst);
        Some(Box::pin(async move {
            let mut page = 1;
            loop {
                let mut query = client.get_category_list().page_size(100).page_index(page);
                query.request_mut().parent_node_id = self.0.parent_node_id;
                let answer = query.send().await?;
                if let Some(node) = answer
                    .category_list
                    .iter()
                    .find(|n| n.label_name == self.0.label_name)
                {
                    let output =
                        serde_json::from_value(serde_json::json!({"nodeId": node.node_id}))
                            .map_err(|e| Error::Config(format!("cannot build the output: {e}")))?;
                    return Ok(Resolution::Done(output));
                }
                let seen = i64::from(page) * 100;
                if answer.category_list.is_empty() || seen >= answer.total {
                    return Ok(Resolution::NotDone);
                }
                page += 1;
            }
        }))
    }
}

#[tokio::test]
async fn lost_create_answers_are_resolved_exactly_once() {
    let emu = Emulator::builder()
        .fault(
            FaultRule::new(FaultAction::ResetConnection)
                .on("createCategory")
                .rate(0.2, 7),
        )
        .start()
        .await
        .expect("emulator");
    let client = client_for(&emu).build().expect("client");
    let mut ids = Vec::new();
    for i in 0..100 {
        let request = CheckedCreate(CreateCategoryRequest::new(format!("label_{i:03}")));
        let created = client
            .send(&request)
            .await
            .unwrap_or_else(|e| panic!("create {i}: {e}"));
        ids.push(created.node_id);
    }
    let checks = CHECKS.load(Ordering::SeqCst);
    assert!(
        checks >= 10,
        "about 20 of 100 answers are lost; {checks} checks ran"
    );
    let categories = emu.state().categories();
    assert_eq!(categories.len(), 100, "one category per create, none twice");
    for (i, id) in ids.iter().enumerate() {
        let label = format!("label_{i:03}");
        let matching: Vec<_> = categories
            .iter()
            .filter(|c| c.label_name == label)
            .collect();
        assert_eq!(matching.len(), 1, "{label}");
        assert_eq!(
            matching[0].node_id, *id,
            "{label}: the real node id came back"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn without_a_check_a_lost_answer_is_ambiguous() {
    let emu = Emulator::builder()
        .fault(
            FaultRule::new(FaultAction::ResetConnection)
                .on("videoEdit")
                .first(1),
        )
        .start()
        .await
        .expect("emulator");
    let client = client_for(&emu).build().expect("client");
    let video = emu.state().add_video("before");
    // videoEdit declares no outcome check in the spec: its lost answer stays unknown.
    let err = client
        .video_edit(&video)
        .video_name("after")
        .send()
        .await
        .expect_err("answer lost");
    assert!(err.is_ambiguous(), "{err:?}");
    let edited = emu.state().video(&video).expect("video");
    assert_eq!(edited.video_name, "after", "it was carried out, once");
    // Opting out of the check gives the same error even for a type that can check.
    emu.faults()
        .add(
            FaultRule::new(FaultAction::ResetConnection)
                .on("createCategory")
                .first(1),
        )
        .expect("a valid fault rule");
    let err = client
        .send_with_options(
            &CheckedCreate(CreateCategoryRequest::new("lost_too")),
            &vod_client::CallOptions::new().resolve_ambiguous(false),
        )
        .await
        .expect_err("not resolved");
    assert!(err.is_ambiguous(), "{err:?}");
    emu.shutdown().await;
}
