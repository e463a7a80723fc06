//! Answers as people (and `--query`) read them: the wire form of enums, times and numbers
//! turned into names, zoned times and numbers, driven by the command table's
//! [`AnswerField`]s (generated from the spec), never by hand-written values.
//!
//! - Tables and text always show the readable form: enums by the name their flags accept
//!   (`normal`, not `0`), times as `2026-12-06 10:00:00 +08:00` in the `--time-zone`.
//! - `--typed` (any format) gives machines the same meaning in JSON types: enum names, times in
//!   RFC 3339, numbers sent as text as numbers.
//! - Otherwise JSON and YAML keep the wire form, exactly what the service sent.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::Value;

use crate::table::{AnswerField, AnswerKind, TimeWire};

/// `--time-zone`: where times are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The machine's zone ($TZ, else /etc/localtime).
    Local,
    /// UTC.
    Utc,
    /// The service's zone, UTC+8.
    Service,
}

impl Zone {
    /// The names `--time-zone` accepts.
    pub const NAMES: &'static [&'static str] = &["local", "utc", "service"];

    /// The zone named `name`.
    pub fn from_name(name: &str) -> Option<Zone> {
        match name {
            "local" => Some(Zone::Local),
            "utc" => Some(Zone::Utc),
            "service" => Some(Zone::Service),
            _ => None,
        }
    }

    fn tz(self) -> TimeZone {
        match self {
            Zone::Local => TimeZone::try_system().unwrap_or(TimeZone::UTC),
            Zone::Utc => TimeZone::UTC,
            Zone::Service => TimeZone::fixed(vod_client::time::SERVICE_OFFSET),
        }
    }

    /// `2026-12-06 10:00:00 +08:00`: one readable form, with its offset.
    pub fn show(self, ts: Timestamp) -> String {
        let offset = self.tz().to_offset(ts);
        let local = offset.to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S");
        format!("{local} {}", offset_text(offset.seconds()))
    }

    /// RFC 3339 with the zone's offset (`Z` for UTC).
    pub fn rfc3339(self, ts: Timestamp) -> String {
        let offset = self.tz().to_offset(ts);
        let local = offset.to_datetime(ts).strftime("%Y-%m-%dT%H:%M:%S");
        match offset.seconds() {
            0 => format!("{local}Z"),
            seconds => format!("{local}{}", offset_text(seconds)),
        }
    }
}

/// `+08:00`, `-03:30`, `+00:00` (seconds of an odd historical offset are dropped).
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// How members are re-typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// For tables and text: names, and times shown in the zone.
    Display(Zone),
    /// `--typed`: names, RFC 3339 times, numbers as numbers.
    Typed(Zone),
}

/// Re-types the members of `value` that `fields` name. `strip` is a prefix of the paths
/// (`videoListInfo.`) already walked, for the entries `--all-pages` prints one by one; fields
/// outside it are left alone.
pub fn retype(value: &mut Value, fields: &[AnswerField], strip: &str, mode: Mode) {
    for field in fields {
        let Some(path) = field.path.strip_prefix(strip) else {
            continue;
        };
        let segments: Vec<&str> = path.split('.').collect();
        walk(value, &segments, field.kind, mode);
    }
}

fn walk(value: &mut Value, path: &[&str], kind: AnswerKind, mode: Mode) {
    if let Value::Array(items) = value {
        for item in items {
            walk(item, path, kind, mode);
        }
        return;
    }
    match path.split_first() {
        None => convert(value, kind, mode),
        Some((first, rest)) => {
            if let Some(member) = value.as_object_mut().and_then(|m| m.get_mut(*first)) {
                walk(member, rest, kind, mode);
            }
        }
    }
}

/// A scalar as text, for matching wire values.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn convert(value: &mut Value, kind: AnswerKind, mode: Mode) {
    let Some(raw) = text(value) else {
        return;
    };
    match kind {
        AnswerKind::Enum { values, names } => {
            let name = values
                .iter()
                .position(|(wire, _)| *wire == raw)
                .and_then(|i| names.get(i));
            if let Some(name) = name {
                *value = Value::String((*name).to_string());
            }
        }
        AnswerKind::Time(wire) => {
            if let Some(ts) = instant(&raw, wire) {
                *value = Value::String(match mode {
                    Mode::Display(zone) => zone.show(ts),
                    Mode::Typed(zone) => zone.rfc3339(ts),
                });
            }
        }
        AnswerKind::Number => {
            if let (Mode::Typed(_), Value::String(_)) = (mode, &*value) {
                if let Ok(n) = raw.parse::<i64>() {
                    *value = Value::from(n);
                } else if let Ok(n) = raw.parse::<u64>() {
                    *value = Value::from(n);
                } else if let Some(n) = raw
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    *value = Value::Number(n);
                }
            }
        }
    }
}

/// The instant a wire value stands for, if it is one.
fn instant(raw: &str, wire: TimeWire) -> Option<Timestamp> {
    let time = match wire {
        TimeWire::Text => vod_client::Time::from_service_text(raw),
        TimeWire::Seconds => vod_client::Time::from_unix_seconds(raw.parse().ok()?),
        TimeWire::Millis => vod_client::Time::from_unix_millis(raw.parse().ok()?),
    };
    time.timestamp()
}

