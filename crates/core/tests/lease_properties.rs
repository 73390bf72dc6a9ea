//! Property tests of the lease engine: random interleavings of lease, heartbeat, release, expiry
//! (alarms), calls, reconfiguration and restarts, checked three ways.
//!
//! 1. The invariants the product promises, read off the engine's own state and answers:
//!    - no number is held by two live leases, no (session, target) has two live leases, and a
//!      number handed over without the reuse policy had no other session within its cool-down;
//!    - a call while a lease is live attributes to it with confidence 1.0, unless the reuse policy
//!      handed the number over within the window (then the answer is marked ambiguous: < 1.0);
//!      a call after the window names the number's last holder, never with more than 0.5;
//!    - nothing is lost across a restart: a second pool, fed the same operations but restarted
//!      from the rows the shell wrote (`take_changes` applied to a store, then `restore` from the
//!      store's rows in reverse order), answers exactly like the pool that never restarted.
//! 2. A reference model: a plain, linear restatement of the rules (who gets which number, when a
//!    lease ends, who may have made a call), whose every answer the engine must match exactly.
//! 3. The counters, which the model keeps as well.

use std::collections::{BTreeMap, BTreeSet};

use dni_core::lease::{Counters, Exhausted, Granted, Outcome, Pool, Settings, Slot};
use dni_core::phone::E164;
use dni_core::{Millis, MINUTE, SECOND};
use proptest::prelude::*;

const NUMBERS: usize = 4;
const SESSIONS: usize = 5;
const TARGETS: usize = 2;

fn number(i: usize) -> E164 {
    E164::parse(&format!("+1212555{:04}", 100 + i)).unwrap()
}

fn target(i: usize) -> E164 {
    E164::parse(&format!("+1212555{:04}", 900 + i)).unwrap()
}

fn overflow() -> E164 {
    E164::parse("+12125559999").unwrap()
}

fn session(i: usize) -> String {
    format!("session-{i}")
}

fn session_index(s: &str) -> usize {
    s.trim_start_matches("session-").parse().unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    /// A page asks for a number.
    Lease { session: usize, target: usize },
    /// A page heartbeats with the lease id it was last given (or a made-up one).
    Heartbeat {
        session: usize,
        target: usize,
        bogus: bool,
    },
    /// A page is hidden: sendBeacon with the lease id it was last given.
    Release { session: usize, target: usize },
    /// The alarm fires at the deadline the pool asked for (or now, if none).
    Alarm,
    /// A call to a number.
    Call { number: usize },
    /// The pool's numbers become these (bit i: number i).
    SetNumbers { mask: u8 },
    /// The Durable Object is evicted and comes back from storage.
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..SESSIONS, 0..TARGETS).prop_map(|(session, target)| Op::Lease { session, target }),
        6 => (0..SESSIONS, 0..TARGETS, prop::bool::weighted(0.05))
            .prop_map(|(session, target, bogus)| Op::Heartbeat { session, target, bogus }),
        3 => (0..SESSIONS, 0..TARGETS).prop_map(|(session, target)| Op::Release { session, target }),
        2 => Just(Op::Alarm),
        4 => (0..NUMBERS).prop_map(|number| Op::Call { number }),
        1 => (0u8..16).prop_map(|mask| Op::SetNumbers { mask }),
        2 => Just(Op::Restart),
    ]
}

/// How much time passes before an operation: often none (several requests in the same
/// millisecond), else a few milliseconds, seconds or minutes, so that operations land on both
/// sides of every deadline.
fn step() -> impl Strategy<Value = Millis> {
    prop_oneof![
        3 => Just(0),
        2 => 1..1_000u64,
        4 => (1..=150u64).prop_map(|s| s * SECOND),
        2 => (1..=8u64).prop_map(|m| m * MINUTE),
    ]
}

fn policy() -> impl Strategy<Value = Exhausted> {
    prop_oneof![
        Just(Exhausted::Original),
        Just(Exhausted::Overflow(overflow())),
        Just(Exhausted::ReuseLeastRecent),
    ]
}

fn settings(on_exhausted: Exhausted) -> Settings {
    Settings {
        idle_timeout: 2 * MINUTE,
        max_hold: 7 * MINUTE,
        cooldown: 4 * MINUTE,
        on_exhausted,
    }
}

// ------------------------------------------------------------------------------------------------
// The reference model: the rules, restated as plainly as possible.

#[derive(Debug, Clone)]
struct MLease {
    id: String,
    session: usize,
    target: usize,
    started: Millis,
    last_seen: Millis,
    ambiguous: bool,
}

