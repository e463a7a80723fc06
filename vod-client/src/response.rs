//! Reading an answer: is it a success, a service error or something else, and what does its
//! data decode to.
//!
//! The service wraps most answers as `{"code": 200, "message": "...", "data": ...}` and
//! reports failures with another `code` — often with HTTP 200.
//!
//! A successful answer is read once: one plain `serde_json` pass over the envelope takes its
//! `code`, `message` and typed `data` together. Anything else (another code, an HTTP error, a
//! body that does not decode) takes the careful path: the code is read first (as a number or
//! a numeric string), and only a successful answer's `data` is decoded; a decode error says
//! which field of which operation broke, the path found from the error's position in the
//! body ([`crate::json_path`]), so no decoding code is instantiated twice. The fast path only
//! ever returns what the careful path would, so the two agree by construction.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde::{Deserialize as _, Deserializer};

use crate::error::excerpt;
use crate::lenient;
use crate::operation::{DataKind, Envelope, OperationSpec};
use crate::Error;

/// Longest body excerpt kept in an error.
pub(crate) const EXCERPT_BYTES: usize = 512;

/// The service's success code.
pub const SUCCESS_CODE: i64 = 200;

/// A decoded answer with the envelope's metadata.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded data.
    pub data: T,
    /// The request id from the response headers (`X-WS-RequestId` or `x-cnc-request-id`).
    pub request_id: Option<String>,
    /// The envelope's `code` (`None` for operations whose answer has no envelope).
    pub code: Option<i64>,
    /// The envelope's `message`.
    pub message: Option<String>,
    /// The HTTP status.
    pub http_status: u16,
    /// Optional fields of the answer that could not be read as their type and were left
    /// unset (or kept as raw text), each with its path and an excerpt of the value. Each was
    /// also logged as a `tracing` warning. Empty for a clean answer.
    pub warnings: Vec<crate::DecodeWarning>,
}

impl<T> Response<T> {
    /// The answer's [`warnings`](Response::warnings): fields left unset because their value
    /// could not be read.
    pub fn warnings(&self) -> &[crate::DecodeWarning] {
        &self.warnings
    }
}

/// What came back over HTTP, before interpretation.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: bytes::Bytes,
}

/// The envelope's `code` and `message`, read without touching `data`.
#[derive(Debug, Default)]
struct Head {
    code: Option<serde_json::Value>,
    message: Option<serde_json::Value>,
}

impl Head {
    /// Reads `code`/`message` when the body is a JSON object; `None` otherwise.
    fn read(body: &[u8]) -> Option<Head> {
        #[derive(serde::Deserialize)]
        struct Raw {
            code: Option<serde_json::Value>,
            message: Option<serde_json::Value>,
        }
        let raw: Raw = serde_json::from_slice(body).ok()?;
        Some(Head {
            code: raw.code,
            message: raw.message,
        })
    }

    /// The code as an integer (see [`code_number`]).
    fn code(&self) -> Option<i64> {
        code_number(self.code.as_ref()?)
    }

    fn message(&self) -> Option<String> {
        message_text(self.message.as_ref()?)
    }

    /// [`Head::message`] without copying a text message.
    fn into_message(self) -> Option<String> {
        match self.message? {
            serde_json::Value::String(s) => Some(s),
            other => message_text(&other),
        }
    }
}

/// A message as text: a string as is, `null` as none, anything else as its JSON.
fn message_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// What a caller keeps of a successful answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Only the data ([`Response::message`] stays `None`): not decoding the message saves its
    /// copy on every call that never reads it.
    Data,
    /// The data and the envelope's metadata.
    Metadata,
}

/// Classifies `raw` and decodes its data for `op`, keeping the metadata.
#[cfg(test)]
pub(crate) fn interpret<T: DeserializeOwned>(
    op: &'static OperationSpec,
    raw: RawResponse,
) -> Result<Response<T>, Error> {
    interpret_keeping(op, raw, Keep::Metadata)
}

