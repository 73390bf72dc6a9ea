//! The pool panel's history: numbers leased and cooling down over time, and when the pool ran dry.
//!
//! The pool object keeps one sample per quarter hour ([`EVERY`]) while it has something to show:
//! it samples when a request or an alarm finds the current quarter hour without a sample
//! ([`due`]), and while any number is leased or cooling down it keeps an alarm for the next
//! quarter hour ([`next_due`]), so the line goes on to zero after the last visitor leaves rather
//! than stopping at the last busy figure. An idle pool writes nothing. Samples older than
//! [`KEEP`] are deleted when a new one is written, so a pool keeps at most about 3,400 of them.
//!
//! A sample is a snapshot (the figures at one moment of its quarter hour), not a peak: a burst
//! between two samples shows in the exhaustion count, which is a running counter and therefore
//! misses nothing. [`series`] turns each shard's samples into one line: figures added across
//! shards per quarter hour, and the counters turned into events per interval.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::{Millis, DAY, MINUTE};
use serde::{Deserialize, Serialize};

/// One sample per this much time.
pub const EVERY: Millis = 15 * MINUTE;

/// Samples are kept this long (a little more than the dashboard's longest preset, 30 days).
pub const KEEP: Millis = 35 * DAY;

/// A pool's figures at one moment (one shard's, as its object stores them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// The start of the quarter hour the sample belongs to.
    pub at: Millis,
    /// Numbers in the pool (not counting retired ones).
    pub size: u64,
    /// Numbers leased.
    pub leased: u64,
    /// Numbers free of a lease but still cooling down.
    pub cooling: u64,
    /// Lease requests that found no free number, since the counters began (a running count).
    pub exhausted: u64,
    /// Lease requests refused by the pool-drain limits, since the counters began.
    pub limited: u64,
}

impl Sample {
    /// Whether any number is leased or cooling down: then the next quarter hour is sampled too.
    pub fn busy(&self) -> bool {
        self.leased + self.cooling > 0
    }
}

/// The start of the quarter hour that `at` falls in.
pub fn slot(at: Millis) -> Millis {
    at - at % EVERY
}

/// Whether a sample is due at `now`, given the time of the latest stored one.
pub fn due(latest: Option<Millis>, now: Millis) -> bool {
    match latest {
        None => true,
        Some(at) => slot(now) > slot(at),
    }
}

/// When the object should wake to sample next, at `now`: the next quarter hour while any number
/// is leased or cooling down (`busy`), never when the pool is idle (a request starts sampling
/// again).
pub fn next_due(now: Millis, busy: bool) -> Option<Millis> {
    busy.then(|| slot(now) + EVERY)
}

/// The object's next wake-up: its engine's next deadline or the next sample, whichever is first.
pub fn next_wake(deadline: Option<Millis>, sample: Option<Millis>) -> Option<Millis> {
    match (deadline, sample) {
        (Some(d), Some(s)) => Some(d.min(s)),
        (d, s) => d.or(s),
    }
}

/// Samples before this time are deleted when one is written at `now`.
pub fn keep_from(now: Millis) -> Millis {
    slot(now).saturating_sub(KEEP)
}

/// A point of the pool panel's chart: the whole pool (every shard) in one quarter hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// The start of the quarter hour.
    pub at: Millis,
    /// Numbers in the pool.
    pub size: u64,
    /// Numbers leased.
    pub leased: u64,
    /// Numbers cooling down.
    pub cooling: u64,
    /// Numbers free to lease (`size - leased - cooling`).
    pub free: u64,
    /// Lease requests that found the pool empty since the previous point (exhaustion events).
    pub exhausted: u64,
    /// Lease requests refused by the pool-drain limits since the previous point.
    pub limited: u64,
}

/// The increase of a running counter; a counter that went down (its object's storage was reset)
/// counts from zero again.
fn increase(before: u64, after: u64) -> u64 {
    if after >= before {
        after - before
    } else {
        after
    }
}