#[derive(Debug, Clone)]
struct MHolding {
    session: usize,
    target: usize,
    from: Millis,
    to: Millis,
    ambiguous: bool,
}

#[derive(Debug, Clone, Default)]
struct MSlot {
    lease: Option<MLease>,
    /// Every holding ever (the model forgets nothing; the engine may forget what is out of the
    /// window, which must make no difference).
    history: Vec<MHolding>,
    retired: bool,
}

impl MSlot {
    fn free_since(&self) -> Option<Millis> {
        self.history.last().map(|h| h.to)
    }
}

struct Model {
    settings: Settings,
    /// By number index; a number absent from the map is not in the pool.
    slots: BTreeMap<usize, MSlot>,
    counters: Counters,
}

impl Model {
    fn new(settings: Settings, numbers: &[usize]) -> Model {
        Model {
            settings,
            slots: numbers.iter().map(|&n| (n, MSlot::default())).collect(),
            counters: Counters::default(),
        }
    }

    fn deadline(&self, l: &MLease) -> Millis {
        (l.last_seen + self.settings.idle_timeout).min(l.started + self.settings.max_hold)
    }

    fn end(slot: &mut MSlot, at: Millis) {
        if let Some(l) = slot.lease.take() {
            slot.history.push(MHolding {
                session: l.session,
                target: l.target,
                from: l.started,
                to: at.max(l.started),
                ambiguous: l.ambiguous,
            });
        }
    }

    fn expire(&mut self, now: Millis) {
        let cooldown = self.settings.cooldown;
        let mut gone = Vec::new();
        for (&n, slot) in self.slots.iter_mut() {
            if let Some(l) = &slot.lease {
                let d = (l.last_seen + self.settings.idle_timeout)
                    .min(l.started + self.settings.max_hold);
                if d <= now {
                    Model::end(slot, d);
                    self.counters.expired += 1;
                }
            }
            let cooled = slot.free_since().is_none_or(|f| f + cooldown <= now);
            if slot.retired && slot.lease.is_none() && cooled {
                gone.push(n);
            }
        }
        for n in gone {
            self.slots.remove(&n);
        }
    }

    fn set_numbers(&mut self, numbers: &[usize]) {
        for (n, slot) in self.slots.iter_mut() {
            slot.retired = !numbers.contains(n);
        }
        for &n in numbers {
            self.slots.entry(n).or_default();
        }
    }

    fn granted(&self, n: usize, l: &MLease, renewed: bool) -> Granted {
        Granted {
            number: number(n),
            lease: l.id.clone(),
            expires_at: self.deadline(l),
            renewed,
            ambiguous: l.ambiguous,
        }
    }

