//! Times as the service sends them, as typed instants.
//!
//! The service writes times three ways: `yyyy-MM-dd HH:mm:ss` text in China Standard Time
//! (UTC+8, the service's zone, with no offset on the wire), Unix seconds, and Unix
//! milliseconds (sometimes as numeric text). Fields of all three are a [`Time`]: an instant
//! ([`jiff::Timestamp`]) the SDK converts to and from the field's wire form. A value that does
//! not read as a time is not an error: it is kept as [`Time::Unparsed`] with the text as it came,
//! so one odd field does not fail a whole answer.

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::Timestamp;

/// The service's zone: China Standard Time, UTC+8 (no daylight saving time).
pub const SERVICE_OFFSET: Offset = Offset::constant(8);

/// The service's date-time text format.
const SERVICE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A point in time, or the text the service sent when it was not one.
///
/// ```
/// use vod_client::Time;
/// let t = Time::from_service_text("2024-02-29 23:59:59");
/// assert_eq!(t.timestamp().unwrap().to_string(), "2024-02-29T15:59:59Z");
/// assert_eq!(t.to_service_text(), "2024-02-29 23:59:59");
/// assert_eq!(Time::from_service_text("soon").raw(), Some("soon"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Time {
    /// An instant.
    At(Timestamp),
    /// Text that does not read as a time, kept as it came (sent back unchanged).
    Unparsed(String),
}

impl Time {
    /// The instant, when the value was one.
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            Time::At(ts) => Some(*ts),
            Time::Unparsed(_) => None,
        }
    }

    /// The text as it came, when it did not read as a time.
    pub fn raw(&self) -> Option<&str> {
        match self {
            Time::At(_) => None,
            Time::Unparsed(raw) => Some(raw),
        }
    }

    /// The wall-clock time in the service's zone (UTC+8).
    pub fn service_datetime(&self) -> Option<DateTime> {
        self.timestamp().map(|ts| SERVICE_OFFSET.to_datetime(ts))
    }

    /// Reads `yyyy-MM-dd HH:mm:ss` as a time in the service's zone (UTC+8).
    pub fn from_service_text(text: &str) -> Time {
        DateTime::strptime(SERVICE_FORMAT, text.trim())
            .ok()
            .and_then(|dt| SERVICE_OFFSET.to_timestamp(dt).ok())
            .map_or_else(|| Time::Unparsed(text.to_string()), Time::At)
    }

    /// `yyyy-MM-dd HH:mm:ss` in the service's zone; the raw text for an unparsed value.
    pub fn to_service_text(&self) -> String {
        self.service_text().to_string()
    }

    /// [`Time::to_service_text`] as a `Display`, for writing without an intermediate `String`.
    pub(crate) fn service_text(&self) -> ServiceText<'_> {
        ServiceText(self)
    }

    /// A time from Unix seconds (an out-of-range value is kept as its text).
    pub fn from_unix_seconds(seconds: i64) -> Time {
        Timestamp::from_second(seconds)
            .map_or_else(|_| Time::Unparsed(seconds.to_string()), Time::At)
    }

    /// A time from Unix milliseconds (an out-of-range value is kept as its text).
    pub fn from_unix_millis(millis: i64) -> Time {
        Timestamp::from_millisecond(millis)
            .map_or_else(|_| Time::Unparsed(millis.to_string()), Time::At)
    }
}

/// A [`Time`] written as the service's `yyyy-MM-dd HH:mm:ss` (UTC+8), or its raw text.
pub(crate) struct ServiceText<'a>(&'a Time);

impl fmt::Display for ServiceText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Time::At(ts) => {
                let dt = SERVICE_OFFSET.to_datetime(*ts);
                match service_digits(dt) {
                    Some(text) => f.write_str(std::str::from_utf8(&text).unwrap_or_default()),
                    None => fmt::Display::fmt(&dt.strftime(SERVICE_FORMAT), f),
                }
            }
            Time::Unparsed(raw) => f.write_str(raw),
        }
    }
}

/// `yyyy-MM-dd HH:mm:ss`, digit by digit: every answer the emulator writes carries a few of
/// these, and a format string parsed for each (`strftime`) cost more than the rest of the time's
/// encoding. `None` for years outside 0..=9999 (jiff allows -9999), which `strftime` writes.
fn service_digits(dt: DateTime) -> Option<[u8; 19]> {
    let year = u16::try_from(dt.year()).ok().filter(|year| *year <= 9999)?;
    let mut text = *b"0000-00-00 00:00:00";
    let mut put = |at: usize, n: u16| {
        // `n` < 100 everywhere below, so each byte is an ASCII digit.
        text[at] = b'0' + (n / 10 % 10) as u8;
        text[at + 1] = b'0' + (n % 10) as u8;
    };
    put(0, year / 100);
    put(2, year % 100);
    for (at, n) in [
        (5, dt.month()),
        (8, dt.day()),
        (11, dt.hour()),
        (14, dt.minute()),
        (17, dt.second()),
    ] {
        put(at, u16::from(n.unsigned_abs()));
    }
    Some(text)
}

impl From<Timestamp> for Time {
    fn from(ts: Timestamp) -> Time {
        Time::At(ts)
    }
}

