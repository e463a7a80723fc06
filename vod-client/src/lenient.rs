//! Optional answer fields that cannot be read: kept out of the way, and reported.
//!
//! The service is loose: a size may come as `""`, `"-"` or `"s"`, a time in a format nobody
//! documented. One such value must not sink a whole page of answers, yet it must not vanish
//! silently either. So, while the client decodes an answer ([`collect`]), an *optional* field
//! whose value its type refuses becomes `None` (or, for a time, [`Time::Unparsed`] holding the
//! text) and a [`DecodeWarning`] names its path and an excerpt of the value; the client logs
//! each with `tracing` and hands them out on [`Response::warnings`]. A required field that
//! cannot be read still fails the answer, and outside an answer (requests, `--input-json`,
//! the emulator's decoding, a user's own `serde_json::from_str`) nothing is salvaged: input a
//! person typed is refused loudly.
//!
//! How it stays cheap: the generated `deserialize_with` functions of optional fields run the
//! value's decoding through [`Refusing`], a deserializer adapter that notes the text of a
//! *scalar* its visitor refused (only then, and only inside [`collect`]). The field then
//! catches the error and takes the note. A value that is fine costs no allocation and no
//! thread-local access. Only scalars are salvaged: a refused object or list would leave the
//! parser in the middle of it, so those errors still fail the answer.
//!
//! [`Time::Unparsed`]: crate::Time::Unparsed
//! [`Response::warnings`]: crate::Response::warnings

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

/// An optional answer field that could not be read as its type and was left unset (or kept
/// as raw text). The rest of the answer decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeWarning {
    /// The field's path in the answer body, e.g. `data.videoListInfo[0].videoSize` (`?` when
    /// the position was not known).
    pub path: String,
    /// The start of the value as it came (at most 64 characters).
    pub excerpt: String,
    /// Why the value was refused.
    pub reason: String,
}

