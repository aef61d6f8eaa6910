//! The one clock: what "now" and "today" are. Dates in netra are the acting
//! office's local date — Indonesia has three time zones (WIB UTC+7, WITA
//! UTC+8, WIT UTC+9) and an office in Jayapura starts its day two hours
//! before Jakarta — so "today" is always asked for a [`Zone`]. Which province
//! keeps which zone is reference data (`domain::zones`). Tests fix the clock
//! through `Config::clock`.

use chrono::{DateTime, NaiveDate, Utc};

pub use crate::domain::zones::{zone_of, Zone};

/// The clock: the system's, or one fixed at an instant (tests, replays).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that always reads `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self { fixed: Some(at) }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }

    /// Today's date in `zone`.
    pub fn today(&self, zone: Zone) -> NaiveDate {
        self.now().with_timezone(&zone.offset()).date_naive()
    }

    /// The instant of a step dated `on` in `zone`: now when `on` is today,
    /// else 09:00 local time that day.
    pub fn instant(&self, on: NaiveDate, zone: Zone) -> DateTime<Utc> {
        let now = self.now();
        if on == self.today(zone) {
            return now;
        }
        let nine = on.and_hms_opt(9, 0, 0).expect("BUG: 09:00 exists");
        nine.and_local_timezone(zone.offset()).single().map_or(now, |t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_depends_on_the_zone() {
        // 23:30 UTC on 1 December is already 2 December in all of Indonesia.
        let clock = Clock::fixed("2026-12-01T23:30:00Z".parse().unwrap());
        let dec2 = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(clock.today(Zone::Wib), dec2);
        assert_eq!(clock.today(Zone::Wit), dec2);
        // 16:30 UTC: 23:30 WIB, but 00:30 the next day in WIT and WITA.
        let clock = Clock::fixed("2026-12-01T16:30:00Z".parse().unwrap());
        assert_eq!(clock.today(Zone::Wib), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(clock.today(Zone::Wita), dec2);
        assert_eq!(clock.today(Zone::Wit), dec2);
    }

    #[test]
    fn a_past_step_happens_at_nine_local_time() {
        let clock = Clock::fixed("2026-12-01T03:00:00Z".parse().unwrap());
        let on = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(clock.instant(on, Zone::Wib), "2026-11-20T02:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(clock.instant(on, Zone::Wit), "2026-11-20T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(clock.instant(clock.today(Zone::Wib), Zone::Wib), clock.now());
    }
}
