//! Civil (calendar) time from [`Millis`], in the site's time zone: the one home of the zone
//! ([`Zone`], jiff's bundled IANA database, nothing read from the machine), for every part that
//! reads a local time: routing rules (the local weekday, minute and date of a call, [`LocalTime`]),
//! reports (local days, the offsets SQL adds to group by them, dates written and read) and the
//! integrations (the formats the ad platforms want, and the HTTP date a `Retry-After` may carry).
//!
//! Google Ads wants local times: `conversion_date_time` with the offset in effect at that instant
//! (so a call on either side of a daylight-saving change gets its own offset), and the import
//! file's times in the zone its `Parameters:TimeZone=` line names. The zone is the site's IANA
//! `time_zone`; configurations written before sites had one carry a fixed `utc_offset_minutes`,
//! still read for the integrations (see [`Zone::of`]).

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt::Write;

pub use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Millis, DAY};

/// A site's time zone: the zone its local times are in, the name reports give it (the IANA name,
/// or `UTC`), and the name Google's import file gives it ([`Zone::label`]).
#[derive(Debug, Clone)]
pub struct Zone {
    tz: TimeZone,
    name: String,
    label: String,
}

impl Zone {
    /// The zone of that IANA name (`America/New_York`), if the bundled database knows it.
    pub fn named(name: &str) -> Option<Zone> {
        let tz = TimeZone::get(name).ok()?;
        Some(Zone {
            tz,
            name: name.to_owned(),
            label: name.to_owned(),
        })
    }

    /// UTC (a site that names no zone).
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            name: "UTC".to_owned(),
            label: "+0000".to_owned(),
        }
    }

    /// The site's zone: its IANA `time_zone` when it has one the bundled database knows (validated
    /// configurations always do); else the deprecated fixed `utc_offset_minutes` of integration
    /// settings written before sites had a zone (right in winter or in summer, an hour off in the
    /// other half of the year where the clocks change); else UTC. A site with both uses its zone.
    pub fn of(time_zone: Option<&str>, legacy_offset_minutes: Option<i32>) -> Zone {
        if let Some(zone) = time_zone.and_then(Zone::named) {
            return zone;
        }
        let minutes = legacy_offset_minutes
            .filter(|m| m.abs() <= 14 * 60)
            .unwrap_or(0);
        match Offset::from_seconds(minutes * 60) {
            Ok(fixed) if minutes != 0 => Zone {
                tz: TimeZone::fixed(fixed),
                name: offset(minutes, false),
                label: offset(minutes, false),
            },
            _ => Zone::utc(),
        }
    }

    /// Its name in reports: the IANA name, or `UTC`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How Google's import file names it (`Parameters:TimeZone=`): the IANA name, or `±hhmm`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The offset from UTC in effect at `at`, in minutes.
    pub fn offset_minutes(&self, at: Millis) -> i32 {
        i64::try_from(at)
            .ok()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            .map_or(0, |ts| self.tz.to_offset(ts).seconds() / 60)
    }

    /// The local date at `at`.
    pub fn date_at(&self, at: Millis) -> Option<Date> {
        let ts = Timestamp::from_millisecond(i64::try_from(at).ok()?).ok()?;
        Some(self.tz.to_datetime(ts).date())
    }

    /// The local time at `at`: the weekday (and the day before's), the minute of the day and the
    /// date, as routing rules read them; `None` out of the calendar's range.
    pub fn local(&self, at: Millis) -> Option<LocalTime> {
        let ts = Timestamp::from_millisecond(i64::try_from(at).ok()?).ok()?;
        let dt = self.tz.to_datetime(ts);
        let yesterday = dt.date().yesterday().ok()?;
        Some(LocalTime {
            weekday: Weekday::of(dt.weekday()),
            yesterday: Weekday::of(yesterday.weekday()),
            minute: u16::from(dt.hour().unsigned_abs()) * 60
                + u16::from(dt.minute().unsigned_abs()),
            date: dt.date(),
        })
    }

    /// `yyyy-mm-dd hh:mm:ss` at `at`: reports' CSV, and the conversion time of Google's import
    /// file, whose zone is given once, in its `Parameters:TimeZone=` line. (In the hour a zone
    /// repeats when its clocks go back, such a time names two instants; Google does not say which
    /// it takes.)
    pub fn local_time(&self, at: Millis) -> String {
        date_time(at, self.offset_minutes(at), ' ')
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

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (the inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A moment split into its calendar fields at a UTC offset.
struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
}

fn fields(at: Millis, offset_minutes: i32) -> Fields {
    let secs = (at / 1000) as i64 + i64::from(offset_minutes) * 60;
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Fields {
        year,
        month,
        day,
        hour: rest / 3600,
        minute: rest % 3600 / 60,
        second: rest % 60,
    }
}

fn date_time(at: Millis, offset_minutes: i32, separator: char) -> String {
    let f = fields(at, offset_minutes);
    let mut out = String::with_capacity(25);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}{separator}{:02}:{:02}:{:02}",
        f.year, f.month, f.day, f.hour, f.minute, f.second
    );
    out
}

