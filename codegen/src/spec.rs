//! The spec model: serde structs that mirror the YAML files one to one.
//!
//! Nothing is resolved or checked here beyond the shape of the YAML (unknown keys are refused,
//! so a typo in a key is caught with its location). Words like `POST` or `list<VideoInfo>` stay
//! strings: the validator checks them, so that every bad value is reported at once, with a hint,
//! instead of the first one stopping the load.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `service.yaml`: what is true for the whole API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    /// Human name of the service.
    pub name: String,
    /// One-paragraph description.
    pub doc: String,
    /// Base URL used when the client is not told otherwise.
    pub default_endpoint: String,
    /// Response headers that carry the request id, first match wins.
    #[serde(default)]
    pub request_id_headers: Vec<String>,
    /// Member names of the response envelope.
    pub envelope: EnvelopeSpec,
    /// Signing profiles the service accepts.
    pub auth_profiles: Vec<AuthProfileSpec>,
    /// Documented business error codes.
    #[serde(default)]
    pub error_codes: Vec<ErrorCodeSpec>,
    /// Operations whose method and path a source names but whose fields none describes: not
    /// generated, listed so users know `Client::raw_request` and `vod api` reach them.
    #[serde(default)]
    pub undescribed_operations: Vec<UndescribedOperationSpec>,
    /// The error code (by name) an operation answers when a request fails the spec's checks
    /// (a missing field, a limit, an unknown enum value), unless the operation or the field
    /// names its own.
    #[serde(default)]
    pub parameter_error: Option<String>,
    /// Shared object types.
    #[serde(default)]
    pub types: BTreeMap<String, ObjectSpec>,
    /// Shared enums.
    #[serde(default)]
    pub enums: BTreeMap<String, EnumSpec>,
    /// Identifier types (`VideoId`, `NodeId`): one Rust newtype per concept, whatever the
    /// wire spells.
    #[serde(default)]
    pub ids: BTreeMap<String, IdSpec>,
}

/// A newtype identifier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdSpec {
    /// `string` or `long`: what the id holds.
    #[serde(rename = "type")]
    pub base: String,
    /// What it identifies.
    pub doc: String,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// Member names of `{code, message, data}` and the success code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSpec {
    /// Name of the status member.
    pub code: String,
    /// Name of the message member.
    pub message: String,
    /// Name of the payload member.
    pub data: String,
    /// Status value meaning success.
    pub success: i64,
}

/// One signing profile (host, algorithm, header names).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthProfileSpec {
    /// Short name, e.g. `ws3`.
    pub name: String,
    /// What the profile is for.
    pub doc: String,
    /// Host the profile is served on.
    pub host: String,
    /// Algorithm word in `Authorization`.
    pub algorithm: String,
    /// Header carrying the access key.
    pub access_key_header: String,
    /// Header carrying the Unix timestamp.
    pub timestamp_header: String,
    /// Constant headers sent with every request.
    #[serde(default)]
    pub extra_headers: BTreeMap<String, String>,
    /// Headers covered by the signature.
    pub signed_headers: Vec<String>,
    /// The response header carrying the request id of requests signed this way (default: the
    /// first of the service's `request_id_headers`).
    #[serde(default)]
    pub request_id_header: Option<String>,
}

/// One documented business error code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodeSpec {
    /// The `code` value.
    pub code: i64,
    /// lowerCamelCase name.
    pub name: String,
    /// Meaning.
    pub doc: String,
    /// Operations documented to return it.
    #[serde(default)]
    pub operations: Vec<String>,
    /// The class users match on (`invalid_parameter`, `not_found`, `auth`, `permission`,
    /// `throttled`, `clock_skew`); see [`ERROR_CLASSES`].
    #[serde(default)]
    pub class: Option<String>,
    /// "Busy, try again later": the request was not processed, so the default retry policy
    /// resends it.
    #[serde(default)]
    pub retryable: bool,
    /// The HTTP status the code is answered with (default 200: business errors travel in the
    /// envelope of a successful HTTP answer).
    #[serde(default)]
    pub http_status: Option<u16>,
}

