//! Lenient decoding of scalar fields.
//!
//! The service is loose about JSON types: the same field arrives as `12` from one endpoint and
//! `"12"` from another (sizes, durations, states, totals), booleans come as `0`/`1`, lists come
//! as `null`. Generated structs mark scalar and list fields with
//! `#[serde(deserialize_with = "crate::de::lenient")]`, so one odd field does not fail a whole
//! answer, while a value that really cannot be read still fails with the field's path.
//!
//! The work is done by a small deserializer adapter (`Loose`) that sits between a
//! type's own `Deserialize` impl and the real deserializer: when the type asks for an integer
//! and finds a string, the adapter parses it. This keeps the hot path free of intermediate
//! `serde_json::Value`s and makes list elements lenient too (`["1", 2]` as `Vec<i32>`), whatever
//! their type, without needing a trait impl on the element type.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, SeqAccess, Unexpected, Visitor,
};

/// A type that [`lenient`] can decode from loosely typed JSON.
pub trait Lenient: Sized {
    /// Decodes `Self`, accepting the service's alternative spellings of the value.
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// `deserialize_with` target for loosely typed fields.
///
/// - integers accept numbers and numeric strings (`12`, `"12"`, `" 12 "`, `"1.0"`, `1.0`), but
///   not fractions;
/// - floats accept numbers and numeric strings;
/// - strings accept strings, numbers and booleans (as their text);
/// - booleans accept `true`/`false`, `0`/`1`, and those as strings;
/// - lists accept `null` (empty), and their elements are lenient too;
/// - `Option<T>` accepts `null` as `None` (and a missing field with `#[serde(default)]`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Video {
///     #[serde(default, deserialize_with = "vod_client::de::lenient")]
///     size: Option<i64>,
/// }
/// let v: Video = serde_json::from_str(r#"{"size": "1024"}"#).unwrap();
/// assert_eq!(v.size, Some(1024));
/// ```
pub fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    T::deserialize_lenient(deserializer)
}

macro_rules! lenient_via_loose {
    ($($t:ty),*) => {
        $(
            impl Lenient for $t {
                fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    <$t as de::Deserialize>::deserialize(Loose(d))
                }
            }
        )*
    };
}

lenient_via_loose!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, String);

impl<T: Lenient> Lenient for Option<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(OptionVisitor(PhantomData))
    }
}

impl<T: DeserializeOwned> Lenient for Vec<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for OptionVisitor<T> {
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

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // An optional answer field the type refuses is left unset, with a warning.
        crate::lenient::salvage(d, T::deserialize_lenient, |_| None)
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Vec::<T>::deserialize_lenient(d)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        if s.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::invalid_type(Unexpected::Str(s), &self))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(LooseSeed(PhantomData))? {
            items.push(item);
        }
        Ok(items)
    }
}

/// Decodes one list element through [`Loose`].
struct LooseSeed<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for LooseSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::deserialize(Loose(d))
    }
}

/// A deserializer adapter: scalar requests (`deserialize_i32`, `deserialize_string`,
/// `deserialize_bool`, ...) accept the other JSON spellings of the value; everything else
/// (objects, lists, enums) goes straight to the wrapped deserializer, so nested structs keep
/// their own field rules.
struct Loose<D>(D);

macro_rules! loose_numbers {
    ($integral:expr => $($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.deserialize_any(NumberVisitor { visitor, integral: $integral })
            }
        )*
    };
}

