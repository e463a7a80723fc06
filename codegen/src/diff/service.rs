//! Rules for service-wide facts: endpoint, envelope, auth profiles, error codes, group docs.

use std::collections::BTreeMap;

use super::{compare_doc, Affects, Change, Level};
use crate::ir::Api;
use crate::spec::{AuthProfileSpec, ErrorCodeSpec};

const WIRE: &[Affects] = &[Affects::Wire];
const RUST: &[Affects] = &[Affects::Rust];

pub(crate) fn compare(base: &Api, new: &Api, out: &mut Vec<Change>) {
    compare_facts(base, new, out);
    compare_auth_profiles(&base.service.auth_profiles, &new.service.auth_profiles, out);
    compare_error_codes(&base.service.error_codes, &new.service.error_codes, out);
    compare_group_docs(base, new, out);
}

fn service_change(level: Level, affects: &[Affects], field: &str, message: String) -> Change {
    Change::new(level, affects, message).at(None, Some(field))
}

fn compare_facts(base: &Api, new: &Api, out: &mut Vec<Change>) {
    let (a, b) = (&base.service, &new.service);
    if a.name != b.name {
        out.push(
            Change::docs(format!(
                "The service is now called `{}` (was `{}`).",
                b.name, a.name
            ))
            .at(None, Some("service.name")),
        );
    }
    compare_doc(
        "the service",
        &a.doc,
        &b.doc,
        (None, Some("service.doc")),
        out,
    );
    if a.default_endpoint != b.default_endpoint {
        out.push(service_change(
            Level::Breaking,
            WIRE,
            "service.default_endpoint",
            format!(
                "Clients built without an endpoint now call `{}` instead of `{}`.",
                b.default_endpoint, a.default_endpoint
            ),
        ));
    }
    if a.request_id_headers != b.request_id_headers {
        out.push(service_change(
            Level::Compatible,
            WIRE,
            "service.request_id_headers",
            format!(
                "Request ids are now read from [{}] (was [{}]); only error reports change.",
                b.request_id_headers.join(", "),
                a.request_id_headers.join(", ")
            ),
        ));
    }
    let (ea, eb) = (&a.envelope, &b.envelope);
    let members = |e: &crate::spec::EnvelopeSpec| {
        format!(
            "code `{}`, message `{}`, data `{}`, success {}",
            e.code, e.message, e.data, e.success
        )
    };
    if members(ea) != members(eb) {
        out.push(service_change(
            Level::Breaking,
            WIRE,
            "service.envelope",
            format!(
                "The answer envelope changes from ({}) to ({}); answers are read differently.",
                members(ea),
                members(eb)
            ),
        ));
    }
}

fn compare_auth_profiles(base: &[AuthProfileSpec], new: &[AuthProfileSpec], out: &mut Vec<Change>) {
    // The first profile is the one clients sign with unless told otherwise.
    if let (Some(a), Some(b)) = (base.first(), new.first()) {
        if a.name != b.name {
            out.push(service_change(
                Level::Breaking,
                WIRE,
                "auth_profiles",
                format!(
                    "The default auth profile changes from `{}` to `{}`: clients that do not choose one sign differently.",
                    a.name, b.name
                ),
            ));
        }
    }
    let by_name = |list: &[AuthProfileSpec]| -> BTreeMap<String, AuthProfileSpec> {
        list.iter().map(|p| (p.name.clone(), p.clone())).collect()
    };
    let (before, after) = (by_name(base), by_name(new));
    for (name, old) in &before {
        let field = format!("auth_profile {name}");
        let Some(now) = after.get(name) else {
            out.push(service_change(
                Level::Breaking,
                WIRE,
                &field,
                format!("The auth profile `{name}` is removed; clients configured with it can no longer sign."),
            ));
            continue;
        };
        for (what, was, is) in profile_facts(old, now) {
            if was != is {
                out.push(service_change(
                    Level::Breaking,
                    WIRE,
                    &field,
                    format!("Auth profile `{name}`: the {what} changes from {was} to {is}; requests are signed differently."),
                ));
            }
        }
        compare_doc(
            &format!("auth profile `{name}`"),
            &old.doc,
            &now.doc,
            (None, Some(&field)),
            out,
        );
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(service_change(
            Level::Compatible,
            WIRE,
            &format!("auth_profile {name}"),
            format!("The auth profile `{name}` is new."),
        ));
    }
}