/// A time as a user typed it (flag or `--input-json`): RFC 3339 with any offset,
/// `yyyy-MM-dd HH:mm:ss` (UTC+8) or `yyyy-MM-dd` (midnight UTC+8); Unix seconds or
/// milliseconds as digits for fields that travel so. The answer is the field's wire form.
pub fn time_input(text: &str, wire: TimeWire) -> Result<Value, String> {
    let trimmed = text.trim();
    let digits = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
    if digits && wire != TimeWire::Text {
        return trimmed
            .parse::<i64>()
            .map(Value::from)
            .map_err(|e| e.to_string());
    }
    let time: vod_client::Time = trimmed.parse().map_err(|e| format!("{e}"))?;
    let ts = time
        .timestamp()
        .ok_or_else(|| format!("`{text}` is not a time"))?;
    Ok(match wire {
        TimeWire::Text => Value::String(time.to_service_text()),
        TimeWire::Seconds => Value::from(ts.as_second()),
        TimeWire::Millis => Value::from(ts.as_millisecond()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const STATE: AnswerKind = AnswerKind::Enum {
        values: &[("0", "playable"), ("1", "blocked")],
        names: &["normal", "blocked"],
    };
    const FIELDS: &[AnswerField] = &[
        AnswerField {
            path: "list.state",
            kind: STATE,
        },
        AnswerField {
            path: "list.created",
            kind: AnswerKind::Time(TimeWire::Text),
        },
        AnswerField {
            path: "list.uploaded",
            kind: AnswerKind::Time(TimeWire::Seconds),
        },
        AnswerField {
            path: "list.size",
            kind: AnswerKind::Number,
        },
        AnswerField {
            path: "total",
            kind: AnswerKind::Number,
        },
    ];

    fn answer() -> Value {
        json!({"total": "2", "list": [
            {"state": 0, "created": "2026-12-06 10:00:00", "uploaded": 1796526064, "size": "1200000"},
            {"state": "1", "created": "not a time", "uploaded": "1796526064", "size": "x"},
            {"state": 9}
        ]})
    }

    #[test]
    fn display_shows_names_and_zoned_times_and_keeps_numbers() {
        let mut value = answer();
        retype(&mut value, FIELDS, "", Mode::Display(Zone::Service));
        assert_eq!(value["list"][0]["state"], "normal");
        assert_eq!(value["list"][1]["state"], "blocked");
        assert_eq!(value["list"][2]["state"], 9, "unknown values stay");
        assert_eq!(value["list"][0]["created"], "2026-12-06 10:00:00 +08:00");
        assert_eq!(value["list"][1]["created"], "not a time");
        assert_eq!(value["list"][0]["uploaded"], "2026-12-06 11:01:04 +08:00");
        assert_eq!(value["list"][1]["uploaded"], "2026-12-06 11:01:04 +08:00");
        assert_eq!(value["list"][0]["size"], "1200000");
        let mut value = answer();
        retype(&mut value, FIELDS, "", Mode::Display(Zone::Utc));
        assert_eq!(value["list"][0]["created"], "2026-12-06 02:00:00 +00:00");
    }

    #[test]
    fn typed_gives_numbers_names_and_rfc3339() {
        let mut value = answer();
        retype(&mut value, FIELDS, "", Mode::Typed(Zone::Utc));
        assert_eq!(value["total"], 2);
        assert_eq!(value["list"][0]["size"], 1_200_000);
        assert_eq!(value["list"][1]["size"], "x");
        assert_eq!(value["list"][0]["state"], "normal");
        assert_eq!(value["list"][0]["created"], "2026-12-06T02:00:00Z");
        let mut value = answer();
        retype(&mut value, FIELDS, "", Mode::Typed(Zone::Service));
        assert_eq!(value["list"][0]["created"], "2026-12-06T10:00:00+08:00");
    }

    #[test]
    fn entries_of_all_pages_strip_the_list_prefix() {
        let mut entry = json!({"state": "1", "size": "5"});
        retype(&mut entry, FIELDS, "list.", Mode::Typed(Zone::Utc));
        assert_eq!(entry, json!({"state": "blocked", "size": 5}));
    }

    #[test]
    fn every_time_form_users_write_is_accepted() {
        let service = |t: &str| time_input(t, TimeWire::Text).unwrap();
        assert_eq!(service("2026-12-06T10:00:00Z"), "2026-12-06 18:00:00");
        assert_eq!(service("2026-12-06T10:00:00+08:00"), "2026-12-06 10:00:00");
        assert_eq!(service("2026-12-06 10:00:00"), "2026-12-06 10:00:00");
        assert_eq!(service("2026-12-06"), "2026-12-06 00:00:00");
        assert_eq!(
            time_input("2026-12-06T10:00:00+08:00", TimeWire::Seconds).unwrap(),
            1_796_522_400
        );
        assert_eq!(
            time_input("1796522400", TimeWire::Seconds).unwrap(),
            1_796_522_400
        );
        assert_eq!(
            time_input("2026-12-06", TimeWire::Millis).unwrap(),
            1_796_486_400_000_i64
        );
        let err = time_input("yesterday", TimeWire::Text).unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
        assert!(time_input("1796522400", TimeWire::Text).is_err());
    }
}
