//! The lease engine: one pool of tracking numbers as a deterministic state machine.
//!
//! A lease binds one number of the pool to one visitor session (for one swap target) while the
//! visitor is active: each heartbeat extends it by the idle timeout, never past the cap counted from
//! its start. When it ends (released, idle, or capped) the number cools down before anyone else may
//! have it, so a caller who dials a little later still reaches the right visit; the cool-down is
//! also the attribution window. A session that asks again gets back the number it had if no one
//! else had it since. Every operation takes `now`; none reads a clock. [`Pool::next_deadline`] tells
//! the shell when to wake the pool (the Durable Object's alarm); [`Pool::take_changes`] tells it
//! which numbers' rows to write. `docs/pool-sizing.md` describes the states and how the default
//! settings were chosen.
//!
//! Invariants (checked by `tests/lease_properties.rs` against a reference model):
//! - a number has at most one live lease (by construction: a slot holds one `Option<Lease>`);
//! - a (session, target) pair has at most one live lease in a pool;
//! - a number goes to another session only after the cool-down, unless the reuse policy hands it
//!   over (and the lease says it is ambiguous);
//! - a call while a lease is live attributes to that lease's session, with confidence 1.0 unless
//!   the reuse policy let a second session hold the number within the window;
//! - restoring from the rows written so far (in any order) gives a pool that behaves identically.

use std::collections::{BTreeSet, HashMap};

use crate::phone::E164;
use crate::{Millis, MINUTE};

/// What a pool does when every number is leased or cooling down.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Exhausted {
    /// Show the site's own number: the call is not tracked to a visit, but nothing is mixed up.
    #[default]
    Original,
    /// Show a source-level overflow number: the call is tracked to the channel, not the visit.
    Overflow(E164),
    /// Take the number from the least recently active lease; both sessions are marked ambiguous.
    ReuseLeastRecent,
}

/// A pool's timing and exhaustion settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Settings {
    /// A lease ends when no heartbeat arrived for this long.
    pub idle_timeout: Millis,
    /// A lease never lasts longer than this from its start, heartbeats or not.
    pub max_hold: Millis,
    /// After a lease ends, its number is not given to another session for this long. It is also the
    /// attribution window: a call less than this long after a lease ended still belongs to it.
    pub cooldown: Millis,
    /// What happens when no number is free.
    pub on_exhausted: Exhausted,
}

/// The defaults come from `dni simulate --sweep` (see `docs/pool-sizing.md`), with a client that
/// heartbeats every 30 seconds while the page is visible and releases on page hide:
/// - idle timeout 2 minutes: four heartbeat intervals, so only three lost heartbeats in a row end a
///   visible page's lease (at 1 minute, 23 lease requests in 1000 were re-asks after such an end;
///   at 2 minutes, none); the cost is that a page whose release was lost holds its number a minute
///   longer than at 1 minute (2 to 3 numbers at 600 visitors an hour);
/// - cap 60 minutes: no figure changes between 30 and 120 minutes, since a page that outlives its
///   lease asks again and gets its own number back; a safety net, not a sizing lever;
/// - cool-down 12 minutes: it is also the attribution window, so it must cover the time from a
///   caller's last activity to the call (up to 10 minutes in the scenario; at 8 minutes,
///   8.5 % of calls fall outside the window and 0.5 % go confidently to the next holder); the two
///   minutes of margin cost about 10 % more numbers (233 instead of 211 by Erlang-B at 600
///   visitors an hour).
impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_timeout: 2 * MINUTE,
            max_hold: 60 * MINUTE,
            cooldown: 12 * MINUTE,
            on_exhausted: Exhausted::Original,
        }
    }
}

/// A live lease.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lease {
    /// The lease id the browser heartbeats with (chosen by the shell, unguessable).
    pub id: String,
    /// The visitor session.
    pub session: String,
    /// The swap target (the site's own number) this lease stands in for.
    pub target: E164,
    /// When it started.
    pub started: Millis,
    /// The last heartbeat (or the start).
    pub last_seen: Millis,
    /// Taken over from another session by the reuse policy, or given back to its session while the
    /// session it was taken from is still within the attribution window.
    pub ambiguous: bool,
}

impl Lease {
    fn deadline(&self, s: &Settings) -> Millis {
        (self.last_seen.saturating_add(s.idle_timeout)).min(self.started.saturating_add(s.max_hold))
    }
}

/// A past holding of a number, kept for the attribution window.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Holding {
    /// The visitor session.
    pub session: String,
    /// The lease id it held.
    pub lease: String,
    /// The swap target.
    pub target: E164,
    /// From when.
    pub from: Millis,
    /// Until when.
    pub to: Millis,
    /// Handed over by the reuse policy (either end of it).
    pub ambiguous: bool,
}

