//! The intermediate representation: the spec with every name resolved to its Rust form and
//! every type reference resolved, so emitters only print.
//!
//! [`lower`] (in `lower.rs`) runs after validation succeeded; it still never panics on odd
//! input (an unresolvable type lowers to `String`), because the validator is the one place that
//! reports.

mod lower;
mod outcome;

pub use lower::{lower, lower_field, split_each, split_source, state_steps, CatalogFields};

use std::collections::BTreeMap;

use heck::ToSnakeCase;

use crate::load::LoadedSpec;
use crate::spec::{self, FieldSpec};

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Service-wide facts.
    pub service: Service,
    /// `service.yaml`'s shared types and enums.
    pub shared: Group,
    /// Group files, in file-name order.
    pub groups: Vec<Group>,
}

/// Service-wide facts from `service.yaml`.
#[derive(Debug, Clone)]
pub struct Service {
    /// Human name.
    pub name: String,
    /// Description.
    pub doc: String,
    /// Default base URL.
    pub default_endpoint: String,
    /// Request-id headers.
    pub request_id_headers: Vec<String>,
    /// Envelope member names and success code.
    pub envelope: spec::EnvelopeSpec,
    /// Signing profiles.
    pub auth_profiles: Vec<spec::AuthProfileSpec>,
    /// Documented error codes, sorted by code.
    pub error_codes: Vec<spec::ErrorCodeSpec>,
    /// The error code (name) answered for a request that fails the spec's checks.
    pub parameter_error: Option<String>,
    /// Operations known only by method and path.
    pub undescribed_operations: Vec<spec::UndescribedOperationSpec>,
}

/// One module of generated code.
#[derive(Debug, Clone)]
pub struct Group {
    /// kebab-case name.
    pub name: String,
    /// snake_case module name.
    pub module: String,
    /// Module doc.
    pub doc: String,
    /// Object types defined here.
    pub objects: Vec<Object>,
    /// Enums defined here.
    pub enums: Vec<Enum>,
    /// Operations.
    pub operations: Vec<Operation>,
    /// Callback payloads (emitted as objects).
    pub callbacks: Vec<Object>,
    /// Newtype ids (only `service.yaml` declares them).
    pub ids: Vec<IdType>,
}

/// A newtype id.
#[derive(Debug, Clone)]
pub struct IdType {
    /// UpperCamelCase name.
    pub name: String,
    /// Doc.
    pub doc: String,
    /// What it holds.
    pub base: IdBase,
}

/// A struct.
#[derive(Debug, Clone)]
pub struct Object {
    /// UpperCamelCase name.
    pub name: String,
    /// Doc.
    pub doc: String,
    /// Members.
    pub fields: Vec<Field>,
    /// Sent in some request, so it needs constraint checks.
    pub in_request: bool,
    /// Received in some answer or callback, so it must decode.
    pub in_answer: bool,
    /// Set for callback payloads: the callback's wire name, and whether it is enveloped.
    pub callback: Option<(String, bool)>,
}

/// Wire type of an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumBase {
    /// JSON numbers.
    Integer,
    /// JSON strings.
    String,
}

/// An enum.
#[derive(Debug, Clone)]
pub struct Enum {
    /// UpperCamelCase name.
    pub name: String,
    /// Doc.
    pub doc: String,
    /// Wire type.
    pub base: EnumBase,
    /// Known values.
    pub values: Vec<EnumValue>,
}

/// One known enum value.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// UpperCamelCase variant.
    pub variant: String,
    /// snake_case name: what `Display` prints and `FromStr` (also as kebab-case) reads.
    pub name: String,
    /// Wire value as text.
    pub wire: String,
    /// Doc.
    pub doc: String,
}

/// What a newtype id holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdBase {
    /// `String`.
    String,
    /// `i64`.
    Long,
}

/// How a value travels, when that differs from its type's plain JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The type's own JSON.
    Plain,
    /// A list as one comma-separated string.
    Comma,
    /// URL-safe base64 (padded) of the value's JSON.
    Base64Json,
    /// The value's JSON as a string.
    JsonText,
    /// A number (or numeric id) as its decimal text.
    Text,
    /// An object as `{key:value,key:value}` text.
    BracedPairs,
    /// A timestamp as `yyyy-MM-dd HH:mm:ss` in China Standard Time.
    DateTime,
    /// A timestamp as Unix seconds.
    UnixSeconds,
    /// A timestamp as Unix milliseconds.
    UnixMillis,
}

