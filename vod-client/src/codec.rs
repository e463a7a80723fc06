//! How fields travel when their wire form is not their Rust type's plain JSON.
//!
//! The spec says per field how a value travels (`wire: comma`, `base64_json`, ...); generated
//! structs name the matching codec in their serde attributes, e.g.
//! `#[serde(serialize_with = "crate::codec::serialize::<crate::codec::Comma, _, _>")]`. Users
//! see `Vec<VideoId>`, `u32`, [`Time`] or a struct; the bytes on the wire stay what the service
//! documents. Decoding is lenient where the service is loose, and also accepts the decoded form
//! (a JSON array for a comma list, a JSON array for base64 of JSON), so `--input-json` takes the
//! vendor's examples as well as plain JSON.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use base64::Engine;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::de::Lenient;
use crate::time::Time;
use crate::wire::WireText;

/// Writing values of type `T` in one wire encoding. Apart from [`Decode`], so that a type
/// that only travels one way needs only that direction's serde impl.
pub trait Encode<T> {
    /// Writes `value` in its wire form.
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Reading values of type `T` from one wire encoding.
pub trait Decode<T> {
    /// Reads a value from its wire form (or, where unambiguous, its plain JSON form).
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;

    /// Like [`Decode::decode`], for an optional field: refuses, inside the value's visitor, a
    /// value that `decode` would keep in a degraded form (a time that does not read as one),
    /// so that the field can report it; see [`Decode::keep_unread`].
    fn decode_checked<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        Self::decode(deserializer)
    }

    /// What an optional answer field keeps of a value it could not read: nothing, unless the
    /// type can hold the raw text (as [`Time::Unparsed`] does).
    fn keep_unread(_raw: String) -> Option<T> {
        None
    }
}

/// `serialize_with` for a required field.
pub fn serialize<C: Encode<T>, T, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    C::encode(value, serializer)
}

/// `deserialize_with` for a required field.
pub fn deserialize<'de, C: Decode<T>, T, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    C::decode(deserializer)
}

/// `serialize_with` for an optional field (`None` is skipped by `skip_serializing_if`).
pub fn serialize_option<C: Encode<T>, T, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => C::encode(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// `deserialize_with` for an optional field: `null` is `None`.
pub fn deserialize_option<'de, C: Decode<T>, T, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    struct OptionVisitor<C, T>(PhantomData<(C, T)>);
    impl<'de, C: Decode<T>, T> Visitor<'de> for OptionVisitor<C, T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a value or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            // An optional answer field the type refuses is left unset (or kept as its raw
            // text, where the type allows), with a warning.
            crate::lenient::salvage(d, C::decode_checked, C::keep_unread)
        }
    }
    deserializer.deserialize_option(OptionVisitor::<C, T>(PhantomData))
}

/// A list as one comma-separated string: `["v1", "v2"]` travels as `"v1,v2"`.
#[derive(Debug)]
pub enum Comma {}

impl<T: WireText + FromStr> Encode<Vec<T>> for Comma
where
    T::Err: fmt::Display,
{
    fn encode<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::new();
        for (i, item) in value.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&item.wire_text());
        }
        serializer.serialize_str(&text)
    }
}

impl<T: WireText + FromStr> Decode<Vec<T>> for Comma
where
    T::Err: fmt::Display,
{
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        let items: Vec<String> = match Value::deserialize(deserializer)? {
            Value::Null => Vec::new(),
            Value::String(text) if text.trim().is_empty() => Vec::new(),
            Value::String(text) => text.split(',').map(str::to_string).collect(),
            Value::Array(items) => items
                .into_iter()
                .map(scalar_text)
                .collect::<Result<_, _>>()
                .map_err(de::Error::custom)?,
            other => vec![scalar_text(other).map_err(de::Error::custom)?],
        };
        items
            .iter()
            .map(|item| {
                item.parse::<T>()
                    .map_err(|e| de::Error::custom(format!("list item `{item}`: {e}")))
            })
            .collect()
    }
}

/// A JSON scalar as text (`1` → `"1"`); objects and lists are refused.
fn scalar_text(value: Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("expected text or a number, got {other}")),
    }
}

/// URL-safe base64, padded, of the value's JSON. Reading also accepts the standard alphabet,
/// missing padding, and the plain JSON value itself.
#[derive(Debug)]
pub enum Base64Json {}

/// URL-safe or standard alphabet, padding optional: what users paste varies.
const LENIENT_BASE64: base64::engine::GeneralPurposeConfig =
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);

impl<T: Serialize> Encode<T> for Base64Json {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_vec(value).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&base64::engine::general_purpose::URL_SAFE.encode(json))
    }
}