/// One number of the pool and what is known about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Slot {
    /// The tracking number.
    pub number: E164,
    /// Its live lease, if any.
    pub lease: Option<Lease>,
    /// When its last lease ended (0 and no history: never leased). Free numbers are handed out
    /// never-leased first, then the one idle longest.
    pub free_since: Millis,
    /// Ended holdings within the attribution window (and always the latest one), oldest first.
    pub history: Vec<Holding>,
    /// Removed from the configuration: no new leases; dropped once nothing refers to it.
    pub retired: bool,
}

impl Slot {
    fn new(number: E164) -> Slot {
        Slot {
            number,
            lease: None,
            free_since: 0,
            history: Vec::new(),
            retired: false,
        }
    }

    /// Never leased, or its last lease ended at least `cooldown` before `now`. A slot that was ever
    /// leased keeps its latest holding, so an empty history means never leased (even at time 0).
    fn cooled(&self, cooldown: Millis, now: Millis) -> bool {
        self.history.is_empty() || self.free_since.saturating_add(cooldown) <= now
    }
}

/// Counts for metrics, kept with the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Counters {
    /// New leases granted.
    pub granted: u64,
    /// Lease requests answered with the session's existing lease.
    pub renewed: u64,
    /// Heartbeats accepted.
    pub heartbeats: u64,
    /// Leases released by the browser.
    pub released: u64,
    /// Leases ended by the idle timeout or the cap.
    pub expired: u64,
    /// Lease requests that found no free number.
    pub exhausted: u64,
    /// Of those, answered with the overflow number.
    pub overflow: u64,
    /// Of those, answered with the site's original number.
    pub original: u64,
    /// Of those, answered by taking a number from another session.
    pub reused: u64,
}

/// A granted (or renewed) lease, as the browser needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Granted {
    /// The tracking number to show.
    pub number: E164,
    /// The lease id for heartbeats and release.
    pub lease: String,
    /// When it ends unless a heartbeat comes first.
    pub expires_at: Millis,
    /// The session already held it.
    pub renewed: bool,
    /// Taken from another session by the reuse policy.
    pub ambiguous: bool,
}

/// The answer to a lease request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
pub enum Outcome {
    /// A number of the pool.
    Leased(Granted),
    /// The pool is exhausted: the overflow number.
    Overflow {
        /// The source-level overflow number.
        number: E164,
    },
    /// The pool is exhausted (or empty): keep the site's own number.
    Original,
}

/// A heartbeat or release for a lease that no longer exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

/// A session that may have made a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Candidate {
    /// The visitor session.
    pub session: String,
    /// The swap target its lease stood in for.
    pub target: E164,
    /// Its lease was live at the time of the call.
    pub live: bool,
}

/// Whose call it is.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Attribution {
    /// The most likely session: the live lease, else the most recent holder.
    pub best: Option<Candidate>,
    /// 1.0 when exactly one session held the number over the attribution window; 1/n when n
    /// sessions did (only the reuse policy lets a second session in within the window). When none
    /// did, the number's last holder (if it ever had one and nobody had it since) with at most 0.5,
    /// halving each time the time since its holding ended doubles past the window; 0 for a number
    /// never leased (or dropped from the pool).
    pub confidence: f64,
    /// Every session that held the number over the window, most likely first (or the last holder
    /// alone, after the window).
    pub candidates: Vec<Candidate>,
}

/// What changed since the shell last wrote the pool down.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// Numbers whose slot must be written.
    pub upserted: Vec<E164>,
    /// Numbers whose slot must be deleted.
    pub removed: Vec<E164>,
}

/// One pool.
///
/// Besides its slots (the state the shell writes down), a pool keeps indexes rebuilt from them on
/// [`Pool::restore`], so that each operation costs a few map lookups rather than a scan of every
/// number: the live leases by id and by deadline, the free numbers in the order they are handed out,
/// the slots each session holds or last held, and when each slot next has history to forget. The
/// indexes never decide anything the slots don't say: a pool restored from its slots behaves
/// exactly like the pool that wrote them.
#[derive(Debug, Clone)]
pub struct Pool {
    settings: Settings,
    /// Ordered by number.
    slots: Vec<Slot>,
    counters: Counters,
    by_lease: HashMap<String, usize>,
    by_number: HashMap<E164, usize>,
    /// The slots whose live lease, or (with none) latest holding, is the session's.
    by_session: HashMap<String, Vec<usize>>,
    /// Live leases: (deadline, slot).
    deadlines: BTreeSet<(Millis, usize)>,
    /// Numbers that are neither leased nor retired, in the order they are handed out once cooled:
    /// (ever leased, free since, slot).
    free: BTreeSet<(bool, Millis, usize)>,
    /// Slots with holdings other than the latest: (when the oldest of them leaves the window, slot).
    prune: BTreeSet<(Millis, usize)>,
    /// Retired slots with no live lease: (when nothing refers to them any more, slot).
    retiring: BTreeSet<(Millis, usize)>,
    dirty: BTreeSet<E164>,
    removed: BTreeSet<E164>,
}

mod index;
mod ops;
mod queries;

#[cfg(test)]
mod tests;
