//! The pool panel's advice, "you need about N numbers", from a pool's counters.
//!
//! The numbers busy now (leased plus cooling down) are the pool's offered load in Erlangs at this
//! moment: each visitor holds a number for their visit plus its cool-down. When the pool has run
//! dry, the visitors turned away were load too, so the load is scaled up by the share of lease
//! requests that found no number. The advice is the smallest pool that Erlang-B says turns away at
//! most 1 % of visitors at that load, the same sizing rule the simulator (`dni simulate`) prints
//! beside its measured figures. It is a snapshot: read at the busy hour it is the size to have;
//! the simulator gives the full answer from traffic figures.

use serde::{Deserialize, Serialize};

/// The advice and what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Numbers in the pool.
    pub size: usize,
    /// Numbers leased or cooling down now.
    pub busy: usize,
    /// Share of lease requests that found the pool empty, since the counters began (0 to 1).
    pub exhausted_share: f64,
    /// The offered load used, in Erlangs.
    pub load: f64,
    /// The pool size Erlang-B gives for at most 1 % of visitors without a number.
    pub numbers: usize,
}

/// Erlang-B blocking probability for `load` Erlangs on `n` numbers.
pub fn erlang_b(load: f64, n: usize) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = load * b / (k as f64 + load * b);
    }
    b
}

/// The advice for a pool of `size` numbers with `busy` in use now, `granted` leases and
/// `exhausted` requests turned away since its counters began.
pub fn advice(size: usize, busy: usize, granted: u64, exhausted: u64) -> Advice {
    let asked = granted + exhausted;
    let exhausted_share = if asked > 0 {
        exhausted as f64 / asked as f64
    } else {
        0.0
    };
    let load = if exhausted_share < 1.0 {
        busy as f64 / (1.0 - exhausted_share)
    } else {
        // Every request was refused: all we know is that the pool is too small.
        (busy.max(size) * 2) as f64
    };
    let mut numbers = 1;
    while erlang_b(load, numbers) > 0.01 && numbers < 100_000 {
        numbers += 1;
    }
    Advice {
        size,
        busy,
        exhausted_share,
        load,
        numbers: if busy == 0 && exhausted == 0 {
            1
        } else {
            numbers
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_matches_the_tables() {
        // Published Erlang-B values (load, numbers, blocking).
        let table = [(1.0, 1, 0.5), (2.0, 2, 0.4), (10.0, 18, 0.00714)];
        for (load, n, want) in table {
            assert!((erlang_b(load, n) - want).abs() < 1e-4, "{load} {n}");
        }
    }

    #[test]
    fn advises_from_the_counters() {
        // (size, busy, granted, exhausted, advised numbers)
        let table = [
            (10, 0, 0, 0, 1),
            (10, 3, 100, 0, 8),
            (10, 10, 90, 10, 19),
            (50, 40, 1000, 0, 53),
            (10, 10, 0, 5, 30),
        ];
        for (size, busy, granted, exhausted, want) in table {
            let a = advice(size, busy, granted, exhausted);
            assert_eq!(
                a.numbers, want,
                "{size} {busy} {granted} {exhausted}: {a:?}"
            );
        }
    }
}