/// `+hh:mm` (with `colon`) or `+hhmm`.
pub fn offset(offset_minutes: i32, colon: bool) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    let mut out = String::with_capacity(6);
    let _ = if colon {
        write!(out, "{sign}{:02}:{:02}", m / 60, m % 60)
    } else {
        write!(out, "{sign}{:02}{:02}", m / 60, m % 60)
    };
    out
}

/// `yyyy-mm-dd hh:mm:ss+hh:mm`: Google Ads' `conversion_date_time`, in the site's zone with the
/// offset in effect at that instant.
pub fn google_ads_time(at: Millis, zone: &Zone) -> String {
    let minutes = zone.offset_minutes(at);
    let mut out = date_time(at, minutes, ' ');
    out.push_str(&offset(minutes, true));
    out
}

/// `yyyy-mm-ddThh:mm:ss+hh:mm`: RFC 3339 in the site's zone with the offset in effect at that
/// instant (Google's Data Manager API's `eventTimestamp`: the owner's own clock, read as Google
/// reads it).
pub fn rfc3339(at: Millis, zone: &Zone) -> String {
    let minutes = zone.offset_minutes(at);
    let mut out = date_time(at, minutes, 'T');
    out.push_str(&offset(minutes, true));
    out
}

/// `yyyy-mm-ddThh:mm:ssZ`: UTC, for Microsoft Advertising and the owner's webhooks.
pub fn iso_utc(at: Millis) -> String {
    let mut out = date_time(at, 0, 'T');
    out.push('Z');
    out
}

/// Reads an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, the IMF-fixdate form a `Retry-After` uses).
pub fn parse_http_date(value: &str) -> Option<Millis> {
    let rest = value.trim().split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let m: i64 = hms.next()?.parse().ok()?;
    let s: i64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s;
    u64::try_from(secs).ok().map(|s| s * 1000)
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

/// A day of the week (in routing rules: `"mon"` ... `"sun"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    fn of(w: jiff::civil::Weekday) -> Weekday {
        use jiff::civil::Weekday as W;
        match w {
            W::Monday => Weekday::Mon,
            W::Tuesday => Weekday::Tue,
            W::Wednesday => Weekday::Wed,
            W::Thursday => Weekday::Thu,
            W::Friday => Weekday::Fri,
            W::Saturday => Weekday::Sat,
            W::Sunday => Weekday::Sun,
        }
    }
}

