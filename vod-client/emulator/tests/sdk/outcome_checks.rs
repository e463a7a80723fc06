//! The outcome checks the spec declares (`outcome_check:`), generated into the operations:
//! a state-changing call whose answer is lost is resolved by looking the result up, so the
//! caller gets the real outcome, never a duplicate.

use vod_client::Client;
use vod_emulator::{Emulator, FaultAction, FaultRule};

fn client_for(emu: &Emulator) -> Client {
    emu.client_builder().build().expect("client")
}

#[tokio::test]
async fn lost_create_answers_come_back_as_the_created_category() {
    let emu = Emulator::builder()
        .fault(
            FaultRule::new(FaultAction::ResetConnection)
                .on("createCategory")
                .rate(0.2, 11),
        )
        .start()
        .await
        .expect("emulator");
    let client = client_for(&emu);
    let top = client
        .create_category("top")
        .send()
        .await
        .expect("top")
        .node_id;
    let mut ids = Vec::new();
    for i in 0..100 {
        let created = client
            .create_category(format!("child_{i:03}"))
            .parent_node_id(top)
            .send()
            .await
            .unwrap_or_else(|e| panic!("create {i}: {e}"));
        ids.push(created.node_id);
    }
    let categories = emu.state().categories();
    assert_eq!(categories.len(), 101, "one category per create, none twice");
    for (i, id) in ids.iter().enumerate() {
        let label = format!("child_{i:03}");
        let found: Vec<_> = categories
            .iter()
            .filter(|c| c.label_name == label)
            .collect();
        assert_eq!(found.len(), 1, "{label}");
        assert_eq!(
            found[0].node_id,
            id.get(),
            "{label}: the real node id came back"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_lost_delete_answer_is_resolved_by_the_absence_of_the_item() {
    let emu = Emulator::builder()
        .fault(
            FaultRule::new(FaultAction::ResetConnection)
                .on("deleteAudio")
                .first(1),
        )
        .start()
        .await
        .expect("emulator");
    let client = client_for(&emu);
    let song = emu.state().add_audio("song");
    client
        .delete_audio(&song)
        .send()
        .await
        .expect("the audio is gone, so the delete was carried out");
    assert!(emu.state().audio(&song).is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn the_check_counts_towards_the_call_deadline() {
    let emu = Emulator::builder()
        .fault(
            FaultRule::new(FaultAction::ResetConnection)
                .on("createCategory")
                .first(1),
        )
        .fault(
            FaultRule::new(FaultAction::Latency(std::time::Duration::from_secs(3)))
                .on("getCategoryList"),
        )
        .start()
        .await
        .expect("emulator");
    let client = emu
        .client_builder()
        .operation_timeout(std::time::Duration::from_millis(800))
        .build()
        .expect("client");
    let err = client
        .create_category("slow")
        .send()
        .await
        .expect_err("the lookup cannot finish before the deadline");
    assert!(err.is_ambiguous(), "{err:?}");
    assert!(
        matches!(&err, vod_client::Error::Ambiguous { source, .. } if matches!(**source, vod_client::Error::Timeout { .. })),
        "{err:?}"
    );
    assert_eq!(
        emu.state().categories().len(),
        1,
        "created once, not resent"
    );
    emu.shutdown().await;
}
