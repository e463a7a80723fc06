//! Request signing: `WS3-HMAC-SHA256` (Cloud VoD's "Interface Authentication V3") and its twin
//! `CNC-HMAC-SHA256` (the CDNetworks OpenAPI gateway).
//!
//! ```text
//! CanonicalRequest = Method \n RequestURI \n QueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = Algorithm \n Timestamp \n hex(SHA256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(SecretKey, StringToSign))
//! Authorization    = Algorithm " Credential=" AccessKey ", SignedHeaders=" SignedHeaders ", Signature=" Signature
//! ```
//!
//! Each step is also a public function so that a mismatch with the service (or with the
//! emulator, which verifies with the same code) can be pinned to one step; [`sign`] runs the
//! same writers into one buffer, so a signature costs one allocation besides the hashing. The
//! rules follow the vendor's Python SDK where sources differ: the query string is *not* sorted
//! or re-encoded, only its `%XX` escapes are decoded, so clients should send spaces and `+` as
//! `%20` and `%2B`.
//!
//! The secret key is only ever borrowed for the HMAC; nothing in this module stores it.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[cfg(test)]
mod tests;

/// Lowercase hex SHA-256 of the empty string: the payload hash of every GET.
pub const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Signed header names when none are given.
pub const DEFAULT_SIGNED_HEADERS: &str = "content-type;host";

const DEFAULT_NAMES: [&str; 2] = ["content-type", "host"];

/// The signing profiles, generated from the spec's `auth_profiles`: each names its algorithm
/// word and headers; they differ in nothing else the signer does.
pub use crate::model::AuthProfile;

impl AuthProfile {
    /// The algorithm word of the string to sign and of `Authorization`, e.g. `WS3-HMAC-SHA256`.
    pub fn algorithm(self) -> &'static str {
        self.facts().algorithm
    }

    /// The profile whose algorithm word is exactly `word`: the service compares it literally.
    pub fn from_algorithm(word: &str) -> Result<AuthProfile, AuthorizationError> {
        AuthProfile::ALL
            .into_iter()
            .find(|p| p.algorithm() == word)
            .ok_or_else(|| AuthorizationError::UnknownAlgorithm(word.to_string()))
    }
}

/// The algorithm words of every profile, for messages.
fn known_algorithms() -> String {
    let words: Vec<&str> = AuthProfile::ALL.iter().map(|p| p.algorithm()).collect();
    words.join(" or ")
}

/// Splits a request target into the path and the raw query (`None` when there is no `?`).
pub fn split_uri(uri: &str) -> (&str, Option<&str>) {
    match uri.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (uri, None),
    }
}

/// The canonical query string: the raw query with only its `%XX` escapes decoded (as UTF-8,
/// invalid sequences replaced by U+FFFD); `+` stays `+`, a `%` that starts no valid escape
/// stays as it is, and parameters keep their order (no sorting, no re-encoding).
pub fn canonical_query(raw_query: &str) -> String {
    let mut out = String::with_capacity(raw_query.len());
    push_canonical_query(&mut out, raw_query);
    out
}

fn push_canonical_query(out: &mut String, raw_query: &str) {
    let bytes = raw_query.as_bytes();
    // Decoded bytes that become text only together: one character may span several escapes.
    // Literal text always starts a fresh character, so each run converts on its own.
    let mut pending: Vec<u8> = Vec::new();
    let mut literal_from = 0;
    let mut i = 0;
    // `str::find` with a byte-sized pattern searches a word at a time; `i` always sits on a
    // character boundary (just past an ASCII `%` or `%XX`).
    while let Some(offset) = raw_query.get(i..).and_then(|rest| rest.find('%')) {
        i += offset;
        let escaped = hex_value(bytes.get(i + 1)).zip(hex_value(bytes.get(i + 2)));
        let Some((hi, lo)) = escaped else {
            // A `%` that starts no escape is literal.
            i += 1;
            continue;
        };
        if literal_from < i {
            flush_lossy(out, &mut pending);
            out.push_str(&raw_query[literal_from..i]);
        }
        let byte = hi << 4 | lo;
        if byte.is_ascii() && pending.is_empty() {
            out.push(char::from(byte));
        } else {
            pending.push(byte);
        }
        i += 3;
        literal_from = i;
    }
    flush_lossy(out, &mut pending);
    out.push_str(&raw_query[literal_from..]);
}

fn flush_lossy(out: &mut String, pending: &mut Vec<u8>) {
    if !pending.is_empty() {
        out.push_str(&String::from_utf8_lossy(pending));
        pending.clear();
    }
}

