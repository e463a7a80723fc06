//! Request authentication, exactly as the service checks it.
//!
//! The signature is recomputed from the request *as received* — method, raw path, raw query,
//! the headers `SignedHeaders` names, the exact body bytes — with the runtime's own signer
//! ([`vod_client::signer`]), so the emulator and the client can only agree when both follow the
//! documented algorithm (and a bug in one shared step shows up in the signer's own vectors,
//! not here). The comparison is constant-time, as a server's must be.
//!
//! Checks, in order, each with its own code (see [`codes`]): `Authorization` present (2001),
//! readable (2002), known algorithm (2003); access-key and timestamp headers present (2001);
//! `Credential` equal to the access-key header (2007); key known (2004); timestamp numeric
//! (2005) and within 5 minutes of the emulator's clock (2006); `content-type` and `host`
//! signed (2008); signature equal (2009).

use axum::http::HeaderMap;
use subtle::ConstantTimeEq;
use vod_client::model::ErrorCode;

use super::errors::ApiError;
use super::state::Shared;
use vod_client::signer::{self, AuthProfile, AuthorizationError, SigningRequest};

/// How far a request timestamp may be from the server clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Who signed a request, once verified (borrowed from the account table).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) access_key: &'a str,
    pub(crate) user: &'a str,
}

/// The parts of a request the signature covers.
pub(crate) struct Received<'a> {
    pub(crate) method: &'a str,
    /// Path and query exactly as sent.
    pub(crate) target: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// The access-key and timestamp header names of one profile.
fn header_names(profile: AuthProfile) -> (&'static str, &'static str) {
    (profile.access_key_header(), profile.timestamp_header())
}

/// An authentication failure: its code and HTTP status (401 or 403) are the spec's.
fn refused(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::spec(code, message)
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Verifies the signature of one request.
pub(crate) fn verify<'s>(shared: &'s Shared, req: &Received<'_>) -> Result<Caller<'s>, ApiError> {
    let authorization = header_text(req.headers, "authorization").ok_or_else(|| {
        refused(
            ErrorCode::AuthMissingHeader,
            "missing required header Authorization",
        )
    })?;
    let parsed = signer::parse_authorization(authorization).map_err(authorization_error)?;
    let (ak_header, ts_header) = header_names(parsed.algorithm);
    let access_key = header_text(req.headers, ak_header).ok_or_else(|| {
        refused(
            ErrorCode::AuthMissingHeader,
            format!("missing required header {ak_header}"),
        )
    })?;
    let timestamp = header_text(req.headers, ts_header).ok_or_else(|| {
        refused(
            ErrorCode::AuthMissingHeader,
            format!("missing required header {ts_header}"),
        )
    })?;
    if parsed.credential != access_key {
        return Err(refused(
            ErrorCode::AuthCredentialMismatch,
            format!("Credential in Authorization does not match the {ak_header} header"),
        ));
    }
    let (known_key, account) = shared.accounts.get_key_value(access_key).ok_or_else(|| {
        refused(
            ErrorCode::AuthUnknownAccessKey,
            format!("the access key {access_key} does not exist"),
        )
    })?;
    check_timestamp(timestamp, ts_header, shared.clock.now_unix())?;
    let signed_headers = signer::signed_header_names(&parsed.signed_headers);
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err(refused(
            ErrorCode::AuthSignedHeaders,
            "SignedHeaders must include content-type and host",
        ));
    }
    let expected = expected_signature(
        parsed.algorithm,
        access_key,
        &account.secret,
        timestamp,
        &names,
        req,
    );
    let given = parsed.signature.to_ascii_lowercase();
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(Caller {
            access_key: known_key,
            user: &account.user,
        })
    } else {
        Err(refused(
            ErrorCode::AuthSignatureMismatch,
            "the request signature does not match the signature computed by the server",
        ))
    }
}

fn check_timestamp(text: &str, header: &str, now: i64) -> Result<(), ApiError> {
    let ts: i64 = text.parse().map_err(|_| {
        refused(
            ErrorCode::AuthBadTimestamp,
            format!("{header} must be Unix time in seconds, got {text:?}"),
        )
    })?;
    if ts.abs_diff(now) > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(refused(
            ErrorCode::AuthTimestampExpired,
            format!("{header} {ts} is more than 5 minutes away from the server time {now}"),
        ));
    }
    Ok(())
}

fn expected_signature(
    algorithm: AuthProfile,
    access_key: &str,
    secret: &str,
    timestamp: &str,
    signed_names: &[&str],
    req: &Received<'_>,
) -> String {
    // Header values as text, borrowed when they are UTF-8 (always, for a correct client); any
    // other value is read lossily, which can only make the signature differ (as it would at
    // the service).
    let lossy: Vec<(&str, std::borrow::Cow<'_, str>)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v.as_bytes())))
        .collect();
    let headers: Vec<(&str, &str)> = lossy.iter().map(|(n, v)| (*n, v.as_ref())).collect();
    let signing = SigningRequest {
        method: req.method,
        uri: req.target,
        headers: &headers,
        body: req.body,
        timestamp,
        signed_headers: Some(signed_names),
    };
    signer::sign(algorithm, access_key, secret, &signing)
        .signature()
        .to_owned()
}

fn authorization_error(error: AuthorizationError) -> ApiError {
    match error {
        unknown @ AuthorizationError::UnknownAlgorithm(_) => {
            refused(ErrorCode::AuthUnknownAlgorithm, unknown.to_string())
        }
        other => refused(
            ErrorCode::AuthMalformed,
            format!("malformed Authorization header: {other}"),
        ),
    }
}

/// The signing profile a request uses, by its access-key header or the algorithm its
/// `Authorization` names (the default profile when neither tells): its answers carry that
/// profile's request-id header.
pub(crate) fn profile_of(headers: &HeaderMap) -> AuthProfile {
    let authorization = header_text(headers, "authorization").unwrap_or_default();
    AuthProfile::ALL
        .into_iter()
        .find(|p| {
            headers.contains_key(p.access_key_header()) || authorization.starts_with(p.algorithm())
        })
        .unwrap_or_default()
}