/// One line from each shard's samples (each in time order, as stored), over `[from, to)`.
///
/// At each quarter hour that any shard sampled, every shard counts with its latest sample at or
/// before it (a shard that wrote nothing since was idle: its last sample is its figure). Events
/// are each shard's counter increases since its previous sample, so the first sample of a shard
/// in the range counts from the sample before the range when there is one (callers pass it), and
/// from nothing otherwise.
pub fn series(shards: &[Vec<Sample>], from: Millis, to: Millis) -> Vec<Point> {
    let mut slots: Vec<Millis> = shards
        .iter()
        .flatten()
        .map(|s| s.at)
        .filter(|&at| at >= from && at < to)
        .collect();
    slots.sort_unstable();
    slots.dedup();
    let mut points = Vec::with_capacity(slots.len());
    // Per shard: the index of its next unread sample, and its latest sample read so far.
    let mut next = vec![0usize; shards.len()];
    let mut latest: Vec<Option<Sample>> = vec![None; shards.len()];
    for &at in &slots {
        let mut p = Point {
            at,
            size: 0,
            leased: 0,
            cooling: 0,
            free: 0,
            exhausted: 0,
            limited: 0,
        };
        for (k, samples) in shards.iter().enumerate() {
            while let Some(s) = samples.get(next[k]).filter(|s| s.at <= at) {
                if s.at >= from {
                    if let Some(before) = latest[k] {
                        p.exhausted += increase(before.exhausted, s.exhausted);
                        p.limited += increase(before.limited, s.limited);
                    }
                }
                latest[k] = Some(*s);
                next[k] += 1;
            }
            if let Some(s) = latest[k] {
                p.size += s.size;
                p.leased += s.leased;
                p.cooling += s.cooling;
            }
        }
        p.free = p.size.saturating_sub(p.leased + p.cooling);
        points.push(p);
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_796_000_000_000 - 1_796_000_000_000 % EVERY;

    fn s(at: Millis, leased: u64, cooling: u64, exhausted: u64) -> Sample {
        Sample {
            at,
            size: 10,
            leased,
            cooling,
            exhausted,
            limited: 0,
        }
    }

    #[test]
    fn samples_once_per_quarter_hour() {
        // (latest sample, now, due)
        let table = [
            (None, T0 + 5, true),
            (Some(T0), T0 + 14 * MINUTE, false),
            (Some(T0), T0 + EVERY - 1, false),
            (Some(T0), T0 + EVERY, true),
            (Some(T0), T0 + 3 * EVERY + 7, true),
            // A clock that went back (another machine's clock) does not sample the past again.
            (Some(T0 + EVERY), T0 + 1, false),
        ];
        for (latest, now, want) in table {
            assert_eq!(due(latest, now), want, "{latest:?} {now}");
        }
        assert_eq!(slot(T0 + 14 * MINUTE), T0);
    }

    #[test]
    fn wakes_while_busy_and_sleeps_when_idle() {
        // (now, busy, next sample)
        let table = [
            (T0, true, Some(T0 + EVERY)),
            (T0 + 14 * MINUTE, true, Some(T0 + EVERY)),
            (T0 + EVERY, true, Some(T0 + 2 * EVERY)),
            (T0 + 3, false, None),
        ];
        for (now, busy, want) in table {
            assert_eq!(next_due(now, busy), want, "{now} {busy}");
        }
        // (engine deadline, next sample, wake-up)
        let table = [
            (Some(5), Some(9), Some(5)),
            (Some(9), Some(5), Some(5)),
            (None, Some(5), Some(5)),
            (Some(5), None, Some(5)),
            (None, None, None),
        ];
        for (deadline, sample, want) in table {
            assert_eq!(next_wake(deadline, sample), want);
        }
        assert!(s(T0, 0, 1, 0).busy() && !s(T0, 0, 0, 3).busy());
        assert_eq!(keep_from(T0 + KEEP + 5), T0);
        assert_eq!(keep_from(5), 0);
    }

    #[test]
    fn one_shard_becomes_a_line_with_events_per_interval() {
        let samples = vec![
            s(T0 - EVERY, 1, 0, 4),
            s(T0, 5, 2, 4),
            s(T0 + EVERY, 10, 0, 9),
            s(T0 + 2 * EVERY, 0, 3, 9),
            // The object's storage was reset: the counter starts again.
            s(T0 + 3 * EVERY, 0, 0, 2),
        ];
        let points = series(&[samples], T0, T0 + 4 * EVERY);
        // (at, leased, cooling, free, exhaustion events)
        let want = [
            (T0, 5, 2, 3, 0),
            (T0 + EVERY, 10, 0, 0, 5),
            (T0 + 2 * EVERY, 0, 3, 7, 0),
            (T0 + 3 * EVERY, 0, 0, 10, 2),
        ];
        let got: Vec<_> = points
            .iter()
            .map(|p| (p.at, p.leased, p.cooling, p.free, p.exhausted))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn shards_add_up_and_an_idle_shard_keeps_its_last_figures() {
        let a = vec![s(T0, 2, 1, 0), s(T0 + EVERY, 4, 0, 1)];
        let b = vec![s(T0 - 4 * EVERY, 0, 1, 3), s(T0 + 2 * EVERY, 1, 0, 5)];
        let points = series(&[a, b], T0, T0 + 3 * EVERY);
        // (at, size, leased, cooling, events)
        let want = [
            (T0, 20, 2, 2, 0),
            (T0 + EVERY, 20, 4, 1, 1),
            (T0 + 2 * EVERY, 20, 5, 0, 2),
        ];
        let got: Vec<_> = points
            .iter()
            .map(|p| (p.at, p.size, p.leased, p.cooling, p.exhausted))
            .collect();
        assert_eq!(got, want);
        // Outside the range: nothing.
        assert!(series(&[vec![s(T0, 1, 0, 0)]], T0 + EVERY, T0 + 2 * EVERY).is_empty());
    }
}
