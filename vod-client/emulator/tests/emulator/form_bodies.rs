//! Form bodies: with `ClientBuilder::form_bodies(true)`, operations the spec marks `form_body`
//! send `application/x-www-form-urlencoded` bodies, signed over the bytes sent; the others
//! keep JSON.

use vod_emulator::Emulator;

#[tokio::test]
async fn form_operations_go_as_forms_and_are_signed_correctly() {
    let emu = Emulator::start().await.expect("emulator");
    let client = emu
        .client_builder()
        .form_bodies(true)
        .build()
        .expect("client");
    // The emulator checks the signature over the form body and reads its parameters.
    let created = client
        .create_category("Sports 视频_a b")
        .send()
        .await
        .expect("create as a form");
    let listed = client
        .get_category_list()
        .page_size(20)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.category_list[0].label_name, "Sports 视频_a b");
    assert_eq!(listed.category_list[0].node_id, created.node_id);
    emu.shutdown().await;
}
