//! Civil (calendar) time from [`Millis`]: the formats the ad platforms want, in the site's time
//! zone, and the HTTP date a `Retry-After` may carry.
//!
//! Google Ads wants local times: `conversion_date_time` with the offset in effect at that instant
//! (so a call on either side of a daylight-saving change gets its own offset), and the import
//! file's times in the zone its `Parameters:TimeZone=` line names. The zone is the site's IANA
//! `time_zone` (the bundled database, nothing read from the machine); configurations written before
//! sites had one carry a fixed `utc_offset_minutes`, still read (see [`SiteZone::of`]).

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt::Write;

use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use crate::Millis;

/// The zone a site's local times are written in, and the name Google's import file gives it.
#[derive(Debug, Clone)]
pub struct SiteZone {
    tz: TimeZone,
    label: String,
}

impl SiteZone {
    /// The site's zone: its IANA `time_zone` when it has one the bundled database knows (validated
    /// configurations always do); else the deprecated fixed `utc_offset_minutes` of integration
    /// settings written before sites had a zone (right in winter or in summer, an hour off in the
    /// other half of the year where the clocks change); else UTC. A site with both uses its zone.
    pub fn of(time_zone: Option<&str>, legacy_offset_minutes: Option<i32>) -> SiteZone {
        if let Some(name) = time_zone {
            if let Ok(tz) = TimeZone::get(name) {
                return SiteZone {
                    tz,
                    label: name.to_owned(),
                };
            }
        }
        let minutes = legacy_offset_minutes
            .filter(|m| m.abs() <= 14 * 60)
            .unwrap_or(0);
        match Offset::from_seconds(minutes * 60) {
            Ok(fixed) if minutes != 0 => SiteZone {
                tz: TimeZone::fixed(fixed),
                label: offset(minutes, false),
            },
            _ => SiteZone {
                tz: TimeZone::UTC,
                label: "+0000".to_owned(),
            },
        }
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
pub fn google_ads_time(at: Millis, zone: &SiteZone) -> String {
    let minutes = zone.offset_minutes(at);
    let mut out = date_time(at, minutes, ' ');
    out.push_str(&offset(minutes, true));
    out
}

/// `yyyy-mm-dd hh:mm:ss` in the site's zone: the conversion time of Google's import file, whose
/// zone is given once, in its `Parameters:TimeZone=` line. (In the hour a zone repeats when its
/// clocks go back, such a time names two instants; Google does not say which it takes.)
pub fn local_time(at: Millis, zone: &SiteZone) -> String {
    date_time(at, zone.offset_minutes(at), ' ')
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
        let ny = SiteZone::of(Some("America/New_York"), None);
        let berlin = SiteZone::of(Some("Europe/Berlin"), Some(-300));
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
            assert_eq!(local_time(at, zone), want[..19], "{} {at}", zone.label());
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
            let zone = SiteZone::of(name, legacy);
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
            let zone = SiteZone::of(None, Some(off));
            assert_eq!(google_ads_time(T, &zone), google, "{off}");
            assert_eq!(local_time(T, &zone), local, "{off}");
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
}
