//! Per operation: the request and output types, the `Request` impl that names the operation
//! for the runtime's one send path, typed setters, the `Client` method, and — where the spec
//! says so — paging and task waiting.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{constructors, field_checks, param_conversion, param_type, struct_field};
use super::{compiled_where_used, doc_attrs, ident, rust_type};
use crate::ir::{DataKind, Field, Method, Operation, StateStep, Type};

/// Everything generated for one operation.
pub fn emit(op: &Operation) -> TokenStream {
    let request = request_struct(op);
    let output = output_struct(op);
    let request_impl = request_impl(op);
    let builder = builder(op);
    let client_method = client_method(op);
    let paginated = paginated_impl(op);
    let waitable = waitable_impl(op);
    quote! {
        #request
        #request_impl
        #builder
        #client_method
        #output
        #paginated
        #waitable
    }
}

fn request_struct(op: &Operation) -> TokenStream {
    let name = ident(&op.request_type());
    let doc = doc_attrs(&format!(
        "Parameters of `{}`: {}\n\nBuild it with [`crate::Client::{}`], or with [`{}::new`].",
        op.wire,
        first_line(&op.doc),
        op.method_name,
        op.request_type()
    ));
    let fields = op.request.iter().map(struct_field);
    let constructors = constructors(&name, &op.request);
    let derives = super::types::serde_derives(true, false);
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #constructors
    }
}

/// `video_id: impl Into<String>, seek_start: i32, ...` for the required fields, in spec order.
fn required_params(op: &Operation) -> Vec<TokenStream> {
    op.request
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            let name = ident(&f.ident);
            let ty = param_type(&f.ty);
            quote! { #name: #ty }
        })
        .collect()
}

fn output_struct(op: &Operation) -> TokenStream {
    if !matches!(op.data, DataKind::Object | DataKind::SingleItemList) {
        return quote! {};
    }
    let name = ident(&op.output_type());
    let doc = doc_attrs(&format!("What `{}` returns on success.", op.wire));
    let fields = op.response.iter().map(struct_field);
    let constructors = constructors(&name, &op.response);
    let derives = super::types::serde_derives(false, true);
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #constructors
    }
}

