//! Civil (calendar) time from [`Millis`], without a time-zone database: the formats the ad platforms
//! want, at a fixed UTC offset, and the HTTP date a `Retry-After` may carry.
//!
//! The workspace has no time-zone crate yet, so a site's time zone is a fixed UTC offset in minutes
//! (`utc_offset_minutes` in its integration settings). A site whose zone observes daylight saving
//! time gets times that are an hour off half of the year; Google Ads still places the conversion at
//! the right instant, because the offset is written with every time.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt::Write;

use crate::Millis;

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

/// `yyyy-mm-dd hh:mm:ss+hh:mm`: Google Ads' `conversion_date_time`.
pub fn google_ads_time(at: Millis, offset_minutes: i32) -> String {
    let mut out = date_time(at, offset_minutes, ' ');
    out.push_str(&offset(offset_minutes, true));
    out
}

/// `yyyy-mm-dd hh:mm:ss` at the offset: the conversion time of Google's import file, whose time zone
/// is given once, in its `Parameters:TimeZone=` line.
pub fn local_time(at: Millis, offset_minutes: i32) -> String {
    date_time(at, offset_minutes, ' ')
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
            assert_eq!(google_ads_time(T, off), google, "{off}");
            assert_eq!(local_time(T, off), local, "{off}");
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
