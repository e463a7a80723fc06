//! A client whose clock disagrees with the service's: the service refuses the timestamp, the
//! client reads the service's `Date`, keeps the offset and signs again, and later calls use it.

use vod_emulator::Emulator;

#[tokio::test]
async fn the_client_follows_a_service_whose_clock_is_an_hour_ahead() {
    let emu = Emulator::builder()
        .clock_skew(3600)
        .start()
        .await
        .expect("emulator");
    let client = emu.client_builder().build().expect("client");
    let created = client
        .create_category("skewed")
        .send()
        .await
        .expect("signed again with the service's time");
    assert!(created.node_id.get() > 0);
    let offset = client.clock_offset();
    assert!((3590..=3610).contains(&offset), "offset {offset}");
    // Later calls use the corrected clock.
    client.get_category_list().send().await.expect("list");
    assert_eq!(emu.state().categories().len(), 1, "created once");
    emu.shutdown().await;
}
