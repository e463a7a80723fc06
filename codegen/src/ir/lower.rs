//! Lowering: from the validated spec model to the IR, resolving names and types.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

use super::*;
use crate::load::LoadedSpec;
use crate::spec::{self, FieldSpec, Scalar};

/// Lowers a validated spec.
pub fn lower(spec: &LoadedSpec) -> Api {
    let catalog = Catalog::of(spec);
    let all_ops: Vec<&spec::OperationSpec> = spec
        .groups
        .iter()
        .flat_map(|g| g.spec.operations.iter())
        .collect();
    let request_objects =
        reachable_objects(all_ops.iter().flat_map(|op| op.request.iter()), &catalog);
    let answer_objects = reachable_objects(
        all_ops
            .iter()
            .flat_map(|op| op.response.fields.iter())
            .chain(
                spec.groups
                    .iter()
                    .flat_map(|g| g.spec.callbacks.iter().flat_map(|c| c.fields.iter())),
            ),
        &catalog,
    );
    let usage = Usage {
        request: &request_objects,
        answer: &answer_objects,
    };
    let nested = CatalogFields::of(&catalog);
    let lower_group = |name: &str, doc: &str, file: &spec::GroupFile| Group {
        name: name.to_string(),
        module: name.to_snake_case(),
        doc: doc.to_string(),
        objects: file
            .types
            .iter()
            .map(|(n, o)| lower_object(n, &o.doc, &o.fields, &catalog, usage))
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
                let mut object = lower_object(&name, &c.doc, &c.fields, &catalog, usage);
                let enveloped = c.envelope.as_deref() == Some("standard");
                object.callback = Some((c.name.clone(), enveloped));
                object.in_answer = true;
                object
            })
            .collect(),
        ids: Vec::new(),
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
    let mut groups: Vec<Group> = spec
        .groups
        .iter()
        .map(|g| lower_group(&g.spec.group, &g.spec.doc, &g.spec))
        .collect();
    for op in groups.iter_mut().flat_map(|g| &mut g.operations) {
        if op.parameter_error.is_none() {
            op.parameter_error.clone_from(&s.parameter_error);
        }
    }
    Api {
        service: Service {
            name: s.name.clone(),
            doc: s.doc.clone(),
            default_endpoint: s.default_endpoint.clone(),
            request_id_headers: s.request_id_headers.clone(),
            envelope: s.envelope.clone(),
            auth_profiles: s.auth_profiles.clone(),
            error_codes,
            parameter_error: s.parameter_error.clone(),
            undescribed_operations: s.undescribed_operations.clone(),
        },
        shared: Group {
            ids: s
                .ids
                .iter()
                .map(|(name, id)| IdType {
                    name: name.clone(),
                    doc: id.doc.clone(),
                    base: catalog.ids.get(name).copied().unwrap_or(IdBase::String),
                })
                .collect(),
            ..lower_group("service", &s.doc, &shared_file)
        },
        groups,
    }
}

/// Which object types requests and answers reach (requests' get constraint checks; each
/// direction decides which serde derives an object needs).
#[derive(Clone, Copy)]
struct Usage<'a> {
    request: &'a [String],
    answer: &'a [String],
}

/// Names of the object types reachable from `fields`, through lists and nested objects.
fn reachable_objects<'a>(
    fields: impl Iterator<Item = &'a FieldSpec>,
    catalog: &Catalog,
) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut pending: Vec<String> = fields.map(|f| f.ty.clone()).collect();
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
    usage: Usage<'_>,
) -> Object {
    Object {
        name: name.to_string(),
        doc: doc.to_string(),
        fields: fields.iter().map(|f| lower_field(f, catalog)).collect(),
        in_request: usage.request.iter().any(|n| n == name),
        in_answer: usage.answer.iter().any(|n| n == name),
        callback: None,
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
                name: v.name.to_snake_case(),
                wire: v.value.wire_text(),
                doc: v.doc.clone(),
            })
            .collect(),
    }
}

/// How the docs say a value travels, so users know what the SDK converts for them.
fn encoding_note(encoding: Encoding) -> Option<&'static str> {
    Some(match encoding {
        Encoding::Plain => return None,
        Encoding::Comma => "Sent as one comma-separated string; items must not contain commas.",
        Encoding::Base64Json => "Sent as URL-safe base64 of its JSON; the SDK encodes it.",
        Encoding::JsonText => "Sent as JSON text; the SDK encodes it.",
        Encoding::Text => "Travels as decimal text; the SDK converts it.",
        Encoding::BracedPairs => "Sent as `{key:value,...}` text; the SDK encodes it.",
        Encoding::DateTime => {
            "Travels as `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8); the SDK converts it."
        }
        Encoding::UnixSeconds => "Travels as Unix seconds; the SDK converts it.",
        Encoding::UnixMillis => "Travels as Unix milliseconds; the SDK converts it.",
    })
}