fn output_type(op: &Operation) -> TokenStream {
    match op.data {
        DataKind::Object | DataKind::SingleItemList => {
            let name = ident(&op.output_type());
            quote! { #name }
        }
        DataKind::String => quote! { String },
        DataKind::None => quote! { () },
    }
}

fn request_impl(op: &Operation) -> TokenStream {
    let name = ident(&op.request_type());
    let output = output_type(op);
    let wire = &op.wire;
    let path = &op.path;
    let method = match op.method {
        Method::Get => quote! { Get },
        Method::Post => quote! { Post },
    };
    let body = if op.query_body {
        quote! { Query }
    } else {
        quote! { Json }
    };
    let envelope = if op.bare {
        quote! { Bare }
    } else {
        quote! { Standard }
    };
    let data = match op.data {
        DataKind::Object => quote! { Object },
        DataKind::SingleItemList => quote! { SingleItemList },
        DataKind::String => quote! { String },
        DataKind::None => quote! { None },
    };
    let retry_safe = op.retry_safe;
    let lazy = compiled_where_used();
    let resolve = outcome_check(op);
    let checks = op.request.iter().map(field_checks);
    let groups = op.at_least_one.iter().map(|group| {
        let names = group.iter().map(|f| f.wire.as_str());
        let present = group.iter().map(presence);
        quote! { v.at_least_one(&[#(#names),*], &[#(#present),*]); }
    });
    quote! {
        impl crate::operation::Request for #name {
            type Output = #output;
            const OPERATION: &'static crate::operation::OperationSpec = &crate::operation::OperationSpec {
                name: #wire,
                method: crate::operation::HttpMethod::#method,
                path: #path,
                body: crate::operation::BodyKind::#body,
                envelope: crate::operation::Envelope::#envelope,
                data: crate::operation::DataKind::#data,
                retry_safe: #retry_safe,
            };
            #lazy
            fn validate(&self) -> Result<(), crate::Error> {
                #[allow(unused_mut)]
                let mut v = crate::validate::Validator::new(Self::OPERATION);
                #(#checks)*
                #(#groups)*
                v.finish()
            }
            #resolve
        }
    }
}

/// `resolve_ambiguous` from the spec's `outcome_check`: page through the list operation for
/// the item the request would have created (or removed).
fn outcome_check(op: &Operation) -> TokenStream {
    let Some(check) = &op.outcome_check else {
        return quote! {};
    };
    let query = ident(&check.query.request_type());
    let page_size = check.query.pagination.as_ref().map(|p| p.page_size.clone());
    let fields = check.query.request.iter().map(|target| {
        let name = ident(&target.ident);
        if let Some((_, source)) = check.inputs.iter().find(|(t, _)| t.wire == target.wire) {
            let value = if source.ty.is_copy() {
                let source = ident(&source.ident);
                quote! { self.#source }
            } else {
                let source = ident(&source.ident);
                quote! { self.#source.clone() }
            };
            return match (source_required(check, &target.wire), target.required) {
                (true, false) => quote! { #name: Some(#value) },
                _ => quote! { #name: #value },
            };
        }
        // The largest documented page keeps the search to as few calls as possible.
        let largest = page_size
            .as_ref()
            .filter(|p| p.wire == target.wire)
            .and_then(|p| p.limits.max);
        match largest {
            Some(max) => {
                let max = proc_macro2::Literal::u64_unsuffixed(max as u64);
                quote! { #name: Some(#max) }
            }
            None => quote! { #name: None },
        }
    });
    let matches = check.find.iter().map(|(item, source)| {
        let item = ident(&item.ident);
        let source = ident(&source.ident);
        quote! { item.#item == self.#source }
    });
    let (found, absent) = if check.done_when_found {
        let output = ident(&op.output_type());
        let members = op.response.iter().map(|f| {
            let name = ident(&f.ident);
            match check.output.iter().find(|(o, _)| o.wire == f.wire) {
                Some((_, item)) => {
                    let item = ident(&item.ident);
                    quote! { #name: item.#item }
                }
                None => quote! { #name: None },
            }
        });
        (
            quote! { crate::ambiguous::Resolution::Done(#output { #(#members),* }) },
            quote! { crate::ambiguous::Resolution::NotDone },
        )
    } else {
        (
            quote! { crate::ambiguous::Resolution::NotDone },
            quote! { crate::ambiguous::Resolution::Done(Default::default()) },
        )
    };
    let item = if check.done_when_found {
        quote! { item }
    } else {
        quote! { _ }
    };
    let doc = doc_attrs(&format!(
        "Looks the result up with `{}` when the answer was lost.",
        check.query.wire
    ));
    let lazy = compiled_where_used();
    quote! {
        #doc
        #lazy
        fn resolve_ambiguous<'a>(
            &'a self,
            client: &'a crate::Client,
        ) -> Option<crate::ambiguous::ResolveFuture<'a, Self::Output>> {
            Some(Box::pin(async move {
                let query = #query { #(#fields),* };
                let found = crate::ambiguous::find_item(client, query, |item| #(#matches)&&*).await?;
                Ok(match found {
                    Some(#item) => #found,
                    None => #absent,
                })
            }))
        }
    }
}

fn source_required(check: &crate::ir::OutcomeCheck, target: &str) -> bool {
    check
        .inputs
        .iter()
        .find(|(t, _)| t.wire == target)
        .is_some_and(|(_, s)| s.required)
}

/// Whether an optional field counts as given: text that is not blank, a flag that is true,
/// any other value that is set.
fn presence(field: &Field) -> TokenStream {
    let name = ident(&field.ident);
    match &field.ty {
        Type::String => quote! { self.#name.as_deref().is_some_and(|s| !s.trim().is_empty()) },
        Type::Id(_, crate::ir::IdBase::String) => {
            quote! { self.#name.as_ref().is_some_and(|id| !id.as_str().trim().is_empty()) }
        }
        Type::List(_) => quote! { self.#name.as_ref().is_some_and(|items| !items.is_empty()) },
        Type::Boolean => quote! { self.#name == Some(true) },
        _ => quote! { self.#name.is_some() },
    }
}

/// The operation's own builder type, generic over the mode (`crate::Async` by default): the
/// setters once for every mode, and per mode the ways to send, each a one-line delegation to
/// the runtime's generic [`RequestBuilder`](crate::RequestBuilder) it wraps. The blocking ones
/// are behind the `blocking` feature, so they cost nothing to compile without it.
fn builder(op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_type());
    let request = ident(&op.request_type());
    let output = output_type(op);
    let doc = doc_attrs(&format!(
        "A `{}` call being built: set optional parameters, then [`send`](Self::send) it.\n\n\
         Made by [`crate::Client::{}`] (and, in the blocking mode, by \
         `blocking::Client::{}`). It owns its client, so it (and the future `send` \
         returns) is `'static + Send`: store it, return it, or move it into `tokio::spawn`.",
        op.wire, op.method_name, op.method_name
    ));
    let setters = op.request.iter().filter(|f| !f.required).map(setter);
    let paginate = op.pagination.as_ref().map(|_| {
        quote! {
            /// Pages through all results, starting at this request's page index (default 1):
            /// `.into_paginator().items()` streams every entry of every page.
            pub fn into_paginator(self) -> crate::Paginator<#request> {
                self.inner.into_paginator()
            }
        }
    });
    let start = op.waiter.as_ref().map(|w| {
        let doc = doc_attrs(&format!(
            "Sends the request that starts the task; the returned [`crate::Task`] polls \
             `{}` until it ends (`.wait_until_done().await`).",
            w.query.wire
        ));
        quote! {
            #doc
            pub async fn start(self) -> Result<crate::Task<#request>, crate::Error> {
                self.inner.start().await
            }
        }
    });
    let blocking = blocking_builder(op);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #builder<M = crate::Async> {
            inner: crate::RequestBuilder<#request, M>,
        }
        impl<M> #builder<M> {
            #(#setters)*
            /// The request as built so far.
            pub fn request(&self) -> &#request {
                self.inner.request()
            }
            /// The request, for changing a field after the fact (required ones included).
            pub fn request_mut(&mut self) -> &mut #request {
                self.inner.request_mut()
            }
            /// Takes the request out (to store it, or send it later with [`crate::Client::send`]).
            pub fn into_request(self) -> #request {
                self.inner.into_request()
            }
        }
        impl #builder {
            /// Binds `request` to `client`.
            pub fn new(client: crate::Client, request: #request) -> Self {
                Self { inner: crate::RequestBuilder::new(client, request) }
            }
            /// Validates, sends and decodes; returns the operation's data.
            pub async fn send(self) -> Result<#output, crate::Error> {
                self.inner.send().await
            }
            /// Like [`send`](Self::send), keeping the envelope's code and message and the request id.
            pub async fn send_with_metadata(self) -> Result<crate::Response<#output>, crate::Error> {
                self.inner.send_with_metadata().await
            }
            #paginate
            #start
        }
        #blocking
        impl<M> From<#builder<M>> for crate::RequestBuilder<#request, M> {
            fn from(builder: #builder<M>) -> Self {
                builder.inner
            }
        }
        impl<M> From<crate::RequestBuilder<#request, M>> for #builder<M> {
            fn from(inner: crate::RequestBuilder<#request, M>) -> Self {
                Self { inner }
            }
        }
    }
}

/// The blocking mode's ways to send (feature `blocking`).
fn blocking_builder(op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_type());
    let request = ident(&op.request_type());
    let output = output_type(op);
    let paginate = op.pagination.as_ref().map(|_| {
        quote! {
            /// Pages through all results, starting at this request's page index (default 1):
            /// `.into_paginator().items()` iterates over every entry of every page.
            pub fn into_paginator(self) -> crate::blocking::Paginator<#request> {
                self.inner.into_paginator()
            }
        }
    });
    let start = op.waiter.as_ref().map(|w| {
        let doc = doc_attrs(&format!(
            "Sends the request that starts the task; the returned [`crate::blocking::Task`] \
             polls `{}` until it ends (`.wait_until_done()`).",
            w.query.wire
        ));
        quote! {
            #doc
            pub fn start(self) -> Result<crate::blocking::Task<#request>, crate::Error> {
                self.inner.start()
            }
        }
    });
    quote! {
        #[cfg(feature = "blocking")]
        impl #builder<crate::blocking::Blocking> {
            /// Validates, sends and decodes, blocking until the answer is there.
            pub fn send(self) -> Result<#output, crate::Error> {
                self.inner.send()
            }
            /// Like [`send`](Self::send), keeping the envelope's code and message and the request id.
            pub fn send_with_metadata(self) -> Result<crate::Response<#output>, crate::Error> {
                self.inner.send_with_metadata()
            }
            #paginate
            #start
        }
    }
}