/// Every signing fact of a profile, as (what, before, after), quoted for messages.
fn profile_facts(a: &AuthProfileSpec, b: &AuthProfileSpec) -> Vec<(&'static str, String, String)> {
    let quoted = |s: &str| format!("`{s}`");
    let list = |v: &[String]| format!("[{}]", v.join(", "));
    let pairs = |m: &BTreeMap<String, String>| {
        let items: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{{{}}}", items.join(", "))
    };
    vec![
        ("host", quoted(&a.host), quoted(&b.host)),
        ("algorithm", quoted(&a.algorithm), quoted(&b.algorithm)),
        (
            "access key header",
            quoted(&a.access_key_header),
            quoted(&b.access_key_header),
        ),
        (
            "timestamp header",
            quoted(&a.timestamp_header),
            quoted(&b.timestamp_header),
        ),
        (
            "extra headers",
            pairs(&a.extra_headers),
            pairs(&b.extra_headers),
        ),
        (
            "signed headers",
            list(&a.signed_headers),
            list(&b.signed_headers),
        ),
        (
            "request-id header",
            a.request_id_header.clone().unwrap_or_default(),
            b.request_id_header.clone().unwrap_or_default(),
        ),
    ]
}

fn compare_error_codes(base: &[ErrorCodeSpec], new: &[ErrorCodeSpec], out: &mut Vec<Change>) {
    let by_code = |list: &[ErrorCodeSpec]| -> BTreeMap<i64, ErrorCodeSpec> {
        list.iter().map(|e| (e.code, e.clone())).collect()
    };
    let (before, after) = (by_code(base), by_code(new));
    for (code, old) in &before {
        let field = format!("error_code {code}");
        let variant = upper_camel(&old.name);
        let Some(now) = after.get(code) else {
            out.push(service_change(
                Level::Breaking,
                RUST,
                &field,
                format!("Error code {code} (`ErrorCode::{variant}`) is removed: code matching the variant no longer compiles, and the code now reads as `ErrorCode::Unknown({code})`."),
            ));
            continue;
        };
        compare_error_code(*code, old, now, &field, out);
    }
    for (code, now) in after.iter().filter(|(c, _)| !before.contains_key(c)) {
        out.push(service_change(
            Level::Compatible,
            RUST,
            &format!("error_code {code}"),
            format!(
                "Error code {code} is new as `ErrorCode::{}` (it read as `ErrorCode::Unknown({code})` before).",
                upper_camel(&now.name)
            ),
        ));
    }
}

fn compare_error_code(
    code: i64,
    old: &ErrorCodeSpec,
    new: &ErrorCodeSpec,
    field: &str,
    out: &mut Vec<Change>,
) {
    let (was, is) = (upper_camel(&old.name), upper_camel(&new.name));
    if was != is || old.name != new.name {
        out.push(service_change(
            Level::Breaking,
            RUST,
            field,
            format!("Error code {code} is renamed from `ErrorCode::{was}` to `ErrorCode::{is}`; code matching the old variant no longer compiles."),
        ));
    }
    if old.class != new.class {
        let class = |c: &Option<String>| {
            c.as_deref()
                .map_or("none".to_string(), |c| format!("`{c}`"))
        };
        out.push(service_change(
            Level::Breaking,
            RUST,
            field,
            format!(
                "Error code {code} changes class from {} to {}: `Error::is_not_found()`, `is_throttled()` and the like answer differently for it.",
                class(&old.class),
                class(&new.class)
            ),
        ));
    }
    if old.http_status != new.http_status {
        let status = |s: Option<u16>| s.unwrap_or(200);
        out.push(service_change(
            Level::Breaking,
            WIRE,
            field,
            format!(
                "Error code {code} is answered with HTTP {} instead of {}.",
                status(new.http_status),
                status(old.http_status)
            ),
        ));
    }
    if old.retryable != new.retryable {
        let now = if new.retryable {
            "now resends"
        } else {
            "no longer resends"
        };
        out.push(service_change(
            Level::Compatible,
            WIRE,
            field,
            format!("The default retry policy {now} requests answered with error code {code}."),
        ));
    }
    let mut ops = (old.operations.clone(), new.operations.clone());
    ops.0.sort();
    ops.1.sort();
    if ops.0 != ops.1 {
        out.push(
            Change::docs(format!(
                "The operations documented to return error code {code} changed."
            ))
            .at(None, Some(field)),
        );
    }
    compare_doc(
        &format!("error code {code}"),
        &old.doc,
        &new.doc,
        (None, Some(field)),
        out,
    );
}

fn upper_camel(name: &str) -> String {
    use heck::ToUpperCamelCase;
    name.to_upper_camel_case()
}

fn compare_group_docs(base: &Api, new: &Api, out: &mut Vec<Change>) {
    for old in &base.groups {
        if let Some(now) = new.groups.iter().find(|g| g.name == old.name) {
            let field = format!("group {}", old.name);
            compare_doc(
                &format!("group `{}`", old.name),
                &old.doc,
                &now.doc,
                (None, Some(&field)),
                out,
            );
        }
    }
}
