//! `commands.rs`: the command table of the `vod` binary, one entry per operation, as plain data.
//! The binary builds its clap commands from it, so a new operation needs no hand-written code.
//! `mod.rs` is the root of the command line's `generated` module.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Encoding, Enum, Field, IdBase, Object, Operation, Type};

/// The root of the command line's generated module.
pub fn emit_root() -> TokenStream {
    quote! {
        #![doc = " The `vod` command table and calling operations by name, generated from `api-spec/`."]
        mod commands;
        pub use commands::*;
        mod invoke;
        pub use invoke::*;
    }
}

/// The command-table module.
pub fn emit(api: &Api) -> TokenStream {
    let enums: Vec<&Enum> = std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| &g.enums)
        .collect();
    let objects: Vec<&Object> = std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| &g.objects)
        .collect();
    let mut ops: Vec<&Operation> = api.groups.iter().flat_map(|g| &g.operations).collect();
    ops.sort_by(|a, b| (&a.cli_group, &a.cli_name).cmp(&(&b.cli_group, &b.cli_name)));
    let commands = ops.iter().map(|op| command(op, &enums, &objects));
    let paged = ops.iter().filter(|op| op.pagination.is_some()).map(|op| {
        let (wire, request) = (&op.wire, super::ident(&op.request_type()));
        quote! { #wire => Some(crate::paging::items_json::<vod_client::model::#request>(client, input)), }
    });
    let tasks = ops.iter().filter(|op| op.waiter.is_some()).map(|op| {
        let (wire, request) = (&op.wire, super::ident(&op.request_type()));
        quote! {
            #wire => Some(crate::paging::wait_json::<vod_client::model::#request>(client, input, options, progress)),
        }
    });
    let follow = ops.iter().filter(|op| !wait_args(op).is_empty()).map(|op| {
        let (wire, request) = (&op.wire, super::ident(&op.request_type()));
        quote! {
            #wire => Some(crate::paging::follow_json::<vod_client::model::#request>(client, input, options, progress)),
        }
    });
    quote! {
        #![doc = " The `vod` command table, sorted by group and name."]
        use crate::table::{AnswerField, AnswerKind, ArgKind, ArgSpec, CommandSpec, TimeWire};

        /// One command per operation of the API.
        pub static COMMANDS: &[CommandSpec] = &[#(#commands),*];

        /// `--all-pages`: every entry of every page of the paginated operation `operation`,
        /// as JSON; `None` when it is not paginated.
        #[allow(unused_variables)]
        pub fn invoke_items<'a>(
            client: &'a vod_client::Client,
            operation: &str,
            input: serde_json::Value,
        ) -> Option<crate::paging::JsonStream<'a>> {
            match operation {
                #(#paged)*
                _ => None,
            }
        }

        /// `--wait`: starts the task of `operation` and answers its final state as JSON
        /// (`None` when the operation starts no task).
        #[allow(unused_variables)]
        pub fn invoke_and_wait<'a>(
            client: &'a vod_client::Client,
            operation: &str,
            input: serde_json::Value,
            options: vod_client::WaitOptions,
            progress: crate::paging::Progress<'a>,
        ) -> Option<crate::paging::JsonFuture<'a>> {
            match operation {
                #(#tasks)*
                _ => None,
            }
        }

        /// `wait-<name>`: follows a task of `operation` started earlier, from the request
        /// alone, without starting anything (`None` when its state cannot be found from the
        /// request).
        #[allow(unused_variables)]
        pub fn invoke_follow<'a>(
            client: &'a vod_client::Client,
            operation: &str,
            input: serde_json::Value,
            options: vod_client::WaitOptions,
            progress: crate::paging::Progress<'a>,
        ) -> Option<crate::paging::JsonFuture<'a>> {
            match operation {
                #(#follow)*
                _ => None,
            }
        }
    }
}