macro_rules! forward {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Loose<D> {
    type Error = D::Error;

    loose_numbers!(true => deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64,
        deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64,
        deserialize_u128);
    loose_numbers!(false => deserialize_f32, deserialize_f64);
    forward!(
        deserialize_any,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(BoolVisitor(visitor))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(TextVisitor(visitor))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(TextVisitor(visitor))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(TextVisitor(visitor))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_option(LooseOption(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Numbers, or strings holding them, for a visitor that asked for a number.
struct NumberVisitor<V> {
    visitor: V,
    /// The target is an integer type: floats must be integral.
    integral: bool,
}

impl<V> NumberVisitor<V> {
    fn expected(&self) -> &'static str {
        if self.integral {
            "an integer or a string holding one"
        } else {
            "a number or a string holding one"
        }
    }
}

impl<'de, V: Visitor<'de>> NumberVisitor<V> {
    fn float<E: de::Error>(self, x: f64, unexpected: Unexpected<'_>) -> Result<V::Value, E> {
        if !self.integral {
            return self.visitor.visit_f64(x);
        }
        // 2^63 is exactly representable; anything at or above it is out of i64 range.
        if x.fract() == 0.0
            && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x)
        {
            self.visitor.visit_i64(x as i64)
        } else {
            Err(E::invalid_value(unexpected, &"an integer"))
        }
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for NumberVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<V::Value, E> {
        self.visitor.visit_i64(n)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<V::Value, E> {
        self.visitor.visit_u64(n)
    }

    fn visit_i128<E: de::Error>(self, n: i128) -> Result<V::Value, E> {
        self.visitor.visit_i128(n)
    }

    fn visit_u128<E: de::Error>(self, n: u128) -> Result<V::Value, E> {
        self.visitor.visit_u128(n)
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        self.float(x, Unexpected::Float(x))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        let t = s.trim();
        if let Ok(n) = t.parse::<i64>() {
            return self.visitor.visit_i64(n);
        }
        if let Ok(n) = t.parse::<u64>() {
            return self.visitor.visit_u64(n);
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => self.float(x, Unexpected::Str(s)),
            _ => Err(E::invalid_value(Unexpected::Str(s), &self.expected())),
        }
    }
}

/// Decodes an integer enum from its wire integer (lenient, as [`lenient`] reads integers) or
/// from a variant name, so request input may say `"blocked"` as well as `1` or `"1"`.
/// `by_name` is tried first on text; generated enums pass their exact snake or kebab names.
#[doc(hidden)]
pub fn __int_enum<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    from_wire: fn(i64) -> T,
    by_name: fn(&str) -> Option<T>,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(IntOrName { from_wire, by_name })
}

struct IntOrName<T> {
    from_wire: fn(i64) -> T,
    by_name: fn(&str) -> Option<T>,
}

impl<T> IntOrName<T> {
    /// The number rules of [`NumberVisitor`], producing an `i64`.
    fn numbers(&self) -> NumberVisitor<WideInteger> {
        NumberVisitor {
            visitor: WideInteger,
            integral: true,
        }
    }
}

impl<'de, T> Visitor<'de> for IntOrName<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a string holding one, or a value name")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        Ok((self.from_wire)(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        self.numbers().visit_u64(n).map(self.from_wire)
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<T, E> {
        self.numbers().visit_f64(x).map(self.from_wire)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        match (self.by_name)(s) {
            Some(value) => Ok(value),
            None => self.numbers().visit_str(s).map(self.from_wire),
        }
    }
}

/// An `i64` from any integer the number rules let through (a `u64` above `i64::MAX` is refused).
struct WideInteger;

impl Visitor<'_> for WideInteger {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 64-bit integer")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<i64, E> {
        Ok(n)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<i64, E> {
        i64::try_from(n).map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
    }
}

/// Booleans, `0`/`1`, or strings holding either, for a visitor that asked for a bool.
struct BoolVisitor<V>(V);

const BOOL_EXPECTED: &str = "a boolean, 0 or 1";

impl<'de, V: Visitor<'de>> Visitor<'de> for BoolVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(BOOL_EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.0.visit_bool(b)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<V::Value, E> {
        match n {
            0 => self.0.visit_bool(false),
            1 => self.0.visit_bool(true),
            _ => Err(E::invalid_value(Unexpected::Signed(n), &BOOL_EXPECTED)),
        }
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<V::Value, E> {
        match n {
            0 => self.0.visit_bool(false),
            1 => self.0.visit_bool(true),
            _ => Err(E::invalid_value(Unexpected::Unsigned(n), &BOOL_EXPECTED)),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        let t = s.trim();
        if t == "1" || t.eq_ignore_ascii_case("true") {
            self.0.visit_bool(true)
        } else if t == "0" || t.eq_ignore_ascii_case("false") {
            self.0.visit_bool(false)
        } else {
            Err(E::invalid_value(Unexpected::Str(s), &BOOL_EXPECTED))
        }
    }
}

/// Text, or numbers and booleans as their decimal text, for a visitor that asked for text.
struct TextVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for TextVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a boolean")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        self.0.visit_str(s)
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<V::Value, E> {
        self.0.visit_borrowed_str(s)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<V::Value, E> {
        self.0.visit_string(s)
    }

    fn visit_char<E: de::Error>(self, c: char) -> Result<V::Value, E> {
        self.0.visit_char(c)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<V::Value, E> {
        self.0.visit_string(n.to_string())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<V::Value, E> {
        self.0.visit_string(n.to_string())
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        self.0.visit_string(x.to_string())
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.0.visit_string(b.to_string())
    }
}

/// `Option<T>` inside a lenient list or field: `null` is `None`, and the inner value is
/// decoded through [`Loose`] too.
struct LooseOption<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for LooseOption<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.0.visit_some(Loose(d))
    }
}

#[cfg(test)]
mod tests;