/// Classifies `raw` and decodes its data for `op`; `keep` says whether the message is read
/// on success (a failure always reports it).
pub(crate) fn interpret_keeping<T: DeserializeOwned>(
    op: &'static OperationSpec,
    raw: RawResponse,
    keep: Keep,
) -> Result<Response<T>, Error> {
    if op.envelope == Envelope::Standard && (200..300).contains(&raw.status) {
        let (success, unread) = lenient::collect(|| read_success::<T>(op.data, keep, &raw.body));
        if let Some((head, data)) = success {
            return Ok(Response {
                data,
                code: Some(SUCCESS_CODE),
                message: head.into_message(),
                http_status: raw.status,
                warnings: lenient::warnings(op.name, &raw.body, unread),
                request_id: raw.request_id,
            });
        }
        // What the fast pass noted is noted again by the careful pass.
    }
    let (answer, unread) = lenient::collect(|| interpret_carefully(op, &raw));
    answer.map(|mut response| {
        response.warnings = lenient::warnings(op.name, &raw.body, unread);
        response
    })
}

/// One untracked pass over a standard envelope; `Some` only for a success answer whose data
/// decodes, i.e. exactly when [`interpret_carefully`] would succeed with the same values.
fn read_success<T: DeserializeOwned>(kind: DataKind, keep: Keep, body: &[u8]) -> Option<(Head, T)> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let (head, data) = OnePassSeed::<T>(kind, keep, PhantomData)
        .deserialize(&mut json)
        .ok()?;
    json.end().ok()?;
    (head.code() == Some(SUCCESS_CODE)).then_some((head, data))
}

/// The careful path: classify by the envelope's code, then decode `data` with its path
/// tracked.
fn interpret_carefully<T: DeserializeOwned>(
    op: &'static OperationSpec,
    raw: &RawResponse,
) -> Result<Response<T>, Error> {
    let head = Head::read(&raw.body);
    let code = head.as_ref().and_then(Head::code);
    let message = head.as_ref().and_then(Head::message);
    if !(200..300).contains(&raw.status) {
        return Err(match code {
            Some(code) if code != SUCCESS_CODE => service_error(op, code, message, raw),
            _ => Error::Http {
                operation: op.name,
                status: raw.status,
                request_id: raw.request_id.clone(),
                body_excerpt: excerpt(&raw.body, EXCERPT_BYTES),
            },
        });
    }
    if let Some(code) = code.filter(|c| *c != SUCCESS_CODE) {
        return Err(service_error(op, code, message, raw));
    }
    let data = match op.envelope {
        Envelope::Standard => {
            if head.as_ref().is_some_and(|h| h.code.is_some()) && code.is_none() {
                return Err(decode_error(
                    op,
                    "code".into(),
                    "not a number".into(),
                    &raw.body,
                ));
            }
            if code.is_none() {
                let why = if head.is_some() {
                    "missing field `code`"
                } else {
                    "not a JSON object"
                };
                return Err(decode_error(op, ".".into(), why.into(), &raw.body));
            }
            decode_tracked(op, &raw.body, EnvelopeSeed::<T>(op.data, PhantomData))?
        }
        // A gateway may wrap a bare answer in the standard envelope: a success `code` says so.
        Envelope::Bare if code == Some(SUCCESS_CODE) && has_data_member(&raw.body) => {
            decode_tracked(op, &raw.body, EnvelopeSeed::<T>(op.data, PhantomData))?
        }
        Envelope::Bare => decode_bare(op, &raw.body)?,
    };
    Ok(Response {
        data,
        request_id: raw.request_id.clone(),
        code,
        message,
        http_status: raw.status,
        warnings: Vec::new(),
    })
}

