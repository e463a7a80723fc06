//! Enumerations as the service spells them, and the text of wire values.
//!
//! The service adds states and codes without notice, and is loose about whether an integer
//! enum arrives as `1` or `"1"`. [`wire_enum!`](crate::wire_enum) therefore declares enums that
//! never fail to decode: unknown values land in an `Unknown(..)` variant that keeps the wire
//! value, so it can be logged, compared and sent back unchanged.

use std::borrow::Cow;
use std::fmt;

#[doc(hidden)]
pub use serde as __serde;

/// A generated enum: its known values, for help texts, validation and the emulator.
pub trait WireEnum {
    /// Every known value, in declaration order.
    fn known() -> &'static [KnownValue];
}

/// One documented value of a [`WireEnum`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownValue {
    /// The value as it travels (`"1"`, `"mp4"`).
    pub wire: &'static str,
    /// The variant's name (`"blocked"`), what `Display` prints and `FromStr` reads.
    pub name: &'static str,
    /// What the value means.
    pub doc: &'static str,
}

/// The text of a value as it travels on the wire; lets waiters compare a state field with
/// the spec's success and failure values whatever the field's Rust type is.
pub trait WireText {
    /// The wire value as text (`"1"`, `"success"`).
    fn wire_text(&self) -> Cow<'_, str>;

    /// Serializes the wire text as a string. Numbers format straight into the serializer
    /// instead: answers carry many numbers as text, and a `String` for each was a measurable
    /// share of the emulator's cost per answer (BENCHMARKS.md).
    fn serialize_wire_text<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>
    where
        Self: Sized,
    {
        serializer.serialize_str(&self.wire_text())
    }
}