    fn lease(&mut self, session: usize, target: usize, id: &str, now: Millis) -> Outcome {
        self.expire(now);
        // Renewal.
        let live = self.slots.iter().find(|(_, s)| {
            s.lease
                .as_ref()
                .is_some_and(|l| l.session == session && l.target == target)
        });
        if let Some((&n, _)) = live {
            let slot = self.slots.get_mut(&n).unwrap();
            let l = slot.lease.as_mut().unwrap();
            l.last_seen = l.last_seen.max(now);
            let l = l.clone();
            self.counters.renewed += 1;
            return Outcome::Leased(self.granted(n, &l, true));
        }
        let start = |model: &mut Model, n: usize, ambiguous: bool| {
            // Contested if another session left it less than a cool-down ago (only possible when
            // the reuse policy took it from that session).
            let cooldown = model.settings.cooldown;
            let ambiguous = ambiguous
                || model.slots[&n]
                    .history
                    .iter()
                    .any(|h| h.session != session && h.to + cooldown > now);
            let l = MLease {
                id: id.to_owned(),
                session,
                target,
                started: now,
                last_seen: now,
                ambiguous,
            };
            model.slots.get_mut(&n).unwrap().lease = Some(l.clone());
            model.counters.granted += 1;
            Outcome::Leased(model.granted(n, &l, false))
        };
        // The session's own number: its latest holding, no one since, not retired.
        let own = self.slots.iter().find(|(_, s)| {
            !s.retired
                && s.lease.is_none()
                && s.history
                    .last()
                    .is_some_and(|h| h.session == session && h.target == target)
        });
        if let Some((&n, _)) = own {
            return start(self, n, false);
        }
        // Never leased first, then idle longest, then the lowest number; only if cooled down.
        let cooldown = self.settings.cooldown;
        let free = self
            .slots
            .iter()
            .filter(|(_, s)| {
                !s.retired
                    && s.lease.is_none()
                    && s.free_since().is_none_or(|f| f + cooldown <= now)
            })
            .min_by_key(|(&n, s)| (s.free_since().is_some(), s.free_since(), n))
            .map(|(&n, _)| n);
        if let Some(n) = free {
            return start(self, n, false);
        }
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
                let victim = self
                    .slots
                    .iter()
                    .filter(|(_, s)| !s.retired)
                    .min_by_key(|(&n, s)| {
                        let active = match &s.lease {
                            Some(l) => l.last_seen,
                            None => s.free_since().unwrap_or(0),
                        };
                        (active, n)
                    })
                    .map(|(&n, _)| n);
                let Some(n) = victim else {
                    self.counters.original += 1;
                    return Outcome::Original;
                };
                let slot = self.slots.get_mut(&n).unwrap();
                if let Some(l) = slot.lease.as_mut() {
                    l.ambiguous = true;
                    Model::end(slot, now);
                } else if let Some(h) = slot.history.last_mut() {
                    h.ambiguous = true;
                }
                self.counters.reused += 1;
                start(self, n, true)
            }
        }
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.slots
            .iter()
            .find(|(_, s)| s.lease.as_ref().is_some_and(|l| l.id == id))
            .map(|(&n, _)| n)
    }

    fn heartbeat(&mut self, id: &str, now: Millis) -> Option<Granted> {
        self.expire(now);
        let n = self.find(id)?;
        let l = self.slots.get_mut(&n)?.lease.as_mut()?;
        l.last_seen = l.last_seen.max(now);
        let l = l.clone();
        self.counters.heartbeats += 1;
        Some(self.granted(n, &l, true))
    }

    fn release(&mut self, id: &str, now: Millis) -> bool {
        self.expire(now);
        let Some(n) = self.find(id) else {
            return false;
        };
        Model::end(self.slots.get_mut(&n).unwrap(), now);
        self.counters.released += 1;
        true
    }

    /// The number's latest holder and when its holding ended.
    fn last_holder(&self, n: usize, at: Millis) -> Option<(usize, Millis)> {
        let slot = self.slots.get(&n)?;
        if slot.lease.is_some() {
            return None;
        }
        slot.history
            .last()
            .filter(|h| h.from <= at)
            .map(|h| (h.session, h.to))
    }

    /// Sessions that held the number within the window before `at` (a holding counts until
    /// `to + cooldown`, excluded), the live one if any, and whether the reuse policy touched any.
    fn who(&self, n: usize, at: Millis) -> (BTreeSet<usize>, Option<usize>, bool) {
        let mut sessions = BTreeSet::new();
        let mut ambiguous = false;
        let Some(slot) = self.slots.get(&n) else {
            return (sessions, None, false);
        };
        for h in &slot.history {
            if h.from <= at && h.to + self.settings.cooldown > at {
                sessions.insert(h.session);
                ambiguous |= h.ambiguous;
            }
        }
        let live = slot.lease.as_ref().filter(|l| l.started <= at);
        if let Some(l) = live {
            sessions.insert(l.session);
            ambiguous |= l.ambiguous;
        }
        (sessions, live.map(|l| l.session), ambiguous)
    }
}

// ------------------------------------------------------------------------------------------------
// The shell: what the Durable Object keeps (the rows it wrote) and what the pages know.

#[derive(Default)]
struct Store {
    rows: BTreeMap<E164, Slot>,
    counters: Counters,
}

impl Store {
    /// Writes what changed, as the Durable Object does after every request.
    fn write(&mut self, pool: &mut Pool) {
        let changes = pool.take_changes();
        for n in changes.upserted {
            let slot = pool
                .slot(&n)
                .cloned()
                .expect("an upserted number has a slot");
            self.rows.insert(n, slot);
        }
        for n in changes.removed {
            assert!(pool.slot(&n).is_none(), "a removed number has no slot");
            self.rows.remove(&n);
        }
        self.counters = pool.counters();
    }

    fn restore(&self, settings: Settings) -> Pool {
        // Rows come back in storage's order, not the pool's.
        let rows: Vec<Slot> = self.rows.values().rev().cloned().collect();
        Pool::restore(settings, rows, self.counters)
    }
}

