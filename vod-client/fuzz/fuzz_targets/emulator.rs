//! The emulator's request handling, in process through its router: the first byte picks the
//! operation (over the generated `OPERATIONS`), the second how it is sent (method, content
//! type, signing profile), the rest is the query string of a GET or the body of a POST. Each
//! request carries a valid signature from the SDK's signer, so the fuzzer gets past
//! authentication. The emulator must never answer 5xx.

#![no_main]

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use percent_encoding::{AsciiSet, CONTROLS};
use tower::ServiceExt as _;
use vod_client::model::OPERATIONS;
use vod_client::operation::HttpMethod;
use vod_client::signer::{sign, SigningRequest};
use vod_client::{signing_headers, AuthProfile};
use vod_emulator::{Emulator, DEMO_ACCESS_KEY, DEMO_SECRET_KEY};

/// Bytes a query string cannot hold as they are; `%`, `&`, `=` and `+` stay for the fuzzer.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// A fresh emulator after this many requests, so state (categories, tasks) stays small.
const REQUESTS_PER_EMULATOR: u32 = 2000;

struct Harness {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    router: axum::Router,
    served: u32,
}

impl Harness {
    fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = runtime
            .block_on(Emulator::builder().seed(7).start())
            .expect("emulator starts");
        let router = vod_emulator::fuzzing::router(&emulator);
        Harness {
            runtime,
            emulator,
            router,
            served: 0,
        }
    }
}

thread_local! {
    static HARNESS: RefCell<Option<Harness>> = const { RefCell::new(None) };
}

fuzz_target!(|input: &[u8]| {
    let [op_byte, how, rest @ ..] = input else {
        return;
    };
    let op = OPERATIONS[usize::from(*op_byte) % OPERATIONS.len()];
    // Mostly the operation's own method; now and then the other one.
    let method = match (op.method, how & 0b11 == 0b11) {
        (HttpMethod::Get, false) | (HttpMethod::Post, true) => "GET",
        _ => "POST",
    };
    let content_type = match (how >> 2) & 0b11 {
        0 | 1 => "application/json",
        2 => "application/x-www-form-urlencoded",
        _ => "text/plain",
    };
    let profile = AuthProfile::ALL[usize::from(how >> 4) % AuthProfile::ALL.len()];
    let (uri, body) = if method == "GET" {
        let query = percent_encoding::percent_encode(rest, QUERY).to_string();
        (format!("{}?{query}", op.path), Vec::new())
    } else {
        (op.path.to_string(), rest.to_vec())
    };
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        .to_string();
    let host = "127.0.0.1:8787";
    let headers = signing_headers(profile, content_type, host, DEMO_ACCESS_KEY, &timestamp);
    let signed = sign(
        profile,
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        &SigningRequest {
            method,
            uri: &uri,
            headers: &headers,
            body: &body,
            timestamp: &timestamp,
            signed_headers: None,
        },
    );
    let mut request = Request::builder().method(method).uri(&uri);
    for (name, value) in &headers {
        request = request.header(*name, *value);
    }
    let Ok(request) = request
        .header("authorization", signed.authorization())
        .body(Body::from(body))
    else {
        return;
    };
    HARNESS.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell
            .as_ref()
            .is_none_or(|h| h.served >= REQUESTS_PER_EMULATOR)
        {
            *cell = None;
            *cell = Some(Harness::new());
        }
        let harness = cell.as_mut().expect("harness");
        harness.served += 1;
        let router = harness.router.clone();
        let response = harness
            .runtime
            .block_on(router.oneshot(request))
            .expect("the router is infallible");
        let status = response.status();
        if status.is_server_error() {
            let bytes = harness
                .runtime
                .block_on(axum::body::to_bytes(response.into_body(), 64 * 1024))
                .unwrap_or_default();
            panic!(
                "{} {uri} answered {status}: {}",
                method,
                String::from_utf8_lossy(&bytes)
            );
        }
        let _ = &harness.emulator;
    });
});
