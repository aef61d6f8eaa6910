//! netra's own date scalars, `Date` and `DateTime`: one wire format each,
//! documented for partner developers and named by `@specifiedBy`, so that a
//! generated client can map them to a type without guessing. Output is
//! always the same shape (a `DateTime` always carries milliseconds and `Z`);
//! input is strict for `Date` and accepts any RFC 3339 offset for
//! `DateTime`, normalised to UTC. A value that does not parse is the
//! caller's mistake: the handler gives it `BAD_USER_INPUT`. The scalars
//! leave `is_valid` at its default on purpose: a literal is then refused
//! when it is parsed, with the message saying which form is expected,
//! instead of validation's bare "expected type".
//!
//! The same instant format is used wherever netra writes an instant into
//! JSON outside GraphQL (webhook bodies): see [`format_instant`].

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

/// A calendar date without a time or zone, as the documents of the process
/// carry it (a decree's date, a deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// An instant, held in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> Self {
        d.0
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(at: chrono::DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl From<DateTime> for chrono::DateTime<Utc> {
    fn from(at: DateTime) -> Self {
        at.0
    }
}

/// An instant as netra writes it everywhere: RFC 3339 in UTC, always with
/// milliseconds and `Z` (`2024-11-27T08:15:00.000Z`). Finer digits are cut,
/// not rounded, so a written instant never lies after the real one.
pub fn format_instant(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses `YYYY-MM-DD` and nothing else: four-digit year, two-digit month
/// and day, a real calendar day.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a day of the calendar"))
}

/// Parses an RFC 3339 date-time with any offset (`Z`, `+07:00`, `-03:30`)
/// into UTC. A date-time without an offset is refused: its instant is unknown.
pub fn parse_instant(text: &str) -> Result<chrono::DateTime<Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| format!("`{text}` is not an RFC 3339 date-time with an offset, e.g. 2024-11-27T15:15:00+07:00"))
}

/// A calendar date in ISO 8601 / RFC 3339 `full-date` form, `YYYY-MM-DD`
/// (e.g. `2024-11-27`), with no time and no time zone. Dates of the process
/// (when an act happened, a letter was sent, a deadline falls) are the dates
/// written on its documents, in the acting office's local calendar (WIB,
/// WITA or WIT). Input must have exactly this form: `2024-1-5`, a time part
/// or an impossible day such as `2024-02-30` is refused with
/// `BAD_USER_INPUT`. Generated clients should treat it as a string.
#[Scalar(name = "Date", specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => parse_date(text).map(Self).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// An instant as an RFC 3339 `date-time` string. netra always answers in
/// UTC with exactly three fractional digits and `Z`, e.g.
/// `2024-11-27T08:15:00.000Z`, so answers can be compared and sorted as
/// strings. Input may use any offset (`2024-11-27T15:15:00+07:00` is the
/// same instant) and any number of fractional digits; it is normalised to
/// UTC. A value without an offset, or not in RFC 3339 form, is refused with
/// `BAD_USER_INPUT`. Generated clients should treat it as a string.
#[Scalar(name = "DateTime", specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => parse_instant(text).map(Self).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(format_instant(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> chrono::DateTime<Utc> {
        parse_instant(text).unwrap()
    }

    #[test]
    fn instants_are_written_with_milliseconds_and_z() {
        assert_eq!(format_instant(at("2024-11-27T08:15:00Z")), "2024-11-27T08:15:00.000Z");
        assert_eq!(format_instant(at("2024-11-27T08:15:00.123456789Z")), "2024-11-27T08:15:00.123Z");
        assert_eq!(format_instant(at("2024-11-27T15:15:00.5+07:00")), "2024-11-27T08:15:00.500Z");
    }

    #[test]
    fn instants_without_an_offset_or_out_of_form_are_refused() {
        for bad in ["2024-11-27T08:15:00", "2024-11-27", "27/11/2024 08:15", "2024-11-27T25:00:00Z", ""] {
            assert!(parse_instant(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn dates_must_be_exactly_yyyy_mm_dd_and_real() {
        assert_eq!(parse_date("2024-11-27").unwrap(), NaiveDate::from_ymd_opt(2024, 11, 27).unwrap());
        for bad in
            ["2024-1-05", "2024-01-5", "24-01-05", "2024-02-30", "2024-11-27T00:00:00Z", "+2024-11-27", "2024/11/27"]
        {
            assert!(parse_date(bad).is_err(), "{bad} was accepted");
        }
    }
}
