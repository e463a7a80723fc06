//! Both sides of the wire agree at every boundary the spec states. For each request field with a
//! limit (value, length, number of items) or an enum type, the spec yields cases at and just past
//! each limit, and each enum's known values and an unknown one. Each case is one valid request
//! of the operation (the samples of `every_operation`) with that field changed, and goes
//!
//! - through the client's own checks (the generated `invoke`: typed request, `validate()`), and
//! - to the emulator over HTTP, signed, without the client's checks in the way,
//!
//! and both must accept it, or both refuse it. "The emulator refuses" means it answers the code
//! of a failed check: the operation's parameter error or a code the spec gives the field; any
//! other answer (success, or a business error such as "video not found") means the checks let
//! the request through. Each case meets a fresh emulator, so no case sees another's state.
//! Some operations answer their parameter error for business reasons even to the unchanged
//! request (a task id that does not exist); for those only the refusals are compared (what the
//! client refuses, the emulator refuses too).

use std::collections::BTreeSet;

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
    let http = reqwest::Client::new();
    let (mut checked, mut skipped, mut disagreements) = (0usize, 0usize, Vec::new());
    for op in api.groups.iter().flat_map(|g| &g.operations) {
        let base = base_request(&api, op);
        let refusal_codes = refusal_codes(&api, op);
        let (base_accepted, _) =
            emulator_accepts(&http, op, &Value::Object(base.clone()), &refusal_codes).await;
        for field in &op.request {
            for case in cases(&api, field) {
                let mut input = base.clone();
                input.insert(field.wire.clone(), case.value.clone());
                let input = Value::Object(input);
                let client_accepts = client_accepts(&client, op, input.clone()).await;
                if client_accepts && !base_accepted {
                    skipped += 1;
                    continue;
                }
                let (emulator_accepts, answer) =
                    emulator_accepts(&http, op, &input, &refusal_codes).await;
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
    eprintln!(
        "boundary cases: {checked} compared, {skipped} accepted by the client and not comparable"
    );
    assert!(checked > 100, "the spec yields boundary cases: {checked}");
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

/// The codes with which the emulator answers a failed check of this operation.
fn refusal_codes(api: &Api, op: &Operation) -> BTreeSet<i64> {
    let code_of = |name: &str| {
        api.service
            .error_codes
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.code)
    };
    let names = std::iter::once(op.parameter_error.as_deref().unwrap_or("invalidParameter"))
        .chain(op.request.iter().filter_map(|f| f.error_code.as_deref()))
        .chain(
            op.request
                .iter()
                .flat_map(|f| f.error_codes.values().map(String::as_str)),
        );
    names.filter_map(code_of).collect()
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

/// Whether a fresh emulator's checks let `input` through: its answer is not one of `refusals`.
async fn emulator_accepts(
    http: &reqwest::Client,
    op: &Operation,
    input: &Value,
    refusals: &BTreeSet<i64>,
) -> (bool, String) {
    let emu = Emulator::start().await.expect("emulator");
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
    let refused = code.is_some_and(|c| refusals.contains(&c)) && !text.contains("\"data\"");
    let excerpt: String = text.chars().take(160).collect();
    emu.shutdown().await;
    (!refused, format!("HTTP {status}: {excerpt}"))
}