/// The site's local time at the moment of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// The day of the week.
    pub weekday: Weekday,
    /// The day before's (for spans past midnight).
    pub yesterday: Weekday,
    /// Minutes since local midnight.
    pub minute: u16,
    /// The date.
    pub date: Date,
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-03-01 13:05:09 UTC.
    const T: Millis = 1_772_370_309_000;

    /// Milliseconds of a UTC date and time.
    fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64) -> Millis {
        ((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * 1000) as Millis
    }

    #[test]
    fn follows_the_zone_across_both_daylight_saving_changes() {
        let ny = Zone::of(Some("America/New_York"), None);
        let berlin = Zone::of(Some("Europe/Berlin"), Some(-300));
        // (zone, instant, Google Ads time)
        let table = [
            // New York springs forward on 2026-03-08 at 07:00 UTC (02:00 EST becomes 03:00 EDT).
            (&ny, utc(2026, 3, 8, 6, 59, 59), "2026-03-08 01:59:59-05:00"),
            (&ny, utc(2026, 3, 8, 7, 0, 0), "2026-03-08 03:00:00-04:00"),
            // ... and falls back on 2026-11-01 at 06:00 UTC: 01:30 happens twice, an hour apart.
            (&ny, utc(2026, 11, 1, 5, 30, 0), "2026-11-01 01:30:00-04:00"),
            (&ny, utc(2026, 11, 1, 6, 30, 0), "2026-11-01 01:30:00-05:00"),
            (&ny, utc(2026, 7, 4, 16, 0, 0), "2026-07-04 12:00:00-04:00"),
            (&ny, utc(2026, 1, 1, 4, 59, 59), "2025-12-31 23:59:59-05:00"),
            // Berlin (its zone wins over a legacy offset): 2026-03-29 at 01:00 UTC, 02:00 CET
            // becomes 03:00 CEST; 2026-10-25 at 01:00 UTC, 03:00 CEST becomes 02:00 CET.
            (
                &berlin,
                utc(2026, 3, 29, 0, 59, 59),
                "2026-03-29 01:59:59+01:00",
            ),
            (
                &berlin,
                utc(2026, 3, 29, 1, 0, 0),
                "2026-03-29 03:00:00+02:00",
            ),
            (
                &berlin,
                utc(2026, 10, 25, 0, 30, 0),
                "2026-10-25 02:30:00+02:00",
            ),
            (
                &berlin,
                utc(2026, 10, 25, 1, 30, 0),
                "2026-10-25 02:30:00+01:00",
            ),
        ];
        for (zone, at, want) in table {
            assert_eq!(google_ads_time(at, zone), want, "{} {at}", zone.label());
            let rfc = [&want[..10], "T", &want[11..]].concat();
            assert_eq!(rfc3339(at, zone), rfc, "{} {at}", zone.label());
            assert_eq!(zone.local_time(at), want[..19], "{} {at}", zone.label());
        }
        assert_eq!(
            (ny.label(), berlin.label()),
            ("America/New_York", "Europe/Berlin")
        );
    }

    #[test]
    fn old_configurations_keep_their_fixed_offset() {
        let summer = utc(2026, 7, 4, 16, 0, 0);
        // (time_zone, utc_offset_minutes, label, Google Ads time in July)
        let table = [
            (None, Some(-300), "-0500", "2026-07-04 11:00:00-05:00"),
            (None, None, "+0000", "2026-07-04 16:00:00+00:00"),
            (None, Some(0), "+0000", "2026-07-04 16:00:00+00:00"),
            (
                Some("Mars/Olympus"),
                Some(60),
                "+0100",
                "2026-07-04 17:00:00+01:00",
            ),
            (None, Some(9999), "+0000", "2026-07-04 16:00:00+00:00"),
            (Some("UTC"), Some(60), "UTC", "2026-07-04 16:00:00+00:00"),
            (
                Some("Asia/Kolkata"),
                None,
                "Asia/Kolkata",
                "2026-07-04 21:30:00+05:30",
            ),
        ];
        for (name, legacy, label, want) in table {
            let zone = Zone::of(name, legacy);
            assert_eq!(
                (zone.label(), google_ads_time(summer, &zone).as_str()),
                (label, want)
            );
        }
    }

    #[test]
    fn formats_times_at_an_offset() {
        // (offset minutes, Google Ads time, local time)
        let table = [
            (0, "2026-03-01 13:05:09+00:00", "2026-03-01 13:05:09"),
            (60, "2026-03-01 14:05:09+01:00", "2026-03-01 14:05:09"),
            (-300, "2026-03-01 08:05:09-05:00", "2026-03-01 08:05:09"),
            (-840, "2026-02-28 23:05:09-14:00", "2026-02-28 23:05:09"),
            (660, "2026-03-02 00:05:09+11:00", "2026-03-02 00:05:09"),
            (330, "2026-03-01 18:35:09+05:30", "2026-03-01 18:35:09"),
        ];
        for (off, google, local) in table {
            let zone = Zone::of(None, Some(off));
            assert_eq!(google_ads_time(T, &zone), google, "{off}");
            assert_eq!(zone.local_time(T), local, "{off}");
        }
        assert_eq!(iso_utc(T), "2026-03-01T13:05:09Z");
        assert_eq!(offset(-570, false), "-0930");
    }

    #[test]
    fn days_round_trip() {
        for days in [-1_000_000, -1, 0, 1, 11_016, 20_513, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn reads_http_dates() {
        let table = [
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_777_000)),
            ("Sun, 01 Mar 2026 13:05:09 GMT", Some(T)),
            ("Sun, 06 Nov 1994 08:49:37 UTC", None),
            ("Sunday, 06-Nov-94 08:49:37 GMT", None),
            ("120", None),
            ("", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_http_date(text), want, "{text}");
        }
    }

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
