//! Structs and enums: the data shapes of requests, responses and callbacks.

use proc_macro2::TokenStream;
use quote::quote;

use super::{compiled_where_used, doc_attrs, ident, rust_type};
use crate::ir::{Encoding, Enum, EnumBase, Field, IdBase, IdType, Object, Type};

/// A struct whose fields follow the spec's `required` flags.
pub fn emit_object(object: &Object) -> TokenStream {
    let name = ident(&object.name);
    let doc = doc_attrs(&object.doc);
    let fields = object.fields.iter().map(struct_field);
    let validate = object.in_request.then(|| validate_impl(object));
    let constructors = constructors(&name, &object.fields);
    let from_body = object.callback.as_ref().map(|(wire, enveloped)| {
        let doc = doc_attrs(&format!(
            "Decodes the body of a `{wire}` notification{}; errors name the field.",
            if *enveloped {
                " (the `data` of `{code, message, data}`, or the bare payload)"
            } else {
                ""
            }
        ));
        let lazy = compiled_where_used();
        quote! {
            impl #name {
                #doc
                #lazy
                pub fn from_body(body: &[u8]) -> Result<Self, crate::Error> {
                    crate::callback::decode(#wire, body, #enveloped)
                }
            }
        }
    });
    // A type used in neither direction keeps both derives, so its `#[serde]` field
    // attributes always have a derive to belong to.
    let unused = !object.in_request && !object.in_answer;
    let derives = serde_derives(object.in_request || unused, object.in_answer || unused);
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #constructors
        #validate
        #from_body
    }
}