/// The rules a request field can break, as keys of a field's `error_codes`: the runtime's
/// `vod_client::Violation` names, plus `item` (an item of a list breaks any rule).
pub const FIELD_RULES: &[(&str, &str)] = &[
    ("missing", "required, but missing or blank"),
    ("shape", "cannot be read as its type or wire form"),
    ("unknown_value", "not one of the enum's documented values"),
    ("format", "not in its documented text format"),
    (
        "too_small",
        "below its minimum value, length or number of items",
    ),
    (
        "too_large",
        "above its maximum value, length or number of items",
    ),
    ("other", "any other rule"),
    ("item", "an item of the list breaks any rule"),
];

/// The values `class` of an error code may take, with what each means.
pub const ERROR_CLASSES: &[(&str, &str)] = &[
    (
        "invalid_parameter",
        "a parameter is missing, malformed or out of range",
    ),
    ("not_found", "the resource the request names does not exist"),
    ("auth", "the signature or the credentials were refused"),
    ("permission", "the account may not do this"),
    (
        "throttled",
        "busy or rate limited; the request was not processed",
    ),
    (
        "clock_skew",
        "the signing timestamp is outside the service's window",
    ),
];

/// A group file: operations and the types they use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    /// kebab-case group name; becomes the module name.
    pub group: String,
    /// One line about the group.
    pub doc: String,
    /// Object types defined here.
    #[serde(default)]
    pub types: BTreeMap<String, ObjectSpec>,
    /// Enums defined here.
    #[serde(default)]
    pub enums: BTreeMap<String, EnumSpec>,
    /// Operations.
    #[serde(default)]
    pub operations: Vec<OperationSpec>,
    /// Payloads the service sends to the customer.
    #[serde(default)]
    pub callbacks: Vec<CallbackSpec>,
}

/// A named object type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectSpec {
    /// What the object is.
    pub doc: String,
    /// Its members.
    pub fields: Vec<FieldSpec>,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// A named enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumSpec {
    /// `integer` or `string`.
    #[serde(rename = "type")]
    pub base: String,
    /// What the values mean together.
    pub doc: String,
    /// The documented values.
    pub values: Vec<EnumValueSpec>,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// One documented enum value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueSpec {
    /// The wire value.
    pub value: Scalar,
    /// snake_case name; becomes the variant.
    pub name: String,
    /// Meaning.
    pub doc: String,
}

/// A YAML scalar as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    Str(String),
}

impl Scalar {
    /// The value as the service would print it (`1`, `flv`, `true`).
    pub fn wire_text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Str(s) => s.clone(),
        }
    }

    /// The value as a number, when it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(*i as f64),
            Scalar::Float(f) => Some(*f),
            _ => None,
        }
    }
}

/// One field of a request, response or object type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Wire name, exactly as the service spells it.
    pub name: String,
    /// Spec type (`string`, `list<VideoInfo>`, `VideoState`, ...).
    #[serde(rename = "type")]
    pub ty: String,
    /// Requests: must be sent. Responses: always returned.
    #[serde(default)]
    pub required: bool,
    /// The service's default when absent.
    #[serde(default)]
    pub default: Option<Scalar>,
    /// Inclusive lower bound (numbers).
    #[serde(default)]
    pub min: Option<f64>,
    /// Inclusive upper bound (numbers).
    #[serde(default)]
    pub max: Option<f64>,
    /// Minimum length in characters (strings).
    #[serde(default)]
    pub min_length: Option<u64>,
    /// Maximum length in characters (strings).
    #[serde(default)]
    pub max_length: Option<u64>,
    /// Minimum number of entries (lists).
    #[serde(default)]
    pub min_items: Option<u64>,
    /// Maximum number of entries (lists).
    #[serde(default)]
    pub max_items: Option<u64>,
    /// How the value travels when that differs from its type's plain JSON: `comma`,
    /// `base64_json`, `json_text`, `text`, `braced_pairs`, `datetime`, `unix_seconds`,
    /// `unix_millis`.
    #[serde(default)]
    pub wire: Option<String>,
    /// The Rust name (snake_case) where the wire name is misspelled or inconsistent.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// Meaning.
    pub doc: String,
    /// A text format checked before sending: `url` (http or https) or `datetime`
    /// (`yyyy-MM-dd HH:mm:ss`).
    #[serde(default)]
    pub format: Option<String>,
    /// Other wire names the service is known to use for this field (decoding accepts them).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Requests: the error code (by name) the service answers when this field fails the
    /// spec's checks, where it documents one (e.g. `videoNameTooLong`).
    #[serde(default)]
    pub error_code: Option<String>,
    /// Requests: the error code (by name) for one rule the field breaks, when it differs
    /// from `error_code`; keys are [`FIELD_RULES`] (`too_large: concatTooManyVideos`).
    #[serde(default)]
    pub error_codes: BTreeMap<String, String>,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// An operation known only by its method and path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndescribedOperationSpec {
    /// The action name, e.g. `getWorkflowList`.
    pub name: String,
    /// `POST` or `GET`.
    pub method: String,
    /// Request path.
    pub path: String,
    /// What it is known to do, and where it is named.
    pub doc: String,
}