/// The error an answer stands for, if any, without decoding its data: what the send core
/// needs to decide on retries before the (generic) decoding. Same rules as [`interpret`].
pub(crate) fn failure(op: &'static OperationSpec, raw: &RawResponse) -> Option<Error> {
    // The common case, decided from the first bytes: a 2xx whose envelope opens with the
    // success code (the service puts `code` first). Reading the whole head would walk all of
    // `data` once more only to skip it.
    if (200..300).contains(&raw.status) && leading_code(&raw.body) == Some(SUCCESS_CODE) {
        return None;
    }
    let head = Head::read(&raw.body);
    let code = head.as_ref().and_then(Head::code);
    let message = || head.as_ref().and_then(Head::message);
    if !(200..300).contains(&raw.status) {
        return Some(match code {
            Some(code) if code != SUCCESS_CODE => service_error(op, code, message(), raw),
            _ => Error::Http {
                operation: op.name,
                status: raw.status,
                request_id: raw.request_id.clone(),
                body_excerpt: excerpt(&raw.body, EXCERPT_BYTES),
            },
        });
    }
    code.filter(|c| *c != SUCCESS_CODE)
        .map(|code| service_error(op, code, message(), raw))
}

/// An envelope's code as an integer: a number, or a string holding one.
fn code_number(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The envelope's `code` when it comes before `data`; `None` otherwise (no object, no code,
/// or `data` first). Stops right after the code, so a large `data` is never scanned. When it
/// returns the success code, [`Head::read`] would too, or would fail to read the body at all
/// (both mean "not a failure" to [`failure`]).
fn leading_code(body: &[u8]) -> Option<i64> {
    if let Some(code) = first_member_integer_code(body) {
        return Some(code);
    }
    struct FirstCode<'a>(&'a std::cell::Cell<Option<i64>>);
    impl<'de> Visitor<'de> for FirstCode<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an envelope")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "code" {
                    let code = map.next_value::<serde_json::Value>()?;
                    self.0.set(code_number(&code));
                    // Stop here: what follows is not needed.
                    return Err(de::Error::custom("stop after the code"));
                }
                if key == "data" {
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let found = std::cell::Cell::new(None);
    let _ = serde_json::Deserializer::from_slice(body).deserialize_map(FirstCode(&found));
    found.get()
}

