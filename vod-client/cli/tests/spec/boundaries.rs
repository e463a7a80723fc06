//! Both sides of the wire agree at every boundary the spec states. For each request field with a
//! limit (value, length, number of items) or an enum type, the spec yields cases at and just past
//! each limit, and each enum's known values and an unknown one. Each case is one valid request
//! of the operation (the samples of `every_operation`) with that field changed, and goes
//!
//! - through the client's own checks (the generated `invoke`: typed request, `validate()`), and
//! - to the emulator over HTTP, signed, without the client's checks in the way,
//!
//! and both must accept it, or both refuse it. The emulator answers from the spec's examples
//! (`examples_only`): its generated checks run as always, but no business rule (a video that
//! does not exist, a task id nobody started) stands between a request and its answer, so every
//! case is compared and no state carries from one case to the next. "The emulator refuses"
//! means it answers anything but success.

use codegen::ir::{Api, Encoding, EnumBase, Field, Operation, Type};
use serde_json::{json, Map, Value};
use vod_client::{AuthProfile, Client, Error, RetryPolicy};
use vod_emulator::Emulator;

use crate::every_operation::{api, sample};

/// One boundary case: what is sent for the field, and what the spec says should happen.
struct Case {
    label: String,
    value: Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_and_emulator_agree_at_every_boundary() {
    let api = api();
    // Nothing listens on port 1: a request the client lets through fails to connect instead.
    let client = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .credentials("AK", "SK")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let emu = Emulator::builder()
        .examples_only(true)
        .start()
        .await
        .expect("emulator");
    let http = reqwest::Client::new();
    let (mut checked, mut disagreements) = (0usize, Vec::new());
    for op in api.groups.iter().flat_map(|g| &g.operations) {
        let base = Value::Object(base_request(&api, op));
        let base_verdicts = (
            client_accepts(&client, op, base.clone()).await,
            emulator_accepts(&http, &emu, op, &base).await,
        );
        assert!(
            base_verdicts.0 && base_verdicts.1 .0,
            "{}: the sample request is refused (client accepts: {}, emulator: {})",
            op.wire,
            base_verdicts.0,
            base_verdicts.1 .1
        );
        for field in &op.request {
            for case in cases(&api, field) {
                let mut input = base.clone();
                input[&field.wire] = case.value.clone();
                let client_accepts = client_accepts(&client, op, input.clone()).await;
                let (emulator_accepts, answer) = emulator_accepts(&http, &emu, op, &input).await;
                checked += 1;
                if client_accepts != emulator_accepts {
                    disagreements.push(format!(
                        "{}.{} {}: client {}, emulator {} ({answer})",
                        op.wire,
                        field.wire,
                        case.label,
                        verdict(client_accepts),
                        verdict(emulator_accepts),
                    ));
                }
            }
        }
    }
    emu.shutdown().await;
    eprintln!("boundary cases: {checked} compared");
    assert!(checked > 150, "the spec yields boundary cases: {checked}");
    assert!(
        disagreements.is_empty(),
        "{} of {checked} cases disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

fn verdict(accepts: bool) -> &'static str {
    if accepts {
        "accepts"
    } else {
        "refuses"
    }
}

/// A request every check accepts: each field's sample in its wire form.
fn base_request(api: &Api, op: &Operation) -> Map<String, Value> {
    op.request
        .iter()
        .map(|f| (f.wire.clone(), sample(api, f)))
        .collect()
}

/// At and just past each limit of `field`, and each value of its enum plus an unknown one.
fn cases(api: &Api, field: &Field) -> Vec<Case> {
    let mut cases = Vec::new();
    let limits = &field.limits;
    let numeric = field.ty.is_integral() || matches!(field.ty, Type::Number);
    if numeric {
        for (bound, past) in [(limits.min, -1.0), (limits.max, 1.0)] {
            if let Some(bound) = bound {
                cases.push(number_case(field, "at", bound));
                cases.push(number_case(field, "past", bound + past));
            }
        }
    }
    if field.ty.is_text() {
        for (bound, past) in [(limits.min_length, -1i64), (limits.max_length, 1)] {
            if let Some(bound) = bound {
                let bound = i64::try_from(bound).unwrap_or(i64::MAX);
                for (label, len) in [("at", bound), ("past", bound + past)] {
                    if let Ok(len) = usize::try_from(len) {
                        cases.push(Case {
                            label: format!("length {label} {bound}: {len}"),
                            value: json!("a".repeat(len)),
                        });
                    }
                }
            }
        }
    }
    if let (Type::List(_), Encoding::Comma) = (&field.ty, field.encoding) {
        for (bound, past) in [(limits.min_items, -1i64), (limits.max_items, 1)] {
            if let Some(bound) = bound {
                let bound = i64::try_from(bound).unwrap_or(i64::MAX);
                for (label, n) in [("at", bound), ("past", bound + past)] {
                    if let Ok(n) = usize::try_from(n) {
                        let items: Vec<String> = (0..n).map(|i| format!("item{i}")).collect();
                        cases.push(Case {
                            label: format!("items {label} {bound}: {n}"),
                            value: json!(items.join(",")),
                        });
                    }
                }
            }
        }
    }
    if let Type::Enum(name, base) = &field.ty {
        cases.extend(enum_cases(api, name, *base, field.encoding));
    }
    cases
}

fn number_case(field: &Field, label: &str, value: f64) -> Case {
    let wire = if field.ty.is_integral() {
        json!(value as i64)
    } else {
        json!(value)
    };
    let wire = match field.encoding {
        Encoding::Text => json!(wire.to_string()),
        _ => wire,
    };
    Case {
        label: format!("{label} {value}"),
        value: wire,
    }
}

fn enum_cases(api: &Api, name: &str, base: EnumBase, encoding: Encoding) -> Vec<Case> {
    let Some(e) = std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| &g.enums)
        .find(|e| e.name == name)
    else {
        return Vec::new();
    };
    let as_wire = |text: &str| match (base, encoding) {
        (EnumBase::Integer, Encoding::Plain) => text
            .parse::<i64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        _ => json!(text),
    };
    let unknown = match base {
        EnumBase::Integer => "987654".to_string(),
        EnumBase::String => "no-such-value".to_string(),
    };
    e.values
        .iter()
        .map(|v| Case {
            label: format!("known `{}`", v.wire),
            value: as_wire(&v.wire),
        })
        .chain(std::iter::once(Case {
            label: format!("unknown `{unknown}`"),
            value: as_wire(&unknown),
        }))
        .collect()
}

/// Whether the client's own checks let `input` through (it then fails to connect).
async fn client_accepts(client: &Client, op: &Operation, input: Value) -> bool {
    let Some(call) = vod_cli::generated::invoke(client, &op.wire, input) else {
        panic!("{} is not dispatchable", op.wire);
    };
    !matches!(call.await, Err(Error::InvalidRequest { .. }))
}

/// Whether the emulator's checks let `input` through: it answers success.
async fn emulator_accepts(
    http: &reqwest::Client,
    emu: &Emulator,
    op: &Operation,
    input: &Value,
) -> (bool, String) {
    let body = serde_json::to_vec(input).unwrap_or_default();
    let url = format!("{}{}", emu.base_url(), op.path);
    let host = emu.base_url().trim_start_matches("http://").to_string();
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs().to_string())
        .unwrap_or_default();
    let profile = AuthProfile::default();
    let headers = vod_client::signing_headers(
        profile,
        "application/json",
        &host,
        emu.access_key(),
        &timestamp,
    );
    let signed = vod_client::signer::sign(
        profile,
        emu.access_key(),
        emu.secret_key(),
        &vod_client::signer::SigningRequest {
            method: "POST",
            uri: &op.path,
            headers: &headers,
            body: &body,
            timestamp: &timestamp,
            signed_headers: None,
        },
    );
    let mut request = http.post(&url).body(body.clone());
    for (name, value) in &headers {
        if !name.eq_ignore_ascii_case("host") {
            request = request.header(*name, *value);
        }
    }
    let answer = request
        .header("Authorization", signed.authorization())
        .send()
        .await
        .expect("the emulator answers");
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap_or_default();
    let code = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_i64));
    // Bare answers (no envelope) are successes; enveloped ones carry the success code.
    let accepted = status == 200 && code.is_none_or(|c| c == vod_client::SUCCESS_CODE);
    let excerpt: String = text.chars().take(160).collect();
    (accepted, format!("HTTP {status}: {excerpt}"))
}