/// One operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    /// The service's action name.
    pub name: String,
    /// `POST` or `GET`.
    pub method: String,
    /// Request path.
    pub path: String,
    /// `json` or `query`.
    pub body: String,
    /// What the operation does.
    pub doc: String,
    /// Documented call limit, e.g. `300/5min`.
    #[serde(default)]
    pub rate_limit: Option<String>,
    /// May the runtime resend it after a transient failure?
    pub retry_safe: bool,
    /// The service also takes this POST's parameters as an `application/x-www-form-urlencoded`
    /// body (a client option sends them so).
    #[serde(default)]
    pub form_body: bool,
    /// The error code (by name) this operation answers for a request that fails the spec's
    /// checks, when it differs from the service's `parameter_error`.
    #[serde(default)]
    pub parameter_error: Option<String>,
    /// Command-line placement.
    #[serde(default)]
    pub cli: Option<CliSpec>,
    /// Request fields.
    #[serde(default)]
    pub request: Vec<FieldSpec>,
    /// What comes back.
    pub response: ResponseSpec,
    /// Groups of optional request fields of which at least one must be given.
    #[serde(default)]
    pub at_least_one: Vec<Vec<String>>,
    /// Paging fields, for list operations.
    #[serde(default)]
    pub pagination: Option<PaginationSpec>,
    /// How to follow the task this operation starts.
    #[serde(default)]
    pub waiter: Option<WaiterSpec>,
    /// How to learn whether a state-changing request was carried out when its answer was lost.
    #[serde(default)]
    pub outcome_check: Option<OutcomeCheckSpec>,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// `vod <group> <name>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliSpec {
    /// First word.
    pub group: String,
    /// Second word.
    pub name: String,
    /// Paginated operations: the item fields `-o table` shows by default, in this order.
    #[serde(default)]
    pub columns: Vec<String>,
}

/// The answer's shape.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// `standard` or `bare`.
    pub envelope: String,
    /// `object`, `string` or `none`.
    pub data: String,
    /// Members of the data object.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// Accept `[ {...} ]` for an object.
    #[serde(default)]
    pub single_item_list: bool,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// Which fields page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    /// Request field with the page number.
    pub page_index: String,
    /// Request field with the page size.
    pub page_size: String,
    /// Response list field with the page's items.
    pub items: String,
}

/// How a task's state is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiterSpec {
    /// The query operation.
    pub query: String,
    /// Query field name → `request.<field>` or `response.<field>`.
    pub input: BTreeMap<String, String>,
    /// State field of the query's response (`a[0].b` allowed).
    pub state: String,
    /// Wire values meaning success.
    pub success: Vec<Scalar>,
    /// Wire values meaning failure.
    pub failure: Vec<Scalar>,
}

/// How a lost answer is resolved: page through a list operation and look for the item the
/// request would have created (or removed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeCheckSpec {
    /// The paged list operation to search.
    pub query: String,
    /// Query field name → `request.<field>`: how the list is narrowed.
    #[serde(default)]
    pub input: BTreeMap<String, String>,
    /// Item field name → `request.<field>`: what identifies the item.
    pub find: BTreeMap<String, String>,
    /// `found`: the request was carried out when the item is there (a create);
    /// `absent`: when it is gone (a delete).
    pub done_when: String,
    /// Output field name → `item.<field>`: the answer, rebuilt from the found item.
    #[serde(default)]
    pub output: BTreeMap<String, String>,
}

/// A payload the service POSTs to the customer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackSpec {
    /// lowerCamelCase name.
    pub name: String,
    /// When it is sent.
    pub doc: String,
    /// `standard`: the payload sits in `{code, message, data}`; `bare` (default): it is the body.
    #[serde(default)]
    pub envelope: Option<String>,
    /// Its members.
    pub fields: Vec<FieldSpec>,
    /// Maintainers' note, not emitted.
    #[serde(default)]
    pub note: Option<String>,
}
