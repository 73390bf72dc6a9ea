//! The pool panel's advice, "you need about N numbers", from the pool's history over a range.
//!
//! The advice must hold for the pool's busiest hours, not for the moment someone looks: a pool read
//! on a quiet morning after a busy week is still the busy week's pool. So it is computed from the
//! range's samples ([`super::pool_history::Point`]): numbers leased or cooling down per quarter
//! hour, and the visitors turned away (exhaustion events) between samples.
//!
//! For each hour of the range with samples, the numbers busy (leased plus cooling down, averaged
//! over its samples) are the load the pool carried, in Erlangs: each visitor holds a number for
//! their visit plus its cool-down. The visitors turned away in that hour were load too: each would
//! have held a number about as long as a lease's hold (`hold`: the cool-down plus the idle timeout,
//! the shortest a lease and its cool-down last), so the hour's offered load is the carried load
//! plus `turned away × hold / 1 hour`. The advice is for the mean of the [`BUSIEST_HOURS`] hours of
//! highest offered load: the smallest pool that Erlang-B says turns away at most 1 % of visitors at
//! that load, the sizing rule the simulator (`dni simulate`) prints beside its measured figures.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::report::pool_history::Point;
use crate::{Millis, HOUR};
use serde::{Deserialize, Serialize};

/// How many of the range's busiest hours the advice is sized for (their mean offered load): more
/// than one, so that one odd hour does not decide the pool's size alone.
pub const BUSIEST_HOURS: usize = 3;

/// The share of visitors the advised size may turn away at the busiest hours' load.
pub const TARGET_BLOCKING: f64 = 0.01;

/// The advice and what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Numbers in the pool.
    pub size: usize,
    /// Hours of the range with samples (none: no advice).
    pub hours: usize,
    /// The start of the busiest hour of the range.
    pub busiest_at: Option<Millis>,
    /// Numbers busy (leased or cooling down) on average in the busiest hours.
    pub busy: f64,
    /// Visitors turned away (the pool was empty) over the whole range.
    pub turned_away: u64,
    /// Share of the busiest hours' offered load that was turned away (0 to 1).
    pub exhausted_share: f64,
    /// The busiest hours' offered load, in Erlangs (the load of a pool that never runs dry).
    pub load: f64,
    /// The pool size Erlang-B gives for at most 1 % of visitors without a number at that load;
    /// `None` without samples in the range.
    pub numbers: Option<usize>,
    /// Numbers to add (`dni numbers add` takes this figure): 0 when the pool is large enough.
    pub add: usize,
}

/// Erlang-B blocking probability for `load` Erlangs on `n` numbers.
pub fn erlang_b(load: f64, n: usize) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = load * b / (k as f64 + load * b);
    }
    b
}

/// The smallest number of numbers that turns away at most `target` of the visitors at `load`
/// (at least 1).
pub fn erlang_b_numbers(load: f64, target: f64) -> usize {
    let mut n = 1;
    while erlang_b(load, n) > target && n < 100_000 {
        n += 1;
    }
    n
}

/// One hour of the range: the mean numbers busy over its samples and the visitors turned away.
#[derive(Debug, Clone, Copy)]
struct Hour {
    at: Millis,
    busy: f64,
    turned_away: u64,
    load: f64,
}

/// The hours of the range, from its points (oldest first).
fn hours(points: &[Point], hold: Millis) -> Vec<Hour> {
    let mut out: Vec<(Millis, u64, u64, u64)> = Vec::new(); // (hour, busy sum, samples, events)
    for p in points {
        let at = p.at - p.at % HOUR;
        match out.last_mut() {
            Some(h) if h.0 == at => {
                h.1 += p.leased + p.cooling;
                h.2 += 1;
                h.3 += p.exhausted;
            }
            _ => out.push((at, p.leased + p.cooling, 1, p.exhausted)),
        }
    }
    out.into_iter()
        .map(|(at, busy, samples, turned_away)| {
            let busy = busy as f64 / samples as f64;
            let load = busy + turned_away as f64 * hold as f64 / HOUR as f64;
            Hour {
                at,
                busy,
                turned_away,
                load,
            }
        })
        .collect()
}

