//! The pool's operations: creating and restoring it, leasing, heartbeats, releases, expiry and
//! the exhaustion policy. Each takes `now`.

#[allow(unused_imports)]
use crate::prelude::*;

use super::index::mark;
use super::*;

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
    pub(super) fn exhausted(
        &mut self,
        session: &str,
        target: &E164,
        new_id: &str,
        now: Millis,
    ) -> Outcome {
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
    pub(super) fn renew(&mut self, i: usize, now: Millis) -> Outcome {
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
    pub(super) fn touch(&mut self, i: usize, now: Millis) -> Option<Granted> {
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

    pub(super) fn start(
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
    pub(super) fn end_lease(&mut self, i: usize, at: Millis) {
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
    pub(super) fn live(&self, lease_id: &str) -> Option<usize> {
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
}
