//! `service.rs`: service-wide facts (endpoint, auth profiles, error codes) and shared types.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_attrs, group_items, inner_doc_attrs};
use crate::ir::Api;
use crate::spec::ErrorCodeSpec;

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
        let request_id = p
            .request_id_header
            .as_ref()
            .or(s.request_id_headers.first())
            .cloned()
            .unwrap_or_default();
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
                request_id_header: #request_id,
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
        let class = class_tokens(e.class.as_deref());
        let retryable = e.retryable;
        let http_status = e.http_status.unwrap_or(200);
        quote! {
            ErrorCodeFacts {
                code: #code,
                name: #name,
                doc: #doc,
                operations: &[#(#ops),*],
                class: #class,
                retryable: #retryable,
                http_status: #http_status,
            }
        }
    });
    let auth_profile_enum = auth_profile_enum(&s.auth_profiles);
    let undescribed = s.undescribed_operations.iter().map(|u| {
        let (name, method, path, doc) = (&u.name, &u.method, &u.path, u.doc.trim());
        quote! { UndescribedOperation { name: #name, method: #method, path: #path, doc: #doc } }
    });
    let error_code_enum = error_code_enum(&s.error_codes);
    let mut limits: Vec<(&str, &str)> = api
        .groups
        .iter()
        .flat_map(|g| &g.operations)
        .filter_map(|op| Some((op.wire.as_str(), op.rate_limit.as_deref()?.trim())))
        .collect();
    limits.sort_unstable();
    let limits = limits.iter().map(|(op, limit)| quote! { (#op, #limit) });
    let mut form_ops: Vec<&str> = api
        .groups
        .iter()
        .flat_map(|g| &g.operations)
        .filter(|op| op.form_body)
        .map(|op| op.wire.as_str())
        .collect();
    form_ops.sort_unstable();
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
            /// The response header carrying the request id of requests signed this way.
            pub request_id_header: &'static str,
        }

        /// The signing profiles the service accepts; the first is the default.
        pub const AUTH_PROFILES: &[AuthProfileFacts] = &[#(#profiles),*];

        #auth_profile_enum

        /// An operation a source names by method and path, whose fields none describes. The
        /// SDK generates nothing for it; `Client::raw_request` (and `vod api`) reach it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct UndescribedOperation {
            /// Action name.
            pub name: &'static str,
            /// HTTP method.
            pub method: &'static str,
            /// Request path.
            pub path: &'static str,
            /// What it is known to do, and where it is named.
            pub doc: &'static str,
        }

        /// Operations known only by method and path (`undescribed_operations` in the spec).
        pub const UNDESCRIBED_OPERATIONS: &[UndescribedOperation] = &[#(#undescribed),*];

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
            /// The class users match on, if the spec gives one.
            pub class: Option<crate::ErrorClass>,
            /// "Busy, try again later": the default retry policy resends the request.
            pub retryable: bool,
            /// The HTTP status it is answered with (200: business errors travel in the
            /// envelope of a successful answer).
            pub http_status: u16,
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

        #error_code_enum

        /// Operations whose POST parameters the service also takes as an
        /// `application/x-www-form-urlencoded` body (`form_body` in the spec), sorted.
        pub const FORM_OPERATIONS: &[&str] = &[#(#form_ops),*];

        /// Each operation's documented rate limit (`rate_limit` in the spec, e.g. `300/5min`),
        /// sorted by operation name; read by the client's opt-in rate limiting.
        pub const RATE_LIMITS: &[(&str, &str)] = &[#(#limits),*];

        #shared
    }
}

/// `AuthProfile`: one variant per profile of the spec, each knowing its row of `AUTH_PROFILES`,
/// so the signer, the client and the emulator name a profile without restating its facts.
fn auth_profile_enum(profiles: &[crate::spec::AuthProfileSpec]) -> TokenStream {
    let variants: Vec<_> = profiles
        .iter()
        .map(|p| format_ident!("{}", p.name.to_upper_camel_case()))
        .collect();
    let docs = profiles.iter().map(|p| {
        doc_attrs(&format!(
            "{} `{}`: `{}`, headers `{}` and `{}`.",
            p.doc.trim(),
            p.name,
            p.algorithm,
            p.access_key_header,
            p.timestamp_header
        ))
    });
    let default = (0..profiles.len()).map(|i| (i == 0).then(|| quote! { #[default] }));
    let rows = (0..profiles.len()).map(proc_macro2::Literal::usize_unsuffixed);
    let count = proc_macro2::Literal::usize_unsuffixed(profiles.len());
    quote! {
        /// Which signing profile (algorithm and header set) a request uses: the spec's
        /// `auth_profiles`, whose facts [`AuthProfile::facts`] gives.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        pub enum AuthProfile {
            #(#docs #default #variants,)*
        }

        impl AuthProfile {
            /// Every profile, in the spec's order; the first is the default.
            pub const ALL: [AuthProfile; #count] = [#(AuthProfile::#variants),*];

            /// The spec's facts of this profile.
            pub const fn facts(self) -> &'static AuthProfileFacts {
                match self {
                    #(AuthProfile::#variants => &AUTH_PROFILES[#rows],)*
                }
            }
        }
    }
}

fn class_tokens(class: Option<&str>) -> TokenStream {
    match class {
        Some(class) => {
            let variant = format_ident!("{}", class.to_upper_camel_case());
            quote! { Some(crate::ErrorClass::#variant) }
        }
        None => quote! { None },
    }
}

/// `ErrorCode`: one variant per documented code (its doc lists the operations returning it),
/// `Unknown(i64)` for the rest, and the lookups the runtime's `Error` and retry policy use.
fn error_code_enum(codes: &[ErrorCodeSpec]) -> TokenStream {
    let variants: Vec<_> = codes
        .iter()
        .map(|e| format_ident!("{}", e.name.to_upper_camel_case()))
        .collect();
    let values: Vec<_> = codes
        .iter()
        .map(|e| proc_macro2::Literal::i64_unsuffixed(e.code))
        .collect();
    let names: Vec<&str> = codes.iter().map(|e| e.name.as_str()).collect();
    let docs = codes.iter().map(|e| {
        let mut text = format!("{}\n\nCode {}.", e.doc.trim(), e.code);
        if !e.operations.is_empty() {
            let ops: Vec<String> = e.operations.iter().map(|o| format!("`{o}`")).collect();
            text.push_str(&format!(" Returned by {}.", ops.join(", ")));
        }
        if e.retryable {
            text.push_str(" Retried by the default retry policy.");
        }
        doc_attrs(&text)
    });
    let classes = codes.iter().map(|e| class_tokens(e.class.as_deref()));
    let retryable: Vec<_> = codes
        .iter()
        .filter(|e| e.retryable)
        .map(|e| proc_macro2::Literal::i64_unsuffixed(e.code))
        .collect();
    quote! {
        /// Codes flagged `retryable` in the spec ("busy, try later"): the default
        /// [`RetryPolicy`](crate::RetryPolicy) resends requests answered with them.
        pub const RETRYABLE_ERROR_CODES: &[i64] = &[#(#retryable),*];

        /// A service error code by name: match on it instead of on numbers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#docs #variants,)*
            /// A code the spec does not document.
            Unknown(i64),
        }

        impl ErrorCode {
            /// The variant of a `code` value.
            pub const fn from_code(code: i64) -> Self {
                match code {
                    #(#values => ErrorCode::#variants,)*
                    other => ErrorCode::Unknown(other),
                }
            }

            /// The `code` value on the wire.
            pub const fn code(self) -> i64 {
                match self {
                    #(ErrorCode::#variants => #values,)*
                    ErrorCode::Unknown(code) => code,
                }
            }

            /// The spec's name of the code (`"unknown"` for an undocumented one).
            pub const fn name(self) -> &'static str {
                match self {
                    #(ErrorCode::#variants => #names,)*
                    ErrorCode::Unknown(_) => "unknown",
                }
            }

            /// The class the spec gives the code, if any.
            pub const fn class(self) -> Option<crate::ErrorClass> {
                match self {
                    #(ErrorCode::#variants => #classes,)*
                    ErrorCode::Unknown(_) => None,
                }
            }

            /// Whether the spec flags the code `retryable` ("busy, try later").
            pub fn is_retryable(self) -> bool {
                RETRYABLE_ERROR_CODES.contains(&self.code())
            }

            /// The documented facts of the code (`None` for an undocumented one).
            pub fn facts(self) -> Option<&'static ErrorCodeFacts> {
                describe_error_code(self.code())
            }
        }

        impl From<i64> for ErrorCode {
            fn from(code: i64) -> Self {
                ErrorCode::from_code(code)
            }
        }

        impl ::std::fmt::Display for ErrorCode {
            /// `1000 (invalidParameter)`, or the bare number for an undocumented code.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    ErrorCode::Unknown(code) => write!(f, "{code}"),
                    known => write!(f, "{} ({})", known.code(), known.name()),
                }
            }
        }
    }
}