/// Numbers travel as their decimal text.
macro_rules! numbers_as_text {
    ($($number:ty),*) => {$(
        impl WireText for $number {
            fn wire_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }

            fn serialize_wire_text<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}

numbers_as_text!(i32, i64, u32, u64, f64);

impl WireText for bool {
    fn wire_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl WireText for String {
    fn wire_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl WireText for &str {
    fn wire_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl WireText for str {
    fn wire_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

/// Parsing a wire enum from text that is not one of its wire values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseWireEnumError {
    /// The enum's name.
    pub enum_name: &'static str,
    /// The text that was given.
    pub input: String,
}

impl fmt::Display for ParseWireEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a value of {}", self.input, self.enum_name)
    }
}

impl std::error::Error for ParseWireEnumError {}

/// The description of a value from its doc lines: joined, trimmed. `const` so that
/// [`WireEnum::known`] can hand out a static table.
#[doc(hidden)]
pub const fn __doc(text: &'static str) -> &'static str {
    text.trim_ascii()
}

/// Whether `input` spells the variant name `name` (snake_case), also in kebab-case or any
/// letter case, so `"in-progress"`, `"IN_PROGRESS"` and `"in_progress"` all match.
#[doc(hidden)]
pub fn __name_matches(name: &str, input: &str) -> bool {
    let input = input.trim();
    name.len() == input.len()
        && name.bytes().zip(input.bytes()).all(|(n, i)| {
            let i = if i == b'-' { b'_' } else { i };
            n.eq_ignore_ascii_case(&i)
        })
}

/// Whether `input` is the variant name `name` exactly, in snake_case or kebab-case
/// (`source_only`, `source-only`). Stricter than [`__name_matches`] on purpose: decoding must not
/// read a differently cased wire value (`"MP4"`) as a known one.
#[doc(hidden)]
pub fn __name_is(name: &str, input: &str) -> bool {
    name.len() == input.len()
        && name
            .bytes()
            .zip(input.bytes())
            .all(|(n, i)| n == i || (n == b'_' && i == b'-'))
}

/// Declares an enum of wire values (integers or strings).
///
/// Adds `#[non_exhaustive]`, an `Unknown(i64)` / `Unknown(String)` variant for values this
/// version does not know, derives `Debug, Clone, PartialEq, Eq, Hash`, and implements lenient
/// `Deserialize` (integer enums accept `1` and `"1"`; both kinds also accept a variant name,
/// snake or kebab case, as request input may give it) and `Serialize` (both the wire value),
/// `Display`, `as_str()` and `FromStr` by the variant's name (`blocked`; `FromStr` also takes
/// kebab-case and the wire value; an unknown value prints as its wire value, so it round-trips),
/// [`WireText`], `wire_value()`, `from_wire()` and [`WireEnum`]. Variant docs are required and
/// pass through.
///
/// Generated code is its only intended user; it is public because the generated modules are
/// compiled inside this crate's users' dependency graph.
///
/// ```
/// vod_client::wire_enum! {
///     /// Whether a video can be played.
///     pub enum VideoState(i64) {
///         /// The video is enabled.
///         #[name = "enabled"]
///         Enabled = 0,
///         /// The video is blocked.
///         #[name = "blocked"]
///         Blocked = 1,
///     }
/// }
/// let state: VideoState = serde_json::from_str("\"1\"").unwrap();
/// assert_eq!(state, VideoState::Blocked);
/// assert_eq!(state.to_string(), "blocked");
/// assert_eq!("blocked".parse(), Ok(VideoState::Blocked));
/// assert_eq!("1".parse(), Ok(VideoState::Blocked));
/// assert_eq!(VideoState::from_wire(7), VideoState::Unknown(7));
/// assert_eq!(serde_json::to_string(&VideoState::Enabled).unwrap(), "0");
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident(i64) {
            $(
                $(#[doc = $doc:literal])*
                #[name = $vname:literal]
                $variant:ident = $value:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[doc = $doc])*
                $variant,
            )*
            /// A value this version of the SDK does not know; holds the wire value.
            Unknown(i64),
        }

        impl $name {
            /// The value for a wire integer (`Unknown` when not a known value).
            pub fn from_wire(value: i64) -> Self {
                match value {
                    $($value => $name::$variant,)*
                    other => $name::Unknown(other),
                }
            }

            /// The integer sent on the wire.
            pub fn wire_value(&self) -> i64 {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(other) => *other,
                }
            }

            /// The variant's name (`"blocked"`); `"unknown"` for a value this version does
            /// not know (its `Display` shows the wire value).
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $vname,)*
                    $name::Unknown(_) => "unknown",
                }
            }
        }

        impl $crate::wire::WireEnum for $name {
            fn known() -> &'static [$crate::wire::KnownValue] {
                const KNOWN: &[$crate::wire::KnownValue] = &[$($crate::wire::KnownValue {
                    wire: stringify!($value),
                    name: $vname,
                    doc: $crate::wire::__doc(concat!($($doc, "\n",)* "")),
                }),*];
                KNOWN
            }
        }

        impl $crate::wire::WireText for $name {
            fn wire_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Owned(self.wire_value().to_string())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $name::Unknown(other) => ::std::fmt::Display::fmt(other, f),
                    known => f.write_str(known.as_str()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::wire::ParseWireEnumError;
            /// Parses a variant name (snake_case or kebab-case, any letter case) or the wire
            /// integer (surrounding spaces allowed).
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                $(if $crate::wire::__name_matches($vname, s) {
                    return Ok($name::$variant);
                })*
                s.trim().parse::<i64>().map(Self::from_wire).map_err(|_| {
                    $crate::wire::ParseWireEnumError {
                        enum_name: stringify!($name),
                        input: s.to_string(),
                    }
                })
            }
        }

        impl $crate::wire::__serde::Serialize for $name {
            fn serialize<S: $crate::wire::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.wire_value())
            }
        }

        impl<'de> $crate::wire::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::wire::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::de::__int_enum(deserializer, Self::from_wire, |text| {
                    $(if $crate::wire::__name_is($vname, text) {
                        return Some($name::$variant);
                    })*
                    None
                })
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
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident(String) {
            $(
                $(#[doc = $doc:literal])*
                #[name = $vname:literal]
                $variant:ident = $value:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[doc = $doc])*
                $variant,
            )*
            /// A value this version of the SDK does not know; holds the wire value.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The value for a wire string (exact match; `Unknown` otherwise).
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $($value => $name::$variant,)*
                    other => $name::Unknown(other.to_string()),
                }
            }

            /// The string sent on the wire.
            pub fn wire_value(&self) -> &str {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// The variant's name (`"mp4"`); `"unknown"` for a value this version does not
            /// know (its `Display` shows the wire value).
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $vname,)*
                    $name::Unknown(_) => "unknown",
                }
            }
        }

        impl $crate::wire::WireEnum for $name {
            fn known() -> &'static [$crate::wire::KnownValue] {
                const KNOWN: &[$crate::wire::KnownValue] = &[$($crate::wire::KnownValue {
                    wire: $value,
                    name: $vname,
                    doc: $crate::wire::__doc(concat!($($doc, "\n",)* "")),
                }),*];
                KNOWN
            }
        }

        impl $crate::wire::WireText for $name {
            fn wire_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.wire_value())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $name::Unknown(other) => f.write_str(other),
                    known => f.write_str(known.as_str()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::wire::ParseWireEnumError;
            /// Parses a variant name (snake_case or kebab-case, any letter case) or the exact
            /// wire text; any other text is kept as `Unknown`.
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                $(if $crate::wire::__name_matches($vname, s) {
                    return Ok($name::$variant);
                })*
                Ok(Self::from_wire(s))
            }
        }

        impl $crate::wire::__serde::Serialize for $name {
            fn serialize<S: $crate::wire::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.wire_value())
            }
        }

        impl<'de> $crate::wire::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::wire::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::string::String as $crate::de::Lenient>::deserialize_lenient(
                    deserializer,
                )?;
                // The wire value first; then a variant name, as request input may give it.
                $(if text == $value || $crate::wire::__name_is($vname, &text) {
                    return Ok($name::$variant);
                })*
                Ok($name::Unknown(text))
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