fn setter(field: &Field) -> TokenStream {
    let name = ident(&field.ident);
    let doc = doc_attrs(&field.doc);
    let ty = param_type(&field.ty);
    let value = param_conversion(&field.ty, quote! { value });
    quote! {
        #doc
        pub fn #name(mut self, value: #ty) -> Self {
            self.inner.request_mut().#name = Some(#value);
            self
        }
    }
}

fn client_method(op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let request = ident(&op.request_type());
    let builder = ident(&op.builder_type());
    let params = required_params(op);
    let args = op
        .request
        .iter()
        .filter(|f| f.required)
        .map(|f| ident(&f.ident))
        .collect::<Vec<_>>();
    let verb = match op.method {
        Method::Get => "GET",
        Method::Post => "POST",
    };
    let mut doc = format!("{}\n\n`{verb} {}`", op.doc, op.path);
    if let Some(limit) = &op.rate_limit {
        doc.push_str(&format!(", rate limit {limit}"));
    }
    doc.push('.');
    if !op.retry_safe {
        doc.push_str(" Not retried automatically: it changes state.");
    }
    let required: Vec<String> = op
        .request
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            let meaning = f.doc.lines().next().unwrap_or_default().trim();
            format!(
                "- `{}` (`{}`): {meaning}",
                f.ident.trim_start_matches("r#"),
                f.wire
            )
        })
        .collect();
    if !required.is_empty() {
        doc.push_str(&format!(
            "\n\nRequired parameters:\n{}",
            required.join("\n")
        ));
    }
    if op.pagination.is_some() {
        doc.push_str("\n\nPages: `.into_paginator().items()` streams every entry of every page.");
    }
    if let Some(w) = &op.waiter {
        doc.push_str(&format!(
            "\n\nStarts a task: `.start().await?.wait_until_done().await?` polls `{}` until it ends.",
            w.query.wire
        ));
    }
    let blocking_doc = doc_attrs(&format!(
        "{}\n\nThe blocking form of [`crate::Client::{}`]: the same parameters and setters; \
         `send()` returns the result.",
        first_line(&op.doc),
        op.method_name
    ));
    let doc = doc_attrs(&doc);
    quote! {
        impl crate::Client {
            #doc
            pub fn #method(&self, #(#params),*) -> #builder {
                #builder::new(self.clone(), #request::new(#(#args),*))
            }
        }
        #[cfg(feature = "blocking")]
        impl crate::blocking::Client {
            #blocking_doc
            pub fn #method(&self, #(#params),*) -> #builder<crate::blocking::Blocking> {
                self.bind(#request::new(#(#args),*)).into()
            }
        }
    }
}