/// Lowers one field; its doc gains the limits and default in words.
pub fn lower_field(f: &FieldSpec, catalog: &Catalog) -> Field {
    let limits = Limits {
        min: f.min,
        max: f.max,
        min_length: f.min_length,
        max_length: f.max_length,
        min_items: f.min_items,
        max_items: f.max_items,
    };
    let encoding = f
        .wire
        .as_deref()
        .and_then(Encoding::from_word)
        .unwrap_or(Encoding::Plain);
    let default = f.default.as_ref().map(Scalar::wire_text);
    Field {
        wire: f.name.clone(),
        ident: f
            .rust_name
            .as_deref()
            .map_or_else(|| field_ident(&f.name), field_ident),
        doc: field_doc(
            &f.doc,
            &limits,
            default.as_deref(),
            f.format.as_deref(),
            encoding,
        ),
        ty: resolve_type(&f.ty, catalog).unwrap_or(Type::String),
        required: f.required,
        default,
        aliases: f.aliases.clone(),
        format: f.format.clone(),
        encoding,
        limits,
        error_code: f.error_code.clone(),
        error_codes: f.error_codes.clone(),
    }
}

fn field_doc(
    doc: &str,
    limits: &Limits,
    default: Option<&str>,
    format: Option<&str>,
    encoding: Encoding,
) -> String {
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
    match (limits.min_items, limits.max_items) {
        (Some(lo), Some(hi)) => notes.push(format!("{lo} to {hi} entries.")),
        (Some(lo), None) => notes.push(format!("At least {lo} entries.")),
        (None, Some(hi)) => notes.push(format!("At most {hi} entries.")),
        (None, None) => {}
    }
    if let Some(d) = default {
        notes.push(format!("Service default: `{d}`."));
    }
    match format {
        Some("url") => notes.push("An http:// or https:// URL.".to_string()),
        Some("datetime") => notes.push("Format `yyyy-MM-dd HH:mm:ss`.".to_string()),
        Some("file_name") => notes.push("A file name with an extension, no `/`.".to_string()),
        Some("dimensions") => {
            notes.push("Format `WIDTHxHEIGHT` in pixels, e.g. `640x480`.".to_string())
        }
        _ => {}
    }
    if let Some(wire) = encoding_note(encoding) {
        notes.push(wire.to_string());
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
    let (cli_group, cli_name, cli_columns) = match &op.cli {
        Some(c) => (c.group.clone(), c.name.clone(), c.columns.clone()),
        None => (group.to_string(), op.name.to_kebab_case(), Vec::new()),
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
        form_body: op.form_body,
        parameter_error: op.parameter_error.clone(),
        cli_group,
        cli_name,
        cli_columns,
        request,
        bare: op.response.envelope == "bare",
        data,
        response,
        pagination,
        at_least_one: Vec::new(),
        waiter: None,
        outcome_check: None,
    };
    lowered.at_least_one = op
        .at_least_one
        .iter()
        .map(|group| {
            group
                .iter()
                .filter_map(|name| find(&lowered.request, name))
                .collect()
        })
        .collect();
    lowered.outcome_check = op.outcome_check.as_ref().and_then(|c| {
        let query_spec = all_ops.iter().find(|o| o.name == c.query)?;
        let query = lower_operation(query_spec, group, catalog, nested, &[]);
        super::outcome::lower_outcome_check(c, &lowered, query, nested)
    });
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
        let (each, source) = split_each(source);
        let (from_request, source_field) = split_source(source)?;
        let pool = if from_request {
            &op.request
        } else {
            &op.response
        };
        inputs.push(WaiterInput {
            target: query.request.iter().find(|f| &f.wire == target)?.clone(),
            from_request,
            each,
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

/// `each request.xs` → (true, "request.xs"): the task covers every item of a list, one query
/// per item; anything else → (false, unchanged).
pub fn split_each(source: &str) -> (bool, &str) {
    match source.trim().strip_prefix("each ") {
        Some(rest) => (true, rest.trim()),
        None => (false, source.trim()),
    }
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