fn command(op: &Operation, enums: &[&Enum], objects: &[&Object]) -> TokenStream {
    let (group, name, wire) = (&op.cli_group, &op.cli_name, &op.wire);
    let about = op.doc.lines().next().unwrap_or("").trim();
    let mut long_about = op.doc.clone();
    long_about.push_str(&format!("\n\nOperation `{}`.", op.wire));
    if let Some(limit) = &op.rate_limit {
        long_about.push_str(&format!(" Rate limit {limit}."));
    }
    let args = op.request.iter().map(|f| arg(f, enums));
    // Operations that are not safe to repeat are exactly those that change something.
    let mutation = !op.retry_safe;
    let (paginated, waitable) = (op.pagination.is_some(), op.waiter.is_some());
    let columns = &op.cli_columns;
    let mut answer = Vec::new();
    answer_fields(&op.response, "", enums, objects, 0, &mut answer);
    let (items, page_index, page_size) = match &op.pagination {
        Some(p) => {
            let (items, index, size) = (&p.items.wire, &p.page_index.wire, &p.page_size.wire);
            (
                quote! { Some(#items) },
                quote! { Some(#index) },
                quote! { Some(#size) },
            )
        }
        None => (quote! { None }, quote! { None }, quote! { None }),
    };
    let wait_query = match &op.waiter {
        Some(w) => {
            let wire = &w.query.wire;
            quote! { Some(#wire) }
        }
        None => quote! { None },
    };
    let wait_args = wait_args(op);
    quote! {
        CommandSpec {
            group: #group,
            name: #name,
            operation: #wire,
            about: #about,
            long_about: #long_about,
            mutation: #mutation,
            paginated: #paginated,
            waitable: #waitable,
            columns: &[#(#columns),*],
            args: &[#(#args),*],
            items: #items,
            page_index: #page_index,
            page_size: #page_size,
            wait_query: #wait_query,
            wait_args: &[#(#wait_args),*],
            answer: &[#(#answer),*],
        }
    }
}

/// The request fields a task's state queries are built from, when they are all in the
/// request and make a whole request on their own (every required field is one of them), so a
/// task started earlier can be followed from them alone; empty otherwise.
fn wait_args(op: &Operation) -> Vec<String> {
    let Some(w) = &op.waiter else {
        return Vec::new();
    };
    let sources: Vec<String> = w.inputs.iter().map(|i| i.source.wire.clone()).collect();
    let from_request = !w.inputs.is_empty() && w.inputs.iter().all(|i| i.from_request);
    let whole = op
        .request
        .iter()
        .filter(|f| f.required)
        .all(|f| sources.contains(&f.wire));
    if from_request && whole {
        sources
    } else {
        Vec::new()
    }
}

/// How a time travels, as the command table spells it; `None` for other encodings.
fn time_wire(encoding: Encoding) -> Option<TokenStream> {
    match encoding {
        Encoding::DateTime => Some(quote! { TimeWire::Text }),
        Encoding::UnixSeconds => Some(quote! { TimeWire::Seconds }),
        Encoding::UnixMillis => Some(quote! { TimeWire::Millis }),
        _ => None,
    }
}

/// The (wire value, meaning) pairs and kebab-case names of enum `name`.
fn enum_entries(name: &str, enums: &[&Enum]) -> (Vec<TokenStream>, Vec<String>) {
    let Some(e) = enums.iter().find(|e| e.name == name) else {
        return (Vec::new(), Vec::new());
    };
    let values = e
        .values
        .iter()
        .map(|v| {
            let (w, d) = (&v.wire, v.doc.trim());
            quote! { (#w, #d) }
        })
        .collect();
    let names = e
        .values
        .iter()
        .map(|v| heck::ToKebabCase::to_kebab_case(v.variant.as_str()))
        .collect();
    (values, names)
}

/// The answer's members the command line re-types for people and `--typed`: enums, times and
/// numbers, as dotted paths of wire names from the operation's data (`videoListInfo.videoState`;
/// a list on the way is walked entry by entry). Nested objects are followed a few levels deep.
fn answer_fields(
    fields: &[Field],
    prefix: &str,
    enums: &[&Enum],
    objects: &[&Object],
    depth: usize,
    out: &mut Vec<TokenStream>,
) {
    for field in fields {
        let path = format!("{prefix}{}", field.wire);
        let mut ty = &field.ty;
        while let Type::List(inner) = ty {
            ty = inner;
        }
        let kind = match ty {
            Type::Enum(name, _) => {
                let (values, names) = enum_entries(name, enums);
                quote! { AnswerKind::Enum { values: &[#(#values),*], names: &[#(#names),*] } }
            }
            Type::Timestamp => match time_wire(field.encoding) {
                Some(wire) => quote! { AnswerKind::Time(#wire) },
                None => continue,
            },
            Type::Integer | Type::Long | Type::UInt | Type::ULong | Type::Number => {
                quote! { AnswerKind::Number }
            }
            Type::Object(name) if depth < 4 && field.encoding == Encoding::Plain => {
                if let Some(object) = objects.iter().find(|o| &o.name == name) {
                    answer_fields(
                        &object.fields,
                        &format!("{path}."),
                        enums,
                        objects,
                        depth + 1,
                        out,
                    );
                }
                continue;
            }
            _ => continue,
        };
        out.push(quote! { AnswerField { path: #path, kind: #kind } });
    }
}

fn arg(field: &Field, enums: &[&Enum]) -> TokenStream {
    let flag = heck::ToKebabCase::to_kebab_case(field.wire.as_str());
    let wire = &field.wire;
    let (list, base) = match &field.ty {
        Type::List(_) if field.encoding != Encoding::Comma && field.encoding != Encoding::Plain => {
            (false, &field.ty)
        }
        Type::List(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    let kind = match base {
        _ if matches!(
            field.encoding,
            Encoding::Base64Json | Encoding::JsonText | Encoding::BracedPairs
        ) =>
        {
            quote! { ArgKind::Json }
        }
        Type::Timestamp => match time_wire(field.encoding) {
            Some(wire) => quote! { ArgKind::Time(#wire) },
            None => quote! { ArgKind::Long },
        },
        Type::UInt | Type::ULong => quote! { ArgKind::Long },
        Type::Id(_, IdBase::Long) => quote! { ArgKind::Long },
        Type::Id(_, IdBase::String) => quote! { ArgKind::String },
        Type::String => quote! { ArgKind::String },
        Type::Integer => quote! { ArgKind::Integer },
        Type::Long => quote! { ArgKind::Long },
        Type::Number => quote! { ArgKind::Number },
        Type::Boolean => quote! { ArgKind::Boolean },
        Type::Object(_) => quote! { ArgKind::Json },
        Type::Enum(_, crate::ir::EnumBase::Integer) => quote! { ArgKind::Long },
        Type::Enum(_, crate::ir::EnumBase::String) => quote! { ArgKind::String },
        Type::List(_) => quote! { ArgKind::Json },
    };
    let (values, names) = match base {
        Type::Enum(name, _) => enum_entries(name, enums),
        _ => (Vec::new(), Vec::new()),
    };
    let required = field.required;
    let comma = field.encoding == Encoding::Comma;
    let help = field.doc.trim();
    let default = match &field.default {
        Some(d) => quote! { Some(#d) },
        None => quote! { None },
    };
    quote! {
        ArgSpec {
            flag: #flag,
            wire: #wire,
            kind: #kind,
            list: #list,
            comma: #comma,
            required: #required,
            help: #help,
            default: #default,
            values: &[#(#values),*],
            names: &[#(#names),*],
        }
    }
}
