//! Days in the site's time zone: a date range as UTC milliseconds, the offset SQL adds to a call's
//! start to find its local day (piecewise, so that days across a daylight-saving change are right),
//! and the local day back as a date.

#[allow(unused_imports)]
use crate::prelude::*;

pub use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::{Millis, DAY};

/// Longest date range a report or a list covers, in days.
pub const MAX_DAYS: i64 = 400;

/// A site's time zone (an IANA name such as `America/New_York`; `UTC` when the site sets none).
#[derive(Debug, Clone)]
pub struct Zone {
    tz: TimeZone,
    name: String,
}

impl Zone {
    /// The zone of that IANA name, if the bundled database knows it.
    pub fn named(name: &str) -> Option<Zone> {
        let tz = TimeZone::get(name).ok()?;
        Some(Zone {
            tz,
            name: name.to_owned(),
        })
    }

    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            name: "UTC".to_owned(),
        }
    }

    /// Its IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local date at `at`.
    pub fn date_at(&self, at: Millis) -> Option<Date> {
        let ts = Timestamp::from_millisecond(i64::try_from(at).ok()?).ok()?;
        Some(self.tz.to_datetime(ts).date())
    }

    /// The local date and time at `at`, as `YYYY-MM-DD HH:MM:SS` (for CSV).
    pub fn local_time(&self, at: Millis) -> String {
        let Some(ts) = i64::try_from(at)
            .ok()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        else {
            return String::new();
        };
        let dt = self.tz.to_datetime(ts);
        let mut s = dt.date().to_string();
        let t = dt.time();
        s.push(' ');
        for (i, n) in [t.hour(), t.minute(), t.second()].into_iter().enumerate() {
            if i > 0 {
                s.push(':');
            }
            s.push(char::from(b'0' + (n / 10) as u8));
            s.push(char::from(b'0' + (n % 10) as u8));
        }
        s
    }

    /// The first millisecond of a local date.
    pub fn start_of(&self, date: Date) -> Option<Millis> {
        let zdt = date.to_zoned_datetime(self.tz.clone()).ok()?;
        let ms = zdt.start_of_day().ok()?.timestamp().as_millisecond();
        Millis::try_from(ms).ok()
    }

    /// The offsets in force over `[from, to)`: `(until, offset_ms)` pieces in order, the last one
    /// with `until == None`. A call that starts at `t` is on local day `(t + offset(t)) / DAY`.
    pub fn offsets(&self, from: Millis, to: Millis) -> Vec<(Option<Millis>, i64)> {
        let mut pieces = Vec::new();
        let Some(start) = i64::try_from(from)
            .ok()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        else {
            return vec![(None, 0)];
        };
        let mut offset = i64::from(self.tz.to_offset(start).seconds()) * 1000;
        for transition in self.tz.following(start) {
            let at = transition.timestamp().as_millisecond();
            let Ok(at) = Millis::try_from(at) else { break };
            if at >= to {
                break;
            }
            pieces.push((Some(at), offset));
            offset = i64::from(transition.offset().seconds()) * 1000;
        }
        pieces.push((None, offset));
        pieces
    }
}

/// The local date of a day number (`(t + offset) / DAY`).
pub fn date_of_day(day: i64) -> Option<Date> {
    let ts = Timestamp::from_millisecond(day.checked_mul(DAY as i64)?).ok()?;
    Some(TimeZone::UTC.to_datetime(ts).date())
}

/// The day number of a local date.
pub fn day_of_date(date: Date) -> Option<i64> {
    let zdt = date.to_zoned_datetime(TimeZone::UTC).ok()?;
    Some(zdt.timestamp().as_millisecond().div_euclid(DAY as i64))
}

/// Reads `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Millis {
        let ts: Timestamp = s.parse().unwrap();
        ts.as_millisecond() as Millis
    }

    #[test]
    fn days_start_at_local_midnight() {
        let ny = Zone::named("America/New_York").unwrap();
        let table = [
            ("2026-11-01", "2026-11-01T04:00:00Z"), // EDT, the day the clocks go back
            ("2026-11-02", "2026-11-02T05:00:00Z"), // EST
            ("2026-03-08", "2026-03-08T05:00:00Z"), // the day the clocks go forward
        ];
        for (date, want) in table {
            let date = parse_date(date).unwrap();
            assert_eq!(ny.start_of(date), Some(ms(want)), "{date}");
        }
        assert_eq!(
            Zone::utc().start_of(parse_date("2026-11-01").unwrap()),
            Some(ms("2026-11-01T00:00:00Z"))
        );
    }

    #[test]
    fn offsets_change_at_transitions() {
        let ny = Zone::named("America/New_York").unwrap();
        let pieces = ny.offsets(ms("2026-10-20T00:00:00Z"), ms("2026-11-20T00:00:00Z"));
        assert_eq!(
            pieces,
            vec![
                (Some(ms("2026-11-01T06:00:00Z")), -4 * 3_600_000),
                (None, -5 * 3_600_000)
            ]
        );
        // A range without a transition is one piece.
        let pieces = ny.offsets(ms("2026-12-01T00:00:00Z"), ms("2026-12-20T00:00:00Z"));
        assert_eq!(pieces, vec![(None, -5 * 3_600_000)]);
        assert_eq!(Zone::utc().offsets(0, 1), vec![(None, 0)]);
    }

    #[test]
    fn day_numbers_round_trip() {
        for date in ["1970-01-01", "2026-02-28", "2026-12-31", "2028-02-29"] {
            let d = parse_date(date).unwrap();
            assert_eq!(date_of_day(day_of_date(d).unwrap()), Some(d));
        }
        assert_eq!(day_of_date(parse_date("1970-01-02").unwrap()), Some(1));
    }

    #[test]
    fn reads_dates_strictly() {
        let table = [
            ("2026-11-01", true),
            ("2026-1-01", false),
            ("2026-02-30", false),
            ("yesterday", false),
            ("", false),
        ];
        for (s, ok) in table {
            assert_eq!(parse_date(s).is_some(), ok, "{s}");
        }
    }

    #[test]
    fn writes_local_times() {
        let ny = Zone::named("America/New_York").unwrap();
        assert_eq!(
            ny.local_time(ms("2026-11-02T15:04:05Z")),
            "2026-11-02 10:04:05"
        );
        assert!(Zone::named("Mars/Olympus").is_none());
    }
}
