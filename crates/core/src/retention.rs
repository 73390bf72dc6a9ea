//! How long a site's data is kept: the per-site retention period, and which stored rows it makes
//! due for deletion at a given time.
//!
//! The Durable Objects delete in their alarms (the call log its call records and what hangs off
//! them, the pool object its visits); this module decides, with the time as an argument, what is
//! due and when the next deletion falls, so the objects only run the `DELETE` and set the alarm.
//!
//! A row is kept for exactly the retention period after its time (a visit's last request, a call's
//! start) and is due from the moment it is that old: `at + period <= now`. The next deletion is due
//! when the oldest row left turns that old, so an alarm set for it always finds that row due (an
//! alarm that found nothing would set itself again for the same instant).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::{Millis, DAY};

/// The retention when the site's configuration says none: about thirteen months, so a report can
/// still compare a month with the same month a year before.
pub const DEFAULT_DAYS: u32 = 400;

/// The longest retention a site may set (ten years).
pub const MAX_DAYS: u32 = 3650;

/// The retention period of `days` days, in milliseconds.
pub fn period(days: u32) -> Millis {
    u64::from(days).saturating_mul(DAY)
}

/// The cutoff at `now`: a row whose time is at or before it is due for deletion; a later one is
/// kept. Before the epoch plus the period (no real clock), nothing is due.
pub fn cutoff(now: Millis, days: u32) -> Option<Millis> {
    now.checked_sub(period(days))
}

/// Whether a row of time `at` is due for deletion at `now`.
pub fn is_due(at: Millis, now: Millis, days: u32) -> bool {
    cutoff(now, days).is_some_and(|c| at <= c)
}

/// When the next deletion falls, given the time of the oldest row still kept (`None`: no row,
/// nothing to schedule).
pub fn next_due(oldest: Option<Millis>, days: u32) -> Option<Millis> {
    oldest.map(|at| at.saturating_add(period(days)))
}

/// The earliest of an object's due times (its alarm serves all of them), `None` when none is set.
pub fn earliest(due: &[Option<Millis>]) -> Option<Millis> {
    due.iter().flatten().copied().min()
}

/// Checks a configured retention: 1 to [`MAX_DAYS`] days.
pub fn validate(days: u32) -> Result<(), String> {
    if (1..=MAX_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(format!("retention_days must be 1 to {MAX_DAYS}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MINUTE;

    const NOW: Millis = 1_800_000_000_000;

    #[test]
    fn what_is_due() {
        // (row time, now, days, due)
        let table: &[(Millis, Millis, u32, bool)] = &[
            (NOW, NOW, 30, false),
            (NOW - 29 * DAY, NOW, 30, false),
            (NOW - 30 * DAY + 1, NOW, 30, false),
            (NOW - 30 * DAY, NOW, 30, true),
            (NOW - 30 * DAY - 1, NOW, 30, true),
            (NOW - 400 * DAY, NOW, 400, true),
            (NOW - 399 * DAY, NOW, 400, false),
            (NOW - DAY, NOW, 1, true),
            (NOW - DAY + MINUTE, NOW, 1, false),
            (0, NOW, 1, true),
            // A row from the future (a clock moved back) is kept.
            (NOW + DAY, NOW, 1, false),
            // Before the epoch plus the period there is no cutoff.
            (0, 5 * DAY, 30, false),
            (0, 30 * DAY, 30, true),
            // The longest retention.
            (NOW - 3650 * DAY, NOW, MAX_DAYS, true),
            (NOW - 3649 * DAY, NOW, MAX_DAYS, false),
        ];
        for &(at, now, days, due) in table {
            assert_eq!(
                is_due(at, now, days),
                due,
                "at {at}, now {now}, {days} days"
            );
        }
    }

    #[test]
    fn cutoffs() {
        // (now, days, cutoff)
        let table: &[(Millis, u32, Option<Millis>)] = &[
            (NOW, 30, Some(NOW - 30 * DAY)),
            (NOW, 1, Some(NOW - DAY)),
            (DAY, 1, Some(0)),
            (DAY - 1, 1, None),
            (0, 400, None),
            (NOW, u32::MAX, None),
        ];
        for &(now, days, want) in table {
            assert_eq!(cutoff(now, days), want, "now {now}, {days} days");
        }
    }

    #[test]
    fn the_next_deletion_finds_its_row_due() {
        // (oldest row, days, next due)
        let table: &[(Option<Millis>, u32, Option<Millis>)] = &[
            (None, 30, None),
            (Some(NOW), 30, Some(NOW + 30 * DAY)),
            (Some(NOW - 31 * DAY), 30, Some(NOW - DAY)),
            (Some(Millis::MAX - 1), 30, Some(Millis::MAX)),
        ];
        for &(oldest, days, want) in table {
            let due = next_due(oldest, days);
            assert_eq!(due, want, "{oldest:?}, {days} days");
            // An alarm at that time deletes that row: it never wakes for nothing.
            if let (Some(at), Some(when)) = (oldest, due) {
                if when < Millis::MAX {
                    assert!(is_due(at, when, days), "{at} is due at {when}");
                    assert!(!is_due(at, when - 1, days), "{at} is not due before {when}");
                }
            }
        }
    }

    #[test]
    fn one_alarm_serves_the_earliest() {
        // (due times, earliest)
        let table: &[(&[Option<Millis>], Option<Millis>)] = &[
            (&[], None),
            (&[None, None], None),
            (&[Some(5), None], Some(5)),
            (&[None, Some(7)], Some(7)),
            (&[Some(9), Some(3), Some(4)], Some(3)),
        ];
        for &(due, want) in table {
            assert_eq!(earliest(due), want, "{due:?}");
        }
    }

    #[test]
    fn configured_periods() {
        // (days, ok)
        let table = [
            (0, false),
            (1, true),
            (DEFAULT_DAYS, true),
            (MAX_DAYS, true),
            (MAX_DAYS + 1, false),
        ];
        for (days, ok) in table {
            assert_eq!(validate(days).is_ok(), ok, "{days}");
        }
    }
}
