//! Form bodies on the wire: with `ClientBuilder::form_bodies(true)`, operations the spec marks
//! `form_body` send `application/x-www-form-urlencoded` bodies; the others keep JSON. (The
//! emulator's tests check that such a form is signed and read correctly.)

use crate::support::{reply, Server};
use serde_json::json;

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