impl Encoding {
    /// Every spec word and its encoding.
    pub const WORDS: &'static [(&'static str, Encoding)] = &[
        ("comma", Encoding::Comma),
        ("base64_json", Encoding::Base64Json),
        ("json_text", Encoding::JsonText),
        ("text", Encoding::Text),
        ("braced_pairs", Encoding::BracedPairs),
        ("datetime", Encoding::DateTime),
        ("unix_seconds", Encoding::UnixSeconds),
        ("unix_millis", Encoding::UnixMillis),
    ];

    /// The encoding a spec word names.
    pub fn from_word(word: &str) -> Option<Encoding> {
        Self::WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, e)| *e)
    }

    /// The runtime codec type (`crate::codec::<Name>`) implementing it.
    pub fn codec(self) -> Option<&'static str> {
        Some(match self {
            Encoding::Plain => return None,
            Encoding::Comma => "Comma",
            Encoding::Base64Json => "Base64Json",
            Encoding::JsonText => "JsonText",
            Encoding::Text => "Text",
            Encoding::BracedPairs => "BracedPairs",
            Encoding::DateTime => "DateTime",
            Encoding::UnixSeconds => "UnixSeconds",
            Encoding::UnixMillis => "UnixMillis",
        })
    }
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `String`.
    String,
    /// `i32`.
    Integer,
    /// `i64`.
    Long,
    /// `u32` (page numbers and sizes, counts).
    UInt,
    /// `u64` (byte sizes).
    ULong,
    /// `crate::Time`: an instant, or the raw text when it did not parse.
    Timestamp,
    /// A generated newtype id.
    Id(String, IdBase),
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// `Vec<T>`.
    List(Box<Type>),
    /// A generated struct.
    Object(String),
    /// A generated enum.
    Enum(String, EnumBase),
}

impl Type {
    /// Scalars and lists get the lenient deserializer; objects, enums and ids decode
    /// themselves (leniently), timestamps always through their encoding.
    pub fn is_lenient(&self) -> bool {
        !matches!(
            self,
            Type::Object(_) | Type::Enum(..) | Type::Id(..) | Type::Timestamp
        )
    }

    /// A generated enum or id type: decodes itself, leniently.
    pub fn is_enum_or_id(&self) -> bool {
        matches!(self, Type::Enum(..) | Type::Id(..))
    }

    /// Text-like: strings and string ids (lengths apply, blanks count as missing).
    pub fn is_text(&self) -> bool {
        matches!(self, Type::String | Type::Id(_, IdBase::String))
    }

    /// `Copy` in Rust, so generated code takes it without `.clone()`.
    pub fn is_copy(&self) -> bool {
        self.is_integral() || matches!(self, Type::Number | Type::Boolean)
    }

    /// Whole numbers, signed or not.
    pub fn is_integral(&self) -> bool {
        matches!(
            self,
            Type::Integer | Type::Long | Type::UInt | Type::ULong | Type::Id(_, IdBase::Long)
        )
    }
}

/// Numeric, length and size limits of a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// Inclusive minimum.
    pub min: Option<f64>,
    /// Inclusive maximum.
    pub max: Option<f64>,
    /// Minimum characters.
    pub min_length: Option<u64>,
    /// Maximum characters.
    pub max_length: Option<u64>,
    /// Minimum list entries.
    pub min_items: Option<u64>,
    /// Maximum list entries.
    pub max_items: Option<u64>,
}

/// A struct member.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// snake_case Rust name (a raw identifier when it is a keyword).
    pub ident: String,
    /// Doc, with limits and default spelled out.
    pub doc: String,
    /// Type.
    pub ty: Type,
    /// Not `Option`.
    pub required: bool,
    /// The service's default, as text.
    pub default: Option<String>,
    /// Other accepted wire names.
    pub aliases: Vec<String>,
    /// Text format checked before sending (`url`, `datetime`).
    pub format: Option<String>,
    /// How the value travels.
    pub encoding: Encoding,
    /// Limits.
    pub limits: Limits,
    /// The error code (name) answered when this request field fails its checks.
    pub error_code: Option<String>,
    /// Error codes (names) of particular rules the field breaks, by rule (`FIELD_RULES`).
    pub error_codes: BTreeMap<String, String>,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

/// Where data goes in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// An object.
    Object,
    /// An object, also accepted as a one-item list.
    SingleItemList,
    /// A string.
    String,
    /// Nothing.
    None,
}

/// An operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Wire name, e.g. `getVideoList`.
    pub wire: String,
    /// `get_video_list`.
    pub method_name: String,
    /// `GetVideoList`.
    pub type_name: String,
    /// HTTP method.
    pub method: Method,
    /// Path.
    pub path: String,
    /// True: query string; false: JSON body.
    pub query_body: bool,
    /// Doc.
    pub doc: String,
    /// Rate limit text.
    pub rate_limit: Option<String>,
    /// Retry-safe.
    pub retry_safe: bool,
    /// Also accepts a form-encoded body.
    pub form_body: bool,
    /// The error code (name) answered for a request that fails the spec's checks: the
    /// operation's own, else the service's.
    pub parameter_error: Option<String>,
    /// CLI words.
    pub cli_group: String,
    /// CLI words.
    pub cli_name: String,
    /// Item fields (wire names) a table of this paginated operation shows by default.
    pub cli_columns: Vec<String>,
    /// Request fields.
    pub request: Vec<Field>,
    /// Envelope is bare.
    pub bare: bool,
    /// Data kind.
    pub data: DataKind,
    /// Data object fields.
    pub response: Vec<Field>,
    /// Groups of optional request fields of which at least one must be given.
    pub at_least_one: Vec<Vec<Field>>,
    /// Paging.
    pub pagination: Option<Pagination>,
    /// Task following.
    pub waiter: Option<Waiter>,
    /// How a lost answer is resolved.
    pub outcome_check: Option<OutcomeCheck>,
}