impl<T: DeserializeOwned> Decode<T> for Base64Json {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => {
                let text = text.trim();
                if text.starts_with(['[', '{']) {
                    return serde_json::from_str(text).map_err(de::Error::custom);
                }
                let url_safe = base64::engine::GeneralPurpose::new(
                    &base64::alphabet::URL_SAFE,
                    LENIENT_BASE64,
                );
                let standard = base64::engine::GeneralPurpose::new(
                    &base64::alphabet::STANDARD,
                    LENIENT_BASE64,
                );
                let bytes = url_safe
                    .decode(text)
                    .or_else(|_| standard.decode(text))
                    .map_err(|e| de::Error::custom(format!("not base64: {e}")))?;
                serde_json::from_slice(&bytes).map_err(|e| {
                    de::Error::custom(format!(
                        "base64 of something that is not the expected JSON: {e}"
                    ))
                })
            }
            other => T::deserialize(other).map_err(de::Error::custom),
        }
    }
}

/// The value's JSON, as a string. Reading also accepts the plain JSON value.
#[derive(Debug)]
pub enum JsonText {}

impl<T: Serialize> Encode<T> for JsonText {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&json)
    }
}

impl<T: DeserializeOwned> Decode<T> for JsonText {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => serde_json::from_str(&text).map_err(de::Error::custom),
            other => T::deserialize(other).map_err(de::Error::custom),
        }
    }
}

/// A number (or numeric id) as its decimal text: `12` travels as `"12"`; reading accepts both.
#[derive(Debug)]
pub enum Text {}

impl<T: WireText + Lenient> Encode<T> for Text {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize_wire_text(serializer)
    }
}

impl<T: WireText + Lenient> Decode<T> for Text {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::deserialize_lenient(deserializer)
    }
}

/// An object as `{key:value,key:value}` text, without quotes (pullVideo's `cmd`). Unset members
/// are left out. Reading also accepts the plain JSON object.
#[derive(Debug)]
pub enum BracedPairs {}

impl<T: Serialize> Encode<T> for BracedPairs {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        // Through JSON text, read back in order: the members keep the struct's order whatever
        // serde_json's map type is (its `preserve_order` feature is on in some builds only).
        let json = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
        let OrderedMembers(members) = serde_json::from_str(&json)
            .map_err(|_| serde::ser::Error::custom("braced pairs need an object"))?;
        let mut text = String::from("{");
        for (key, value) in members.iter().filter(|(_, v)| !v.is_null()) {
            if text.len() > 1 {
                text.push(',');
            }
            text.push_str(key);
            text.push(':');
            match value {
                Value::String(s) => text.push_str(s),
                other => text.push_str(&other.to_string()),
            }
        }
        text.push('}');
        serializer.serialize_str(&text)
    }
}

impl<T: DeserializeOwned> Decode<T> for BracedPairs {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => {
                let inner = text.trim();
                let inner = inner
                    .strip_prefix('{')
                    .and_then(|t| t.strip_suffix('}'))
                    .ok_or_else(|| {
                        de::Error::custom(format!("`{text}` is not of the form {{key:value,...}}"))
                    })?;
                let mut members = serde_json::Map::new();
                for pair in inner.split(',').filter(|p| !p.trim().is_empty()) {
                    let (key, value) = pair
                        .split_once(':')
                        .ok_or_else(|| de::Error::custom(format!("`{pair}` is not key:value")))?;
                    members.insert(
                        key.trim().to_string(),
                        Value::String(value.trim().to_string()),
                    );
                }
                T::deserialize(Value::Object(members)).map_err(de::Error::custom)
            }
            other => T::deserialize(other).map_err(de::Error::custom),
        }
    }
}