fn hex_value(byte: Option<&u8>) -> Option<u8> {
    match *byte? {
        b @ b'0'..=b'9' => Some(b - b'0'),
        b @ b'a'..=b'f' => Some(b - b'a' + 10),
        b @ b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The `SignedHeaders` value: names trimmed and lower-cased, blanks and duplicates removed,
/// sorted, joined with `;`. No names gives [`DEFAULT_SIGNED_HEADERS`].
pub fn signed_header_names<S: AsRef<str>>(names: &[S]) -> String {
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    let mut out = String::new();
    SignedNames::new(Some(&names)).push_joined(&mut out);
    out
}

/// Signed header names, normalised but borrowed: trimmed, not yet lower-cased (that happens
/// as they are written), sorted and deduplicated ignoring ASCII case.
enum SignedNames<'a> {
    Default,
    Custom(Vec<&'a str>),
}

impl<'a> SignedNames<'a> {
    fn new(names: Option<&[&'a str]>) -> Self {
        let mut names: Vec<&'a str> = match names {
            Some(names) if names.iter().any(|n| !n.trim().is_empty()) => names
                .iter()
                .map(|n| n.trim())
                .filter(|n| !n.is_empty())
                .collect(),
            _ => return SignedNames::Default,
        };
        names.sort_unstable_by(|a, b| {
            let lower = |s: &'a str| s.bytes().map(|b| b.to_ascii_lowercase());
            lower(a).cmp(lower(b))
        });
        names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        SignedNames::Custom(names)
    }

    fn as_slice(&self) -> &[&'a str] {
        match self {
            SignedNames::Default => &DEFAULT_NAMES,
            SignedNames::Custom(names) => names,
        }
    }

    fn push_joined(&self, out: &mut String) {
        if let SignedNames::Default = self {
            out.push_str(DEFAULT_SIGNED_HEADERS);
            return;
        }
        for (i, name) in self.as_slice().iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            push_ascii_lowercase(out, name);
        }
    }

    fn text_len(&self) -> usize {
        self.as_slice().iter().map(|n| n.len() + 1).sum()
    }
}

fn push_ascii_lowercase(out: &mut String, text: &str) {
    let start = out.len();
    out.push_str(text);
    out[start..].make_ascii_lowercase();
}

/// The canonical headers block: for each name of `signed_headers` (already normalised by
/// [`signed_header_names`]), `name:value\n`, the value trimmed of spaces and tabs and then
/// lower-cased entirely. A header absent from `headers` contributes `name:`; when a name
/// appears more than once, the first value counts.
pub fn canonical_headers(signed_headers: &str, headers: &[(&str, &str)]) -> String {
    let names: Vec<&str> = signed_headers
        .split(';')
        .filter(|n| !n.is_empty())
        .collect();
    let mut out = String::new();
    push_canonical_headers(&mut out, &names, headers);
    out
}

fn push_canonical_headers(out: &mut String, names: &[&str], headers: &[(&str, &str)]) {
    for name in names {
        push_ascii_lowercase(out, name);
        out.push(':');
        let value = headers
            .iter()
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.trim_matches([' ', '\t']));
        if value.is_ascii() {
            push_ascii_lowercase(out, value);
        } else {
            // Full Unicode rules (final sigma and all), exactly as `str::to_lowercase`.
            out.push_str(&value.to_lowercase());
        }
        out.push('\n');
    }
}

fn is_bodiless(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

/// Lowercase hex SHA-256 of the body; GET and HEAD always hash the empty string (whatever
/// body a caller passes), as the service does.
pub fn hashed_payload(method: &str, body: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_payload_hash(&mut out, method, body);
    out
}

fn push_payload_hash(out: &mut String, method: &str, body: &[u8]) {
    if is_bodiless(method) || body.is_empty() {
        out.push_str(EMPTY_PAYLOAD_HASH);
    } else {
        out.push_str(hex_text(&hex_digest(&Sha256::digest(body))));
    }
}

/// Lowercase hex of a 32-byte digest, on the stack. By hand rather than `hex`: its generic
/// loop cost about a tenth of a small GET's signature (see `benches/signer.rs`).
fn hex_digest(digest: &[u8]) -> [u8; 64] {
    let mut out = [0; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(*byte)]);
    }
    out
}

/// The two lowercase hex digits of every byte value: one lookup per byte instead of two.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0; 2]; 256];
    let mut i = 0;
    while i < 256 {
        pairs[i] = [DIGITS[i >> 4], DIGITS[i & 0x0f]];
        i += 1;
    }
    pairs
};