/// The advice for a pool of `size` numbers from its points over a range (oldest first, as
/// [`super::pool_history::series`] returns them); `hold` is how long a visitor turned away would
/// have held a number (the pool's cool-down plus its idle timeout).
pub fn advice(points: &[Point], size: usize, hold: Millis) -> Advice {
    let mut hours = hours(points, hold);
    let turned_away = hours.iter().map(|h| h.turned_away).sum();
    let count = hours.len();
    // Highest offered load first; the earlier hour first among equals, so the result does not
    // depend on the sort's stability.
    hours.sort_by(|a, b| b.load.total_cmp(&a.load).then(a.at.cmp(&b.at)));
    let busiest = &hours[..hours.len().min(BUSIEST_HOURS)];
    if busiest.is_empty() {
        return Advice {
            size,
            hours: 0,
            busiest_at: None,
            busy: 0.0,
            turned_away,
            exhausted_share: 0.0,
            load: 0.0,
            numbers: None,
            add: 0,
        };
    }
    let n = busiest.len() as f64;
    let busy = busiest.iter().map(|h| h.busy).sum::<f64>() / n;
    let load = busiest.iter().map(|h| h.load).sum::<f64>() / n;
    let exhausted_share = if load > 0.0 {
        (load - busy) / load
    } else {
        0.0
    };
    let numbers = erlang_b_numbers(load, TARGET_BLOCKING);
    Advice {
        size,
        hours: count,
        busiest_at: busiest.first().map(|h| h.at),
        busy,
        turned_away,
        exhausted_share,
        load,
        numbers: Some(numbers),
        add: numbers.saturating_sub(size),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::pool_history::EVERY;
    use crate::{DAY, MINUTE};

    const T0: Millis = 1_796_000_000_000 - 1_796_000_000_000 % DAY;
    /// The default settings' hold: 12 minutes of cool-down and 2 of idle timeout.
    const HOLD: Millis = 14 * MINUTE;

    fn point(at: Millis, busy: u64, exhausted: u64) -> Point {
        Point {
            at,
            size: 10,
            leased: busy / 2,
            cooling: busy - busy / 2,
            free: 10u64.saturating_sub(busy),
            exhausted,
            limited: 0,
        }
    }

    /// Quarter hours from `start`, one per figure `(busy, turned away)`.
    fn run(start: Millis, figures: &[(u64, u64)]) -> Vec<Point> {
        figures
            .iter()
            .enumerate()
            .map(|(i, &(busy, ex))| point(start + i as Millis * EVERY, busy, ex))
            .collect()
    }

    /// A week of business days: quiet nights, a busy hour at 10:00 where the pool of 10 runs dry.
    fn busy_week() -> Vec<Point> {
        let mut points = Vec::new();
        for day in 0..7 {
            let d = T0 + day * DAY;
            points.extend(run(d + 8 * HOUR, &[(2, 0), (3, 0), (4, 0), (5, 0)]));
            points.extend(run(d + 10 * HOUR, &[(10, 6), (10, 9), (10, 7), (9, 2)]));
            points.extend(run(d + 14 * HOUR, &[(4, 0), (2, 0), (1, 0), (0, 0)]));
        }
        points
    }

    #[test]
    fn erlang_b_matches_the_tables() {
        // Published Erlang-B values (load, numbers, blocking).
        let table = [(1.0, 1, 0.5), (2.0, 2, 0.4), (10.0, 18, 0.00714)];
        for (load, n, want) in table {
            assert!((erlang_b(load, n) - want).abs() < 1e-4, "{load} {n}");
        }
        // 1 % grade of service: 5 numbers carry 1.36 Erlangs, 10 carry 4.46.
        assert_eq!(erlang_b_numbers(1.36, 0.0105), 5);
        assert_eq!(erlang_b_numbers(4.46, 0.0105), 10);
        assert_eq!(erlang_b_numbers(0.0, 0.01), 1);
    }

    /// (case, points, size, hours with samples, busy, turned away, load, advised, add)
    type Case = (
        &'static str,
        Vec<Point>,
        usize,
        usize,
        f64,
        u64,
        f64,
        Option<usize>,
        usize,
    );

    #[test]
    fn advises_for_the_busiest_hours_of_the_range() {
        let mut after_a_quiet_moment = busy_week();
        // Monday morning: one visitor, nothing turned away.
        after_a_quiet_moment.extend(run(T0 + 7 * DAY + 7 * HOUR, &[(1, 0)]));
        let busy_hour_load = 9.75 + 24.0 * 14.0 / 60.0;
        let table: [Case; 6] = [
            ("no samples: no advice", vec![], 10, 0, 0.0, 0, 0.0, None, 0),
            (
                "one quiet sample",
                run(T0, &[(1, 0)]),
                10,
                1,
                1.0,
                0,
                1.0,
                Some(5),
                0,
            ),
            (
                "a busy hour that never ran dry: its own load",
                run(T0, &[(4, 0), (6, 0), (5, 0), (5, 0)]),
                10,
                1,
                5.0,
                0,
                5.0,
                Some(11),
                1,
            ),
            (
                "a week whose busy hours ran dry",
                busy_week(),
                10,
                21,
                9.75,
                168,
                busy_hour_load,
                Some(25),
                15,
            ),
            (
                "a quiet moment after a busy week still advises for the busy week",
                after_a_quiet_moment,
                10,
                22,
                9.75,
                168,
                busy_hour_load,
                Some(25),
                15,
            ),
            (
                "a large pool is large enough",
                run(T0, &[(30, 0), (32, 0), (31, 0), (31, 0)]),
                60,
                1,
                31.0,
                0,
                31.0,
                Some(43),
                0,
            ),
        ];
        for (case, points, size, hours, busy, turned_away, load, numbers, add) in table {
            let a = advice(&points, size, HOLD);
            assert_eq!(a.hours, hours, "{case}: {a:?}");
            assert!((a.busy - busy).abs() < 1e-9, "{case}: {a:?}");
            assert_eq!(a.turned_away, turned_away, "{case}: {a:?}");
            assert!((a.load - load).abs() < 1e-9, "{case}: {a:?}");
            assert_eq!(a.numbers, numbers, "{case}: {a:?}");
            assert_eq!(a.add, add, "{case}: {a:?}");
        }
    }

    #[test]
    fn the_share_turned_away_and_the_busiest_hour_are_reported() {
        let a = advice(&busy_week(), 10, HOLD);
        // The first day's 10:00 is the busiest hour (every day's is the same; the earliest wins).
        assert_eq!(a.busiest_at, Some(T0 + 10 * HOUR));
        // 24 visitors turned away an hour, each 14 minutes of a number: 5.6 of 15.35 Erlangs.
        assert!((a.exhausted_share - 5.6 / 15.35).abs() < 1e-9, "{a:?}");
        // Without exhaustion nothing is turned away.
        let quiet = advice(&run(T0, &[(3, 0), (3, 0)]), 10, HOLD);
        assert_eq!(quiet.exhausted_share, 0.0);
        // A longer hold makes the same turned-away visitors weigh more.
        let longer = advice(&busy_week(), 10, 2 * HOLD);
        assert!(longer.numbers > a.numbers, "{longer:?}");
    }
}