impl fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}` ({})", self.path, self.excerpt, self.reason)
    }
}

/// Longest value excerpt kept in a [`DecodeWarning`], in characters.
const EXCERPT_CHARS: usize = 64;

/// A refused value noted while decoding, before its path is known.
#[derive(Debug)]
pub(crate) struct Unread {
    excerpt: String,
    reason: String,
    /// serde_json's (1-based line, byte column) just after the value, when known.
    position: Option<(usize, usize)>,
}

/// What one [`collect`] scope gathered.
#[derive(Default)]
struct Scope {
    /// The raw text of the scalar a [`Refusing`] visitor just refused, waiting for the
    /// optional field around it to take it.
    refused: Option<String>,
    found: Vec<Unread>,
}

thread_local! {
    /// `Some` while an answer is being decoded on this thread. Decoding is synchronous, so a
    /// scope never spans an `.await`.
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Runs `decode` with salvaging on; returns its result and the values it left unread.
pub(crate) fn collect<T>(decode: impl FnOnce() -> T) -> (T, Vec<Unread>) {
    /// Puts back the enclosing scope (if any) even when `decode` unwinds.
    struct Restore(Option<Scope>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SCOPE.with(|s| *s.borrow_mut() = previous);
        }
    }
    let _restore = Restore(SCOPE.with(|s| s.replace(Some(Scope::default()))));
    let value = decode();
    let found = SCOPE
        .with(|s| s.borrow_mut().take())
        .map(|scope| scope.found)
        .unwrap_or_default();
    (value, found)
}

/// Notes the text of a refused scalar, inside a [`collect`] scope only.
fn note_refused(raw: impl FnOnce() -> String) {
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut() {
            scope.refused = Some(raw());
        }
    });
}

/// Takes the note of [`note_refused`], if the error on its way out came from there.
fn take_refused() -> Option<String> {
    SCOPE.with(|s| {
        s.borrow_mut()
            .as_mut()
            .and_then(|scope| scope.refused.take())
    })
}

fn record(raw: &str, error: &dyn fmt::Display) {
    let message = error.to_string();
    let (reason, position) = split_position(&message);
    let unread = Unread {
        excerpt: excerpt(raw),
        reason: reason.to_string(),
        position,
    };
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut() {
            scope.found.push(unread);
        }
    });
}

/// Decodes an optional field's present value with `read`; inside a [`collect`] scope, a
/// scalar the type refuses gives `keep(raw text)` (usually `None`) and a warning instead of
/// an error.
pub(crate) fn salvage<'de, D, T>(
    deserializer: D,
    read: impl FnOnce(Refusing<D>) -> Result<T, D::Error>,
    keep: impl FnOnce(String) -> Option<T>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    match read(Refusing(deserializer)) {
        Ok(value) => Ok(Some(value)),
        // Only a failure pays for the thread-local look-up.
        Err(error) => match take_refused() {
            Some(raw) => {
                record(&raw, &error);
                Ok(keep(raw))
            }
            None => Err(error),
        },
    }
}

/// serde_json writes `… at line L column C` after a message once the error has passed its
/// parser; the position is where the refused value ended.
fn split_position(message: &str) -> (&str, Option<(usize, usize)>) {
    let Some((reason, at)) = message.rsplit_once(" at line ") else {
        return (message, None);
    };
    let position = at
        .split_once(" column ")
        .and_then(|(line, column)| Some((line.parse().ok()?, column.parse().ok()?)));
    match position {
        Some(position) => (reason, Some(position)),
        None => (message, None),
    }
}

fn excerpt(raw: &str) -> String {
    match raw.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &raw[..end]),
        None => raw.to_string(),
    }
}

/// Turns what [`collect`] gathered from `body` into warnings, logging each once.
pub(crate) fn warnings(operation: &str, body: &[u8], found: Vec<Unread>) -> Vec<DecodeWarning> {
    found
        .into_iter()
        .map(|unread| {
            let path = match unread.position {
                Some((line, column)) => crate::json_path::path_at_position(body, line, column),
                None => "?".to_string(),
            };
            let warning = DecodeWarning {
                path,
                excerpt: unread.excerpt,
                reason: unread.reason,
            };
            tracing::warn!(
                operation,
                path = %warning.path,
                value = %warning.excerpt,
                reason = %warning.reason,
                "an optional answer field could not be read; left unset"
            );
            warning
        })
        .collect()
}

/// A deserializer adapter for one optional field's value: every visitor it is handed is
/// wrapped in [`RefusingVisitor`]. Nested values (list items, object members) are not
/// wrapped, so only the value itself is ever salvaged.
pub(crate) struct Refusing<D>(D);

macro_rules! refusing_methods {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(RefusingVisitor(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Refusing<D> {
    type Error = D::Error;

    refusing_methods!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_unit_struct(name, RefusingVisitor(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_newtype_struct(name, RefusingVisitor(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, RefusingVisitor(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_tuple_struct(name, len, RefusingVisitor(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, RefusingVisitor(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_enum(name, variants, RefusingVisitor(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Forwards every visit; when a *scalar* visit fails, notes the scalar's text first.
struct RefusingVisitor<V>(V);

macro_rules! refusing_scalars {
    ($($method:ident($t:ty)),*) => {
        $(
            fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
                self.0.$method(v).inspect_err(|_| note_refused(|| v.to_string()))
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for RefusingVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    refusing_scalars!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str)
    );

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        // The visitor takes the text; a copy is kept only where refusals are noted.
        let copy = SCOPE.with(|s| s.borrow().is_some()).then(|| v.clone());
        self.0.visit_string(v).inspect_err(|_| {
            if let Some(copy) = copy {
                note_refused(|| copy);
            }
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0
            .visit_unit()
            .inspect_err(|_| note_refused(String::new))
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.0.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.0.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.0.visit_byte_buf(v)
    }

    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.0.visit_some(d)
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.0.visit_newtype_struct(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(data)
    }
}

#[cfg(test)]
mod tests;