fn hex_text(hex: &[u8; 64]) -> &str {
    // Hex digits are ASCII; the fallback is unreachable but keeps this panic-free.
    std::str::from_utf8(hex).unwrap_or(EMPTY_PAYLOAD_HASH)
}

/// Joins the six parts of the canonical request. `canonical_headers` already ends with
/// `\n`, so an empty line follows it.
pub fn canonical_request(
    method: &str,
    path: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    let mut out = String::with_capacity(
        method.len()
            + path.len()
            + canonical_query.len()
            + canonical_headers.len()
            + signed_headers.len()
            + hashed_payload.len()
            + 5,
    );
    for (i, part) in [
        method,
        path,
        canonical_query,
        canonical_headers,
        signed_headers,
        hashed_payload,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(part);
    }
    out[..method.len()].make_ascii_uppercase();
    out
}

/// `Algorithm \n Timestamp \n hex(SHA256(canonical request))`.
pub fn string_to_sign(algorithm: AuthProfile, timestamp: &str, canonical_request: &str) -> String {
    let digest = hex_digest(&Sha256::digest(canonical_request.as_bytes()));
    let mut out = String::new();
    push_string_to_sign(&mut out, algorithm, timestamp, &digest);
    out
}

fn push_string_to_sign(
    out: &mut String,
    algorithm: AuthProfile,
    timestamp: &str,
    digest: &[u8; 64],
) {
    out.push_str(algorithm.algorithm());
    out.push('\n');
    out.push_str(timestamp);
    out.push('\n');
    out.push_str(hex_text(digest));
}

/// Lowercase hex HMAC-SHA256 of the string to sign, keyed with the secret key's bytes.
pub fn signature(secret_key: &str, string_to_sign: &str) -> String {
    hex_text(&signature_hex(secret_key, string_to_sign)).to_string()
}

fn signature_hex(secret_key: &str, string_to_sign: &str) -> [u8; 64] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; fall back to an
    // all-zero signature rather than panic if that ever changed.
    match Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(string_to_sign.as_bytes());
            hex_digest(&mac.finalize().into_bytes())
        }
        Err(_) => [b'0'; 64],
    }
}

/// The `Authorization` header value.
pub fn authorization_header(
    algorithm: AuthProfile,
    access_key: &str,
    signed_headers: &str,
    signature: &str,
) -> String {
    let mut out = String::new();
    out.push_str(algorithm.algorithm());
    out.push_str(" Credential=");
    out.push_str(access_key);
    out.push_str(", SignedHeaders=");
    out.push_str(signed_headers);
    out.push_str(", Signature=");
    out.push_str(signature);
    out
}

/// Everything the signature covers, exactly as sent.
#[derive(Debug, Clone, Copy)]
pub struct SigningRequest<'a> {
    /// HTTP method (any case; upper-cased when signing).
    pub method: &'a str,
    /// Request target: the path, with an optional `?query`, exactly as sent.
    pub uri: &'a str,
    /// Request headers (names in any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes.
    pub body: &'a [u8],
    /// Unix seconds, the same text as the timestamp header.
    pub timestamp: &'a str,
    /// Header names to sign; `None` signs `content-type;host`.
    pub signed_headers: Option<&'a [&'a str]>,
}

/// The intermediate and final results of signing, so a mismatch can be diagnosed.
///
/// All four texts live in one buffer (one allocation per signature); the accessors borrow
/// from it.
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// Canonical request, then string to sign, then `Authorization`, back to back.
    text: String,
    string_to_sign_at: usize,
    authorization_at: usize,
}

impl Signed {
    /// The canonical request.
    pub fn canonical_request(&self) -> &str {
        &self.text[..self.string_to_sign_at]
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.text[self.string_to_sign_at..self.authorization_at]
    }

    /// The hex signature (the last 64 characters of [`Signed::authorization`]).
    pub fn signature(&self) -> &str {
        let auth = self.authorization();
        &auth[auth.len().saturating_sub(64)..]
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.text[self.authorization_at..]
    }
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("canonical_request", &self.canonical_request())
            .field("string_to_sign", &self.string_to_sign())
            .field("signature", &self.signature())
            .field("authorization", &self.authorization())
            .finish()
    }
}

