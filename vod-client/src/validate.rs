//! Checking a request against the limits the spec documents, before anything is sent.
//!
//! A request that breaks a limit costs a round trip and comes back with a vague code such as
//! `1000`; checking locally gives the caller every problem at once, each with the field's wire
//! path. Generated `validate()` bodies call the methods below with plain wire names; nested
//! objects implement [`Validate`] and are walked with [`Validator::nested`] and
//! [`Validator::nested_list`], which keep the path prefix (`urls[1].url`) so the nested code
//! never needs to know where it sits.

use crate::error::{FieldProblem, Violation};
use crate::operation::OperationSpec;
use crate::wire::{WireEnum, WireText};
use crate::Error;

/// A text format the spec documents for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// An absolute `http://` or `https://` URL with a host (callback addresses).
    Url,
    /// `yyyy-MM-dd HH:mm:ss`, the service's time-window format.
    DateTime,
    /// A file name with its extension (a `.`, no `/`): the service derives the media type
    /// from it and refuses a bare name with code 1000.
    FileName,
    /// `WIDTHxHEIGHT` in pixels, two positive whole numbers (`640x480`): an output size.
    Dimensions,
}

impl TextFormat {
    fn describe(self) -> &'static str {
        match self {
            TextFormat::Url => "an http:// or https:// URL",
            TextFormat::DateTime => "a time as yyyy-MM-dd HH:mm:ss",
            TextFormat::FileName => "a file name with an extension (and no `/`)",
            TextFormat::Dimensions => "WIDTHxHEIGHT in pixels, e.g. 640x480",
        }
    }

    fn accepts(self, text: &str) -> bool {
        match self {
            TextFormat::Url => {
                let rest = text
                    .strip_prefix("https://")
                    .or_else(|| text.strip_prefix("http://"));
                rest.is_some_and(|r| {
                    let host = r.split(['/', '?', '#']).next().unwrap_or_default();
                    !host.is_empty() && !r.contains(char::is_whitespace)
                })
            }
            TextFormat::DateTime => is_datetime(text),
            TextFormat::FileName => text.contains('.') && !text.contains('/'),
            TextFormat::Dimensions => text
                .split_once('x')
                .is_some_and(|(w, h)| is_positive_number(w) && is_positive_number(h)),
        }
    }
}

/// Decimal digits without a leading zero (the OpenAPI export's pattern says the same).
fn is_positive_number(text: &str) -> bool {
    !text.starts_with('0') && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `yyyy-MM-dd HH:mm:ss` with plausible field ranges (month 1-12, day 1-31, hour 0-23, ...).
fn is_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    let num = |from: usize, to: usize| text.get(from..to).and_then(|t| t.parse::<u32>().ok());
    shape
        && matches!(num(5, 7), Some(1..=12))
        && matches!(num(8, 10), Some(1..=31))
        && matches!(num(11, 13), Some(0..=23))
        && matches!(num(14, 16), Some(0..=59))
        && matches!(num(17, 19), Some(0..=59))
}

/// A count as `i64` for range checks; counts beyond `i64::MAX` saturate (and fail any bound).
pub fn as_i64<T: TryInto<i64>>(n: T) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// An object type (used inside requests) whose members have limits of their own.
pub trait Validate {
    /// Reports each member's problems to `v`, using the members' plain wire names; the
    /// validator adds the path of the enclosing field.
    fn validate_fields(&self, v: &mut Validator);
}

/// Collects the problems of one request.
#[derive(Debug)]
pub struct Validator {
    operation: &'static OperationSpec,
    prefix: String,
    problems: Vec<FieldProblem>,
}

impl Validator {
    /// Starts checking a request of `operation`.
    pub fn new(operation: &'static OperationSpec) -> Self {
        Validator {
            operation,
            prefix: String::new(),
            problems: Vec::new(),
        }
    }

