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

/// The keys under which a slot appears in the pool's indexes, all read off the slot itself.
struct Keys<'a> {
    deadline: Option<Millis>,
    free: Option<(bool, Millis)>,
    prune: Option<Millis>,
    retiring: Option<Millis>,
    owner: Option<&'a str>,
}

impl Slot {
    fn keys(&self, settings: &Settings) -> Keys<'_> {
        let window = settings.cooldown;
        let idle = self.lease.is_none();
        let latest = self.history.len().saturating_sub(1);
        Keys {
            deadline: self.lease.as_ref().map(|l| l.deadline(settings)),
            free: (idle && !self.retired).then_some((!self.history.is_empty(), self.free_since)),
            prune: self
                .history
                .get(..latest)
                .and_then(|older| older.iter().map(|h| h.to.saturating_add(window)).min()),
            retiring: (idle && self.retired).then(|| {
                if self.history.is_empty() {
                    0
                } else {
                    self.free_since.saturating_add(window)
                }
            }),
            owner: match &self.lease {
                Some(l) => Some(l.session.as_str()),
                None => self.history.last().map(|h| h.session.as_str()),
            },
        }
    }
}

/// Marks a number's row to be written, cloning it only the first time.
fn mark(dirty: &mut BTreeSet<E164>, number: &E164) {
    if !dirty.contains(number) {
        dirty.insert(number.clone());
    }
}

impl Pool {
    /// A fresh pool of these numbers (duplicates are ignored).
    pub fn new(settings: Settings, numbers: &[E164]) -> Pool {
        let mut pool = Pool::restore(settings, Vec::new(), Counters::default());
        pool.set_numbers(numbers);
        pool
    }

    /// A pool as it was written down: its slots (in any order; a number appearing twice keeps its
    /// first row) and counters.
    pub fn restore(settings: Settings, mut slots: Vec<Slot>, counters: Counters) -> Pool {
        // The pool keeps its slots ordered by number, so that ties (between numbers free since the
        // same instant) break the same way whatever order storage gives the rows back in.
        slots.sort_by(|a, b| a.number.cmp(&b.number));
        slots.dedup_by(|later, first| later.number == first.number);
        let mut pool = Pool {
            settings,
            slots,
            counters,
            by_lease: HashMap::new(),
            by_number: HashMap::new(),
            by_session: HashMap::new(),
            deadlines: BTreeSet::new(),
            free: BTreeSet::new(),
            prune: BTreeSet::new(),
            retiring: BTreeSet::new(),
            dirty: BTreeSet::new(),
            removed: BTreeSet::new(),
        };
        pool.reindex();
        pool
    }

    /// Rebuilds every index from the slots.
    fn reindex(&mut self) {
        self.by_lease.clear();
        self.by_number.clear();
        self.by_session.clear();
        self.deadlines.clear();
        self.free.clear();
        self.prune.clear();
        self.retiring.clear();
        for i in 0..self.slots.len() {
            if let Some(slot) = self.slots.get(i) {
                self.by_number.insert(slot.number.clone(), i);
                if let Some(lease) = &slot.lease {
                    self.by_lease.insert(lease.id.clone(), i);
                }
            }
            self.attach(i);
        }
    }

    /// Enters slot `i` in the indexes that follow its state (all but by id and by number).
    fn attach(&mut self, i: usize) {
        let Some(slot) = self.slots.get(i) else {
            return;
        };
        let keys = slot.keys(&self.settings);
        if let Some(d) = keys.deadline {
            self.deadlines.insert((d, i));
        }
        if let Some((used, since)) = keys.free {
            self.free.insert((used, since, i));
        }
        if let Some(p) = keys.prune {
            self.prune.insert((p, i));
        }
        if let Some(r) = keys.retiring {
            self.retiring.insert((r, i));
        }
        if let Some(owner) = keys.owner {
            match self.by_session.get_mut(owner) {
                Some(held) => held.push(i),
                None => {
                    self.by_session.insert(owner.to_owned(), vec![i]);
                }
            }
        }
    }