/// Signs one request. POST requests sign an empty query string even when the URI has one.
pub fn sign(
    algorithm: AuthProfile,
    access_key: &str,
    secret_key: &str,
    req: &SigningRequest<'_>,
) -> Signed {
    let (path, raw_query) = split_uri(req.uri);
    let raw_query = if req.method.eq_ignore_ascii_case("POST") {
        ""
    } else {
        raw_query.unwrap_or("")
    };
    let names = SignedNames::new(req.signed_headers);
    let headers_len: usize = req.headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let alg_len = algorithm.algorithm().len();
    // Exact unless a header value lower-cases to a different length.
    let mut text = String::with_capacity(
        (req.method.len() + path.len() + raw_query.len() + headers_len + 3 * names.text_len())
            + (2 * alg_len + 2 * 64 + 64 + 5 + 2 + 41)
            + (req.timestamp.len() + access_key.len()),
    );

    push_ascii_uppercase(&mut text, req.method);
    text.push('\n');
    text.push_str(path);
    text.push('\n');
    push_canonical_query(&mut text, raw_query);
    text.push('\n');
    push_canonical_headers(&mut text, names.as_slice(), req.headers);
    text.push('\n');
    let names_at = text.len();
    names.push_joined(&mut text);
    let names_end = text.len();
    text.push('\n');
    push_payload_hash(&mut text, req.method, req.body);

    let string_to_sign_at = text.len();
    let digest = hex_digest(&Sha256::digest(text.as_bytes()));
    push_string_to_sign(&mut text, algorithm, req.timestamp, &digest);

    let authorization_at = text.len();
    let signature = signature_hex(secret_key, &text[string_to_sign_at..]);
    text.push_str(algorithm.algorithm());
    text.push_str(" Credential=");
    text.push_str(access_key);
    text.push_str(", SignedHeaders=");
    text.extend_from_within(names_at..names_end);
    text.push_str(", Signature=");
    text.push_str(hex_text(&signature));
    Signed {
        text,
        string_to_sign_at,
        authorization_at,
    }
}

fn push_ascii_uppercase(out: &mut String, text: &str) {
    let start = out.len();
    out.push_str(text);
    out[start..].make_ascii_uppercase();
}

/// The parts of an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// The profile whose algorithm is named first.
    pub algorithm: AuthProfile,
    /// The `Credential` value: the access key.
    pub credential: String,
    /// The `SignedHeaders` names, as sent (normalise with [`signed_header_names`]).
    pub signed_headers: Vec<String>,
    /// The hex signature, as sent.
    pub signature: String,
}

/// Why an `Authorization` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The header is empty.
    #[error("the Authorization header is empty")]
    Empty,
    /// The first word is not a known algorithm.
    #[error("unknown signing algorithm `{0}` (expected {known})", known = known_algorithms())]
    UnknownAlgorithm(String),
    /// A required part is missing.
    #[error("the Authorization header has no {0}")]
    Missing(&'static str),
    /// A part appears twice.
    #[error("the Authorization header has {0} twice")]
    Duplicate(&'static str),
    /// A part that is not `Credential`, `SignedHeaders` or `Signature`, or not `key=value`.
    #[error("unexpected part `{0}` in the Authorization header")]
    Unexpected(String),
    /// The signature is not 64 hex digits.
    #[error("the signature must be 64 hex digits")]
    BadSignature,
}

/// Reads `ALG Credential=AK, SignedHeaders=a;b, Signature=hex` (parts in any order, spaces
/// around them tolerated).
pub fn parse_authorization(value: &str) -> Result<ParsedAuthorization, AuthorizationError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AuthorizationError::Empty);
    }
    let (algorithm, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    let algorithm = AuthProfile::from_algorithm(algorithm)?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, val) = part
            .split_once('=')
            .ok_or_else(|| AuthorizationError::Unexpected(part.to_string()))?;
        let (slot, name) = match key.trim() {
            "Credential" => (&mut credential, "Credential"),
            "SignedHeaders" => (&mut signed, "SignedHeaders"),
            "Signature" => (&mut signature, "Signature"),
            _ => return Err(AuthorizationError::Unexpected(part.to_string())),
        };
        if slot.replace(val.trim().to_string()).is_some() {
            return Err(AuthorizationError::Duplicate(name));
        }
    }
    let credential = credential
        .filter(|c| !c.is_empty())
        .ok_or(AuthorizationError::Missing("Credential"))?;
    let signed = signed
        .filter(|s| !s.is_empty())
        .ok_or(AuthorizationError::Missing("SignedHeaders"))?;
    let signature = signature.ok_or(AuthorizationError::Missing("Signature"))?;
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthorizationError::BadSignature);
    }
    Ok(ParsedAuthorization {
        algorithm,
        credential,
        signed_headers: signed.split(';').map(|s| s.trim().to_string()).collect(),
        signature,
    })
}