/// The service's own shape, read from the bytes: `{"code":` and a plain integer as the first
/// member (whitespace allowed). `None` for anything else, which the parser then reads. No
/// error value is made, as stopping a serde pass early would.
fn first_member_integer_code(body: &[u8]) -> Option<i64> {
    let skip = |at: usize| {
        at + body[at.min(body.len())..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count()
    };
    let mut at = skip(0);
    for expected in [&b"{"[..], b"\"code\"", b":"] {
        at = skip(at);
        if !body.get(at..)?.starts_with(expected) {
            return None;
        }
        at += expected.len();
    }
    let start = skip(at);
    let digits = body
        .get(start..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = skip(start + digits);
    // Up to 18 digits always fit an i64; JSON allows no leading zero; what follows must end
    // the member.
    let leading_zero = digits > 1 && body[start] == b'0';
    if !(1..=18).contains(&digits) || leading_zero || !matches!(body.get(end), Some(b',' | b'}')) {
        return None;
    }
    std::str::from_utf8(&body[start..start + digits])
        .ok()?
        .parse()
        .ok()
}

fn service_error(
    op: &'static OperationSpec,
    code: i64,
    message: Option<String>,
    raw: &RawResponse,
) -> Error {
    Error::Service {
        operation: op.name,
        code,
        message: message.unwrap_or_default(),
        request_id: raw.request_id.clone(),
        http_status: raw.status,
    }
}

fn decode_error(op: &'static OperationSpec, path: String, message: String, body: &[u8]) -> Error {
    Error::Decode {
        operation: op.name,
        path,
        message,
        body_excerpt: excerpt(body, EXCERPT_BYTES),
    }
}

/// Runs `seed` over the body; an error names the path of the value it happened in.
fn decode_tracked<'de, S: DeserializeSeed<'de>>(
    op: &'static OperationSpec,
    body: &'de [u8],
    seed: S,
) -> Result<S::Value, Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let result = seed
        .deserialize(&mut json)
        .and_then(|value| json.end().map(|()| value));
    result.map_err(|e| {
        decode_error(
            op,
            crate::json_path::error_path(body, &e),
            e.to_string(),
            body,
        )
    })
}

/// A bare answer: the whole body is the data.
/// Whether the body is a JSON object with a `data` member.
fn has_data_member(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        data: Option<IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(body).is_ok_and(|p| p.data.is_some())
}

fn decode_bare<T: DeserializeOwned>(op: &'static OperationSpec, body: &[u8]) -> Result<T, Error> {
    if op.data == DataKind::String && serde_json::from_slice::<IgnoredAny>(body).is_err() {
        // Not JSON at all: take the text itself.
        let text = String::from_utf8_lossy(body).trim().to_string();
        return T::deserialize(text.into_deserializer())
            .map_err(|e: de::value::Error| decode_error(op, ".".into(), e.to_string(), body));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return decode_missing(op.data)
            .map_err(|e: de::value::Error| decode_error(op, ".".into(), e.to_string(), body));
    }
    decode_tracked(op, body, DataSeed::<T>(op.data, PhantomData))
}

/// The data of a kind whose answer has no `data` at all.
fn decode_missing<T: DeserializeOwned, E: de::Error>(kind: DataKind) -> Result<T, E> {
    match kind {
        DataKind::String => T::deserialize(String::new().into_deserializer()),
        DataKind::None => T::deserialize(().into_deserializer()),
        // A type that can stand for "nothing" (`serde_json::Value`, an `Option`: raw requests)
        // gets it, since the service leaves `data` out of some answers; an output struct needs
        // its data.
        DataKind::Object | DataKind::SingleItemList => {
            T::deserialize(().into_deserializer()).map_err(|_: E| E::missing_field("data"))
        }
    }
}

/// Walks the envelope object, decoding only `data`.
struct EnvelopeSeed<T>(DataKind, PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for EnvelopeSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for EnvelopeSeed<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with code, message and data")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut data = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "data" && data.is_none() {
                data = Some(map.next_value_seed(DataSeed::<T>(self.0, PhantomData))?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        match data {
            Some(data) => Ok(data),
            None => decode_missing(self.0),
        }
    }
}

/// Walks the envelope object once, keeping `code` and `message` as [`Head`] does (a repeated
/// one fails, as it does there) and decoding the first `data`. With [`Keep::Data`] the
/// message is checked for repeats but not decoded.
struct OnePassSeed<T>(DataKind, Keep, PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for OnePassSeed<T> {
    type Value = (Head, T);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for OnePassSeed<T> {
    type Value = (Head, T);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with code, message and data")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut code, mut message, mut data) = (None, None, None);
        let mut message_seen = false;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Code if code.is_some() => return Err(de::Error::duplicate_field("code")),
                Key::Code => code = Some(map.next_value::<Option<serde_json::Value>>()?),
                Key::Message if message_seen => return Err(de::Error::duplicate_field("message")),
                Key::Message => {
                    message_seen = true;
                    match self.1 {
                        Keep::Metadata => {
                            message = map.next_value::<Option<serde_json::Value>>()?
                        }
                        Keep::Data => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Key::Data if data.is_none() => {
                    data = Some(map.next_value_seed(DataSeed::<T>(self.0, PhantomData))?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let head = Head {
            code: code.flatten(),
            message,
        };
        let data = match data {
            Some(data) => data,
            None => decode_missing(self.0)?,
        };
        Ok((head, data))
    }
}

/// An envelope key, recognised without allocating.
enum Key {
    Code,
    Message,
    Data,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "code" => Key::Code,
            "message" => Key::Message,
            "data" => Key::Data,
            _ => Key::Other,
        })
    }
}

/// Decodes `data` according to its [`DataKind`].
struct DataSeed<T>(DataKind, PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for DataSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        match self.0 {
            DataKind::Object => T::deserialize(d),
            DataKind::SingleItemList => d.deserialize_any(SingleItem::<T>(PhantomData)),
            DataKind::String => {
                let text: Option<String> = crate::de::lenient(d)?;
                T::deserialize(text.unwrap_or_default().into_deserializer())
            }
            DataKind::None => {
                IgnoredAny::deserialize(d)?;
                T::deserialize(().into_deserializer())
            }
        }
    }
}

/// An object, or a list holding exactly one.
struct SingleItem<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for SingleItem<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or a list holding one object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        let first: T = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &"a list holding one object"))?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(2, &"a list holding one object"));
        }
        Ok(first)
    }
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