    /// Takes slot `i` out of the indexes that follow its state, before that state changes.
    fn detach(&mut self, i: usize) {
        let Some(slot) = self.slots.get(i) else {
            return;
        };
        let keys = slot.keys(&self.settings);
        if let Some(d) = keys.deadline {
            self.deadlines.remove(&(d, i));
        }
        if let Some((used, since)) = keys.free {
            self.free.remove(&(used, since, i));
        }
        if let Some(p) = keys.prune {
            self.prune.remove(&(p, i));
        }
        if let Some(r) = keys.retiring {
            self.retiring.remove(&(r, i));
        }
        if let Some(owner) = keys.owner {
            if let Some(held) = self.by_session.get_mut(owner) {
                held.retain(|&j| j != i);
                if held.is_empty() {
                    self.by_session.remove(owner);
                }
            }
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Replaces the settings (the configuration changed). Live leases keep their start and last
    /// heartbeat; their deadline follows the new settings.
    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
        self.reindex();
    }

    /// Makes the pool's numbers these: new ones are added; missing ones retire (no new leases) and
    /// are dropped once nothing refers to them; returning ones are reinstated.
    pub fn set_numbers(&mut self, numbers: &[E164]) {
        let wanted: BTreeSet<&E164> = numbers.iter().collect();
        let mut changed = false;
        for slot in &mut self.slots {
            let retired = !wanted.contains(&slot.number);
            if slot.retired != retired {
                slot.retired = retired;
                mark(&mut self.dirty, &slot.number);
                changed = true;
            }
        }
        for number in wanted {
            if !self.by_number.contains_key(number) {
                self.by_number.insert(number.clone(), self.slots.len());
                self.slots.push(Slot::new(number.clone()));
                self.removed.remove(number);
                mark(&mut self.dirty, number);
                changed = true;
            }
        }
        if changed {
            self.slots.sort_by(|a, b| a.number.cmp(&b.number));
            self.reindex();
        }
    }

    /// The slots, ordered by number, for the shell to write down and for reports.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// One slot by number.
    pub fn slot(&self, number: &E164) -> Option<&Slot> {
        self.by_number.get(number).and_then(|&i| self.slots.get(i))
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// What to write since the last call.
    pub fn take_changes(&mut self) -> Changes {
        Changes {
            upserted: std::mem::take(&mut self.dirty).into_iter().collect(),
            removed: std::mem::take(&mut self.removed).into_iter().collect(),
        }
    }

    /// When the pool next has something to do (the earliest lease deadline), if ever.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.deadlines.first().map(|&(d, _)| d)
    }

    /// Ends every lease whose deadline has passed, at its deadline (not at `now`: a late alarm must
    /// not stretch a lease), forgets holdings that left the attribution window (always keeping a
    /// number's latest holding), and drops retired numbers nothing refers to any more.
    pub fn expire(&mut self, now: Millis) {
        let window = self.settings.cooldown;
        while let Some(&(deadline, i)) = self.deadlines.first() {
            if deadline > now {
                break;
            }
            // Out of the index first, so that the loop ends whatever the slot turns out to hold.
            self.deadlines.remove(&(deadline, i));
            if self.slots.get(i).is_some_and(|s| s.lease.is_some()) {
                self.end_lease(i, deadline);
                self.counters.expired += 1;
            }
        }
        while let Some(&(when, i)) = self.prune.first() {
            if when > now {
                break;
            }
            self.prune.remove(&(when, i));
            self.detach(i);
            if let Some(slot) = self.slots.get_mut(i) {
                let latest = slot.history.len().saturating_sub(1);
                let mut index = 0;
                slot.history.retain(|h| {
                    let keep = h.to.saturating_add(window) > now || index == latest;
                    index += 1;
                    keep
                });
                mark(&mut self.dirty, &slot.number);
            }
            self.attach(i);
        }
        let mut unused = Vec::new();
        while let Some(&(when, i)) = self.retiring.first() {
            if when > now {
                break;
            }
            self.retiring.remove(&(when, i));
            if let Some(slot) = self.slots.get(i) {
                unused.push(slot.number.clone());
            }
        }
        if !unused.is_empty() {
            for number in unused {
                self.dirty.remove(&number);
                self.removed.insert(number);
            }
            let removed = &self.removed;
            self.slots.retain(|s| !removed.contains(&s.number));
            self.reindex();
        }
    }

    /// Leases a number to `session` for `target`, or renews the one it has. `new_id` is the id a new
    /// lease gets (random, from the shell); it is unused when the session already has a lease.
    pub fn lease(&mut self, session: &str, target: &E164, new_id: &str, now: Millis) -> Outcome {
        match self.lease_free(session, target, new_id, now) {
            Some(outcome) => outcome,
            None => self.exhausted(session, target, new_id, now),
        }
    }

    /// [`Pool::lease`] without the exhaustion policy: `None` when the session has no number here
    /// and none is free, and then nothing is granted or counted (like every operation, it first
    /// ends the leases whose deadline has passed, [`Pool::expire`]; that is the same change an
    /// alarm would have made, and it is reported by [`Pool::take_changes`]). A pool split into
    /// shards asks each shard this way before one of them applies its policy, so that a shard never
    /// runs dry while another has numbers to spare.
    pub fn lease_free(
        &mut self,
        session: &str,
        target: &E164,
        new_id: &str,
        now: Millis,
    ) -> Option<Outcome> {
        self.expire(now);
        // The session's live lease for this target: renew it. Else the number it had for this
        // target, if no one else had it since (and it is not retired).
        let (mut live, mut own) = (None, None);
        for &i in self
            .by_session
            .get(session)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let Some(slot) = self.slots.get(i) else {
                continue;
            };
            match &slot.lease {
                Some(l) if l.target == *target => live = Some(live.map_or(i, |j: usize| j.min(i))),
                None if !slot.retired
                    && slot.history.last().is_some_and(|h| h.target == *target) =>
                {
                    own = Some(own.map_or(i, |j: usize| j.min(i)))
                }
                _ => {}
            }
        }
        if let Some(i) = live {
            return Some(self.renew(i, now));
        }
        // Else the free number idle longest (never-used numbers first), once cooled down.
        let cooldown = self.settings.cooldown;
        let free = own.or_else(|| {
            self.free
                .first()
                .filter(|&&(used, since, _)| !used || since.saturating_add(cooldown) <= now)
                .map(|&(_, _, i)| i)
        });
        let i = free?;
        Some(self.start(i, session, target, new_id, now, false))
    }