/// The derives of a generated struct: `serialize` when requests send it, `deserialize` when
/// answers or callbacks bring it. The other direction is derived only with the crate's `serde`
/// feature (which the CLI and the emulator turn on): serde derives are a large share of the
/// crate's compile time, and most programs only ever send requests and read answers.
pub fn serde_derives(serialize: bool, deserialize: bool) -> TokenStream {
    let always = [
        serialize.then(|| quote! { serde::Serialize }),
        deserialize.then(|| quote! { serde::Deserialize }),
    ]
    .into_iter()
    .flatten();
    let gated = [
        (!serialize).then(|| quote! { serde::Serialize }),
        (!deserialize).then(|| quote! { serde::Deserialize }),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let gated = (!gated.is_empty()).then(|| {
        quote! { #[cfg_attr(feature = "serde", derive(#(#gated),*))] }
    });
    quote! {
        #[derive(Debug, Clone, PartialEq, #(#always),*)]
        #gated
    }
}

/// What a setter or required argument takes: `impl Into<..>` for text, ids and times, any
/// iterator for lists.
pub(crate) fn param_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String | Type::Id(..) | Type::Timestamp => {
            let ty = rust_type(ty);
            quote! { impl Into<#ty> }
        }
        Type::List(inner) if matches!(**inner, Type::String | Type::Id(..)) => {
            let inner = rust_type(inner);
            quote! { impl IntoIterator<Item = impl Into<#inner>> }
        }
        Type::List(inner) => {
            let inner = rust_type(inner);
            quote! { impl IntoIterator<Item = #inner> }
        }
        other => rust_type(other),
    }
}

/// The expression turning an argument of [`param_type`] into the field's type.
pub(crate) fn param_conversion(ty: &Type, value: TokenStream) -> TokenStream {
    match ty {
        Type::String | Type::Id(..) | Type::Timestamp => quote! { #value.into() },
        Type::List(inner) if matches!(**inner, Type::String | Type::Id(..)) => {
            quote! { #value.into_iter().map(Into::into).collect() }
        }
        Type::List(_) => quote! { #value.into_iter().collect() },
        _ => value,
    }
}

/// `name: name.into()` for a required member taken as an argument, `name: None` otherwise.
pub(crate) fn field_init(f: &Field) -> TokenStream {
    let name = ident(&f.ident);
    if !f.required {
        return quote! { #name: None };
    }
    let value = param_conversion(&f.ty, quote! { #name });
    if name == value.to_string() {
        quote! { #name }
    } else {
        quote! { #name: #value }
    }
}

/// `new(required members)` and a `with_<member>` per optional member, so callers (and their
/// unit tests) can build any value without JSON, although the struct is `#[non_exhaustive]`.
pub(crate) fn constructors(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let params = fields.iter().filter(|f| f.required).map(|f| {
        let name = ident(&f.ident);
        let ty = param_type(&f.ty);
        quote! { #name: #ty }
    });
    let inits = fields.iter().map(field_init);
    let withs = fields.iter().filter(|f| !f.required).map(|f| {
        let name = ident(&f.ident);
        let with = ident(&format!("with_{}", f.ident.trim_start_matches("r#")));
        let ty = param_type(&f.ty);
        let value = param_conversion(&f.ty, quote! { value });
        let doc = doc_attrs(&format!("Sets `{}`.", f.wire));
        quote! {
            #doc
            pub fn #with(mut self, value: #ty) -> Self {
                self.#name = Some(#value);
                self
            }
        }
    });
    let default = fields.iter().all(|f| !f.required).then(|| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        #default
        impl #name {
            /// A value with its required members; optional ones are unset (see the `with_` methods).
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
            #(#withs)*
        }
    }
}

/// One struct member with its serde attributes.
pub fn struct_field(field: &Field) -> TokenStream {
    let name = ident(&field.ident);
    let doc = doc_attrs(&field.doc);
    let ty = rust_type(&field.ty);
    let ty = if field.required {
        ty
    } else {
        quote! { Option<#ty> }
    };
    let serde = serde_attrs(field);
    quote! {
        #doc
        #serde
        pub #name: #ty,
    }
}

fn serde_attrs(field: &Field) -> TokenStream {
    let mut parts = Vec::new();
    let plain = field.ident.trim_start_matches("r#");
    if plain != field.wire {
        let wire = &field.wire;
        parts.push(quote! { rename = #wire });
    }
    for alias in &field.aliases {
        parts.push(quote! { alias = #alias });
    }
    if !field.required {
        parts.push(quote! { default });
        parts.push(quote! { skip_serializing_if = "Option::is_none" });
    }
    if let Some(codec) = field.encoding.codec() {
        let suffix = if field.required { "" } else { "_option" };
        let ser = format!("crate::codec::serialize{suffix}::<crate::codec::{codec}, _, _>");
        let de = format!("crate::codec::deserialize{suffix}::<crate::codec::{codec}, _, _>");
        parts.push(quote! { serialize_with = #ser });
        parts.push(quote! { deserialize_with = #de });
    } else if field.ty.is_lenient() || (!field.required && field.ty.is_enum_or_id()) {
        // An optional enum or id goes through the runtime's lenient `Option` too: inside an
        // answer, a value it refuses is left unset with a warning instead of failing the
        // whole answer (the runtime's `lenient` module).
        parts.push(quote! { deserialize_with = "crate::de::lenient" });
    }
    if parts.is_empty() {
        quote! {}
    } else {
        quote! { #[serde(#(#parts),*)] }
    }
}

/// `Validate` for object types sent in requests: their members' limits are checked too.
fn validate_impl(object: &Object) -> TokenStream {
    let name = ident(&object.name);
    let checks: Vec<TokenStream> = object.fields.iter().map(field_checks).collect();
    let v = if checks.iter().all(TokenStream::is_empty) {
        quote! { _v }
    } else {
        quote! { v }
    };
    let lazy = compiled_where_used();
    quote! {
        impl crate::validate::Validate for #name {
            #lazy
            fn validate_fields(&self, #v: &mut crate::validate::Validator) {
                #(#checks)*
            }
        }
    }
}

/// The validator calls that enforce one field's limits (nothing when it has none).
pub fn field_checks(field: &Field) -> TokenStream {
    let name = ident(&field.ident);
    let wire = &field.wire;
    let l = &field.limits;
    let required = field.required;
    let mut out = Vec::new();
    match &field.ty {
        Type::Id(_, IdBase::String) => {
            let value = if required {
                quote! { Some(self.#name.as_str()) }
            } else {
                quote! { self.#name.as_ref().map(|id| id.as_str()) }
            };
            if required && l.min_length.is_none() {
                out.push(quote! { v.required_text(#wire, self.#name.as_str()); });
            }
            if l.min_length.is_some() || l.max_length.is_some() {
                let (min, max) = (opt_usize(l.min_length), opt_usize(l.max_length));
                out.push(quote! { v.text_length(#wire, #value, #min, #max); });
            }
        }
        Type::Timestamp => {
            let value = if required {
                quote! { Some(&self.#name) }
            } else {
                quote! { self.#name.as_ref() }
            };
            out.push(quote! { v.time(#wire, #value); });
        }
        Type::UInt | Type::ULong if l.min.is_some() || l.max.is_some() => {
            let value = if required {
                quote! { Some(crate::validate::as_i64(self.#name)) }
            } else {
                quote! { self.#name.map(crate::validate::as_i64) }
            };
            let (min, max) = (opt_i64(l.min), opt_i64(l.max));
            out.push(quote! { v.int_range(#wire, #value, #min, #max); });
        }
        Type::String => {
            if l.min.is_some() || l.max.is_some() {
                let value = if required {
                    quote! { Some(self.#name.as_str()) }
                } else {
                    quote! { self.#name.as_deref() }
                };
                let (min, max) = (opt_f64(l.min), opt_f64(l.max));
                out.push(quote! { v.numeric_text_range(#wire, #value, #min, #max); });
            }
            if required && l.min_length.is_none() {
                out.push(quote! { v.required_text(#wire, &self.#name); });
            }
            if let Some(format) = &field.format {
                let kind = match format.as_str() {
                    "url" => quote! { Url },
                    "file_name" => quote! { FileName },
                    "dimensions" => quote! { Dimensions },
                    _ => quote! { DateTime },
                };
                let value = if required {
                    quote! { Some(self.#name.as_str()) }
                } else {
                    quote! { self.#name.as_deref() }
                };
                out.push(
                    quote! { v.text_format(#wire, #value, crate::validate::TextFormat::#kind); },
                );
            }
            if l.min_length.is_some() || l.max_length.is_some() {
                let value = if required {
                    quote! { Some(self.#name.as_str()) }
                } else {
                    quote! { self.#name.as_deref() }
                };
                let (min, max) = (opt_usize(l.min_length), opt_usize(l.max_length));
                out.push(quote! { v.text_length(#wire, #value, #min, #max); });
            }
        }
        Type::Integer | Type::Long if l.min.is_some() || l.max.is_some() => {
            let value = if required {
                quote! { Some(i64::from(self.#name)) }
            } else {
                quote! { self.#name.map(i64::from) }
            };
            let (min, max) = (opt_i64(l.min), opt_i64(l.max));
            out.push(quote! { v.int_range(#wire, #value, #min, #max); });
        }
        Type::Number if l.min.is_some() || l.max.is_some() => {
            let value = if required {
                quote! { Some(self.#name) }
            } else {
                quote! { self.#name }
            };
            let (min, max) = (opt_f64(l.min), opt_f64(l.max));
            out.push(quote! { v.number_range(#wire, #value, #min, #max); });
        }
        Type::Enum(..) if required => out.push(quote! { v.known_value(#wire, Some(&self.#name)); }),
        Type::Enum(..) => out.push(quote! { v.known_value(#wire, self.#name.as_ref()); }),
        Type::Object(_) if required => out.push(quote! { v.nested(#wire, &self.#name); }),
        Type::Object(_) => {
            out.push(quote! { if let Some(inner) = &self.#name { v.nested(#wire, inner); } });
        }
        Type::List(inner) => {
            let nested = matches!(**inner, Type::Object(_));
            let min_items = l
                .min_items
                .or((required && field.encoding == Encoding::Comma).then_some(1));
            if l.max_items.is_some() || min_items.is_some() {
                let (min, max) = (opt_usize(min_items), opt_usize(l.max_items));
                let count = if required {
                    quote! { Some(self.#name.len()) }
                } else {
                    quote! { self.#name.as_ref().map(Vec::len) }
                };
                out.push(quote! { v.item_count(#wire, #count, #min, #max); });
            }
            if field.encoding == Encoding::Comma && inner.is_text() {
                let items = if required {
                    quote! { Some(self.#name.as_slice()) }
                } else {
                    quote! { self.#name.as_deref() }
                };
                out.push(quote! { v.comma_items(#wire, #items); });
            }
            if nested && required {
                out.push(quote! { v.nested_list(#wire, &self.#name); });
            } else if nested {
                out.push(
                    quote! { if let Some(items) = &self.#name { v.nested_list(#wire, items); } },
                );
            }
        }
        _ => {}
    }
    quote! { #(#out)* }
}

fn opt_usize(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote! { Some(#n) }
        }
        None => quote! { None },
    }
}

fn opt_i64(v: Option<f64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = proc_macro2::Literal::i64_unsuffixed(n as i64);
            quote! { Some(#n) }
        }
        None => quote! { None },
    }
}

fn opt_f64(v: Option<f64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = proc_macro2::Literal::f64_unsuffixed(n);
            quote! { Some(#n) }
        }
        None => quote! { None },
    }
}

/// An enum through the runtime's `wire_enum!`, which adds `Unknown(..)` and the serde impls.
pub fn emit_enum(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(&e.doc);
    let variants = e.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let doc = doc_attrs(&v.doc);
        let name = &v.name;
        let value = match e.base {
            EnumBase::Integer => {
                let n: i64 = v.wire.parse().unwrap_or_default();
                let lit = proc_macro2::Literal::i64_unsuffixed(n);
                quote! { #lit }
            }
            EnumBase::String => {
                let s = &v.wire;
                quote! { #s }
            }
        };
        quote! { #doc #[name = #name] #variant = #value, }
    });
    let base = match e.base {
        EnumBase::Integer => "i64",
        EnumBase::String => "String",
    };
    // prettyplease prints macro bodies as flat token runs; the enum is emitted as a plain
    // item marked for `super::wrap_wire_enums`, which puts the formatted item in the macro.
    let marker = proc_macro2::Ident::new(super::WIRE_ENUM_MARKER, proc_macro2::Span::call_site());
    let base = proc_macro2::Ident::new(base, proc_macro2::Span::call_site());
    quote! {
        #doc
        #[#marker(#base)]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// A newtype id; its conversions and (lenient) serde come from the runtime's `wire_id!`.
pub fn emit_id(id: &IdType) -> TokenStream {
    let name = ident(&id.name);
    let doc = doc_attrs(&id.doc);
    let (inner, derives) = match id.base {
        IdBase::String => (quote! { String }, quote! { Default }),
        IdBase::Long => (quote! { i64 }, quote! { Copy, Default }),
    };
    let base = match id.base {
        IdBase::String => quote! { String },
        IdBase::Long => quote! { i64 },
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, #derives)]
        pub struct #name(#inner);
        crate::wire_id!(#name(#base));
    }
}
