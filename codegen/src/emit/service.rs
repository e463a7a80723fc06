//! `service.rs`: service-wide facts (endpoint, auth profiles, error codes) and shared types.

use proc_macro2::TokenStream;
use quote::quote;

use super::{group_items, inner_doc_attrs};
use crate::ir::Api;

/// The service module.
pub fn emit(api: &Api) -> TokenStream {
    let s = &api.service;
    let doc = inner_doc_attrs(&format!("{}\n\nFacts from `api-spec/service.yaml`.", s.doc));
    let endpoint = &s.default_endpoint;
    let request_ids = &s.request_id_headers;
    let (code, message, data) = (&s.envelope.code, &s.envelope.message, &s.envelope.data);
    let success = proc_macro2::Literal::i64_unsuffixed(s.envelope.success);
    let profiles = s.auth_profiles.iter().map(|p| {
        let (name, doc, host, algorithm) = (&p.name, p.doc.trim(), &p.host, &p.algorithm);
        let (ak, ts) = (&p.access_key_header, &p.timestamp_header);
        let extra = p.extra_headers.iter().map(|(k, v)| quote! { (#k, #v) });
        let signed = &p.signed_headers;
        quote! {
            AuthProfileFacts {
                name: #name,
                doc: #doc,
                host: #host,
                algorithm: #algorithm,
                access_key_header: #ak,
                timestamp_header: #ts,
                extra_headers: &[#(#extra),*],
                signed_headers: &[#(#signed),*],
            }
        }
    });
    let codes = s.error_codes.iter().map(|e| {
        let (code, name, doc) = (
            proc_macro2::Literal::i64_unsuffixed(e.code),
            &e.name,
            e.doc.trim(),
        );
        let ops = &e.operations;
        quote! { ErrorCodeFacts { code: #code, name: #name, doc: #doc, operations: &[#(#ops),*] } }
    });
    let shared = group_items(&api.shared);
    quote! {
        #doc
        #[allow(unused_imports)]
        use super::*;

        /// Base URL used when the client is given no endpoint.
        pub const DEFAULT_ENDPOINT: &str = #endpoint;
        /// Response headers that carry the request id, in order of preference.
        pub const REQUEST_ID_HEADERS: &[&str] = &[#(#request_ids),*];
        /// Member of the envelope holding the status code.
        pub const ENVELOPE_CODE: &str = #code;
        /// Member of the envelope holding the status text.
        pub const ENVELOPE_MESSAGE: &str = #message;
        /// Member of the envelope holding the payload.
        pub const ENVELOPE_DATA: &str = #data;
        /// Status code meaning success.
        pub const SUCCESS_CODE: i64 = #success;

        /// How one signing profile authenticates requests.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct AuthProfileFacts {
            /// Short name.
            pub name: &'static str,
            /// What it is for.
            pub doc: &'static str,
            /// Host serving it.
            pub host: &'static str,
            /// Algorithm word of `Authorization`.
            pub algorithm: &'static str,
            /// Header carrying the access key.
            pub access_key_header: &'static str,
            /// Header carrying the Unix timestamp.
            pub timestamp_header: &'static str,
            /// Constant headers sent with every request.
            pub extra_headers: &'static [(&'static str, &'static str)],
            /// Headers the signature covers.
            pub signed_headers: &'static [&'static str],
        }

        /// The signing profiles the service accepts; the first is the default.
        pub const AUTH_PROFILES: &[AuthProfileFacts] = &[#(#profiles),*];

        /// A documented business error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct ErrorCodeFacts {
            /// The `code` value.
            pub code: i64,
            /// Short name.
            pub name: &'static str,
            /// Meaning.
            pub doc: &'static str,
            /// Operations documented to return it.
            pub operations: &'static [&'static str],
        }

        /// Every documented error code, sorted by code.
        pub const ERROR_CODES: &[ErrorCodeFacts] = &[#(#codes),*];

        /// The documented meaning of a service error code.
        pub fn describe_error_code(code: i64) -> Option<&'static ErrorCodeFacts> {
            ERROR_CODES
                .binary_search_by_key(&code, |e| e.code)
                .ok()
                .and_then(|i| ERROR_CODES.get(i))
        }

        #shared
    }
}
