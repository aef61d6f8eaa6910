//! Validated identifiers: NIP / NI PPPK, NIK and Kemendagri region codes
//! (BRIEF §8). Each has private fields and a `parse` that is the only way in.

use chrono::{Datelike, NaiveDate};

use crate::error::AppError;

/// An 18-digit civil-servant number: a PNS NIP or an NI PPPK.
///
/// PNS: birth date `YYYYMMDD`, month of first appointment `YYYYMM`, gender
/// (1 or 2), sequence `NNN`. PPPK: birth date, year of first appointment
/// `YYYY`, a two-digit code, gender, sequence. Both encode the birth date and
/// gender, so a NIP is personal data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nip(String);

impl Nip {
    /// Accepts the digits with optional spaces or dots ("19860926 201505 1 001")
    /// and checks the embedded dates and gender digit.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        let bad = |why: &str| AppError::invalid("nip", format!("not a valid NIP or NI PPPK: {why}"));
        if digits.len() != 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("expected 18 digits"));
        }
        let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().unwrap_or(0);
        let birth = NaiveDate::from_ymd_opt(num(0..4) as i32, num(4..6), num(6..8))
            .ok_or_else(|| bad("the first eight digits are not a birth date"))?;
        let gender = num(14..15);
        if gender != 1 && gender != 2 {
            return Err(bad("the gender digit must be 1 or 2"));
        }
        let appointed_year = num(8..12) as i32;
        let month_or_code = num(12..14);
        // A PNS NIP has a month (01-12) here; an NI PPPK a contract code (20 and up).
        let pns = (1..=12).contains(&month_or_code);
        if !pns && month_or_code < 20 {
            return Err(bad("digits 13-14 are neither a month nor a PPPK code"));
        }
        if appointed_year < birth.year() + 17 || appointed_year > 2100 {
            return Err(bad("the appointment year does not fit the birth date"));
        }
        if num(15..18) == 0 {
            return Err(bad("the sequence number cannot be 000"));
        }
        Ok(Self(digits))
    }

    /// The 18 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The NIP with all but the last three digits hidden, for shared views.
    pub fn masked(&self) -> String {
        format!("{}{}", "*".repeat(15), &self.0[15..])
    }
}

/// A 16-digit population number (NIK). Only format is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nik(String);

impl Nik {
    /// Accepts exactly 16 digits.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        if raw.len() == 16 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(AppError::invalid("nik", "a NIK has exactly 16 digits"))
        }
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A dotted Kemendagri region code: `PP`, `PP.KK`, `PP.KK.CC` or `PP.KK.CC.DDDD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// Checks the shape of the code (not that the region exists).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let raw = raw.trim();
        let parts: Vec<&str> = raw.split('.').collect();
        let widths = [2, 2, 2, 4];
        let ok = !parts.is_empty()
            && parts.len() <= 4
            && parts.iter().zip(widths).all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(AppError::invalid(
                "regionCode",
                format!("'{raw}' is not a region code like 16, 16.73, 16.73.01 or 16.73.01.1001"),
            ))
        }
    }

    /// The dotted code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 1 = province, 2 = kabupaten/kota, 3 = kecamatan, 4 = village.
    pub fn level(&self) -> u8 {
        self.0.split('.').count() as u8
    }

    /// The ancestor (or self) at `level`, if the code is that deep.
    pub fn prefix(&self, level: u8) -> Option<String> {
        let parts: Vec<&str> = self.0.split('.').collect();
        (usize::from(level) <= parts.len() && level > 0).then(|| parts[..usize::from(level)].join("."))
    }

    /// The parent code, `None` for a province.
    pub fn parent(&self) -> Option<String> {
        let level = self.level();
        (level > 1).then(|| self.prefix(level - 1)).flatten()
    }

    /// The codes of this region and every region above it, province first:
    /// `16.73.01` → `16`, `16.73`, `16.73.01`.
    pub fn ancestors(&self) -> Vec<String> {
        (1..=self.level()).filter_map(|l| self.prefix(l)).collect()
    }

    /// Whether this region is `code` or contains it (`16` contains `16.73.01`,
    /// not `16.7`). The one containment rule of the crate.
    pub fn contains(&self, code: &str) -> bool {
        code_contains(self.as_str(), code)
    }
}

/// Whether the region coded `outer` is `inner` or contains it, on raw codes
/// (for callers holding strings from the database). See [`RegionCode::contains`].
pub fn code_contains(outer: &str, inner: &str) -> bool {
    inner.strip_prefix(outer).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nip_accepts_the_documented_example_with_spaces() {
        let nip = Nip::parse("19860926 201505 1 001").unwrap();
        assert_eq!(nip.as_str(), "198609262015051001");
        assert_eq!(nip.masked(), "***************001");
    }

    #[test]
    fn nip_accepts_an_ni_pppk() {
        assert!(Nip::parse("199003152022211004").is_ok());
    }

    #[test]
    fn nip_rejects_bad_dates_gender_and_length() {
        for bad in [
            "19860931201505 1001",
            "198609262015053001",
            "1986092620150510",
            "198609262015131001",
            "200001012010011001",
        ] {
            assert!(Nip::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn region_codes_know_their_level_and_ancestors() {
        let code = RegionCode::parse("16.73.01.1001").unwrap();
        assert_eq!(code.level(), 4);
        assert_eq!(code.prefix(2).as_deref(), Some("16.73"));
        assert_eq!(code.parent().as_deref(), Some("16.73.01"));
        assert_eq!(RegionCode::parse("16").unwrap().parent(), None);
        assert_eq!(code.ancestors(), ["16", "16.73", "16.73.01", "16.73.01.1001"]);
        let province = RegionCode::parse("16").unwrap();
        assert!(province.contains("16") && province.contains("16.73.01"));
        assert!(!province.contains("1") && !province.contains("17.01") && !province.contains("161"));
        assert!(!RegionCode::parse("16.73").unwrap().contains("16"));
        for bad in ["", "1", "16.7", "16.73.001", "16.73.01.1001.1", "ab"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