#[cfg(test)]
mod tests {
    use super::{WireEnum, WireText};
    use std::collections::HashSet;

    crate::wire_enum! {
        /// Whether a video can be played.
        pub enum VideoState(i64) {
            /// The video is enabled.
            #[name = "enabled"]
            Enabled = 0,
            /// The video is blocked.
            ///
            /// Second paragraph.
            #[name = "blocked"]
            Blocked = 1,
            /// Negative values work too.
            #[name = "gone_for_good"]
            Gone = -1,
        }
    }

    crate::wire_enum! {
        /// Output container.
        pub enum OutputSuffix(String) {
            /// Flash video.
            #[name = "flash"]
            Flv = "flv",
            /// MPEG-4.
            #[name = "mp4"]
            Mp4 = "mp4",
        }
    }

    #[test]
    fn integer_enum_decodes_numbers_and_strings() {
        let decode = |t: &str| serde_json::from_str::<VideoState>(t);
        assert_eq!(decode("1").ok(), Some(VideoState::Blocked));
        assert_eq!(decode("\"1\"").ok(), Some(VideoState::Blocked));
        assert_eq!(decode("\" 0 \"").ok(), Some(VideoState::Enabled));
        assert_eq!(decode("-1").ok(), Some(VideoState::Gone));
        assert_eq!(decode("1.0").ok(), Some(VideoState::Blocked));
        assert_eq!(decode("9").ok(), Some(VideoState::Unknown(9)));
        assert_eq!(decode("\"blocked\"").ok(), Some(VideoState::Blocked));
        assert_eq!(decode("\"gone-for-good\"").ok(), Some(VideoState::Gone));
        assert!(decode("\"Blocked\"").is_err());
        assert!(decode("\"x\"").is_err());
        assert!(decode("null").is_err());
        assert!(decode("1.5").is_err());
    }

