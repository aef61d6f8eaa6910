//! Indonesia's time zones and which one each province keeps (Keppres
//! 41/1987 and the later provinces): reference data for the clock
//! (`crate::clock`). Provinces not listed keep WIB, and so do national
//! agencies (they sit in Jakarta).

use chrono::FixedOffset;

/// An Indonesian time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// Waktu Indonesia Barat, UTC+7 (Sumatra, Java, West and Central Kalimantan).
    Wib,
    /// Waktu Indonesia Tengah, UTC+8 (Bali, Nusa Tenggara, the rest of Kalimantan, Sulawesi).
    Wita,
    /// Waktu Indonesia Timur, UTC+9 (Maluku, Papua).
    Wit,
}

impl Zone {
    /// Hours ahead of UTC.
    pub fn utc_offset_hours(self) -> i32 {
        match self {
            Self::Wib => 7,
            Self::Wita => 8,
            Self::Wit => 9,
        }
    }

    /// The fixed offset.
    pub fn offset(self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_hours() * 3600).expect("BUG: offsets of 7 to 9 hours are valid")
    }

    /// The short name (WIB, WITA, WIT).
    pub fn name(self) -> &'static str {
        match self {
            Self::Wib => "WIB",
            Self::Wita => "WITA",
            Self::Wit => "WIT",
        }
    }
}

/// The provinces outside WIB, by code.
pub const PROVINCE_ZONES: &[(&str, Zone)] = &[
    ("51", Zone::Wita),
    ("52", Zone::Wita),
    ("53", Zone::Wita),
    ("63", Zone::Wita),
    ("64", Zone::Wita),
    ("65", Zone::Wita),
    ("71", Zone::Wita),
    ("72", Zone::Wita),
    ("73", Zone::Wita),
    ("74", Zone::Wita),
    ("75", Zone::Wita),
    ("76", Zone::Wita),
    ("81", Zone::Wit),
    ("82", Zone::Wit),
    ("91", Zone::Wit),
    ("92", Zone::Wit),
    ("93", Zone::Wit),
    ("94", Zone::Wit),
    ("95", Zone::Wit),
    ("96", Zone::Wit),
];

/// The zone of the region coded `code` (any level), WIB for `None` (national).
pub fn zone_of(code: Option<&str>) -> Zone {
    let Some(code) = code else { return Zone::Wib };
    let province = code.split('.').next().unwrap_or(code);
    PROVINCE_ZONES.iter().find(|(p, _)| *p == province).map_or(Zone::Wib, |(_, z)| *z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offices_keep_their_province_zone() {
        assert_eq!(zone_of(Some("31")), Zone::Wib, "Jakarta");
        assert_eq!(zone_of(Some("16.73.01")), Zone::Wib, "Lubuk Linggau");
        assert_eq!(zone_of(Some("73.71")), Zone::Wita, "Makassar");
        assert_eq!(zone_of(Some("91.71")), Zone::Wit, "Jayapura");
        assert_eq!(zone_of(Some("62")), Zone::Wib, "Central Kalimantan keeps WIB");
        assert_eq!(zone_of(None), Zone::Wib, "national agencies sit in Jakarta");
        for (code, _) in PROVINCE_ZONES {
            assert!(crate::reference::REGIONS.iter().any(|r| r.code == *code), "{code} is not a province netra knows");
        }
    }
}
