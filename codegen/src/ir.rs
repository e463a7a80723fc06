//! The intermediate representation: the spec with every name resolved to its Rust form and
//! every type reference resolved, so emitters only print.
//!
//! [`lower`] runs after validation succeeded; it still never panics on odd input (an
//! unresolvable type lowers to `String`), because the validator is the one place that reports.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

use crate::load::LoadedSpec;
use crate::spec::{self, FieldSpec, Scalar};

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
    /// Wire value as text.
    pub wire: String,
    /// Doc.
    pub doc: String,
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
    /// Scalars and lists get the lenient deserializer; objects and enums decode themselves.
    pub fn is_lenient(&self) -> bool {
        !matches!(self, Type::Object(_) | Type::Enum(..))
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
    /// Limits.
    pub limits: Limits,
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
    /// CLI words.
    pub cli_group: String,
    /// CLI words.
    pub cli_name: String,
    /// Request fields.
    pub request: Vec<Field>,
    /// Envelope is bare.
    pub bare: bool,
    /// Data kind.
    pub data: DataKind,
    /// Data object fields.
    pub response: Vec<Field>,
    /// Paging.
    pub pagination: Option<Pagination>,
    /// Task following.
    pub waiter: Option<Waiter>,
}

impl Operation {
    /// `GetVideoListRequest`.
    pub fn request_type(&self) -> String {
        format!("{}Request", self.type_name)
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
        name => {
            if let Some(base) = catalog.enums.get(name) {
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
}

impl Catalog {
    /// Collects names from every file (first definition wins; duplicates are the validator's).
    pub fn of(spec: &LoadedSpec) -> Self {
        let mut catalog = Catalog::default();
        let service = &spec.service.spec;
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

/// Lowers a validated spec.
pub fn lower(spec: &LoadedSpec) -> Api {
    let catalog = Catalog::of(spec);
    let all_ops: Vec<&spec::OperationSpec> = spec
        .groups
        .iter()
        .flat_map(|g| g.spec.operations.iter())
        .collect();
    let request_objects = objects_in_requests(&all_ops, &catalog);
    let nested = CatalogFields::of(&catalog);
    let lower_group = |name: &str, doc: &str, file: &spec::GroupFile| Group {
        name: name.to_string(),
        module: name.to_snake_case(),
        doc: doc.to_string(),
        objects: file
            .types
            .iter()
            .map(|(n, o)| lower_object(n, &o.doc, &o.fields, &catalog, &request_objects))
            .collect(),
        enums: file.enums.iter().map(|(n, e)| lower_enum(n, e)).collect(),
        operations: file
            .operations
            .iter()
            .map(|op| lower_operation(op, name, &catalog, &nested, &all_ops))
            .collect(),
        callbacks: file
            .callbacks
            .iter()
            .map(|c| {
                let name = c.name.to_upper_camel_case();
                lower_object(&name, &c.doc, &c.fields, &catalog, &request_objects)
            })
            .collect(),
    };
    let s = &spec.service.spec;
    let shared_file = spec::GroupFile {
        group: "service".into(),
        doc: s.doc.clone(),
        types: s.types.clone(),
        enums: s.enums.clone(),
        operations: Vec::new(),
        callbacks: Vec::new(),
    };
    let mut error_codes = s.error_codes.clone();
    error_codes.sort_by_key(|e| e.code);
    Api {
        service: Service {
            name: s.name.clone(),
            doc: s.doc.clone(),
            default_endpoint: s.default_endpoint.clone(),
            request_id_headers: s.request_id_headers.clone(),
            envelope: s.envelope.clone(),
            auth_profiles: s.auth_profiles.clone(),
            error_codes,
        },
        shared: lower_group("service", &s.doc, &shared_file),
        groups: spec
            .groups
            .iter()
            .map(|g| lower_group(&g.spec.group, &g.spec.doc, &g.spec))
            .collect(),
    }
}

/// Names of object types reachable from any request, so they get constraint checks.
fn objects_in_requests(ops: &[&spec::OperationSpec], catalog: &Catalog) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut pending: Vec<String> = ops
        .iter()
        .flat_map(|op| op.request.iter().map(|f| f.ty.clone()))
        .collect();
    while let Some(ty) = pending.pop() {
        let Some(Type::Object(name)) = resolve_type(&ty, catalog).map(innermost) else {
            continue;
        };
        if found.contains(&name) {
            continue;
        }
        if let Some(fields) = catalog.objects.get(&name) {
            pending.extend(fields.iter().map(|f| f.ty.clone()));
        }
        found.push(name);
    }
    found
}

fn innermost(ty: Type) -> Type {
    match ty {
        Type::List(inner) => innermost(*inner),
        other => other,
    }
}

fn lower_object(
    name: &str,
    doc: &str,
    fields: &[FieldSpec],
    catalog: &Catalog,
    request_objects: &[String],
) -> Object {
    Object {
        name: name.to_string(),
        doc: doc.to_string(),
        fields: fields.iter().map(|f| lower_field(f, catalog)).collect(),
        in_request: request_objects.iter().any(|n| n == name),
    }
}

fn lower_enum(name: &str, e: &spec::EnumSpec) -> Enum {
    Enum {
        name: name.to_string(),
        doc: e.doc.clone(),
        base: if e.base == "string" {
            EnumBase::String
        } else {
            EnumBase::Integer
        },
        values: e
            .values
            .iter()
            .map(|v| EnumValue {
                variant: v.name.to_upper_camel_case(),
                wire: v.value.wire_text(),
                doc: v.doc.clone(),
            })
            .collect(),
    }
}

/// Lowers one field; its doc gains the limits and default in words.
pub fn lower_field(f: &FieldSpec, catalog: &Catalog) -> Field {
    let limits = Limits {
        min: f.min,
        max: f.max,
        min_length: f.min_length,
        max_length: f.max_length,
        max_items: f.max_items,
    };
    let default = f.default.as_ref().map(Scalar::wire_text);
    Field {
        wire: f.name.clone(),
        ident: field_ident(&f.name),
        doc: field_doc(&f.doc, &limits, default.as_deref()),
        ty: resolve_type(&f.ty, catalog).unwrap_or(Type::String),
        required: f.required,
        default,
        limits,
    }
}

fn field_doc(doc: &str, limits: &Limits, default: Option<&str>) -> String {
    let mut notes = Vec::new();
    match (limits.min, limits.max) {
        (Some(lo), Some(hi)) => notes.push(format!("Range {lo}..={hi}.")),
        (Some(lo), None) => notes.push(format!("At least {lo}.")),
        (None, Some(hi)) => notes.push(format!("At most {hi}.")),
        (None, None) => {}
    }
    match (limits.min_length, limits.max_length) {
        (Some(lo), Some(hi)) => notes.push(format!("{lo} to {hi} characters.")),
        (Some(lo), None) => notes.push(format!("At least {lo} character(s).")),
        (None, Some(hi)) => notes.push(format!("At most {hi} characters.")),
        (None, None) => {}
    }
    if let Some(n) = limits.max_items {
        notes.push(format!("At most {n} entries."));
    }
    if let Some(d) = default {
        notes.push(format!("Service default: `{d}`."));
    }
    let doc = doc.trim();
    if notes.is_empty() {
        doc.to_string()
    } else {
        format!("{doc}\n\n{}", notes.join(" "))
    }
}

fn lower_operation(
    op: &spec::OperationSpec,
    group: &str,
    catalog: &Catalog,
    nested: &CatalogFields,
    all_ops: &[&spec::OperationSpec],
) -> Operation {
    let request: Vec<Field> = op.request.iter().map(|f| lower_field(f, catalog)).collect();
    let response: Vec<Field> = op
        .response
        .fields
        .iter()
        .map(|f| lower_field(f, catalog))
        .collect();
    let find = |fields: &[Field], wire: &str| fields.iter().find(|f| f.wire == wire).cloned();
    let pagination = op.pagination.as_ref().and_then(|p| {
        Some(Pagination {
            page_index: find(&request, &p.page_index)?,
            page_size: find(&request, &p.page_size)?,
            items: find(&response, &p.items)?,
        })
    });
    let (cli_group, cli_name) = match &op.cli {
        Some(c) => (c.group.clone(), c.name.clone()),
        None => (group.to_string(), op.name.to_kebab_case()),
    };
    let data = match (op.response.data.as_str(), op.response.single_item_list) {
        ("object", true) => DataKind::SingleItemList,
        ("object", false) => DataKind::Object,
        ("string", _) => DataKind::String,
        _ => DataKind::None,
    };
    let mut lowered = Operation {
        wire: op.name.clone(),
        method_name: op.name.to_snake_case(),
        type_name: op.name.to_upper_camel_case(),
        method: if op.method == "GET" {
            Method::Get
        } else {
            Method::Post
        },
        path: op.path.clone(),
        query_body: op.body == "query",
        doc: op.doc.trim().to_string(),
        rate_limit: op.rate_limit.clone(),
        retry_safe: op.retry_safe,
        cli_group,
        cli_name,
        request,
        bare: op.response.envelope == "bare",
        data,
        response,
        pagination,
        waiter: None,
    };
    lowered.waiter = op.waiter.as_ref().and_then(|w| {
        let query_spec = all_ops.iter().find(|o| o.name == w.query)?;
        let query = lower_operation(query_spec, group, catalog, nested, &[]);
        lower_waiter(w, &lowered, query, nested)
    });
    lowered
}

fn lower_waiter(
    w: &spec::WaiterSpec,
    op: &Operation,
    query: Operation,
    nested: &CatalogFields,
) -> Option<Waiter> {
    let mut inputs = Vec::new();
    for (target, source) in &w.input {
        let (from_request, source_field) = split_source(source)?;
        let pool = if from_request {
            &op.request
        } else {
            &op.response
        };
        inputs.push(WaiterInput {
            target: query.request.iter().find(|f| &f.wire == target)?.clone(),
            from_request,
            source: pool.iter().find(|f| f.wire == source_field)?.clone(),
        });
    }
    let state = state_steps(&w.state, &query.response, nested)?;
    Some(Waiter {
        state,
        inputs,
        success: w.success.iter().map(Scalar::wire_text).collect(),
        failure: w.failure.iter().map(Scalar::wire_text).collect(),
        query: Box::new(query),
    })
}

/// `request.x` → (true, "x"); `response.x` → (false, "x").
pub fn split_source(source: &str) -> Option<(bool, &str)> {
    if let Some(f) = source.strip_prefix("request.") {
        Some((true, f))
    } else {
        source.strip_prefix("response.").map(|f| (false, f))
    }
}

/// Object fields by type name, for walking state paths into nested objects.
#[derive(Debug, Clone, Default)]
pub struct CatalogFields(pub BTreeMap<String, Vec<Field>>);

impl CatalogFields {
    /// Lowers every object type's fields once.
    pub fn of(catalog: &Catalog) -> Self {
        CatalogFields(
            catalog
                .objects
                .iter()
                .map(|(name, fields)| {
                    let lowered = fields.iter().map(|f| lower_field(f, catalog)).collect();
                    (name.clone(), lowered)
                })
                .collect(),
        )
    }
}

/// Parses `a[0].b` against the query output's fields.
pub fn state_steps(path: &str, top: &[Field], nested: &CatalogFields) -> Option<Vec<StateStep>> {
    let mut steps = Vec::new();
    let mut fields: Vec<Field> = top.to_vec();
    for segment in path.split('.') {
        let (name, first) = match segment.strip_suffix("[0]") {
            Some(n) => (n, true),
            None => (segment, false),
        };
        let field = fields.iter().find(|f| f.wire == name)?.clone();
        let mut ty = field.ty.clone();
        steps.push(StateStep::Field(Box::new(field)));
        if first {
            steps.push(StateStep::First);
            ty = match ty {
                Type::List(inner) => *inner,
                _ => return None,
            };
        }
        fields = match &ty {
            Type::Object(n) => nested.0.get(n).cloned().unwrap_or_default(),
            _ => Vec::new(),
        };
    }
    Some(steps)
}
