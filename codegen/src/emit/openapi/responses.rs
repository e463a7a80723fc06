//! Answers as the service gives them: under HTTP 200 either the success envelope (or the bare
//! answer) or the error envelope `{code, message}`, and the HTTP statuses used for transport,
//! authentication and rate-limit refusals, each with the error envelope.

use serde_json::{json, Map, Value};

use super::schemas::reference;
use crate::ir::{Api, DataKind, Operation};
use crate::spec::ErrorCodeSpec;

/// Name of the error envelope schema.
pub(super) const ERROR_ENVELOPE: &str = "ErrorEnvelope";

/// Operations whose parameter errors come with HTTP 400 (code 24112000), as the API Center
/// documents for the category operations.
const HTTP_400_CODE: i64 = 24_112_000;

/// HTTP statuses other than 200, what they mean, and the envelope codes they carry. The
/// 2010-2015 codes are the emulator's own (transport refusals the service documents no code for).
const STATUSES: &[(&str, &str, &[i64])] = &[
    ("400", "Bad request: the category operations' parameter error (24112000, as documented); the emulator also answers 2015 (no, several or an unreadable Host header).", &[]),
    ("401", "Authentication failed: a signature header is missing or malformed, an unknown algorithm, a timestamp that is not Unix seconds or is more than 5 minutes off, or SignedHeaders without content-type and host.", &[2001, 2002, 2003, 2005, 2006, 2008]),
    ("403", "Refused credentials: an unknown access key, a Credential that differs from the access-key header, or a signature that does not match the request.", &[2004, 2007, 2009]),
    ("405", "The operation does not accept this HTTP method (emulator code 2011).", &[]),
    ("408", "The request body stalled for longer than the idle timeout (emulator code 2014).", &[]),
    ("413", "The request body is larger than the limit (emulator code 2010).", &[]),
    ("415", "The operation does not accept this Content-Type (emulator code 2012).", &[]),
    ("429", "The call rate limit is exceeded; retry after the Retry-After seconds.", &[2102]),
    ("503", "The service is temporarily unavailable; the envelope's code is 503.", &[503]),
];

/// `components.schemas` entries of the envelopes.
pub(super) fn envelope_schemas(schemas: &mut std::collections::BTreeMap<String, Value>) {
    schemas.insert(
        ERROR_ENVELOPE.to_string(),
        json!({
            "type": "object",
            "description": "An error answer: `code` is not 200 and names the error (documented codes in each operation's description), `message` says what is wrong.",
            "required": ["code"],
            "properties": {
                "code": { "type": "integer", "format": "int64", "not": { "const": 200 } },
                "message": { "type": "string" },
            },
        }),
    );
}

/// `components.responses`: one reusable answer per HTTP status other than 200.
pub(super) fn status_responses(api: &Api) -> Map<String, Value> {
    STATUSES
        .iter()
        .map(|(status, text, codes)| {
            let mut description = (*text).to_string();
            let named = name_codes(api, codes);
            if !named.is_empty() {
                description.push_str(&format!(" Codes: {named}."));
            }
            let mut response = json!({
                "description": description,
                "content": { "application/json": { "schema": reference(ERROR_ENVELOPE) } },
            });
            if *status == "429" {
                response["headers"] = json!({
                    "Retry-After": {
                        "description": "Seconds to wait before the next call.",
                        "schema": { "type": "integer", "minimum": 0 },
                    }
                });
            }
            (format!("Http{status}"), response)
        })
        .collect()
}

fn name_codes(api: &Api, codes: &[i64]) -> String {
    codes
        .iter()
        .map(
            |code| match api.service.error_codes.iter().find(|e| e.code == *code) {
                Some(e) => format!("{} ({})", e.code, e.name),
                None => code.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// The documented error codes this operation can answer: its own, then the general ones.
fn operation_codes<'a>(api: &'a Api, op: &Operation) -> Vec<&'a ErrorCodeSpec> {
    let (own, general): (Vec<_>, Vec<_>) = api
        .service
        .error_codes
        .iter()
        .filter(|e| e.operations.is_empty() || e.operations.contains(&op.wire))
        .partition(|e| !e.operations.is_empty());
    own.into_iter().chain(general).collect()
}

/// The operation's error codes as description text: its own with their meaning, then the
/// general ones by name (their meaning is in each `components.responses` entry and the
/// client's `ErrorCode` docs).
pub(super) fn codes_text(api: &Api, op: &Operation) -> String {
    let codes = operation_codes(api, op);
    let (own, general): (Vec<&ErrorCodeSpec>, Vec<&ErrorCodeSpec>) =
        codes.into_iter().partition(|e| !e.operations.is_empty());
    let mut text = String::from("Error codes");
    if own.is_empty() {
        text.push_str(": no operation-specific code is documented.");
    } else {
        text.push_str(" documented for this operation:\n");
        let lines: Vec<String> = own
            .iter()
            .map(|e| format!("- `{}` {}: {}", e.code, e.name, e.doc.trim()))
            .collect();
        text.push_str(&lines.join("\n"));
    }
    let names: Vec<String> = general
        .iter()
        .map(|e| format!("`{}` {}", e.code, e.name))
        .collect();
    text.push_str(&format!(
        "\n\nCodes any operation may answer: {}.",
        names.join(", ")
    ));
    text
}

/// The operation's own codes, by number and name, for the 200 answer's description.
fn own_codes(api: &Api, op: &Operation) -> String {
    let own: Vec<String> = operation_codes(api, op)
        .iter()
        .filter(|e| !e.operations.is_empty())
        .map(|e| format!("{} ({})", e.code, e.name))
        .collect();
    if own.is_empty() {
        "the general codes listed in the operation's description".to_string()
    } else {
        format!("{}, and the general codes", own.join(", "))
    }
}

/// `responses` of one operation.
pub(super) fn responses(api: &Api, op: &Operation) -> Value {
    let data = match op.data {
        DataKind::Object => reference(&op.output_type()),
        DataKind::SingleItemList => json!({
            "anyOf": [
                reference(&op.output_type()),
                { "type": "array", "items": reference(&op.output_type()), "minItems": 1, "maxItems": 1 },
            ]
        }),
        DataKind::String => json!({ "type": "string" }),
        DataKind::None => json!({ "description": "Not used." }),
    };
    let success = if op.bare {
        data
    } else {
        json!({
            "type": "object",
            "description": "The success envelope.",
            "required": ["code"],
            "properties": {
                "code": { "const": 200, "description": "200: success." },
                "message": { "type": "string" },
                "data": data,
            }
        })
    };
    let category = operation_codes(api, op)
        .iter()
        .any(|e| e.code == HTTP_400_CODE && !e.operations.is_empty());
    let shape = if op.bare {
        "the bare answer on success"
    } else {
        "the envelope `{code: 200, message, data}` on success"
    };
    let params = if category {
        " Parameter errors come with HTTP 400 (code 24112000)."
    } else {
        ""
    };
    let mut out = Map::new();
    out.insert(
        "200".into(),
        json!({
            "description": format!(
                "The service's answer: {shape}, or the error envelope `{{code, message}}` with a non-200 code (business errors come with HTTP 200).{params} Codes: {}.",
                own_codes(api, op)
            ),
            "content": { "application/json": { "schema": {
                "anyOf": [success, reference(ERROR_ENVELOPE)]
            } } }
        }),
    );
    for (status, _, _) in STATUSES {
        out.insert(
            (*status).to_string(),
            json!({ "$ref": format!("#/components/responses/Http{status}") }),
        );
    }
    Value::Object(out)
}
