//! The emulator's side of the wire (`vod-client/emulator/src/generated/`): one route per
//! operation, with what the spec says about serving it: the path, whether it also takes a form
//! body or a query string (`form_body`), the error code of a request that fails the spec's
//! checks (`parameter_error`, and each field's own `error_code`), the typed request the
//! parameters decode into before the behaviour runs, and an example answer for operations whose
//! behaviour nobody wrote.
//!
//! Behaviour is a trait with one method per operation (`Operations`), each defaulting to the
//! example answer; the emulator implements the methods it emulates. A new operation in the YAML
//! is therefore routed, decoded, checked and answered after `cargo xtask codegen` alone.

use base64::Engine as _;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Value};

use super::{doc_attrs, ident};
use crate::ir::{Api, DataKind, Encoding, EnumBase, Field, IdBase, Object, Operation, Type};

/// The root of the emulator's generated module.
pub fn emit_root() -> TokenStream {
    quote! {
        #![doc = " Routes, request checks and example answers of every operation, generated from `api-spec/`."]
        mod routes;
        pub(crate) use routes::*;
    }
}

/// `routes.rs`.
pub fn emit(api: &Api) -> TokenStream {
    let ops: Vec<&Operation> = api.groups.iter().flat_map(|g| &g.operations).collect();
    let methods = ops.iter().map(|op| behaviour_method(op));
    let examples = ops.iter().map(|op| {
        let (name, text) = (example_const(op), example_answer(op, api));
        let doc = format!(" The spec's example answer of `{}`.", op.wire);
        quote! {
            #[doc = #doc]
            const #name: &str = #text;
        }
    });
    let example_checks = ops
        .iter()
        .filter(|op| matches!(op.data, DataKind::Object | DataKind::SingleItemList))
        .map(|op| {
            let (name, output) = (example_const(op), format_ident!("{}", op.output_type()));
            let wire = &op.wire;
            quote! { crate::handlers::example_decodes::<vod_client::model::#output>(#wire, #name); }
        });
    let routes = ops.iter().map(|op| route(op));
    quote! {
        #![doc = " One route per operation of the spec."]
        use vod_client::model::ErrorCode;

        use crate::errors::ApiError;
        use crate::handlers::{Ctx, Output};

        /// What each operation does: the typed request in, after the spec's checks passed; the
        /// typed output out, which the route encodes as the spec says (envelope and every wire
        /// encoding). Every method defaults to the spec's example answer (see
        /// [`crate::handlers::from_spec`]); the emulator overrides those it emulates.
        pub(crate) trait Operations {
            #(#methods)*
        }

        /// Every operation of the spec, as the emulator serves it.
        pub(crate) static ROUTES: &[crate::handlers::Route] = &[#(#routes),*];

        #(#examples)*

        #[cfg(test)]
        mod tests {
            use super::*;

            /// Each example is an answer the SDK reads into the operation's output type, so an
            /// operation nobody wrote behaviour for still answers something valid.
            #[test]
            fn every_example_answer_decodes_into_its_output_type() {
                #(#example_checks)*
            }
        }
    }
}

fn behaviour_method(op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let wire = &op.wire;
    let summary = op.doc.lines().next().unwrap_or("").trim();
    let doc = doc_attrs(&format!("`{wire}`: {summary}"));
    let example = example_const(op);
    let request = format_ident!("{}", op.request_type());
    quote! {
        #doc
        fn #method(
            ctx: &Ctx<'_>,
            request: vod_client::model::#request,
        ) -> Result<Output<vod_client::model::#request>, ApiError> {
            let _ = request;
            crate::handlers::from_spec(ctx, #wire, #example)
        }
    }
}

/// `EXAMPLE_GET_VIDEO_LIST`.
fn example_const(op: &Operation) -> proc_macro2::Ident {
    format_ident!("EXAMPLE_{}", op.method_name.to_uppercase())
}

fn route(op: &Operation) -> TokenStream {
    let (wire, path, form) = (&op.wire, &op.path, op.form_body || op.query_body);
    let method = ident(&op.method_name);
    let request = format_ident!("{}", op.request_type());
    let parameter_error =
        error_variant(op.parameter_error.as_deref().unwrap_or("invalidParameter"));
    let field_errors = op
        .request
        .iter()
        .filter(|f| f.error_code.is_some() || !f.error_codes.is_empty())
        .map(|f| {
            let code = |name: Option<&String>| match name {
                Some(name) => {
                    let variant = error_variant(name);
                    quote! { Some(ErrorCode::#variant) }
                }
                None => quote! { None },
            };
            let field = &f.wire;
            let whole = code(f.error_code.as_ref());
            let item = code(f.error_codes.get("item"));
            let rules = f
                .error_codes
                .iter()
                .filter(|(rule, _)| *rule != "item")
                .map(|(rule, name)| {
                    let (rule, code) = (error_variant(rule), error_variant(name));
                    quote! { (vod_client::Violation::#rule, ErrorCode::#code) }
                });
            quote! {
                crate::handlers::FieldErrors {
                    field: #field,
                    whole: #whole,
                    item: #item,
                    rules: &[#(#rules),*],
                }
            }
        });
    quote! {
        crate::handlers::Route {
            name: #wire,
            path: #path,
            form: #form,
            parameter_error: ErrorCode::#parameter_error,
            field_errors: &[#(#field_errors),*],
            serve: |ctx, params| {
                let behaviour = if ctx.shared.examples_only {
                    <crate::handlers::SpecExamples as Operations>::#method
                } else {
                    <crate::handlers::Emulated as Operations>::#method
                };
                crate::handlers::serve::<vod_client::model::#request>(ctx, params, behaviour)
            },
        }
    }
}

fn error_variant(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", heck::ToUpperCamelCase::to_upper_camel_case(name))
}

/// The whole answer body the example stands for, as JSON text: the envelope (unless bare)
/// around the data the spec describes.
fn example_answer(op: &Operation, api: &Api) -> String {
    let data = match op.data {
        DataKind::None => None,
        DataKind::String => Some(Value::String(String::new())),
        DataKind::Object | DataKind::SingleItemList => Some(example_object(&op.response, api, 0)),
    };
    let envelope = &api.service.envelope;
    let body = match (op.bare, data) {
        (true, data) => data.unwrap_or(Value::Null),
        (false, data) => {
            let mut map = serde_json::Map::new();
            map.insert(envelope.code.clone(), json!(envelope.success));
            map.insert(envelope.message.clone(), json!("answered from the spec"));
            if let Some(data) = data {
                map.insert(envelope.data.clone(), data);
            }
            Value::Object(map)
        }
    };
    body.to_string()
}

/// Nested types deeper than this are left out: the example only has to be valid, and a type
/// that (indirectly) holds itself must not recurse for ever.
const MAX_DEPTH: usize = 8;

/// An object of the required fields, each with its documented default or its type's zero.
fn example_object(fields: &[Field], api: &Api, depth: usize) -> Value {
    let mut map = serde_json::Map::new();
    for field in fields.iter().filter(|f| f.required) {
        map.insert(field.wire.clone(), example_field(field, api, depth));
    }
    Value::Object(map)
}

fn example_field(field: &Field, api: &Api, depth: usize) -> Value {
    let plain = match &field.default {
        Some(default) => default_value(default, &field.ty),
        None => example_value(&field.ty, api, depth),
    };
    encode(plain, field.encoding)
}

/// The value as it travels in the given encoding.
fn encode(plain: Value, encoding: Encoding) -> Value {
    match encoding {
        Encoding::Plain | Encoding::UnixSeconds | Encoding::UnixMillis => plain,
        Encoding::Comma => Value::String(match &plain {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        }),
        Encoding::Text => Value::String(match &plain {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        Encoding::JsonText => Value::String(plain.to_string()),
        Encoding::Base64Json => Value::String(
            base64::engine::general_purpose::URL_SAFE.encode(plain.to_string().as_bytes()),
        ),
        Encoding::BracedPairs => Value::String("{}".into()),
        Encoding::DateTime => Value::String("1970-01-01 08:00:00".into()),
    }
}

fn default_value(default: &str, ty: &Type) -> Value {
    match ty {
        Type::String | Type::Id(_, IdBase::String) | Type::Enum(_, EnumBase::String) => {
            Value::String(default.to_string())
        }
        _ => serde_json::from_str(default).unwrap_or_else(|_| Value::String(default.into())),
    }
}

fn example_value(ty: &Type, api: &Api, depth: usize) -> Value {
    match ty {
        Type::String | Type::Id(_, IdBase::String) => Value::String(String::new()),
        Type::Integer | Type::Long | Type::UInt | Type::ULong | Type::Id(_, IdBase::Long) => {
            json!(0)
        }
        Type::Timestamp => json!(0),
        Type::Number => json!(0.0),
        Type::Boolean => json!(false),
        Type::List(_) => json!([]),
        Type::Enum(name, base) => first_enum_value(name, *base, api),
        Type::Object(name) if depth < MAX_DEPTH => find_object(name, api)
            .map_or_else(|| json!({}), |o| example_object(&o.fields, api, depth + 1)),
        Type::Object(_) => json!({}),
    }
}

fn first_enum_value(name: &str, base: EnumBase, api: &Api) -> Value {
    let first = std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| &g.enums)
        .find(|e| e.name == name)
        .and_then(|e| e.values.first())
        .map(|v| v.wire.clone())
        .unwrap_or_default();
    match base {
        EnumBase::Integer => serde_json::from_str(&first).unwrap_or(json!(0)),
        EnumBase::String => Value::String(first),
    }
}

fn find_object<'a>(name: &str, api: &'a Api) -> Option<&'a Object> {
    std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| g.objects.iter().chain(&g.callbacks))
        .find(|o| o.name == name)
}