    #[test]
    fn integer_enum_encodes_and_prints_wire_value() {
        assert_eq!(
            serde_json::to_string(&VideoState::Blocked).ok().as_deref(),
            Some("1")
        );
        assert_eq!(
            serde_json::to_string(&VideoState::Unknown(42))
                .ok()
                .as_deref(),
            Some("42")
        );
        assert_eq!(VideoState::Gone.to_string(), "gone_for_good");
        assert_eq!(VideoState::Gone.as_str(), "gone_for_good");
        assert_eq!(VideoState::Unknown(42).to_string(), "42");
        assert_eq!(VideoState::Unknown(42).as_str(), "unknown");
        assert_eq!(VideoState::Blocked.wire_value(), 1);
        assert_eq!(VideoState::Blocked.wire_text(), "1");
        assert_eq!("1".parse::<VideoState>(), Ok(VideoState::Blocked));
        assert_eq!("blocked".parse::<VideoState>(), Ok(VideoState::Blocked));
        assert_eq!("gone-for-good".parse::<VideoState>(), Ok(VideoState::Gone));
        assert_eq!(
            " GONE_FOR_GOOD ".parse::<VideoState>(),
            Ok(VideoState::Gone)
        );
        assert_eq!("42".parse::<VideoState>(), Ok(VideoState::Unknown(42)));
        assert_eq!(" 5 ".parse::<VideoState>(), Ok(VideoState::Unknown(5)));
        let err = "x".parse::<VideoState>().expect_err("not a number");
        assert_eq!(err.to_string(), "`x` is not a value of VideoState");
    }

    #[test]
    fn string_enum_round_trips() {
        let decode = |t: &str| serde_json::from_str::<OutputSuffix>(t);
        assert_eq!(decode("\"mp4\"").ok(), Some(OutputSuffix::Mp4));
        assert_eq!(
            decode("\"MP4\"").ok(),
            Some(OutputSuffix::Unknown("MP4".into()))
        );
        assert_eq!(
            decode("\"webm\"").ok(),
            Some(OutputSuffix::Unknown("webm".into()))
        );
        assert_eq!(decode("3").ok(), Some(OutputSuffix::Unknown("3".into())));
        assert_eq!(decode("\"flash\"").ok(), Some(OutputSuffix::Flv));
        assert_eq!(
            serde_json::to_string(&OutputSuffix::Flv).ok().as_deref(),
            Some("\"flv\"")
        );
        assert_eq!(
            serde_json::to_string(&OutputSuffix::Unknown("x".into()))
                .ok()
                .as_deref(),
            Some("\"x\"")
        );
        assert_eq!(OutputSuffix::Mp4.to_string(), "mp4");
        assert_eq!("flv".parse::<OutputSuffix>(), Ok(OutputSuffix::Flv));
        assert_eq!("flash".parse::<OutputSuffix>(), Ok(OutputSuffix::Flv));
        assert_eq!(OutputSuffix::Flv.to_string(), "flash");
        assert_eq!(OutputSuffix::Unknown("webm".into()).to_string(), "webm");
        assert_eq!(OutputSuffix::Flv.wire_text(), "flv");
        assert_eq!(OutputSuffix::Mp4.wire_value(), "mp4");
    }

    #[test]
    fn known_values_carry_docs() {
        let table = |known: &[super::KnownValue]| -> Vec<(String, String, String)> {
            known
                .iter()
                .map(|k| (k.wire.into(), k.name.into(), k.doc.into()))
                .collect()
        };
        let row = |w: &str, n: &str, d: &str| (w.to_string(), n.to_string(), d.to_string());
        assert_eq!(
            table(VideoState::known()),
            [
                row("0", "enabled", "The video is enabled."),
                row(
                    "1",
                    "blocked",
                    "The video is blocked.\n\n Second paragraph."
                ),
                row("-1", "gone_for_good", "Negative values work too."),
            ]
        );
        assert_eq!(
            table(OutputSuffix::known()),
            [
                row("flv", "flash", "Flash video."),
                row("mp4", "mp4", "MPEG-4.")
            ]
        );
    }

    #[test]
    fn derives_hold() {
        let set: HashSet<VideoState> = [VideoState::Enabled, VideoState::Enabled].into();
        assert_eq!(set.len(), 1);
        let copy = OutputSuffix::Mp4.clone();
        assert_eq!(format!("{copy:?}"), "Mp4");
    }

    #[test]
    fn scalar_wire_text() {
        assert_eq!(7_i32.wire_text(), "7");
        assert_eq!((-7_i64).wire_text(), "-7");
        assert_eq!(true.wire_text(), "true");
        assert_eq!(String::from("done").wire_text(), "done");
        assert_eq!("x".wire_text(), "x");
    }
}