/// A JSON object's members in the order they were written.
struct OrderedMembers(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = OrderedMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    members.push(entry);
                }
                Ok(OrderedMembers(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A [`Time`] as `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8).
#[derive(Debug)]
pub enum DateTime {}

impl Encode<Time> for DateTime {
    fn encode<S: Serializer>(value: &Time, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&value.service_text())
    }
}

impl Decode<Time> for DateTime {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        let text = String::deserialize_lenient(deserializer)?;
        Ok(datetime_text(&text).unwrap_or(Time::Unparsed(text)))
    }

    fn decode_checked<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        deserializer.deserialize_any(TimeVisitor {
            text: datetime_text,
            number: None,
        })
    }

    fn keep_unread(raw: String) -> Option<Time> {
        unread_time(raw)
    }
}

/// The service's text first (what answers carry, and the cheapest check), then every form a
/// person types: RFC 3339 with any offset, or a date alone (see [`Time`]'s `FromStr`).
fn datetime_text(text: &str) -> Result<Time, crate::time::ParseTimeError> {
    match Time::from_service_text(text) {
        Time::At(at) => Ok(Time::At(at)),
        Time::Unparsed(_) => text.parse(),
    }
}

/// An unreadable optional time keeps its text, unless there is none to keep.
fn unread_time(raw: String) -> Option<Time> {
    (!raw.trim().is_empty()).then_some(Time::Unparsed(raw))
}

/// Reads a time inside the visitor, so that a refusal happens where
/// [`crate::lenient`] can note the value.
struct TimeVisitor {
    text: fn(&str) -> Result<Time, crate::time::ParseTimeError>,
    /// How a JSON number reads (`None`: numbers are refused).
    number: Option<fn(i64) -> Time>,
}

impl<'de> Visitor<'de> for TimeVisitor {
    type Value = Time;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number {
            Some(_) => f.write_str("a number of seconds or milliseconds, or a time as text"),
            None => f.write_str("a time as text"),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Time, E> {
        (self.text)(text).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Time, E> {
        match self.number {
            Some(from) => Ok(from(n)),
            None => Err(E::invalid_type(de::Unexpected::Signed(n), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Time, E> {
        match i64::try_from(n) {
            Ok(n) => self.visit_i64(n),
            Err(_) => Err(E::invalid_value(de::Unexpected::Unsigned(n), &self)),
        }
    }
}

/// A [`Time`] as Unix seconds (a JSON number; numeric text is read too).
#[derive(Debug)]
pub enum UnixSeconds {}

/// A [`Time`] as Unix milliseconds (a JSON number; numeric text is read too).
#[derive(Debug)]
pub enum UnixMillis {}

impl Encode<Time> for UnixSeconds {
    fn encode<S: Serializer>(value: &Time, serializer: S) -> Result<S::Ok, S::Error> {
        encode_unix(value, Time::timestamp_seconds, serializer)
    }
}

impl Decode<Time> for UnixSeconds {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        decode_unix(deserializer, Time::from_unix_seconds)
    }

    fn decode_checked<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        deserializer.deserialize_any(TimeVisitor {
            text: |text| unix_text(text, Time::from_unix_seconds),
            number: Some(Time::from_unix_seconds),
        })
    }

    fn keep_unread(raw: String) -> Option<Time> {
        unread_time(raw)
    }
}

impl Encode<Time> for UnixMillis {
    fn encode<S: Serializer>(value: &Time, serializer: S) -> Result<S::Ok, S::Error> {
        encode_unix(value, Time::timestamp_millis, serializer)
    }
}

impl Decode<Time> for UnixMillis {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        decode_unix(deserializer, Time::from_unix_millis)
    }

    fn decode_checked<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        deserializer.deserialize_any(TimeVisitor {
            text: |text| unix_text(text, Time::from_unix_millis),
            number: Some(Time::from_unix_millis),
        })
    }

    fn keep_unread(raw: String) -> Option<Time> {
        unread_time(raw)
    }
}

impl Time {
    fn timestamp_seconds(&self) -> Option<i64> {
        self.timestamp().map(|t| t.as_second())
    }
    fn timestamp_millis(&self) -> Option<i64> {
        self.timestamp().map(|t| t.as_millisecond())
    }
}

fn encode_unix<S: Serializer>(
    value: &Time,
    units: fn(&Time) -> Option<i64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match (units(value), value.raw()) {
        (Some(n), _) => serializer.serialize_i64(n),
        // Unparsed text goes back as it came: as a number when it is one.
        (None, Some(raw)) => match raw.trim().parse::<i64>() {
            Ok(n) => serializer.serialize_i64(n),
            Err(_) => serializer.serialize_str(raw),
        },
        (None, None) => serializer.serialize_none(),
    }
}

fn decode_unix<'de, D: Deserializer<'de>>(
    deserializer: D,
    from: fn(i64) -> Time,
) -> Result<Time, D::Error> {
    let text = String::deserialize_lenient(deserializer)?;
    Ok(unix_text(&text, from).unwrap_or(Time::Unparsed(text)))
}

/// Numeric text as a count of units; other text as a person types a time (RFC 3339, the
/// service's text, a date), so request input may give a typed time for a Unix field.
fn unix_text(text: &str, from: fn(i64) -> Time) -> Result<Time, crate::time::ParseTimeError> {
    match text.trim().parse::<i64>() {
        Ok(n) => Ok(from(n)),
        Err(_) => text.parse(),
    }
}

#[cfg(test)]
mod tests;