/// Text as users and the vendor's examples write times: RFC 3339, the service's
/// `yyyy-MM-dd HH:mm:ss` (UTC+8), or a date alone (midnight UTC+8). Other text is kept as [`Time::Unparsed`], which a request's
/// validation refuses before anything is sent.
impl From<&str> for Time {
    fn from(text: &str) -> Time {
        text.parse()
            .unwrap_or_else(|_| Time::Unparsed(text.to_string()))
    }
}

impl From<String> for Time {
    fn from(text: String) -> Time {
        Time::from(text.as_str())
    }
}

impl From<std::time::SystemTime> for Time {
    fn from(time: std::time::SystemTime) -> Time {
        Timestamp::try_from(time).map_or_else(|_| Time::Unparsed(String::new()), Time::At)
    }
}

/// RFC 3339 in UTC (`2024-02-29T15:59:59Z`), or the raw text.
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Time::At(ts) => fmt::Display::fmt(ts, f),
            Time::Unparsed(raw) => f.write_str(raw),
        }
    }
}

/// A time that is neither RFC 3339, the service's `yyyy-MM-dd HH:mm:ss`, nor a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseTimeError(String);

impl fmt::Display for ParseTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is neither RFC 3339 (2026-12-06T10:00:00Z, 2026-12-06T10:00:00+08:00), yyyy-MM-dd HH:mm:ss (UTC+8) nor a date yyyy-MM-dd (midnight UTC+8)",
            self.0
        )
    }
}

impl std::error::Error for ParseTimeError {}

/// RFC 3339 (`2024-02-29T15:59:59Z`, any offset), the service's `yyyy-MM-dd HH:mm:ss` read in
/// UTC+8, or a date alone (`2024-02-29`), read as midnight UTC+8 (the service's day).
impl FromStr for Time {
    type Err = ParseTimeError;
    fn from_str(s: &str) -> Result<Time, ParseTimeError> {
        let text = s.trim();
        if let Ok(ts) = text.parse::<Timestamp>() {
            return Ok(Time::At(ts));
        }
        if let Time::At(ts) = Time::from_service_text(text) {
            return Ok(Time::At(ts));
        }
        if text.len() == 10 {
            if let Ok(date) = jiff::civil::Date::strptime("%Y-%m-%d", text) {
                if let Ok(ts) =
                    SERVICE_OFFSET.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
                {
                    return Ok(Time::At(ts));
                }
            }
        }
        Err(ParseTimeError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_text_is_strftimes_digit_for_digit() {
        for seconds in [
            0,
            1_700_000_000,
            951_782_400,      // 2000-02-29 08:00 in UTC+8
            -62_135_596_800,  // year 1
            -62_167_219_200,  // year 0
            253_402_271_999,  // 9999-12-31 23:59:59 in UTC+8
            -377_705_116_800, // year -9999: strftime's spelling
        ] {
            let Ok(ts) = Timestamp::from_second(seconds) else {
                continue;
            };
            let dt = SERVICE_OFFSET.to_datetime(ts);
            assert_eq!(
                Time::At(ts).to_service_text(),
                dt.strftime(SERVICE_FORMAT).to_string(),
                "{seconds}"
            );
        }
    }

    #[test]
    fn service_text_is_utc_plus_8_both_ways() {
        let t = Time::from_service_text("2024-01-01 08:00:00");
        assert_eq!(
            t.timestamp(),
            Some(Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(473_352))
        );
        assert_eq!(t.to_string(), "2024-01-01T00:00:00Z");
        assert_eq!(t.to_service_text(), "2024-01-01 08:00:00");
        let midnight_utc: Timestamp = "2024-06-30T16:30:00Z".parse().unwrap();
        assert_eq!(
            Time::from(midnight_utc).to_service_text(),
            "2024-07-01 00:30:00"
        );
    }

    #[test]
    fn odd_values_are_kept_not_lost() {
        for raw in [
            "",
            "2024-13-01 00:00:00",
            "2024-02-30 00:00:00",
            "yesterday",
        ] {
            let t = Time::from_service_text(raw);
            assert_eq!(t.raw(), Some(raw), "{raw}");
            assert_eq!(t.to_service_text(), raw);
        }
        assert_eq!(
            Time::from_unix_seconds(i64::MAX).raw(),
            Some("9223372036854775807")
        );
        assert_eq!(
            Time::from_unix_millis(1_700_000_000_123)
                .timestamp()
                .map(|t| t.as_millisecond()),
            Some(1_700_000_000_123)
        );
    }

    #[test]
    fn parses_rfc3339_and_service_text() {
        let a: Time = "2024-02-29T15:59:59Z".parse().unwrap();
        let b: Time = "2024-02-29 23:59:59".parse().unwrap();
        assert_eq!(a, b);
        let c: Time = "2024-03-01T07:59:59+08:00".parse().unwrap();
        assert_eq!(
            a.timestamp().unwrap() + jiff::SignedDuration::from_hours(8),
            c.timestamp().unwrap()
        );
        assert!("tomorrow".parse::<Time>().is_err());
    }

    #[test]
    fn a_date_alone_is_midnight_in_the_service_zone() {
        let day: Time = "2026-12-06".parse().unwrap();
        assert_eq!(day.to_string(), "2026-12-05T16:00:00Z");
        assert_eq!(day.to_service_text(), "2026-12-06 00:00:00");
        for bad in ["2026-13-06", "2026-12-6", "2026-12-06T10:00:00"] {
            assert!(bad.parse::<Time>().is_err(), "{bad}");
        }
    }
}
