//! `dispatch.rs`: calling an operation by its wire name with JSON in and out, for the command
//! line and other dynamic callers. Each arm goes through the typed request, so validation holds.
//!
//! `invoke` sits behind the `cli` feature: its match instantiates the generic send path once
//! per operation, which roughly tripled the crate's release build for users who never call an
//! operation by name. `OPERATIONS` is plain data and stays in every build.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::Api;

/// The dispatch module.
pub fn emit(api: &Api) -> TokenStream {
    let ops: Vec<_> = api.groups.iter().flat_map(|g| &g.operations).collect();
    let arms = ops.iter().map(|op| {
        let wire = &op.wire;
        let request = ident(&op.request_type());
        quote! {
            #wire => Some(Box::pin(crate::operation::invoke_json::<#request>(client, input))),
        }
    });
    let specs = ops.iter().map(|op| {
        let request = ident(&op.request_type());
        quote! { <#request as crate::operation::Request>::OPERATION }
    });
    quote! {
        #![doc = " Calling operations by name, with JSON in and out."]
        #[allow(unused_imports)]
        use super::*;

        /// A boxed answer of [`invoke`].
        #[cfg(feature = "cli")]
        pub type InvokeFuture<'a> = std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<serde_json::Value, crate::Error>> + Send + 'a>,
        >;

        /// Every operation of the API.
        pub const OPERATIONS: &[&crate::operation::OperationSpec] = &[#(#specs),*];

        /// Calls the operation named `operation` (e.g. `getVideoList`) with a JSON object of
        /// its parameters (wire names); `None` when no operation has that name. Needs the
        /// `cli` feature.
        #[cfg(feature = "cli")]
        pub fn invoke<'a>(
            client: &'a crate::Client,
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