    /// No number is free: what the pool's policy says, counted.
    fn exhausted(&mut self, session: &str, target: &E164, new_id: &str, now: Millis) -> Outcome {
        self.counters.exhausted += 1;
        match self.settings.on_exhausted.clone() {
            Exhausted::Original => {
                self.counters.original += 1;
                Outcome::Original
            }
            Exhausted::Overflow(number) => {
                self.counters.overflow += 1;
                Outcome::Overflow { number }
            }
            Exhausted::ReuseLeastRecent => {
                // Exhaustion is the exception: a scan is fine here.
                let victim = self
                    .slots
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !s.retired)
                    .min_by_key(|(i, s)| {
                        (
                            s.lease
                                .as_ref()
                                .map(|l| l.last_seen)
                                .unwrap_or(s.free_since),
                            *i,
                        )
                    })
                    .map(|(i, _)| i);
                let Some(i) = victim else {
                    self.counters.original += 1;
                    return Outcome::Original;
                };
                let leased = match self.slots.get_mut(i) {
                    Some(slot) => match slot.lease.as_mut() {
                        Some(lease) => {
                            lease.ambiguous = true;
                            true
                        }
                        None => {
                            if let Some(last) = slot.history.last_mut() {
                                last.ambiguous = true;
                            }
                            false
                        }
                    },
                    None => false,
                };
                if leased {
                    self.end_lease(i, now);
                }
                self.counters.reused += 1;
                self.start(i, session, target, new_id, now, true)
            }
        }
    }

    /// The session asked again while its lease is live: counts as a heartbeat.
    fn renew(&mut self, i: usize, now: Millis) -> Outcome {
        match self.touch(i, now) {
            Some(mut granted) => {
                self.counters.renewed += 1;
                granted.renewed = true;
                Outcome::Leased(granted)
            }
            None => Outcome::Original,
        }
    }

    /// Moves slot `i`'s live lease's last activity to `now` (never back), marks the row, and says
    /// what the browser needs to know.
    fn touch(&mut self, i: usize, now: Millis) -> Option<Granted> {
        let settings = &self.settings;
        let slot = self.slots.get_mut(i)?;
        let lease = slot.lease.as_mut()?;
        let before = lease.deadline(settings);
        lease.last_seen = now.max(lease.last_seen);
        let after = lease.deadline(settings);
        let granted = Granted {
            number: slot.number.clone(),
            lease: lease.id.clone(),
            expires_at: after,
            renewed: true,
            ambiguous: lease.ambiguous,
        };
        if before != after {
            self.deadlines.remove(&(before, i));
            self.deadlines.insert((after, i));
        }
        mark(&mut self.dirty, &slot.number);
        Some(granted)
    }

    fn start(
        &mut self,
        i: usize,
        session: &str,
        target: &E164,
        id: &str,
        now: Millis,
        ambiguous: bool,
    ) -> Outcome {
        self.detach(i);
        let window = self.settings.cooldown;
        let Some(slot) = self.slots.get_mut(i) else {
            return Outcome::Original;
        };
        // A number given back to its session (the own-number path) may still be contested: the
        // reuse policy took it from another session less than a cool-down ago.
        let ambiguous = ambiguous
            || slot
                .history
                .iter()
                .any(|h| h.session != session && h.to.saturating_add(window) > now);
        let lease = Lease {
            id: id.to_owned(),
            session: session.to_owned(),
            target: target.clone(),
            started: now,
            last_seen: now,
            ambiguous,
        };
        let granted = Granted {
            number: slot.number.clone(),
            lease: id.to_owned(),
            expires_at: lease.deadline(&self.settings),
            renewed: false,
            ambiguous,
        };
        slot.lease = Some(lease);
        mark(&mut self.dirty, &slot.number);
        self.by_lease.insert(id.to_owned(), i);
        self.attach(i);
        self.counters.granted += 1;
        Outcome::Leased(granted)
    }

    /// Moves slot `i`'s live lease into its history, ended at `at`; the number starts cooling down.
    fn end_lease(&mut self, i: usize, at: Millis) {
        self.detach(i);
        if let Some(slot) = self.slots.get_mut(i) {
            if let Some(lease) = slot.lease.take() {
                let to = at.max(lease.started);
                self.by_lease.remove(&lease.id);
                slot.history.push(Holding {
                    session: lease.session,
                    lease: lease.id,
                    target: lease.target,
                    from: lease.started,
                    to,
                    ambiguous: lease.ambiguous,
                });
                slot.free_since = to;
            }
            mark(&mut self.dirty, &slot.number);
        }
        self.attach(i);
    }

    /// The slot of the live lease with this id.
    fn live(&self, lease_id: &str) -> Option<usize> {
        let i = *self.by_lease.get(lease_id)?;
        let slot = self.slots.get(i)?;
        slot.lease.as_ref().filter(|l| l.id == lease_id).map(|_| i)
    }

    /// Extends a live lease by the idle timeout (up to the cap).
    pub fn heartbeat(&mut self, lease_id: &str, now: Millis) -> Result<Granted, Gone> {
        self.expire(now);
        let i = self.live(lease_id).ok_or(Gone)?;
        let granted = self.touch(i, now).ok_or(Gone)?;
        self.counters.heartbeats += 1;
        Ok(granted)
    }

    /// Ends a lease now (the visitor left). The number starts cooling down.
    pub fn release(&mut self, lease_id: &str, now: Millis) -> Result<(), Gone> {
        self.expire(now);
        let i = self.live(lease_id).ok_or(Gone)?;
        self.end_lease(i, now);
        self.counters.released += 1;
        Ok(())
    }

    /// Whose call it is: the sessions that held `number` over the attribution window before `at`.
    /// Read-only: the shell calls [`Pool::expire`] first if it wants expiry applied.
    pub fn attribute(&self, number: &E164, at: Millis) -> Attribution {
        let none = Attribution {
            best: None,
            confidence: 0.0,
            candidates: Vec::new(),
        };
        let Some(slot) = self.slot(number) else {
            return none;
        };
        // A holding that ended at `to` is a candidate until `to + cooldown`, excluded: the instant
        // its number may go to another session is the instant it stops being a candidate.
        let window = self.settings.cooldown;
        let in_window = |to: Millis| to.saturating_add(window) > at;
        // (candidate, latest time seen holding the number), one per session.
        let mut held: Vec<(Candidate, Millis)> = Vec::new();
        let mut add = |session: &str, target: &E164, live: bool, until: Millis| match held
            .iter_mut()
            .find(|(c, _)| c.session == session)
        {
            Some((c, u)) => {
                c.live |= live;
                *u = (*u).max(until);
            }
            None => held.push((
                Candidate {
                    session: session.to_owned(),
                    target: target.clone(),
                    live,
                },
                until,
            )),
        };
        // Newest first, so that ties below go to the more recent holder.
        if let Some(l) = &slot.lease {
            let d = l.deadline(&self.settings);
            if l.started <= at && in_window(d) {
                add(&l.session, &l.target, d > at, d.min(at));
            }
        }
        for h in slot.history.iter().rev() {
            if h.from <= at && in_window(h.to) {
                add(&h.session, &h.target, h.to > at, h.to.min(at));
            }
        }
        if held.is_empty() {
            return self.latest_holder(slot, at).unwrap_or(none);
        }
        // Most likely first: live at the time, then the most recent.
        held.sort_by(|a, b| b.0.live.cmp(&a.0.live).then(b.1.cmp(&a.1)));
        // The reuse policy's mark does not lower the confidence by itself: a session the number
        // was taken from is a candidate for as long as any holder would be, and once it is out of
        // the window the remaining session is the only one that can have seen the number.
        let confidence = 1.0 / held.len() as f64;
        let candidates: Vec<Candidate> = held.into_iter().map(|(c, _)| c).collect();
        Attribution {
            best: candidates.first().cloned(),
            confidence,
            candidates,
        }
    }

    /// A call after the window to a number nobody has had since its last holding: most likely
    /// still that holder (a visitor who noted the number and called later), but not certainly, and
    /// less likely the longer ago the holding ended: half at the end of the window, halving each
    /// time the time since the holding doubles.
    fn latest_holder(&self, slot: &Slot, at: Millis) -> Option<Attribution> {
        let (session, target, to) = match &slot.lease {
            // Only a lease past its deadline and not yet expired gets here.
            Some(l) if l.started <= at => (&l.session, &l.target, l.deadline(&self.settings)),
            Some(_) => return None,
            None => {
                let h = slot.history.last().filter(|h| h.from <= at)?;
                (&h.session, &h.target, h.to)
            }
        };
        let since = at.saturating_sub(to).max(1);
        let confidence = 0.5 * (self.settings.cooldown.max(1) as f64 / since as f64).min(1.0);
        let candidate = Candidate {
            session: session.clone(),
            target: target.clone(),
            live: false,
        };
        Some(Attribution {
            best: Some(candidate.clone()),
            confidence,
            candidates: vec![candidate],
        })
    }

    /// Whether `session` holds a live lease for `target` (a lease request would renew it). As of the
    /// last expiry: call [`Pool::expire`] first for the answer at `now`.
    pub fn holds(&self, session: &str, target: &E164) -> bool {
        self.by_session.get(session).is_some_and(|slots| {
            slots.iter().any(|&i| {
                self.slots
                    .get(i)
                    .and_then(|s| s.lease.as_ref())
                    .is_some_and(|l| l.target == *target)
            })
        })
    }

    /// The live lease with this id, if any.
    pub fn lease_by_id(&self, lease_id: &str) -> Option<(&E164, &Lease)> {
        let slot = self.slots.get(*self.by_lease.get(lease_id)?)?;
        slot.lease.as_ref().map(|l| (&slot.number, l))
    }

    /// Whether a session's visit may still be needed to attribute a call at `now`: the session
    /// holds a live lease here, or held a number until a time within the attribution window (the
    /// cool-down). The shell forgets the visits of every other session.
    pub fn needs_visit(&self, session: &str, now: Millis) -> bool {
        let horizon = self.visit_horizon(now);
        self.slots.iter().any(|s| {
            s.lease.as_ref().is_some_and(|l| l.session == session)
                || s.history
                    .iter()
                    .any(|h| h.session == session && h.to >= horizon)
        })
    }

    /// The time before which a visit's last write must be for the shell to ask
    /// [`Pool::needs_visit`] about it: a visit younger than the cool-down is always needed (it was
    /// written when its session leased, and that lease is live or ended within the cool-down).
    pub fn visit_horizon(&self, now: Millis) -> Millis {
        now.saturating_sub(self.settings.cooldown)
    }

    /// Numbers with a live lease, and numbers cooling down, at `now`.
    pub fn usage(&self, now: Millis) -> (usize, usize) {
        let leased = self.slots.iter().filter(|s| s.lease.is_some()).count();
        let cooling = self
            .slots
            .iter()
            .filter(|s| s.lease.is_none() && !s.cooled(self.settings.cooldown, now))
            .count();
        (leased, cooling)
    }
}

#[cfg(test)]
mod tests;