    /// Records a problem with `field` (relative to the current nesting) that broke no rule
    /// more specific than [`Violation::Other`].
    pub fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.broke(field, Violation::Other, message);
    }

    /// Records that `field` (relative to the current nesting) broke `rule`.
    pub fn broke(&mut self, field: &str, rule: Violation, message: impl Into<String>) {
        let field = self.path(field);
        self.problems.push(FieldProblem::new(field, rule, message));
    }

    /// A required text parameter must not be empty (or only white space): the service
    /// answers such requests with a generic parameter error.
    pub fn required_text(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.broke(
                field,
                Violation::Missing,
                "is required and must not be empty",
            );
        }
    }

    /// An enum value must be one the spec documents. Answers keep unknown values
    /// (`Unknown(..)`) so that a new service value does not break decoding, but a request
    /// carrying one is almost always a typo (for example in `--input-json`), which the service
    /// would answer with a generic parameter error.
    pub fn known_value<T: WireEnum + WireText>(&mut self, field: &str, value: Option<&T>) {
        let Some(value) = value else { return };
        let text = value.wire_text();
        if T::known().iter().any(|k| k.wire == text) {
            return;
        }
        let allowed: Vec<&str> = T::known().iter().map(|k| k.wire).collect();
        let message = format!(
            "`{text}` is not a documented value (expected one of {})",
            allowed.join(", ")
        );
        self.broke(field, Violation::UnknownValue, message);
    }

    /// At least one of `fields` must be given (`present` says which are, in the same order):
    /// rules the service states across fields, such as "send taskId or transNo".
    pub fn at_least_one(&mut self, fields: &[&str], present: &[bool]) {
        if !present.iter().any(|p| *p) {
            let message = format!("at least one of {} must be given", fields.join(", "));
            self.broke(&fields.join("/"), Violation::AtLeastOne, message);
        }
    }

    /// Numeric text (some operations take page numbers as strings) must parse as a number
    /// and lie within the inclusive bounds, when present.
    pub fn numeric_text_range(
        &mut self,
        field: &str,
        value: Option<&str>,
        min: Option<f64>,
        max: Option<f64>,
    ) {
        let Some(text) = value else { return };
        match text.trim().parse::<f64>() {
            Ok(number) if number.is_finite() => self.number_range(field, Some(number), min, max),
            _ => self.broke(
                field,
                Violation::Shape,
                format!("must be a number, got `{text}`"),
            ),
        }
    }

    /// Text in a documented format, when present and not blank (blank text is the
    /// `required_text` check's business).
    pub fn text_format(&mut self, field: &str, value: Option<&str>, format: TextFormat) {
        let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
            return;
        };
        if !format.accepts(text) {
            self.broke(
                field,
                Violation::Format,
                format!("must be {}, got `{text}`", format.describe()),
            );
        }
    }

    /// An integer must lie within the inclusive bounds, when present.
    pub fn int_range(
        &mut self,
        field: &str,
        value: Option<i64>,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let Some(value) = value else { return };
        if let Some(min) = min.filter(|m| value < *m) {
            self.broke(
                field,
                Violation::TooSmall,
                format!("must be at least {min}, got {value}"),
            );
        }
        if let Some(max) = max.filter(|m| value > *m) {
            self.broke(
                field,
                Violation::TooLarge,
                format!("must be at most {max}, got {value}"),
            );
        }
    }

    /// A number must be finite and lie within the inclusive bounds, when present.
    pub fn number_range(
        &mut self,
        field: &str,
        value: Option<f64>,
        min: Option<f64>,
        max: Option<f64>,
    ) {
        let Some(value) = value else { return };
        if !value.is_finite() {
            self.broke(
                field,
                Violation::Shape,
                format!("must be a finite number, got {value}"),
            );
            return;
        }
        if let Some(min) = min.filter(|m| value < *m) {
            self.broke(
                field,
                Violation::TooSmall,
                format!("must be at least {min}, got {value}"),
            );
        }
        if let Some(max) = max.filter(|m| value > *m) {
            self.broke(
                field,
                Violation::TooLarge,
                format!("must be at most {max}, got {value}"),
            );
        }
    }

    /// A text's length in characters (not bytes: the service counts characters, and names
    /// are often Chinese) must lie within the inclusive bounds, when present.
    pub fn text_length(
        &mut self,
        field: &str,
        value: Option<&str>,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let Some(value) = value else { return };
        let len = value.chars().count();
        if let Some(min) = min.filter(|m| len < *m) {
            let unit = if min == 1 { "character" } else { "characters" };
            self.broke(
                field,
                Violation::TooSmall,
                format!("must have at least {min} {unit}, got {len}"),
            );
        }
        if let Some(max) = max.filter(|m| len > *m) {
            self.broke(
                field,
                Violation::TooLarge,
                format!("must have at most {max} characters, got {len}"),
            );
        }
    }

    /// A list's number of items must lie within the inclusive bounds, when present.
    pub fn item_count(
        &mut self,
        field: &str,
        count: Option<usize>,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let Some(count) = count else { return };
        if let Some(min) = min.filter(|m| count < *m) {
            self.broke(
                field,
                Violation::TooSmall,
                format!("must have at least {min} items, got {count}"),
            );
        }
        if let Some(max) = max.filter(|m| count > *m) {
            self.broke(
                field,
                Violation::TooLarge,
                format!("must have at most {max} items, got {count}"),
            );
        }
    }

    /// Checks a nested object; its problems are reported as `field.member`.
    pub fn nested<T: Validate + ?Sized>(&mut self, field: &str, value: &T) {
        let saved = self.enter(field);
        value.validate_fields(self);
        self.prefix.truncate(saved);
    }

    /// Checks each object of a list; problems are reported as `field[i].member`.
    pub fn nested_list<T: Validate>(&mut self, field: &str, items: &[T]) {
        for (i, item) in items.iter().enumerate() {
            let saved = self.enter(&format!("{field}[{i}]"));
            item.validate_fields(self);
            self.prefix.truncate(saved);
        }
    }

    /// Each item of a list sent comma-separated: not blank, and free of commas (which would
    /// split it in two on the wire).
    pub fn comma_items<T: AsRef<str>>(&mut self, field: &str, items: Option<&[T]>) {
        for (i, item) in items.unwrap_or_default().iter().enumerate() {
            let item = item.as_ref();
            if item.trim().is_empty() {
                self.broke(
                    &format!("{field}[{i}]"),
                    Violation::Missing,
                    "must not be empty",
                );
            } else if item.contains(',') {
                self.broke(
                    &format!("{field}[{i}]"),
                    Violation::Shape,
                    format!(
                        "must not contain a comma (the list is sent comma-separated), got `{item}`"
                    ),
                );
            }
        }
    }

    /// A time sent in a request must be one: text that did not read as a time is refused.
    pub fn time(&mut self, field: &str, value: Option<&crate::Time>) {
        if let Some(raw) = value.and_then(crate::Time::raw) {
            self.broke(
                field,
                Violation::Shape,
                format!("must be a time (yyyy-MM-dd HH:mm:ss in UTC+8, or RFC 3339), got `{raw}`"),
            );
        }
    }

    /// Ends the check: `Ok` when nothing was wrong, otherwise one
    /// [`Error::InvalidRequest`] listing every problem.
    pub fn finish(self) -> Result<(), Error> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidRequest {
                operation: self.operation.name,
                problems: self.problems,
            })
        }
    }

    /// Extends the prefix with `field`; returns the length to truncate back to.
    fn enter(&mut self, field: &str) -> usize {
        let saved = self.prefix.len();
        self.prefix = self.path(field);
        saved
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }
}

