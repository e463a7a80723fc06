//! Form bodies: with `ClientBuilder::form_bodies(true)`, operations the spec marks `form_body`
//! send `application/x-www-form-urlencoded` bodies, signed over the bytes sent; the others
//! keep JSON.

mod runtime_support;

use runtime_support::{reply, Server};
use serde_json::json;
use vod_client::emulator::Emulator;

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

#[tokio::test]
async fn the_wire_shows_a_form_only_where_the_spec_allows_it() {
    let server = Server::start(|_| reply(200, json!({"code": 200, "data": {"nodeId": 7}}))).await;
    let client = server.client().form_bodies(true).build().expect("client");
    client
        .create_category("a b+c")
        .parent_node_id(3)
        .send()
        .await
        .expect("sent");
    // getMaterialUploadToken takes a real JSON array: it is not a form operation.
    let _ = client
        .get_material_upload_token([vod_client::model::MaterialUploadFile::new("logo.png")])
        .send()
        .await;
    let got = server.received.lock().expect("log").clone();
    assert_eq!(
        got[0].header("Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        std::str::from_utf8(&got[0].body).expect("text"),
        "parentNodeId=3&labelName=a%20b%2Bc"
    );
    assert_eq!(got[1].header("Content-Type"), Some("application/json"));
    assert!(vod_client::model::FORM_OPERATIONS.contains(&"createCategory"));
    assert!(!vod_client::model::FORM_OPERATIONS.contains(&"getMaterialUploadToken"));
}