/// Checks what must hold of any pool's state at `now`; `expired`: the last operation applied
/// expiry at `now` (every operation but reconfiguration and restart does).
fn check_state(pool: &Pool, now: Millis, expired: bool) {
    let s = pool.settings();
    let mut ids = BTreeSet::new();
    let mut holders = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for slot in pool.slots() {
        assert!(numbers.insert(slot.number.clone()), "a number has one slot");
        let Some(l) = &slot.lease else { continue };
        assert!(ids.insert(l.id.clone()), "lease id {} is live twice", l.id);
        assert!(
            holders.insert((l.session.clone(), l.target.clone())),
            "{} holds two live leases for {}",
            l.session,
            l.target
        );
        let deadline = (l.last_seen + s.idle_timeout).min(l.started + s.max_hold);
        assert!(
            !expired || deadline > now,
            "a lease past its deadline is still live"
        );
        assert_eq!(
            pool.lease_by_id(&l.id).map(|(n, _)| n),
            Some(&slot.number),
            "lease_by_id finds the live lease"
        );
        if !l.ambiguous {
            // Handed over without the reuse policy: no other session within the cool-down.
            for h in &slot.history {
                if h.session != l.session {
                    assert!(
                        h.to + s.cooldown <= l.started,
                        "{} got {} while {} had it {} ms before",
                        l.session,
                        slot.number,
                        h.session,
                        l.started - h.to
                    );
                }
            }
        }
    }
}

