//! `dispatch.rs` (the SDK's list of operations) and `invoke.rs` (the command line's calling of an
//! operation by its wire name, JSON in and out; each arm goes through the typed request, so
//! validation holds).
//!
//! `invoke` lives in the command line's package: its match instantiates the generic send path
//! once per operation, which roughly tripled the SDK's release build for users who never call
//! an operation by name. `OPERATIONS` is plain data and stays in the SDK.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::Api;

/// The SDK's dispatch module: the list of operations.
pub fn emit(api: &Api) -> TokenStream {
    let specs = api.groups.iter().flat_map(|g| &g.operations).map(|op| {
        let request = ident(&op.request_type());
        quote! { <#request as crate::operation::Request>::OPERATION }
    });
    let requests = api
        .groups
        .iter()
        .flat_map(|g| &g.operations)
        .map(|op| ident(&op.request_type()));
    quote! {
        #![doc = " The operations of the API, as data."]
        #[allow(unused_imports)]
        use super::*;

        /// Every operation of the API.
        pub const OPERATIONS: &[&crate::operation::OperationSpec] = &[#(#specs),*];

        /// Calls `visitor` once per operation with its request type, in the order of
        /// [`OPERATIONS`]: generic code over every operation (the fuzz targets) without a
        /// hand-kept list.
        #[doc(hidden)]
        #[cfg(feature = "serde")]
        pub fn visit_operations<V: crate::operation::VisitOperation>(visitor: &mut V) {
            #(visitor.visit::<#requests>();)*
        }
    }
}

/// The command line's `invoke.rs`: one match arm per operation, each through its typed request.
pub fn emit_invoke(api: &Api) -> TokenStream {
    let arms = api.groups.iter().flat_map(|g| &g.operations).map(|op| {
        let wire = &op.wire;
        let request = ident(&op.request_type());
        quote! {
            #wire => Some(Box::pin(vod_client::operation::invoke_json::<vod_client::model::#request>(client, input))),
        }
    });
    quote! {
        #![doc = " Calling operations by name, with JSON in and out."]

        /// A boxed answer of [`invoke`].
        pub type InvokeFuture<'a> = std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<serde_json::Value, vod_client::Error>> + Send + 'a>,
        >;

        /// Calls the operation named `operation` (e.g. `getVideoList`) with a JSON object of
        /// its parameters (wire names); `None` when no operation has that name.
        pub fn invoke<'a>(
            client: &'a vod_client::Client,
            operation: &str,
            input: serde_json::Value,
        ) -> Option<InvokeFuture<'a>> {
            match operation {
                #(#arms)*
                _ => None,
            }
        }
    }
}
