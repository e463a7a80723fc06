//! The signer: `Authorization` parsing and canonicalisation.
//!
//! The input is read twice. As an `Authorization` value: whatever parses must render
//! (`authorization_header`) to a value that parses to the same parts. As a request (fields
//! split by NUL: method, URI, headers as `name:value` lines, body, timestamp, access key,
//! names to sign): signing it must not panic, and parsing the `Authorization` it produced
//! must give back what was signed (profile, access key, header names, signature).

#![no_main]

use libfuzzer_sys::fuzz_target;
use vod_client::signer::{
    authorization_header, canonical_query, parse_authorization, sign, signed_header_names,
    split_uri, SigningRequest,
};
use vod_client::AuthProfile;

/// Header-name characters (RFC 9110 `tchar`): what a client can put in `SignedHeaders`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn authorization_round_trip(text: &str) {
    let Ok(parsed) = parse_authorization(text) else {
        return;
    };
    let rendered = authorization_header(
        parsed.algorithm,
        &parsed.credential,
        &parsed.signed_headers.join(";"),
        &parsed.signature,
    );
    let again = parse_authorization(&rendered)
        .unwrap_or_else(|e| panic!("{rendered:?} (from {text:?}) does not parse: {e}"));
    assert_eq!(parsed, again, "parse→render→parse of {text:?}");
}

fn sign_and_parse(text: &str, profile: AuthProfile) {
    let mut fields = text.split('\0');
    let mut next = || fields.next().unwrap_or("");
    let (method, uri, header_text, body, timestamp, access_key, names) =
        (next(), next(), next(), next(), next(), next(), next());
    let headers: Vec<(&str, &str)> = header_text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .collect();
    // An access key is the account's: visible ASCII without the separators of the header.
    let access_key: String = access_key
        .chars()
        .filter(|c| c.is_ascii_graphic() && !",;=".contains(*c))
        .collect();
    let access_key = if access_key.is_empty() {
        "AK".to_string()
    } else {
        access_key
    };
    let names: Vec<&str> = names
        .split(';')
        .filter(|n| !n.is_empty() && n.chars().all(is_tchar))
        .collect();
    let request = SigningRequest {
        method,
        uri,
        headers: &headers,
        body: body.as_bytes(),
        timestamp,
        signed_headers: (!names.is_empty()).then_some(&names[..]),
    };
    let signed = sign(profile, &access_key, "SECRET", &request);
    let parsed = parse_authorization(signed.authorization()).unwrap_or_else(|e| {
        panic!(
            "the signer's own Authorization {:?} does not parse: {e}",
            signed.authorization()
        )
    });
    assert_eq!(parsed.algorithm, profile);
    assert_eq!(parsed.credential, access_key);
    assert_eq!(parsed.signature, signed.signature());
    let expected_names = signed_header_names(if names.is_empty() {
        &["content-type", "host"][..]
    } else {
        &names[..]
    });
    assert_eq!(signed_header_names(&parsed.signed_headers), expected_names);
    assert_eq!(parsed.signed_headers.join(";"), expected_names);
    // The canonical request starts with the method, the path, and the canonical query of a
    // GET's URI (nothing for a POST).
    let (path, raw_query) = split_uri(uri);
    let query = if method.eq_ignore_ascii_case("POST") {
        String::new()
    } else {
        canonical_query(raw_query.unwrap_or(""))
    };
    let start = format!("{}\n{path}\n{query}\n", method.to_ascii_uppercase());
    assert!(
        signed.canonical_request().starts_with(&start),
        "canonical request {:?} does not start with {start:?}",
        signed.canonical_request()
    );
}

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    authorization_round_trip(&text);
    let profile =
        AuthProfile::ALL[input.first().map_or(0, |b| usize::from(b & 1)) % AuthProfile::ALL.len()];
    sign_and_parse(&text, profile);
});