/// Runs the operations on a pool that never restarts, a pool that restarts from its rows at every
/// `Restart`, and the model; checks that all three agree and that the invariants hold.
fn run(start: Millis, initial: usize, policy: Exhausted, ops: &[(Millis, Op)]) {
    let settings = settings(policy);
    let initial: Vec<usize> = (0..initial).collect();
    let numbers: Vec<E164> = initial.iter().map(|&i| number(i)).collect();
    let mut steady = Pool::new(settings.clone(), &numbers);
    let mut restarted = Pool::new(settings.clone(), &numbers);
    let mut store = Store::default();
    store.write(&mut restarted);
    steady.take_changes();
    let mut model = Model::new(settings.clone(), &initial);
    // What each page was last given, by (session, target).
    let mut pages: BTreeMap<(usize, usize), String> = BTreeMap::new();
    let mut now = start;
    for (step, (dt, op)) in ops.iter().enumerate() {
        now += dt;
        let at = format!("step {step} ({op:?}) at +{} ms", now - start);
        match op {
            Op::Lease {
                session: s,
                target: t,
            } => {
                let id = format!("lease-{step}");
                let exhausted_before = model.counters.exhausted;
                let want = model.lease(*s, *t, &id, now);
                let exhausted = model.counters.exhausted > exhausted_before;
                let got = steady.lease(&session(*s), &target(*t), &id, now);
                assert_eq!(got, want, "{at}");
                // The other pool asks the way a shard is asked first: free numbers only, with
                // nothing changed when there are none, then the policy.
                let free = restarted.lease_free(&session(*s), &target(*t), &id, now);
                assert_eq!(free.is_none(), exhausted, "{at}: lease_free vs exhaustion");
                let got = match free {
                    Some(outcome) => outcome,
                    None => restarted.lease(&session(*s), &target(*t), &id, now),
                };
                assert_eq!(got, want, "{at}");
                if let Outcome::Leased(g) = want {
                    pages.insert((*s, *t), g.lease);
                } else {
                    pages.remove(&(*s, *t));
                }
            }
            Op::Heartbeat {
                session: s,
                target: t,
                bogus,
            } => {
                let id = match (bogus, pages.get(&(*s, *t))) {
                    (false, Some(id)) => id.clone(),
                    _ => format!("made-up-{step}"),
                };
                let want = model.heartbeat(&id, now);
                for pool in [&mut steady, &mut restarted] {
                    assert_eq!(pool.heartbeat(&id, now).ok(), want, "{at}");
                }
            }
            Op::Release {
                session: s,
                target: t,
            } => {
                let id = pages.remove(&(*s, *t)).unwrap_or_default();
                let want = model.release(&id, now);
                for pool in [&mut steady, &mut restarted] {
                    assert_eq!(pool.release(&id, now).is_ok(), want, "{at}");
                }
            }
            Op::Alarm => {
                // The alarm is set for the pool's next deadline; it may fire a little late.
                let deadline = restarted.next_deadline();
                assert_eq!(steady.next_deadline(), deadline, "{at}");
                let model_deadline = model
                    .slots
                    .values()
                    .filter_map(|s| s.lease.as_ref().map(|l| model.deadline(l)))
                    .min();
                assert_eq!(deadline, model_deadline, "{at}");
                if let Some(d) = deadline {
                    now = now.max(d);
                }
                model.expire(now);
                steady.expire(now);
                restarted.expire(now);
            }
            Op::Call { number: n } => {
                model.expire(now);
                let (sessions, live, ambiguous) = model.who(*n, now);
                for pool in [&mut steady, &mut restarted] {
                    pool.expire(now);
                    let a = pool.attribute(&number(*n), now);
                    let got: BTreeSet<usize> = a
                        .candidates
                        .iter()
                        .map(|c| session_index(&c.session))
                        .collect();
                    let best = a.best.as_ref().map(|c| session_index(&c.session));
                    if sessions.is_empty() {
                        // After the window: the last holder, if any, with at most 0.5.
                        let cooldown = model.settings.cooldown as f64;
                        let want = model.last_holder(*n, now).map(|(session, to)| {
                            let since = (now - to).max(1) as f64;
                            (session, 0.5 * (cooldown / since).min(1.0))
                        });
                        let got = best.map(|b| (b, a.confidence));
                        assert_eq!(got, want, "{at}: after the window");
                        assert!(a.candidates.len() <= 1 && a.confidence <= 0.5, "{at}");
                        continue;
                    }
                    assert_eq!(got, sessions, "{at}: candidates");
                    assert_eq!(
                        a.confidence,
                        1.0 / sessions.len() as f64,
                        "{at}: confidence"
                    );
                    if let Some(live) = live {
                        // The property: the live lease gets the call, with 1.0 unless the reuse
                        // policy handed the number over within the window.
                        assert_eq!(best, Some(live), "{at}: best");
                        if !ambiguous {
                            assert_eq!(a.confidence, 1.0, "{at}: confidence");
                        }
                    }
                    if sessions.len() > 1 {
                        assert!(
                            ambiguous,
                            "{at}: two sessions in the window without a reuse"
                        );
                    }
                }
            }
            Op::SetNumbers { mask } => {
                let wanted: Vec<usize> = (0..NUMBERS).filter(|i| mask & (1 << i) != 0).collect();
                let numbers: Vec<E164> = wanted.iter().map(|&i| number(i)).collect();
                model.set_numbers(&wanted);
                steady.set_numbers(&numbers);
                restarted.set_numbers(&numbers);
            }
            Op::Restart => {
                let before = restarted.slots().to_vec();
                restarted = store.restore(settings.clone());
                assert_eq!(restarted.slots(), &before[..], "{at}: restored slots");
            }
        }
        store.write(&mut restarted);
        steady.take_changes();
        assert_eq!(restarted.slots(), steady.slots(), "{at}: slots");
        assert_eq!(restarted.counters(), steady.counters(), "{at}: counters");
        assert_eq!(steady.counters(), model.counters, "{at}: counters vs model");
        assert_eq!(
            store.rows.values().cloned().collect::<Vec<_>>(),
            steady.slots().to_vec(),
            "{at}: the rows written are the slots"
        );
        let expired = !matches!(op, Op::SetNumbers { .. } | Op::Restart);
        check_state(&steady, now, expired);
        // The model's live leases are the engine's.
        let live: Vec<(E164, String)> = steady
            .slots()
            .iter()
            .filter_map(|s| s.lease.as_ref().map(|l| (s.number.clone(), l.id.clone())))
            .collect();
        let model_live: Vec<(E164, String)> = model
            .slots
            .iter()
            .filter_map(|(&n, s)| s.lease.as_ref().map(|l| (number(n), l.id.clone())))
            .collect();
        assert_eq!(live, model_live, "{at}: live leases");
        let present: Vec<E164> = model.slots.keys().map(|&n| number(n)).collect();
        let slots: Vec<E164> = steady.slots().iter().map(|s| s.number.clone()).collect();
        assert_eq!(slots, present, "{at}: numbers in the pool");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_interleavings_keep_every_promise(
        epoch in prop_oneof![Just(0u64), Just(1_700_000_000_000u64)],
        initial in 0..=NUMBERS,
        policy in policy(),
        ops in prop::collection::vec((step(), op()), 1..80),
    ) {
        run(epoch, initial, policy, &ops);
    }
}

// The same, over long runs with many sessions per number: the pool is exhausted most of the time.
proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn long_runs_under_pressure(
        policy in policy(),
        ops in prop::collection::vec((step(), op()), 200..600),
    ) {
        run(1_700_000_000_000, 2, policy, &ops);
    }
}
