//! The request signature as OpenAPI security: each header a signed request carries is an
//! `apiKey` scheme in a header, and a profile's headers together form one requirement (all
//! of them at once), so the document lists one requirement per auth profile (ws3 or cnc).
//! The algorithm itself cannot be said in OpenAPI terms; it is described in words.

use serde_json::{json, Map, Value};

use crate::ir::Api;
use crate::spec::AuthProfileSpec;

/// The scheme of the `Authorization` header, shared by every profile.
const AUTHORIZATION: &str = "signature";

/// Scheme name of one header of a profile: `ws3AccessKey`, `cncTimestamp`, `cnc-x-cnc-auth-method`.
fn scheme_names(profile: &AuthProfileSpec) -> Vec<(String, String, String)> {
    let mut out = vec![
        (
            format!("{}AccessKey", profile.name),
            profile.access_key_header.clone(),
            format!("The access key ({} profile).", profile.name),
        ),
        (
            format!("{}Timestamp", profile.name),
            profile.timestamp_header.clone(),
            format!(
                "Unix seconds when the request was signed, as decimal text ({} profile); more than 5 minutes off the server clock is refused.",
                profile.name
            ),
        ),
    ];
    for (header, value) in &profile.extra_headers {
        out.push((
            format!("{}-{header}", profile.name),
            header.clone(),
            format!("Always `{value}` ({} profile).", profile.name),
        ));
    }
    out
}

/// `components.securitySchemes`.
pub(super) fn schemes(api: &Api) -> Map<String, Value> {
    let algorithms: Vec<&str> = api
        .service
        .auth_profiles
        .iter()
        .map(|p| p.algorithm.as_str())
        .collect();
    let mut out = Map::new();
    out.insert(
        AUTHORIZATION.into(),
        json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": format!(
                "`<Algorithm> Credential=<access key>, SignedHeaders=<names>, Signature=<hex>`, Algorithm one of {}. See the API description for how the signature is computed.",
                algorithms.join(", ")
            ),
        }),
    );
    for profile in &api.service.auth_profiles {
        for (name, header, doc) in scheme_names(profile) {
            out.insert(
                name,
                json!({ "type": "apiKey", "in": "header", "name": header, "description": doc }),
            );
        }
    }
    out
}

/// Top-level `security`: one requirement per profile, each needing all of its headers.
pub(super) fn requirements(api: &Api) -> Vec<Value> {
    api.service
        .auth_profiles
        .iter()
        .map(|profile| {
            let mut requirement = Map::new();
            requirement.insert(AUTHORIZATION.into(), json!([]));
            for (name, _, _) in scheme_names(profile) {
                requirement.insert(name, json!([]));
            }
            Value::Object(requirement)
        })
        .collect()
}

/// The signature, in words, for the API description.
pub(super) fn description(api: &Api) -> String {
    let profiles: Vec<String> = api
        .service
        .auth_profiles
        .iter()
        .map(|p| {
            let mut headers = vec![p.access_key_header.clone(), p.timestamp_header.clone()];
            headers.extend(p.extra_headers.iter().map(|(h, v)| format!("{h}: {v}")));
            format!(
                "- `{}` (`{}`, host {}): headers `Authorization`, {}.",
                p.name,
                p.algorithm,
                p.host,
                headers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!(
        "## Authentication\n\n\
         Every request is signed with HMAC-SHA256 over a canonical request, under one of these profiles:\n\n\
         {}\n\n\
         ```text\n\
         CanonicalRequest = METHOD \"\\n\" Path \"\\n\" Query \"\\n\" CanonicalHeaders \"\\n\" SignedHeaders \"\\n\" hex(SHA256(body))\n\
         StringToSign     = Algorithm \"\\n\" Timestamp \"\\n\" hex(SHA256(CanonicalRequest))\n\
         Signature        = hex(HMAC-SHA256(SecretKey, StringToSign))\n\
         Authorization    = Algorithm \" Credential=\" AccessKey \", SignedHeaders=\" SignedHeaders \", Signature=\" Signature\n\
         ```\n\n\
         Path is the request path exactly as sent. Query is empty for POST; for GET it is the raw query with only `%XX` escapes decoded. \
         SignedHeaders are lower-cased names, sorted, joined with `;` (`content-type;host` at least); CanonicalHeaders is one \
         `name:value\\n` line per signed header, the value trimmed and lower-cased (an absent header gives an empty value, Host keeps its port). \
         The body hash of a GET is the hash of the empty string. Timestamp is the timestamp header's value (Unix seconds). \
         `vod debug-sign` prints every step for a given request.",
        profiles.join("\n")
    )
}
