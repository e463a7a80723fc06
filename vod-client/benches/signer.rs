//! The signer against its hashing floor and against `aws-sigv4`.
//!
//! ```text
//! cargo bench -p vod-client --bench signer
//! ```
//!
//! divan first times each case on its own; then each pair runs interleaved (see
//! `support/mod.rs`) and the ratios are printed, which is what BENCHMARKS.md quotes.
//!
//! The floor of a signature is the hashing it cannot avoid, with the same `sha2`/`hmac`
//! crates over the very bytes our signer hashes: SHA-256 of the body (POST only: a GET signs
//! the constant empty-body hash), SHA-256 of the canonical request, and one HMAC-SHA256 of
//! the string to sign. Everything above that is the signer's own work: building the
//! canonical request, hex, the `Authorization` text and its allocation.
//!
//! The peer is `aws-sigv4` 1.x signing an equivalent request (same method, path, headers,
//! body; SigV4 differs in details, such as deriving a signing key with four more HMACs,
//! which are part of its cost as a user pays it).

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use support::{env_number, Interleaved, Unit};
use vod_client::signer::{sign, AuthProfile, Signed, SigningRequest};

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TS: &str = "1700000000";
const HOST: &str = "api.cloudv.haplat.net";

/// A 1 KiB JSON body, like a large `getVideoList` filter.
fn json_body() -> Vec<u8> {
    let mut body = String::from("{\"pageSize\":20,\"pageIndex\":1,\"videoName\":\"");
    while body.len() < 1024 - 2 {
        body.push('x');
    }
    body.push_str("\"}");
    body.into_bytes()
}

struct Case {
    method: &'static str,
    uri: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Case {
    fn post() -> Self {
        Case {
            method: "POST",
            uri: "/vod/videoManage/getVideoList",
            content_type: "application/json",
            body: json_body(),
        }
    }

    fn get() -> Self {
        Case {
            method: "GET",
            uri: "/vod/videoManage/getVideoInfo?videoId=a1b2c3d4e5&fields=all&pageSize=20",
            content_type: "application/x-www-form-urlencoded",
            body: Vec::new(),
        }
    }

    fn headers(&self) -> [(&'static str, &'static str); 4] {
        [
            ("Content-Type", self.content_type),
            ("Host", HOST),
            ("X-WS-AccessKey", AK),
            ("X-WS-Timestamp", TS),
        ]
    }

    fn ours(&self) -> Signed {
        let headers = self.headers();
        sign(
            AuthProfile::Ws3,
            AK,
            SK,
            &SigningRequest {
                method: self.method,
                uri: self.uri,
                headers: &headers,
                body: &self.body,
                timestamp: TS,
                signed_headers: None,
            },
        )
    }

    /// The inputs of the floor, taken from one real signature so the hashed bytes agree.
    fn floor_inputs(&self) -> Floor {
        let signed = self.ours();
        Floor {
            body: (self.method == "POST").then(|| self.body.clone()),
            canonical_request: signed.canonical_request().as_bytes().to_vec(),
            string_to_sign: signed.string_to_sign().as_bytes().to_vec(),
        }
    }

    fn aws(&self, settings: &AwsSetup) -> usize {
        let url = format!("https://{HOST}{}", self.uri);
        let headers = self.headers();
        let params = match aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&settings.identity)
            .region("us-east-1")
            .name("vod")
            .time(settings.time)
            .settings(SigningSettings::default())
            .build()
        {
            Ok(params) => params.into(),
            Err(e) => panic!("aws-sigv4 params: {e}"),
        };
        let request = match SignableRequest::new(
            self.method,
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(&self.body),
        ) {
            Ok(request) => request,
            Err(e) => panic!("aws-sigv4 request: {e}"),
        };
        match aws_sigv4::http_request::sign(request, &params) {
            Ok(output) => output.signature().len(),
            Err(e) => panic!("aws-sigv4 sign: {e}"),
        }
    }
}

struct Floor {
    body: Option<Vec<u8>>,
    canonical_request: Vec<u8>,
    string_to_sign: Vec<u8>,
}

impl Floor {
    fn run(&self) -> [u8; 32] {
        let body = self.body.as_deref().map(Sha256::digest);
        let cr = Sha256::digest(&self.canonical_request);
        let mut mac = match Hmac::<Sha256>::new_from_slice(SK.as_bytes()) {
            Ok(mac) => mac,
            Err(e) => panic!("hmac: {e}"),
        };
        mac.update(&self.string_to_sign);
        black_box((body, cr));
        mac.finalize().into_bytes().into()
    }
}

struct AwsSetup {
    identity: aws_smithy_runtime_api::client::identity::Identity,
    time: SystemTime,
}

impl AwsSetup {
    fn new() -> Self {
        AwsSetup {
            identity: aws_credential_types::Credentials::new(AK, SK, None, None, "bench").into(),
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        }
    }
}

#[divan::bench]
fn post_1k_ours(bencher: divan::Bencher) {
    let case = Case::post();
    bencher.bench_local(|| case.ours());
}

#[divan::bench]
fn post_1k_floor(bencher: divan::Bencher) {
    let floor = Case::post().floor_inputs();
    bencher.bench_local(|| floor.run());
}

#[divan::bench]
fn post_1k_aws_sigv4(bencher: divan::Bencher) {
    let (case, setup) = (Case::post(), AwsSetup::new());
    bencher.bench_local(|| case.aws(&setup));
}

#[divan::bench]
fn get_query_ours(bencher: divan::Bencher) {
    let case = Case::get();
    bencher.bench_local(|| case.ours());
}

#[divan::bench]
fn get_query_floor(bencher: divan::Bencher) {
    let floor = Case::get().floor_inputs();
    bencher.bench_local(|| floor.run());
}

fn batch<T>(ops: u32, mut f: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..ops {
        black_box(f());
    }
    started.elapsed()
}

fn interleaved_ratios() {
    // `cargo test --benches` runs this binary without `--bench`: keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = env_number("BENCH_ROUNDS", if quick { 3 } else { 1000 });
    let ops = 200;
    let (post, get, setup) = (Case::post(), Case::get(), AwsSetup::new());
    let (post_floor, get_floor) = (post.floor_inputs(), get.floor_inputs());
    println!("\ninterleaved, {rounds} rounds of {ops} signatures each:");
    Interleaved::run(
        rounds,
        ops,
        || batch(ops, || post.ours()),
        || batch(ops, || post_floor.run()),
    )
    .report("1 KiB JSON POST", "ours", "floor", Unit::Nanos);
    Interleaved::run(
        rounds,
        ops,
        || batch(ops, || post.ours()),
        || batch(ops, || post.aws(&setup)),
    )
    .report("1 KiB JSON POST", "ours", "aws-sigv4", Unit::Nanos);
    Interleaved::run(
        rounds,
        ops,
        || batch(ops, || get.ours()),
        || batch(ops, || get_floor.run()),
    )
    .report(
        "0-byte GET, 3-parameter query",
        "ours",
        "floor",
        Unit::Nanos,
    );
}

fn main() {
    // Same request, same answer: a bench that signs something else would prove nothing.
    let check = Case::post().ours();
    assert!(check.authorization().ends_with(check.signature()));
    divan::main();
    interleaved_ratios();
}