#[cfg(test)]
mod format_tests {
    use super::{is_datetime, TextFormat};

    #[test]
    fn datetime_shape_and_ranges() {
        assert!(is_datetime("2016-01-01 12:00:00"));
        assert!(is_datetime("2024-12-31 23:59:59"));
        for bad in [
            "2016-01-01T12:00:00",
            "2016-1-01 12:00:00",
            "2016-13-01 12:00:00",
            "2016-01-00 12:00:00",
            "2016-01-01 24:00:00",
            "2016-01-01 12:60:00",
            "",
            "２０１６-01-01 12:00:00",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn dimensions_are_two_positive_numbers() {
        for good in ["640x480", "1920x1080", "1x1"] {
            assert!(TextFormat::Dimensions.accepts(good), "{good}");
        }
        for bad in [
            "640", "640x", "x480", "0x480", "640x0", "064x48", "640X480", "6 40x480", "-1x2",
            "1x2x3",
        ] {
            assert!(!TextFormat::Dimensions.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn file_names_need_an_extension() {
        assert!(TextFormat::FileName.accepts("cat.mp4"));
        assert!(TextFormat::FileName.accepts("视频.final.mov"));
        for bad in ["cat", "dir/cat.mp4", ""] {
            assert!(!TextFormat::FileName.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn urls_need_a_scheme_and_host() {
        assert!(TextFormat::Url.accepts("https://example.com/n"));
        assert!(TextFormat::Url.accepts("http://127.0.0.1:8080"));
        for bad in [
            "example.com/n",
            "https://",
            "ftp://x",
            "https:///path",
            "https://a b",
        ] {
            assert!(!TextFormat::Url.accepts(bad), "{bad}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{BodyKind, DataKind, Envelope, HttpMethod};

    const OP: &OperationSpec = &OperationSpec {
        name: "pullVideo",
        method: HttpMethod::Post,
        path: "/vod/pullVideo",
        body: BodyKind::Json,
        envelope: Envelope::Standard,
        data: DataKind::String,
        retry_safe: false,
    };

    /// Ranges and lengths are inclusive at both ends: exactly at a bound is accepted, one past
    /// it is refused with the rule it broke.
    #[test]
    fn bounds_are_inclusive() {
        let verdict = |check: &dyn Fn(&mut Validator)| {
            let mut v = Validator::new(OP);
            check(&mut v);
            match v.finish() {
                Ok(()) => None,
                Err(Error::InvalidRequest { problems, .. }) => {
                    problems.first().map(|p| p.violation)
                }
                Err(other) => panic!("unexpected {other}"),
            }
        };
        let range = |n: i64| verdict(&|v| v.int_range("n", Some(n), Some(1), Some(5)));
        assert_eq!(range(1), None);
        assert_eq!(range(5), None);
        assert_eq!(range(0), Some(Violation::TooSmall));
        assert_eq!(range(6), Some(Violation::TooLarge));
        let text = |t: &str| verdict(&|v| v.text_length("t", Some(t), Some(2), Some(3)));
        assert_eq!(text("视频"), None);
        assert_eq!(text("abc"), None);
        assert_eq!(text("a"), Some(Violation::TooSmall));
        assert_eq!(text("abcd"), Some(Violation::TooLarge));
    }

    struct Url {
        url: String,
        name: Option<String>,
        inner: Option<Box<Url>>,
    }

    impl Validate for Url {
        fn validate_fields(&self, v: &mut Validator) {
            v.required_text("url", &self.url);
            v.text_length("name", self.name.as_deref(), None, Some(3));
            if let Some(inner) = &self.inner {
                v.nested("inner", inner.as_ref());
            }
        }
    }

    fn url(url: &str, name: Option<&str>) -> Url {
        Url {
            url: url.into(),
            name: name.map(Into::into),
            inner: None,
        }
    }

    fn fields(err: Error) -> Vec<String> {
        err.problems().iter().map(|p| p.field.clone()).collect()
    }

    #[test]
    fn nothing_wrong_is_ok() {
        let mut v = Validator::new(OP);
        v.int_range("pageSize", Some(10), Some(1), Some(50));
        v.int_range("pageIndex", None, Some(1), None);
        v.number_range("rate", Some(0.5), Some(0.0), Some(1.0));
        v.text_length("name", Some("视频视频"), Some(1), Some(4));
        v.item_count("ids", Some(2), Some(1), Some(2));
        v.required_text("videoId", "abc");
        v.nested_list("urls", &[url("http://a", None)]);
        assert!(v.finish().is_ok());
    }

    #[test]
    fn collects_every_problem_with_paths() {
        let mut v = Validator::new(OP);
        v.int_range("pageSize", Some(80), Some(1), Some(50));
        v.int_range("pageIndex", Some(0), Some(1), None);
        v.number_range("rate", Some(f64::NAN), None, None);
        v.number_range("ratio", Some(-1.0), Some(0.0), None);
        v.text_length("name", Some("abcde"), None, Some(4));
        v.text_length("title", Some(""), Some(1), None);
        v.item_count("ids", Some(0), Some(1), None);
        v.item_count("ids2", Some(3), None, Some(2));
        v.required_text("videoId", " \t");
        let mut deep = url("x", None);
        deep.inner = Some(Box::new(url("", Some("long"))));
        v.nested_list("urls", &[url("ok", None), url("", Some("toolong")), deep]);
        let err = v.finish().expect_err("problems");
        let text = err.to_string();
        assert!(text.starts_with("pullVideo: invalid request"), "{text}");
        assert!(text.contains("must be at most 50, got 80"), "{text}");
        assert_eq!(
            fields(err),
            [
                "pageSize",
                "pageIndex",
                "rate",
                "ratio",
                "name",
                "title",
                "ids",
                "ids2",
                "videoId",
                "urls[1].url",
                "urls[1].name",
                "urls[2].inner.url",
                "urls[2].inner.name",
            ]
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        let mut v = Validator::new(OP);
        v.text_length("name", Some("视频视频"), None, Some(4));
        assert!(v.finish().is_ok());
        let mut v = Validator::new(OP);
        v.text_length("name", Some("视频视频视"), None, Some(4));
        let err = v.finish().expect_err("too long");
        assert!(err.to_string().contains("at most 4 characters, got 5"));
    }

    #[test]
    fn nested_object_prefix_is_restored() {
        let mut v = Validator::new(OP);
        v.nested("first", &url("", None));
        v.required_text("after", "");
        assert_eq!(fields(v.finish().expect_err("two")), ["first.url", "after"]);
    }

    #[test]
    fn counts_convert_and_saturate() {
        assert_eq!(as_i64(0u8), 0);
        assert_eq!(as_i64(7usize), 7);
        assert_eq!(as_i64(-3i32), -3);
        assert_eq!(as_i64(u64::MAX), i64::MAX);
    }
}