fn paginated_impl(op: &Operation) -> TokenStream {
    let Some(p) = &op.pagination else {
        return quote! {};
    };
    let request = ident(&op.request_type());
    let item = match &p.items.ty {
        Type::List(inner) => rust_type(inner),
        other => rust_type(other),
    };
    let items = ident(&p.items.ident);
    let default_size: i64 = p
        .page_size
        .default
        .as_deref()
        .and_then(|d| d.parse().ok())
        .unwrap_or(10);
    let default_size = proc_macro2::Literal::i64_unsuffixed(default_size);
    let (get_index, set_index) = page_number_access(&p.page_index);
    let (get_size, _) = page_number_access(&p.page_size);
    let take_items = if p.items.required {
        quote! { output.#items }
    } else {
        quote! { output.#items.unwrap_or_default() }
    };
    quote! {
        impl crate::operation::Paginated for #request {
            type Item = #item;
            const DEFAULT_PAGE_SIZE: i64 = #default_size;
            fn page_index(&self) -> Option<i64> {
                #get_index
            }
            fn set_page_index(&mut self, index: i64) {
                #set_index
            }
            fn page_size(&self) -> Option<i64> {
                #get_size
            }
            fn into_items(output: Self::Output) -> Vec<Self::Item> {
                #take_items
            }
        }
    }
}

fn waitable_impl(op: &Operation) -> TokenStream {
    let Some(w) = &op.waiter else {
        return quote! {};
    };
    let request = ident(&op.request_type());
    let query = ident(&w.query.request_type());
    let each = w.inputs.iter().find(|i| i.each);
    let fields = w.query.request.iter().map(|target| {
        let name = ident(&target.ident);
        let Some(input) = w.inputs.iter().find(|i| i.target.wire == target.wire) else {
            return quote! { #name: None };
        };
        if input.each {
            return if target.required {
                quote! { #name: item.clone() }
            } else {
                quote! { #name: Some(item.clone()) }
            };
        }
        let value = source_value(input);
        match (input.source.required, target.required) {
            (true, true) | (false, false) => quote! { #name: #value.clone() },
            (true, false) => quote! { #name: Some(#value.clone()) },
            (false, true) => quote! { #name: #value.clone().unwrap_or_default() },
        }
    });
    let plain_subject: Vec<TokenStream> = w
        .inputs
        .iter()
        .filter(|i| !i.each)
        .map(|input| {
            let wire = format!("{}=", input.target.wire);
            let value = source_value(input);
            if input.source.required {
                quote! { format!("{}{}", #wire, crate::wire::WireText::wire_text(&#value)) }
            } else {
                quote! {
                    format!("{}{}", #wire, #value.as_ref().map(crate::wire::WireText::wire_text).unwrap_or_default())
                }
            }
        })
        .collect();
    let body = match each {
        Some(input) => {
            let list = source_value(input);
            let items = if input.source.required {
                quote! { #list.iter() }
            } else {
                quote! { #list.iter().flatten() }
            };
            let wire = format!("{}=", input.target.wire);
            quote! {
                #items
                    .map(|item| {
                        let subject = format!("{}{}", #wire, crate::wire::WireText::wire_text(item));
                        (subject, #query { #(#fields),* })
                    })
                    .collect()
            }
        }
        None => quote! {
            let subject = [#(#plain_subject),*].join(" ");
            vec![(subject, #query { #(#fields),* })]
        },
    };
    let state = state_expr(&w.state);
    let success = &w.success;
    let failure = &w.failure;
    let uses_output = w.inputs.iter().any(|i| !i.from_request);
    let output_arg = if uses_output {
        quote! { output }
    } else {
        quote! { _output }
    };
    let lazy = compiled_where_used();
    quote! {
        impl crate::operation::Waitable for #request {
            type Query = #query;
            #lazy
            fn state_queries(&self, #output_arg: &Self::Output) -> Vec<(String, Self::Query)> {
                #body
            }
            #lazy
            fn task_state(output: &<Self::Query as crate::operation::Request>::Output) -> crate::operation::TaskState {
                let state = #state;
                crate::wait::classify(state, &[#(#success),*], &[#(#failure),*])
            }
        }
    }
}

/// `self.trans_no` or `output.task_id`: where a waiter input's value is read.
fn source_value(input: &crate::ir::WaiterInput) -> TokenStream {
    let source = ident(&input.source.ident);
    if input.from_request {
        quote! { self.#source }
    } else {
        quote! { output.#source }
    }
}

/// How a page field is read as `Option<i64>` and set from `index: i64`, for the field's type
/// (some list operations take page numbers as numeric text).
fn page_number_access(field: &Field) -> (TokenStream, TokenStream) {
    let name = ident(&field.ident);
    let value = match field.ty {
        Type::Integer => quote! { i32::try_from(index).unwrap_or(i32::MAX) },
        Type::UInt => quote! { u32::try_from(index).unwrap_or(u32::MAX) },
        Type::ULong => quote! { u64::try_from(index).unwrap_or(u64::MAX) },
        Type::String => quote! { index.to_string() },
        _ => quote! { index },
    };
    let get = match (&field.ty, field.required) {
        (Type::String, true) => quote! { self.#name.trim().parse().ok() },
        (Type::String, false) => {
            quote! { self.#name.as_deref().and_then(|s| s.trim().parse().ok()) }
        }
        (Type::ULong, true) => quote! { Some(crate::validate::as_i64(self.#name)) },
        (Type::ULong, false) => quote! { self.#name.map(crate::validate::as_i64) },
        (_, true) => quote! { Some(i64::from(self.#name)) },
        (_, false) => quote! { self.#name.map(i64::from) },
    };
    let set = if field.required {
        quote! { self.#name = #value; }
    } else {
        quote! { self.#name = Some(#value); }
    };
    (get, set)
}

/// `Some(output).map(|x| &x.a).and_then(|x| x.first())...` ending in the state's wire text.
fn state_expr(steps: &[StateStep]) -> TokenStream {
    let mut expr = quote! { Some(output) };
    for step in steps {
        expr = match step {
            StateStep::Field(f) => {
                let name = ident(&f.ident);
                if f.required {
                    quote! { #expr.map(|x| &x.#name) }
                } else {
                    quote! { #expr.and_then(|x| x.#name.as_ref()) }
                }
            }
            StateStep::First => quote! { #expr.and_then(|x| x.first()) },
        };
    }
    quote! { #expr.map(crate::wire::WireText::wire_text) }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}
