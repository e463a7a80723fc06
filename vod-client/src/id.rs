//! Newtype identifiers: one Rust type per concept (`VideoId`, `NodeId`, ...), whatever the wire
//! spells. The generator declares each id from `api-spec/service.yaml`'s `ids:`; the impls
//! come from [`wire_id!`](crate::wire_id).

/// Implements conversions, `Display`, `FromStr`, serde (lenient: ids arrive as strings or
/// numbers) and [`WireText`](crate::wire::WireText) for a generated id newtype.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_id {
    ($name:ident(String)) => {
        impl $name {
            /// A new id from its text.
            pub fn new(id: impl Into<::std::string::String>) -> Self {
                $name(id.into())
            }
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The id's text, taken out.
            pub fn into_string(self) -> ::std::string::String {
                self.0
            }
        }
        impl ::std::convert::From<::std::string::String> for $name {
            fn from(id: ::std::string::String) -> Self {
                $name(id)
            }
        }
        impl ::std::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }
        impl ::std::convert::From<&::std::string::String> for $name {
            fn from(id: &::std::string::String) -> Self {
                $name(id.clone())
            }
        }
        impl ::std::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }
        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        // Sound: the derived `Hash`, `Eq` and `Ord` of a one-`String` newtype are the text's,
        // so maps keyed by the id can be searched with a `&str`.
        impl ::std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
        impl ::std::cmp::PartialEq<::std::string::String> for $name {
            fn eq(&self, other: &::std::string::String) -> bool {
                self.0 == *other
            }
        }
        impl ::std::cmp::PartialEq<$name> for ::std::string::String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
        impl ::std::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok($name(s.to_string()))
            }
        }
        impl $crate::wire::WireText for $name {
            fn wire_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(&self.0)
            }
        }
        impl $crate::wire::__serde::Serialize for $name {
            fn serialize<S: $crate::wire::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
        impl<'de> $crate::wire::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::wire::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as $crate::de::Lenient>::deserialize_lenient(deserializer)
                    .map($name)
            }
        }
        impl $crate::de::Lenient for $name {
            fn deserialize_lenient<'de, D: $crate::wire::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <Self as $crate::wire::__serde::Deserialize>::deserialize(deserializer)
            }
        }
    };
    ($name:ident(i64)) => {
        impl $name {
            /// A new id from its number.
            pub fn new(id: i64) -> Self {
                $name(id)
            }
            /// The id's number.
            pub fn get(self) -> i64 {
                self.0
            }
        }
        impl ::std::convert::From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }
        impl ::std::convert::From<i32> for $name {
            fn from(id: i32) -> Self {
                $name(i64::from(id))
            }
        }
        impl ::std::convert::From<&$name> for $name {
            fn from(id: &$name) -> Self {
                *id
            }
        }
        impl ::std::cmp::PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }
        impl ::std::cmp::PartialEq<$name> for i64 {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
        impl ::std::convert::From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                s.trim().parse::<i64>().map($name)
            }
        }
        impl $crate::wire::WireText for $name {
            fn wire_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Owned(self.0.to_string())
            }
        }
        impl $crate::wire::__serde::Serialize for $name {
            fn serialize<S: $crate::wire::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.0)
            }
        }
        impl<'de> $crate::wire::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::wire::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <i64 as $crate::de::Lenient>::deserialize_lenient(deserializer).map($name)
            }
        }
        impl $crate::de::Lenient for $name {
            fn deserialize_lenient<'de, D: $crate::wire::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <Self as $crate::wire::__serde::Deserialize>::deserialize(deserializer)
            }
        }
    };
}