impl Operation {
    /// `GetVideoListRequest`.
    pub fn request_type(&self) -> String {
        format!("{}Request", self.type_name)
    }
    /// `GetVideoListBuilder`.
    pub fn builder_type(&self) -> String {
        format!("{}Builder", self.type_name)
    }
    /// `GetVideoListOutput`.
    pub fn output_type(&self) -> String {
        format!("{}Output", self.type_name)
    }
}

/// Paging fields, resolved.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// Request field with the page number.
    pub page_index: Field,
    /// Request field with the page size.
    pub page_size: Field,
    /// Response field with the items.
    pub items: Field,
}

/// Where a waiter takes a query input from.
#[derive(Debug, Clone)]
pub struct WaiterInput {
    /// The query's field.
    pub target: Field,
    /// True: from this operation's request; false: from its response.
    pub from_request: bool,
    /// The source is a list and the task covers each item: one query per item.
    pub each: bool,
    /// The source field.
    pub source: Field,
}

/// One step of a state path.
#[derive(Debug, Clone)]
pub enum StateStep {
    /// A member.
    Field(Box<Field>),
    /// The first list entry.
    First,
}

/// How a task started by an operation is followed.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The query operation.
    pub query: Box<Operation>,
    /// How the query's fields are filled.
    pub inputs: Vec<WaiterInput>,
    /// Path to the state value in the query's output.
    pub state: Vec<StateStep>,
    /// Values meaning success.
    pub success: Vec<String>,
    /// Values meaning failure.
    pub failure: Vec<String>,
}

/// How a lost answer is resolved: the list searched and what identifies the result.
#[derive(Debug, Clone)]
pub struct OutcomeCheck {
    /// The paged list operation searched.
    pub query: Box<Operation>,
    /// Query field ← request field: how the list is narrowed.
    pub inputs: Vec<(Field, Field)>,
    /// Item field == request field: what identifies the result.
    pub find: Vec<(Field, Field)>,
    /// True: carried out when the item is found (a create); false: when it is absent.
    pub done_when_found: bool,
    /// Output field ← item field: the answer rebuilt from the found item.
    pub output: Vec<(Field, Field)>,
}

/// Rust keywords that cannot name anything, even as raw identifiers.
pub const FORBIDDEN_IDENTS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Rust keywords (strict and reserved, all editions).
pub const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// snake_case Rust name of a wire name; keywords become raw identifiers.
pub fn field_ident(wire: &str) -> String {
    let snake = wire.to_snake_case();
    if KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// Parses `list<T>` / scalar words / names into a type, given the known names.
pub fn resolve_type(text: &str, catalog: &Catalog) -> Option<Type> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("list<").and_then(|t| t.strip_suffix('>')) {
        return resolve_type(inner, catalog).map(|t| Type::List(Box::new(t)));
    }
    Some(match text {
        "string" => Type::String,
        "integer" => Type::Integer,
        "long" => Type::Long,
        "number" => Type::Number,
        "boolean" => Type::Boolean,
        "uint" => Type::UInt,
        "ulong" => Type::ULong,
        "timestamp" => Type::Timestamp,
        name => {
            if let Some(base) = catalog.ids.get(name) {
                Type::Id(name.to_string(), *base)
            } else if let Some(base) = catalog.enums.get(name) {
                Type::Enum(name.to_string(), *base)
            } else if catalog.objects.contains_key(name) {
                Type::Object(name.to_string())
            } else {
                return None;
            }
        }
    })
}

/// Every named type of the spec, for resolution.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Enum name → wire type.
    pub enums: BTreeMap<String, EnumBase>,
    /// Object name → its fields.
    pub objects: BTreeMap<String, Vec<FieldSpec>>,
    /// Id name → what it holds.
    pub ids: BTreeMap<String, IdBase>,
}

impl Catalog {
    /// Collects names from every file (first definition wins; duplicates are the validator's).
    pub fn of(spec: &LoadedSpec) -> Self {
        let mut catalog = Catalog::default();
        let service = &spec.service.spec;
        for (name, id) in &service.ids {
            let base = if id.base == "long" {
                IdBase::Long
            } else {
                IdBase::String
            };
            catalog.ids.insert(name.clone(), base);
        }
        let files = std::iter::once((&service.types, &service.enums))
            .chain(spec.groups.iter().map(|g| (&g.spec.types, &g.spec.enums)));
        for (types, enums) in files {
            for (name, e) in enums {
                let base = if e.base == "string" {
                    EnumBase::String
                } else {
                    EnumBase::Integer
                };
                catalog.enums.entry(name.clone()).or_insert(base);
            }
            for (name, o) in types {
                catalog
                    .objects
                    .entry(name.clone())
                    .or_insert_with(|| o.fields.clone());
            }
        }
        catalog
    }
}
